"""The client report on one engagement, as Markdown or as one self-contained HTML file.

What the client may read: the service, the client's goal and needs, the stage and progress, dates
and deadlines, the documents and whether each is signed, what happened (the history in plain
words) and the next steps (the open gate items). Hours, budget, rates and
internal notes are added only with `internal=True`. Every piece of user text is escaped: the HTML
has no script, loads nothing and prints on A4 as it shows on screen.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from svctrack.domain.analysis import effort
from svctrack.domain.model import Item, documents_signed
from svctrack.domain.pipeline import CANCELLED, Pipeline
from svctrack.domain.queries import gate_rows, obligations, progress
from svctrack.messages import catalogue
from svctrack.output.figures import num, pct
from svctrack.output.i18n import day, days_overdue, fill, money, term, word

FORMATS = ("md", "html")


@dataclass
class Step:
    """A stage of the pipeline as the client sees it: done, current, ahead, or where it stopped."""

    label: str
    state: str  # done | current | ahead | stopped


@dataclass
class Event:
    when: date | None
    what: str
    detail: str = ""  # internal only: the note, who, what was forced past


@dataclass
class Document:
    """The report's content, in the chosen language, before it is written as md or html."""

    lang: str
    title: str
    firm: str
    facts: list[tuple[str, str]]
    stage: str
    percent: int
    steps: list[Step]
    dates: list[tuple[str, str]]
    events: list[Event]
    next_steps: list[str]
    internal: list[tuple[str, str]] = field(default_factory=list)
    notes: list[tuple[str, str]] = field(default_factory=list)  # (when, text), internal only
    papers: list[tuple[str, str]] = field(default_factory=list)  # a document, its status
    papers_check: str = ""  # all signed, or which are not yet
    is_internal: bool = False


def document(
    item: Item,
    pipeline: Pipeline,
    today: date,
    lang: str,
    *,
    internal: bool = False,
    service: Item | None = None,
    firm: str = "",
    default_currency: str = "",
) -> Document:
    """Gather what the report says; nothing internal unless asked."""
    share = progress(item, pipeline)
    facts = [
        (word("client", lang), item.client),
        (word("service", lang), (service.name if service and service.name else item.service)),
        (word("contract", lang), item.contract),
        (word("goal", lang), item.goal),
        (word("needs", lang), item.needs),
        (word("owner", lang), item.owner),
    ]
    if item.price is not None:
        facts.append(
            (word("price", lang), money(item.price, item.currency or default_currency, lang))
        )
    facts.append((word("prepared_on", lang), day(today, lang)))
    doc = Document(
        lang=lang,
        title=item.name or item.id,
        firm=firm,
        facts=[(k, v) for k, v in facts if v],
        stage=pipeline.state_label(item.stage, lang),
        percent=round(share * 100),
        steps=_steps(item, pipeline, lang, share),
        dates=_dates(item, pipeline, today, lang),
        events=_events(item, pipeline, lang, internal),
        next_steps=_next_steps(item, pipeline, today, lang),
        is_internal=internal,
    )
    doc.papers, doc.papers_check = _papers(item, lang)
    if internal:
        doc.internal = effort_rows(item, lang, default_currency)
        doc.notes = [
            (
                _when(n.at.date() if n.at else None, lang),
                f"[{term('channel', n.channel, lang)}] {n.text}",
            )
            for n in item.notes
        ]
    return doc


def _papers(item: Item, lang: str) -> tuple[list[tuple[str, str]], str]:
    """Each document (kind and name) with its status and day, and the check: all signed, or
    which are not yet."""
    rows, unsigned = [], []
    for d in item.documents:
        what = word(f"doc_{d.kind}", lang) + (f" · {d.name}" if d.name else "")
        status = word(f"doc_{d.status}", lang) + (f", {day(d.date, lang)}" if d.date else "")
        rows.append((what, status))
        if d.status != "signed":
            unsigned.append(what)
    if not rows:
        return [], ""
    if documents_signed(item):
        return rows, word("documents_all_signed", lang)
    return rows, word("documents_unsigned", lang).format(names=", ".join(unsigned))


def effort_rows(item: Item, lang: str, default_currency: str = "") -> list[tuple[str, str]]:
    """What only the firm reads: hours spent, the budget and how much of it is used, the
    effective hourly rate."""
    e = effort(item, default_currency)
    h = word("h", lang)
    rows = [(word("hours", lang), f"{num(e.hours, lang)} {h}")]
    if e.budget is not None:
        rows.append((word("budget", lang), f"{num(e.budget, lang)} {h}"))
        rows.append((word("burn", lang), pct(e.burn, lang)))
    if e.rate is not None:
        rows.append((word("rate", lang), money(e.rate, e.currency, lang) + word("per_hour", lang)))
    return rows


