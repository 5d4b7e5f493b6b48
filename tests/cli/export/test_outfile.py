"""`-o FILE` writes as the shell's `>` would: through links, into FIFOs and devices, atomically
over files; an unwritable place is one `error:` line (svctrack.storage.outfile)."""

from __future__ import annotations

import errno
import os
import re
import stat
import sys
import tempfile
import threading
from pathlib import Path

import pytest

from conftest import Result, Workspace, run_process
from conftest import on_a_terminal as run_on_a_terminal

ROOT = hasattr(os, "geteuid") and os.geteuid() == 0
posix_only = pytest.mark.skipif(os.name != "posix", reason="FIFOs and devices are POSIX")

# every command that takes -o
EXPORTS = [
    ("export", "report", "acme"),
    ("export", "ics"),
    ("export", "csv"),
]


def expected(firm: Workspace, args: tuple[str, ...]) -> bytes:
    """What the command writes to a file: its stdout (with a BOM for CSV, as files get one)."""
    out = firm.ok(*args).out
    return (("\ufeff" if args[1] == "csv" else "") + out).encode("utf-8")


def without_stamp(data: bytes) -> list[bytes]:
    """An ICS file without DTSTAMP (the moment of the export)."""
    return [line for line in data.splitlines() if not line.startswith(b"DTSTAMP:")]


def one_error(result: Result, *words: str) -> None:
    """Exit 1, nothing on stdout, one `error: -o ...` line naming `words`."""
    assert result.code == 1, result
    assert result.out == ""
    lines = result.err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: -o "), result.err
    assert "internal error" not in result.err
    for word in words:
        assert word in lines[0]


@pytest.mark.parametrize("args", EXPORTS, ids=lambda a: a[1])
def test_a_symbolic_link_is_written_through(
    firm: Workspace, tmp_path: Path, args: tuple[str, ...]
) -> None:
    target = tmp_path / "real" / "target.out"
    target.parent.mkdir()
    target.write_bytes(b"old")
    link = tmp_path / "link.out"
    link.symlink_to(target)
    result = firm.ok(*args, "-o", str(link))
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert without_stamp(target.read_bytes()) == without_stamp(expected(firm, args))
    assert f"{link}" in result.err  # `wrote` names what the user gave
    assert sorted(p.name for p in target.parent.iterdir()) == ["target.out"]  # no temp file


def test_a_dangling_link_creates_its_target(firm: Workspace, tmp_path: Path) -> None:
    target = tmp_path / "made.md"
    link = tmp_path / "link.md"
    link.symlink_to(target)
    firm.ok("export", "report", "acme", "-o", str(link))
    assert link.is_symlink() and target.read_bytes() == expected(firm, ("export", "report", "acme"))


def test_a_file_keeps_its_mode(firm: Workspace, tmp_path: Path) -> None:
    target = tmp_path / "private.md"
    target.write_bytes(b"old")
    target.chmod(0o600)
    firm.ok("export", "report", "acme", "-o", str(target))
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert target.read_bytes() == expected(firm, ("export", "report", "acme"))


def test_dash_is_stdout(firm: Workspace, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    for args in EXPORTS:
        result = firm.ok(*args, "-o", "-")
        assert without_stamp(result.out.encode()) == without_stamp(firm.ok(*args).out.encode())
        assert result.err == ""
    assert not (tmp_path / "-").exists()
    assert not firm.ok("export", "csv", "-o", "-").out.startswith("\ufeff")  # stdout: no BOM


@posix_only
@pytest.mark.parametrize("args", EXPORTS, ids=lambda a: a[1])
def test_a_fifo_is_written_to_not_replaced(
    firm: Workspace, tmp_path: Path, args: tuple[str, ...]
) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()), daemon=True)
    reader.start()
    try:
        result = firm.run(*args, "-o", str(fifo))
        reader.join(timeout=10)
    finally:
        if reader.is_alive():  # the command never opened the FIFO: free the reader
            os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
            reader.join(timeout=10)
    assert result.code == 0, result.err
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert got and without_stamp(got[0]) == without_stamp(expected(firm, args))
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


