"""merge-file's merge under random edits: two copies of one item file, each edited as svctrack
edits files (entries appended, keys set, gate items and principles ticked), merged. Every
entry either side appended is there once, every one-sided change is taken, every key both
changed differently is marked, and the result is valid TOML and a valid item."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import tomlkit
from hypothesis import given, settings
from hypothesis import strategies as st

from svctrack.domain.model import item_from_data
from svctrack.storage.linemerge import merge_edit
from svctrack.storage.tomledit import Editor
from svctrack.storage.tomlmerge import merge_texts
from svctrack.tomlparse import tomllib

BASE = """\
name = "IT audit — Kaskad"
service = "audit"
client = "Kaskad"
stage = "preparation"
start = 2026-11-02
due = 2026-12-15
owner = "Olga"   # who answers for it

[deadlines]

[gates]

[gates.preparation]
terms-agreed = true

[principles]

[[history]]
to = "preparation"
at = 2026-11-02T10:00:00+03:00
by = "Olga"
note = "created"

[[notes]]
at = 2026-11-03T10:00:00+03:00
channel = "call"
by = "Olga"
text = "kick-off"
"""

START = datetime(2026, 11, 20, 9, tzinfo=UTC)
KEYS = {
    "due": [date(2026, 12, 16), date(2026, 12, 20), date(2027, 1, 10)],
    "owner": ["Anna", "Igor", "Olga"],
    "contract": ["D-1", "D-2"],
    "my-key": ["x", "y"],
    "deadlines.execution": [date(2026, 12, 1), date(2026, 12, 5)],
}
GATES = ["resources-assigned", "interaction-agreed", "terms-agreed"]
PRINCIPLES = ["communication", "proactivity", "systematic"]

edit = st.one_of(
    st.tuples(st.just("notes"), st.integers(0, 10_000)),
    st.tuples(st.just("time"), st.integers(0, 20)),
    st.tuples(st.just("feedback"), st.integers(1, 5)),
    st.tuples(st.just("set"), st.sampled_from(sorted(KEYS)), st.integers(0, 2)),
    st.tuples(st.just("tick"), st.sampled_from(GATES), st.booleans()),
    st.tuples(st.just("principle"), st.sampled_from(PRINCIPLES), st.booleans()),
)


def apply(text: str, edits: list[tuple[Any, ...]], side: str) -> tuple[str, set[str]]:
    """The text after `edits`, made as svctrack makes them; and the entries appended."""
    doc = tomlkit.parse(text)
    before = tomlkit.dumps(doc)
    editor = Editor(doc)
    added = set()
    clock, day = START, date(2026, 11, 1)  # each side's clock goes forward, as svctrack's does
    if side == "first":  # the one who pushes first wrote later than the others began
        clock += timedelta(minutes=90)
    for n, (kind, *args) in enumerate(edits):
        tag = f"{side}-{n}"
        if kind == "notes":
            clock += timedelta(minutes=args[0])
            editor.append("notes", {"at": clock, "channel": "email", "by": side, "text": tag})
        elif kind == "time":
            day += timedelta(days=args[0])
            editor.append("time", {"date": day, "hours": 1, "by": side, "note": tag})
        elif kind == "feedback":
            clock += timedelta(hours=args[0])
            editor.append("feedback", {"at": clock, "score": args[0], "comment": tag})
        else:
            if kind == "set":
                key, value = args[0], KEYS[args[0]][args[1] % len(KEYS[args[0]])]
            elif kind == "tick":
                key, value = f"gates.preparation.{args[0]}", args[1]
            else:
                key, value = f"principles.{args[0]}", args[1]
            editor.set(key, value)
            continue
        added.add(tag)
    return merge_edit(text, before, tomlkit.dumps(doc)), added


def value(data: dict[str, Any], key: str) -> Any:
    for part in key.split("."):
        if not isinstance(data, dict) or part not in data:
            return None
        data = data[part]
    return data


def side_of(text: str, keep: int) -> str:
    """The text with each marked clash resolved to one side (0 ours, 1 theirs)."""
    out: list[str] = []
    where = None
    for line in text.splitlines(keepends=True):
        if line.startswith("<<<<<<< "):
            where = 0
        elif line.startswith("=======") and where is not None:
            where = 1
        elif line.startswith(">>>>>>> "):
            where = None
        elif where is None or where == keep:
            out.append(line)
    return "".join(out)


def tags(data: dict[str, Any]) -> list[str]:
    return (
        [n["text"] for n in data.get("notes", [])]
        + [t["note"] for t in data.get("time", [])]
        + [f["comment"] for f in data.get("feedback", [])]
    )


@settings(max_examples=150, deadline=None)
@given(st.lists(edit, max_size=8), st.lists(edit, max_size=8))
def test_every_entry_and_every_one_sided_change_survives(
    mine: list[tuple[Any, ...]], yours: list[tuple[Any, ...]]
) -> None:
    ours, ours_added = apply(BASE, mine, "ours")
    theirs, theirs_added = apply(BASE, yours, "theirs")
    merged = merge_texts(BASE, ours, theirs)
    base, o, t = (tomllib.loads(x) for x in (BASE, ours, theirs))
    for keep in (0, 1):
        data = tomllib.loads(side_of(merged.text, keep))  # valid TOML, whichever side is kept
        problems = item_from_data("engagement", "kaskad", data)[1]
        assert not [p for p in problems if p.severity == "error"], problems
        found = tags(data)
        assert sorted(found) == sorted({*ours_added, *theirs_added, "kick-off"})  # once each
        for array in ("notes", "time", "feedback"):
            times = [entry.get("at") or entry.get("date") for entry in data.get(array, [])]
            new = times[len(base.get(array, [])) :]
            assert new == sorted(new)  # both sides' new entries in time order
    keys = [*KEYS, *(f"gates.preparation.{g}" for g in GATES)]
    keys += [f"principles.{p}" for p in PRINCIPLES]
    clean = tomllib.loads(side_of(merged.text, 0))
    for key in keys:
        old, mine_now, yours_now = value(base, key), value(o, key), value(t, key)
        if yours_now in (mine_now, old):
            assert value(clean, key) == mine_now, key
        elif mine_now == old:
            assert value(clean, key) == yours_now, key
        else:
            assert key in merged.clashes, key
    assert bool(merged.clashes) == ("<<<<<<< ours" in merged.text)


entry_edit = st.one_of(
    st.tuples(st.just("notes"), st.integers(0, 600)),
    st.tuples(st.just("time"), st.integers(0, 3)),
    st.tuples(st.just("feedback"), st.integers(1, 5)),
    st.tuples(st.just("tick"), st.sampled_from(GATES), st.just(True)),
)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(entry_edit, max_size=6),
    st.lists(entry_edit, max_size=6),
    st.lists(entry_edit, max_size=6),
    st.lists(entry_edit, max_size=6),
)
def test_merges_upon_merges_keep_every_entry_once(
    first_a: list[tuple[Any, ...]],
    first_b: list[tuple[Any, ...]],
    then_a: list[tuple[Any, ...]],
    then_b: list[tuple[Any, ...]],
) -> None:
    """A merged file, written on and merged again against an older base (what a rebase does
    when others pushed meanwhile): entries that an earlier merge put in the middle are still
    known, nothing is lost or doubled, and entries without a clash never conflict."""
    a1, added_a1 = apply(BASE, first_a, "a1")
    b1, added_b1 = apply(BASE, first_b, "b1")
    m1 = merge_texts(BASE, a1, b1)
    assert m1.clashes == []
    a2, added_a2 = apply(m1.text, then_a, "a2")
    b2, added_b2 = apply(b1, then_b, "b2")
    everything = {*added_a1, *added_b1, *added_a2, *added_b2, "kick-off"}
    for ours, theirs in ((a2, b2), (b2, a2)):  # b1 is where the two histories meet
        m2 = merge_texts(b1, ours, theirs)
        assert m2.clashes == []
        data = tomllib.loads(m2.text)
        assert sorted(tags(data)) == sorted(everything)
        problems = item_from_data("engagement", "kaskad", data)[1]
        assert not [p for p in problems if p.severity == "error"], problems


@settings(max_examples=60, deadline=None)
@given(
    st.lists(entry_edit, min_size=1, max_size=5),
    st.lists(entry_edit, max_size=5),
    st.lists(entry_edit, max_size=5),
)
def test_a_rebase_onto_a_rebase_keeps_every_entry_once(
    first: list[tuple[Any, ...]], mine: list[tuple[Any, ...]], yours: list[tuple[Any, ...]]
) -> None:
    """What the soak found. One clone pushes; two others, each with a commit of its own written
    earlier, rebase onto it (their entries go before the pushed ones, in time order); the
    second then rebases again onto the first's push: the base (the first push) is a prefix of
    neither side."""
    pushed, added_first = apply(BASE, first, "first")
    a1, added_a = apply(BASE, mine, "a")
    b1, added_b = apply(BASE, yours, "b")
    upstream = merge_texts(BASE, pushed, a1)
    replayed = merge_texts(BASE, pushed, b1)
    final = merge_texts(pushed, upstream.text, replayed.text)
    assert (upstream.clashes, replayed.clashes, final.clashes) == ([], [], [])
    data = tomllib.loads(final.text)
    assert sorted(tags(data)) == sorted({*added_first, *added_a, *added_b, "kick-off"})
