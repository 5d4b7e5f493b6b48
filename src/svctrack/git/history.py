"""The commits that touched one file, for `svctrack history`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from svctrack.git.plumbing import git, has_commits, toplevel
from svctrack.tomlparse import tomllib


@dataclass(frozen=True)
class Commit:
    """One commit that touched a file."""

    sha: str
    at: datetime
    author: str
    subject: str
    path: str = ""  # the file's path in that commit, from the repository's top (renames followed)


def log(root: Path, rel: str) -> list[Commit]:
    """Commits that touched `rel` (following renames), newest first; [] outside a repository."""
    if toplevel(root) is None or not has_commits(root):
        return []
    done = git(
        root,
        *("log", "--follow", "--name-only", "--format=%x1e%h%x1f%aI%x1f%an%x1f%s%x1f"),
        *("--", rel),
        check=False,
    )
    commits = []
    for record in done.stdout.decode("utf-8", "replace").split("\x1e"):
        parts = record.strip().split("\x1f")
        if len(parts) != 5:
            continue
        sha, at, author, subject, names = parts
        try:
            moment = datetime.fromisoformat(at)
        except ValueError:
            continue
        path = next((n for n in names.splitlines() if n.strip()), "")
        commits.append(Commit(sha, moment, author, subject, path))
    return commits


def history_at(root: Path, commit: Commit) -> list[Any] | None:
    """The file's `[[history]]` as `commit` left it; None when the file is not there or does
    not parse (a deletion, a conflict committed by hand)."""
    if not commit.path:
        return None
    done = git(root, "show", f"{commit.sha}:{commit.path}", check=False)
    if done.returncode != 0:
        return None
    try:
        data = tomllib.loads(done.stdout.decode("utf-8-sig"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError, RecursionError):
        return None
    history = data.get("history")
    return history if isinstance(history, list) else []
