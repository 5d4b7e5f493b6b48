"""Services and engagements as plain data, built from a parsed TOML file; no I/O here."""

from __future__ import annotations

import re
from collections.abc import Callable
from collections.abc import Set as AbstractSet
from dataclasses import field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from svctrack.domain.fields import (
    DOC_KINDS,
    REQUIRED,
    amount_problem,
    budget_problem,
    channel_problem,
    currency_problem,
    date_problem,
    day_hours_problem,
    doc_kind_problem,
    doc_status_problem,
    due_problem,
    every_problem,
    mode_problem,
    price_problem,
    required_problem,
    score_problem,
)
from svctrack.domain.pipeline import Pipeline, state_word
from svctrack.messages import msg
from svctrack.records import record

QUALITY = ("speed", "accuracy", "availability", "courtesy")


@record
class Tick:
    """A gate item's or a principle's mark: done/honoured (True), not (False), unset (None)."""

    ok: bool | None
    note: str = ""


@record
class HistoryEntry:
    """A step of an item's stages (`[[history]]` in the file)."""

    to: str
    at: datetime | None
    by: str = ""
    note: str = ""
    source: str | None = None  # `from` in the file; absent on the creation entry
    forced: bool = False
    skipped: tuple[str, ...] = ()


@record
class Note:
    """A communication with the client (`[[notes]]` in the file)."""

    at: datetime | None
    text: str
    channel: str = "other"
    by: str = ""


@record
class TimeEntry:
    """Hours spent on an item on one day (`[[time]]` in the file)."""

    on: date
    hours: Decimal
    by: str = ""
    note: str = ""


@record
class Saved:
    """A monitoring report saved for a service (`[[reports]]`: `report -o FILE`)."""

    at: datetime | None
    by: str = ""
    file: str = ""


@record
class Feedback:
    """The client's scores and comment (`[[feedback]]` in the file)."""

    at: datetime | None
    score: int
    speed: int | None = None
    accuracy: int | None = None
    availability: int | None = None
    courtesy: int | None = None
    comment: str = ""


@record
class Document:
    """One of an engagement's documents (`[[documents]]`): its status and the day it was set."""

    kind: str
    name: str = ""
    status: str = "draft"
    date: date | None = None


@record
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
    reports: list[Saved] = field(default_factory=list)  # services: monitoring reports saved
    goal: str = ""  # engagements: what the client wants from it
    needs: str = ""  # engagements: the client's concrete need or problem
    every: str = ""  # engagements: month, quarter or year when recurring
    pilot: bool = False  # engagements: knowingly of a service that has not reached delivery
    documents: list[Document] = field(default_factory=list)

    @property
    def hours(self) -> Decimal:
        """Hours spent, exactly."""
        return sum((t.hours for t in self.time), Decimal(0))

    def ticked(self, stage: str) -> frozenset[str]:
        """The gate items of `stage` that are done."""
        return frozenset(k for k, t in self.gates.get(stage, {}).items() if t.ok)


@record(frozen=True)
class Problem:
    """Something wrong in a file's content: `key` locates it, `severity` is error or warning."""

    message: str
    key: str = ""
    severity: str = "error"


# --- building an Item from parsed TOML ------------------------------------------------------

TEXT_FIELDS = (
    *("name", "stage", "owner", "mode", "currency", "contract", "service", "client"),
    *("goal", "needs", "every"),
)
DATE_FIELDS = ("start", "due")
AMOUNT_FIELDS = ("price", "budget_hours")  # exact numbers ≥ 0
FLAG_FIELDS = ("pilot",)  # true or false
TABLES = ("roles", "deadlines", "gates", "principles")
ENTRIES = ("history", "notes", "feedback", "time", "reports", "documents")  # arrays of tables
KNOWN_KEYS = frozenset(TEXT_FIELDS + DATE_FIELDS + AMOUNT_FIELDS + FLAG_FIELDS + TABLES + ENTRIES)