@posix_only
def test_more_than_a_pipe_buffer_goes_through_a_fifo(tmp_path: Path) -> None:
    """The FIFO is opened without blocking, then written with blocking writes: a slow reader
    gets everything, however much more than the pipe's 64 KiB buffer."""
    from svctrack.storage import outfile

    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    data = os.urandom(1 << 20)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()), daemon=True)
    reader.start()
    assert outfile.write(str(fifo), data) == fifo
    reader.join(timeout=10)
    assert got == [data]


@posix_only
def test_a_fifo_nobody_reads_is_an_error_not_a_hang(
    firm: Workspace, tmp_path: Path, monkeypatch
) -> None:
    from svctrack.storage import outfile

    monkeypatch.setattr(outfile, "FIFO_WAIT", 0.3)
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    result = firm.run("export", "ics", "-o", str(fifo))
    one_error(result, str(fifo), "nobody reads")
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


def device(tmp_path: Path, name: str, minor: int) -> Path:
    """A private copy of /dev/null (1, 3) or /dev/full (1, 7), made as root (Linux numbers)."""
    if not ROOT or not sys.platform.startswith("linux"):
        pytest.skip("mknod needs root on Linux")
    path = tmp_path / name
    os.mknod(path, stat.S_IFCHR | 0o666, os.makedev(1, minor))
    return path


def test_a_device_is_written_to_not_replaced(firm: Workspace, tmp_path: Path) -> None:
    null = device(tmp_path, "null", 3)
    link = tmp_path / "null-link"
    link.symlink_to(null)
    for args in EXPORTS:
        for where in (null, link):
            result = firm.ok(*args, "-o", str(where))
            assert "wrote" in result.err and str(where) in result.err
            assert stat.S_ISCHR(os.lstat(null).st_mode)
            assert os.lstat(null).st_rdev == os.makedev(1, 3)
    assert link.is_symlink()
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


@posix_only
def test_dev_null_stays_a_device(firm: Workspace, tmp_path: Path) -> None:
    if ROOT:  # first a private copy, so that a regression cannot replace the machine's /dev/null
        test_a_device_is_written_to_not_replaced(firm, tmp_path)
    for args in EXPORTS:
        firm.ok(*args, "-o", "/dev/null")
        assert stat.S_ISCHR(os.lstat("/dev/null").st_mode)


def test_a_full_device_is_one_error_line(firm: Workspace, tmp_path: Path) -> None:
    full = device(tmp_path, "full", 7)
    one_error(firm.run("export", "csv", "-o", str(full)), str(full), "the disk is full")
    assert stat.S_ISCHR(os.lstat(full).st_mode)


@pytest.mark.parametrize("args", EXPORTS, ids=lambda a: a[1])
def test_a_full_disk_leaves_the_file_as_it_was(
    firm: Workspace, tmp_path: Path, monkeypatch, args: tuple[str, ...]
) -> None:
    target = tmp_path / "out" / "file"
    target.parent.mkdir()
    target.write_bytes(b"the old content")
    real_write = os.write

    def full(fd: int, data) -> int:
        if os.path.basename(os.readlink(f"/proc/self/fd/{fd}")).endswith(".tmp"):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real_write(fd, data)

    if not os.path.isdir("/proc/self/fd"):
        pytest.skip("needs /proc")
    monkeypatch.setattr(os, "write", full)
    one_error(firm.run(*args, "-o", str(target)), str(target), "the disk is full")
    assert target.read_bytes() == b"the old content"
    assert [p.name for p in target.parent.iterdir()] == ["file"]  # no temp file left


@pytest.mark.parametrize(
    ("code", "words"),
    [(errno.EROFS, "read-only"), (errno.EACCES, "permission denied"), (errno.EIO, "input/output")],
)
def test_a_place_that_refuses_is_one_error_line(
    firm: Workspace, tmp_path: Path, monkeypatch, code: int, words: str
) -> None:
    def refuse(*args, **kwargs):
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(tempfile, "mkstemp", refuse)
    target = tmp_path / "new.md"
    one_error(firm.run("export", "report", "acme", "-o", str(target)), str(target), words)
    assert not target.exists()


def bypasses_permissions(folder: Path) -> bool:
    """Whether this process writes into a read-only folder (root, CAP_DAC_OVERRIDE)."""
    return os.name != "posix" or os.access(folder, os.W_OK)


