"""The read cache: only ever a cache. Deleting, corrupting or bypassing it changes no result."""

from __future__ import annotations

import errno
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import IO, Any

import pytest

from conftest import Workspace
from svctrack.storage import cache as index
from svctrack.storage.cache import cache_dir
from svctrack.storage.store import Store
from svctrack.usecases.tracker import Tracker


def listing(ws: Workspace, *flags: str) -> list[dict]:
    return ws.ok(*flags, "engagement", "list", "--all", "--json").json()


@pytest.fixture
def busy(firm: Workspace) -> Workspace:
    for n in range(5):
        firm.ok(
            "engagement",
            "new",
            f"e{n}",
            "--service",
            "audit",
            "--client",
            f"C{n}",
            "--due",
            f"+{n + 1}w",
        )
    firm.ok("cancel", "e3", "--note", "withdrawn")
    return firm


def cache_of(ws: Workspace) -> Path:
    """The workspace's cache folder."""
    path = cache_dir(ws.root)
    assert path is not None
    return path


def test_cache_is_written_outside_the_workspace(busy: Workspace, isolated: Path) -> None:
    listing(busy)
    path = cache_of(busy)
    assert path.exists()
    assert isolated in path.parents  # the user cache dir, not the workspace
    assert sorted(p.name for p in path.iterdir()) == ["engagements.index"]
    busy.ok("report")
    assert sorted(p.name for p in path.iterdir()) == [
        "engagements.facts",
        "engagements.index",
        "services.index",
    ]
    files = {p.relative_to(busy.root).as_posix() for p in busy.root.rglob("*") if p.is_file()}
    items = {f for f in files if f.startswith(("services/", "engagements/"))}
    assert files - items <= {".gitignore", ".svctrack.lock", "svctrack.toml"}
    assert all(f.endswith(".toml") for f in items)


@pytest.mark.parametrize("damage", ["delete", "garbage", "empty", "folder"])
def test_deleted_or_corrupt_cache_changes_nothing(busy: Workspace, damage: str) -> None:
    def seen() -> tuple:
        return listing(busy), busy.ok("report", "--json").json(), busy.ok("deadlines").out

    first = seen()
    assert seen() == first  # warm
    for path in cache_of(busy).iterdir():
        if damage == "delete":
            path.unlink()
        elif damage == "garbage":
            path.write_bytes(b"\x80\x04garbage")
        elif damage == "empty":
            path.write_bytes(b"")
        else:
            path.unlink()
            path.mkdir()  # a folder where a file should be: not even writable as a cache
    assert seen() == first
    assert seen() == first


def test_hand_edit_with_same_size_and_mtime_is_seen(busy: Workspace) -> None:
    listing(busy)
    path = busy.file("e1")
    before = path.stat()
    text = path.read_text()
    edited = text.replace('client = "C1"', 'client = "X1"')
    assert len(edited) == len(text)
    path.write_text(edited)
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))  # same size, same mtime
    clients = {e["id"]: e["client"] for e in listing(busy)}
    assert clients["e1"] == "X1"


