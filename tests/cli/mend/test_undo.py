"""`undo`: every write command recorded before it writes, put back byte for byte."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import Workspace, run_process

PREPARATION = ("terms-agreed", "resources-assigned", "interaction-agreed")


def _import(ws: Workspace) -> tuple[str, ...]:
    sheet = ws.root.parent / "clients.csv"
    sheet.write_text("client,service,due\nZarya,audit,2027-01-31\nKaskad,audit,2027-02-28\n")
    return ("import", "csv", str(sheet), "--kind", "engagements")


def _ready(ws: Workspace) -> None:
    for gate in PREPARATION:
        ws.ok("check", "acme", gate)


def _cancelled(ws: Workspace) -> None:
    ws.ok("cancel", "acme", "--note", "withdrew")


WRITES: dict[str, tuple[Callable[[Workspace], None] | None, Callable[[Workspace], tuple]]] = {
    "service new": (None, lambda ws: ("service", "new", "--name", "Cloud migration")),
    "engagement new": (
        None,
        lambda ws: ("engagement", "new", "--service", "audit", "--client", "Zarya", "--due", "+2w"),
    ),
    "advance": (_ready, lambda ws: ("advance", "acme", "--note", "plan approved")),
    "advance --force": (None, lambda ws: ("advance", "acme", "--force")),
    "cancel": (None, lambda ws: ("cancel", "acme", "--note", "client withdrew")),
    "check": (None, lambda ws: ("check", "acme", "terms-agreed", "--note", "signed")),
    "uncheck": (None, lambda ws: ("uncheck", "acme", "communication")),
    "set": (None, lambda ws: ("set", "acme", "due", "2027-01-15")),
    "note": (None, lambda ws: ("note", "acme", "called them", "--channel", "call")),
    "feedback": (None, lambda ws: ("feedback", "acme", "--score", "5", "--comment", "good")),
    "log": (None, lambda ws: ("log", "acme", "2h30m", "--note", "interviews")),
    "import csv": (None, _import),
    "reopen": (_cancelled, lambda ws: ("reopen", "acme", "--note", "back")),
    "rename": (None, lambda ws: ("rename", "audit", "security-audit")),
    "delete": (None, lambda ws: ("delete", "acme", "--yes")),
}


@pytest.mark.parametrize("name", list(WRITES))
def test_undo_puts_back_every_write_byte_for_byte(firm: Workspace, name: str) -> None:
    prepare, command = WRITES[name]
    if prepare:
        prepare(firm)
    before = firm.snapshot()
    firm.ok(*command(firm))
    assert firm.snapshot() != before
    done = firm.ok("undo")
    assert "undid `svctrack " in done.err
    assert firm.snapshot() == before


def test_undo_of_rework_and_of_edit(firm: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    _ready(firm)
    firm.ok("advance", "acme")
    firm.ok("check", "acme", "work-done")
    firm.ok("advance", "acme")
    before = firm.snapshot()
    firm.ok("rework", "acme", "--note", "redo the scan")
    firm.ok("undo")
    assert firm.snapshot() == before

    script = firm.root.parent / "editor.py"
    script.write_text(
        "import pathlib, sys\np = pathlib.Path(sys.argv[-1])\n"
        "p.write_text(p.read_text().replace('ACME', 'ACME Corp'))\n"
    )
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.setenv("EDITOR", f"{sys.executable} {script}")
    firm.ok("edit", "acme")
    assert "ACME Corp" in firm.text("acme")
    firm.ok("undo")
    assert firm.snapshot() == before


def test_repeated_undo_walks_back_and_then_says_there_is_nothing(ws: Workspace) -> None:
    empty = ws.snapshot()
    ws.ok("service", "new", "audit", "--name", "Security audit")
    one = ws.snapshot()
    ws.ok("note", "audit", "kick-off")
    ws.ok("set", "audit", "owner", "anna")
    listed = ws.ok("undo", "--list", "--json").json()
    assert [e["command"] for e in listed] == [
        "svctrack set audit owner anna",
        "svctrack note audit kick-off",
        "svctrack service new audit --name 'Security audit'",
    ]
    assert listed[0]["paths"] == ["services/audit.toml"]
    assert listed[0]["at"].startswith("2026-11-26T")
    ws.ok("undo")
    ws.ok("undo")
    assert ws.snapshot() == one
    assert "set audit" not in ws.ok("undo", "--list").out
    ws.ok("undo")
    assert ws.snapshot() == empty
    refused = ws.run("undo")
    assert refused.code == 1 and refused.err.startswith("error: nothing to undo")
    assert ws.ok("undo", "--list", "--json").json() == []


def test_a_file_changed_since_is_named_and_nothing_is_undone(firm: Workspace) -> None:
    firm.ok("note", "acme", "first")
    firm.ok("note", "audit", "second")
    path = firm.file("audit")
    path.write_text(path.read_text() + "# by hand\n")
    before = firm.snapshot()
    refused = firm.run("undo")
    assert refused.code == 1
    assert "services/audit.toml has changed since `svctrack note audit second`" in refused.err
    assert firm.snapshot() == before
    assert len(firm.ok("undo", "--list", "--json").json()) == 4  # nothing forgotten


def test_a_command_that_changed_several_files_is_undone_whole(firm: Workspace) -> None:
    before = firm.snapshot()
    firm.ok(*_import(firm))
    (entry, *_) = firm.ok("undo", "--list", "--json").json()
    assert len(entry["paths"]) == 2
    assert "removed engagements/" in firm.ok("undo").out
    assert firm.snapshot() == before


def test_read_commands_and_refusals_record_nothing(firm: Workspace) -> None:
    count = len(firm.ok("undo", "--list", "--json").json())
    firm.ok("status")
    firm.ok("show", "acme")
    assert firm.run("advance", "acme").code == 1
    assert firm.run("set", "acme", "due", "nonsense").code == 2
    assert len(firm.ok("undo", "--list", "--json").json()) == count


def test_the_journal_is_outside_the_workspace_and_bounded(ws: Workspace, isolated: Path) -> None:
    ws.ok("service", "new", "audit", "--name", "Security audit")
    for n in range(105):
        ws.ok("log", "audit", "1", "--note", f"hour {n}")
    listed = ws.ok("undo", "--list", "--json").json()
    assert len(listed) == 100
    assert listed[0]["command"] == "svctrack log audit 1 --note 'hour 104'"
    assert sorted(p.name for p in ws.root.iterdir()) == [
        ".gitignore",
        ".svctrack.lock",
        "engagements",
        "services",
        "svctrack.toml",
    ]
    journals = list((isolated / "data" / "svctrack" / "journal").iterdir())
    assert len(journals) == 1 and len(list(journals[0].glob("*.json"))) == 100


def test_workspaces_have_journals_of_their_own(ws: Workspace, tmp_path: Path) -> None:
    other = Workspace(tmp_path / "other")
    ws.ok("init", str(other.root))
    ws.ok("service", "new", "audit", "--name", "Security audit")
    other.ok("service", "new", "cloud", "--name", "Cloud")
    other.ok("undo")
    assert (ws.root / "services" / "audit.toml").exists()
    assert other.ok("undo", "--list", "--json").json() == []


# --- --commit -------------------------------------------------------------------------------

git_needed = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def git(cwd: Path, *args: str) -> str:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "Anna",
        "GIT_AUTHOR_EMAIL": "anna@example.com",
        "GIT_COMMITTER_NAME": "Anna",
        "GIT_COMMITTER_EMAIL": "anna@example.com",
        "GIT_CONFIG_NOSYSTEM": "1",
    }
    done = subprocess.run(
        ["git", *args], cwd=cwd, capture_output=True, text=True, check=False, env=env
    )
    assert done.returncode == 0, f"git {args}: {done.stderr}"
    return done.stdout


@git_needed
@pytest.mark.parametrize("committed", [True, False])
def test_undo_with_commit_is_a_commit_of_its_own(
    firm: Workspace, monkeypatch: pytest.MonkeyPatch, committed: bool
) -> None:
    for var, value in {
        "GIT_AUTHOR_NAME": "Anna",
        "GIT_AUTHOR_EMAIL": "anna@example.com",
        "GIT_COMMITTER_NAME": "Anna",
        "GIT_COMMITTER_EMAIL": "anna@example.com",
        "GIT_CONFIG_NOSYSTEM": "1",
    }.items():
        monkeypatch.setenv(var, value)
    git(firm.root, "init", "-q", "-b", "main")
    git(firm.root, "add", "-A")
    git(firm.root, "commit", "-q", "-m", "start")
    before = files(firm)
    flag = "--commit" if committed else "--no-commit"
    firm.ok(flag, "note", "acme", "called")
    firm.ok(flag, "service", "new", "cloud", "--name", "Cloud")
    firm.ok("--commit", "undo")
    firm.ok("--commit", "undo")
    assert files(firm) == before
    log = git(firm.root, "log", "--format=%s").splitlines()
    if committed:
        assert log == [
            "undo: svctrack --commit note acme called",
            "undo: svctrack --commit service new cloud --name Cloud",
            "cloud: new service, Cloud",
            "acme: other note (called)",
            "start",
        ]
    else:
        assert log == ["start"]
    assert git(firm.root, "status", "--porcelain") == ""


def files(ws: Workspace) -> dict[str, bytes]:
    return {k: v for k, v in ws.snapshot().items() if not k.startswith(".git/")}


# --- a killed svctrack ----------------------------------------------------------------------


def test_an_entry_recorded_before_a_kill_is_used_or_passed_over(firm: Workspace) -> None:
    """A process killed after recording and before writing leaves an entry with nothing to
    undo: `undo` passes over it to the change before. Killed after writing: undone as usual."""
    from svctrack.storage.journal import Journal

    before = firm.snapshot()
    firm.ok("note", "acme", "real change")
    killed = Journal(firm.root.resolve(), "svctrack set acme due 2027-01-01")
    killed.record(firm.file("acme").resolve(), b"what it would have written")
    listed = firm.ok("undo", "--list", "--json").json()
    assert listed[0]["command"] == "svctrack set acme due 2027-01-01"
    done = firm.ok("undo")
    assert "skipped `svctrack set acme due 2027-01-01`" in done.err
    assert firm.snapshot() == before


KILLED = """
import pathlib, sys, time
from svctrack.storage import store
real = store.write_atomic
flag, when = pathlib.Path(sys.argv[2]), sys.argv[3]

