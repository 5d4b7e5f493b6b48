"""`svctrack import csv`: items created from a spreadsheet. Columns are mapped by header
(svctrack's field names, or common English and Russian headings); every row is checked first,
and nothing is written unless every row is valid."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from svctrack.domain.pipeline import a_kind
from svctrack.errors import SvcError
from svctrack.output.csvfile import (
    COLUMNS,
    COMPUTED,
    CsvProblem,
    decode,
    heading,
    records,
    restore,
)

REQUIRED = {"engagement": ("service", "client", "due"), "service": ("name",)}

_SYMBOLS = {"₽": "RUB", "руб.": "RUB", "руб": "RUB", "€": "EUR", "$": "USD", "£": "GBP"}
_DOTTED = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")


@dataclass
class Planned:
    """One valid row: the item it creates."""

    line: int
    kind: str
    item_id: str
    fields: dict[str, Any]
    stage: str


@dataclass
class Plan:
    """What an import would do: the items to create, or the rows that stop it."""

    kind: str
    source: str
    items: list[Planned] = field(default_factory=list)
    problems: list[tuple[int, str]] = field(default_factory=list)  # (line, message)
    ignored: list[str] = field(default_factory=list)  # headings not imported
    rows: int = 0


def plan(tracker: Any, kind: str, raw: bytes, source: str, *, encoding: str = "utf-8") -> Plan:
    """Read and check every row; nothing is written here."""
    from svctrack.domain import dates
    from svctrack.domain.ids import id_problem, slugify, unique

    result = Plan(kind, source)
    rows = records(decode(raw, source, encoding))
    if not rows or not any(c.strip() for c in rows[0][1]):
        raise CsvProblem(f"{source}: no header row", hint="the first row names the columns")
    header = [heading(h) for h in rows[0][1]]
    known = set(COLUMNS[kind]) | {"kind"}
    seen: dict[str, int] = {}
    for position, name in enumerate(header):
        if name in known:
            if name in seen:
                raise CsvProblem(f"{source}: two columns hold {name!r}", hint="keep one of them")
            seen[name] = position
        elif name:
            result.ignored.append(rows[0][1][position].strip())
    missing = [c for c in REQUIRED[kind] if c not in seen]
    if missing:
        raise CsvProblem(
            f"{source}: no column for {', '.join(missing)} (columns: {', '.join(rows[0][1])})",
            hint=f"{kind} columns: {', '.join(c for c in COLUMNS[kind] if c not in COMPUTED)}",
        )
    pipeline = tracker.pipelines[kind]
    taken = tracker.taken()
    services = _services(tracker) if kind == "engagement" else {}
    today = dates.today()
    for line, row in rows[1:]:
        if not any(c.strip() for c in row):
            continue
        result.rows += 1
        # the one place a cell is read: the `'` that export put before a formula goes
        values = {n: restore(row[p].strip()) if p < len(row) else "" for n, p in seen.items()}
        errors: list[str] = []

        def bad(message: str, errors: list[str] = errors) -> None:
            errors.append(message)

        fields = _fields(kind, values, services, tracker, today, bad)
        stage = _stage(values.get("stage", ""), pipeline, bad)
        item_id = values.get("id", "")
        if item_id:
            problem = id_problem(item_id)
            if problem:
                bad(problem)
            elif item_id in taken:
                bad(f"id {item_id!r} is taken")
        elif not errors:
            basis = (
                f"{fields['service']} {fields['client']}"
                if kind == "engagement"
                else fields["name"]
            )
            item_id = unique(slugify(basis), taken)
        if errors:
            result.problems += [(line, e) for e in errors]
            continue
        taken.add(item_id)
        result.items.append(Planned(line, kind, item_id, fields, stage or pipeline.stages[0].id))
    return result


def _services(tracker: Any) -> dict[str, Any]:
    loaded = tracker.load(["service"])
    return {s.id: s for s in loaded.items}


def _resolve_service(ref: str, services: dict[str, Any]) -> Any:
    if ref in services:
        return services[ref]
    by_name = [s for s in services.values() if s.name.casefold() == ref.casefold()]
    if len(by_name) == 1:
        return by_name[0]
    prefixed = [s for i, s in services.items() if i.startswith(ref)]
    if len(prefixed) == 1:
        return prefixed[0]
    if len(prefixed) > 1:
        raise ValueError(f"service {ref!r} is ambiguous: {', '.join(s.id for s in prefixed[:5])}")
    raise ValueError(f"no service {ref!r} (give its id or its exact name)")


def csv_date(text: str) -> date:
    """A date in a spreadsheet: YYYY-MM-DD, or DD.MM.YYYY as Russian and German sheets write it."""
    from svctrack.domain.dates import parse_date

    match = _DOTTED.match(text.strip())
    if match:
        try:
            return date(int(match[3]), int(match[2]), int(match[1]))
        except ValueError as exc:
            raise ValueError(f"impossible date {text!r}: {exc}") from None
    if not re.match(r"^\d{4}-\d{2}-\d{2}$", text.strip()):
        raise ValueError(f"not a date: {text!r} (use YYYY-MM-DD or DD.MM.YYYY)")
    try:
        return parse_date(text)
    except SvcError as exc:
        raise ValueError(exc.message) from None


def _money(text: str) -> tuple[Decimal, str]:
    from svctrack.domain.fields import parse_money

    currency = ""
    value = text.strip()
    for symbol, code in _SYMBOLS.items():
        if value.endswith(symbol) or value.startswith(symbol):
            value, currency = value.replace(symbol, "").strip(), code
            break
    try:
        return parse_money(value), currency
    except SvcError:
        raise ValueError(f"not an amount: {text!r}") from None


def _engagement(
    values: dict[str, str], services: dict[str, Any], today: date, bad: Any
) -> tuple[dict[str, Any], Any]:
    """The fields only engagements have, in the order `engagement new` writes them."""
    out: dict[str, Any] = {"name": values.get("name", "")}
    offering = None
    if values.get("service"):
        try:
            offering = _resolve_service(values["service"], services)
        except ValueError as exc:
            bad(str(exc))
    else:
        bad("service: empty")
    out["service"] = offering.id if offering else values.get("service", "")
    out["client"] = values.get("client", "")
    if not out["client"]:
        bad("client: empty")
    out["stage"] = None
    for key in ("start", "due"):
        text = values.get(key, "")
        out[key] = today if key == "start" else None
        if not text:
            if key == "due":
                bad("due: empty")
            continue
        try:
            out[key] = csv_date(text)
        except ValueError as exc:
            bad(f"{key}: {exc}")
            out[key] = None
    if out["start"] and out["due"] and out["due"] < out["start"]:
        bad(f"due: {out['due']} is before the start {out['start']}")
    if not out["name"] and offering:
        out["name"] = f"{offering.name or offering.id} — {out['client']}"
    return out, offering


def _fields(
    kind: str, values: dict[str, str], services: dict[str, Any], tracker: Any, today: date, bad: Any
) -> dict[str, Any]:
    from svctrack.domain.fields import parse_hours
    from svctrack.domain.model import MODES

    offering = None
    if kind == "engagement":
        out, offering = _engagement(values, services, today, bad)
    else:
        out = {"name": values.get("name", ""), "stage": None}
        if not out["name"]:
            bad("name: empty")
    out["owner"] = values.get("owner", "") or (offering.owner if offering else "")
    mode = values.get("mode", "")
    if mode and mode not in MODES:
        bad(f"mode: {mode!r} is not one of {', '.join(MODES)}")
    out["mode"] = mode or (offering.mode if offering else "")
    out["price"], symbol = None, ""
    if values.get("price"):
        try:
            out["price"], symbol = _money(values["price"])
        except ValueError as exc:
            bad(f"price: {exc}")
    currency = values.get("currency", "") or symbol
    if out["price"] is not None:
        fallback = (offering.currency if offering else "") or str(
            tracker.config.get("currency", "")
        )
        out["currency"] = currency or fallback
    if kind == "engagement":
        out["contract"] = values.get("contract", "")
        if values.get("budget_hours"):
            try:
                out["budget_hours"] = parse_hours(values["budget_hours"])
            except SvcError as exc:
                bad(f"budget_hours: {exc.message}")
    return out


def _stage(text: str, pipeline: Any, bad: Any) -> str:
    if not text:
        return ""
    if pipeline.is_known(text):
        return text
    for stage in pipeline.stages:
        if text.casefold() in (stage.label.casefold(), stage.ru.casefold()):
            return stage.id
    known = ", ".join([*pipeline.stage_ids, *pipeline.ends])
    bad(f"stage: {text!r} is not a stage of {a_kind(pipeline.kind)} ({known})")
    return ""


def document(entry: Planned, note: str, by: str, at: Any) -> str:
    """The new item's file, laid out as `new` lays it out."""
    import tomlkit

    from svctrack.storage import tomledit

    doc = tomlkit.document()
    for key, value in (entry.fields | {"stage": entry.stage}).items():
        if value not in (None, ""):
            tomledit.set_value(doc, key, value)
    tables = ("deadlines", "roles") if entry.kind == "service" else ("deadlines",)
    for table in (*tables, "gates", "principles"):
        doc.add(tomlkit.nl())
        doc.add(table, tomlkit.table())
    doc.add(tomlkit.nl())
    tomledit.append_entry(doc, "history", {"to": entry.stage, "at": at, "by": by, "note": note})
    return tomlkit.dumps(doc)


def apply(tracker: Any, plan: Plan) -> list[Planned]:
    """Create the planned items; returns those created (all of them, unless a write fails)."""
    from svctrack.domain import dates
    from svctrack.usecases.tracker import actor

    by = actor()
    done = []
    name = Path(plan.source).name
    for entry in plan.items:
        note = f"imported from {name}, line {entry.line}"
        try:
            tracker.store.create(entry.kind, entry.item_id, document(entry, note, by, dates.now()))
        except SvcError as exc:
            made = ", ".join(e.item_id for e in done) or "none"
            raise SvcError(
                f"line {entry.line}: {exc.message}; created before it: {made}",
                hint="remove those files or the imported rows, then import the rest",
            ) from None
        done.append(entry)
    return done
