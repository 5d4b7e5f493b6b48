"""The report and the timeline as rich renderables: tables, horizontal bars, a Gantt chart.

Human output only (JSON is built in analysis.py); nothing here prints or computes a number.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, timedelta
from decimal import Decimal

from rich import box
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from svctrack.domain.analysis import (
    Bar,
    Hours,
    Period,
    Report,
    Stats,
    Timeline,
)
from svctrack.domain.pipeline import GROUPS, Pipeline
from svctrack.output.cells import DIM, text
from svctrack.output.figures import num, pct, recommendation, sentence
from svctrack.output.i18n import day, days_left_words, money, month, term, word
from svctrack.output.tables import Step, column, fitted_table, free, whole
from svctrack.output.text import inert

BAD = "bold red"
GOOD = "green"
ACCENT = "bold cyan"
STAGE_COLOURS = ("blue", "cyan", "magenta", "green", "yellow", "bright_blue", "bright_magenta")
STAGE_GLYPHS = ("░", "▒", "▓", "█")  # denser as an engagement advances; readable without colour
OVERDUE_GLYPH = "×"
EIGHTHS = " ▏▎▍▌▋▊▉"


def bar(value: Decimal | float | int | None, top: Decimal | float | int, width: int) -> str:
    """A horizontal bar of `width` cells at most, in eighths of a cell."""
    if value is None or not top or width <= 0:
        return ""
    eighths = round(float(value) / float(top) * width * 8)
    eighths = max(0, min(eighths, width * 8))
    full, part = divmod(eighths, 8)
    return "█" * full + (EIGHTHS[part] if part else "")


def _grid() -> Table:
    return Table(
        box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False, title_justify="left", expand=False
    )


def _bar_width(width: int, label: int, value: int) -> int:
    return max(8, min(40, width - label - value - 8))


# --- the report ---------------------------------------------------------------------------


def report(
    r: Report,
    pipeline: Pipeline,
    lang: str,
    width: int,
    *,
    heading: str = "",
    service_names: dict[str, str] | None = None,
) -> Group:
    """The monitoring report: key figures overall and per service, bars, the weak spots."""
    names = service_names or {}
    parts: list[RenderableType] = [_heading(r, lang, heading)]
    if r.undated:
        note = word("undated_closed", lang).format(ids=", ".join(r.undated))
        parts.append(text(note, DIM))
    if r.empty:
        parts.append(Text(word("no_closed", lang), style="bold"))
        return Group(*parts)
    o = r.overall
    parts += [Text(), key_figures(r, lang, width)]
    if len(r.modes) > 1 or any(m.id for m in r.modes):
        parts += [Text(), mode_table(r, lang)]
    parts += [Text(), stage_bars(o, pipeline, lang, width)]
    if o.satisfaction.count:
        parts += [Text(), satisfaction_bars(o, lang, width)]
    if pipeline.principles:
        parts += [Text(), principle_bars(o, pipeline, lang, width)]
    parts += [Text(), money_table(r, lang)]
    parts += [Text(), weak_spots(r, pipeline, lang, names)]
    return Group(*parts)


def _heading(r: Report, lang: str, heading: str) -> Text:
    top = Text(word("report", lang), style="bold")
    if heading:
        top.append(" · ")
        top.append_text(text(heading, "bold"))
    if r.service:
        top.append(" · ")
        top.append_text(text(r.service, ACCENT))
    top.append(f"\n{word('period', lang)}: {_period_words(r.period, lang)}", style=DIM)
    top.append(f" · {word('closed_in_period', lang)}: {r.overall.count}", style=DIM)
    top.append(f" · {word('today', lang)} {day(r.today, lang)}", style=DIM)
    return top


def _period_words(period: Period, lang: str) -> str:
    """`2026-01-01 – 2026-06-30`, `… – 2026-06-30`, or `all time`."""
    since, until = period.since, period.until
    if since or until:
        return f"{day(since, lang) if since else '…'} – {day(until, lang) if until else '…'}"
    return word("all_time", lang)


def key_figures(r: Report, lang: str, width: int = 120) -> Table:
    """One row for all, one per service (or per owner, `--by owner`): the numbers to compare
    them by. Numbers are never split: on a narrow terminal the less telling columns go."""
    first = Text(word("overall", lang), style="bold")
    if r.service and r.services and r.by == "service":  # one service: its row is the report
        first = text(r.services[0].name, "bold")
    rows: list[tuple[Text, Stats]] = [(first, r.overall)]
    if r.by == "owner":
        rows += [(text(s.name or word("no_owner", lang)), s.stats) for s in r.owners]
    elif len(r.services) > 1 or r.service is None:
        rows += [(text(s.name), s.stats) for s in r.services]

    def figure(key: str, s: Stats) -> Text:
        if key == "on_time":
            late = s.on_time.rate is not None and s.on_time.late > 0
            return Text(pct(s.on_time.rate, lang), style=BAD if late else GOOD)
        if key == "rework_rate":
            return Text(pct(s.rework.rate, lang), style=BAD if s.rework.count else "")
        value = {
            "closed": s.count,
            "late_mean": s.on_time.late_mean_days,
            "late_max": s.on_time.late_max_days,
            "reworks_mean": s.rework.mean,
            "score": s.satisfaction.score,
            "hours": s.money.hours,
        }[key]
        return Text(str(value) if key == "closed" else num(value, lang))

    def cells(key: str) -> Callable[[tuple[Text, Stats]], Text]:
        return lambda row: figure(key, row[1])

    keys = ("closed", "on_time", "late_mean", "late_max", "rework_rate", "reworks_mean", "score")
    columns = [column("label", word(r.by, lang), (lambda row: row[0], 16), **free(min_width=8))]
    for key in (*keys, "hours"):
        columns.append(column(key, word(key, lang), (cells(key), 8), justify="right", **whole()))
    order = ("closed", "on_time", "score", "rework_rate", "late_mean", "late_max", "reworks_mean")
    steps: list[Step] = [("label", 0), *((key, 0) for key in order), ("hours", 0)]
    table = fitted_table(rows, columns, steps, width)
    table.show_edge = False
    return table


def mode_table(r: Report, lang: str) -> Table:
    """On-time rate and satisfaction by delivery mode: online against offline («как в режиме
    онлайн, так и офлайн»)."""
    table = _grid()
    table.title = Text(word("by_mode", lang), style="bold")
    table.add_column(text(word("mode", lang)), overflow="fold", min_width=8)
    for key in ("closed", "on_time", "late_mean", "score"):
        table.add_column(text(word(key, lang)), justify="right", overflow="fold")
    for m in r.modes:
        s = m.stats
        late = s.on_time.rate is not None and s.on_time.late > 0
        table.add_row(
            text(term("mode", m.id, lang) if m.id else word("no_mode", lang)),
            str(s.count),
            Text(pct(s.on_time.rate, lang), style=BAD if late else GOOD),
            num(s.on_time.late_mean_days, lang),
            num(s.satisfaction.score, lang),
        )
    return table


def _bars(
    title: Text,
    rows: Sequence[tuple[Text, Decimal | None, str, str]],
    top: Decimal | float | int,
    width: int,
    widths: tuple[int, int] | None = None,
) -> Table:
    """Rows of (label, value, value text, style); the bar scaled to `top`. `widths`: the
    labels' and the values' widths, for tables whose bars line up (else those of `rows`)."""
    label_width, value_width = widths or _widths(rows)
    cells = _bar_width(width, min(label_width, 30), value_width)
    table = Table.grid(padding=(0, 1))
    table.title = title
    table.title_justify = "left"
    table.add_column(overflow="fold", max_width=30, min_width=min(label_width, 30))
    table.add_column(no_wrap=True, width=cells)
    table.add_column(no_wrap=True)
    for label, value, shown, style in rows:
        table.add_row(label, Text(bar(value, top, cells), style=style or "cyan"), text(shown))
    return table


def _widths(rows: Sequence[tuple[Text, Decimal | None, str, str]]) -> tuple[int, int]:
    label_width = max((r[0].cell_len for r in rows), default=4)
    return label_width, max((len(r[2]) for r in rows), default=4)


def stage_bars(s: Stats, pipeline: Pipeline, lang: str, width: int) -> Table:
    """Mean days in each stage; the slowest marked. The median follows the mean."""
    top = max((t.mean_days or 0 for t in s.stages), default=0)
    rows = []
    for t in s.stages:
        shown = (
            f"{num(t.mean_days, lang)} · {word('median', lang).lower()} {num(t.median_days, lang)}"
        )
        slowest = t.id == s.slowest and len([x for x in s.stages if x.mean_days]) > 1
        if slowest:
            shown += f"  ◀ {word('slowest', lang)}"
        label = text(pipeline.state_label(t.id, lang), BAD if slowest else "")
        rows.append((label, t.mean_days, shown, BAD if slowest else "cyan"))
    title = Text(word("stage_days", lang), style="bold")
    return _bars(title, rows, top, width)


def satisfaction_bars(s: Stats, lang: str, width: int) -> Table:
    """The mean score and each quality dimension, out of 5; the weakest marked."""
    sat = s.satisfaction
    rows = [
        (
            Text(word("overall_score", lang), style="bold"),
            sat.score,
            f"{num(sat.score, lang)} / 5",
            "bold cyan",
        )
    ]
    for d in sat.dimensions:
        weakest = d.id == sat.weakest
        shown = f"{num(d.mean, lang)} / 5" if d.mean is not None else "—"
        if weakest:
            shown += f"  ◀ {word('weakest', lang)}"
        rows.append(
            (text(word(d.id, lang), BAD if weakest else ""), d.mean, shown, BAD if weakest else "")
        )
    title = Text(f"{word('satisfaction', lang)} ({sat.count})", style="bold")
    return _bars(title, rows, 5, width)


def principle_bars(s: Stats, pipeline: Pipeline, lang: str, width: int) -> Table | Group:
    """Per principle, the share of engagements that honoured it; the least honoured marked;
    by group (general, then delivery), under the group's name when there are two."""
    rows: list[tuple[Text, Decimal | None, str, str]] = []
    groups: list[str] = []
    for p in s.principles.items:
        term = pipeline.principle(p.id)
        groups.append(getattr(term, "group", GROUPS[0]))
        least = p.id == s.principles.least
        assessed = p.honoured + p.not_honoured
        shown = f"{pct(p.rate, lang)} ({p.honoured}/{assessed})" if assessed else ""
        if p.not_honoured:
            shown += f" ✗{p.not_honoured}"
        if p.not_assessed:
            counted = word("not_assessed_n", lang).format(n=p.not_assessed)
            shown += f"{' · ' if shown else ''}{counted}"
        if least:
            shown += f"  ◀ {word('least_honoured', lang)}"
        label = text(term.text(lang) if term else p.id, BAD if least else "")
        rows.append((label, p.rate, shown, BAD if least else GOOD))
    title = Text(
        f"{word('principle_coverage', lang)}: {pct(s.principles.rate, lang)}", style="bold"
    )
    if len(set(groups)) < 2:
        return _bars(title, rows, 1, width)
    widths = _widths(rows)
    tables = [
        _bars(text(word(f"principles_{g}", lang)), found, 1, width, widths)
        for g in GROUPS
        if (found := [r for r, of in zip(rows, groups, strict=True) if of == g])
    ]
    return Group(title, *tables)


