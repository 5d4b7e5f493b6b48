"""`reopen`, `rename`, `delete`: mistakes mended through the CLI, and what they refuse."""

from __future__ import annotations

import tomllib

from conftest import Workspace

PREPARATION = ("terms-agreed", "resources-assigned", "interaction-agreed")


def data(ws: Workspace, item_id: str) -> dict:
    return tomllib.loads(ws.text(item_id))


# --- reopen ---------------------------------------------------------------------------------


def test_reopen_a_cancelled_item_goes_back_to_the_stage_it_ended_from(firm: Workspace) -> None:
    for gate in PREPARATION:
        firm.ok("check", "acme", gate)
    firm.ok("advance", "acme")
    firm.ok("cancel", "acme", "--note", "client withdrew")
    refused = firm.run("advance", "acme")
    assert "svctrack reopen ID" in refused.err
    done = firm.ok("reopen", "acme", "--note", "client came back")
    assert done.out == "acme: cancelled → execution\n"
    saved = data(firm, "acme")
    assert saved["stage"] == "execution"
    last = saved["history"][-1]
    assert (last["from"], last["to"], last["note"]) == (
        "cancelled",
        "execution",
        "client came back",
    )
    assert firm.ok("validate").code == 0


def test_reopen_a_closed_engagement(firm: Workspace) -> None:
    firm.ok("advance", "acme", "--force")
    firm.ok("advance", "acme", "--force")
    firm.ok("advance", "acme", "--force")
    firm.ok("advance", "acme", "--force")
    assert data(firm, "acme")["stage"] == "closed"
    firm.ok("reopen", "acme", "-m", "the act was not signed")
    assert data(firm, "acme")["stage"] == "completion"


def test_reopen_refuses_an_open_item_and_needs_a_note(firm: Workspace) -> None:
    before = firm.snapshot()
    refused = firm.run("reopen", "acme", "--note", "why")
    assert refused.code == 1 and "it is open (at preparation)" in refused.err
    assert firm.run("reopen", "acme", "--note", " ").code == 2
    assert firm.snapshot() == before


# --- rename ---------------------------------------------------------------------------------


def test_rename_a_service_and_its_engagements_follow(firm: Workspace) -> None:
    firm.ok(
        "engagement", "new", "initech", "--service", "audit", "--client", "Initech", "--due", "+2w"
    )
    done = firm.ok("rename", "audit", "security-audit", "--note", "clearer")
    assert done.out == "renamed audit → security-audit; 2 engagements follow\n"
    assert not (firm.root / "services" / "audit.toml").exists()
    saved = data(firm, "security-audit")
    assert saved["history"][-1]["note"] == "renamed from audit to security-audit: clearer"
    assert data(firm, "acme")["service"] == "security-audit"
    assert data(firm, "initech")["service"] == "security-audit"
    assert firm.ok("validate").code == 0
    assert firm.ok("show", "security-audit", "--json").json()["engagements"] == ["acme", "initech"]


def test_rename_an_engagement_by_prefix(firm: Workspace) -> None:
    firm.ok("rename", "ac", "acme-audit")
    assert data(firm, "acme-audit")["client"] == "ACME"


def test_rename_refusals_change_nothing(firm: Workspace) -> None:
    before = firm.snapshot()
    assert "is taken" in firm.run("rename", "acme", "audit").err
    assert firm.run("rename", "acme", "Bad Id").code == 2
    assert firm.run("rename", "acme", "con").code == 2
    assert "has that id already" in firm.run("rename", "acme", "acme").err
    assert firm.run("rename", "nobody", "x").code == 1
    assert firm.snapshot() == before


def test_rename_is_undone_whole(firm: Workspace) -> None:
    before = firm.snapshot()
    firm.ok("rename", "audit", "security-audit")
    firm.ok("undo")
    assert firm.snapshot() == before


# --- delete ---------------------------------------------------------------------------------


def test_delete_needs_yes_off_a_terminal_and_undo_brings_it_back(firm: Workspace) -> None:
    before = firm.snapshot()
    refused = firm.run("delete", "acme")
    assert refused.code == 2 and "needs --yes" in refused.err
    assert firm.snapshot() == before
    assert firm.ok("delete", "acme", "--yes").out == "deleted engagement acme\n"
    assert not (firm.root / "engagements" / "acme.toml").exists()
    firm.ok("undo")
    assert firm.snapshot() == before


def test_delete_refuses_a_service_in_use(firm: Workspace) -> None:
    before = firm.snapshot()
    refused = firm.run("delete", "audit", "--yes")
    assert refused.code == 1
    assert "audit is the service of 1 engagement (acme)" in refused.err
    assert firm.snapshot() == before
    firm.ok("delete", "acme", "--yes")
    firm.ok("delete", "audit", "--yes")
    assert firm.ok("status", "--json").json() == {"services": [], "engagements": []}


def test_delete_asks_on_a_terminal(firm: Workspace) -> None:
    import os
    import pty
    import subprocess
    import sys

    for answer, gone in (("n", False), ("y", True)):
        leader, follower = pty.openpty()
        proc = subprocess.Popen(
            [sys.executable, "-m", "svctrack", "-C", str(firm.root), "delete", "acme"],
            stdin=follower,
            stdout=subprocess.PIPE,
            stderr=follower,
        )
        os.close(follower)
        os.write(leader, f"{answer}\n".encode())
        out, _ = proc.communicate(timeout=60)
        os.close(leader)
        assert proc.returncode == 0
        assert out == (b"deleted engagement acme\n" if gone else b"nothing deleted\n")
        assert (firm.root / "engagements" / "acme.toml").exists() != gone
