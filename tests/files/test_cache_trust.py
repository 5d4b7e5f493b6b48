"""The read cache at scale: closed items' files trusted through their folder (storage/changes).

These tests lower the threshold (`TRUST_FROM`) so that a small workspace is read as a firm's
100,000 items are, and trust a file at once (`FRESH_NS`) instead of 2 s after it changed."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from conftest import Workspace
from svctrack.storage import cache as index
from svctrack.storage import store
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


@contextmanager
def released(fifo: Path, flags: int) -> Iterator[list[bool]]:
    """Within: a process blocked opening `fifo` (for want of the other end) is let go after 10 s,
    and the list yielded then holds True: whatever waits on the FIFO, the test does not hang."""
    waited: list[bool] = []
    done = threading.Event()

    def release() -> None:
        if not done.wait(10):
            waited.append(True)
            os.close(os.open(fifo, flags | os.O_NONBLOCK))

    thread = threading.Thread(target=release, daemon=True)
    thread.start()
    try:
        yield waited
    finally:
        done.set()
        thread.join()


def test_a_steps_file_that_is_a_fifo_blocks_no_read_and_no_write(big: Workspace) -> None:
    cache = cache_dir(big.root)
    assert cache is not None
    steps = cache / "engagements.steps"
    big.ok("set", "old1", "client", "Written")
    steps.unlink()
    os.mkfifo(steps)
    with released(steps, os.O_WRONLY) as waited:
        assert listing(big)["old1"]["client"] == "Written"
    assert not waited
    with released(steps, os.O_RDONLY) as waited:
        big.ok("set", "old2", "client", "Written too")
    assert not waited
    assert listing(big) == listing(big, "--no-cache")


def test_a_steps_file_that_is_a_link_is_not_written_through(big: Workspace) -> None:
    cache = cache_dir(big.root)
    assert cache is not None
    notes = big.root.parent / "notes.txt"
    notes.write_text("mine\n")
    steps = cache / "engagements.steps"
    steps.unlink(missing_ok=True)
    steps.symlink_to(notes)
    big.ok("set", "old1", "client", "Written")
    assert notes.read_text() == "mine\n"
    assert listing(big)["old1"]["client"] == "Written"


def test_a_steps_file_too_big_to_be_a_writers_is_not_read(big: Workspace) -> None:
    cache = cache_dir(big.root)
    assert cache is not None
    big.ok("set", "old1", "client", "Written")
    steps = cache / "engagements.steps"
    with steps.open("ab") as out:
        out.truncate(64 * 1024 * 1024)  # (sparse)
    assert listing(big)["old1"]["client"] == "Written"
    big.ok("set", "old2", "client", "Written too")  # the writer starts it anew
    assert steps.stat().st_size < 1024
    assert listing(big) == listing(big, "--no-cache")


class _GivenBack:
    """A listed file that the file system gave the inode of a file removed before it (ext4 gives
    a freed inode to the next file made in its group): as os.DirEntry, but for its inode."""

    def __init__(self, file: os.DirEntry[str], inode: int) -> None:
        self.file, self.given = file, inode

    def inode(self) -> int:
        return self.given

    def __getattr__(self, name: str) -> object:
        return getattr(self.file, name)


def inode_given_back(monkeypatch: pytest.MonkeyPatch, name: str, inode: int) -> None:
    """From now on, the listing shows `name` with `inode`, whatever its file's inode is."""
    real = index.Index._listing

    def listing(self: index.Index, kind: str, known: dict) -> object:
        for file in real(self, kind, known):
            yield _GivenBack(file, inode) if file.name == name else file

    monkeypatch.setattr(index.Index, "_listing", listing)


def test_a_file_svctrack_wrote_is_seen_with_its_old_inode(
    big: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The steps name the file: its inode alone cannot say it is the file the index saw."""
    inode = big.file("old1").stat().st_ino
    big.ok("set", "old1", "client", "Written")
    inode_given_back(monkeypatch, "old1.toml", inode)
    assert listing(big)["old1"]["client"] == "Written"


def test_a_closed_item_linked_is_seen_when_the_file_it_points_to_is_replaced(
    big: Workspace,
) -> None:
    """The link's folder does not change when the file it points to is replaced (git, an
    editor that saves by renaming) in another folder."""
    target = big.root / "archive" / "old1.toml"
    target.parent.mkdir()
    os.replace(big.file("old1"), target)
    (big.root / "engagements" / "old1.toml").symlink_to(Path("..", "archive", "old1.toml"))
    assert listing(big)["old1"]["client"] == "OLD1"
    listing(big)  # (the folder's status now seen, the link's entry made)
    replace_by_rename(target, target.read_text().replace('client = "OLD1"', 'client = "Git"'))
    assert listing(big)["old1"]["client"] == "Git"
    assert listing(big) == listing(big, "--no-cache")


@pytest.mark.xfail(
    strict=True,
    reason="design: a step says only the folder's status before and after a write; a file that "
    "another program replaces meanwhile (unlink and create, as git does) with its inode given "
    "back (ext4) looks unchanged in the listing, and only a stat of every closed item's file "
    "would show it (or the next full look, within FULL_LOOK_NS)",
)
def test_a_file_replaced_by_another_program_while_svctrack_writes_is_seen(
    big: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    victim = big.file("old2")
    inode = victim.stat().st_ino
    real = store.write_atomic

    def git_meanwhile(*args: object, **kwargs: object) -> None:
        text = victim.read_text().replace('client = "OLD2"', 'client = "By git"')
        victim.unlink()
        victim.write_text(text)
        real(*args, **kwargs)  # type: ignore[arg-type]

    with monkeypatch.context() as during:
        during.setattr(store, "write_atomic", git_meanwhile)
        big.ok("set", "old1", "client", "Written")
    inode_given_back(monkeypatch, "old2.toml", inode)  # (as ext4 does, most times)
    assert listing(big)["old2"]["client"] == "By git"


def test_a_damaged_cold_part_seen_late_shows_no_item_twice(big: Workspace) -> None:
    """The cold entries are read when a service they name is gone; damaged, the walk starts
    again looking at every file: what the first try had visited is not shown a second time."""
    big.ok("service", "new", "gone", "--name", "Gone", "--owner", "anna")
    big.ok("engagement", "new", "g1", "--service", "gone", "--client", "G", "--due", "+1w")
    big.ok("cancel", "g1", "--note", "withdrawn")
    listing(big)
    listing(big)  # (the folder's status settled: its closed items trusted)
    (big.root / "services" / "gone.toml").unlink()  # another folder: this one looks unchanged
    path = big.file("e1")  # closed in place, where the folder does not show it
    path.write_text(path.read_text().replace('stage = "', 'stage = "cancelled"\nwas = "', 1))
    cache = cache_dir(big.root)
    assert cache is not None
    index_file = cache / "engagements.index"
    data = bytearray(index_file.read_bytes())
    _, *sizes = index._HEAD.unpack_from(data)
    data[index._HEAD.size + sizes[0] + sizes[2] // 2] ^= 0x40  # the cold entries, not their rows
    index_file.write_bytes(bytes(data))
    want = big.run("--no-cache", "engagement", "list", "--all", "--json")
    for _ in range(2):  # damaged, then mended
        got = big.run("engagement", "list", "--all", "--json")
        assert (got.code, got.err, got.json()) == (want.code, want.err, want.json())