def money_table(r: Report, lang: str) -> Table:
    """Revenue by currency, hours against budgets, the effective hourly rate."""
    m = r.overall.money
    table = Table.grid(padding=(0, 2))
    table.title = Text(word("money", lang), style="bold")
    table.title_justify = "left"
    table.add_column(style=DIM, no_wrap=True)
    table.add_column(overflow="fold")
    revenue = " · ".join(money(a, c, lang) for c, a in m.revenue.items()) or "—"
    table.add_row(word("revenue", lang), Text(revenue))
    hours = f"{num(m.hours, lang)} {word('h', lang)}"
    if m.with_budget:
        hours += f" · {word('budget', lang).lower()} {num(m.budget_hours, lang)} {word('h', lang)}"
    table.add_row(word("hours", lang), Text(hours))
    over = f"{m.over_budget} / {m.with_budget}"
    if m.over_budget:
        over += f" (+{num(m.over_hours, lang)} {word('h', lang)})"
    table.add_row(word("over_budget", lang), Text(over, style=BAD if m.over_budget else ""))
    rates = " · ".join(money(a, c, lang) + word("per_hour", lang) for c, a in m.rates.items())
    table.add_row(word("rate", lang), Text(rates or "—"))
    return table


def weak_spots(r: Report, pipeline: Pipeline, lang: str, names: dict[str, str]) -> Group:
    """Each weak spot as a sentence with its numbers, and beneath it what to do about it."""
    lines: list[RenderableType] = [Text(word("weak_spots", lang), style="bold")]
    if not r.findings:
        lines.append(Text(word("no_weak_spots", lang), style=GOOD))
        return Group(*lines)
    table = Table.grid(padding=(0, 1))
    table.add_column(no_wrap=True, width=1)
    table.add_column(overflow="fold")
    for f in r.findings:
        line = text(sentence(f, pipeline, lang, names))
        advice = recommendation(f, pipeline, lang, names)
        if advice:
            line.append(f"\n→ {word('recommendation', lang)}: ", style=GOOD)
            line.append_text(text(advice))
        table.add_row(Text("•", style=BAD), line)
    lines.append(table)
    return Group(*lines)


