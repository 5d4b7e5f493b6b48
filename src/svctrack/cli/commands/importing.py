"""The `import` group: bring existing records in."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from svctrack.cli.context import state
from svctrack.cli.options import (
    HELP_PANEL_INTEGRATION,
    KindOpt,
    group,
    kind_of,
    say,
)
from svctrack.errors import Refused
from svctrack.messages import Plural, msg
from svctrack.output.text import inert

import_ = group("import", HELP_PANEL_INTEGRATION, "Bring existing records in.")


@import_.command("csv")
def import_csv(
    ctx: typer.Context,
    file: Annotated[
        Path, typer.Argument(metavar="FILE", help="The CSV file (a header row first).")
    ],
    *,
    kind: KindOpt = "engagements",
    dry_run: Annotated[
        bool, typer.Option("--dry-run", "-n", help="Show what would be created; write nothing.")
    ] = False,
    encoding: Annotated[str, typer.Option(help="The file's encoding (cp1251 for old Excel).")] = (
        "utf-8"
    ),
    skip_existing: Annotated[
        bool,
        typer.Option(
            "--skip-existing",
            help="Pass over rows for items the workspace has (same id; a service of the same"
            " name; an engagement of the same service, client and due).",
        ),
    ] = False,
) -> None:
    """Create items from a spreadsheet: columns mapped by header, every row checked first.

    Any invalid row stops the import before anything is written; each one is listed with its
    line. Headers: svctrack's field names (as `export csv` writes them) or common ones
    (Client/Клиент, Due/Срок, Price/Цена ...). Dates: YYYY-MM-DD or DD.MM.YYYY.

    Example: svctrack import csv clients.csv --kind engagements --dry-run
    """
    from svctrack.domain.pipeline import state_word
    from svctrack.output.i18n import count, day
    from svctrack.storage.atomic import io_error
    from svctrack.usecases import csv_import as csvio

    which = kind_of(kind)
    s = state(ctx)
    tracker = s.tracker
    try:
        raw = file.read_bytes()
    except FileNotFoundError:
        raise Refused(msg("no_such_file", path=file)) from None
    except OSError as exc:
        raise io_error(exc, str(file)) from None
    plan = csvio.plan(
        tracker, which, raw, str(file), encoding=encoding, skip_existing=skip_existing
    )
    for line, item_id in plan.skipped:
        say(msg("import_skipped", place=f"{file}:{line}", id=item_id))
    if plan.ignored:
        say(msg("import_ignored", file=file, columns=", ".join(plan.ignored)))
    if plan.problems:
        for line, message in plan.problems:
            say(msg("at_place", place=f"{file}:{line}", message=message))
        bad = len({line for line, _ in plan.problems})
        raise Refused(
            msg(
                "row_invalid" if bad == 1 else "rows_invalid",
                bad=bad,
                rows=Plural(plan.rows, "row"),
            ),
            hint=msg("rows_invalid_hint"),
        )
    if not plan.items:
        say(msg("import_no_rows", file=file))
        return
    verb = msg("would_create") if dry_run else msg("created_verb")
    if not dry_run:
        csvio.apply(tracker, plan, progress=s.progress("importing"))
    for entry in plan.items:
        f = entry.fields
        stage = state_word(tracker.pipelines[which], entry.stage)
        due = day(f["due"], s.lang) if which == "engagement" else ""
        detail = msg("client_due", client=f["client"], due=due) if due else f["name"]
        shown = msg(
            "import_row",
            verb=verb,
            kind=msg(f"kind_{which}"),
            id=entry.item_id,
            stage=stage,
            detail=detail,
            line=entry.line,
        )
        typer.echo(inert(shown.render(s.lang)))
    if dry_run:
        say(msg("dry_run", count=Plural(len(plan.items), which)))
    else:
        s.changed(f"import {count(len(plan.items), which, 'en')} from {file.name}")
