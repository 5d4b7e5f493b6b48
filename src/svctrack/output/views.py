"""Results as rich renderables for people. User text is always rich `Text`, never markup.

Nothing here prints: commands hand the renderables to the console. Tables are fitted to the
width they are given: columns shrink and wrap, and the least important ones are dropped first.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from rich import box
from rich.cells import cell_len
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from svctrack.domain.model import Item, Tick
from svctrack.domain.pipeline import Pipeline
from svctrack.domain.queries import (
    Board,
    Card,
    Coverage,
    Dashboard,
    Obligation,
    Summary,
    gate_rows,
    obligations,
    principle_groups,
    principle_rows,
    principle_totals,
    progress,
    summarize,
)
from svctrack.messages import say
from svctrack.output.figures import figure_words
from svctrack.output.i18n import (
    counts_line,
    day,
    days,
    days_overdue,
    history_note,
    initials,
    money,
    term,
    word,
)
from svctrack.output.tables import free, is_whole, whole
from svctrack.output.text import inert

OVERDUE = "bold red"
SOON = "yellow"
DONE = "green"
CURRENT = "bold cyan"
DIM = "dim"

COMFORTABLE = 24  # a column this wide reads well; wider ones get room only after the others
ENGAGEMENT_ROWS = 20  # the dashboard stays one screen: at most this many engagements ...
SERVICE_ROWS = 8  # ... and this many services; the rest are counted and pointed to

# --- user text ------------------------------------------------------------------------------


def text(value: object, style: str = "") -> Text:
    """User text, shown literally: `[bold]` in a client's name is not markup."""
    return Text(inert(str(value if value is not None else "")), style=style)


# --- small pieces ---------------------------------------------------------------------------


def stage_track(pipeline: Pipeline, state: str, reached: float | None = None) -> Text:
    """A small picture of the pipeline: ● done, ◉ current, ○ ahead; ✕ where a cancelled item
    stopped (`reached` is the share of stages it had completed)."""
    ids = pipeline.stage_ids
    if state == pipeline.done:
        return Text("●" * len(ids), style=DONE)
    if state in ids:
        at = ids.index(state)
        return (
            Text("●" * at, style=DONE)
            + Text("◉", style=CURRENT)
            + Text("○" * (len(ids) - at - 1), style=DIM)
        )
    if state in pipeline.ends and reached is not None:
        at = min(round(reached * len(ids)), len(ids) - 1)
        return Text("●" * at, style=DIM) + Text("✕", style=DIM) + Text("○" * (len(ids) - at - 1))
    return Text("?" * len(ids), style=DIM)


def days_text(days_left: int | None, lang: str, *, overdue: bool | None = None) -> Text:
    """`5d`, `today`, `6d overdue` (in red), or — when there is no date."""
    if days_left is None:
        return Text("—", style=DIM)
    late = days_left < 0 if overdue is None else overdue
    if late:
        return Text(days_overdue(-days_left, lang), style=OVERDUE)
    if days_left == 0:
        return Text(word("today", lang), style=f"bold {SOON}")
    return Text(days(days_left, lang), style=SOON if days_left <= 7 else "")


def mark(tick: Tick, *, gate: bool) -> Text:
    """✓ done or honoured; ✗ not honoured; ○ an open gate item; · not assessed."""
    if tick.ok:
        return Text("✓", style=DONE)
    if tick.ok is False and not gate:
        return Text("✗", style=OVERDUE)
    return Text("○" if gate else "·", style=DIM)


def _table(title: str | Text | None = None, *, caption: str | Text | None = None) -> Table:
    return Table(
        title=text(title) if isinstance(title, str) else title,
        caption=text(caption, DIM) if isinstance(caption, str) else caption,
        box=box.SIMPLE_HEAD,
        title_justify="left",
        caption_justify="left",
        title_style="bold",
        pad_edge=False,
        expand=False,
    )


def _moment(value: object, lang: str) -> Text:
    if isinstance(value, datetime):
        return Text(day(value.date(), lang) + value.strftime(" %H:%M"))
    return Text("—", style=DIM)


# --- fitting columns to the width ------------------------------------------------------------


@dataclass(frozen=True)
class Marker:
    """A row that is not data (where today falls): cells by column key, blank elsewhere."""

    cells: dict[str, RenderableType]


@dataclass(frozen=True)
class Column:
    """A column in one or more forms, narrowest first (a stage as `●◉○○`, or with its label).

    `caps` says, per form, how wide it needs to be to stay readable (less if its content is
    narrower); which forms are shown is decided by `fit` from the width at hand.
    """

    key: str
    header: str
    forms: tuple[Callable[[Any], RenderableType], ...]
    caps: tuple[int, ...]
    options: dict[str, Any] = field(default_factory=dict)


