"""How the columns of a table give way to a narrow terminal: the one rule every table follows.

An id, a file path or a number is never split: its column is never wrapped nor folded, so rich
shrinks the columns of free text (names, clients, notes, messages) first, and those wrap at
spaces, folding only a word longer than their width.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rich.cells import cell_len


def whole(values: Iterable[object] = ()) -> dict[str, Any]:
    """Column options for ids, paths and numbers: never wrapped, never narrower than the
    longest of `values` (when they are known before the rows are added)."""
    longest = max((cell_len(str(v)) for v in values), default=0)
    return {"no_wrap": True, "min_width": longest or None}


def free(**options: Any) -> dict[str, Any]:
    """Column options for free text: shrinks and wraps first, at spaces where it can."""
    return {"overflow": "fold", **options}


def is_whole(options: dict[str, Any]) -> bool:
    """Whether a column's options keep its cells whole (as `whole` makes them)."""
    return bool(options.get("no_wrap"))
