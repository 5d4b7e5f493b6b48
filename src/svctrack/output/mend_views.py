"""Tables for the commands that mend mistakes and find things: `undo --list`, `find`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.table import Table

from svctrack.output.views import column, fitted_table, text


def journal_table(entries: Sequence[Any], width: int) -> Table:
    """The recorded changes `undo` can put back, newest first (the first is undone next)."""
    columns = [
        column("n", "#", (lambda e: text(str(e[0])), 3), no_wrap=True),
        column("at", "at", (lambda e: text(e[1].at[:16].replace("T", " ")), 16), no_wrap=True),
        column("command", "command", (lambda e: text(e[1].command), 30), overflow="fold"),
        column("paths", "files", (lambda e: text(", ".join(e[1].paths)), 20), overflow="fold"),
    ]
    steps = [("command", 0), ("at", 0), ("paths", 0), ("n", 0)]
    rows = list(enumerate(entries, 1))
    return fitted_table(rows, columns, steps, width, title="Changes undo can put back")


def find_table(found: Sequence[Any], width: int) -> Table:
    """`find`: one row per match: the item, where it matched, the value that matched."""
    from svctrack.output.text import oneline

    columns = [
        column("id", "id", (lambda m: text(m.id), 64), no_wrap=True),
        column("kind", "kind", (lambda m: text(m.kind), 10), no_wrap=True),
        column("field", "where", (lambda m: text(m.field), 8), no_wrap=True),
        column("text", "text", (lambda m: text(oneline(m.text)), 30), overflow="fold"),
    ]
    steps = [("id", 0), ("text", 0), ("field", 0), ("kind", 0)]
    return fitted_table(found, columns, steps, width)
