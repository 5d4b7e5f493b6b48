"""Analysis commands: report, timeline."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, Annotated, Any

import typer

from svctrack.cli.context import state
from svctrack.cli.options import (
    HELP_PANEL_ANALYSIS,
    JsonOpt,
    MineOpt,
    ModeOpt,
    OutputOpt,
    OwnerOpt,
    finish,
    mode_wanted,
    owner_wanted,
    say,
    write_output,
)
from svctrack.errors import UsageError
from svctrack.messages import Either, msg

app = typer.Typer()


if TYPE_CHECKING:
    from svctrack.cli.context import State
    from svctrack.domain.analysis import Period, TimeFacts
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
            help="Engagements closed (with --hours: hours logged) on or after DATE.",
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
        str | None,
        typer.Option(
            "--by",
            metavar="service|owner|client",
            help="Key figures per service (the default) or per owner; with --hours, hours per"
            " owner (the default: who logged them), service or client.",
            show_default=False,
        ),
    ] = None,
    hours: Annotated[
        bool,
        typer.Option(
            "--hours",
            help="Hours logged in the period (by the date of each log), and the budget burn of"
            " the open engagements.",
        ),
    ] = False,
    output: OutputOpt = None,
    json_output: JsonOpt = False,
) -> None:
    """The monitoring stage as numbers: deadlines met, rework, time in each stage,
    satisfaction, principles, revenue and hours, online against offline, and the weak spots
    they show, each with a recommendation.

    Counts the engagements closed in the period, overall and per service; with --by owner,
    per consultant: closed engagements, on-time rate, hours and satisfaction.

    -o FILE saves the report (text, or JSON with --json). A saved report that covers a
    service's last delivery is recorded in the service's file ([[reports]]) and ticks its
    monitoring gate `recommendations-made`.

    --hours: the hours logged in the period, per person, service or client, with the budget
    burn of every open engagement that has a budget, the over-budget ones named.

    Example: svctrack report --since 2026-01-01 --until 2026-06-30 --by owner
    """
    choices = ("owner", "service", "client") if hours else ("service", "owner")
    if by is not None and by not in choices:
        raise UsageError(
            msg(
                "bad_by",
                choices=Either(" or ".join(choices), " или ".join(choices)),
                value=repr(by),
            )
        )
    from svctrack.domain.analysis import Period

    s = state(ctx)
    tracker = s.tracker
    period = Period(_date(since, "--since"), _date(until, "--until"))
    if period.since and period.until and period.since > period.until:
        raise UsageError(msg("since_after_until", since=period.since, until=period.until))
    service_id = tracker.resolve(service, "service", needs="--service")[1] if service else None
    if hours:
        _hours_report(s, period, by or "owner", service_id, output, json_output)
        return
    from svctrack.domain.analysis import covered

    pipeline = tracker.pipelines["engagement"]
    services, broken = tracker.summaries(["service"])
    names = {s.id: s.name or s.id for s in services}
    result, last, more = tracker.report(period, service_id, names, by or "service")

    def document() -> Any:
        from svctrack.output.analysis_json import report_document

        return report_document(result, pipeline, names)

    def shown() -> Any:
        from svctrack.output.analysis_views import report as render  # rich: not for --json

        heading = str(tracker.config.get("name", ""))
        return render(result, pipeline, s.lang, s.width, heading=heading, service_names=names)

    written = _deliver(s, output, json_output, document, shown)
    problems: list[Any] = sorted(broken + more, key=lambda problem: problem.path)
    from pathlib import Path

    path = Path(output).expanduser() if written is not None and output else None
    saved = path is not None and path.is_file()  # not stdout, a FIFO, /dev/null
    ids = covered(result, last) if saved else []
    if path is not None and ids:
        from svctrack.errors import Refused

        ticked, refused = tracker.record_report(ids, path.name)  # `written` is for people
        for item_id in ticked:
            say(msg("gate_ticked", id=item_id, gate="recommendations-made"))
        recorded = [i for i in ids if i not in dict(refused)]
        if recorded:
            s.changed(f"report saved for {', '.join(recorded)}")
        problems += [Refused(msg("report_not_recorded", id=i, why=why)) for i, why in refused]
    finish(problems)


def _deliver(
    s: State,
    output: str | None,
    json_output: bool,
    document: Callable[[], Any],
    shown: Callable[[], Any],
) -> str | None:
    """Print a report (its JSON `document`, or the renderable `shown`), or write it to
    `-o FILE` as JSON or plain text; returns the path written (None: stdout)."""
    if json_output:
        from svctrack.output import jsonout

        if output is None:
            jsonout.emit(document())
            return None
        text = jsonout.dumps(document())
    else:
        if output is None:
            s.print(shown())
            return None
        from svctrack.output.analysis_views import as_text

        text = as_text(shown())
    written = write_output(text, output, s.tracker.root)
    if written is not None:
        say(msg("wrote", what="", path=written))
    return written


def _hours_report(
    s: State,
    period: Period,
    by: str,
    service_id: str | None,
    output: str | None,
    json_output: bool,
) -> None:
    """`report --hours`: the hours logged in `period`, grouped `by`, and the budget burn."""
    from svctrack.domain import dates
    from svctrack.domain.analysis import hours, time_facts

    tracker = s.tracker
    pipeline = tracker.pipelines["engagement"]

    def facts(item: Item) -> TimeFacts:
        return time_facts(item, pipeline, tracker.currency)

    found, broken = tracker.each(["engagement", "service"], facts)
    result = hours(found, dates.today(), period=period, by=by, service=service_id)

    def document() -> Any:
        from svctrack.output.analysis_json import hours_document

        return hours_document(result)

    def shown() -> Any:
        from svctrack.output.analysis_views import hours_report  # rich: not for --json

        return hours_report(result, s.lang, heading=str(tracker.config.get("name", "")))

    _deliver(s, output, json_output, document, shown)
    finish(broken)


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
    mode: ModeOpt = None,
    json_output: JsonOpt = False,
) -> None:
    """A Gantt chart of the open engagements: start to due, the stage, today, the overdue.

    Example: svctrack timeline --from 2026-11-01 --weeks 8 --mine
    """
    from svctrack.domain import dates
    from svctrack.domain.analysis import timeline as build
    from svctrack.domain.queries import in_mode, owned_by

    s = state(ctx)
    tracker = s.tracker
    who = owner_wanted(owner, mine)
    how = mode_wanted(mode)
    loaded = tracker.load(["engagement"], only_open=True)
    items = [
        i for i in loaded.items if (who is None or owned_by(i.owner, who)) and in_mode(i.mode, how)
    ]
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
