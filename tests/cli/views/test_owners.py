"""Owners' views: `--owner NAME` and `--mine` on status, deadlines, the lists and the timeline;
`owner` in show and in every summary."""

from __future__ import annotations

import pytest

from conftest import Workspace


@pytest.fixture
def team(ws: Workspace) -> Workspace:
    """Anna's and Igor's services and engagements, and one nobody owns."""
    ws.ok("service", "new", "audit", "--name", "Audit", "--owner", "Anna Petrova")
    ws.ok("service", "new", "crm", "--name", "CRM", "--owner", "igor")
    ws.ok("service", "new", "spare", "--name", "Spare")
    new = ("engagement", "new", "--client")
    ws.ok(*new, "A", "a1", "--service", "audit", "--due", "2026-12-01")
    ws.ok(*new, "B", "a2", "--service", "audit", "--due", "2026-11-20", "--start", "2026-11-01")
    ws.ok(*new, "C", "i1", "--service", "crm", "--due", "2026-12-10")
    ws.ok(*new, "D", "i2", "--service", "audit", "--owner", "Igor", "--due", "2027-01-10")
    ws.ok(*new, "E", "n1", "--service", "spare", "--due", "2026-12-24")
    ws.ok("set", "i1", "deadline.execution", "2026-12-03")
    return ws


def ids(rows: object) -> list[str]:
    assert isinstance(rows, list)
    return sorted(r["id"] for r in rows)


def test_status_for_one_owner(team: Workspace) -> None:
    doc = team.ok("status", "--owner", "igor", "--json").json()
    assert ids(doc["services"]) == ["crm"]
    assert ids(doc["engagements"]) == ["i1", "i2"]  # Igor, igor: one person
    assert {e["owner"] for e in doc["engagements"]} == {"igor", "Igor"}
    everyone = team.ok("status", "--json").json()
    assert ids(everyone["engagements"]) == ["a1", "a2", "i1", "i2", "n1"]
    out = team.ok("status", "--owner", "Anna  petrova").out  # case and spaces aside
    assert "a1" in out and "a2" in out and "i1" not in out


def test_mine_is_the_current_user(team: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SVCTRACK_USER", "Igor")
    assert ids(team.ok("engagement", "list", "--mine", "--json").json()) == ["i1", "i2"]
    assert ids(team.ok("service", "list", "--mine", "--json").json()) == ["crm"]
    assert ids(team.ok("status", "--mine", "--json").json()["engagements"]) == ["i1", "i2"]
    monkeypatch.setenv("SVCTRACK_USER", "nobody")
    assert team.ok("engagement", "list", "--mine", "--json").json() == []
    assert "no engagements match" in team.ok("engagement", "list", "--mine").err


def test_lists_combine_owner_with_the_other_filters(team: Workspace) -> None:
    rows = team.ok("engagement", "list", "--owner", "anna petrova", "--json").json()
    assert ids(rows) == ["a1", "a2"] and rows[0]["owner"] == "Anna Petrova"
    rows = team.ok("engagement", "list", "--owner", "igor", "--service", "audit", "--json").json()
    assert ids(rows) == ["i2"]
    assert ids(team.ok("service", "list", "--owner", "IGOR", "--json").json()) == ["crm"]


def test_deadlines_for_one_owner(team: Workspace) -> None:
    rows = team.ok("deadlines", "--owner", "igor", "--json").json()
    assert [(r["id"], r["what"]) for r in rows] == [
        ("i1", "execution"),
        ("i1", "due"),
        ("i2", "due"),
    ]
    overdue = team.ok("deadlines", "--owner", "Anna Petrova", "--overdue", "--json").json()
    assert [(r["id"], r["what"]) for r in overdue] == [("a2", "due")]


def test_timeline_for_one_owner(team: Workspace) -> None:
    doc = team.ok("timeline", "--owner", "igor", "--json").json()
    assert [(e["id"], e["owner"]) for e in doc["engagements"]] == [("i1", "igor"), ("i2", "Igor")]
    assert "a1" not in team.ok("timeline", "--owner", "igor").out


def test_owner_and_mine_exclude_each_other(team: Workspace) -> None:
    for command in (
        ("status",),
        ("deadlines",),
        ("engagement", "list"),
        ("service", "list"),
        ("timeline",),
    ):
        both = team.run(*command, "--owner", "igor", "--mine")
        assert both.code == 2 and "--owner and --mine exclude each other" in both.err
        assert team.run(*command, "--owner", " ").code == 2


def test_show_carries_the_owner_of_an_engagement(team: Workspace) -> None:
    assert team.ok("show", "i2", "--json").json()["owner"] == "Igor"
    assert team.ok("show", "a1", "--json").json()["owner"] == "Anna Petrova"  # the service's
    assert team.ok("show", "n1", "--json").json()["owner"] == ""
    assert "Igor" in team.ok("show", "i2").out
