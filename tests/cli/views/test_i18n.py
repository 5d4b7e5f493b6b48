"""Labels, numbers and dates in English and Russian; the choice of language."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from svctrack.messages import pick_lang
from svctrack.output.i18n import count, counts_line, day, days, days_overdue, money, word


@pytest.mark.parametrize(
    ("flag", "env", "user", "workspace", "locale", "expected"),
    [
        ("ru", "en", "en", "en", "en_US.UTF-8", "ru"),
        (None, "ru", "en", "en", "en_US.UTF-8", "ru"),
        (None, None, "ru", "en", "en_US.UTF-8", "ru"),  # a person's preference beats the team's
        (None, None, "en", "ru", "ru_RU.UTF-8", "en"),
        (None, None, None, "ru", "en_US.UTF-8", "ru"),
        (None, None, None, None, "ru_RU.UTF-8", "ru"),
        (None, None, None, None, "ru", "ru"),
        (None, None, None, None, "de_DE.UTF-8", "en"),
        (None, None, None, None, "", "en"),
        (None, "de", None, None, "", "en"),  # an unknown language is passed over
    ],
)
def test_pick_lang_order(
    monkeypatch: pytest.MonkeyPatch,
    flag: str | None,
    env: str | None,
    user: str | None,
    workspace: str | None,
    locale: str,
    expected: str,
) -> None:
    monkeypatch.setenv("LANG", locale)
    assert pick_lang(flag, env, user, workspace) == expected


def test_lc_all_outranks_lang(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    monkeypatch.setenv("LC_ALL", "ru_RU.UTF-8")
    assert pick_lang(None, None, None, None) == "ru"


@pytest.mark.parametrize(
    ("amount", "currency", "lang", "expected"),
    [
        ("450000", "RUB", "ru", "450\u00a0000\u00a0₽"),
        ("450000", "RUB", "en", "450,000 RUB"),
        ("1250.5", "EUR", "ru", "1\u00a0250,50\u00a0€"),
        ("1250.5", "EUR", "en", "1,250.50 EUR"),
        ("0.30", "USD", "en", "0.30 USD"),
        ("99", "CHF", "ru", "99\u00a0CHF"),
        ("5", "", "en", "5"),
    ],
)
def test_money(amount: str, currency: str, lang: str, expected: str) -> None:
    assert money(Decimal(amount), currency, lang) == expected


def test_dates_and_days() -> None:
    assert day(date(2026, 12, 5), "en") == "2026-12-05"
    assert day(date(2026, 12, 5), "ru") == "05.12.2026"
    assert day(None, "ru") == "—"
    assert (days(3, "en"), days(3, "ru")) == ("3d", "3 дн.")
    assert (days_overdue(6, "en"), days_overdue(6, "ru")) == ("6d overdue", "просрочка 6 дн.")


@pytest.mark.parametrize(
    ("number", "ru"),
    [
        (0, "0 услуг"),
        (1, "1 услуга"),
        (2, "2 услуги"),
        (4, "4 услуги"),
        (5, "5 услуг"),
        (11, "11 услуг"),
        (12, "12 услуг"),
        (14, "14 услуг"),
        (21, "21 услуга"),
        (22, "22 услуги"),
        (111, "111 услуг"),
        (101, "101 услуга"),
    ],
)
def test_russian_plurals(number: int, ru: str) -> None:
    assert count(number, "service", "ru") == ru
    assert count(number, "service", "en") == f"{number} service" + ("" if number == 1 else "s")


def test_counts_line() -> None:
    assert counts_line(1, 3, 2, 0, "en") == (
        "Open: 1 engagement, 3 services · overdue: 2 · due within 7 days: 0"
    )
    assert counts_line(21, 5, 2, 1, "ru") == (
        "Открыто: 21 заказ, 5 услуг · просрочено: 2 · срок в ближайшие 7 дней: 1"
    )


def test_every_label_has_both_languages() -> None:
    from svctrack.output.i18n import _WORDS

    for key, (en, ru) in _WORDS.items():
        assert en and ru, key
        assert word(key, "en") == en and word(key, "ru") == ru
    assert word("no-such-label", "ru") == "no-such-label"
