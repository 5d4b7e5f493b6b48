"""How the columns of a table give way to a narrow terminal: the one rule every table follows.

An id, a file path or a number is never split: its column is never wrapped nor folded, so rich
shrinks the columns of free text (names, clients, notes, messages) first, and those wrap at
spaces, folding only a word longer than their width.

Tables are fitted to the width they are given (`fitted_table`): columns shrink and wrap, and
the least important ones are dropped first.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from rich.cells import cell_len
from rich.console import RenderableType
from rich.table import Table
from rich.text import Text

from svctrack.output.cells import simple_table
from svctrack.output.text import inert


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


# --- fitting columns to the width ------------------------------------------------------------

COMFORTABLE = 24  # a column this wide reads well; wider ones get room only after the others


@dataclass(frozen=True)
class Marker:
    """A row that is not data (where today falls): cells by column key, blank elsewhere."""

    cells: dict[str, RenderableType]


@dataclass(frozen=True)
class Column:
    """A column in one or more forms, narrowest first (a stage as `●◉○○`, or with its label).

    `caps` says, per form, how wide it needs to be to stay readable (less if its content is
    narrower); which forms are shown is decided by `fit` from the width at hand.
    """

    key: str
    header: str
    forms: tuple[Callable[[Any], RenderableType], ...]
    caps: tuple[int, ...]
    options: dict[str, Any] = field(default_factory=dict)


def column(
    key: str, header: str, *forms: tuple[Callable[[Any], Any], int], **options: Any
) -> Column:
    return Column(key, header, tuple(f for f, _ in forms), tuple(c for _, c in forms), options)


Step = tuple[str, int]  # (column key, form): show the column, or widen it to that form


def fit(least: Mapping[str, Sequence[int]], steps: Sequence[Step], width: int) -> dict[str, int]:
    """Which columns to show, in which form: each step, in order of importance, is taken if
    the table still fits in `width` (the first is always taken). Widening a column that is not
    shown, or naming one the table lacks, does nothing."""
    chosen: dict[str, int] = {}
    for key, form in steps:
        if key not in least or (form and key not in chosen):
            continue
        trial = {**chosen, key: form}
        needed = sum(least[k][f] for k, f in trial.items()) + 3 * len(trial) - 1
        if not chosen or needed <= width:
            chosen = trial
    return chosen


def widest_of(cells: Iterable[RenderableType]) -> int:
    widest = 1
    for cell in cells:
        plain = cell.plain if isinstance(cell, Text) else str(cell)
        widest = max(widest, *(cell_len(line) for line in plain.splitlines() or [""]))
    return widest


def fitted_table(
    rows: Sequence[Any],
    columns: Sequence[Column],
    steps: Sequence[Step],
    width: int,
    *,
    title: str | Text | None = None,
    caption: str | Text | None = None,
    styles: Callable[[Any], str] | None = None,
) -> Table:
    """A table of `rows` no wider than `width`: the columns and forms that fit, in `steps` order.

    When the content is wider than the terminal, each column gets the width it needs to stay
    readable, and what is left goes to the columns in order of importance (an id is shown whole
    before a client's name gets room); their content wraps within that. A column of ids or
    paths (`tables.whole`) is never narrower than its longest cell; headers wrap at spaces.
    """
    cells, least, natural = measure(rows, columns)
    chosen = fit(least, steps, width)
    kept = [c for c in columns if c.key in chosen]
    widths = _share(
        {k: least[k][f] for k, f in chosen.items()},
        {k: natural[k][f] for k, f in chosen.items()},
        [k for k, _ in steps],
        width - (3 * len(kept) - 1),
    )
    table = simple_table(title, caption=caption)
    for c in kept:
        header = Text(inert(c.header), no_wrap=False)
        table.add_column(header, **(c.options | {"width": widths.get(c.key)}))
    for n, row in enumerate(rows):
        style = styles(row) if styles and not isinstance(row, Marker) else None
        table.add_row(*(cells[c.key][chosen[c.key]][n] for c in kept), style=style)
    return table


def measure(
    rows: Sequence[Any], columns: Sequence[Column]
) -> tuple[dict[str, list[list[RenderableType]]], dict[str, list[int]], dict[str, list[int]]]:
    """Each column's cells in each of its forms, and the least and natural widths of each form
    (the least of a column of ids or paths is all it needs: they are never split)."""
    cells: dict[str, list[list[RenderableType]]] = {}
    least: dict[str, list[int]] = {}
    natural: dict[str, list[int]] = {}
    for c in columns:
        header = max((cell_len(w) for w in c.header.split()), default=1)
        cells[c.key], least[c.key], natural[c.key] = [], [], []
        for form, cap in zip(c.forms, c.caps, strict=True):
            made = [r.cells.get(c.key, Text()) if isinstance(r, Marker) else form(r) for r in rows]
            widest = widest_of(made)
            cells[c.key].append(made)
            least[c.key].append(max(widest if is_whole(c.options) else min(widest, cap), header))
            natural[c.key].append(max(widest, cell_len(c.header)))
    return cells, least, natural


def _share(
    least: dict[str, int], natural: dict[str, int], order: Sequence[str], room: int
) -> dict[str, int]:
    """Column widths within `room`: none when everything fits as it is (or nothing can);
    otherwise each its least, then the rest to the columns in `order`: first up to a
    comfortable width, then up to all they need."""
    if sum(natural.values()) <= room or sum(least.values()) > room:
        return {}
    widths = dict(least)
    spare = room - sum(widths.values())
    for comfortable in (COMFORTABLE, None):
        for key in dict.fromkeys(order):
            if key in widths:
                want = natural[key] if comfortable is None else min(natural[key], comfortable)
                more = max(min(spare, want - widths[key]), 0)
                widths[key] += more
                spare -= more
    return widths
