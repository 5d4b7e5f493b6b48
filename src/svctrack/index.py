"""The read path: every item file parsed once, then served from a cache keyed by the file's stat.

The cache lives outside the workspace (the user cache dir), one pickle per workspace. It is only
ever a cache: a missing, stale or corrupt one changes no result, only the time taken.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, fields
from pathlib import Path

from svctrack.errors import FileProblem, NotFound
from svctrack.model import Item, item_from_data
from svctrack.store import FOLDERS, Store, write_atomic

# Pickles of an older Item shape would lack fields: the shape is part of the version.
VERSION = (1, tuple(f.name for f in fields(Item)))
FRESH_NS = 2_000_000_000  # a file changed this close to its parse may change again unseen

Key = tuple[int, int, int, int]


@dataclass(frozen=True)
class Entry:
    key: Key  # size, mtime_ns, ctime_ns, inode
    kind: str
    stage: str  # "" when the file does not parse
    blob: bytes  # the pickled Item, or the pickled FileProblem
    trusted: bool  # False when the file was modified just before it was parsed


def cache_file(root: Path) -> Path | None:
    """Where this workspace's cache lives, or None when caching is off (SVCTRACK_NO_CACHE)."""
    if os.environ.get("SVCTRACK_NO_CACHE", "") not in ("", "0"):
        return None
    from platformdirs import user_cache_dir

    digest = hashlib.sha256(os.fsencode(root.resolve())).hexdigest()[:20]
    return Path(user_cache_dir("svctrack", appauthor=False)) / f"{digest}.pickle"


class Index:
    """Items of a workspace, read through the cache."""

    def __init__(self, store: Store, *, use_cache: bool = True) -> None:
        self.store = store
        self.path = cache_file(store.root) if use_cache else None

    def scan(
        self, kinds: Iterable[str], want: Callable[[str, str], bool] | None = None
    ) -> tuple[list[Item], list[FileProblem]]:
        """Items of `kinds` (those `want(kind, stage)` accepts), and the files that do not parse."""
        kinds = tuple(kinds)
        old = self._load()
        new: dict[str, Entry] = {rel: e for rel, e in old.items() if e.kind not in kinds}
        changed = False
        items: list[Item] = []
        broken: list[FileProblem] = []
        for kind in kinds:
            folder = self.store.root / FOLDERS[kind]
            try:
                listing = sorted(
                    (d for d in os.scandir(folder) if _is_item(d.name)), key=lambda d: d.name
                )
            except FileNotFoundError:
                continue
            for found in listing:
                rel = f"{FOLDERS[kind]}/{found.name}"
                try:
                    st = found.stat()
                except FileNotFoundError:
                    continue
                key = (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)
                entry = old.get(rel)
                if entry is None or entry.key != key or not entry.trusted:
                    entry = self._parse(kind, found.name[:-5], Path(found.path), key)
                    if entry is None:
                        continue
                    changed = True
                new[rel] = entry
                if not entry.stage:
                    broken.append(pickle.loads(entry.blob))
                elif want is None or want(kind, entry.stage):
                    items.append(pickle.loads(entry.blob))
        if changed or new.keys() != old.keys():
            self._save(new)
        return items, broken

    def _parse(self, kind: str, item_id: str, path: Path, key: Key) -> Entry | None:
        trusted = time.time_ns() - key[1] > FRESH_NS
        try:
            data = self.store.read_file(path)
        except NotFound:
            return None  # removed while we looked
        except FileProblem as problem:
            return Entry(key, kind, "", pickle.dumps(problem), trusted)
        item = item_from_data(kind, item_id, data)[0]
        return Entry(key, kind, item.stage or "?", pickle.dumps(item), trusted)

    def _load(self) -> dict[str, Entry]:
        if self.path is None:
            return {}
        try:
            with open(self.path, "rb") as handle:
                version, root, entries = pickle.load(handle)
            if version == VERSION and root == str(self.store.root) and isinstance(entries, dict):
                return entries
        except Exception:  # a missing or corrupt cache is no cache
            pass
        return {}

    def _save(self, entries: dict[str, Entry]) -> None:
        if self.path is None:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            data = pickle.dumps((VERSION, str(self.store.root), entries), pickle.HIGHEST_PROTOCOL)
            write_atomic(self.path, data)
        except OSError:
            pass  # a cache that cannot be written is only slower


def _is_item(name: str) -> bool:
    return name.endswith(".toml") and not name.startswith(".")
