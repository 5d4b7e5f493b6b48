"""`undo`: put back the files that the last recorded svctrack write changed, as they were."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from svctrack.errors import FileProblem, Refused
from svctrack.messages import msg
from svctrack.storage.atomic import io_error, write_atomic
from svctrack.storage.journal import Entry, Journal, digest
from svctrack.storage.store import Store


@dataclass
class Undone:
    """What `undo` put back: the entry, the files it restored, and the entries it passed over
    because nothing of them was left to undo (a command killed before its write)."""

    entry: Entry
    restored: list[str] = field(default_factory=list)  # put back as they were
    removed: list[str] = field(default_factory=list)  # created by the command, now gone again
    passed: list[Entry] = field(default_factory=list)


def history(journal: Journal) -> list[Entry]:
    """The changes `undo` can put back, newest first."""
    return journal.entries()


def undo(store: Store, journal: Journal) -> Undone:
    """Put back the newest entry's files, under the lock. Refused, with nothing changed, when a
    file holds neither what the command left nor what it found (changed since by hand or by a
    pull). The entry is forgotten once undone, so a second `undo` goes further back."""
    passed: list[Entry] = []
    with store.locked():
        for entry in journal.entries():
            plan = _plan(store, entry)
            if not plan:  # nothing of it is there to undo: recorded, never written
                journal.drop(entry)
                passed.append(entry)
                continue
            for path, before in plan:
                _put_back(store, path, before)
            journal.drop(entry)
            restored = [store.rel(p) for p, before in plan if before is not None]
            removed = [store.rel(p) for p, before in plan if before is None]
            return Undone(entry, restored, removed, passed)
    raise Refused(
        msg("nothing_to_undo"),
        hint=msg("nothing_to_undo_hint"),
    )


def _plan(store: Store, entry: Entry) -> list[tuple[Path, bytes | None]]:
    """The files to put back (path, what it held), or Refused naming a file changed since."""
    plan = []
    for change in entry.changes:
        path = store.root / change.path
        if not path.resolve().is_relative_to(store.root.resolve()):
            raise Refused(msg("journal_outside", path=repr(change.path)))
        now = _current(path, change.path)
        if digest(now) == change.after:
            if now != change.before:
                plan.append((path, change.before))
        elif now != change.before:
            what = "undo_removed" if now is None else "undo_changed"
            raise Refused(
                msg(what, path=change.path, command=entry.command),
                hint=msg("undo_changed_hint"),
            )
    return plan


def _current(path: Path, rel: str) -> bytes | None:
    try:
        if path.is_symlink():
            raise Refused(msg("undo_link", path=rel))
        return path.read_bytes()
    except FileNotFoundError:
        return None
    except IsADirectoryError:
        raise FileProblem(rel, msg("undo_folder")) from None
    except OSError as exc:
        raise io_error(exc, rel) from None


def _put_back(store: Store, path: Path, before: bytes | None) -> None:
    rel = store.rel(path)
    try:
        if before is None:
            os.unlink(path)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            mode = os.stat(path).st_mode & 0o7777 if path.exists() else None
            write_atomic(path, before, mode)
    except OSError as exc:
        raise io_error(exc, rel) from None
    store.written.append(path)
