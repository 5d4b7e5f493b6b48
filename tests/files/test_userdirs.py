"""svctrack's user folders are where platformdirs puts them, though it is not imported for them."""

from __future__ import annotations

import sys

import platformdirs
import pytest

from svctrack.storage.userconfig import user_dir

VARIABLES = {"cache": "XDG_CACHE_HOME", "data": "XDG_DATA_HOME", "config": "XDG_CONFIG_HOME"}


@pytest.mark.parametrize("which", sorted(VARIABLES))
@pytest.mark.parametrize(
    ("value", "home"),
    [
        ("/tmp/x/y", "/home/u"),  # the variable, absolute
        ("/tmp/x/y/", "/home/u"),  # with a trailing slash
        (None, "/home/u"),  # unset: under $HOME
        (None, "/home/u/"),
        ("", "/home/u"),  # blank: as unset
        ("relative/dir", "/home/u"),  # relative: ignored, platformdirs decides
        ("   ", "/home/u"),
    ],
)
def test_user_dirs_are_platformdirs_own(
    monkeypatch: pytest.MonkeyPatch, which: str, value: str | None, home: str
) -> None:
    if value is None:
        monkeypatch.delenv(VARIABLES[which], raising=False)
    else:
        monkeypatch.setenv(VARIABLES[which], value)
    monkeypatch.setenv("HOME", home)
    expected = getattr(platformdirs, f"user_{which}_dir")("svctrack", appauthor=False)
    assert user_dir(which) == type(user_dir(which))(expected)
    if sys.platform == "linux" and value is not None and value.startswith("/"):
        assert str(user_dir(which)) == value.rstrip("/") + "/svctrack"
