"""Dates: what "today" is, and the date forms the command line accepts."""

from __future__ import annotations

import os
import re
from datetime import date, datetime, timedelta, timezone

from svctrack.errors import UsageError
from svctrack.messages import msg

_RELATIVE = re.compile(r"^\+(\d{1,4})([dwm])$")
_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_DOTTED = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")  # DD.MM.YYYY, as Russian views print
_AMBIGUOUS = re.compile(r"^\d{1,2}[./-]\d{1,2}[./-]\d{2,4}$")

FORMS = "YYYY-MM-DD, DD.MM.YYYY, today, tomorrow, +3d, +2w or +1m"
FIRST, LAST = date(1900, 1, 1), date(2999, 12, 31)


def today() -> date:
    """Today, or the day SVCTRACK_TODAY names (for scripts, tests and reproducible reports)."""
    fixed = os.environ.get("SVCTRACK_TODAY", "").strip()
    if fixed:
        try:
            return _iso(fixed)
        except UsageError as exc:
            raise UsageError(msg("of_item", id="SVCTRACK_TODAY", message=exc.message)) from None
    return date.today()


def now() -> datetime:
    """The current moment with the local offset, to the second; on the day `today()` says."""
    moment = datetime.now().astimezone().replace(microsecond=0)
    offset = moment.utcoffset()
    if offset is not None and offset.seconds % 60:
        # TOML cannot hold an offset with seconds (some historic zones have them).
        moment = moment.astimezone(_whole_minutes(offset))
    day = today()
    if moment.date() != day:
        moment = moment.replace(year=day.year, month=day.month, day=day.day)
    return moment


def _whole_minutes(offset: timedelta) -> timezone:
    return timezone(timedelta(minutes=round(offset.total_seconds() / 60)))


def add_months(day: date, months: int) -> date:
    """The same day `months` later, clamped to the month's end (Jan 31 + 1m = Feb 28)."""
    import calendar  # months added only (`+1m`, a next period): not on every run (0.6 ms)

    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


PERIOD_MONTHS = {"month": 1, "quarter": 3, "year": 12}  # a recurring engagement's periods


def next_period(day: date, every: str) -> date:
    """`day` one period (`month`, `quarter`, `year`) later, clamped to the month's end; the
    last day of a month stays the last day (Feb 28 → Mar 31), so a series never drifts."""
    import calendar

    months = PERIOD_MONTHS[every]
    moved = add_months(day, months)
    if day.day == calendar.monthrange(day.year, day.month)[1]:
        return moved.replace(day=calendar.monthrange(moved.year, moved.month)[1])
    return moved


def period_label(day: date, every: str) -> str:
    """The period `day` falls in, as ids carry it: `2027-01`, `2027-q1`, `2027`."""
    if every == "month":
        return f"{day.year:04d}-{day.month:02d}"
    if every == "quarter":
        return f"{day.year:04d}-q{(day.month - 1) // 3 + 1}"
    return f"{day.year:04d}"


def parse_date(text: str, *, base: date | None = None) -> date:
    """Parse a command-line date; anything else is a usage error that lists the forms."""
    value = text.strip().lower()
    start = base or today()
    if value == "today":
        return start
    if value == "tomorrow":
        return start + timedelta(days=1)
    if value == "yesterday":
        return start - timedelta(days=1)
    match = _RELATIVE.match(value)
    if match:
        count, unit = int(match[1]), match[2]
        days = {"d": 1, "w": 7}.get(unit)
        moved = start + timedelta(days=count * days) if days else add_months(start, count)
        return _in_range(moved)
    return parse_day(text)


def parse_day(text: str) -> date:
    """A calendar date as people write it: `2026-12-15`, or `15.12.2026` as the Russian views
    print it (and Russian and German spreadsheets hold it). Other orders are not guessed."""
    dotted = _DOTTED.match(text.strip())
    if dotted:
        try:
            day = date(int(dotted[3]), int(dotted[2]), int(dotted[1]))
        except ValueError as exc:
            raise UsageError(msg("impossible_date", text=repr(text), reason=str(exc))) from None
        return _in_range(day)
    if _AMBIGUOUS.match(text.strip()):
        raise UsageError(msg("ambiguous_date", text=repr(text)))
    return _iso(text.strip())


def _iso(text: str) -> date:
    match = _ISO.match(text)
    if not match:
        raise UsageError(msg("not_date", text=repr(text), forms=FORMS))
    try:
        day = date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError as exc:
        raise UsageError(msg("impossible_date", text=repr(text), reason=str(exc))) from None
    return _in_range(day)


def range_problem(day: date) -> str | None:
    """Far dates are typos, and date arithmetic (calendars, charts) overflows near year 9999."""
    if FIRST <= day <= LAST:
        return None
    return msg("date_range", day=day.isoformat(), first=FIRST.year, last=LAST.year)


def _in_range(day: date) -> date:
    problem = range_problem(day)
    if problem:
        raise UsageError(problem)
    return day
