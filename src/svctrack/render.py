"""Results as rich renderables for people. User text is always rich `Text`, never markup."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import date

from rich import box
from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from svctrack.i18n import day, money, word
from svctrack.model import Item, Tick
from svctrack.pipeline import Pipeline
from svctrack.queries import CheckRow, Obligation, Summary, gate_rows, principle_rows, summarize
from svctrack.validate import Finding

OVERDUE = "bold red"
SOON = "yellow"
DONE = "green"
DIM = "dim"


def text(value: object, style: str = "") -> Text:
    """User text, shown literally: `[bold]` in a client's name is not markup."""
    return Text(_inert(str(value if value is not None else "")), style=style)


def _inert(value: str) -> str:
    # Control characters (terminal escape sequences among them) are shown, not obeyed.
    return "".join(c if c.isprintable() or c in "\n\t" else f"\\x{ord(c):02x}" for c in value)


def stage_track(pipeline: Pipeline, state: str) -> Text:
    """A small picture of the pipeline: ● done, ◉ current, ○ ahead (✕ cancelled)."""
    ids = pipeline.stage_ids
    if state == pipeline.done:
        return Text("●" * len(ids), style=DONE)
    if state in ids:
        at = ids.index(state)
        return (
            Text("●" * at, style=DONE)
            + Text("◉", style="bold cyan")
            + Text("○" * (len(ids) - at - 1), style=DIM)
        )
    return Text("✕" if state == "cancelled" else "?", style=DIM)


def days_text(days: int | None, lang: str, *, overdue: bool | None = None) -> Text:
    if days is None:
        return Text("—", style=DIM)
    late = days < 0 if overdue is None else overdue
    if late:
        label = f"{-days} дн. просрочено" if lang == "ru" else f"{-days}d overdue"
        return Text(label, style=OVERDUE)
    if days == 0:
        return Text(word("today", lang), style=f"bold {SOON}")
    label = f"{days} дн." if lang == "ru" else f"{days}d"
    return Text(label, style=SOON if days <= 7 else "")


def _table(title: str | None = None, *, caption: str | None = None) -> Table:
    return Table(
        title=title,
        caption=caption,
        box=box.SIMPLE_HEAD,
        title_justify="left",
        caption_justify="left",
        pad_edge=False,
        expand=False,
    )


def summaries_table(
    rows: Sequence[Summary],
    pipelines: dict[str, Pipeline],
    lang: str,
    width: int,
    *,
    title: str | None = None,
    caption: str | None = None,
    extra: dict[str, str] | None = None,
) -> Table:
    """Services or engagements, one row each; narrow terminals drop the less important columns."""
    kind = rows[0].kind if rows else "engagement"
    pipeline = pipelines[kind]
    table = _table(title, caption=caption)
    table.add_column(word("id", lang), overflow="fold", style="bold", ratio=2, min_width=8)
    wide = width >= 100
    if kind == "engagement":
        table.add_column(word("client", lang), overflow="fold", ratio=2, min_width=6)
        if wide:
            table.add_column(word("service", lang), overflow="fold", ratio=2)
    elif wide:
        table.add_column(word("name", lang), overflow="fold", ratio=3)
    table.add_column(word("stage", lang), overflow="fold", ratio=2, min_width=6)
    if kind == "engagement":
        table.add_column(word("due", lang), no_wrap=True)
        table.add_column(word("days_left", lang), overflow="fold", min_width=5)
    else:
        table.add_column(word("next_deadline", lang), no_wrap=True)
        if extra is not None:
            table.add_column(word("engagement_count", lang), justify="right")
    for s in rows:
        stage = stage_track(pipeline, s.stage)
        stage.append(" " + pipeline.state_label(s.stage, lang), style="" if s.is_open else DIM)
        cells: list[RenderableType] = [text(s.id, OVERDUE if s.overdue else "")]
        if kind == "engagement":
            cells.append(text(s.client))
            if wide:
                cells.append(text(s.service))
        elif wide:
            cells.append(text(s.name))
        cells.append(stage)
        if kind == "engagement":
            cells.append(Text(day(s.due, lang)))
            open_days = s.days_left if s.is_open else None
            cells.append(days_text(open_days, lang))
        else:
            deadline = Text(day(s.next_deadline, lang), style=OVERDUE if s.overdue else "")
            cells.append(deadline)
            if extra is not None:
                cells.append(Text(extra.get(s.id, "0")))
        table.add_row(*cells)
    return table


