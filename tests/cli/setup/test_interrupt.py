"""Ctrl-C: one line on stderr, exit 130, nothing half-written."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from conftest import Workspace


def test_ctrl_c_while_waiting_for_the_lock_is_one_line_and_exit_130(firm: Workspace) -> None:
    before = firm.snapshot()
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time\n"
            "from pathlib import Path\n"
            "from svctrack.storage.store import Store\n"
            "with Store(Path(sys.argv[1])).locked():\n"
            "    print('locked', flush=True)\n"
            "    time.sleep(60)\n",
            str(firm.root),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "locked\n"
        waiter = subprocess.Popen(
            [sys.executable, "-m", "svctrack", "-C", str(firm.root), "note", "acme", "late"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "SVCTRACK_LOCK_TIMEOUT": "60"},
        )
        time.sleep(1.5)  # started, and waiting for the lock
        waiter.send_signal(signal.SIGINT)
        out, err = waiter.communicate(timeout=30)
    finally:
        holder.kill()
        holder.wait()
    assert waiter.returncode == 130
    assert err.splitlines() == ["error: interrupted; nothing half-written is left behind"]
    assert out == ""
    assert firm.snapshot() == before
