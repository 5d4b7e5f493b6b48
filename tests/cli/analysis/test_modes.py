"""Issue 14, item 6: the delivery mode is used. `report` compares on-time rate and
satisfaction online against offline; the lists filter by `--mode`; the modes are translated."""

from __future__ import annotations

import re

import pytest
from handmade import engagement, service

from conftest import Workspace


@pytest.fixture
def modes(ws: Workspace) -> Workspace:
    """Online: o1 on time (score 5), o2 late (score 3). Offline: f1 on time (score 4). One
    without a mode, on time. Open: o3 online, f2 offline, n2 without a mode."""
    service(ws, "audit", "delivery", name="IT audit")
    service(ws, "crm", "planning", name="CRM rollout", mode="online")
    engagement(ws, "o1", "audit", due="2026-03-01", closed_on="2026-02-20", mode="online", score=5)
    engagement(ws, "o2", "audit", due="2026-03-01", closed_on="2026-03-05", mode="online", score=3)
    engagement(ws, "f1", "audit", due="2026-04-01", closed_on="2026-03-25", mode="offline",
               score=4)  # fmt: skip
    engagement(ws, "n1", "audit", due="2026-04-01", closed_on="2026-03-25")
    engagement(ws, "o3", "audit", due="2026-12-01", mode="online")
    engagement(ws, "f2", "audit", due="2026-12-05", mode="offline")
    engagement(ws, "n2", "audit", due="2026-12-10")
    return ws


def test_report_compares_the_modes(modes: Workspace) -> None:
    by_mode = {m["mode"]: m for m in modes.ok("report", "--json").json()["modes"]}
    assert list(by_mode) == ["online", "offline", None]  # the field's order; none given last
    online, offline = by_mode["online"], by_mode["offline"]
    assert (online["count"], online["ids"]) == (2, ["o1", "o2"])
    assert (online["on_time"]["rate"], online["satisfaction"]["score"]) == (0.5, 4)
    assert (offline["on_time"]["rate"], offline["satisfaction"]["score"]) == (1, 4)
    assert (by_mode[None]["count"], by_mode[None]["satisfaction"]["score"]) == (1, None)


def test_the_human_report_has_a_table_of_modes(modes: Workspace) -> None:
    english = modes.ok("report").out
    assert "Online and offline" in english
    rows = {line.split()[0]: line.split()[1:] for line in english.splitlines() if line.strip()}
    assert rows["online"][:2] == ["2", "50%"] and rows["offline"][:2] == ["1", "100%"]
    russian = modes.ok("--lang", "ru", "report").out
    assert "Онлайн и офлайн" in russian and "онлайн" in russian and "офлайн" in russian
    assert "(формат не указан)" in russian


def test_lists_filter_by_mode(modes: Workspace) -> None:
    def ids(*args: str) -> list[str]:
        listed = modes.ok(*args, "--json").json()
        return sorted(i["id"] for i in listed)

    assert ids("engagement", "list", "--mode", "online") == ["o3"]
    assert ids("engagement", "list", "--mode", "online", "--all") == ["o1", "o2", "o3"]
    assert ids("service", "list", "--mode", "online") == ["crm"]
    status = modes.ok("status", "--mode", "offline", "--json").json()
    assert [e["id"] for e in status["engagements"]] == ["f2"] and status["services"] == []
    assert [e["mode"] for e in status["engagements"]] == ["offline"]
    assert {d["id"] for d in modes.ok("deadlines", "--mode", "offline", "--json").json()} == {"f2"}
    columns = modes.ok("board", "--mode", "online", "--json").json()["columns"]
    assert [i["id"] for c in columns for i in c["items"]] == ["o3"]
    bars = modes.ok("timeline", "--mode", "offline", "--json").json()["engagements"]
    assert [b["id"] for b in bars] == ["f2"]
    assert "o3" in modes.ok("engagement", "list", "--mode", "online").out


def test_a_mode_that_is_none_is_a_usage_error(modes: Workspace) -> None:
    for command in (["status"], ["engagement", "list"], ["deadlines"], ["board"], ["timeline"]):
        result = modes.run(*command, "--mode", "remote")
        assert result.code == 2, command
        assert result.err.startswith("error: --mode: mode 'remote' is not one of online,"), (
            result.err
        )


def test_show_translates_the_mode(modes: Workspace) -> None:
    assert re.search(r"^Формат +онлайн$", modes.ok("--lang", "ru", "show", "o3").out, re.M)
    assert re.search(r"^Mode +online$", modes.ok("show", "o3").out, re.M)
    assert modes.ok("show", "o3", "--json").json()["mode"] == "online"  # JSON keeps the value
