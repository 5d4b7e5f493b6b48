"""The only module that touches files: finds the workspace, reads, writes atomically, locks."""

from __future__ import annotations

import contextlib
import errno
import os
import re
import stat
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from datetime import time as dt_time
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

from svctrack.domain.ids import id_problem
from svctrack.errors import FileProblem, LockTimeout, NotFound, Refused, SvcError, UsageError
from svctrack.tomlparse import tomllib

CONFIG = "svctrack.toml"
LOCK = ".svctrack.lock"
FOLDERS = {"service": "services", "engagement": "engagements"}
MAX_BYTES = 1 << 20
BOM = "\ufeff"
GITIGNORE = "# svctrack's lock and temporary files\n.svctrack.lock\n.*.tmp\n"

T = TypeVar("T")

_POSITION = re.compile(r"\s*\(at line (\d+), column (\d+)\)\s*$")
_MARKER = re.compile(r"^(<{7}|\|{7}|={7}|>{7})(?: |\r?$)")
MAX_DEPTH = 50  # arrays and tables in one another; tomlkit, which writes, stops at 100


# --- finding the workspace ------------------------------------------------------------------


# The keys of the user config file, and what each is for.
USER_KEYS = {
    "workspace": "the workspace used when none is found from here",
    "user": "your name in the history (else git's user.name)",
    "lang": "labels in en or ru when the workspace sets none",
    "commit": "true: commit each change to git, as --commit does",
}


def user_config_path() -> Path:
    from platformdirs import user_config_dir

    return Path(user_config_dir("svctrack", appauthor=False)) / "config.toml"


def user_config() -> dict[str, Any]:
    """The user config file's contents, or {} when there is none."""
    path = user_config_path()
    if not path.is_file():
        return {}
    return parse(path.read_bytes(), str(path))


def find_root(explicit: str | None = None, cwd: Path | None = None) -> Path:
    """The workspace folder: -C, SVCTRACK_WORKSPACE, walking up from cwd, user config."""
    for source, value in (
        ("--workspace", explicit),
        ("SVCTRACK_WORKSPACE", os.environ.get("SVCTRACK_WORKSPACE")),
    ):
        if value:
            root = Path(value).expanduser()
            if not (root / CONFIG).is_file():
                raise NotFound(
                    f"{source} {value}: no {CONFIG} there",
                    hint=f"create one with `svctrack init {value}`",
                )
            return root.resolve()
    here = (cwd or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / CONFIG).is_file():
            return folder
    configured = user_config().get("workspace")
    if isinstance(configured, str) and configured:
        root = Path(configured).expanduser()
        if (root / CONFIG).is_file():
            return root.resolve()
        raise NotFound(f"the workspace in {user_config_path()} ({configured}) has no {CONFIG}")
    raise NotFound(
        f"no svctrack workspace here (no {CONFIG} in {here} or above)",
        hint="create one with `svctrack init PATH`, or name one with -C PATH",
    )


# --- reading --------------------------------------------------------------------------------


def decode(raw: bytes, path: str) -> tuple[str, bool]:
    """The text of a file and whether it began with a UTF-8 BOM; refuses other encodings."""
    if len(raw) > MAX_BYTES:
        raise FileProblem(path, f"file is {len(raw)} bytes, over the {MAX_BYTES} byte limit")
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff") or (raw[1:2] == b"\0" or raw[:1] == b"\0"):
        raise FileProblem(path, "file is UTF-16, not UTF-8", hint="save it as UTF-8")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        before = raw[raw.rfind(b"\n", 0, exc.start) + 1 : exc.start]
        column = len(before.decode("utf-8", "replace")) + 1  # characters, not bytes
        raise FileProblem(
            path,
            "file is not UTF-8 (saved as cp1251 or another legacy encoding?)",
            line=line,
            column=column,
            hint="save it as UTF-8",
        ) from None
    if text.startswith(BOM):
        return text[1:], True
    return text, False


