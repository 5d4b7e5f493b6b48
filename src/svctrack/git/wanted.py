"""Whether a run commits what it writes: asked by every write, so it imports nothing of git's
(`git.commit`, which makes the commit, is imported only when one is wanted)."""

from __future__ import annotations

import os
from typing import Any

from svctrack.errors import SvcError

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