# --- hours by period ------------------------------------------------------------------------


def hours_report(h: Hours, lang: str, *, heading: str = "") -> Group:
    """`report --hours`: hours logged in the period per person, service or client; then the
    budget burn of the open engagements, the over-budget ones named."""
    top = Text(word("hours_report", lang), style="bold")
    if heading:
        top.append(" · ")
        top.append_text(text(heading, "bold"))
    top.append(f"\n{word('period', lang)}: {_period_words(h.period, lang)}", style=DIM)
    top.append(f" · {word('today', lang)} {day(h.today, lang)}", style=DIM)
    parts: list[RenderableType] = [top, Text()]
    if h.groups:
        table = _grid()
        label = {"owner": "logged_by", "service": "service", "client": "client"}[h.by]
        table.add_column(text(word(label, lang)), overflow="fold", min_width=8)
        table.add_column(text(word("hours", lang)), justify="right", no_wrap=True)
        table.add_column(text(word("entries", lang)), justify="right", no_wrap=True)
        table.add_column(text(word("items", lang)), overflow="fold")
        none = {"owner": "no_owner", "service": "none", "client": "no_client"}[h.by]
        for g in h.groups:
            table.add_row(
                text(g.key or word(none, lang)),
                num(g.hours, lang),
                str(g.entries),
                text(", ".join(g.items)),
            )
        table.add_row(
            Text(word("total", lang), style="bold"),
            Text(num(h.total, lang), style="bold"),
            Text(str(h.entries), style="bold"),
            "",
        )
        parts.append(table)
    else:
        parts.append(Text(word("no_hours", lang)))
    parts.append(Text())
    parts.append(burn_table(h, lang))
    return Group(*parts)


