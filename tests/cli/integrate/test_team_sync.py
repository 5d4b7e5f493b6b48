"""A team on one workspace: clones of a bare remote writing to the same items at once, synced
through svctrack's merge driver; a stopped sync that refuses writes, explains itself and never
loses one on --continue or --abort."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import Workspace, cli

pytestmark = [
    pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed"),
    pytest.mark.usefixtures("git_identity"),
]

PREPARATION = ("terms-agreed", "resources-assigned", "interaction-agreed")


def git(cwd: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=False)
    assert done.returncode == 0, f"git {args}: {done.stderr}"
    return done.stdout


def start(tmp_path: Path, *, driver: bool = True) -> Path:
    """A bare remote holding a workspace with a service `audit` and an engagement `acme`,
    made with `init` inside a git repository (so the merge driver is registered) or, without
    `driver`, before svctrack had one."""
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", "-b", "main", str(remote))
    first = tmp_path / "first"
    if driver:
        git(tmp_path, "init", "-q", "-b", "main", str(first))
    assert cli("init", str(first), "--name", "Team").code == 0
    if not driver:
        git(first, "init", "-q", "-b", "main")
    ws = Workspace(first)
    ws.ok("service", "new", "audit", "--name", "Security audit", "--owner", "anna")
    new = ("engagement", "new", "acme", "--service", "audit", "--client", "ACME", "--due", "+3w")
    ws.ok(*new, "--pilot", "--goal", "a clean audit")
    git(first, "add", "-A")
    git(first, "commit", "-q", "-m", "start")
    git(first, "remote", "add", "origin", str(remote))
    git(first, "push", "-q", "-u", "origin", "main")
    return remote


def clone(tmp_path: Path, remote: Path, name: str) -> Workspace:
    git(tmp_path, "clone", "-q", str(remote), name)
    return Workspace(tmp_path / name)


@pytest.fixture
def team(tmp_path: Path) -> tuple[Workspace, Workspace, Workspace]:
    """Three clones of one remote: Anna's, Igor's and Olga's."""
    remote = start(tmp_path)
    return tuple(clone(tmp_path, remote, name) for name in ("anna", "igor", "olga"))  # type: ignore[return-value]


def files(ws: Workspace) -> dict[str, bytes]:
    """Every file of the work tree (not .git), byte for byte."""
    return {
        str(p.relative_to(ws.root)): p.read_bytes()
        for p in sorted(ws.root.rglob("*"))
        if p.is_file() and ".git" not in p.relative_to(ws.root).parts and p.name != ".svctrack.lock"
    }


def entries(ws: Workspace, item: str = "acme") -> dict[str, list[str]]:
    shown = ws.ok("show", item, "--json").json()
    return {
        "notes": sorted(n["text"] for n in shown["notes"]),
        "feedback": sorted(f["comment"] for f in shown["feedback"]),
        "gates": sorted(g["id"] for g in shown["gates"] if g["done"]),
        "history": [f"{h['from']}→{h['to']}" for h in shown["history"]],
    }


def stop_on_due(anna: Workspace, igor: Workspace) -> subprocess.CompletedProcess[str] | object:
    """Anna and Igor both set acme's due date; Anna syncs first, Igor's sync stops."""
    anna.ok("--commit", "set", "acme", "due", "2026-12-20")
    anna.ok("sync")
    igor.ok("--commit", "note", "acme", "before the clash")
    igor.ok("--commit", "set", "acme", "due", "2027-01-15")
    return igor.run("sync")


# --- entries of everyone, merged ------------------------------------------------------------


def test_notes_feedback_time_and_ticks_from_three_clones_all_arrive_once(
    team: tuple[Workspace, Workspace, Workspace],
) -> None:
    anna, igor, olga = team
    anna.ok("--commit", "note", "acme", "anna called", "--channel", "call")
    anna.ok("--commit", "check", "acme", "terms-agreed")
    anna.ok("--commit", "log", "acme", "2h")
    igor.ok("--commit", "note", "acme", "igor emailed", "--channel", "email")
    igor.ok("--commit", "feedback", "acme", "--score", "4", "--comment", "igor's client")
    igor.ok("--commit", "check", "acme", "resources-assigned")
    igor.ok("--commit", "log", "acme", "1h30m")
    olga.ok("--commit", "note", "acme", "olga met them", "--channel", "meeting")
    olga.ok("--commit", "feedback", "acme", "--score", "5", "--comment", "olga's client")
    olga.ok("--commit", "check", "acme", "interaction-agreed")
    olga.ok("--commit", "set", "acme", "contract", "D-47")
    for ws in (anna, igor, olga, anna, igor):  # every sync after the first pulls and merges
        result = ws.run("sync")
        assert result.code == 0, result.err
        assert "conflict" not in result.err
    expected = {
        "notes": ["anna called", "igor emailed", "olga met them"],
        "feedback": ["igor's client", "olga's client"],
        "gates": list(PREPARATION),
        "history": ["None→preparation"],
    }
    for ws in team:
        assert entries(ws) == {**expected, "gates": sorted(PREPARATION)}
        shown = ws.ok("show", "acme", "--json").json()
        assert shown["hours"] == 3.5 and shown["contract"] == "D-47"
        ws.ok("validate", "--strict")
        assert git(ws.root, "status", "--porcelain") == ""
    assert (anna.root / "engagements" / "acme.toml").read_bytes() == (
        olga.root / "engagements" / "acme.toml"
    ).read_bytes()
    # Each write is its own commit, with its own message, on every clone.
    subjects = git(anna.root, "log", "--format=%s").splitlines()
    assert len([s for s in subjects if s.startswith("acme: ")]) == 11