def item_from_data(kind: str, item_id: str, data: dict[str, Any]) -> tuple[Item, list[Problem]]:
    """Build an Item from a file's parsed data, tolerating what it can and listing the rest.

    A value of the wrong type, or one that a field rule refuses where the value would be unsafe
    to compute with (a date out of range, an amount of 10^999999), is listed and left out.
    """
    problems: list[Problem] = []
    item = Item(kind=kind, id=item_id)

    def bad(key: str, message: str, severity: str = "error") -> None:
        problems.append(Problem(message, key, severity))

    _values(item, data, bad)
    _field_rules(item, data, bad)
    item.roles = _strings(data, "roles", bad)
    item.deadlines = _dates(data, "deadlines", bad)
    item.principles = _ticks(data.get("principles", {}), "principles", bad)
    gates = data.get("gates", {})
    if isinstance(gates, dict):
        for stage, ticks in gates.items():
            item.gates[stage] = _ticks(ticks, f"gates.{stage}", bad)
    else:
        bad("gates", msg("gates_table"))
    item.history = _entries(data, "history", _history, bad)
    item.notes = _entries(data, "notes", _note, bad)
    item.feedback = _entries(data, "feedback", _feedback, bad)
    item.time = _entries(data, "time", _time, bad)
    item.reports = _entries(data, "reports", _saved, bad)
    item.documents = _entries(data, "documents", _document, bad)
    return item, problems


_NUMBERS = (
    ("price", amount_problem, "t_number_0"),
    ("budget_hours", budget_problem, "t_number_above_0"),
)


def _values(item: Item, data: dict[str, Any], bad: Any) -> None:
    """The plain keys: strings, flags, dates and numbers of the right type, within ranges."""
    typed = ((TEXT_FIELDS, str, "t_str"), (FLAG_FIELDS, bool, "t_flag"))
    for keys, kind, what in typed:
        for key in keys:
            if key in data:
                value = data[key]
                if isinstance(value, kind):
                    setattr(item, key, value)
                else:
                    bad(key, msg("must_be_not", key=key, what=msg(what), found=_type(value)))
    for key in DATE_FIELDS:
        if key in data:
            value = data[key]
            if type(value) is not date:
                bad(key, msg("must_be_not", key=key, what=msg("t_day"), found=_type(value)))
            elif problem := date_problem(value):
                bad(key, msg("key_problem", key=key, problem=problem))
            else:
                setattr(item, key, value)
    for key, rule, what in _NUMBERS:
        if key in data:
            value = data[key]
            amount = _amount(value)
            if amount is None:
                shown = value if isinstance(value, Decimal) else _type(value)
                bad(key, msg("must_be_not", key=key, what=msg(what), found=shown))
            elif problem := rule(amount):
                bad(key, msg("key_problem", key=key, problem=problem))
            else:
                setattr(item, key, amount)


def _field_rules(item: Item, data: dict[str, Any], bad: Any) -> None:
    """What the values must be, alone and together (the rules of `svctrack.domain.fields`)."""
    if "stage" not in data:
        bad("stage", msg("missing", key="stage"))
    for key in REQUIRED[item.kind]:
        value = data.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            bad(key, required_problem(item.kind, key))
    if item.mode and (problem := mode_problem(item.mode)):
        bad("mode", problem)
    if item.every and (problem := every_problem(item.every)):
        bad("every", problem)
    if item.currency and (problem := currency_problem(item.currency)):
        bad("currency", problem)
    if problem := price_problem(item.price, item.currency):
        bad("price", problem)
    if problem := due_problem(item.start, item.due):
        bad("due", problem)


def check(
    kind: str, item_id: str, data: dict[str, Any], pipeline: Pipeline
) -> tuple[Item, list[Problem]]:
    """The item and everything its file alone says is wrong with it (what `validate` says of
    the file, but for a service that is not there: see `service_problem`)."""
    item, problems = item_from_data(kind, item_id, data)
    return item, problems + _consistency(item, pipeline)


def errors(problems: list[Problem]) -> list[Problem]:
    return [p for p in problems if p.severity == "error"]


def service_problem(kind: str, service: str, services: AbstractSet[str]) -> Problem | None:
    """An engagement's service must exist (`services` holds the ids of the workspace's): the one
    rule that needs more than the item's own file."""
    if kind == "engagement" and service and service not in services:
        message = msg("no_service_file", service=service)
        return Problem(message, "service")
    return None