def trust_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Let the cache trust what it parses at once, not 2 s after a file last changed (which it
    tells by the ctime: no test can set that back)."""
    monkeypatch.setattr(index, "FRESH_NS", -1)


def test_warm_cache_parses_nothing(busy: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    trust_at_once(monkeypatch)
    first = listing(busy)
    real = Store.read_file

    def no_item_parsing(self: Store, path: Path) -> dict:
        assert path.name == "svctrack.toml", f"a warm cache must not parse {path.name}"
        return real(self, path)

    monkeypatch.setattr(Store, "read_file", no_item_parsing)
    assert listing(busy) == first


def count_parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """From now on, the names of the files svctrack parses, in order."""
    parsed: list[str] = []
    for method in ("read_file", "read_text"):  # settings are read as data, items as text
        real = getattr(Store, method)

        def counting(self: Store, path: Path, real: Any = real) -> Any:
            parsed.append(path.name)
            return real(self, path)

        monkeypatch.setattr(Store, method, counting)
    return parsed


def test_recently_modified_files_are_parsed_again(
    busy: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    listing(busy)  # every file was written just now: none is trusted yet
    parsed = count_parses(monkeypatch)
    listing(busy)
    assert "e1.toml" in parsed


def test_new_and_removed_files_are_seen(busy: Workspace) -> None:
    assert len(listing(busy)) == 6
    busy.file("e4").unlink()
    assert "e4" not in {e["id"] for e in listing(busy)}
    busy.ok("engagement", "new", "e9", "--service", "audit", "--client", "N", "--due", "+1w")
    assert "e9" in {e["id"] for e in listing(busy)}


def test_no_cache_flag_and_env(busy: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    first = listing(busy, "--no-cache")
    assert not cache_of(busy).exists()
    monkeypatch.setenv("SVCTRACK_NO_CACHE", "1")
    assert cache_dir(busy.root) is None
    assert listing(busy) == first
    monkeypatch.delenv("SVCTRACK_NO_CACHE")
    assert not cache_of(busy).exists()
    assert listing(busy) == first


def test_broken_file_stays_broken_through_the_cache(busy: Workspace) -> None:
    listing(busy)
    busy.file("e0").write_text("stage = \n")
    for _ in range(2):
        result = busy.run("engagement", "list", "--all", "--json")
        assert result.code == 1
        assert "engagements/e0.toml:1:" in result.err
        assert "e1" in result.out


def test_briefs_and_full_items_agree(busy: Workspace) -> None:
    busy.ok("note", "e1", "called the client", "--channel", "call")
    listing(busy)  # a list reads rows alone: the full items are left for a report
    tracker = Tracker(busy.root)
    (brief,) = [i for i in tracker.briefs().items if i.id == "e1"]
    assert brief.notes == [] and len(brief.history) == 1
    assert "e3" not in {i.id for i in tracker.briefs().items}  # cancelled: no brief
    (full,) = [i for i in tracker.load().items if i.id == "e1"]
    assert [n.text for n in full.notes] == ["called the client"]
    report = busy.ok("report", "--json").json()
    shown = busy.ok("show", "audit", "--json").json()
    assert "e1" in shown["engagements"]
    items_file = cache_of(busy) / "engagements.items"
    assert items_file.exists()
    items_file.write_bytes(b"not a pickle")
    assert busy.ok("report", "--json").json() == report
    items_file.unlink()
    assert busy.ok("report", "--json").json() == report


def notes_by_id(ws: Workspace) -> dict[str, list[str]]:
    return {i.id: [n.text for n in i.notes] for i in Tracker(ws.root).load(["engagement"]).items}


def test_full_items_follow_every_change(busy: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    """The stream of full items: kept in id order, rewritten from its first stale record."""
    trust_at_once(monkeypatch)
    first = notes_by_id(busy)
    items_file = cache_of(busy) / "engagements.items"
    assert items_file.exists()
    assert notes_by_id(busy) == first  # warm
    busy.ok("note", "e2", "a change in the middle")
    parsed = count_parses(monkeypatch)
    expected = dict(first, e2=[*first["e2"], "a change in the middle"])
    assert notes_by_id(busy) == expected
    assert parsed == ["svctrack.toml", "e2.toml"]  # acme, e0, e1 copied; e3, e4 read on
    assert notes_by_id(busy) == expected  # from the rewritten stream
    assert parsed == ["svctrack.toml", "e2.toml", "svctrack.toml"]
    busy.file("e0").unlink()  # a record is gone
    busy.ok("engagement", "new", "e99", "--service", "audit", "--client", "Z", "--due", "+1w")
    del expected["e0"]
    expected["e99"] = []
    assert notes_by_id(busy) == expected
    assert notes_by_id(busy) == expected
    data = items_file.read_bytes()
    items_file.write_bytes(data[: len(data) * 2 // 3])  # a truncated stream
    assert notes_by_id(busy) == expected
    assert items_file.stat().st_size == len(data)  # whole again
    assert not [p for p in items_file.parent.iterdir() if p.name.startswith(".")]  # no temp left


def test_a_pipeline_change_in_config_changes_the_rows(busy: Workspace) -> None:
    before = {e["id"]: e["coverage"] for e in listing(busy)}
    assert before["e1"]["not_assessed"] == 11
    stages = "".join(
        f'[[pipelines.engagement.stages]]\nid = "{stage}"\n'
        for stage in ("preparation", "execution", "control", "completion")
    )
    config = busy.root / "svctrack.toml"
    config.write_text(
        config.read_text()
        + '\n[pipelines.engagement]\nprinciples = ["individual"]\ndone = "closed"\n'
        + stages
    )
    after = {e["id"]: e["coverage"] for e in listing(busy)}
    assert after["e1"]["not_assessed"] == 1


def test_a_cache_built_on_every_core_holds_the_same(
    busy: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    from svctrack.storage import parallel

    busy.file("e2").write_text("stage = \n")

    def seen(*flags: str) -> tuple:
        listed = busy.run(*flags, "engagement", "list", "--all", "--json")
        matrix = busy.run(*flags, "checklist", "--json")
        return listed.code, listed.out, listed.err, matrix.code, matrix.out, matrix.err

    serial = seen("--no-cache")
    assert serial[0] == 1 and "engagements/e2.toml:1:" in serial[2]
    monkeypatch.setattr(parallel, "PARALLEL_FROM", 1)
    monkeypatch.setattr(parallel.os, "cpu_count", lambda: 2)
    assert seen("--no-cache") == serial
    assert seen() == serial  # built on two processes
    assert seen() == serial  # read back


def test_a_linked_item_follows_its_target(busy: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    trust_at_once(monkeypatch)
    (busy.root / "engagements" / "alias.toml").symlink_to("e1.toml")
    before = {e["id"]: e["stage"] for e in listing(busy)}
    assert before["alias"] == before["e1"] == "preparation"
    busy.ok("advance", "e1", "--force", "--note", "skip")
    after = {e["id"]: e["stage"] for e in listing(busy)}
    assert after["alias"] == after["e1"] == "execution"
    assert listing(busy) == listing(busy, "--no-cache")


def test_a_kind_folder_linked_elsewhere_is_judged_where_it_is(
    busy: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    trust_at_once(monkeypatch)
    folder = busy.root / "engagements"
    outside = tmp_path / "outside"
    folder.rename(outside)
    folder.symlink_to(outside)
    out = busy.run("engagement", "list", "--all", "--json")
    assert out.code == 1 and "out of the workspace" in out.err
    inside = busy.root / "real"
    outside.rename(inside)  # the same files (inodes, ctimes): only their folder moved
    folder.unlink()
    folder.symlink_to("real")
    assert len(listing(busy)) == 6
    assert listing(busy) == listing(busy, "--no-cache")


@pytest.mark.parametrize("seed", range(6))
def test_damaged_cache_bytes_change_nothing(
    busy: Workspace, seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    import random

    trust_at_once(monkeypatch)  # else the cache serves nothing yet: every file is a second old

    def seen() -> tuple:
        return listing(busy), busy.ok("deadlines", "--json").out, busy.ok("report", "--json").out

    first = seen()
    rng = random.Random(seed)
    for path in cache_of(busy).iterdir():
        data = bytearray(path.read_bytes())
        for _ in range(3):
            data[rng.randrange(len(data))] ^= 1 << rng.randrange(8)
        path.write_bytes(bytes(data).replace(b"C1", b"Q1"))  # and a name changed in place
    assert seen() == first


def test_a_kind_folder_that_is_a_file_is_one_error(busy: Workspace) -> None:
    folder = busy.root / "engagements"
    for path in folder.iterdir():
        path.unlink()
    folder.rmdir()
    folder.write_text("not a folder\n")
    result = busy.run("engagement", "list")
    assert result.code == 1
    assert result.err.startswith("error: engagements/: cannot be listed")
    assert "Traceback" not in result.err


def test_temp_files_of_killed_writers_are_removed(busy: Workspace) -> None:
    listing(busy)
    folder = cache_of(busy)
    left = [folder / ".engagements.index.k1ll3d.tmp", folder / ".now.k1ll3d.tmp"]
    old = time.time() - 120
    for path in left:
        path.write_bytes(b"half a pickle")
        os.utime(path, (old, old))
    busy.ok("note", "e1", "a change, so the index is written again")
    listing(busy)
    assert not any(path.exists() for path in left)


# --- a cache file that is no file: never waited on, never read without end ------------------

PEAK = """
import resource, sys
resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))  # runaway reads stop here
from svctrack.cli.app import app
try:
    app(sys.argv[2:], prog_name="svctrack")
