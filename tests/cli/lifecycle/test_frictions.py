"""Daily frictions: a late engagement, short ids, several ticks at once, feedback that ticks."""

from __future__ import annotations

import tomllib

from conftest import Workspace


def data(ws: Workspace, item_id: str) -> dict:
    return tomllib.loads(ws.text(item_id))


def test_a_late_engagement_starts_on_its_due_date(firm: Workspace) -> None:
    firm.ok(
        "engagement", "new", "late", "--service", "audit", "--client", "C", "--due", "2026-11-01"
    )
    saved = data(firm, "late")
    assert str(saved["start"]) == "2026-11-01" and str(saved["due"]) == "2026-11-01"
    assert firm.ok("show", "late", "--json").json()["overdue"] is True


def test_generated_engagement_ids_are_client_first_and_short(firm: Workspace) -> None:
    new = ("engagement", "new", "--service", "audit", "--due", "+2w", "--client")
    assert "romashka-audit" in firm.ok(*new, "ООО «Ромашка»").out
    assert "romashka-audit-2" in firm.ok(*new, "ООО «Ромашка»").out
    assert "initech-audit" in firm.ok(*new, "Initech LLC").out
    assert (firm.root / "engagements" / "romashka-audit-2.toml").exists()


def test_check_ticks_several_items_at_once_and_takes_prefixes(firm: Workspace) -> None:
    done = firm.ok("check", "acme", "terms", "resources-assigned", "interaction", "comm")
    assert done.out == (
        "acme: terms-agreed done, resources-assigned done, interaction-agreed done,"
        " communication honoured\n"
    )
    saved = data(firm, "acme")
    assert saved["gates"]["preparation"] == {
        "terms-agreed": True,
        "resources-assigned": True,
        "interaction-agreed": True,
    }
    assert saved["principles"]["communication"] is True
    firm.ok("uncheck", "acme", "terms", "comm", "--clear")
    saved = data(firm, "acme")
    assert "terms-agreed" not in saved["gates"]["preparation"]
    assert "communication" not in saved["principles"]


def test_a_wrong_item_lists_the_valid_ones_and_ticks_none(firm: Workspace) -> None:
    before = firm.snapshot()
    refused = firm.run("check", "acme", "terms-agreed", "nonsense")
    assert refused.code == 1
    assert "gate items: terms-agreed, resources-assigned, interaction-agreed" in refused.err
    assert "principles: trust, quality, individual, transparency, deadlines," in refused.err
    assert "efficiency, communication, proactivity, systematic, improvement" in refused.err
    assert firm.snapshot() == before
    ambiguous = firm.run("check", "acme", "i")
    assert ambiguous.code == 1
    assert "interaction-agreed, individual, integrity, improvement" in ambiguous.err


def test_feedback_ticks_feedback_received_at_completion(firm: Workspace) -> None:
    for _ in range(3):
        firm.ok("advance", "acme", "--force")
    done = firm.ok("feedback", "acme", "--score", "5")
    assert done.out == "acme: feedback 5/5 recorded, feedback-received done\n"
    assert data(firm, "acme")["gates"]["completion"]["feedback-received"] is True
    again = firm.ok("feedback", "acme", "--score", "5")
    assert again.out == "acme: feedback 5/5 recorded\n"


def test_entering_completion_ticks_what_the_facts_already_say(firm: Workspace) -> None:
    firm.ok("feedback", "acme", "--score", "4")  # in preparation: no such gate item there
    assert "feedback-received" not in data(firm, "acme")["gates"].get("preparation", {})
    firm.ok("doc", "acme", "contract", "--status", "signed")
    firm.ok("advance", "acme", "--force")
    firm.ok("advance", "acme", "--force")
    entered = firm.ok("advance", "acme", "--force")
    assert entered.out.endswith("acme: documents-signed done, feedback-received done\n")
    assert data(firm, "acme")["gates"]["completion"] == {
        "documents-signed": True,
        "feedback-received": True,
    }
