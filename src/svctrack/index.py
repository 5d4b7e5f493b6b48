"""The read path: every item file parsed once, then served from a cache keyed by the file's stat.

The cache lives outside the workspace (the user cache dir). Its index keeps, for every item
file, the stat key it was parsed at and the item's row (its summary less what depends on today:
all that lists and the dashboard show); for open items also a brief (the item without notes,
feedback, time and old history: what deadlines and checklists read). The full items, which only
reports read, are kept apart, one stream per kind, read and rewritten one record at a time so that
thousands of items are never all in memory. It is only ever a cache: a missing, stale or corrupt
one changes no result, only the time taken.
"""

from __future__ import annotations

import gc
import hashlib
import os
import pickle
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, nullcontext, suppress
from dataclasses import fields, replace
from pathlib import Path
from typing import IO, NamedTuple, TypeVar

from svctrack.errors import FileProblem, NotFound
from svctrack.ids import id_problem
from svctrack.model import Item, item_from_data
from svctrack.pipeline import Pipeline
from svctrack.queries import Row, row
from svctrack.store import FOLDERS, Store, write_atomic

# Pickles of an older Item or Row shape would lack fields: the shapes are part of the version.
VERSION = (4, tuple(f.name for f in fields(Item)), Row._fields)
FRESH_NS = 2_000_000_000  # a file changed this close to its parse may change again unseen
PROTOCOL = pickle.HIGHEST_PROTOCOL

Key = tuple[int, int, int, int]
T = TypeVar("T")


class Entry(NamedTuple):
    key: Key  # size, mtime_ns, ctime_ns, inode
    kind: str
    stage: str  # "" when the file does not parse
    trusted: bool  # False when the file was modified just before it was parsed
    row: tuple | None  # the item's Row as a plain tuple; None when the file does not parse
    brief: bytes  # pickled: the brief of an open item, the FileProblem of a broken file; or b""


def brief(item: Item) -> Item:
    """The item without what only reports read: notes, feedback, time, all but the last step."""
    return replace(item, history=item.history[-1:], notes=[], feedback=[], time=[])


def cache_file(root: Path) -> Path | None:
    """Where this workspace's cache index lives, or None when caching is off."""
    if os.environ.get("SVCTRACK_NO_CACHE", "") not in ("", "0"):
        return None
    from platformdirs import user_cache_dir

    digest = hashlib.sha256(os.fsencode(root.resolve())).hexdigest()[:20]
    return Path(user_cache_dir("svctrack", appauthor=False)) / f"{digest}.pickle"