finally:
    # VmHWM: this program's own peak (ru_maxrss would carry the forking pytest's over exec)
    with open("/proc/self/status") as status, open(sys.argv[1], "w") as out:
        out.write(next(line.split()[1] for line in status if line.startswith("VmHWM:")))
"""


def put_in_place(path: Path, what: str, tmp_path: Path) -> None:
    path.unlink(missing_ok=True)
    if what == "fifo":
        os.mkfifo(path)
    elif what == "folder":
        path.mkdir()
    elif what == "link to /dev/zero":
        path.symlink_to("/dev/zero")
    else:  # a link to a regular file over the index's limit, under the memory limit below
        huge = tmp_path / "huge"
        with open(huge, "wb") as handle:
            handle.truncate(3 << 29)  # 1.5 GiB, sparse: nothing stored
        path.symlink_to(huge)


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs Linux /proc")
@pytest.mark.parametrize("what", ["fifo", "folder", "link to /dev/zero", "link to a huge file"])
@pytest.mark.parametrize("name", ["engagements.index", "engagements.items"])
def test_a_cache_file_that_is_no_regular_file_is_ignored(
    busy: Workspace, tmp_path: Path, name: str, what: str
) -> None:
    busy.ok("report")  # every cache file made
    want = [listing(busy), busy.ok("report", "--json").json()]
    put_in_place(cache_of(busy) / name, what, tmp_path)
    for args in (("engagement", "list", "--all", "--json"), ("report", "--json")):
        peak = tmp_path / "peak"
        # A real process with a timeout and a memory limit: a FIFO would block the read forever,
        # /dev/zero would fill the memory.
        done = subprocess.run(
            [sys.executable, "-c", PEAK, str(peak), "-C", str(busy.root), *args],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert (done.returncode, done.stderr) == (0, ""), args
        assert json.loads(done.stdout) == want[args[0] == "report"], args
        # KiB: nothing big was read (a runaway read took 1.6 GB; these runs take ~25 MB)
        assert int(peak.read_text()) < 100 << 10, args
    assert listing(busy) == want[0]


def test_rows_of_closed_items_are_read_only_by_reads_of_every_item(
    busy: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The index keeps the rows of items no longer open apart: the dashboard never unpickles
    them, a listing of every item does, and a change to a closed item, by hand or by a command,
    is seen either way."""
    trust_at_once(monkeypatch)

    def stages() -> dict[str, str]:
        return {e["id"]: e["stage"] for e in listing(busy)}

    def shown() -> set[str]:
        return {e["id"] for e in busy.ok("status", "--json").json()["engagements"]}

    assert stages()["e3"] == "cancelled" and "e3" not in shown()
    with monkeypatch.context() as patch:
        patch.setattr(index._ColdPart, "rows", lambda self: pytest.fail("closed rows read"))
        assert "e3" not in shown()  # warm: only the open items' rows

    path = busy.file("e3")
    path.write_text(path.read_text().replace('client = "C3"', 'client = "Changed by hand"'))
    assert {e["id"]: e["client"] for e in listing(busy)}["e3"] == "Changed by hand"
    assert "e3" not in shown()

    busy.ok("reopen", "e3", "--note", "back")
    assert "e3" in shown() and stages()["e3"] == "preparation"
    busy.ok("cancel", "e3", "--note", "again")
    busy.ok("cancel", "e4", "--note", "too")
    assert "e3" not in shown() and "e4" not in shown()
    assert stages() == stages() and {stages()[i] for i in ("e3", "e4")} == {"cancelled"}
    (busy.root / "engagements" / "e4.toml").unlink()
    assert "e4" not in stages() and stages()["e3"] == "cancelled"


