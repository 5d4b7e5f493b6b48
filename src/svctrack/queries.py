"""Read-only questions over items: summaries, dated obligations, checklists. Pure functions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from svctrack.model import Item, Tick
from svctrack.pipeline import Pipeline, Term


@dataclass(frozen=True)
class Obligation:
    """One dated obligation of an open item: its due date or a stage deadline."""

    id: str
    kind: str
    what: str  # "due" or a stage id
    date: date
    days_left: int
    overdue: bool


@dataclass(frozen=True)
class Summary:
    """What the dashboard and the lists show of one item."""

    id: str
    kind: str
    name: str
    stage: str
    progress: float
    next_deadline: date | None
    overdue: bool
    is_open: bool
    service: str = ""
    client: str = ""
    due: date | None = None
    days_left: int | None = None


@dataclass(frozen=True)
class CheckRow:
    """A gate item or a principle with its mark."""

    term: Term
    tick: Tick


def is_open(item: Item, pipeline: Pipeline) -> bool:
    return item.stage not in pipeline.ends


def progress(item: Item, pipeline: Pipeline) -> float:
    """Share of the pipeline's stages completed; a cancelled item keeps the share it reached."""
    if item.stage in pipeline.stage_ids or item.stage == pipeline.done:
        return pipeline.progress(item.stage)
    for entry in reversed(item.history):
        if entry.source in pipeline.stage_ids:
            return pipeline.progress(entry.source)
    return 0.0


def obligations(item: Item, pipeline: Pipeline, today: date) -> list[Obligation]:
    """The item's unmet dates: `due`, and deadlines of the current and later stages."""
    if not is_open(item, pipeline):
        return []
    dated: list[tuple[str, date]] = []
    if item.due:
        dated.append(("due", item.due))
    ids = pipeline.stage_ids
    reached = ids.index(item.stage) if item.stage in ids else 0
    for stage, when in item.deadlines.items():
        if stage in ids and ids.index(stage) >= reached:
            dated.append((stage, when))
    return sorted(
        (
            Obligation(item.id, item.kind, what, when, (when - today).days, when < today)
            for what, when in dated
        ),
        key=lambda o: (o.date, o.what != "due"),
    )


def summarize(item: Item, pipeline: Pipeline, today: date) -> Summary:
    dated = obligations(item, pipeline, today)
    next_deadline = dated[0].date if dated else None
    return Summary(
        id=item.id,
        kind=item.kind,
        name=item.name,
        stage=item.stage,
        progress=progress(item, pipeline),
        next_deadline=next_deadline,
        overdue=bool(next_deadline and next_deadline < today),
        is_open=is_open(item, pipeline),
        service=item.service,
        client=item.client,
        due=item.due,
        days_left=(item.due - today).days if item.due else None,
    )


def gate_rows(item: Item, pipeline: Pipeline) -> list[CheckRow]:
    """The current stage's gate items, ticked or open."""
    stage = pipeline.stage(item.stage)
    if stage is None:
        return []
    marks = item.gates.get(item.stage, {})
    return [CheckRow(g, marks.get(g.id, Tick(False))) for g in stage.gates]


def principle_rows(item: Item, pipeline: Pipeline) -> list[CheckRow]:
    """The kind's principles: honoured (True), not (False), not assessed (None)."""
    return [CheckRow(p, item.principles.get(p.id, Tick(None))) for p in pipeline.principles]


def sort_key(summary: Summary) -> tuple:
    """Overdue first, then the soonest deadline, then id."""
    return (
        not summary.overdue,
        summary.next_deadline or date.max,
        summary.id,
    )
