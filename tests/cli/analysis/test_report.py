"""`svctrack report` and the effort line of `show`, checked against a hand-computed workspace.

The engagements below are written as TOML by hand, with exact history timestamps (10:00 Moscow
time, so a stage's days are whole). What the report must say of them is worked out in the
comments beside each one and in the expected numbers of the tests.
"""

from __future__ import annotations

import shutil
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from handmade import engagement

from conftest import Workspace
from svctrack.domain import analysis
from svctrack.domain.model import Item
from svctrack.domain.pipeline import load_pipelines
from svctrack.output import figures
from svctrack.storage.changes import cache_dir
from svctrack.storage.store import Store

SERVICES = {
    "audit": 'name = "IT audit"\nstage = "delivery"\n',
    "crm": 'name = "CRM rollout"\nstage = "delivery"\n',
}

# id: (service, due, price, currency, budget, [hours], principles, history, [feedback])
# history: (from, to, day); feedback: (day, score, speed, accuracy, availability, courtesy)
ENGAGEMENTS = {
    # closed 02-06, due 02-10: on time. prep 4, exec 20, control 10, completion 2. 8 h of 10.
    "a1": (
        "audit",
        "2026-02-10",
        "1000",
        "EUR",
        "10",
        ["3.1", "4.9"],
        "individual = true\ncommunication = true\nproactivity = false\n"
        "systematic = true\nimprovement = true\n",
        [
            (None, "preparation", "2026-01-01"),
            ("preparation", "execution", "2026-01-05"),
            ("execution", "control", "2026-01-25"),
            ("control", "completion", "2026-02-04"),
            ("completion", "closed", "2026-02-06"),
        ],
        [("2026-02-06", 5, 4, 5, 3, 5)],
    ),
    # closed 03-08, due 03-01: 7 days late; one rework. prep 2, exec 10+4, control 7+10,
    # completion 2. 15 h of 10: over budget by 5.
    "a2": (
        "audit",
        "2026-03-01",
        "2000",
        "EUR",
        "10",
        ["0.1", "0.2", "14.7"],
        "individual = true\ncommunication = false\nproactivity = false\nimprovement = true\n",
        [
            (None, "preparation", "2026-02-01"),
            ("preparation", "execution", "2026-02-03"),
            ("execution", "control", "2026-02-13"),
            ("control", "execution", "2026-02-20"),
            ("execution", "control", "2026-02-24"),
            ("control", "completion", "2026-03-06"),
            ("completion", "closed", "2026-03-08"),
        ],
        [("2026-03-07", 3, 2, 4, None, 4)],
    ),
    # closed 04-24, due 04-20: 4 days late; two reworks. prep 1, exec 10+2+2, control 2+1+2,
    # completion 3. 10 h, no budget, no feedback.
    "c1": (
        "crm",
        "2026-04-20",
        "90000",
        "RUB",
        None,
        ["10"],
        "individual = true\ncommunication = true\nsystematic = true\nimprovement = true\n",
        [
            (None, "preparation", "2026-04-01"),
            ("preparation", "execution", "2026-04-02"),
            ("execution", "control", "2026-04-12"),
            ("control", "execution", "2026-04-14"),
            ("execution", "control", "2026-04-16"),
            ("control", "execution", "2026-04-17"),
            ("execution", "control", "2026-04-19"),
            ("control", "completion", "2026-04-21"),
            ("completion", "closed", "2026-04-24"),
        ],
        [],
    ),
    # closed 09-15, due 09-30: on time. prep 1, exec 10, control 2, completion 1. Budget 5, no
    # hours. Two feedback entries: the latest (score 4) counts.
    "c2": (
        "crm",
        "2026-09-30",
        "50000",
        "RUB",
        "5",
        [],
        "individual = true\ncommunication = true\nproactivity = true\n"
        "systematic = true\nimprovement = true\n",
        [
            (None, "preparation", "2026-09-01"),
            ("preparation", "execution", "2026-09-02"),
            ("execution", "control", "2026-09-12"),
            ("control", "completion", "2026-09-14"),
            ("completion", "closed", "2026-09-15"),
        ],
        [("2026-09-10", 1, 1, 1, 1, 1), ("2026-09-15", 4, 4, 4, 4, 4)],
    ),
    # open: not in the report
    "o1": (
        "audit",
        "2026-12-20",
        "500",
        "EUR",
        None,
        ["2"],
        "",
        [(None, "preparation", "2026-11-01"), ("preparation", "execution", "2026-11-02")],
        [],
    ),
    # cancelled: not in the report
    "x1": (
        "crm",
        "2026-05-20",
        "700",
        "EUR",
        None,
        [],
        "",
        [(None, "preparation", "2026-05-01"), ("preparation", "cancelled", "2026-05-02")],
        [],
    ),
}


