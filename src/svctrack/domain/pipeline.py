"""Stages, gate items, ways back and principles as data, and the one rule for transitions."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import field
from functools import cache, cached_property
from pathlib import Path
from typing import Any

from svctrack.errors import FileProblem, Refused
from svctrack.messages import Either, msg
from svctrack.records import record
from svctrack.tomlparse import tomllib

KINDS = ("service", "engagement")
CANCELLED = "cancelled"


def a_kind(kind: str) -> str:
    """'a service', 'an engagement'."""
    return ("an " if kind[:1] in "aeiou" else "a ") + kind


@record(frozen=True)
class Term:
    """Anything with an id and a label in English (or the pipeline's own words) and Russian."""

    id: str
    label: str
    ru: str = ""

    def text(self, lang: str) -> str:
        return self.ru if lang == "ru" and self.ru else self.label


GROUPS = ("general", "delivery")  # principles of realization and delivery; of delivery alone


@record(frozen=True)
class Principle(Term):
    """A principle, in its group: `general` (services and engagements) or `delivery`."""

    group: str = "general"


@record(frozen=True)
class Stage(Term):
    """A stage of a pipeline and its gate items."""

    gates: tuple[Term, ...] = ()

    def gate(self, gate_id: str) -> Term | None:
        return self._gates.get(gate_id)

    @cached_property
    def _gates(self) -> dict[str, Term]:
        """The gate items by id (the first of an id; `validate` asks for every tick)."""
        return {g.id: g for g in reversed(self.gates)}


@record(frozen=True)
class Pipeline:
    """The stages of one kind of item, its ways back and its principles."""

    kind: str
    name: Term
    stages: tuple[Stage, ...]
    back: dict[str, str]
    principles: tuple[Principle, ...]
    done: str | None = None  # the state after the last stage; None: no end but `cancel`

    @cached_property
    def stage_ids(self) -> tuple[str, ...]:
        return tuple(s.id for s in self.stages)

    @property
    def ends(self) -> tuple[str, ...]:
        """The states an item rests in when it is no longer open."""
        return (self.done, CANCELLED) if self.done else (CANCELLED,)

    def stage(self, stage_id: str) -> Stage | None:
        return self._stages.get(stage_id)

    @cached_property
    def _stages(self) -> dict[str, Stage]:
        return {s.id: s for s in reversed(self.stages)}

    def index(self, stage_id: str) -> int:
        """Position of a stage; the end state counts as past the last stage."""
        if stage_id == self.done:
            return len(self.stages)
        return self.stage_ids.index(stage_id)

    def is_known(self, state: str) -> bool:
        return state in self.stage_ids or state in self.ends

    def principle(self, principle_id: str) -> Principle | None:
        return self._principles.get(principle_id)

    @cached_property
    def _principles(self) -> dict[str, Principle]:
        return {p.id: p for p in reversed(self.principles)}

    def progress(self, state: str) -> float:
        """Share of the stages completed: 0.0 at the first stage, 1.0 when done."""
        if state not in self.stage_ids and state != self.done:
            return 0.0
        return round(self.index(state) / len(self.stages), 4)

    def state_label(self, state: str, lang: str) -> str:
        stage = self.stage(state)
        if stage:
            return stage.text(lang)
        return END_LABELS.get(state, Term(state, state)).text(lang)


def state_word(pipeline: Pipeline, state: str) -> Either:
    """A state in a message: its id in English, its label in Russian (`completion`,
    «завершение»)."""
    return Either(state, pipeline.state_label(state, "ru").lower())


END_LABELS = {
    "closed": Term("closed", "Closed", "Закрыто"),
    CANCELLED: Term(CANCELLED, "Cancelled", "Отменено"),
}


@record(frozen=True)
class Transition:
    """What a step does: the states, and what it forced past or cleared."""

    action: str
    source: str
    target: str
    forced: bool = False
    skipped: tuple[str, ...] = ()
    cleared: tuple[str, ...] = field(default=())
    ticked: tuple[str, ...] = ()  # gate items of the stage entered that the facts satisfy
    next_item: str = ""  # a recurring engagement closed: the id of the next period's
    next_existed: bool = False  # ... which was there already (closed before, reopened)
    series_ended: str = ""  # ... or why it could not be made (the close stands)


def decide(
    pipeline: Pipeline, state: str, action: str, *, done: frozenset[str], force: bool = False
) -> Transition:
    """Decide whether `action` may move an item from `state`; raise Refused if not.

    `done` holds the gate items of the current stage that are ticked.
    """
    if state in pipeline.ends:
        raise Refused(
            msg("ended", state=state_word(pipeline, state)),
            hint=msg("ended_hint"),
        )
    stage = pipeline.stage(state)
    if stage is None:
        raise Refused(
            msg("stage_unknown", state=repr(state), kind=msg(f"of_{pipeline.kind}")),
            hint=msg("stage_unknown_hint"),
        )
    if action == "cancel":
        return Transition("cancel", state, CANCELLED)
    if action == "rework":
        target = pipeline.back.get(state)
        if target is None:
            ways = ", ".join(f"{a} → {b}" for a, b in pipeline.back.items())
            raise Refused(
                msg("no_way_back", state=state_word(pipeline, state), ways=ways or msg("none")),
                hint=msg("no_way_back_hint"),
            )
        return Transition("rework", state, target, cleared=(state, target))
    if action != "advance":
        raise ValueError(f"unknown action {action!r}")
    position = pipeline.index(state)
    if position + 1 < len(pipeline.stages):
        target = pipeline.stages[position + 1].id
    elif pipeline.done:
        target = pipeline.done
    else:
        back = pipeline.back.get(state)
        raise Refused(
            msg("last_stage", state=state_word(pipeline, state), kind=msg(f"of_{pipeline.kind}")),
            hint=msg("last_stage_rework", back=state_word(pipeline, back))
            if back
            else msg("last_stage_cancel"),
        )
    missing = tuple(g.id for g in stage.gates if g.id not in done)
    if missing and not force:
        raise Refused(
            msg("gates_open", state=state_word(pipeline, state), items=", ".join(missing)),
            hint=msg("gates_open_hint"),
        )
    return Transition("advance", state, target, forced=bool(missing), skipped=missing)


def reopen(pipeline: Pipeline, state: str, steps: Sequence[tuple[str | None, str]]) -> Transition:
    """Decide where a closed or cancelled item goes back to: the stage it ended from, the
    `from` of the last step (`steps`: the history's (from, to), oldest first) that reached
    `state`; raise Refused for an open item or a history that does not say."""
    if state not in pipeline.ends:
        raise Refused(
            msg("reopen_open", state=state_word(pipeline, state)),
            hint=msg("reopen_open_hint"),
        )
    came = next((source for source, to in reversed(steps) if to == state), None)
    if came is None and state == pipeline.done:
        came = pipeline.stages[-1].id  # closed by hand: from the last stage, the only way in
    if came is None or came not in pipeline.stage_ids:
        raise Refused(
            msg("reopen_unknown", state=state_word(pipeline, state)),
            hint=msg("reopen_unknown_hint"),
        )
    return Transition("reopen", state, came)


# --- loading -------------------------------------------------------------------------------


@cache
def _defaults() -> dict[str, Any]:
    return tomllib.loads(Path(__file__).with_name("defaults.toml").read_text("utf-8"))


def load_pipelines(config: dict[str, Any], path: str = "svctrack.toml") -> dict[str, Pipeline]:
    """The pipelines in force: the shipped defaults, with the workspace's redefinitions."""
    defaults = _defaults()
    labels = dict(defaults["principles"])
    for pid, raw in _table(config.get("principles", {}), path, "principles").items():
        words = _table(raw, path, f"principles.{pid}")
        labels[pid] = {**labels.get(pid, {}), **words}  # new words keep the default's group
    custom = _table(config.get("pipelines", {}), path, "pipelines")
    pipelines = {}
    for kind in KINDS:
        spec = custom.get(kind, defaults[kind])
        pipelines[kind] = _pipeline(kind, spec, labels, path)
    return pipelines


def _table(value: Any, path: str, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise FileProblem(path, msg("config_table", where=where))
    return value


def _term(raw: Any, path: str, where: str) -> Term:
    if not isinstance(raw, dict) or not isinstance(raw.get("id"), str):
        raise FileProblem(path, msg("config_entry_id", where=where))
    label = raw.get("label", raw["id"])
    return Term(raw["id"], str(label), str(raw.get("ru", "")))


def _pipeline(kind: str, spec: Any, labels: dict[str, Any], path: str) -> Pipeline:
    where = f"pipelines.{kind}"
    spec = _table(spec, path, where)
    raw_stages = spec.get("stages")
    if not isinstance(raw_stages, list) or not raw_stages:
        raise FileProblem(path, msg("config_stages", where=where))
    stages = []
    for raw in raw_stages:
        term = _term(raw, path, f"{where}.stages")
        gates = tuple(
            _term(g, path, f"{where}.stages.{term.id}.gates") for g in raw.get("gates", [])
        )
        stages.append(Stage(term.id, term.label, term.ru, gates))
    ids = [s.id for s in stages]
    if len(set(ids)) != len(ids):
        raise FileProblem(path, msg("config_stage_twice", where=where))
    back = _table(spec.get("back", {}), path, f"{where}.back")
    for source, target in back.items():
        if source not in ids or target not in ids or ids.index(target) >= ids.index(source):
            raise FileProblem(
                path, msg("config_not_back", where=where, source=source, target=target)
            )
    principles = []
    for pid in spec.get("principles", []):
        raw = labels.get(pid, {})
        group = raw.get("group", GROUPS[0])
        if group not in GROUPS:
            problem = msg("bad_group", pid=pid, group=repr(group), groups=", ".join(GROUPS))
            raise FileProblem(path, problem)
        principles.append(Principle(pid, str(raw.get("label", pid)), str(raw.get("ru", "")), group))
    gate_ids = {g.id for s in stages for g in s.gates}
    clash = gate_ids & {p.id for p in principles}
    if clash:
        raise FileProblem(path, msg("config_clash", where=where, ids=sorted(clash)))
    done = spec.get("done")
    name = Term(kind, str(spec.get("label", kind.title())), str(spec.get("ru", "")))
    return Pipeline(kind, name, tuple(stages), dict(back), tuple(principles), done or None)
