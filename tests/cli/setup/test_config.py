"""`svctrack config` over the user config file, its order against flags and environment,
and the courtesies every command owes: --help with an example, --version, NO_COLOR."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import click
import pytest
import typer

from conftest import Workspace, cli, run_process
from svctrack.cli.app import app
from svctrack.storage.userconfig import user_config_path


def test_path_is_in_the_user_config_dir(isolated: Path) -> None:
    result = cli("config", "path")
    assert result.code == 0
    assert Path(result.out.strip()) == isolated / "config" / "svctrack" / "config.toml"
    assert Path(result.out.strip()) == user_config_path()


def test_set_get_list_unset() -> None:
    assert cli("config", "set", "user", "Анна Петрова").out == "user = Анна Петрова\n"
    assert cli("config", "set", "commit", "yes").out == "commit = true\n"
    assert cli("config", "get", "user").out == "Анна Петрова\n"
    assert cli("config", "get", "commit").out == "true\n"
    assert cli("config", "list").out == "user = Анна Петрова\ncommit = true\n"
    assert cli("config", "list", "--json").json() == {"user": "Анна Петрова", "commit": True}
    assert cli("config", "unset", "user").code == 0
    missing = cli("config", "get", "user")
    assert missing.code == 1 and missing.err.startswith("error: user is not set")
    assert "svctrack config set user" in missing.err


def test_comments_and_other_keys_are_kept() -> None:
    path = user_config_path()
    path.parent.mkdir(parents=True)
    path.write_text('# my settings\ntheme = "dark"  # not svctrack\'s\n')
    cli("config", "set", "lang", "ru")
    assert path.read_text() == '# my settings\ntheme = "dark"  # not svctrack\'s\nlang = "ru"\n'


def test_bad_keys_and_values() -> None:
    unknown = cli("config", "set", "usr", "x")
    assert unknown.code == 2 and "did you mean user?" in unknown.err
    assert cli("config", "set", "commit", "maybe").code == 2
    assert cli("config", "set", "lang", "de").code == 2
    assert not user_config_path().exists()  # nothing half-written


def test_a_broken_config_file_is_reported() -> None:
    path = user_config_path()
    path.parent.mkdir(parents=True)
    path.write_text("user = \n")
    result = cli("config", "set", "user", "x")
    assert result.code == 1 and "invalid TOML" in result.err
    assert path.read_text() == "user = \n"


def test_workspace_key_and_what_overrides_it(
    ws: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    refused = cli("config", "set", "workspace", str(tmp_path / "nowhere"))
    assert refused.code == 1 and "svctrack init" in refused.err
    ws.ok("service", "new", "mine", "--name", "Mine")
    monkeypatch.chdir(tmp_path)
    assert cli("config", "set", "workspace", "ws").code == 0  # stored absolute
    assert cli("config", "get", "workspace").out.strip() == str(ws.root)
    assert [s["id"] for s in cli("service", "list", "--json").json()] == ["mine"]
    other = tmp_path / "other"
    assert cli("init", str(other)).code == 0
    monkeypatch.setenv("SVCTRACK_WORKSPACE", str(other))  # the environment beats the config
    assert cli("service", "list", "--json").json() == []
    assert cli("-C", str(ws.root), "service", "list", "--json").json()[0]["id"] == "mine"


def test_user_key_names_the_actor_unless_the_environment_does(
    ws: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SVCTRACK_USER")
    cli("config", "set", "user", "Ольга")
    ws.ok("service", "new", "a", "--name", "A")
    assert ws.ok("show", "a", "--json").json()["history"][0]["by"] == "Ольга"
    monkeypatch.setenv("SVCTRACK_USER", "Igor")
    ws.ok("service", "new", "b", "--name", "B")
    assert ws.ok("show", "b", "--json").json()["history"][0]["by"] == "Igor"


def test_lang_key_applies_when_the_workspace_sets_none(ws: Workspace) -> None:
    config = ws.root / "svctrack.toml"
    config.write_text(config.read_text().replace('lang = "en"\n', ""))
    ws.ok("service", "new", "a", "--name", "A")
    cli("config", "set", "lang", "ru")
    assert "Подготовка и планирование" in ws.ok("show", "a").out
    assert "Preparation and planning" in ws.ok("--lang", "en", "show", "a").out


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_commit_key_and_its_order(firm: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    for var, value in {
        "GIT_AUTHOR_NAME": "T",
        "GIT_AUTHOR_EMAIL": "t@example.com",
        "GIT_COMMITTER_NAME": "T",
        "GIT_COMMITTER_EMAIL": "t@example.com",
    }.items():
        monkeypatch.setenv(var, value)
    monkeypatch.delenv("SVCTRACK_COMMIT", raising=False)
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "start"]):
        subprocess.run(["git", *args], cwd=firm.root, check=True, capture_output=True)

    def last() -> str:
        return subprocess.run(
            ["git", "log", "-1", "--format=%s"],
            cwd=firm.root,
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()

    cli("config", "set", "commit", "true")
    firm.ok("set", "acme", "contract", "C-1")
    assert last() == "acme: contract = C-1"  # the user config asks
    firm.ok("--no-commit", "set", "acme", "contract", "C-2")  # the flag beats it
    assert last() == "acme: contract = C-1"
    monkeypatch.setenv("SVCTRACK_COMMIT", "0")  # so does the environment
    firm.ok("set", "acme", "contract", "C-3")
    assert last() == "acme: contract = C-1"
    monkeypatch.delenv("SVCTRACK_COMMIT")
    config = firm.root / "svctrack.toml"
    config.write_text(config.read_text() + "\n[git]\ncommit = false\n")  # the team's choice wins
    firm.ok("set", "acme", "contract", "C-4")
    assert last() == "acme: contract = C-1"


# --- courtesies -----------------------------------------------------------------------------


def leaves(command: click.Command, path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    if isinstance(command, click.Group):
        found = []
        ctx = click.Context(command)
        for name in command.list_commands(ctx):
            sub = command.get_command(ctx, name)
            assert sub is not None, name
            found += leaves(sub, (*path, name))
        return found
    return [path]


COMMANDS = leaves(typer.main.get_command(app))


@pytest.mark.parametrize("path", COMMANDS, ids=[" ".join(p) for p in COMMANDS])
def test_every_command_has_help_with_an_example(path: tuple[str, ...]) -> None:
    result = cli(*path, "--help")
    assert result.code == 0
    assert "Example: " in result.out


def test_integration_commands_are_in_their_panel() -> None:
    out = cli("--help").out
    panel = out[out.index("Integration") :]
    for name in ("edit", "sync", "history", "export", "import"):
        assert f" {name} " in panel


def test_version_and_python_m() -> None:
    from svctrack import __version__

    assert cli("--version").out == f"svctrack {__version__}\n"
    done = run_process("--version")
    assert done.returncode == 0 and done.stdout == f"svctrack {__version__}\n"


def colours(text: str) -> list[str]:
    """SGR colour codes (foreground, background); bold and dim are not colour (no-color.org)."""
    codes = re.findall(r"\x1b\[([0-9;]*)m", text)
    found = []
    for code in codes:
        parts = code.split(";")
        found += [
            p for p in parts if p in ("38", "48") or (p[:1] in ("3", "4", "9") and len(p) == 2)
        ]
    return found


def test_no_color_flag_and_environment(firm: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_COLOR")
    firm.ok("set", "acme", "deadline.preparation", "2026-11-20")  # overdue: in colour on a terminal
    env = {"FORCE_COLOR": "1", "TERM": "xterm-256color"}
    coloured = run_process("-C", str(firm.root), "status", env=env)
    assert colours(coloured.stdout)
    plain = run_process("-C", str(firm.root), "--no-color", "status", env=env)
    assert plain.returncode == 0 and not colours(plain.stdout)
    honoured = run_process("-C", str(firm.root), "status", env={**env, "NO_COLOR": "1"})
    assert not colours(honoured.stdout)


def test_config_values_are_shown_inert(monkeypatch: pytest.MonkeyPatch) -> None:
    from svctrack.storage.userconfig import user_config_path

    path = user_config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text('user = "Anna\\u001b[2J"\n', encoding="utf-8")
    for args in (("config", "get", "user"), ("config", "list")):
        out = cli(*args).out
        assert "\x1b" not in out and "Anna\\x1b[2J" in out
