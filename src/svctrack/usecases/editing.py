"""`svctrack edit ID`: the item's file in the user's editor, as a temporary copy.

The real file is replaced only by a valid edit, under the workspace lock, atomically, and only
when it did not change meanwhile. A cancelled, unchanged or invalid edit leaves it byte for byte.
"""

from __future__ import annotations

import errno
import os
import shlex
import shutil
import stat
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from svctrack.errors import FileProblem, NotFound, Refused, SvcError, UsageError
from svctrack.messages import msg
from svctrack.tomlparse import tomllib


@dataclass
class Outcome:
    """What became of an edit: `written` with the top-level keys it changed, or why not."""

    written: bool
    changed: list[str] = field(default_factory=list)
    reason: str = ""


def editor_command() -> list[str] | None:
    """$VISUAL, then $EDITOR, split as a shell would; None when neither is set."""
    for var in ("VISUAL", "EDITOR"):
        value = os.environ.get(var, "").strip()
        if value:
            try:
                return shlex.split(value, posix=os.name != "nt")
            except ValueError:
                raise UsageError(msg("bad_editor_var", var=var, value=repr(value))) from None
    return None


def interactive() -> bool:
    """Whether a person can answer a question: stdin and stdout are terminals."""
    try:
        return sys.stdin.isatty() and sys.stdout.isatty()
    except (AttributeError, ValueError):
        return False


def problems(tracker: Any, kind: str, item_id: str, text: str) -> list[Any]:
    """What `validate` would say about this text as the item's file (errors and warnings)."""
    from svctrack.usecases.validation import check_text

    rel = tracker.store.rel(tracker.store.path(kind, item_id))
    services = set(tracker.store.ids("service"))
    return check_text(text, rel, kind, item_id, tracker.pipelines[kind], services)


def edit(
    tracker: Any,
    kind: str,
    item_id: str,
    *,
    show: Callable[[list[Any]], None],
    again: Callable[[], bool],
) -> Outcome:
    """Open the item's file in the editor until the result is valid, cancelled or refused.

    `show(findings)` tells the user what is wrong; `again()` asks whether to edit once more
    (it is never called without a terminal: an invalid edit is then an error).
    """
    command = editor_command()
    if command is None:
        if not interactive():
            raise Refused(
                msg("no_editor"),
                hint=msg("no_editor_hint"),
            )
        command = ["vi"]
    store = tracker.store
    path = store.path(kind, item_id)
    rel = store.rel(path)
    if path.is_symlink():
        raise SvcError(msg("at_place", place=rel, message=msg("is_link")))
    original = store.read_bytes(path)  # a regular file only: a FIFO there must not block
    try:
        folder = Path(tempfile.mkdtemp(prefix="svctrack-edit-"))
    except OSError as exc:
        raise _no_copy(exc) from None
    copy = folder / path.name
    keep = False
    try:
        try:
            copy.write_bytes(original)
        except OSError as exc:
            raise _no_copy(exc) from None
        while True:
            _run(command, copy)
            raw = _read_back(copy, rel)
            if raw == original:
                return Outcome(False, reason="no changes")
            if not raw.strip():
                raise Refused(msg("edit_abandoned", path=rel, what=msg("edit_emptied")))
            errors = _check(tracker, kind, item_id, rel, raw, show)
            if not errors:
                break
            keep = True
            if not interactive():
                raise Refused(
                    msg("edit_invalid", path=rel, first=_first(errors)),
                    hint=msg("text_kept", copy=copy),
                )
            if not again():
                raise Refused(
                    msg("edit_abandoned_plain", path=rel), hint=msg("text_kept", copy=copy)
                )
            keep = False
        if not _replace(store, path, original, raw):
            keep = True
            raise Refused(
                msg("edit_raced", path=rel),
                hint=msg("edit_raced_hint", copy=copy, id=item_id),
            )
        return Outcome(True, _changed_keys(original, raw))
    finally:
        if not keep:
            shutil.rmtree(folder, ignore_errors=True)


