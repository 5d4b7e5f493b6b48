"""`svctrack import csv`: items created from a spreadsheet. Columns are mapped by header
(svctrack's field names, or common English and Russian headings); every row is checked first,
and nothing is written unless every row is valid. A row's cells are read here (dates as sheets
write them, amounts with a currency sign); what the item's fields must be, its defaults and its
file are the tracker's, as for `new`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from svctrack.domain.dates import parse_day
from svctrack.domain.fields import DEFAULTED, REQUIRED, budget_problem, parse_hours, parse_price
from svctrack.errors import SvcError
from svctrack.messages import msg
from svctrack.output.csvfile import (
    COLUMNS,
    COMPUTED,
    CsvProblem,
    decode,
    heading,
    records,
    restore,
)
from svctrack.usecases.drafts import Draft, Terms


@dataclass
class Planned:
    """One valid row: the item it creates."""

    line: int
    draft: Draft

    @property
    def item_id(self) -> str:
        return self.draft.item_id

    @property
    def fields(self) -> dict[str, Any]:
        return self.draft.fields

    @property
    def stage(self) -> str:
        return self.draft.stage


@dataclass
class Plan:
    """What an import would do: the items to create, or the rows that stop it."""

    kind: str
    source: str
    items: list[Planned] = field(default_factory=list)
    problems: list[tuple[int, str]] = field(default_factory=list)  # (line, message)
    ignored: list[str] = field(default_factory=list)  # headings not imported
    rows: int = 0
    skipped: list[tuple[int, str]] = field(default_factory=list)  # (line, the item it matches)


def plan(
    tracker: Any,
    kind: str,
    raw: bytes,
    source: str,
    *,
    encoding: str = "utf-8",
    skip_existing: bool = False,
) -> Plan:
    """Read and check every row; nothing is written here. With `skip_existing`, a row for an
    item the workspace has already is passed over (see `existing`)."""
    result = Plan(kind, source)
    rows = records(decode(raw, source, encoding))
    if not rows or not any(c.strip() for c in rows[0][1]):
        raise CsvProblem(msg("csv_no_header", source=source), hint=msg("csv_no_header_hint"))
    header = [heading(h) for h in rows[0][1]]
    known = set(COLUMNS[kind]) | {"kind"}
    seen: dict[str, int] = {}
    for position, name in enumerate(header):
        if name in known:
            if name in seen:
                raise CsvProblem(
                    msg("csv_twice", source=source, name=repr(name)), hint=msg("csv_twice_hint")
                )
            seen[name] = position
        elif name:
            result.ignored.append(rows[0][1][position].strip())
    needed = [c for c in REQUIRED[kind] if c not in DEFAULTED[kind]]
    missing = [c for c in needed if c not in seen]
    if missing:
        raise CsvProblem(
            msg(
                "csv_missing",
                source=source,
                missing=", ".join(missing),
                found=", ".join(rows[0][1]),
            ),
            hint=msg(
                "csv_missing_hint",
                kind=msg(f"the_{kind}"),
                columns=", ".join(c for c in COLUMNS[kind] if c not in COMPUTED),
            ),
        )
    pipeline = tracker.pipelines[kind]
    taken = tracker.taken()
    present = _present(tracker, kind) if skip_existing else {}
    services = _services(tracker) if kind == "engagement" else ({}, set())
    for line, row in rows[1:]:
        if not any(c.strip() for c in row):
            continue
        result.rows += 1
        # the one place a cell is read: the `'` that export put before a formula goes
        values = {n: restore(row[p].strip()) if p < len(row) else "" for n, p in seen.items()}
        cells = _Cells(values)
        stage = _stage(values.get("stage", ""), pipeline, cells)
        price, symbol = cells.read("price", parse_price) or (None, "")
        currency = values.get("currency", "") or symbol
        if kind == "engagement":
            named = cells.read("service", lambda ref: _resolve_service(ref, *services))
            service_id, offering = named or (values.get("service", ""), None)
            draft = tracker.draft_engagement(
                service_id,
                offering,
                values.get("client", ""),
                cells.read("due", parse_day),
                _terms(values, cells, price, currency),  # (read after the due date, in order)
                stage=stage,
            )
        else:
            draft = tracker.draft_service(
                values.get("name", ""),
                owner=values.get("owner", ""),
                mode=values.get("mode", ""),
                price=price,
                currency=currency,
                stage=stage,
            )
        same = existing(draft, values.get("id", ""), present) if skip_existing else ""
        if same:
            result.skipped.append((line, same))
            continue
        # A cell that could not be read is one problem, not also the field it leaves empty.
        problems = cells.problems + [p.message for p in draft.problems if p.key not in cells.failed]
        try:
            draft.item_id = tracker.new_id(draft, values.get("id") or None, taken)
        except SvcError as exc:
            problems.append(exc.message)
        if problems:
            result.problems += [(line, message) for message in problems]
            continue
        taken.add(draft.item_id)
        result.items.append(Planned(line, draft))
    return result


def _present(tracker: Any, kind: str) -> dict[Any, str]:
    """What identifies the workspace's items of `kind` (id → id; for services their name, for
    engagements their service, client and due) → their id."""
    found, _ = tracker.summaries([kind])
    keys: dict[Any, str] = {}
    for s in found:
        keys[s.id] = s.id
        keys[(s.service, s.client, s.due) if kind == "engagement" else s.name] = s.id
    return keys


def existing(draft: Draft, given_id: str, present: dict[Any, str]) -> str:
    """The id of the item a row is for, when the workspace has it already: the id the row gives,
    else a service of the same name, or an engagement of the same service, client and due."""
    if given_id:
        return present.get(given_id, "")
    f = draft.fields
    key = (f.get("service"), f.get("client"), f.get("due")) if draft.kind == "engagement" else None
    return present.get(key if key else f.get("name"), "")


class _Cells:
    """A row's cells, read one at a time; what cannot be read is a problem named by its column."""

    def __init__(self, values: dict[str, str]) -> None:
        self.values = values
        self.problems: list[str] = []
        self.failed: set[str] = set()

    def read(self, key: str, parse: Any) -> Any:
        text = self.values.get(key, "")
        if not text:
            return None
        try:
            return parse(text)
        except (SvcError, ValueError) as exc:
            said = exc.args[0] if exc.args and isinstance(exc.args[0], str) else str(exc)
            self.bad(key, getattr(exc, "message", said))
            return None

    def bad(self, key: str, message: str) -> None:
        # A message about the service names it (`no service 'x'`); the others get their column.
        self.problems.append(
            msg("of_item", id=key, message=message) if key != "service" else message
        )
        self.failed.add(key)