def shape(pipelines: dict[str, Pipeline]) -> tuple:
    """What rows depend on besides the files: each pipeline's stages, end and principles."""
    return tuple(
        (kind, p.stage_ids, p.done, tuple(t.id for t in p.principles))
        for kind, p in sorted(pipelines.items())
    )


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
        self, store: Store, pipelines: dict[str, Pipeline], *, use_cache: bool = True
    ) -> None:
        self.store = store
        self.pipelines = pipelines
        self.path = cache_file(store.root) if use_cache else None
        self.stamp = (VERSION, str(store.root), shape(pipelines))

    def rows(
        self, kinds: Iterable[str], *, only_open: bool = False
    ) -> tuple[list[tuple[str, str, tuple]], list[FileProblem]]:
        """(kind, id, row) of the items of `kinds` in kind and id order, and the broken files."""
        found: list[tuple[str, str, tuple]] = []

        def keep(kind: str, item_id: str, entry: Entry, _: Item | None) -> None:
            if not only_open or entry.row[5]:  # type: ignore[index]
                found.append((kind, item_id, entry.row))  # type: ignore[arg-type]

        return found, self._walk(tuple(kinds), keep)

    def briefs(self, kinds: Iterable[str]) -> tuple[list[Item], list[FileProblem]]:
        """The open items of `kinds` as briefs (see `brief`), and the broken files."""
        found: list[Item] = []

        def keep(kind: str, item_id: str, entry: Entry, _: Item | None) -> None:
            if entry.row[5]:  # type: ignore[index]
                found.append(pickle.loads(entry.brief))

        return found, self._walk(tuple(kinds), keep)

    def items(
        self, kinds: Iterable[str], each: Callable[[Item], T], *, only_open: bool = False
    ) -> tuple[list[T], list[FileProblem]]:
        """`each(item)` of every full item of `kinds` (the open ones with `only_open`), in kind
        and id order, read one at a time; and the broken files."""
        found: list[T] = []

        def keep(kind: str, item_id: str, entry: Entry, item: Item | None) -> None:
            if item is not None:
                found.append(each(item))

        wanted = _is_open if only_open else _always
        return found, self._walk(tuple(kinds), keep, wanted)

    # --- the walk over the files ----------------------------------------------------------------

    def _walk(
        self,
        kinds: tuple[str, ...],
        visit: Callable[[str, str, Entry, Item | None], None],
        full: Callable[[Entry], bool] | None = None,
    ) -> list[FileProblem]:
        """Visit every readable item of `kinds` (with the full item where `full` says so) and
        return the files that do not parse; the cache is brought up to date on the way."""
        with _no_gc():
            old = self._load_index()
            new = {rel: e for rel, e in old.items() if e.kind not in kinds}
            broken: list[FileProblem] = []
            for kind in kinds:
                stream = _Stream(self._items_path(kind), self.stamp) if full else nullcontext()
                with stream:
                    for item_id, where, key in self._files(kind, old):
                        rel = f"{FOLDERS[kind]}/{item_id}.toml"
                        found = self._entry(kind, item_id, where, key, old.get(rel))
                        if found and found[0].stage and full and isinstance(stream, _Stream):
                            found = self._full(stream, kind, item_id, where, key, found, full)
                        if found is None:
                            continue  # removed while we looked
                        entry, item = found
                        new[rel] = entry
                        if entry.stage:
                            visit(kind, item_id, entry, item)
                        else:
                            broken.append(pickle.loads(entry.brief))
            if new != old:
                self._save(new)
        broken.sort(key=lambda problem: problem.path)
        return broken

    def _entry(
        self, kind: str, item_id: str, where: str, key: Key, known: Entry | None
    ) -> tuple[Entry, Item | None] | None:
        """The index's entry when it matches the file, else the file parsed again."""
        if known is not None and known.key == key and known.trusted:
            return known, None
        return self._parse(kind, item_id, where, key)

    def _full(
        self,
        stream: _Stream,
        kind: str,
        item_id: str,
        where: str,
        key: Key,
        found: tuple[Entry, Item | None],
        wanted: Callable[[Entry], bool],
    ) -> tuple[Entry, Item | None] | None:
        """The entry with its full item when `wanted`, kept in the stream for the next time."""
        entry, item = found
        want = wanted(entry)
        if item is None:  # the entry came from the index: the stream may hold the item
            blob = stream.get(item_id, key)
            if blob is not None:
                stream.put(item_id, entry, blob, fresh=False)
                return entry, pickle.loads(blob) if want else None
            if not want:
                return entry, None  # left for a read that wants it to parse
            found = self._parse(kind, item_id, where, key)
            if found is None or found[1] is None:
                return found  # removed, or broken since the index saw it
            entry, item = found
        stream.put(item_id, entry, pickle.dumps(item, PROTOCOL), fresh=True)
        return entry, item if want else None

    def _files(self, kind: str, known: dict[str, Entry]) -> list[tuple[str, str, Key]]:
        """(id, path, stat key) of the item files of `kind`, in id order."""
        folder = FOLDERS[kind]
        found = []
        try:
            listing = os.scandir(self.store.root / folder)
        except FileNotFoundError:
            return []
        with listing:
            for file in listing:
                name = file.name
                if f"{folder}/{name}" not in known and not _is_item(name):  # known names are valid
                    continue
                try:
                    st = file.stat()
                except FileNotFoundError:
                    continue
                key = (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)
                found.append((name[:-5], file.path, key))
        found.sort()
        return found

    def _parse(
        self, kind: str, item_id: str, where: str, key: Key
    ) -> tuple[Entry, Item | None] | None:
        trusted = time.time_ns() - key[1] > FRESH_NS
        try:
            data = self.store.read_file(Path(where))
        except NotFound:
            return None  # removed while we looked
        except FileProblem as problem:
            return Entry(key, kind, "", trusted, None, pickle.dumps(problem)), None
        item = item_from_data(kind, item_id, data)[0]
        summary = row(item, self.pipelines[kind])
        kept = summary._replace(
            stage=sys.intern(summary.stage),
            next_what=sys.intern(summary.next_what),
            service=sys.intern(summary.service),
        )
        blob = pickle.dumps(brief(item), PROTOCOL) if summary.is_open else b""
        return Entry(key, kind, item.stage or "?", trusted, tuple(kept), blob), item

    # --- the cache files ------------------------------------------------------------------------

    def _items_path(self, kind: str) -> Path | None:
        return self.path.with_suffix(f".{kind}s.pickle") if self.path else None

    def _load_index(self) -> dict[str, Entry]:
        if self.path is None:
            return {}
        try:
            with open(self.path, "rb") as handle:
                stamp, entries = pickle.load(handle)
            if stamp == self.stamp and isinstance(entries, dict):
                return entries
        except Exception:  # a missing or corrupt cache is no cache
            pass
        return {}

    def _save(self, entries: dict[str, Entry]) -> None:
        if self.path is None:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(self.path, pickle.dumps((self.stamp, entries), PROTOCOL))
        except OSError:
            pass  # a cache that cannot be written is only slower