def _toml(spec: tuple) -> str:
    service, due, price, currency, budget, hours, principles, history, feedback = spec
    lines = [
        'name = "Engagement"',
        f'service = "{service}"',
        'client = "Client"',
        f'stage = "{history[-1][1]}"',
        f"start = {history[0][2]}",
        f"due = {due}",
        f"price = {price}",
        f'currency = "{currency}"',
    ]
    if budget:
        lines.append(f"budget_hours = {budget}")
    lines += ["", "[principles]", principles]
    for source, to, day in history:
        lines += ["[[history]]"]
        if source:
            lines.append(f'from = "{source}"')
        lines += [f'to = "{to}"', f"at = {day}T10:00:00+03:00", 'by = "anna"', ""]
    for n, amount in enumerate(hours, 1):
        lines += ["[[time]]", f"date = 2026-01-{n:02d}", f"hours = {amount}", ""]
    for day, score, *marks in feedback:
        lines += ["[[feedback]]", f"at = {day}T18:00:00+03:00", f"score = {score}"]
        for key, mark in zip(("speed", "accuracy", "availability", "courtesy"), marks, strict=True):
            if mark is not None:
                lines.append(f"{key} = {mark}")
        lines.append("")
    return "\n".join(lines) + "\n"


@pytest.fixture
def agency(ws: Workspace) -> Workspace:
    for sid, text in SERVICES.items():
        (ws.root / "services" / f"{sid}.toml").write_text(text, "utf-8")
    for eid, spec in ENGAGEMENTS.items():
        (ws.root / "engagements" / f"{eid}.toml").write_text(_toml(spec), "utf-8")
    return ws


def report(ws: Workspace, *args: str) -> dict:
    return ws.ok("report", "--json", *args).json()


# --- the numbers ------------------------------------------------------------------------------


def test_the_fixture_is_valid(agency: Workspace) -> None:
    result = agency.run("validate", "--json")
    assert [p for p in result.json()["problems"] if p["severity"] == "error"] == []


def test_on_time_and_lateness(agency: Workspace) -> None:
    o = report(agency)["overall"]
    assert o["count"] == 4
    assert o["ids"] == ["a1", "a2", "c1", "c2"]
    assert o["on_time"] == {
        "count": 4,
        "on_time": 2,
        "late": 2,
        "rate": 0.5,
        "late_mean_days": 5.5,  # a2 7 days, c1 4 days
        "late_max_days": 7,
        "without_due": 0,
    }


def test_rework(agency: Workspace) -> None:
    assert report(agency)["overall"]["rework"] == {
        "count": 2,  # a2 once, c1 twice
        "rate": 0.5,
        "total": 3,
        "mean": 0.75,
    }


def test_days_in_each_stage(agency: Workspace) -> None:
    o = report(agency)["overall"]
    stages = {s["id"]: s for s in o["stages"]}
    assert [s["id"] for s in o["stages"]] == ["preparation", "execution", "control", "completion"]
    # preparation 4, 2, 1, 1
    assert stages["preparation"] | {} == {
        "id": "preparation",
        "label": "Preparation",
        "count": 4,
        "mean_days": 2,
        "median_days": 1.5,
        "total_days": 8,
    }
    # execution 20, 14, 14, 10
    assert (stages["execution"]["mean_days"], stages["execution"]["median_days"]) == (14.5, 14)
    # control 10, 17, 5, 2
    assert (stages["control"]["mean_days"], stages["control"]["median_days"]) == (8.5, 7.5)
    assert stages["control"]["total_days"] == 34
    # completion 2, 2, 3, 1
    assert (stages["completion"]["mean_days"], stages["completion"]["median_days"]) == (2, 2)
    assert o["slowest_stage"] == "execution"
    assert o["slowest_ratio"] == 1.7  # 14.5 / 8.5


