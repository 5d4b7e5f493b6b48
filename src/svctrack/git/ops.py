"""Git plumbing: a subprocess to `git` for commits, sync, file history and the index.

Nothing here knows the terminal; failures are SvcErrors whose message says what to do.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from svctrack.errors import Refused, SvcError
from svctrack.tomlparse import tomllib

TIMEOUT = 120  # seconds; a pull or push over a slow link


class GitError(SvcError):
    """Git refused or failed; the message names what and the hint says what to do."""


@dataclass(frozen=True)
class Commit:
    """One commit that touched a file."""

    sha: str
    at: datetime
    author: str
    subject: str


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
        raise GitError("git is not installed (no `git` on PATH)", hint="install git") from None
    except subprocess.TimeoutExpired:
        raise GitError(f"`git {args[0]}` took longer than {timeout:.0f} s; stopped") from None
    if check and done.returncode != 0:
        raise GitError(f"`git {args[0]}` failed: {last_words(done)}")
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
            f"{root} is not in a git repository",
            hint=f"start one with `git -C {root} init`, or clone the team's repository",
        )
    return top


def index_locked(root: Path) -> Path | None:
    """The path of `index.lock` when another git process holds the index."""
    lock = git_dir(root) / "index.lock"
    return lock if lock.exists() else None


def rebasing(root: Path) -> bool:
    gd = git_dir(root)
    return (gd / "rebase-merge").exists() or (gd / "rebase-apply").exists()


def merging(root: Path) -> bool:
    return (git_dir(root) / "MERGE_HEAD").exists()


def branch(root: Path) -> str:
    done = git(root, "symbolic-ref", "--quiet", "--short", "HEAD", check=False)
    if done.returncode != 0:
        raise GitError(
            "HEAD is detached (no branch checked out)",
            hint="check out the branch you share, e.g. `git switch main`",
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


def commit_paths(root: Path, paths: Iterable[Path], message: str) -> str:
    """Commit exactly `paths` (staged by path; other staged changes stay staged) with `message`.

    Returns the new commit's short hash, or "" when the files held nothing new for git.
    The author comes from git's own configuration.
    """
    require_repo(root)
    rels = sorted({_rel(root, p) for p in paths})
    if not rels:
        return ""
    lock = index_locked(root)
    if lock is not None:
        raise GitError(
            f"another git process is using the repository ({lock} exists)",
            hint=f"when it is done, commit with `git commit -- {' '.join(rels)}`;"
            f" if no git is running, delete {lock}",
        )
    git(root, "add", "--", *rels)
    if not git(root, "diff", "--cached", "--quiet", "--", *rels, check=False).returncode:
        return ""  # the same content is committed already
    done = git(
        root,
        "commit",
        "--quiet",
        "--message",
        message,
        "--only",
        "--",
        *rels,
        check=False,
        env=commit_dates(),
    )
    if done.returncode != 0:
        raise GitError(
            f"git commit failed: {last_words(done)}",
            hint=f"fix that, then `git commit -- {' '.join(rels)}`",
        )
    return out(git(root, "rev-parse", "--short", "HEAD"))


def commit_dates() -> dict[str, str]:
    """Author and committer dates from svctrack's clock, so that a commit made under
    SVCTRACK_TODAY carries the day its history entries carry."""
    from svctrack.domain import dates

    stamp = dates.now().isoformat()
    return {"GIT_AUTHOR_DATE": stamp, "GIT_COMMITTER_DATE": stamp}


_YES = ("1", "true", "yes", "on")
_NO = ("0", "false", "no", "off")


def commit_wanted(flag: bool | None, config: dict[str, Any]) -> bool:
    """--commit/--no-commit, then SVCTRACK_COMMIT, then `[git] commit` in svctrack.toml, then
    `commit` in the user config; off when none says."""
    if flag is not None:
        return flag
    env = os.environ.get("SVCTRACK_COMMIT", "").strip().lower()
    if env in _YES or env in _NO:
        return env in _YES
    table = config.get("git", {})
    if isinstance(table, dict) and isinstance(table.get("commit"), bool):
        return table["commit"]
    from svctrack.storage.userconfig import user_config

    try:
        return user_config().get("commit") is True
    except SvcError:
        return False


def commit_change(store: Any, messages: Sequence[str]) -> tuple[str, str]:
    """Commit the files `store` wrote, described by `messages`; returns (short hash, subject).

    A failure says that the change itself is saved: only the commit is missing.
    """
    paths = list(dict.fromkeys(store.written))
    rels = [store.rel(p) for p in paths]
    message = "\n\n".join(messages) if messages else f"svctrack: update {', '.join(rels)}"
    subject = message.splitlines()[0]
    try:
        return commit_paths(store.root, paths, message), subject
    except GitError as exc:
        raise GitError(
            f"{', '.join(rels)} saved, but not committed: {exc.message}", hint=exc.hint
        ) from None


def _rel(root: Path, path: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)


# --- the index ------------------------------------------------------------------------------


@dataclass
class Staged:
    """What the index holds for a workspace: file contents by workspace-relative path."""

    files: dict[str, bytes] = field(default_factory=dict)
    unmerged: list[str] = field(default_factory=list)


def staged(root: Path, pathspecs: Sequence[str]) -> Staged:
    """The index's version of the files under `root` matching `pathspecs` (as `git show :path`)."""
    listing = git(root, "ls-files", "--stage", "-z", "--", *pathspecs).stdout
    result = Staged()
    wanted: list[str] = []
    for record in listing.split(b"\0"):
        if not record:
            continue
        meta, _, name = record.partition(b"\t")
        path = name.decode("utf-8", "surrogateescape")
        stage = meta.split()[-1]
        if stage != b"0":
            if path not in result.unmerged:
                result.unmerged.append(path)
            continue
        wanted.append(path)
    if not wanted:
        return result
    request = "".join(f":./{p}\n" for p in wanted).encode("utf-8", "surrogateescape")
    blob = git(root, "cat-file", "--batch", stdin=request).stdout
    position = 0
    for path in wanted:
        end = blob.index(b"\n", position)
        header = blob[position:end].split()
        position = end + 1
        if len(header) < 3 or header[1] != b"blob":
            continue
        size = int(header[2])
        result.files[path] = blob[position : position + size]
        position += size + 1
    return result


