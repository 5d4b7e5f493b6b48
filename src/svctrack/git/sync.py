"""`svctrack sync`: pull with rebase, validate, push; a conflict explained item by item."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from svctrack.errors import Refused, SvcError
from svctrack.git.plumbing import (
    GitError,
    branch,
    count,
    git,
    git_dir,
    has_commits,
    last_words,
    merging,
    out,
    rebasing,
    remotes,
    require_repo,
    show,
    upstream,
)
from svctrack.tomlparse import tomllib


def conflicted(root: Path) -> list[str]:
    """Files with unresolved conflicts, relative to `root`."""
    done = git(root, "diff", "--name-only", "--relative", "--diff-filter=U", "-z")
    return [p for p in done.stdout.decode("utf-8", "surrogateescape").split("\0") if p]


def dirty(root: Path) -> list[str]:
    """Tracked files of the repository with changes not committed (staged or not)."""
    done = git(root, "status", "--porcelain", "-z", "--untracked-files=no")
    entries = done.stdout.decode("utf-8", "surrogateescape").split("\0")
    return [e[3:] for e in entries if len(e) > 3]


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
