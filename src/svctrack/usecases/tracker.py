"""The use cases: what svctrack can do to a workspace, as a Python API with no terminal in it."""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import field
from datetime import date
from decimal import Decimal
from functools import cached_property, partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from svctrack.domain import dates
from svctrack.domain.fields import (
    ENGAGEMENT_ONLY,
    SETTABLE,
    budget_problem,
    currency_problem,
    day_hours_problem,
    parse_channel,
    parse_currency,
    parse_doc_kind,
    parse_doc_status,
    parse_every,
    parse_flag,
    parse_hours,
    parse_mode,
    parse_price,
    score_problem,
    suggest,
)
from svctrack.domain.ids import check_id, engagement_id, period_id, slugify, unique
from svctrack.domain.model import (
    QUALITY,
    Document,
    Feedback,
    Item,
    Problem,
    Saved,
    check,
    errors,
    pilot_problem,
    service_problem,
)
from svctrack.domain.pipeline import (
    KINDS,
    Pipeline,
    Transition,
    decide,
    load_pipelines,
    reopen,
    state_word,
)
from svctrack.errors import Broken, FileProblem, NotFound, Refused, SvcError, UsageError
from svctrack.messages import Plural, msg
from svctrack.records import record
from svctrack.storage.decode import parse_text
from svctrack.storage.paths import CONFIG, FOLDERS, find_root
from svctrack.storage.store import Store
from svctrack.usecases.actor import actor

if TYPE_CHECKING:
    from svctrack.domain.analysis import Closed, GateFigure, Period, Report, Targets
    from svctrack.domain.queries import Summary
    from svctrack.storage.cache import Index
    from svctrack.usecases.drafts import Draft, Terms

T = TypeVar("T")
_PREFIX = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
TABLES = {"service": ("deadlines", "roles"), "engagement": ("deadlines",)}  # a new file's tables


def _required(note: str, what: str) -> str:
    if not note.strip():
        raise UsageError(msg("note_needed", what=what))
    return note


FIELD_PARSERS: dict[str, Callable[[str], Any]] = {
    "due": dates.parse_date,
    "start": dates.parse_date,
    "price": parse_price,
    "budget_hours": partial(parse_hours, rule=budget_problem),
    "currency": parse_currency,
    "mode": parse_mode,
    "every": parse_every,
    "pilot": parse_flag,
}


@record(frozen=True)
class DocChange:
    """What `doc` did: the document as it now stands, whether it was added or changed, and the
    gate items that the facts ticked."""

    document: Document
    added: bool
    changed: bool
    ticked: tuple[str, ...] = ()


