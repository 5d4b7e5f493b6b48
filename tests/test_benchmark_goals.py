"""The benchmark's goals (benchmarks/run.py): each judged at the size it is stated for."""

from __future__ import annotations

import importlib.util
import sys
from types import ModuleType

import pytest

from conftest import REPO


@pytest.fixture(scope="module")
def run() -> ModuleType:
    sys.path.insert(0, str(REPO / "benchmarks"))  # run.py imports generate.py beside it
    try:
        spec = importlib.util.spec_from_file_location("benchmark_run", REPO / "benchmarks/run.py")
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module  # dataclasses look their module up
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(REPO / "benchmarks"))
    return module


def timings(run: ModuleType, rows: list[tuple[str, str, str, float, int]]) -> list:
    """Timings of (label, tool, cache, median seconds, peak KB)."""
    return [
        run.Timing(run.Bench(label, [], tool, cache), times=[seconds], peaks_kb=[kb])
        for label, tool, cache, seconds, kb in rows
    ]


def test_the_goals_at_100000_tell_everyday_commands_from_parsing_every_file(
    run: ModuleType,
) -> None:
    measured = timings(
        run,
        [
            ("status --json", "svctrack", "warm", 0.3, 70_000),
            ("status --json", "svctrack", "cold", 20.0, 240_000),
            ("report --json", "svctrack", "warm", 4.0, 120_000),
            ("validate", "svctrack", "cold", 13.0, 66_000),
            ("note x TEXT", "svctrack", "", 0.13, 21_000),
            ("floor.py --write", "floor", "", 0.12, 19_000),
        ],
    )
    verdicts = {goal: verdict for goal, _, verdict in run.goals(100_000, measured)}
    assert verdicts["`status --json` (warm) ≤ 0.6 s"] == "PASS"
    assert verdicts["`report --json` (warm) ≤ 3 s"] == "MISS"
    assert verdicts["`note ID TEXT` ≤ 1.2 × the write floor"] == "PASS"
    assert verdicts["`validate` (every file parsed, cold) ≤ 20 s"] == "PASS"
    memory = {goal: verdict for goal, _, verdict in run.goals(100_000, measured) if "MB" in goal}
    assert list(memory.values()) == ["PASS", "MISS"]  # warm, then parsing every file
    assert run.goals(1_000, measured) == []  # no goal is stated at that size
