"""Services and engagements as plain data, built from a parsed TOML file; no I/O here."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

MODES = ("online", "offline", "hybrid")
CHANNELS = ("email", "call", "meeting", "chat", "other")
QUALITY = ("speed", "accuracy", "availability", "courtesy")


@dataclass
class Tick:
    """A gate item's or a principle's mark: done/honoured (True), not (False), unset (None)."""

    ok: bool | None
    note: str = ""


@dataclass
class HistoryEntry:
    to: str
    at: datetime | None
    by: str = ""
    note: str = ""
    source: str | None = None  # `from` in the file; absent on the creation entry
    forced: bool = False
    skipped: tuple[str, ...] = ()


@dataclass
class Note:
    at: datetime | None
    text: str
    channel: str = "other"
    by: str = ""


@dataclass
class TimeEntry:
    """Hours spent on an item on one day (`[[time]]` in the file)."""

    on: date
    hours: Decimal
    by: str = ""
    note: str = ""


@dataclass
class Feedback:
    at: datetime | None
    score: int
    speed: int | None = None
    accuracy: int | None = None
    availability: int | None = None
    courtesy: int | None = None
    comment: str = ""


@dataclass
class Item:
    """One service or engagement, as its file says."""

    kind: str
    id: str
    name: str = ""
    stage: str = ""
    owner: str = ""
    mode: str = ""
    price: Decimal | None = None
    currency: str = ""
    contract: str = ""
    service: str = ""  # engagements: the service delivered
    client: str = ""
    start: date | None = None
    due: date | None = None
    roles: dict[str, str] = field(default_factory=dict)  # services: department → person
    deadlines: dict[str, date] = field(default_factory=dict)
    gates: dict[str, dict[str, Tick]] = field(default_factory=dict)  # stage → item → tick
    principles: dict[str, Tick] = field(default_factory=dict)
    history: list[HistoryEntry] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    feedback: list[Feedback] = field(default_factory=list)
    budget_hours: Decimal | None = None
    time: list[TimeEntry] = field(default_factory=list)

    @property
    def hours(self) -> Decimal:
        """Hours spent, exactly."""
        return sum((t.hours for t in self.time), Decimal(0))

    def ticked(self, stage: str) -> frozenset[str]:
        """The gate items of `stage` that are done."""
        return frozenset(k for k, t in self.gates.get(stage, {}).items() if t.ok)


@dataclass(frozen=True)
class Problem:
    """Something wrong in a file's content: `key` locates it, `severity` is error or warning."""

    message: str
    key: str = ""
    severity: str = "error"


# --- building an Item from parsed TOML ------------------------------------------------------

TEXT_FIELDS = ("name", "stage", "owner", "mode", "currency", "contract", "service", "client")
DATE_FIELDS = ("start", "due")
KNOWN_KEYS = frozenset(
    TEXT_FIELDS
    + DATE_FIELDS
    + ("price", "roles", "deadlines", "gates", "principles", "history", "notes", "feedback")
    + ("budget_hours", "time")
)


def item_from_data(kind: str, item_id: str, data: dict[str, Any]) -> tuple[Item, list[Problem]]:
    """Build an Item from a file's parsed data, tolerating what it can and listing the rest."""
    problems: list[Problem] = []
    item = Item(kind=kind, id=item_id)

    def bad(key: str, message: str, severity: str = "error") -> None:
        problems.append(Problem(message, key, severity))

    for key in TEXT_FIELDS:
        if key in data:
            value = data[key]
            if isinstance(value, str):
                setattr(item, key, value)
            else:
                bad(key, f"`{key}` must be a string, not {_type(value)}")
    for key in DATE_FIELDS:
        if key in data:
            value = data[key]
            if type(value) is date:
                setattr(item, key, value)
            else:
                bad(key, f"`{key}` must be a date (YYYY-MM-DD), not {_type(value)}")
    for key in ("price", "budget_hours"):
        if key in data:
            value = data[key]
            if isinstance(value, Decimal | int) and not isinstance(value, bool) and value >= 0:
                setattr(item, key, Decimal(value))
            else:
                bad(key, f"`{key}` must be a number ≥ 0, not {_type(value)}")
    if "stage" not in data:
        bad("stage", "`stage` is missing")
    item.roles = _strings(data, "roles", bad)
    item.deadlines = _dates(data, "deadlines", bad)
    item.principles = _ticks(data.get("principles", {}), "principles", bad)
    gates = data.get("gates", {})
    if isinstance(gates, dict):
        for stage, ticks in gates.items():
            item.gates[stage] = _ticks(ticks, f"gates.{stage}", bad)
    else:
        bad("gates", "`gates` must be a table of stages")
    item.history = _entries(data, "history", _history, bad)
    item.notes = _entries(data, "notes", _note, bad)
    item.feedback = _entries(data, "feedback", _feedback, bad)
    item.time = _entries(data, "time", _time, bad)
    return item, problems


