"""The read path: every item file parsed once, then served from a cache keyed by the file's stat.

The cache lives outside the workspace (the user cache dir), in two parts that are read and
brought up to date apart. The index keeps, for every item file, the stat key it was parsed at
and the item's row (its summary less what depends on today: all that lists and the dashboard
show), the rows of items no longer open kept apart in one pickle within it that only a read of
every item unpickles (most items of a firm's years are closed; the dashboard shows the open
ones); for open items also a brief (the item without notes, feedback, time and old history: what
deadlines and checklists read). The full items, which only reports read, are kept in one stream
per kind, read and rewritten one record at a time, so that thousands of items are never all in
memory. It is only ever a cache: a missing, stale or corrupt one changes no result, only the
time taken.
"""

from __future__ import annotations

import errno
import gc
import os
import pickle
import re
import stat
import sys
import time
import zlib  # not hashlib: its OpenSSL costs every run 3 ms to load
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import fields, replace
from functools import cached_property
from pathlib import Path
from typing import IO, Any, TypeVar

from svctrack.domain.ids import id_problem
from svctrack.domain.model import (
    Document,
    Feedback,
    HistoryEntry,
    Item,
    Note,
    Tick,
    TimeEntry,
    check,
    errors,
    service_problem,
)
from svctrack.domain.pipeline import Pipeline
from svctrack.domain.queries import Row, row
from svctrack.errors import FileProblem, NotFound, SvcError
from svctrack.messages import msg
from svctrack.storage.atomic import reason
from svctrack.storage.decode import parse_text
from svctrack.storage.locate import file_problems
from svctrack.storage.parallel import STEP, map_chunks
from svctrack.storage.paths import FOLDERS, workspace_key
from svctrack.storage.store import Store
from svctrack.storage.userconfig import user_dir

MAX_INDEX_BYTES = 1 << 30  # an index is read whole; no real workspace's comes near this
FRESH_NS = 2_000_000_000  # a file changed this close to its parse may change again unseen
PROTOCOL = pickle.HIGHEST_PROTOCOL
SETTLED = 8  # values kept per kind by `Index.settled`: a report's few periods and services
# `Index.settled`: the facts of up to PARSE_FEW items are made from their files, more from the
# stream of full items; the kept facts are rewritten when more than REWRITE_FROM have changed
# (or more than one in fifty).
PARSE_FEW, REWRITE_FROM = 500, 64

PICKLED = (Item, HistoryEntry, Note, Tick, TimeEntry, Feedback, Document)
Key = tuple[int, ...]  # the file's size, mtime_ns, ctime_ns, inode (a link's: also its own)
_TEMP = re.compile(r"^\..+\.(index|items|settled|facts)\.[A-Za-z0-9_]+\.tmp$")
# Pickles of older shapes would lack fields: the shapes of what is pickled are in the version.
VERSION = (7, Row._fields, *(tuple(f.name for f in fields(c)) for c in PICKLED))
T = TypeVar("T")
F = TypeVar("F")


# An entry of the index, per file, is a plain tuple (unpickled twice as fast as a NamedTuple):
Entry = tuple[Any, ...]  # (key, stage, trusted, row, brief, service), at these positions:
KEY, STAGE, TRUSTED, ROW, BRIEF, SERVICE_OF_ENTRY = range(6)
# key: the file's stat key when parsed; stage: "" when the item is broken (the file does not
# parse, or holds what `validate` calls errors); trusted: False when the file was changed just
# before it was parsed; row: the item's queries.Row as plain tuples, None when broken, and None
# in a saved index for an item no longer open (its row is in the index's closed rows); brief:
# pickled, the brief of an open item, or for a broken one its FileProblems (a tuple) and its
# service (for the check that needs the other files), else b""; service: the engagement's
# service ("" for a service or a broken item), which every read checks is there.
IS_OPEN = Row._fields.index("is_open")


def brief(item: Item) -> Item:
    """The item without what only reports read: notes, feedback, time, all but the last step."""
    return replace(item, history=item.history[-1:], notes=[], feedback=[], time=[])


def cache_dir(root: Path) -> Path | None:
    """The folder of this workspace's cache (named after its path), or None when caching is off.
    Two paths that share a name share a folder and take turns: each entry knows its root."""
    if os.environ.get("SVCTRACK_NO_CACHE", "") not in ("", "0"):
        return None
    return user_dir("cache") / workspace_key(root)


def shape(pipeline: Pipeline) -> tuple[Any, ...]:
    """What rows depend on besides the files: the pipeline's stages, end and principles."""
    return (pipeline.stage_ids, pipeline.done, tuple(t.id for t in pipeline.principles))


