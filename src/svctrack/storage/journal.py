"""The undo journal: before a command writes, what each file it touches held (its bytes, or that
it was not there), kept in the user data dir, never in the workspace.

One entry per command, one JSON file per entry, numbered in order; each is written atomically
before the change it records, so a killed svctrack leaves an entry that `undo` can use (a file
still as it was is simply skipped). Only the last `KEEP` entries are kept.
"""

from __future__ import annotations

import binascii
import contextlib
import os
import re
from dataclasses import field
from pathlib import Path
from typing import Any

from svctrack.errors import SvcError
from svctrack.messages import msg
from svctrack.records import record
from svctrack.storage.atomic import clean_stale_temps, reason, write_atomic
from svctrack.storage.paths import workspace_key
from svctrack.storage.userconfig import user_dir

KEEP = 100
_ENTRY = re.compile(r"^(\d{8})\.json$")
_TEMP = re.compile(r"^\.\d{8}\.json\.[A-Za-z0-9_]+\.tmp$")


def journal_dir(root: Path) -> Path:
    """The folder of this workspace's journal in the user data dir (named as the cache's)."""
    return user_dir("data") / "journal" / workspace_key(root)


def digest(data: bytes | None) -> str | None:
    """What a file held, in short: a SHA-256, or None for no file."""
    if data is None:
        return None
    return str(_sha256(data).hexdigest())


def _sha256(data: bytes) -> Any:
    """hashlib.sha256, from the interpreter's own module when it has one: hashlib loads
    OpenSSL first, 3 ms of every write."""
    from importlib import import_module

    for name in ("_sha2", "_sha256"):  # Python 3.12+, 3.11
        try:
            return import_module(name).sha256(data)
        except (ImportError, AttributeError):
            continue
    import hashlib  # pragma: no cover

    return hashlib.sha256(data)


@record
class Change:
    """One file of an entry: its path in the workspace, what it held before the command (None:
    no file), and the digest of what the command left there (None: no file)."""

    path: str
    before: bytes | None
    after: str | None


@record
class Entry:
    """What one command changed."""

    number: int
    at: str
    command: str
    root: str
    changes: list[Change] = field(default_factory=list)

    @property
    def paths(self) -> list[str]:
        return [c.path for c in self.changes]

    def to_json(self) -> dict[str, Any]:
        return {
            "at": self.at,
            "command": self.command,
            "root": self.root,
            "changes": [
                {
                    "path": c.path,
                    "before": None if c.before is None else _b64(c.before),
                    "after": c.after,
                }
                for c in self.changes
            ],
        }

    @classmethod
    def from_json(cls, number: int, raw: Any) -> Entry:
        """An entry as written; ValueError (or KeyError, TypeError) for anything else."""
        changes = []
        for c in raw["changes"]:
            before = c["before"]
            if not isinstance(c["path"], str) or (c["after"] is not None and not c["after"]):
                raise ValueError("not an entry")
            data = None if before is None else _unb64(before)
            changes.append(Change(c["path"], data, c["after"]))
        return cls(number, str(raw["at"]), str(raw["command"]), str(raw["root"]), changes)


def dumps(value: Any) -> str:
    """json.dumps(value) for what an entry holds (dicts of str keys, lists, str, None), byte for
    byte, without importing json (2 ms of every write: its decoder's and scanner's patterns)."""
    from _json import encode_basestring_ascii as string

    if isinstance(value, str):
        return str(string(value))
    if value is None:
        return "null"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{string(k)}: {dumps(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(dumps(v) for v in value) + "]"
    raise TypeError(f"not in a journal entry: {type(value).__name__}")


def _b64(data: bytes) -> str:
    """base64.b64encode(data), without importing base64 (and struct) on every write."""
    return binascii.b2a_base64(data, newline=False).decode("ascii")


def _unb64(text: str) -> bytes:
    """base64.b64decode(text, validate=True): ValueError (binascii.Error) for anything but
    the base64 alphabet, padded."""
    return binascii.a2b_base64(text, strict_mode=True)


class Journal:
    """The journal of one workspace; `record` starts this process's entry on its first write."""

    def __init__(self, root: Path, command: str = "", folder: Path | None = None) -> None:
        self.root = root
        self.command = command
        self.folder = folder or journal_dir(root)
        self.current: Entry | None = None

    def rel(self, path: Path) -> str:
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return path.as_posix()

    def record(self, path: Path, new: bytes | None) -> None:
        """Before `path` is replaced by `new` (None: removed), keep what it holds now. Called
        under the workspace lock; the entry is on disk before this returns."""
        rel = self.rel(path)
        entry = self.current
        if entry is None:
            from svctrack.domain import dates

            entry = Entry(self._next(), dates.now().isoformat(), self.command, str(self.root))
        change = next((c for c in entry.changes if c.path == rel), None)
        if change is None:  # the first time this command touches the file: keep what it held
            try:
                before: bytes | None = path.read_bytes()
            except FileNotFoundError:
                before = None
            except OSError as exc:
                raise SvcError(msg("io_error", path=rel, reason=reason(exc))) from None
            entry.changes.append(Change(rel, before, digest(new)))
        else:
            change.after = digest(new)
        self._save(entry, rel)
        self.current = entry

    def entries(self) -> list[Entry]:
        """The entries of this workspace, newest first; a damaged one is left out."""
        import json  # undo only

        found = []
        for number, name in sorted(self._files(), reverse=True):
            try:
                entry = Entry.from_json(number, json.loads((self.folder / name).read_bytes()))
            except (OSError, ValueError, KeyError, TypeError):
                continue
            if entry.root == str(self.root):
                found.append(entry)
        return found

    def drop(self, entry: Entry) -> None:
        """Forget an entry (undone)."""
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.folder / f"{entry.number:08d}.json")

    def _files(self) -> list[tuple[int, str]]:
        """The entries' numbers and file names (a path made only for a file used: a write
        lists up to KEEP of them)."""
        try:
            names = os.listdir(self.folder)
        except OSError:
            return []
        return [(int(m[1]), n) for n in names if (m := _ENTRY.match(n))]

    def _next(self) -> int:
        """The number of a new entry; the oldest beyond the last KEEP - 1 go."""
        files = sorted(self._files())
        for _, name in files[: max(0, len(files) - (KEEP - 1))]:
            with contextlib.suppress(OSError):
                os.unlink(self.folder / name)
        return files[-1][0] + 1 if files else 1

    def _save(self, entry: Entry, rel: str) -> None:
        path = self.folder / f"{entry.number:08d}.json"
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            clean_stale_temps(self.folder, _TEMP)
            write_atomic(path, dumps(entry.to_json()).encode("ascii"), 0o600)
        except OSError as exc:
            raise SvcError(
                msg("journal_failed", path=rel, folder=self.folder, reason=reason(exc)),
                hint=msg("journal_failed_hint"),
            ) from None