def _services(tracker: Any) -> tuple[dict[str, Any], set[str]]:
    """The services that can be named (id → item), and the ids of those whose files are broken."""
    loaded = tracker.load(["service"])
    return {s.id: s for s in loaded.items}, set(tracker.store.ids("service"))


def _resolve_service(ref: str, services: dict[str, Any], ids: set[str]) -> tuple[str, Any]:
    """(id, item) of the service a cell names: by id, exact name or unambiguous id prefix."""
    if ref in services:
        return ref, services[ref]
    if ref in ids:
        raise ValueError(msg("service_file_errors", ref=repr(ref)))
    by_name = [s for s in services.values() if s.name.casefold() == ref.casefold()]
    if len(by_name) == 1:
        return by_name[0].id, by_name[0]
    prefixed = [s for i, s in services.items() if i.startswith(ref)]
    if len(prefixed) == 1:
        return prefixed[0].id, prefixed[0]
    if len(prefixed) > 1:
        names = ", ".join(s.id for s in prefixed[:5])
        raise ValueError(msg("service_ambiguous", ref=repr(ref), names=names))
    raise ValueError(msg("no_service_csv", ref=repr(ref)))


def _budget(text: str) -> Decimal:
    return parse_hours(text, rule=budget_problem)


def _stage(text: str, pipeline: Any, cells: _Cells) -> str:
    if not text:
        return ""
    if pipeline.is_known(text):
        return text
    for stage in pipeline.stages:
        if text.casefold() in (stage.label.casefold(), stage.ru.casefold()):
            return stage.id
    known = ", ".join([*pipeline.stage_ids, *pipeline.ends])
    said = msg("not_a_stage", stage=repr(text), kind=msg(f"of_{pipeline.kind}"), known=known)
    cells.bad("stage", said)
    return ""


def apply(
    tracker: Any, plan: Plan, *, progress: Callable[[int, int], None] | None = None
) -> list[Planned]:
    """Create the planned items; returns those created (all of them, unless a write fails).
    `progress` is told `(done, total)` as they are written."""
    from svctrack.domain import dates
    from svctrack.usecases.actor import actor

    by = actor()
    done: list[Planned] = []
    name = Path(plan.source).name
    for entry in plan.items:
        note = f"imported from {name}, line {entry.line}"
        try:
            tracker.write_new(entry.draft, note, by=by, at=dates.now())
        except SvcError as exc:
            made = ", ".join(e.item_id for e in done) or msg("none")
            raise SvcError(
                msg("import_stopped", line=entry.line, message=exc.message, made=made),
                hint=msg("import_stopped_hint"),
            ) from None
        done.append(entry)
        if progress is not None:
            progress(len(done), len(plan.items))
    return done


def _terms(values: dict[str, str], cells: Any, price: Decimal | None, currency: str) -> Terms:
    """A row's engagement terms beyond service, client and due date."""
    return Terms(
        name=values.get("name", ""),
        start=cells.read("start", parse_day),
        owner=values.get("owner", ""),
        mode=values.get("mode", ""),
        price=price,
        currency=currency,
        contract=values.get("contract", ""),
        budget_hours=cells.read("budget_hours", _budget),
    )
