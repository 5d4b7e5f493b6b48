"""Atomic writes: a failing disk, a killed process, two writers, a held lock."""

from __future__ import annotations

import errno
import os
import random
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time
import tomllib
from pathlib import Path

import pytest

from conftest import Workspace, run_process

ERRNOS = {errno.ENOSPC: "the disk is full", errno.EACCES: "permission denied"}
ERRNOS[errno.EIO] = "an input/output error"


def failing(code: int):
    def fail(*args: object, **kwargs: object) -> None:
        raise OSError(code, os.strerror(code))

    return fail


def half_then_fail(code: int):
    """os.write that writes half of what it is given once, then fails: a disk filling up."""
    real = os.write
    calls = []

    def write(fd: int, data: bytes) -> int:
        calls.append(fd)
        if len(calls) == 1:
            return real(fd, bytes(data[: max(1, len(data) // 2)]))
        raise OSError(code, os.strerror(code))

    return write


def only_on(fds: set[int], fault):
    """os.write that fails as `fault` does on the descriptors in `fds`, and writes elsewhere."""
    real = os.write

    def write(fd: int, data: bytes) -> int:
        return fault(fd, data) if fd in fds else real(fd, data)

    return write


def on_temp_files(mp: pytest.MonkeyPatch, fault) -> None:
    """`fault` for os.write on the temp files that mkstemp makes (not the lock's holder line)."""
    real, made = tempfile.mkstemp, set()

    def mkstemp(*args: object, **kwargs: object):
        fd, name = real(*args, **kwargs)
        made.add(fd)
        return fd, name

    mp.setattr(tempfile, "mkstemp", mkstemp)
    mp.setattr(os, "write", only_on(made, fault))


# Where the write can fail: creating the temp file, writing it, syncing it, renaming it.
FAULTS = {
    "mkstemp": lambda mp, code: mp.setattr(tempfile, "mkstemp", failing(code)),
    "write": lambda mp, code: on_temp_files(mp, failing(code)),
    "short write": lambda mp, code: on_temp_files(mp, half_then_fail(code)),
    "fchmod": lambda mp, code: mp.setattr(os, "fchmod", failing(code)),
    "fsync": lambda mp, code: mp.setattr(os, "fsync", failing(code)),
    "close": lambda mp, code: mp.setattr(os, "close", failing_close(code)),
    "replace": lambda mp, code: mp.setattr(os, "replace", failing(code)),
}


def failing_close(code: int):
    """os.close that closes the temp file, then reports an error (as NFS may on a delayed
    write); other files close as usual."""
    real = os.close

    def close(fd: int) -> None:
        try:
            name = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            name = ""
        real(fd)
        if name.endswith(".tmp"):
            raise OSError(code, os.strerror(code))

    return close


def assert_failed_cleanly(ws: Workspace, result, before: dict[str, bytes], reason: str) -> None:
    assert result.code == 1
    lines = result.err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.err
    assert reason in lines[0] and "nothing was changed" in lines[0]
    assert "Traceback" not in result.err + result.out
    assert ws.snapshot() == before  # every file as it was, and no temp file left


@pytest.mark.parametrize("code", ERRNOS, ids=errno.errorcode.get)
@pytest.mark.parametrize("fault", FAULTS)
def test_a_failed_write_changes_nothing(
    firm: Workspace, monkeypatch: pytest.MonkeyPatch, fault: str, code: int
) -> None:
    if fault == "close" and not Path("/proc/self/fd").is_dir():
        pytest.skip("telling the temp file's descriptor apart needs /proc")
    before = firm.snapshot()
    FAULTS[fault](monkeypatch, code)
    result = firm.run("note", "acme", "this note does not make it")
    monkeypatch.undo()
    assert_failed_cleanly(firm, result, before, ERRNOS[code])
    assert result.err.startswith("error: engagements/acme.toml: ")


COMMANDS = [
    ("check", "acme", "terms-agreed"),
    ("set", "acme", "due", "2026-12-20"),
    ("advance", "acme", "--force"),
    ("rework", "audit", "--note", "x"),  # refused before any write: planning has no way back
    ("feedback", "acme", "--score", "5"),
    ("cancel", "acme", "--note", "withdrawn"),
    ("service", "new", "--name", "Pen test"),
    ("engagement", "new", "--service", "audit", "--client", "Initech", "--due", "+2w"),
]


@pytest.mark.parametrize("args", COMMANDS, ids=lambda a: " ".join(a[:2]))
def test_every_writing_command_fails_cleanly(
    firm: Workspace, monkeypatch: pytest.MonkeyPatch, args: tuple[str, ...]
) -> None:
    before = firm.snapshot()
    monkeypatch.setattr(os, "replace", failing(errno.ENOSPC))
    result = firm.run(*args)
    monkeypatch.undo()
    if args[0] == "rework":
        assert result.code == 1 and "no way back" in result.err
        assert firm.snapshot() == before
        return
    assert_failed_cleanly(firm, result, before, "the disk is full")


def test_a_failing_folder_sync_after_the_rename_is_no_error(
    firm: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The file is in place once renamed: saying "nothing was changed" then would be a lie.
    real_fsync, synced = os.fsync, []

    def fsync(fd: int) -> None:
        synced.append(fd)
        if stat.S_ISDIR(os.fstat(fd).st_mode):  # a folder's (the undo journal's, the item's)
            raise OSError(errno.EIO, "folder sync failed")
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    result = firm.run("note", "acme", "kept")
    monkeypatch.undo()
    assert result.code == 0, result.err
    assert len(synced) == 4  # the journal's entry and folder, then the item's file and folder
    assert tomllib.loads(firm.text("acme"))["notes"][-1]["text"] == "kept"


@pytest.mark.skipif(os.name == "posix" and os.geteuid() == 0, reason="root writes anywhere")
def test_read_only_folder(firm: Workspace) -> None:
    folder = firm.root / "engagements"
    before = firm.snapshot()
    folder.chmod(0o555)
    try:
        result = firm.run("note", "acme", "nope")
    finally:
        folder.chmod(0o755)
    assert_failed_cleanly(firm, result, before, "permission denied")


def test_read_only_file_is_refused(firm: Workspace) -> None:
    path = firm.file("acme")
    path.chmod(0o444)
    before = firm.snapshot()
    result = firm.run("note", "acme", "nope")
    assert result.code == 1
    assert result.err.startswith(
        "error: engagements/acme.toml: the file is read-only; nothing was changed"
    )
    assert result.err.count("\n") == 1
    assert firm.snapshot() == before
    assert path.stat().st_mode & 0o777 == 0o444


# --- the lock file: a full disk, things that are not a lock file ------------------------------


def on_the_lock(mp: pytest.MonkeyPatch, fault) -> None:
    """`fault` for os.write on the lock file's descriptors: its holder line."""
    real, opened = os.open, set()

    def open_(path, flags, *args, **kwargs):
        fd = real(path, flags, *args, **kwargs)
        if os.fspath(path).endswith(".svctrack.lock"):
            opened.add(fd)
        return fd

    mp.setattr(os, "open", open_)
    mp.setattr(os, "write", only_on(opened, fault))


@pytest.mark.parametrize("fault", ["write", "short write"])
@pytest.mark.parametrize("args", COMMANDS, ids=lambda a: " ".join(a[:2]))
def test_a_full_disk_refuses_the_locks_holder_line(
    firm: Workspace, monkeypatch: pytest.MonkeyPatch, args: tuple[str, ...], fault: str
) -> None:
    before = firm.snapshot()
    make = failing(errno.ENOSPC) if fault == "write" else half_then_fail(errno.ENOSPC)
    on_the_lock(monkeypatch, make)
    result = firm.run(*args)
    monkeypatch.undo()
    assert result.code == 1
    assert result.err == "error: .svctrack.lock: the disk is full; nothing was changed\n"
    assert firm.snapshot() == before  # and no temp file left
    assert (firm.root / ".svctrack.lock").read_bytes() == b""  # no half a holder line
    monkeypatch.setenv("SVCTRACK_LOCK_TIMEOUT", "0")  # the lock was let go
    firm.ok("note", "acme", "the disk has room again")


NOT_A_LOCK = {
    "fifo": (os.mkfifo, "a FIFO (named pipe)"),
    "folder": (os.mkdir, "a folder"),
    "link to a device": (lambda path: os.symlink("/dev/null", path), "a symbolic link"),
    "link to a fifo": (lambda path: os.symlink(path.with_name("fifo"), path), "a symbolic link"),
}


@pytest.mark.parametrize("case", NOT_A_LOCK)
@pytest.mark.parametrize("args", [COMMANDS[0], COMMANDS[-1]], ids=lambda a: " ".join(a[:2]))
def test_a_lock_that_is_no_regular_file_is_refused_at_once(
    firm: Workspace, args: tuple[str, ...], case: str
) -> None:
    make, what = NOT_A_LOCK[case]
    lock = firm.root / ".svctrack.lock"
    lock.unlink(missing_ok=True)
    os.mkfifo(firm.root / "fifo")
    make(lock)
    before = firm.snapshot()
    # A real process with a timeout: a FIFO opened for writing without a reader would hang.
    done = run_process("-C", str(firm.root), *args)
    assert done.returncode == 1
    assert done.stderr == (
        f"error: .svctrack.lock is {what}, not svctrack's lock file; nothing was changed;"
        f" remove {lock} (svctrack makes a new lock file)\n"
    )
    assert firm.snapshot() == before
    assert os.path.lexists(lock)  # the user's to remove


# --- stale temp files ------------------------------------------------------------------------


def plant_temp(folder: Path, name: str, age: float) -> Path:
    path = folder / name
    path.write_bytes(b'name = "half a file')  # what a killed write leaves: not TOML
    moment = time.time() - age
    os.utime(path, (moment, moment))
    return path


READS = [
    ("validate", "--strict"),
    ("engagement", "list", "--all"),
    ("service", "list", "--all"),
    ("status",),
    ("deadlines",),
    ("checklist",),
    ("show", "acme"),
    ("show", "audit", "--json"),
]


@pytest.mark.parametrize("args", READS, ids=" ".join)
def test_stray_temp_files_are_ignored(firm: Workspace, args: tuple[str, ...]) -> None:
    plant_temp(firm.root / "engagements", ".acme.toml.k2x9_q1z.tmp", 0)
    plant_temp(firm.root / "services", ".audit.toml.abcd1234.tmp", 3600)
    firm.ok(*args)


def test_stale_temp_files_go_at_the_next_write_in_their_folder(firm: Workspace) -> None:
    engagements, services = firm.root / "engagements", firm.root / "services"
    # As writers killed mid-write leave the lock file: their holder line, no `tidy` line.
    (firm.root / ".svctrack.lock").write_text("pid 4242 on elsewhere\n")
    stale = plant_temp(engagements, ".acme.toml.k2x9_q1z.tmp", 3600)
    other_stale = plant_temp(engagements, ".old-item.toml.zz99zz99.tmp", 120)
    fresh = plant_temp(engagements, ".acme.toml.n3w_f1l3.tmp", 0)  # a live writer's, maybe
    not_ours = plant_temp(engagements, ".notes.tmp", 3600)
    elsewhere = plant_temp(services, ".audit.toml.abcd1234.tmp", 3600)
    firm.ok("note", "acme", "hello")
    assert not stale.exists() and not other_stale.exists()
    assert fresh.exists() and not_ours.exists() and elsewhere.exists()
    firm.ok("set", "audit", "owner", "olga")
    assert not elsewhere.exists()


def test_a_folder_left_tidy_is_not_listed_again_while_it_is_the_same_folder(
    firm: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    from svctrack.storage import store

    lock = firm.root / ".svctrack.lock"
    firm.ok("note", "acme", "first")  # lists engagements/, finds it tidy and says so
    assert "tidy engagements " in lock.read_text()
    listed: list[Path] = []
    real = store.clean_stale_temps
    monkeypatch.setattr(store, "clean_stale_temps", lambda f: listed.append(f) or real(f))
    firm.ok("note", "acme", "second")
    assert listed == []  # the folder is as that write left it
    (firm.root / "engagements" / "copy.toml").write_text(firm.text("acme"))
    firm.file("copy").unlink()  # another program's changes make no temp file of svctrack's
    firm.ok("note", "acme", "third")
    assert listed == []
    engagements = firm.root / "engagements"
    os.rename(engagements, firm.root / "old")  # the folder replaced (a restore): listed again
    shutil.copytree(firm.root / "old", engagements)
    stale = plant_temp(engagements, ".acme.toml.k2x9_q1z.tmp", 3600)
    firm.ok("note", "acme", "fourth")
    assert listed == [engagements] and not stale.exists()
    firm.ok("set", "audit", "owner", "olga")  # services/ was left tidy when it was made
    assert listed[1:] == []
    lines = lock.read_text().splitlines()  # no holder line: the lock is free
    assert sorted(line.split()[:2] for line in lines) == [
        ["tidy", "engagements"],
        ["tidy", "services"],
    ]


def test_a_writer_that_died_holding_the_lock_leaves_no_tidy_line(firm: Workspace) -> None:
    """Every holder of the lock wipes the lines first, and a young temp file is no tidy folder:
    what a killed writer left is listed again, and cleaned once stale."""
    lock = firm.root / ".svctrack.lock"
    firm.ok("note", "acme", "first")
    fresh = plant_temp(firm.root / "engagements", ".acme.toml.n3w_f1l3.tmp", 0)
    lock.write_text("pid 4242 on elsewhere\n")  # the holder killed while it wrote that file
    firm.ok("note", "acme", "second")
    assert fresh.exists() and "tidy engagements" not in lock.read_text()
    moment = time.time() - 3600
    os.utime(fresh, (moment, moment))  # it ages; the folder itself is as it was
    firm.ok("note", "acme", "third")
    assert not fresh.exists() and "tidy engagements" in lock.read_text()


def test_a_forged_or_stale_tidy_line_is_not_trusted(firm: Workspace) -> None:
    lock = firm.root / ".svctrack.lock"
    stale = plant_temp(firm.root / "engagements", ".acme.toml.k2x9_q1z.tmp", 3600)
    lock.write_text("tidy engagements 1 2 3 4\ntidy ../x 1 2 3 4\n")
    firm.ok("note", "acme", "hello")
    assert not stale.exists()


# --- real processes: SIGKILL in a burst of writes, two writers, a held lock ---------------------

WRITER = """
import sys
from svctrack.cli.app import app

root, item, prefix, start, count = sys.argv[1:6]
for n in range(int(start), int(start) + int(count)):
    try:
        app(["-C", root, "note", item, f"{prefix}{n}"], prog_name="svctrack")
    except SystemExit as done:
        if done.code:
            sys.exit(done.code)
    print(n, flush=True)
"""


def writer(ws: Workspace, prefix: str, start: int, count: int) -> subprocess.Popen[str]:
    args = [str(ws.root), "acme", prefix, str(start), str(count)]
    return subprocess.Popen(
        [sys.executable, "-c", WRITER, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def note_texts(ws: Workspace) -> list[str]:
    return [n["text"] for n in tomllib.loads(ws.text("acme")).get("notes", [])]


def numbers(lines: str) -> list[str]:
    """The writer's own progress lines among svctrack's output."""
    return [line for line in lines.split() if line.isdigit()]


def test_sigkill_in_a_burst_of_writes_leaves_old_or_new(firm: Workspace) -> None:
    chance = random.Random(20261126)
    done = 0  # notes in the file
    for _ in range(6):
        child = writer(firm, "n", done, 100_000)
        try:
            assert child.stdout is not None
            while not numbers(child.stdout.readline()):  # it writes: now kill it at some moment
                assert child.poll() is None, "the writer stopped"
            time.sleep(chance.uniform(0.0, 0.4))
        finally:
            child.send_signal(signal.SIGKILL)
            rest, _ = child.communicate()
        reported = 1 + len(numbers(rest))
        texts = note_texts(firm)  # parses: never a half-written file
        # Every reported note is there, in order; at most one more was renamed in as it died.
        assert texts[: done + reported] == [f"n{i}" for i in range(done + reported)]
        assert len(texts) in (done + reported, done + reported + 1)
        done = len(texts)
        for path in (firm.root / "engagements").glob("*.toml"):
            tomllib.loads(path.read_text())
    # What a writer killed mid-write leaves (whether the last kill came mid-write or between two
    # writes is up to the machine's load): its temp file, no `tidy` line for the folder.
    (firm.root / ".svctrack.lock").write_text("pid 4242 on elsewhere\n")
    plant_temp(firm.root / "engagements", ".acme.toml.deadbeef.tmp", 3600)
    firm.ok("validate", "--strict")
    listed = firm.ok("engagement", "list", "--json").json()
    assert [e["id"] for e in listed] == ["acme"]
    firm.ok("note", "acme", "after the crashes")
    assert note_texts(firm)[-1] == "after the crashes"
    assert not list((firm.root / "engagements").glob(".acme.toml.deadbeef.tmp"))


def test_two_processes_writing_at_once_lose_nothing(firm: Workspace) -> None:
    children = [writer(firm, prefix, 0, 20) for prefix in ("a", "b")]
    for child in children:
        out, err = child.communicate(timeout=120)
        assert child.returncode == 0, err
        assert numbers(out) == [str(n) for n in range(20)]
    texts = note_texts(firm)
    assert sorted(texts) == sorted([f"a{n}" for n in range(20)] + [f"b{n}" for n in range(20)])
    for prefix in ("a", "b"):  # each writer's notes in its own order
        assert [t for t in texts if t[0] == prefix] == [f"{prefix}{n}" for n in range(20)]


HOLDER = """
import sys
from pathlib import Path
from svctrack.storage.store import Store

with Store(Path(sys.argv[1])).locked():
    print("locked", flush=True)
    sys.stdin.readline()
"""


@pytest.fixture
def held(firm: Workspace):
    """Another process holding the workspace lock until the test lets it go."""
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(firm.root)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None and holder.stdout.readline() == "locked\n"
    yield holder
    if holder.poll() is None:
        holder.communicate("go\n", timeout=30)


def test_a_held_lock_times_out_with_the_holders_pid(
    firm: Workspace, held: subprocess.Popen[str]
) -> None:
    before = firm.snapshot()
    done = run_process(
        "-C", str(firm.root), "note", "acme", "late", env={"SVCTRACK_LOCK_TIMEOUT": "0.2"}
    )
    assert done.returncode == 1
    lines = done.stderr.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(
        f"error: the workspace is locked by another svctrack process (pid {held.pid} on "
    )
    assert firm.snapshot() == before


def test_a_held_lock_in_process_too(
    firm: Workspace, held: subprocess.Popen[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SVCTRACK_LOCK_TIMEOUT", "0")
    result = firm.run("check", "acme", "terms-agreed")
    assert result.code == 1
    assert f"locked by another svctrack process (pid {held.pid} " in result.err


def test_the_second_writer_waits_for_the_lock(firm: Workspace, held: subprocess.Popen[str]) -> None:
    waiting = subprocess.Popen(
        [sys.executable, "-m", "svctrack", "-C", str(firm.root), "note", "acme", "waited"],
        env={**os.environ, "SVCTRACK_LOCK_TIMEOUT": "120"},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    time.sleep(0.5)  # give it the chance to do what it must not: write under a held lock
    assert waiting.poll() is None
    assert "waited" not in note_texts(firm)
    held.communicate("go\n", timeout=30)
    _, err = waiting.communicate(timeout=120)
    assert waiting.returncode == 0, err
    assert note_texts(firm) == ["waited"]


@pytest.mark.parametrize("value", ["soon", "-1", "nan", "inf"])
def test_a_bad_lock_timeout_is_bad_usage(
    firm: Workspace, monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("SVCTRACK_LOCK_TIMEOUT", value)
    result = firm.run("note", "acme", "x")
    assert result.code == 2
    assert result.err == f"error: SVCTRACK_LOCK_TIMEOUT={value!r} is not a number of seconds\n"


def test_a_linked_lock_file_is_not_followed(firm: Workspace, tmp_path: Path) -> None:
    # Locking truncates the lock file: through a link it would wipe whatever the link names.
    precious = tmp_path / "precious.txt"
    precious.write_text("do not truncate me\n")
    lock = firm.root / ".svctrack.lock"
    lock.unlink(missing_ok=True)
    lock.symlink_to(precious)
    result = firm.run("note", "acme", "x")
    assert result.code == 1
    assert result.err.startswith("error: .svctrack.lock is a symbolic link")
    assert precious.read_text() == "do not truncate me\n"
    assert "notes" not in tomllib.loads(firm.text("acme"))