@record
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
        # Told `(done, total)` as many files are read (a cold cache, a report): a progress bar
        # in the CLI; nothing here knows of it.
        self.progress: Callable[[int, int], None] | None = None

    @classmethod
    def open(cls, explicit: str | None = None, *, use_cache: bool = True) -> Tracker:
        return cls(find_root(explicit), use_cache=use_cache)

    @cached_property
    def config(self) -> dict[str, Any]:
        return self.store.config()

    @cached_property
    def pipelines(self) -> dict[str, Pipeline]:
        return load_pipelines(self.config, CONFIG)

    def reread(self) -> None:
        """Forget the settings read so far: `svctrack.toml` changed under a run that goes on
        (a `sync` line of a batch pulled a new one)."""
        for name in ("config", "pipelines"):
            self.__dict__.pop(name, None)

    @property
    def lang(self) -> str:
        return str(self.config.get("lang", "en"))

    @property
    def currency(self) -> str:
        return str(self.config.get("currency", ""))

    @cached_property
    def targets(self) -> Targets:
        """What a service's figures must reach (svctrack.toml's `[targets]`)."""
        from svctrack.domain.analysis import targets

        return targets(self.config)

    def figures(self, item: Item) -> dict[str, GateFigure]:
        """The gates of a service's current stage that the figures of its closed engagements
        decide (`analysis.FIGURE_GATES`), each with its figure; {} for an engagement, or a
        stage without such gates."""
        return self.figures_of([item]).get(item.id, {})

    def figures_of(self, items: Iterable[Item]) -> dict[str, dict[str, GateFigure]]:
        """`figures` of many services at once: one pass over the engagements."""
        services = [item for item in items if item.kind == "service"]
        if not services:  # an engagement's gates are never decided by figures: no analysis
            return {}  # imported (15 ms: an engagement's `advance`, `show`)
        from svctrack.domain.analysis import FIGURE_GATES, close_facts, gate_figures

        wanted: dict[str, list[str]] = {}
        for item in services:
            stage = self.pipelines[item.kind].stage(item.stage)
            gates = [g.id for g in stage.gates if g.id in FIGURE_GATES] if stage else []
            if gates:
                wanted[item.id] = gates
        if not wanted:
            return {}
        pipeline = self.pipelines["engagement"]

        def facts(engagement: Item) -> Closed | None:
            if engagement.service not in wanted:
                return None
            return close_facts(engagement, pipeline, self.currency)

        closed, _ = self.each(["engagement"], facts)  # broken files are `validate`'s to name
        by_service: dict[str, list[Closed]] = {sid: [] for sid in wanted}
        for fact in closed:
            if fact is not None:
                by_service[fact.service].append(fact)
        out = {}
        for sid, gates in wanted.items():
            found = gate_figures(by_service[sid], self.targets)
            out[sid] = {gate: found[gate] for gate in gates}
        return out

    # --- finding items ------------------------------------------------------------------

    def resolve(self, ref: str, kind: str | None = None, *, needs: str = "") -> tuple[str, str]:
        """(kind, id) for an id or an unambiguous prefix, looked for among all items (ids are
        unique across kinds); an exact id wins over a prefix. Given `kind`, an item of the other
        kind is refused, naming what `needs` that kind (`feedback`, `--service`)."""
        what = kind or "item"
        if not _PREFIX.match(ref):
            meant = self._meant(slugify(ref), []) if ref.strip() else ""
            raise NotFound(msg("no_such_bad", what=msg(f"the_{what}"), ref=repr(ref), meant=meant))
        # An exact id wins, a broken file's too (a loop of links): reading it says why.
        paths = ((k, self.store.root / FOLDERS[k] / f"{ref}.toml") for k in KINDS)
        found = next(((k, ref) for k, path in paths if os.path.lexists(path)), None)
        if found is None:
            matches = [(k, i) for k in KINDS for i in self.store.ids(k) if i.startswith(ref)]
            if len(matches) > 1:
                names = ", ".join(i for _, i in matches[:10])
                more = msg("and_more", n=len(matches) - 10) if len(matches) > 10 else ""
                raise Refused(
                    msg("ambiguous", ref=repr(ref), names=names, more=more),
                    hint=msg("ambiguous_hint"),
                )
            if not matches:
                every = [i for k in KINDS for i in self.store.ids(k)]
                meant = self._meant(ref, every)
                raise NotFound(msg("no_such", what=msg(f"the_{what}"), ref=repr(ref), meant=meant))
            found = matches[0]
        if kind and found[0] != kind:
            needed = msg("needs", what=needs or msg("this_command"), kind=msg(f"for_{kind}"))
            raise Refused(msg("is_kind", id=found[1], kind=msg(f"a_{found[0]}"), needed=needed))
        return found

    def _meant(self, ref: str, every: list[str]) -> str:
        """' (did you mean ...?)': the items whose id, name or client holds `ref`, else the
        id closest to it."""
        from svctrack.domain.search import like

        try:
            found, _ = self.summaries()
        except SvcError:
            found = []
        close = like(ref, [(s.id, s.name, s.client) for s in found])
        if close:
            more = msg("and_more", n=len(close) - 5) if len(close) > 5 else ""
            return msg("did_you_mean", names=", ".join(close[:5]), more=more)
        return suggest(ref, every)

    def get(self, ref: str, kind: str | None = None, *, needs: str = "") -> Item:
        """The item `ref` names; a file that does not parse, or holds what `validate` calls
        errors, is refused with every problem (`Broken`)."""
        kind, item_id = self.resolve(ref, kind, needs=needs)
        path = self.store.path(kind, item_id)
        rel = self.store.rel(path)
        text = self.store.read_text(path)
        item, problems = check(kind, item_id, parse_text(text, rel), self.pipelines[kind])
        wrong = errors(problems) + self._dangling(item)
        if wrong:
            from svctrack.storage.locate import file_problems  # a broken file only

            raise Broken(file_problems(text, rel, wrong))
        return item

    def _dangling(self, item: Item) -> list[Problem]:
        """[the problem] of an engagement whose service is not there; else []."""
        if item.kind != "engagement" or not item.service:
            return []
        known = {item.service} if self.store.exists("service", item.service) else set()
        problem = service_problem(item.kind, item.service, known)
        return [problem] if problem else []

    def _index(self) -> Index:
        from svctrack.storage.cache import Index

        return Index(self.store, self.pipelines, use_cache=self.use_cache, progress=self.progress)

    def load(self, kinds: Iterable[str] = KINDS, *, only_open: bool = False) -> Loaded:
        """Full items of the given kinds; unreadable files are listed, not fatal."""
        items, broken = self._index().items(kinds, _same, only_open=only_open)
        return Loaded(items, broken)

    def each(
        self, kinds: Iterable[str], each: Callable[[Item], T], *, only_open: bool = False
    ) -> tuple[list[T], list[FileProblem]]:
        """`each(item)` of every full item, read one at a time: for what keeps less than items."""
        return self._index().items(kinds, each, only_open=only_open)

    def report(
        self, period: Period, service: str | None, names: dict[str, str], by: str
    ) -> tuple[Report, dict[str, date], list[FileProblem]]:
        """The monitoring report over the engagements closed in `period` (see
        `analysis.report`), each service's last delivery (`analysis.last_deliveries`), and the
        broken engagement files. Its figures are made from the closed engagements alone, so
        they are kept in the cache until one of those changes, another closes or one opens
        again; today and `by` are only what the report says it is of."""
        from svctrack.domain.analysis import SHAPE, close_facts, last_deliveries, report

        pipeline = self.pipelines["engagement"]
        currency = self.currency
        # (a partial, not a closure: made on other cores, it is pickled to get there)
        facts = partial(close_facts, pipeline=pipeline, default_currency=currency)

        def made(closed: list[Closed]) -> tuple[Report, dict[str, date]]:
            figures = report(
                closed, pipeline, date.min, period=period, service=service, service_names=names
            )
            return figures, last_deliveries(closed)

        args = ((SHAPE, pipeline, currency), (period, service, names))
        (figures, last), broken = self._index().settled("engagement", facts, made, args)
        return dataclasses.replace(figures, today=dates.today(), by=by), last, broken

    def briefs(self, kinds: Iterable[str] = KINDS) -> Loaded:
        """The open items, without notes, feedback, time and all but the last history entry:
        all that deadlines and checklists need, read from the cache's index alone."""
        items, broken = self._index().briefs(kinds)
        return Loaded(items, broken)

    def summaries(
        self, kinds: Iterable[str] = KINDS, *, only_open: bool = False
    ) -> tuple[list[Summary], list[FileProblem]]:
        """What lists and the dashboard show of every item (see `queries.summarize`)."""
        from svctrack.domain.queries import summary  # reads only: writes need no summaries

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
        draft = self.draft_service(name, owner=owner, mode=mode, price=price, currency=currency)
        return self._create(draft, item_id, note)

    def new_engagement(
        self,
        service: str,
        client: str,
        due: date | None,
        terms: Terms | None = None,
        *,
        item_id: str | None = None,
        note: str = "",
    ) -> Item:
        """Create an engagement of an existing service, at the first engagement stage (of a
        service that has not reached delivery too: a pilot, see `pilot`)."""
        _, service_id = self.resolve(service, "service", needs="--service")
        try:
            offering = self.get(service_id, "service")
        except Broken as broken:
            raise _refusal(broken.problems, service_id) from None
        draft = self.draft_engagement(service_id, offering, client, due, terms)
        return self._create(draft, item_id, note)

    def pilot(self, item: Item) -> str | None:
        """What makes an engagement a pilot (its service has not reached delivery), or None;
        None too for one that says it is (`pilot = true`)."""
        if item.kind != "engagement" or not item.service or item.pilot:
            return None
        try:
            offering = self.get(item.service, "service")
        except SvcError:
            return None  # a service that cannot be read says so where it is read
        return pilot_problem(offering, self.pipelines["service"])

    def draft_service(
        self,
        name: str,
        *,
        owner: str = "",
        mode: str = "",
        price: Decimal | None = None,
        currency: str = "",
        stage: str = "",
    ) -> Draft:
        """A new service's fields, checked; `stage` defaults to the pipeline's first."""
        fields: dict[str, Any] = {"name": name, "stage": stage, "owner": owner, "mode": mode}
        fields["price"] = price
        fields["currency"] = _code(currency) or (self.currency if price is not None else "")
        return self._draft("service", name, fields)

    def draft_engagement(
        self,
        service_id: str,
        offering: Item | None,
        client: str,
        due: date | None,
        terms: Terms | None = None,
        *,
        stage: str = "",
    ) -> Draft:
        """A new engagement's fields, checked, with what `offering` (its service, when found)
        gives by default: the name "<service> — <client>", the owner, mode and currency; the
        start is today, or the due date when that is past (a late engagement recorded)."""
        from svctrack.usecases.drafts import Terms

        of, t = offering or Item("service", service_id), terms or Terms()
        fields: dict[str, Any] = {
            "name": t.name or f"{of.name or service_id} — {client}",
            "service": service_id,
            "client": client,
            "stage": stage,
            "start": t.start or (min(dates.today(), due) if due else dates.today()),
            "due": due,
            "owner": t.owner or of.owner,
            "mode": t.mode or of.mode,
            "price": t.price,
            "currency": _code(t.currency)
            or (of.currency or self.currency if t.price is not None else ""),
            "contract": t.contract,
            "budget_hours": t.budget_hours,
            "goal": t.goal,
            "needs": t.needs,
            "every": t.every,
            "pilot": t.pilot or None,
            "deadlines": t.deadlines or None,
        }
        return self._draft("engagement", engagement_id(client, service_id), fields)

    def _draft(self, kind: str, basis: str, fields: dict[str, Any]) -> Draft:
        from svctrack.usecases.drafts import Draft

        pipeline = self.pipelines[kind]
        fields["stage"] = fields["stage"] or pipeline.stages[0].id
        fields = {k: v for k, v in fields.items() if v is not None and v != ""}
        problems = errors(check(kind, "new", fields, pipeline)[1])
        return Draft(kind, basis, fields, problems)

    def new_id(self, draft: Draft, item_id: str | None, taken: set[str]) -> str:
        """`item_id` when valid and free, else an id derived from the draft (`-2`, `-3`...)."""
        if item_id:
            check_id(item_id)
            if item_id in taken:
                raise Refused(msg("id_taken", id=repr(item_id)), hint=msg("id_taken_or_leave"))
            return item_id
        return unique(slugify(self._basis(draft)), taken)

    @staticmethod
    def _basis(draft: Draft) -> str:
        return draft.basis if draft.kind == "engagement" else str(draft.fields.get("name", ""))

    def _create(self, draft: Draft, item_id: str | None, note: str) -> Item:
        if draft.problems:
            raise UsageError(draft.problems[0].message)
        if item_id:
            draft.item_id = self.new_id(draft, item_id, self.taken())
        else:  # a first guess; the id is chosen under the lock, where no one else creates
            draft.item_id = slugify(self._basis(draft))
        self.write_new(draft, note or "created", derived=not item_id)
        return self.get(draft.item_id, draft.kind)

    def write_new(
        self, draft: Draft, note: str, *, by: str = "", at: Any = None, derived: bool = False
    ) -> None:
        """Write a checked draft as a new file: its fields, empty tables, the creation entry.
        A `derived` id becomes `-2`, `-3`... if taken meanwhile (the draft learns which)."""
        import tomlkit

        from svctrack.storage import tomledit

        assert draft.item_id and not draft.problems, draft
        doc = tomlkit.document()
        tables = (*TABLES[draft.kind], "gates", "principles")
        for key, value in draft.fields.items():
            if key not in tables:
                tomledit.set_value(doc, key, value)
        for table in tables:
            doc.add(tomlkit.nl())
            doc.add(table, tomlkit.table())
            for key, value in draft.fields.get(table, {}).items():
                tomledit.set_value(doc, f"{table}.{key}", value)
        doc.add(tomlkit.nl())
        entry = {"to": draft.stage, "at": at or dates.now(), "by": by or actor(), "note": note}
        tomledit.append_entry(doc, "history", entry)
        draft.item_id = self.store.create(
            draft.kind, draft.item_id, tomlkit.dumps(doc), derived=derived
        )

    # --- changing -----------------------------------------------------------------------

    def _edit(
        self,
        ref: str,
        change: Callable[[Item, Pipeline, Any], Any],
        *,
        kind: str | None = None,
        needs: str = "",
        usage: bool = False,
    ) -> Any:
        """Apply `change` to the item's file under the lock. An item whose file holds errors is
        refused (it is fixed by hand); so is a change that would leave one (a usage error with
        `usage`: the value given was wrong)."""
        kind, item_id = self.resolve(ref, kind, needs=needs)
        path = self.store.path(kind, item_id)
        rel = self.store.rel(path)
        pipeline = self.pipelines[kind]

        def apply(data: dict[str, Any], doc: Any) -> Any:
            from svctrack.storage.tomledit import Editor

            item, problems = check(kind, item_id, data, pipeline)
            wrong = errors(problems) + self._dangling(item)
            if wrong:
                from svctrack.storage.locate import file_problems

                raise _refusal(file_problems(doc.as_string(), rel, wrong), item_id)
            return change(item, pipeline, Editor(doc))

        def after(data: dict[str, Any]) -> None:
            left = errors(check(kind, item_id, data, pipeline)[1])
            if left:
                more = msg("and_more_problems", n=len(left) - 1) if len(left) > 1 else ""
                message = msg("first_problem", message=left[0].message, more=more)
                if usage:
                    raise UsageError(message)
                raise Refused(msg("nothing_written", message=message))

        return self.store.edit(path, apply, after)

    def _step(self, ref: str, action: str, note: str, force: bool = False) -> Transition:
        def change(item: Item, pipeline: Pipeline, doc: Any) -> Transition:
            done = item.ticked(item.stage)
            if action == "advance" and item.kind == "service":  # gates the figures meet are
                from svctrack.domain.analysis import met_by_figures  # done (see `figures`)

                done |= met_by_figures(self.figures(item))
            try:
                move = decide(pipeline, item.stage, action, done=done, force=force)
            except Refused as refused:
                raise Refused(
                    msg("of_item", id=item.id, message=refused.message), hint=refused.hint
                ) from None
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
            if action == "advance":  # the stage entered may ask for what the facts already say
                item.stage = move.target
                move = dataclasses.replace(move, ticked=_tick_facts(item, pipeline, doc))
            return move

        return self._edit(ref, change)

    def advance(self, ref: str, *, note: str = "", force: bool = False) -> Transition:
        """Move to the next stage; refused while the stage's gate items are open, unless forced.
        Closing a recurring engagement creates the next period's (`Transition.next_item`)."""
        move = self._step(ref, "advance", note, force)
        if move.target == self.pipelines["engagement"].done:
            kind, item_id = self.resolve(ref)
            if kind == "engagement":
                return self._continue_series(self.get(item_id, kind), move)
        return move

    def _continue_series(self, item: Item, move: Transition) -> Transition:
        """The next period's engagement of a closed recurring one: its dates moved by the period
        (`dates.next_period`), its id carrying the new period (`ids.period_id`), no ticks, marks
        or entries; not made twice (a reopened and closed again engagement's is there)."""
        if not item.every or item.every not in dates.PERIOD_MONTHS:
            return move

        def moved(day: date | None) -> date | None:
            return dates.next_period(day, item.every) if day else None

        start, due = moved(item.start), moved(item.due)
        label = dates.period_label(start or due or dates.today(), item.every)
        first = next_id = period_id(item.id, item.every, label)
        taken, passed = self.taken(), set[str]()
        while next_id in taken:  # another item's id: `-2`, `-3`...
            if self._continues(next_id, item):
                return dataclasses.replace(move, next_item=next_id, next_existed=True)
            passed.add(next_id)
            next_id = unique(first, passed)
        from svctrack.usecases.drafts import Terms

        terms = Terms(
            name=item.name,
            start=start,
            owner=item.owner,
            mode=item.mode,
            price=item.price,
            currency=item.currency,
            contract=item.contract,
            budget_hours=item.budget_hours,
            goal=item.goal,
            needs=item.needs,
            every=item.every,
            pilot=item.pilot,
            deadlines={k: dates.next_period(d, item.every) for k, d in item.deadlines.items()},
        )
        draft = self.draft_engagement(item.service, None, item.client, due, terms)
        if draft.problems:  # a date past the range svctrack keeps: the series ends here
            why = msg(
                "next_period_refused",
                id=item.id,
                every=msg(f"period_{item.every}"),
                problem=draft.problems[0].message,
            )
            return dataclasses.replace(move, series_ended=why)
        draft.item_id = next_id
        self.write_new(draft, f"next {item.every} after {item.id}")
        return dataclasses.replace(move, next_item=next_id)

    def _continues(self, item_id: str, item: Item) -> bool:
        """Whether `item_id` is the next period of `item`'s series, made before (an engagement
        of the same service and client), rather than another item that has the id."""
        try:
            other = self.get(item_id)
        except SvcError:  # an engagement's file that cannot be read: taken for it, not doubled
            return self.resolve(item_id)[0] == "engagement"
        return other.kind == "engagement" and (other.service, other.client) == (
            item.service,
            item.client,
        )

    def rework(self, ref: str, *, note: str) -> Transition:
        """Go back along the pipeline's way back, clearing the ticks of both stages."""
        return self._step(ref, "rework", _required(note, msg("say_redo")))

    def cancel(self, ref: str, *, note: str) -> Transition:
        """End an item early."""
        return self._step(ref, "cancel", _required(note, msg("say_why_cancel")))

    def reopen(self, ref: str, *, note: str) -> Transition:
        """Take a closed or cancelled item back to the stage it ended from (its ticks stay)."""
        _required(note, msg("say_why_reopen"))

        def change(item: Item, pipeline: Pipeline, doc: Any) -> Transition:
            steps = [(h.source, h.to) for h in item.history]
            try:
                move = reopen(pipeline, item.stage, steps)
            except Refused as refused:
                raise Refused(
                    msg("of_item", id=item.id, message=refused.message), hint=refused.hint
                ) from None
            doc.set("stage", move.target)
            entry = {"from": move.source, "to": move.target, "at": dates.now(), "by": actor()}
            doc.append("history", entry | {"note": note})
            return move

        return self._edit(ref, change)

    def check(
        self, ref: str, key: str, *, ok: bool | None = True, note: str = "", clear: bool = False
    ) -> str:
        """Tick (or untick, or clear) a gate item of the current stage or a principle.

        Returns 'gate' or 'principle'.
        """
        return self.check_all(ref, [key], ok=ok, note=note, clear=clear)[0][1]

    def check_all(
        self,
        ref: str,
        keys: Sequence[str],
        *,
        ok: bool | None = True,
        note: str = "",
        clear: bool = False,
    ) -> list[tuple[str, str]]:
        """Mark several gate items of the current stage or principles in one write; each may be
        a unique prefix. Returns (item id, 'gate' or 'principle') for each; an unknown one
        refuses them all, listing what there is."""

        def change(item: Item, pipeline: Pipeline, doc: Any) -> list[tuple[str, str]]:
            stage = pipeline.stage(item.stage)
            gates = [g.id for g in stage.gates] if stage else []
            marks = [self._markable(item, pipeline, key, gates) for key in keys]
            for key, kind in marks:
                where, label = (
                    (f"gates.{item.stage}.{key}", "done")
                    if kind == "gate"
                    else (f"principles.{key}", "ok")
                )
                if clear or ok is None:
                    doc.remove(where)
                    continue
                marks_now = item.gates.get(item.stage, {}) if kind == "gate" else item.principles
                old = marks_now.get(key)
                keep = note or (old.note if old else "")
                value: Any = {label: ok, "note": keep} if keep else ok
                doc.set(where, value)
            return marks

        return self._edit(ref, change)

    def _markable(
        self, item: Item, pipeline: Pipeline, key: str, gates: list[str]
    ) -> tuple[str, str]:
        """(id, 'gate' or 'principle') of what `key` names: an exact id, else a unique prefix."""
        principles = [p.id for p in pipeline.principles]
        every = [(g, "gate") for g in gates] + [(p, "principle") for p in principles]
        exact = [m for m in every if m[0] == key]
        found = exact or [m for m in every if key and m[0].startswith(key)]
        if len(found) == 1:
            return found[0]
        if found:
            names = ", ".join(m[0] for m in found)
            raise Refused(
                msg("ambiguous", ref=repr(key), names=names, more=""), hint=msg("ambiguous_item")
            )
        raise Refused(self._unknown_key(item, pipeline, key))

    def _unknown_key(self, item: Item, pipeline: Pipeline, key: str) -> str:
        for stage in pipeline.stages:
            if stage.gate(key):
                return msg(
                    "gate_elsewhere",
                    key=key,
                    stage=state_word(pipeline, stage.id),
                    id=item.id,
                    at=state_word(pipeline, item.stage),
                )
        if item.stage not in pipeline.stage_ids:
            return msg("no_open_gates", id=item.id, state=state_word(pipeline, item.stage))
        current = pipeline.stage(item.stage)
        names = (
            [g.id for g in current.gates] + [p.id for p in pipeline.principles] if current else []
        )
        gates = ", ".join(g.id for g in current.gates) if current else ""
        principles = ", ".join(p.id for p in pipeline.principles)
        return msg(
            "not_gate_nor_principle",
            key=repr(key),
            stage=state_word(pipeline, item.stage),
            meant=suggest(key, names),
            gates=gates or msg("none"),
            principles=principles or msg("none"),
        )

    def set_field(self, ref: str, name: str, value: str) -> tuple[str, Any]:
        """Change one field; an empty value removes an optional one. Returns (key, new value)."""

        def change(item: Item, pipeline: Pipeline, doc: Any) -> tuple[str, Any]:
            key, parsed = self._field_value(item, pipeline, name, value)
            sign = ""
            if key == "price" and parsed is not None:  # `450 000 ₽`: the sign names the currency
                parsed, sign = parsed
                if sign:
                    doc.set("currency", sign)
            if parsed is None:
                doc.remove(key)
            else:
                doc.set(key, parsed)
            if (
                key == "price"
                and parsed is not None
                and not sign
                and not item.currency
                and self.currency
            ):
                doc.set("currency", self.currency)  # a price is never without its currency
            return key, parsed

        return self._edit(ref, change, usage=True)

    def _field_value(
        self, item: Item, pipeline: Pipeline, name: str, value: str
    ) -> tuple[str, Any]:
        empty = value.strip() == ""
        if name.startswith("deadline.") or name.startswith("deadlines."):
            stage = name.split(".", 1)[1]
            if stage not in pipeline.stage_ids:
                hint = suggest(stage, pipeline.stage_ids)
                stages = ", ".join(pipeline.stage_ids)
                raise UsageError(
                    msg(
                        "no_stage",
                        stage=repr(stage),
                        kind=msg(f"of_{item.kind}"),
                        meant=hint,
                        stages=stages,
                    )
                )
            return f"deadlines.{stage}", None if empty else dates.parse_date(value)
        if name.startswith("role.") or name.startswith("roles."):
            if item.kind != "service":
                raise UsageError(msg("roles_of_services"))
            department = name.split(".", 1)[1]
            if not _PREFIX.match(department):
                raise UsageError(msg("bad_department", department=repr(department)))
            return f"roles.{department}", None if empty else value
        if name not in SETTABLE:
            extra = ", deadline.<stage>" + (", role.<department>" if item.kind == "service" else "")
            fields = ", ".join(SETTABLE) + extra
            meant = suggest(name, SETTABLE)
            raise UsageError(msg("unknown_field", name=repr(name), meant=meant, fields=fields))
        if item.kind == "service" and name in ENGAGEMENT_ONLY:
            raise UsageError(msg("service_has_no", name=name))
        if empty:  # a field the item cannot be without stays: the rules say so after the change
            return name, None
        return name, FIELD_PARSERS.get(name, str)(value)

    def add_note(self, ref: str, text: str, *, channel: str = "other") -> None:
        """Log a communication with the client (or a note on a service)."""
        parse_channel(channel)
        if not text.strip():
            raise UsageError(msg("note_empty"))

        def change(item: Item, pipeline: Pipeline, doc: Any) -> None:
            entry = {"at": dates.now(), "channel": channel, "by": actor(), "text": text}
            doc.append("notes", entry)

        self._edit(ref, change)

    def log_time(
        self, ref: str, hours: Decimal, *, on: date | None = None, by: str = "", note: str = ""
    ) -> Decimal:
        """Record hours spent on an item on one day; returns the item's total hours."""
        problem = day_hours_problem(hours)
        if problem:
            raise UsageError(problem, hint=msg("log_each_day"))
        if on is not None and (problem := dates.range_problem(on)):
            raise UsageError(problem)

        def change(item: Item, pipeline: Pipeline, doc: Any) -> Decimal:
            entry = {"date": on or dates.today(), "hours": hours, "by": by or actor()}
            doc.append("time", entry | ({"note": note} if note else {}))
            return item.hours + hours

        return self._edit(ref, change)

    def add_feedback(
        self, ref: str, score: int, *, comment: str = "", **quality: int | None
    ) -> tuple[str, ...]:
        """Record the client's feedback on an engagement: 1–5 overall and per quality. When
        `feedback-received` is an open gate item of the current stage, it is ticked too (the
        gate items that the facts satisfy, `model.FACT_GATES`); returns those ticked."""
        for key, value in {"score": score, **quality}.items():
            problem = None if value is None else score_problem(key, value)
            if problem:
                raise UsageError(problem)
        unknown = set(quality) - set(QUALITY)
        if unknown:
            raise UsageError(msg("unknown_quality", names=sorted(unknown)))

        def change(item: Item, pipeline: Pipeline, doc: Any) -> tuple[str, ...]:
            at = dates.now()
            entry = {"at": at, "score": score, **quality, "comment": comment or None}
            doc.append("feedback", entry)
            item.feedback.append(Feedback(at, score))
            return _tick_facts(item, pipeline, doc)

        return tuple(self._edit(ref, change, kind="engagement", needs="feedback"))

    def set_document(self, ref: str, kind: str, *, name: str = "", status: str = "") -> DocChange:
        """Add a document to an engagement, or update the one that `kind` (and `name`) names:
        a new status is dated today. When every listed document is then signed, an open
        `documents-signed` gate item of the current stage is ticked (as feedback ticks
        `feedback-received`)."""
        parse_doc_kind(kind)
        if status:
            parse_doc_status(status)
        name = name.strip()

        def change(item: Item, pipeline: Pipeline, doc: Any) -> DocChange:
            today = dates.today()
            index = _which_document(item, kind, name)
            if index is None:
                new = Document(kind, name, status or "draft", today)
                entry = {"kind": kind, "name": name or None, "status": new.status, "date": today}
                doc.append("documents", entry)
                item.documents.append(new)
                return DocChange(new, True, True, _tick_facts(item, pipeline, doc))
            old = item.documents[index]
            new = dataclasses.replace(old)
            if name and name != old.name:
                doc.set_entry("documents", index, "name", name)
                new.name = name
            if status and status != old.status:
                doc.set_entry("documents", index, "status", status)
                doc.set_entry("documents", index, "date", today)
                new.status, new.date = status, today
            item.documents[index] = new
            if new == old:  # a command that changes nothing writes nothing (a tick taken back)
                return DocChange(new, False, False)
            return DocChange(new, False, True, _tick_facts(item, pipeline, doc))

        return self._edit(ref, change, kind="engagement", needs="doc", usage=True)

    def record_report(
        self, services: Sequence[str], file: str
    ) -> tuple[list[str], list[tuple[str, str]]]:
        """A monitoring report was saved (`report -o FILE`) covering the last delivery of each
        of `services`: append `[[reports]]` to each service's file, and tick
        `recommendations-made` where it is an open gate item of the service's current stage (a
        gate backed by data ticks itself, as `feedback-received` does). Returns the services
        whose gate was ticked, and (service, why) for each whose file refused the record (a
        file with errors): the others are recorded all the same."""
        ticked: list[str] = []
        refused: list[tuple[str, str]] = []
        for service in services:

            def change(item: Item, pipeline: Pipeline, doc: Any) -> bool:
                at, by = dates.now(), actor()
                doc.append("reports", {"at": at, "by": by, "file": file})
                item.reports.append(Saved(at, by, file))
                return bool(_tick_facts(item, pipeline, doc))

            try:
                if self._edit(service, change, kind="service"):
                    ticked.append(service)
            except SvcError as exc:
                refused.append((service, exc.message))
        return ticked, refused


