"""Committing what a command wrote:
exactly its files, with its message, dated by svctrack's clock."""

from __future__ import annotations

import os
import shlex
import subprocess
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from svctrack.git.plumbing import GitError, git, git_dir, last_words, out, require_repo
from svctrack.messages import msg
from svctrack.output.text import inert, oneline


def commit_paths(root: Path, paths: Iterable[Path], message: str, *, wait: float = 10.0) -> str:
    """Commit exactly `paths` (staged by path; other staged changes stay staged) with `message`.

    Returns the new commit's short hash, or "" when the files held nothing new for git.
    Control characters in `message` are recorded as text (`\\x1b`), as every output shows them.
    The author comes from git's own configuration. Another git process holding the index
    (`index.lock`) is waited for, up to `wait` seconds.
    """
    require_repo(root)
    rels = sorted({_rel(root, p) for p in paths})
    gone = [r for r in rels if not os.path.lexists(root / r)]
    if gone:  # a removed file git never knew (undo of an uncommitted `new`): nothing to commit
        known = set(out(git(root, "ls-files", "--", *gone)).splitlines())
        rels = [r for r in rels if r not in gone or r in known]
    if not rels:
        return ""
    # the message carries user text (notes, names): git log must not replay its control bytes
    message = inert(message)
    redo = f"git commit -m {shlex.quote(oneline(message.split(chr(10), 1)[0]))} -- {' '.join(rels)}"
    lock = git_dir(root) / "index.lock"
    deadline = time.monotonic() + wait
    _waiting(root, lock, deadline, redo, "add", "--", *rels)
    if not git(root, "diff", "--cached", "--quiet", "--", *rels, check=False).returncode:
        return ""  # the same content is committed already
    done = _waiting(
        root, lock, deadline, redo,
        "commit", "--quiet", "--message", message, "--only", "--", *rels,
        env=commit_dates(),
    )  # fmt: skip
    if done.returncode != 0:
        raise GitError(
            msg("git_failed", what="git commit", words=last_words(done)),
            hint=msg("fix_then", command=redo),
        )
    return out(git(root, "rev-parse", "--short", "HEAD"))


def _waiting(
    root: Path,
    lock: Path,
    deadline: float,
    redo: str,
    *args: str,
    env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess[bytes]:
    """`git ARGS`, waiting while another git process holds the index (until `deadline`)."""
    while True:
        while lock.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        if lock.exists():
            raise GitError(
                msg("git_busy_lock", lock=lock),
                hint=msg("git_busy_lock_hint", command=redo, lock=lock),
            )
        done = git(root, *args, check=False, env=env)
        if done.returncode == 0 or b"index.lock" not in done.stderr:
            if done.returncode != 0 and args[0] == "add":
                raise GitError(
                    msg("git_failed", what="git add", words=last_words(done)),
                    hint=msg("then_command", command=redo),
                )
            return done
        if time.monotonic() >= deadline:
            raise GitError(
                msg("git_busy", words=last_words(done)),
                hint=msg("git_busy_hint", command=redo),
            )
        time.sleep(0.05)


def commit_dates() -> dict[str, str]:
    """Author and committer dates from svctrack's clock, so that a commit made under
    SVCTRACK_TODAY carries the day its history entries carry."""
    from svctrack.domain import dates

    stamp = dates.now().isoformat()
    return {"GIT_AUTHOR_DATE": stamp, "GIT_COMMITTER_DATE": stamp}


def commit_change(store: Any, messages: Sequence[str]) -> tuple[str, str]:
    """Commit the files `store` wrote, described by `messages`; returns (short hash, subject).

    A failure says that the change itself is saved: only the commit is missing.
    """
    paths = list(dict.fromkeys(store.written))
    rels = [store.rel(p) for p in paths]
    message = "\n\n".join(messages) if messages else f"svctrack: update {', '.join(rels)}"
    subject = oneline(message.split("\n", 1)[0])  # as commit_paths records it, on one line
    try:
        return commit_paths(store.root, paths, message, wait=store.timeout()), subject
    except GitError as exc:
        raise GitError(
            msg("saved_not_committed", files=", ".join(rels), message=exc.message), hint=exc.hint
        ) from None


def _rel(root: Path, path: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)
