"""`show`: one item in full: its fields, pipeline, deadlines, documents, checklist, history,
notes and feedback.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from svctrack.domain.model import Item
from svctrack.domain.pipeline import Pipeline
from svctrack.domain.queries import Summary, obligations, progress, summarize
from svctrack.output.cells import (
    CURRENT,
    DIM,
    DONE,
    OVERDUE,
    days_text,
    moment,
    next_cell,
    simple_table,
    spaced,
    text,
)
from svctrack.output.checklists import checklist
from svctrack.output.i18n import day, history_note, money, term, word


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
        nxt.append_text(next_cell(s, pipeline, today, lang))
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
    return spaced(sections)


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


def deadline_lines(item: Item, pipeline: Pipeline, today: date, lang: str) -> Table:
    """The item's stage deadlines; those of stages already left are met and dimmed."""
    table = simple_table(word("deadlines", lang))
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
        line = moment(entry.at, lang)
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
        line = moment(n.at, lang)
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
    table = simple_table(word("documents", lang))
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
    table = simple_table(word("feedback", lang))
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
            moment(f.at, lang),
            Text(f"{f.score}/5", style="bold"),
            Text(", ".join(parts)),
            text(f.comment),
        )
    return table
