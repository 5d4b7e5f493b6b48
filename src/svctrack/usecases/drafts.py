"""A new item before it is written: its fields and what the rules say against them (`Draft`),
and what a new engagement may say beyond its service, client and due date (`Terms`). Apart
from the tracker, so that a write to an existing item does not build their classes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from svctrack.domain.model import Problem


@dataclass
class Draft:
    """A new item, not yet written: its fields in the order a file lists them, and what the
    field rules say against them (the errors `validate` would report). `new` and `import csv`
    both make one, then write it with `Tracker.write_new`."""

    kind: str
    basis: str  # what the id is derived from when none is given
    fields: dict[str, Any]
    problems: list[Problem]
    item_id: str = ""

    @property
    def stage(self) -> str:
        return str(self.fields["stage"])


@dataclass(frozen=True)
class Terms:
    """What a new engagement may say beyond its service, client and due date; what it leaves
    out its service gives (owner, mode, currency) or a rule does (the name, the start)."""

    name: str = ""
    start: date | None = None
    owner: str = ""
    mode: str = ""
    price: Decimal | None = None
    currency: str = ""
    contract: str = ""
    budget_hours: Decimal | None = None
    goal: str = ""
    needs: str = ""
    every: str = ""
    pilot: bool = False
    deadlines: dict[str, date] | None = None
