"""Long work shows a progress bar on stderr, for a person at a terminal only: tested through a
real pty. SVCTRACK_PROGRESS_AFTER=0 lets a small workspace show it at once."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from conftest import Workspace, on_a_terminal, run_process

pytestmark = pytest.mark.skipif(not hasattr(os, "openpty"), reason="no pty here")


def _run(
    ws: Workspace, *args: str, pty: bool = True, after: str | None = "0"
) -> tuple[int, str, str]:
    """svctrack with its stderr on a pty (else a pipe): (exit code, stdout, what stderr got)."""
    env = {"TERM": "xterm", "SVCTRACK_PROGRESS_AFTER": after or ""}
    if not pty:
        done = run_process("-C", str(ws.root), *args, env=env)
        return done.returncode, done.stdout, done.stderr
    code, shown, out = on_a_terminal("-C", str(ws.root), *args, stream="stderr", env=env)
    return code, out.decode(), shown.decode("utf-8", "replace")


@pytest.fixture
def sheet(firm: Workspace) -> Path:
    path = firm.root.parent / "clients.csv"
    path.write_text("client,service,due\nZarya,audit,2027-01-31\nKaskad,audit,2027-02-28\n")
    return path


@pytest.mark.parametrize(
    ("args", "what"),
    [
        (("validate",), "checking files"),
        (("--no-cache", "status"), "reading files"),  # every file parsed, as in a cold cache
        (("report",), "reading files"),
        (("export", "site", "-o", "{tmp}/site"), "pages"),
    ],
)
def test_a_bar_shows_on_a_terminal(firm: Workspace, args: tuple[str, ...], what: str) -> None:
    args = tuple(a.replace("{tmp}", str(firm.root.parent)) for a in args)
    code, _, err = _run(firm, *args)
    assert code == 0, err
    assert what in err
    assert re.search(rf"{what} .* \d+/\d+ ", err)  # the bar: what, how far, how many


def test_import_csv_shows_a_bar(firm: Workspace, sheet: Path) -> None:
    code, _, err = _run(firm, "import", "csv", str(sheet))
    assert code == 0, err
    assert "importing" in err or "reading files" in err


@pytest.mark.parametrize(
    "args",
    [("validate",), ("--no-cache", "status"), ("report",)],
)
def test_no_bar_in_a_pipe(firm: Workspace, args: tuple[str, ...]) -> None:
    code, _, err = _run(firm, *args, pty=False)
    assert code == 0, err
    for what in ("checking files", "reading files", "\x1b["):
        assert what not in err


@pytest.mark.parametrize(
    "args",
    [("validate", "--json"), ("--no-cache", "status", "--json"), ("report", "--json")],
)
def test_no_bar_with_json_even_on_a_terminal(firm: Workspace, args: tuple[str, ...]) -> None:
    code, out, err = _run(firm, *args)
    assert code == 0, err
    assert err.strip() == ""
    assert out.startswith(("{", "["))


def test_work_quicker_than_a_second_shows_nothing(firm: Workspace) -> None:
    code, _, err = _run(firm, "validate", after=None)
    assert code == 0, err
    assert "checking files" not in err
    assert err.strip() == "0 errors, 0 warnings"
