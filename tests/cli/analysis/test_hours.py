"""Issue 14, item 9: `report --hours`: hours logged in a period by the date of each log (not of
closing), per person, service or client, with the budget burn of the open engagements."""

from __future__ import annotations

import pytest
from handmade import engagement, service

from conftest import Workspace


@pytest.fixture
def logged(ws: Workspace) -> Workspace:
    """Hours by hand: `done` closed in December, logged in October and November; `busy` open
    and over budget (12 of 10); `calm` open, 0.1 + 0.2 of 8; a service's own hour."""
    service(ws, "audit", "delivery", name="IT audit")
    service(ws, "crm", "delivery", name="CRM rollout")
    engagement(ws, "done", "audit", due="2026-12-20", closed_on="2026-12-10", client="ACME",
               owner="anna", budget="4",
               time=(("2026-10-30", "3", "anna"), ("2026-11-02", "2", "Boris")))  # fmt: skip
    engagement(ws, "busy", "crm", due="2026-12-20", client="ACME", owner="anna", budget="10",
               time=(("2026-11-03", "7", "anna"), ("2026-11-05", "5", "boris")))  # fmt: skip
    engagement(ws, "calm", "crm", due="2026-12-20", client="Zeta", owner="boris", budget="8",
               time=(("2026-11-10", "0.1", ""), ("2026-11-11", "0.2", "boris")))  # fmt: skip
    engagement(ws, "free", "audit", due="2026-12-20", client="Zeta")  # no budget, no hours
    text = (ws.root / "services" / "audit.toml").read_text("utf-8")
    text += '\n[[time]]\ndate = 2026-11-04\nhours = 1\nby = "anna"\n'
    (ws.root / "services" / "audit.toml").write_text(text, "utf-8")
    return ws


def hours(ws: Workspace, *args: str) -> dict:
    return ws.ok("report", "--hours", "--json", *args).json()


def test_by_person_in_the_period_by_the_date_of_each_log(logged: Workspace) -> None:
    found = hours(logged, "--since", "2026-11-01", "--until", "2026-11-30")
    assert found["period"] == {"since": "2026-11-01", "until": "2026-11-30"}
    assert found["by"] == "owner"
    # anna: 7 (busy) + 1 (audit); boris: 5 (busy) + 0.2 + 2 (done, as "Boris": one person
    # however cased) + calm's unsigned 0.1, which falls to its owner. done's October log is
    # out, though it closed in December.
    groups = {g["key"]: (g["hours"], g["entries"], g["items"]) for g in found["groups"]}
    assert groups == {
        "boris": (7.3, 4, ["busy", "calm", "done"]),
        "anna": (8, 2, ["audit", "busy"]),
    }
    assert [g["key"] for g in found["groups"]] == ["anna", "boris"]  # most hours first
    assert (found["hours"], found["entries"]) == (15.3, 6)


def test_by_service_and_by_client(logged: Workspace) -> None:
    by_service = {g["key"]: g["hours"] for g in hours(logged, "--by", "service")["groups"]}
    assert by_service == {"audit": 6, "crm": 12.3}
    by_client = {g["key"]: g["hours"] for g in hours(logged, "--by", "client")["groups"]}
    assert by_client == {"ACME": 17, "Zeta": 0.3, None: 1}  # a service's own hour: no client
    assert hours(logged, "--by", "service", "--service", "crm")["hours"] == 12.3


def test_burn_of_open_engagements_names_the_over_budget(logged: Workspace) -> None:
    found = hours(logged, "--since", "2026-12-01")
    assert found["groups"] == [] and found["hours"] == 0  # the burn is of all time, though
    assert [(b["id"], b["hours"], b["budget_hours"], b["burn"], b["over_budget"], b["over_by"])
            for b in found["burn"]] == [
        ("busy", 12, 10, 1.2, True, 2),
        ("calm", 0.3, 8, 0.0375, False, 0),
    ]  # fmt: skip
    assert found["over_budget"] == ["busy"]  # done went over too, but it is closed


def test_the_table(logged: Workspace) -> None:
    out = logged.ok("report", "--hours", "--by", "client").out
    assert "Hours logged" in out and "Budget burn of open engagements" in out
    assert "Over budget: busy (+2 h)" in out
    rows = {line.split()[0]: line.split()[1:] for line in out.splitlines() if line.strip()}
    assert rows["ACME"][:2] == ["17", "4"] and rows["Total"] == ["18.3", "7"]
    assert rows["busy"] == ["ACME", "12", "10", "120%"]
    russian = logged.ok("--lang", "ru", "report", "--hours").out
    assert "Учёт часов" in russian and "Сверх бюджета: busy (+2 ч)" in russian
    assert "7,3" in russian


def test_nothing_logged(ws: Workspace) -> None:
    found = hours(ws)
    assert (found["groups"], found["burn"], found["over_budget"], found["hours"]) == ([], [], [], 0)
    out = ws.ok("report", "--hours").out
    assert "No hours logged in this period." in out
    assert "No open engagement has a budget of hours." in out


def test_saved_to_a_file(logged: Workspace, tmp_path) -> None:
    import json

    before = logged.snapshot()
    logged.ok("report", "--hours", "--json", "-o", str(tmp_path / "h.json"))
    assert json.loads((tmp_path / "h.json").read_text("utf-8")) == hours(logged)
    assert logged.snapshot() == before  # an hours report is no monitoring report


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["report", "--by", "client"], "error: --by must be service or owner, not 'client'"),
        (["report", "--hours", "--by", "stage"],
         "error: --by must be owner or service or client, not 'stage'"),
        (["report", "--hours", "--since", "2026-12-01", "--until", "2026-11-01"],
         "error: --since 2026-12-01 is after --until 2026-11-01"),
        (["report", "--hours", "--since", "soon"], "error: --since: "),
    ],
)  # fmt: skip
def test_usage_errors(logged: Workspace, args: list[str], message: str) -> None:
    result = logged.run(*args)
    assert result.code == 2 and result.err.startswith(message), result.err