def test_satisfaction_uses_the_latest_feedback(agency: Workspace) -> None:
    sat = report(agency)["overall"]["satisfaction"]
    assert sat["count"] == 3
    assert sat["score"] == 4  # (5 + 3 + 4) / 3; c2's earlier 1 does not count
    assert sat["dimensions"] == {
        "speed": {"mean": 3.33, "count": 3},  # 4, 2, 4
        "accuracy": {"mean": 4.33, "count": 3},  # 5, 4, 4
        "availability": {"mean": 3.5, "count": 2},  # 3, —, 4
        "courtesy": {"mean": 4.33, "count": 3},  # 5, 4, 4
    }
    assert sat["weakest"] == "speed"
    assert sat["without_feedback"] == 1  # c1


def test_principle_coverage(agency: Workspace) -> None:
    p = report(agency)["overall"]["principles"]
    rates = {
        i["id"]: (i["honoured"], i["not_honoured"], i["not_assessed"], i["rate"])
        for i in p["items"]
    }
    groups = {i["id"]: i["group"] for i in p["items"]}
    assert list(groups.values()) == ["general"] * 7 + ["delivery"] * 4
    # The general principles none of the four assessed: not assessed, no rate, never "least".
    unassessed = ("trust", "quality", "transparency", "deadlines", "integrity", "efficiency")
    assert {k: rates.pop(k) for k in unassessed} == dict.fromkeys(unassessed, (0, 0, 4, None))
    assert rates == {
        "individual": (4, 0, 0, 1),
        "communication": (3, 1, 0, 0.75),
        "proactivity": (1, 2, 1, 0.3333),  # of the 3 that assessed it
        "systematic": (3, 0, 1, 1),  # the one not assessed is not "not honoured"
        "improvement": (4, 0, 0, 1),
    }
    assert p["rate"] == 0.8333  # 15 of the 18 assessed
    assert p["least_honoured"] == "proactivity"


def test_money_and_hours_are_exact(agency: Workspace) -> None:
    m = report(agency)["overall"]["money"]
    assert m == {
        "revenue": [{"amount": 3000, "currency": "EUR"}, {"amount": 140000, "currency": "RUB"}],
        "hours": 33,  # 8 + 15 + 10 + 0, from 3.1 + 4.9 and 0.1 + 0.2 + 14.7: exact
        "budget_hours": 25,
        "with_budget": 3,
        "over_budget": 1,
        "over_budget_hours": 5,
        "rate": [
            {"amount": 130.43, "currency": "EUR"},  # 3000 / 23
            {"amount": 9000, "currency": "RUB"},  # c2 has no hours: only c1's 90000 / 10
        ],
    }


def test_per_service(agency: Workspace) -> None:
    services = {s["id"]: s for s in report(agency)["services"]}
    assert list(services) == ["audit", "crm"]
    audit, crm = services["audit"], services["crm"]
    assert audit["name"] == "IT audit"
    assert (audit["count"], audit["on_time"]["rate"], audit["on_time"]["late_max_days"]) == (
        2,
        0.5,
        7,
    )
    assert audit["rework"] == {"count": 1, "rate": 0.5, "total": 1, "mean": 0.5}
    assert audit["satisfaction"]["dimensions"]["availability"] == {"mean": 3, "count": 1}
    assert audit["money"]["rate"] == [{"amount": 130.43, "currency": "EUR"}]
    assert crm["rework"] == {"count": 1, "rate": 0.5, "total": 2, "mean": 1}
    assert crm["on_time"]["late_mean_days"] == 4
    assert crm["satisfaction"]["score"] == 4


