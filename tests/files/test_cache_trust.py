"""The read cache at scale: closed items' files trusted through their folder (storage/changes).

These tests lower the threshold (`TRUST_FROM`) so that a small workspace is read as a firm's
100,000 items are, and trust a file at once (`FRESH_NS`) instead of 2 s after it changed."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from conftest import Workspace
from svctrack.storage import cache as index
from svctrack.storage.cache import cache_dir


@pytest.fixture
def big(firm: Workspace, monkeypatch: pytest.MonkeyPatch) -> Workspace:
    """A workspace read as a big one: `e0`-`e3` open, `old1` and `old2` closed."""
    monkeypatch.setattr(index, "TRUST_FROM", 0)
    monkeypatch.setattr(index, "FRESH_NS", -1)
    for name in ("e0", "e1", "e2", "e3", "old1", "old2"):
        firm.ok(
            "engagement",
            "new",
            name,
            "--service",
            "audit",
            "--client",
            name.upper(),
            "--due",
            "+2w",
        )
    firm.ok("cancel", "old1", "--note", "withdrawn")
    firm.ok("cancel", "old2", "--note", "withdrawn")
    listing(firm)  # the cache as a firm's would be: warm
    return firm


def listing(ws: Workspace, *flags: str) -> dict[str, dict]:
    return {e["id"]: e for e in ws.ok(*flags, "engagement", "list", "--all", "--json").json()}


def open_ids(ws: Workspace) -> set[str]:
    return {e["id"] for e in ws.ok("status", "--json").json()["engagements"]}


def looked_at(monkeypatch: pytest.MonkeyPatch) -> set[str]:
    """From now on, the item files the cache stats one by one, by name."""
    seen: set[str] = set()
    real = index._path_key, index._entry_key

    def by_path(path: str, name: str, folder: int) -> object:
        seen.add(Path(name).stem)
        return real[0](path, name, folder)

    def by_entry(file: os.DirEntry[str]) -> object:
        seen.add(Path(file.name).stem)
        return real[1](file)

    monkeypatch.setattr(index, "_path_key", by_path)
    monkeypatch.setattr(index, "_entry_key", by_entry)
    return seen


def replace_by_rename(path: Path, text: str) -> None:
    """Save as git and most editors do: a new file renamed over the old one."""
    temp = path.with_name(".edit.tmp")
    temp.write_text(text)
    os.replace(temp, path)


def test_a_warm_read_looks_at_the_open_items_only(
    big: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    want = listing(big)
    seen = looked_at(monkeypatch)
    assert open_ids(big) == {"acme", "e0", "e1", "e2", "e3"}
    assert listing(big) == want
    assert "old1" not in seen and "old2" not in seen
    assert {"e0", "e1", "acme"} <= seen  # every open item's file, every time


def test_svctrack_writes_to_closed_items_are_seen(
    big: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Two writes with no read between: the second file may get the first one's inode back.
    big.ok("set", "old1", "client", "First")
    big.ok("set", "old1", "client", "Second")
    seen = looked_at(monkeypatch)
    assert listing(big)["old1"]["client"] == "Second"
    assert "old1" in seen and "old2" not in seen  # only the file the writes named
    big.ok("reopen", "old2", "--note", "back")
    assert "old2" in open_ids(big)
    big.ok("delete", "old1", "--yes")
    big.ok("engagement", "new", "fresh", "--service", "audit", "--client", "F", "--due", "+1w")
    after = listing(big)
    assert "old1" not in after and "fresh" in after
    assert after == listing(big, "--no-cache")


def test_other_programs_changes_are_seen(big: Workspace) -> None:
    path = big.file("old1")
    replace_by_rename(path, path.read_text().replace('client = "OLD1"', 'client = "By git"'))
    assert listing(big)["old1"]["client"] == "By git"
    (big.root / "engagements" / "copy.toml").write_text(big.file("old2").read_text())
    assert "copy" in listing(big)
    big.file("old2").unlink()
    assert "old2" not in listing(big)
    assert listing(big) == listing(big, "--no-cache")


def test_a_closed_item_rewritten_in_place_is_seen_at_the_next_full_look(
    big: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The one change a folder does not show: the file rewritten in place, with its inode. It is
    seen with --no-cache at once, and by the cache when every file is next looked at."""
    path = big.file("old1")
    path.write_text(path.read_text().replace('client = "OLD1"', 'client = "In place"'))
    assert listing(big, "--no-cache")["old1"]["client"] == "In place"
    assert listing(big)["old1"]["client"] == "OLD1"  # trusted: the folder did not change
    monkeypatch.setattr(index, "FULL_LOOK_NS", -1)  # the last full look is too old
    assert listing(big)["old1"]["client"] == "In place"


def test_an_open_item_rewritten_in_place_is_seen_at_once(big: Workspace) -> None:
    path = big.file("e1")
    path.write_text(path.read_text().replace('client = "E1"', 'client = "In place"'))
    assert listing(big)["e1"]["client"] == "In place"
    text = path.read_text()
    path.write_text(text.replace("stage = ", 'stage = "cancelled"\nx = ', 1))
    assert "e1" not in open_ids(big)
    assert listing(big) == listing(big, "--no-cache")


@pytest.mark.parametrize("damage", ["garbage", "folder", "steps of another folder"])
def test_the_steps_file_damaged_changes_nothing(big: Workspace, damage: str) -> None:
    cache = cache_dir(big.root)
    assert cache is not None
    steps = cache / "engagements.steps"
    big.ok("set", "old1", "client", "Written")
    replace_by_rename(big.file("old2"), big.file("old2").read_text().replace("OLD2", "Hand"))
    if damage == "garbage":
        steps.write_bytes(b"\xff\x00|||\n" * 100)
    elif damage == "folder":
        steps.unlink()
        steps.mkdir()
    else:
        os.replace(steps, cache / "services.steps")
    after = listing(big)
    assert after["old1"]["client"] == "Written" and after["old2"]["client"] == "Hand"
    assert after == listing(big, "--no-cache")


@pytest.mark.parametrize("part", [0, 1, 2])
@pytest.mark.parametrize("read", ["status", "list --all"])
def test_a_damaged_part_of_the_index_changes_nothing(big: Workspace, part: int, read: str) -> None:
    """Each part of the index (the hot entries, the cold entries, their rows) has its own
    CRC; a damaged one is seen when it is read, and the files are looked at again."""
    cache = cache_dir(big.root)
    assert cache is not None
    path = cache / "engagements.index"
    data = bytearray(path.read_bytes())
    _, *sizes = index._HEAD.unpack_from(data)
    offset = index._HEAD.size + sum(sizes[0 : 2 * part : 2])
    data[offset + sizes[2 * part] // 2] ^= 0x40
    path.write_bytes(bytes(data))
    want = listing(big, "--no-cache")
    for _ in range(2):  # damaged, then mended
        if read == "status":
            assert open_ids(big) == {i for i, e in want.items() if e["stage"] != "cancelled"}
        assert listing(big) == want
