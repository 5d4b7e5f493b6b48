"""Who is acting, for the history a write records: SVCTRACK_USER, the user config, git's
user.name, the login name.

git's answer takes a process (about 12 ms here, most of it git starting). A command that will
record who acts asks git as it starts (`asking`): git answers on the other core while the
command imports and parses, and `actor` collects the answer when it needs it. Asked early or
not, it is the same question (`git config user.name`, in the same folder and environment), with
the same 5 s for an answer."""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Iterator
from typing import Any

from svctrack.errors import SvcError
from svctrack.storage.userconfig import user_config

_ASK = ("git", "config", "user.name")
_WAIT = 5.0  # seconds git has to answer

# The questions started early by the `asking` blocks around now (innermost last): a process and
# when its answer is due, the exception when git could not be started, None once `actor` took it.
_Asked = tuple[Any, float] | Exception | None
_asked: list[_Asked] = []


def actor() -> str:
    """Who is acting: SVCTRACK_USER, the user config, git's user.name, the login name."""
    name = _named()
    if name:
        return name
    asked = _asked[-1] if _asked else None
    if asked is not None:
        _asked[-1] = None  # one answer asked early; a second call asks again, as before
    return _git_name(asked) or _login()


@contextlib.contextmanager
def asking() -> Iterator[None]:
    """A block (a command) that records who acts: git is asked now, unless the environment or
    the user config names the user. An answer not used by the end of the block is dropped."""
    _asked.append(_start() if _wants_git() else None)
    try:
        yield
    finally:
        _drop(_asked.pop())


def _named() -> str:
    return os.environ.get("SVCTRACK_USER") or str(user_config().get("user", ""))


def _wants_git() -> bool:
    try:
        return not _named()
    except (SvcError, OSError):  # a broken user config: `actor` says so, where it always did
        return False


def _start() -> _Asked:
    import subprocess

    try:
        process = subprocess.Popen(_ASK, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    except (OSError, subprocess.SubprocessError) as exc:  # no git
        return exc
    return process, time.monotonic() + _WAIT


def _git_name(asked: _Asked) -> str:
    """git's user.name: the answer to the question asked early, or to one asked now; "" when
    git is missing, fails, names nobody or takes longer than `_WAIT`."""
    import subprocess

    if asked is None:
        asked = _start()
    if not isinstance(asked, tuple):
        return ""
    process, due = asked
    try:
        out, _ = process.communicate(timeout=max(0.0, due - time.monotonic()))
    except subprocess.TimeoutExpired:
        _drop(asked)
        return ""
    except (OSError, subprocess.SubprocessError):
        return ""
    return out.strip() if process.returncode == 0 else ""


def _drop(asked: _Asked) -> None:
    """End a question whose answer is not wanted (or came too late)."""
    if isinstance(asked, tuple):
        process = asked[0]
        with contextlib.suppress(OSError):  # (a child git left may hold the pipes: not read)
            process.kill()
            process.wait()
            process.stdout.close()
            process.stderr.close()


def _login() -> str:
    import getpass

    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return "unknown"
