"""Tables for the commands that mend mistakes and find things: `undo --list`, `find`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.table import Table

from svctrack.output.cells import text
from svctrack.output.i18n import word
from svctrack.output.tables import column, fitted_table, free, whole


def journal_table(entries: Sequence[Any], width: int, lang: str = "en") -> Table:
    """The recorded changes `undo` can put back, newest first (the first is undone next)."""
    columns = [
        column("n", "#", (lambda e: text(str(e[0])), 3), **whole()),
        column(
            "at",
            word("undo_at", lang),
            (lambda e: text(e[1].at[:16].replace("T", " ")), 16),
            **whole(),
        ),
        column("command", word("undo_command", lang), (lambda e: text(e[1].command), 30), **free()),
        column(
            "paths",
            word("undo_files", lang),
            (lambda e: text("\n".join(e[1].paths)), 20),
            **whole(),
        ),
    ]
    steps = [("command", 0), ("at", 0), ("paths", 0), ("n", 0)]
    rows = list(enumerate(entries, 1))
    return fitted_table(rows, columns, steps, width, title=word("undo_title", lang))


def find_table(found: Sequence[Any], width: int, lang: str = "en") -> Table:
    """`find`: one row per match: the item, where it matched, the value that matched (an id
    that matched is in the id column already, whole)."""
    from svctrack.output.text import oneline

    columns = [
        column("id", "id", (lambda m: text(m.id), 64), **whole()),
        column("kind", word("find_kind", lang), (lambda m: text(m.kind), 10), **whole()),
        column("field", word("find_where", lang), (lambda m: text(m.field), 8), **whole()),
        column(
            "text", word("find_text", lang), (lambda m: text(_matched(m, oneline)), 30), **free()
        ),
    ]
    steps = [("id", 0), ("text", 0), ("field", 0), ("kind", 0)]
    return fitted_table(found, columns, steps, width)


def _matched(match: Any, oneline: Any) -> str:
    return "" if match.field == "id" else str(oneline(match.text))