def burn_table(h: Hours, lang: str) -> RenderableType:
    """Hours against budget of each open engagement with a budget, the most burnt first."""
    if not h.burn:
        return Text(word("no_budgets", lang), style=DIM)
    table = _grid()
    table.title = Text(word("budget_burn", lang), style="bold")
    table.add_column(text(word("id", lang)), overflow="fold")
    table.add_column(text(word("client", lang)), overflow="fold")
    table.add_column(text(word("hours", lang)), justify="right", no_wrap=True)
    table.add_column(text(word("budget", lang)), justify="right", no_wrap=True)
    table.add_column(text(word("burn", lang)), justify="right", no_wrap=True)
    for b in h.burn:
        e = b.effort
        table.add_row(
            text(b.id, BAD if e.over_budget else ""),
            text(b.client),
            num(e.hours, lang),
            num(e.budget, lang),
            Text(pct(e.burn, lang), style=BAD if e.over_budget else ""),
        )
    over = h.over_budget
    if not over:
        return table
    named = word("over_budget_named", lang).format(
        ids=", ".join(f"{b.id} (+{num(b.effort.over_by, lang)} {word('h', lang)})" for b in over)
    )
    return Group(table, text(named, BAD))


def as_text(renderable: RenderableType, width: int = 100) -> str:
    """A renderable as plain text for a file (`report -o FILE`): no colour, no trailing spaces."""
    import io

    from rich.console import Console

    console = Console(
        file=io.StringIO(),
        width=width,
        color_system=None,
        highlight=False,
        markup=False,
        emoji=False,
        soft_wrap=False,
    )
    with console.capture() as captured:
        console.print(renderable)
    return "\n".join(line.rstrip() for line in captured.get().split("\n"))


