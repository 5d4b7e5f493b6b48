"""`svctrack edit`: EDITOR is a script that plays a scripted sequence of edits."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import Workspace, cli, run_process
from svctrack.cli.app import app

EDITOR = """
import json, os, pathlib, sys
target = pathlib.Path(sys.argv[-1])
state = pathlib.Path(sys.argv[1])
steps = json.loads(state.read_text())
step, rest = steps[0], steps[1:]
state.write_text(json.dumps(rest))
with open(state.with_suffix(".seen"), "a") as seen:
    seen.write(target.read_text() + "\\n=====\\n")
if "replace" in step:
    old, new = step["replace"]
    text = target.read_text()
    assert old in text, (old, text)
    target.write_text(text.replace(old, new))
if "write" in step:
    target.write_text(step["write"])
if "grow" in step:
    with open(target, "ab") as grown:
        grown.truncate(step["grow"])
if "remove" in step:
    target.unlink()
if "fifo" in step:
    target.unlink()
    os.mkfifo(target)
if "link" in step:
    target.unlink()
    target.symlink_to(step["link"])
if "meanwhile" in step:
    path = pathlib.Path(step["meanwhile"])
    path.write_text(path.read_text() + "# changed meanwhile\\n")
sys.exit(step.get("exit", 0))
"""


@pytest.fixture
def editor(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Set EDITOR to the script; call the result with the steps it should play."""
    script = tmp_path / "editor.py"
    script.write_text(EDITOR)
    state = tmp_path / "steps.json"
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.setenv("EDITOR", f"{sys.executable} {script} {state}")
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()

    def play(*steps: dict) -> Path:
        state.write_text(json.dumps(list(steps)))
        return state

    return play


def left(state: Path) -> list:
    return json.loads(state.read_text())


def test_a_valid_edit_is_written(firm: Workspace, editor) -> None:
    before = firm.file("acme").read_bytes()
    editor({"replace": ["due = 2026-12-15", "due = 2026-12-20"]})
    result = firm.ok("edit", "acme")
    assert result.out == "acme: saved (due)\n"
    assert firm.file("acme").read_bytes() == before.replace(b"2026-12-15", b"2026-12-20")
    assert firm.ok("show", "acme", "--json").json()["due"] == "2026-12-20"


def test_an_invalid_edit_without_a_terminal_is_an_error(
    firm: Workspace, editor, tmp_path: Path
) -> None:
    before = firm.snapshot()
    editor({"replace": ["due = 2026-12-15", 'due = "soon"']})
    result = firm.run("edit", "acme")
    assert result.code == 1
    lines = result.err.splitlines()
    assert lines[0].startswith("engagements/acme.toml:") and "`due` must be a date" in lines[0]
    assert lines[-1].startswith("error: engagements/acme.toml: the edit is invalid")
    assert "nothing written" in lines[-1] and "your text is kept in" in lines[-1]
    assert firm.snapshot() == before  # byte for byte, and no stray file in the workspace
    kept = next((tmp_path / "tmp").glob("svctrack-edit-*/acme.toml"))
    assert 'due = "soon"' in kept.read_text()


