"""The three-way merge of one item file, as data: what each side changed since the common base,
which of theirs' changes to take, where their new entries go, and what clashes. Pure: the text
is assembled from the plan by `storage.tomlmerge`, and git calls it through `merge-file`.

The rules:

- a value changed on one side only takes that change (a key added, changed or removed);
- tables (`[deadlines]`, `[gates.<stage>]`, `[principles]`, keys of your own) merge key by key,
  so two people ticking different gate items both keep their ticks;
- an array of tables (`[[history]]`, `[[notes]]`, `[[feedback]]`, `[[time]]`, documents, any
  later one) keeps every entry either side added, once each, in time order (by `at`, else
  `date`), each side's own order kept. Entries are matched by what they hold, not by where they
  stand, so an entry an earlier merge put in the middle is still known; a base entry changed
  on one side (a document's status) takes that change, one removed on one side goes;
- anything else changed on both sides to different values is a clash: the caller marks it.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Any

from svctrack.domain.equality import same_data

Path = tuple[str | int, ...]  # keys of tables and indices of entries, from the top


class _Missing:
    """No value: the key is absent on that side."""

    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()


@dataclass(frozen=True)
class Take:
    """Theirs' value at `source` replaces ours' at `path` (theirs' absent: ours' key goes)."""

    path: Path  # in ours
    source: Path  # in theirs: the same keys, but an entry may stand at another index


@dataclass(frozen=True)
class Entries:
    """The array of tables at `path` (in ours; `source` in theirs) becomes `layout`: ours'
    entries that stay, in their order, with theirs' new ones among them: ("ours", i) and
    ("theirs", j), indices into each side's array as it was."""

    path: Path
    source: Path
    layout: tuple[tuple[str, int], ...]


@dataclass(frozen=True)
class Clash:
    """Both sides changed the value at `path` (ours) / `source` (theirs) differently; `at` is
    where it stands in the merged data. Either side may be absent."""

    path: Path
    source: Path
    at: Path


@dataclass
class Plan:
    """What to do to ours to merge theirs in, and the data the result must hold (ours' value
    wherever there is a clash)."""

    data: dict[str, Any]
    takes: list[Take] = field(default_factory=list)
    entries: list[Entries] = field(default_factory=list)
    clashes: list[Clash] = field(default_factory=list)


def plan(base: Mapping[str, Any], ours: Mapping[str, Any], theirs: Mapping[str, Any]) -> Plan:
    """The three-way merge of three parsed files (`base` is `{}` for a file both sides added)."""
    result = Plan({})
    merged = _merge(_Where((), (), ()), base, ours, theirs, result)
    result.data = merged if isinstance(merged, dict) else {}
    return result


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


def _canon(value: Any) -> Hashable:
    """A value as a key that two parsed values share exactly when `same_data` holds."""
    if isinstance(value, dict):
        return ("table", tuple(sorted((k, _canon(v)) for k, v in value.items())))
    if isinstance(value, list):
        return ("array", tuple(_canon(v) for v in value))
    if isinstance(value, str):
        return ("str", value.replace("\r\n", "\n"))
    if isinstance(value, float):
        return ("float", "nan" if value != value else repr(value))  # noqa: PLR0124
    if isinstance(value, datetime | time):
        return (type(value).__name__, value.isoformat())
    return (type(value).__name__, repr(value))


@dataclass(frozen=True)
class _Where:
    """One place in the three files: its path in ours, in theirs, and in the merged data."""

    ours: Path
    theirs: Path
    at: Path

    def key(self, key: str) -> _Where:
        return _Where((*self.ours, key), (*self.theirs, key), (*self.at, key))

    def entry(self, mine: int, yours: int, at: int) -> _Where:
        return _Where((*self.ours, mine), (*self.theirs, yours), (*self.at, at))


def _merge(where: _Where, base: Any, ours: Any, theirs: Any, result: Plan) -> Any:
    """The merged value at `where` (MISSING: absent); records what to take, lay out or mark."""
    if same_data(ours, theirs) or same_data(base, theirs):
        return ours  # the same on both sides, or theirs left it as it was
    if isinstance(ours, dict) and isinstance(theirs, dict):
        old = base if isinstance(base, dict) else {}
        merged = {}
        for key in dict.fromkeys([*ours, *theirs]):
            value = _merge(
                where.key(key), old.get(key, MISSING), ours.get(key, MISSING),
                theirs.get(key, MISSING), result,
            )  # fmt: skip
            if value is not MISSING:
                merged[key] = value
        return merged
    if entries(ours) and entries(theirs) and (base is MISSING or entries(base)):
        merged_entries = _merge_entries(
            where, [] if base is MISSING else base, ours, theirs, result
        )
        if merged_entries is not None:
            return merged_entries
    if same_data(base, ours):
        result.takes.append(Take(where.ours, where.theirs))
        return theirs
    result.clashes.append(Clash(where.ours, where.theirs, where.at))
    return ours


