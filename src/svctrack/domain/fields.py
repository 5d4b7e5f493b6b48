"""Field rules: what each field of an item may hold, in one place.

A value may come from the command line, a CSV cell or a file; every path asks the functions here,
so that `new`, `set`, `import csv`, `edit` and `validate` refuse the same values in the same words.
A `*_problem` function says what is wrong with a value (None when nothing is); a `parse_*`
function turns command-line text into a value, or raises a usage error with that same message.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import date
from decimal import Decimal, InvalidOperation

from svctrack.domain import dates
from svctrack.errors import UsageError
from svctrack.messages import known, msg

LANGS = ("en", "ru")
MODES = ("online", "offline", "hybrid")
CHANNELS = ("email", "call", "meeting", "chat", "other")
PERIODS = ("month", "quarter", "year")  # how often a recurring engagement comes again
DOC_KINDS = ("contract", "act", "invoice", "report", "other")  # an engagement's documents
DOC_STATUSES = ("draft", "sent", "signed")  # in the order a document goes through them

# What an item cannot be without. `new` and `import csv` fill in an engagement's name
# ("<service> — <client>"), so only the others must be given.
REQUIRED = {"service": ("name",), "engagement": ("name", "service", "client", "due")}
DEFAULTED = {"service": (), "engagement": ("name",)}

# The fields `set` changes, in the order `set --help` lists them: key → (what it holds, whether
# only engagements have it). Stage deadlines (`deadline.<stage>`) and a service's roles
# (`role.<department>`) are set too; they are named after the pipeline's stages and the roles.
SETTABLE: dict[str, tuple[str, bool]] = {
    "name": ("the item's name", False),
    "owner": ("who answers for it", False),
    "client": ("the client", True),
    "due": ("the due date", True),
    "start": ("the start date", True),
    "price": ("the agreed price", False),
    "currency": ("the price's currency (ISO 4217)", False),
    "budget_hours": ("the hours budgeted", True),
    "mode": (", ".join(MODES[:-1]) + " or " + MODES[-1], False),
    "contract": ("the contract's number", True),
    "goal": ("what the client wants from it", True),
    "needs": ("the client's concrete need or problem", True),
    "every": ("month, quarter or year: a recurring engagement", True),
    "pilot": ("yes: knowingly of a service that has not reached delivery", True),
}
ENGAGEMENT_ONLY = frozenset(key for key, (_, only) in SETTABLE.items() if only)
DEADLINE_FIELD = ("deadline.<stage>", "the date by which that stage must be finished")
ROLE_FIELD = ("role.<department>", "who answers for it (services only)")


def settable_fields() -> list[tuple[str, str]]:
    """(field, what it holds) for `set --help`: the table above, then deadlines and roles."""
    rows = [
        (key, what + (" (engagements only)" if only else ""))
        for key, (what, only) in SETTABLE.items()
    ]
    return [*rows, DEADLINE_FIELD, ROLE_FIELD]


AMOUNT_DIGITS = 15  # money: below 10^15 ...
PLACES = 6  # ... with at most 6 decimal places (hours too)
DAY_HOURS = 24  # hours logged for one day
BUDGET_HOURS = 24 * 366  # an engagement's budget of hours


# --- text fields with a fixed set of values -------------------------------------------------


def suggest(word: str, choices: Iterable[str]) -> str:
    """' (did you mean X?)' when a choice is close to `word`."""
    import difflib

    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return msg("did_you_mean", names=close[0], more="") if close else ""


def choice_problem(what: str, value: str, choices: tuple[str, ...]) -> str | None:
    if value in choices:
        return None
    name = msg(f"field_{what}") if known(f"field_{what}") else what  # a new field: add its key
    said = msg("not_one_of", what=name, value=repr(value), choices=", ".join(choices))
    return msg("with_meant", message=said, meant=suggest(value, choices))


def mode_problem(value: str) -> str | None:
    """Delivery mode: online, offline or hybrid."""
    return choice_problem("mode", value, MODES)


def channel_problem(value: str) -> str | None:
    """The channel of a note: email, call, meeting, chat or other."""
    return choice_problem("channel", value, CHANNELS)


def every_problem(value: str) -> str | None:
    """How often a recurring engagement comes again: month, quarter or year."""
    return choice_problem("every", value, PERIODS)


def doc_kind_problem(value: str) -> str | None:
    """A document's kind: contract, act (of acceptance), invoice, report or other."""
    return choice_problem("doc_kind", value, DOC_KINDS)


def doc_status_problem(value: str) -> str | None:
    """A document's status: draft, sent or signed."""
    return choice_problem("doc_status", value, DOC_STATUSES)


def lang_problem(value: str) -> str | None:
    """The language of labels and messages: en or ru."""
    return choice_problem("lang", value, LANGS)


CURRENCY_CODE = "[A-Za-z]{3}"  # ISO 4217: three letters, in any case (svctrack writes them upper)
_CODE = re.compile(CURRENCY_CODE)


