"""The commits that touched one file, for `svctrack history`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from svctrack.git.plumbing import git, has_commits, toplevel


@dataclass(frozen=True)
class Commit:
    """One commit that touched a file."""

    sha: str
    at: datetime
    author: str
    subject: str


def log(root: Path, rel: str) -> list[Commit]:
    """Commits that touched `rel` (following renames), newest first; [] outside a repository."""
    if toplevel(root) is None or not has_commits(root):
        return []
    done = git(
        root, "log", "--follow", "--format=%h%x1f%aI%x1f%an%x1f%s%x1e", "--", rel, check=False
    )
    commits = []
    for record in done.stdout.decode("utf-8", "replace").split("\x1e"):
        parts = record.strip().split("\x1f")
        if len(parts) != 4:
            continue
        sha, at, author, subject = parts
        try:
            moment = datetime.fromisoformat(at)
        except ValueError:
            continue
        commits.append(Commit(sha, moment, author, subject))
    return commits