def _ticks(rows: Iterable[CheckRow], lang: str, *, gates: bool) -> Table:
    table = _table(word("gates" if gates else "principles", lang))
    table.add_column("", no_wrap=True, width=1)
    table.add_column(word("item", lang), overflow="fold", ratio=2)
    table.add_column(word("note", lang), overflow="fold", ratio=2)
    for row in rows:
        table.add_row(
            mark(row.tick, gate=gates),
            Text(row.term.text(lang)) + Text(f"  {row.term.id}", DIM),
            text(row.tick.note),
        )
    return table


def mark(tick: Tick, *, gate: bool) -> Text:
    if tick.ok:
        return Text("✓", style=DONE)
    if tick.ok is False and not gate:
        return Text("✗", style=OVERDUE)
    return Text("·" if not gate else "○", style=DIM)


def checklist(item: Item, pipeline: Pipeline, lang: str) -> Group:
    parts: list[RenderableType] = []
    gates = gate_rows(item, pipeline)
    if gates:
        parts.append(_ticks(gates, lang, gates=True))
    parts.append(_ticks(principle_rows(item, pipeline), lang, gates=False))
    return Group(*parts)


def show(item: Item, pipeline: Pipeline, today: date, lang: str, engagements: list[str]) -> Group:
    """Everything about one item: fields, pipeline, gates, principles, history, notes, feedback."""
    s = summarize(item, pipeline, today)
    fields = Table.grid(padding=(0, 2))
    fields.add_column(style=DIM, no_wrap=True)
    fields.add_column(overflow="fold")

    def field(key: str, value: RenderableType | str | None) -> None:
        if value in (None, ""):
            return
        fields.add_row(word(key, lang), value if isinstance(value, Text) else text(value))

    field("stage", Text(pipeline.state_label(item.stage, lang)))
    if item.kind == "engagement":
        field("service", item.service)
        field("client", item.client)
        field("start", day(item.start, lang) if item.start else None)
        if item.due:
            due = Text(day(item.due, lang) + "  ") + days_text(
                s.days_left if s.is_open else None, lang
            )
            field("due", due)
        field("contract", item.contract)
    field("owner", item.owner)
    field("mode", item.mode)
    if item.price is not None:
        field("price", money(item.price, item.currency, lang))
    for department, person in item.roles.items():
        fields.add_row(text(department), text(person))
    if item.kind == "service":
        field("engagements", ", ".join(engagements) or word("none", lang))
    parts: list[RenderableType] = [fields, Text(""), pipeline_line(item, pipeline, lang)]
    if item.deadlines:
        parts.append(deadline_lines(item, pipeline, today, lang))
    parts.append(checklist(item, pipeline, lang))
    if item.history:
        parts.append(history(item, pipeline, lang))
    if item.notes:
        notes = _table(word("notes", lang))
        notes.add_column(word("at", lang), no_wrap=True)
        notes.add_column(word("channel", lang))
        notes.add_column(word("note", lang), overflow="fold")
        for n in item.notes:
            notes.add_row(_moment(n.at, lang), text(n.channel), text(n.text))
        parts.append(notes)
    if item.feedback:
        parts.append(feedback(item, lang))
    title = Text(item.id, style="bold") + Text("  ") + text(item.name)
    return Group(Panel(Group(*parts), title=title, title_align="left", box=box.ROUNDED))


def pipeline_line(item: Item, pipeline: Pipeline, lang: str) -> Text:
    ids = pipeline.stage_ids
    at = (
        ids.index(item.stage)
        if item.stage in ids
        else (len(ids) if item.stage == pipeline.done else -1)
    )
    line = Text()
    for n, stage in enumerate(pipeline.stages):
        if n:
            line.append(" → ", style=DIM)
        style = DONE if n < at else ("bold reverse cyan" if n == at else DIM)
        line.append(stage.text(lang), style=style)
    if item.stage in pipeline.ends:
        line.append(" → ", style=DIM)
        line.append(pipeline.state_label(item.stage, lang), style="bold")
    return line


