"""One rule, one place: `new`, `set`, `import csv`, `edit` and `validate` refuse the same values in
the same words, because they all ask `svctrack.domain.fields`."""

from __future__ import annotations

import csv
import json
import sys
import time
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conftest import Workspace
from svctrack.domain import fields
from svctrack.domain.fields import (
    amount_problem,
    budget_problem,
    day_hours_problem,
    parse_hours,
    parse_money,
    plain,
)
from svctrack.errors import UsageError

# --- the rules as functions ------------------------------------------------------------------

HUGE = ["1e999999", "1e-999999999", "-1e15", "0.1234567", "1e99999999", "0e-999999999"]


@pytest.mark.parametrize("text", HUGE)
def test_amounts_out_of_range_are_refused_before_any_arithmetic(text: str) -> None:
    started = time.perf_counter()
    assert amount_problem(Decimal(text))  # as a file holds it
    with pytest.raises(UsageError):  # as the command line gives it
        parse_money(text)
    assert time.perf_counter() - started < 0.05  # writing 1e-999999999 out took gigabytes


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("1e999999", "an amount must be less than 1000000000000000"),
        ("1000000000000000", "an amount must be less than 1000000000000000"),
        ("1e-999999999", "an amount has at most 6 decimal places"),
        ("0.1234567", "an amount has at most 6 decimal places"),
        ("-1e15", "an amount cannot be negative"),
        ("-0.01", "an amount cannot be negative"),
    ],
)
def test_amount_messages(text: str, message: str) -> None:
    assert amount_problem(Decimal(text)) == message


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("999999999999999.999999", "999999999999999.999999"),
        ("1e3", "1000"),  # no exponent reaches a file or a message
        ("1 250,50", "1250.50"),  # the digits as given
        ("-0", "0"),
        ("0.000001", "0.000001"),
    ],
)
def test_amounts_in_range_keep_their_digits(text: str, value: str) -> None:
    assert str(parse_money(text)) == value


@given(st.decimals(allow_nan=False, allow_infinity=False))
def test_an_accepted_amount_is_plain_and_in_range(value: Decimal) -> None:
    try:
        parsed = parse_money(str(value))
    except UsageError as exc:
        assert "E+" not in exc.message and "E-" not in exc.message
        return
    assert parsed == value and amount_problem(parsed) is None
    assert "E" not in str(parsed) and abs(parsed) < 10**15


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("30h", "30 hours in one day: at most 24"),
        ("30", "30 hours in one day: at most 24"),
        ("24h30m", "24.5 hours in one day: at most 24"),
        ("99999999999999999999h", "more than 9999999999999999 hours in one day: at most 24"),
        ("0", "hours must be a number above 0"),
        ("1.1234567", "hours have at most 6 decimal places"),
    ],
)
def test_hours_in_a_day_are_written_plainly(text: str, message: str) -> None:
    with pytest.raises(UsageError) as raised:
        parse_hours(text, rule=day_hours_problem)
    assert raised.value.message == message


def test_hours_that_pass() -> None:
    assert str(parse_hours("2h30m", rule=day_hours_problem)) == "2.5"
    assert str(parse_hours("24", rule=day_hours_problem)) == "24"
    assert str(parse_hours("120", rule=budget_problem)) == "120"
    assert budget_problem(Decimal(9000)) == "a budget of 9000 hours: at most 8784"
    assert day_hours_problem(Decimal("1E+999999")) == (
        "more than 9999999999999999 hours in one day: at most 24"
    )
    assert plain(Decimal("3E+1")) == "30"


def test_the_other_rules() -> None:
    from datetime import date

    assert fields.currency_problem("EUR") is None and fields.currency_problem("eur") is None
    assert fields.currency_problem("euro") == (
        "currency 'euro': use a three-letter code such as EUR, RUB or USD"
    )
    assert fields.parse_currency(" usd ") == "USD"
    assert fields.mode_problem("remote") == "mode 'remote' is not one of online, offline, hybrid"
    assert fields.channel_problem("mail") == (
        "channel 'mail' is not one of email, call, meeting, chat, other (did you mean email?)"
    )
    assert fields.lang_problem("de") == "lang 'de' is not one of en, ru"
    assert fields.date_problem(date(9999, 12, 31)) == "date 9999-12-31 is out of range (1900–2999)"
    assert fields.date_problem(date(2999, 12, 31)) is None
    assert fields.due_problem(date(2026, 12, 2), date(2026, 12, 1)) == (
        "due 2026-12-01 is before the start 2026-12-02"
    )
    assert fields.due_problem(None, date(2026, 12, 1)) is None
    assert fields.required_problem("engagement", "client") == "an engagement needs its client"
    assert fields.price_problem(Decimal(1), "") == "a price needs its currency"


# --- the same bad value, refused by every command that takes it, in the same words ------------

