"""Read-only questions over items: summaries, dated obligations, checklists. Pure functions.

No `from __future__ import annotations` here: typing would make a ForwardRef of each field of
the named tuples below, compiling every annotation string at import (30 compiles on every run),
where evaluated annotations cost nothing. Annotations name only what is defined above them."""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, NamedTuple

from svctrack.domain.model import Item, Tick
from svctrack.domain.pipeline import GROUPS, Pipeline, Stage, Term


@dataclass(frozen=True)
class Obligation:
    """One dated obligation of an open item: its due date or a stage deadline."""

    id: str
    kind: str
    what: str  # "due" or a stage id
    date: date
    days_left: int
    overdue: bool


class Coverage(NamedTuple):
    """How many of an item's principles are honoured, not honoured, not assessed."""

    honoured: int
    not_honoured: int
    not_assessed: int

    @property
    def total(self) -> int:
        return self.honoured + self.not_honoured + self.not_assessed


class Row(NamedTuple):
    """An item's summary less what depends on today: what the read cache keeps of every item."""

    name: str
    stage: str
    progress: float
    next_deadline: date | None
    next_what: str  # "due" or the stage whose deadline is next_deadline
    is_open: bool
    service: str
    client: str
    due: date | None
    coverage: Coverage
    owner: str
    mode: str


class Summary(NamedTuple):
    """What the dashboard and the lists show of one item: its row, and how it stands today."""

    id: str
    kind: str
    name: str
    stage: str
    progress: float
    next_deadline: date | None
    next_what: str
    is_open: bool
    service: str
    client: str
    due: date | None
    coverage: Coverage
    owner: str
    overdue: bool
    days_left: int | None  # to the due date
    mode: str = ""


@dataclass(frozen=True)
class CheckRow:
    """A gate item or a principle with its mark; `figure`: what decides a gate that figures
    meet (`analysis.GateFigure`), else None."""

    term: Term
    tick: Tick
    figure: Any = None


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


def coverage(item: Item, pipeline: Pipeline) -> Coverage:
    marks = [getattr(item.principles.get(p.id), "ok", None) for p in pipeline.principles]
    return Coverage(marks.count(True), marks.count(False), marks.count(None))


def row(item: Item, pipeline: Pipeline) -> Row:
    """The summary fields that do not depend on today."""
    dated = obligations(item, pipeline, date.min)  # which dates are unmet does not depend on it
    return Row(
        item.name,
        item.stage,
        progress(item, pipeline),
        dated[0].date if dated else None,
        dated[0].what if dated else "",
        is_open(item, pipeline),
        item.service,
        item.client,
        item.due,
        coverage(item, pipeline),
        item.owner,
        item.mode,
    )


def summary(kind: str, item_id: str, fields: Row | tuple[Any, ...], today: date) -> Summary:
    """The summary of an item from its row (a Row, or the plain tuples the cache keeps)."""
    name, stage, progress, nearest, what, is_open, service, client, due, marks, owner, mode = fields
    return Summary(
        item_id,
        kind,
        name,
        stage,
        progress,
        nearest,
        what,
        is_open,
        service,
        client,
        due,
        Coverage(*marks),
        owner,
        nearest is not None and nearest < today,
        (due - today).days if due else None,
        mode,
    )


def summarize(item: Item, pipeline: Pipeline, today: date) -> Summary:
    return summary(item.kind, item.id, row(item, pipeline), today)


def gate_rows(
    item: Item, pipeline: Pipeline, figures: Mapping[str, Any] | None = None
) -> list[CheckRow]:
    """The current stage's gate items, ticked or open; a gate whose figure (in `figures`) is
    met is done, ticked by hand or not."""
    stage = pipeline.stage(item.stage)
    if stage is None:
        return []
    marks = item.gates.get(item.stage, {})
    rows = []
    for g in stage.gates:
        tick, figure = marks.get(g.id, Tick(False)), (figures or {}).get(g.id)
        if figure is not None and figure.met and not tick.ok:
            tick = Tick(True, tick.note)
        rows.append(CheckRow(g, tick, figure))
    return rows


def principle_rows(item: Item, pipeline: Pipeline) -> list[CheckRow]:
    """The kind's principles: honoured (True), not (False), not assessed (None)."""
    return [CheckRow(p, item.principles.get(p.id, Tick(None))) for p in pipeline.principles]


def principle_groups(rows: Sequence[CheckRow]) -> list[tuple[str, list[CheckRow]]]:
    """The principle rows by group (general, then delivery), groups without rows left out."""
    return [
        (group, found)
        for group in GROUPS
        if (found := [r for r in rows if getattr(r.term, "group", GROUPS[0]) == group])
    ]


def owned_by(owner: str, who: str) -> bool:
    """Whether an item whose owner is `owner` belongs to `who` (`--owner`, `--mine`): the same
    name, whatever the case and the spaces around it."""
    return " ".join(owner.split()).casefold() == " ".join(who.split()).casefold()


def in_mode(mode: str, wanted: str | None) -> bool:
    """Whether an item delivered in `mode` is one `--mode` asks for (None: any mode). The modes
    are the field's values (`fields.MODES`); an item without one is in none of them."""
    return wanted is None or mode == wanted


