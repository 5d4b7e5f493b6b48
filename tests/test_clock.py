"""Green on any day: what svctrack records and shows follows SVCTRACK_TODAY, never the machine's
clock, timezone or locale. The same story is told as real processes under a clock moved a year
ahead and a year back (Debian's `faketime`, where installed) and in far timezones, and every
dated answer must be the same."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import TODAY

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")

FAKETIME = shutil.which("faketime")

# Dated commands: creation, transitions and notes stamped; commits; every dated view.
STORY = [
    "init {ws} --name Clock --lang en --currency EUR",
    "-C {ws} service new audit --name Audit",
    "-C {ws} --commit engagement new acme --service audit --client ACME --due +10d",
    *(f"-C {{ws}} check acme {g}" for g in ("terms-agreed", "resources-assigned")),
    "-C {ws} check acme interaction-agreed",
    "-C {ws} --commit advance acme --note approved",
    "-C {ws} --commit note acme kick-off --channel call",
    "-C {ws} set acme deadline.execution +3d",
]
VIEWS = {
    "status": ["status", "--json"],
    "deadlines": ["deadlines", "--json"],
    "show": ["show", "acme", "--json"],
    "history": ["history", "acme", "--json"],
    "report": ["report", "--json"],
}


def _run(
    args: list[str], env: dict[str, str], clock: list[str]
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*clock, sys.executable, "-m", "svctrack", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _tell(tmp_path: Path, clock: list[str], tz: str) -> dict[str, object]:
    """Run the story in a fresh git workspace; the dated views' JSON, times of day dropped."""
    ws = tmp_path / "ws"
    env = {
        **os.environ,
        "TZ": tz,
        "GIT_AUTHOR_NAME": "Anna",
        "GIT_AUTHOR_EMAIL": "anna@example.com",
        "GIT_COMMITTER_NAME": "Anna",
        "GIT_COMMITTER_EMAIL": "anna@example.com",
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CONFIG_GLOBAL": os.devnull,
    }
    for step in STORY:
        args = step.replace("{ws}", str(ws)).split()
        done = _run(args, env, clock)
        assert done.returncode == 0, (args, done.stderr)
        if step.startswith("init"):
            stamp = f"{TODAY}T09:00:00+00:00"
            for command in (
                ["init", "-q", "-b", "main"],
                ["add", "-A"],
                ["commit", "-qm", "start"],
            ):
                subprocess.run(
                    [*clock, "git", *command],
                    cwd=ws,
                    env={**env, "GIT_AUTHOR_DATE": stamp, "GIT_COMMITTER_DATE": stamp},
                    check=True,
                    capture_output=True,
                )
    views = {}
    for name, args in VIEWS.items():
        done = _run(["-C", str(ws), *args], env, clock)
        assert done.returncode == 0, (args, done.stderr)
        views[name] = json.loads(re.sub(r"T\d\d:\d\d:\d\d[+-]\d\d:\d\d", "", done.stdout))
    for row in views["history"]:  # type: ignore[union-attr]
        row["commit"] = bool(row.get("commit"))  # hashes differ with the commit time
    return views


def _story_is_dated_by_svctrack_today(views: dict[str, object]) -> None:
    rows = views["history"]
    assert isinstance(rows, list)
    # Each transition and its commit are one row (the note's commit is a row of its own).
    assert [(r["source"], r["commit"]) for r in rows] == [
        ("history", True),
        ("history", True),
        ("git", True),
    ], rows
    assert {r["at"] for r in rows} == {TODAY}
    show = views["show"]
    assert isinstance(show, dict)
    assert show["due"] == "2026-12-06" and show["days_left"] == 10
    assert [n["at"] for n in show["notes"]] == [TODAY]


@pytest.fixture
def today_story(tmp_path: Path) -> dict[str, object]:
    return _tell(tmp_path / "reference", [], "UTC")


def test_the_story_under_the_real_clock(today_story: dict[str, object]) -> None:
    _story_is_dated_by_svctrack_today(today_story)


@pytest.mark.parametrize("tz", ["Pacific/Kiritimati", "Etc/GMT+12", "Asia/Kathmandu"])
def test_the_same_story_in_any_timezone(
    tz: str, tmp_path: Path, today_story: dict[str, object]
) -> None:
    assert _tell(tmp_path, [], tz) == today_story


@pytest.mark.skipif(FAKETIME is None, reason="faketime is not installed (Debian's faketime)")
@pytest.mark.parametrize("shift", ["+400d", "-400d"])
def test_the_same_story_with_the_clock_moved(
    shift: str, tmp_path: Path, today_story: dict[str, object]
) -> None:
    assert FAKETIME is not None
    assert _tell(tmp_path, [FAKETIME, "-f", shift], "UTC") == today_story
