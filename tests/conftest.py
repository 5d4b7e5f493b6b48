"""Every test runs in its own world: user dirs in tmp, a fixed today, no colour, a fixed width."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from typer.testing import CliRunner

from svctrack.cli.app import app  # the whole CLI, every command registered

TODAY = "2026-11-26"

# Hypothesis: a quick run by default (the whole suite stays within a few minutes on 2 cores);
# SVCTRACK_EXAMPLES=500 (or HYPOTHESIS_PROFILE=thorough) for a longer hunt.
EXAMPLES = int(os.environ.get("SVCTRACK_EXAMPLES", "0")) or None
_QUIET = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
settings.register_profile("fast", max_examples=40, deadline=None, suppress_health_check=_QUIET)
settings.register_profile(
    "thorough", max_examples=EXAMPLES or 500, deadline=None, suppress_health_check=_QUIET
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "thorough" if EXAMPLES else "fast"))
REPO = Path(__file__).resolve().parent.parent  # the repository's root folder


@pytest.fixture(autouse=True)
def isolated(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / "cache"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))  # the undo journal
    monkeypatch.setenv("SVCTRACK_TODAY", TODAY)
    monkeypatch.setenv("SVCTRACK_USER", "tester")
    monkeypatch.setenv("COLUMNS", "120")
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    monkeypatch.setenv(
        "SVCTRACK_STRICT_MESSAGES", "1"
    )  # an error line without a Russian form fails
    monkeypatch.delenv("SVCTRACK_LANG", raising=False)
    for var in ("SVCTRACK_WORKSPACE", "LC_ALL", "LC_MESSAGES", "SVCTRACK_DEBUG"):
        monkeypatch.delenv(var, raising=False)
    return home


@dataclass
class Result:
    code: int
    out: str
    err: str

    def json(self) -> object:
        return json.loads(self.out)


@dataclass
class Workspace:
    root: Path

    def run(self, *args: str) -> Result:
        """Run svctrack in this workspace through CliRunner."""
        return cli("-C", str(self.root), *args)

    def ok(self, *args: str) -> Result:
        result = self.run(*args)
        assert result.code == 0, f"{args}: {result.err or result.out}"
        return result

    def file(self, item_id: str) -> Path:
        for folder in ("services", "engagements"):
            path = self.root / folder / f"{item_id}.toml"
            if path.exists():
                return path
        raise AssertionError(f"no file for {item_id}")

    def text(self, item_id: str) -> str:
        return self.file(item_id).read_text("utf-8")

    def snapshot(self) -> dict[str, bytes]:
        """Every file of the workspace, byte for byte."""
        return {
            str(p.relative_to(self.root)): p.read_bytes()
            for p in sorted(self.root.rglob("*"))
            if p.is_file() and p.name != ".svctrack.lock"
        }


def cli(*args: str) -> Result:
    runner = CliRunner()
    result = runner.invoke(app, list(args), catch_exceptions=False)
    return Result(result.exit_code, result.stdout, result.stderr)


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    """An empty English workspace."""
    result = cli(
        "init", str(tmp_path / "ws"), "--name", "Test Firm", "--lang", "en", "--currency", "EUR"
    )
    assert result.code == 0, result.err
    return Workspace(tmp_path / "ws")


@pytest.fixture
def firm(ws: Workspace) -> Workspace:
    """A workspace with one service and one engagement at the first stages (so a pilot, and
    said to be one: `--pilot`)."""
    ws.ok("service", "new", "audit", "--name", "Security audit", "--owner", "anna")
    ws.ok(
        "engagement", "new", "acme", "--service", "audit", "--client", "ACME",
        "--due", "2026-12-15", "--pilot",
    )  # fmt: skip
    return ws


def run_process(
    *args: str, cwd: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run svctrack as a real process (for exit codes, stdout vs stderr, concurrency)."""
    return subprocess.run(
        [sys.executable, "-m", "svctrack", *args],
        cwd=cwd,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def heavy_imports(root: Path, *args: str, watch: tuple[str, ...] = ("rich", "tomlkit")) -> str:
    """Run svctrack in a fresh interpreter and say which of the modules `watch` it imported:
    `LOADED []` is what a `--json` read must print of rich and tomlkit."""
    probe = (
        "import sys\n"
        "from svctrack.cli.app import main\n"
        f"sys.argv = ['svctrack', '-C', {str(root)!r}, *sys.argv[1:]]\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        f"loaded = sorted(m for m in {watch!r} if m in sys.modules)\n"
        "print('LOADED', loaded, file=sys.stderr)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe, *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    return done.stderr


def on_a_terminal(
    *args: str, stream: str = "stdout", env: dict[str, str] | None = None
) -> tuple[int, bytes, bytes]:
    """Run svctrack as a real process with `stream` ("stdout" or "stderr") on a pseudo-terminal:
    the exit code, what the terminal got, and what the other stream (a pipe) got."""
    import tempfile

    leader, follower = os.openpty()
    with tempfile.TemporaryFile() as other:
        try:
            process = subprocess.Popen(
                [sys.executable, "-m", "svctrack", *args],
                stdin=subprocess.DEVNULL,
                stdout=follower if stream == "stdout" else other,
                stderr=follower if stream == "stderr" else other,
                env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path), **(env or {})},
            )
            os.close(follower)
            shown = b""
            while True:
                try:
                    chunk = os.read(leader, 65536)
                except OSError:  # EIO: the process closed the terminal
                    break
                if not chunk:
                    break
                shown += chunk
            code = process.wait(timeout=120)
        finally:
            os.close(leader)
        other.seek(0)
        return code, shown, other.read()


GIT_IDENTITY = {
    "GIT_AUTHOR_NAME": "Anna Petrova",
    "GIT_AUTHOR_EMAIL": "anna@example.com",
    "GIT_COMMITTER_NAME": "Anna Petrova",
    "GIT_COMMITTER_EMAIL": "anna@example.com",
    "GIT_CONFIG_NOSYSTEM": "1",
}


@pytest.fixture
def git_identity(monkeypatch: pytest.MonkeyPatch) -> None:
    """A git identity from the environment (never the user's config); svctrack's own commit
    setting unset. Git tests ask for it with `pytest.mark.usefixtures("git_identity")`."""
    for var, value in GIT_IDENTITY.items():
        monkeypatch.setenv(var, value)
    monkeypatch.delenv("SVCTRACK_COMMIT", raising=False)
