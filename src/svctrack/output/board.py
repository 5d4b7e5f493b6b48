"""The kanban board: one column per stage, or the stages stacked when they do not fit."""

from __future__ import annotations

from datetime import date

from rich import box
from rich.cells import cell_len
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from svctrack.domain.pipeline import Pipeline
from svctrack.domain.queries import Board, Card
from svctrack.output.cells import DIM, DONE, OVERDUE, SOON, days_text, text
from svctrack.output.i18n import day, initials, word
from svctrack.output.tables import Step, column, fit, fitted_table, measure, whole
from svctrack.output.text import inert

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
    chosen = fit(measure(shown, columns)[1], steps, width)
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
