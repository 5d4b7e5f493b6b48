"""Where a workspace is and what it holds: its settings file, its folders, its lock."""

from __future__ import annotations

import os
from pathlib import Path

from svctrack.errors import NotFound
from svctrack.messages import msg
from svctrack.storage.userconfig import user_config, user_config_path

CONFIG = "svctrack.toml"


LOCK = ".svctrack.lock"


FOLDERS = {"service": "services", "engagement": "engagements"}


GITIGNORE = "# svctrack's lock and temporary files\n.svctrack.lock\n.*.tmp\n"


SCHEMAS = ".svctrack"  # `init --schema`: the JSON Schemas of the workspace's files, for editors
SCHEMA_FILES = {
    "config": "svctrack.schema.json",
    "service": "service.schema.json",
    "engagement": "engagement.schema.json",
}


def schema_line(root: Path, kind: str) -> str:
    """The `#:schema` line that ties a new file of `kind` (or "config") to its schema in the
    workspace (taplo and VS Code's Even Better TOML read it), when the workspace keeps its
    schemas in `.svctrack/` (`init --schema`); else nothing."""
    name = SCHEMA_FILES[kind]
    if not (root / SCHEMAS / name).is_file():
        return ""
    up = "." if kind == "config" else ".."
    return f"#:schema {up}/{SCHEMAS}/{name}\n"


def git_dir(root: Path) -> Path | None:
    """The git folder of the repository that holds `root`, found as git finds it (GIT_DIR, else
    a `.git` folder, or a `.git` file saying `gitdir: ...`, walking up), without running git;
    None outside a repository."""
    explicit = os.environ.get("GIT_DIR")
    if explicit:
        return Path(explicit).resolve()
    for folder in (root, *root.parents):
        dot = folder / ".git"
        try:
            if dot.is_dir():
                return dot
            if dot.is_file():
                line = dot.read_text("utf-8", "replace").strip()
                if line.startswith("gitdir:"):
                    found = Path(line.removeprefix("gitdir:").strip())
                    return found if found.is_absolute() else (folder / found).resolve()
        except OSError:
            return None
    return None


def sync_stopped(root: Path) -> bool:
    """Whether git is in the middle of a rebase (a `svctrack sync` stopped on a conflict) in the
    repository holding `root`: two stats, no git process."""
    found = git_dir(root)
    return found is not None and any(
        (found / name).exists() for name in ("rebase-merge", "rebase-apply")
    )


def workspace_key(root: Path) -> str:
    """A folder name for what svctrack keeps of a workspace outside it (the read cache, the undo
    journal): the tail of its real path and a CRC-32 of it."""
    import re
    import zlib

    real = os.fsencode(root.resolve())
    tail = re.sub(rb"[^A-Za-z0-9]+", b"-", real).strip(b"-")[-40:].decode()
    return f"{tail}-{zlib.crc32(real):08x}".lstrip("-")


def find_root(explicit: str | None = None, cwd: Path | None = None) -> Path:
    """The workspace folder: -C, SVCTRACK_WORKSPACE, walking up from cwd, user config."""
    for source, value in (
        ("--workspace", explicit),
        ("SVCTRACK_WORKSPACE", os.environ.get("SVCTRACK_WORKSPACE")),
    ):
        if value:
            root = Path(value).expanduser()
            if not (root / CONFIG).is_file():
                raise NotFound(
                    msg("no_config_there", source=source, value=value, config=CONFIG),
                    hint=msg("init_hint", path=value),
                )
            return root.resolve()
    here = (cwd or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / CONFIG).is_file():
            return folder
    configured = user_config().get("workspace")
    if isinstance(configured, str) and configured:
        root = Path(configured).expanduser()
        if (root / CONFIG).is_file():
            return root.resolve()
        raise NotFound(
            msg("configured_gone", path=user_config_path(), value=configured, config=CONFIG)
        )
    raise NotFound(
        msg("no_workspace", config=CONFIG, here=here),
        hint=msg("no_workspace_hint"),
    )
