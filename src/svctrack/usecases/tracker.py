"""The use cases: what svctrack can do to a workspace, as a Python API with no terminal in it."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from svctrack.domain import dates
from svctrack.domain.fields import (
    parse_currency,
    parse_hours,
    parse_mode,
    parse_money,
    suggest,
)
from svctrack.domain.ids import check_id, slugify
from svctrack.domain.model import CHANNELS, MODES, QUALITY, Item, item_from_data
from svctrack.domain.pipeline import KINDS, Pipeline, Transition, a_kind, decide, load_pipelines
from svctrack.domain.queries import Summary, summary
from svctrack.errors import FileProblem, NotFound, Refused, UsageError
from svctrack.storage.paths import CONFIG, FOLDERS, find_root
from svctrack.storage.store import Store
from svctrack.storage.userconfig import user_config

if TYPE_CHECKING:
    from svctrack.storage.cache import Index

T = TypeVar("T")
_PREFIX = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
SETTABLE = ("name", "owner", "client", "due", "start", "price", "currency", "budget_hours")
SETTABLE += ("mode", "contract")
ENGAGEMENT_ONLY = frozenset({"due", "start", "client", "contract", "budget_hours"})
REQUIRED = {"service": {"name"}, "engagement": {"name", "due", "client"}}


def actor() -> str:
    """Who is acting: SVCTRACK_USER, the user config, git's user.name, the login name."""
    name = os.environ.get("SVCTRACK_USER") or str(user_config().get("user", ""))
    if name:
        return name
    import getpass
    import subprocess

    try:
        done = subprocess.run(
            ["git", "config", "user.name"], capture_output=True, text=True, timeout=5, check=False
        )
        if done.returncode == 0 and done.stdout.strip():
            return done.stdout.strip()
    except (OSError, subprocess.SubprocessError):
        pass
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return "unknown"


def _required(note: str, what: str) -> str:
    if not note.strip():
        raise UsageError(f"--note is needed: say {what}")
    return note


FIELD_PARSERS: dict[str, Callable[[str], Any]] = {
    "due": dates.parse_date,
    "start": dates.parse_date,
    "price": parse_money,
    "budget_hours": parse_hours,
    "currency": parse_currency,
    "mode": parse_mode,
}


@dataclass
class Loaded:
    """Items of one or both kinds, and the files that could not be read."""

    items: list[Item] = field(default_factory=list)
    broken: list[FileProblem] = field(default_factory=list)


