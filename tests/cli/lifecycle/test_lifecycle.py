"""The lifecycle commands, run through the CLI on a real workspace, with the files read back."""

from __future__ import annotations

import tomllib

import pytest

from conftest import Workspace, heavy_imports

ENGAGEMENT_GATES = {
    "preparation": ["terms-agreed", "resources-assigned", "interaction-agreed"],
    "execution": ["work-done"],
    "control": ["quality-checked", "client-satisfied", "corrections-made"],
    "completion": ["documents-signed", "final-meeting", "feedback-received"],
}


def data(ws: Workspace, item_id: str) -> dict:
    return tomllib.loads(ws.text(item_id))


def tick_all(ws: Workspace, item_id: str, stage: str) -> None:
    for gate in ENGAGEMENT_GATES[stage]:
        ws.ok("check", item_id, gate)


def test_new_engagement_file(firm: Workspace) -> None:
    saved = data(firm, "acme")
    assert saved["stage"] == "preparation"
    assert saved["service"] == "audit"
    assert saved["client"] == "ACME"
    assert saved["name"] == "Security audit — ACME"
    assert str(saved["due"]) == "2026-12-15"
    assert str(saved["start"]) == "2026-11-26"
    assert saved["owner"] == "anna"  # inherited from the service
    (created,) = saved["history"]
    assert created["to"] == "preparation" and "from" not in created
    assert created["by"] == "tester"
    assert created["at"].utcoffset() is not None
    assert str(created["at"].date()) == "2026-11-26"


def test_advance_refused_while_gates_open(firm: Workspace) -> None:
    before = firm.snapshot()
    result = firm.run("advance", "acme")
    assert result.code == 1
    assert result.err.startswith("error: ")
    assert "terms-agreed" in result.err and "interaction-agreed" in result.err
    assert firm.snapshot() == before


def test_advance_after_ticks_records_history(firm: Workspace) -> None:
    tick_all(firm, "acme", "preparation")
    result = firm.ok("advance", "acme", "--note", "plan approved")
    assert "preparation → execution" in result.out
    saved = data(firm, "acme")
    assert saved["stage"] == "execution"
    last = saved["history"][-1]
    assert (last["from"], last["to"], last["note"]) == ("preparation", "execution", "plan approved")
    assert "forced" not in last


def test_force_records_skipped_items(firm: Workspace) -> None:
    firm.ok("check", "acme", "terms-agreed")
    firm.ok("advance", "acme", "--force", "--note", "client in a hurry")
    last = data(firm, "acme")["history"][-1]
    assert last["forced"] is True
    assert last["skipped"] == ["resources-assigned", "interaction-agreed"]
    shown = firm.ok("show", "acme", "--json").json()
    assert shown["history"][-1]["forced"] is True
    assert shown["history"][0]["forced"] is False


def test_full_engagement_to_closed(firm: Workspace) -> None:
    for stage in ENGAGEMENT_GATES:
        tick_all(firm, "acme", stage)
        firm.ok("advance", "acme")
    saved = data(firm, "acme")
    assert saved["stage"] == "closed"
    assert [h["to"] for h in saved["history"]] == [
        "preparation",
        "execution",
        "control",
        "completion",
        "closed",
    ]
    again = firm.run("advance", "acme")
    assert again.code == 1 and "closed" in again.err
    shown = firm.ok("show", "acme", "--json").json()
    assert shown["progress"] == 1.0
    assert shown["overdue"] is False


def test_rework_clears_ticks_of_both_stages(firm: Workspace) -> None:
    tick_all(firm, "acme", "preparation")
    firm.ok("advance", "acme")
    tick_all(firm, "acme", "execution")
    firm.ok("advance", "acme")
    firm.ok("check", "acme", "quality-checked")
    result = firm.ok("rework", "acme", "--note", "report incomplete")
    assert "control → execution" in result.out
    saved = data(firm, "acme")
    assert saved["stage"] == "execution"
    assert not saved["gates"].get("control") and not saved["gates"].get("execution")
    assert saved["gates"]["preparation"]["terms-agreed"] is True
    assert saved["history"][-1]["note"] == "report incomplete"


