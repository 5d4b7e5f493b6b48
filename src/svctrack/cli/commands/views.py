"""View commands: status, board, deadlines, show, checklist, validate. Read-only, with --json."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from svctrack.cli.context import state
from svctrack.cli.options import (
    HELP_PANEL_VIEWS,
    IdArg,
    JsonOpt,
    KindOpt,
    MineOpt,
    ModeOpt,
    OwnerOpt,
    complete_services,
    finish,
    kind_of,
    mode_wanted,
    owner_wanted,
)
from svctrack.errors import SvcError, UsageError
from svctrack.messages import Plural, msg

app = typer.Typer()


# --- views ----------------------------------------------------------------------------------


@app.command(rich_help_panel=HELP_PANEL_VIEWS)
def status(
    ctx: typer.Context,
    *,
    show_all: Annotated[
        bool, typer.Option("--all", "-a", help="Include closed and cancelled items.")
    ] = False,
    owner: OwnerOpt = None,
    mine: MineOpt = False,
    mode: ModeOpt = None,
    json_output: JsonOpt = False,
) -> None:
    """The dashboard: open engagements and services, overdue and soonest due first.

    It stays one screen at any size: what does not fit is counted by stage and left to
    `engagement list`; --json carries every item. --owner and --mine show one person's items.

    Example: svctrack status --mine
    """
    from svctrack.domain import dates
    from svctrack.domain.queries import dashboard, in_mode, owned_by

    s = state(ctx)
    tracker = s.tracker
    who = owner_wanted(owner, mine)
    how = mode_wanted(mode)
    found, broken = tracker.summaries(only_open=not show_all)
    if who is not None or how is not None:
        found = [
            summary
            for summary in found
            if (who is None or owned_by(summary.owner, who)) and in_mode(summary.mode, how)
        ]
    board = dashboard(found, dates.today(), show_all=show_all)
    if json_output:
        from svctrack.output import jsonout

        jsonout.emit_text(jsonout.status(board))
    else:
        from svctrack.output import dashboard as render

        heading = str(tracker.config.get("name", ""))
        s.print(
            render.status(
                board, tracker.pipelines, s.lang, s.width, heading=heading, show_all=show_all
            )
        )
    finish(broken)


@app.command(rich_help_panel=HELP_PANEL_VIEWS)
def board(
    ctx: typer.Context,
    *,
    kind: KindOpt = "engagements",
    owner: Annotated[
        str | None,
        typer.Option(
            "--owner", metavar="NAME", help="Only items NAME owns (any case).", show_default=False
        ),
    ] = None,
    mine: Annotated[
        bool, typer.Option("--mine", help="Only items you own (you: as `by` is found).")
    ] = False,
    service: Annotated[
        str | None,
        typer.Option(
            "--service",
            "-s",
            metavar="ID",
            help="Only this service's engagements (with --kind services: that service).",
            autocompletion=complete_services,
            show_default=False,
        ),
    ] = None,
    limit: Annotated[
        int | None,
        typer.Option(
            "--limit",
            "-n",
            min=0,
            metavar="N",
            help="Cards per column (default 10; 5 when the columns are stacked; 0: all).",
            show_default=False,
        ),
    ] = None,
    mode: ModeOpt = None,
    json_output: JsonOpt = False,
) -> None:
    """A kanban board: one column per stage, one card per open item, most urgent first.

    A card shows the id, the client (a service's name), the due date, the next deadline, the
    owner's initials, `!` when overdue and `○n` for gate items still open. On a narrow terminal
    the columns are stacked, each with its count and its most urgent cards. --json carries
    every card, whatever --limit says.

    Example: svctrack board --mine
    """
    from svctrack.domain import dates
    from svctrack.domain.queries import board as lanes
    from svctrack.domain.queries import card, in_mode, same_person

    which = kind_of(kind)
    how = mode_wanted(mode)
    if mine and owner is not None:
        raise UsageError(msg("exclude", a="--owner", b="--mine"))
    s = state(ctx)
    tracker = s.tracker
    if mine:
        from svctrack.usecases.actor import actor

        owner = actor()
    service_id = tracker.resolve(service, "service")[1] if service else None
    pipeline = tracker.pipelines[which]
    today = dates.today()
    loaded = tracker.briefs([which])  # the open items, from the cache's index
    shown = [
        item
        for item in loaded.items
        if (owner is None or same_person(item.owner, owner))
        and in_mode(item.mode, how)
        and (
            service_id is None or service_id == (item.service if which == "engagement" else item.id)
        )
    ]
    figures = tracker.figures_of(shown)  # services' gates that their engagements' figures meet
    cards = [card(item, pipeline, today, figures.get(item.id)) for item in shown]
    found = lanes(cards, pipeline)
    if json_output:
        from svctrack.output import jsonout

        jsonout.emit_text(jsonout.board(found))
    else:
        from svctrack.output import board as render

        heading = str(tracker.config.get("name", ""))
        s.print(render.board(found, pipeline, today, s.lang, s.width, heading=heading, limit=limit))
    finish(loaded.broken)


@app.command(rich_help_panel=HELP_PANEL_VIEWS)
def deadlines(
    ctx: typer.Context,
    *,
    within: Annotated[
        int | None,
        typer.Option(
            "--within",
            min=0,
            metavar="DAYS",
            help="Only what falls due within DAYS days (the overdue included).",
            show_default=False,
        ),
    ] = None,
    overdue: Annotated[bool, typer.Option("--overdue", help="Only what is overdue.")] = False,
    owner: OwnerOpt = None,
    mine: MineOpt = False,
    mode: ModeOpt = None,
    json_output: JsonOpt = False,
) -> None:
    """Every dated obligation of open items (due dates, stage deadlines), soonest first.

    Example: svctrack deadlines --within 7 --mine
    """
    from svctrack.domain import dates
    from svctrack.domain.queries import deadlines as dated
    from svctrack.domain.queries import in_mode, owned_by

    s = state(ctx)
    tracker = s.tracker
    who = owner_wanted(owner, mine)
    how = mode_wanted(mode)
    loaded = tracker.briefs()
    items = [
        i for i in loaded.items if (who is None or owned_by(i.owner, who)) and in_mode(i.mode, how)
    ]
    today = dates.today()
    rows = dated(items, tracker.pipelines, today, within=within, overdue_only=overdue)
    if json_output:
        from svctrack.output import jsonout

        jsonout.emit([jsonout.obligation(o) for o in rows])
    elif rows:
        from svctrack.output import deadlines as render

        names = {i.id: i.name for i in items}
        s.print(render.deadlines_table(rows, names, today, tracker.pipelines, s.lang, s.width))
    else:
        from svctrack.output.i18n import word

        typer.echo(word("no_deadlines", s.lang), err=True)
    finish(loaded.broken)


@app.command(rich_help_panel=HELP_PANEL_VIEWS)
def show(ctx: typer.Context, item: IdArg, *, json_output: JsonOpt = False) -> None:
    """Everything about one item: fields, pipeline, gates, principles, history, notes, feedback.

    Example: svctrack show acme-audit --json
    """
    from svctrack.domain import dates

    s = state(ctx)
    tracker = s.tracker
    found = tracker.get(item)
    pipeline = tracker.pipelines[found.kind]
    broken: list[Any] = []
    engagements: list[str] = []
    if found.kind == "service":
        listed, broken = tracker.summaries(["engagement"])
        engagements = sorted(e.id for e in listed if e.service == found.id)
    figures = tracker.figures(found)  # a service's gates that its engagements' figures decide
    if json_output:
        from svctrack.output import jsonout

        jsonout.emit(jsonout.show(found, pipeline, dates.today(), engagements, figures))
    else:
        from svctrack.output import item_view as render

        s.print(render.show(found, pipeline, dates.today(), s.lang, engagements, figures))
    finish(broken)


@app.command(rich_help_panel=HELP_PANEL_VIEWS)
def validate(
    ctx: typer.Context,
    *,
    strict: Annotated[bool, typer.Option("--strict", help="Warnings fail too (exit 1).")] = False,
    staged: Annotated[
        bool,
        typer.Option("--staged", help="Check the files as git's index holds them (pre-commit)."),
    ] = False,
    json_output: JsonOpt = False,
) -> None:
    """Check every file: errors exit 1; warnings are shown and exit 0 unless --strict.

    --staged checks what the next commit would hold (each file as `git show :path` gives it).

    Example: svctrack validate --strict
    """
    s = state(ctx)
    if staged:
        from svctrack.git.staged import staged_findings

        found = staged_findings(s.workspace, strict=strict)
    else:
        from svctrack.usecases.validation import validate as run

        found = run(s.tracker.store, strict=strict, progress=s.progress("checking_files"))
    failed = any(f.severity == "error" or strict for f in found)
    if json_output:
        from svctrack.output import jsonout

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
        from svctrack.output import findings as render

        s.print(render.findings(found, s.lang, s.width))
    errors = sum(f.severity == "error" for f in found)
    warnings = len(found) - errors
    line = msg("found", errors=Plural(errors, "error"), warnings=Plural(warnings, "warning"))
    if failed:  # the last line a script sees on stderr is the `error:` one
        raise SvcError(line if errors else msg("found_strict", found=line))
    if not json_output:
        typer.echo(line.render(s.lang), err=True)


@app.command(rich_help_panel=HELP_PANEL_VIEWS)
def checklist(
    ctx: typer.Context,
    item: Annotated[
        str | None, typer.Argument(metavar="[ID]", help="One item; without it, all open items.")
    ] = None,
    *,
    json_output: JsonOpt = False,
) -> None:
    """Gate items and principles, ticked or open; without ID, open items × principles.

    Example: svctrack checklist acme-audit
    """
    s = state(ctx)
    tracker = s.tracker
    if item is not None:
        found = tracker.get(item)
        pipeline = tracker.pipelines[found.kind]
        figures = tracker.figures(found)
        if json_output:
            from svctrack.output import jsonout

            jsonout.emit(jsonout.checklist(found, pipeline, figures))
        else:
            from svctrack.output import checklists as render

            s.print(render.checklist(found, pipeline, s.lang, heading=True, figures=figures))
        return
    loaded = tracker.briefs()
    rows = loaded.items
    if json_output:
        from svctrack.output import jsonout

        jsonout.emit(jsonout.principle_matrix(rows, tracker.pipelines))
    elif rows:
        from svctrack.output import checklists as render

        for kind in ("engagement", "service"):
            of_kind = [i for i in rows if i.kind == kind]
            if of_kind:
                s.print(render.principle_matrix(of_kind, tracker.pipelines[kind], s.lang))
    else:
        from svctrack.output.i18n import word

        typer.echo(word("nothing_open", s.lang), err=True)
    finish(loaded.broken)