def test_findings_carry_their_numbers(agency: Workspace) -> None:
    found = {f["code"]: f for f in report(agency)["findings"]}
    assert list(found) == [
        "late",
        "slow_stage",
        "rework",
        "weak_dimension",
        "no_feedback",
        "principle",
        "over_budget",
    ]
    assert found["slow_stage"]["subject"] == "execution"
    assert found["slow_stage"]["text"] == (
        "Execution takes 14.5 days on average, 1.7× any other stage."
    )
    assert found["late"]["text"] == (
        "2 of 4 engagements closed late (50% on time); late by 5.5 days on average, 7 at worst."
    )
    assert found["rework"]["values"] == {"with": 2, "count": 4, "rate": 0.5, "mean": 0.75}
    assert (
        found["weak_dimension"]["text"] == "Clients rate speed lowest: 3.33 of 5 (overall score 4)."
    )
    assert found["principle"]["subject"] == "proactivity"
    assert "1 of 3" in found["principle"]["text"]
    assert found["over_budget"]["values"] == {"over": 1, "with_budget": 3, "hours": 5}


# --- periods and filters ----------------------------------------------------------------------


def test_period_bounds_are_inclusive(agency: Workspace) -> None:
    first = report(agency, "--until", "2026-03-08")["overall"]
    assert first["ids"] == ["a1", "a2"]
    assert report(agency, "--since", "2026-03-08", "--until", "2026-04-24")["overall"]["ids"] == [
        "a2",
        "c1",
    ]
    late = report(agency, "--since", "2026-09-01")
    assert late["overall"]["ids"] == ["c2"]
    assert late["period"] == {"since": "2026-09-01", "until": None}
    assert late["overall"]["on_time"]["late_mean_days"] is None
    assert late["overall"]["satisfaction"]["score"] == 4


def test_service_filter_takes_a_prefix(agency: Workspace) -> None:
    result = report(agency, "--service", "cr")
    assert result["service"] == "crm"
    assert result["overall"]["ids"] == ["c1", "c2"]
    assert [s["id"] for s in result["services"]] == ["crm"]
    assert agency.run("report", "--service", "nothing").code == 1
    human = agency.ok("report", "--service", "crm").out
    assert "CRM rollout" in human and "All services" not in human


def test_empty_period_divides_by_nothing(agency: Workspace) -> None:
    result = report(agency, "--since", "2026-10-01")
    o = result["overall"]
    assert result["empty"] is True
    assert result["message"] == "no closed engagements in this period"
    assert o["count"] == 0
    assert o["on_time"]["rate"] is None
    assert o["rework"]["rate"] is None and o["rework"]["mean"] is None
    assert all(s["mean_days"] is None for s in o["stages"])
    assert o["satisfaction"]["score"] is None
    assert o["principles"]["rate"] is None
    assert o["money"]["rate"] == []
    assert result["findings"] == []
    human = agency.ok("report", "--since", "2026-10-01")
    assert "No closed engagements in this period." in human.out


def test_empty_workspace(ws: Workspace) -> None:
    assert report(ws)["empty"] is True
    assert "No closed engagements" in ws.ok("report").out


def test_bad_periods_are_usage_errors(agency: Workspace) -> None:
    result = agency.run("report", "--since", "2026-05-01", "--until", "2026-04-01")
    assert result.code == 2
    assert result.err.startswith("error:")
    assert agency.run("report", "--since", "05/01/2026").code == 2


def test_closed_without_a_date_is_named_not_counted(agency: Workspace) -> None:
    (agency.root / "engagements" / "u1.toml").write_text(
        # closed by hand: the history (a warning says so) never reaches it
        'name = "U"\nservice = "crm"\nclient = "C"\nstage = "closed"\ndue = 2026-01-01\n'
        '[[history]]\nto = "preparation"\nat = 2025-12-01T10:00:00+03:00\n',
        "utf-8",
    )
    result = report(agency)
    assert result["undated"] == ["u1"]
    assert result["overall"]["count"] == 4
    assert "u1" in agency.ok("report").out


# --- human output -----------------------------------------------------------------------------


def test_human_report(agency: Workspace) -> None:
    out = agency.ok("report").out
    for expected in (
        "Monitoring report",
        "All services",
        "IT audit",
        "CRM rollout",
        "Days in each stage",
        "◀ slowest",
        "◀ weakest",
        "◀ least honoured",
        "3,000 EUR",
        "130.43 EUR/h",
        "Weak spots",
        "Execution takes 14.5 days on average, 1.7× any other stage.",
        "█",
    ):
        assert expected in out, expected
    assert "<" not in out.replace("◀", "")


