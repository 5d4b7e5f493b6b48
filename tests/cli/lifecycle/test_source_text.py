"""Issue 14, what the source text asks of an engagement: the client's goal and needs, its
documents (and `documents-signed` ticked by them), the seven general principles beside the five
of delivery, the pilot warning, and recurring engagements."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from conftest import Workspace


def data(ws: Workspace, item_id: str) -> dict:
    return tomllib.loads(ws.text(item_id))


def to_completion(ws: Workspace, item_id: str) -> None:
    for _ in range(3):
        ws.ok("advance", item_id, "--force")


def close(ws: Workspace, item_id: str) -> str:
    """Force an engagement from wherever it is to closed; the last advance's output."""
    out = ""
    while data(ws, item_id)["stage"] != "closed":
        out = ws.ok("advance", item_id, "--force").out
    return out


@pytest.fixture
def delivering(ws: Workspace) -> Workspace:
    """A service that has reached delivery, so that its engagements are no pilots."""
    ws.ok("service", "new", "audit", "--name", "Security audit")
    for _ in range(4):
        ws.ok("advance", "audit", "--force")
    assert data(ws, "audit")["stage"] == "delivery"
    return ws


# --- 1. the client's goal and needs -----------------------------------------------------------


def new_with_aims(ws: Workspace, goal: str, needs: str) -> None:
    ws.ok(
        "engagement", "new", "acme", "--service", "audit", "--client", "ACME", "--due", "+4w",
        "--goal", goal, "--needs", needs,
    )  # fmt: skip


def test_goal_and_needs_are_written_shown_and_in_json(delivering: Workspace) -> None:
    ws = delivering
    new_with_aims(ws, "Pass the ISO 27001 audit", "Findings of last year still open")
    saved = data(ws, "acme")
    assert saved["goal"] == "Pass the ISO 27001 audit"
    assert saved["needs"] == "Findings of last year still open"
    shown = ws.ok("show", "acme").out
    assert "Goal      Pass the ISO 27001 audit" in shown
    assert "Needs     Findings of last year still open" in shown
    got = ws.ok("show", "acme", "--json").json()
    assert (got["goal"], got["needs"], got["every"], got["documents"]) == (
        "Pass the ISO 27001 audit",
        "Findings of last year still open",
        None,
        [],
    )
    ws.ok("set", "acme", "needs", "")
    assert "needs" not in data(ws, "acme")
    assert ws.ok("set", "acme", "goal", "A clean report").out
    assert data(ws, "acme")["goal"] == "A clean report"


def test_a_service_has_no_goal_field_and_nothing_changes(firm: Workspace) -> None:
    before = firm.snapshot()
    refused = firm.run("set", "audit", "goal", "x")
    assert refused.code == 2 and "a service has no goal" in refused.err
    assert firm.snapshot() == before


def test_validate_strict_asks_for_a_goal_past_preparation(delivering: Workspace) -> None:
    ws = delivering
    ws.ok("engagement", "new", "acme", "--service", "audit", "--client", "ACME", "--due", "+4w")
    ws.ok("validate", "--strict")  # at preparation: nothing to say yet
    ws.ok("advance", "acme", "--force")
    assert ws.ok("validate").err == "0 errors, 0 warnings\n"  # advice of --strict alone
    strict = ws.run("validate", "--strict", "--json")
    assert strict.code == 1
    (problem,) = strict.json()["problems"]
    assert problem["path"] == "engagements/acme.toml" and problem["severity"] == "warning"
    assert "no `goal` or `needs`" in problem["message"]
    ws.ok("set", "acme", "needs", "A second opinion before the board meets")
    ws.ok("validate", "--strict")


def test_an_engagement_cancelled_in_preparation_is_not_asked_for_a_goal(
    delivering: Workspace,
) -> None:
    ws = delivering
    ws.ok("engagement", "new", "acme", "--service", "audit", "--client", "ACME", "--due", "+4w")
    ws.ok("cancel", "acme", "--note", "the client withdrew before we began")
    ws.ok("validate", "--strict")  # it never got past preparation
    ws.ok("reopen", "acme", "--note", "back on")
    ws.ok("advance", "acme", "--force")
    ws.ok("cancel", "acme", "--note", "stopped during the work")
    assert ws.run("validate", "--strict").code == 1  # past preparation: what was it for?


