"""Atomic writes: a failing disk, a killed process, two writers, a held lock."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import pytest

from conftest import Workspace, run_process


def note_texts(ws: Workspace) -> list[str]:
    return [n["text"] for n in tomllib.loads(ws.text("acme")).get("notes", [])]


HOLDER = """
import sys
from pathlib import Path
from svctrack.store import Store

with Store(Path(sys.argv[1])).locked():
    print("locked", flush=True)
    sys.stdin.readline()
"""


@pytest.fixture
def held(firm: Workspace):
    """Another process holding the workspace lock until the test lets it go."""
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(firm.root)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None and holder.stdout.readline() == "locked\n"
    yield holder
    if holder.poll() is None:
        holder.communicate("go\n", timeout=30)


def test_a_held_lock_times_out_with_the_holders_pid(
    firm: Workspace, held: subprocess.Popen[str]
) -> None:
    before = firm.snapshot()
    done = run_process(
        "-C", str(firm.root), "note", "acme", "late", env={"SVCTRACK_LOCK_TIMEOUT": "0.2"}
    )
    assert done.returncode == 1
    lines = done.stderr.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(
        f"error: the workspace is locked by another svctrack process (pid {held.pid} on "
    )
    assert firm.snapshot() == before


def test_a_held_lock_in_process_too(
    firm: Workspace, held: subprocess.Popen[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SVCTRACK_LOCK_TIMEOUT", "0")
    result = firm.run("check", "acme", "terms-agreed")
    assert result.code == 1
    assert f"locked by another svctrack process (pid {held.pid} " in result.err


def test_the_second_writer_waits_for_the_lock(firm: Workspace, held: subprocess.Popen[str]) -> None:
    waiting = subprocess.Popen(
        [sys.executable, "-m", "svctrack", "-C", str(firm.root), "note", "acme", "waited"],
        env={**os.environ, "SVCTRACK_LOCK_TIMEOUT": "120"},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    time.sleep(0.5)  # give it the chance to do what it must not: write under a held lock
    assert waiting.poll() is None
    assert "waited" not in note_texts(firm)
    held.communicate("go\n", timeout=30)
    _, err = waiting.communicate(timeout=120)
    assert waiting.returncode == 0, err
    assert note_texts(firm) == ["waited"]


@pytest.mark.parametrize("value", ["soon", "-1", "nan", "inf"])
def test_a_bad_lock_timeout_is_bad_usage(
    firm: Workspace, monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("SVCTRACK_LOCK_TIMEOUT", value)
    result = firm.run("note", "acme", "x")
    assert result.code == 2
    assert result.err == f"error: SVCTRACK_LOCK_TIMEOUT={value!r} is not a number of seconds\n"


def test_a_linked_lock_file_is_not_followed(firm: Workspace, tmp_path: Path) -> None:
    # Locking truncates the lock file: through a link it would wipe whatever the link names.
    precious = tmp_path / "precious.txt"
    precious.write_text("do not truncate me\n")
    lock = firm.root / ".svctrack.lock"
    lock.unlink(missing_ok=True)
    lock.symlink_to(precious)
    result = firm.run("note", "acme", "x")
    assert result.code == 1
    assert result.err.startswith("error: .svctrack.lock is a symbolic link")
    assert precious.read_text() == "do not truncate me\n"
    assert "notes" not in tomllib.loads(firm.text("acme"))