def _type(value: Any) -> str:
    names = {bool: "a boolean", int: "an integer", Decimal: "a number", float: "a number"}
    names |= {str: "a string", list: "an array", dict: "a table", datetime: "a datetime"}
    if type(value) is date:
        return "a date"
    return names.get(type(value), type(value).__name__)


def _strings(data: dict[str, Any], key: str, bad: Any) -> dict[str, str]:
    table = data.get(key, {})
    if not isinstance(table, dict):
        bad(key, f"`{key}` must be a table")
        return {}
    out = {}
    for name, value in table.items():
        if isinstance(value, str):
            out[name] = value
        else:
            bad(f"{key}.{name}", f"`{key}.{name}` must be a string")
    return out


def _dates(data: dict[str, Any], key: str, bad: Any) -> dict[str, date]:
    table = data.get(key, {})
    if not isinstance(table, dict):
        bad(key, f"`{key}` must be a table")
        return {}
    out = {}
    for name, value in table.items():
        if type(value) is date:
            out[name] = value
        else:
            bad(f"{key}.{name}", f"`{key}.{name}` must be a date (YYYY-MM-DD), not {_type(value)}")
    return out


def _ticks(table: Any, where: str, bad: Any) -> dict[str, Tick]:
    if not isinstance(table, dict):
        bad(where, f"`{where}` must be a table")
        return {}
    out = {}
    for name, value in table.items():
        if isinstance(value, bool):
            out[name] = Tick(value)
        elif isinstance(value, dict) and isinstance(value.get("ok", value.get("done")), bool):
            out[name] = Tick(value.get("ok", value.get("done")), str(value.get("note", "")))
        elif isinstance(value, dict) and "ok" not in value and "done" not in value:
            out[name] = Tick(None, str(value.get("note", "")))
        else:
            bad(
                f"{where}.{name}",
                f"`{where}.{name}` must be true, false or {{ ok = ..., note = ... }}",
            )
    return out


def _entries(data: dict[str, Any], key: str, build: Any, bad: Any) -> list[Any]:
    raw = data.get(key, [])
    if not isinstance(raw, list):
        bad(key, f"`{key}` must be an array of tables ([[{key}]])")
        return []
    out = []
    for number, entry in enumerate(raw, 1):
        if not isinstance(entry, dict):
            bad(key, f"[[{key}]] entry {number} must be a table")
            continue
        try:
            out.append(build(entry))
        except (TypeError, ValueError) as exc:
            bad(key, f"[[{key}]] entry {number}: {exc}")
    return out


def _moment(entry: dict[str, Any], key: str = "at") -> datetime | None:
    value = entry.get(key)
    if value is None:
        return None
    if type(value) is date:
        return datetime(value.year, value.month, value.day)
    if not isinstance(value, datetime):
        raise TypeError(f"`{key}` must be a datetime with offset")
    if value.tzinfo is None:
        raise ValueError(f"`{key}` = {value.isoformat()} has no UTC offset (add e.g. +03:00)")
    return value


def _text(entry: dict[str, Any], key: str) -> str:
    value = entry.get(key, "")
    if not isinstance(value, str):
        raise TypeError(f"`{key}` must be a string")
    return value


def _history(entry: dict[str, Any]) -> HistoryEntry:
    source = entry.get("from")
    if source is not None and not isinstance(source, str):
        raise TypeError("`from` must be a string")
    skipped = entry.get("skipped", [])
    return HistoryEntry(
        to=_text(entry, "to"),
        at=_moment(entry),
        by=_text(entry, "by"),
        note=_text(entry, "note"),
        source=source,
        forced=entry.get("forced") is True,
        skipped=tuple(str(s) for s in skipped) if isinstance(skipped, list) else (),
    )


def _note(entry: dict[str, Any]) -> Note:
    return Note(
        at=_moment(entry),
        text=_text(entry, "text"),
        channel=_text(entry, "channel") or "other",
        by=_text(entry, "by"),
    )


def _score(entry: dict[str, Any], key: str) -> int | None:
    value = entry.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
        raise ValueError(f"`{key}` must be a whole number from 1 to 5")
    return value


def _feedback(entry: dict[str, Any]) -> Feedback:
    score = _score(entry, "score")
    if score is None:
        raise ValueError("`score` is missing")
    return Feedback(
        at=_moment(entry),
        score=score,
        comment=_text(entry, "comment"),
        **{k: _score(entry, k) for k in QUALITY},
    )


def _time(entry: dict[str, Any]) -> TimeEntry:
    on = entry.get("date")
    if type(on) is not date:
        raise TypeError("`date` must be a date (YYYY-MM-DD)")
    hours = entry.get("hours")
    if isinstance(hours, bool) or not isinstance(hours, Decimal | int) or hours <= 0:
        raise ValueError("`hours` must be a number above 0")
    return TimeEntry(on=on, hours=Decimal(hours), by=_text(entry, "by"), note=_text(entry, "note"))