def column(
    key: str, header: str, *forms: tuple[Callable[[Any], Any], int], **options: Any
) -> Column:
    return Column(key, header, tuple(f for f, _ in forms), tuple(c for _, c in forms), options)


Step = tuple[str, int]  # (column key, form): show the column, or widen it to that form


def fit(least: Mapping[str, Sequence[int]], steps: Sequence[Step], width: int) -> dict[str, int]:
    """Which columns to show, in which form: each step, in order of importance, is taken if
    the table still fits in `width` (the first is always taken). Widening a column that is not
    shown, or naming one the table lacks, does nothing."""
    chosen: dict[str, int] = {}
    for key, form in steps:
        if key not in least or (form and key not in chosen):
            continue
        trial = {**chosen, key: form}
        needed = sum(least[k][f] for k, f in trial.items()) + 3 * len(trial) - 1
        if not chosen or needed <= width:
            chosen = trial
    return chosen


def _widest(cells: Iterable[RenderableType]) -> int:
    widest = 1
    for cell in cells:
        plain = cell.plain if isinstance(cell, Text) else str(cell)
        widest = max(widest, *(cell_len(line) for line in plain.splitlines() or [""]))
    return widest


def fitted_table(
    rows: Sequence[Any],
    columns: Sequence[Column],
    steps: Sequence[Step],
    width: int,
    *,
    title: str | Text | None = None,
    caption: str | Text | None = None,
    styles: Callable[[Any], str] | None = None,
) -> Table:
    """A table of `rows` no wider than `width`: the columns and forms that fit, in `steps` order.

    When the content is wider than the terminal, each column gets the width it needs to stay
    readable, and what is left goes to the columns in order of importance (an id is shown whole
    before a client's name gets room); their content wraps within that. A column of ids or
    paths (`tables.whole`) is never narrower than its longest cell; headers wrap at spaces.
    """
    cells, least, natural = _measure(rows, columns)
    chosen = fit(least, steps, width)
    kept = [c for c in columns if c.key in chosen]
    widths = _share(
        {k: least[k][f] for k, f in chosen.items()},
        {k: natural[k][f] for k, f in chosen.items()},
        [k for k, _ in steps],
        width - (3 * len(kept) - 1),
    )
    table = _table(title, caption=caption)
    for c in kept:
        header = Text(inert(c.header), no_wrap=False)
        table.add_column(header, **(c.options | {"width": widths.get(c.key)}))
    for n, row in enumerate(rows):
        style = styles(row) if styles and not isinstance(row, Marker) else None
        table.add_row(*(cells[c.key][chosen[c.key]][n] for c in kept), style=style)
    return table


def _measure(
    rows: Sequence[Any], columns: Sequence[Column]
) -> tuple[dict[str, list[list[RenderableType]]], dict[str, list[int]], dict[str, list[int]]]:
    """Each column's cells in each of its forms, and the least and natural widths of each form
    (the least of a column of ids or paths is all it needs: they are never split)."""
    cells: dict[str, list[list[RenderableType]]] = {}
    least: dict[str, list[int]] = {}
    natural: dict[str, list[int]] = {}
    for c in columns:
        header = max((cell_len(w) for w in c.header.split()), default=1)
        cells[c.key], least[c.key], natural[c.key] = [], [], []
        for form, cap in zip(c.forms, c.caps, strict=True):
            made = [r.cells.get(c.key, Text()) if isinstance(r, Marker) else form(r) for r in rows]
            widest = _widest(made)
            cells[c.key].append(made)
            least[c.key].append(max(widest if is_whole(c.options) else min(widest, cap), header))
            natural[c.key].append(max(widest, cell_len(c.header)))
    return cells, least, natural


def _share(
    least: dict[str, int], natural: dict[str, int], order: Sequence[str], room: int
) -> dict[str, int]:
    """Column widths within `room`: none when everything fits as it is (or nothing can);
    otherwise each its least, then the rest to the columns in `order`: first up to a
    comfortable width, then up to all they need."""
    if sum(natural.values()) <= room or sum(least.values()) > room:
        return {}
    widths = dict(least)
    spare = room - sum(widths.values())
    for comfortable in (COMFORTABLE, None):
        for key in dict.fromkeys(order):
            if key in widths:
                want = natural[key] if comfortable is None else min(natural[key], comfortable)
                more = max(min(spare, want - widths[key]), 0)
                widths[key] += more
                spare -= more
    return widths


# --- the dashboard and the lists --------------------------------------------------------------


