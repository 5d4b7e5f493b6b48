"""Who a write records as acting when neither SVCTRACK_USER nor the user config names the user:
git's user.name (asked as the command starts, collected when the entry is made), else the login
name. The same answer whether git is asked early or late, in the folder svctrack runs in."""

from __future__ import annotations

import os
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest

from conftest import Workspace, run_process
from svctrack.usecases import actor

needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


@pytest.fixture
def anonymous(monkeypatch: pytest.MonkeyPatch) -> None:
    """No SVCTRACK_USER, no user config; git reads no system config; the login name is known."""
    monkeypatch.delenv("SVCTRACK_USER")
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("LOGNAME", "login-name")


def fake_git(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, body: str) -> Path:
    """A `git` first on the PATH that logs each call (its arguments and folder) and runs `body`."""
    folder = tmp_path / "fakebin"
    folder.mkdir()
    calls = tmp_path / "git-calls"
    script = folder / "git"
    script.write_text(f'#!/bin/sh\necho "$* in $PWD" >> {calls}\n{body}\n')
    script.chmod(0o755)
    monkeypatch.setenv("PATH", f"{folder}{os.pathsep}{os.environ['PATH']}")
    return calls


def noted_from(ws: Workspace, folder: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Who a note made from `folder` records: in this process, then as a whole process (git
    asked while svctrack starts)."""
    monkeypatch.chdir(folder)
    ws.ok("note", "acme", "hello")
    names = [last(ws, "notes")]
    done = run_process("-C", str(ws.root), "note", "acme", "again", cwd=folder)
    assert done.returncode == 0, done.stderr
    return [*names, last(ws, "notes")]


def last(ws: Workspace, table: str, item_id: str = "acme") -> str:
    """Who the item file's last entry of `table` says acted."""
    return str(tomllib.loads(ws.text(item_id))[table][-1]["by"])


@needs_git
def test_git_names_the_user_of_the_folder_svctrack_runs_in(
    firm: Workspace, anonymous: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    subprocess.run(["git", "-C", str(repo), "config", "user.name", "Repo Person"], check=True)
    assert noted_from(firm, repo, monkeypatch) == ["Repo Person"] * 2
    firm.ok("log", "acme", "1h")
    assert last(firm, "time") == "Repo Person"
    firm.ok("advance", "acme", "--force")
    assert last(firm, "history") == "Repo Person"
    firm.ok("engagement", "new", "beta", "--service", "audit", "--client", "B", "--due", "+2w")
    assert last(firm, "history", "beta") == "Repo Person"


@needs_git
def test_outside_a_repository_git_names_nobody_and_the_login_name_is_used(
    firm: Workspace, anonymous: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    assert noted_from(firm, outside, monkeypatch) == ["login-name"] * 2


def test_without_git_the_login_name_is_used(
    firm: Workspace, anonymous: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    firm.ok("note", "acme", "hello")
    assert last(firm, "notes") == "login-name"
    firm.ok("advance", "acme", "--force")
    assert last(firm, "history") == "login-name"


def test_git_failing_or_naming_nobody_gives_the_login_name(
    firm: Workspace, anonymous: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    fake_git(tmp_path, monkeypatch, "echo '   '")
    firm.ok("note", "acme", "blank")
    assert last(firm, "notes") == "login-name"
    (tmp_path / "fakebin" / "git").write_text("#!/bin/sh\necho 'Someone'\nexit 1\n")
    firm.ok("note", "acme", "failed")
    assert last(firm, "notes") == "login-name"


def test_git_is_asked_once_a_write_and_only_when_nothing_else_names_the_user(
    firm: Workspace, anonymous: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    calls = fake_git(tmp_path, monkeypatch, "echo '  Fake Person  '")
    firm.ok("note", "acme", "hello")
    assert last(firm, "notes") == "Fake Person"
    assert calls.read_text() == f"config user.name in {Path.cwd()}\n"
    firm.ok("log", "acme", "1h", "--by", "zed")  # named: git is not asked
    firm.ok("show", "acme")  # a read: git is not asked
    assert calls.read_text().count("\n") == 1
    monkeypatch.setenv("SVCTRACK_USER", "Igor")
    firm.ok("note", "acme", "named")
    assert last(firm, "notes") == "Igor"
    assert calls.read_text().count("\n") == 1


def test_a_failed_write_leaves_no_answer_for_the_next(
    firm: Workspace, anonymous: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    answers = tmp_path / "answers"  # each call's answer, once it gives it (the failed run's
    # git may be stopped before: its answer is not wanted)
    calls = fake_git(tmp_path, monkeypatch, f'echo "Person $$" | tee -a {answers}')
    assert firm.run("note", "nope", "hello").code != 0  # git asked, its answer not used
    asked = calls.read_text().count("\n") if calls.exists() else 0  # (git stopped by now)
    firm.ok("note", "acme", "hello")
    assert calls.read_text().count("\n") == asked + 1  # asked anew
    assert last(firm, "notes") == answers.read_text().splitlines()[-1]  # and that answer used


def test_git_too_slow_gives_the_login_name(
    firm: Workspace, anonymous: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    fake_git(tmp_path, monkeypatch, "sleep 5\necho 'Late Person'")
    monkeypatch.setattr(actor, "_WAIT", 0.3)
    firm.ok("note", "acme", "hello")
    assert last(firm, "notes") == "login-name"