class Tracker:
    """One workspace: its config, its pipelines, and the use cases over its files."""

    def __init__(self, root: Path, *, use_cache: bool = True) -> None:
        self.store = Store(root)
        self.root = root
        self.use_cache = use_cache

    @classmethod
    def open(cls, explicit: str | None = None, *, use_cache: bool = True) -> Tracker:
        return cls(find_root(explicit), use_cache=use_cache)

    @cached_property
    def config(self) -> dict[str, Any]:
        return self.store.config()

    @cached_property
    def pipelines(self) -> dict[str, Pipeline]:
        return load_pipelines(self.config, CONFIG)

    @property
    def lang(self) -> str:
        return str(self.config.get("lang", "en"))

    @property
    def currency(self) -> str:
        return str(self.config.get("currency", ""))

    # --- finding items ------------------------------------------------------------------

    def resolve(self, ref: str, kind: str | None = None) -> tuple[str, str]:
        """(kind, id) for an id or an unambiguous prefix; an exact id wins over a prefix."""
        kinds = (kind,) if kind else KINDS
        what = kind or "item"
        if not _PREFIX.match(ref):
            raise NotFound(f"no {what} {ref!r}: ids use a-z, 0-9 and '-'")
        for k in kinds:
            path = self.store.root / FOLDERS[k] / f"{ref}.toml"
            if path.is_file():
                return k, ref
        matches = [(k, i) for k in kinds for i in self.store.ids(k) if i.startswith(ref)]
        if len(matches) == 1:
            return matches[0]
        if matches:
            names = ", ".join(i for _, i in matches[:10])
            more = f" and {len(matches) - 10} more" if len(matches) > 10 else ""
            raise Refused(f"{ref!r} is ambiguous: {names}{more}", hint="give more of the id")
        for other in KINDS:
            if other not in kinds and (self.store.root / FOLDERS[other] / f"{ref}.toml").is_file():
                raise NotFound(f"{ref} is {a_kind(other)}, not {a_kind(what)}")
        every = [i for k in kinds for i in self.store.ids(k)]
        raise NotFound(f"no {what} {ref!r}{suggest(ref, every)}")

    def get(self, ref: str, kind: str | None = None) -> Item:
        kind, item_id = self.resolve(ref, kind)
        return item_from_data(kind, item_id, self.store.read(kind, item_id))[0]

    def _index(self) -> Index:
        from svctrack.storage.cache import Index

        return Index(self.store, self.pipelines, use_cache=self.use_cache)

    def load(self, kinds: Iterable[str] = KINDS, *, only_open: bool = False) -> Loaded:
        """Full items of the given kinds; unreadable files are listed, not fatal."""
        items, broken = self._index().items(kinds, _same, only_open=only_open)
        return Loaded(items, broken)

    def each(
        self, kinds: Iterable[str], each: Callable[[Item], T], *, only_open: bool = False
    ) -> tuple[list[T], list[FileProblem]]:
        """`each(item)` of every full item, read one at a time: for what keeps less than items."""
        return self._index().items(kinds, each, only_open=only_open)

    def briefs(self, kinds: Iterable[str] = KINDS) -> Loaded:
        """The open items, without notes, feedback, time and all but the last history entry:
        all that deadlines and checklists need, read from the cache's index alone."""
        items, broken = self._index().briefs(kinds)
        return Loaded(items, broken)

    def summaries(
        self, kinds: Iterable[str] = KINDS, *, only_open: bool = False
    ) -> tuple[list[Summary], list[FileProblem]]:
        """What lists and the dashboard show of every item (see `queries.summarize`)."""
        today = dates.today()
        rows, broken = self._index().rows(kinds, only_open=only_open)
        return [summary(kind, item_id, row, today) for kind, item_id, row in rows], broken

    def taken(self) -> set[str]:
        return {i for k in KINDS for i in self.store.ids(k)}

    # --- creating -----------------------------------------------------------------------

    def new_service(
        self,
        name: str,
        *,
        item_id: str | None = None,
        owner: str = "",
        mode: str = "",
        price: Decimal | None = None,
        currency: str = "",
        note: str = "",
    ) -> Item:
        """Create a service at the first stage of the service pipeline."""
        currency = parse_currency(currency) if currency else ""
        fields = {"name": name, "stage": None, "owner": owner, "mode": mode, "price": price}
        if price is not None:
            fields["currency"] = currency or self.currency
        return self._create("service", name, item_id, fields, ("deadlines", "roles"), note)

    def new_engagement(
        self,
        service: str,
        client: str,
        due: date,
        *,
        item_id: str | None = None,
        name: str = "",
        start: date | None = None,
        owner: str = "",
        mode: str = "",
        price: Decimal | None = None,
        currency: str = "",
        contract: str = "",
        note: str = "",
    ) -> Item:
        """Create an engagement of an existing service, at the first engagement stage."""
        currency = parse_currency(currency) if currency else ""
        _, service_id = self.resolve(service, "service")
        offering = self.get(service_id, "service")
        if not client.strip():
            raise UsageError("--client cannot be empty")
        start = start or dates.today()
        if due < start:
            raise UsageError(f"--due {due} is before the start {start}")
        name = name or f"{offering.name or service_id} — {client}"
        fields: dict[str, Any] = {
            "name": name,
            "service": service_id,
            "client": client,
            "stage": None,
            "start": start,
            "due": due,
            "owner": owner or offering.owner,
            "mode": mode or offering.mode,
            "price": price,
            "currency": (currency or offering.currency or self.currency)
            if price is not None
            else "",
            "contract": contract,
        }
        return self._create(
            "engagement", f"{service_id} {client}", item_id, fields, ("deadlines",), note
        )

    def _create(
        self,
        kind: str,
        basis: str,
        item_id: str | None,
        fields: dict[str, Any],
        tables: tuple[str, ...],
        note: str,
    ) -> Item:
        import tomlkit

        from svctrack.storage import tomledit

        if not str(fields.get("name", "")).strip():
            raise UsageError("a name is needed (--name)")
        if fields.get("mode") and fields["mode"] not in MODES:
            raise UsageError(f"--mode must be one of {', '.join(MODES)}")
        derived = not item_id
        if item_id:
            check_id(item_id)
            if item_id in self.taken():
                raise Refused(f"id {item_id!r} is taken", hint="choose another, or leave it out")
        else:  # a first guess; the id is chosen under the lock, where no one else creates
            item_id = slugify(basis if kind == "engagement" else fields["name"])
        pipeline = self.pipelines[kind]
        first = pipeline.stages[0].id
        doc = tomlkit.document()
        for key, value in (fields | {"stage": first}).items():
            if value not in (None, ""):
                tomledit.set_value(doc, key, value)
        for table in (*tables, "gates", "principles"):
            doc.add(tomlkit.nl())
            doc.add(table, tomlkit.table())
        doc.add(tomlkit.nl())
        entry = {"to": first, "at": dates.now(), "by": actor(), "note": note or "created"}
        tomledit.append_entry(doc, "history", entry)
        item_id = self.store.create(kind, item_id, tomlkit.dumps(doc), derived=derived)
        return self.get(item_id, kind)

    # --- changing -----------------------------------------------------------------------

    def _edit(self, ref: str, change: Callable[[Item, Pipeline, Any], Any]) -> Any:
        kind, item_id = self.resolve(ref)
        path = self.store.path(kind, item_id)
        pipeline = self.pipelines[kind]

        def apply(data: dict[str, Any], doc: Any) -> Any:
            from svctrack.storage.tomledit import Editor

            item = item_from_data(kind, item_id, data)[0]
            return change(item, pipeline, Editor(doc))

        return self.store.edit(path, apply)

    def _step(self, ref: str, action: str, note: str, force: bool = False) -> Transition:
        def change(item: Item, pipeline: Pipeline, doc: Any) -> Transition:
            try:
                move = decide(
                    pipeline, item.stage, action, done=item.ticked(item.stage), force=force
                )
            except Refused as refused:
                raise Refused(f"{item.id}: {refused.message}", hint=refused.hint) from None
            doc.set("stage", move.target)
            for stage in move.cleared:  # the ticks go; the tables and their comments stay
                for gate in item.gates.get(stage, {}):
                    doc.remove(f"gates.{stage}.{gate}")
            entry: dict[str, Any] = {
                "from": move.source,
                "to": move.target,
                "at": dates.now(),
                "by": actor(),
                "note": note,
            }
            if move.forced:
                entry |= {"forced": True, "skipped": list(move.skipped)}
            doc.append("history", entry)
            return move

        return self._edit(ref, change)

    def advance(self, ref: str, *, note: str = "", force: bool = False) -> Transition:
        """Move to the next stage; refused while the stage's gate items are open, unless forced."""
        return self._step(ref, "advance", note, force)

    def rework(self, ref: str, *, note: str) -> Transition:
        """Go back along the pipeline's way back, clearing the ticks of both stages."""
        return self._step(ref, "rework", _required(note, "what must be redone"))

    def cancel(self, ref: str, *, note: str) -> Transition:
        """End an item early."""
        return self._step(ref, "cancel", _required(note, "why it ends early"))

    def check(
        self, ref: str, key: str, *, ok: bool | None = True, note: str = "", clear: bool = False
    ) -> str:
        """Tick (or untick, or clear) a gate item of the current stage or a principle.

        Returns 'gate' or 'principle'.
        """

        def change(item: Item, pipeline: Pipeline, doc: Any) -> str:
            stage = pipeline.stage(item.stage)
            if stage and stage.gate(key):
                where, label = f"gates.{item.stage}.{key}", "done"
                kind = "gate"
            elif pipeline.principle(key):
                where, label = f"principles.{key}", "ok"
                kind = "principle"
            else:
                raise Refused(self._unknown_key(item, pipeline, key))
            if clear or ok is None:
                doc.remove(where)
                return kind
            old = (item.gates.get(item.stage, {}) if kind == "gate" else item.principles).get(key)
            keep = note or (old.note if old else "")
            value: Any = {label: ok, "note": keep} if keep else ok
            doc.set(where, value)
            return kind

        return self._edit(ref, change)

    def _unknown_key(self, item: Item, pipeline: Pipeline, key: str) -> str:
        for stage in pipeline.stages:
            if stage.gate(key):
                return f"{key} is a gate item of {stage.id}; {item.id} is at {item.stage}"
        if item.stage not in pipeline.stage_ids:
            return f"{item.id} is {item.stage}: it has no open gate items"
        stage = pipeline.stage(item.stage)
        names = [g.id for g in stage.gates] + [p.id for p in pipeline.principles] if stage else []
        return (
            f"{key!r} is neither a gate item of {item.stage} nor a principle{suggest(key, names)}"
        )

    def set_field(self, ref: str, name: str, value: str) -> tuple[str, Any]:
        """Change one field; an empty value removes an optional one. Returns (key, new value)."""

        def change(item: Item, pipeline: Pipeline, doc: Any) -> tuple[str, Any]:
            key, parsed = self._field_value(item, pipeline, name, value)
            if parsed is None:
                doc.remove(key)
            else:
                doc.set(key, parsed)
            if key == "price" and parsed is not None and not item.currency and self.currency:
                doc.set("currency", self.currency)  # a price is never without its currency
            return key, parsed

        return self._edit(ref, change)

    def _field_value(
        self, item: Item, pipeline: Pipeline, name: str, value: str
    ) -> tuple[str, Any]:
        empty = value.strip() == ""
        if name.startswith("deadline.") or name.startswith("deadlines."):
            stage = name.split(".", 1)[1]
            if stage not in pipeline.stage_ids:
                hint = suggest(stage, pipeline.stage_ids)
                raise UsageError(f"no stage {stage!r} in the {item.kind} pipeline{hint}")
            return f"deadlines.{stage}", None if empty else dates.parse_date(value)
        if name.startswith("role.") or name.startswith("roles."):
            if item.kind != "service":
                raise UsageError("roles belong to services; an engagement has an owner")
            department = name.split(".", 1)[1]
            if not _PREFIX.match(department):
                raise UsageError(f"department {department!r}: use a-z, 0-9 and '-'")
            return f"roles.{department}", None if empty else value
        if name not in SETTABLE:
            extra = ", deadline.<stage>" + (", role.<department>" if item.kind == "service" else "")
            fields = ", ".join(SETTABLE) + extra
            raise UsageError(f"unknown field {name!r}{suggest(name, SETTABLE)}; fields: {fields}")
        if item.kind == "service" and name in ENGAGEMENT_ONLY:
            raise UsageError(f"a service has no {name}; set it on its engagements")
        if value.strip() == "":
            if name in REQUIRED[item.kind]:
                raise UsageError(f"a {item.kind} needs its {name}")
            if name == "currency" and item.price is not None:
                raise UsageError("a price needs its currency; remove the price first")
            return name, None
        parsed = FIELD_PARSERS.get(name, str)(value)
        if name == "due" and item.start and parsed < item.start:
            raise UsageError(f"due {parsed} is before the start {item.start}")
        if name == "start" and item.due and parsed > item.due:
            raise UsageError(f"start {parsed} is after the due date {item.due}")
        return name, parsed

    def add_note(self, ref: str, text: str, *, channel: str = "other") -> None:
        """Log a communication with the client (or a note on a service)."""
        if channel not in CHANNELS:
            raise UsageError(
                f"--channel must be one of {', '.join(CHANNELS)}{suggest(channel, CHANNELS)}"
            )
        if not text.strip():
            raise UsageError("the note is empty")

        def change(item: Item, pipeline: Pipeline, doc: Any) -> None:
            entry = {"at": dates.now(), "channel": channel, "by": actor(), "text": text}
            doc.append("notes", entry)

        self._edit(ref, change)

    def log_time(
        self, ref: str, hours: Decimal, *, on: date | None = None, by: str = "", note: str = ""
    ) -> Decimal:
        """Record hours spent on an item on one day; returns the item's total hours."""
        if hours > 24:
            raise UsageError(f"{hours} hours in one day: log each day on its own (--date)")

        def change(item: Item, pipeline: Pipeline, doc: Any) -> Decimal:
            entry = {"date": on or dates.today(), "hours": hours, "by": by or actor()}
            doc.append("time", entry | ({"note": note} if note else {}))
            return item.hours + hours

        return self._edit(ref, change)

    def add_feedback(
        self, ref: str, score: int, *, comment: str = "", **quality: int | None
    ) -> None:
        """Record the client's feedback on an engagement: 1–5 overall and per quality."""
        for key, value in {"score": score, **quality}.items():
            if value is not None and not 1 <= value <= 5:
                raise UsageError(f"--{key} must be from 1 to 5, not {value}")
        unknown = set(quality) - set(QUALITY)
        if unknown:
            raise UsageError(f"unknown quality {sorted(unknown)}")

        def change(item: Item, pipeline: Pipeline, doc: Any) -> None:
            if item.kind != "engagement":
                raise Refused(f"{item.id} is a service; feedback is recorded on engagements")
            entry = {"at": dates.now(), "score": score, **quality, "comment": comment or None}
            doc.append("feedback", entry)

        self._edit(ref, change)


def _same(item: Item) -> Item:
    return item
