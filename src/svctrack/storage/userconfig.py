"""The user's own config file (platformdirs' config dir): a workspace, a name, a language."""

from __future__ import annotations

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


def user_config_path() -> Path:
    from platformdirs import user_config_dir

    return Path(user_config_dir("svctrack", appauthor=False)) / "config.toml"


def user_config() -> dict[str, Any]:
    """The user config file's contents, or {} when there is none."""
    path = user_config_path()
    if not path.is_file():
        return {}
    return parse(path.read_bytes(), str(path))
