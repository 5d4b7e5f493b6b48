"""The workspace as a static HTML site: an index (status, board, timeline, report) and a page
per item.

Every page is one self-contained file: the CSS inline, the charts inline SVG, no script, no font,
no image, no request to anywhere (a Content-Security-Policy tells the browser so); the links
between pages are relative, so the site works from file:// as from any web server, and it prints
(`@media print`). Every piece of user text passes `client_report.escape`. Nothing here reads or
writes a file: `usecases.site` does.

Internal figures (price, contract, hours, budget, rate, revenue) appear only on an internal
site; a site for clients or the whole company leaves them out.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from svctrack.domain.analysis import Report, Timeline
from svctrack.domain.model import Item, Tick
from svctrack.domain.pipeline import Pipeline
from svctrack.domain.queries import (
    SOON_DAYS,
    Board,
    Card,
    Summary,
    due_within,
    gate_rows,
    obligations,
    principle_groups,
    principle_rows,
    sort_key,
    summarize,
)
from svctrack.output.client_report import effort_rows, escape, forced_note, steps
from svctrack.output.figures import figure_words, num, pct, recommendation, sentence
from svctrack.output.i18n import (
    counts_line,
    day,
    days,
    days_left_words,
    days_overdue,
    fill,
    history_note,
    initials,
    money,
    month,
    term,
    word,
)

ITEMS = "items"  # the folder of item pages, beside index.html
INTERNAL_CODES = ("service_rate", "over_budget")  # weak spots that quote money or hours
ATTENTION_ROWS = 30  # the index's list of overdue and soon-due items stays this short

e = escape

CSS = """
:root { --ink: #1d2329; --muted: #5b6570; --line: #d8dde3; --soft: #f4f6f8; --late: #b3261e;
  --soon: #8a5a00; --done: #1f6b33; --accent: #2f6fb3; }
* { box-sizing: border-box; }
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial,
  sans-serif; color: var(--ink); background: #fff; margin: 0 auto; max-width: 78rem;
  padding: 1.5rem; }
a { color: var(--accent); }
h1 { font-size: 1.7rem; margin: 0 0 .2rem; line-height: 1.2; overflow-wrap: anywhere; }
h2 { font-size: 1.25rem; margin: 2rem 0 .7rem; padding-bottom: .25rem;
  border-bottom: 1px solid var(--line); break-after: avoid; }
h3 { font-size: 1.05rem; margin: 1.2rem 0 .5rem; break-after: avoid; }
.sub, .muted { color: var(--muted); }
.late { color: var(--late); font-weight: 600; }
.soon { color: var(--soon); }
.ok { color: var(--done); }
table { border-collapse: collapse; width: 100%; margin: .3rem 0 .8rem; }
th, td { text-align: left; vertical-align: top; padding: .3rem .5rem;
  border-bottom: 1px solid var(--line); overflow-wrap: break-word; }
th { font-weight: 600; color: var(--muted); font-size: .85rem; }
td.num, th.num { text-align: right; white-space: nowrap; }
.id { white-space: nowrap; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .25rem 1.2rem; margin: 0; }
dl.facts dt { color: var(--muted); }
dl.facts dd { margin: 0; overflow-wrap: break-word; min-width: 0; }
ol.steps { list-style: none; padding: 0; margin: .3rem 0; display: flex; flex-wrap: wrap;
  gap: .4rem; }
ol.steps li { border: 1px solid #c9d0d7; border-radius: 3px; padding: .15rem .55rem;
  color: var(--muted); }
