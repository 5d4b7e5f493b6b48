"""`svctrack history`: an item's history entries and the git commits, as one table."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich import box
from rich.table import Table

from svctrack.messages import say
from svctrack.output.cells import text
from svctrack.output.i18n import word
from svctrack.output.tables import free, whole
from svctrack.output.text import inert


def story(rows: Sequence[dict[str, Any]], lang: str = "en") -> Table:
    """`svctrack history`: history entries and commits, oldest first. Notes, names and commit
    subjects come from the data (and from anyone's `git commit -m`): shown inert."""
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    heads = {title: word(f"story_{title}", lang) for title in ("when", "who", "what", "commit")}
    table.add_column(heads["when"], **whole())
    table.add_column(heads["who"], **free())
    table.add_column(heads["what"], **free(ratio=3))
    table.add_column(heads["commit"], **whole(inert(row["commit"] or "") for row in rows))
    for row in rows:
        when = row["at"].strftime("%Y-%m-%d %H:%M") if row["at"] else ""
        note = word("created", lang) if row["note"] == "created" else row["note"]
        what = say(row["what"], lang) + (f" — {note}" if note else "")
        table.add_row(when, text(row["by"]), text(what), text(row["commit"] or ""))
    return table
