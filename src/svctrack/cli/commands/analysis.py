"""Analysis commands: report, timeline."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Annotated

import typer

from svctrack.cli.context import state
from svctrack.cli.options import (
    HELP_PANEL_ANALYSIS,
    JsonOpt,
    MineOpt,
    OwnerOpt,
    finish,
    owner_wanted,
)
from svctrack.errors import UsageError
from svctrack.messages import msg

app = typer.Typer()


if TYPE_CHECKING:
    from svctrack.domain.analysis import Closed
    from svctrack.domain.model import Item


def _date(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    from svctrack.domain.dates import parse_date

    try:
        return parse_date(value)
    except UsageError as exc:
        raise UsageError(msg("of_item", id=option, message=exc.message)) from None


@app.command(rich_help_panel=HELP_PANEL_ANALYSIS)
def report(
    ctx: typer.Context,
    *,
    since: Annotated[
        str | None,
        typer.Option(
            "--since",
            metavar="DATE",
            help="Engagements closed on or after DATE.",
            show_default=False,
        ),
    ] = None,
    until: Annotated[
        str | None,
        typer.Option(
            "--until", metavar="DATE", help="... and on or before DATE.", show_default=False
        ),
    ] = None,
    service: Annotated[
        str | None,
        typer.Option("--service", "-s", metavar="ID", help="Only this service's engagements."),
    ] = None,
    by: Annotated[
        str,
        typer.Option("--by", metavar="service|owner", help="Key figures per service or per owner."),
    ] = "service",
    json_output: JsonOpt = False,
) -> None:
    """The monitoring stage as numbers: deadlines met, rework, time in each stage,
    satisfaction, principles, revenue and hours, and the weak spots they show.

    Counts the engagements closed in the period, overall and per service; with --by owner,
    per consultant: closed engagements, on-time rate, hours and satisfaction.

    Example: svctrack report --since 2026-01-01 --until 2026-06-30 --by owner
    """
    if by not in ("service", "owner"):
        raise UsageError(msg("bad_by", value=repr(by)))
    from svctrack.domain import dates
    from svctrack.domain.analysis import Period, close_facts
    from svctrack.domain.analysis import report as build

    s = state(ctx)
    tracker = s.tracker
    period = Period(_date(since, "--since"), _date(until, "--until"))
    if period.since and period.until and period.since > period.until:
        raise UsageError(msg("since_after_until", since=period.since, until=period.until))
    service_id = tracker.resolve(service, "service", needs="--service")[1] if service else None
    pipeline = tracker.pipelines["engagement"]
    services, broken = tracker.summaries(["service"])
    names = {s.id: s.name or s.id for s in services}

    def facts(item: Item) -> Closed | None:
        return close_facts(item, pipeline, tracker.currency)

    closed, more = tracker.each(["engagement"], facts)  # one item at a time: memory stays flat
    result = build(
        filter(None, closed),
        pipeline,
        dates.today(),
        period=period,
        service=service_id,
        service_names=names,
        by=by,
    )
    if json_output:
        from svctrack.output import jsonout
        from svctrack.output.analysis_json import report_document

        jsonout.emit(report_document(result, pipeline, names))
    else:
        from svctrack.output import analysis_views as render_analysis

        heading = str(tracker.config.get("name", ""))
        s.print(
            render_analysis.report(
                result, pipeline, s.lang, s.width, heading=heading, service_names=names
            )
        )
    finish(sorted(broken + more, key=lambda problem: problem.path))


@app.command(rich_help_panel=HELP_PANEL_ANALYSIS)
def timeline(
    ctx: typer.Context,
    *,
    start: Annotated[
        str | None,
        typer.Option(
            "--from",
            metavar="DATE",
            help="First day shown (default: the Monday two weeks before today's).",
            show_default=False,
        ),
    ] = None,
    weeks: Annotated[
        int, typer.Option("--weeks", "-w", min=1, max=520, help="How many weeks to show.")
    ] = 12,
    owner: OwnerOpt = None,
    mine: MineOpt = False,
    json_output: JsonOpt = False,
) -> None:
    """A Gantt chart of the open engagements: start to due, the stage, today, the overdue.

    Example: svctrack timeline --from 2026-11-01 --weeks 8 --mine
    """
    from svctrack.domain import dates
    from svctrack.domain.analysis import timeline as build
    from svctrack.domain.queries import owned_by

    s = state(ctx)
    tracker = s.tracker
    who = owner_wanted(owner, mine)
    loaded = tracker.load(["engagement"], only_open=True)
    items = [i for i in loaded.items if who is None or owned_by(i.owner, who)]
    pipeline = tracker.pipelines["engagement"]
    chart = build(items, pipeline, dates.today(), start=_date(start, "--from"), weeks=weeks)
    if json_output:
        from svctrack.output import jsonout
        from svctrack.output.analysis_json import timeline_document

        jsonout.emit(timeline_document(chart))
    else:
        from svctrack.output import analysis_views as render_analysis

        s.print(render_analysis.timeline(chart, pipeline, s.lang, s.width))
    finish(loaded.broken)
