"""`deadlines`: dated obligations, soonest first, with where today falls among them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from rich.table import Table
from rich.text import Text

from svctrack.domain.pipeline import Pipeline
from svctrack.domain.queries import Obligation
from svctrack.output.cells import CURRENT, DIM, OVERDUE, SOON, days_text, text
from svctrack.output.i18n import day, days, word
from svctrack.output.tables import Marker, Step, column, fitted_table, whole


def deadlines_table(
    rows: Sequence[Obligation],
    names: dict[str, str],
    today: date,
    pipelines: dict[str, Pipeline],
    lang: str,
    width: int = 80,
) -> Table:
    """Dated obligations, soonest first; a marked row shows where today falls among them."""

    def what(o: Obligation) -> Text:
        if o.what == "due":
            return Text(word("due", lang))
        return text(pipelines[o.kind].state_label(o.what, lang))

    columns = [
        column(
            "date",
            word("date", lang),
            (lambda o: Text(day(o.date, lang), style=OVERDUE if o.overdue else ""), 10),
            no_wrap=True,
        ),
        column(
            "days",
            word("days_left", lang),
            (lambda o: _days_short(o.days_left, lang), 9),
            (lambda o: days_text(o.days_left, lang, overdue=o.overdue), 15),
            overflow="fold",
        ),
        column(
            "id",
            word("id", lang),
            (lambda o: text(o.id, "bold"), 20),
            **whole(),
        ),
        column("what", word("what", lang), (what, 12), overflow="fold"),
        column(
            "name", word("name", lang), (lambda o: text(names.get(o.id, "")), 18), overflow="fold"
        ),
        column(
            "kind",
            word("kind", lang),
            (lambda o: Text(pipelines[o.kind].name.text(lang), style=DIM), 10),
            overflow="fold",
        ),
    ]
    marker = Marker(
        {
            "date": Text(day(today, lang), style=CURRENT),
            "days": Text("◀ " + word("today", lang), style=CURRENT),
        }
    )
    at = next((n for n, o in enumerate(rows) if o.date >= today), len(rows))
    shown = [*rows[:at], marker, *rows[at:]]
    steps: list[Step] = [
        ("date", 0),
        ("days", 0),
        ("id", 0),
        ("what", 0),
        ("days", 1),
        ("name", 0),
        ("kind", 0),
    ]
    return fitted_table(shown, columns, steps, width, title=word("deadlines", lang))


def _days_short(days_left: int, lang: str) -> Text:
    """`-13d`, `today`, `4d`: where the rows above today's mark are the overdue ones."""
    if days_left == 0:
        return Text(word("today", lang), style=f"bold {SOON}")
    label = days(days_left, lang)
    if days_left < 0:
        return Text(label, style=OVERDUE)
    return Text(label, style=SOON if days_left <= 7 else "")