# --- the timeline -------------------------------------------------------------------------


def timeline(t: Timeline, pipeline: Pipeline, lang: str, width: int) -> Group:
    """A Gantt chart: one row per open engagement, a bar from start to due in its stage's
    glyph and colour, a line where today falls, the overdue part marked ×, fitted to `width`."""
    title = Text(word("timeline", lang), style="bold")
    title.append(f" · {day(t.start, lang)} – {day(t.end, lang)}", style=DIM)
    title.append(f" · {word('today', lang)} {day(t.today, lang)}", style=DIM)
    if not t.bars:
        return Group(title, Text(word("no_open_engagements", lang)))
    right = [days_left_words(b.days_left, b.overdue, lang) for b in t.bars]
    right_width = max(len(r) for r in right)
    label_width = max(len(b.id) for b in t.bars)  # an id is never cut
    chart = width - label_width - right_width - 2
    if chart < 12:  # too narrow for the days column: the chart comes first
        right_width, chart = 0, width - label_width - 1
    chart = max(chart, 4)
    scale = _Scale(t.start, t.days, chart)
    lines: list[RenderableType] = [title, Text()]
    pad = " " * (label_width + 1)
    lines.append(Text(pad) + _months(t, scale, lang))
    lines.append(Text(pad) + _ticks(t, scale))
    for b, r in zip(t.bars, right, strict=True):
        line = _fit_label(b.id, label_width, BAD if b.overdue else "bold")
        line.append(" ")
        line.append_text(_bar_cells(b, t, scale, pipeline))
        if right_width:
            line.append(" ")
            line.append(r.rjust(right_width), style=BAD if b.overdue else DIM)
        lines.append(line)
    lines.append(Text())
    lines.append(_legend(pipeline, lang))
    return Group(*lines)


class _Scale:
    """Days to columns: the chart spans `days` days over `cells` columns."""

    def __init__(self, start: date, days: int, cells: int) -> None:
        self.start, self.days, self.cells = start, days, cells

    def col(self, when: date) -> int:
        """The column of a day; may fall outside 0..cells-1."""
        return (when - self.start).days * self.cells // self.days


def _fit_label(value: str, width: int, style: str) -> Text:
    shown = inert(value)
    if len(shown) > width:
        shown = shown[: width - 1] + "…"
    return Text(shown.ljust(width), style=style)