def deadline_lines(item: Item, pipeline: Pipeline, today: date, lang: str) -> Table:
    table = _table(word("deadlines", lang))
    table.add_column(word("stage", lang))
    table.add_column(word("date", lang), no_wrap=True)
    table.add_column(word("days_left", lang))
    for stage, when in sorted(item.deadlines.items(), key=lambda kv: kv[1]):
        table.add_row(
            pipeline.state_label(stage, lang), day(when, lang), days_text((when - today).days, lang)
        )
    return table


def history(item: Item, pipeline: Pipeline, lang: str) -> Table:
    table = _table(word("history", lang))
    table.add_column(word("at", lang), no_wrap=True)
    table.add_column(word("stage", lang), overflow="fold")
    table.add_column(word("by", lang), overflow="fold")
    table.add_column(word("note", lang), overflow="fold", ratio=2)
    for entry in item.history:
        move = Text()
        if entry.source:
            move.append(pipeline.state_label(entry.source, lang), style=DIM)
            move.append(" → ")
        move.append(pipeline.state_label(entry.to, lang))
        note = text(entry.note)
        if entry.forced:
            note.append(f"  [{word('forced', lang)}: {', '.join(entry.skipped)}]", style=OVERDUE)
        table.add_row(_moment(entry.at, lang), move, text(entry.by), note)
    return table


def feedback(item: Item, lang: str) -> Table:
    table = _table(word("feedback", lang))
    table.add_column(word("at", lang), no_wrap=True)
    table.add_column(word("score", lang), justify="right")
    table.add_column("", overflow="fold")
    table.add_column(word("comment", lang), overflow="fold", ratio=2)
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


def _moment(value: object, lang: str) -> Text:
    from datetime import datetime

    if isinstance(value, datetime):
        return Text(day(value.date(), lang) + value.strftime(" %H:%M"))
    return Text("—", style=DIM)


def deadlines_table(
    rows: Sequence[Obligation],
    names: dict[str, str],
    today: date,
    pipelines: dict[str, Pipeline],
    lang: str,
) -> Table:
    table = _table(f"{word('deadlines', lang)} · {word('today', lang)} {day(today, lang)}")
    table.add_column(word("date", lang), no_wrap=True)
    table.add_column(word("days_left", lang), overflow="fold", min_width=5)
    table.add_column(word("id", lang), overflow="fold", style="bold", ratio=2)
    table.add_column(word("what", lang), overflow="fold", ratio=2)
    marked = False
    for o in rows:
        if not marked and o.date >= today:
            marked = True
            if o is not rows[0]:
                table.add_section()
        what = word("due", lang) if o.what == "due" else pipelines[o.kind].state_label(o.what, lang)
        table.add_row(
            Text(day(o.date, lang), style=OVERDUE if o.overdue else ""),
            days_text(o.days_left, lang),
            text(o.id),
            Text(what),
        )
    return table


def findings(rows: Sequence[Finding]) -> Table:
    table = _table()
    table.add_column("", no_wrap=True)
    table.add_column("where", overflow="fold", ratio=1)
    table.add_column("problem", overflow="fold", ratio=3)
    for f in rows:
        where = f.path + (f":{f.line}:{f.column or 1}" if f.line else "")
        style = OVERDUE if f.severity == "error" else SOON
        table.add_row(Text(f.severity, style=style), text(where), text(f.message))
    return table


def stage_counts(rows: Sequence[Summary], pipeline: Pipeline, lang: str) -> Text:
    counts = Counter(s.stage for s in rows)
    line = Text()
    for stage in pipeline.stages:
        if line:
            line.append("  ")
        line.append(f"{stage.text(lang)} ", style=DIM)
        line.append(str(counts.get(stage.id, 0)), style="bold")
    return line


def principle_matrix(items: Sequence[Item], pipeline: Pipeline, lang: str) -> Table:
    """Open items × principles: which principle is neglected across the firm."""
    table = _table(f"{word('principles', lang)} · {pipeline.name.text(lang)}")
    table.add_column(word("id", lang), overflow="fold", style="bold")
    for principle in pipeline.principles:
        table.add_column(principle.text(lang), justify="center", overflow="fold")
    for item in items:
        row = [item.principles.get(p.id, Tick(None)) for p in pipeline.principles]
        table.add_row(text(item.id), *(mark(t, gate=False) for t in row))
    return table
