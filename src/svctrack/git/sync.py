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
from svctrack.messages import msg
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
    registered: str = ""  # the commit that added svctrack's lines to .gitattributes, if any


def _register(root: Path) -> str:
    """Make sure git merges item files with svctrack (see `merge.register`); the lines added
    to .gitattributes are committed, so that every clone has them. Returns that commit."""
    from svctrack.git.commit import commit_paths
    from svctrack.git.merge import register

    done = register(root)
    if done.attributes is None:
        return ""
    tracked = git(root, "ls-files", "--error-unmatch", "--", str(done.attributes), check=False)
    if tracked.returncode != 0 and not done.created:
        return ""  # a .gitattributes of the user's own, never committed: the user commits it
    return commit_paths(
        root, [done.attributes], "svctrack: item files merged by `svctrack merge-file`"
    )


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
    deleted_by: str = ""  # "you" or "them": one side deleted the file, the other changed it
    created_both: bool = False  # both sides created the file (one id, two items?)
    markers: int = 0  # the line of the first conflict marker left in the file; 0: none
    merged_by_svctrack: bool = False  # the merge driver ran: entries of both sides are kept
    yours: str = ""  # `git checkout` flags that take your side and the other one's
    theirs: str = ""


def explain(root: Path, path: str) -> Conflict:
    """What two sides did to `path` (from the index's stages 1–3, and the file as it is now)."""
    parts = Path(path).parts
    folders = {"services": "service", "engagements": "engagement"}
    conflict = Conflict(path)
    if len(parts) == 2 and parts[0] in folders and parts[1].endswith(".toml"):
        conflict.kind, conflict.item_id = folders[parts[0]], parts[1][:-5]
    elif path == "svctrack.toml":
        conflict.kind = "config"
    conflict.markers = marker_line(root / path)
    # In a rebase, stage 2 is the side rebased onto (the remote's), stage 3 the local commit.
    mine, other = (3, 2) if rebasing(root) else (2, 3)
    conflict.yours, conflict.theirs = (
        ("--theirs", "--ours") if mine == 3 else ("--ours", "--theirs")
    )
    present = stages(root, path)
    if 1 in present and len(present & {2, 3}) == 1:
        conflict.deleted_by = "you" if mine not in present else "them"
    elif 1 not in present and {2, 3} <= present:
        conflict.created_both = True
    if not conflict.kind:
        return conflict
    conflict.merged_by_svctrack = merged_by_svctrack(root, path)
    versions = [_parse(show(root, f":{n}:./{path}")) for n in (1, mine, other)]
    base, yours, theirs = versions
    if conflict.deleted_by:
        conflict.added = _grown(base or {}, yours if conflict.deleted_by == "them" else theirs)
        return conflict
    if yours is None or theirs is None:
        conflict.unreadable = True
        return conflict
    if conflict.merged_by_svctrack:
        _as_merged(base or {}, yours, theirs, mine == 3, conflict)
    else:
        _compare(base or {}, yours, theirs, "", conflict)
    return conflict


def _as_merged(
    base: dict[str, Any],
    yours: dict[str, Any],
    theirs: dict[str, Any],
    in_rebase: bool,
    conflict: Conflict,
) -> None:
    """The clashes as svctrack's merge driver saw them (it marked exactly these), and the
    arrays of tables both sides added to (all kept)."""
    from svctrack.domain.merge import plan
    from svctrack.storage.tomlmerge import dotted

    # git gave the driver its stage 2 as ours: the other side's in a rebase, yours in a merge
    ours_side, theirs_side = (theirs, yours) if in_rebase else (yours, theirs)
    planned = plan(base, ours_side, theirs_side)
    for clash in planned.clashes:
        mine_at, other_at = (clash.source, clash.path) if in_rebase else (clash.path, clash.source)
        conflict.both.append(
            Clash(dotted(clash.at), _show(_at(yours, mine_at)), _show(_at(theirs, other_at)))
        )
    for entries in planned.entries:
        old = _at(base, entries.path)
        grown = _at(ours_side, entries.path)
        if isinstance(grown, list) and len(grown) > (len(old) if isinstance(old, list) else 0):
            conflict.added.append(dotted(entries.path))


def _at(data: Any, path: tuple[str | int, ...]) -> Any:
    for part in path:
        if isinstance(part, int):
            if not isinstance(data, list) or part >= len(data):
                return _MISSING
        elif not isinstance(data, dict) or part not in data:
            return _MISSING
        data = data[part]
    return data