def show(root: Path, spec: str) -> bytes | None:
    """`git show SPEC` (e.g. `:2:./engagements/acme.toml`), or None when there is no such blob."""
    done = git(root, "cat-file", "blob", spec, check=False)
    return done.stdout if done.returncode == 0 else None


def conflicted(root: Path) -> list[str]:
    """Files with unresolved conflicts, relative to `root`."""
    done = git(root, "diff", "--name-only", "--relative", "--diff-filter=U", "-z")
    return [p for p in done.stdout.decode("utf-8", "surrogateescape").split("\0") if p]


def dirty(root: Path) -> list[str]:
    """Tracked files of the repository with changes not committed (staged or not)."""
    done = git(root, "status", "--porcelain", "-z", "--untracked-files=no")
    entries = done.stdout.decode("utf-8", "surrogateescape").split("\0")
    return [e[3:] for e in entries if len(e) > 3]


# --- history of a file ----------------------------------------------------------------------


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


# --- sync -----------------------------------------------------------------------------------


@dataclass
class SyncResult:
    pulled: int = 0
    pushed: int = 0
    target: str = ""


@dataclass(frozen=True)
class Clash:
    """A field two sides changed in a conflicted item file."""

    key: str
    yours: Any
    theirs: Any


@dataclass
class Conflict:
    """An unresolved conflict in one file, in svctrack's terms where the file is an item."""

    path: str
    kind: str = ""  # service, engagement, config; "" for a file that is not svctrack's
    item_id: str = ""
    both: list[Clash] = field(default_factory=list)  # changed on both sides, differently
    added: list[str] = field(default_factory=list)  # [[history]], [[notes]] ... added on both
    unreadable: bool = False


def explain(root: Path, path: str) -> Conflict:
    """What two sides did to `path`: the fields both changed (from the index's stages 1–3)."""
    parts = Path(path).parts
    folders = {"services": "service", "engagements": "engagement"}
    conflict = Conflict(path)
    if len(parts) == 2 and parts[0] in folders and parts[1].endswith(".toml"):
        conflict.kind, conflict.item_id = folders[parts[0]], parts[1][:-5]
    elif path == "svctrack.toml":
        conflict.kind = "config"
    else:
        return conflict
    # In a rebase, stage 2 is the side rebased onto (the remote's), stage 3 the local commit.
    mine, other = (3, 2) if rebasing(root) else (2, 3)
    versions = [_parse(show(root, f":{n}:./{path}")) for n in (1, mine, other)]
    base, yours, theirs = versions
    if yours is None or theirs is None:
        conflict.unreadable = True
        return conflict
    _compare(base or {}, yours, theirs, "", conflict)
    return conflict


def _parse(raw: bytes | None) -> dict[str, Any] | None:
    if raw is None:
        return None
    try:
        return tomllib.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError):
        return None


_MISSING = object()


