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
                raise UsageError(f"${var} cannot be read as a command: {value!r}") from None
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
                "no editor: neither VISUAL nor EDITOR is set",
                hint="set EDITOR (e.g. `export EDITOR=nano`), or use `svctrack set`",
            )
        command = ["vi"]
    store = tracker.store
    path = store.path(kind, item_id)
    rel = store.rel(path)
    if path.is_symlink():
        raise SvcError(f"{rel} is a symbolic link; svctrack does not write through links")
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
                raise Refused(f"{rel}: the file was emptied: edit abandoned; nothing written")
            errors = _check(tracker, kind, item_id, rel, raw, show)
            if not errors:
                break
            keep = True
            if not interactive():
                raise Refused(
                    f"{rel}: the edit is invalid ({_first(errors)}); nothing written",
                    hint=f"your text is kept in {copy}",
                )
            if not again():
                raise Refused(
                    f"{rel}: edit abandoned; nothing written", hint=f"your text is in {copy}"
                )
            keep = False
        if not _replace(store, path, original, raw):
            keep = True
            raise Refused(
                f"{rel} changed while you were editing it; nothing written",
                hint=f"your text is kept in {copy}; run `svctrack edit {item_id}` again",
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
        f"cannot make a temporary copy to edit: {reason(exc)}; nothing was changed",
        hint="make room in the temporary folder (or point TMPDIR elsewhere)",
    )


def _read_back(copy: Path, rel: str) -> bytes:
    """What the editor left: a regular file in the copy's place (not removed, not a link, a
    FIFO or a device), read without blocking and no more than svctrack reads of a file."""
    from svctrack.storage.atomic import reason
    from svctrack.storage.decode import MAX_BYTES
    from svctrack.storage.store import file_kind

    def refused(what: str) -> Refused:
        return Refused(f"{rel}: {what}: edit abandoned; nothing written")

    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(copy, flags)
    except FileNotFoundError:
        raise refused("the editor removed the file") from None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise refused("the editor left a symbolic link in place of the file") from None
        raise refused(f"the edited file cannot be read ({reason(exc)})") from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise refused(f"the editor left {file_kind(st.st_mode)} in place of the file")
        if st.st_size > MAX_BYTES:
            raise refused(f"the edited file is {st.st_size} bytes, over the {MAX_BYTES} limit")
        with os.fdopen(os.dup(fd), "rb") as handle:
            return handle.read(MAX_BYTES + 1)  # grown since: `decode` says it is too big
    except OSError as exc:
        raise refused(f"the edited file cannot be read ({reason(exc)})") from None
    finally:
        os.close(fd)


def _run(command: list[str], copy: Path) -> None:
    try:
        done = subprocess.run([*command, str(copy)], check=False)
    except FileNotFoundError:
        raise Refused(
            f"the editor {command[0]!r} was not found",
            hint="set VISUAL or EDITOR to an editor that is installed",
        ) from None
    except OSError as exc:
        raise Refused(f"the editor {command[0]!r} could not start: {exc.strerror}") from None
    if done.returncode != 0:
        raise Refused(
            f"the editor exited with status {done.returncode}: edit abandoned; nothing written"
        )


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
    where = f"line {errors[0].line}: " if errors[0].line else ""
    more = f", and {len(errors) - 1} more" if len(errors) > 1 else ""
    return f"{where}{errors[0].message}{more}"
