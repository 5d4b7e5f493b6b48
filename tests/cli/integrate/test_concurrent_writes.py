"""Writes at once, as real processes: every `--commit` write in a commit of its own with its own
message; ids derived at once never collide; a busy `index.lock` is waited for."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from conftest import Workspace

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")

IDENTITY = {
    "GIT_AUTHOR_NAME": "Anna Petrova",
    "GIT_AUTHOR_EMAIL": "anna@example.com",
    "GIT_COMMITTER_NAME": "Anna Petrova",
    "GIT_COMMITTER_EMAIL": "anna@example.com",
    "GIT_CONFIG_NOSYSTEM": "1",
}


@pytest.fixture(autouse=True)
def git_identity(monkeypatch: pytest.MonkeyPatch) -> None:
    for var, value in IDENTITY.items():
        monkeypatch.setenv(var, value)
    monkeypatch.delenv("SVCTRACK_COMMIT", raising=False)


def git(cwd: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=False)
    assert done.returncode == 0, f"git {args}: {done.stderr}"
    return done.stdout


def svctrack(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "svctrack", "-C", str(root), *args],
        env={**os.environ, "SVCTRACK_LOCK_TIMEOUT": "60"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture
def repo(firm: Workspace) -> Workspace:
    git(firm.root, "init", "-q", "-b", "main")
    git(firm.root, "add", "-A")
    git(firm.root, "commit", "-q", "-m", "start")
    return firm


def test_every_commit_write_of_eight_processes_gets_its_own_commit(repo: Workspace) -> None:
    writers, each = 8, 5

    def write(n: int) -> list[subprocess.CompletedProcess[str]]:
        return [svctrack(repo.root, "--commit", "note", "acme", f"w{n}-{k}") for k in range(each)]

    with ThreadPoolExecutor(writers) as pool:
        runs = [run for batch in pool.map(write, range(writers)) for run in batch]
    assert [r.returncode for r in runs] == [0] * (writers * each), [r.stderr for r in runs]
    assert all("committed " in r.stderr for r in runs)
    log = git(repo.root, "log", "--format=%s", "--reverse").splitlines()[1:]
    texts = sorted(f"w{n}-{k}" for n in range(writers) for k in range(each))
    assert sorted(log) == sorted(f"acme: other note ({t})" for t in texts)
    for sha in git(repo.root, "log", "--format=%H").splitlines()[:-1]:  # one note per commit
        diff = git(repo.root, "show", "--format=", "-U0", sha)
        added = [line for line in diff.splitlines() if line.startswith('+text = "')]
        subject = git(repo.root, "log", "-1", "--format=%s", sha).strip()
        assert len(added) == 1 and added[0][len('+text = "') : -1] in subject
    assert git(repo.root, "status", "--porcelain", "--untracked-files=no") == ""
    notes = repo.ok("show", "acme", "--json").json()["notes"]
    assert sorted(n["text"] for n in notes) == texts


def test_sixteen_engagements_created_at_once_without_an_id_all_get_one(firm: Workspace) -> None:
    def create(_: int) -> subprocess.CompletedProcess[str]:
        return svctrack(
            firm.root, "engagement", "new", "--service", "audit", "--client", "Kaskad",
            "--due", "2026-12-20", "--pilot",
        )  # fmt: skip

    with ThreadPoolExecutor(16) as pool:
        runs = list(pool.map(create, range(16)))
    assert [r.returncode for r in runs] == [0] * 16, [r.stderr for r in runs]
    made = sorted(p.stem for p in (firm.root / "engagements").glob("kaskad-audit*.toml"))
    assert made == sorted(["kaskad-audit", *(f"kaskad-audit-{n}" for n in range(2, 17))])
    said = sorted(r.stdout.split()[2] for r in runs)  # "created engagement ID (...)"
    assert said == made
    firm.ok("validate", "--strict")


def test_an_explicit_id_that_is_taken_is_still_refused(firm: Workspace) -> None:
    result = firm.run(
        "engagement", "new", "acme", "--service", "audit", "--client", "X", "--due", "+1w"
    )
    assert result.code == 1 and "id 'acme' is taken" in result.err


def test_a_busy_index_is_waited_for(repo: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    lock = repo.root / ".git" / "index.lock"
    lock.write_text("")
    threading.Timer(0.5, lock.unlink).start()
    started = time.monotonic()
    result = repo.ok("--commit", "set", "acme", "owner", "boris")
    assert time.monotonic() - started >= 0.4
    assert "committed" in result.err
    assert git(repo.root, "log", "-1", "--format=%s").strip() == "acme: owner = boris"


def test_an_index_busy_too_long_says_the_change_is_saved_and_how_to_commit_it(
    repo: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SVCTRACK_LOCK_TIMEOUT", "0.3")
    lock = repo.root / ".git" / "index.lock"
    lock.write_text("")
    result = repo.run("--commit", "note", "acme", "it's done")
    assert result.code == 1 and result.err.count("\n") == 1
    assert result.err.startswith("error: engagements/acme.toml saved, but not committed:")
    assert "index.lock" in result.err
    assert """`git commit -m 'acme: other note (it'"'"'s done)' -- engagements/acme.toml`""" in (
        result.err
    )
    lock.unlink()
    assert "it's done" in repo.text("acme")