OWNER = 'owner = "anna"\n'
LAST = 'note = "created"\n'  # the end of a new item's file
NEW = ("engagement", "new", "--service", "audit", "--client", "X", "--due", "2026-12-20")
ROW = {"client": "X", "service": "audit", "due": "2026-12-20"}


@dataclass
class Rule:
    name: str
    message: str
    file: tuple[str, str, str]  # the item, and a hand edit of its file: old text, new text
    set: tuple[str, ...] = ()
    new: tuple[str, ...] = ()
    csv: dict[str, str] | None = None
    other: tuple[str, ...] = ()  # the command that takes the value, where it is not set/new
    kind: str = "engagements"  # of the CSV rows


RULES = [
    Rule(
        "currency",
        "currency 'euro': use a three-letter code such as EUR, RUB or USD",
        ("acme", OWNER, OWNER + 'price = 10\ncurrency = "euro"\n'),
        set=("set", "acme", "currency", "euro"),
        new=(*NEW, "--price", "10", "--currency", "euro"),
        csv=ROW | {"price": "10", "currency": "euro"},
    ),
    Rule(
        "mode",
        "mode 'remote' is not one of online, offline, hybrid",
        ("acme", OWNER, OWNER + 'mode = "remote"\n'),
        set=("set", "acme", "mode", "remote"),
        new=(*NEW, "--mode", "remote"),
        csv=ROW | {"mode": "remote"},
    ),
    *(
        Rule(
            f"amount {amount}",
            message,
            ("acme", OWNER, OWNER + f'price = {amount}\ncurrency = "EUR"\n'),
            set=("set", "acme", "price", "--", amount),
            new=(*NEW, f"--price={amount}"),
            csv=ROW | {"price": amount},
        )
        for amount, message in [
            ("1e999999", "an amount must be less than 1000000000000000"),
            ("1e-999999999", "an amount has at most 6 decimal places"),
            ("0.1234567", "an amount has at most 6 decimal places"),
            ("-1e15", "an amount cannot be negative"),
        ]
    ),
    Rule(
        "a price without its currency",
        "a price needs its currency",
        ("acme", OWNER, OWNER + "price = 10\n"),
        set=("set", "audit", "currency", ""),  # on a service priced below
    ),
    Rule(
        "date out of range",
        "date 9999-12-31 is out of range (1900–2999)",
        ("acme", "due = 2026-12-15", "due = 9999-12-31"),
        set=("set", "acme", "due", "9999-12-31"),
        new=(*NEW[:-2], "--due", "9999-12-31"),
        csv=ROW | {"due": "31.12.9999"},
    ),
    Rule(
        "due before start",
        "due 2026-11-01 is before the start 2026-11-26",
        ("acme", "due = 2026-12-15", "due = 2026-11-01"),
        set=("set", "acme", "due", "2026-11-01"),
        new=(*NEW[:-2], "--start", "2026-11-26", "--due", "2026-11-01"),
        csv=ROW | {"due": "2026-11-01", "start": "2026-11-26"},
    ),
    Rule(
        "client required",
        "an engagement needs its client",
        ("acme", 'client = "ACME"\n', ""),
        set=("set", "acme", "client", ""),
        new=(*NEW[:4], "--client", "", *NEW[6:]),
        csv=ROW | {"client": ""},
    ),
    Rule(
        "name required",
        "a service needs its name",
        ("audit", 'name = "Security audit"\n', ""),
        set=("set", "audit", "name", " "),
        new=("service", "new", "--name", ""),
        csv={"name": "", "owner": "anna"},
        kind="services",
    ),
    Rule(
        "budget",
        "a budget of 9000 hours: at most 8784",
        ("acme", OWNER, OWNER + "budget_hours = 9000\n"),
        set=("set", "acme", "budget_hours", "9000"),
        csv=ROW | {"budget_hours": "9000"},
    ),
    Rule(
        "hours in a day",
        "30 hours in one day: at most 24",
        ("acme", LAST, LAST + "\n[[time]]\ndate = 2026-11-26\nhours = 30\n"),
        other=("log", "acme", "30h"),
    ),
    Rule(
        "channel",
        "channel 'telegram' is not one of email, call, meeting, chat, other",
        (
            "acme",
            LAST,
            LAST + '\n[[notes]]\nat = 2026-11-26T10:00:00Z\nchannel = "telegram"\ntext = "hi"\n',
        ),
        other=("note", "acme", "hi", "--channel", "telegram"),
    ),
    Rule(
        "score",
        "`speed` must be a whole number from 1 to 5, not 9",
        ("acme", LAST, LAST + "\n[[feedback]]\nat = 2026-11-26T10:00:00Z\nscore = 4\nspeed = 9\n"),
        other=("feedback", "acme", "--score", "4", "--speed", "9"),
    ),
    Rule(
        "history without a moment",
        "[[history]] entry 2: `at` is missing",
        ("acme", LAST, LAST + '\n[[history]]\nfrom = "preparation"\nto = "execution"\n'),
    ),
]

