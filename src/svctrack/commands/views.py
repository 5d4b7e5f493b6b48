"""View commands: show, validate (status, deadlines, checklist)."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from svctrack.cli import (
    HELP_PANEL_VIEWS,
    IdArg,
    JsonOpt,
    app,
    finish,
    state,
)

# --- views ----------------------------------------------------------------------------------


@app.command(rich_help_panel=HELP_PANEL_VIEWS)
def show(ctx: typer.Context, item: IdArg, *, json_output: JsonOpt = False) -> None:
    """Everything about one item: fields, pipeline, gates, principles, history, notes, feedback.

    Example: svctrack show acme-audit --json
    """
    from svctrack import dates

    s = state(ctx)
    tracker = s.tracker
    found = tracker.get(item)
    pipeline = tracker.pipelines[found.kind]
    broken: list[Any] = []
    engagements: list[str] = []
    if found.kind == "service":
        loaded = tracker.load(["engagement"])
        broken = loaded.broken
        engagements = [e.id for e in loaded.items if e.service == found.id]
    if json_output:
        from svctrack import jsonout

        jsonout.emit(jsonout.show(found, pipeline, dates.today(), engagements))
    else:
        from svctrack import render

        s.print(render.show(found, pipeline, dates.today(), s.lang, engagements))
    finish(broken)


@app.command(rich_help_panel=HELP_PANEL_VIEWS)
def validate(
    ctx: typer.Context,
    *,
    strict: Annotated[bool, typer.Option("--strict", help="Warnings fail too (exit 1).")] = False,
    json_output: JsonOpt = False,
) -> None:
    """Check every file: errors exit 1; warnings are shown and exit 0 unless --strict.

    Example: svctrack validate --strict
    """
    from svctrack.validate import validate as run

    s = state(ctx)
    found = run(s.tracker.store)
    failed = any(f.severity == "error" or strict for f in found)
    if json_output:
        from svctrack import jsonout

        problems = [
            {
                "path": f.path,
                "line": f.line,
                "column": f.column,
                "severity": f.severity,
                "message": f.message,
            }
            for f in found
        ]
        jsonout.emit({"ok": not failed, "problems": problems})
    elif found:
        from svctrack import render

        s.print(render.findings(found))
    errors = sum(f.severity == "error" for f in found)
    if not json_output:
        typer.echo(f"{errors} errors, {len(found) - errors} warnings", err=True)
    if failed:
        raise typer.Exit(1)


@app.command(rich_help_panel=HELP_PANEL_VIEWS)
def checklist(
    ctx: typer.Context,
    item: Annotated[
        str | None, typer.Argument(metavar="[ID]", help="One item; without it, all open items.")
    ] = None,
    *,
    json_output: JsonOpt = False,
) -> None:
    """Gate items and principles, ticked or open; without ID, principles across open items.

    Example: svctrack checklist acme-audit
    """
    s = state(ctx)
    tracker = s.tracker
    if item is not None:
        found = tracker.get(item)
        pipeline = tracker.pipelines[found.kind]
        if json_output:
            from svctrack import jsonout

            jsonout.emit(jsonout.checklist(found, pipeline))
        else:
            from svctrack import render

            s.print(render.checklist(found, pipeline, s.lang))
        return
    from svctrack import jsonout
    from svctrack.queries import is_open, principle_rows

    loaded = tracker.load()
    rows = [i for i in loaded.items if is_open(i, tracker.pipelines[i.kind])]
    if json_output:
        jsonout.emit(
            [
                {
                    "id": i.id,
                    "kind": i.kind,
                    "principles": [
                        jsonout.principle(r) for r in principle_rows(i, tracker.pipelines[i.kind])
                    ],
                }
                for i in rows
            ]
        )
    else:
        from svctrack import render

        for kind in ("service", "engagement"):
            of_kind = [i for i in rows if i.kind == kind]
            if of_kind:
                s.print(render.principle_matrix(of_kind, tracker.pipelines[kind], s.lang))
    finish(loaded.broken)
