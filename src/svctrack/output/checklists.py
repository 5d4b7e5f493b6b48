"""`checklist`: one item's gates and principles, ticked or open; the principles of many."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from svctrack.domain.model import Item, Tick
from svctrack.domain.pipeline import Pipeline
from svctrack.domain.queries import (
    gate_rows,
    principle_groups,
    principle_rows,
    principle_totals,
    progress,
)
from svctrack.output.cells import (
    CURRENT,
    DIM,
    DONE,
    OVERDUE,
    mark,
    simple_table,
    spaced,
    stage_track,
    text,
)
from svctrack.output.figures import figure_words
from svctrack.output.i18n import word
from svctrack.output.tables import whole


def _ticks(rows: Sequence[Any], lang: str, *, gates: bool, title: Text) -> Table:
    legend = word("legend_gates" if gates else "legend_principles", lang)
    table = simple_table(title, caption=legend)
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
    return spaced(parts)


def principle_matrix(items: Sequence[Item], pipeline: Pipeline, lang: str) -> Group:
    """Open items × principles, then per principle how many honour it: the neglected stand out.

    Columns are numbered so that any number of principles fits; the legend names them.
    """
    title = text(f"{word('principles', lang)} · {pipeline.name.text(lang)} ({len(items)})", "bold")
    matrix = simple_table(title)
    matrix.add_column(text(word("id", lang)), style="bold", **whole(i.id for i in items))
    for n, _ in enumerate(pipeline.principles, 1):
        matrix.add_column(str(n), justify="center", no_wrap=True)
    for item in items:
        row = [item.principles.get(p.id, Tick(None)) for p in pipeline.principles]
        matrix.add_row(text(item.id), *(mark(t, gate=False) for t in row))
    totals = principle_totals(items, pipeline)
    worst = max((c.total - c.honoured, c.not_honoured) for c in totals.values()) if totals else (0,)
    legend = simple_table()
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