ol.steps li.done { border-color: #7fb48a; color: var(--done); }
ol.steps li.current { border-color: var(--accent); color: #fff; background: var(--accent); }
ol.steps li.stopped { border-color: var(--late); color: var(--late); }
footer { margin-top: 2.5rem; color: var(--muted); font-size: .85rem; }
@media (max-width: 48rem) {
  body { padding: .8rem; }
  dl.facts { grid-template-columns: 1fr; }
  dl.facts dd { margin-bottom: .4rem; }
}
@media print {
  @page { size: A4; margin: 12mm; }
  body { max-width: none; padding: 0; font-size: 10pt; }
  nav { display: none; }
  a { color: inherit; text-decoration: none; }
  ol.steps li.current { print-color-adjust: exact; -webkit-print-color-adjust: exact; }
  tr { break-inside: avoid; }
}
""".strip()

# Only the index has a board and charts; item pages (thousands) carry the CSS above alone.
INDEX_CSS = """
h4 { font-size: .95rem; margin: 0 0 .4rem; }
nav ul { list-style: none; padding: 0; margin: .6rem 0 0; display: flex; flex-wrap: wrap;
  gap: .4rem 1.2rem; }
.badge { display: inline-block; border: 1px solid currentColor; border-radius: 3px;
  padding: 0 .3rem; font-size: .8rem; font-weight: 600; }
.board { display: grid; grid-template-columns: repeat(var(--lanes), minmax(9.5rem, 1fr));
  gap: .6rem; align-items: start; overflow-x: auto; }
.lane { background: var(--soft); border-radius: 4px; padding: .6rem; min-width: 0; }
.lane ol { list-style: none; padding: 0; margin: 0; }
.card { background: #fff; border: 1px solid var(--line); border-left: 4px solid var(--accent);
  border-radius: 3px; padding: .45rem .55rem; margin-bottom: .5rem; break-inside: avoid;
  font-size: .9rem; }
.card.overdue { border-left-color: var(--late); }
.card .id { font-weight: 600; white-space: normal; }
.card p { margin: .1rem 0; overflow-wrap: anywhere; }
.card .meta { display: flex; flex-wrap: wrap; justify-content: space-between; gap: 0 .5rem;
  color: var(--muted); }
abbr { text-decoration: none; }
figure { margin: 1rem 0; }
figcaption { font-weight: 600; margin-bottom: .3rem; }
svg { max-width: 100%; height: auto; font: 12px system-ui, -apple-system, "Segoe UI", Roboto,
  Arial, sans-serif; }
svg text { fill: var(--ink); }
svg .muted { fill: var(--muted); }
svg .late { fill: var(--late); }
.chart { overflow-x: auto; }
ul.weak li { margin: .2rem 0; }
@media (max-width: 48rem) { .board { grid-template-columns: 1fr; } }
@media print {
  @page { size: A4 landscape; }
  .board { grid-template-columns: repeat(var(--lanes), 1fr); overflow: visible; }
  .lane, .card, svg { print-color-adjust: exact; -webkit-print-color-adjust: exact; }
  figure { break-inside: avoid; }
}
""".strip()

STAGE_COLOURS = ("#4e79a7", "#59a14f", "#b07aa1", "#76b7b2", "#e0a526", "#9c755f", "#7f8c99")
LATE = "#b3261e"


def page(title: str, lang: str, body: Iterable[str], *, css: str = CSS) -> str:
    """A whole HTML document."""
    head = [
        "<!DOCTYPE html>",
        f'<html lang="{e(lang)}">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta http-equiv="Content-Security-Policy" '
        "content=\"default-src 'none'; style-src 'unsafe-inline'\">",
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta name="generator" content="svctrack">',
        '<meta name="referrer" content="no-referrer">',
        f"<title>{e(title)}</title>",
        f"<style>\n{css}\n</style>",
        "</head>",
        "<body>",
    ]
    return "\n".join([*head, *body, "</body>", "</html>", ""])


def _href(item_id: str, here: str) -> str:
    """The link to an item's page from the index (`here` = "") or from another item page."""
    return f"{item_id}.html" if here == ITEMS else f"{ITEMS}/{item_id}.html"


def _id_link(item_id: str, here: str = "") -> str:
    return f'<a href="{e(_href(item_id, here))}">{e(item_id)}</a>'


def _days_left(days_left: int | None, overdue: bool, lang: str) -> str:
    """`5d` or `6d overdue` (marked), as HTML."""
    if days_left is None:
        return '<span class="muted">—</span>'
    if overdue:
        return f'<span class="late">{e(days_overdue(-days_left, lang))}</span>'
    if days_left == 0:
        return f'<span class="soon">{e(word("today", lang))}</span>'
    css = ' class="soon"' if days_left <= SOON_DAYS else ""
    return f"<span{css}>{e(days(days_left, lang))}</span>"


def _next(s: Summary, pipeline: Pipeline, today: date, lang: str) -> str:
    if not s.is_open or s.next_deadline is None:
        return '<span class="muted">—</span>'
    cell = _days_left((s.next_deadline - today).days, s.overdue, lang)
    if s.next_what != "due":
        cell += f' <span class="muted">· {e(pipeline.state_label(s.next_what, lang))}</span>'
    return cell


def _table(heads: Sequence[str], rows: Iterable[Sequence[str]], *, nums: Iterable[int] = ()) -> str:
    """A table; `heads` and the cells are HTML already (escaped by the caller)."""
    right = set(nums)
    out = ["<table>", "<thead><tr>"]
    for n, head in enumerate(heads):
        css = ' class="num"' if n in right else ""
        out.append(f'<th scope="col"{css}>{head}</th>')
    out.append("</tr></thead><tbody>")
    numeric = ' class="num"'
    for row in rows:
        cells = "".join(
            f"<td{numeric if n in right else ''}>{cell}</td>" for n, cell in enumerate(row)
        )
        out.append(f"<tr>{cells}</tr>")
    out.append("</tbody></table>")
    return "\n".join(out)


def _facts(rows: Iterable[tuple[str, str]]) -> str:
    """A definition list; values are HTML already."""
    inner = "".join(f"<dt>{e(k)}</dt><dd>{v}</dd>" for k, v in rows if v)
    return f'<dl class="facts">{inner}</dl>'


# --- the index --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Overview:
    """What the index shows."""

    firm: str
    lang: str
    today: date
    pipelines: dict[str, Pipeline]
    boards: dict[str, Board]  # kind → its board
    timeline: Timeline
    report: Report
    service_names: dict[str, str]
    archived: int  # closed and cancelled items, listed on archive.html
    internal: bool = False


def index_page(o: Overview) -> str:
    lang = o.lang
    title = o.firm or word("dashboard", lang)
    body = [
        "<header>",
        f"<h1>{e(title)}</h1>",
        f'<p class="sub">{e(word("dashboard", lang))} · {e(word("today", lang))} '
        f'<time datetime="{o.today.isoformat()}">{e(day(o.today, lang))}</time></p>',
        '<nav aria-label="sections"><ul>',
        f'<li><a href="#status">{e(word("status", lang))}</a></li>',
        f'<li><a href="#board">{e(word("board", lang))}</a></li>',
        f'<li><a href="#timeline">{e(word("timeline", lang))}</a></li>',
        f'<li><a href="#report">{e(word("report", lang))}</a></li>',
        f'<li><a href="archive.html">{e(word("archive", lang))} ({o.archived})</a></li>',
        "</ul></nav>",
        "</header>",
        "<main>",
        _status(o),
        _boards(o),
        _timeline_section(o),
        _report_section(o),
        "</main>",
        _footer(o.today, lang),
    ]
    return page(title, lang, body, css=f"{CSS}\n{INDEX_CSS}")


def _footer(today: date, lang: str) -> str:
    return f"<footer>{e(word('generated', lang).format(date=day(today, lang)))}</footer>"


def _status(o: Overview) -> str:
    lang = o.lang
    cards = {kind: b.cards for kind, b in o.boards.items()}
    engagements = cards.get("engagement", [])
    services = cards.get("service", [])
    every = [c.summary for c in [*engagements, *services]]
    overdue = sum(s.overdue for s in every)
    soon = sum(due_within(s, o.today, SOON_DAYS) for s in every)
    line = counts_line(len(engagements), len(services), overdue, soon, lang)
    out = [
        '<section id="status" aria-labelledby="status-h">',
        f'<h2 id="status-h">{e(word("status", lang))}</h2>',
        f'<p class="{"late" if overdue else ""}">{e(line)}</p>',
    ]
    for kind, b in o.boards.items():
        parts = " · ".join(f"{e(lane.stage.text(lang))} {len(lane.cards)}" for lane in b.lanes)
        label = word("engagements" if kind == "engagement" else "services", lang)
        out.append(f"<p>{e(label)} — {e(word('by_stage', lang))}: {parts}</p>")
    urgent = sorted(
        (s for s in every if s.overdue or due_within(s, o.today, SOON_DAYS)), key=sort_key
    )
    out.append(f"<h3>{e(word('attention', lang))}</h3>")
    if not urgent:
        out.append(f'<p class="ok">{e(word("nothing_urgent", lang))}</p>')
    else:
        rows = []
        for s in urgent[:ATTENTION_ROWS]:
            pipeline = o.pipelines[s.kind]
            who = s.client if s.kind == "engagement" else s.name
            rows.append(
                [
                    f'<span class="id">{_id_link(s.id)}</span>',
                    e(pipeline.name.text(lang)),
                    e(who),
                    e(pipeline.state_label(s.stage, lang)),
                    e(day(s.next_deadline, lang)),
                    _next(s, pipeline, o.today, lang),
                ]
            )
        heads = [
            e(word(k, lang))
            for k in ("id", "kind", "client", "stage", "next_deadline", "days_left")
        ]
        out.append(_table(heads, rows))
        hidden = len(urgent) - ATTENTION_ROWS
        if hidden > 0:
            out.append(f'<p class="muted">{e(word("on_board_more", lang).format(n=hidden))}</p>')
    out.append("</section>")
    return "\n".join(out)


def _boards(o: Overview) -> str:
    lang = o.lang
    out = [
        '<section id="board" aria-labelledby="board-h">',
        f'<h2 id="board-h">{e(word("board", lang))}</h2>',
    ]
    for kind, b in o.boards.items():
        label = word("engagements" if kind == "engagement" else "services", lang)
        out.append(f"<h3>{e(label)} ({len(b.cards)})</h3>")
        out.append(board_html(b, o.pipelines[kind], o.today, lang))
    out.append(f'<p class="muted">{e(word("board_legend_html", lang))}</p>')
    out.append("</section>")
    return "\n".join(out)


def board_html(b: Board, pipeline: Pipeline, today: date, lang: str) -> str:
    """One lane per stage, each card most urgent first."""
    out = [f'<div class="board" style="--lanes: {max(len(b.lanes), 1)}">']
    for lane in b.lanes:
        out.append('<section class="lane">')
        out.append(
            f'<h4>{e(lane.stage.text(lang))} <span class="muted">{len(lane.cards)}</span></h4>'
        )
        out.append("<ol>")
        out.extend(_card(c, pipeline, today, lang) for c in lane.cards)
        out.append("</ol></section>")
    out.append("</div>")
    if b.elsewhere:
        ids = ", ".join(_id_link(c.summary.id) for c in b.elsewhere)
        out.append(f'<p class="late">{e(word("elsewhere", lang).format(ids=""))}{ids}</p>')
    return "\n".join(out)


def _card(c: Card, pipeline: Pipeline, today: date, lang: str) -> str:
    s = c.summary
    who = s.client if s.kind == "engagement" else s.name
    late = f' <span class="badge late">{e(word("overdue", lang))}</span>' if s.overdue else ""
    lines = [f'<li class="card{" overdue" if s.overdue else ""}">']
    lines.append(f'<p class="id">{_id_link(s.id)}{late}</p>')
    if who:
        lines.append(f"<p>{e(who)}</p>")
    if s.due:
        lines.append(
            f'<p class="muted">{e(word("due_on", lang).format(date=day(s.due, lang)))}</p>'
        )
    if s.next_deadline:
        lines.append(f"<p>{_next(s, pipeline, today, lang)}</p>")
    owner = f'<abbr title="{e(c.owner)}">{e(initials(c.owner))}</abbr>' if c.owner else ""
    gates = ""
    if c.gates:
        text = fill("gates_open", lang, n=c.open_gates, of=c.gates)
        css = "soon" if c.open_gates else "ok"
        gates = f'<span class="{css}">{"○" if c.open_gates else "✓"} {e(text)}</span>'
    if owner or gates:
        lines.append(f'<p class="meta"><span>{owner}</span>{gates}</p>')
    lines.append("</li>")
    return "".join(lines)


# --- the timeline (a Gantt chart in SVG) ------------------------------------------------------

_W = 1000
_LABEL = 210
_RIGHT = 110
_ROW = 18
_TOP = 36


def _x(when: date, t: Timeline) -> float:
    return _LABEL + (when - t.start).days * (_W - _LABEL - _RIGHT) / t.days


def _fit(value: str, limit: int) -> str:
    return value if len(value) <= limit else value[: limit - 1] + "…"


def gantt(t: Timeline, pipeline: Pipeline, lang: str) -> str:
    """Open engagements from start to due over the timeline's weeks: the bar in its stage's
    colour, the overdue stretch hatched red up to today, a line where today is."""
    if not t.bars:
        return f"<p>{e(word('no_open_engagements', lang))}</p>"
    height = _TOP + _ROW * len(t.bars) + 8
    title = f"{word('timeline', lang)}: {day(t.start, lang)} – {day(t.end, lang)}"
    out = [
        f'<svg role="img" aria-labelledby="gantt-t" viewBox="0 0 {_W} {height}" '
        f'width="{_W}" height="{height}">',
        f'<title id="gantt-t">{e(title)}</title>',
        '<defs><pattern id="late" width="6" height="6" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)"><rect width="3" height="6" fill="#b3261e"/></pattern>'
        "</defs>",
    ]
    right = _W - _RIGHT
    current = date(t.start.year, t.start.month, 1)
    while current <= t.end:  # months
        x = max(_x(current, t), _LABEL)
        name = month(current.month, lang) + (f" {current.year}" if current.month == 1 else "")
        out.append(f'<text x="{x + 2:.1f}" y="12" class="muted">{e(name)}</text>')
        current = date(current.year + current.month // 12, current.month % 12 + 1, 1)
    monday = t.start + timedelta(days=(7 - t.start.weekday()) % 7)
    while monday <= t.end:  # weeks
        x = _x(monday, t)
        out.append(
            f'<line x1="{x:.1f}" y1="18" x2="{x:.1f}" y2="{height}" stroke="#e6e9ed"/>'
            f'<text x="{x + 2:.1f}" y="29" class="muted">{monday.day:02d}</text>'
        )
        monday += timedelta(weeks=1)
    ids = pipeline.stage_ids
    for n, b in enumerate(t.bars):
        y = _TOP + n * _ROW
        colour = STAGE_COLOURS[(ids.index(b.stage) if b.stage in ids else 0) % 7]
        css = ' class="late"' if b.overdue else ""
        out.append(
            f'<a href="{e(_href(b.id, ""))}"><text x="4" y="{y + 12}"{css}>'
            f"{e(_fit(b.id, 30))}<title>{e(b.id)} — {e(b.client or b.name)}</title></text></a>"
        )
        if b.start is not None and b.due is not None:
            first, last = max(b.start, t.start), min(b.due, t.end)
            if b.overdue and b.due < t.end and t.today >= t.start:
                late_from = max(b.due + timedelta(days=1), t.start)
                late_to = min(t.today, t.end) + timedelta(days=1)
                if late_to > late_from:
                    x1, x2 = _x(late_from, t), _x(late_to, t)
                    out.append(
                        f'<rect x="{x1:.1f}" y="{y + 3}" width="{x2 - x1:.1f}" height="{_ROW - 6}"'
                        ' fill="url(#late)"/>'
                    )
            if first <= last:
                x1, x2 = _x(first, t), _x(last + timedelta(days=1), t)
                tip = f"{b.id}: {day(b.start, lang)} – {day(b.due, lang)}, " + (
                    pipeline.state_label(b.stage, lang)
                )
                out.append(
                    f'<rect x="{x1:.1f}" y="{y + 3}" width="{max(x2 - x1, 1):.1f}" '
                    f'height="{_ROW - 6}" rx="2" fill="{LATE if b.overdue else colour}">'
                    f"<title>{e(tip)}</title></rect>"
                )
                if b.start < t.start:
                    out.append(f'<text x="{_LABEL - 10}" y="{y + 12}" class="muted">◀</text>')
                if b.due > t.end:
                    out.append(f'<text x="{right + 2}" y="{y + 12}" class="muted">▶</text>')
        left = days_left_words(b.days_left, b.overdue, lang)
        out.append(f'<text x="{_W - 4}" y="{y + 12}" text-anchor="end"{css}>{e(left)}</text>')
    if t.start <= t.today <= t.end:
        x = _x(t.today, t) + (_x(t.today + timedelta(days=1), t) - _x(t.today, t)) / 2
        out.append(
            f'<line x1="{x:.1f}" y1="16" x2="{x:.1f}" y2="{height}" stroke="{"#2f6fb3"}" '
            'stroke-width="2"/>'
        )
    out.append("</svg>")
    legend = " · ".join(
        f'<span style="color: {STAGE_COLOURS[n % 7]}">■</span> {e(stage.text(lang))}'
        for n, stage in enumerate(pipeline.stages)
    )
    legend += f' · <span class="late">■ {e(word("overdue", lang))}</span>'
    legend += f' · <span style="color: #2f6fb3">│</span> {e(word("today", lang))}'
    return f'<div class="chart">{"".join(out)}</div>\n<p class="muted">{legend}</p>'


def _timeline_section(o: Overview) -> str:
    lang = o.lang
    t = o.timeline
    span = f"{day(t.start, lang)} – {day(t.end, lang)}"
    return "\n".join(
        [
            '<section id="timeline" aria-labelledby="timeline-h">',
            f'<h2 id="timeline-h">{e(word("timeline", lang))}</h2>',
            f'<p class="muted">{e(span)}</p>',
            gantt(t, o.pipelines["engagement"], lang),
            "</section>",
        ]
    )


# --- the report (bar charts in SVG) -----------------------------------------------------------


@dataclass(frozen=True)
class BarRow:
    label: str
    value: float | None
    shown: str
    marked: bool = False  # the slowest, the weakest: in red


def bar_chart(caption: str, rows: Sequence[BarRow], top: float, chart_id: str) -> str:
    """Horizontal bars scaled to `top`, with their labels and values, as a figure."""
    label_w, value_w, width, row = 250, 230, 760, 22
    span = width - label_w - value_w
    height = row * len(rows) + 6
    out = [
        f'<figure aria-labelledby="{chart_id}">',
        f'<figcaption id="{chart_id}">{e(caption)}</figcaption>',
        f'<svg role="img" aria-labelledby="{chart_id}" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}">',
    ]
    for n, r in enumerate(rows):
        y = n * row
        css = ' class="late"' if r.marked else ""
        out.append(
            f'<text x="{label_w - 8}" y="{y + 15}" text-anchor="end"{css}>{e(_fit(r.label, 38))}'
            f"<title>{e(r.label)}</title></text>"
        )
        out.append(
            f'<rect x="{label_w}" y="{y + 4}" width="{span}" height="{row - 8}" fill="#eef1f4"/>'
        )
        if r.value is not None and top:
            length = max(0.0, min(r.value / top, 1.0)) * span
            colour = LATE if r.marked else "#2f6fb3"
            out.append(
                f'<rect x="{label_w}" y="{y + 4}" width="{length:.1f}" height="{row - 8}" '
                f'fill="{colour}"/>'
            )
        out.append(f'<text x="{label_w + span + 8}" y="{y + 15}"{css}>{e(r.shown)}</text>')
    out.append("</svg></figure>")
    return "\n".join(out)


def _report_section(o: Overview) -> str:
    lang = o.lang
    r = o.report
    pipeline = o.pipelines["engagement"]
    out = [
        '<section id="report" aria-labelledby="report-h">',
        f'<h2 id="report-h">{e(word("report", lang))}</h2>',
        f'<p class="muted">{e(word("period", lang))}: {e(word("all_time", lang))} · '
        f"{e(word('closed_in_period', lang))}: {r.overall.count}</p>",
    ]
    if r.empty:
        out += [f"<p>{e(word('no_closed', lang))}</p>", "</section>"]
        return "\n".join(out)
    s = r.overall
    figures = [
        (word("closed", lang), str(s.count)),
        (word("on_time", lang), pct(s.on_time.rate, lang)),
        (word("late_mean", lang), num(s.on_time.late_mean_days, lang)),
        (word("rework_rate", lang), pct(s.rework.rate, lang)),
        (word("score", lang), num(s.satisfaction.score, lang)),
    ]
    if o.internal:
        m = s.money
        revenue = " · ".join(money(a, c, lang) for c, a in m.revenue.items()) or "—"
        figures += [
            (word("revenue", lang), revenue),
            (word("hours", lang), f"{num(m.hours, lang)} {word('h', lang)}"),
        ]
        rates = " · ".join(money(a, c, lang) + word("per_hour", lang) for c, a in m.rates.items())
        figures.append((word("rate", lang), rates or "—"))
    out.append(f"<h3>{e(word('key_figures', lang))}</h3>")
    out.append(_facts((k, e(v)) for k, v in figures))
    timed = [t for t in s.stages if t.mean_days is not None]
    if timed:
        top = float(max(t.mean_days or 0 for t in timed))
        rows = [
            BarRow(
                pipeline.state_label(t.id, lang),
                float(t.mean_days) if t.mean_days is not None else None,
                f"{num(t.mean_days, lang)} · {word('median', lang).lower()} "
                f"{num(t.median_days, lang)}",
                t.id == s.slowest and len(timed) > 1,
            )
            for t in s.stages
        ]
        out.append(bar_chart(word("stage_days", lang), rows, top, "chart-stages"))
    sat = s.satisfaction
    if sat.count:
        rows = [BarRow(word("overall_score", lang), _f(sat.score), f"{num(sat.score, lang)} / 5")]
        rows += [
            BarRow(word(d.id, lang), _f(d.mean), f"{num(d.mean, lang)} / 5", d.id == sat.weakest)
            for d in sat.dimensions
        ]
        caption = f"{word('satisfaction', lang)} ({sat.count})"
        out.append(bar_chart(caption, rows, 5, "chart-satisfaction"))
    if s.principles.items:
        rows = []
        for p in s.principles.items:
            term = pipeline.principle(p.id)
            shown = f"{pct(p.rate, lang)} ({p.honoured}/{s.count})"
            label = term.text(lang) if term else p.id
            rows.append(BarRow(label, _f(p.rate), shown, p.id == s.principles.least))
        caption = f"{word('principle_coverage', lang)}: {pct(s.principles.rate, lang)}"
        out.append(bar_chart(caption, rows, 1, "chart-principles"))
    services = [x for x in r.services if x.stats.on_time.count]
    if len(services) > 1:
        rows = [
            BarRow(
                x.name,
                _f(x.stats.on_time.rate),
                f"{pct(x.stats.on_time.rate, lang)} ({x.stats.on_time.on_time}/"
                f"{x.stats.on_time.count})",
                (x.stats.on_time.rate or 0) < (s.on_time.rate or 0),
            )
            for x in sorted(services, key=lambda x: (-x.stats.count, x.id))[:20]
        ]
        out.append(bar_chart(word("on_time_by_service", lang), rows, 1, "chart-services"))
    found = [f for f in r.findings if o.internal or f.code not in INTERNAL_CODES]
    out.append(f"<h3>{e(word('weak_spots', lang))}</h3>")
    if found:
        out.append('<ul class="weak">')
        for f in found:
            advice = recommendation(f, pipeline, lang, o.service_names)
            said = f"<br>→ {e(word('recommendation', lang))}: {e(advice)}" if advice else ""
            out.append(f"<li>{e(sentence(f, pipeline, lang, o.service_names))}{said}</li>")
        out.append("</ul>")
    else:
        out.append(f'<p class="ok">{e(word("no_weak_spots", lang))}</p>')
    out.append("</section>")
    return "\n".join(out)


def _f(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


# --- the archive ------------------------------------------------------------------------------


def archive_page(
    firm: str, rows: Sequence[Summary], pipelines: dict[str, Pipeline], today: date, lang: str
) -> str:
    """Closed and cancelled items, each linked to its page."""
    title = word("archive", lang)
    body = [
        "<header>",
        f'<nav aria-label="back"><a href="index.html">← {e(firm or word("dashboard", lang))}'
        "</a></nav>",
        f"<h1>{e(title)} ({len(rows)})</h1>",
        "</header>",
        "<main>",
    ]
    for kind in ("engagement", "service"):
        of_kind = sorted((s for s in rows if s.kind == kind), key=lambda s: s.id)
        if not of_kind:
            continue
        pipeline = pipelines[kind]
        label = word("engagements" if kind == "engagement" else "services", lang)
        body.append(f"<section><h2>{e(label)} ({len(of_kind)})</h2>")
        heads = [e(word(k, lang)) for k in ("id", "name", "client", "stage", "due")]
        body.append(
            _table(
                heads,
                (
                    [
                        f'<span class="id">{_id_link(s.id)}</span>',
                        e(s.name),
                        e(s.client),
                        e(pipeline.state_label(s.stage, lang)),
                        e(day(s.due, lang) if s.due else ""),
                    ]
                    for s in of_kind
                ),
            )
        )
        body.append("</section>")
    if not rows:
        body.append(f"<p>{e(word('none', lang))}</p>")
    body += ["</main>", _footer(today, lang)]
    return page(f"{title} · {firm}" if firm else title, lang, body)


# --- one item ---------------------------------------------------------------------------------


def _mark(tick: Tick, *, gate: bool, lang: str) -> str:
    if tick.ok:
        return f'<span class="ok">✓ {e(word("done" if gate else "honoured", lang))}</span>'
    if tick.ok is False and not gate:
        return f'<span class="late">✗ {e(word("not_honoured", lang))}</span>'
    key = "open" if gate else "not_assessed"
    return f'<span class="muted">{"○" if gate else "·"} {e(word(key, lang))}</span>'


def _moment(value: object, lang: str) -> str:
    from datetime import datetime

    if isinstance(value, datetime):
        return (
            f'<time datetime="{e(value.isoformat())}">'
            f"{e(day(value.date(), lang) + value.strftime(' %H:%M'))}</time>"
        )
    return '<span class="muted">—</span>'


def item_page(
    item: Item,
    pipeline: Pipeline,
    today: date,
    lang: str,
    *,
    firm: str = "",
    internal: bool = False,
    default_currency: str = "",
    service_name: str = "",
    engagements: Sequence[Summary] = (),
    engagement_pipeline: Pipeline | None = None,
    figures: Mapping[str, Any] | None = None,
) -> str:
    """Everything about one item: fields, pipeline, deadlines, gates, principles, history,
    notes, feedback; for a service its engagements, and the gates its engagements' figures
    decide (`figures`). Internal figures only when `internal`."""
    s = summarize(item, pipeline, today)
    title = f"{item.id} — {item.name}" if item.name else item.id
    left = f" · {_next(s, pipeline, today, lang)}" if s.is_open and s.next_deadline else ""
    body = [
        "<header>",
        f'<nav aria-label="back"><a href="../index.html">← {e(firm or word("dashboard", lang))}'
        "</a></nav>",
        f"<h1>{e(title)}</h1>",
        f'<p class="sub">{e(pipeline.name.text(lang))} · '
        f"{e(pipeline.state_label(item.stage, lang))}{left}</p>",
        "</header>",
        "<main>",
        _section(word("fields", lang), _fields(item, s, pipeline, today, lang, internal=internal,
                 default_currency=default_currency, service_name=service_name)),
        _section(word("pipeline", lang), _steps(item, pipeline, lang)),
        _deadlines(item, pipeline, today, lang),
        _documents(item, lang, internal=internal),
        _checks(item, pipeline, lang, figures),
    ]  # fmt: skip
    if item.kind == "service" and engagement_pipeline is not None:
        heading = f"{word('engagements', lang)} ({len(engagements)})"
        body.append(_section(heading, _engagements(engagements, engagement_pipeline, today, lang)))
    body += [_history(item, pipeline, lang), _notes(item, lang), _feedback(item, lang)]
    if internal and item.time:
        rows = [[e(day(t.on, lang)), e(num(t.hours, lang)), e(t.by), e(t.note)] for t in item.time]
        heads = [e(word(k, lang)) for k in ("date", "hours", "by", "note")]
        body.append(_section(word("time_log", lang), _table(heads, rows, nums=[1])))
    body += ["</main>", _footer(today, lang)]
    return page(f"{title} · {firm}" if firm else title, lang, [b for b in body if b])


def _section(heading: str, inner: str) -> str:
    return f"<section><h2>{e(heading)}</h2>\n{inner}\n</section>"


def _fields(
    item: Item,
    s: Summary,
    pipeline: Pipeline,
    today: date,
    lang: str,
    *,
    internal: bool,
    default_currency: str,
    service_name: str,
) -> str:
    facts: list[tuple[str, str]] = [
        (word("stage", lang), f"<strong>{e(pipeline.state_label(item.stage, lang))}</strong>"),
        (word("progress", lang), e(f"{round(s.progress * 100)}%")),
    ]
    if item.kind == "engagement":
        if item.service:
            link = (
                f'<a href="{e(_href(item.service, ITEMS))}">{e(service_name or item.service)}</a>'
            )
            facts.append((word("service", lang), link))
        facts.append((word("client", lang), e(item.client)))
        facts.append((word("start", lang), e(day(item.start, lang)) if item.start else ""))
        if item.due:
            due = e(day(item.due, lang))
            if s.is_open and s.days_left is not None:
                due += " · " + _days_left(s.days_left, s.days_left < 0, lang)
            facts.append((word("due", lang), due))
        facts.append((word("goal", lang), e(item.goal)))
        facts.append((word("needs", lang), e(item.needs)))
        facts.append(
            (word("every", lang), e(word(f"every_{item.every}", lang) if item.every else ""))
        )
        facts.append((word("pilot", lang), e(word("pilot_yes", lang)) if item.pilot else ""))
    if s.next_deadline and s.next_what != "due":
        nearest = f"{e(day(s.next_deadline, lang))} · {_next(s, pipeline, today, lang)}"
        facts.append((word("next_deadline", lang), nearest))
    facts.append((word("owner", lang), e(item.owner)))
    facts.append((word("mode", lang), e(term("mode", item.mode, lang) if item.mode else "")))
    facts += [(e(term("role", d, lang)), e(person)) for d, person in item.roles.items()]
    if internal:
        if item.price is not None:
            price = money(item.price, item.currency or default_currency, lang)
            facts.append((word("price", lang), e(price)))
        facts.append((word("contract", lang), e(item.contract)))
        facts += [(k, e(v)) for k, v in effort_rows(item, lang, default_currency)]
    return _facts(facts)


def _steps(item: Item, pipeline: Pipeline, lang: str) -> str:
    marks = {"done": "✓ ", "current": "", "ahead": "", "stopped": "✕ "}
    stages = "".join(
        f'<li class="{step.state}">{e(marks[step.state] + step.label)}</li>'
        for step in steps(item, pipeline, lang)
    )
    return f'<ol class="steps">{stages}</ol>'


def _deadlines(item: Item, pipeline: Pipeline, today: date, lang: str) -> str:
    if not item.deadlines:
        return ""
    pending = {o.what for o in obligations(item, pipeline, today)}
    rows = []
    for stage, when in sorted(item.deadlines.items(), key=lambda kv: kv[1]):
        if stage in pending:
            state = _days_left((when - today).days, when < today, lang)
        else:
            state = f'<span class="ok">✓ {e(word("met", lang))}</span>'
        rows.append([e(pipeline.state_label(stage, lang)), e(day(when, lang)), state])
    heads = [e(word(k, lang)) for k in ("stage", "date", "days_left")]
    return _section(word("deadlines", lang), _table(heads, rows))


def _documents(item: Item, lang: str, *, internal: bool) -> str:
    """An engagement's documents: kind, status and day; their names (contract and invoice
    numbers) only on an internal site, as the contract is."""
    if not item.documents:
        return ""
    rows = []
    for d in item.documents:
        signed = d.status == "signed"
        status = word(f"doc_{d.status}", lang)
        shown = f'<span class="ok">✓ {e(status)}</span>' if signed else e(status)
        row = [e(word(f"doc_{d.kind}", lang)), shown, e(day(d.date, lang) if d.date else "")]
        rows.append([*row[:1], e(d.name), *row[1:]] if internal else row)
    keys = ("kind", "name", "status", "date") if internal else ("kind", "status", "date")
    return _section(word("documents", lang), _table([e(word(k, lang)) for k in keys], rows))


def _checks(
    item: Item, pipeline: Pipeline, lang: str, figures: Mapping[str, Any] | None = None
) -> str:
    """The current stage's gate items, then the principles, with their marks and notes; a gate
    that figures decide says which."""
    out = []
    gates = gate_rows(item, pipeline, figures)
    if gates:
        done = sum(bool(r.tick.ok) for r in gates)
        stage = pipeline.state_label(item.stage, lang)
        heading = f"{word('gates', lang)} · {stage} ({done}/{len(gates)})"
        rows = [
            [_mark(r.tick, gate=True, lang=lang), _term(r.term.text(lang), r.term.id),
             e(" · ".join(filter(None, (r.tick.note, r.figure and figure_words(r.figure, lang)))))]
            for r in gates
        ]  # fmt: skip
        heads = ["", e(word("item", lang)), e(word("note", lang))]
        out.append(_section(heading, _table(heads, rows)))
    groups = principle_groups(principle_rows(item, pipeline))
    for group, principles in groups:  # general, then delivery
        honoured = sum(r.tick.ok is True for r in principles)
        named = word(f"principles_{group}", lang) if len(groups) > 1 else word("principles", lang)
        heading = f"{named} ({honoured}/{len(principles)})"
        rows = [
            [_mark(r.tick, gate=False, lang=lang), _term(r.term.text(lang), r.term.id),
             e(r.tick.note)]
            for r in principles
        ]  # fmt: skip
        heads = ["", e(word("principles", lang)), e(word("note", lang))]
        out.append(_section(heading, _table(heads, rows)))
    return "\n".join(out)


def _history(item: Item, pipeline: Pipeline, lang: str) -> str:
    if not item.history:
        return ""
    rows = []
    for h in item.history:
        move = f"<strong>{e(pipeline.state_label(h.to, lang))}</strong>"
        if h.source:
            move = f"{e(pipeline.state_label(h.source, lang))} → {move}"
        note = e(history_note(h, lang))
        if h.forced:
            note += f' <span class="late">({e(forced_note(h.skipped, lang))})</span>'
        rows.append([_moment(h.at, lang), move, e(h.by), note])
    heads = [e(word(k, lang)) for k in ("at", "stage", "by", "note")]
    return _section(word("history", lang), _table(heads, rows))


def _notes(item: Item, lang: str) -> str:
    if not item.notes:
        return ""
    rows = [
        [_moment(n.at, lang), e(term("channel", n.channel, lang)), e(n.by), e(n.text)]
        for n in item.notes
    ]
    heads = [e(word(k, lang)) for k in ("at", "channel", "by", "note")]
    return _section(word("notes", lang), _table(heads, rows))


def _feedback(item: Item, lang: str) -> str:
    if not item.feedback:
        return ""
    rows = []
    for f in item.feedback:
        parts = ", ".join(
            f"{word(q, lang)} {getattr(f, q)}"
            for q in ("speed", "accuracy", "availability", "courtesy")
            if getattr(f, q)
        )
        rows.append([_moment(f.at, lang), e(f"{f.score}/5"), e(parts), e(f.comment)])
    heads = [e(word("at", lang)), e(word("score", lang)), "", e(word("comment", lang))]
    return _section(word("feedback", lang), _table(heads, rows))


def _term(label: str, term_id: str) -> str:
    if label == term_id:
        return e(label)
    return f'{e(label)} <span class="muted">{e(term_id)}</span>'


def _engagements(rows: Sequence[Summary], pipeline: Pipeline, today: date, lang: str) -> str:
    """A service's engagements: open ones first, most urgent first."""
    if not rows:
        return f"<p>{e(word('none', lang))}</p>"
    return _table(
        [e(word(k, lang)) for k in ("id", "client", "stage", "due", "days_left")],
        (
            [
                f'<span class="id">{_id_link(s.id, ITEMS)}</span>',
                e(s.client),
                e(pipeline.state_label(s.stage, lang)),
                e(day(s.due, lang) if s.due else ""),
                _next(s, pipeline, today, lang),
            ]
            for s in sorted(rows, key=sort_key)
        ),
    )