@pytest.mark.parametrize("columns", ["50", "80", "140"])
def test_human_report_fits_the_terminal(
    agency: Workspace, monkeypatch: pytest.MonkeyPatch, columns: str
) -> None:
    monkeypatch.setenv("COLUMNS", columns)
    out = agency.ok("report").out
    assert max(len(line) for line in out.splitlines()) <= int(columns)


def test_russian_report(agency: Workspace) -> None:
    out = agency.ok("--lang", "ru", "report").out
    assert "Отчёт о результатах" in out
    assert "Этап «Выполнение» длится в среднем 14,5 дн., в 1,7 раза дольше любого другого." in out
    assert "50\u00a0%" in out  # a no-break space before the sign, as Russian typesetting has it
    # JSON does not change with the language
    assert report(agency) == agency.ok("--lang", "ru", "report", "--json").json()


# --- the pure functions -----------------------------------------------------------------------


def _pipeline():
    return load_pipelines({})["engagement"]


def test_share_mean_median_never_divide_by_zero() -> None:
    assert analysis.share(0, 0) is None
    assert analysis.mean([]) is None
    assert analysis.median([]) is None
    assert analysis.share(2, 3) == Decimal("0.6667")
    assert analysis.median([Decimal(1), Decimal(4), Decimal(2)]) == 2
    assert str(analysis.mean([Decimal(10), Decimal(10)])) == "10"


def test_service_findings_compare_services() -> None:
    def stats(on_time: int, count: int, rate: str) -> analysis.Stats:
        s = analysis.stats([], _pipeline())
        on = analysis.OnTime(
            count, on_time, count - on_time, analysis.share(on_time, count), None, None, 0
        )
        money = analysis.Money({}, Decimal(0), Decimal(0), 0, 0, Decimal(0), {"EUR": Decimal(rate)})
        return analysis.Stats(
            count, (), on, s.rework, s.stages, None, None, s.satisfaction, s.principles, money
        )

    services = [
        analysis.ServiceStats("slow", "Slow service", stats(1, 4, "60")),
        analysis.ServiceStats("fast", "Fast service", stats(4, 4, "150")),
    ]
    overall = stats(5, 8, "100")
    found = analysis.findings(overall, services)
    assert [(f.code, f.subject) for f in found] == [
        ("late", ""),
        ("service_late", "slow"),
        ("service_rate", "slow"),
    ]
    names = {"slow": "Slow service", "fast": "Fast service"}
    text = figures.sentence(found[2], _pipeline(), "en", names)
    assert text == "Slow service earns 60 EUR an hour, against 150 EUR for Fast service."


def test_effort_is_exact() -> None:
    from svctrack.domain.model import TimeEntry

    item = Item("engagement", "e", price=Decimal("1000"), currency="EUR", budget_hours=Decimal(3))
    item.time = [
        TimeEntry(date(2026, 1, 1), Decimal("0.1")),
        TimeEntry(date(2026, 1, 2), Decimal("0.2")),
    ]
    e = analysis.effort(item)
    assert e.hours == Decimal("0.3")
    assert e.burn == Decimal("0.1")
    assert e.rate == Decimal("3333.33")
    assert not e.over_budget
    assert analysis.effort(Item("engagement", "none")).rate is None


# --- show: hours, budget, burn, rate -----------------------------------------------------------


def test_show_has_effort(firm: Workspace) -> None:
    shown = firm.ok("show", "acme", "--json").json()
    assert (shown["hours"], shown["budget_hours"], shown["burn"], shown["rate"]) == (
        0,
        None,
        None,
        None,
    )
    firm.ok("set", "acme", "price", "1000")
    firm.ok("set", "acme", "currency", "EUR")
    firm.ok("set", "acme", "budget_hours", "8")
    firm.ok("log", "acme", "0.1")
    firm.ok("log", "acme", "0.2")
    firm.ok("log", "acme", "9.7")
    shown = firm.ok("show", "acme", "--json").json()
    assert shown["hours"] == 10
    assert shown["budget_hours"] == 8
    assert shown["burn"] == 1.25
    assert shown["rate"] == {"amount": 100, "currency": "EUR"}
    out = firm.ok("show", "acme").out
    assert "10 h / 8 h (125%) · 100 EUR/h" in out
    service = firm.ok("show", "audit", "--json").json()
    assert service["rate"] is None and service["burn"] is None