def test_both_advancing_and_noting_merges_cleanly(
    team: tuple[Workspace, Workspace, Workspace],
) -> None:
    anna, igor, _ = team
    for gate in PREPARATION:
        anna.ok("--commit", "check", "acme", gate)
    anna.ok("--commit", "advance", "acme", "--note", "plan approved")
    igor.ok("--commit", "note", "acme", "the client asks for a call")
    anna.ok("sync")
    igor.ok("sync")
    anna.ok("sync")
    for ws in (anna, igor):
        got = entries(ws)
        assert got["history"] == ["None→preparation", "preparation→execution"]
        assert got["notes"] == ["the client asks for a call"]
        ws.ok("validate", "--strict")


# --- a real conflict ------------------------------------------------------------------------


def test_both_setting_due_stops_with_markers_around_due_alone(
    team: tuple[Workspace, Workspace, Workspace],
) -> None:
    anna, igor, _ = team
    result = stop_on_due(anna, igor)
    assert result.code == 1  # type: ignore[attr-defined]
    err = result.err  # type: ignore[attr-defined]
    assert "conflict in engagements/acme.toml (engagement acme):" in err
    assert "both changed due: yours 2027-01-15, origin/main has 2026-12-20" in err
    assert "above ======= is origin/main's, below it yours" in err
    text = igor.text("acme")
    assert text.count("<<<<<<<") == 1
    assert "<<<<<<< ours\ndue = 2026-12-20\n=======\ndue = 2027-01-15\n>>>>>>> theirs\n" in text
    assert "before the clash" in text  # igor's note is merged in already
    # --continue with the markers still there: refused, in svctrack's words.
    still = igor.run("sync", "--continue")
    assert still.code == 1
    assert "engagements/acme.toml still holds conflict markers (line" in still.err
    path = igor.file("acme")
    path.write_text(
        text.replace("<<<<<<< ours\ndue = 2026-12-20\n=======\n", "").replace(
            ">>>>>>> theirs\n", ""
        )
    )
    done = igor.ok("sync", "--continue")
    assert "pushed 2 commits" in done.out
    anna.ok("sync")
    for ws in (anna, igor):
        shown = ws.ok("show", "acme", "--json").json()
        assert shown["due"] == "2027-01-15"
        assert [n["text"] for n in shown["notes"]] == ["before the clash"]
        ws.ok("validate", "--strict")


def test_the_explanation_names_what_the_merge_marked_and_what_it_kept(
    team: tuple[Workspace, Workspace, Workspace],
) -> None:
    anna, igor, _ = team
    for ws, due in ((anna, "2026-12-20"), (igor, "2027-01-15")):  # one commit each, by hand
        ws.ok("note", "acme", f"{ws.root.name}'s note")
        ws.ok("set", "acme", "due", due)
        git(ws.root, "commit", "-q", "-am", "a note and a new due date")
    anna.ok("sync")
    result = igor.run("sync")
    assert result.code == 1
    assert "both changed due: yours 2027-01-15, origin/main has 2026-12-20" in result.err
    assert "both added [[notes]] entries: all kept, in time order" in result.err
    assert "both changed notes" not in result.err
    assert "anna's note" in igor.text("acme") and "igor's note" in igor.text("acme")


def test_a_sync_run_again_while_stopped_explains_again(
    team: tuple[Workspace, Workspace, Workspace],
) -> None:
    anna, igor, _ = team
    stop_on_due(anna, igor)
    again = igor.run("sync")
    assert again.code == 1 and "both changed due" in again.err


# --- while a sync is stopped ----------------------------------------------------------------