def parse_text(text: str, path: str, *, exact: bool = True) -> dict[str, Any]:
    """Parse TOML text; errors name the line and column, or the merge-conflict marker."""
    try:
        data = tomllib.loads(text, parse_float=Decimal if exact else float)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        found = _POSITION.search(message)
        line, column = (int(found[1]), int(found[2])) if found else (0, 0)
        message = _POSITION.sub("", message).replace(" (at end of document)", "")
        if not found and "end of document" in str(exc):
            line = text.count("\n") + 1
            column = len(text) - (text.rfind("\n") + 1) + 1
        conflict = _conflict(text, line)
        if conflict:
            raise FileProblem(
                path,
                "unresolved merge conflict (git conflict markers)",
                line=conflict,
                column=1,
                hint="keep the right lines, remove the markers, then `svctrack validate`",
            ) from None
        raise FileProblem(path, f"invalid TOML: {message}", line=line, column=column) from None
    except RecursionError:
        raise FileProblem(path, f"values nested more than {MAX_DEPTH} levels deep") from None
    deep = _too_deep(data)
    if deep is not None:
        where = re.compile(r"^\s*(?:\[+\s*)?[\"']?" + re.escape(deep) + r"[\"']?\s*[=.\]]")
        line = next((n for n, row in enumerate(text.split("\n"), 1) if where.match(row)), 0)
        raise FileProblem(
            path, f"`{deep}` is nested more than {MAX_DEPTH} levels deep", line=line, column=1
        )
    return data


def _conflict(text: str, line: int) -> int:
    """When the parse error is on a git conflict marker line, the line of the `<<<<<<<` that
    opens that conflict; else 0 (`=======` inside a multi-line string is no conflict)."""
    lines = text.split("\n")
    if not 1 <= line <= len(lines) or not _MARKER.match(lines[line - 1]):
        return 0
    return next((n for n in range(line, 0, -1) if lines[n - 1].startswith("<" * 7)), line)


def _too_deep(data: dict[str, Any]) -> str | None:
    """The top-level key under which values nest deeper than MAX_DEPTH, if any."""
    containers = dict | list
    stack = [(v, 1, k) for k, v in data.items() if isinstance(v, containers)]
    while stack:
        value, depth, key = stack.pop()
        if depth > MAX_DEPTH:
            return key
        inner = value.values() if isinstance(value, dict) else value
        stack.extend((v, depth + 1, key) for v in inner if isinstance(v, containers))
    return None


def parse(raw: bytes, path: str) -> dict[str, Any]:
    """Decode and parse the bytes of a TOML file."""
    return parse_text(decode(raw, path)[0], path)


# --- writing --------------------------------------------------------------------------------


def _lines(text: str) -> list[str]:
    """Lines with their endings; only LF ends a line (a CR before it stays with the line)."""
    parts = text.split("\n")
    return [part + "\n" for part in parts[:-1]] + ([parts[-1]] if parts[-1] else [])


def _ending(text: str) -> str:
    """The line ending most lines of `text` have: CRLF or LF."""
    return "\r\n" if 2 * text.count("\r\n") > text.count("\n") else "\n"


def _squeeze(line: str) -> str:
    return "".join(line.split())


def _opcodes(a: list[str], b: list[str]) -> list[tuple[str, int, int, int, int]]:
    """difflib's opcodes from `a` to `b`, fast when they share a long head and tail."""
    head = 0
    while head < min(len(a), len(b)) and a[head] == b[head]:
        head += 1
    tail = 0
    while tail < min(len(a), len(b)) - head and a[-1 - tail] == b[-1 - tail]:
        tail += 1
    codes = [("equal", 0, head, 0, head)] if head else []
    import difflib  # writes only: reads never pay for it

    middle = difflib.SequenceMatcher(None, a[head : len(a) - tail], b[head : len(b) - tail], False)
    for tag, i1, i2, j1, j2 in middle.get_opcodes():
        codes.append((tag, head + i1, head + i2, head + j1, head + j2))
    if tail:
        codes.append(("equal", len(a) - tail, len(a), len(b) - tail, len(b)))
    return codes


class Reordered(Exception):
    """tomlkit cannot write this file back without moving some of its lines."""

    def __init__(self, line: int, text: str) -> None:
        super().__init__(line, text)
        self.line = line
        self.text = text


