"""`svctrack merge-file`, git's merge driver for item files: the command itself, its
registration by `init`, and git running it on a real merge."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import Workspace, cli, run_process

pytestmark = [
    pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed"),
    pytest.mark.usefixtures("git_identity"),
]

BASE = """\
name = "Audit — ACME"
service = "audit"
client = "ACME"
stage = "preparation"
start = 2026-11-26
due = 2026-12-15

[gates]

[[history]]
to = "preparation"
at = 2026-11-26T10:00:00+01:00
by = "anna"
note = "created"
"""


def note(at: str, text: str) -> str:
    return f'\n[[notes]]\nat = {at}\nchannel = "email"\nby = "x"\ntext = "{text}"\n'


def git(cwd: Path, *args: str, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(
        ["git", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, **(env or {})},
    )
    assert done.returncode == 0, f"git {args}: {done.stderr}"
    return done.stdout


def three(tmp_path: Path, base: str, ours: str, theirs: str) -> list[Path]:
    paths = [tmp_path / name for name in ("base.toml", "ours.toml", "theirs.toml")]
    for path, text in zip(paths, (base, ours, theirs), strict=True):
        path.write_bytes(text.encode("utf-8"))
    return paths


# --- the command ----------------------------------------------------------------------------


def test_a_clean_merge_writes_ours_and_exits_0(tmp_path: Path) -> None:
    base, ours, theirs = three(
        tmp_path,
        BASE,
        BASE + note("2026-11-26T12:00:00+01:00", "ours"),
        BASE + note("2026-11-26T11:00:00+01:00", "theirs"),
    )
    done = run_process("merge-file", str(base), str(ours), str(theirs), "engagements/acme.toml")
    assert done.returncode == 0, done.stderr
    assert done.stdout == "" and done.stderr == ""
    text = ours.read_text()
    assert text.index('text = "theirs"') < text.index('text = "ours"')
    assert theirs.read_text() == BASE + note("2026-11-26T11:00:00+01:00", "theirs")


def test_a_clash_exits_1_with_markers_around_the_key(tmp_path: Path) -> None:
    base, ours, theirs = three(
        tmp_path,
        BASE,
        BASE.replace("due = 2026-12-15", "due = 2026-12-18"),
        BASE.replace("due = 2026-12-15", "due = 2026-12-20"),
    )
    done = run_process("merge-file", str(base), str(ours), str(theirs), "engagements/acme.toml")
    assert done.returncode == 1
    assert "engagements/acme.toml: both sides changed due" in done.stderr
    assert "<<<<<<< ours\ndue = 2026-12-18\n=======\ndue = 2026-12-20\n>>>>>>> theirs\n" in (
        ours.read_text()
    )


def test_a_bom_is_kept(tmp_path: Path) -> None:
    bom = "\ufeff"
    base, ours, theirs = three(
        tmp_path, bom + BASE, bom + BASE, bom + BASE + note("2026-11-26T11:00:00Z", "t")
    )
    assert run_process("merge-file", str(base), str(ours), str(theirs)).returncode == 0
    assert ours.read_bytes().startswith(b"\xef\xbb\xbf" + b'name = "Audit')
    assert ours.read_text("utf-8-sig").count("[[notes]]") == 1


def test_what_does_not_parse_falls_back_to_gits_line_merge(tmp_path: Path) -> None:
    base, ours, theirs = three(
        tmp_path,
        BASE,
        BASE.replace("due = 2026-12-15", "due = 2026-12-18\nbroken = ["),
        BASE.replace("due = 2026-12-15", "due = 2026-12-20"),
    )
    done = run_process("merge-file", str(base), str(ours), str(theirs), "engagements/acme.toml")
    assert done.returncode == 1
    assert "merged line by line, as git does" in done.stderr
    text = ours.read_text()
    assert (
        "<<<<<<< ours\ndue = 2026-12-18\nbroken = [\n=======\ndue = 2026-12-20\n>>>>>>> theirs"
        in (text)
    )


def test_a_file_both_sides_added_differently_is_left_to_git(tmp_path: Path) -> None:
    base, ours, theirs = three(tmp_path, "", BASE, BASE.replace('"ACME"', '"Kaskad"'))
    done = run_process("merge-file", str(base), str(ours), str(theirs), "engagements/x.toml")
    assert done.returncode == 1 and "both sides added the file" in done.stderr
    assert '<<<<<<< ours\nclient = "ACME"\n=======\nclient = "Kaskad"\n' in ours.read_text()


# --- registration by init -------------------------------------------------------------------


def test_init_in_a_git_repository_registers_the_driver(tmp_path: Path) -> None:
    top = tmp_path / "team"
    git(tmp_path, "init", "-q", "-b", "main", str(top))
    (top / "ws").mkdir()
    (top / "ws" / ".gitattributes").write_text("*.pdf binary\n")
    result = cli("init", str(top / "ws"))
    assert result.code == 0, result.err
    assert "svctrack merge-file" in result.out
    assert (top / "ws" / ".gitattributes").read_text() == (
        "*.pdf binary\nservices/*.toml merge=svctrack\nengagements/*.toml merge=svctrack\n"
    )
    config = git(top, "config", "--local", "--get-regexp", r"^merge\.svctrack\.")
    assert " -m svctrack merge-file %O %A %B %P" in config and "merge.svctrack.name" in config
    info = (top / ".git" / "info" / "attributes").read_text()
    assert "ws/engagements/*.toml merge=svctrack" in info
    assert (
        git(top / "ws", "check-attr", "merge", "engagements/x.toml")
        .strip()
        .endswith("merge: svctrack")
    )
    home = Path(os.environ["HOME"])
    assert not (home / ".gitconfig").exists()  # never the user's global config
    assert not (home / "config" / "git").exists()


def test_init_outside_git_writes_no_gitattributes(tmp_path: Path) -> None:
    result = cli("init", str(tmp_path / "ws"))
    assert result.code == 0 and "merge-file" not in result.out
    assert not (tmp_path / "ws" / ".gitattributes").exists()


def test_git_merges_notes_of_two_branches_without_svctrack_on_path(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    git(tmp_path, "init", "-q", "-b", "main", str(root))
    ws = Workspace(root)
    assert cli("init", str(root)).code == 0
    ws.ok("service", "new", "audit", "--name", "Audit")
    new = ("engagement", "new", "acme", "--service", "audit", "--client", "ACME", "--due", "+3w")
    ws.ok(*new, "--pilot")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "start")
    git(root, "switch", "-q", "-c", "igor")
    ws.ok("--commit", "note", "acme", "from igor")
    ws.ok("--commit", "check", "acme", "terms-agreed")
    git(root, "switch", "-q", "main")
    ws.ok("--commit", "note", "acme", "from anna")
    ws.ok("--commit", "check", "acme", "resources-assigned")
    bare = {"PATH": str(Path(shutil.which("git") or "git").parent)}  # no svctrack on it
    git(root, "merge", "-q", "--no-edit", "igor", env=bare)
    shown = ws.ok("show", "acme", "--json").json()
    assert sorted(n["text"] for n in shown["notes"]) == ["from anna", "from igor"]
    assert {g["id"] for g in shown["gates"] if g["done"]} == {"terms-agreed", "resources-assigned"}
    ws.ok("validate", "--strict")