def test_a_read_only_folder_is_one_error_line(firm: Workspace, tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    (folder / "kept.ics").write_bytes(b"old")
    folder.chmod(0o555)
    if bypasses_permissions(folder):
        folder.chmod(0o755)
        pytest.skip("permissions do not bind this process (root)")
    try:
        for name in ("new.ics", "kept.ics"):
            one_error(firm.run("export", "ics", "-o", str(folder / name)), "permission denied")
        assert (folder / "kept.ics").read_bytes() == b"old"
        assert [p.name for p in folder.iterdir()] == ["kept.ics"]
    finally:
        folder.chmod(0o755)


def test_a_read_only_file_is_refused_as_the_shell_refuses_it(
    firm: Workspace, tmp_path: Path
) -> None:
    target = tmp_path / "locked.csv"
    target.write_bytes(b"old")
    target.chmod(0o444)
    if bypasses_permissions(target):
        pytest.skip("permissions do not bind this process (root)")
    one_error(firm.run("export", "csv", "-o", str(target)), "permission denied")
    assert target.read_bytes() == b"old"


@pytest.mark.skipif(not os.path.isdir("/proc/self"), reason="needs /proc")
@pytest.mark.parametrize("args", EXPORTS, ids=lambda a: a[1])
def test_proc_is_one_error_line(firm: Workspace, args: tuple[str, ...]) -> None:
    one_error(firm.run(*args, "-o", "/proc/x.ics"), "/proc/x.ics")


def test_a_folder_and_a_missing_folder(firm: Workspace, tmp_path: Path) -> None:
    for args in EXPORTS:
        one_error(firm.run(*args, "-o", str(tmp_path)), "is a folder")
        one_error(firm.run(*args, "-o", str(tmp_path / "no" / "x")), "does not exist")
    (tmp_path / "plain").write_text("x")
    one_error(firm.run("export", "csv", "-o", str(tmp_path / "plain" / "x")), "is not a folder")


# --- stdout: a terminal gets inert text, a pipe the document's bytes ------------------------

CONTROL = re.compile(rb"[\x00-\x08\x0b-\x1f\x7f]")  # all but tab and newline
ESCAPE = "ACME \x1b[31mred\x1b]0;pwned\x07"


def on_a_terminal(*args: str) -> tuple[int, bytes]:
    """Run svctrack with stdout on a pseudo-terminal; returns the exit code and what it shows."""
    code, shown, _ = run_on_a_terminal(*args)
    return code, shown


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="pty semantics of Linux")
# (not ics: RFC 5545 text holds no control characters, so ics.py drops them from every file)
@pytest.mark.parametrize("args", EXPORTS[::2], ids=lambda a: a[1])
def test_exported_text_on_a_terminal_is_inert(firm: Workspace, args: tuple[str, ...]) -> None:
    firm.ok("set", "acme", "client", ESCAPE)
    firm.ok("note", "acme", f"call {ESCAPE}")
    firm.ok("advance", "acme", "--force", "--note", f"go {ESCAPE}")
    code, shown = on_a_terminal("-C", str(firm.root), *args)
    assert code == 0
    assert b"\x1b" not in shown and not CONTROL.search(shown.replace(b"\r\n", b"\n"))
    assert rb"ACME \x1b" in shown and rb"pwned\x07" in shown  # shown, not obeyed
    piped = run_process("-C", str(firm.root), *args)  # a pipe gets the document as it is
    assert piped.returncode == 0 and "ACME \x1b" in piped.stdout and "pwned\x07" in piped.stdout


def test_set_and_import_show_escapes_inert(firm: Workspace, tmp_path: Path) -> None:
    said = firm.ok("set", "acme", "client", ESCAPE)
    assert said.out == "acme: client = ACME \\x1b[31mred\\x1b]0;pwned\\x07\n"
    sheet = tmp_path / "x.csv"
    sheet.write_text(f"client,service,due\n{ESCAPE},audit,2026-12-01\n{ESCAPE},audit,soon\n")
    refused = firm.run("import", "csv", str(sheet))
    assert refused.code == 1 and "\x1b" not in refused.err and "\x07" not in refused.err
    sheet.write_text(f"client,service,due\n{ESCAPE},audit,2026-12-01\n")
    dry = firm.ok("import", "csv", str(sheet), "--dry-run")
    assert "\x1b" not in dry.out and "ACME \\x1b[31mred" in dry.out