def _check(
    tracker: Any, kind: str, item_id: str, rel: str, raw: bytes, show: Callable[[list[Any]], None]
) -> list[Any]:
    """Show what is wrong with the edited bytes; return the errors (warnings do not stop it)."""
    from svctrack.storage.decode import decode

    try:
        text = decode(raw, rel)[0]
    except FileProblem as exc:
        found = [_finding(exc)]
    else:
        found = problems(tracker, kind, item_id, text)
    if found:
        show(found)
    return [f for f in found if f.severity == "error"]


def _no_copy(exc: OSError) -> SvcError:
    from svctrack.storage.atomic import reason

    return SvcError(
        msg("no_copy", reason=reason(exc)),
        hint=msg("no_copy_hint"),
    )


def _read_back(copy: Path, rel: str) -> bytes:
    """What the editor left: a regular file in the copy's place (not removed, not a link, a
    FIFO or a device), read without blocking and no more than svctrack reads of a file."""
    from svctrack.storage.atomic import reason
    from svctrack.storage.decode import MAX_BYTES
    from svctrack.storage.store import file_kind

    def refused(what: str) -> Refused:
        return Refused(msg("edit_abandoned", path=rel, what=what))

    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(copy, flags)
    except FileNotFoundError:
        raise refused(msg("editor_removed")) from None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise refused(msg("editor_left", what=msg("a_link"))) from None
        raise refused(msg("edited_unreadable", reason=reason(exc))) from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise refused(msg("editor_left", what=file_kind(st.st_mode)))
        if st.st_size > MAX_BYTES:
            raise refused(msg("edited_too_big", size=st.st_size, limit=MAX_BYTES))
        with os.fdopen(os.dup(fd), "rb") as handle:
            return handle.read(MAX_BYTES + 1)  # grown since: `decode` says it is too big
    except OSError as exc:
        raise refused(msg("edited_unreadable", reason=reason(exc))) from None
    finally:
        os.close(fd)


def _run(command: list[str], copy: Path) -> None:
    try:
        done = subprocess.run([*command, str(copy)], check=False)
    except FileNotFoundError:
        raise Refused(
            msg("editor_missing", editor=repr(command[0])),
            hint=msg("editor_missing_hint"),
        ) from None
    except OSError as exc:
        raise Refused(msg("editor_failed", editor=repr(command[0]), reason=exc.strerror)) from None
    if done.returncode != 0:
        raise Refused(msg("editor_status", status=done.returncode))


def _replace(store: Any, path: Path, original: bytes, raw: bytes) -> bool:
    """Write `raw` over `path` under the lock, atomically; False when the file changed meanwhile
    (and then nothing is written)."""
    from svctrack.storage.atomic import io_error, write_atomic

    rel = store.rel(path)
    with store.locked():
        try:
            current = store.read_bytes(path)  # a regular file, as when the edit began
            mode = os.stat(path).st_mode & 0o7777
        except NotFound:
            current, mode = b"", None
        except OSError as exc:
            raise io_error(exc, rel) from None
        if current != original:
            return False
        journal = store.recorder()
        if journal is not None:
            journal.record(path, raw)
        try:
            write_atomic(path, raw, mode)
        except OSError as exc:
            raise io_error(exc, rel) from None
    store.written.append(path)
    return True


def _changed_keys(old: bytes, new: bytes) -> list[str]:
    try:
        before = tomllib.loads(old.decode("utf-8-sig"))
        after = tomllib.loads(new.decode("utf-8-sig"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError):
        return []
    keys = list(dict.fromkeys([*before, *after]))
    return [k for k in keys if before.get(k) != after.get(k)]


def _finding(exc: FileProblem) -> Any:
    from svctrack.usecases.validation import Finding

    return Finding(exc.path, exc.detail, "error", exc.line, exc.column)


def _first(errors: list[Any]) -> str:
    where = msg("line_n", n=errors[0].line) if errors[0].line else ""
    more = msg("and_more_comma", n=len(errors) - 1) if len(errors) > 1 else ""
    return msg("edit_first", where=where, message=errors[0].message, more=more)
