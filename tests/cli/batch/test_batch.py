"""`batch`: many commands in one process under one lock, each line checked as it is alone."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import Workspace, cli, run_process

PREPARATION = ("terms-agreed", "resources-assigned", "interaction-agreed")


def _lines(ws: Workspace, text: str) -> Path:
    path = ws.root.parent / "lines.txt"
    path.write_text(text, "utf-8")
    return path


def _notes(ws: Workspace, item: str = "acme") -> list[str]:
    shown = ws.ok("show", item, "--json").json()
    assert isinstance(shown, dict)
    return [n["text"] for n in shown["notes"]]


def test_every_line_runs_as_its_command_and_prints_what_it_prints(firm: Workspace) -> None:
    lines = _lines(
        firm,
        'note acme "called the CFO" --channel call\n'
        "check acme terms-agreed --note signed\n"
        "set acme due 2027-01-15\n"
        "show acme --json\n",
    )
    result = firm.run("batch", str(lines))
    assert result.code == 0, result.err
    out = result.out.splitlines()
    assert out[:3] == ["acme: note added", "acme: terms-agreed done", "acme: due = 2027-01-15"]
    shown = json.loads(out[-1])
    assert shown["due"] == "2027-01-15"
    assert [n["text"] for n in shown["notes"]] == ["called the CFO"]
    assert shown["gates"][0]["done"] is True
    assert result.err == ""


def test_a_refused_line_is_one_error_line_with_its_number_and_the_others_go_on(
    firm: Workspace,
) -> None:
    lines = _lines(
        firm,
        "note acme first\n"
        "note nosuch hello\n"
        "advance acme\n"  # gate items open: refused
        "set acme due 2027-02-30\n"  # no such day: a usage error of the line
        "note acme --channel pigeon hi\n"
        "note acme last\n",
    )
    result = firm.run("batch", str(lines))
    assert result.code == 1
    errors = result.err.splitlines()
    assert [e.split(":")[0:2] for e in errors] == [
        ["error", " line 2"],
        ["error", " line 3"],
        ["error", " line 4"],
        ["error", " line 5"],
    ]
    assert "no item 'nosuch'" in errors[0]
    assert "open gate items" in errors[1]
    assert "pigeon" in errors[3]
    assert _notes(firm) == ["first", "last"]
    assert firm.ok("show", "acme", "--json").json()["stage"] == "preparation"  # type: ignore[index]


def test_refused_lines_leave_every_file_byte_identical(firm: Workspace) -> None:
    before = firm.snapshot()
    lines = _lines(
        firm,
        "advance acme\n"
        "check acme nosuch\n"
        "set acme price lots\n"
        "rename acme audit\n"
        "delete audit --yes\n"  # a service that engagements refer to
        "feedback acme --score 9\n",
    )
    result = firm.run("batch", str(lines))
    assert result.code == 1
    assert len(result.err.splitlines()) == 6
    assert firm.snapshot() == before


def test_comments_and_blank_lines_are_skipped_and_a_hash_inside_a_word_is_kept(
    firm: Workspace,
) -> None:
    lines = _lines(
        firm,
        "# the week's calls\n"
        "\n"
        "   \n"
        "note acme 'C# and F# code review'  # said on Monday\n"
        "    # indented comment\n"
        'note acme "a # inside quotes"\n',
    )
    result = firm.run("batch", str(lines))
    assert result.code == 0, result.err
    assert _notes(firm) == ["C# and F# code review", "a # inside quotes"]


def test_a_line_that_cannot_be_split_is_refused_alone(firm: Workspace) -> None:
    result = firm.run("batch", str(_lines(firm, "note acme 'open\nnote acme closed\n")))
    assert result.code == 1
    assert result.err.startswith("error: line 1: cannot split the line")
    assert _notes(firm) == ["closed"]


def test_a_line_that_is_not_utf8_is_refused_alone_and_a_bom_is_no_word(firm: Workspace) -> None:
    path = firm.root.parent / "lines.txt"
    path.write_bytes(b"\xef\xbb\xbfnote acme one\nnote acme caf\xe9\nnote acme three\n")
    result = firm.run("batch", str(path))
    assert result.code == 1
    assert result.err.startswith("error: line 2: not UTF-8 text")
    assert len(result.err.splitlines()) == 1
    assert _notes(firm) == ["one", "three"]


def test_standard_input_when_no_file_or_a_dash(firm: Workspace) -> None:
    for args in ((), ("-",)):
        result = _stdin(firm, "note acme from-stdin\n", *args)
        assert result.returncode == 0, result.stderr
        assert result.stdout == "acme: note added\n"
    assert _notes(firm) == ["from-stdin", "from-stdin"]


def _stdin(ws: Workspace, text: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "svctrack", "-C", str(ws.root), "batch", *args],
        input=text,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_the_same_lines_from_a_file_and_from_stdin_give_the_same_output(firm: Workspace) -> None:
    text = "note acme one\nnote nosuch two\nstatus --json\n"
    from_file = run_process("-C", str(firm.root), "batch", str(_lines(firm, text)))
    from_stdin = _stdin(firm, text)
    assert from_file.returncode == from_stdin.returncode == 1
    assert from_file.stderr == from_stdin.stderr == "error: line 2: no item 'nosuch'\n"
    assert from_file.stdout.splitlines()[0] == from_stdin.stdout.splitlines()[0]


def test_a_file_that_cannot_be_read_is_a_usage_error_of_batch(firm: Workspace) -> None:
    result = firm.run("batch", str(firm.root / "missing.txt"))
    assert result.code == 2
    assert result.err.startswith("error: cannot read ")


def test_batch_itself_interactive_commands_and_global_options_are_refused(
    firm: Workspace,
) -> None:
    before = firm.snapshot()
    lines = _lines(
        firm,
        "batch other.txt\nedit acme\ndelete acme\n-C /elsewhere note acme hi\n--lang ru status\n",
    )
    result = firm.run("batch", str(lines))
    assert result.code == 1
    errors = result.err.splitlines()
    assert len(errors) == 5
    assert "line 1: a batch does not run a batch" in errors[0]
    assert "line 2: `edit` opens an editor" in errors[1]
    assert "line 3: `delete` in a batch needs --yes" in errors[2]
    assert "line 4: -C: a line starts with a command; global options go before" in errors[3]
    assert "line 5: --lang" in errors[4]
    assert firm.snapshot() == before


def test_delete_with_yes_and_usage_errors_of_a_line(firm: Workspace) -> None:
    firm.ok("engagement", "new", "typo", "--service", "audit", "--client", "X", "--due", "+1w")
    lines = _lines(firm, "delete typo --yes\nnote acme\nfrobnicate acme\n")
    result = run_process("-C", str(firm.root), "batch", str(lines))
    assert result.returncode == 1
    assert result.stdout.splitlines() == ["deleted engagement typo"]
    errors = result.stderr.splitlines()
    assert errors[0].startswith("error: line 2: Missing argument 'TEXT'")
    assert "(see `svctrack note --help`)" in errors[0]
    assert errors[1].startswith("error: line 3: No such command 'frobnicate'")
    assert not (firm.root / "engagements" / "typo.toml").exists()


def test_global_options_before_batch_apply_to_every_line(firm: Workspace) -> None:
    lines = _lines(firm, "note acme one\n")
    os.chdir(firm.root.parent)  # no workspace here: -C names it
    result = cli("-C", str(firm.root), "batch", str(lines))
    assert result.code == 0, result.err
    assert _notes(firm) == ["one"]


def test_undo_after_a_batch_walks_back_line_by_line(firm: Workspace) -> None:
    start = firm.text("acme")
    firm.ok("batch", str(_lines(firm, "note acme one\nnote acme two\nnote acme three\n")))
    listed = firm.ok("undo", "--list", "--json").json()
    assert isinstance(listed, list)
    assert [e["command"] for e in listed[:3]] == [
        "svctrack note acme three",
        "svctrack note acme two",
        "svctrack note acme one",
    ]
    firm.ok("undo")
    assert _notes(firm) == ["one", "two"]
    firm.ok("undo")
    assert _notes(firm) == ["one"]
    firm.ok("undo")
    assert firm.text("acme") == start


def test_an_undo_line_in_a_batch_is_not_itself_recorded(firm: Workspace) -> None:
    result = firm.run("batch", str(_lines(firm, "note acme one\nnote acme two\nundo\n")))
    assert result.code == 0, result.err
    assert _notes(firm) == ["one"]
    listed = firm.ok("undo", "--list", "--json").json()
    assert isinstance(listed, list)
    assert listed[0]["command"] == "svctrack note acme one"


def test_the_lock_is_held_across_lines(firm: Workspace) -> None:
    """While a batch runs, a single write waits for the lock (and gives up after its timeout),
    even between two lines of the batch."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    batch = subprocess.Popen(
        [sys.executable, "-m", "svctrack", "-C", str(firm.root), "batch"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert batch.stdin is not None and batch.stdout is not None
    try:
        batch.stdin.write("note acme from-the-batch\n")
        batch.stdin.flush()
        assert batch.stdout.readline() == "acme: note added\n"  # the batch is between lines
        refused = run_process(
            "-C", str(firm.root), "note", "acme", "alone", env={"SVCTRACK_LOCK_TIMEOUT": "0.3"}
        )
        assert refused.returncode == 1
        assert "locked by another svctrack process" in refused.stderr
        waiting = subprocess.Popen(
            [sys.executable, "-m", "svctrack", "-C", str(firm.root), "note", "acme", "waited"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**env, "SVCTRACK_LOCK_TIMEOUT": "30"},
        )
        time.sleep(1.0)
        assert waiting.poll() is None  # still waiting for the batch's lock
        batch.stdin.write("note acme last-of-the-batch\n")
        batch.stdin.close()
        assert batch.wait(timeout=60) == 0
        assert waiting.wait(timeout=60) == 0, waiting.stderr
    finally:
        for process in (batch,):
            if process.poll() is None:
                process.kill()
    assert _notes(firm) == ["from-the-batch", "last-of-the-batch", "waited"]


def test_while_a_sync_is_stopped_the_reads_of_a_batch_run_and_its_writes_are_refused(
    firm: Workspace,
) -> None:
    (firm.root / ".git" / "rebase-merge").mkdir(parents=True)
    before = firm.snapshot()
    result = firm.run("batch", str(_lines(firm, "show acme --json\nnote acme hi\n")))
    assert result.code == 1
    assert json.loads(result.out)["id"] == "acme"
    assert result.err.startswith("error: line 2: a sync is stopped on a conflict")
    assert firm.snapshot() == before


@pytest.mark.usefixtures("git_identity")
def test_with_commit_each_line_is_a_commit_of_its_own(firm: Workspace) -> None:
    subprocess.run(["git", "init", "-q", str(firm.root)], check=True)
    subprocess.run(["git", "-C", str(firm.root), "add", "-A"], check=True)
    subprocess.run(["git", "-C", str(firm.root), "commit", "-qm", "start"], check=True)
    lines = _lines(firm, "note acme one\nnote nosuch two\ncheck acme terms-agreed\n")
    result = firm.run("--commit", "batch", str(lines))
    assert result.code == 1
    log = subprocess.run(
        ["git", "-C", str(firm.root), "log", "--format=%s"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    assert log == ["acme: terms-agreed done", "acme: other note (one)", "start"], log
    status = subprocess.run(
        ["git", "-C", str(firm.root), "status", "--porcelain"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert status == ""
