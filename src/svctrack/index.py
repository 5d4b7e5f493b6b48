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
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from svctrack.errors import FileProblem, NotFound
from svctrack.ids import id_problem
from svctrack.model import Item, item_from_data
from svctrack.store import FOLDERS, Store, write_atomic

# Pickles of an older Item shape would lack fields: the shape is part of the version.
VERSION = (2, tuple(f.name for f in fields(Item)))
FRESH_NS = 2_000_000_000  # a file changed this close to its parse may change again unseen

Key = tuple[int, int, int, int]


@dataclass(frozen=True)
class Entry:
    key: Key  # size, mtime_ns, ctime_ns, inode
    kind: str
    stage: str  # "" when the file does not parse
    brief: bytes  # the pickled brief Item, or the pickled FileProblem
    trusted: bool  # False when the file was modified just before it was parsed
    full: bytes | None = None  # the pickled full Item, until it moves to the items file


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
    # Unpickling thousands of objects triggers collections that find nothing to free.
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
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
    ) -> tuple[list[Item], list[FileProblem]]:
        """Items of `kinds` (those `want(kind, stage)` accepts), and the files that do not parse.

        With `full=False` the items are briefs (see `brief`), read from the small index alone.
        """
        with _no_gc():
            return self._scan(tuple(kinds), want, full)

    def _scan(
        self, kinds: tuple[str, ...], want: Callable[[str, str], bool] | None, full: bool
    ) -> tuple[list[Item], list[FileProblem]]:
        old = self._load_index()
        stored = self._load_items() if full else {}
        new: dict[str, Entry] = {rel: e for rel, e in old.items() if e.kind not in kinds}
        changed = False
        items: list[Item] = []
        broken: list[FileProblem] = []
        for kind in kinds:
            for rel, path, key in self._files(kind):
                entry = old.get(rel)
                if entry is None or entry.key != key or not entry.trusted:
                    entry = self._parse(kind, path, key)
                    if entry is None:
                        continue
                    changed = True
                new[rel] = entry
                if not entry.stage:
                    broken.append(pickle.loads(entry.brief))
                elif want is None or want(kind, entry.stage):
                    blob = (entry.full or stored.get(rel)) if full else entry.brief
                    if blob is None:  # the items file lost it: parse the file again
                        entry = self._parse(kind, path, key) or entry
                        new[rel], changed, blob = entry, True, entry.full or entry.brief
                    items.append(pickle.loads(blob))
        if full and any(e.full for e in new.values()):
            # Move the full items parsed since the last full read into the items file.
            stored = {rel: blob for rel, blob in stored.items() if rel in new}
            for rel, entry in new.items():
                if entry.full:
                    stored[rel] = entry.full
                    new[rel] = replace(entry, full=None)
            self._save(self._items_path(), stored)
            changed = True
        if changed or new.keys() != old.keys():
            self._save(self.path, new)
        return items, broken

    def _files(self, kind: str) -> Iterator[tuple[str, Path, Key]]:
        folder = self.store.root / FOLDERS[kind]
        try:
            listing = sorted(
                (d for d in os.scandir(folder) if _is_item(d.name)), key=lambda d: d.name
            )
        except FileNotFoundError:
            return
        for found in listing:
            try:
                st = found.stat()
            except FileNotFoundError:
                continue
            key = (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)
            yield f"{FOLDERS[kind]}/{found.name}", Path(found.path), key

    def _parse(self, kind: str, path: Path, key: Key) -> Entry | None:
        trusted = time.time_ns() - key[1] > FRESH_NS
        try:
            data = self.store.read_file(path)
        except NotFound:
            return None  # removed while we looked
        except FileProblem as problem:
            return Entry(key, kind, "", pickle.dumps(problem), trusted)
        item = item_from_data(kind, path.name[:-5], data)[0]
        return Entry(
            key, kind, item.stage or "?", pickle.dumps(brief(item)), trusted, pickle.dumps(item)
        )

    def _items_path(self) -> Path | None:
        return self.path.with_suffix(".items.pickle") if self.path else None

    def _load_index(self) -> dict[str, Entry]:
        entries = self._read(self.path)
        return entries if isinstance(entries, dict) else {}

    def _load_items(self) -> dict[str, bytes]:
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


def _is_item(name: str) -> bool:
    # `Acme (copy).toml` is no item (its id cannot be named): `validate` reports it.
    return name.endswith(".toml") and not name.startswith(".") and not id_problem(name[:-5])