def _stage_cell(s: Summary, pipeline: Pipeline, lang: str) -> Text:
    cell = stage_track(pipeline, s.stage, s.progress)
    cell.append(" ")
    cell.append_text(text(pipeline.state_label(s.stage, lang), "" if s.is_open else DIM))
    return cell


def _next_cell(s: Summary, pipeline: Pipeline, today: date, lang: str) -> Text:
    """How long to the next deadline, and which one it is when it is not the due date."""
    if not s.is_open or s.next_deadline is None:
        return Text("—", style=DIM)
    left = (s.next_deadline - today).days
    cell = days_text(left, lang, overdue=s.overdue)
    if s.next_what and s.next_what != "due":
        cell.append(" · ")
        cell.append_text(text(pipeline.state_label(s.next_what, lang), str(cell.style)))
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
            (lambda s: _next_cell(s, pipeline, today, lang), 18),
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


# --- the board ---------------------------------------------------------------------------------

BOARD_CARDS = 10  # cards per column when the columns fit side by side ...
STACKED_CARDS = 5  # ... and per stage when they are stacked
CARD_WIDTH = 30  # a column this wide shows a card comfortably
CARD_LEAST = 12  # and none is narrower than this, whatever its ids


def _gates_mark(c: Card) -> Text:
    """`○2`: gate items of the stage still open; `✓`: all done (ready to advance)."""
    if not c.gates:
        return Text()
    if c.open_gates:
        return Text(f"○{c.open_gates}", style=SOON)
    return Text("✓", style=DONE)


def _card_id(c: Card) -> Text:
    """The id, whole, after `! ` when the item is overdue."""
    line = Text(no_wrap=True, overflow="ignore")
    if c.summary.overdue:
        line.append("! ", style=OVERDUE)
    line.append_text(text(c.summary.id, OVERDUE if c.summary.overdue else "bold"))
    return line


def _card_next(c: Card, today: date, lang: str, *, which: bool = True) -> Text:
    """How long to the next deadline; `· stage deadline` when it is not the due date."""
    s = c.summary
    if s.next_deadline is None:
        return Text("—", style=DIM)
    cell = days_text((s.next_deadline - today).days, lang, overdue=s.overdue)
    if which and s.next_what != "due":
        cell.append(" · " + word("stage_deadline_short", lang), style=str(cell.style))
    return cell


def _card(c: Card, today: date, lang: str) -> Group:
    s = c.summary
    lines: list[RenderableType] = [_card_id(c)]
    who = s.client if s.kind == "engagement" else s.name
    if who:
        lines.append(Text(inert(who), overflow="fold"))
    if s.due:
        lines.append(Text(word("due_on", lang).format(date=day(s.due, lang)), style=DIM))
    if s.next_deadline:
        lines.append(_card_next(c, today, lang))
    last = Text()
    if c.owner:
        last.append_text(text(initials(c.owner), "bold"))
    marks = _gates_mark(c)
    if marks:
        last.append(" · " if last else "")
        last.append_text(marks)
    if last:
        lines.append(last)
    return Group(*lines)


def _lane_head(label: str, count: int) -> Text:
    head = text(label, "bold")
    head.append(f" {count}", style=DIM if not count else "")
    return head


def _more(kind: str, stage: str, hidden: int, lang: str) -> Text:
    command = f"svctrack {kind} list --stage {stage}"
    return Text(word("more", lang).format(n=hidden, command=command), style=DIM)


def board(
    b: Board,
    pipeline: Pipeline,
    today: date,
    lang: str,
    width: int,
    *,
    heading: str = "",
    limit: int | None = None,
) -> Group:
    """The kanban board: one column per stage, each card most urgent first.

    When the columns fit side by side (each as wide as its longest id), they are shown so, at
    most `limit` cards each (default BOARD_CARDS; 0: all). Otherwise the stages are stacked,
    each with its count and its most urgent cards, one line each (default STACKED_CARDS), the
    less important fields dropped first. An id is never split across lines.
    """
    top = text(heading, "bold") if heading else Text()
    if heading:
        top.append(" · ", style=DIM)
    kind = word("engagements" if b.kind == "engagement" else "services", lang)
    top.append(f"{kind} · {word('today', lang)} {day(today, lang)}", style=DIM)
    parts: list[RenderableType] = [top, Text()]
    lanes = b.lanes
    longest = max((cell_len(_card_id(c).plain) for c in b.cards), default=0)
    least = max(longest, CARD_LEAST)
    if len(lanes) * least + 3 * (len(lanes) - 1) <= width:
        shown = BOARD_CARDS if limit is None else limit
        parts.append(_board_columns(b, today, lang, width, shown or None, least))
        parts.append(Text())
        if shown and any(len(lane.cards) > shown for lane in lanes):
            command = f"svctrack {b.kind} list --stage STAGE"
            parts.append(Text(word("more_hint", lang).format(command=command), style=DIM))
    else:
        shown = STACKED_CARDS if limit is None else limit
        parts.extend(_board_stacked(b, today, lang, width, shown or None))
    if b.elsewhere:
        ids = ", ".join(c.summary.id for c in b.elsewhere)
        parts.append(Text(inert(word("elsewhere", lang).format(ids=ids)), style=OVERDUE))
    cards = b.cards
    overdue = sum(c.summary.overdue for c in cards)
    total = f"{word('open', lang).capitalize()}: {len(cards)} · {word('overdue', lang)}: {overdue}"
    parts.append(Text(total, style=OVERDUE if overdue else "bold"))
    parts.append(Text(word("board_legend", lang), style=DIM))
    return Group(*parts)