def stuck(*args, **kwargs):
    if when == "after":
        real(*args, **kwargs)
    flag.write_text("now")
    time.sleep(60)

store.write_atomic = stuck
from svctrack.cli.app import main
sys.argv = ["svctrack", "-C", sys.argv[1], "note", "acme", "never finished"]
main()
"""


@pytest.mark.parametrize("when", ["before", "after"])
def test_kill_9_during_a_write_leaves_a_journal_undo_can_use(
    firm: Workspace, tmp_path: Path, when: str
) -> None:
    """Killed after recording and before writing: the entry has nothing to undo, and `undo`
    passes over it to the change before. Killed after writing: undone as usual."""
    firm.ok("set", "acme", "owner", "boris")
    before = firm.snapshot()
    flag = tmp_path / "flag"
    proc = subprocess.Popen([sys.executable, "-c", KILLED, str(firm.root), str(flag), when])
    deadline = time.monotonic() + 30
    while not flag.exists() and time.monotonic() < deadline:
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert (firm.snapshot() == before) == (when == "before")
    listed = json.loads(run_process("-C", str(firm.root), "undo", "--list", "--json").stdout)
    assert listed[0]["command"] == "svctrack note acme 'never finished'"
    done = run_process("-C", str(firm.root), "undo")
    assert done.returncode == 0, done.stderr
    if when == "before":
        assert "skipped `svctrack note acme 'never finished'`" in done.stderr
        assert "undid `svctrack set acme owner boris`" in done.stderr
        assert 'owner = "boris"' not in firm.text("acme")
    else:
        assert firm.snapshot() == before


def test_a_journal_entry_is_the_json_of_what_it_records(firm: Workspace, isolated: Path) -> None:
    """The entry is written without the json module: it must be what json.dumps writes."""
    text = 'say "hi"\\ back\tthen\nРомашка \x7f \u2028 😀'
    firm.ok("note", "acme", text, "--channel", "call")
    (folder,) = (isolated / "data" / "svctrack" / "journal").iterdir()
    entry = max(folder.glob("*.json"))  # the newest
    raw = entry.read_bytes()
    assert raw == json.dumps(json.loads(raw)).encode("ascii")
    recorded = json.loads(raw)
    assert recorded["command"].endswith("--channel call") and text in recorded["command"]
    assert recorded["changes"][0]["path"] == "engagements/acme.toml"