def _months(t: Timeline, scale: _Scale, lang: str) -> Text:
    """Month names over the columns of their month: each label lies within its own month's
    columns, the widest months first, so that no month is named over another's columns (a
    chart that starts on 29 November says December, not November). Where months are too
    narrow for any label (a chart of years), a label starts where its month begins."""
    spans = []  # (first column, end column, label) of each month on the chart
    current = date(t.start.year, t.start.month, 1)
    while current <= t.end:
        following = date(current.year + current.month // 12, current.month % 12 + 1, 1)
        first, end = max(0, scale.col(current)), min(scale.cells, scale.col(following))
        label = month(current.month, lang) + (f" {current.year}" if current.month == 1 else "")
        spans.append((first, end, label, current >= t.start))
        current = following
    cells = [" "] * scale.cells
    taken = [False] * (scale.cells + 1)

    def place(col: int, label: str) -> None:
        cells[col : col + len(label)] = list(label)
        taken[max(col - 1, 0) : col + len(label) + 1] = [True] * (len(label) + 1 + (col > 0))

    def free(col: int, label: str) -> bool:
        return col + len(label) <= scale.cells and not any(taken[col : col + len(label)])

    for first, end, label, _ in sorted(spans, key=lambda s: s[0] - s[1]):  # widest first
        if end - first >= len(label) and free(first, label):
            place(first, label)
    if not any(c != " " for c in cells):
        for first, _, label, begins in spans:
            if begins and free(first, label):
                place(first, label)
    return Text("".join(cells), style=DIM)


def _ticks(t: Timeline, scale: _Scale) -> Text:
    """The day of each Monday where it fits, and ▼ over today."""
    cells = [" "] * scale.cells
    now = scale.col(t.today) if t.start <= t.today <= t.end else None
    monday = t.start + timedelta(days=(7 - t.start.weekday()) % 7)
    free = 0
    while monday <= t.end:
        col = scale.col(monday)
        label = f"{monday.day:02d}"
        clear = now is None or not col - 1 <= now <= col + len(label)
        if clear and col >= free and col + len(label) <= scale.cells:
            cells[col : col + len(label)] = list(label)
            free = col + len(label) + 1
        monday += timedelta(weeks=1)
    line = Text("".join(cells), style=DIM)
    if now is not None:
        line = line[:now] + Text("▼", style=ACCENT) + line[now + 1 :]
    return line


def _bar_cells(b: Bar, t: Timeline, scale: _Scale, pipeline: Pipeline) -> Text:
    """The row of one engagement: its bar, the overdue stretch up to today, today's line."""
    ids = pipeline.stage_ids
    at = ids.index(b.stage) if b.stage in ids else 0
    glyph = STAGE_GLYPHS[min(at, len(STAGE_GLYPHS) - 1)]
    style = BAD if b.overdue else STAGE_COLOURS[at % len(STAGE_COLOURS)]
    cells: list[tuple[str, str]] = [(" ", "")] * scale.cells
    if b.start is not None and b.due is not None:
        if b.overdue:
            for col in _span(b.due + timedelta(days=1), t.today, t, scale):
                cells[col] = (OVERDUE_GLYPH, BAD)
        covered = _span(b.start, b.due, t, scale)
        for col in covered:
            cells[col] = (glyph, style)
        if covered and b.start < t.start:
            cells[0] = ("◀", style)
        if covered and b.due > t.end:
            cells[-1] = ("▶", style)
    line = Text()
    for glyph_, style_ in cells:
        line.append(glyph_, style=style_)
    now = scale.col(t.today) if t.start <= t.today <= t.end else None
    return _today(line, now)


def _span(first: date, last: date, t: Timeline, scale: _Scale) -> range:
    """The columns that show the days first..last, clipped to the chart."""
    if last < t.start or first > t.end or last < first:
        return range(0)
    return range(scale.col(max(first, t.start)), scale.col(min(last, t.end)) + 1)


def _today(line: Text, now: int | None) -> Text:
    if now is None or now >= len(line):
        return line
    if line.plain[now] == " ":
        return line[:now] + Text("│", style=ACCENT) + line[now + 1 :]
    line.stylize("reverse", now, now + 1)
    return line


def _legend(pipeline: Pipeline, lang: str) -> Text:
    legend = Text()
    for n, stage in enumerate(pipeline.stages):
        glyph = STAGE_GLYPHS[min(n, len(STAGE_GLYPHS) - 1)]
        legend.append(glyph * 2, style=STAGE_COLOURS[n % len(STAGE_COLOURS)])
        legend.append(" ")
        legend.append_text(text(stage.text(lang)))
        legend.append("  ")
    legend.append(f"{OVERDUE_GLYPH} {word('overdue', lang)}", style=BAD)
    legend.append("  ")
    legend.append(word("legend_today", lang), style=ACCENT)
    legend.append("  ")
    legend.append(word("legend_clipped", lang), style=DIM)
    return legend