class _Stream:
    """One kind's full items: a stamp, then (id, key, trusted, pickled item) records in id order.

    It is read in step with the sorted listing. From the first record that is stale, missing or
    of a file gone, it is rewritten: the records kept so far are copied to a temp file, every
    record after them is written there too, and the temp file replaces the stream at the end.
    """

    def __init__(self, path: Path | None, stamp: tuple) -> None:
        self.path = path
        self.stamp = stamp
        self.reader: IO[bytes] | None = None
        self.copy: IO[bytes] | None = None
        self.ahead: tuple | None = None  # the next record, read but not yet matched
        self.kept = 0  # records put so far
        self.writer: IO[bytes] | None = None
        self.temp = ""
        if path is None:
            return
        try:
            # Both stay open until close(); the copy reads the same file as the reader even if
            # another process replaces it meanwhile.
            self.reader = open(path, "rb")  # noqa: SIM115
            self.copy = open(path, "rb")  # noqa: SIM115
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

    def get(self, item_id: str, key: Key) -> bytes | None:
        """The pickled item stored for `item_id` at `key`, if any; records passed are gone."""
        while True:
            record = self._next()
            if record is None or record[0] > item_id:
                self.ahead = record
                return None
            if record[0] == item_id:
                if record[1] == key and record[2]:
                    return record[3]
                self._dirty()
                return None
            self._dirty()  # its file was removed

    def put(self, item_id: str, entry: Entry, blob: bytes, *, fresh: bool) -> None:
        """Keep a record; a fresh one (not read from the stream) means a rewrite."""
        if fresh:
            self._dirty()
        if self.writer is not None:
            try:
                pickle.dump((item_id, entry.key, entry.trusted, blob), self.writer, PROTOCOL)
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
            writer.close()
            os.replace(self.temp, self.path)  # type: ignore[arg-type]
        except OSError:
            with suppress(OSError):
                os.unlink(self.temp)

    def _next(self) -> tuple | None:
        if self.ahead is not None:
            record, self.ahead = self.ahead, None
            return record
        if self.reader is None:
            return None
        try:
            return pickle.load(self.reader)
        except Exception:  # the end, or a truncated record: what follows is lost
            self._stop_reading()
            return None

    def _dirty(self) -> None:
        """Start the rewrite, once: the stamp and the records put so far go first."""
        if self.writer is not None or self.path is None:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, self.temp = tempfile.mkstemp(dir=self.path.parent, prefix=f".{self.path.name}.")
            self.writer = os.fdopen(fd, "wb")
            pickle.dump(self.stamp, self.writer, PROTOCOL)
            if self.kept:
                pickle.load(self.copy)  # type: ignore[arg-type]
                for _ in range(self.kept):
                    pickle.dump(pickle.load(self.copy), self.writer, PROTOCOL)  # type: ignore[arg-type]
        except Exception:  # no room, no rights, the old records unreadable: no cache
            self._abandon()

    def _abandon(self) -> None:
        """Give up writing: the stream stays as it was, or gone, which is only slower."""
        if self.writer is not None:
            with suppress(OSError):
                self.writer.close()
            with suppress(OSError):
                os.unlink(self.temp)
            self.writer = None
        self.path = None

    def _stop_reading(self) -> None:
        """Read no further records (the copy handle stays for a rewrite of those read)."""
        if self.reader is not None:
            self.reader.close()
            self.reader = None


def _is_open(entry: Entry) -> bool:
    return bool(entry.row and entry.row[5])


def _always(entry: Entry) -> bool:
    return True


def _is_item(name: str) -> bool:
    # `Acme (copy).toml` is no item (its id cannot be named): `validate` reports it.
    return name.endswith(".toml") and not name.startswith(".") and not id_problem(name[:-5])
