"""Where a workspace is and what it holds: its settings file, its folders, its lock."""

from __future__ import annotations

import os
from pathlib import Path

from svctrack.errors import NotFound
from svctrack.storage.userconfig import user_config, user_config_path

CONFIG = "svctrack.toml"


LOCK = ".svctrack.lock"


FOLDERS = {"service": "services", "engagement": "engagements"}


GITIGNORE = "# svctrack's lock and temporary files\n.svctrack.lock\n.*.tmp\n"


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
                    f"{source} {value}: no {CONFIG} there",
                    hint=f"create one with `svctrack init {value}`",
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
        raise NotFound(f"the workspace in {user_config_path()} ({configured}) has no {CONFIG}")
    raise NotFound(
        f"no svctrack workspace here (no {CONFIG} in {here} or above)",
        hint="create one with `svctrack init PATH`, or name one with -C PATH",
    )
