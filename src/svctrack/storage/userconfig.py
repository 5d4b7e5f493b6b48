"""The user's own folders (platformdirs'): the config file (a workspace, a name, a language),
the cache, the undo journal."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

from svctrack.storage.decode import parse

# The keys of the user config file, and what each is for.
USER_KEYS = {
    "workspace": "the workspace used when none is found from here",
    "user": "your name in the history (else git's user.name)",
    "lang": "labels in en or ru when the workspace sets none",
    "commit": "true: commit each change to git, as --commit does",
}


# The XDG variable of each of svctrack's user folders, and its default under the home folder.
_XDG = {
    "cache": ("XDG_CACHE_HOME", ".cache"),
    "data": ("XDG_DATA_HOME", ".local/share"),
    "config": ("XDG_CONFIG_HOME", ".config"),
}


def user_dir(which: str) -> Path:
    """svctrack's user folder `which` (cache, data or config): platformdirs'
    `user_<which>_dir("svctrack", appauthor=False)`.

    On Linux, where the XDG rules decide it, it is worked out here (platformdirs takes about
    5 ms of every run to import): the variable's folder when it is an absolute path, else, the
    variable unset, the default under an absolute $HOME. Any other case (another system,
    Android, a relative or blank variable, no usable $HOME) is platformdirs' to answer."""
    variable, default = _XDG[which]
    if sys.platform == "linux" and "ANDROID_DATA" not in os.environ:
        base = os.environ.get(variable, "")
        if os.path.isabs(base):
            return Path(base, "svctrack")
        home = os.environ.get("HOME", "")
        if not base and os.path.isabs(home):
            return Path(home, default, "svctrack")
    import platformdirs

    found: str = getattr(platformdirs, f"user_{which}_dir")("svctrack", appauthor=False)
    return Path(found)


def user_config_path() -> Path:
    return user_dir("config") / "config.toml"


def user_config() -> dict[str, Any]:
    """The user config file's contents, or {} when there is none."""
    path = user_config_path()
    if not path.is_file():
        return {}
    return parse(path.read_bytes(), str(path))