def merge_edit(original: str, base: str, edited: str) -> str:
    """The edited file, with every line the edit did not touch taken byte for byte from the
    original.

    `base` is tomlkit's writing of the unedited file and `edited` its writing after the edit.
    tomlkit's writing is not always the original (it drops the space after a date inside an
    inline table, for one): lines equal in `base` and `edited` are the original's own. New lines
    get the file's line ending, and the edit adds no blank lines at the end of the file.
    Raises Reordered when `base` has the original's lines in another order.
    """
    old, before, after = _lines(original), _lines(base), _lines(edited)
    own: dict[int, str] = {}  # line of `base` -> the original line it writes
    squeezed = [_squeeze(line) for line in old]
    for tag, i1, i2, j1, _ in _opcodes(squeezed, [_squeeze(line) for line in before]):
        if tag == "equal":
            own.update((j1 + k, old[i1 + k]) for k in range(i2 - i1))
        elif any(squeezed[i1:i2]):
            line = next(n for n in range(i1, i2) if squeezed[n])
            raise Reordered(line + 1, old[line].strip())
    eol = _ending(original)
    out: list[str] = []
    for tag, i1, i2, j1, j2 in _opcodes(before, after):
        if tag == "equal":
            out += [own.get(i, before[i]) for i in range(i1, i2)]
        else:
            out += [
                line[:-1] + eol if line.endswith("\n") and not line.endswith("\r\n") else line
                for line in after[j1:j2]
            ]
    for n in range(len(out) - 1):
        if not out[n].endswith("\n"):  # the original's last line, no longer last
            out[n] += eol
    blank = _trailing_blank(old)
    while _trailing_blank(out) > blank and len(out) > 1:
        out.pop()
    return "".join(out)


def _trailing_blank(lines: list[str]) -> int:
    count = 0
    for line in reversed(lines):
        if line.strip():
            break
        count += 1
    return count


def write_atomic(
    path: Path, data: bytes, mode: int | None = None, owner: tuple[int, int] | None = None
) -> None:
    """Write via a temp file in the same folder: written, fsynced, renamed over, folder fsynced.
    On any failure the temp file is removed and `path` is as it was."""
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
    _fsync_folder(path.parent)


STALE_SECONDS = 60
_TEMP = re.compile(r"^\..+\.toml\.[A-Za-z0-9_]+\.tmp$")


def clean_stale_temps(folder: Path, pattern: re.Pattern[str] = _TEMP) -> None:
    """Remove temp files that a killed svctrack left in `folder` (`.<name>.toml.*.tmp`, or what
    `pattern` matches; older than a minute: a live writer's temp file lives for milliseconds).
    Best effort."""
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    now = time.time()
    for entry in entries:
        if not pattern.match(entry.name):
            continue
        with contextlib.suppress(OSError):
            st = entry.stat(follow_symlinks=False)
            if stat.S_ISREG(st.st_mode) and now - st.st_mtime > STALE_SECONDS:
                os.unlink(entry.path)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


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
    return SvcError(f"{path}: {reason(exc)}; nothing was changed")


# --- the workspace --------------------------------------------------------------------------


