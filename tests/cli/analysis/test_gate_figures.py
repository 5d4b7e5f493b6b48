"""Issue 14, item 7: a service's delivery gates `on-schedule` and `quality-assured` are met by
the figures of its closed engagements (on-time rate and mean score against svctrack.toml's
`[targets]`), and `show` says which figures decided them."""

from __future__ import annotations

import pytest
from handmade import engagement, service

from conftest import Workspace, heavy_imports


@pytest.fixture
def good(ws: Workspace) -> Workspace:
    """`audit` at delivery: 4 of 5 closed on time (80%), mean score (5+4+4+3)/4 = 4; an open
    one and another service's late one do not count."""
    service(ws, "audit", "delivery", name="IT audit")
    service(ws, "crm", "delivery", name="CRM rollout")
    for n, (due, closed, score) in enumerate(
        [
            ("2026-03-01", "2026-02-20", 5),
            ("2026-04-01", "2026-03-20", 4),
            ("2026-05-01", "2026-05-01", 4),
            ("2026-06-01", "2026-05-25", 3),
            ("2026-07-01", "2026-07-09", None),
        ]
    ):
        engagement(ws, f"a{n}", "audit", due=due, closed_on=closed, score=score)
    engagement(ws, "open", "audit", due="2026-12-01")
    engagement(ws, "c1", "crm", due="2026-03-01", closed_on="2026-04-01", score=1)
    return ws


def gates(ws: Workspace, item: str) -> dict[str, dict]:
    return {g["id"]: g for g in ws.ok("show", item, "--json").json()["gates"]}


def test_the_figures_meet_the_gates_and_say_so(good: Workspace) -> None:
    found = gates(good, "audit")
    on_time, quality = found["on-schedule"], found["quality-assured"]
    assert on_time["done"] is True and quality["done"] is True
    assert on_time["figures"] == {
        "figure": "on_time",
        "value": 0.8,
        "target": 0.8,
        "met": True,
        "count": 5,
        "on_time": 4,
        "engagements": ["a0", "a1", "a2", "a3", "a4"],
    }
    assert (quality["figures"]["value"], quality["figures"]["count"]) == (4, 4)
    assert "figures" not in found["matches-spec"]  # a gate of the hand only
    assert "on-schedule" not in good.text("audit")  # nothing written: the figures decide
    shown = good.ok("show", "audit").out
    assert "on time 4 of 5 (80%), target 80% · met by the figures" in shown
    assert "mean score 4 of 5 (4 with feedback), target 4 · met by the" in shown
    russian = good.ok("--lang", "ru", "checklist", "audit").out
    assert "в срок 4 из 5 (80\u00a0%), цель 80\u00a0%" in russian


def test_advance_counts_the_figures(good: Workspace) -> None:
    refused = good.run("advance", "audit")
    assert refused.code == 1 and "matches-spec" in refused.err
    assert "on-schedule" not in refused.err and "quality-assured" not in refused.err
    good.ok("check", "audit", "matches-spec")
    good.ok("advance", "audit")
    assert 'stage = "monitoring"' in good.text("audit")


def test_figures_below_target_leave_the_gates_open(good: Workspace) -> None:
    found = gates(good, "crm")  # 0 of 1 on time, score 1
    assert found["on-schedule"]["done"] is False
    assert found["on-schedule"]["figures"]["met"] is False
    assert found["quality-assured"]["figures"]["value"] == 1
    good.ok("check", "crm", "matches-spec")
    refused = good.run("advance", "crm")
    assert refused.code == 1 and "on-schedule" in refused.err and "quality-assured" in refused.err
    assert "on time 0 of 1 (0%), target 80%" in good.ok("show", "crm").out
    good.ok("check", "crm", "on-schedule", "quality-assured", "--note", "one bad start")
    assert gates(good, "crm")["on-schedule"]["done"] is True  # a hand tick still works
    good.ok("advance", "crm")


def test_a_service_without_closed_engagements_has_no_figure(ws: Workspace) -> None:
    service(ws, "new", "delivery")
    found = gates(ws, "new")
    assert found["on-schedule"]["done"] is False
    assert found["on-schedule"]["figures"]["value"] is None
    assert "no closed engagement to judge by" in ws.ok("show", "new").out


def test_targets_come_from_svctrack_toml(good: Workspace) -> None:
    config = good.root / "svctrack.toml"
    config.write_text(config.read_text("utf-8") + "\n[targets]\non_time = 0.9\nscore = 3.5\n")
    found = gates(good, "audit")
    assert (
        found["on-schedule"]["done"] is False and found["on-schedule"]["figures"]["target"] == 0.9
    )
    assert found["quality-assured"]["done"] is True
    assert good.ok("validate", "--strict").code == 0


@pytest.mark.parametrize(
    ("table", "message"),
    [
        (
            "on_time = 80",
            "`targets.on_time` must be from 0 to 1 (the share of engagements closed on time),"
            " not 80",
        ),
        ('score = "high"', "`targets.score` must be a number from 1 to 5 (the mean client score)"),
        (
            "ontime = 0.5",
            "`targets.ontime` is not a target (on_time, score) (did you mean on_time?)",
        ),
    ],
)
def test_a_wrong_target_is_an_error(good: Workspace, table: str, message: str) -> None:
    config = good.root / "svctrack.toml"
    config.write_text(config.read_text("utf-8") + f"\n[targets]\n{table}\n")
    problems = good.run("validate", "--json").json()["problems"]
    assert [(p["path"], p["severity"], p["message"]) for p in problems] == [
        ("svctrack.toml", "error", message)
    ]
    assert problems[0]["line"] > 0
    refused = good.run("show", "audit")
    assert refused.code == 1 and f"error: svctrack.toml: {message}" in refused.err
    assert good.run("show", "a0").code == 0  # only what needs the targets is refused


def test_the_json_reads_import_neither_rich_nor_tomlkit(good: Workspace) -> None:
    for command in (["show", "audit", "--json"], ["checklist", "audit", "--json"],
                    ["report", "--json"], ["report", "--hours", "--json"]):  # fmt: skip
        loaded = heavy_imports(good.root, *command)
        assert "LOADED []" in loaded, (command, loaded)


def test_the_board_counts_the_gates_the_figures_meet(good: Workspace) -> None:
    board = good.ok("board", "--kind", "services").out
    # audit: matches-spec alone is open; crm: all three
    assert "audit" in board and "○1" in board and "○3" in board
    good.ok("check", "crm", "matches-spec")
    assert "○2" in good.ok("board", "--kind", "services").out


def test_the_site_page_of_a_service_says_which_figures_decided(good: Workspace, tmp_path) -> None:
    good.ok("export", "site", "-o", str(tmp_path / "site"))
    page = (tmp_path / "site" / "items" / "audit.html").read_text("utf-8")
    assert "on time 4 of 5 (80%), target 80% · met by the figures" in page
    assert "(2/3)" in page  # gate items done: the two the figures meet