def stages(root: Path, path: str) -> set[int]:
    """The stages (1 base, 2 ours, 3 theirs) the index holds for an unmerged `path`."""
    done = git(root, "ls-files", "-u", "-z", "--", path, check=False)
    found = set()
    for record in done.stdout.split(b"\0"):
        meta = record.partition(b"\t")[0].split()
        if len(meta) == 3 and meta[2].isdigit():
            found.add(int(meta[2]))
    return found


def marker_line(path: Path) -> int:
    """The line of the first git conflict marker in the file, 0 when there is none (a line
    `=======` counts only in a file that does not parse: a note may hold one)."""
    try:
        raw = path.read_bytes()
    except OSError:
        return 0
    lines = raw.split(b"\n")
    for n, line in enumerate(lines, 1):
        if line.startswith((b"<<<<<<<", b">>>>>>>")):
            return n
    if b"=======" in raw and _parse(raw) is None:
        for n, line in enumerate(lines, 1):
            if line.rstrip(b"\r") == b"=======":
                return n
    return 0


def merged_by_svctrack(root: Path, path: str) -> bool:
    """Whether git merges `path` with svctrack's merge driver."""
    done = git(root, "check-attr", "merge", "--", path, check=False)
    return done.returncode == 0 and out(done).endswith(": merge: svctrack")


def _grown(base: dict[str, Any], changed: dict[str, Any] | None) -> list[str]:
    """The arrays of tables that grew from `base` to `changed`: what a deletion would lose."""
    if changed is None:
        return []
    return [
        key
        for key, value in changed.items()
        if isinstance(value, list) and len(value) > len(base.get(key) or [])
    ]


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
        more = msg("and_more", n=len(changed) - 5) if len(changed) > 5 else ""
        raise Refused(
            msg("uncommitted", files=", ".join(changed[:5]), more=more),
            hint=msg("uncommitted_hint"),
        )
    result = SyncResult()
    result.registered = _register(root)
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
                msg("git_failed", what="git merge", words=last_words(done)),
                hint=msg("git_merge_hint"),
            )
    return result


def resume(root: Path) -> None:
    """After the user resolved a conflict: stage the resolved files and go on with the rebase.

    Refused, with what to do, while a file still holds conflict markers, while a file one side
    deleted and the other changed waits for a decision (`git add` keeps it, `git rm` deletes
    it: it is never restored silently), and while a file outside the conflict has changed since
    the sync stopped (the rebase would refuse it)."""
    if not rebasing(root):
        raise Refused(msg("no_sync_waiting"), hint=msg("run_sync"))
    left = conflicted(root)
    for path in left:
        conflict = explain(root, path)
        if conflict.deleted_by and (root / path).exists() and not conflict.markers:
            raise Refused(
                msg("deleted_changed", path=path, words=_deleted_words(conflict, target(root))),
                hint=msg("deleted_changed_hint", path=path),
            )
        if conflict.markers:
            raise Refused(
                msg("still_markers", path=path, line=conflict.markers),
                hint=msg("still_markers_hint"),
            )
    _refuse_unrelated(root, left, "svctrack sync --continue", msg("rebase_would_stop"))
    if left:
        git(root, "add", "-A", "--", *left)
    _rebase(root, "--continue")


def _deleted_words(conflict: Conflict, where: str) -> str:
    added = ", ".join(f"[[{a}]]" for a in conflict.added)
    grown = msg("added_entries", added=added) if conflict.added else ""
    if conflict.deleted_by == "you":
        return msg("you_deleted", other=where, grown=grown)
    return msg("they_deleted", who=where, grown=grown)


def changed_since_stop(root: Path, conflicts: list[str]) -> list[str]:
    """Tracked files changed in the work tree (not staged) since the sync stopped, apart from
    the files in conflict: work that `git rebase` would refuse or `--abort` would undo."""
    done = git(root, "diff", "--name-only", "--relative", "-z")
    paths = [p for p in done.stdout.decode("utf-8", "surrogateescape").split("\0") if p]
    return [p for p in paths if p not in conflicts]


def _refuse_unrelated(root: Path, conflicts: list[str], command: str, why: str) -> None:
    """Refuse while files outside the conflict changed since the stop, saying how to keep the
    change aside (a patch: `git stash` refuses while a conflict is open) and bring it back."""
    import shlex

    changed = changed_since_stop(root, conflicts)
    if not changed:
        return
    more = msg("and_more", n=len(changed) - 5) if len(changed) > 5 else ""
    paths = " ".join(shlex.quote(p) for p in changed)
    hint = msg("keep_aside", paths=paths, command=command)
    if command.endswith("--continue"):
        hint = msg("keep_aside_or_add", paths=paths, command=command)
    raise Refused(
        msg("changed_since_stop", files=", ".join(changed[:5]), more=more, why=why),
        hint=hint,
    )