@dataclass
class Store:
    """Files of one workspace: `services/<id>.toml`, `engagements/<id>.toml`, `svctrack.toml`."""

    root: Path
    lock_timeout: float | None = None  # seconds; None: SVCTRACK_LOCK_TIMEOUT, else 10
    written: list[Path] = field(default_factory=list)  # files this process wrote, in order
    _folders: dict[str, str] = field(default_factory=dict, repr=False)  # real paths, resolved once

    def rel(self, path: Path) -> str:
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return str(path)

    def path(self, kind: str, item_id: str) -> Path:
        problem = id_problem(item_id)
        if problem:
            raise NotFound(problem)
        return self.root / FOLDERS[kind] / f"{item_id}.toml"

    def names(self, kind: str) -> list[str]:
        """Stems of the `*.toml` files of one kind's folder, valid ids or not (hidden and
        temporary files aside)."""
        folder = self.root / FOLDERS[kind]
        try:
            names = os.listdir(folder)
        except (FileNotFoundError, NotADirectoryError):
            return []
        return sorted(n[:-5] for n in names if n.endswith(".toml") and not n.startswith("."))

    def ids(self, kind: str) -> list[str]:
        """Ids of the items of one kind, from file names alone (nothing parsed); a file whose
        name is not an id (`acme (copy).toml`) is no item: `validate` reports it."""
        return [n for n in self.names(kind) if id_problem(n) is None]

    def config(self) -> dict[str, Any]:
        return self.read_file(self.root / CONFIG)

    def read_file(self, path: Path) -> dict[str, Any]:
        return parse(self.read_bytes(path), self.rel(path))

    def read_bytes(self, path: Path) -> bytes:
        """The bytes of a file of the workspace (see `_open`)."""
        return self._open(path)[0]

    def _inside(self, path: Path, link: os.stat_result) -> bool:
        """Whether the file really lies in the workspace; only links and linked folders can
        lead out, so only they are resolved (a folder once per process)."""
        if stat.S_ISLNK(link.st_mode):
            real = os.path.realpath(path)
        else:
            real = os.path.join(self._real_folder(str(path.parent)), path.name)
        return real.startswith(self._real_folder(str(self.root)).rstrip(os.sep) + os.sep)

    def _real_folder(self, folder: str) -> str:
        if folder not in self._folders:
            self._folders[folder] = os.path.realpath(folder)
        return self._folders[folder]

    def _open(self, path: Path, *, for_write: bool = False) -> tuple[bytes, os.stat_result]:
        """The bytes and the status of a regular file inside the workspace, at most MAX_BYTES.
        A symbolic link is followed only to a file inside the workspace, and never for a write
        (the new file would replace the link)."""
        rel = self.rel(path)
        try:
            link = os.lstat(path)
        except (FileNotFoundError, NotADirectoryError):
            raise NotFound(f"{rel}: no such file") from None
        except OSError as exc:
            raise FileProblem(rel, f"cannot read it: {reason(exc)}") from None
        if stat.S_ISLNK(link.st_mode) and for_write:
            raise FileProblem(
                rel,
                "the file is a symbolic link; svctrack does not write through links",
                hint="put the file itself in its place",
            )
        if not self._inside(path, link):
            how = "a symbolic link" if stat.S_ISLNK(link.st_mode) else "in a linked folder"
            raise FileProblem(
                rel,
                f"the file is {how} that leads out of the workspace; svctrack does not follow it",
            )
        try:
            fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))  # a FIFO never blocks
        except FileNotFoundError:
            raise NotFound(f"{rel}: no such file (a symbolic link to nothing?)") from None
        except OSError as exc:
            raise FileProblem(rel, f"cannot read it: {reason(exc)}") from None
        try:
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode):
                what = "a folder" if stat.S_ISDIR(st.st_mode) else "a special file"
                raise FileProblem(rel, f"{what}, not a regular file")
            if st.st_size > MAX_BYTES:
                raise FileProblem(
                    rel, f"file is {st.st_size} bytes, over the {MAX_BYTES} byte limit"
                )
            with os.fdopen(os.dup(fd), "rb") as handle:
                return handle.read(MAX_BYTES + 1), st
        except OSError as exc:
            raise FileProblem(rel, f"cannot read it: {reason(exc)}") from None
        finally:
            os.close(fd)

    def read(self, kind: str, item_id: str) -> dict[str, Any]:
        return self.read_file(self.path(kind, item_id))

    def timeout(self) -> float:
        """How long to wait for the lock: `lock_timeout`, SVCTRACK_LOCK_TIMEOUT, or 10 seconds."""
        if self.lock_timeout is not None:
            return self.lock_timeout
        value = os.environ.get("SVCTRACK_LOCK_TIMEOUT", "").strip()
        if not value:
            return 10.0
        try:
            seconds = float(value)
        except ValueError:
            seconds = -1.0
        if not 0 <= seconds < float("inf"):
            raise UsageError(f"SVCTRACK_LOCK_TIMEOUT={value!r} is not a number of seconds")
        return seconds

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        """Hold the workspace lock (`.svctrack.lock`); one writer at a time."""
        path = self.root / LOCK
        timeout = self.timeout()
        flags = os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
        try:
            fd = os.open(path, flags, 0o644)
        except OSError as exc:
            if exc.errno == errno.ELOOP:  # a link would have us truncate whatever it points to
                raise SvcError(
                    f"{LOCK} is a symbolic link; svctrack does not lock through links",
                    hint=f"delete {path}",
                ) from None
            raise io_error(exc, LOCK) from None
        handle = os.fdopen(fd, "r+b")
        try:
            deadline = time.monotonic() + timeout
            while not _try_lock(handle):
                if time.monotonic() >= deadline:
                    handle.seek(0)
                    holder = handle.read(200).decode("utf-8", "replace").strip()
                    holder = "".join(c if c.isprintable() else "?" for c in holder) or "unknown"
                    raise LockTimeout(
                        f"the workspace is locked by another svctrack process ({holder})",
                        hint="wait for it to finish, or give SVCTRACK_LOCK_TIMEOUT more seconds",
                    )
                time.sleep(0.02)
            handle.seek(0)
            handle.truncate()
            import socket  # writes only

            handle.write(f"pid {os.getpid()} on {socket.gethostname()}\n".encode())
            handle.flush()
            try:
                yield
            finally:
                with contextlib.suppress(OSError):
                    handle.seek(0)
                    handle.truncate()
                _unlock(handle)
        finally:
            handle.close()

    def edit(self, path: Path, change: Callable[[dict[str, Any], Any], T]) -> T:
        """Re-read `path` under the lock, let `change(data, doc)` edit the tomlkit document,
        and write the result atomically if it differs. Nothing is written if `change` raises."""
        import tomlkit

        from svctrack.storage.tomledit import ShapeError

        rel = self.rel(path)
        with self.locked():
            raw, st = self._open(path, for_write=True)
            if not st.st_mode & 0o222 or not os.access(path, os.W_OK):
                raise FileProblem(
                    rel,
                    "the file is read-only; nothing was changed",
                    hint="make it writable (chmod u+w) to let svctrack change it",
                )
            text, bom = decode(raw, rel)
            data = parse_text(text, rel)
            # A last line without its newline gets one for tomlkit, which may append after it.
            try:
                doc = tomlkit.parse(text if text.endswith("\n") or not text else text + "\n")
            except tomlkit.exceptions.ParseError as exc:  # what tomllib reads, tomlkit may not
                raise FileProblem(
                    rel, f"svctrack cannot edit this file: {exc}", line=exc.line, column=exc.col
                ) from None
            base = tomlkit.dumps(doc)
            try:
                result = change(data, doc)
            except ShapeError as exc:
                raise FileProblem(
                    rel, f"{exc}; nothing written", hint="change that part of the file by hand"
                ) from None
            edited = tomlkit.dumps(doc)
            if edited == base:
                return result
            try:
                new = merge_edit(text, base, edited)
            except Reordered as exc:
                raise FileProblem(
                    rel,
                    f"svctrack cannot edit this file without moving its lines (`{exc.text[:40]}`"
                    " and after); nothing written",
                    line=exc.line,
                    hint="keep the entries of each [[array]] together, then try again",
                ) from None
            self._check(new, doc, rel)  # even when `new` is the old text: a change went missing
            if new != text:
                encoded = ((BOM if bom else "") + new).encode("utf-8")
                if len(encoded) > MAX_BYTES:
                    raise Refused(
                        f"{rel}: the change would take the file over {MAX_BYTES} bytes,"
                        " the most svctrack reads; nothing written",
                        hint="move old notes or history to a file of their own",
                    )
                self._write(path, encoded, st.st_mode & 0o7777, (st.st_uid, st.st_gid))
            return result

    def create(self, kind: str, item_id: str, text: str) -> None:
        """Write a new item file; refused when an item of that id exists in either folder."""
        path = self.path(kind, item_id)
        with self.locked():
            for other in FOLDERS:
                if os.path.lexists(self.path(other, item_id)):
                    raise Refused(f"id {item_id!r} is taken", hint="choose another id")
            self._write(path, text.encode("utf-8"), None)

    def _check(self, new: str, doc: Any, rel: str) -> None:
        """Refuse to write `new` unless it parses to exactly what the edited document holds."""
        try:
            written = tomllib.loads(new)
        except tomllib.TOMLDecodeError as exc:
            raise SvcError(
                f"{rel}: the edit would leave invalid TOML ({exc}); nothing written",
                hint="please report this with the file",
            ) from None
        if not same_data(written, doc.unwrap()):
            raise SvcError(
                f"{rel}: the edit would not read back as intended; nothing written",
                hint="please report this with the file",
            )

    def _write(
        self, path: Path, data: bytes, mode: int | None, owner: tuple[int, int] | None = None
    ) -> None:
        """Write under the lock; temp files a killed svctrack left beside it go first."""
        rel = self.rel(path)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            clean_stale_temps(path.parent)
            write_atomic(path, data, mode, owner)
        except OSError as exc:
            raise io_error(exc, rel) from None
        self.written.append(path)


def same_data(a: Any, b: Any) -> bool:
    """Whether two parsed TOML values are the same, strictly: `1`, `1.0` and `true` differ, so
    do two datetimes of the same instant with different offsets; NaN equals NaN; a newline in a
    string is the same whether the file says CRLF or LF (tomllib reads CRLF in a multi-line
    string as LF, tomlkit keeps it)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same_data(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same_data(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, str):
        return a.replace("\r\n", "\n") == b.replace("\r\n", "\n")
    if isinstance(a, float):
        return a == b or (a != a and b != b)  # noqa: PLR0124  (NaN)
    if isinstance(a, datetime | dt_time):
        return a == b and a.utcoffset() == b.utcoffset()
    return bool(a == b)


def _try_lock(handle: Any) -> bool:
    if sys.platform == "win32":  # pragma: no cover
        import msvcrt

        try:
            handle.seek(0)
            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
            return True
        except OSError:
            return False
    import fcntl

    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except BlockingIOError:
        return False


def _unlock(handle: Any) -> None:
    if sys.platform == "win32":  # pragma: no cover
        import msvcrt

        handle.seek(0)
        msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)
        return
    import fcntl

    fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
