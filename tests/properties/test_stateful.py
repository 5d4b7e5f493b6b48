"""Random sequences of commands against a model of the pipelines: files, `show` and model agree."""

from __future__ import annotations

import os
import shutil
import tempfile
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, invariant, rule

from conftest import EXAMPLES, TODAY, Result, cli

# The pipelines as the contract states them (defaults.toml), written out again on purpose.
STAGES = {
    "service": ["planning", "development", "testing", "launch", "delivery", "monitoring"],
    "engagement": ["preparation", "execution", "control", "completion"],
}
BACK = {
    "service": {"testing": "development", "monitoring": "planning"},
    "engagement": {"control": "execution"},
}
DONE = {"service": None, "engagement": "closed"}
GATES = {
    "planning": ["market-analysis", "goals-defined", "action-plan", "resources-identified"],
    "development": ["service-designed", "materials-ready", "requirements-covered"],
    "testing": ["tested", "results-analysed", "improvements-listed"],
    "launch": ["rollout-organised", "staff-trained", "promotion-started"],
    "delivery": ["quality-assured", "on-schedule", "matches-spec"],
    "monitoring": ["results-tracked", "weak-spots-found", "recommendations-made"],
    "preparation": ["terms-agreed", "resources-assigned", "interaction-agreed"],
    "execution": ["work-done"],
    "control": ["quality-checked", "client-satisfied", "corrections-made"],
    "completion": ["documents-signed", "final-meeting", "feedback-received"],
}
ALL_GATES = sorted({g for gates in GATES.values() for g in gates})
ENDS = ("closed", "cancelled")

STEPS = 25  # steps of one walk; walks: 25, or SVCTRACK_EXAMPLES
_saved: dict[str, str | None] = {}


def setup_module() -> None:
    """State machines see no fixtures: the test world is set up here (and undone below)."""
    home = tempfile.mkdtemp(prefix="svctrack-stateful-home-")
    env = {
        "HOME": home,
        "XDG_CONFIG_HOME": str(Path(home, "config")),
        "XDG_CACHE_HOME": str(Path(home, "cache")),
        "SVCTRACK_TODAY": TODAY,
        "SVCTRACK_USER": "tester",
        "NO_COLOR": "1",
        "COLUMNS": "120",
    }
    for name, value in env.items():
        _saved[name] = os.environ.get(name)
        os.environ[name] = value
    for name in ("SVCTRACK_WORKSPACE", "SVCTRACK_DEBUG"):
        _saved[name] = os.environ.pop(name, None)
    _saved["_home"] = home


def teardown_module() -> None:
    home = _saved.pop("_home")
    for name, value in _saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
    shutil.rmtree(home or "", ignore_errors=True)


@dataclass
class Model:
    kind: str
    stage: str
    ticks: dict[str, dict[str, bool]] = field(default_factory=dict)  # stage -> gate -> done
    history: int = 1
    last: tuple[str | None, str, bool] = (None, "", False)  # from, to, forced
    notes: int = 0
    feedback: int = 0
    hand: list[str] = field(default_factory=list)  # lines a person added, kept by every write
    fields: dict[str, Any] = field(default_factory=dict)


texts = st.text(
    st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\x00"),
    min_size=1,
    max_size=30,
).filter(lambda t: t.strip() and not t.startswith("-"))


