"""Git: --commit, sync through a bare remote (with a real conflict), history, validate --staged.

Every test runs a real `git` in tmp_path; the identity comes from the environment or the
repository's own config, never from the user's (HOME is isolated by conftest).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import REPO, Workspace, cli

pytestmark = [
    pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed"),
    pytest.mark.usefixtures("git_identity"),
]


CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202e]")  # all but tab and newline


def git(cwd: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=False)
    assert done.returncode == 0, f"git {args}: {done.stderr}"
    return done.stdout


def repo(ws: Workspace, *, merge_driver: bool = True) -> Workspace:
    """`ws` made a git repository with one commit; with `merge_driver`, as `init` would have
    left it in one (svctrack's merge driver registered, .gitattributes committed)."""
    git(ws.root, "init", "-q", "-b", "main")
    if merge_driver:
        from svctrack.git.merge import register

        register(ws.root)
    git(ws.root, "add", "-A")
    git(ws.root, "commit", "-q", "-m", "start")
    return ws


def subjects(root: Path) -> list[str]:
    return git(root, "log", "--format=%s").splitlines()


def files_of(root: Path, rev: str = "HEAD") -> list[str]:
    return git(root, "show", "--name-only", "--format=", rev).split()


def tick_all(ws: Workspace, item: str, *gates: str) -> None:
    for gate in gates:
        ws.ok("check", item, gate)


PREPARATION = ("terms-agreed", "resources-assigned", "interaction-agreed")


# --- --commit -------------------------------------------------------------------------------


def test_commit_flag_commits_only_the_touched_file_with_a_readable_message(
    firm: Workspace,
) -> None:
    repo(firm)
    tick_all(firm, "acme", *PREPARATION)
    git(firm.root, "commit", "-q", "-am", "ticks")
    # An unrelated change the user staged must stay staged, not be swept into our commit.
    other = firm.root / "services" / "audit.toml"
    other.write_text(other.read_text() + "\n# my own remark\n")
    git(firm.root, "add", "services/audit.toml")
    result = firm.ok("--commit", "advance", "acme", "--note", "client approved")
    assert "committed" in result.err
    assert subjects(firm.root)[0] == "acme: preparation → execution (client approved)"
    assert files_of(firm.root) == ["engagements/acme.toml"]
    assert git(firm.root, "diff", "--cached", "--name-only").split() == ["services/audit.toml"]
    assert git(firm.root, "log", "-1", "--format=%an <%ae>").strip() == (
        "Anna Petrova <anna@example.com>"
    )


def test_author_comes_from_the_repositorys_git_config(
    firm: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo(firm)
    for var in ("GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL"):
        monkeypatch.delenv(var)
    git(firm.root, "config", "user.name", "Igor Smirnov")
    git(firm.root, "config", "user.email", "igor@example.com")
    firm.ok("--commit", "set", "acme", "due", "2026-12-20")
    assert git(firm.root, "log", "-1", "--format=%an|%s").strip() == (
        "Igor Smirnov|acme: due = 2026-12-20"
    )


def test_every_write_command_describes_its_change(firm: Workspace) -> None:
    repo(firm)
    firm.ok("--commit", "service", "new", "cloud", "--name", "Cloud migration")
    assert files_of(firm.root) == ["services/cloud.toml"]  # a new file is staged by path
    firm.ok("--commit", "check", "acme", "terms-agreed", "--note", "signed 12 Nov")
    firm.ok("--commit", "uncheck", "acme", "communication")
    firm.ok("--commit", "note", "acme", "sent the draft", "--channel", "email")
    firm.ok("--commit", "feedback", "acme", "--score", "5")
    firm.ok("--commit", "log", "acme", "2h30m")
    firm.ok("--commit", "cancel", "acme", "--note", "client withdrew")
    assert subjects(firm.root)[:7] == [
        "acme: preparation → cancelled (client withdrew)",
        "acme: 2.5 h logged",
        "acme: feedback 5/5",
        "acme: email note (sent the draft)",
        "acme: communication not honoured",
        "acme: terms-agreed done (signed 12 Nov)",
        "cloud: new service, Cloud migration",
    ]


def test_a_long_note_goes_into_the_body(firm: Workspace) -> None:
    repo(firm)
    note = "the client asked for a second review of the network scan before we hand it over"
    firm.ok("--commit", "advance", "acme", "--force", "--note", note)
    message = git(firm.root, "log", "-1", "--format=%B")
    subject, blank, body = message.split("\n")[:3]
    assert subject.startswith("acme: preparation → execution (forced past ")
    assert blank == "" and body == note


def test_git_commit_in_svctrack_toml_and_no_commit(firm: Workspace) -> None:
    config = firm.root / "svctrack.toml"
    config.write_text(config.read_text() + "\n[git]\ncommit = true\n")
    repo(firm)
    firm.ok("set", "acme", "owner", "boris")
    assert subjects(firm.root)[0] == "acme: owner = boris"
    firm.ok("--no-commit", "set", "acme", "owner", "igor")
    assert subjects(firm.root)[0] == "acme: owner = boris"
    assert "acme.toml" in git(firm.root, "status", "--porcelain")


def test_environment_beats_the_configs(firm: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    repo(firm)
    monkeypatch.setenv("SVCTRACK_COMMIT", "1")
    firm.ok("set", "acme", "owner", "boris")
    assert subjects(firm.root)[0] == "acme: owner = boris"
    monkeypatch.setenv("SVCTRACK_COMMIT", "0")
    firm.ok("set", "acme", "owner", "igor")
    assert subjects(firm.root)[0] == "acme: owner = boris"


def test_read_commands_never_commit(firm: Workspace) -> None:
    repo(firm)
    before = subjects(firm.root)
    firm.ok("--commit", "show", "acme")
    firm.ok("--commit", "status")
    assert subjects(firm.root) == before


def test_an_index_lock_is_reported_and_the_change_kept(
    firm: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SVCTRACK_LOCK_TIMEOUT", "0.2")  # how long a busy index is waited for
    repo(firm)
    lock = firm.root / ".git" / "index.lock"
    lock.write_text("")
    result = firm.run("--commit", "set", "acme", "owner", "boris")
    assert result.code == 1
    assert result.err.startswith("error: engagements/acme.toml saved, but not committed")
    assert "index.lock" in result.err and result.err.count("\n") == 1
    assert 'owner = "boris"' in firm.text("acme")
    assert subjects(firm.root) == ["start"]
    lock.unlink()


def test_a_failing_commit_is_reported_and_the_change_kept(firm: Workspace) -> None:
    repo(firm)
    hook = firm.root / ".git" / "hooks" / "pre-commit"
    hook.write_text("#!/bin/sh\necho 'error: refused by the team hook' >&2\nexit 1\n")
    hook.chmod(0o755)
    result = firm.run("--commit", "set", "acme", "owner", "boris")
    assert result.code == 1 and "not committed" in result.err
    assert "refused by the team hook" in result.err
    assert 'owner = "boris"' in firm.text("acme")
    assert subjects(firm.root) == ["start"]


def test_commit_outside_a_repository_is_reported(firm: Workspace) -> None:
    result = firm.run("--commit", "set", "acme", "owner", "boris")
    assert result.code == 1 and "not in a git repository" in result.err
    assert 'owner = "boris"' in firm.text("acme")


# --- sync -----------------------------------------------------------------------------------


@pytest.fixture
def team(firm: Workspace, tmp_path: Path) -> tuple[Workspace, Workspace, Path]:
    """A bare remote and two clones of it: Anna's and Igor's."""
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", "-b", "main", str(remote))
    repo(firm)
    git(firm.root, "remote", "add", "origin", str(remote))
    git(firm.root, "push", "-q", "-u", "origin", "main")
    anna = Workspace(tmp_path / "anna")
    igor = Workspace(tmp_path / "igor")
    for clone in (anna, igor):
        git(tmp_path, "clone", "-q", str(remote), str(clone.root))
    return anna, igor, remote


def test_sync_pulls_and_pushes(team: tuple[Workspace, Workspace, Path]) -> None:
    anna, igor, _ = team
    anna.ok("--commit", "set", "acme", "owner", "boris")
    out = anna.ok("sync").out
    assert "pushed 1 commit" in out
    out = igor.ok("sync").out
    assert "pulled 1" in out and "pushed 0" in out
    assert 'owner = "boris"' in igor.text("acme")
    igor.ok("--commit", "note", "audit", "kick-off booked")
    anna.ok("--commit", "set", "acme", "due", "2026-12-20")
    igor.ok("sync")
    assert "pulled 1, pushed 1" in anna.ok("sync").out  # rebased onto Igor's commit
    assert "kick-off booked" in anna.text("audit")


def test_sync_explains_a_real_conflict_in_svctrack_terms(
    team: tuple[Workspace, Workspace, Path],
) -> None:
    anna, igor, _ = team
    tick_all(anna, "acme", *PREPARATION)
    anna.ok("--commit", "advance", "acme", "--note", "plan approved")
    anna.ok("sync")
    igor.ok("--commit", "cancel", "acme", "--note", "client withdrew")
    igor.ok("--commit", "set", "acme", "due", "2027-01-15")
    result = igor.run("sync")
    assert result.code == 1
    lines = result.err.splitlines()
    assert lines[-1].startswith("error: sync stopped: a merge conflict in engagements/acme.toml")
    assert "svctrack sync --continue" in lines[-1]
    assert "conflict in engagements/acme.toml (engagement acme):" in result.err
    assert "both changed stage: yours cancelled, origin/main has execution" in result.err
    assert "both added [[history]] entries" in result.err
    assert "next:" in result.err

    # Markers left in: --continue refuses, nothing is pushed.
    still = igor.run("sync", "--continue")
    assert still.code == 1 and "conflict markers" in still.err
    # Resolve: keep Anna's stage and history (the remote's side), then go on.
    remote_side = git(igor.root, "show", ":2:engagements/acme.toml")
    (igor.root / "engagements" / "acme.toml").write_text(remote_side)
    done = igor.ok("sync", "--continue")
    assert "pushed 1 commit" in done.out  # the cancel left nothing once resolved; the due stays
    assert anna.ok("sync").out.startswith("synced with origin/main: pulled 1")
    shown = anna.ok("show", "acme", "--json").json()
    assert shown["stage"] == "execution" and shown["due"] == "2027-01-15"
    anna.ok("validate")


def test_a_conflict_shows_escapes_in_values_inert(
    team: tuple[Workspace, Workspace, Path],
) -> None:
    anna, igor, _ = team
    anna.ok("--commit", "set", "acme", "client", "Anna \x1b[31mCo")
    anna.ok("sync")
    igor.ok("--commit", "set", "acme", "client", "Igor \x1b]0;pwned\x07Co")
    result = igor.run("sync")
    assert result.code == 1 and not CONTROL.search(result.err)
    assert (
        "both changed client: yours Igor \\x1b]0;pwned\\x07Co,"
        " origin/main has Anna \\x1b[31mCo" in result.err
    )


def test_sync_abort_goes_back(team: tuple[Workspace, Workspace, Path]) -> None:
    anna, igor, _ = team
    anna.ok("--commit", "set", "acme", "owner", "boris")
    anna.ok("sync")
    igor.ok("--commit", "set", "acme", "owner", "igor")
    assert igor.run("sync").code == 1
    igor.ok("sync", "--abort")
    assert 'owner = "igor"' in igor.text("acme")
    assert "rebase" not in git(igor.root, "status")


def test_sync_refuses_uncommitted_changes(team: tuple[Workspace, Workspace, Path]) -> None:
    anna, _, _ = team
    anna.ok("set", "acme", "owner", "boris")
    result = anna.run("sync")
    assert result.code == 1 and "uncommitted changes: engagements/acme.toml" in result.err
    assert "commit" in result.err


def test_sync_does_not_push_an_invalid_workspace(team: tuple[Workspace, Workspace, Path]) -> None:
    anna, igor, remote = team
    path = anna.root / "engagements" / "acme.toml"
    path.write_text(path.read_text().replace('stage = "preparation"', "stage = 3"))
    git(anna.root, "commit", "-q", "-am", "broken by hand")
    git(anna.root, "push", "-q")
    igor.ok("--commit", "set", "acme", "owner", "igor")
    result = igor.run("sync")
    assert result.code == 1 and "nothing was pushed" in result.err
    assert "engagements/acme.toml" in result.err
    assert "broken by hand" in git(remote, "log", "-1", "--format=%s")


def test_sync_outside_git_and_without_remote(firm: Workspace) -> None:
    result = firm.run("sync")
    assert result.code == 1 and "not in a git repository" in result.err
    repo(firm)
    result = firm.run("sync")
    assert result.code == 1 and "no remote" in result.err and "git remote add" in result.err


def test_first_sync_sets_the_upstream(firm: Workspace, tmp_path: Path) -> None:
    remote = tmp_path / "empty.git"
    git(tmp_path, "init", "-q", "--bare", "-b", "main", str(remote))
    repo(firm)
    git(firm.root, "remote", "add", "origin", str(remote))
    assert "pushed 1 commit" in firm.ok("sync").out
    assert git(firm.root, "rev-parse", "--abbrev-ref", "@{u}").strip() == "origin/main"


# --- history --------------------------------------------------------------------------------


def test_history_merges_the_file_history_with_git_log(
    firm: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    with monkeypatch.context() as m:
        m.setenv("GIT_AUTHOR_DATE", "2026-11-01T10:00:00+00:00")
        repo(firm)
    tick_all(firm, "acme", *PREPARATION)
    firm.ok("--commit", "advance", "acme", "--note", "plan approved")
    path = firm.root / "engagements" / "acme.toml"
    path.write_text(path.read_text() + "\n# reviewed by hand\n")
    monkeypatch.setenv("GIT_AUTHOR_DATE", "2026-12-01T10:00:00+00:00")
    monkeypatch.setenv("GIT_AUTHOR_NAME", "Igor Smirnov")
    git(firm.root, "commit", "-q", "-am", "acme: a remark by hand")
    rows = firm.ok("history", "acme", "--json").json()
    # The first commit is dated before the item was created (2026-11-26): not its story.
    assert [r["source"] for r in rows] == ["history", "history", "git"]
    assert rows[0]["what"] == "created at preparation" and rows[0]["commit"] is None
    # The commit svctrack made for the advance is shown on its history entry, not twice.
    assert rows[1]["what"] == "preparation → execution" and rows[1]["commit"]
    assert rows[1]["note"] == "plan approved" and rows[1]["by"] == "tester"
    assert rows[2]["what"] == "acme: a remark by hand" and rows[2]["by"] == "Igor Smirnov"
    shown = firm.ok("history", "acme").out
    assert "preparation → execution — plan approved" in shown and "a remark by hand" in shown


def test_history_puts_a_commit_beside_the_step_it_recorded(
    firm: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A commit made by hand days after the step sorts beside it, not by its own date."""
    repo(firm)
    tick_all(firm, "acme", *PREPARATION)
    firm.ok("advance", "acme", "--note", "plan approved")  # no commit yet
    with monkeypatch.context() as m:
        m.setenv("GIT_AUTHOR_DATE", "2026-12-05T10:00:00+00:00")
        git(firm.root, "commit", "-q", "-am", "the advance, committed by hand")
    tick_all(firm, "acme", "work-done")
    firm.ok("--commit", "advance", "acme", "--note", "done")
    firm.ok("cancel", "acme", "--note", "client withdrew")
    firm.ok("--commit", "reopen", "acme", "--note", "client came back")
    rows = firm.ok("history", "acme", "--json").json()
    assert [(r["source"], r["what"]) for r in rows] == [
        ("history", "created at preparation"),
        ("git", "start"),
        ("history", "preparation → execution"),
        ("git", "the advance, committed by hand"),
        ("history", "execution → control"),  # svctrack's own commit: one row
        ("history", "control → cancelled"),
        ("history", "cancelled → control"),
        ("git", "acme: reopened, cancelled → control (client came back)"),
    ]
    assert rows[4]["commit"] and not rows[5]["commit"]
    table = firm.ok("history", "acme").out
    assert table.index("plan approved") < table.index("by hand") < table.index("execution →")


def test_history_lists_no_commit_from_before_the_item(
    ws: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file deleted and a like one made in one commit: git --follow takes the new file for
    the old one renamed, and would list the old one's commits as the new one's."""
    monkeypatch.setenv("SVCTRACK_TODAY", "2026-11-02")
    ws.ok("service", "new", "audit", "--name", "Security audit")
    new = ("engagement", "new", "--service", "audit", "--client", "ACME", "--due", "2026-12-15")
    ws.ok(*new, "acme")
    repo(ws)
    ws.ok("--commit", "note", "acme", "first call")
    monkeypatch.setenv("SVCTRACK_TODAY", "2026-11-26")
    ws.ok("delete", "acme", "--yes")
    ws.ok(*new, "acme-again")
    git(ws.root, "add", "-A")
    git(ws.root, "commit", "-q", "-m", "acme again")
    assert "acme.toml" in git(
        ws.root, "log", "--follow", "--name-only", "--", "engagements/acme-again.toml"
    )
    rows = ws.ok("history", "acme-again", "--json").json()
    assert [(r["source"], r["what"]) for r in rows] == [
        ("history", "created at preparation"),
        ("git", "acme again"),
    ]
    assert "first call" not in ws.ok("history", "acme-again").out


def test_escapes_in_notes_and_commit_subjects_never_reach_the_terminal(firm: Workspace) -> None:
    repo(firm)
    tick_all(firm, "acme", *PREPARATION)
    note = "ok \x1b[31mred\x1b[0m \u202eevil"
    result = firm.ok("--commit", "advance", "acme", "--note", note)
    committed = [line for line in result.err.splitlines() if line.startswith("committed")]
    assert committed and not CONTROL.search(result.err)
    assert committed[0].endswith("(ok \\x1b[31mred\\x1b[0m \\u202eevil)")
    message = git(firm.root, "log", "-1", "--format=%B")
    assert not CONTROL.search(message) and "\\x1b[31mred" in message
    path = firm.root / "engagements" / "acme.toml"
    path.write_text(path.read_text() + "\n# by hand\n")
    git(firm.root, "commit", "-q", "-am", "acme: \x1b]0;pwned\x07 by hand")

    shown = firm.ok("history", "acme").out
    assert not CONTROL.search(shown)
    assert "\\x1b[31mred" in shown and "\\x1b]0;pwned\\x07 by hand" in shown
    rows = firm.ok("history", "acme", "--json").json()  # JSON keeps the data as it is
    assert note in [r["note"] for r in rows]
    assert "acme: \x1b]0;pwned\x07 by hand" in [r["what"] for r in rows]


def test_history_outside_git_is_the_files_own(firm: Workspace) -> None:
    rows = firm.ok("history", "acme", "--json").json()
    assert [r["source"] for r in rows] == ["history"]


# --- validate --staged ----------------------------------------------------------------------


def test_validate_staged_checks_the_index_not_the_work_tree(firm: Workspace) -> None:
    repo(firm)
    path = firm.root / "engagements" / "acme.toml"
    good = path.read_text()
    path.write_text(good.replace("due = 2026-12-15", 'due = "soon"'))
    git(firm.root, "add", "engagements/acme.toml")
    path.write_text(good)  # the work tree is fine again, the index is not
    firm.ok("validate")
    staged = firm.run("validate", "--staged", "--json")
    assert staged.code == 1
    problems = staged.json()["problems"]
    assert problems[0]["path"] == "engagements/acme.toml" and "due" in problems[0]["message"]
    git(firm.root, "add", "engagements/acme.toml")
    firm.ok("validate", "--staged")


def test_validate_staged_from_the_top_of_a_repository(
    firm: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """pre-commit runs hooks at the repository's top; the workspace may be a subfolder."""
    top = tmp_path
    git(top, "init", "-q", "-b", "main")
    git(top, "add", "ws")
    path = firm.root / "services" / "audit.toml"
    path.write_text(path.read_text().replace('stage = "planning"', 'stage = "plannig"'))
    git(top, "add", "ws")
    monkeypatch.chdir(top)
    result = cli("validate", "--staged", "--json")
    assert result.code == 1
    assert result.json()["problems"][0]["path"] == "ws/services/audit.toml"


def test_pre_commit_hook_definition_is_shipped() -> None:
    hooks = REPO / ".pre-commit-hooks.yaml"
    text = hooks.read_text()
    assert "id: svctrack-validate" in text and "entry: svctrack validate --staged" in text
    assert "pass_filenames: false" in text


def test_validate_staged_as_a_git_hook(firm: Workspace) -> None:
    repo(firm)
    hook = firm.root / ".git" / "hooks" / "pre-commit"
    hook.write_text(f"#!/bin/sh\nexec {sys_executable()} -m svctrack validate --staged\n")
    hook.chmod(0o755)
    path = firm.root / "engagements" / "acme.toml"
    path.write_text(path.read_text().replace('client = "ACME"', "client = 42"))
    done = subprocess.run(
        ["git", "commit", "-q", "-am", "bad"],
        cwd=firm.root,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode != 0 and "client" in done.stdout + done.stderr
    assert subjects(firm.root) == ["start"]
    assert json.loads(firm.run("validate", "--json").out)["ok"] is False


def sys_executable() -> str:
    import sys

    return sys.executable