@dataclass
class _Alignment:
    """How one side's entries stand to the base's: each base entry kept as it was, changed (and
    where it is now), or removed; and the side's entries the base does not have."""

    same: dict[int, int] = field(default_factory=dict)  # base index → side index
    changed: dict[int, int] = field(default_factory=dict)
    added: list[int] = field(default_factory=list)


def _align(base: list[dict[str, Any]], side: list[dict[str, Any]]) -> _Alignment:
    """Which entries of `side` are which of `base`'s: equal entries matched in order; where a
    run of base entries gave way to a run of new ones, an entry sharing at least half its keys
    and values with a base entry counts as that entry changed (a document's status)."""
    from difflib import SequenceMatcher

    found = _Alignment()
    codes = SequenceMatcher(
        None, [_canon(e) for e in base], [_canon(e) for e in side], autojunk=False
    ).get_opcodes()
    for tag, b1, b2, s1, s2 in codes:
        if tag == "equal":
            found.same.update(zip(range(b1, b2), range(s1, s2), strict=True))
            continue
        free = list(range(b1, b2))
        for n in range(s1, s2):
            twin = next((k for k in free if _alike(base[k], side[n])), None)
            if twin is None:
                found.added.append(n)
            else:
                free.remove(twin)
                found.changed[twin] = n
    return found


def _alike(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    shared = sum(1 for k in a if k in b and same_data(a[k], b[k]))
    return 2 * shared >= max(len(a), len(b), 1)


def _merge_entries(
    where: _Where,
    base: list[dict[str, Any]],
    ours: list[dict[str, Any]],
    theirs: list[dict[str, Any]],
    result: Plan,
) -> list[Any] | None:
    """An array of tables merged entry by entry; None when the sides cannot be merged so (one
    removed an entry the other changed: the caller marks the whole array)."""
    mine, yours = _align(base, ours), _align(base, theirs)
    mine_of = {**mine.same, **mine.changed}  # base index → ours index
    theirs_of = {**yours.same, **yours.changed}  # base index → theirs index
    dropped: set[int] = set()
    pairs: list[tuple[int, int, int]] = []  # base, ours, theirs index: to merge key by key
    for k in range(len(base)):
        in_ours, in_theirs = mine_of.get(k), theirs_of.get(k)
        if in_theirs is None:  # theirs removed it
            if in_ours is None:
                continue
            if k in mine.changed:
                return None
            dropped.add(in_ours)
        elif k in yours.changed:
            if in_ours is None:
                return None
            pairs.append((k, in_ours, in_theirs))
    layout: list[tuple[str, int]] = [("ours", i) for i in range(len(ours)) if i not in dropped]
    twins: dict[int, int] = {}  # theirs' new entry → ours' equal new one (added on both: once)
    for j in yours.added:
        twin = next(
            (i for i in mine.added if i not in twins.values() and same_data(ours[i], theirs[j])),
            None,
        )
        if twin is not None:
            twins[j] = twin
    known = {theirs_of[k]: mine_of[k] for k in mine_of if k in theirs_of}
    known |= twins  # theirs index → ours index, for what stands on both sides
    for j in yours.added:
        if j in twins:
            continue
        layout.insert(_place(layout, ours, theirs, known, j), ("theirs", j))
    merged: list[Any] = []
    by_ours = {i: (k, t) for k, i, t in pairs}
    for at, (side, n) in enumerate(layout):
        if side == "theirs":
            merged.append(theirs[n])
        elif n in by_ours:
            k, t = by_ours[n]
            merged.append(_merge(where.entry(n, t, at), base[k], ours[n], theirs[t], result))
        else:
            merged.append(ours[n])
    if layout != [("ours", i) for i in range(len(ours))]:
        result.entries.append(Entries(where.ours, where.theirs, tuple(layout)))
    return merged


def _place(
    layout: list[tuple[str, int]],
    ours: list[dict[str, Any]],
    theirs: list[dict[str, Any]],
    known: dict[int, int],
    j: int,
) -> int:
    """Where theirs' new entry `j` goes: after the entry before it in theirs (so theirs' order
    stays), then past ours' own new entries that are not later than it (time order; a tie or
    an entry without a time: ours' first)."""
    position = 0
    for before in range(j - 1, -1, -1):
        if before in known:
            position = layout.index(("ours", known[before])) + 1
            break
        if ("theirs", before) in layout:
            position = layout.index(("theirs", before)) + 1
            break
    when = moment(theirs[j])
    in_theirs = set(known.values())
    while position < len(layout):
        side, n = layout[position]
        if side != "ours" or n in in_theirs:
            break
        mine = moment(ours[n])
        if when is not None and mine is not None and mine > when:
            break
        position += 1
    return position
