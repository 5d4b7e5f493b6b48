"""Results as plain JSON for scripts: stable keys, ISO dates, exact numbers; no rich here."""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterable, Iterator, Mapping
from datetime import date, datetime
from decimal import Decimal
from itertools import islice
from typing import Any

from svctrack.domain.model import QUALITY, Item
from svctrack.domain.pipeline import Pipeline
from svctrack.domain.queries import (
    Board,
    CheckRow,
    Dashboard,
    Obligation,
    Summary,
    gate_rows,
    principle_rows,
    summarize,
)

INT_DIGITS = 100  # a whole number with more digits is written with its exponent: 1E+100


def number(value: Decimal) -> int | float | Decimal:
    """A JSON number with the decimal's own digits: an int, a float whose repr (its shortest
    exact form) has those digits, or else the Decimal itself, which `emit` writes verbatim (a
    file's `1e999999` too: as an int it would take seconds to print, and then fail)."""
    if value == value.to_integral_value() and value.adjusted() < INT_DIGITS:
        return int(value)
    as_float = float(value)
    return as_float if Decimal(repr(as_float)) == value else value


# Decimals no float can hold pass through json as marked strings, then lose their quotes.
_MARK = "\ue000decimal:"
_MARKED = re.compile('"' + _MARK + r'(-?[0-9.]+(?:E[+-]?[0-9]+)?)"')


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        exact = number(value)
        return _MARK + str(exact) if isinstance(exact, Decimal) else exact
    raise TypeError(f"{type(value).__name__} is not JSON")


def emit(document: Any) -> None:
    """Write one JSON document to stdout: indented on a terminal, one line for a pipe (which is
    three times faster to write for thousands of items), written a member of the document at a
    time (the same text: json's separators are ", " and ": "), so that a report's thousands of
    ids are never all in memory as text at once."""
    whole = not isinstance(document, dict) or any(type(key) is not str for key in document)
    if whole or sys.stdout.isatty():
        sys.stdout.write(dumps(document, indent=2 if sys.stdout.isatty() else None))
        return
    sys.stdout.write("{")
    for n, (key, value) in enumerate(document.items()):
        sys.stdout.write(f"{', ' if n else ''}{_text(key)}: {_text(value)}")
    sys.stdout.write("}\n")


def dumps(document: Any, indent: int | None = 2) -> str:
    """One JSON document as text, with its final newline: what `emit` writes, for a file."""
    return _text(document, indent) + "\n"


def _text(document: Any, indent: int | None = None) -> str:
    text = json.dumps(document, ensure_ascii=False, indent=indent, default=_plain)
    return _MARKED.sub(r"\1", text) if _MARK in text else text


def emit_text(text: str | Iterable[str]) -> None:
    """Write a document already written as one line of JSON, whole or in pieces: as it is for a
    pipe (piece by piece: thousands of rows are never all in memory), indented as `emit` would
    on a terminal."""
    pieces = (text,) if isinstance(text, str) else text
    if sys.stdout.isatty():
        document = json.loads("".join(pieces))
        pieces = (json.dumps(document, ensure_ascii=False, indent=2),)
    for piece in pieces:
        sys.stdout.write(piece)
    sys.stdout.write("\n")


# Lists of thousands of summaries are written as text: json.dumps over dicts takes ten times as
# long. The text is what json.dumps(..., ensure_ascii=False) writes on one line (tests hold it to
# the same bytes), with json's own string escaping.
_string = json.encoder.encode_basestring


def _day(value: date | None) -> str:
    return f'"{value.isoformat()}"' if value else "null"


def summary(s: Summary, open_engagements: int | None = None) -> str:
    """One item's summary (`status`, `service list`, `engagement list`), as JSON text."""
    c = s.coverage
    text = (
        f'{{"id": {_string(s.id)}, "kind": {_string(s.kind)}, "name": {_string(s.name)}, '
        f'"stage": {_string(s.stage)}, "progress": {s.progress!r}, '
        f'"next_deadline": {_day(s.next_deadline)}, "overdue": {"true" if s.overdue else "false"}, '
        f'"coverage": {{"honoured": {c.honoured}, "not_honoured": {c.not_honoured}, '
        f'"not_assessed": {c.not_assessed}}}, "owner": {_string(s.owner)}, '
        f'"mode": {_string(s.mode)}'
    )
    if s.kind == "engagement":
        left = "null" if s.days_left is None else s.days_left
        text += (
            f', "service": {_string(s.service)}, "client": {_string(s.client)}, '
            f'"due": {_day(s.due)}, "days_left": {left}'
        )
    if open_engagements is not None:
        text += f', "open_engagements": {open_engagements}'
    return text + "}"


def summaries(rows: Iterable[Summary]) -> Iterator[str]:
    """`service list`, `engagement list`: an array of summaries, as pieces of JSON text."""
    texts = map(summary, rows)
    yield "["
    yield ", ".join(islice(texts, 500))
    while batch := ", ".join(islice(texts, 500)):
        yield ", "
        yield batch
    yield "]"


