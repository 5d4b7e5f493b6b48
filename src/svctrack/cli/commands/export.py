"""The `export` group: a client report, a calendar, a spreadsheet, a static site."""

from __future__ import annotations

from typing import Annotated

import typer

from svctrack.cli.context import state
from svctrack.cli.options import (
    HELP_PANEL_INTEGRATION,
    IdArg,
    KindOpt,
    OutputOpt,
    finish,
    group,
    kind_of,
    say,
    write_output,
)
from svctrack.errors import SvcError, UsageError
from svctrack.messages import Plural, msg

export = group(
    "export", HELP_PANEL_INTEGRATION, "Write reports, calendars, CSV files and a static site."
)


def _wrote(ctx: typer.Context, path: str | None, what: str = "") -> None:
    if path is not None:
        state(ctx).say(msg("wrote", what=what, path=path), err=True)


@export.command("report")
def export_report(
    ctx: typer.Context,
    item: IdArg,
    *,
    form: Annotated[
        str, typer.Option("--format", "-f", metavar="md|html", help="Markdown or HTML.")
    ] = "md",
    output: OutputOpt = None,
    internal: Annotated[
        bool,
        typer.Option("--internal", help="Add hours, budget, rates and internal notes."),
    ] = False,
) -> None:
    """A report on one engagement to send to its client: stage and progress, dates, what
    happened, next steps. Hours, budget, rates and notes stay out unless --internal.

    Example: svctrack export report acme-audit --format html -o acme.html
    """
    from svctrack.domain import dates
    from svctrack.output.client_report import FORMATS, build

    if form not in FORMATS:
        raise UsageError(msg("bad_format", formats=", ".join(FORMATS), value=repr(form)))
    s = state(ctx)
    tracker = s.tracker
    found = tracker.get(item, "engagement", needs="export report")
    offering = None
    if found.service:
        try:
            offering = tracker.get(found.service, "service")
        except SvcError:  # a missing or broken service file: the report names it by id
            offering = None
    document = build(
        found,
        tracker.pipelines["engagement"],
        dates.today(),
        s.export_lang,
        form=form,
        internal=internal,
        service=offering,
        firm=str(tracker.config.get("name", "")),
        default_currency=tracker.currency,
    )
    _wrote(ctx, write_output(document, output, tracker.root))


@export.command("ics")
def export_ics(ctx: typer.Context, *, output: OutputOpt = None) -> None:
    """Every deadline of open items as all-day calendar events (iCalendar, RFC 5545).

    UIDs are stable: importing the file again updates the events instead of duplicating them.

    Example: svctrack export ics -o deadlines.ics
    """
    from svctrack.domain import dates
    from svctrack.output.ics import calendar

    s = state(ctx)
    tracker = s.tracker
    loaded = tracker.load(only_open=True)
    content = calendar(
        loaded.items,
        tracker.pipelines,
        dates.today(),
        s.export_lang,
        workspace=str(tracker.config.get("name", "")) or tracker.root.name,
        stamp=dates.now(),
    )
    _wrote(ctx, write_output(content, output, tracker.root))
    finish(loaded.broken)


# --- CSV ------------------------------------------------------------------------------------


@export.command("csv")
def export_csv(
    ctx: typer.Context,
    *,
    kind: KindOpt = "engagements",
    output: OutputOpt = None,
    delimiter: Annotated[
        str, typer.Option(help="',' or ';' (Excel in Russian and German locales) or 'tab'.")
    ] = ",",
    bom: Annotated[
        bool | None,
        typer.Option(
            "--bom/--no-bom",
            help="Start with a UTF-8 BOM so Excel reads Cyrillic"
            " (default: on for -o FILE, off for stdout).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """One row per item with the summary fields, with a header: for spreadsheets.

    `svctrack import csv` reads the file back.

    Example: svctrack export csv --kind engagements -o engagements.csv
    """
    from svctrack.domain import dates
    from svctrack.output import csvfile
    from svctrack.storage import outfile

    which = kind_of(kind)
    sep = {"tab": "\t", "\\t": "\t"}.get(delimiter, delimiter)
    if sep not in (",", ";", "\t"):
        raise UsageError(msg("bad_delimiter"))
    tracker = state(ctx).tracker
    loaded = tracker.load([which])
    rows = csvfile.export(loaded.items, tracker.pipelines, dates.today(), which)
    to_file = not outfile.to_stdout(output)
    text = csvfile.dumps(rows, delimiter=sep, bom=bom if bom is not None else to_file)
    _wrote(
        ctx,
        write_output(text, output, tracker.root),
        msg("rows_to", count=Plural(len(rows) - 1, which)),
    )
    finish(loaded.broken)


# --- a static site ----------------------------------------------------------------------------


@export.command("site")
def export_site(
    ctx: typer.Context,
    *,
    output: Annotated[
        str,
        typer.Option(
            "--output",
            "-o",
            metavar="DIR",
            help="The folder to write (created if missing; a file is refused).",
            show_default=False,
        ),
    ],
    internal: Annotated[
        bool,
        typer.Option("--internal", help="Add prices, contracts, hours, budgets and rates."),
    ] = False,
) -> None:
    """A static HTML dashboard of the workspace: index.html with the status, the board, the
    timeline and the report's charts, and a page per service and engagement in items/.

    Self-contained: no script, nothing loaded from anywhere, it opens from the folder and
    prints. Run it again to bring the folder up to date: only changed pages are written, and
    the pages of items that no longer exist are removed.

    Example: svctrack export site -o site && open site/index.html
    """
    from svctrack.usecases.site import export_site as build

    s = state(ctx)
    bar = s.progress("pages")
    result = build(s.tracker, output, lang=s.export_lang, internal=internal, progress=bar)
    removed = msg("n_removed", n=len(result.removed)) if result.removed else ""
    changed = msg("files_changed", files=Plural(result.written, "file"))
    index = result.folder / "index.html"
    pages = Plural(result.items, "item page")
    say(msg("wrote_site", index=index, pages=pages, changed=changed, removed=removed))
    finish(result.broken)
