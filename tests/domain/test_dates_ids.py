"""Command-line dates and item ids."""

from __future__ import annotations

from datetime import date

import pytest

from svctrack.domain.dates import add_months, next_period, now, parse_date, today
from svctrack.domain.ids import id_problem, period_id, slugify, unique
from svctrack.errors import UsageError

BASE = date(2026, 1, 31)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-12-15", date(2026, 12, 15)),
        ("today", BASE),
        ("TOMORROW", date(2026, 2, 1)),
        ("+3d", date(2026, 2, 3)),
        ("+2w", date(2026, 2, 14)),
        ("+1m", date(2026, 2, 28)),  # clamped to the month's end
        ("+13m", date(2027, 2, 28)),
        ("+0d", BASE),
    ],
)
def test_parse_date(text: str, expected: date) -> None:
    assert parse_date(text, base=BASE) == expected


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("2026-02-30", "impossible"),
        ("03/04/2026", "ambiguous"),
        ("04.03.26", "ambiguous"),
        ("31.02.2026", "impossible"),
        ("next week", "not a date"),
        ("2026-1-5", "not a date"),
        ("-3d", "not a date"),
        ("", "not a date"),
    ],
)
def test_bad_dates_are_usage_errors(text: str, why: str) -> None:
    with pytest.raises(UsageError) as caught:
        parse_date(text, base=BASE)
    assert why in str(caught.value)
    assert caught.value.exit_code == 2


def test_add_months_leap_year() -> None:
    assert add_months(date(2028, 1, 31), 1) == date(2028, 2, 29)
    assert add_months(date(2026, 11, 30), 2) == date(2027, 1, 30)


def test_today_and_now_follow_svctrack_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SVCTRACK_TODAY", "2030-06-15")
    assert today() == date(2030, 6, 15)
    moment = now()
    assert moment.date() == date(2030, 6, 15)
    assert moment.utcoffset() is not None and moment.microsecond == 0
    monkeypatch.setenv("SVCTRACK_TODAY", "soon")
    with pytest.raises(UsageError):
        today()


@pytest.mark.parametrize("good", ["a", "acme-audit", "x1", "1-2-3", "a" * 64, "com10", "console"])
def test_valid_ids(good: str) -> None:
    assert id_problem(good) is None


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "-a",
        "a-",
        "A",
        "a_b",
        "a b",
        "../x",
        "a/b",
        "a.toml",
        "é",
        "a" * 65,
        "con",
        "nul",
        "com1",
        "lpt9",
    ],
)
def test_invalid_ids(bad: str) -> None:
    assert id_problem(bad)


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("Аудит безопасности", "audit-bezopasnosti"),
        ("Хлеб", "khleb"),
        ("Щука", "shchuka"),
        ("Яблоко", "iabloko"),
        ("Юг", "iug"),
        ("Объём", "obieem"),
        ("Café Müller", "cafe-muller"),
        ("  --Hello,  World!--  ", "hello-world"),
        ("!!!", "item"),
        ("CON", "con-1"),
    ],
)
def test_slugify(name: str, slug: str) -> None:
    assert slugify(name) == slug
    assert id_problem(slug) is None


def test_slugify_long_names_fit() -> None:
    slug = slugify("Очень длинное название " * 10)
    assert len(slug) <= 64 and id_problem(slug) is None


def test_unique() -> None:
    assert unique("a", set()) == "a"
    assert unique("a", {"a", "a-2"}) == "a-3"
    long = "x" * 64
    assert len(unique(long, {long})) == 64


def test_search_matches_each_value_once_and_like_reads_names_as_ids() -> None:
    from svctrack.domain.model import HistoryEntry, Item, Note
    from svctrack.domain.search import like, matches

    item = Item("engagement", "acme", name="Аудит — ООО «Ромашка»", client="ООО «Ромашка»")
    item.notes = [Note(None, "Ромашка called"), Note(None, "nothing")]
    item.history = [HistoryEntry("preparation", None, note="ромашка again")]
    assert [(m.field, m.text) for m in matches(item, "РОМАШКА")] == [
        ("name", "Аудит — ООО «Ромашка»"),
        ("client", "ООО «Ромашка»"),
        ("notes", "Ромашка called"),
        ("history", "ромашка again"),
    ]
    assert matches(item, "") == []
    rows = [("acme", "Аудит", "ООО «Ромашка»"), ("other", "x", "y")]
    assert like("romashka", rows) == ["acme"]
    assert like("oth", rows) == ["other"]


@pytest.mark.parametrize(
    ("day", "every", "moved"),
    [
        ("2026-01-31", "month", "2026-02-28"),  # clamped at the month's end
        ("2026-02-28", "month", "2026-03-31"),  # a month's last day stays its last day
        ("2026-01-30", "month", "2026-02-28"),
        ("2026-03-15", "month", "2026-04-15"),
        ("2026-11-30", "quarter", "2027-02-28"),
        ("2026-12-31", "month", "2027-01-31"),  # across the year
        ("2024-02-29", "year", "2025-02-28"),
        ("2026-06-10", "year", "2027-06-10"),
    ],
)
def test_next_period_moves_by_calendar_months(day: str, every: str, moved: str) -> None:
    assert next_period(date.fromisoformat(day), every) == date.fromisoformat(moved)


@pytest.mark.parametrize(
    ("item_id", "every", "label", "expected"),
    [
        ("retainer", "month", "2027-01", "retainer-2027-01"),
        ("retainer-2026-12", "month", "2027-01", "retainer-2027-01"),  # replaced, not appended
        ("support-2026-q4", "quarter", "2027-q1", "support-2027-q1"),
        ("audit-2026", "year", "2027", "audit-2027"),
        ("audit-2026-12", "year", "2027", "audit-2026-12-2027"),  # not a year's period
        ("plan-2026", "month", "2027-01", "plan-2026-2027-01"),  # not a month's period
        ("2026-12", "month", "2027-01", "2027-01"),
        ("x" * 64, "month", "2027-01", "x" * 56 + "-2027-01"),  # still at most 64
    ],
)
def test_the_next_period_id_carries_one_period(
    item_id: str, every: str, label: str, expected: str
) -> None:
    assert period_id(item_id, every, label) == expected
    assert id_problem(expected) is None