def steps(item: Item, pipeline: Pipeline, lang: str) -> list[Step]:
    """The pipeline's stages as done, current, ahead, or where a cancelled item stopped."""
    return _steps(item, pipeline, lang, progress(item, pipeline))


def _when(value: date | None, lang: str) -> str:
    return day(value, lang) if value else "—"


def _steps(item: Item, pipeline: Pipeline, lang: str, share: float) -> list[Step]:
    ids = pipeline.stage_ids
    if item.stage in ids:
        at, stopped = ids.index(item.stage), False
    elif item.stage == pipeline.done:
        at, stopped = len(ids), False
    else:
        at, stopped = min(round(share * len(ids)), len(ids) - 1), item.stage == CANCELLED
    steps = []
    for n, stage in enumerate(pipeline.stages):
        if n < at:
            state = "done"
        elif n == at:
            state = "stopped" if stopped else "current"
        else:
            state = "ahead"
        steps.append(Step(stage.text(lang), state))
    return steps


def _dates(item: Item, pipeline: Pipeline, today: date, lang: str) -> list[tuple[str, str]]:
    rows = []
    if item.start:
        rows.append((word("start", lang), day(item.start, lang)))
    if item.due:
        due = day(item.due, lang)
        if item.stage not in pipeline.ends:
            left = (item.due - today).days
            if left < 0:
                due += f" ({days_overdue(-left, lang)})"
            elif left == 0:
                due += f" ({word('due_today', lang)})"
            else:
                due += f" ({fill('days_left_n', lang, n=left)})"
        rows.append((word("due", lang), due))
    pending = {o.what for o in obligations(item, pipeline, today)}
    for stage, when in sorted(item.deadlines.items(), key=lambda kv: kv[1]):
        label = word("stage_deadline", lang).format(stage=pipeline.state_label(stage, lang))
        rows.append((label, day(when, lang) + ("" if stage in pending else " ✓")))
    return rows


def _events(item: Item, pipeline: Pipeline, lang: str, internal: bool) -> list[Event]:
    ways = set(pipeline.back.items())
    ids = pipeline.stage_ids
    out = []
    for h in item.history:
        source = pipeline.state_label(h.source, lang) if h.source else ""
        to = pipeline.state_label(h.to, lang)
        if not h.source:
            what = word("event_created", lang)
        elif h.to == pipeline.done:
            what = word("event_closed", lang).format(source=source)
        elif h.to == CANCELLED:
            what = word("event_cancelled", lang)
        elif (h.source, h.to) in ways:
            what = word("event_rework", lang).format(source=source, to=to)
        elif h.source in ids and h.to in ids and ids.index(h.to) == ids.index(h.source) + 1:
            what = word("event_advance", lang).format(source=source, to=to)
        else:
            what = word("event_moved", lang).format(to=to)
        detail = ""
        if internal:
            bits = [h.note] if h.note.strip() and h.note != "created" else []
            if h.forced:
                bits.append(forced_note(h.skipped, lang))
            said = "; ".join(bits)  # never empty brackets, nor a dash with nothing before it
            detail = f"{said} — {h.by}" if said and h.by.strip() else said or h.by.strip()
        out.append(Event(h.at.date() if h.at else None, what, detail))
    return out


def _todo(gate: Any, lang: str) -> str:
    """An open gate item as a thing to do («Провести окончательный разговор с клиентом»), from
    the catalogue's `todo.<id>`; a gate item of the workspace's own keeps its label."""
    said = catalogue(lang).MESSAGES.get(f"todo.{gate.id}")
    return str(said) if said else str(gate.text(lang))


def forced_note(skipped: Sequence[str], lang: str) -> str:
    """`forced: a, b`, or `forced` alone when nothing was skipped."""
    return f"{word('forced', lang)}: {', '.join(skipped)}" if skipped else word("forced", lang)


def _next_steps(item: Item, pipeline: Pipeline, today: date, lang: str) -> list[str]:
    if item.stage in (pipeline.done, CANCELLED):
        ended = next(
            (h.at.date() for h in reversed(item.history) if h.to == item.stage and h.at), None
        )
        key = "completed_on" if item.stage == pipeline.done else "cancelled_on"
        return [word(key, lang).format(date=_when(ended, lang))]
    steps = [_todo(row.term, lang) for row in gate_rows(item, pipeline) if not row.tick.ok]
    if not steps and pipeline.stage(item.stage):
        steps.append(word("nothing_pending", lang))
    ids = pipeline.stage_ids
    if item.stage in ids:
        at = ids.index(item.stage)
        following = ids[at + 1] if at + 1 < len(ids) else pipeline.done
        if following:
            steps.append(
                word("then_stage", lang).format(stage=pipeline.state_label(following, lang))
            )
    return steps


