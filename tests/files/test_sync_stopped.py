"""The one check every write passes: no write while git is rebasing (a `sync` stopped on a
conflict), found from the files git keeps, without running git."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from conftest import Workspace
from svctrack.errors import Refused
from svctrack.storage.paths import git_dir, sync_stopped
from svctrack.storage.store import Store


def stop(git_folder: Path) -> None:
    (git_folder / "rebase-merge").mkdir(parents=True)


@pytest.fixture
def no_git_process(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"a process was started: {args}")

    monkeypatch.setattr(subprocess, "run", refuse)
    monkeypatch.setattr(subprocess, "Popen", refuse)


def test_a_write_is_refused_while_git_rebases(firm: Workspace, no_git_process: None) -> None:
    stop(firm.root / ".git")
    before = firm.snapshot()
    result = firm.run("note", "acme", "IMPORTANT")
    assert result.code == 1
    assert result.err.startswith("error: a sync is stopped on a conflict")
    assert firm.snapshot() == before
    (firm.root / ".git" / "rebase-merge").rmdir()
    (firm.root / ".git" / "rebase-apply").mkdir()  # the other backend
    assert firm.run("set", "acme", "owner", "boris").code == 1
    (firm.root / ".git" / "rebase-apply").rmdir()
    firm.ok("set", "acme", "owner", "boris")


def test_the_git_folder_is_found_as_git_finds_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("GIT_DIR", raising=False)
    top = tmp_path / "repo"
    (top / ".git").mkdir(parents=True)
    ws = top / "teams" / "ws"
    ws.mkdir(parents=True)
    assert git_dir(ws) == top / ".git"
    assert not sync_stopped(ws)
    stop(top / ".git")
    assert sync_stopped(ws)
    # A linked worktree: `.git` is a file naming its own git folder.
    linked = tmp_path / "linked"
    linked.mkdir()
    own = top / ".git" / "worktrees" / "linked"
    own.mkdir(parents=True)
    (linked / ".git").write_text(f"gitdir: {own}\n")
    assert git_dir(linked) == own and not sync_stopped(linked)
    stop(own)
    assert sync_stopped(linked)
    monkeypatch.setenv("GIT_DIR", str(tmp_path / "elsewhere"))
    assert git_dir(ws) == tmp_path / "elsewhere" and not sync_stopped(ws)


def test_sync_itself_may_take_the_lock(firm: Workspace) -> None:
    stop(firm.root / ".git")
    store = Store(firm.root)
    with pytest.raises(Refused), store.locked():
        pass
    with store.locked(sync=True):
        assert store._held is not None
    assert store._held is None


def test_the_lock_taken_again_while_held_is_held_and_hold_keeps_it(firm: Workspace) -> None:
    store = Store(firm.root, hold=lambda: True)
    other = Store(firm.root, lock_timeout=0.05)
    with store.locked(), store.locked():
        pass
    assert store._held is not None  # kept for the commit
    with pytest.raises(Exception, match="locked by another svctrack process"), other.locked():
        pass
    store.release()
    with other.locked():
        pass


def test_a_lock_held_across_writes_asks_again_before_each(firm: Workspace) -> None:
    """A batch holds the lock across its lines; a sync that stops between two of them (a `sync`
    line) still stops the writes after it."""
    store = Store(firm.root)
    path = firm.file("acme")
    before = path.read_bytes()
    with store.locked():
        with store.locked():  # held: taken again at once
            pass
        stop(firm.root / ".git")
        with pytest.raises(Refused, match="a sync is stopped"), store.locked():
            path.write_text("never")
        with store.locked(sync=True):  # sync itself goes on
            pass
    assert path.read_bytes() == before
