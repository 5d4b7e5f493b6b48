"""The three-way merge of an item file as data (domain.merge): what is taken, where theirs'
entries go, what clashes. No files, no tomlkit."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

from svctrack.domain.equality import same_data
from svctrack.domain.merge import Clash, Entries, Path, Take, moment, plan


def take(*path: str | int) -> Take:
    return Take(path, path)


def clash(*path: str | int) -> Clash:
    return Clash(path, path, path)


def laid_out(path: Path, *layout: tuple[str, int]) -> Entries:
    return Entries(path, path, layout)


BASE = {
    "name": "Audit — ACME",
    "stage": "preparation",
    "due": date(2026, 12, 15),
    "gates": {"preparation": {"terms-agreed": True}},
    "principles": {},
    "history": [{"to": "preparation", "at": datetime(2026, 11, 1, 10, tzinfo=UTC)}],
}


def at(hour: int) -> datetime:
    return datetime(2026, 11, 26, hour, tzinfo=UTC)


def note(hour: int, text: str) -> dict[str, object]:
    return {"at": at(hour), "channel": "other", "by": "x", "text": text}


def with_(base: dict[str, object], **changes: object) -> dict[str, object]:
    import copy

    out = copy.deepcopy(base)
    out.update(changes)
    return out


def test_nothing_changed_or_the_same_change_on_both_sides_is_no_work() -> None:
    nothing = plan(BASE, BASE, BASE)
    assert (nothing.takes, nothing.entries, nothing.clashes) == ([], [], [])
    assert same_data(nothing.data, BASE)
    same = with_(BASE, due=date(2026, 12, 20))
    result = plan(BASE, same, same)
    assert (result.takes, result.entries, result.clashes) == ([], [], [])
    assert result.data["due"] == date(2026, 12, 20)


def test_a_key_changed_on_one_side_takes_that_change() -> None:
    theirs = with_(BASE, due=date(2026, 12, 20), contract="X-1")
    del theirs["principles"]
    result = plan(BASE, BASE, theirs)
    assert set(result.takes) == {take("due"), take("contract"), take("principles")}
    assert result.data["due"] == date(2026, 12, 20) and "principles" not in result.data
    ours = with_(BASE, due=date(2027, 1, 1))
    assert plan(BASE, ours, BASE).takes == []  # ours' own change needs nothing


def test_gate_ticks_and_principles_merge_item_by_item() -> None:
    ours = with_(BASE, principles={"communication": True})
    ours["gates"]["preparation"]["resources-assigned"] = True  # type: ignore[index]
    theirs = with_(BASE, principles={"proactivity": {"ok": False, "note": "late"}})
    theirs["gates"]["preparation"]["interaction-agreed"] = True  # type: ignore[index]
    result = plan(BASE, ours, theirs)
    assert result.clashes == []
    assert result.data["gates"]["preparation"] == {
        "terms-agreed": True,
        "resources-assigned": True,
        "interaction-agreed": True,
    }
    assert result.data["principles"] == {
        "communication": True,
        "proactivity": {"ok": False, "note": "late"},
    }


def test_a_key_changed_on_both_sides_differently_clashes_alone() -> None:
    ours = with_(BASE, due=date(2026, 12, 18), stage="execution")
    theirs = with_(BASE, due=date(2026, 12, 20), stage="cancelled", client="ACME")
    result = plan(BASE, ours, theirs)
    assert result.clashes == [clash("stage"), clash("due")]
    assert result.takes == [take("client")]
    assert result.data["due"] == date(2026, 12, 18)  # ours' value stands in the data


def test_removed_on_one_side_changed_on_the_other_clashes() -> None:
    base = with_(BASE, contract="A")
    ours = with_(BASE, contract="B")
    theirs = with_(BASE)
    assert plan(base, ours, theirs).clashes == [clash("contract")]


def test_entries_of_both_sides_are_all_kept_once_in_time_order() -> None:
    ours = with_(BASE, notes=[note(9, "ours early"), note(13, "ours late")])
    theirs = with_(BASE, notes=[note(11, "theirs"), note(13, "ours late"), note(14, "last")])
    result = plan(BASE, ours, theirs)
    texts = [n["text"] for n in result.data["notes"]]
    assert texts == ["ours early", "theirs", "ours late", "last"]  # "ours late" once
    assert result.entries == [
        laid_out(("notes",), ("ours", 0), ("theirs", 0), ("ours", 1), ("theirs", 2))
    ]


def test_entries_appended_to_an_existing_array_keep_the_base_entries_in_place() -> None:
    base = with_(BASE, time=[{"date": date(2026, 11, 20), "hours": 2}])
    ours = with_(base, time=[*base["time"], {"date": date(2026, 11, 25), "hours": 1}])
    theirs = with_(base, time=[*base["time"], {"date": date(2026, 11, 24), "hours": 3}])
    result = plan(base, ours, theirs)
    assert [t["date"].day for t in result.data["time"]] == [20, 24, 25]
    assert result.entries == [laid_out(("time",), ("ours", 0), ("theirs", 1), ("ours", 1))]


def test_any_array_of_tables_that_only_grows_merges_so() -> None:
    ours = with_(BASE, documents=[{"kind": "contract", "date": date(2026, 11, 2)}])
    theirs = with_(BASE, documents=[{"kind": "act", "date": date(2026, 11, 1)}])
    result = plan(BASE, ours, theirs)
    assert [d["kind"] for d in result.data["documents"]] == ["act", "contract"]


def test_a_base_entry_changed_on_one_side_takes_that_change() -> None:
    base = with_(BASE, documents=[{"kind": "act", "status": "draft"}])
    ours = with_(base, documents=[{"kind": "act", "status": "draft"}, {"kind": "invoice"}])
    theirs = with_(base, documents=[{"kind": "act", "status": "signed"}])
    result = plan(base, ours, theirs)
    assert result.takes == [take("documents", 0, "status")]
    assert result.data["documents"] == [{"kind": "act", "status": "signed"}, {"kind": "invoice"}]


def test_an_entry_removed_on_one_side_and_changed_on_the_other_clashes() -> None:
    base = with_(BASE, documents=[{"kind": "act", "status": "draft"}])
    ours = with_(BASE, documents=[])
    theirs = with_(BASE, documents=[{"kind": "act", "status": "signed"}])
    assert plan(base, ours, theirs).clashes == [clash("documents")]
    both = plan(base, ours, with_(BASE, documents=[*base["documents"], {"kind": "invoice"}]))
    assert both.clashes == [] and both.data["documents"] == [{"kind": "invoice"}]


def test_both_added_the_same_table_with_different_keys() -> None:
    ours = with_(BASE, roles={"sales": "anna"})
    theirs = with_(BASE, roles={"development": "igor"})
    result = plan(BASE, ours, theirs)
    assert result.data["roles"] == {"sales": "anna", "development": "igor"}
    assert result.takes == [take("roles", "development")]


def test_times_compare_across_offsets_and_dates() -> None:
    moscow = timezone(timedelta(hours=3))
    assert moment({"at": datetime(2026, 11, 26, 12, tzinfo=moscow)}) == at(9)
    assert moment({"at": datetime(2026, 11, 26, 12)}) == at(12)  # no offset: UTC
    assert moment({"date": date(2026, 11, 26)}) == at(0)
    assert moment({"text": "x"}) is None
    # An entry without a time keeps its side's order and never jumps ahead of ours'.
    ours = with_(BASE, notes=[{"text": "ours, no time"}])
    theirs = with_(BASE, notes=[note(1, "theirs, early")])
    texts = [n["text"] for n in plan(BASE, ours, theirs).data["notes"]]
    assert texts == ["ours, no time", "theirs, early"]


def test_entries_are_known_by_what_they_hold_not_where_they_stand() -> None:
    """An earlier merge put theirs' note in the middle of ours'; the next merge, whose base is
    older, still sees every entry for what it is (the soak found this)."""
    base = with_(BASE, notes=[note(9, "a"), note(12, "c")])
    ours = with_(BASE, notes=[note(9, "a"), note(10, "b"), note(12, "c"), note(13, "d")])
    theirs = with_(BASE, notes=[note(9, "a"), note(12, "c"), note(11, "late push")])
    result = plan(base, ours, theirs)
    assert result.clashes == []
    texts = [n["text"] for n in result.data["notes"]]
    assert texts == ["a", "b", "c", "late push", "d"]  # after c, as in theirs; before d (13h)


def test_an_entry_added_on_both_sides_is_kept_once() -> None:
    ours = with_(BASE, notes=[note(9, "same"), note(10, "ours")])
    theirs = with_(BASE, notes=[note(9, "same")])
    result = plan(BASE, ours, theirs)
    assert [n["text"] for n in result.data["notes"]] == ["same", "ours"]
    assert result.entries == []


def test_an_entry_removed_on_one_side_goes() -> None:
    base = with_(BASE, notes=[note(9, "typo"), note(10, "kept")])
    ours = with_(BASE, notes=[note(9, "typo"), note(10, "kept"), note(11, "new")])
    theirs = with_(BASE, notes=[note(10, "kept")])
    result = plan(base, ours, theirs)
    assert [n["text"] for n in result.data["notes"]] == ["kept", "new"]
    assert result.entries == [laid_out(("notes",), ("ours", 1), ("ours", 2))]


def test_same_data_is_strict() -> None:
    assert not same_data(1, 1.0) and not same_data(1, True)
    assert same_data(float("nan"), float("nan"))
    assert not same_data(
        datetime(2026, 1, 1, 12, tzinfo=UTC),
        datetime(2026, 1, 1, 13, tzinfo=timezone(timedelta(hours=1))),
    )
    assert same_data("a\r\nb", "a\nb")
