"""svctrack as git's merge driver for item files: `svctrack merge-file BASE OURS THEIRS PATH`,
and the settings that make git call it (`.gitattributes`, the repository's own config).

The merge itself is `storage.tomlmerge` (the text) over `domain.merge` (the rules); what it
cannot merge key by key falls back to `git merge-file`, git's own line merge.
"""

from __future__ import annotations

import os
import shlex
import sys
from dataclasses import dataclass, field
from pathlib import Path

from svctrack.errors import SvcError
from svctrack.git.plumbing import GitError, git, out, toplevel
from svctrack.messages import msg

DRIVER = "svctrack"  # merge=svctrack in .gitattributes; [merge "svctrack"] in .git/config
NAME = "svctrack: item files merged key by key, entries of both sides kept"
FOLDERS = ("services", "engagements")


@dataclass
class Merged:
    """What merge-file did: 0 clean, 1 conflict; the keys marked; why git's merge was used."""

    code: int
    clashes: list[str] = field(default_factory=list)
    fallback: str = ""  # the reason svctrack's merge gave way to git's line merge, if it did


def merge_file(base: Path, ours: Path, theirs: Path, name: str = "") -> Merged:
    """Merge THEIRS into OURS against BASE, writing the result to OURS (as git asks of a
    driver). Files that do not parse, or changes that cannot be placed key by key, are left to
    `git merge-file`: git's markers around the lines that differ."""
    from svctrack.storage.decode import BOM, decode
    from svctrack.storage.tomlmerge import Unmergeable, merge_texts

    label = name or ours.name
    try:
        raws = [path.read_bytes() for path in (base, ours, theirs)]
    except OSError as exc:
        raise SvcError(msg("merge_cannot_read", path=exc.filename, reason=exc.strerror)) from None
    try:
        if not raws[0] and raws[1] != raws[2]:
            raise Unmergeable("both sides added the file")
        (old, _), (mine, bom), (yours, _) = (decode(raw, label) for raw in raws)
        merged = merge_texts(old, mine, yours)
    except (Unmergeable, SvcError) as exc:
        reason = exc.message if isinstance(exc, SvcError) else str(exc)
        return Merged(_line_merge(base, ours, theirs), fallback=reason)
    data = ((BOM if bom else "") + merged.text).encode("utf-8")
    try:
        ours.write_bytes(data)
    except OSError as exc:
        raise SvcError(msg("merge_cannot_write", path=ours, reason=exc.strerror)) from None
    return Merged(1 if merged.clashes else 0, merged.clashes)


def _line_merge(base: Path, ours: Path, theirs: Path) -> int:
    """git's own merge of the three files, into OURS: 0 clean, 1 with conflict markers."""
    done = git(
        ours.parent if ours.parent.is_dir() else Path.cwd(),
        "merge-file", "-L", "ours", "-L", "base", "-L", "theirs",
        str(ours), str(base), str(theirs),
        check=False,
    )  # fmt: skip
    return 0 if done.returncode == 0 else 1


# --- registering the driver -----------------------------------------------------------------


def driver_command() -> str:
    """The command git runs: this Python running svctrack, so that it works where `svctrack`
    is not on PATH (a virtual environment, pipx, `python -m svctrack`)."""
    return f"{shlex.quote(sys.executable)} -m svctrack merge-file %O %A %B %P"


def driver_env() -> dict[str, str]:
    """The environment for a git that may run the driver: when this svctrack runs from a source
    folder (PYTHONPATH, perhaps relative) rather than an installation, that folder, absolute,
    so that git's merge runs this very svctrack from wherever git runs it."""
    import svctrack

    here = Path(svctrack.__file__).resolve().parent.parent
    if here.name in ("site-packages", "dist-packages"):
        return {}
    old = os.environ.get("PYTHONPATH", "")
    return {"PYTHONPATH": str(here) + (os.pathsep + old if old else "")}


def patterns(prefix: str = "") -> list[str]:
    """The attribute lines for the item files of a workspace `prefix` (relative to where the
    attributes file is; "" for the same folder)."""
    lines = []
    for folder in FOLDERS:
        pattern = f"{prefix}{folder}/*.toml"
        if any(c.isspace() or c in '"\\' for c in pattern):
            pattern = '"' + pattern.replace("\\", "\\\\").replace('"', '\\"') + '"'
        lines.append(f"{pattern} merge={DRIVER}")
    return lines


@dataclass
class Registered:
    """What `register` changed: the workspace's .gitattributes (to commit), the config."""

    attributes: Path | None = None  # .gitattributes, when lines were added to it
    created: bool = False  # .gitattributes did not exist before
    config: bool = False


def register(root: Path) -> Registered:
    """Make git merge the item files of the workspace at `root` with svctrack: lines in the
    workspace's .gitattributes (shared through commits) and in the clone's own
    `info/attributes` (in force before .gitattributes reaches the other side), and the driver
    in the repository's own config (`git config --local`), never the user's. Nothing when
    `root` is not in a git repository."""
    top = toplevel(root)
    if top is None:
        return Registered()
    done = Registered()
    for key, value in (("name", NAME), ("driver", driver_command())):
        name = f"merge.{DRIVER}.{key}"
        now = git(root, "config", "--local", "--get", name, check=False)
        if now.returncode != 0 or out(now) != value:
            git(root, "config", "--local", name, value)
            done.config = True
    try:
        prefix = root.resolve().relative_to(top.resolve()).as_posix()
    except ValueError:
        prefix = ""
    prefix = "" if prefix in ("", ".") else prefix + "/"
    common = Path(out(git(root, "rev-parse", "--path-format=absolute", "--git-common-dir")))
    _add_lines(common / "info" / "attributes", patterns(prefix))
    attributes = root / ".gitattributes"
    done.created = not os.path.lexists(attributes)
    if _add_lines(attributes, patterns()):
        done.attributes = attributes
    return done


def _add_lines(path: Path, lines: list[str]) -> bool:
    """Add the lines `path` lacks at its end, keeping what it holds; True when it changed."""
    from svctrack.storage.atomic import io_error, write_atomic

    try:
        old = path.read_bytes() if path.exists() else b""
    except OSError as exc:
        raise io_error(exc, str(path)) from None
    text = old.decode("utf-8", "surrogateescape")
    have = {line.strip() for line in text.splitlines()}
    missing = [line for line in lines if line not in have]
    if not missing:
        return False
    eol = "\r\n" if "\r\n" in text else "\n"
    head = "" if not text or text.endswith("\n") else eol
    if not text:
        head = f"# item files are merged by svctrack (`svctrack merge-file`){eol}"
    new = text + head + eol.join(missing) + eol
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        mode = os.stat(path).st_mode & 0o7777 if path.exists() else None
        write_atomic(path, new.encode("utf-8", "surrogateescape"), mode)
    except OSError as exc:
        raise io_error(exc, str(path)) from None
    return True


def registered(root: Path) -> bool:
    """Whether git merges this workspace's item files with svctrack (the config names it)."""
    try:
        done = git(root, "config", "--get", f"merge.{DRIVER}.driver", check=False)
    except GitError:
        return False
    return done.returncode == 0 and "merge-file" in out(done)