class Pipelines(RuleBasedStateMachine):
    services = Bundle("services")
    items = Bundle("items")

    def __init__(self) -> None:
        super().__init__()
        self.tmp = Path(tempfile.mkdtemp(prefix="svctrack-stateful-"))
        self.root = self.tmp / "ws"
        made = cli("init", str(self.root), "--name", "Firm", "--lang", "en", "--currency", "EUR")
        assert made.code == 0, made
        self.model: dict[str, Model] = {}
        self.count = 0
        self.touched: str | None = None
        self.steps, self.edited = 0, False

    def teardown(self) -> None:
        shutil.rmtree(self.tmp, ignore_errors=True)

    # --- helpers ---------------------------------------------------------------------------

    def run(self, *args: str) -> Result:
        result = cli("-C", str(self.root), *args)
        assert "internal error" not in result.err, (args, result.err)
        assert "Traceback" not in result.err, (args, result.err)
        return result

    def expect(self, ok: bool, *args: str, code: int = 1) -> Result:
        """Run; `ok` says whether the model allows it; a refusal changes no file."""
        before = self.snapshot()
        result = self.run(*args)
        if ok:
            assert result.code == 0, (args, result)
        else:
            assert result.code == code, (args, result)
            assert result.err.startswith("error: "), (args, result)
            assert self.snapshot() == before, args
        return result

    def snapshot(self) -> dict[str, bytes]:
        return {
            str(p.relative_to(self.root)): p.read_bytes() for p in sorted(self.root.rglob("*.toml"))
        }

    def path(self, item_id: str) -> Path:
        folder = "services" if self.model[item_id].kind == "service" else "engagements"
        return self.root / folder / f"{item_id}.toml"

    def new_id(self, prefix: str) -> str:
        self.count += 1
        return f"{prefix}{self.count}"

    def moved(self, item: Model, source: str, target: str, forced: bool) -> None:
        item.history += 1
        item.last = (source, target, forced)
        item.stage = target

    # --- creating --------------------------------------------------------------------------

    @rule(target=services, name=texts)
    def new_service(self, name: str) -> str:
        item_id = self.new_id("s")
        self.expect(True, "service", "new", item_id, "--name", name)
        self.model[item_id] = Model("service", "planning", last=(None, "planning", False))
        self.touched = item_id
        return item_id

    @rule(target=items, service=services)
    def new_engagement(self, service: str) -> str:
        item_id = self.new_id("e")
        self.expect(
            True, "engagement", "new", item_id, "--service", service, "--client", "ACME",
            "--due", "2027-01-15",
        )  # fmt: skip
        self.model[item_id] = Model("engagement", "preparation", last=(None, "preparation", False))
        self.touched = item_id
        return item_id

    @rule(target=items, service=services)
    def service_as_item(self, service: str) -> str:
        return service  # every command below also meets services

    # --- moving ----------------------------------------------------------------------------

    @rule(item_id=items, force=st.booleans(), note=st.one_of(st.just(""), texts))
    def advance(self, item_id: str, force: bool, note: str) -> None:
        item = self.model[item_id]
        self.touched = item_id
        args = ["advance", item_id, *(["--force"] if force else []), "--note", note]
        stages = STAGES[item.kind]
        if item.stage in ENDS:
            self.expect(False, *args)
            return
        position = stages.index(item.stage)
        target = stages[position + 1] if position + 1 < len(stages) else DONE[item.kind]
        done = item.ticks.get(item.stage, {})
        missing = [g for g in GATES[item.stage] if not done.get(g)]
        if target is None or (missing and not force):
            self.expect(False, *args)
            return
        self.expect(True, *args)
        self.moved(item, item.stage, target, bool(missing))
        if target == "completion" and item.feedback:  # the facts tick feedback-received
            item.ticks.setdefault(target, {})["feedback-received"] = True

    @rule(item_id=items, note=texts)
    def rework(self, item_id: str, note: str) -> None:
        item = self.model[item_id]
        self.touched = item_id
        target = BACK[item.kind].get(item.stage)
        if target is None:
            self.expect(False, "rework", item_id, "--note", note)
            return
        self.expect(True, "rework", item_id, "--note", note)
        item.ticks.pop(item.stage, None)
        item.ticks.pop(target, None)
        self.moved(item, item.stage, target, False)

    @rule(item_id=items, note=texts)
    def cancel(self, item_id: str, note: str) -> None:
        item = self.model[item_id]
        self.touched = item_id
        if item.stage in ENDS:
            self.expect(False, "cancel", item_id, "--note", note)
            return
        self.expect(True, "cancel", item_id, "--note", note)
        self.moved(item, item.stage, "cancelled", False)

    # --- gates -----------------------------------------------------------------------------

    def gate_of_stage(self, item: Model, gate: str) -> bool:
        return item.stage in GATES and gate in GATES[item.stage]

    @rule(data=st.data(), item_id=items, note=st.one_of(st.just(""), texts))
    def check(self, data: st.DataObject, item_id: str, note: str) -> None:
        item = self.model[item_id]
        self.touched = item_id
        # Mostly a gate of the current stage, sometimes any gate at all.
        choices = GATES.get(item.stage, []) or ALL_GATES
        gate = data.draw(st.one_of(st.sampled_from(choices), st.sampled_from(ALL_GATES)))
        ok = self.gate_of_stage(item, gate)
        self.expect(ok, "check", item_id, gate, *(["--note", note] if note else []))
        if ok:
            item.ticks.setdefault(item.stage, {})[gate] = True

    @rule(data=st.data(), item_id=items, clear=st.booleans())
    def uncheck(self, data: st.DataObject, item_id: str, clear: bool) -> None:
        item = self.model[item_id]
        self.touched = item_id
        gate = data.draw(st.sampled_from(GATES.get(item.stage, []) or ALL_GATES))
        ok = self.gate_of_stage(item, gate)
        self.expect(ok, "uncheck", item_id, gate, *(["--clear"] if clear else []))
        if ok:
            ticks = item.ticks.setdefault(item.stage, {})
            if clear:
                ticks.pop(gate, None)
            else:
                ticks[gate] = False

    # --- fields, notes, feedback -----------------------------------------------------------

    @rule(
        item_id=items,
        name=st.sampled_from(["due", "owner", "price", "deadline"]),
        value=st.sampled_from(["2026-12-24", "+2w", "2027-01-15", "Anna", "1500.25", ""]),
    )
    def set_field(self, item_id: str, name: str, value: str) -> None:
        item = self.model[item_id]
        self.touched = item_id
        if name == "deadline":
            stage = STAGES[item.kind][-1]
            name = f"deadline.{stage}"
        kinds = {"due": "2026-12-24 2027-01-15 +2w", "deadline": "2026-12-24 2027-01-15 +2w"}
        wanted = kinds.get(name.split(".")[0])
        if name == "price":
            good = value in ("1500.25", "")
        elif name == "owner":
            good = True
        else:
            good = value in (wanted or "").split() or (value == "" and name != "due")
        if name == "due" and item.kind == "service":
            good = False
        result = self.run("set", item_id, name, value)
        if good:
            assert result.code == 0, (name, value, result)
            item.fields[name] = value or None
        else:
            assert result.code == 2, (name, value, result)
            assert result.err.startswith("error: ")

    @rule(item_id=items, text=texts, channel=st.sampled_from(["email", "call", "other"]))
    def note(self, item_id: str, text: str, channel: str) -> None:
        self.touched = item_id
        self.expect(True, "note", item_id, text, "--channel", channel)
        self.model[item_id].notes += 1

    @rule(item_id=items, score=st.integers(1, 5), comment=st.one_of(st.just(""), texts))
    def feedback(self, item_id: str, score: int, comment: str) -> None:
        item = self.model[item_id]
        self.touched = item_id
        ok = item.kind == "engagement"
        self.expect(ok, "feedback", item_id, "--score", str(score), "--comment", comment)
        if ok:
            item.feedback += 1
            # A gate backed by data ticks itself: feedback received, where it is an open item.
            ticks = item.ticks.setdefault(item.stage, {})
            if "feedback-received" in GATES.get(item.stage, []) and not ticks.get(
                "feedback-received"
            ):
                ticks["feedback-received"] = True

    @rule(item_id=items)
    def hand_edit(self, item_id: str) -> None:
        """A person adds a comment and a key of their own at the top, and a comment at the end."""
        item = self.model[item_id]
        self.touched = item_id
        path = self.path(item_id)
        self.count += 1
        comment, key = f"# hand note {self.count}", f"x-hand-{self.count} = {self.count}"
        text = path.read_text("utf-8")
        path.write_text(f"{comment}\n{key}\n{text.rstrip(chr(10))}\n# tail {self.count}\n")
        item.hand += [comment, key, f"# tail {self.count}"]
        self.edited = True

    # --- agreement -------------------------------------------------------------------------

    @invariant()
    def files_agree_with_the_model(self) -> None:
        for item_id, item in self.model.items():
            text = self.path(item_id).read_text("utf-8")
            data = tomllib.loads(text)
            assert data["stage"] == item.stage, item_id
            history = data.get("history", [])
            assert len(history) == item.history, item_id
            last = history[-1]
            assert (last.get("from"), last["to"], last.get("forced", False)) == item.last
            if item.stage in GATES:
                saved = data.get("gates", {}).get(item.stage, {})
                done = {g: v if isinstance(v, bool) else v["done"] for g, v in saved.items()}
                assert done == item.ticks.get(item.stage, {}), (item_id, text)
            assert len(data.get("notes", [])) == item.notes, item_id
            assert len(data.get("feedback", [])) == item.feedback, item_id
            lines = text.splitlines()
            for line in item.hand:
                assert line in lines, (item_id, line, text)

    @invariant()
    def show_agrees_with_the_model(self) -> None:
        if self.touched is None:
            return
        item_id, item = self.touched, self.model[self.touched]
        result = self.run("show", item_id, "--json")
        assert result.code == 0, result
        shown = result.json()
        assert shown["stage"] == item.stage
        done = item.ticks.get(item.stage, {}) if item.stage in GATES else {}
        assert {g["id"] for g in shown["gates"] if g["done"]} == {g for g, v in done.items() if v}
        assert len(shown["history"]) == item.history
        last = shown["history"][-1]
        assert (last["from"], last["to"], last["forced"]) == item.last
        assert len(shown.get("notes", [])) == item.notes
        if item.kind == "engagement":
            assert len(shown["feedback"]) == item.feedback
        for name, value in item.fields.items():
            if name == "owner":
                assert shown["owner"] == (value or "")
            elif name == "price":
                amount = shown["price"] and shown["price"]["amount"]
                assert (str(amount) if amount is not None else None) == value
            elif name == "due":
                assert shown["due"] == {"+2w": "2026-12-10", None: None}.get(value, value)

    @invariant()
    def workspace_validates(self) -> None:
        # The slowest check: after every hand edit, and every fourth step otherwise.
        self.steps += 1
        if not (self.edited or self.steps % 4 == 0):
            return
        self.edited = False
        result = self.run("validate", "--json")
        assert result.code == 0, result.out
        assert result.json()["ok"] is True


Pipelines.TestCase.settings = settings(
    max_examples=EXAMPLES or min(25, settings().max_examples),
    derandomize=not EXAMPLES,  # the same 25 walks each run; SVCTRACK_EXAMPLES hunts afresh
    stateful_step_count=STEPS,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TestPipelines = Pipelines.TestCase
