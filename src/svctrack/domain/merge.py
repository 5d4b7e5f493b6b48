"""The three-way merge of one item file, as data: what each side changed since the common base,
which of theirs' changes to take, where their new entries go, and what clashes. Pure: the text
is assembled from the plan by `storage.tomlmerge`, and git calls it through `merge-file`.

The rules:

- a value changed on one side only takes that change (a key added, changed or removed);
- tables (`[deadlines]`, `[gates.<stage>]`, `[principles]`, keys of your own) merge key by key,
  so two people ticking different gate items both keep their ticks;
- an array of tables whose base entries both sides kept (`[[history]]`, `[[notes]]`,
  `[[feedback]]`, `[[time]]`, any later one that only grows) keeps every entry either side
  added, once each, the new ones in time order (by `at`, else `date`); a base entry changed on
  one side (a document's status) takes that change;
- anything else changed on both sides to different values is a clash: the caller marks it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Any

Path = tuple[str | int, ...]  # keys of tables and indices of entries, from the top


class _Missing:
    """No value: the key is absent on that side."""

    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()


@dataclass(frozen=True)
class Take:
    """Theirs' value at `path` replaces ours' (theirs' absent: ours' key is removed)."""

    path: Path


@dataclass(frozen=True)
class Insert:
    """Theirs' entry `theirs` of the array at `path` goes in at position `at` of the result."""

    path: Path
    at: int
    theirs: int


@dataclass(frozen=True)
class Clash:
    """Both sides changed `path` to different values (either may be absent)."""

    path: Path


@dataclass
class Plan:
    """What to do to ours to merge theirs in, and the data the result must hold (ours' value
    wherever there is a clash)."""

    data: dict[str, Any]
    takes: list[Take] = field(default_factory=list)
    inserts: list[Insert] = field(default_factory=list)
    clashes: list[Clash] = field(default_factory=list)


def plan(base: Mapping[str, Any], ours: Mapping[str, Any], theirs: Mapping[str, Any]) -> Plan:
    """The three-way merge of three parsed files (`base` is `{}` for a file both sides added)."""
    result = Plan({})
    merged = _merge((), base, ours, theirs, result)
    result.data = merged if isinstance(merged, dict) else {}
    return result


def same_data(a: Any, b: Any) -> bool:
    """Whether two parsed TOML values are the same, strictly: `1`, `1.0` and `true` differ, so
    do two datetimes of the same instant with different offsets; NaN equals NaN; a newline in a
    string is the same whether the file says CRLF or LF (tomllib reads CRLF in a multi-line
    string as LF; the editor of the files keeps it)."""
    if type(a) is not type(b):
        return False
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


def entries(value: Any) -> bool:
    """Whether `value` is an array of tables (`[[notes]]`, or `notes = [{...}]`)."""
    return isinstance(value, list) and all(isinstance(v, dict) for v in value)


def moment(entry: Mapping[str, Any]) -> datetime | None:
    """When an entry happened, for its place in time: its `at`, else its `date` (midnight
    UTC); a time without an offset is taken as UTC. None when it says neither."""
    for key in ("at", "date"):
        value = entry.get(key)
        if isinstance(value, datetime):
            return value if value.tzinfo else value.replace(tzinfo=UTC)
        if isinstance(value, date):
            return datetime.combine(value, time(), UTC)
    return None


def interleave(
    ours: Sequence[Mapping[str, Any]], theirs: Sequence[Mapping[str, Any]]
) -> Iterator[tuple[str, int]]:
    """The new entries of both sides in time order, each side's own order kept: ("ours", i) and
    ("theirs", j). An entry that says no time, or a tie, goes after ours' one in front of it."""
    i = j = 0
    while i < len(ours) or j < len(theirs):
        if j >= len(theirs):
            yield "ours", i
            i += 1
            continue
        if i >= len(ours):
            yield "theirs", j
            j += 1
            continue
        mine, other = moment(ours[i]), moment(theirs[j])
        if mine is not None and other is not None and other < mine:
            yield "theirs", j
            j += 1
        else:
            yield "ours", i
            i += 1


def _merge(path: Path, base: Any, ours: Any, theirs: Any, result: Plan) -> Any:
    """The merged value at `path` (MISSING: absent); records what to take, insert or mark."""
    if same_data(ours, theirs) or same_data(base, theirs):
        return ours  # the same on both sides, or theirs left it as it was
    if isinstance(ours, dict) and isinstance(theirs, dict):
        old = base if isinstance(base, dict) else {}
        merged = {}
        for key in dict.fromkeys([*ours, *theirs]):
            value = _merge(
                (*path, key), old.get(key, MISSING), ours.get(key, MISSING),
                theirs.get(key, MISSING), result,
            )  # fmt: skip
            if value is not MISSING:
                merged[key] = value
        return merged
    if entries(ours) and entries(theirs) and (base is MISSING or entries(base)):
        old = [] if base is MISSING else base
        if len(ours) >= len(old) and len(theirs) >= len(old):
            return _merge_entries(path, old, ours, theirs, result)
    if same_data(base, ours):
        result.takes.append(Take(path))
        return theirs
    result.clashes.append(Clash(path))
    return ours


def _merge_entries(
    path: Path,
    base: list[dict[str, Any]],
    ours: list[dict[str, Any]],
    theirs: list[dict[str, Any]],
    result: Plan,
) -> list[Any]:
    """Base entries merged one by one where they stand; the new ones of both, in time order."""
    head = [_merge((*path, n), old, ours[n], theirs[n], result) for n, old in enumerate(base)]
    start = len(base)
    mine = ours[start:]
    others = [
        (start + j, entry)
        for j, entry in enumerate(theirs[start:])
        if not any(same_data(entry, m) for m in mine)  # added on both sides: once
    ]
    merged: list[Any] = list(head)
    for side, index in interleave(mine, [entry for _, entry in others]):
        if side == "theirs":
            result.inserts.append(Insert(path, len(merged), others[index][0]))
            merged.append(others[index][1])
        else:
            merged.append(mine[index])
    return merged