class _Full(io.FileIO):
    """A file on a full disk: every write fails, as the kernel says (ENOSPC)."""

    def write(self, data: Any) -> int:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


@pytest.mark.parametrize("how", ["buffered", "at once"])
def test_a_full_disk_under_the_cache_changes_nothing(
    busy: Workspace, monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    """The closed items' entries are spooled to temp files while they are parsed; on a full
    disk those writes fail (when a buffer is flushed, at the latest when the file is closed):
    the index is not saved, and what is shown is what it would be without a cache."""
    trust_at_once(monkeypatch)
    want = [listing(busy, "--no-cache"), busy.ok("--no-cache", "status", "--json").json()]
    real = tempfile.TemporaryFile

    def on_a_full_disk(*args: Any, **kwargs: Any) -> IO[bytes]:
        with real(*args, **kwargs) as made:
            raw = _Full(os.dup(made.fileno()), "r+")
        return io.BufferedRandom(raw, 1 if how == "at once" else io.DEFAULT_BUFFER_SIZE)

    monkeypatch.setattr(tempfile, "TemporaryFile", on_a_full_disk)
    for _ in range(2):
        shutil.rmtree(cache_of(busy), ignore_errors=True)
        assert [listing(busy), busy.ok("status", "--json").json()] == want


@pytest.mark.parametrize("code", [errno.EIO, errno.EACCES])
def test_a_file_that_could_not_be_read_is_read_again(
    busy: Workspace, monkeypatch: pytest.MonkeyPatch, code: int
) -> None:
    """A read that failed for a moment (a disk's I/O error, a file another program held on
    Windows, a network share) says nothing of the file: once it can be read, it is shown, though
    it has not changed since."""
    from svctrack.storage import store

    trust_at_once(monkeypatch)
    want = listing(busy)
    real = store._read_upto
    victim = busy.file("e1")

    def failing(fd: int, size: int) -> bytes:
        if os.path.samestat(os.fstat(fd), victim.stat()):
            raise OSError(code, os.strerror(code))
        return real(fd, size)

    os.utime(victim)  # (changed: read again)
    with monkeypatch.context() as during:
        during.setattr(store, "_read_upto", failing)
        failed = busy.run("engagement", "list", "--all", "--json")
        assert failed.code == 1 and "engagements/e1.toml: cannot read it" in failed.err
    assert listing(busy) == want