def currency_problem(code: str) -> str | None:
    """An ISO 4217 code: three letters."""
    if _CODE.fullmatch(code):
        return None
    return msg("bad_currency", code=repr(code))


def _parsed(problem: str | None, value: str) -> str:
    if problem:
        raise UsageError(problem)
    return value


def parse_mode(text: str) -> str:
    return _parsed(mode_problem(text), text)


def parse_channel(text: str) -> str:
    return _parsed(channel_problem(text), text)


FLAGS = {"true": True, "yes": True, "false": False, "no": False}


def parse_flag(text: str) -> bool:
    """A yes-or-no field: true, yes, false or no."""
    value = text.strip().lower()
    if value not in FLAGS:
        raise UsageError(msg("not_a_flag", value=repr(text), choices=", ".join(FLAGS)))
    return FLAGS[value]


def parse_every(text: str) -> str:
    return _parsed(every_problem(text), text)


def parse_doc_kind(text: str) -> str:
    return _parsed(doc_kind_problem(text), text)


def parse_doc_status(text: str) -> str:
    return _parsed(doc_status_problem(text), text)


def parse_lang(text: str) -> str:
    return _parsed(lang_problem(text), text)


def parse_currency(text: str) -> str:
    """An ISO 4217 code, upper-cased: `eur` → `EUR`."""
    code = text.strip()
    return _parsed(currency_problem(code), code).upper()


# --- what an item needs, and dates that go together -----------------------------------------


def required_problem(kind: str, key: str) -> str:
    return msg("needs_its", kind=msg(f"a_{kind}"), key=key)


def due_problem(start: date | None, due: date | None) -> str | None:
    """An engagement is due on or after its start."""
    if start is not None and due is not None and due < start:
        return msg("due_before_start", due=due, start=start)
    return None


def date_problem(day: date) -> str | None:
    """Dates lie within dates.FIRST..LAST (far ones are typos, and overflow date arithmetic)."""
    return dates.range_problem(day)


SCORES = (1, 5)  # the client's marks, overall and per quality: whole numbers from 1 to 5


def score_problem(key: str, value: object) -> str | None:
    """A feedback score, overall or of one quality: a whole number from 1 to 5."""
    low, high = SCORES
    if isinstance(value, int) and not isinstance(value, bool) and low <= value <= high:
        return None
    return msg("bad_score", key=key, low=low, high=high, value=repr(value))


# What a service's figures must reach for its delivery gates to be met by them (`[targets]` in
# svctrack.toml): key → (default, lowest, highest, what it is).
TARGETS: dict[str, tuple[Decimal, Decimal, Decimal, str]] = {
    "on_time": (Decimal("0.8"), Decimal(0), Decimal(1), "target_on_time"),
    "score": (Decimal(4), Decimal(SCORES[0]), Decimal(SCORES[1]), "target_score"),
}


def target_problem(key: str, value: object) -> str | None:
    """A target of `[targets]`: a known key, a number within its range (a share 0–1, a score
    1–5)."""
    if key not in TARGETS:
        known = ", ".join(TARGETS)
        return msg("not_a_target", key=key, known=known, meant=suggest(key, TARGETS))
    _, low, high, what = TARGETS[key]
    if (
        isinstance(value, bool)
        or not isinstance(value, int | Decimal)
        or not Decimal(value).is_finite()
    ):
        return msg("target_number", key=key, low=low, high=high, what=msg(what))
    if not low <= value <= high:
        return msg("target_range", key=key, low=low, high=high, what=msg(what), value=value)
    return None


def targets_problems(config: dict[str, object]) -> list[tuple[str, str]]:
    """(key, problem) for each wrong value of svctrack.toml's `[targets]` table."""
    table = config.get("targets", {})
    if not isinstance(table, dict):
        return [("targets", msg("targets_table"))]
    found = ((key, target_problem(key, value)) for key, value in table.items())
    return [(f"targets.{key}", problem) for key, problem in found if problem]


def price_problem(price: Decimal | None, currency: str) -> str | None:
    if price is not None and not currency:
        return msg("price_needs_currency")
    return None


# --- numbers: amounts of money and hours ----------------------------------------------------
# Each is judged from its sign, digits and exponent before any arithmetic: `1e999999` or
# `1e-999999999` is a valid Decimal, but writing it out or rounding it takes gigabytes.


def _places_problem(value: Decimal, what: str) -> str | None:
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and -exponent > PLACES:
        return msg(what, places=PLACES)
    return None


def amount_problem(value: Decimal | int) -> str | None:
    """An amount of money: not negative, below 10^15, at most 6 decimal places."""
    value = Decimal(value)
    if not value.is_finite():
        return msg("amount_finite")
    if value.is_signed() and value:
        return msg("amount_negative")
    problem = _places_problem(value, "amount_places")
    if problem:
        return problem
    if value and value.adjusted() >= AMOUNT_DIGITS:
        return msg("amount_too_big", limit=10**AMOUNT_DIGITS)
    return None