def test_per_owner(agency: Workspace) -> None:
    owners = {"a1": "Olga Sokolova", "a2": "igor", "c1": "olga  Sokolova"}  # one person
    for eid, owner in owners.items():
        path = agency.root / "engagements" / f"{eid}.toml"
        text = path.read_text("utf-8")
        path.write_text(text.replace('client = "Client"', f'client = "Client"\nowner = "{owner}"'))
    doc = report(agency, "--by", "owner")
    assert doc["by"] == "owner"
    got = {
        o["owner"]: (
            o["ids"],
            o["on_time"]["rate"],
            o["money"]["hours"],
            o["satisfaction"]["score"],
        )
        for o in doc["owners"]
    }
    assert list(got) == ["igor", "Olga Sokolova", None]  # by name; no owner last
    assert got["Olga Sokolova"] == (["a1", "c1"], 0.5, 18, 5)
    assert got["igor"] == (["a2"], 0, 15, 3)
    assert got[None] == (["c2"], 1, 0, 4)
    assert report(agency)["owners"] == doc["owners"]  # JSON always carries both breakdowns
    out = agency.ok("report", "--by", "owner").out
    assert "Owner" in out and "Olga Sokolova" in out and "(no owner)" in out
    assert "IT audit" not in out.split("Owner")[1].split("\n\n")[0]  # owners' rows, not services'
    assert agency.run("report", "--by", "client").code == 2


def test_a_principle_nobody_assessed_is_not_assessed_never_not_honoured(firm: Workspace) -> None:
    for _ in range(4):
        firm.ok("advance", "acme", "--force")
    firm.ok("check", "acme", "individual")
    p = report(firm)["overall"]["principles"]
    by_id = {i["id"]: i for i in p["items"]}
    assert by_id["individual"]["rate"] == 1
    assert by_id["proactivity"] == {
        **by_id["proactivity"],
        "honoured": 0,
        "not_honoured": 0,
        "not_assessed": 1,
        "rate": None,
    }
    assert p["least_honoured"] is None and p["rate"] == 1
    out = firm.ok("report").out
    assert "1 not assessed" in out
    assert "least honoured" not in out and "honoured in only" not in out


def test_the_report_groups_the_principles_general_then_delivery(firm: Workspace) -> None:
    for _ in range(4):
        firm.ok("advance", "acme", "--force")
    out = firm.ok("report").out
    general, delivery = "Principles of realization and delivery", "Principles of delivery\n"
    assert out.index(general) < out.index("Trust and reliability") < out.index(delivery)
    assert out.index(delivery) < out.index("Communication") < out.index("Continuous improvement")
    russian = firm.ok("--lang", "ru", "report").out
    assert russian.index("Общие принципы") < russian.index("Принципы оказания услуг")


# --- the report kept in the cache -------------------------------------------------------------