DELIVERY = "delivery"  # the service stage from which its engagements are no longer pilots


def reached(item: Item, pipeline: Pipeline, stage: str) -> bool:
    """Whether the item is at `stage` or past it, or ever was (its history went there): a
    service in its next iteration has reached delivery already."""
    if stage not in pipeline.stage_ids:
        return False
    if item.stage == pipeline.done or (
        item.stage in pipeline.stage_ids and pipeline.index(item.stage) >= pipeline.index(stage)
    ):
        return True
    return any(stage in (h.to, h.source) for h in item.history)


def pilot_problem(service: Item, pipeline: Pipeline) -> str | None:
    """An engagement of a service that has not reached delivery is a pilot: allowed, but said
    ("После запуска… наступает этап оказания"), unless the engagement says `pilot = true`.
    None where the pipeline has no delivery stage."""
    if DELIVERY not in pipeline.stage_ids or reached(service, pipeline, DELIVERY):
        return None
    return msg("pilot_problem", id=service.id, stage=state_word(pipeline, service.stage))


def aims_problem(item: Item, pipeline: Pipeline) -> Problem | None:
    """An engagement past its first stage should say what the client wants: its goal or needs
    ("цель… при ее заказе", "конкретной потребности"). A warning of `validate --strict`."""
    if item.kind != "engagement" or item.goal.strip() or item.needs.strip():
        return None
    first = pipeline.stages[0].id if pipeline.stages else ""
    if item.stage == first or not pipeline.is_known(item.stage):
        return None
    ended = next((h.source for h in reversed(item.history) if h.to == item.stage), None)
    if item.stage != pipeline.done and item.stage in pipeline.ends and ended == first:
        return None  # cancelled before it got past the first stage
    return Problem(msg("no_aims"), "", "warning")


def documents_signed(item: Item) -> bool:
    """At least one document is listed and every listed one is signed."""
    return bool(item.documents) and all(d.status == "signed" for d in item.documents)


def report_saved(item: Item) -> bool:
    """A report was saved for the service (`report -o FILE`, `[[reports]]`) since it last
    entered delivery: its recommendations are made."""
    entered = [h.at for h in item.history if h.to == "delivery" and h.at is not None]
    since = max(entered) if entered else None
    return any(r.at is not None and (since is None or r.at >= since) for r in item.reports)


# Gate items that an item's own data satisfies: the write that makes the facts true ticks
# them, as does the `advance` into their stage (a hand tick works as well).
FACT_GATES: dict[str, Callable[[Item], bool]] = {
    "feedback-received": lambda item: bool(item.feedback),
    "documents-signed": documents_signed,
    "recommendations-made": report_saved,
}


def ticked_by_facts(item: Item, pipeline: Pipeline) -> list[str]:
    """The open gate items of the current stage that the item's data now satisfies."""
    stage = pipeline.stage(item.stage)
    if stage is None:
        return []
    done = item.ticked(stage.id)
    return [
        g.id
        for g in stage.gates
        if g.id in FACT_GATES and g.id not in done and FACT_GATES[g.id](item)
    ]


def _consistency(item: Item, pipeline: Pipeline) -> list[Problem]:
    """What the item says against its pipeline: stages, deadlines, gate items, principles."""
    problems = []
    if item.stage and not pipeline.is_known(item.stage):
        import difflib

        states = [*pipeline.stage_ids, *pipeline.ends]
        close = difflib.get_close_matches(item.stage, states, n=1)
        hint = (
            msg("did_you_mean", names=close[0], more="")
            if close
            else msg("stages_are", stages=", ".join(states))
        )
        said = msg("unknown_stage", kind=msg(f"the_{item.kind}"), stage=repr(item.stage))
        problems.append(Problem(msg("with_meant", message=said, meant=hint), "stage"))
    for stage in item.deadlines:
        if stage not in pipeline.stage_ids:
            problems.append(
                Problem(msg("deadline_unknown_stage", stage=repr(stage)), f"deadlines.{stage}")
            )
    for stage, ticks in item.gates.items():
        known = pipeline.stage(stage)
        for gate in ticks:
            if known is None or known.gate(gate) is None:
                problems.append(
                    Problem(
                        msg("unknown_gate", gate=f"{stage}.{gate}"),
                        f"gates.{stage}.{gate}",
                        "warning",
                    )
                )
    for key in item.principles:
        if pipeline.principle(key) is None:
            problems.append(
                Problem(
                    msg("not_a_principle", key=repr(key), kind=msg(f"of_{item.kind}")),
                    f"principles.{key}",
                    "warning",
                )
            )
    if item.history and item.stage and pipeline.is_known(item.stage):
        last = item.history[-1].to
        if last != item.stage:
            problems.append(
                Problem(
                    msg("stage_not_history", stage=repr(item.stage), last=repr(last)),
                    "stage",
                    "warning",
                )
            )
    elif not item.history:
        problems.append(Problem(msg("no_history"), "", "warning"))
    return problems