def test_rework_keeps_comments_of_the_tables_it_clears(firm: Workspace) -> None:
    tick_all(firm, "acme", "preparation")
    firm.ok("advance", "acme")
    path = firm.file("acme")
    path.write_text(
        path.read_text().replace("[gates.preparation]", "[gates.preparation]  # by Anna")
    )
    tick_all(firm, "acme", "execution")
    firm.ok("advance", "acme")
    text = firm.text("acme").replace("[gates.execution]", "# QA-7 applies\n[gates.execution]")
    path.write_text(text)
    firm.ok("rework", "acme", "--note", "again")
    after = firm.text("acme")
    assert "# QA-7 applies\n[gates.execution]\n" in after
    assert "work-done" not in after.split("[principles]")[0]
    assert "# by Anna" in after


@pytest.mark.parametrize("command", ["rework", "cancel"])
def test_rework_and_cancel_need_a_note(firm: Workspace, command: str) -> None:
    before = firm.snapshot()
    result = firm.run(command, "acme", "--note", "  ")
    assert result.code == 2 and "--note" in result.err
    assert firm.snapshot() == before


def test_set_refuses_due_before_start_and_odd_currencies(firm: Workspace) -> None:
    before = firm.snapshot()
    assert firm.run("set", "acme", "due", "2026-11-01").code == 2
    assert firm.run("set", "acme", "start", "2027-01-01").code == 2
    assert firm.run("set", "acme", "currency", "EURO").code == 2
    assert firm.snapshot() == before
    firm.ok("set", "acme", "currency", "rub")
    assert data(firm, "acme")["currency"] == "RUB"
    firm.ok("set", "acme", "price", "10")
    assert firm.run("set", "acme", "currency", "").code == 2


def test_list_refuses_an_unknown_stage(firm: Workspace) -> None:
    result = firm.run("engagement", "list", "--stage", "exection")
    assert result.code == 2 and "execution" in result.err


def test_rework_needs_a_way_back(firm: Workspace) -> None:
    result = firm.run("rework", "acme", "--note", "x")
    assert result.code == 1
    assert "no way back from preparation" in result.err


def test_service_pipeline_iterates_from_monitoring(firm: Workspace) -> None:
    stages = ["planning", "development", "testing", "launch", "delivery", "monitoring"]
    for _ in stages[:-1]:
        firm.ok("advance", "audit", "--force")
    assert data(firm, "audit")["stage"] == "monitoring"
    refused = firm.run("advance", "audit", "--force")
    assert refused.code == 1 and "rework" in refused.err
    firm.ok("rework", "audit", "--note", "next iteration")
    assert data(firm, "audit")["stage"] == "planning"


def test_cancel(firm: Workspace) -> None:
    firm.ok("cancel", "acme", "--note", "client withdrew")
    saved = data(firm, "acme")
    assert saved["stage"] == "cancelled"
    assert firm.run("cancel", "acme", "--note", "again").code == 1
    assert firm.ok("engagement", "list", "--json").json() == []
    listed = firm.ok("engagement", "list", "--all", "--json").json()
    assert [e["id"] for e in listed] == ["acme"]
    assert listed[0]["overdue"] is False


def test_check_principle_and_uncheck(firm: Workspace) -> None:
    firm.ok("check", "acme", "communication", "--note", "weekly call")
    assert data(firm, "acme")["principles"]["communication"] == {"ok": True, "note": "weekly call"}
    firm.ok("uncheck", "acme", "communication")
    assert data(firm, "acme")["principles"]["communication"] == {"ok": False, "note": "weekly call"}
    firm.ok("uncheck", "acme", "communication", "--clear")
    assert "communication" not in data(firm, "acme")["principles"]
    principles = firm.ok("checklist", "acme", "--json").json()["principles"]
    assert {p["id"]: p["ok"] for p in principles}["communication"] is None


def test_check_refuses_other_stage_items_and_unknown(firm: Workspace) -> None:
    result = firm.run("check", "acme", "work-done")
    assert result.code == 1 and "execution" in result.err
    result = firm.run("check", "acme", "terms-agred")
    assert result.code == 1 and "terms-agreed" in result.err
    result = firm.run("check", "acme", "whatever")
    assert result.code == 1 and "neither a gate item of preparation nor a principle" in result.err
    firm.ok("check", "acme", "trust")  # a general principle: services' and engagements' alike


