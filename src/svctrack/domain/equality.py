"""The strict equality of parsed TOML values: what a write checks its result against, and what
the three-way merge (`domain.merge`) compares sides with. A module of its own, so that every
write does not import the merge (and build its classes) to use it."""

from __future__ import annotations

from datetime import datetime, time
from decimal import Decimal
from typing import Any


def same_data(a: Any, b: Any) -> bool:
    """Whether two parsed TOML values are the same, strictly: `1`, `1.0` and `true` differ, so
    do two datetimes of the same instant with different offsets; NaN equals NaN; a newline in a
    string is the same whether the file says CRLF or LF (tomllib reads CRLF in a multi-line
    string as LF; the editor of the files keeps it). A float read exactly (a Decimal in `a`:
    `parse_float=Decimal`) is the same as the float `b` that its text reads as."""
    if type(a) is not type(b):
        return type(a) is Decimal and type(b) is float and same_data(float(a), b)
    if isinstance(a, dict):
        return bool(a.keys() == b.keys()) and all(same_data(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same_data(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, str):
        return a.replace("\r\n", "\n") == str(b).replace("\r\n", "\n")
    if isinstance(a, float):
        return bool(a == b or (a != a and b != b))  # noqa: PLR0124  (NaN)
    if isinstance(a, datetime | time):
        return bool(a == b and a.utcoffset() == b.utcoffset())
    return bool(a == b)
