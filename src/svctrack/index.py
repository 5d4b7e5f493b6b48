"""The read path: every item file parsed once, then served from a cache keyed by the file's stat.

The cache lives outside the workspace (the user cache dir) in two files per workspace: a small
index with a brief of every item (what lists and dashboards need), and the full items (history,
notes, feedback, time) that only reports read. It is only ever a cache: a missing, stale or
corrupt one changes no result, only the time taken.
"""

from __future__ import annotations

import gc
import hashlib
import os
import pickle
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import fields, replace
from pathlib import Path
from typing import Any, NamedTuple

from svctrack.errors import FileProblem, NotFound
from svctrack.ids import id_problem
from svctrack.model import Item, item_from_data
from svctrack.store import FOLDERS, Store, write_atomic

# Pickles of an older Item shape would lack fields: the shape is part of the version.
VERSION = (3, tuple(f.name for f in fields(Item)))
FRESH_NS = 2_000_000_000  # a file changed this close to its parse may change again unseen

Key = tuple[int, int, int, int]


class Entry(NamedTuple):
    key: Key  # size, mtime_ns, ctime_ns, inode
    kind: str
    stage: str  # "" when the file does not parse
    brief: bytes  # the pickled brief Item, or the pickled FileProblem
    trusted: bool  # False when the file was modified just before it was parsed


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

    def __init__(self, store: Store, *, use_cache: bool = True) -> None:
        self.store = store
        self.path = cache_file(store.root) if use_cache else None

    def scan(
        self,
        kinds: Iterable[str],
        want: Callable[[str, str], bool] | None = None,
        *,
        full: bool = True,
        each: Callable[[Item], Any] | None = None,
    ) -> tuple[list[Any], list[FileProblem]]:
        """Items of `kinds` (those `want(kind, stage)` accepts), and the files that do not parse.

        With `full=False` the items are briefs (see `brief`), read from the small index alone.
        `each` turns every item into what the caller keeps (a summary, say) as it is read, so
        that thousands of items are never all in memory at once.
        """
        with _no_gc():
            return self._scan(tuple(kinds), want, full, each or _same)

    def _scan(
        self,
        kinds: tuple[str, ...],
        want: Callable[[str, str], bool] | None,
        full: bool,
        each: Callable[[Item], Any],
    ) -> tuple[list[Any], list[FileProblem]]:
        old = self._load_index()
        stored = self._load_items() if full else {}  # rel → (key, pickled full item)
        new: dict[str, Entry] = {rel: e for rel, e in old.items() if e.kind not in kinds}
        changed = stored_changed = False
        items: list[Item] = []
        broken: list[FileProblem] = []
        for kind in kinds:
            for rel, where, key in self._files(kind, old):
                entry = old.get(rel)
                whole = None
                if entry is None or entry.key != key or not entry.trusted:
                    parsed = self._parse(kind, where, key)
                    if parsed is None:
                        continue
                    entry, whole = parsed
                    changed = True
                new[rel] = entry
                if not entry.stage:
                    broken.append(pickle.loads(entry.brief))
                    continue
                if want is not None and not want(kind, entry.stage):
                    continue
                if not full:
                    items.append(each(pickle.loads(entry.brief)))
                    continue
                if whole is None:
                    kept = stored.get(rel)
                    if kept is not None and kept[0] == key:
                        whole = kept[1]
                    else:  # not in the items file yet, or stale there
                        parsed = self._parse(kind, where, key)
                        if parsed is None:
                            continue
                        entry, whole = parsed
                        new[rel] = entry
                if stored.get(rel, (None,))[0] != key or not entry.trusted:
                    stored[rel] = (key, whole)
                    stored_changed = True
                items.append(each(pickle.loads(whole)))
        if changed or new.keys() != old.keys():
            self._save(self.path, new)
        if stored_changed:
            self._save(self._items_path(), {rel: v for rel, v in stored.items() if rel in new})
        items.sort(key=lambda item: (item.kind != kinds[0], item.id))  # Items and Summaries
        broken.sort(key=lambda problem: problem.path)
        return items, broken

    def _files(self, kind: str, known: dict[str, Entry]) -> Iterator[tuple[str, str, Key]]:
        folder = FOLDERS[kind]
        try:
            listing = os.scandir(self.store.root / folder)
        except FileNotFoundError:
            return
        with listing:
            for found in listing:
                rel = f"{folder}/{found.name}"
                if rel not in known and not _is_item(found.name):  # names known are valid
                    continue
                try:
                    st = found.stat()
                except FileNotFoundError:
                    continue
                key = (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)
                yield rel, found.path, key  # a Path only for the files parsed

    def _parse(self, kind: str, where: str, key: Key) -> tuple[Entry, bytes | None] | None:
        trusted = time.time_ns() - key[1] > FRESH_NS
        path = Path(where)
        try:
            data = self.store.read_file(path)
        except NotFound:
            return None  # removed while we looked
        except FileProblem as problem:
            return Entry(key, kind, "", pickle.dumps(problem), trusted), None
        item = item_from_data(kind, path.name[:-5], data)[0]
        entry = Entry(key, kind, item.stage or "?", pickle.dumps(brief(item)), trusted)
        return entry, pickle.dumps(item)

    def _items_path(self) -> Path | None:
        return self.path.with_suffix(".items.pickle") if self.path else None

    def _load_index(self) -> dict[str, Entry]:
        entries = self._read(self.path)
        return entries if isinstance(entries, dict) else {}

    def _load_items(self) -> dict[str, tuple[Key, bytes]]:
        blobs = self._read(self._items_path())
        return blobs if isinstance(blobs, dict) else {}

    def _read(self, path: Path | None) -> Any:
        if path is None:
            return None
        try:
            with open(path, "rb") as handle:
                version, root, payload = pickle.load(handle)
            if version == VERSION and root == str(self.store.root):
                return payload
        except Exception:  # a missing or corrupt cache is no cache
            pass
        return None

    def _save(self, path: Path | None, payload: Any) -> None:
        if path is None:
            return
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            data = pickle.dumps((VERSION, str(self.store.root), payload), pickle.HIGHEST_PROTOCOL)
            write_atomic(path, data)
        except OSError:
            pass  # a cache that cannot be written is only slower


def _same(item: Item) -> Item:
    return item


def _is_item(name: str) -> bool:
    # `Acme (copy).toml` is no item (its id cannot be named): `validate` reports it.
    return name.endswith(".toml") and not name.startswith(".") and not id_problem(name[:-5])
