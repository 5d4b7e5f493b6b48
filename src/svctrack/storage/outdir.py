"""`-o DIR`: a folder that a command fills with files outside the workspace (`export site`,
`schema`).

The folder is created if missing; anything else that is not a folder (a file, a FIFO, `-`) is
refused. Each file is replaced atomically, and only when its bytes change, so that a second run
over an unchanged workspace writes nothing. `prune` removes the files of a previous run that the
new one did not write, and only those: files whose names the caller's pattern recognises as its
own, in a folder of its own.
"""

from __future__ import annotations

import os
import queue
import re
import stat
import threading
from collections.abc import Iterable
from pathlib import Path
from types import TracebackType

from svctrack.errors import SvcError
from svctrack.messages import msg
from svctrack.storage.atomic import reason, sync_folder, write_atomic


def folder(target: str, *, create: bool = True) -> Path:
    """The folder `-o target` names (through a symbolic link), created if missing."""
    if target in ("", "-"):
        shown = target or "''"
        raise SvcError(msg("o_give_folder", target=shown), hint=msg("o_give_folder_hint"))
    path = Path(target).expanduser()
    try:
        st = os.stat(path)
    except FileNotFoundError:
        if not create:
            raise SvcError(msg("o_no_folder", target=target)) from None
        try:
            path.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise SvcError(
                msg("o_cannot_mkdir", target=f"-o {target}", reason=reason(exc))
            ) from None
        return path
    except NotADirectoryError:
        raise SvcError(msg("o_part_file", target=target)) from None
    except OSError as exc:
        raise SvcError(msg("at_place", place=f"-o {target}", message=reason(exc))) from None
    if not stat.S_ISDIR(st.st_mode):
        raise SvcError(msg("o_is_file", target=target), hint=msg("o_is_file_hint"))
    return path


def subfolder(parent: Path, name: str) -> Path:
    """A folder of svctrack's own inside `parent` (created if missing); a file or a symbolic
    link of that name is refused, never written through."""
    path = parent / name
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        try:
            path.mkdir()
        except OSError as exc:
            raise SvcError(msg("o_cannot_mkdir", target=path, reason=reason(exc))) from None
        return path
    except OSError as exc:
        raise SvcError(msg("at_place", place=path, message=reason(exc))) from None
    if not stat.S_ISDIR(st.st_mode):
        raise SvcError(msg("o_not_folder", path=path), hint=msg("o_not_folder_hint"))
    return path


def write(path: Path, data: bytes, *, durable: bool = True, mode: int | None = None) -> bool:
    """Replace `path` atomically with `data`, unless it is a regular file that holds `data`
    already; returns whether it wrote. A symbolic link in its place is replaced, not followed.
    `mode` is the new file's permission bits (default: as the umask allows)."""
    try:
        st = os.lstat(path)
        if stat.S_ISREG(st.st_mode) and st.st_size == len(data) and path.read_bytes() == data:
            return False
        if stat.S_ISDIR(st.st_mode):
            raise SvcError(msg("o_is_folder_there", path=path))
    except FileNotFoundError:
        pass
    except OSError:
        pass  # unreadable: written anew below, which says why if that fails too
    try:
        write_atomic(path, data, mode, durable=durable)
    except OSError as exc:
        raise SvcError(msg("o_cannot_write", target=path, reason=reason(exc))) from None
    return True


class Writer:
    """Files written by a thread of their own while the caller makes the next ones.

    Creating a file is mostly the kernel's work, done with the GIL released: thousands of pages
    are written in the time it takes to make them. At most `ahead` files wait, so memory stays
    flat. Each file is written as `write(..., durable=False)` writes it (atomically, only when
    changed); the first failure stops the writing and is raised by the next `put` or by the end
    of the `with` block.
    """

    def __init__(self, *, ahead: int = 64) -> None:
        mask = os.umask(0)  # once, here: the umask is the process's, not the thread's
        os.umask(mask)
        self.mode = 0o666 & ~mask
        self.written = 0
        self.error: BaseException | None = None
        self._queue: queue.Queue[tuple[Path, bytes] | None] = queue.Queue(maxsize=ahead)
        self._thread = threading.Thread(target=self._run, name="svctrack-writer", daemon=True)
        self._thread.start()

    def put(self, path: Path, data: bytes) -> None:
        if self.error is not None:
            raise self.error
        self._queue.put((path, data))

    def _run(self) -> None:
        while (job := self._queue.get()) is not None:
            if self.error is not None:
                continue  # drain what is queued, write nothing more
            try:
                if write(job[0], job[1], durable=False, mode=self.mode):
                    self.written += 1
            except BaseException as exc:  # handed to the caller's thread
                self.error = exc

    def close(self) -> None:
        """Wait for every queued file; raise the first failure."""
        self._queue.put(None)
        self._thread.join()
        if self.error is not None:
            raise self.error

    def __enter__(self) -> Writer:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if kind is None:
            self.close()
            return
        if self.error is None:
            self.error = error  # stop writing; the caller's own error goes on
        self._queue.put(None)
        self._thread.join()


def prune(where: Path, keep: Iterable[str], own: re.Pattern[str]) -> list[str]:
    """Remove the regular files of `where` whose names match `own` and are not in `keep`: pages
    of items that no longer exist. Nothing else is touched (no other name, no link, no folder).
    Returns the names removed."""
    kept = set(keep)
    removed = []
    try:
        entries = list(os.scandir(where))
    except OSError as exc:
        raise SvcError(
            msg("at_place", place=where, message=msg("cannot_list", reason=reason(exc)))
        ) from None
    for entry in entries:
        if entry.name in kept or not own.fullmatch(entry.name):
            continue
        if not entry.is_file(follow_symlinks=False):
            continue
        try:
            os.unlink(entry.path)
        except FileNotFoundError:
            continue
        except OSError as exc:
            raise SvcError(msg("o_cannot_remove", path=entry.path, reason=reason(exc))) from None
        removed.append(entry.name)
    return sorted(removed)


def settle(*folders: Path) -> None:
    """Make what `write(..., durable=False)` renamed into these folders durable."""
    for where in folders:
        sync_folder(where)