EDITOR = """
import json, pathlib, sys
old, new = json.loads(pathlib.Path(sys.argv[1]).read_text())
target = pathlib.Path(sys.argv[-1])
target.write_text(target.read_text().replace(old, new))
"""


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.name)
def test_one_rule_one_message_everywhere(
    firm: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, rule: Rule
) -> None:
    if rule.name == "a price without its currency":
        firm.ok("set", "audit", "price", "100")
    before = firm.snapshot()
    for args in (rule.set, rule.new, rule.other):
        if args:
            result = firm.run(*args)
            assert result.code in (1, 2) and rule.message in result.err, (args, result.err)
            assert "internal error" not in result.err
            assert firm.snapshot() == before
    if rule.csv is not None:
        sheet = tmp_path / "rows.csv"
        with sheet.open("w", newline="", encoding="utf-8") as out:
            writer = csv.writer(out)
            writer.writerows([list(rule.csv), list(rule.csv.values())])
        result = firm.run("import", "csv", str(sheet), "--kind", rule.kind)
        assert result.code == 1 and rule.message in result.err, result.err
        assert firm.snapshot() == before

    target, old, new = rule.file
    path = firm.file(target)
    assert old in path.read_text()
    script, change = tmp_path / "editor.py", tmp_path / "change.json"
    script.write_text(EDITOR)
    change.write_text(json.dumps([old, new]))
    monkeypatch.setenv("EDITOR", f"{sys.executable} {script} {change}")
    monkeypatch.delenv("VISUAL", raising=False)
    edited = firm.run("edit", target)
    assert edited.code == 1 and rule.message in edited.err, edited.err
    assert firm.snapshot() == before

    path.write_text(path.read_text().replace(old, new))  # by hand
    result = firm.run("validate", "--json")
    assert result.code == 1
    errors = [p["message"] for p in result.json()["problems"] if p["severity"] == "error"]
    assert any(rule.message in message for message in errors), errors


def test_languages_are_one_rule(ws: Workspace, tmp_path: Path) -> None:
    message = "lang 'de' is not one of en, ru"
    for args in (
        ("init", str(tmp_path / "other"), "--lang", "de"),
        ("--lang", "de", "status"),
        ("config", "set", "lang", "de"),
    ):
        result = ws.run(*args)
        assert result.code == 2 and message in result.err, (args, result.err)
    assert not (tmp_path / "other").exists()
    settings = ws.root / "svctrack.toml"
    settings.write_text(settings.read_text().replace('lang = "en"', 'lang = "de"'))
    settings.write_text(settings.read_text().replace('currency = "EUR"', 'currency = "euro"'))
    problems = ws.run("validate", "--json").json()["problems"]
    assert [(p["path"], p["line"], p["message"]) for p in problems] == [
        ("svctrack.toml", 3, message),
        ("svctrack.toml", 4, "currency 'euro': use a three-letter code such as EUR, RUB or USD"),
    ]


def test_a_change_that_would_break_the_item_is_refused(firm: Workspace) -> None:
    before = firm.snapshot()
    result = firm.run("set", "acme", "start", "2027-01-01")
    assert result.code == 2
    assert result.err == "error: due 2026-12-15 is before the start 2027-01-01\n"
    firm.ok("set", "acme", "price", "100")
    removed = firm.run("set", "acme", "currency", "")
    assert removed.code == 2 and removed.err == "error: a price needs its currency\n"
    firm.ok("set", "acme", "price", "")
    firm.ok("set", "acme", "currency", "")
    assert firm.snapshot() == before  # and back to the bytes it had


def test_log_says_how_many_hours_plainly(firm: Workspace) -> None:
    result = firm.run("log", "acme", "30h")
    assert result.code == 2
    assert result.err == (
        "error: 30 hours in one day: at most 24; log each day on its own (--date)\n"
    )
    assert firm.ok("log", "acme", "2h30m").out == "acme: 2.5 h logged, 2.5 h in all\n"
    assert firm.run("log", "acme", "1", "--date", "9999-12-31").code == 2


def test_new_and_import_write_the_same_file(firm: Workspace, tmp_path: Path) -> None:
    firm.ok(*NEW[:-2], "--due", "2026-12-20", "--price", "1 250,50", "--mode", "online")
    made = firm.text("x-audit")
    firm.file("x-audit").unlink()
    sheet = tmp_path / "x.csv"
    sheet.write_text('client,service,due,price,mode\nX,audit,2026-12-20,"1 250,50",online\n')
    firm.ok("import", "csv", str(sheet))
    imported = firm.text("x-audit")

    def same(text: str) -> list[str]:  # but when and why it was created
        return [line for line in text.splitlines() if not line.startswith(("at =", "note ="))]

    assert same(imported) == same(made)
    assert 'price = 1250.50\ncurrency = "EUR"\nmode' not in imported  # in `new`'s order:
    assert 'mode = "online"\nprice = 1250.50\ncurrency = "EUR"\n' in imported
