"""Every table at 60, 80 and 110 columns on the example workspace with long ids: an id or a
file path is never split across lines, nothing is wider than the terminal, and at 80 columns
the due date of the dashboard, the lists and the deadlines stays."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from rich.cells import cell_len

from conftest import Workspace, cli

LONG_SERVICE = "customer-relationship-management-implementation"
LONG_ENGAGEMENT = "lindqvist-moebel-ab-crm-rollout-phase-two"
BROKEN = "engagements/ooo-kaskad-bank-annual-it-audit.toml"


@pytest.fixture
def example(tmp_path: Path) -> Workspace:
    """`init --example`, plus a service and an engagement with long ids and a file with a
    warning at a long path."""
    assert cli("init", str(tmp_path / "ws"), "--example", "--lang", "en").code == 0
    ws = Workspace(tmp_path / "ws")
    ws.ok("service", "new", LONG_SERVICE, "--name", "CRM implementation, long form")
    ws.ok("engagement", "new", LONG_ENGAGEMENT, "-s", LONG_SERVICE, "-c",
          "Lindqvist Möbel Aktiebolag", "--due", "+20d", "--pilot")  # fmt: skip
    ws.ok("check", LONG_ENGAGEMENT, "communication")
    text = ws.text("kaskad-audit").replace("\nstage =", "\nstaeg = 1\nstage =", 1)
    (ws.root / BROKEN).write_text(text, "utf-8")
    return ws


def ids(ws: Workspace) -> set[str]:
    return {p.stem for p in ws.root.glob("*/*.toml")}


def assert_whole(out: str, whole: set[str], width: int) -> None:
    """No line is wider than `width`, and no word is a piece of an id or a path: a word that
    begins one of them is all of it (`crm-implementa` + `tion` would fail)."""
    assert out.strip(), "no output"
    for line in out.splitlines():
        assert cell_len(line) <= width, f"{cell_len(line)} > {width}: {line!r}"
    for word in re.findall(r"[\w./:]*[-/][\w./:-]*", out):  # words with - or /
        for name in whole:
            if name.startswith(word) and word != name:
                pytest.fail(f"{name!r} split: {word!r} at width {width}\n{out}")


VIEWS = [
    ["status"],
    ["engagement", "list", "--all"],
    ["service", "list", "--all"],
    ["deadlines"],
    ["board"],
    ["board", "--kind", "services"],
    ["checklist"],
    ["checklist", LONG_ENGAGEMENT],
    ["find", "crm"],
    ["report"],
    ["timeline"],
    ["show", LONG_ENGAGEMENT],
]


@pytest.mark.parametrize("width", [60, 80, 110])
def test_no_table_splits_an_id_or_a_path(
    example: Workspace, width: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", str(width))
    names = ids(example) | {f"{BROKEN}:4:1"}
    for view in VIEWS:
        assert_whole(example.ok(*view).out, names, width)
    result = example.run("validate")
    assert f"{BROKEN}:4:1" in result.out, result.out
    assert_whole(result.out, names, width)


@pytest.mark.parametrize("view", [["status"], ["engagement", "list"], ["deadlines"]])
def test_the_due_date_stays_at_80_columns(
    example: Workspace, view: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    out = example.ok(*view).out
    head = "Date" if view == ["deadlines"] else "Due"
    assert re.search(rf"^ ?ID .* {head} ", out, re.M) or re.search(rf"^ ?{head} ", out, re.M), out
    assert "2026-11-30" in out  # aurora-crm's due date
    assert LONG_ENGAGEMENT in out


def test_the_checker_finds_a_split_id() -> None:
    """The assertion above can fail: a table that folds an id is caught."""
    with pytest.raises(pytest.fail.Exception):
        assert_whole("crm-implementa\ntion  2026-11-30", {"crm-implementation"}, 80)
