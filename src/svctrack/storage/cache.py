"""The read path: every item file parsed once, then served from a cache keyed by the file's stat.

The cache lives outside the workspace (the user cache dir), in two parts that are read and
brought up to date apart. The index keeps, for every item file, the stat key it was parsed at
and the item's row (its summary less what depends on today: all that lists and the dashboard
show); for open items also a brief (the item without notes, feedback, time and old history: what
deadlines and checklists read). Its hot part, the open items' entries, is what a dashboard reads;
its cold part, the items no longer open (most of a firm's years), is read only by a listing of
every item or a look at every file, their rows again only by the listing. Where there are many,
the closed items' files are not even stat'ed while their folder shows no change (see `changes`).
The full items, which exports and timelines read, are kept in one stream per kind, read and
rewritten one record at a time, so that thousands of items are never all in memory; a report
keeps its figures and each closed item's facts (see `Index.settled`). It is only ever a cache:
a missing, stale or corrupt one changes no result, only the time taken."""

from __future__ import annotations

import errno
import gc
import io
import os
import pickle
import re
import stat
import struct
import sys
import time
import zlib  # not hashlib: its OpenSSL costs every run 3 ms to load
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import fields, replace
from functools import cached_property
from itertools import islice
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
from svctrack.storage.changes import cache_dir, folder_status, names_changed, open_regular
from svctrack.storage.decode import parse_text
from svctrack.storage.locate import file_problems
from svctrack.storage.parallel import STEP, chunked
from svctrack.storage.paths import FOLDERS
from svctrack.storage.store import Store

FRESH_NS = 2_000_000_000  # a file changed this close to its parse may change again unseen
# Closed items' files are trusted through their folder (see `changes`) only when there are this
# many: below, stat'ing them all costs less than 0.1 s. And every file is looked at again when
# the last such look is this old (the only way a closed item's file rewritten in place is seen).
TRUST_FROM = 20_000
FULL_LOOK_NS = 600 * 1_000_000_000
PROTOCOL = pickle.HIGHEST_PROTOCOL
# An index file: this head (a mark, the size and CRC-32 of each part), then its three parts: the
# hot entries, the cold entries, the cold entries' rows (see `Index._load_index`, `_ColdPart`).
_HEAD = struct.Struct("<4sQIQIQI")
_MAGIC = b"svci"
SETTLED = 8  # values kept per kind by `Index.settled`: a report's few periods and services
# `Index.settled`: the kept facts are rewritten when more than REWRITE_FROM have changed (or
# more than one in fifty).
REWRITE_FROM = 64

PICKLED = (Item, HistoryEntry, Note, Tick, TimeEntry, Feedback, Document)
Key = tuple[int, ...]  # the file's size, mtime_ns, ctime_ns, inode (a link's: also its own)
# The cache's temp files (see `_Replacement`, `Index.now_ns`), which a writer killed leaves:
_TEMP = re.compile(r"^\.(.+\.(index|items|settled|facts)|now)\.[A-Za-z0-9_]+\.tmp$")
# Pickles of older shapes would lack fields: the shapes of what is pickled are in the version.
VERSION = (8, Row._fields, *(tuple(f.name for f in fields(c)) for c in PICKLED))
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
# What `Index._walk` tells of each sound item it visits: its kind, id, entry and row (the entry
# is None for a cold one when only its row was read; the row is None for a cold one when only
# its entry was: see `_walk`'s `settled`).
Visit = Callable[[str, str, "Entry | None", "tuple[Any, ...] | None"], None]
# What the index keeps of an item folder: its status (`changes.folder_status`) when a read began,
# whether that status had settled (changed long enough before that a later change would change
# it again, even within one tick of the file system's clock; if not, the next read lists the
# folder), and when (time.time_ns) every file of the folder was last looked at.
Seen = tuple[str, bool, int]