def status(board: Dashboard) -> str:
    """`status --json`: every shown item, not only the rows that fit on a screen; JSON text."""
    services = (summary(s, board.open_engagements.get(s.id, 0)) for s in board.services)
    engagements = "".join(summaries(board.engagements))
    return f'{{"services": [{", ".join(services)}], "engagements": {engagements}}}'


def board(b: Board) -> str:
    """`board --json`: one column per stage in the pipeline's order, each with the summaries of
    its open items, most urgent first; `label` is the pipeline's own (English) label. JSON text."""
    columns = ", ".join(
        f'{{"stage": {_string(lane.stage.id)}, "label": {_string(lane.stage.label)}, '
        f'"items": [{", ".join(summary(c.summary) for c in lane.cards)}]}}'
        for lane in b.lanes
    )
    return f'{{"kind": {_string(b.kind + "s")}, "columns": [{columns}]}}'


def obligation(o: Obligation) -> dict[str, Any]:
    return {
        "id": o.id,
        "kind": o.kind,
        "what": o.what,
        "date": o.date,
        "days_left": o.days_left,
        "overdue": o.overdue,
    }


def gate(row: CheckRow) -> dict[str, Any]:
    """A gate item; one that figures decide carries them (`figures`: see `figure_document`)."""
    out = {
        "id": row.term.id,
        "label": row.term.label,
        "done": bool(row.tick.ok),
        "note": row.tick.note,
    }
    if row.figure is not None:
        from svctrack.output.analysis_json import figure_document

        out["figures"] = figure_document(row.figure)
    return out


def principle(row: CheckRow) -> dict[str, Any]:
    """A principle's mark, with its group (`general` or `delivery`)."""
    term, tick = row.term, row.tick
    group = getattr(term, "group", "general")
    return {"id": term.id, "label": term.label, "group": group, "ok": tick.ok, "note": tick.note}


def principle_matrix(items: list[Item], pipelines: dict[str, Pipeline]) -> list[dict[str, Any]]:
    """`checklist --json` without an id: each open item's principles."""
    return [
        {
            "id": i.id,
            "kind": i.kind,
            "principles": [principle(r) for r in principle_rows(i, pipelines[i.kind])],
        }
        for i in items
    ]


def checklist(
    item: Item, pipeline: Pipeline, figures: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    return {
        "gates": [gate(r) for r in gate_rows(item, pipeline, figures)],
        "principles": [principle(r) for r in principle_rows(item, pipeline)],
    }


def show(
    item: Item,
    pipeline: Pipeline,
    today: date,
    engagements: list[str],
    figures: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Everything about one item (`show ID --json`); `figures`: a service's gates decided by
    the figures of its engagements (`Tracker.figures`)."""
    s = summarize(item, pipeline, today)
    out: dict[str, Any] = {
        "id": item.id,
        "kind": item.kind,
        "name": item.name,
        "stage": item.stage,
        "stages": list(pipeline.stage_ids),
        "progress": s.progress,
        "next_deadline": s.next_deadline,
        "overdue": s.overdue,
        "owner": item.owner,
        "mode": item.mode,
        "price": {"amount": item.price, "currency": item.currency}
        if item.price is not None
        else None,
        **checklist(item, pipeline, figures),
        "history": [
            {
                "from": h.source,
                "to": h.to,
                "at": h.at,
                "by": h.by,
                "note": h.note,
                "forced": h.forced,
                **({"skipped": list(h.skipped)} if h.forced else {}),
            }
            for h in item.history
        ],
        "deadlines": dict(item.deadlines),
        "notes": [
            {"at": n.at, "channel": n.channel, "by": n.by, "text": n.text} for n in item.notes
        ],
    }
    if item.kind == "engagement":
        out |= {
            "service": item.service,
            "client": item.client,
            "start": item.start,
            "due": item.due,
            "days_left": s.days_left,
            "contract": item.contract,
            "goal": item.goal,
            "needs": item.needs,
            "every": item.every or None,
            "pilot": item.pilot,
            "documents": [
                {"kind": d.kind, "name": d.name, "status": d.status, "date": d.date}
                for d in item.documents
            ],
            "feedback": [
                {
                    "at": f.at,
                    "score": f.score,
                    **{q: getattr(f, q) for q in QUALITY},
                    "comment": f.comment,
                }
                for f in item.feedback
            ],
        }
    else:
        out |= {
            "roles": dict(item.roles),
            "engagements": engagements,
            "reports": [{"at": r.at, "by": r.by, "file": r.file} for r in item.reports],
        }
    from svctrack.domain.analysis import effort
    from svctrack.output.analysis_json import effort_document

    out |= effort_document(effort(item))  # hours, budget_hours, burn, rate
    return out


def journal(entries: Iterable[Any]) -> list[dict[str, Any]]:
    """`undo --list`: newest first, `{"at", "command", "paths"}`."""
    return [{"at": e.at, "command": e.command, "paths": e.paths} for e in entries]


def found(matches: Iterable[Any]) -> list[dict[str, Any]]:
    """`find TEXT`: `{"id", "kind", "field", "text"}` per match."""
    return [{"id": m.id, "kind": m.kind, "field": m.field, "text": m.text} for m in matches]
