"""The README's tour shows what the commands print: its console blocks on the example workspace
are run (today 2026-11-26, as the README says) and compared, line for line."""

from __future__ import annotations

import json
import shlex
import shutil
from pathlib import Path

import pytest

from conftest import REPO, Workspace, cli

README = REPO / "README.md"


def sessions() -> list[list[tuple[str, str]]]:
    """Each ```console block of the README as (command line, what it printed)."""
    blocks = []
    inside = False
    for line in README.read_text("utf-8").splitlines():
        if line == "```console":
            inside, block = True, []
        elif inside and line == "```":
            inside = False
            blocks.append(block)
        elif inside and line.startswith("$ "):
            block.append((line[2:], ""))
        elif inside and block:
            command, shown = block[-1]
            block[-1] = (command, shown + line + "\n")
    return blocks


def tour(*first: str) -> list[tuple[str, str]]:
    return next(b for b in sessions() if b and b[0][0].startswith(" ".join(first)))


@pytest.fixture
def example(tmp_path: Path) -> Workspace:
    shutil.copytree(REPO / "examples", tmp_path / "ws")
    return Workspace(tmp_path / "ws")


def run(ws: Workspace, command: str) -> str:
    words = shlex.split(command)
    assert words[0] == "svctrack"
    result = cli("-C", str(ws.root), *words[1:])
    return result.out + result.err


@pytest.mark.parametrize(
    ("command", "columns"),
    [("svctrack status", 100), ("svctrack board", 100), ("svctrack board --kind services", 60)],
)
def test_the_tour_views_print_what_the_readme_shows(
    example: Workspace, monkeypatch: pytest.MonkeyPatch, command: str, columns: int
) -> None:
    monkeypatch.setenv("COLUMNS", str(columns))
    (shown,) = [s for c, s in tour(command) if c == command]
    assert run(example, command) == shown


def test_the_tour_of_a_refused_advance(example: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "100")
    steps = tour("svctrack advance aurora")
    assert len(steps) == 4
    for command, shown in steps:
        assert run(example, command) == shown, command


def test_the_tour_json(example: Workspace) -> None:
    ((command, shown),) = tour("svctrack deadlines --overdue --json")
    assert command.endswith("| python -m json.tool | head -9")
    printed = run(example, command.split(" |")[0])
    assert json.dumps(json.loads(printed), indent=4).splitlines()[:9] == shown.splitlines()
