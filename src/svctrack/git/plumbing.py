"""Git plumbing: a subprocess to `git` for commits, sync, file history and the index.

Nothing here knows the terminal; failures are SvcErrors whose message says what to do.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from svctrack.errors import SvcError
from svctrack.messages import msg

TIMEOUT = 120  # seconds; a pull or push over a slow link


class GitError(SvcError):
    """Git refused or failed; the message names what and the hint says what to do."""


def _env() -> dict[str, str]:
    env = dict(os.environ)
    if not sys.stdin or not sys.stdin.isatty():
        env["GIT_TERMINAL_PROMPT"] = "0"  # no hidden password prompt without a terminal
    return env


def git(
    cwd: Path,
    *args: str,
    check: bool = True,
    stdin: bytes | None = None,
    timeout: float = TIMEOUT,
    env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess[bytes]:
    """Run `git args` in `cwd`; raise GitError (with git's own last words) when it fails."""
    try:
        done = subprocess.run(
            ["git", *args],
            cwd=cwd,
            input=stdin,
            capture_output=True,
            timeout=timeout,
            env={**_env(), **(env or {})},
            check=False,
        )
    except FileNotFoundError:
        raise GitError(msg("no_git"), hint=msg("no_git_hint")) from None
    except subprocess.TimeoutExpired:
        raise GitError(msg("git_slow", command=args[0], seconds=f"{timeout:.0f}")) from None
    if check and done.returncode != 0:
        raise GitError(msg("git_failed", what=f"`git {args[0]}`", words=last_words(done)))
    return done


def last_words(done: subprocess.CompletedProcess[bytes]) -> str:
    """The most telling line git printed (errors first), for a one-line message."""
    text = (done.stderr or b"").decode("utf-8", "replace") + "\n"
    text += (done.stdout or b"").decode("utf-8", "replace")
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    for prefix in ("error:", "fatal:", "!", "CONFLICT"):
        for line in lines:
            if line.startswith(prefix):
                return line
    return lines[0] if lines else f"exit status {done.returncode}"


def out(done: subprocess.CompletedProcess[bytes]) -> str:
    return done.stdout.decode("utf-8", "replace").strip()


# --- the repository -------------------------------------------------------------------------


def toplevel(path: Path) -> Path | None:
    """The top folder of the git work tree holding `path`, or None (no repository, no git)."""
    try:
        done = git(path, "rev-parse", "--show-toplevel", check=False, timeout=10)
    except GitError:
        return None
    if done.returncode != 0 or not out(done):
        return None
    return Path(out(done))


def git_dir(path: Path) -> Path:
    return Path(out(git(path, "rev-parse", "--absolute-git-dir", timeout=10)))


def require_repo(root: Path) -> Path:
    top = toplevel(root)
    if top is None:
        raise GitError(
            msg("not_a_repo", root=root),
            hint=msg("not_a_repo_hint", root=root),
        )
    return top


def rebasing(root: Path) -> bool:
    gd = git_dir(root)
    return (gd / "rebase-merge").exists() or (gd / "rebase-apply").exists()


def merging(root: Path) -> bool:
    return (git_dir(root) / "MERGE_HEAD").exists()


def branch(root: Path) -> str:
    done = git(root, "symbolic-ref", "--quiet", "--short", "HEAD", check=False)
    if done.returncode != 0:
        raise GitError(
            msg("detached"),
            hint=msg("detached_hint"),
        )
    return out(done)


def upstream(root: Path) -> str | None:
    done = git(root, "rev-parse", "--abbrev-ref", "--symbolic-full-name", "@{u}", check=False)
    return out(done) if done.returncode == 0 and out(done) else None


def remotes(root: Path) -> list[str]:
    return out(git(root, "remote")).split()


def has_commits(root: Path) -> bool:
    return git(root, "rev-parse", "--verify", "--quiet", "HEAD", check=False).returncode == 0


def count(root: Path, spec: str) -> int:
    done = git(root, "rev-list", "--count", spec, check=False)
    return int(out(done)) if done.returncode == 0 and out(done).isdigit() else 0


# --- committing -----------------------------------------------------------------------------


# --- the index ------------------------------------------------------------------------------


# --- history of a file ----------------------------------------------------------------------


# --- sync -----------------------------------------------------------------------------------


# --- validate --staged ----------------------------------------------------------------------


def show(root: Path, spec: str) -> bytes | None:
    """`git show SPEC` (e.g. `:2:./engagements/acme.toml`), or None when there is no such blob."""
    done = git(root, "cat-file", "blob", spec, check=False)
    return done.stdout if done.returncode == 0 else None