def _tick_facts(item: Item, pipeline: Pipeline, doc: Any) -> tuple[str, ...]:
    """Tick the open gate items of the current stage that the item's data, as the change left
    it, satisfies (`model.FACT_GATES`); returns them."""
    from svctrack.domain.model import ticked_by_facts

    ticked = tuple(ticked_by_facts(item, pipeline))
    for gate in ticked:
        doc.set(f"gates.{item.stage}.{gate}", True)
    return ticked


def _which_document(item: Item, kind: str, name: str) -> int | None:
    """The index of the document `kind` and `name` name, or None for a new one. Without a
    name, the only document of that kind; with one, the document of that kind and name, else
    the only unnamed one of that kind (which takes the name)."""
    ofkind = [n for n, d in enumerate(item.documents) if d.kind == kind]
    if name:
        named = [n for n in ofkind if item.documents[n].name == name]
        unnamed = [n for n in ofkind if not item.documents[n].name]
        if named:
            return named[0]
        return unnamed[0] if len(unnamed) == 1 else None
    if len(ofkind) > 1:
        names = ", ".join(repr(item.documents[n].name) for n in ofkind)
        raise UsageError(
            msg(
                "documents_of_kind",
                id=item.id,
                count=Plural(len(ofkind), "document"),
                kind=kind,
                names=names,
            ),
            hint=msg("documents_of_kind_hint"),
        )
    return ofkind[0] if ofkind else None


def _same(item: Item) -> Item:
    return item


def _code(currency: str) -> str:
    """A currency as given, upper-cased when it is a code (else the rules say what is wrong)."""
    code = currency.strip()
    return code.upper() if code and not currency_problem(code) else code


def _refusal(problems: list[FileProblem], item_id: str) -> Refused:
    """A write refused because the item's file holds errors: the first, on one line."""
    more = msg("and_more_problems", n=len(problems) - 1) if len(problems) > 1 else ""
    first = problems[0]
    said = msg("at_place", place=first.location, message=first.detail)
    return Refused(
        msg("nothing_written", message=msg("first_problem", message=said, more=more)),
        hint=msg("see_validate_edit", id=item_id),
    )
