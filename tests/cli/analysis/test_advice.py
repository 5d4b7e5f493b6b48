"""Issue 14, item 5: each weak spot of `report` ends with a recommendation (words in both
languages, `recommendation` in --json); a report saved for a service after its last delivery
ticks the monitoring gate `recommendations-made` and is recorded in `[[reports]]`."""

from __future__ import annotations

import pytest
from handmade import engagement, service

from conftest import Workspace


@pytest.fixture
def weak(ws: Workspace) -> Workspace:
    """Two closed engagements of `audit` (at monitoring): both reworked, one late, speed rated
    2 of 5; `crm` (at delivery) closed one on time."""
    service(ws, "audit", "monitoring", name="IT audit")
    service(ws, "crm", "delivery", name="CRM rollout")
    engagement(ws, "a1", "audit", due="2026-03-01", closed_on="2026-03-10", rework=True,
               score=3, speed=2)  # fmt: skip
    engagement(ws, "a2", "audit", due="2026-05-01", closed_on="2026-04-20", rework=True,
               score=4, speed=2)  # fmt: skip
    engagement(ws, "c1", "crm", due="2026-06-01", closed_on="2026-05-20", score=5, speed=5)
    return ws


def findings(ws: Workspace, *args: str) -> dict[str, dict]:
    return {f["code"]: f for f in ws.ok("report", "--json", *args).json()["findings"]}


def test_every_weak_spot_carries_its_advice(weak: Workspace) -> None:
    found = findings(weak)
    assert found["rework"]["advice"] == "client_review"
    assert found["rework"]["recommendation"].startswith(
        "Add a client review at the end of execution"
    )
    # the weakest quality gets what the source text ties to it: speed → resources and deadlines
    assert found["weak_dimension"]["subject"] == "speed"
    assert found["weak_dimension"]["advice"] == "plan_resources"
    assert "plan the resources and the deadlines" in found["weak_dimension"]["recommendation"]
    assert all(f["recommendation"] for f in found.values()), found


def test_the_human_report_says_it_in_both_languages(weak: Workspace) -> None:
    english = weak.ok("report").out
    assert "→ Recommendation: Add a client review at the end of execution" in english
    russian = weak.ok("--lang", "ru", "report").out
    assert "→ Рекомендация: Добавьте проверку результата клиентом в конце выполнения" in russian
    assert "Recommendation" not in russian


def test_a_saved_report_ticks_recommendations_made(weak: Workspace, tmp_path) -> None:
    before = weak.text("crm")
    out = tmp_path / "report.txt"
    result = weak.ok("report", "-o", str(out))
    assert f"wrote {out}" in result.err
    assert "audit: recommendations-made ticked" in result.err
    assert "Monitoring report" in out.read_text("utf-8")
    text = weak.text("audit")
    assert "recommendations-made = true" in text
    assert "[[reports]]\nat = 2026-11-26T" in text and 'file = "report.txt"' in text
    gates = {g["id"]: g["done"] for g in weak.ok("show", "audit", "--json").json()["gates"]}
    assert gates["recommendations-made"] is True
    saved = weak.ok("show", "audit", "--json").json()["reports"]
    assert [(r["by"], r["file"]) for r in saved] == [("tester", "report.txt")]
    # crm is at delivery: its report is recorded, but it has no monitoring gate open to tick
    assert weak.text("crm").startswith(before) and "[[reports]]" in weak.text("crm")
    assert "gates" not in weak.text("crm")
    assert weak.ok("validate", "--strict").code == 0


def test_a_report_that_stops_before_the_last_delivery_is_not_one(weak: Workspace, tmp_path) -> None:
    before = weak.snapshot()
    weak.ok("report", "--until", "2026-03-31", "-o", str(tmp_path / "q1.json"), "--json")
    assert weak.snapshot() == before  # a2 (closed 2026-04-20) is audit's last delivery
    weak.ok("report", "--service", "audit", "--since", "2026-04-01", "-o", str(tmp_path / "r"))
    assert "recommendations-made = true" in weak.text("audit")
    assert "[[reports]]" not in weak.text("crm")  # not in that report


def test_printing_a_report_records_nothing(weak: Workspace) -> None:
    before = weak.snapshot()
    weak.ok("report")
    weak.ok("report", "--json")
    weak.ok("report", "-o", "-")  # standard output is not a saved report
    assert weak.snapshot() == before


def test_the_saved_json_is_the_printed_json(weak: Workspace, tmp_path) -> None:
    import json

    printed = weak.ok("report", "--json").json()
    weak.ok("report", "--json", "-o", str(tmp_path / "r.json"))
    assert json.loads((tmp_path / "r.json").read_text("utf-8")) == printed


def test_a_hand_tick_still_works(weak: Workspace) -> None:
    weak.ok("check", "audit", "recommendations-made", "--note", "discussed at the board")
    assert 'recommendations-made = {done = true, note = "discussed at the board"}' in weak.text(
        "audit"
    )


def test_the_site_gives_the_advice_too(weak: Workspace, tmp_path) -> None:
    weak.ok("export", "site", "-o", str(tmp_path / "site"))
    page = (tmp_path / "site" / "index.html").read_text("utf-8")
    assert "→ Recommendation: Add a client review at the end of execution" in page


def test_a_service_file_with_errors_is_named_and_the_others_recorded(
    weak: Workspace, tmp_path
) -> None:
    path = weak.file("audit")
    path.write_text(
        path.read_text("utf-8").replace(
            'stage = "monitoring"', 'stage = "monitoring"\nmode = "remote"'
        ),
        "utf-8",
    )
    broken = path.read_bytes()
    result = weak.run("report", "-o", str(tmp_path / "r.txt"))
    assert result.code == 1
    lines = result.err.splitlines()
    assert lines[0] == f"wrote {tmp_path / 'r.txt'}"
    assert lines[-1].startswith(
        "error: report saved, but not recorded for audit: services/audit.toml:3:1: mode 'remote'"
    )
    assert path.read_bytes() == broken
    assert "[[reports]]" in weak.text("crm")
