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
import re
import stat
from collections.abc import Iterable
from pathlib import Path

from svctrack.errors import SvcError
from svctrack.storage.atomic import reason, sync_folder, write_atomic


def folder(target: str, *, create: bool = True) -> Path:
    """The folder `-o target` names (through a symbolic link), created if missing."""
    if target in ("", "-"):
        shown = target or "''"
        raise SvcError(f"-o {shown}: give a folder", hint="for example: -o site")
    path = Path(target).expanduser()
    try:
        st = os.stat(path)
    except FileNotFoundError:
        if not create:
            raise SvcError(f"-o {target}: no such folder") from None
        try:
            path.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise SvcError(f"-o {target}: cannot create the folder: {reason(exc)}") from None
        return path
    except NotADirectoryError:
        raise SvcError(f"-o {target}: a part of the path is a file, not a folder") from None
    except OSError as exc:
        raise SvcError(f"-o {target}: {reason(exc)}") from None
    if not stat.S_ISDIR(st.st_mode):
        raise SvcError(f"-o {target}: is a file, not a folder", hint="give a folder's name")
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
            raise SvcError(f"{path}: cannot create the folder: {reason(exc)}") from None
        return path
    except OSError as exc:
        raise SvcError(f"{path}: {reason(exc)}") from None
    if not stat.S_ISDIR(st.st_mode):
        raise SvcError(f"{path}: is not a folder", hint="move it away; svctrack writes there")
    return path


def write(path: Path, data: bytes, *, durable: bool = True) -> bool:
    """Replace `path` atomically with `data`, unless it is a regular file that holds `data`
    already; returns whether it wrote. A symbolic link in its place is replaced, not followed."""
    try:
        st = os.lstat(path)
        if stat.S_ISREG(st.st_mode) and st.st_size == len(data) and path.read_bytes() == data:
            return False
        if stat.S_ISDIR(st.st_mode):
            raise SvcError(f"{path}: is a folder; svctrack writes a file there")
    except FileNotFoundError:
        pass
    except OSError:
        pass  # unreadable: written anew below, which says why if that fails too
    try:
        write_atomic(path, data, durable=durable)
    except OSError as exc:
        raise SvcError(f"{path}: cannot write: {reason(exc)}") from None
    return True


def prune(where: Path, keep: Iterable[str], own: re.Pattern[str]) -> list[str]:
    """Remove the regular files of `where` whose names match `own` and are not in `keep`: pages
    of items that no longer exist. Nothing else is touched (no other name, no link, no folder).
    Returns the names removed."""
    kept = set(keep)
    removed = []
    try:
        entries = list(os.scandir(where))
    except OSError as exc:
        raise SvcError(f"{where}: cannot be listed: {reason(exc)}") from None
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
            raise SvcError(f"{entry.path}: cannot remove: {reason(exc)}") from None
        removed.append(entry.name)
    return sorted(removed)


def settle(*folders: Path) -> None:
    """Make what `write(..., durable=False)` renamed into these folders durable."""
    for where in folders:
        sync_folder(where)
