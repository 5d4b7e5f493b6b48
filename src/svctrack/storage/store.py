"""The workspace's item files: listed, read safely (no links out, no devices), and changed under
the lock by editing the tomlkit document in place, re-read before it replaces the old file."""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from svctrack.domain.equality import same_data
from svctrack.domain.ids import id_problem, unique
from svctrack.errors import FileProblem, LockTimeout, NotFound, Refused, SvcError, UsageError
from svctrack.messages import msg
from svctrack.records import record
from svctrack.storage.atomic import clean_stale_temps, io_error, reason, write_atomic
from svctrack.storage.changes import cache_dir, folder_status
from svctrack.storage.changes import record as record_step
from svctrack.storage.decode import BOM, MAX_BYTES, decode, parse, parse_text
from svctrack.storage.linemerge import Reordered, merge_edit
from svctrack.storage.paths import CONFIG, FOLDERS, LOCK, schema_line, sync_stopped
from svctrack.tomlparse import tomllib

if TYPE_CHECKING:
    from svctrack.storage.journal import Journal

T = TypeVar("T")


# --- writing --------------------------------------------------------------------------------


# --- the workspace --------------------------------------------------------------------------


@record
class Store:
    """Files of one workspace: `services/<id>.toml`, `engagements/<id>.toml`, `svctrack.toml`."""

    root: Path
    lock_timeout: float | None = None  # seconds; None: SVCTRACK_LOCK_TIMEOUT, else 10
    written: list[Path] = field(default_factory=list)  # files this process wrote, in order
    # Asked when the lock is first taken: True keeps it until `release()`, so that what was
    # written can be committed before another process writes (see cli.context.State).
    hold: Callable[[], bool] | None = field(default=None, repr=False)
    _folders: dict[str, str] = field(default_factory=dict, repr=False)  # real paths, resolved once
    _held: int | None = field(default=None, repr=False)  # the lock's descriptor while held
    journal: Journal | None = None  # told of each write before it happens, for `undo`
    # Or what makes the journal, at the first write: a read never imports it.
    journal_maker: Callable[[], Journal] | None = field(default=None, repr=False)
    # Item folders known to hold no temp file of svctrack's, each with its status then (see
    # `_tidy`); and the holder line, which the lock file starts with while the lock is held.
    _tidy_folders: dict[str, str] = field(default_factory=dict, repr=False)
    _holder_line: bytes = field(default=b"", repr=False)

    def recorder(self) -> Journal | None:
        """The journal each write is recorded in (made by `journal_maker` at the first write),
        or None when writes are not recorded."""
        if self.journal is None and self.journal_maker is not None:
            self.journal = self.journal_maker()
        return self.journal

    def rel(self, path: Path | str) -> str:
        try:
            return Path(path).relative_to(self.root).as_posix()
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
        except OSError as exc:
            raise FileProblem(f"{FOLDERS[kind]}/", msg("cannot_list", reason=reason(exc))) from None
        return sorted(n[:-5] for n in names if n.endswith(".toml") and not n.startswith("."))

    def exists(self, kind: str, item_id: str) -> bool:
        """Whether `ids(kind)` holds `item_id`, asked of that one name (no folder listed)."""
        return id_problem(item_id) is None and os.path.lexists(
            self.root / FOLDERS[kind] / f"{item_id}.toml"
        )

    def ids(self, kind: str) -> list[str]:
        """Ids of the items of one kind, from file names alone (nothing parsed); a file whose
        name is not an id (`acme (copy).toml`) is no item: `validate` reports it."""
        return [n for n in self.names(kind) if id_problem(n) is None]

    def config(self) -> dict[str, Any]:
        return self.read_file(self.root / CONFIG)

    def read_file(self, path: Path) -> dict[str, Any]:
        return parse(self.read_bytes(path), self.rel(path))

    def read_text(self, path: Path) -> str:
        """The text of a file of the workspace (UTF-8, without its BOM)."""
        return decode(self.read_bytes(path), self.rel(path))[0]

    def read_bytes(self, path: Path | str) -> bytes:
        """The bytes of a file of the workspace (see `_open`)."""
        return self._open(path)[0]

    def _inside(self, path: str, link: os.stat_result) -> bool:
        """Whether the file really lies in the workspace; only links and linked folders can
        lead out, so only they are resolved (a folder once per process)."""
        if stat.S_ISLNK(link.st_mode):
            real = os.path.realpath(path)
        else:
            folder, name = os.path.split(path)
            real = os.path.join(self._real_folder(folder or "."), name)
        return real.startswith(self._real_folder(str(self.root)).rstrip(os.sep) + os.sep)

    def _real_folder(self, folder: str) -> str:
        if folder not in self._folders:
            self._folders[folder] = os.path.realpath(folder)
        return self._folders[folder]

    def _open(self, path: Path | str, *, for_write: bool = False) -> tuple[bytes, os.stat_result]:
        """The bytes and the status of a regular file inside the workspace, at most MAX_BYTES.
        A symbolic link is followed only to a file inside the workspace, and never for a write
        (the new file would replace the link). The path is worked on as a string, and made
        relative only for a problem (thousands of files are read this way)."""
        where = os.fspath(path)
        try:
            link = os.lstat(where)
        except (FileNotFoundError, NotADirectoryError):
            raise NotFound(msg("no_such_file", path=self.rel(where))) from None
        except OSError as exc:
            raise FileProblem(self.rel(where), msg("cannot_read", reason=reason(exc))) from None
        if stat.S_ISLNK(link.st_mode) and for_write:
            raise FileProblem(
                self.rel(where),
                msg("is_link"),
                hint=msg("is_link_hint"),
            )
        if not self._inside(where, link):
            how = "link_out" if stat.S_ISLNK(link.st_mode) else "linked_folder_out"
            raise FileProblem(self.rel(where), msg(how))
        try:
            fd = os.open(where, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))  # a FIFO never blocks
        except FileNotFoundError:
            raise NotFound(msg("no_such_file_link", path=self.rel(where))) from None
        except OSError as exc:
            raise FileProblem(self.rel(where), msg("cannot_read", reason=reason(exc))) from None
        try:
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode):
                what = "a_folder" if stat.S_ISDIR(st.st_mode) else "a_special_file"
                raise FileProblem(self.rel(where), msg("not_regular", what=msg(what)))
            if st.st_size > MAX_BYTES:
                raise FileProblem(self.rel(where), msg("too_big", size=st.st_size, limit=MAX_BYTES))
            return _read_upto(fd, st.st_size), st
        except OSError as exc:
            raise FileProblem(self.rel(where), msg("cannot_read", reason=reason(exc))) from None
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
            raise UsageError(msg("lock_timeout_bad", value=repr(value)))
        return seconds

    @contextlib.contextmanager
    def locked(self, *, sync: bool = False) -> Iterator[None]:
        """Hold the workspace lock (`.svctrack.lock`); one writer at a time. Taken again while
        held, it is already held (a `batch` holds it across its lines). Refused while a sync is
        stopped on a conflict (git is rebasing), except for `sync` itself: a write then would be
        lost by `sync --abort`, or slip into another person's commit. That is asked each time,
        held or not: a `sync` line of a batch may stop."""
        if self._held is not None:
            if not sync:
                self._not_while_stopped()
            yield
            return
        handle = self._acquire()
        try:
            if not sync:
                self._not_while_stopped()
            self._held = handle
            keep = self.hold is not None and self.hold()
        except BaseException:
            self._held = None
            _free(handle)
            raise
        try:
            yield
        finally:
            if not keep:
                self.release()

    def _not_while_stopped(self) -> None:
        if sync_stopped(self.root):
            raise Refused(msg("sync_stopped"), hint=msg("sync_stopped_hint"))

    def release(self) -> None:
        """Let go of the workspace lock if this Store holds it (see `hold`)."""
        handle, self._held = self._held, None
        tidy, self._tidy_folders = self._tidy_lines(), {}  # for the next holder to trust
        if handle is not None:
            _free(handle, tidy)

    def _acquire(self) -> int:
        """Open and lock `.svctrack.lock`, waiting up to `timeout()`; the file then holds a line
        that says who holds it. A file that cannot take that line is refused (lock let go)
        before anything else is written."""
        path = self.root / LOCK
        timeout = self.timeout()
        fd = _open_lock(path)
        try:
            deadline = time.monotonic() + timeout
            while not _try_lock(fd):
                if time.monotonic() >= deadline:
                    raise LockTimeout(msg("locked", holder=_holder(fd)), hint=msg("locked_hint"))
                time.sleep(0.02)
            self._tidy_folders = _tidy_marks(fd)  # the last holder's, before they are wiped
            try:
                os.lseek(fd, 0, os.SEEK_SET)
                os.ftruncate(fd, 0)
                line = self._holder_line = f"pid {os.getpid()} on {_hostname()}\n".encode()
                while line:
                    line = line[os.write(fd, line) :]
            except OSError as exc:
                with contextlib.suppress(OSError):
                    os.ftruncate(fd, 0)
                _unlock(fd)
                raise io_error(exc, LOCK) from None
        except BaseException:
            os.close(fd)
            raise
        return fd

    def edit(
        self,
        path: Path,
        change: Callable[[dict[str, Any], Any], T],
        after: Callable[[dict[str, Any]], None] | None = None,
    ) -> T:
        """Re-read `path` under the lock, let `change(data, doc)` edit the tomlkit document,
        and write the result atomically if it differs. `after(data)` is given what the edited
        document holds (parsed as `data` was), to refuse a change that would leave it wrong.
        Nothing is written if `change` or `after` raises."""
        import tomlkit

        from svctrack.storage.tomledit import ShapeError

        rel = self.rel(path)
        with self.locked():
            raw, st = self._open(path, for_write=True)
            if not st.st_mode & 0o222 or not os.access(path, os.W_OK):
                raise FileProblem(
                    rel,
                    msg("read_only"),
                    hint=msg("read_only_hint"),
                )
            text, bom = decode(raw, rel)
            data = parse_text(text, rel)
            # A last line without its newline gets one for tomlkit, which may append after it.
            try:
                doc = tomlkit.parse(text if text.endswith("\n") or not text else text + "\n")
            except tomlkit.exceptions.ParseError as exc:  # what tomllib reads, tomlkit may not
                raise FileProblem(
                    rel, msg("cannot_edit", reason=str(exc)), line=exc.line, column=exc.col
                ) from None
            base = tomlkit.dumps(doc)
            try:
                result = change(data, doc)
            except ShapeError as exc:
                raise FileProblem(
                    rel,
                    msg("nothing_written", message=exc.args[0] if exc.args else str(exc)),
                    hint=msg("by_hand_hint"),
                ) from None
            edited = tomlkit.dumps(doc)
            if edited == base:
                return result
            held = parse_text(edited, rel)
            if after is not None:
                after(held)
            try:
                new = merge_edit(text, base, edited)
            except Reordered as exc:
                raise FileProblem(
                    rel,
                    msg("reordered", text=exc.text[:40]),
                    line=exc.line,
                    hint=msg("reordered_hint"),
                ) from None
            # even when `new` is the old text (a change went missing); the text parsed above
            # is not parsed again when the merge left it as it was (most edits)
            self._check(new, doc, rel, held if new == edited else None)
            if new != text:
                encoded = ((BOM if bom else "") + new).encode("utf-8")
                if len(encoded) > MAX_BYTES:
                    raise Refused(
                        msg("would_be_too_big", path=rel, limit=MAX_BYTES),
                        hint=msg("would_be_too_big_hint"),
                    )
                self._write(path, encoded, st.st_mode & 0o7777, (st.st_uid, st.st_gid))
            return result

    def create(self, kind: str, item_id: str, text: str, *, derived: bool = False) -> str:
        """Write a new item file and return its id. An id given is refused when an item of that
        id exists in either folder; a `derived` one (from a name) becomes `-2`, `-3`... instead,
        chosen under the lock, so that processes creating at once never collide. In a workspace
        that keeps its schemas (`init --schema`), the file starts with a `#:schema` line."""
        self.path(kind, item_id)  # a valid id
        if not text.startswith("#:schema"):
            text = schema_line(self.root, kind) + text
        with self.locked():
            taken = {name for other in FOLDERS for name in self.names(other)}
            if derived:
                item_id = unique(item_id, taken)
            elif item_id in taken or any(
                os.path.lexists(self.path(other, item_id)) for other in FOLDERS
            ):
                raise Refused(msg("id_taken", id=repr(item_id)), hint=msg("id_taken_hint"))
            self._write(self.path(kind, item_id), text.encode("utf-8"), None)
        return item_id

    def _check(self, new: str, doc: Any, rel: str, parsed: dict[str, Any] | None = None) -> None:
        """Refuse to write `new` unless it parses to exactly what the edited document holds
        (`parsed`: `new` parsed already, its floats exact)."""
        try:
            written = tomllib.loads(new) if parsed is None else parsed
        except tomllib.TOMLDecodeError as exc:
            raise SvcError(
                msg("edit_invalid_toml", path=rel, reason=str(exc)),
                hint=msg("report_hint"),
            ) from None
        if not same_data(written, doc.unwrap()):
            raise SvcError(
                msg("edit_not_back", path=rel),
                hint=msg("report_hint"),
            )

    def _write(
        self, path: Path, data: bytes, mode: int | None, owner: tuple[int, int] | None = None
    ) -> None:
        """Write under the lock; temp files a killed svctrack left beside it go first."""
        rel = self.rel(path)
        journal = self.recorder()
        if journal is not None:
            journal.record(path, data)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            before = self._status(path.parent)
            tidy = self._tidy(path.parent, before)
            write_atomic(path, data, mode, owner)
        except OSError as exc:
            raise io_error(exc, rel) from None
        after = self._changed(path, before)
        if tidy:
            self._mark_tidy(path.parent, after)
        self.written.append(path)

    @cached_property
    def cache_folder(self) -> Path | None:
        """The read cache's folder (see `changes.cache_dir`), told of this store's writes."""
        return cache_dir(self.root)

    def _status(self, folder: Path) -> str:
        """An item folder's status (see `changes.folder_status`); "" for any other folder."""
        if folder.parent == self.root and folder.name in FOLDERS.values():
            return folder_status(folder)
        return ""

    def _changed(self, path: Path, before: str) -> str:
        """Tell the read cache that this process changed `path` (see `changes`), and return the
        status of its folder now."""
        after = self._status(path.parent)
        if before:
            record_step(self.cache_folder, path.parent.name, before, after, path.name)
        return after

    def _tidy(self, folder: Path, status: str) -> bool:
        """Clean `folder` of stale temp files (see `clean_stale_temps`) unless it is known to
        hold none; True when it holds none now.

        Listing a folder of 10,000 items costs milliseconds, so a writer that leaves an item
        folder without svctrack's temp files says so in the lock file, with the folder's status
        (device, inode, mtime and ctime in ns) after its write. Only a holder of the lock makes
        temp files, and every holder wipes those lines when it takes the lock (and this one
        drops the line of a folder before it makes a temp file there), so a writer killed
        mid-write leaves no line saying its folder is tidy: the next writer lists it. Other
        programs' changes to the folder (git, an editor, a person) make no temp file of
        svctrack's, so the line stands while the folder is the same folder (its device and
        inode): one replaced (a new clone, a restore) is listed again."""
        known = self._tidy_folders.pop(folder.name, None) if status else None
        if known is not None:
            self._save_tidy()  # the line goes before a temp file can appear in the folder
            if known.split()[:2] == status.split()[:2]:
                return True
        return clean_stale_temps(folder)

    def _mark_tidy(self, folder: Path, status: str) -> None:
        """Say in the lock file that `folder`, whose status is now `status`, holds no temp file
        of svctrack's."""
        if status:
            self._tidy_folders[folder.name] = status
            self._save_tidy()

    def _tidy_lines(self) -> bytes:
        if sys.platform == "win32":
            return b""
        return "".join(f"tidy {n} {k}\n" for n, k in self._tidy_folders.items()).encode()

    def _save_tidy(self) -> None:
        """The lock file: the holder line, then a `tidy` line for each tidy folder. Best
        effort (a line missing only means a folder listed again)."""
        fd = self._held
        if fd is None or not self._holder_line or sys.platform == "win32":
            return
        lines = self._tidy_lines()
        with contextlib.suppress(OSError):  # the old lines go first: a cut never needs room
            os.ftruncate(fd, len(self._holder_line))
            if lines:
                os.pwrite(fd, lines, len(self._holder_line))

    def remove(self, kind: str, item_id: str) -> None:
        """Delete an item's file under the lock (a regular file inside the workspace)."""
        path = self.path(kind, item_id)
        with self.locked():
            self._open(path, for_write=True)
            self._unlink(path)

    def move(self, kind: str, old_id: str, new_id: str) -> None:
        """Give an item's file a new id under the lock; refused when the new id is taken."""
        old, new = self.path(kind, old_id), self.path(kind, new_id)
        with self.locked():
            for other in FOLDERS:
                if os.path.lexists(self.path(other, new_id)):
                    raise Refused(msg("id_taken", id=repr(new_id)), hint=msg("id_taken_hint"))
            raw, st = self._open(old, for_write=True)
            self._write(new, raw, st.st_mode & 0o7777, (st.st_uid, st.st_gid))
            self._unlink(old)

    def _unlink(self, path: Path) -> None:
        journal = self.recorder()
        if journal is not None:
            journal.record(path, None)
        before = self._status(path.parent)
        try:
            os.unlink(path)
        except OSError as exc:
            raise io_error(exc, self.rel(path)) from None
        self._changed(path, before)
        self.written.append(path)