# --- Markdown -------------------------------------------------------------------------------

_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|#])")
_BREAKS = re.compile(r"[ \t]*[\r\n\v\f\x85\u2028\u2029][\s]*")


def md_escape(value: str) -> str:
    """User text inert in Markdown: no emphasis, links, tables or raw HTML; one line."""
    return _MD_SPECIAL.sub(r"\\\1", _BREAKS.sub(" ", value).strip())


_MD_MARKS = {"done": "✓", "current": "▶", "ahead": "○", "stopped": "✕"}


def markdown(doc: Document) -> str:
    lang = doc.lang
    e = md_escape
    out = [f"# {e(doc.title)}", ""]
    if doc.is_internal:
        out += [f"**{e(word('internal_mark', lang))}**", ""]
    if doc.firm:
        out += [f"{e(word('status_report', lang))} · {e(doc.firm)}", ""]
    else:
        out += [e(word("status_report", lang)), ""]
    out += [f"- **{e(k)}:** {e(v)}" for k, v in doc.facts]
    out += ["", f"## {e(word('stage_progress', lang))}", ""]
    out += [f"**{e(doc.stage)}** · {doc.percent}%", ""]
    out += [" → ".join(f"{_MD_MARKS[s.state]} {e(s.label)}" for s in doc.steps), ""]
    if doc.dates:
        out += [f"## {e(word('dates_deadlines', lang))}", ""]
        out += [f"- **{e(k)}:** {e(v)}" for k, v in doc.dates]
        out.append("")
    if doc.papers:
        out += [f"## {e(word('documents', lang))}", ""]
        out += [f"- **{e(k)}:** {e(v)}" for k, v in doc.papers]
        out += ["", e(doc.papers_check), ""]
    if doc.events:
        out += [f"## {e(word('what_happened', lang))}", ""]
        for ev in doc.events:
            line = f"- {e(_when(ev.when, lang))} — {e(ev.what)}"
            if ev.detail:
                line += f" ({e(ev.detail)})"
            out.append(line)
        out.append("")
    out += [f"## {e(word('next_steps', lang))}", ""]
    out += [f"- {e(s)}" for s in doc.next_steps]
    out.append("")
    if doc.is_internal:
        out += [f"## {e(word('internal', lang))}", ""]
        out += [f"- **{e(k)}:** {e(v)}" for k, v in doc.internal]
        if doc.notes:
            out += ["", f"### {e(word('notes', lang))}", ""]
            out += [f"- {e(when)} — {e(what)}" for when, what in doc.notes]
        out.append("")
    return "\n".join(out)


# --- HTML -----------------------------------------------------------------------------------

_CSS = """
@page { size: A4; margin: 18mm 16mm; }
* { box-sizing: border-box; }
body { font: 11pt/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial,
  sans-serif; color: #1d2329; background: #fff; margin: 0 auto; max-width: 48rem; padding: 2rem; }
h1 { font-size: 1.6rem; margin: 0 0 .25rem; line-height: 1.2; }
h2 { font-size: 1.1rem; margin: 1.6rem 0 .6rem; padding-bottom: .2rem;
  border-bottom: 1px solid #d8dde3; break-after: avoid; }
h3 { font-size: 1rem; margin: 1rem 0 .4rem; }
.sub { color: #5b6570; margin: 0 0 1rem; }
.internal { display: inline-block; background: #fde8e8; color: #8a1c1c; border: 1px solid #e7a3a3;
  border-radius: 3px; padding: .1rem .5rem; font-weight: 600; margin-bottom: .8rem; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: .25rem 1.2rem; margin: 0; }
dt { color: #5b6570; }
dd { margin: 0; overflow-wrap: anywhere; }
.stage { font-weight: 600; }
.meter { height: .55rem; background: #e6e9ed; border-radius: 3px; margin: .4rem 0 .8rem;
  overflow: hidden; print-color-adjust: exact; -webkit-print-color-adjust: exact; }
.meter span { display: block; height: 100%; background: #2f6fb3; }
ol.steps { list-style: none; padding: 0; margin: 0; display: flex; flex-wrap: wrap; gap: .4rem; }
ol.steps li { border: 1px solid #c9d0d7; border-radius: 3px; padding: .15rem .55rem;
  color: #5b6570; }
ol.steps li.done { border-color: #7fb48a; color: #1f6b33; }
ol.steps li.current { border-color: #2f6fb3; color: #fff; background: #2f6fb3;
  print-color-adjust: exact; -webkit-print-color-adjust: exact; }
ol.steps li.stopped { border-color: #b33a3a; color: #b33a3a; }
ul.events { list-style: none; padding: 0; margin: 0; }
ul.events li { padding: .2rem 0; border-bottom: 1px dotted #e1e5e9; break-inside: avoid;
  overflow-wrap: anywhere; }
ul.events time { display: inline-block; min-width: 6.5rem; color: #5b6570; }
.detail { color: #5b6570; }
ul.next li { margin: .15rem 0; overflow-wrap: anywhere; }
@media print { body { padding: 0; max-width: none; } a { color: inherit; } }
""".strip()

