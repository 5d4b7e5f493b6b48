"""Atomic writes: a temporary file in the same folder, flushed, renamed over; stale temporary files
cleaned; OS errors said in words."""

from __future__ import annotations

import contextlib
import errno
import os
import re
import stat
import time
from pathlib import Path

from svctrack.errors import SvcError
from svctrack.messages import msg


def write_atomic(
    path: Path,
    data: bytes,
    mode: int | None = None,
    owner: tuple[int, int] | None = None,
    *,
    durable: bool = True,
) -> None:
    """Write via a temp file in the same folder: written, fsynced, renamed over, folder fsynced.
    On any failure the temp file is removed and `path` is as it was.

    `durable=False` leaves out both fsyncs: the file is still replaced atomically (a reader sees
    the old bytes or the new, never a mix), only a power cut may lose the change. For thousands
    of generated files (`export site`) that can be made again, where fsyncs would cost seconds;
    `sync_folder` then makes the renames durable at the end."""
    import tempfile  # writes only

    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            if hasattr(os, "fchmod"):
                os.fchmod(fd, mode if mode is not None else 0o666 & ~_umask())
            if owner is not None and hasattr(os, "fchown"):
                with contextlib.suppress(OSError):  # only root may give a file away
                    os.fchown(fd, *owner)
            if durable:
                os.fsync(fd)
        finally:
            os.close(fd)
        if not hasattr(os, "fchmod"):  # pragma: no cover  (Windows)
            os.chmod(tmp, mode if mode is not None else 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    if durable:
        _fsync_folder(path.parent)


STALE_SECONDS = 60


_TEMP = re.compile(r"^\..+\.toml\.[A-Za-z0-9_]+\.tmp$")


def clean_stale_temps(folder: Path, pattern: re.Pattern[str] = _TEMP) -> bool:
    """Remove temp files that a killed svctrack left in `folder` (`.<name>.toml.*.tmp`, or what
    `pattern` matches; older than a minute: a live writer's temp file lives for milliseconds).
    Best effort. Every temp file's name starts with a dot and ends in `.tmp`: the rest of a
    folder of 10,000 items is passed over by those two string tests, not by the pattern.
    True when the folder was listed and none of those temp files is left in it."""
    try:
        names = [n for n in os.listdir(folder) if n[:1] == "." and n.endswith(".tmp")]
    except OSError:
        return False
    now = time.time()
    tidy = True
    for name in names:
        if not pattern.match(name):
            continue
        path = os.path.join(folder, name)
        try:
            st = os.lstat(path)
            if stat.S_ISREG(st.st_mode) and now - st.st_mtime > STALE_SECONDS:
                os.unlink(path)
                continue
        except OSError:
            pass
        tidy = False
    return tidy


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def sync_folder(folder: Path) -> None:
    """Make the renames of `write_atomic(..., durable=False)` in `folder` durable."""
    _fsync_folder(folder)


def _fsync_folder(folder: Path) -> None:
    """Make the rename durable; best effort, as the file is already in place."""
    if os.name != "posix":
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


_REASONS = {
    errno.ENOSPC: "the disk is full",
    errno.EDQUOT: "the disk quota is exhausted",
    errno.EACCES: "permission denied",
    errno.EPERM: "operation not permitted",
    errno.EROFS: "the file system is read-only",
    errno.EIO: "an input/output error",
}


def reason(exc: OSError) -> str:
    """Why an operation on a file failed, in words."""
    return _REASONS.get(exc.errno or 0, exc.strerror or str(exc))


def io_error(exc: OSError, path: str) -> SvcError:
    """A user-facing error for a failed read or write; the file was left as it was."""
    return SvcError(msg("io_error", path=path, reason=reason(exc)))
