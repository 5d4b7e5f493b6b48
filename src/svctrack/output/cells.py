"""The small pieces every view is made of: user text (inert, never markup), the styles, the
stage track, days left, a tick's mark, a plain table, a moment; nothing prints here.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from rich import box
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from svctrack.domain.model import Tick
from svctrack.domain.pipeline import Pipeline
from svctrack.domain.queries import Summary
from svctrack.output.i18n import day, days, days_overdue, word
from svctrack.output.text import inert

OVERDUE = "bold red"
SOON = "yellow"
DONE = "green"
CURRENT = "bold cyan"
DIM = "dim"


def text(value: object, style: str = "") -> Text:
    """User text, shown literally: `[bold]` in a client's name is not markup."""
    return Text(inert(str(value if value is not None else "")), style=style)


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


def simple_table(title: str | Text | None = None, *, caption: str | Text | None = None) -> Table:
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


def moment(value: object, lang: str) -> Text:
    if isinstance(value, datetime):
        return Text(day(value.date(), lang) + value.strftime(" %H:%M"))
    return Text("—", style=DIM)


def next_cell(s: Summary, pipeline: Pipeline, today: date, lang: str) -> Text:
    """How long to the next deadline, and which one it is when it is not the due date."""
    if not s.is_open or s.next_deadline is None:
        return Text("—", style=DIM)
    left = (s.next_deadline - today).days
    cell = days_text(left, lang, overdue=s.overdue)
    if s.next_what and s.next_what != "due":
        cell.append(" · ")
        cell.append_text(text(pipeline.state_label(s.next_what, lang), str(cell.style)))
    return cell


def spaced(sections: Sequence[RenderableType]) -> Group:
    """Sections one after another with a blank line between them."""
    parts: list[RenderableType] = []
    for section in sections:
        if parts:
            parts.append(Text())
        parts.append(section)
    return Group(*parts)