def _type(value: Any) -> str:
    names = {bool: "n_bool", int: "n_int", Decimal: "n_number", float: "n_number"}
    names |= {str: "n_str", list: "n_array", dict: "n_table", datetime: "n_datetime"}
    if type(value) is date:
        return msg("n_date")
    name = names.get(type(value))
    return msg(name) if name else type(value).__name__


def _strings(data: dict[str, Any], key: str, bad: Any) -> dict[str, str]:
    table = data.get(key, {})
    if not isinstance(table, dict):
        bad(key, msg("must_be", key=key, what=msg("t_table")))
        return {}
    out = {}
    for name, value in table.items():
        if isinstance(value, str):
            out[name] = value
        else:
            bad(f"{key}.{name}", msg("must_be", key=f"{key}.{name}", what=msg("t_str")))
    return out


def _dates(data: dict[str, Any], key: str, bad: Any) -> dict[str, date]:
    table = data.get(key, {})
    if not isinstance(table, dict):
        bad(key, msg("must_be", key=key, what=msg("t_table")))
        return {}
    out = {}
    for name, value in table.items():
        if type(value) is not date:
            said = msg("must_be_not", key=f"{key}.{name}", what=msg("t_day"), found=_type(value))
            bad(f"{key}.{name}", said)
        elif problem := date_problem(value):
            bad(f"{key}.{name}", msg("key_problem", key=f"{key}.{name}", problem=problem))
        else:
            out[name] = value
    return out


def _ticks(table: Any, where: str, bad: Any) -> dict[str, Tick]:
    if not isinstance(table, dict):
        bad(where, msg("must_be", key=where, what=msg("t_table")))
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
                msg("bad_tick", key=f"{where}.{name}"),
            )
    return out


def _amount(value: Any) -> Decimal | None:
    """A finite number of the file as an exact decimal; None for anything else (nan, inf)."""
    if isinstance(value, bool) or not isinstance(value, (Decimal, int)):
        return None
    amount = Decimal(value)
    return amount if amount.is_finite() else None


_NAMED = re.compile(r"^`([^`]+)`")


def _entries(data: dict[str, Any], key: str, build: Any, bad: Any) -> list[Any]:
    """The entries of an array of tables. Problems are located at the entry (`notes[2]`) or its
    key (`notes[2].at`); an entry whose time is unusable is kept without one."""
    raw = data.get(key, [])
    if not isinstance(raw, list):
        bad(key, msg("must_be_array", key=key))
        return []
    out = []
    number = 0

    def complain(message: str, field: str = "") -> None:
        where = f"{key}[{number}]"
        said = msg("entry_problem", key=key, n=number, message=message)
        bad(f"{where}.{field}" if field else where, said)

    for number, entry in enumerate(raw, 1):  # `complain` names the one being built
        if not isinstance(entry, dict):
            bad(f"{key}[{number}]", msg("entry_table", key=key, n=number))
            continue
        try:
            out.append(build(entry, complain))
        except (TypeError, ValueError) as exc:
            named = _NAMED.match(str(exc))
            message = exc.args[0] if exc.args and isinstance(exc.args[0], str) else str(exc)
            complain(message, named[1] if named else "")
    return out


