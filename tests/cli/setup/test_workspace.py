"""Which workspace a command uses, `init`, and the user config."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from conftest import Workspace, cli, run_process
from svctrack.storage.userconfig import user_config_path


def names(result) -> list[str]:
    return [s["id"] for s in result.json()]


def make(tmp_path: Path, name: str, service: str) -> Path:
    root = tmp_path / name
    assert cli("init", str(root)).code == 0
    assert cli("-C", str(root), "service", "new", service, "--name", service).code == 0
    return root


def test_init_writes_config_folders_and_gitignore(tmp_path: Path) -> None:
    result = cli("init", str(tmp_path / "firm"), "--name", "Firm", "--lang", "ru")
    assert result.code == 0
    root = tmp_path / "firm"
    config = (root / "svctrack.toml").read_text()
    assert 'name = "Firm"' in config and 'lang = "ru"' in config and 'currency = "RUB"' in config
    assert (root / "services").is_dir() and (root / "engagements").is_dir()
    ignore = (root / ".gitignore").read_text()
    assert ".svctrack.lock" in ignore and ".*.tmp" in ignore


def test_init_refuses_an_existing_workspace(tmp_path: Path) -> None:
    assert cli("init", str(tmp_path)).code == 0
    before = (tmp_path / "svctrack.toml").read_bytes()
    result = cli("init", str(tmp_path), "--name", "Other")
    assert result.code == 1 and "exists" in result.err
    assert (tmp_path / "svctrack.toml").read_bytes() == before


def test_init_refuses_a_bad_lang(tmp_path: Path) -> None:
    result = cli("init", str(tmp_path / "x"), "--lang", "de")
    assert result.code == 2
    assert not (tmp_path / "x").exists()


def test_order_flag_env_walk_up_user_config(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    a = make(tmp_path, "a", "alpha")
    b = make(tmp_path, "b", "beta")
    c = make(tmp_path, "c", "gamma")
    nested = a / "engagements"
    monkeypatch.chdir(nested)
    assert names(cli("service", "list", "--json")) == ["alpha"]  # walking up from a subfolder
    monkeypatch.setenv("SVCTRACK_WORKSPACE", str(b))
    assert names(cli("service", "list", "--json")) == ["beta"]  # env beats the walk
    assert names(cli("-C", str(c), "service", "list", "--json")) == ["gamma"]  # flag beats env
    monkeypatch.delenv("SVCTRACK_WORKSPACE")
    monkeypatch.chdir(tmp_path)
    result = cli("service", "list")
    assert result.code == 1 and "svctrack init" in result.err
    config = user_config_path()
    config.parent.mkdir(parents=True)
    config.write_text(f'workspace = "{c.as_posix()}"\n')
    assert names(cli("service", "list", "--json")) == ["gamma"]  # the user config comes last


def test_bad_workspace_flag_is_explained(tmp_path: Path) -> None:
    result = cli("-C", str(tmp_path / "nowhere"), "service", "list")
    assert result.code == 1
    assert "svctrack init" in result.err


def test_user_config_names_the_actor(firm: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SVCTRACK_USER")
    config = user_config_path()
    config.parent.mkdir(parents=True)
    config.write_text('user = "Вера"\n')
    firm.ok("note", "acme", "hello")
    assert firm.ok("show", "acme", "--json").json()["notes"][0]["by"] == "Вера"


def test_custom_pipeline_in_workspace(ws: Workspace) -> None:
    config = ws.root / "svctrack.toml"
    config.write_text(
        config.read_text()
        + """
[pipelines.engagement]
principles = ["communication"]
back = { review = "work" }
done = "closed"

[[pipelines.engagement.stages]]
id = "work"
label = "Work"
gates = [{ id = "finished", label = "Finished" }]

[[pipelines.engagement.stages]]
id = "review"
label = "Review"
"""
    )
    ws.ok("service", "new", "s", "--name", "S")
    ws.ok("engagement", "new", "e", "--service", "s", "--client", "C", "--due", "+1w")
    assert ws.ok("show", "e", "--json").json()["stages"] == ["work", "review"]
    assert ws.run("advance", "e").code == 1
    ws.ok("check", "e", "finished")
    ws.ok("advance", "e")
    ws.ok("rework", "e", "--note", "again")
    ws.ok("check", "e", "finished")
    ws.ok("advance", "e")
    ws.ok("advance", "e")
    shown = ws.ok("show", "e", "--json").json()
    assert shown["stage"] == "closed" and shown["progress"] == 1.0


def test_process_exit_codes_and_streams(firm: Workspace) -> None:
    ok = run_process("-C", str(firm.root), "show", "acme", "--json")
    assert ok.returncode == 0 and ok.stderr == "" and '"id": "acme"' in ok.stdout
    refused = run_process("-C", str(firm.root), "advance", "acme")
    assert refused.returncode == 1 and refused.stdout == ""
    assert refused.stderr.startswith("error: ") and refused.stderr.count("\n") == 1
    usage = run_process("-C", str(firm.root), "show", "acme", "--bogus")
    assert usage.returncode == 2 and usage.stderr.startswith("error: ")
    assert "Traceback" not in usage.stderr
    bad_date = run_process("-C", str(firm.root), "set", "acme", "due", "soon")
    assert bad_date.returncode == 2 and bad_date.stderr.startswith("error: not a date")
    version = run_process("--version")
    assert version.returncode == 0 and version.stdout.startswith("svctrack ")


def test_a_run_imports_only_its_own_command_module(firm: Workspace) -> None:
    probe = (
        "import sys\n"
        "from svctrack.cli.app import main\n"
        f"sys.argv = ['svctrack', '-C', {str(firm.root)!r}, *sys.argv[1:]]\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in sys.modules if m.startswith('svctrack.cli.commands.')),"
        " file=sys.stderr)\n"
    )
    for args, module in [
        (["status", "--json"], "views"),
        (["--lang", "ru", "-C", str(firm.root), "note", "acme", "hi"], "lifecycle"),
        (["export", "csv"], "export"),
    ]:
        done = subprocess.run(
            [sys.executable, "-c", probe, *args], capture_output=True, text=True, check=False
        )
        assert done.stderr.strip().splitlines()[-1] == f"['svctrack.cli.commands.{module}']"


def test_every_command_named_in_the_map_is_where_the_map_says() -> None:
    import click
    import typer.main

    from svctrack.cli.app import app
    from svctrack.cli.commands import COMMANDS

    group = typer.main.get_command(app)
    assert isinstance(group, click.Group)
    ctx = click.Context(group)
    assert group.list_commands(ctx) == list(COMMANDS)
    for name, where in COMMANDS.items():
        command = group.get_command(ctx, name)
        assert command is not None and command.name == name
        inner = command.commands.values() if isinstance(command, click.Group) else [command]
        modules = {c.callback.__module__ for c in inner if c.callback}
        assert modules == {where.partition(":")[0]}, name


@pytest.mark.parametrize(
    "args",
    [
        ["--lang", "ru", "status", "--json"],
        ["engagement", "list", "--json"],
        ["export", "csv"],
        ["config", "path"],
        ["checklist", "acme", "--json"],
    ],
)
def test_commands_run_as_processes(firm: Workspace, args: list[str]) -> None:
    done = run_process("-C", str(firm.root), *args)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
