"""The worker processes of a long read end with the svctrack process that started them."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(
    sys.platform != "linux" or (os.cpu_count() or 1) < 2, reason="forked workers on Linux"
)

SCRIPT = """
import os, sys, time
from pathlib import Path
from svctrack.storage import parallel

def work(chunk, shared):
    (Path(sys.argv[1]) / str(os.getpid())).touch()
    time.sleep(120)
    return chunk

parallel.map_chunks(work, list(range(parallel.PARALLEL_FROM)), None)
"""


def gone(pid: int) -> bool:
    """Whether the process has ended (a zombie no one reaps has ended too)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return True
    return "\nState:\tZ" in status or "\nState:\tX" in status


def waited(check: Callable[[], bool], seconds: float = 20) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.05)
    return False


def test_workers_end_when_their_parent_is_killed(tmp_path: Path) -> None:
    """kill -9 of a svctrack process parsing on every core leaves no worker behind."""
    script = tmp_path / "long.py"
    script.write_text(SCRIPT)
    pids = tmp_path / "pids"
    pids.mkdir()
    parent = subprocess.Popen([sys.executable, str(script), str(pids)])
    try:
        assert waited(lambda: len(list(pids.iterdir())) >= 2), "no workers started"
    finally:
        parent.send_signal(signal.SIGKILL)
        parent.wait()
    workers = [int(p.name) for p in pids.iterdir()]
    try:
        assert waited(lambda: all(gone(pid) for pid in workers), 10), "a worker outlived it"
    finally:
        for pid in workers:
            if not gone(pid):
                os.kill(pid, signal.SIGKILL)