def hours_problem(hours: Decimal) -> str | None:
    """Hours of any kind: above 0, at most 6 decimal places."""
    if not hours.is_finite() or hours.is_signed() or not hours:
        return msg("hours_positive")
    return _places_problem(hours, "hours_places")


def _shown_hours(hours: Decimal) -> str:
    return plain(hours) if hours.adjusted() < 16 else "more than 9999999999999999"


def day_hours_problem(hours: Decimal) -> str | None:
    """Hours logged for one day: above 0, at most 24."""
    problem = hours_problem(hours)
    if problem:
        return problem
    if hours.adjusted() >= 2 or hours > DAY_HOURS:
        return msg("day_hours", hours=_shown_hours(hours), limit=DAY_HOURS)
    return None


def budget_problem(hours: Decimal) -> str | None:
    """An engagement's budget of hours: above 0, at most the hours of a year."""
    problem = hours_problem(hours)
    if problem:
        return problem
    if hours.adjusted() >= 5 or hours > BUDGET_HOURS:
        return msg("budget_hours", hours=_shown_hours(hours), limit=BUDGET_HOURS)
    return None


def plain(value: Decimal) -> str:
    """A decimal written out without exponent or trailing zeros (`3E+1` → `30`); only for
    values a rule has bounded."""
    return format(value.normalize(), "f")


def _canonical(value: Decimal) -> Decimal:
    """The digits as given, without an exponent that a file or a message would show (`1E+3` →
    `1000`) and without a sign on zero; only for values a rule has bounded."""
    exponent = value.as_tuple().exponent
    assert isinstance(exponent, int), value  # finite
    if exponent > 0:
        value = value.quantize(Decimal(1))
    return value if value else value.copy_abs()


_GROUPED = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?")  # 450,000.50: thousands, English style
_SIGNS = {"₽": "RUB", "руб.": "RUB", "руб": "RUB", "€": "EUR", "$": "USD", "£": "GBP"}


def parse_price(text: str) -> tuple[Decimal, str]:
    """An amount as the views print it, and the currency its sign names: `450 000 ₽` (RUB),
    `1 250,50 €`, `450,000 RUB`... `450000` names none ("")."""
    value, currency = text.strip(), ""
    for sign, code in _SIGNS.items():
        if value.endswith(sign) or value.startswith(sign):
            value, currency = value.replace(sign, "").strip(), code
            break
    else:
        last = value.rsplit(" ", 1)
        if len(last) == 2 and _CODE.fullmatch(last[1]):  # `450,000 RUB`, as English views say
            value, currency = last[0], last[1].upper()
            if _GROUPED.fullmatch(value):
                value = value.replace(",", "")
    return parse_money(value), currency


def priced(price: str, currency: str) -> tuple[Decimal | None, str]:
    """A price option and a currency option: the price's sign names the currency when the
    option does not (`--price "450 000 ₽"`), and the two must agree when both are given."""
    if not price:
        return None, currency
    amount, sign = parse_price(price)
    if sign and currency.strip() and currency.strip().upper() != sign:
        raise UsageError(msg("price_currency_clash", price=repr(price), currency=currency))
    return amount, currency or sign


def parse_money(text: str) -> Decimal:
    """An exact amount: `450000`, `1 250.50`, `1250,50`."""
    cleaned = text.replace(" ", "").replace("\u00a0", "").replace("_", "").replace(",", ".")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise UsageError(msg("not_amount", text=repr(text))) from None
    if not value.is_finite():
        raise UsageError(msg("not_amount", text=repr(text)))
    problem = amount_problem(value)
    if problem:
        raise UsageError(problem)
    return _canonical(value)


_NUMBER = re.compile(r"^\d+(?:[.,]\d+)?$")
_HOURS = re.compile(r"^(?:(\d+(?:[.,]\d+)?)h)?(?:(\d+)m(?:in)?)?$")


def parse_hours(text: str, rule: Callable[[Decimal], str | None]) -> Decimal:
    """Hours, exactly: `1.5`, `1,5`, `90m`, `2h`, `2h30m`; `rule` says how many may be given
    (`day_hours_problem` for a day's log, `budget_problem` for a budget)."""
    value = text.strip().lower().replace(" ", "")
    if _NUMBER.match(value):
        hours = Decimal(value.replace(",", "."))
    else:
        match = _HOURS.match(value)
        if not value or not match or not (match[1] or match[2]):
            raise UsageError(msg("not_duration", text=repr(text)))
        hours = Decimal(match[1].replace(",", ".")) if match[1] else Decimal(0)
        minutes = Decimal(match[2] or 0)
        if hours.adjusted() >= 9 or minutes.adjusted() >= 10:  # too many to add up
            hours = Decimal(10**20)
        elif not _places_problem(hours, "hours_places"):  # else the rule names the places
            hours = (hours + minutes / 60).quantize(Decimal("0.01")).normalize()
    problem = rule(hours)
    if problem:
        raise UsageError(problem)
    return _canonical(hours)