def _moment(entry: dict[str, Any], complain: Any, key: str = "at") -> datetime | None:
    """An offset datetime; anything else is a problem and no moment (the entry stays)."""
    value = entry.get(key)
    if value is None:
        return None
    if isinstance(value, datetime):
        if value.tzinfo is None:
            complain(msg("no_offset", key=key, value=value.isoformat()), key)
        elif problem := date_problem(value.date()):
            complain(msg("key_problem", key=key, problem=problem), key)
        else:
            return value
    elif type(value) is date:
        example = f"{value}T12:00:00+03:00"
        complain(msg("date_not_moment", key=key, value=value, example=example), key)
    else:
        complain(msg("must_be_not", key=key, what=msg("t_moment"), found=_type(value)), key)
    return None


def _text(entry: dict[str, Any], key: str) -> str:
    value = entry.get(key, "")
    if not isinstance(value, str):
        raise TypeError(msg("must_be", key=key, what=msg("t_str")))
    return value


def _history(entry: dict[str, Any], complain: Any) -> HistoryEntry:
    source = entry.get("from")
    if source is not None and not isinstance(source, str):
        raise TypeError(msg("must_be", key="from", what=msg("t_str")))
    skipped = entry.get("skipped", [])
    to = _text(entry, "to")
    if not to:
        complain(msg("to_missing"), "to")
    if "at" not in entry:  # every step has its moment: history, timelines and reports sort by it
        complain(msg("at_missing"), "at")
    return HistoryEntry(
        to=to,
        at=_moment(entry, complain),
        by=_text(entry, "by"),
        note=_text(entry, "note"),
        source=source,
        forced=entry.get("forced") is True,
        skipped=tuple(map(str, skipped)) if isinstance(skipped, list) else (),
    )


def _note(entry: dict[str, Any], complain: Any) -> Note:
    channel = _text(entry, "channel") or "other"
    if problem := channel_problem(channel):
        complain(problem, "channel")
    return Note(
        at=_moment(entry, complain),
        text=_text(entry, "text"),
        channel=channel,
        by=_text(entry, "by"),
    )


def _score(entry: dict[str, Any], key: str) -> int | None:
    value = entry.get(key)
    if value is None:
        return None
    problem = score_problem(key, value)
    if problem or not isinstance(value, int):
        raise ValueError(problem or msg("must_be", key=key, what=msg("t_whole")))
    return value


def _feedback(entry: dict[str, Any], complain: Any) -> Feedback:
    score = _score(entry, "score")
    if score is None:
        raise ValueError(msg("missing", key="score"))
    return Feedback(
        at=_moment(entry, complain),
        score=score,
        comment=_text(entry, "comment"),
        **{k: _score(entry, k) for k in QUALITY},
    )


def _time(entry: dict[str, Any], complain: Any) -> TimeEntry:
    on = entry.get("date")
    if type(on) is not date:
        raise TypeError(msg("must_be", key="date", what=msg("t_day")))
    if problem := date_problem(on):
        raise ValueError(msg("key_problem", key="date", problem=problem))
    hours = _amount(entry.get("hours"))
    if hours is None:
        raise ValueError(msg("must_be", key="hours", what=msg("t_number_above_0")))
    if problem := day_hours_problem(hours):
        raise ValueError(msg("key_problem", key="hours", problem=problem))
    return TimeEntry(on=on, hours=hours, by=_text(entry, "by"), note=_text(entry, "note"))


def _document(entry: dict[str, Any], complain: Any) -> Document:
    kind = _text(entry, "kind")
    if not kind:
        raise ValueError(msg("missing_doc_kind", kinds=", ".join(DOC_KINDS)))
    if problem := doc_kind_problem(kind):
        complain(problem, "kind")
    status = _text(entry, "status") or "draft"
    if problem := doc_status_problem(status):
        complain(problem, "status")
    on = entry.get("date")
    if on is not None and type(on) is not date:
        raise TypeError(msg("must_be", key="date", what=msg("t_day")))
    if on is not None and (problem := date_problem(on)):
        raise ValueError(msg("key_problem", key="date", problem=problem))
    return Document(kind=kind, name=_text(entry, "name"), status=status, date=on)


def _saved(entry: dict[str, Any], complain: Any) -> Saved:
    return Saved(at=_moment(entry, complain), by=_text(entry, "by"), file=_text(entry, "file"))