def _read_upto(fd: int, size: int) -> bytes:
    """What `fd` holds from here to its end, but at most MAX_BYTES + 1 bytes (one more says "too
    large"): read as a file object would, a fifth of its cost (a buffered reader made for every
    file of a workspace). `size` is what fstat said, so one read is usually all: a read that
    asked for more and returned exactly `size` bytes has met the end, and no second read is
    made to find it. A file that grows meanwhile is read on to the end or the limit, and one
    that read short of `size` is read on too."""
    chunks = []
    total = 0
    want = min(size, MAX_BYTES) + 1
    while total <= MAX_BYTES:
        asked = min(want, MAX_BYTES + 1 - total)
        chunk = os.read(fd, asked)
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
        if total == size and len(chunk) < asked:
            break
        want = 1 << 16
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


def _open_lock(path: Path) -> int:
    """A descriptor of the lock file, made if missing; anything but a regular file there (a
    folder, a FIFO, a device, a link) is refused before it is opened for writing, and opening
    never waits (a FIFO without a reader would block)."""
    try:
        found = os.lstat(path)
    except FileNotFoundError:
        found = None
    except OSError as exc:
        raise io_error(exc, LOCK) from None
    if found is not None and not stat.S_ISREG(found.st_mode):
        raise _not_a_lock(path, found.st_mode)
    flags = os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags | getattr(os, "O_NONBLOCK", 0), 0o644)
    except OSError as exc:
        if exc.errno == errno.ELOOP:  # made a link since we looked
            raise _not_a_lock(path, stat.S_IFLNK) from None
        if exc.errno == errno.EISDIR:
            raise _not_a_lock(path, stat.S_IFDIR) from None
        raise io_error(exc, LOCK) from None
    try:
        mode = os.fstat(fd).st_mode
    except OSError as exc:
        os.close(fd)
        raise io_error(exc, LOCK) from None
    if not stat.S_ISREG(mode):  # replaced since we looked
        os.close(fd)
        raise _not_a_lock(path, mode)
    return fd