def test_an_invalid_edit_is_offered_again_on_a_terminal(
    firm: Workspace, editor, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr("svctrack.usecases.editing.interactive", lambda: True)
    state = editor(
        {"replace": ["due = 2026-12-15", 'due = "soon"']},
        {"replace": ['due = "soon"', "due = 2027-01-10"]},  # the user's own text comes back
    )
    result = CliRunner().invoke(app, ["-C", str(firm.root), "edit", "acme"], input="y\n")
    assert result.exit_code == 0, result.stderr
    assert "`due` must be a date" in result.stderr and "Edit again?" in result.stderr
    assert left(state) == []
    assert "due = 2027-01-10" in firm.text("acme")
    assert not list((tmp_path / "tmp").iterdir())  # the temporary copy is gone
    assert cli("-C", str(firm.root), "validate").code == 0


def test_declining_to_edit_again_leaves_the_file(
    firm: Workspace, editor, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("svctrack.usecases.editing.interactive", lambda: True)
    before = firm.file("acme").read_bytes()
    editor({"replace": ["[gates]", "[gates"]})
    result = CliRunner().invoke(app, ["-C", str(firm.root), "edit", "acme"], input="n\n")
    assert result.exit_code == 1
    assert "invalid TOML" in result.stderr and "edit abandoned" in result.stderr
    assert firm.file("acme").read_bytes() == before


def test_an_unchanged_file_writes_nothing(firm: Workspace, editor) -> None:
    path = firm.file("acme")
    stat = path.stat()
    editor({})
    result = firm.ok("edit", "acme")
    assert result.out == "acme: no changes; nothing written\n"
    assert path.stat().st_mtime_ns == stat.st_mtime_ns and path.stat().st_ino == stat.st_ino


def test_a_failing_editor_or_an_emptied_file_cancels(firm: Workspace, editor) -> None:
    before = firm.snapshot()
    editor({"replace": ["ACME", "Other"], "exit": 3})
    result = firm.run("edit", "acme")
    assert result.code == 1 and "exited with status 3" in result.err
    editor({"write": "   \n"})
    result = firm.run("edit", "acme")
    assert result.code == 1 and "emptied" in result.err
    assert firm.snapshot() == before


def test_warnings_do_not_stop_a_hand_edit(firm: Workspace, editor) -> None:
    editor({"replace": ['stage = "preparation"', 'stage = "control"']})
    result = firm.ok("edit", "acme")
    assert "warning" in result.err and "edited by hand" in result.err
    assert 'stage = "control"' in firm.text("acme")


def test_a_file_changed_meanwhile_is_not_overwritten(firm: Workspace, editor) -> None:
    path = firm.file("acme")
    editor({"replace": ["ACME", "ACME Corp"], "meanwhile": str(path)})
    result = firm.run("edit", "acme")
    assert result.code == 1 and "changed while you were editing" in result.err
    assert (
        path.read_text().endswith("# changed meanwhile\n") and "ACME Corp" not in path.read_text()
    )


def test_visual_wins_over_editor(firm: Workspace, editor, monkeypatch, tmp_path: Path) -> None:
    editor({"replace": ["ACME", "Nope"]})
    visual = tmp_path / "visual.py"
    visual.write_text(
        "import pathlib, sys\np = pathlib.Path(sys.argv[-1])\n"
        "p.write_text(p.read_text().replace('ACME', 'Visual'))\n"
    )
    monkeypatch.setenv("VISUAL", f"{sys.executable} {visual}")
    firm.ok("edit", "acme")
    assert 'client = "Visual"' in firm.text("acme")


def test_no_editor_without_a_terminal_is_an_error(
    firm: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.delenv("EDITOR", raising=False)
    result = firm.run("edit", "acme")
    assert result.code == 1 and result.err.startswith("error: no editor")
    assert "EDITOR" in result.err


def test_an_unknown_id_is_refused(firm: Workspace, editor) -> None:
    result = firm.run("edit", "nosuch")
    assert result.code == 1 and result.err.startswith("error: no item 'nosuch'")


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_edit_commits_with_commit(firm: Workspace, editor, monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("GIT_AUTHOR_NAME", "GIT_COMMITTER_NAME"):
        monkeypatch.setenv(var, "Tester")
    for var in ("GIT_AUTHOR_EMAIL", "GIT_COMMITTER_EMAIL"):
        monkeypatch.setenv(var, "tester@example.com")
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "start"]):
        subprocess.run(["git", *args], cwd=firm.root, check=True, capture_output=True)
    editor({"replace": ['owner = "anna"', 'owner = "igor"']})
    firm.ok("--commit", "edit", "acme")
    done = subprocess.run(
        ["git", "log", "-1", "--format=%s"],
        cwd=firm.root,
        check=True,
        capture_output=True,
        text=True,
    )
    assert done.stdout.strip() == "acme: edited owner"


def test_edit_runs_as_a_process_with_the_editor(firm: Workspace, editor, tmp_path: Path) -> None:
    editor({"replace": ["ACME", "ACME Ltd"]})
    done = run_process("-C", str(firm.root), "edit", "acme")
    assert done.returncode == 0 and done.stdout == "acme: saved (name, client)\n"


# --- an editor that leaves something else than a file: refused, never followed or waited on ---

LEFT = {
    "removed": ({"remove": True}, "the editor removed the file"),
    "a link to /etc/passwd": (
        {"link": "/etc/passwd"},
        "the editor left a symbolic link in place of the file",
    ),
    "a link to the item": (
        {"link": "{item}"},
        "the editor left a symbolic link in place of the file",
    ),
    "a huge file": (
        {"grow": 10 << 30},  # sparse: 10 GiB said, nothing stored
        f"the edited file is {10 << 30} bytes, over the 1048576 limit",
    ),
}


@pytest.mark.parametrize("case", LEFT)
def test_an_editor_that_leaves_no_file_is_refused(
    firm: Workspace, editor, tmp_path: Path, case: str
) -> None:
    step, what = LEFT[case]
    step = {
        k: v.replace("{item}", str(firm.file("acme"))) if isinstance(v, str) else v
        for k, v in step.items()
    }
    before = firm.snapshot()
    editor({"replace": ["ACME", "ACME Ltd"], **step})
    result = firm.run("edit", "acme")
    assert result.code == 1
    assert result.err == (
        f"error: engagements/acme.toml: {what}: edit abandoned; nothing written\n"
    )
    assert firm.snapshot() == before
    assert list((tmp_path / "tmp").iterdir()) == []  # the temporary copy is gone
    assert Path("/etc/passwd").exists()


def test_an_editor_that_leaves_a_fifo_does_not_hang_edit(
    firm: Workspace, editor, tmp_path: Path
) -> None:
    editor({"fifo": True})
    before = firm.snapshot()
    # A real process with a timeout: reading the FIFO as a file would wait for a writer forever.
    done = run_process("-C", str(firm.root), "edit", "acme", env={"TMPDIR": str(tmp_path / "tmp")})
    assert done.returncode == 1
    assert done.stderr == (
        "error: engagements/acme.toml: the editor left a FIFO (named pipe) in place of the"
        " file: edit abandoned; nothing written\n"
    )
    assert firm.snapshot() == before
    assert list((tmp_path / "tmp").iterdir()) == []


def test_an_item_file_that_is_a_fifo_is_not_opened_in_the_editor(
    firm: Workspace, editor, tmp_path: Path
) -> None:
    os.mkfifo(firm.root / "engagements" / "pipe.toml")
    state = editor({})
    done = run_process("-C", str(firm.root), "edit", "pipe", env={"TMPDIR": str(tmp_path / "tmp")})
    assert done.returncode == 1
    assert done.stderr == "error: engagements/pipe.toml: a special file, not a regular file\n"
    assert left(state) == [{}]  # the editor never ran