_HTML_MARKS = {"done": "✓ ", "current": "", "ahead": "", "stopped": "✕ "}


def escape(value: object) -> str:
    """User text inert in HTML, in text and in attribute values alike: `<script>` is text."""
    return html.escape(str(value), quote=True)


_h = escape


def _dl(rows: list[tuple[str, str]]) -> str:
    return "<dl>" + "".join(f"<dt>{_h(k)}</dt><dd>{_h(v)}</dd>" for k, v in rows) + "</dl>"


def html_page(doc: Document) -> str:
    lang = doc.lang
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{_h(lang)}">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta http-equiv="Content-Security-Policy" '
        "content=\"default-src 'none'; style-src 'unsafe-inline'\">",
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta name="generator" content="svctrack">',
        f"<title>{_h(doc.title)}</title>",
        f"<style>\n{_CSS}\n</style>",
        "</head>",
        "<body>",
        "<header>",
    ]
    if doc.is_internal:
        parts.append(f'<p class="internal">{_h(word("internal_mark", lang))}</p>')
    parts.append(f"<h1>{_h(doc.title)}</h1>")
    subtitle = word("status_report", lang) + (f" · {doc.firm}" if doc.firm else "")
    parts.append(f'<p class="sub">{_h(subtitle)}</p>')
    parts.append(_dl(doc.facts))
    parts.append("</header>")
    parts.append(f"<section><h2>{_h(word('stage_progress', lang))}</h2>")
    parts.append(f'<p><span class="stage">{_h(doc.stage)}</span> · {doc.percent}%</p>')
    parts.append(
        f'<div class="meter" role="img" aria-label="{doc.percent}%">'
        f'<span style="width: {max(0, min(doc.percent, 100))}%"></span></div>'
    )
    steps = "".join(
        f'<li class="{s.state}">{_h(_HTML_MARKS[s.state] + s.label)}</li>' for s in doc.steps
    )
    parts.append(f'<ol class="steps">{steps}</ol></section>')
    if doc.dates:
        parts.append(f"<section><h2>{_h(word('dates_deadlines', lang))}</h2>")
        parts.append(_dl(doc.dates) + "</section>")
    if doc.papers:
        parts.append(f"<section><h2>{_h(word('documents', lang))}</h2>")
        parts.append(_dl(doc.papers) + f'<p class="check">{_h(doc.papers_check)}</p></section>')
    if doc.events:
        parts.append(f'<section><h2>{_h(word("what_happened", lang))}</h2><ul class="events">')
        for ev in doc.events:
            stamp = f'<time datetime="{ev.when.isoformat()}">' if ev.when else "<time>"
            detail = f' <span class="detail">({_h(ev.detail)})</span>' if ev.detail else ""
            parts.append(f"<li>{stamp}{_h(_when(ev.when, lang))}</time> {_h(ev.what)}{detail}</li>")
        parts.append("</ul></section>")
    parts.append(f'<section><h2>{_h(word("next_steps", lang))}</h2><ul class="next">')
    parts += [f"<li>{_h(s)}</li>" for s in doc.next_steps]
    parts.append("</ul></section>")
    if doc.is_internal:
        parts.append(f"<section><h2>{_h(word('internal', lang))}</h2>")
        parts.append(_dl(doc.internal))
        if doc.notes:
            parts.append(f'<h3>{_h(word("notes", lang))}</h3><ul class="events">')
            parts += [f"<li><time>{_h(w)}</time> {_h(t)}</li>" for w, t in doc.notes]
            parts.append("</ul>")
        parts.append("</section>")
    parts += ["</body>", "</html>", ""]
    return "\n".join(parts)


def build(
    item: Item,
    pipeline: Pipeline,
    today: date,
    lang: str,
    *,
    form: str = "md",
    internal: bool = False,
    service: Item | None = None,
    firm: str = "",
    default_currency: str = "",
) -> str:
    """The report as text in `form` (md or html)."""
    doc = document(
        item,
        pipeline,
        today,
        lang,
        internal=internal,
        service=service,
        firm=firm,
        default_currency=default_currency,
    )
    return html_page(doc) if form == "html" else markdown(doc)