def test_every_write_is_refused_while_a_sync_is_stopped(
    team: tuple[Workspace, Workspace, Workspace],
) -> None:
    anna, igor, _ = team
    stop_on_due(anna, igor)
    before = files(igor)
    head = git(igor.root, "rev-parse", "HEAD")
    for args in (
        ("note", "acme", "IMPORTANT"),
        ("--commit", "note", "acme", "IMPORTANT"),
        ("check", "acme", "terms-agreed"),
        ("service", "new", "--name", "Cloud"),
        ("engagement", "new", "--service", "audit", "--client", "X", "--due", "+1w"),
    ):
        refused = igor.run(*args)
        assert refused.code == 1, args
        assert refused.err.count("\n") == 1 and refused.err.startswith("error: a sync is stopped")
        assert "`svctrack sync --continue`" in refused.err
        assert "`svctrack sync --abort`" in refused.err
    assert files(igor) == before
    assert git(igor.root, "rev-parse", "HEAD") == head
    assert "Security audit" in igor.run("show", "audit").out  # reading is not refused


def test_abort_puts_back_exactly_what_was_there_before_the_sync(
    team: tuple[Workspace, Workspace, Workspace],
) -> None:
    anna, igor, _ = team
    anna.ok("--commit", "set", "acme", "due", "2026-12-20")
    anna.ok("sync")
    igor.ok("--commit", "note", "acme", "before the clash")
    igor.ok("--commit", "set", "acme", "due", "2027-01-15")
    (igor.root / "draft.txt").write_text("untracked notes of mine\n")
    before = files(igor)
    head = git(igor.root, "rev-parse", "HEAD")
    assert igor.run("sync").code == 1
    assert igor.run("note", "acme", "IMPORTANT").code == 1  # refused, not lost later
    aborted = igor.ok("sync", "--abort")
    assert aborted.out.startswith("sync abandoned: back to where you were before it began")
    assert files(igor) == before
    assert git(igor.root, "rev-parse", "HEAD") == head
    assert "before the clash" in igor.text("acme")
    igor.ok("note", "acme", "now it is written")  # writes are allowed again


def test_sync_refuses_to_start_with_uncommitted_work_so_abort_cannot_lose_it(
    team: tuple[Workspace, Workspace, Workspace],
) -> None:
    anna, igor, _ = team
    anna.ok("--commit", "set", "acme", "due", "2026-12-20")
    anna.ok("sync")
    igor.ok("note", "acme", "not committed")
    refused = igor.run("sync")
    assert refused.code == 1 and "uncommitted changes: engagements/acme.toml" in refused.err
    assert "not committed" in igor.text("acme")


def test_continue_and_abort_explain_a_change_made_while_stopped(
    team: tuple[Workspace, Workspace, Workspace],
) -> None:
    anna, igor, _ = team
    stop_on_due(anna, igor)
    audit = igor.root / "services" / "audit.toml"
    audit.write_text(audit.read_text() + "# a remark typed while the sync was stopped\n")
    path = igor.file("acme")
    text = path.read_text()
    path.write_text(
        text.replace("<<<<<<< ours\ndue = 2026-12-20\n=======\n", "").replace(
            ">>>>>>> theirs\n", ""
        )
    )
    for args in (("sync", "--continue"), ("sync", "--abort")):
        result = igor.run(*args)
        assert result.code == 1 and result.err.count("\n") == 1
        assert result.err.startswith(
            "error: services/audit.toml changed since the sync stopped, and not as part of the"
            " conflict;"
        )
        aside = (
            "git diff -- services/audit.toml > aside.patch && git checkout -- services/audit.toml"
        )
        assert f"`{aside}`, then `svctrack {' '.join(args)}`, then `git apply aside.patch`" in (
            result.err
        )
    assert "typed while the sync was stopped" in audit.read_text()
    # As the hint says (git stash would refuse while the conflict is open):
    patch = git(igor.root, "diff", "--", "services/audit.toml")
    git(igor.root, "checkout", "--", "services/audit.toml")
    igor.ok("sync", "--continue")
    subprocess.run(["git", "apply"], cwd=igor.root, input=patch, text=True, check=True)
    assert "typed while the sync was stopped" in audit.read_text()


# --- deleted on one side, changed on the other; created on both -----------------------------