def _compare(base: Any, yours: Any, theirs: Any, prefix: str, conflict: Conflict) -> None:
    keys = list(dict.fromkeys([*yours, *theirs]))
    for key in keys:
        name = f"{prefix}{key}"
        a, b = yours.get(key, _MISSING), theirs.get(key, _MISSING)
        old = base.get(key, _MISSING) if isinstance(base, dict) else _MISSING
        if a == b or old in (a, b):
            continue  # the same on both sides, or changed on one side only: no clash
        if isinstance(a, dict) and isinstance(b, dict):
            _compare(old if isinstance(old, dict) else {}, a, b, f"{name}.", conflict)
        elif isinstance(a, list) and isinstance(b, list) and _grew(old, a, b):
            conflict.added.append(name)
        else:
            conflict.both.append(Clash(name, _show(a), _show(b)))


def _grew(old: Any, a: list[Any], b: list[Any]) -> bool:
    base = old if isinstance(old, list) else []
    return a[: len(base)] == base and b[: len(base)] == base


def _show(value: Any) -> Any:
    return "(removed)" if value is _MISSING else value


def sync(root: Path) -> SyncResult:
    """Pull with rebase and return what was pulled; the caller validates, then calls `push`.

    Raises Refused when something must be settled first, SyncConflict when the pull stops.
    """
    require_repo(root)
    if rebasing(root) or merging(root):
        raise SyncConflict([explain(root, p) for p in conflicted(root)])
    branch(root)
    changed = dirty(root)
    if changed:
        shown = ", ".join(changed[:5]) + (
            f" and {len(changed) - 5} more" if len(changed) > 5 else ""
        )
        raise Refused(
            f"uncommitted changes: {shown}",
            hint="commit them first (`git commit`, or svctrack's --commit), then sync",
        )
    result = SyncResult()
    result.target = target(root)
    remote, _, name = result.target.partition("/")
    git(root, "fetch", "--quiet", remote, check=True)
    remote_ref = f"refs/remotes/{remote}/{name}"
    exists = git(root, "rev-parse", "--verify", "--quiet", remote_ref, check=False).returncode == 0
    if exists and has_commits(root):
        result.pulled = count(root, f"HEAD..{remote_ref}")
        if result.pulled:
            _rebase(root, remote_ref)
    elif exists:  # a branch with no commit yet: take the remote's as it is
        result.pulled = count(root, remote_ref)
        done = git(root, "merge", "--quiet", "--ff-only", remote_ref, check=False)
        if done.returncode != 0:
            raise GitError(
                f"git merge failed: {last_words(done)}",
                hint="move the files it names out of the way, then sync again",
            )
    return result


def resume(root: Path) -> None:
    """After the user resolved a conflict: stage the resolved files and go on with the rebase."""
    if not rebasing(root):
        raise Refused("no sync is waiting to be continued", hint="run `svctrack sync`")
    left = conflicted(root)
    for path in left:
        raw = (root / path).read_bytes() if (root / path).exists() else b""
        if any(line.startswith((b"<<<<<<<", b">>>>>>>")) for line in raw.splitlines()):
            raise Refused(
                f"{path} still holds conflict markers (<<<<<<< ... >>>>>>>)",
                hint="keep the right lines, remove the markers, then `svctrack sync --continue`",
            )
    if left:
        git(root, "add", "--", *left)
    _rebase(root, "--continue")


def _rebase(root: Path, *args: str) -> None:
    """`git rebase ARGS`, never opening an editor; a conflict is explained per item."""
    no_editor = {"GIT_EDITOR": "true", "GIT_SEQUENCE_EDITOR": "true"}
    done = git(root, "rebase", *args, check=False, env=no_editor)
    if done.returncode != 0:
        found = conflicted(root)
        if found:
            raise SyncConflict([explain(root, p) for p in found])
        what = "git rebase --continue" if "--continue" in args else "git rebase"
        raise GitError(f"{what} failed: {last_words(done)}")


def abort(root: Path) -> None:
    if not rebasing(root):
        raise Refused("no sync is waiting; nothing to abort")
    git(root, "rebase", "--abort")


def push(root: Path, target: str) -> int:
    """Push the current branch to `target` (remote/branch); returns how many commits went."""
    remote, _, name = target.partition("/")
    remote_ref = f"refs/remotes/{remote}/{name}"
    exists = git(root, "rev-parse", "--verify", "--quiet", remote_ref, check=False).returncode == 0
    if not has_commits(root):
        return 0
    ahead = count(root, f"{remote_ref}..HEAD") if exists else count(root, "HEAD")
    if not ahead:
        return 0
    args = ["push", "--quiet", remote, f"HEAD:refs/heads/{name}"]
    if upstream(root) is None:
        args.insert(1, "--set-upstream")
    done = git(root, *args, check=False)
    if done.returncode != 0:
        words = last_words(done)
        said = (done.stderr or b"").decode("utf-8", "replace")
        hint = "someone pushed meanwhile: run `svctrack sync` again"
        if "rejected" not in said and "fetch first" not in said:
            hint = "check the remote's address and your access (`git remote -v`)"
        raise GitError(f"git push failed: {words}; your commits are kept", hint=hint)
    return ahead