def sort_key(summary: Summary) -> tuple[Any, ...]:
    """Overdue first, then the soonest deadline, then id; closed and cancelled items last."""
    return (
        not summary.overdue,
        not summary.is_open,
        summary.next_deadline or date.max,
        summary.id,
    )


def due_within(summary: Summary, today: date, days: int) -> bool:
    """An open item, not overdue, whose next deadline falls within `days` days of today."""
    return bool(
        summary.is_open
        and not summary.overdue
        and summary.next_deadline
        and (summary.next_deadline - today).days <= days
    )


SOON_DAYS = 7


@dataclass(frozen=True)
class Dashboard:
    """What `status` shows: summaries of both kinds, sorted, and the counts of the summary line."""

    today: date
    services: list[Summary]
    engagements: list[Summary]
    open_engagements: dict[str, int]  # service id → its open engagements

    @property
    def rows(self) -> list[Summary]:
        return self.services + self.engagements

    def open(self, kind: str | None = None) -> int:
        return sum(s.is_open for s in self.rows if kind in (None, s.kind))

    @property
    def overdue(self) -> int:
        return sum(s.overdue for s in self.rows)

    @property
    def due_soon(self) -> int:
        return sum(due_within(s, self.today, SOON_DAYS) for s in self.rows)


def dashboard(summaries: Iterable[Summary], today: date, *, show_all: bool = False) -> Dashboard:
    """Open items (every item with `show_all`), overdue and soonest first."""
    summaries = list(summaries)
    counts: dict[str, int] = {}
    for s in summaries:
        if s.kind == "engagement" and s.is_open:
            counts[s.service] = counts.get(s.service, 0) + 1
    shown = sorted((s for s in summaries if show_all or s.is_open), key=sort_key)
    return Dashboard(
        today,
        [s for s in shown if s.kind == "service"],
        [s for s in shown if s.kind == "engagement"],
        {s.id: counts.get(s.id, 0) for s in shown if s.kind == "service"},
    )


def deadlines(
    items: Iterable[Item],
    pipelines: dict[str, Pipeline],
    today: date,
    *,
    within: int | None = None,
    overdue_only: bool = False,
) -> list[Obligation]:
    """Every dated obligation of open items, soonest first; `within` keeps the overdue too."""
    found = [
        o
        for i in items
        for o in obligations(i, pipelines[i.kind], today)
        if (within is None or o.days_left <= within) and (o.overdue or not overdue_only)
    ]
    return sorted(found, key=lambda o: (o.date, o.id, o.what != "due", o.what))


# --- the board ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Card:
    """One open item on the board: its summary, who owns it, how many of its stage's gate items
    are still open."""

    summary: Summary
    owner: str
    open_gates: int
    gates: int  # the current stage's gate items, open or done


def card(
    item: Item, pipeline: Pipeline, today: date, figures: Mapping[str, Any] | None = None
) -> Card:
    """An open item's card; `figures`: its gates that figures decide (see `gate_rows`)."""
    rows = gate_rows(item, pipeline, figures)
    return Card(
        summarize(item, pipeline, today), item.owner, sum(not r.tick.ok for r in rows), len(rows)
    )


@dataclass(frozen=True)
class Lane:
    """A column of the board: one stage and its cards, most urgent first."""

    stage: Stage
    cards: tuple[Card, ...]


@dataclass(frozen=True)
class Board:
    """Open items of one kind by stage, in the pipeline's order."""

    kind: str
    lanes: tuple[Lane, ...]
    elsewhere: tuple[Card, ...]  # open, at a stage the pipeline does not have (a hand edit)

    @property
    def cards(self) -> list[Card]:
        return [c for lane in self.lanes for c in lane.cards]


def board(cards: Iterable[Card], pipeline: Pipeline) -> Board:
    """The open items among `cards` in one lane per stage, each ordered as `status` orders
    (overdue first, then the soonest deadline); closed and cancelled items are not on it."""
    lanes: dict[str, list[Card]] = {s.id: [] for s in pipeline.stages}
    elsewhere: list[Card] = []
    for c in sorted(cards, key=lambda c: sort_key(c.summary)):
        if c.summary.is_open:
            lanes.get(c.summary.stage, elsewhere).append(c)
    return Board(
        pipeline.kind,
        tuple(Lane(s, tuple(lanes[s.id])) for s in pipeline.stages),
        tuple(elsewhere),
    )


def same_person(owner: str, name: str) -> bool:
    """Whether `owner` names `name`: case and surrounding spaces aside (`--owner anna`)."""
    return owner.strip().casefold() == name.strip().casefold() != ""


def principle_totals(items: Sequence[Item], pipeline: Pipeline) -> dict[str, Coverage]:
    """Per principle, across items: how many honour it, do not, are not assessed."""
    totals = {}
    for term in pipeline.principles:
        marks = [i.principles.get(term.id, Tick(None)).ok for i in items]
        totals[term.id] = Coverage(marks.count(True), marks.count(False), marks.count(None))
    return totals
