"""The benchmark's workspace generator writes what svctrack itself would write (benchmarks/)."""

from __future__ import annotations

import difflib
import importlib.util
import sys
import tomllib
from collections import Counter
from pathlib import Path
from types import ModuleType

import pytest
import tomlkit

from conftest import REPO, TODAY, cli
from svctrack.domain.pipeline import load_pipelines

GENERATOR = REPO / "benchmarks" / "generate.py"


@pytest.fixture(scope="module")
def generate() -> ModuleType:
    spec = importlib.util.spec_from_file_location("benchmark_generate", GENERATOR)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def tiny(generate: ModuleType, tmp_path: Path) -> object:
    """40 engagements (4 open, one at each stage) and 5 services."""
    return generate.generate(tmp_path / "ws", 40, 5, seed=7)


def files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*.toml"))}


def test_generated_workspace_validates_strictly(tiny: object) -> None:
    result = cli("-C", str(tiny.root), "validate", "--strict", "--json")
    assert result.code == 0, result.out + result.err
    assert result.json() == {"ok": True, "problems": []}


def test_ninety_ten_split_and_every_stage(tiny: object, generate: ModuleType) -> None:
    assert tiny.today.isoformat() == TODAY  # the tests' today is the generator's
    stages = Counter(
        tomllib.loads(p.read_text("utf-8"))["stage"]
        for p in (tiny.root / "engagements").glob("*.toml")
    )
    assert sum(stages.values()) == 40
    assert stages["closed"] + stages["cancelled"] == 36
    pipeline = load_pipelines({})["engagement"]
    assert set(stages) == {*pipeline.stage_ids, "closed", "cancelled"}
    assert len(list((tiny.root / "services").glob("*.toml"))) == 5
    tasks = Counter(t["status"] for t in generate.taskwarrior_tasks(tiny))
    open_items = sum(r.is_open for r in tiny.records)
    assert tasks["pending"] == open_items
    assert tasks["completed"] == stages["closed"]


def test_same_seed_same_bytes(generate: ModuleType, tmp_path: Path) -> None:
    one = generate.generate(tmp_path / "a", 40, 5, seed=3)
    two = generate.generate(tmp_path / "b", 40, 5, seed=3)
    assert files(one.root) == files(two.root)
    three = generate.generate(tmp_path / "c", 40, 5, seed=4)
    assert files(one.root) != files(three.root)


def test_layout_is_what_svctrack_writes(tiny: object) -> None:
    """tomlkit round-trips every file, and a `note` only adds its own lines."""
    before = files(tiny.root)
    for text in before.values():
        assert tomlkit.dumps(tomlkit.parse(text.decode())) == text.decode()
    chosen = [r for r in tiny.records if r.kind == "service"][:2]
    chosen += [r for r in tiny.records if r.kind == "engagement"][:8]
    for record in chosen:
        assert cli("-C", str(tiny.root), "note", record.id, "called them").code == 0
    after = files(tiny.root)
    changed = {rel for rel in before if before[rel] != after[rel]}
    assert len(changed) == len(chosen)
    for rel in changed:
        old = before[rel].decode().splitlines()
        new = after[rel].decode().splitlines()
        diff = [
            line
            for line in difflib.unified_diff(old, new, lineterm="", n=0)
            if line[:1] in "+-" and not line.startswith(("+++", "---"))
        ]
        assert all(line.startswith("+") for line in diff), (rel, diff)
        assert '+text = "called them"' in diff
