"""Values typed on the command line (amounts, hours, currencies, modes) and their checks."""

from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation

from svctrack.domain.model import MODES
from svctrack.errors import UsageError


def parse_money(text: str) -> Decimal:
    """An exact amount: `450000`, `1 250.50`, `1250,50`."""
    cleaned = text.replace(" ", "").replace("\u00a0", "").replace("_", "").replace(",", ".")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise UsageError(f"not an amount: {text!r}") from None
    if not value.is_finite() or value < 0:
        raise UsageError(f"not an amount: {text!r}")
    return value


_HOURS = re.compile(r"^(?:(\d+(?:[.,]\d+)?)h)?(?:(\d+)m(?:in)?)?$")


def parse_hours(text: str) -> Decimal:
    """Hours spent, exactly: `1.5`, `1,5`, `90m`, `2h`, `2h30m`."""
    value = text.strip().lower().replace(" ", "")
    if re.fullmatch(r"\d+(?:[.,]\d+)?", value):
        hours = Decimal(value.replace(",", "."))
    else:
        match = _HOURS.match(value)
        if not value or not match or not (match[1] or match[2]):
            raise UsageError(f"not a duration: {text!r} (use 1.5, 90m or 2h30m)")
        hours = Decimal(match[1].replace(",", ".") if match[1] else 0)
        hours += Decimal(int(match[2] or 0)) / 60
        hours = hours.quantize(Decimal("0.01")).normalize()
    if not hours.is_finite() or hours <= 0 or hours > 24 * 366:
        raise UsageError(f"not a duration: {text!r} (use 1.5, 90m or 2h30m)")
    return hours


CURRENCY_CODE = "[A-Za-z]{3}"  # ISO 4217: three letters, in any case (svctrack writes them upper)


def parse_currency(text: str) -> str:
    """An ISO 4217 code, upper-cased: `eur` → `EUR`."""
    code = text.strip()
    if not re.fullmatch(CURRENCY_CODE, code):
        raise UsageError(f"currency {text!r}: use a three-letter code such as EUR, RUB or USD")
    return code.upper()


def parse_mode(text: str) -> str:
    if text not in MODES:
        raise UsageError(f"mode must be one of {', '.join(MODES)}")
    return text


def suggest(word: str, choices: Iterable[str]) -> str:
    """' (did you mean X?)' when a choice is close to `word`."""
    import difflib

    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean {close[0]}?)" if close else ""
