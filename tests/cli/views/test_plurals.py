"""Counts in words agree with their numbers, in English (1 / other) and in Russian (1 / 2–4 /
5+, 11–14 and fractions apart), through one rule (`messages.form`; `output.i18n.plural` and
`count` are it)."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import Workspace


@pytest.fixture
def reworked(firm: Workspace) -> Workspace:
    """acme closed late, after one rework, without feedback."""
    firm.ok("set", "acme", "start", "2026-11-01")
    firm.ok("set", "acme", "due", "2026-11-20")
    for _ in range(2):
        firm.ok("advance", "acme", "--force")
    firm.ok("rework", "acme", "--note", "redo the scan")
    for _ in range(3):
        firm.ok("advance", "acme", "--force")
    return firm


def test_report_sentences_agree_with_one(reworked: Workspace) -> None:
    out = " ".join(reworked.ok("report").out.split())
    assert "1 of 1 engagement closed late" in out
    assert "1 of 1 engagement needed rework (100%), 1 rework per engagement." in out
    assert "1 of 1 closed engagement has no client feedback recorded." in out
    assert "late by 6 days on average" in out
    assert "engagements" not in out.split("Weak spots")[1]


def test_report_sentences_agree_with_two(reworked: Workspace) -> None:
    reworked.ok("engagement", "new", "beta", "-s", "audit", "-c", "Beta", "--due", "2026-11-25",
                "--start", "2026-11-24")  # fmt: skip
    for _ in range(4):
        reworked.ok("advance", "beta", "--force")
    out = " ".join(reworked.ok("report").out.split())
    assert "1 of 2 engagements needed rework (50%), 0.5 reworks per engagement." in out
    assert "2 of 2 closed engagements have no client feedback recorded." in out


def test_client_report_says_one_day_left(firm: Workspace) -> None:
    firm.ok("set", "acme", "due", "2026-11-27")
    assert "(1 day left)" in firm.ok("export", "report", "acme").out
    firm.ok("set", "acme", "due", "2026-11-28")
    assert "(2 days left)" in firm.ok("export", "report", "acme").out


def test_site_says_one_gate_item(firm: Workspace, tmp_path: Path) -> None:
    firm.ok("advance", "acme", "--force")  # execution: one gate item
    firm.ok("export", "site", "-o", str(tmp_path / "site"))
    board = (tmp_path / "site" / "index.html").read_text("utf-8")
    assert "1 of 1 gate item open" in board and "4 of 4 gate items open" in board


def test_messages_count_in_words(firm: Workspace, tmp_path: Path) -> None:
    firm.ok("engagement", "new", "beta", "-s", "audit", "-c", "Beta", "--due", "+2w")
    refused = firm.run("delete", "audit", "--yes")
    assert "is the service of 2 engagements (acme, beta)" in refused.err
    firm.ok("delete", "beta", "--yes")
    refused = firm.run("delete", "audit", "--yes")
    assert "is the service of 1 engagement (acme)" in refused.err
    renamed = firm.ok("rename", "audit", "sec-audit").out
    assert "1 engagement follow" in renamed
    csv = tmp_path / "one.csv"
    csv.write_text("id,service,client,due\ngamma,sec-audit,Gamma,2026-12-20\n", "utf-8")
    result = firm.ok("import", "csv", str(csv), "--kind", "engagement", "--dry-run")
    assert "1 engagement would be created" in result.err
    shown = firm.ok("export", "site", "-o", str(tmp_path / "site"))
    assert "2 item pages" in shown.err or "2 item pages" in shown.out


@pytest.mark.parametrize(
    ("number", "en", "ru"),
    [
        (1, "1 engagement", "1 заказ"),
        (2, "2 engagements", "2 заказа"),
        (5, "5 engagements", "5 заказов"),
        (11, "11 engagements", "11 заказов"),
        (14, "14 engagements", "14 заказов"),
        (21, "21 engagements", "21 заказ"),
        (22, "22 engagements", "22 заказа"),
        (111, "111 engagements", "111 заказов"),
    ],
)
def test_russian_and_english_forms(number: int, en: str, ru: str) -> None:
    from svctrack.output.i18n import count, plural

    assert count(number, "engagement", "en") == en
    assert count(number, "engagement", "ru") == ru
    assert plural("0,5", "day", "ru") == "дня" and plural("0.5", "day", "en") == "days"
    assert plural(1, "entry", "en") == "entry" and plural(3, "entry", "en") == "entries"


def test_the_dashboard_counts_in_russian(firm: Workspace) -> None:
    out = " ".join(firm.ok("--lang", "ru", "status").out.split())
    assert "Открыто: 1 заказ, 1 услуга" in out
    for n in range(2, 6):
        firm.ok("engagement", "new", f"e{n}", "-s", "audit", "-c", f"C{n}", "--due", "+2w")
    out = " ".join(firm.ok("--lang", "ru", "status").out.split())
    assert "Открыто: 5 заказов, 1 услуга" in out
