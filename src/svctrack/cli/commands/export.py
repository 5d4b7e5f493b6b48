"""The `export` group: a client report, a calendar, a spreadsheet."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from svctrack.cli.context import state
from svctrack.cli.options import (
    HELP_PANEL_INTEGRATION,
    IdArg,
    finish,
    group,
)
from svctrack.errors import SvcError, UsageError

export = group("export", HELP_PANEL_INTEGRATION, "Write reports, calendars and CSV files.")
KINDS = {"engagements": "engagement", "services": "service"}


def _err(line: str) -> None:
    typer.echo(line, err=True)


def _write(content: str, output: str | None, newline: bool = True) -> None:
    """To stdout, or atomically to a file (`-o -` is stdout too)."""
    if output in (None, "-"):  # bytes: CRLF and UTF-8 whatever the locale
        typer.echo(content.encode("utf-8") + (b"\n" if newline else b""), nl=False)
        return
    from svctrack.storage.atomic import write_atomic

    path = Path(output).expanduser()
    if path.is_dir():
        raise UsageError(f"-o {output}: is a folder; give a file name")
    if not path.parent.is_dir():
        raise UsageError(f"-o {output}: the folder {path.parent} does not exist")
    write_atomic(path, content.encode("utf-8"))
    typer.echo(f"wrote {path}", err=True)


OutputOpt = Annotated[
    str | None,
    typer.Option("--output", "-o", metavar="FILE", help="Write to FILE (atomically), not stdout."),
]


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
        raise UsageError(f"--format must be one of {', '.join(FORMATS)}, not {form!r}")
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
        s.lang,
        form=form,
        internal=internal,
        service=offering,
        firm=str(tracker.config.get("name", "")),
        default_currency=tracker.currency,
    )
    _write(document, output, newline=False)


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
        s.lang,
        workspace=str(tracker.config.get("name", "")) or tracker.root.name,
        stamp=dates.now(),
    )
    _write(content, output, newline=False)
    finish(loaded.broken)


# --- CSV ------------------------------------------------------------------------------------

KindOpt = Annotated[
    str, typer.Option("--kind", "-k", help="engagements or services.", show_default=True)
]


def _kind(value: str) -> str:
    kind = KINDS.get(value) or (value if value in KINDS.values() else None)
    if kind is None:
        raise UsageError(f"--kind must be engagements or services, not {value!r}")
    return kind


@export.command("csv")
def export_csv(
    ctx: typer.Context,
    *,
    kind: KindOpt = "engagements",
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Write to FILE (default: stdout).", show_default=False),
    ] = None,
    delimiter: Annotated[
        str, typer.Option(help="',' or ';' (Excel in Russian and German locales) or 'tab'.")
    ] = ",",
    bom: Annotated[
        bool | None,
        typer.Option(
            "--bom/--no-bom",
            help="Start with a UTF-8 BOM so Excel reads Cyrillic (default: on for -o FILE).",
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

    which = _kind(kind)
    sep = {"tab": "\t", "\\t": "\t"}.get(delimiter, delimiter)
    if sep not in (",", ";", "\t"):
        raise UsageError("--delimiter must be ',', ';' or 'tab'")
    tracker = state(ctx).tracker
    loaded = tracker.load([which])
    rows = csvfile.export(loaded.items, tracker.pipelines, dates.today(), which)
    text = csvfile.dumps(rows, delimiter=sep, bom=bom if bom is not None else output is not None)
    if output is None:
        sys.stdout.write(text)
        sys.stdout.flush()
    else:
        from svctrack.storage.atomic import io_error, write_atomic

        try:
            write_atomic(output.expanduser().resolve(), text.encode("utf-8"))
        except OSError as exc:
            raise io_error(exc, str(output)) from None
        _err(f"wrote {len(rows) - 1} {kind} to {output}")
    finish(loaded.broken)