def test_the_client_report_and_the_site_show_the_goal(delivering: Workspace) -> None:
    ws = delivering
    new_with_aims(ws, "Pass <the> audit", "Open findings")
    report = ws.ok("export", "report", "acme").out
    assert "- **Goal:** Pass \\<the\\> audit" in report
    assert "- **Needs:** Open findings" in report
    site = ws.root.parent / "site"
    ws.ok("export", "site", "-o", str(site))
    page = next(site.rglob("acme.html")).read_text("utf-8")
    assert "<dt>Goal</dt><dd>Pass &lt;the&gt; audit</dd>" in page
    assert "<dt>Needs</dt><dd>Open findings</dd>" in page


# --- 2. documents ---------------------------------------------------------------------------


def test_doc_adds_and_updates_documents_as_an_array_of_tables(
    firm: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert firm.ok("doc", "acme", "contract", "--name", "D-2026/7").out == (
        "acme: contract 'D-2026/7' added (draft)\n"
    )
    assert firm.ok("doc", "acme", "invoice", "--status", "sent").out == (
        "acme: invoice added (sent)\n"
    )
    before = firm.text("acme")
    monkeypatch.setenv("SVCTRACK_TODAY", "2026-12-03")
    assert firm.ok("doc", "acme", "contract", "--status", "signed").out == (
        "acme: contract 'D-2026/7' updated (signed)\n"
    )
    after = firm.text("acme")
    changed = [
        (a, b) for a, b in zip(before.splitlines(), after.splitlines(), strict=True) if a != b
    ]
    assert changed == [
        ('status = "draft"', 'status = "signed"'),
        ("date = 2026-11-26", "date = 2026-12-03"),
    ]
    assert data(firm, "acme")["documents"] == [
        {"kind": "contract", "name": "D-2026/7", "status": "signed", "date": _day("2026-12-03")},
        {"kind": "invoice", "status": "sent", "date": _day("2026-11-26")},
    ]
    assert '[[documents]]\nkind = "contract"' in after
    # the same status again changes nothing, and says so
    unchanged = firm.ok("doc", "acme", "contract", "--status", "signed")
    assert unchanged.out == "acme: contract 'D-2026/7' unchanged (signed)\n"
    assert firm.text("acme") == after
    # the only unnamed invoice takes a name given later
    assert "invoice 'INV-1' updated (sent)" in firm.ok("doc", "acme", "invoice", "-n", "INV-1").out
    shown = firm.ok("show", "acme", "--json").json()["documents"]
    assert shown == [
        {"kind": "contract", "name": "D-2026/7", "status": "signed", "date": "2026-12-03"},
        {"kind": "invoice", "name": "INV-1", "status": "sent", "date": "2026-11-26"},
    ]
    text = firm.ok("show", "acme").out
    assert "Documents" in text and "Contract" in text and "INV-1" in text and "signed" in text
    firm.ok("validate", "--strict")


def _day(text: str) -> object:
    from datetime import date

    return date.fromisoformat(text)


def test_doc_refusals_change_nothing(firm: Workspace) -> None:
    firm.ok("doc", "acme", "act", "--name", "Act 1")
    firm.ok("doc", "acme", "act", "--name", "Act 2")
    before = firm.snapshot()
    which = firm.run("doc", "acme", "act", "--status", "signed")
    assert which.code == 2
    assert which.err.startswith("error: acme has 2 documents of kind act: 'Act 1', 'Act 2'")
    assert "--name" in which.err
    kind = firm.run("doc", "acme", "bill")
    assert kind.code == 2 and "document kind 'bill' is not one of contract, act" in kind.err
    status = firm.run("doc", "acme", "act", "-n", "Act 1", "--status", "singed")
    assert status.code == 2 and "(did you mean signed?)" in status.err
    service = firm.run("doc", "audit", "contract")
    assert service.code == 1 and "audit is a service; doc needs an engagement" in service.err
    assert firm.snapshot() == before


def test_signing_every_document_ticks_documents_signed_at_completion(firm: Workspace) -> None:
    to_completion(firm, "acme")
    firm.ok("doc", "acme", "contract", "--status", "signed")  # listed at completion
    firm.ok("uncheck", "acme", "documents-signed", "--clear")  # ticked; taken back by hand
    assert "documents-signed" not in data(firm, "acme")["gates"].get("completion", {})
    # one listed document unsigned: the facts do not satisfy it
    assert firm.ok("doc", "acme", "act", "--status", "sent").out == "acme: act added (sent)\n"
    assert "documents-signed" not in data(firm, "acme")["gates"].get("completion", {})
    done = firm.ok("doc", "acme", "act", "--status", "signed")
    assert done.out == "acme: act updated (signed), documents-signed done\n"
    assert data(firm, "acme")["gates"]["completion"]["documents-signed"] is True
    again = firm.ok("doc", "acme", "invoice", "--status", "signed")
    assert again.out == "acme: invoice added (signed)\n"  # ticked already: said once
    gates = {g["id"]: g["done"] for g in firm.ok("checklist", "acme", "--json").json()["gates"]}
    assert gates["documents-signed"] is True


def test_a_doc_that_changes_nothing_writes_nothing(firm: Workspace) -> None:
    to_completion(firm, "acme")
    firm.ok("doc", "acme", "contract", "--status", "signed")
    firm.ok("uncheck", "acme", "documents-signed")  # taken back by hand: it stays so
    before = firm.snapshot()
    same = firm.ok("doc", "acme", "contract", "--status", "signed")
    assert same.out == "acme: contract unchanged (signed)\n"
    assert firm.snapshot() == before


def test_feedback_and_documents_share_the_rule_of_facts(firm: Workspace) -> None:
    to_completion(firm, "acme")
    firm.ok("feedback", "acme", "--score", "5")  # ticks feedback-received, not documents-signed
    assert data(firm, "acme")["gates"]["completion"] == {"feedback-received": True}
    assert "documents-signed" in firm.run("advance", "acme").err


def test_a_hand_tick_of_documents_signed_still_works_and_is_kept(firm: Workspace) -> None:
    to_completion(firm, "acme")
    firm.ok("check", "acme", "documents-signed", "--note", "signed on paper, not listed")
    mark = data(firm, "acme")["gates"]["completion"]["documents-signed"]
    assert mark == {"done": True, "note": "signed on paper, not listed"}
    firm.ok("doc", "acme", "act", "--status", "signed")  # already ticked: the note stays
    assert data(firm, "acme")["gates"]["completion"]["documents-signed"] == mark


def test_the_client_report_checks_the_documents(firm: Workspace) -> None:
    firm.ok("doc", "acme", "contract", "--status", "signed")
    firm.ok("doc", "acme", "invoice", "--name", "INV-7", "--status", "sent")
    report = firm.ok("export", "report", "acme").out
    assert "## Documents" in report
    assert "- **Contract:** signed, 2026-11-26" in report
    assert "Not signed yet: Invoice · INV-7." in report
    firm.ok("doc", "acme", "invoice", "--status", "signed")
    assert "All documents are signed." in firm.ok("export", "report", "acme").out


def test_validate_checks_documents_in_the_file(firm: Workspace) -> None:
    path = firm.file("acme")
    path.write_text(
        path.read_text("utf-8")
        + '\n[[documents]]\nkind = "contract"\nstatus = "approved"\n'
        + '\n[[documents]]\nname = "no kind"\n',
        "utf-8",
    )
    problems = firm.run("validate", "--json").json()["problems"]
    messages = [p["message"] for p in problems]
    assert any(
        "document status 'approved' is not one of draft, sent, signed" in m for m in messages
    )
    assert any("[[documents]] entry 2: `kind` is missing" in m for m in messages)
    assert firm.run("doc", "acme", "act").code == 1  # a file with errors is fixed by hand


def test_undo_takes_a_document_back(firm: Workspace) -> None:
    before = firm.text("acme")
    firm.ok("doc", "acme", "contract")
    firm.ok("undo")
    assert firm.text("acme") == before


def test_the_schema_describes_documents_goal_and_every(ws: Workspace) -> None:
    out = ws.root.parent / "schemas"
    ws.ok("schema", "-o", str(out))
    import json

    schema = json.loads((out / "engagement.schema.json").read_text("utf-8"))
    props = schema["properties"]
    documents = props["documents"]["items"]
    assert documents["required"] == ["kind"]
    assert documents["properties"]["kind"]["enum"] == [
        "contract",
        "act",
        "invoice",
        "report",
        "other",
    ]
    assert documents["properties"]["status"]["enum"] == ["draft", "sent", "signed"]
    assert props["every"]["enum"] == ["month", "quarter", "year"]
    assert props["goal"]["type"] == props["needs"]["type"] == "string"
    assert props["pilot"]["type"] == "boolean"


# --- 3. the seven general principles on engagements -----------------------------------------


def test_an_engagement_has_the_seven_then_the_four(firm: Workspace) -> None:
    assert firm.ok("check", "acme", "deadlines", "--note", "every date met").out == (
        "acme: deadlines honoured\n"
    )
    principles = firm.ok("checklist", "acme", "--json").json()["principles"]
    assert [(p["id"], p["group"]) for p in principles] == [
        ("trust", "general"),
        ("quality", "general"),
        ("individual", "general"),
        ("transparency", "general"),
        ("deadlines", "general"),
        ("integrity", "general"),
        ("efficiency", "general"),
        ("communication", "delivery"),
        ("proactivity", "delivery"),
        ("systematic", "delivery"),
        ("improvement", "delivery"),
    ]
    assert principles[4]["ok"] is True and principles[4]["note"] == "every date met"
    shown = firm.ok("show", "acme", "--json").json()["principles"]
    assert shown == principles
    service = firm.ok("show", "audit", "--json").json()["principles"]
    assert {p["group"] for p in service} == {"general"} and len(service) == 7


def test_checklist_and_show_group_the_principles(firm: Workspace) -> None:
    firm.ok("check", "acme", "trust", "communication")
    text = firm.ok("checklist", "acme").out
    general = text.index("Principles of realization and delivery (1/7)")
    delivery = text.index("Principles of delivery (1/4)")
    assert general < text.index("trust") < delivery < text.index("proactivity")
    assert "Principles of delivery (1/4)" in firm.ok("show", "acme").out
    # a service has one group: a plain heading
    assert "Principles (0/7)" in firm.ok("checklist", "audit").out
    ru = firm.ok("--lang", "ru", "checklist", "acme").out
    assert "Общие принципы (1/7)" in ru and "Принципы оказания услуг (1/4)" in ru
    matrix = firm.ok("checklist").out  # the legend of the matrix, by group
    engagements = matrix[matrix.index("Principles · Engagement") : matrix.index("· Service")]
    order = ("realization and delivery", "Trust and", "Principles of delivery", "Communication")
    assert [engagements.index(words) for words in order] == sorted(
        engagements.index(words) for words in order
    )


def test_a_workspace_may_give_its_own_principle_a_group(ws: Workspace) -> None:
    config = ws.root / "svctrack.toml"
    config.write_text(
        config.read_text("utf-8")
        + '\n[principles]\ncommunication = { label = "Comms" }\n'
        + 'care = { label = "Care", group = "delivery" }\n'
        + '\n[pipelines.service]\nprinciples = ["trust", "care", "communication"]\n'
        + '[[pipelines.service.stages]]\nid = "only"\n',
        "utf-8",
    )
    ws.ok("service", "new", "s", "--name", "S")
    got = ws.ok("checklist", "s", "--json").json()["principles"]
    assert [(p["id"], p["label"], p["group"]) for p in got] == [
        ("trust", "Trust and reliability", "general"),
        ("care", "Care", "delivery"),
        ("communication", "Comms", "delivery"),  # new words keep the default's group
    ]
    config.write_text(config.read_text("utf-8").replace('"delivery"', '"both"'), "utf-8")
    bad = ws.run("validate")
    assert bad.code == 1 and "group 'both' is not one of" in bad.out + bad.err


# --- 4. delivery after launch: pilots ---------------------------------------------------------


def test_an_engagement_of_a_service_before_delivery_is_a_pilot(ws: Workspace) -> None:
    ws.ok("service", "new", "audit", "--name", "Security audit")
    made = ws.ok("engagement", "new", "acme", "--service", "audit", "--client", "A", "--due", "+2w")
    assert made.out == "created engagement acme (preparation, due 2026-12-10)\n"
    assert made.err.count("\n") == 1
    assert made.err.startswith(
        "warning: service audit has not reached delivery (it is at planning): "
        "this engagement is a pilot"
    )
    found = ws.run("validate", "--json").json()
    assert found["ok"] is True
    (problem,) = found["problems"]
    assert problem["severity"] == "warning" and problem["path"] == "engagements/acme.toml"
    assert "is a pilot" in problem["message"]
    assert ws.run("validate", "--strict").code == 1
    # said knowingly: no warning, here or in validate
    assert ws.ok("set", "acme", "pilot", "yes").out == "acme: pilot = true\n"  # as the file says
    assert data(ws, "acme")["pilot"] is True
    ws.ok("validate", "--strict")
    quiet = ws.ok(
        "engagement", "new", "b", "--service", "audit", "--client", "B", "--due", "+2w", "--pilot"
    )
    assert quiet.err == ""
    assert ws.ok("show", "b", "--json").json()["pilot"] is True


def test_a_service_that_reached_delivery_has_no_pilots(delivering: Workspace) -> None:
    ws = delivering
    made = ws.ok("engagement", "new", "acme", "--service", "audit", "--client", "A", "--due", "+2w")
    assert made.err == ""
    ws.ok("advance", "audit", "--force")  # monitoring
    ws.ok("rework", "audit", "--note", "next iteration")  # back to planning: delivered before
    assert data(ws, "audit")["stage"] == "planning"
    again = ws.ok("engagement", "new", "b", "--service", "audit", "--client", "B", "--due", "+2w")
    assert again.err == ""
    assert ws.ok("validate", "--json").json()["problems"] == []


def test_a_closed_pilot_is_no_longer_warned_about(ws: Workspace) -> None:
    ws.ok("service", "new", "audit", "--name", "Security audit")
    ws.ok("engagement", "new", "acme", "--service", "audit", "--client", "A", "--due", "+2w")
    close(ws, "acme")
    assert ws.ok("validate", "--json").json()["problems"] == []


# --- 8. recurring engagements -------------------------------------------------------------------


def new_monthly(ws: Workspace, *more: str) -> None:
    ws.ok(
        "engagement", "new", "retainer", "--service", "audit", "--client", "ACME",
        "--start", "2026-11-01", "--due", "2026-11-30", "--every", "month", "--price", "1000",
        "--goal", "Monthly support", *more,
    )  # fmt: skip


def test_closing_a_monthly_engagement_creates_the_next_month(delivering: Workspace) -> None:
    ws = delivering
    new_monthly(ws)
    ws.ok("set", "retainer", "deadline.execution", "2026-11-20")
    ws.ok("doc", "retainer", "invoice", "--status", "signed")
    out = close(ws, "retainer")
    assert out.startswith("retainer: completion → closed (forced past final-meeting, feedback")
    assert out.endswith("\nnext period created: retainer-2026-12\n")
    nxt = data(ws, "retainer-2026-12")
    assert nxt["stage"] == "preparation"
    assert (str(nxt["start"]), str(nxt["due"])) == ("2026-12-01", "2026-12-31")  # month end kept
    assert str(nxt["deadlines"]["execution"]) == "2026-12-20"
    assert (nxt["every"], nxt["goal"], nxt["client"], nxt["service"]) == (
        "month", "Monthly support", "ACME", "audit",
    )  # fmt: skip
    assert nxt["price"] == 1000 and nxt["currency"] == "EUR"
    assert "documents" not in nxt and nxt["gates"] == {} and nxt["principles"] == {}
    (created,) = nxt["history"]
    assert created["to"] == "preparation" and created["note"] == "next month after retainer"
    # the next one's id carries its own period, not a second one
    out = close(ws, "retainer-2026-12")
    assert out.endswith("next period created: retainer-2027-01\n")
    assert (str(data(ws, "retainer-2027-01")["due"])) == "2027-01-31"
    ws.ok("validate", "--strict")


def test_month_arithmetic_clamps_at_the_month_end(delivering: Workspace) -> None:
    ws = delivering
    ws.ok(
        "engagement", "new", "r", "--service", "audit", "--client", "C", "--start", "2027-01-31",
        "--due", "2027-01-31", "--every", "month", "--goal", "g",
    )  # fmt: skip
    close(ws, "r")
    feb = data(ws, "r-2027-02")
    assert (str(feb["start"]), str(feb["due"])) == ("2027-02-28", "2027-02-28")
    close(ws, "r-2027-02")
    assert str(data(ws, "r-2027-03")["due"]) == "2027-03-31"  # the month's end stays its end


def test_quarters_and_years_name_their_period(delivering: Workspace) -> None:
    ws = delivering
    for every, item_id in (("quarter", "q"), ("year", "y")):
        ws.ok(
            "engagement", "new", item_id, "--service", "audit", "--client", "C",
            "--start", "2026-11-15", "--due", "2026-12-15", "--every", every, "--goal", "g",
        )  # fmt: skip
        close(ws, item_id)
    assert str(data(ws, "q-2027-q1")["start"]) == "2027-02-15"
    assert str(data(ws, "y-2027")["due"]) == "2027-12-15"
    close(ws, "y-2027")
    assert (ws.root / "engagements" / "y-2028.toml").exists()


def test_digits_that_are_no_period_stay_in_the_id(delivering: Workspace) -> None:
    ws = delivering
    for item_id in ("acme-iso-27001", "acme-iso-9001"):  # yearly audits of a standard
        ws.ok(
            "engagement", "new", item_id, "--service", "audit", "--client", "ACME",
            "--start", "2026-11-15", "--due", "2026-12-15", "--every", "year", "--goal", "g",
        )  # fmt: skip
        assert close(ws, item_id).endswith(f"next period created: {item_id}-2027\n")
    close(ws, "acme-iso-9001-2027")
    assert (ws.root / "engagements" / "acme-iso-9001-2028.toml").exists()


def test_cancel_ends_the_series(delivering: Workspace) -> None:
    ws = delivering
    new_monthly(ws)
    out = ws.ok("cancel", "retainer", "--note", "client stopped the retainer").out
    assert out == "retainer: preparation → cancelled\n"
    assert sorted(p.name for p in (ws.root / "engagements").iterdir()) == ["retainer.toml"]


def test_closing_again_after_reopen_makes_no_second_next(delivering: Workspace) -> None:
    ws = delivering
    new_monthly(ws)
    close(ws, "retainer")
    ws.ok("reopen", "retainer", "--note", "one more correction")
    before = ws.text("retainer-2026-12")
    out = ws.ok("advance", "retainer", "--force").out
    assert out.endswith("the next period is already there: retainer-2026-12\n")
    assert ws.text("retainer-2026-12") == before
    assert len(list((ws.root / "engagements").iterdir())) == 2


def test_an_id_taken_by_another_item_does_not_end_the_series(delivering: Workspace) -> None:
    ws = delivering
    new_monthly(ws)
    ws.ok("service", "new", "retainer-2026-12", "--name", "Something else")
    ws.ok(
        "engagement", "new", "retainer-2026-12-2", "--service", "audit", "--client", "Other",
        "--due", "2026-12-31",
    )  # fmt: skip
    out = close(ws, "retainer")
    assert out.endswith("\nnext period created: retainer-2026-12-3\n")
    nxt = data(ws, "retainer-2026-12-3")
    assert (nxt["client"], str(nxt["start"])) == ("ACME", "2026-12-01")
    ws.ok("reopen", "retainer", "--note", "one more correction")
    out = ws.ok("advance", "retainer", "--force").out
    assert out.endswith("the next period is already there: retainer-2026-12-3\n")
    assert len(list((ws.root / "engagements").iterdir())) == 3
    # the next one broken by a hand edit is still the next one: no fourth
    ws.file("retainer-2026-12-3").write_text("client = \n", "utf-8")
    ws.ok("reopen", "retainer", "--note", "and another")
    assert ws.ok("advance", "retainer", "--force").out.endswith("retainer-2026-12-3\n")
    assert len(list((ws.root / "engagements").iterdir())) == 3


def test_undo_of_the_closing_takes_the_next_one_away(delivering: Workspace) -> None:
    ws = delivering
    new_monthly(ws)
    to_completion(ws, "retainer")
    before = ws.snapshot()
    ws.ok("advance", "retainer", "--force")
    assert (ws.root / "engagements" / "retainer-2026-12.toml").exists()
    ws.ok("undo")
    assert ws.snapshot() == before


def test_every_is_checked(delivering: Workspace) -> None:
    ws = delivering
    before = ws.snapshot()
    bad = ws.run(
        "engagement",
        "new",
        "--service",
        "audit",
        "--client",
        "C",
        "--due",
        "+1w",
        "--every",
        "week",
    )
    assert bad.code == 2 and "every 'week' is not one of month, quarter, year" in bad.err
    assert ws.snapshot() == before
    new_monthly(ws)
    assert ws.run("set", "retainer", "every", "fortnight").code == 2
    ws.ok("set", "retainer", "every", "")  # no longer recurring
    assert "every" not in data(ws, "retainer")
    assert "next period" not in close(ws, "retainer")


def test_a_recurring_engagement_in_the_file_is_validated(firm: Workspace) -> None:
    path: Path = firm.file("acme")
    path.write_text(
        path.read_text("utf-8").replace('stage = "', 'every = "weekly"\nstage = "'), "utf-8"
    )
    found = firm.run("validate", "--json")
    assert found.code == 1
    assert "every 'weekly' is not one of month, quarter, year" in found.out


# --- documents in a team's git ------------------------------------------------------------------


def test_merge_file_keeps_a_status_change_and_a_document_added_there(firm: Workspace) -> None:
    from conftest import cli

    firm.ok("doc", "acme", "contract", "--name", "D-7")
    base = firm.text("acme")
    firm.ok("doc", "acme", "contract", "--status", "signed")
    ours = firm.text("acme")
    firm.file("acme").write_text(base, "utf-8")
    firm.ok("doc", "acme", "invoice", "--name", "INV-1", "--status", "sent")
    theirs = firm.text("acme")
    paths = []
    for name, text in (("base", base), ("ours", ours), ("theirs", theirs)):
        path = firm.root.parent / f"{name}.toml"
        path.write_text(text, "utf-8")
        paths.append(str(path))
    done = cli("merge-file", *paths, "engagements/acme.toml")
    assert done.code == 0, done.err
    merged = tomllib.loads(Path(paths[1]).read_text("utf-8"))["documents"]
    assert [(d["kind"], d.get("name"), d["status"]) for d in merged] == [
        ("contract", "D-7", "signed"),
        ("invoice", "INV-1", "sent"),
    ]


def test_the_site_names_documents_only_when_internal(firm: Workspace) -> None:
    firm.ok("doc", "acme", "invoice", "--name", "INV-2026-118", "--status", "sent")
    public, internal = firm.root.parent / "public", firm.root.parent / "internal"
    firm.ok("export", "site", "-o", str(public))
    firm.ok("export", "site", "--internal", "-o", str(internal))
    shown = next(public.rglob("acme.html")).read_text("utf-8")
    assert "<h2>Documents</h2>" in shown and "Invoice" in shown and "sent" in shown
    assert "INV-2026-118" not in shown
    assert "INV-2026-118" in next(internal.rglob("acme.html")).read_text("utf-8")
    assert "Principles of delivery (0/4)" in shown


def test_a_series_that_cannot_go_on_still_closes(delivering: Workspace) -> None:
    """The next period would end past 2999: the close stands, is said and exits 0; one warning
    says the series ends there and how to go on by hand; no file is made."""
    ws = delivering
    ws.ok(
        "engagement", "new", "last", "--service", "audit", "--client", "C", "--start",
        "2999-12-01", "--due", "2999-12-31", "--every", "month", "--goal", "g",
    )  # fmt: skip
    while data(ws, "last")["stage"] != "completion":
        ws.ok("advance", "last", "--force")
    result = ws.run("advance", "last", "--force")
    assert result.code == 0, result
    assert result.out.startswith("last: completion → closed")
    (warning,) = result.err.splitlines()
    assert warning.startswith("warning: last is closed, but its next month cannot be made: ")
    assert "svctrack engagement new" in warning
    assert data(ws, "last")["stage"] == "closed"
    assert sorted(p.stem for p in (ws.root / "engagements").iterdir()) == ["last"]
