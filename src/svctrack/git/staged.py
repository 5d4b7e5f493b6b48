"""The index's version of the workspace:
what the next commit would hold, for `validate --staged`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from svctrack.git.plumbing import git, require_repo, toplevel


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


WORKSPACE_FILES = ("svctrack.toml", "services/*.toml", "engagements/*.toml")


def staged_findings(explicit: str | None, *, strict: bool = False) -> list[Any]:
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
        for finding in _staged_workspace(root, strict):
            findings.append(replace_path(finding, prefix + finding.path))
    return findings


def _prefix(folder: Path) -> str:
    return "" if str(folder) in ("", ".") else f"{folder.as_posix()}/"


def replace_path(finding: Any, path: str) -> Any:
    from dataclasses import replace

    return replace(finding, path=path)


def _staged_workspace(root: Path, strict: bool = False) -> list[Any]:
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
        findings += validate(Store(copy), strict=strict)
    return findings