def _rebase(root: Path, *args: str) -> None:
    """`git rebase ARGS`, never opening an editor; a conflict is explained per item."""
    from svctrack.git.merge import driver_env

    env = {"GIT_EDITOR": "true", "GIT_SEQUENCE_EDITOR": "true", **driver_env()}
    done = git(root, "rebase", *args, check=False, env=env)
    while done.returncode != 0:
        found = conflicted(root)
        if not found:
            break
        if not _merge_where_the_driver_did_not(root, found):
            raise SyncConflict([explain(root, p) for p in found])
        git(root, "add", "-A", "--", *found)
        done = git(root, "rebase", "--continue", check=False, env=env)
    if done.returncode != 0:
        what = "git rebase --continue" if "--continue" in args else "git rebase"
        hint = msg("then_sync_again")
        if rebasing(root):
            hint = msg("fix_then_continue")
        raise GitError(msg("git_failed", what=what, words=said(done)), hint=hint)


def _merge_where_the_driver_did_not(root: Path, found: list[str]) -> bool:
    """A safety net: an item file git left in conflict as one side's version, without a marker,
    when svctrack's merge driver should have merged it (it could not run: a broken install, a
    relative PYTHONPATH) is merged here, as the driver would have. True when every file in
    conflict is such a one and merged cleanly; a clash gets its markers in the file."""
    import tempfile

    from svctrack.git.merge import merge_file

    clean = True
    for path in found:
        blobs = [show(root, f":{n}:./{path}") for n in (1, 2, 3)]
        current = (root / path).read_bytes() if (root / path).is_file() else None
        untouched = current is not None and current in (blobs[1], blobs[2])
        if None in blobs or not untouched or marker_line(root / path):
            clean = False
            continue
        if not merged_by_svctrack(root, path):
            clean = False
            continue
        with tempfile.TemporaryDirectory(prefix="svctrack-merge-") as folder:
            names = [Path(folder) / name for name in ("base", "ours", "theirs")]
            for name, blob in zip(names, blobs, strict=True):
                name.write_bytes(blob or b"")
            result = merge_file(names[0], names[1], names[2], path)
            (root / path).write_bytes(names[1].read_bytes())
        clean = clean and result.code == 0
    return clean


def said(done: Any) -> str:
    """All that git said of the failure, on one line (its error and fatal lines, else all)."""
    text = (done.stderr or b"").decode("utf-8", "replace") + "\n"
    text += (done.stdout or b"").decode("utf-8", "replace")
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    bad = [line for line in lines if line.startswith(("error:", "fatal:"))]
    body = [line for line in lines if not line.startswith(("hint:", "Rebasing"))]
    return " ".join(bad or body) or f"exit status {done.returncode}"


def abort(root: Path) -> str:
    """Give up a stopped sync: the branch goes back to the commit it was at before the pull,
    with the files as they were (the sync started only with nothing uncommitted, and svctrack
    writes nothing while it is stopped). Refused while a file outside the conflict has changed
    since the stop, which the abort would undo. Returns the commit the branch is back at."""
    if not rebasing(root):
        raise Refused(msg("nothing_to_abort"))
    _refuse_unrelated(root, conflicted(root), "svctrack sync --abort", msg("abort_would_undo"))
    done = git(root, "rebase", "--abort", check=False)
    if done.returncode != 0:
        raise GitError(msg("git_failed", what="git rebase --abort", words=said(done)))
    return out(git(root, "rev-parse", "--short", "HEAD"))


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
        hint = msg("pushed_meanwhile")
        if "rejected" not in said and "fetch first" not in said:
            hint = msg("check_remote")
        raise GitError(msg("push_failed", words=words), hint=hint)
    return ahead


def _default_target(root: Path, name: str = "") -> str:
    found = remotes(root)
    if not found:
        raise Refused(
            msg("no_remote"),
            hint=msg("no_remote_hint"),
        )
    remote = "origin" if "origin" in found else found[0]
    if len(found) > 1 and "origin" not in found:
        raise Refused(
            msg("several_remotes", remotes=", ".join(found)),
            hint=msg("several_remotes_hint"),
        )
    return f"{remote}/{name or branch(root)}"


class SyncConflict(SvcError):
    """The pull stopped on conflicts; `conflicts` says where and what, in svctrack's terms."""

    def __init__(self, conflicts: list[Conflict]) -> None:
        files = ", ".join(c.path for c in conflicts) or msg("the_repository")
        super().__init__(msg("sync_conflict", files=files), hint=msg("sync_conflict_hint"))
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
