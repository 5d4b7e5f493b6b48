"""`validate`'s findings: severity, where (a path, never split), what."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.console import Group, RenderableType
from rich.text import Text

from svctrack.messages import say
from svctrack.output.cells import OVERDUE, SOON, simple_table, text
from svctrack.output.i18n import word
from svctrack.output.tables import free, whole, widest_of
from svctrack.output.text import inert

PROBLEM_LEAST = 24  # a problem's message beside its path reads well from this width


def findings(rows: Sequence[Any], lang: str = "en", width: int | None = None) -> RenderableType:
    """`validate`'s problems: severity, where (a path, never split), what. When the longest
    path leaves too little room for the message beside it, each message goes under its path."""
    wheres = [inert(f.path + (f":{f.line}:{f.column or 1}" if f.line else "")) for f in rows]
    labels = [Text(word(f.severity, lang), style=OVERDUE if f.severity == "error" else SOON)
              for f in rows]  # fmt: skip
    needed = widest_of(labels) + widest_of(wheres) + PROBLEM_LEAST + 6
    if width is not None and needed > width:
        lines: list[RenderableType] = []
        for f, label, where in zip(rows, labels, wheres, strict=True):
            lines.append(label + Text("  ") + Text(where, no_wrap=True, overflow="ignore"))
            lines.append(text("  " + say(f.message, lang)))
        return Group(*lines)
    table = simple_table()
    table.add_column("", **whole())
    table.add_column(text(word("where", lang)), **whole(wheres))
    table.add_column(text(word("problem", lang)), **free())
    for f, label, where in zip(rows, labels, wheres, strict=True):
        table.add_row(label, Text(where), text(say(f.message, lang)))
    return table