@contextmanager
def _no_gc() -> Iterator[None]:
    # Unpickling thousands of objects triggers collections that find nothing to free; frozen
    # afterwards, the items are not scanned again by the collections that follow.
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()


class Index:
    """Items of a workspace, read through the cache."""

    def __init__(
        self,
        store: Store,
        pipelines: dict[str, Pipeline],
        *,
        use_cache: bool = True,
        progress: Callable[[int, int], None] | None = None,
    ) -> None:
        self.store = store
        self.progress = progress  # told (done, total) as files are parsed or items read
        self.pipelines = pipelines
        self.folder = cache_dir(store.root) if use_cache else None
        self.services: frozenset[str] | None = None  # ids of the services, listed when needed
        # Where a kind's folder really is decides what its files are (a link out is refused).
        self.stamps = {
            kind: (VERSION, str(store.root), os.path.realpath(store.root / FOLDERS[kind]), shape(p))
            for kind, p in pipelines.items()
        }

    def rows(
        self, kinds: Iterable[str], *, only_open: bool = False
    ) -> tuple[list[tuple[str, str, tuple[Any, ...]]], list[FileProblem]]:
        """(kind, id, row) of the items of `kinds`, in no set order; and the broken files."""
        found: list[tuple[str, str, tuple[Any, ...]]] = []

        def keep(kind: str, item_id: str, entry: Entry) -> None:
            if not only_open or entry[ROW][IS_OPEN]:
                found.append((kind, item_id, entry[ROW]))

        return found, self._walk(tuple(kinds), keep, closed=not only_open)

    def briefs(self, kinds: Iterable[str]) -> tuple[list[Item], list[FileProblem]]:
        """The open items of `kinds` as briefs (see `brief`) in kind and id order; and the
        broken files."""
        found: list[Item] = []

        def keep(kind: str, item_id: str, entry: Entry) -> None:
            if entry[ROW][IS_OPEN]:
                found.append(pickle.loads(entry[BRIEF]))

        broken = self._walk(tuple(kinds), keep, closed=False)
        order = {kind: n for n, kind in enumerate(FOLDERS)}
        found.sort(key=lambda item: (order[item.kind], item.id))
        return found, broken

    def items(
        self, kinds: Iterable[str], each: Callable[[Item], T], *, only_open: bool = False
    ) -> tuple[list[T], list[FileProblem]]:
        """`each(item)` of every full item of `kinds` (the open ones with `only_open`), in kind
        and id order, read one at a time from the stream; and the broken files."""
        found: list[T] = []
        broken: list[FileProblem] = []
        with _no_gc():
            for kind in kinds:
                with _Stream(self._items_path(kind), self.stamps[kind]) as stream:
                    files: Iterable[tuple[str, str, Key]] = self._files(kind, ordered=True)
                    if self.progress is not None:  # listed first, to know the total
                        files = _Counted(list(files), self.progress)
                    for item_id, where, key in files:
                        record = stream.get(item_id, key)
                        if record is None:
                            parsed = self._parse(kind, item_id, where, key)
                            if parsed is None:
                                continue  # removed while we looked
                            entry, item = parsed
                            if item is None:
                                broken += self._problems(kind, item_id, entry)
                                continue
                            is_open, service = entry[ROW][IS_OPEN], item.service
                            blob = pickle.dumps(item, PROTOCOL)
                            record = (item_id, key, entry[TRUSTED], is_open, blob, service)
                            stream.put(record, fresh=True)
                        else:
                            stream.put(record, fresh=False)
                            is_open, service, item = record[OPEN], record[SERVICE_OF], None
                        dangling = self._dangling(kind, item_id, service)
                        if dangling:
                            broken += dangling
                            continue
                        if is_open or not only_open:
                            if item is None:
                                item = pickle.loads(record[BLOB])
                            found.append(each(item))
        broken.sort(key=lambda problem: problem.path)
        return found, broken

    def settled(
        self,
        kind: str,
        each: Callable[[Item], F | None],
        made: Callable[[list[F]], T],
        args: tuple[object, object],
    ) -> tuple[T, list[FileProblem]]:
        """`made(facts)`, a value made from the facts (`each(item)`, Nones left out, in id order)
        of every item of `kind` no longer open; and the broken files of `kind`. `args` says what
        else each depends on: `each` (args[0]) and `made` (args[1]), compared with ==.

        The value is kept in the cache with the ids and stat keys of those items until one of
        them changes or is gone, another item closes or one opens again (a few values at once,
        for a few `args`); each item's facts are kept too, so that a value made anew parses only
        the items that changed. An item changed a moment ago (not trusted: see FRESH_NS) is
        parsed every time, and keeps nothing."""
        keys: dict[str, Key] = {}
        fresh: set[str] = set()  # changed a moment ago

        def keep(kind: str, item_id: str, entry: Entry) -> None:
            if entry[ROW] is None or not entry[ROW][IS_OPEN]:
                keys[item_id] = entry[KEY]
                if not entry[TRUSTED]:
                    fresh.add(item_id)

        broken = self._walk((kind,), keep, closed=False, settled=True)
        # What the values were made from: the stamp, and the ids and keys in 32 bytes, as
        # walked (in the order of this walk: cheap) and in id order (asked only when the order
        # is not the one of the walk that made them).
        stamp, walked, in_order = self.stamps[kind], _digest(keys), b""

        def fits(made_from: Any) -> bool:
            nonlocal in_order
            if made_from[0] != stamp:
                return False
            if made_from[1] == walked:
                return True
            in_order = in_order or _digest(dict(sorted(keys.items())))
            return bool(made_from[2] == in_order)

        path = self._cache_path(kind, "settled")
        for _, blob in [] if fresh else _read_settled(path, fits, args):
            with suppress(Exception):  # a sound file's: never expected; else made anew
                value: T = pickle.loads(blob)
                return value, broken
        facts = self._facts(kind, keys, fresh, each, args[0])
        ordered = (facts[item_id][1] for item_id in sorted(keys))
        value = made([fact for fact in ordered if fact is not None])
        if not fresh:
            others = [(a, blob) for a, blob in _read_settled(path, fits) if a != args]
            values = [(args, pickle.dumps(value, PROTOCOL)), *others][:SETTLED]
            in_order = in_order or _digest(dict(sorted(keys.items())))
            head = ((stamp, walked, in_order), [(a, len(b), zlib.crc32(b)) for a, b in values])
            _write_checked(path, head, [blob for _, blob in values])
        return value, broken

    def _facts(
        self,
        kind: str,
        keys: dict[str, Key],
        fresh: set[str],
        each: Callable[[Item], F | None],
        args: object,
    ) -> dict[str, tuple[Key, F | None]]:
        """id → (key, facts) of the items `keys` names: kept ones where the key is the same (and
        the item not `fresh`), the others made from their files (from the stream of full items
        when there are many). `args`: what `each` depends on besides the item."""
        path, stamp = self._cache_path(kind, "facts"), (self.stamps[kind], args)
        known: dict[str, tuple[Key, F | None]] = _read_facts(path, stamp)
        facts = {
            i: known[i]
            for i, key in keys.items()
            if i not in fresh and known.get(i, (0,))[0] == key
        }
        missing = [item_id for item_id in keys if item_id not in facts]
        if len(missing) > PARSE_FEW:
            wanted = set(missing)

            def collect(item: Item) -> None:
                if item.id in wanted:
                    facts[item.id] = (keys[item.id], each(item))

            self.items([kind], collect)
            facts.update((i, (keys[i], None)) for i in wanted if i not in facts)  # (broken since)
        else:
            for item_id in missing:
                where = os.path.join(self.store.root, FOLDERS[kind], f"{item_id}.toml")
                parsed = self._parse(kind, item_id, where, keys[item_id])
                item = parsed[1] if parsed else None
                facts[item_id] = (keys[item_id], None if item is None else each(item))
        stale = len(missing) + len(known) - (len(facts) - len(missing))  # (those gone too)
        if stale > min(REWRITE_FROM, len(keys) // 50):  # else parsed again: cheaper than a
            # rewrite (a parse costs some fifty times what a fact's share of a rewrite does)
            trusted = {i: fact for i, fact in facts.items() if i not in fresh}
            _write_facts(path, stamp, trusted)
        return facts

    def _walk(
        self,
        kinds: tuple[str, ...],
        visit: Callable[[str, str, Entry], None],
        *,
        closed: bool,
        settled: bool = False,
    ) -> list[FileProblem]:
        """Visit the index entry of every readable item of `kinds` (with `closed`, those no longer
        open too; else only the open ones; with `settled`, those too but without their rows:
        ROW None), and return the files that do not parse; the files changed since their entry
        was made are parsed again (on every core when there are thousands) and their entries
        saved."""
        broken: list[FileProblem] = []
        with _no_gc():
            for kind in kinds:
                old, kept = self._load_index(kind)
                rows = _closed_rows(kept) if closed else None
                new: dict[str, Entry] = {}
                stale: list[tuple[str, str, Key]] = []
                for item_id, where, key in self._files(kind, known=old):
                    entry = old.get(item_id)
                    if (
                        entry is None
                        or entry[KEY] != key
                        or not entry[TRUSTED]
                        or (rows is not None and entry[ROW] is None and item_id not in rows)
                    ):  # (the last: a closed row that is not there, which only a parse gives)
                        stale.append((item_id, where, key))
                    else:
                        new[item_id] = entry
                changed = False  # what is saved: an entry made anew, or files gone
                if stale:
                    shared = (self.store.root, kind, self.pipelines[kind], self.now_ns)
                    parsed = map_chunks(_entries, stale, shared, self.progress)
                    for (item_id, _, _), found in zip(stale, parsed, strict=True):
                        if found:
                            new[item_id] = entry = _interned(found)
                            changed = changed or old.get(item_id) != entry
                changed = changed or len(new) != len(old)
                services = self._service_ids() if kind == "engagement" else frozenset()
                for item_id, entry in new.items():
                    if not entry[STAGE]:
                        broken += self._problems(kind, item_id, entry)
                        continue
                    service = entry[SERVICE_OF_ENTRY]
                    if service and service not in services:  # (only then the problem, located)
                        dangling = self._dangling(kind, item_id, service)
                        if dangling:
                            broken += dangling
                            continue
                    if entry[ROW] is not None:
                        visit(kind, item_id, entry)
                    elif rows is not None:  # no longer open: its row is kept apart
                        visit(kind, item_id, (*entry[:ROW], rows[item_id], *entry[ROW + 1 :]))
                    elif settled:
                        visit(kind, item_id, entry)
                if changed:
                    self._save(kind, new, old, kept, rows)
        broken.sort(key=lambda problem: problem.path)
        return broken

    def _files(
        self, kind: str, *, known: dict[str, Entry] | None = None, ordered: bool = False
    ) -> Iterator[tuple[str, str, Key]]:
        """(id, path, stat key) of the item files of `kind`, in id order if `ordered`."""
        known = known or {}
        folder = os.path.join(self.store.root, FOLDERS[kind])
        try:
            # A listing's entries know their path and whether they are links (the listing
            # says), and stat faster than a path joined and looked up again: thousands a run.
            listing = os.scandir(folder)
        except FileNotFoundError:
            return
        except OSError as exc:
            raise FileProblem(f"{FOLDERS[kind]}/", msg("cannot_list", reason=reason(exc))) from None
        with listing:
            files: Iterable[os.DirEntry[str]] = listing  # one entry at a time: memory stays flat
            if ordered:  # (the stream of full items goes in id order: then all are held)
                toml = (file for file in listing if file.name.endswith(".toml"))
                files = sorted(toml, key=lambda file: file.name[:-5])
            for file in files:
                if not file.name.endswith(".toml"):
                    continue
                item_id = file.name[:-5]
                if item_id not in known and not _is_item(file.name):  # ids the index knows
                    continue
                try:
                    st = file.stat()  # follows a link, as os.stat does; never cached across runs
                    key: Key = (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)
                    if file.is_symlink():  # the link itself may change too, pointing elsewhere
                        own = file.stat(follow_symlinks=False)
                        key += (own.st_ctime_ns, own.st_ino)
                except FileNotFoundError:
                    continue
                except OSError as exc:  # a loop of links: a broken file, which the parse reports
                    key = _unreadable(file.path, exc)
                yield item_id, file.path, key

    def _parse(
        self, kind: str, item_id: str, where: str, key: Key
    ) -> tuple[Entry, Item | None] | None:
        return _parse(self.store, self.pipelines[kind], kind, item_id, where, key, self.now_ns)

    @cached_property
    def now_ns(self) -> int:
        """Now, as the file system's clock says (a new file's ctime), which the files' ctimes are
        compared with: a process clock ahead of it (a container, a network share, faketime)
        would make a file changed a moment ago look settled, one behind it would trust nothing.
        Only runs that parse a file ask, and they write the cache anyway."""
        clock = time.time_ns()
        folder = self.folder
        if folder is None:
            return clock
        import tempfile

        try:
            folder.mkdir(parents=True, exist_ok=True)
            fd, path = tempfile.mkstemp(dir=folder, prefix=".now.", suffix=".tmp")
        except OSError:
            return clock
        try:
            return os.fstat(fd).st_ctime_ns
        finally:
            os.close(fd)
            with suppress(OSError):
                os.unlink(path)

    def _service_ids(self) -> frozenset[str]:
        if self.services is None:
            self.services = frozenset(self.store.ids("service"))
        return self.services

    def _problems(self, kind: str, item_id: str, entry: Entry) -> list[FileProblem]:
        """Every problem of a broken item: those of its file, kept in its entry, and a service
        that is not there."""
        problems, service = pickle.loads(entry[BRIEF])
        return [*problems, *self._dangling(kind, item_id, service)]

    def _dangling(self, kind: str, item_id: str, service: str) -> list[FileProblem]:
        """The problem of an engagement whose service is not there (not cached: it depends on
        another file), located in its file; [] for any other item."""
        if not service:  # a service, or an engagement without one (an error of its own file)
            return []
        problem = service_problem(kind, service, self._service_ids())
        if problem is None:
            return []
        path = self.store.path(kind, item_id)
        try:
            text = self.store.read_text(path)
        except SvcError:
            text = ""
        return file_problems(text, self.store.rel(path), [problem])

    # --- the cache files ------------------------------------------------------------------------

    def _index_path(self, kind: str) -> Path | None:
        return self.folder / f"{FOLDERS[kind]}.index" if self.folder else None

    def _items_path(self, kind: str) -> Path | None:
        return self.folder / f"{FOLDERS[kind]}.items" if self.folder else None

    def _load_index(self, kind: str) -> tuple[dict[str, Entry], bytes]:
        """The index of one kind: id → entry, and the pickled rows of the items no longer open
        (id → row; see `_closed_rows`)."""
        path = self._index_path(kind)
        if path is None:
            return {}, b""
        try:
            handle, size = _open_regular(path)
            with handle:
                if size > MAX_INDEX_BYTES:
                    return {}, b""  # no index of ours: rebuilt, replacing it
                data = memoryview(handle.read(size))
            body, crc = data[:-4], int.from_bytes(data[-4:], "little")
            if zlib.crc32(body) != crc:
                return {}, b""  # damaged: no cache
            stamp, entries, kept = pickle.loads(body)
            if stamp == self.stamps[kind] and isinstance(entries, dict) and type(kept) is bytes:
                return entries, kept
        except Exception:  # a missing or corrupt cache is no cache
            pass
        return {}, b""

    def _save(
        self,
        kind: str,
        entries: dict[str, Entry],
        old: dict[str, Entry],
        kept: bytes,
        rows: dict[str, tuple[Any, ...]] | None,
    ) -> None:
        """Save the index: the entries, each row of an item no longer open moved to the closed
        rows. Those are pickled again only when they changed (`kept`, the old ones, else)."""
        path = self._index_path(kind)
        if path is None:
            return
        closed = {
            item_id
            for item_id, entry in entries.items()
            if entry[STAGE] and (entry[ROW] is None or not entry[ROW][IS_OPEN])
        }
        fresh = {item_id for item_id in closed if entries[item_id][ROW] is not None}
        if fresh or closed != {i for i, e in old.items() if e[STAGE] and e[ROW] is None}:
            known = _closed_rows(kept) if rows is None else rows
            moved = {
                item_id: entries[item_id][ROW] if item_id in fresh else known.get(item_id)
                for item_id in closed
            }
            missing = {item_id for item_id, row in moved.items() if row is None}
            kept = pickle.dumps({i: r for i, r in moved.items() if r is not None}, PROTOCOL)
            entries = {
                item_id: (*entry[:ROW], None, *entry[ROW + 1 :]) if item_id in closed else entry
                for item_id, entry in entries.items()
                if item_id not in missing  # (a row lost: parsed again next time)
            }
        try:
            out = _Replacement(path)
        except OSError:
            return  # a cache that cannot be written is only slower
        try:
            summed = _Summed(out.file)  # pickled straight to the file, not copied in memory first
            pickle.dump((self.stamps[kind], entries, kept), summed, PROTOCOL)
            out.file.write(summed.crc.to_bytes(4, "little"))
            out.commit()
        except OSError:
            out.discard()
        except BaseException:
            out.discard()
            raise

    def _cache_path(self, kind: str, what: str) -> Path | None:
        """A cache file of `kind` besides the index and the stream (see `settled`, `_facts`)."""
        return self.folder / f"{FOLDERS[kind]}.{what}" if self.folder else None


class _Counted:
    """The files of a kind, telling `progress` how many are done as they are gone through."""

    def __init__(
        self, files: list[tuple[str, str, Key]], progress: Callable[[int, int], None]
    ) -> None:
        self.files = files
        self.progress = progress

    def __iter__(self) -> Iterator[tuple[str, str, Key]]:
        total = len(self.files)
        for n, file in enumerate(self.files):
            if not n % STEP:
                self.progress(n, total)
            yield file
        self.progress(total, total)


def _interned(entry: Entry) -> Entry:
    """An entry whose strings are interned: parsed in other processes, the same stage, service,
    owner or client would be a new string in every entry, each pickled in full (one object is
    pickled once, then referred to)."""
    row = entry[ROW]
    if row is not None:
        row = tuple(sys.intern(v) if type(v) is str else v for v in row)
    stage, service = sys.intern(entry[STAGE]), sys.intern(entry[SERVICE_OF_ENTRY])
    return (entry[KEY], stage, entry[TRUSTED], row, entry[BRIEF], service)


def _closed_rows(kept: bytes) -> dict[str, tuple[Any, ...]]:
    """The rows of the items no longer open, as the index keeps them apart ({} if none)."""
    if not kept:
        return {}
    try:
        rows = pickle.loads(kept)
    except Exception:  # within a sound index (its CRC held): never expected; then no rows
        return {}
    return rows if isinstance(rows, dict) else {}


def _open_regular(path: Path) -> tuple[IO[bytes], int]:
    """A cache file to read, and its size; OSError unless it is a regular file (a FIFO put in
    its place would block the read, a link to a device would never end)."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise OSError(errno.EINVAL, f"{path}: not a regular file")
    except BaseException:
        os.close(fd)
        raise
    return os.fdopen(fd, "rb"), st.st_size


class _Summed:
    """A file to pickle into that keeps the CRC-32 of what was written."""

    def __init__(self, file: IO[bytes]) -> None:
        self.file = file
        self.crc = 0

    def write(self, data: bytes) -> int:
        self.crc = zlib.crc32(data, self.crc)
        return self.file.write(data)


class _Checking:
    """A file to unpickle from that keeps the CRC-32 of what was read (so a big pickle is never
    in memory as bytes too)."""

    def __init__(self, file: IO[bytes]) -> None:
        self.file = file
        self.crc = 0

    def read(self, size: int = -1) -> bytes:
        data = self.file.read(size)
        self.crc = zlib.crc32(data, self.crc)
        return data

    def readline(self, size: int = -1) -> bytes:
        data = self.file.readline(size)
        self.crc = zlib.crc32(data, self.crc)
        return data

    def readinto(self, buffer: Any) -> int:
        size = self.file.readinto(buffer) or 0  # type: ignore[attr-defined]
        self.crc = zlib.crc32(memoryview(buffer)[:size], self.crc)
        return size


def _load_summed(file: IO[bytes]) -> Any:
    """What `_write_checked` wrote to `file` (the tail left to read); ValueError if damaged."""
    checking = _Checking(file)
    value = pickle.load(checking)
    if int.from_bytes(file.read(4), "little") != checking.crc:
        raise ValueError("damaged")
    return value


def _read_facts(path: Path | None, stamp: object) -> dict[str, tuple[Key, Any]]:
    """The facts `_write_facts` kept in `path` if they have `stamp`; else none. Each is its own
    pickle, so that unpickling thousands holds no more than they take (one pickle of them all
    would hold every object it made until its end)."""
    if path is None:
        return {}
    try:
        with _open_regular(path)[0] as handle:
            checking = _Checking(handle)
            if pickle.load(checking) != stamp:
                return {}
            facts = {}
            for _ in range(pickle.load(checking)):
                item_id, key, fact = pickle.load(checking)
                facts[item_id] = (key, fact)
            if int.from_bytes(handle.read(4), "little") != checking.crc:
                return {}  # damaged
            return facts
    except Exception:  # a missing or corrupt cache file is none
        return {}


def _write_facts(path: Path | None, stamp: object, facts: dict[str, tuple[Key, Any]]) -> None:
    """Replace the cache file `path` with the stamp, the count, each id, key and facts, and the
    CRC-32 of them all."""
    if path is None:
        return
    with suppress(OSError):  # a cache that cannot be written is only slower
        out = _Replacement(path)
        try:
            summed = _Summed(out.file)
            pickle.dump(stamp, summed, PROTOCOL)
            pickle.dump(len(facts), summed, PROTOCOL)
            for item_id, (key, fact) in facts.items():
                pickle.dump((item_id, key, fact), summed, PROTOCOL)
            out.file.write(summed.crc.to_bytes(4, "little"))
            out.commit()
        except BaseException:
            out.discard()
            raise


def _write_checked(path: Path | None, value: object, tail: Iterable[bytes] = ()) -> None:
    """Replace the cache file `path` with `value` pickled and its CRC-32, then `tail`."""
    if path is None:
        return
    with suppress(OSError):  # a cache that cannot be written is only slower
        out = _Replacement(path)
        try:
            summed = _Summed(out.file)  # pickled straight to the file, not copied in memory first
            pickle.dump(value, summed, PROTOCOL)
            out.file.write(summed.crc.to_bytes(4, "little"))
            out.file.writelines(tail)
            out.commit()
        except BaseException:
            out.discard()
            raise


def _digest(keys: dict[str, Key]) -> bytes:
    """The ids and stat keys of items, in their order, in 32 bytes."""
    from hashlib import blake2b  # (here, not above: its OpenSSL costs every run 3 ms to load)

    return blake2b(pickle.dumps(keys, PROTOCOL), digest_size=32).digest()


def _read_settled(
    path: Path | None, fits: Callable[[Any], bool], args: object = None
) -> list[tuple[Any, bytes]]:
    """The (args, pickled value) that `Index.settled` kept in `path`, newest first, if what they
    were made from `fits`: every one, or only the one of `args`. A settled file is a head (see
    `_write_checked`: what they were made from, and the args, size and CRC-32 of each value)
    followed by the values; only those asked for are read."""
    if path is None:
        return []
    found: list[tuple[Any, bytes]] = []
    try:
        with _open_regular(path)[0] as handle:
            made_from, values = _load_summed(handle)
            if not fits(made_from):
                return []
            for known, length, crc in values:
                if args is not None and known != args:
                    handle.seek(length, os.SEEK_CUR)
                    continue
                blob = handle.read(length)
                if len(blob) != length or zlib.crc32(blob) != crc:
                    break  # damaged: what follows is lost
                found.append((known, blob))
                if args is not None:
                    break
    except Exception:  # a missing or corrupt file keeps nothing
        pass
    return found


def _dump_checked(value: object, file: IO[bytes]) -> None:
    """Pickle `value` with a CRC-32 of its pickle: a damaged record is told from a sound one."""
    data = pickle.dumps(value, PROTOCOL)
    pickle.dump((zlib.crc32(data), data), file, PROTOCOL)


def _load_checked(file: IO[bytes]) -> Any:
    crc, data = pickle.load(file)
    if zlib.crc32(data) != crc:
        raise ValueError("damaged")
    return pickle.loads(data)


class _Replacement:
    """A temp file beside a cache file, written in place of it: renamed over it when committed
    (unsynced: a cache lost in a crash is only slower), removed when discarded."""

    def __init__(self, path: Path) -> None:
        import tempfile

        from svctrack.storage.atomic import clean_stale_temps

        path.parent.mkdir(parents=True, exist_ok=True)
        clean_stale_temps(path.parent, _TEMP)  # of writers killed before they were done
        fd, self.temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        self.path = path
        self.file = os.fdopen(fd, "wb")

    def commit(self) -> None:
        self.file.close()
        os.replace(self.temp, self.path)

    def discard(self) -> None:
        with suppress(OSError):
            self.file.close()
        with suppress(OSError):
            os.unlink(self.temp)


def _parse(
    store: Store, pipeline: Pipeline, kind: str, item_id: str, where: str, key: Key, now_ns: int
) -> tuple[Entry, Item | None] | None:
    """The file's index entry and its item (None when the file does not parse), or None when
    the file is gone; it is trusted when it changed well before `now_ns`."""
    trusted = now_ns - _changed(key) > FRESH_NS
    path = Path(where)
    try:
        text = store.read_text(path)
        data = parse_text(text, store.rel(path))
    except NotFound:
        return None  # removed while we looked
    except FileProblem as problem:
        return (key, "", trusted, None, pickle.dumps(((problem,), "")), ""), None
    item, problems = check(kind, item_id, data, pipeline)
    wrong = errors(problems)
    if wrong:  # what `validate` calls errors: the item is not shown, its problems are
        found = tuple(file_problems(text, store.rel(path), wrong))
        return (key, "", trusted, None, pickle.dumps((found, item.service)), ""), None
    summary = row(item, pipeline)
    kept = summary._replace(  # the same few strings over and over: pickled once each
        stage=sys.intern(summary.stage),
        next_what=sys.intern(summary.next_what),
        service=sys.intern(summary.service),
        coverage=tuple(summary.coverage),  # type: ignore[arg-type]  # plain: pickles smaller
    )
    blob = pickle.dumps(brief(item), PROTOCOL) if summary.is_open else b""
    return (key, item.stage or "?", trusted, tuple(kept), blob, kept.service), item


def _entries(
    files: list[tuple[str, str, Key]], shared: tuple[Path, str, Pipeline, int]
) -> list[Entry | None]:
    """The index entries of files (None for a file gone), for `map_chunks`."""
    root, kind, pipeline, now_ns = shared
    store = Store(root)
    parsed = (
        _parse(store, pipeline, kind, item_id, where, key, now_ns) for item_id, where, key in files
    )
    return [found[0] if found else None for found in parsed]


# (id, key, trusted, open, pickled item, service): a full item in the stream
Record = tuple[Any, ...]
OPEN, BLOB, SERVICE_OF = 3, 4, 5


class _Stream:
    """One kind's full items: a stamp, then records (see `Record`) in id order.

    It is read in step with the sorted listing. From the first record that is stale, missing or
    of a file gone, it is rewritten: the records kept so far are copied to a temp file, every
    record after them is written there too, and the temp file replaces the stream at the end.
    """

    def __init__(self, path: Path | None, stamp: tuple[Any, ...]) -> None:
        self.path = path
        self.stamp = stamp
        self.reader: IO[bytes] | None = None
        self.copy: IO[bytes] | None = None
        self.ahead: tuple[Any, ...] | None = None  # the next record, read but not yet matched
        self.kept = 0  # records put so far
        self.writer: _Replacement | None = None
        if path is None:
            return
        try:
            # Both stay open until close(), so that the copy reads the records the reader read
            # even if another process replaces the stream meanwhile. (Should it be replaced
            # between the two opens, the copy holds other records: get() checks each record's
            # id and key, so that costs time, never a wrong result.)
            self.reader = _open_regular(path)[0]
            self.copy = _open_regular(path)[0]
            if pickle.load(self.reader) != stamp:
                self._stop_reading()
        except Exception:
            self._stop_reading()

    def __enter__(self) -> _Stream:
        return self

    def __exit__(self, error: type[BaseException] | None, *_: object) -> None:
        if error is not None:
            self._abandon()  # a walk cut short leaves the stream as it was
        self.close()

    def get(self, item_id: str, key: Key) -> Record | None:
        """The record of `item_id` if it was made at `key` (and trusted); records passed are of
        files gone."""
        while True:
            record = self._next()
            if record is None or record[0] > item_id:
                self.ahead = record
                return None
            if record[0] == item_id:
                if record[1] == key and record[2]:
                    return record
                self._dirty()
                return None
            self._dirty()

    def put(self, record: Record, *, fresh: bool) -> None:
        """Keep a record; a fresh one (not read from the stream) means a rewrite."""
        if fresh:
            self._dirty()
        if self.writer is not None:
            try:
                _dump_checked(record, self.writer.file)
            except OSError:
                self._abandon()
        self.kept += 1

    def close(self) -> None:
        if self.ahead is not None or (self.reader is not None and self._next() is not None):
            self._dirty()  # records of files gone
        self._stop_reading()
        if self.copy is not None:
            self.copy.close()
        if self.writer is None:
            return
        writer, self.writer = self.writer, None
        try:
            writer.commit()
        except OSError:
            writer.discard()

    def _next(self) -> Record | None:
        if self.ahead is not None:
            ahead, self.ahead = self.ahead, None
            return ahead
        if self.reader is None:
            return None
        try:
            record: Record = _load_checked(self.reader)
            return record
        except Exception:  # the end, or a damaged record: what follows is lost
            self._stop_reading()
            return None

    def _dirty(self) -> None:
        """Start the rewrite, once: the stamp and the records put so far go first."""
        if self.writer is not None or self.path is None:
            return
        try:
            self.writer = _Replacement(self.path)
            out = self.writer.file
            pickle.dump(self.stamp, out, PROTOCOL)
            if self.kept:
                pickle.load(self.copy)  # type: ignore[arg-type]
                for _ in range(self.kept):
                    pickle.dump(pickle.load(self.copy), out, PROTOCOL)  # type: ignore[arg-type]
        except Exception:  # no room, no rights, the old records unreadable: no cache
            self._abandon()

    def _abandon(self) -> None:
        """Give up writing: the stream stays as it was, or gone, which is only slower."""
        if self.writer is not None:
            self.writer.discard()
            self.writer = None
        self.path = None

    def _stop_reading(self) -> None:
        """Read no further records (the copy handle stays for a rewrite of those read)."""
        if self.reader is not None:
            self.reader.close()
            self.reader = None


def _unreadable(path: str, exc: OSError) -> Key:
    """The key of a file that cannot be looked at (a loop of links): never that of a file that
    can, and another one once the link itself changes."""
    try:
        own = os.lstat(path)
    except OSError:
        return (-1, exc.errno or 0, 0, 0)
    return (-1, exc.errno or 0, own.st_ctime_ns, own.st_ino)


def _changed(key: Key) -> int:
    """When the file last changed: its ctime, which every write moves and no tool sets back
    (Windows' st_ctime is the creation time: there, the later of the two)."""
    return key[2] if os.name == "posix" else max(key[1], key[2])


def _is_item(name: str) -> bool:
    # `Acme (copy).toml` is no item (its id cannot be named): `validate` reports it.
    return name.endswith(".toml") and not name.startswith(".") and not id_problem(name[:-5])