def brief(item: Item) -> Item:
    """The item without what only reports read: notes, feedback, time, all but the last step."""
    return replace(item, history=item.history[-1:], notes=[], feedback=[], time=[])


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
        # What a walk also makes of each item it parses that is not open, and what it made (id
        # -> facts, pickled: smaller, and unpickled once the walk's own objects are gone):
        # `settled`'s facts, made in the same parse as the index's entries.
        self.facts_of: Callable[[Item], Any] | None = None
        self.made: dict[str, bytes | None] = {}
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

        def keep(kind: str, item_id: str, _: Entry | None, row: tuple[Any, ...] | None) -> None:
            if row is not None and (not only_open or row[IS_OPEN]):
                found.append((kind, item_id, row))

        return found, self._walk(tuple(kinds), keep, closed=not only_open)

    def briefs(self, kinds: Iterable[str]) -> tuple[list[Item], list[FileProblem]]:
        """The open items of `kinds` as briefs (see `brief`) in kind and id order; and the
        broken files."""
        found: list[Item] = []

        def keep(kind: str, item_id: str, entry: Entry | None, row: tuple[Any, ...] | None) -> None:
            if entry is not None and row is not None and row[IS_OPEN]:
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
                with _Stream(self._cache_path(kind, "items"), self.stamps[kind]) as stream:
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
        keys: dict[str, bytes] = {}  # id -> stat key, packed (a fifth of a tuple of ints)
        fresh: set[str] = set()  # changed a moment ago

        def keep(kind: str, item_id: str, entry: Entry | None, row: tuple[Any, ...] | None) -> None:
            if entry is not None and (row is None or not row[IS_OPEN]):
                keys[item_id] = _packed_key(entry[KEY])
                if not entry[TRUSTED]:
                    fresh.add(item_id)

        self.facts_of, self.made = each, {}
        try:
            broken = self._walk((kind,), keep, closed=False, settled=True)
        finally:
            self.facts_of = None
        # What the values were made from: the stamp, and the ids and keys in 32 bytes, as
        # walked (in the order of this walk: cheap) and in id order (asked only when the order
        # is not the one of the walk that made them).
        stamp, walked, in_order = self.stamps[kind], _digest(keys.items()), b""

        def fits(made_from: Any) -> bool:
            nonlocal in_order
            if made_from[0] != stamp:
                return False
            if made_from[1] == walked:
                return True
            in_order = in_order or _digest((i, keys[i]) for i in sorted(keys))
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
            in_order = in_order or _digest((i, keys[i]) for i in sorted(keys))
            head = ((stamp, walked, in_order), [(a, len(b), zlib.crc32(b)) for a, b in values])
            _write_checked(path, head, [blob for _, blob in values])
        return value, broken

    def _facts(
        self,
        kind: str,
        keys: dict[str, bytes],
        fresh: set[str],
        each: Callable[[Item], F | None],
        args: object,
    ) -> dict[str, tuple[bytes, F | None]]:
        """id → (key, facts) of the items `keys` names: kept ones where the key is the same (and
        the item not `fresh`), those the walk made as it parsed their files (`made`), the others
        made from their files, on every core when there are many. `args`: what `each` depends on
        besides the item."""
        path, stamp = self._cache_path(kind, "facts"), (self.stamps[kind], args)
        known: dict[str, tuple[bytes, F | None]] = _read_facts(path, stamp)
        facts = {
            i: known[i]
            for i, key in keys.items()
            if i not in fresh and known.get(i, (0,))[0] == key
        }
        missing = [item_id for item_id in keys if item_id not in facts]
        made, self.made = self.made, {}
        for item_id in missing:
            if item_id in made:  # (made by the walk: unpickled as the pickles are let go)
                blob = made.pop(item_id)
                facts[item_id] = (keys[item_id], None if blob is None else pickle.loads(blob))
        parse = [item_id for item_id in missing if item_id not in facts]
        del made
        shared = (self.store.root, kind, self.pipelines[kind], self.now_ns, each)
        jobs = iter(parse)
        for chunk in chunked(_facts_of, parse, shared, self.progress):
            for item_id, fact in zip(islice(jobs, len(chunk)), chunk, strict=True):
                facts[item_id] = (keys[item_id], fact)  # (None: broken or gone since)
        stale = len(missing) + len(known) - (len(facts) - len(missing))  # (those gone too)
        if stale > min(REWRITE_FROM, len(keys) // 50):  # else parsed again: cheaper than a
            # rewrite (a parse costs some fifty times what a fact's share of a rewrite does)
            _write_facts(path, stamp, facts, fresh)
        return facts

    def _walk(
        self, kinds: tuple[str, ...], visit: Visit, *, closed: bool, settled: bool = False
    ) -> list[FileProblem]:
        """Visit the index entry of every readable item of `kinds` (with `closed`, those no longer
        open too, with their rows; with `settled`, those with their entries, not their rows;
        else only the open ones), and return the files that do not parse; the files
        changed since their entry was made are parsed again (on every core when there are
        thousands) and their entries saved.

        Which files are looked at (stat'ed) depends on the folder (see `changes`): while its
        status is the one the index saw, only the open, broken and lately changed items' files
        and links; after steps of svctrack's own writes, those and the files the steps name, and
        every other whose inode the listing shows changed; after any other change, every file."""
        broken: list[FileProblem] = []
        with _no_gc():
            for kind in kinds:
                broken += self._walk_kind(kind, visit, closed=closed, settled=settled)
        broken.sort(key=lambda problem: problem.path)
        return broken

    def _walk_kind(
        self, kind: str, visit: Visit, *, closed: bool, settled: bool
    ) -> list[FileProblem]:
        """`_walk` of one kind (again, looking at every file, when the cold part is damaged)."""
        status = folder_status(os.path.join(self.store.root, FOLDERS[kind]))
        hot, kept, cold_of, seen = self._load_index(kind)
        try:
            loaded = (status, hot, kept, cold_of, seen)
            return self._walk_index(kind, visit, loaded, closed=closed, settled=settled)
        except _Damaged:
            kept.close()
            kept, cold_of = _ColdPart(), (0, frozenset())
            loaded = (status, hot, kept, cold_of, None)
            return self._walk_index(kind, visit, loaded, closed=closed, settled=settled)
        finally:
            kept.close()

    def _walk_index(
        self,
        kind: str,
        visit: Visit,
        loaded: tuple[str, dict[str, Entry], _ColdPart, tuple[int, frozenset[str]], Seen | None],
        *,
        closed: bool,
        settled: bool,
    ) -> list[FileProblem]:
        """`_walk_kind` with the index loaded: the folder's status, the hot entries, the cold
        part, how many and which services the cold entries name, what was seen of the folder."""
        status, hot, kept, (count, services_of_cold), seen = loaded
        named = self._named(kind, seen, status, count)
        services = self._service_ids() if kind == "engagement" else frozenset()
        # The index's other part (the closed items) is unpickled only when it is needed: when
        # its files are looked at, for a report, or when an engagement in it lost its service.
        # Both parts are read before anything is visited: a damaged one has the walk start again
        # (see `_walk_kind`), and what a first try visited would be visited twice.
        lost = kind == "engagement" and not services_of_cold <= services
        cold = kept.entries() if named is None or named[0] or settled or lost else None
        rows = kept.rows() if closed else {}
        known = hot if cold is None else {**cold, **hot}  # (cold has no hot id)
        new: dict[str, Entry] = {}  # the entries that stand, and the hot ones parsed anew
        stale: list[str] = []  # the ids of the files to parse again
        for item_id, _, key in self._looks(kind, hot, cold, known, named, new):
            entry = known.get(item_id)
            if entry is None or entry[KEY] != key or not entry[TRUSTED]:
                stale.append(item_id)
            else:
                new[item_id] = entry
        broken: list[FileProblem] = []
        # The cold entries parsed anew are visited and written away a chunk at a time: a cold
        # cache never holds the closed items' entries all at once.
        fresh = _ColdChunks(self.folder)
        if stale:
            shared = (self.store.root, kind, self.pipelines[kind], self.now_ns, self.facts_of)
            jobs = iter(stale)
            for chunk in chunked(_entries, stale, shared, self.progress):
                parsed_cold: dict[str, Entry] = {}
                for item_id, parsed in zip(islice(jobs, len(chunk)), chunk, strict=True):
                    if parsed is not None:
                        entry = _interned(parsed[0])
                        (parsed_cold if _is_cold(entry) else new)[item_id] = entry
                        if self.facts_of is not None and entry[STAGE]:
                            self.made[item_id] = parsed[1]
                broken += self._visit(kind, parsed_cold, {}, services, visit, closed, settled)
                fresh.add(parsed_cold)
            del stale[:]
        new_hot, standing = _split(new)  # (an entry that stands stays where it was)
        whole = cold is None or len(standing) == len(cold)  # no cold entry went or changed
        broken += self._visit(kind, new_hot, rows, services, visit, closed, settled)
        if cold is not None:
            broken += self._visit(kind, standing, rows, services, visit, closed, settled)
        elif closed:  # the cold entries stand, and their services are there
            for item_id, row in rows.items():
                visit(kind, item_id, None, row)
        if whole:  # the cold part stands, with what was parsed anew after it
            cold_part = fresh.after(kept, count, services_of_cold) if fresh.count else None
        else:  # rewritten: what was parsed anew, and the cold entries that stand
            cold_part = fresh.keeping(standing, kept)
        look = self._seen(status, seen, named is None)
        if new_hot != hot or cold_part is not None or look != seen:
            cold_of = (count, services_of_cold)
            self._save(kind, new_hot, cold_of, kept, cold_part, look)
        fresh.close()
        return broken

    def _visit(
        self,
        kind: str,
        entries: dict[str, Entry],
        rows: dict[str, Any],
        services: frozenset[str],
        visit: Visit,
        closed: bool,
        settled: bool,
    ) -> list[FileProblem]:
        """Visit the sound entries (see `_walk`): a cold entry with its row from `rows` when
        `closed`, without it when `settled`; return the problems of the others: a broken file,
        an engagement whose service is not there."""
        broken: list[FileProblem] = []
        for item_id, entry in entries.items():
            if not entry[STAGE]:
                broken += self._problems(kind, item_id, entry)
                continue
            service = entry[SERVICE_OF_ENTRY]
            if service and service not in services:  # (only then the problem, located)
                dangling = self._dangling(kind, item_id, service)
                if dangling:
                    broken += dangling
                    continue
            row = entry[ROW]
            if row is not None:
                if closed or settled or row[IS_OPEN]:
                    visit(kind, item_id, entry, row)
            elif closed:
                visit(kind, item_id, entry, rows[item_id])
            elif settled:
                visit(kind, item_id, entry, None)
        return broken

    def _named(
        self, kind: str, seen: Seen | None, status: str, cold: int
    ) -> tuple[bool, set[str]] | None:
        """How much of `kind`'s folder to look at: None for every file; else whether to list the
        folder (to see the inodes) and the files svctrack's writes changed since `seen`."""
        if seen is None or not status or cold < TRUST_FROM:
            return None
        if not 0 <= time.time_ns() - seen[2] <= FULL_LOOK_NS:
            return None
        if seen[0] == status:
            return (not seen[1], set())  # a status seen too soon after a change is checked
        names = names_changed(self.folder, FOLDERS[kind], seen[0], status)
        return None if names is None else (True, names)

    def _looks(
        self,
        kind: str,
        hot: dict[str, Entry],
        cold: dict[str, Entry] | None,
        known: dict[str, Entry],
        named: tuple[bool, set[str]] | None,
        kept: dict[str, Entry],
    ) -> Iterator[tuple[str, str, Key]]:
        """(id, path, stat key) of the files of `kind` to look at (see `_walk`); the cold
        entries trusted as they are go straight into `kept`."""
        if named is None:
            yield from self._files(kind, known=known)
            return
        listed, names = named
        folder = os.path.join(self.store.root, FOLDERS[kind])
        if not listed:  # the folder as it was: no file came, went or was replaced
            kept.update(cold or {})
            fd = _open_folder(folder)
            try:
                for item_id in hot:
                    name = item_id + ".toml"
                    key = _path_key(os.path.join(folder, name), name, fd)
                    if key is not None:
                        yield item_id, os.path.join(folder, name), key
            finally:
                if fd is not None:
                    os.close(fd)
            return
        assert cold is not None
        for file in self._listing(kind, known):
            item_id = file.name[:-5]
            entry = cold.get(item_id)
            if (
                entry is not None
                and file.name not in names  # (file names, as the steps say them)
                and entry[KEY][3] == file.inode()
                and not file.is_symlink()
            ):
                kept[item_id] = entry
                continue
            key = _entry_key(file)
            if key is not None:
                yield item_id, file.path, key

    def _files(
        self, kind: str, *, known: dict[str, Entry] | None = None, ordered: bool = False
    ) -> Iterator[tuple[str, str, Key]]:
        """(id, path, stat key) of the item files of `kind`, in id order if `ordered`."""
        files: Iterable[os.DirEntry[str]] = self._listing(kind, known or {})
        if ordered:  # (the stream of full items goes in id order: then all are held)
            files = sorted(files, key=lambda file: file.name)
        for file in files:
            key = _entry_key(file)
            if key is not None:
                yield file.name[:-5], file.path, key

    def _listing(self, kind: str, known: dict[str, Entry]) -> Iterator[os.DirEntry[str]]:
        """The listing's entries of the item files of `kind` (and of files `known` by id)."""
        folder = os.path.join(self.store.root, FOLDERS[kind])
        try:
            # A listing's entries know their path, their inode and whether they are links (the
            # listing says), and stat faster than a path joined and looked up again.
            listing = os.scandir(folder)
        except FileNotFoundError:
            return
        except OSError as exc:
            raise FileProblem(f"{FOLDERS[kind]}/", msg("cannot_list", reason=reason(exc))) from None
        with listing:
            for file in listing:  # one entry at a time: memory stays flat
                name = file.name
                if name.endswith(".toml") and (name[:-5] in known or _is_item(name)):
                    yield file

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

    def _load_index(
        self, kind: str
    ) -> tuple[dict[str, Entry], _ColdPart, tuple[int, frozenset[str]], Seen | None]:
        """The index of one kind: its hot entries (id → entry: the open items, the broken ones,
        those changed just before they were parsed and links, whose files every read looks at); the
        cold entries (those no longer open), read only if asked for, how many and the services
        they name; and what was seen of the kind's folder (see `Seen`)."""
        path = self._cache_path(kind, "index")
        nothing: tuple[dict[str, Entry], _ColdPart, tuple[int, frozenset[str]], None]
        nothing = ({}, _ColdPart(), (0, frozenset()), None)
        if path is None:
            return nothing
        try:
            handle, size_of_file = open_regular(path)
        except OSError:
            return nothing
        try:
            head = handle.read(_HEAD.size)
            magic, *sizes = _HEAD.unpack(head)
            offset, parts = _HEAD.size, list[tuple[int, int, int]]()
            for size, crc in zip(sizes[::2], sizes[1::2], strict=True):
                parts.append((offset, size, crc))
                offset += size
            if magic != _MAGIC or offset != size_of_file:
                raise ValueError("no index of ours")  # rebuilt, replacing it
            stamp, hot, cold_of, seen = pickle.loads(_ColdPart(handle, tuple(parts)).part(0))
            if stamp == self.stamps[kind] and isinstance(hot, dict):
                return hot, _ColdPart(handle, tuple(parts), cold_of[0]), cold_of, seen
        except Exception:  # a missing or corrupt cache is no cache
            pass
        handle.close()
        return nothing

    def _seen(self, status: str, seen: Seen | None, every_file: bool) -> Seen | None:
        """What the index keeps of the folder whose status was `status` when the read began,
        after a look at `every_file` or not (see `Seen`). The time of the last look at every
        file is moved on only once it is half as old as allowed: a read that looks at every
        file anyway (a small workspace's) does not rewrite the index for it."""
        if not status:
            return None
        when = seen[2] if seen is not None else 0
        if every_file and not 0 <= time.time_ns() - when <= FULL_LOOK_NS // 2:
            when = time.time_ns()
        if seen is not None and seen[:2] == (status, True):
            return (status, True, when)
        return status, self.now_ns - int(status.rsplit(" ", 1)[1]) > FRESH_NS, when

    def _save(
        self,
        kind: str,
        hot: dict[str, Entry],
        cold_of: tuple[int, frozenset[str]],
        kept: _ColdPart,
        cold: _ColdChunks | None,
        seen: Seen | None,
    ) -> None:
        """Save the index: the hot entries, the cold ones (`cold`, or as they were in `kept`,
        the old index, with `cold_of`: how many, and the services they name), what was seen."""
        path = self._cache_path(kind, "index")
        if path is None or (cold is not None and cold.failed):
            return
        if cold is not None:
            cold_of = (cold.count, frozenset(cold.services))

        def write(file: IO[bytes]) -> None:
            file.write(bytes(_HEAD.size))  # the head, once the parts' sizes and CRCs are known
            summed = _Summed(file)  # (pickled straight to the file: at 100,000 items, 15 MB)
            pickle.dump((self.stamps[kind], hot, cold_of, seen), summed, PROTOCOL)
            sums = [summed.size, summed.crc]
            for n in (1, 2):
                sums += cold.write(n, file) if cold is not None else kept.copy(n, file)
            file.seek(0)
            file.write(_HEAD.pack(_MAGIC, *sums))

        try:
            _replace(path, write)
        except _Damaged:  # an old part is not what its head said: the closed items are
            # parsed again next time
            self._save(kind, hot, (0, frozenset()), _ColdPart(), None, None)

    def _cache_path(self, kind: str, what: str) -> Path | None:
        """The cache file of `kind` that holds `what`: its index, its stream of full items, its
        settled report, its facts (see `settled`, `_facts`)."""
        return self.folder / f"{FOLDERS[kind]}.{what}" if self.folder else None


class _Damaged(Exception):
    """A part of the index is not what its head says."""


_EMPTY = pickle.dumps({}, PROTOCOL)


class _ColdPart:
    """The cold entries of an index file, in two parts: the entries without their rows, and the
    rows (pickled dicts, id -> entry and id -> row), each read from the file only when asked for;
    the file stays open until `close`, so another process replacing it meanwhile changes nothing.
    A part that is not what the head says raises `_Damaged`."""

    def __init__(
        self,
        handle: IO[bytes] | None = None,
        sizes: tuple[tuple[int, int, int], ...] = (),
        count: int = 0,
    ) -> None:
        self.handle = handle
        self.sizes = sizes  # (offset, size, CRC-32) of each part, the hot part first
        self.count = count  # entries in each cold part
        self.unpickled: dict[int, dict[str, Any]] = {}

    def entries(self) -> dict[str, Entry]:
        return self._unpickled(1)

    def rows(self) -> dict[str, Any]:
        return self._unpickled(2)

    def part(self, part: int) -> bytes:
        """A part's bytes, as the head says they are."""
        if not self.sizes:
            return _EMPTY if part else b""
        offset, size, crc = self.sizes[part]
        try:
            data = os.pread(self.handle.fileno(), size, offset) if self.handle else b""
        except OSError:
            raise _Damaged from None
        if len(data) != size or zlib.crc32(data) != crc:
            raise _Damaged
        return data

    def copy(self, part: int, file: IO[bytes]) -> tuple[int, int]:
        """Write a part's bytes to `file` as they are, a piece at a time, and return their size
        and CRC-32 (OSError if they are not all there, _Damaged if they are not what the head
        says: then nothing is saved)."""
        if not self.sizes or self.handle is None:
            file.write(_EMPTY)
            return len(_EMPTY), zlib.crc32(_EMPTY)
        offset, size, crc = self.sizes[part]
        if _copy(self.handle.fileno(), offset, size, file) != crc:
            raise _Damaged
        return size, crc

    def chunks(self, part: int) -> Iterator[dict[str, Any]]:
        """The pickled dicts a part is made of (see `_ColdChunks`), one at a time."""
        data = self.part(part)
        buffer = io.BytesIO(data)
        while buffer.tell() < len(data):
            try:
                found = pickle.load(buffer)
            except Exception:  # within a sound part (its CRC held): never expected
                raise _Damaged from None
            if not isinstance(found, dict):
                raise _Damaged
            yield found

    def _unpickled(self, part: int) -> dict[str, Any]:
        if part not in self.unpickled:
            found: dict[str, Any] = {}
            for chunk in self.chunks(part):
                if found:
                    found.update(chunk)
                else:
                    found = chunk
            if len(found) != self.count:
                raise _Damaged
            self.unpickled[part] = found
        return self.unpickled[part]

    def close(self) -> None:
        if self.handle is not None:
            self.handle.close()
            self.handle = None


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


class _ColdChunks:
    """A cold part of the index being written: each of its two parts (the entries without
    their rows, and the rows: see `_ColdPart`) a run of pickled dicts, a chunk of items each,
    so that neither is ever whole in memory. What is added goes to two unnamed temp files in
    the cache folder (none when caching is off); what the old index had comes first (`after`)
    or is filtered as it is written (`keeping`)."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder
        self.count = 0
        self.services: set[str] = set()
        self.files: list[IO[bytes]] = []
        self.failed = False  # a temp file could not be written: the index is not saved
        self.base: _ColdPart | None = None  # an old cold part that goes first, as it is
        # The old cold entries kept, when not all (their rows are read from `base`):
        self.standing: dict[str, Entry] | None = None

    def add(self, entries: dict[str, Entry]) -> None:
        """Add entries parsed anew (with their rows)."""
        if not entries:
            return
        self.count += len(entries)
        self.services.update(entry[SERVICE_OF_ENTRY] for entry in entries.values())
        if self.folder is None or self.failed:
            return
        try:
            if not self.files:
                self.folder.mkdir(parents=True, exist_ok=True)
                import tempfile

                # (closed by `close`, once the index is saved)
                self.files = [tempfile.TemporaryFile(dir=self.folder) for _ in range(2)]  # noqa: SIM115
            rowless = {i: (*e[:ROW], None, *e[ROW + 1 :]) for i, e in entries.items()}
            pickle.dump(rowless, self.files[0], PROTOCOL)
            pickle.dump({i: e[ROW] for i, e in entries.items()}, self.files[1], PROTOCOL)
        except OSError:
            self.failed = True

    def after(self, kept: _ColdPart, count: int, services: frozenset[str]) -> _ColdChunks:
        """Put the old cold part (`count` entries, naming `services`) first, as it is."""
        self.base, self.count = kept, self.count + count
        self.services |= services
        return self

    def keeping(self, standing: dict[str, Entry], kept: _ColdPart) -> _ColdChunks:
        """Keep the old cold entries `standing` (rowless, as `kept` has them; their rows are
        read from it when the part is written)."""
        self.base, self.standing, self.count = kept, standing, self.count + len(standing)
        self.services.update(entry[SERVICE_OF_ENTRY] for entry in standing.values())
        return self

    def write(self, part: int, file: IO[bytes]) -> tuple[int, int]:
        """Write part 1 or 2 to `file`; return its size and CRC-32 (_Damaged if the old part
        it takes from is not what its head says)."""
        summed = _Summed(file)
        if self.standing is not None:
            self._write_standing(part, self.standing, summed)
        elif self.base is not None:
            summed.size, summed.crc = self.base.copy(part, file)
        if self.files:
            temp = self.files[part - 1]
            temp.flush()
            summed.crc = _copy(temp.fileno(), 0, temp.tell(), file, summed.crc)
            summed.size += temp.tell()
        return summed.size, summed.crc

    def _write_standing(self, part: int, standing: dict[str, Entry], summed: _Summed) -> None:
        """The standing entries (part 1) or their rows, filtered from the old part (2)."""
        ids = iter(standing)
        if part == 1:
            while chunk := {i: standing[i] for i in islice(ids, CHUNK)}:
                pickle.dump(chunk, summed, PROTOCOL)
            return
        assert self.base is not None
        found = 0
        for old in self.base.chunks(2):
            rows = {i: row for i, row in old.items() if i in standing}
            if rows:
                pickle.dump(rows, summed, PROTOCOL)
                found += len(rows)
        if found != len(standing):
            raise _Damaged

    def close(self) -> None:
        for file in self.files:
            with suppress(OSError):  # what a buffer still held not written: a full disk
                file.close()


CHUNK = 4096  # entries in each pickled dict of a cold part rewritten


def _copy(fd: int, offset: int, size: int, file: IO[bytes], crc: int = 0) -> int:
    """Copy `size` bytes from `offset` in `fd` to `file`, a MiB at a time; return the CRC-32
    of what went before them (`crc`) and them (OSError if they are not all there)."""
    while size:
        piece = os.pread(fd, min(size, 1 << 20), offset)
        if not piece:
            raise OSError(errno.EIO, "the index ended early")
        file.write(piece)
        crc = zlib.crc32(piece, crc)
        offset, size = offset + len(piece), size - len(piece)
    return crc


def _is_cold(entry: Entry) -> bool:
    """Whether an entry goes to the cold part: sound, trusted, of an item no longer open, in a
    file that is no link (the file a link points to may be replaced, its folder unchanged)."""
    return bool(
        entry[STAGE]
        and entry[TRUSTED]
        and (entry[ROW] is None or not entry[ROW][IS_OPEN])
        and len(entry[KEY]) == 4  # (a link's key is longer, see `Key`)
    )


def _split(entries: dict[str, Entry]) -> tuple[dict[str, Entry], dict[str, Entry]]:
    """The hot entries and the cold ones (see `_is_cold`)."""
    hot: dict[str, Entry] = {}
    cold: dict[str, Entry] = {}
    for item_id, entry in entries.items():
        (cold if _is_cold(entry) else hot)[item_id] = entry
    return hot, cold


def _entry_key(file: os.DirEntry[str]) -> Key | None:
    """The stat key of a listed file (see `Key`), or None when it is gone."""
    try:
        st = file.stat()  # follows a link, as os.stat does; never cached across runs
        key: Key = (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)
        if file.is_symlink():  # the link itself may change too, pointing elsewhere
            own = file.stat(follow_symlinks=False)
            key += (own.st_ctime_ns, own.st_ino)
    except FileNotFoundError:
        return None
    except OSError as exc:  # a loop of links: a broken file, which the parse reports
        return _unreadable(file.path, exc)
    return key


def _open_folder(path: str) -> int | None:
    """A folder opened to look files up in (see `_path_key`), or None where that cannot be."""
    if os.stat not in os.supports_dir_fd:  # (Windows)
        return None
    try:
        return os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return None


def _path_key(path: str, name: str, folder: int | None) -> Key | None:
    """The stat key of the file `name` in `folder` (at `path`), as `_entry_key` gives it, or
    None when it is gone. Looked up in the open folder (no path walked for each file), or by
    its path when the folder is None."""
    where = name if folder is not None else path
    try:
        own = os.stat(where, dir_fd=folder, follow_symlinks=False)
        if not stat.S_ISLNK(own.st_mode):
            return (own.st_size, own.st_mtime_ns, own.st_ctime_ns, own.st_ino)
        st = os.stat(where, dir_fd=folder)
    except FileNotFoundError:
        return None
    except OSError as exc:
        return _unreadable(path, exc)
    return (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, own.st_ctime_ns, own.st_ino)


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


def _read_facts(path: Path | None, stamp: object) -> dict[str, tuple[bytes, Any]]:
    """The facts `_write_facts` kept in `path` if they have `stamp`; else none. Each is its own
    pickle, so that unpickling thousands holds no more than they take (one pickle of them all
    would hold every object it made until its end)."""
    if path is None:
        return {}
    try:
        with open_regular(path)[0] as handle:
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


def _write_facts(
    path: Path | None, stamp: object, facts: dict[str, tuple[bytes, Any]], leave: set[str]
) -> None:
    """Replace the cache file `path` with the stamp, the count, each id, key and facts (but
    those of `leave`), and the CRC-32 of them all."""

    def write(file: IO[bytes]) -> None:
        summed = _Summed(file)
        pickle.dump(stamp, summed, PROTOCOL)
        pickle.dump(len(facts) - len(leave & facts.keys()), summed, PROTOCOL)
        for item_id, (key, fact) in facts.items():
            if item_id not in leave:
                pickle.dump((item_id, key, fact), summed, PROTOCOL)
        file.write(summed.crc.to_bytes(4, "little"))

    _replace(path, write)


def _write_checked(path: Path | None, value: object, tail: Iterable[bytes] = ()) -> None:
    """Replace the cache file `path` with `value` pickled and its CRC-32, then `tail`."""

    def write(file: IO[bytes]) -> None:
        summed = _Summed(file)  # pickled straight to the file, not copied in memory first
        pickle.dump(value, summed, PROTOCOL)
        file.write(summed.crc.to_bytes(4, "little"))
        file.writelines(tail)

    _replace(path, write)


def _packed_key(key: Key) -> bytes:
    """A stat key in a few bytes (see `Index.settled`)."""
    return struct.pack(f"<{len(key)}q", *key)


def _digest(keys: Iterable[tuple[str, bytes]]) -> bytes:
    """The ids and stat keys of items, in their order, in 32 bytes (pickled a few thousand at a
    time: never all at once)."""
    from hashlib import blake2b  # (here, not above: its OpenSSL costs every run 3 ms to load)

    digest, pairs = blake2b(digest_size=32), iter(keys)
    while chunk := list(islice(pairs, CHUNK)):
        digest.update(pickle.dumps(chunk, PROTOCOL))
    return digest.digest()


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
        with open_regular(path)[0] as handle:
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


def _replace(path: Path | None, write: Callable[[IO[bytes]], None]) -> None:
    """Replace the cache file `path` with what `write` writes to it; nothing when caching is off
    or the file cannot be written (a cache that cannot be written is only slower)."""
    if path is None:
        return
    try:
        out = _Replacement(path)
    except OSError:
        return
    try:
        write(out.file)
        out.commit()
    except OSError:
        out.discard()
    except BaseException:
        out.discard()
        raise


class _Summed:
    """A file to pickle into that keeps the size and CRC-32 of what was written."""

    def __init__(self, file: IO[bytes]) -> None:
        self.file = file
        self.crc = 0
        self.size = 0

    def write(self, data: bytes) -> int:
        self.crc = zlib.crc32(data, self.crc)
        self.size += len(data)
        return self.file.write(data)


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
    except NotFound:
        return None  # removed while we looked
    except FileProblem as problem:  # no text read: a read that failed (an I/O error, a file
        # another program holds) may not fail next time, the file unchanged: not trusted
        return _broken(key, False, (problem,), ""), None
    try:
        data = parse_text(text, store.rel(path))
    except FileProblem as problem:
        return _broken(key, trusted, (problem,), ""), None
    item, problems = check(kind, item_id, data, pipeline)
    wrong = errors(problems)
    if wrong:  # what `validate` calls errors: the item is not shown, its problems are
        found = tuple(file_problems(text, store.rel(path), wrong))
        return _broken(key, trusted, found, item.service), None
    summary = row(item, pipeline)
    kept = summary._replace(  # the same few strings over and over: pickled once each
        stage=sys.intern(summary.stage),
        next_what=sys.intern(summary.next_what),
        service=sys.intern(summary.service),
        coverage=tuple(summary.coverage),  # type: ignore[arg-type]  # plain: pickles smaller
    )
    blob = pickle.dumps(brief(item), PROTOCOL) if summary.is_open else b""
    return (key, item.stage or "?", trusted, tuple(kept), blob, kept.service), item


def _broken(key: Key, trusted: bool, problems: tuple[FileProblem, ...], service: str) -> Entry:
    """The entry of a broken item: its file's problems and its service (see `Entry`)."""
    return (key, "", trusted, None, pickle.dumps((problems, service)), "")


def _parsed(
    ids: list[str], root: Path, kind: str, pipeline: Pipeline, now_ns: int
) -> Iterator[tuple[Entry, Item | None] | None]:
    """`_parse` of items' files, each stat'ed first: the ids alone go to the workers (see
    `chunked`), not a path and a key each."""
    store = Store(root)
    folder = os.path.join(root, FOLDERS[kind])
    for item_id in ids:
        name = item_id + ".toml"
        where = os.path.join(folder, name)
        key = _path_key(where, name, None)
        yield None if key is None else _parse(store, pipeline, kind, item_id, where, key, now_ns)


Shared = tuple[Path, str, Pipeline, int, Callable[[Item], Any] | None]  # see `_entries`


def _entries(ids: list[str], shared: Shared) -> list[tuple[Entry, bytes | None] | None]:
    """The index entries of items, each with `each(item)` pickled (None without `each`, or when
    the item is open or broken, or `each` says None), or None for a file gone; for `chunked`.
    `shared`: the workspace's root, the kind, its pipeline, now (see `now_ns`), and `each`."""
    root, kind, pipeline, now_ns, each = shared
    found: list[tuple[Entry, bytes | None] | None] = []
    for parsed in _parsed(ids, root, kind, pipeline, now_ns):
        if parsed is None:
            found.append(None)
            continue
        entry, item = parsed
        fact = None
        if item is not None and each is not None and not entry[ROW][IS_OPEN]:
            made = each(item)
            fact = None if made is None else pickle.dumps(made, PROTOCOL)
        found.append((entry, fact))
    return found


def _facts_of(ids: list[str], shared: Shared) -> list[Any]:
    """`each(item)` of items (None for a file gone or broken), for `chunked`."""
    root, kind, pipeline, now_ns, each = shared
    assert each is not None
    parsed = _parsed(ids, root, kind, pipeline, now_ns)
    return [each(found[1]) if found and found[1] else None for found in parsed]


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
            self.reader = open_regular(path)[0]
            self.copy = open_regular(path)[0]
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