def _hostname() -> str:
    """This machine's name, as `socket.gethostname()` says it (without importing socket and
    building its enums: 2 ms of every write)."""
    if hasattr(os, "uname"):
        return os.uname().nodename
    import socket  # pragma: no cover  (Windows)

    return socket.gethostname()


def _not_a_lock(path: Path, mode: int) -> SvcError:
    return SvcError(
        msg("not_a_lock", lock=LOCK, what=file_kind(mode)),
        hint=msg("not_a_lock_hint", path=path),
    )


def file_kind(mode: int) -> str:
    """What a file that is not a regular file is, in words."""
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "a special file"


def _tidy_marks(fd: int) -> dict[str, str]:
    """The `tidy` lines the lock file holds (see `Store._tidy`): folder name -> status."""
    if sys.platform == "win32":
        return {}
    try:
        text = os.pread(fd, 4096, 0).decode("ascii")
    except (OSError, UnicodeDecodeError):
        return {}
    marks: dict[str, str] = {}
    for line in text.split("\n"):
        word, _, rest = line.partition(" ")
        name, _, key = rest.partition(" ")
        if word == "tidy" and name in FOLDERS.values() and len(key.split()) == 4:
            marks[name] = key
    return marks


def _holder(fd: int) -> str:
    """Who holds the lock, as its holder line says (printable characters only)."""
    try:
        os.lseek(fd, 0, os.SEEK_SET)
        holder = os.read(fd, 200).decode("utf-8", "replace").split("\n", 1)[0].strip()
        if holder.startswith("tidy "):  # the last holder's lines, not yet replaced
            holder = ""
    except OSError:
        holder = ""
    return "".join(c if c.isprintable() else "?" for c in holder) or "unknown"


def _try_lock(fd: int) -> bool:
    if sys.platform == "win32":  # pragma: no cover
        import msvcrt

        try:
            os.lseek(fd, 0, os.SEEK_SET)
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
            return True
        except OSError:
            return False
    import fcntl

    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except BlockingIOError:
        return False


def _free(fd: int, tidy: bytes = b"") -> None:
    """Empty the lock file (no holder; only the `tidy` lines given, see `Store._tidy`), unlock
    it and close it."""
    try:
        with contextlib.suppress(OSError):
            os.ftruncate(fd, 0)
            if tidy:
                os.pwrite(fd, tidy, 0)
        _unlock(fd)
    finally:
        os.close(fd)


def _unlock(fd: int) -> None:
    if sys.platform == "win32":  # pragma: no cover
        import msvcrt

        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
        return
    import fcntl

    fcntl.flock(fd, fcntl.LOCK_UN)