def test_a_kept_report_follows_every_change(
    agency: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A report's figures are kept in the cache with the closed engagements they were made
    from: a change to one of those, by hand or by a command, an engagement closed, reopened or
    gone, another period, a renamed service or another default currency makes them anew; a
    change to an open engagement does not. Each time: what a run without the cache says."""
    from svctrack.storage import cache

    monkeypatch.setattr(cache, "FRESH_NS", -1)  # trust files at once (their ctime is now)
    made: list[object] = []
    real = analysis.report

    def counted(*args: object, **kwargs: object) -> analysis.Report:
        made.append(args)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(analysis, "report", counted)

    def check(*args: str, kept: bool) -> dict:
        before = len(made)
        got = report(agency, *args)
        assert len(made) == before + (not kept)
        assert got == agency.ok("--no-cache", "report", "--json", *args).json()  # made anew
        return got

    first = check(kept=False)
    assert check(kept=True) == first
    assert check("--since", "2026-04-01", kept=False)["overall"]["ids"] == ["c1", "c2"]
    assert check(kept=True) == first  # both kept
    assert check("--by", "owner", kept=True)["by"] == "owner"
    monkeypatch.setenv("SVCTRACK_TODAY", "2026-12-01")
    assert check(kept=True)["today"] == "2026-12-01"
    monkeypatch.setenv("SVCTRACK_TODAY", first["today"])

    agency.ok("note", "o1", "an open engagement changes")
    assert check(kept=True) == first
    path = agency.file("c2")
    path.write_text(path.read_text().replace("price = 50000", "price = 60000"))
    revenue = check(kept=False)["overall"]["money"]["revenue"]
    assert {"amount": 150000, "currency": "RUB"} in revenue
    text = path.read_text()
    path.write_text(text.replace('currency = "RUB"', ""))  # a price needs its currency
    broken = agency.run("report", "--json")
    assert broken.code == 1 and "c2.toml:7:1: a price needs its currency" in broken.err
    assert "c2" not in broken.json()["overall"]["ids"]  # type: ignore[index]
    fresh = agency.run("--no-cache", "report", "--json")
    assert (broken.out, broken.err) == (fresh.out, fresh.err)
    path.write_text(text)
    agency.ok("feedback", "c1", "--score", "2")
    assert check(kept=False)["overall"]["satisfaction"]["count"] == 4

    engagement(agency, "o2", "audit", due="2026-11-30", closed_on="2026-11-25")
    assert "o2" in check(kept=False)["overall"]["ids"]
    agency.ok("reopen", "o2", "--note", "not done")
    assert "o2" not in check(kept=False)["overall"]["ids"]
    agency.file("a2").unlink()
    assert "a2" not in check(kept=False)["overall"]["ids"]
    service = agency.root / "services" / "crm.toml"
    service.write_text(service.read_text().replace("CRM rollout", "CRM"))
    assert check(kept=False)["services"][1]["name"] == "CRM"
    settings = agency.root / "svctrack.toml"
    settings.write_text(settings.read_text().replace('currency = "EUR"', 'currency = "USD"'))
    check(kept=False)


def test_a_report_made_anew_reads_only_what_changed(
    agency: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The facts of each closed engagement are kept too: after a change to one, the report is
    made anew from the others' kept facts and that one file (on other cores when many)."""
    from svctrack.storage import cache, parallel

    monkeypatch.setattr(cache, "FRESH_NS", -1)
    first = report(agency)
    path = agency.file("c2")
    path.write_text(path.read_text().replace("price = 50000", "price = 60000"))
    read: list[str] = []
    real = Store.read_text
    monkeypatch.setattr(Store, "read_text", lambda s, p: read.append(p.name) or real(s, p))
    again = report(agency)
    assert set(read) == {"c2.toml"}
    assert again != first
    monkeypatch.setattr(Store, "read_text", real)
    assert again == agency.ok("--no-cache", "report", "--json").json()
    monkeypatch.setattr(parallel, "PARALLEL_FROM", 1)  # the facts made on every core
    agency.ok("feedback", "c1", "--score", "2")
    assert report(agency) == agency.ok("--no-cache", "report", "--json").json() != again
    folder = cache_dir(agency.root)
    assert folder is not None
    for kept in ("engagements.facts", "engagements.settled"):  # the index alone is left
        (folder / kept).unlink()
    assert report(agency) == agency.ok("--no-cache", "report", "--json").json()


def test_a_report_on_a_cold_cache_parses_each_file_once(
    agency: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With no cache, the parse that makes the index's entries makes the report's facts too."""
    folder = cache_dir(agency.root)
    assert folder is not None
    want = agency.ok("--no-cache", "report", "--json").json()
    shutil.rmtree(folder, ignore_errors=True)
    read: list[Path] = []
    real = Store.read_text
    monkeypatch.setattr(Store, "read_text", lambda s, p: read.append(p) or real(s, p))
    assert report(agency) == want
    engagements = [p.name for p in read if p.parent.name == "engagements"]
    assert sorted(engagements) == sorted(set(engagements)) and "c2.toml" in engagements