def _default_target(root: Path, name: str = "") -> str:
    found = remotes(root)
    if not found:
        raise Refused(
            "this repository has no remote to sync with",
            hint="add one with `git remote add origin URL`",
        )
    remote = "origin" if "origin" in found else found[0]
    if len(found) > 1 and "origin" not in found:
        raise Refused(
            f"the branch has no upstream and there are several remotes ({', '.join(found)})",
            hint="choose one: `git branch --set-upstream-to REMOTE/BRANCH`",
        )
    return f"{remote}/{name or branch(root)}"


class SyncConflict(SvcError):
    """The pull stopped on conflicts; `conflicts` says where and what, in svctrack's terms."""

    def __init__(self, conflicts: list[Conflict]) -> None:
        files = ", ".join(c.path for c in conflicts) or "the repository"
        super().__init__(
            f"sync stopped: a merge conflict in {files}; nothing was pushed",
            hint="resolve it as shown above, then `svctrack sync --continue`"
            " (or `svctrack sync --abort` to undo the pull)",
        )
        self.conflicts = conflicts


def target(root: Path) -> str:
    """Where sync pulls from and pushes to: the branch's upstream, else `origin/<branch>`.

    Also during a stopped rebase, when HEAD is detached: the branch is the one being rebased.
    """
    name = _branch_being_rebased(root) if rebasing(root) else branch(root)
    done = git(
        root, "rev-parse", "--abbrev-ref", "--symbolic-full-name", f"{name}@{{u}}", check=False
    )
    if done.returncode == 0 and out(done):
        return out(done)
    return _default_target(root, name)


def _branch_being_rebased(root: Path) -> str:
    gd = git_dir(root)
    for folder in ("rebase-merge", "rebase-apply"):
        head = gd / folder / "head-name"
        if head.is_file():
            return head.read_text("utf-8").strip().removeprefix("refs/heads/")
    return branch(root)


# --- validate --staged ----------------------------------------------------------------------

WORKSPACE_FILES = ("svctrack.toml", "services/*.toml", "engagements/*.toml")


def staged_findings(explicit: str | None) -> list[Any]:
    """`validate` over the index's version of the workspace: what the next commit would hold.

    Without a workspace here (a pre-commit hook runs at the repository's top), every workspace
    that the index holds is checked, its paths shown from the top.
    """
    from svctrack.errors import NotFound
    from svctrack.storage.paths import find_root

    try:
        roots = [(find_root(explicit), "")]
    except NotFound:
        here = Path.cwd()
        if explicit or toplevel(here) is None:
            raise
        listing = git(here, "ls-files", "-z", "--", ":(glob)**/svctrack.toml", "svctrack.toml")
        found = sorted({p for p in listing.stdout.decode("utf-8").split("\0") if p})
        if not found:
            raise
        roots = [(here / Path(p).parent, _prefix(Path(p).parent)) for p in found]
    findings: list[Any] = []
    for root, prefix in roots:
        for finding in _staged_workspace(root):
            findings.append(replace_path(finding, prefix + finding.path))
    return findings


def _prefix(folder: Path) -> str:
    return "" if str(folder) in ("", ".") else f"{folder.as_posix()}/"


def replace_path(finding: Any, path: str) -> Any:
    from dataclasses import replace

    return replace(finding, path=path)


def _staged_workspace(root: Path) -> list[Any]:
    import tempfile

    from svctrack.storage.store import Store
    from svctrack.usecases.validation import Finding, validate

    require_repo(root)
    index = staged(root, [f":(glob){p}" for p in WORKSPACE_FILES])
    findings = [
        Finding(p, "unresolved merge conflict in the index", "error") for p in index.unmerged
    ]
    if not index.files:
        return findings  # nothing of this workspace is staged or tracked
    with tempfile.TemporaryDirectory(prefix="svctrack-staged-") as tmp:
        copy = Path(tmp)
        for folder in ("services", "engagements"):
            (copy / folder).mkdir()
        for rel, raw in index.files.items():
            (copy / rel).write_bytes(raw)
        findings += validate(Store(copy))
    return findings
