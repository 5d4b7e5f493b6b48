"""`svctrack init --example`: the sample consultancy, moved in time so that it looks alive today.

The sample lives in `svctrack/sample/` (the same files as `examples/` in the repository). It was
written for ANCHOR, 2026-11-26. `fill` copies its services and engagements into a new workspace
with every date moved by (today − ANCHOR) days, so the same items are overdue and the same number
of days are left whatever day the example is created. Only the date literals change; every other
byte of a file stays as it is in the sample. The sample's own `svctrack.toml` holds nothing but
`name`, `lang` and `currency`, which `init` has already written from its options: it is not copied.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from importlib.resources import files
from importlib.resources.abc import Traversable
from typing import TYPE_CHECKING

from svctrack.domain import dates
from svctrack.errors import Refused
from svctrack.messages import msg
from svctrack.storage.paths import FOLDERS

if TYPE_CHECKING:
    from svctrack.usecases.tracker import Tracker

ANCHOR = date(2026, 11, 26)
"""The day the sample was written for: its overdue items and days left are as of this day."""

# A date, alone (`due = 2026-12-04`), as the date part of a datetime (`2026-11-13T12:00:00+03:00`)
# or in a note's text; not a piece of a longer run of digits or of an id like `NW-2026-07-01`.
DATE = re.compile(r"(?<![\w-])(\d{4})-(\d{2})-(\d{2})(?!\d)")


def sample() -> Traversable:
    """The folder of the sample workspace inside the installed package."""
    return files("svctrack").joinpath("sample")


def sample_config() -> dict[str, str]:
    """The sample's own `name` and `currency`, for a workspace that `init --example` names."""
    from svctrack.tomlparse import tomllib

    config = tomllib.loads(sample().joinpath("svctrack.toml").read_text("utf-8"))
    return {key: str(config[key]) for key in ("name", "currency") if key in config}


def sample_items() -> list[tuple[str, str, str]]:
    """(kind, id, text) of every item of the sample, services first, each kind by id."""
    items = []
    for kind, folder in FOLDERS.items():
        entries = [
            entry
            for entry in sample().joinpath(folder).iterdir()
            if entry.name.endswith(".toml") and not entry.name.startswith(".")
        ]
        for entry in sorted(entries, key=lambda e: e.name):
            items.append((kind, entry.name[:-5], entry.read_bytes().decode("utf-8")))
    return items


def shift(text: str, days: int) -> str:
    """`text` with every date literal moved by `days` days (across months, years, leap days).

    Times of day and UTC offsets of datetimes are kept; a string that only looks like a date
    (`2026-02-30`) is left alone. Raises OverflowError past year 9999 or before year 1.
    """
    if not days:
        return text

    def move(found: re.Match[str]) -> str:
        try:
            day = date(int(found[1]), int(found[2]), int(found[3]))
        except ValueError:
            return found[0]
        return (day + timedelta(days=days)).isoformat()

    return DATE.sub(move, text)


def fill(tracker: Tracker) -> list[str]:
    """Copy the sample's services and engagements into the workspace, moved to today.

    Returns the ids written. Refuses, writing nothing, when an id is taken already or the dates
    cannot be moved that far.
    """
    today = dates.today()
    days = (today - ANCHOR).days
    try:
        items = [(kind, item_id, shift(text, days)) for kind, item_id, text in sample_items()]
    except OverflowError:
        raise Refused(
            msg("example_dates", today=today),
            hint=msg("example_dates_hint"),
        ) from None
    clash = sorted(tracker.taken() & {item_id for _, item_id, _ in items})
    if clash:
        raise Refused(
            msg("example_clash", ids=", ".join(clash)),
            hint=msg("example_clash_hint"),
        )
    for kind, item_id, text in items:
        tracker.store.create(kind, item_id, text)
    return [item_id for _, item_id, _ in items]
