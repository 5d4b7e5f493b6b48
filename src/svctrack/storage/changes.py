"""What svctrack's own writes changed in an item folder, told to the read cache.

A file created, removed or renamed in a folder changes the folder's status (its mtime and
ctime); a file rewritten in place does not. The read cache trusts the files of closed items,
without a look at each, while their folder's status is the one it saw when it last looked at
them all (at 100,000 files those looks are most of a read). svctrack's own writes change that
status, so each says, in a small file beside the cache, the folder's status before and after
and the file it wrote; a read follows those steps from the status it saw to the status now and
looks again only at the files they name. A status no step leads to (git, an editor that saves
by renaming, a person's `cp`) has every file looked at again.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path
from typing import IO

from svctrack.storage.paths import workspace_key
from svctrack.storage.userconfig import user_dir

MAX_STEPS_BYTES = 64 * 1024  # past this, a writer starts the file anew: one full look follows
_SAFE = getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)  # (none on Windows)


def cache_dir(root: Path) -> Path | None:
    """The folder of this workspace's cache (named after its path), or None when caching is off.
    Two paths that share a name share a folder and take turns: each entry knows its root."""
    if os.environ.get("SVCTRACK_NO_CACHE", "") not in ("", "0"):
        return None
    return user_dir("cache") / workspace_key(root)


def folder_status(folder: str | os.PathLike[str]) -> str:
    """A folder's device, inode, mtime and ctime (ns), or "" if it cannot be had."""
    try:
        st = os.stat(folder)
    except OSError:
        return ""
    return f"{st.st_dev} {st.st_ino} {st.st_mtime_ns} {st.st_ctime_ns}"


def steps_path(cache: Path, folder_name: str) -> Path:
    return cache / f"{folder_name}.steps"


def record(cache: Path | None, folder_name: str, before: str, after: str, name: str) -> None:
    """Say that a write of the lock's holder took `folder_name` from `before` to `after`,
    changing the file `name`. Best effort: a step not said only means a full look."""
    if cache is None or not before or not after or before == after:
        return
    line = f"{before}|{after}|{name}\n".encode()
    # No link followed (a file of the user's would be written to), no wait for a FIFO's reader;
    # no cache folder yet: no step (the first read looks at every file anyway).
    flags = os.O_WRONLY | os.O_CREAT | os.O_APPEND | _SAFE | getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(steps_path(cache, folder_name), flags, 0o600)
    except OSError:
        return
    try:
        st = os.fstat(fd)
        if stat.S_ISREG(st.st_mode):
            if st.st_size > MAX_STEPS_BYTES:
                os.ftruncate(fd, 0)
            os.write(fd, line)  # one write: lines of the lock's holders follow each other whole
    except OSError:
        pass
    finally:
        os.close(fd)


def names_changed(cache: Path | None, folder_name: str, start: str, end: str) -> set[str] | None:
    """The files that svctrack's writes changed while they took the folder from status `start`
    to `end`, or None when the steps do not lead there (another program changed the folder)."""
    if cache is None or not start or not end:
        return None
    try:
        handle, size = open_regular(steps_path(cache, folder_name))
        with handle:
            if size > 2 * MAX_STEPS_BYTES:  # not a writer's: they start anew past the size
                return None
            text = handle.read(size).decode()
    except (OSError, UnicodeDecodeError):
        return None
    after: dict[str, tuple[str, str]] = {}
    for line in text.split("\n")[:-1]:  # (a line still being written has no newline yet)
        parts = line.split("|")
        if len(parts) == 3:
            after[parts[0]] = (parts[1], parts[2])
    names: set[str] = set()
    status = start
    while status != end:
        step = after.pop(status, None)  # (popped: a loop of steps cannot go on for ever)
        if step is None:
            return None
        status, name = step
        names.add(name)
    return names


def open_regular(path: Path) -> tuple[IO[bytes], int]:
    """A cache file to read, and its size; OSError unless it is a regular file (a FIFO put in
    its place would block the read, a link to a device would never end)."""
    fd = os.open(path, os.O_RDONLY | _SAFE)
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise OSError(errno.EINVAL, f"{path}: not a regular file")
    except BaseException:
        os.close(fd)
        raise
    return os.fdopen(fd, "rb"), st.st_size