@pytest.mark.parametrize(
    ("field", "value", "key", "expected"),
    [
        ("due", "2027-01-10", "due", "2027-01-10"),
        ("due", "+2w", "due", "2026-12-10"),
        ("start", "today", "start", "2026-11-26"),
        ("owner", "boris", "owner", "boris"),
        ("price", "1 250.50", "price", "1250.5"),
        ("mode", "hybrid", "mode", "hybrid"),
        ("contract", "C-14", "contract", "C-14"),
        ("deadline.control", "+1m", "deadlines", "{'control': datetime.date(2026, 12, 26)}"),
    ],
)
def test_set_fields(firm: Workspace, field: str, value: str, key: str, expected: str) -> None:
    firm.ok("set", "acme", field, value)
    assert str(data(firm, "acme")[key]) == expected


def test_set_price_is_exact(firm: Workspace) -> None:
    firm.ok("set", "acme", "price", "0.30")
    assert "price = 0.30\n" in firm.text("acme")
    assert firm.ok("show", "acme", "--json").json()["price"]["amount"] == 0.3


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("due", "31/12/2026", 2),
        ("due", "2026-02-30", 2),
        ("price", "lots", 2),
        ("mode", "telepathy", 2),
        ("colour", "red", 2),
        ("deadline.nowhere", "+1d", 2),
        ("role.marketing", "anna", 2),  # roles belong to services
    ],
)
def test_set_refuses_bad_values(firm: Workspace, field: str, value: str, code: int) -> None:
    before = firm.snapshot()
    result = firm.run("set", "acme", field, value)
    assert result.code == code
    assert result.err.startswith("error: ")
    assert firm.snapshot() == before


def test_set_role_on_service(firm: Workspace) -> None:
    firm.ok("set", "audit", "role.marketing", "vera")
    assert data(firm, "audit")["roles"] == {"marketing": "vera"}
    assert firm.ok("show", "audit", "--json").json()["roles"] == {"marketing": "vera"}


def test_note_and_feedback(firm: Workspace) -> None:
    firm.ok("note", "acme", "sent the plan", "--channel", "email")
    firm.ok("feedback", "acme", "--score", "4", "--speed", "5", "--comment", "good")
    shown = firm.ok("show", "acme", "--json").json()
    assert shown["notes"][0]["channel"] == "email"
    assert shown["notes"][0]["text"] == "sent the plan"
    fb = shown["feedback"][0]
    assert (fb["score"], fb["speed"], fb["accuracy"], fb["comment"]) == (4, 5, None, "good")


@pytest.mark.parametrize(
    "args", [["--score", "6"], ["--score", "0"], ["--score", "3", "--speed", "9"]]
)
def test_feedback_scores_validated(firm: Workspace, args: list[str]) -> None:
    result = firm.run("feedback", "acme", *args)
    assert result.code == 2


def test_note_channel_validated(firm: Workspace) -> None:
    result = firm.run("note", "acme", "hi", "--channel", "pigeon")
    assert result.code == 2 and "email" in result.err


def test_prefix_resolution(firm: Workspace) -> None:
    firm.ok("engagement", "new", "acme-2", "--service", "audit", "--client", "ACME", "--due", "+1m")
    # exact id wins over a prefix
    assert firm.ok("show", "acme", "--json").json()["id"] == "acme"
    assert firm.ok("show", "acme-", "--json").json()["id"] == "acme-2"
    firm.ok("engagement", "new", "acorn", "--service", "au", "--client", "Acorn", "--due", "+1m")
    result = firm.run("show", "ac")
    assert result.code == 1
    assert "ambiguous" in result.err and "acme" in result.err and "acorn" in result.err
    assert firm.run("show", "nothing").code == 1


def test_derived_ids_transliterate_and_stay_unique(ws: Workspace) -> None:
    ws.ok("service", "new", "--name", "Аудит безопасности")
    ws.ok("service", "new", "--name", "Аудит безопасности")
    assert (ws.root / "services" / "audit-bezopasnosti.toml").exists()
    assert (ws.root / "services" / "audit-bezopasnosti-2.toml").exists()
    ws.ok(
        "engagement",
        "new",
        "--service",
        "audit-bezopasnosti",
        "--client",
        "Щука и Ко",
        "--due",
        "+1w",
    )
    assert (ws.root / "engagements" / "shchuka-i-ko-audit-bezopasnosti.toml").exists()


