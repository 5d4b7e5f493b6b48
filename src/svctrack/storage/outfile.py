"""`-o FILE`: the one writer for what a command writes outside the workspace.

It does what the shell's `>` would do with what is already there: a symbolic link is written
through to its target (the link stays a link); a FIFO or a device is opened and written to, never
replaced (`-o /dev/null` leaves the device alone, also for root); a regular file, or a new one, is
replaced atomically and keeps its mode and owner (a hard link to the old file keeps the old
content, as with any atomic save). `-o -` is standard output. The workspace's own files (its
`svctrack.toml`, its lock, anything in its item folders) are never written, through a link or
not: `undo` could not bring them back. Whatever fails is one `SvcError` that names the path and
the reason.
"""

from __future__ import annotations

import errno
import os
import stat
import sys
import time
from pathlib import Path

from svctrack.errors import SvcError
from svctrack.messages import msg
from svctrack.storage.atomic import reason, write_atomic
from svctrack.storage.paths import CONFIG, FOLDERS, LOCK

STDOUT = "-"

# How long a FIFO may wait for its reader: `svctrack export ics -o pipe & reader < pipe` works in
# either order, and a FIFO nobody reads is an error rather than a hang.
FIFO_WAIT = 10.0


def to_stdout(target: str | None) -> bool:
    """Whether `-o target` means standard output (no `-o`, or `-o -`)."""
    return target is None or target == STDOUT


def write(target: str | None, data: bytes, *, workspace: Path | None = None) -> Path | None:
    """Write `data` to `target` as `> target` would, unless it is a file of `workspace`;
    returns the path written, None for stdout."""
    if target is None or target == STDOUT:
        _stdout(data)
        return None
    path = Path(target).expanduser()
    real = Path(os.path.realpath(path))  # through symbolic links, a dangling one included
    if workspace is not None and _owned(real, Path(os.path.realpath(workspace))):
        raise SvcError(msg("o_workspace_file", target=target), hint=msg("o_elsewhere"))
    try:
        st = os.stat(real)
    except (FileNotFoundError, NotADirectoryError):  # a new file, or a folder that is not
        st = None
    except OSError as exc:
        raise _failed(target, exc) from None
    if st is None:
        _new(target, real, data)
    elif stat.S_ISDIR(st.st_mode):
        raise SvcError(msg("o_is_folder", target=target))
    elif stat.S_ISREG(st.st_mode):
        _replace(target, real, st, data)
    elif stat.S_ISSOCK(st.st_mode):
        raise SvcError(msg("o_is_socket", target=target))
    else:  # a FIFO, a character or block device: written to, as `>` does
        _into(target, real, st, data)
    return path


def _owned(real: Path, root: Path) -> bool:
    """Whether `real` is svctrack's to write: the config, the lock, or in an item folder."""
    if real.parent == root:
        return real.name in (CONFIG, LOCK)
    return real.parent.parent == root and real.parent.name in FOLDERS.values()


def _new(target: str, real: Path, data: bytes) -> None:
    folder = real.parent
    if not folder.exists():
        raise SvcError(msg("o_folder_missing", target=target, folder=folder))
    if not folder.is_dir():
        raise SvcError(msg("o_folder_not_folder", target=target, folder=folder))
    try:
        write_atomic(real, data)
    except OSError as exc:
        raise _failed(target, exc, hint=msg("nothing_was_written")) from None


def _replace(target: str, real: Path, st: os.stat_result, data: bytes) -> None:
    if not os.access(real, os.W_OK):  # `>` refuses a read-only file; so does svctrack
        raise _failed(
            target, OSError(errno.EACCES, "read-only"), hint=msg("as_it_was", target=target)
        )
    try:
        write_atomic(real, data, stat.S_IMODE(st.st_mode), (st.st_uid, st.st_gid))
    except OSError as exc:
        raise _failed(target, exc, hint=msg("as_it_was", target=target)) from None


def _into(target: str, real: Path, st: os.stat_result, data: bytes) -> None:
    """Open a FIFO or device and write to it in place; a FIFO without a reader is an error
    after FIFO_WAIT seconds, not a hang."""
    flags = (
        os.O_WRONLY
        | getattr(os, "O_NONBLOCK", 0)
        | getattr(os, "O_NOCTTY", 0)
        | getattr(os, "O_CLOEXEC", 0)
    )
    fifo = stat.S_ISFIFO(st.st_mode)
    deadline = time.monotonic() + FIFO_WAIT
    while True:
        try:
            fd = os.open(real, flags)
            break
        except OSError as exc:
            if not (fifo and exc.errno == errno.ENXIO):
                raise _failed(target, exc) from None
            if time.monotonic() >= deadline:
                raise SvcError(
                    msg("o_fifo_unread", target=target, seconds=f"{FIFO_WAIT:g}"),
                    hint=msg("o_fifo_unread_hint"),
                ) from None
            time.sleep(0.02)
    try:
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)  # non-blocking was for the open only
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
    except BrokenPipeError:
        raise SvcError(msg("o_fifo_closed", target=target)) from None
    except OSError as exc:
        raise _failed(target, exc) from None
    finally:
        os.close(fd)


def _stdout(data: bytes) -> None:
    """Bytes as they are (CRLF, UTF-8 whatever the locale); a closed pipe is the caller's."""
    try:
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
    except BrokenPipeError:
        raise
    except OSError as exc:
        raise SvcError(msg("o_stdout", reason=reason(exc))) from None


def _failed(target: str, exc: OSError, *, hint: str = "") -> SvcError:
    return SvcError(msg("o_cannot_write", target=f"-o {target}", reason=reason(exc)), hint=hint)
