"""The dashboard (`status`) and the lists of services and engagements, fitted to the width."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import date

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from svctrack.domain.pipeline import Pipeline
from svctrack.domain.queries import Coverage, Dashboard, Summary
from svctrack.output.cells import DIM, DONE, OVERDUE, days_text, next_cell, stage_track, text
from svctrack.output.i18n import counts_line, day, word
from svctrack.output.tables import Column, Step, column, fitted_table, free, whole

ENGAGEMENT_ROWS = 20  # the dashboard stays one screen: at most this many engagements ...
SERVICE_ROWS = 8  # ... and this many services; the rest are counted and pointed to


def _stage_cell(s: Summary, pipeline: Pipeline, lang: str) -> Text:
    cell = stage_track(pipeline, s.stage, s.progress)
    cell.append(" ")
    cell.append_text(text(pipeline.state_label(s.stage, lang), "" if s.is_open else DIM))
    return cell


def _coverage_cell(c: Coverage) -> Text:
    if not c.total:
        return Text("—", style=DIM)
    cell = Text(f"{c.honoured}/{c.total}", style=DONE if c.honoured == c.total else "")
    if c.not_honoured:
        cell.append(f" ✗{c.not_honoured}", style=OVERDUE)
    return cell


def _stage_column(pipeline: Pipeline, lang: str) -> Column:
    track = len(pipeline.stages)
    return column(
        "stage",
        word("stage", lang),
        (lambda s: stage_track(pipeline, s.stage, s.progress), track),
        (lambda s: _stage_cell(s, pipeline, lang), track + 15),
        overflow="fold",
    )


ENGAGEMENT_STEPS: list[Step] = [  # the due date stays at 80 columns, even beside long ids
    ("id", 0),
    ("days", 0),
    ("due", 0),
    ("client", 0),
    ("stage", 0),
    ("stage", 1),
    ("days", 1),
    ("service", 0),
]


def _engagement_columns(pipeline: Pipeline, today: date, lang: str) -> list[Column]:
    def days_only(s: Summary) -> Text:
        if not s.is_open or s.next_deadline is None:
            return Text("—", style=DIM)
        return days_text((s.next_deadline - today).days, lang, overdue=s.overdue)

    return [
        column("id", word("id", lang), (lambda s: text(s.id), 20), **whole()),
        column("client", word("client", lang), (lambda s: text(s.client), 14), **free()),
        column("service", word("service", lang), (lambda s: text(s.service), 14), **whole()),
        _stage_column(pipeline, lang),
        column("due", word("due", lang), (lambda s: Text(day(s.due, lang)), 10), no_wrap=True),
        column(
            "days",
            word("days_left", lang),
            (days_only, 12),
            (lambda s: next_cell(s, pipeline, today, lang), 18),
            overflow="fold",
        ),
    ]


SERVICE_STEPS: list[Step] = [
    ("id", 0),
    ("next", 0),
    ("stage", 0),
    ("principles", 0),
    ("stage", 1),
    ("next", 1),
    ("engagements", 0),
    ("progress", 0),
    ("name", 0),
]


def _service_columns(
    pipeline: Pipeline, today: date, lang: str, counts: dict[str, int] | None
) -> list[Column]:
    def days_only(s: Summary) -> Text:
        if not s.is_open or s.next_deadline is None:
            return Text("—", style=DIM)
        return days_text((s.next_deadline - today).days, lang, overdue=s.overdue)

    def with_date(s: Summary) -> Text:
        if not s.is_open or s.next_deadline is None:
            return Text("—", style=DIM)
        cell = Text(day(s.next_deadline, lang) + " ", style=OVERDUE if s.overdue else "")
        return cell + days_only(s)

    columns = [
        column("id", word("id", lang), (lambda s: text(s.id), 20), **whole()),
        column("name", word("name", lang), (lambda s: text(s.name), 16), **free()),
        _stage_column(pipeline, lang),
        column(
            "progress",
            word("progress", lang),
            (lambda s: Text(f"{round(s.progress * 100)}%"), 4),
            justify="right",
            no_wrap=True,
        ),
        column(
            "next",
            word("next_deadline", lang),
            (days_only, 12),
            (with_date, 22),
            overflow="fold",
        ),
    ]
    if counts is not None:
        columns.append(
            column(
                "engagements",
                word("engagement_count", lang),
                (lambda s: Text(str(counts.get(s.id, 0))), 3),
                justify="right",
                no_wrap=True,
            )
        )
    columns.append(
        column(
            "principles",
            word("coverage", lang),
            (lambda s: _coverage_cell(s.coverage), 8),
            no_wrap=True,
        )
    )
    return columns


def _row_style(s: Summary) -> str:
    return "" if s.is_open else DIM


def summaries_table(
    rows: Sequence[Summary],
    pipelines: dict[str, Pipeline],
    lang: str,
    width: int,
    *,
    title: str | None = None,
    caption: str | None = None,
    extra: dict[str, int] | None = None,
    today: date | None = None,
) -> Table:
    """Services or engagements, one row each; narrow terminals drop the less important columns.

    `extra` (services only) maps a service to its open engagements.
    """
    from svctrack.domain import dates

    kind = rows[0].kind if rows else "engagement"
    pipeline = pipelines[kind]
    when = today or dates.today()
    if kind == "engagement":
        columns, steps = _engagement_columns(pipeline, when, lang), ENGAGEMENT_STEPS
    else:
        columns, steps = _service_columns(pipeline, when, lang, extra), SERVICE_STEPS
    return fitted_table(
        rows, columns, steps, width, title=title, caption=caption, styles=_row_style
    )


def stage_counts(rows: Sequence[Summary], pipeline: Pipeline, lang: str) -> Text:
    """`By stage: Preparation 3 · Execution 1 · ...` (the stages nobody is at are dimmed)."""
    counts = Counter(s.stage for s in rows)
    line = Text(word("by_stage", lang) + ": ", style=DIM)
    states = [s.id for s in pipeline.stages] + [e for e in pipeline.ends if counts.get(e)]
    others = sorted(set(counts) - set(states))  # hand-set stages svctrack does not know
    for n, state in enumerate(states + others):
        if n:
            line.append(" · ", style=DIM)
        count = counts.get(state, 0)
        line.append_text(text(pipeline.state_label(state, lang) + " ", "" if count else DIM))
        line.append(str(count), style="bold" if count else DIM)
    return line


def status(
    board: Dashboard,
    pipelines: dict[str, Pipeline],
    lang: str,
    width: int,
    *,
    heading: str = "",
    show_all: bool = False,
    engagement_rows: int = ENGAGEMENT_ROWS,
    service_rows: int = SERVICE_ROWS,
) -> Group:
    """The dashboard: engagements, then services, each capped to stay on one screen."""
    parts: list[RenderableType] = []
    top = text(heading, "bold") if heading else Text()
    if heading:
        top.append(" · ", style=DIM)
    top.append(f"{word('today', lang)} {day(board.today, lang)}", style=DIM)
    parts.append(top)
    if not board.rows:
        parts.append(Text(word("nothing_open", lang)))
        return Group(*parts)
    flag = " --all" if show_all else ""
    for kind, rows, cap in (
        ("engagement", board.engagements, engagement_rows),
        ("service", board.services, service_rows),
    ):
        if not rows:
            continue
        pipeline = pipelines[kind]
        label = word("engagements" if kind == "engagement" else "services", lang)
        shown = rows[:cap]
        if kind == "engagement":
            columns, steps = _engagement_columns(pipeline, board.today, lang), ENGAGEMENT_STEPS
        else:
            columns = _service_columns(pipeline, board.today, lang, board.open_engagements)
            steps = SERVICE_STEPS
        title = f"{label} ({len(rows)})"
        parts.append(Text())
        parts.append(fitted_table(shown, columns, steps, width, title=title, styles=_row_style))
        if len(rows) > cap:
            more = word("more", lang).format(n=len(rows) - cap, command=f"svctrack {kind} list")
            parts.append(Text(more + flag, style=DIM))
        parts.append(stage_counts(rows, pipeline, lang))
    line = counts_line(
        board.open("engagement"), board.open("service"), board.overdue, board.due_soon, lang
    )
    parts.append(Text())
    parts.append(Text(line, style=OVERDUE if board.overdue else "bold"))
    return Group(*parts)