def _board_columns(
    b: Board, today: date, lang: str, width: int, limit: int | None, least: int
) -> Table:
    """The lanes side by side, each at least `least` wide (the longest id, whole)."""
    count = len(b.lanes)
    each = min(max((width - 3 * (count - 1)) // count, least), max(CARD_WIDTH, least))
    table = Table(box=box.MINIMAL, pad_edge=False, show_edge=False, expand=False)
    cells: list[RenderableType] = []
    for lane in b.lanes:
        label = lane.stage.text(lang)
        table.add_column(_lane_head(label, len(lane.cards)), width=each, overflow="fold")
        cards: list[RenderableType] = []
        for n, c in enumerate(lane.cards[:limit]):
            if n:
                cards.append(Text())
            cards.append(_card(c, today, lang))
        hidden = len(lane.cards) - len(lane.cards[:limit])
        if hidden:
            cards += [Text(), Text(word("more_short", lang).format(n=hidden), style=DIM)]
        cells.append(Group(*cards))
    table.add_row(*cells)
    return table


def _board_stacked(
    b: Board, today: date, lang: str, width: int, limit: int | None
) -> list[RenderableType]:
    def who(c: Card) -> Text:
        return text(c.summary.client if c.summary.kind == "engagement" else c.summary.name)

    def due(c: Card) -> Text:
        return Text(day(c.summary.due, lang) if c.summary.due else "")

    columns = [
        column("id", "", (_card_id, 64), **whole()),
        column("who", "", (who, 16), overflow="fold"),
        column("due", "", (due, 10), no_wrap=True),
        column(
            "next",
            "",
            (lambda c: _card_next(c, today, lang, which=False), 12),
            (lambda c: _card_next(c, today, lang), 24),
            overflow="fold",
        ),
        column("owner", "", (lambda c: text(initials(c.owner), "bold"), 2), no_wrap=True),
        column("gates", "", (_gates_mark, 2), no_wrap=True),
    ]
    steps: list[Step] = [("id", 0), ("next", 0), ("gates", 0), ("owner", 0), ("who", 0)]
    steps += [("due", 0), ("next", 1)] if b.kind == "engagement" else [("next", 1)]
    # One choice of columns for every stage, so that the stages read alike.
    shown = [c for lane in b.lanes for c in lane.cards[:limit]]
    chosen = fit(_measure(shown, columns)[1], steps, width)
    steps = [step for step in steps if step[1] <= chosen.get(step[0], -1)]
    parts: list[RenderableType] = []
    for lane in b.lanes:
        head = _lane_head(lane.stage.text(lang), len(lane.cards))
        if not lane.cards:
            parts.append(head)
            continue
        table = fitted_table(lane.cards[:limit], columns, steps, width, title=head)
        table.show_header = table.show_edge = False
        parts.append(table)
        hidden = len(lane.cards) - len(lane.cards[:limit])
        if hidden:
            parts.append(_more(b.kind, lane.stage.id, hidden, lang))
    parts.append(Text())
    return parts


# --- deadlines ---------------------------------------------------------------------------------


def deadlines_table(
    rows: Sequence[Obligation],
    names: dict[str, str],
    today: date,
    pipelines: dict[str, Pipeline],
    lang: str,
    width: int = 80,
) -> Table:
    """Dated obligations, soonest first; a marked row shows where today falls among them."""

    def what(o: Obligation) -> Text:
        if o.what == "due":
            return Text(word("due", lang))
        return text(pipelines[o.kind].state_label(o.what, lang))

    columns = [
        column(
            "date",
            word("date", lang),
            (lambda o: Text(day(o.date, lang), style=OVERDUE if o.overdue else ""), 10),
            no_wrap=True,
        ),
        column(
            "days",
            word("days_left", lang),
            (lambda o: _days_short(o.days_left, lang), 9),
            (lambda o: days_text(o.days_left, lang, overdue=o.overdue), 15),
            overflow="fold",
        ),
        column(
            "id",
            word("id", lang),
            (lambda o: text(o.id, "bold"), 20),
            **whole(),
        ),
        column("what", word("what", lang), (what, 12), overflow="fold"),
        column(
            "name", word("name", lang), (lambda o: text(names.get(o.id, "")), 18), overflow="fold"
        ),
        column(
            "kind",
            word("kind", lang),
            (lambda o: Text(pipelines[o.kind].name.text(lang), style=DIM), 10),
            overflow="fold",
        ),
    ]
    marker = Marker(
        {
            "date": Text(day(today, lang), style=CURRENT),
            "days": Text("◀ " + word("today", lang), style=CURRENT),
        }
    )
    at = next((n for n, o in enumerate(rows) if o.date >= today), len(rows))
    shown = [*rows[:at], marker, *rows[at:]]
    steps: list[Step] = [
        ("date", 0),
        ("days", 0),
        ("id", 0),
        ("what", 0),
        ("days", 1),
        ("name", 0),
        ("kind", 0),
    ]
    return fitted_table(shown, columns, steps, width, title=word("deadlines", lang))


def _days_short(days_left: int, lang: str) -> Text:
    """`-13d`, `today`, `4d`: where the rows above today's mark are the overdue ones."""
    if days_left == 0:
        return Text(word("today", lang), style=f"bold {SOON}")
    label = days(days_left, lang)
    if days_left < 0:
        return Text(label, style=OVERDUE)
    return Text(label, style=SOON if days_left <= 7 else "")


# --- checklists --------------------------------------------------------------------------------


def _ticks(rows: Sequence[Any], lang: str, *, gates: bool, title: Text) -> Table:
    legend = word("legend_gates" if gates else "legend_principles", lang)
    table = _table(title, caption=legend)
    table.add_column("", no_wrap=True, width=1)
    table.add_column(text(word("item", lang)), overflow="fold", ratio=3)
    table.add_column(text(word("note", lang)), overflow="fold", ratio=2)
    for row in rows:
        label = text(row.term.text(lang))
        label.append_text(text(f"  {row.term.id}", DIM))
        note = text(row.tick.note)
        figure = getattr(row, "figure", None)
        if figure is not None:
            if note.plain:
                note.append(" · ")
            note.append_text(text(figure_words(figure, lang), DONE if figure.met else DIM))
        table.add_row(mark(row.tick, gate=gates), label, note)
    return table


def checklist(
    item: Item,
    pipeline: Pipeline,
    lang: str,
    *,
    heading: bool = False,
    figures: Mapping[str, Any] | None = None,
) -> Group:
    """The current stage's gate items and the principles, ticked or open, with their notes; a
    gate that figures decide says which (`figures`: see `Tracker.figures`)."""
    parts: list[RenderableType] = []
    if heading:
        top = text(item.id, "bold")
        top.append("  ")
        top.append_text(text(item.name))
        top.append(" · ", style=DIM)
        top.append_text(stage_track(pipeline, item.stage, progress(item, pipeline)))
        top.append(" ")
        top.append_text(text(pipeline.state_label(item.stage, lang), CURRENT))
        parts.append(top)
    gates = gate_rows(item, pipeline, figures)
    if gates:
        done = sum(bool(r.tick.ok) for r in gates)
        title = text(f"{word('gates', lang)} · {pipeline.state_label(item.stage, lang)}", "bold")
        title.append(f" ({done}/{len(gates)})", style=DONE if done == len(gates) else "")
        parts.append(_ticks(gates, lang, gates=True, title=title))
    groups = principle_groups(principle_rows(item, pipeline))
    for group, principles in groups:  # general, then delivery: one table each
        honoured = sum(r.tick.ok is True for r in principles)
        named = word(f"principles_{group}", lang) if len(groups) > 1 else word("principles", lang)
        title = text(named, "bold")
        title.append(f" ({honoured}/{len(principles)})")
        parts.append(_ticks(principles, lang, gates=False, title=title))
    return _spaced(parts)


def principle_matrix(items: Sequence[Item], pipeline: Pipeline, lang: str) -> Group:
    """Open items × principles, then per principle how many honour it: the neglected stand out.

    Columns are numbered so that any number of principles fits; the legend names them.
    """
    title = text(f"{word('principles', lang)} · {pipeline.name.text(lang)} ({len(items)})", "bold")
    matrix = _table(title)
    matrix.add_column(text(word("id", lang)), style="bold", **whole(i.id for i in items))
    for n, _ in enumerate(pipeline.principles, 1):
        matrix.add_column(str(n), justify="center", no_wrap=True)
    for item in items:
        row = [item.principles.get(p.id, Tick(None)) for p in pipeline.principles]
        matrix.add_row(text(item.id), *(mark(t, gate=False) for t in row))
    totals = principle_totals(items, pipeline)
    worst = max((c.total - c.honoured, c.not_honoured) for c in totals.values()) if totals else (0,)
    legend = _table()
    legend.add_column("#", justify="right", no_wrap=True)
    legend.add_column(text(word("principles", lang)), overflow="fold")
    for symbol in ("✓", "✗", "·"):
        legend.add_column(symbol, justify="right", no_wrap=True)
    grouped = len({p.group for p in pipeline.principles}) > 1
    for n, p in enumerate(pipeline.principles, 1):
        if grouped and (n == 1 or pipeline.principles[n - 2].group != p.group):
            legend.add_row("", text(word(f"principles_{p.group}", lang), "bold"))
        c = totals[p.id]
        label = text(p.text(lang))
        neglected = worst[0] > 0 and (c.total - c.honoured, c.not_honoured) == worst
        if neglected:
            label.stylize(OVERDUE)
            label.append(f"  ◀ {word('neglected', lang)}", style=OVERDUE)
        legend.add_row(
            str(n),
            label,
            Text(str(c.honoured), style=DONE if c.honoured else DIM),
            Text(str(c.not_honoured), style=OVERDUE if c.not_honoured else DIM),
            Text(str(c.not_assessed), style=DIM),
        )
    return Group(matrix, legend, Text(word("legend_principles", lang), style=DIM), Text())


# --- one item in full ---------------------------------------------------------------------------


def pipeline_line(item: Item, pipeline: Pipeline, lang: str) -> Text:
    """`● Preparation → ◉ Execution → ○ Control → ○ Completion`: the current stage marked;
    ✕ where a cancelled item stopped; a stage the pipeline does not know is named after it."""
    ids = pipeline.stage_ids
    at, stopped = -1, False
    if item.stage in ids:
        at = ids.index(item.stage)
    elif item.stage == pipeline.done:
        at = len(ids)
    elif item.stage in pipeline.ends:
        at = min(round(progress(item, pipeline) * len(ids)), len(ids) - 1)
        stopped = True
    line = Text()
    for n, stage in enumerate(pipeline.stages):
        if n:
            line.append(" → ", style=DIM)
        label = text(stage.text(lang))
        if n < at:
            line.append("● ", style=DONE)
            label.stylize(DONE)
        elif n == at and stopped:
            line.append("✕ ", style=OVERDUE)
        elif n == at:
            line.append("◉ ", style=CURRENT)
            label.stylize("bold reverse cyan")
        else:
            line.append("○ ", style=DIM)
            label.stylize(DIM)
        line.append_text(label)
    if item.stage in pipeline.ends:
        line.append(" → ", style=DIM)
        line.append_text(text(pipeline.state_label(item.stage, lang), "bold"))
    elif at < 0:
        line.append("   ? ", style=OVERDUE)
        line.append_text(text(item.stage, OVERDUE))
    return line


def show(
    item: Item,
    pipeline: Pipeline,
    today: date,
    lang: str,
    engagements: list[str],
    figures: Mapping[str, Any] | None = None,
) -> Group:
    """Everything about one item: fields, pipeline, gates, principles, history, notes, feedback;
    `figures`: a service's gates decided by the figures of its engagements."""
    s = summarize(item, pipeline, today)
    fields = Table.grid(padding=(0, 2))
    fields.add_column(style=DIM, no_wrap=True)
    fields.add_column(overflow="fold")

    def field(key: str, value: RenderableType | str | None) -> None:
        if value in (None, ""):
            return
        fields.add_row(word(key, lang), value if isinstance(value, Text) else text(value))

    field("stage", text(pipeline.state_label(item.stage, lang), "bold"))
    field("progress", Text(f"{round(s.progress * 100)}%"))
    if item.kind == "engagement":
        _engagement_fields(item, s, lang, field)
    if s.next_deadline and s.next_what != "due":
        nxt = Text(day(s.next_deadline, lang) + "  ")
        nxt.append_text(_next_cell(s, pipeline, today, lang))
        field("next_deadline", nxt)
    field("owner", item.owner)
    field("mode", term("mode", item.mode, lang) if item.mode else None)
    if item.price is not None:
        field("price", money(item.price, item.currency, lang))
    field("hours", effort_line(item, lang))  # spent vs budget, burn, rate
    for department, person in item.roles.items():
        fields.add_row(text(term("role", department, lang)), text(person))
    if item.kind == "service":
        field("engagements", ", ".join(engagements) or word("none", lang))
        saved = item.reports[-1].at if item.reports else None
        field("reported_on", day(saved.date(), lang) if saved else None)
    title = text(item.id, "bold")
    title.append("  ")
    title.append_text(text(item.name, "bold"))
    sections: list[RenderableType] = [title, fields, pipeline_line(item, pipeline, lang)]
    if item.deadlines:
        sections.append(deadline_lines(item, pipeline, today, lang))
    if item.documents:
        sections.append(documents(item, lang))
    sections.append(checklist(item, pipeline, lang, figures=figures))
    if item.history:
        sections.append(history(item, pipeline, lang))
    if item.notes:
        sections.append(notes(item, lang))
    if item.feedback:
        sections.append(feedback(item, lang))
    return _spaced(sections)


def effort_line(item: Item, lang: str) -> Text | None:
    """`42.5 h of 60 h (71%) · 301.18 EUR/h`; red over budget; None with no hours nor budget."""
    from svctrack.domain.analysis import effort
    from svctrack.output.figures import num, pct

    e = effort(item)
    if not e.hours and e.budget is None:
        return None
    h = word("h", lang)
    line = Text(f"{num(e.hours, lang)} {h}")
    if e.budget is not None:
        line.append(f" / {num(e.budget, lang)} {h}")
        if e.burn is not None:
            line.append(f" ({pct(e.burn, lang)})", style=OVERDUE if e.over_budget else "")
    if e.rate is not None:
        line.append(f" · {money(e.rate, e.currency, lang)}{word('per_hour', lang)}")
    return line


def _engagement_fields(
    item: Item, s: Summary, lang: str, field: Callable[[str, RenderableType | str | None], None]
) -> None:
    """What `show` lists of an engagement alone: service, client, dates, the client's goal."""
    field("service", item.service)
    field("client", item.client)
    field("start", day(item.start, lang) if item.start else None)
    if item.due:
        due = Text(day(item.due, lang) + "  ")
        due.append_text(days_text(s.days_left if s.is_open else None, lang))
        field("due", due)
    field("contract", item.contract)
    field("goal", item.goal)
    field("needs", item.needs)
    field("every", word(f"every_{item.every}", lang) if item.every else None)
    field("pilot", word("pilot_yes", lang) if item.pilot else None)


def _spaced(sections: Sequence[RenderableType]) -> Group:
    """Sections one after another with a blank line between them."""
    parts: list[RenderableType] = []
    for section in sections:
        if parts:
            parts.append(Text())
        parts.append(section)
    return Group(*parts)


def deadline_lines(item: Item, pipeline: Pipeline, today: date, lang: str) -> Table:
    """The item's stage deadlines; those of stages already left are met and dimmed."""
    table = _table(word("deadlines", lang))
    table.add_column(text(word("stage", lang)), overflow="fold")
    table.add_column(text(word("date", lang)), no_wrap=True)
    table.add_column(text(word("days_left", lang)), overflow="fold")
    pending = {o.what for o in obligations(item, pipeline, today)}
    for stage, when in sorted(item.deadlines.items(), key=lambda kv: kv[1]):
        met = stage not in pending
        left = None if met else (when - today).days
        table.add_row(
            text(pipeline.state_label(stage, lang), DIM if met else ""),
            Text(day(when, lang), style=DIM if met else ""),
            Text("✓", style=DONE) if met else days_text(left, lang),
        )
    return table


def history(item: Item, pipeline: Pipeline, lang: str) -> Group:
    """The timeline, oldest first: when, the move, who; the note beneath; forced steps in red
    with the gate items they skipped."""
    timeline = Table.grid(padding=(0, 1))
    timeline.add_column(no_wrap=True, width=1)
    timeline.add_column(overflow="fold")
    for entry in item.history:
        line = _moment(entry.at, lang)
        line.append("  ")
        if entry.source:
            line.append_text(text(pipeline.state_label(entry.source, lang), DIM))
            line.append(" → ")
        line.append_text(text(pipeline.state_label(entry.to, lang), "bold"))
        if entry.by:
            line.append(" · ", style=DIM)
            line.append_text(text(entry.by, DIM))
        if entry.note:
            line.append("\n")
            line.append_text(text(history_note(entry, lang)))
        if entry.forced:
            skipped = ", ".join(entry.skipped)
            line.append("\n")
            line.append_text(text(f"{word('forced', lang)}: {skipped}", OVERDUE))
        dot = Text("●", style=OVERDUE if entry.forced else CURRENT)
        timeline.add_row(dot, line)
    return Group(Text(word("history", lang), style="bold"), timeline)


def notes(item: Item, lang: str) -> Group:
    """Communications with the client, oldest first: when, channel, who, what."""
    lines = Table.grid(padding=(0, 1))
    lines.add_column(no_wrap=True, width=1)
    lines.add_column(overflow="fold")
    for n in item.notes:
        line = _moment(n.at, lang)
        line.append("  ")
        line.append_text(text(term("channel", n.channel, lang), "bold"))
        if n.by:
            line.append(" · ", style=DIM)
            line.append_text(text(n.by, DIM))
        line.append("\n")
        line.append_text(text(n.text))
        lines.add_row(Text("›", style=DIM), line)
    return Group(Text(word("notes", lang), style="bold"), lines)


def documents(item: Item, lang: str) -> Table:
    """An engagement's documents: kind, name, status (signed ones marked), the day it was set."""
    table = _table(word("documents", lang))
    table.add_column("", no_wrap=True, width=1)
    table.add_column(text(word("kind", lang)), no_wrap=True)
    table.add_column(text(word("name", lang)), overflow="fold", ratio=2)
    table.add_column(text(word("status", lang)), no_wrap=True)
    table.add_column(text(word("date", lang)), no_wrap=True)
    for d in item.documents:
        signed = d.status == "signed"
        table.add_row(
            Text("✓" if signed else "○", style=DONE if signed else DIM),
            text(word(f"doc_{d.kind}", lang)),
            text(d.name),
            Text(word(f"doc_{d.status}", lang), style=DONE if signed else ""),
            Text(day(d.date, lang) if d.date else ""),
        )
    return table


def feedback(item: Item, lang: str) -> Table:
    table = _table(word("feedback", lang))
    table.add_column(text(word("at", lang)), no_wrap=True)
    table.add_column(text(word("score", lang)), justify="right")
    table.add_column("", overflow="fold")
    table.add_column(text(word("comment", lang)), overflow="fold", ratio=2)
    for f in item.feedback:
        parts = [
            f"{word(q, lang)} {getattr(f, q)}"
            for q in ("speed", "accuracy", "availability", "courtesy")
            if getattr(f, q)
        ]
        table.add_row(
            _moment(f.at, lang),
            Text(f"{f.score}/5", style="bold"),
            Text(", ".join(parts)),
            text(f.comment),
        )
    return table


# --- validate -----------------------------------------------------------------------------------


PROBLEM_LEAST = 24  # a problem's message beside its path reads well from this width


def findings(rows: Sequence[Any], lang: str = "en", width: int | None = None) -> RenderableType:
    """`validate`'s problems: severity, where (a path, never split), what. When the longest
    path leaves too little room for the message beside it, each message goes under its path."""
    wheres = [inert(f.path + (f":{f.line}:{f.column or 1}" if f.line else "")) for f in rows]
    labels = [Text(word(f.severity, lang), style=OVERDUE if f.severity == "error" else SOON)
              for f in rows]  # fmt: skip
    needed = _widest(labels) + _widest(wheres) + PROBLEM_LEAST + 6
    if width is not None and needed > width:
        lines: list[RenderableType] = []
        for f, label, where in zip(rows, labels, wheres, strict=True):
            lines.append(label + Text("  ") + Text(where, no_wrap=True, overflow="ignore"))
            lines.append(text("  " + say(f.message, lang)))
        return Group(*lines)
    table = _table()
    table.add_column("", **whole())
    table.add_column(text(word("where", lang)), **whole(wheres))
    table.add_column(text(word("problem", lang)), **free())
    for f, label, where in zip(rows, labels, wheres, strict=True):
        table.add_row(label, Text(where), text(say(f.message, lang)))
    return table


# --- history (git) ----------------------------------------------------------------------------


def story(rows: Sequence[dict[str, Any]], lang: str = "en") -> Table:
    """`svctrack history`: history entries and commits, oldest first. Notes, names and commit
    subjects come from the data (and from anyone's `git commit -m`): shown inert."""
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    heads = {title: word(f"story_{title}", lang) for title in ("when", "who", "what", "commit")}
    table.add_column(heads["when"], **whole())
    table.add_column(heads["who"], **free())
    table.add_column(heads["what"], **free(ratio=3))
    table.add_column(heads["commit"], **whole(inert(row["commit"] or "") for row in rows))
    for row in rows:
        when = row["at"].strftime("%Y-%m-%d %H:%M") if row["at"] else ""
        note = word("created", lang) if row["note"] == "created" else row["note"]
        what = say(row["what"], lang) + (f" — {note}" if note else "")
        table.add_row(when, text(row["by"]), text(what), text(row["commit"] or ""))
    return table