def test_engagement_needs_existing_service(ws: Workspace) -> None:
    result = ws.run("engagement", "new", "--service", "ghost", "--client", "X", "--due", "+1w")
    assert result.code == 1
    assert "no service 'ghost'" in result.err


@pytest.mark.parametrize("bad", ["../evil", "UPPER", "with space", "con", "a" * 65, "-x"])
def test_bad_ids_refused_before_any_path(ws: Workspace, bad: str) -> None:
    before = ws.snapshot()
    result = ws.run("service", "new", bad, "--name", "x")
    assert result.code == 2
    assert ws.snapshot() == before


def test_id_taken_across_kinds(firm: Workspace) -> None:
    result = firm.run("service", "new", "acme", "--name", "Clash")
    assert result.code == 1 and "taken" in result.err


@pytest.mark.parametrize(
    ("given", "written"),
    [
        ("1.5", "1.5"),
        ("1,25", "1.25"),
        ("90m", "1.5"),
        ("2h30m", "2.5"),
        ("2h", "2"),
        ("20m", "0.33"),
    ],
)
def test_log_time_is_exact(firm: Workspace, given: str, written: str) -> None:
    firm.ok("log", "acme", given, "--note", "work")
    entry = data(firm, "acme")["time"][-1]
    assert f"hours = {written}\n" in firm.text("acme")
    assert (
        str(entry["date"]) == "2026-11-26" and entry["by"] == "tester" and entry["note"] == "work"
    )


def test_log_time_sums_exactly(firm: Workspace) -> None:
    for hours in ("0.1", "0.2"):
        firm.ok("log", "acme", hours)
    result = firm.ok("log", "acme", "1h", "--date", "2026-11-20", "--by", "boris")
    assert "1.3 h in all" in result.out
    assert data(firm, "acme")["time"][-1]["by"] == "boris"


@pytest.mark.parametrize("bad", ["0", "-1", "abc", "2x", "", "h", "99999"])
def test_log_time_refuses_bad_durations(firm: Workspace, bad: str) -> None:
    before = firm.snapshot()
    assert firm.run("log", "acme", bad).code == 2
    assert firm.snapshot() == before


def test_budget_hours_is_an_engagement_field(firm: Workspace) -> None:
    firm.ok("set", "acme", "budget_hours", "40")
    assert data(firm, "acme")["budget_hours"] == 40
    assert firm.run("set", "audit", "budget_hours", "40").code == 2


def test_set_price_brings_the_workspace_currency(firm: Workspace) -> None:
    firm.ok("set", "acme", "price", "1000")
    assert firm.ok("show", "acme", "--json").json()["price"] == {"amount": 1000, "currency": "EUR"}
    firm.ok("set", "acme", "currency", "RUB")
    firm.ok("set", "acme", "price", "2000")
    assert data(firm, "acme")["currency"] == "RUB"


@pytest.mark.parametrize("bad", ["25", "1e3", "24h30m"])
def test_log_refuses_more_than_a_day(firm: Workspace, bad: str) -> None:
    assert firm.run("log", "acme", bad).code == 2


def test_budget_may_exceed_a_day(firm: Workspace) -> None:
    firm.ok("set", "acme", "budget_hours", "120")
    assert data(firm, "acme")["budget_hours"] == 120


WRITE_NEEDS_NOT = (
    "svctrack.domain.analysis",
    "svctrack.domain.queries",  # the gate items the facts tick are the model's (FACT_GATES)
    "svctrack.git.commit",  # no commit wanted: git/wanted.py says so
    "svctrack.output.views",
    "svctrack.output.i18n",
    "calendar",
    "rich",
)


@pytest.mark.parametrize(
    "command",
    [("note", "acme", "hello"), ("check", "acme", "terms-agreed"), ("advance", "acme", "--force")],
)
def test_an_engagements_write_imports_no_analysis_and_no_views(
    firm: Workspace, command: tuple[str, ...]
) -> None:
    """Start-up is most of a write's time: the figures that decide some of a service's gate
    items (`domain.analysis`, 15 ms of imports) are never asked of an engagement; the
    dashboard's queries, git and the calendar are not needed either."""
    loaded = heavy_imports(firm.root, *command, watch=WRITE_NEEDS_NOT)
    assert "LOADED []" in loaded, loaded
    assert "error" not in loaded, loaded