def test_deleted_there_changed_here_is_explained_and_never_restored_silently(
    team: tuple[Workspace, Workspace, Workspace],
) -> None:
    anna, igor, _ = team
    git(anna.root, "rm", "-q", "engagements/acme.toml")
    git(anna.root, "commit", "-q", "-m", "acme: created by mistake")
    anna.ok("sync")
    igor.ok("--commit", "note", "acme", "the client called")
    result = igor.run("sync")
    assert result.code == 1
    assert "conflict in engagements/acme.toml (engagement acme): origin/main deleted it, you" in (
        result.err
    )
    assert "new [[notes]] entries" in result.err
    assert "keep it: `git add engagements/acme.toml`" in result.err
    assert "<<<<<<<" not in result.err.split("error:")[0]  # no markers talk: there are none
    refused = igor.run("sync", "--continue")
    assert refused.code == 1
    assert "engagements/acme.toml: origin/main deleted it, you changed it" in refused.err
    assert "`git rm engagements/acme.toml`" in refused.err
    git(igor.root, "rm", "-q", "engagements/acme.toml")
    igor.ok("sync", "--continue")
    assert not (igor.root / "engagements" / "acme.toml").exists()


def test_deleted_here_changed_there_can_be_kept(
    team: tuple[Workspace, Workspace, Workspace],
) -> None:
    anna, igor, _ = team
    anna.ok("--commit", "note", "acme", "still alive")
    anna.ok("sync")
    git(igor.root, "rm", "-q", "engagements/acme.toml")
    git(igor.root, "commit", "-q", "-m", "acme: gone")
    result = igor.run("sync")
    assert result.code == 1 and "you deleted it, origin/main changed it" in result.err
    assert igor.run("sync", "--continue").code == 1  # the file is back on disk: decide first
    git(igor.root, "add", "engagements/acme.toml")
    igor.ok("sync", "--continue")
    assert "still alive" in igor.text("acme")


def test_both_creating_the_same_id_is_explained(
    team: tuple[Workspace, Workspace, Workspace],
) -> None:
    anna, igor, _ = team
    anna.ok(
        "--commit", "engagement", "new", "--service", "audit", "--client", "Kaskad", "--due", "+2w"
    )
    anna.ok("sync")
    igor.ok(
        "--commit", "engagement", "new", "--service", "audit", "--client", "Kaskad",
        "--due", "+4w", "--contract", "D-9",
    )  # fmt: skip
    result = igor.run("sync")
    assert result.code == 1
    assert "conflict in engagements/kaskad-audit.toml (engagement kaskad-audit): both sides" in (
        result.err
    )
    assert "`git checkout --theirs -- engagements/kaskad-audit.toml`" in result.err  # yours
    assert "git show :3:./engagements/kaskad-audit.toml > engagements/NEW-ID.toml" in result.err
    git(igor.root, "show", ":3:./engagements/kaskad-audit.toml")
    mine = git(igor.root, "show", ":3:./engagements/kaskad-audit.toml")
    (igor.root / "engagements" / "kaskad-audit-igor.toml").write_text(mine)
    git(igor.root, "checkout", "--ours", "--", "engagements/kaskad-audit.toml")
    git(igor.root, "add", "engagements/kaskad-audit-igor.toml")
    igor.ok("sync", "--continue")
    assert igor.ok("show", "kaskad-audit-igor", "--json").json()["contract"] == "D-9"


# --- registering, and a driver that could not run -------------------------------------------


def test_the_first_sync_of_an_older_workspace_registers_and_commits_the_attributes(
    tmp_path: Path,
) -> None:
    remote = start(tmp_path, driver=False)
    anna, igor = clone(tmp_path, remote, "anna"), clone(tmp_path, remote, "igor")
    assert not (anna.root / ".gitattributes").exists()
    first = anna.ok("sync")
    assert "committed" in first.err and "svctrack merge-file" in first.err
    assert "pushed 1 commit" in first.out
    assert "engagements/*.toml merge=svctrack" in (anna.root / ".gitattributes").read_text()
    assert "svctrack merge-file" in git(anna.root, "config", "--local", "merge.svctrack.driver")
    anna.ok("--commit", "note", "acme", "from anna")
    igor.ok("--commit", "note", "acme", "from igor")  # igor has no driver registered yet
    anna.ok("sync")
    igor.ok("sync")  # registers it before it pulls
    anna.ok("sync")
    for ws in (anna, igor):
        assert entries(ws)["notes"] == ["from anna", "from igor"]


def test_a_merge_driver_that_cannot_run_loses_nothing(
    team: tuple[Workspace, Workspace, Workspace], monkeypatch: pytest.MonkeyPatch
) -> None:
    from svctrack.git import merge

    anna, igor, _ = team
    monkeypatch.setattr(merge, "driver_command", lambda: "false %O %A %B %P")
    anna.ok("--commit", "note", "acme", "from anna")
    anna.ok("sync")
    igor.ok("--commit", "note", "acme", "from igor")
    result = igor.run("sync")
    assert result.code == 0, result.err
    assert entries(igor)["notes"] == ["from anna", "from igor"]
