"""Shell completion through Typer's machinery (`_SVCTRACK_COMPLETE`), in a real workspace."""

from __future__ import annotations

import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import Workspace, cli, run_process
from svctrack.cli.app import app


def complete(line: str, shell: str = "bash", cwd: Path | None = None) -> list[str]:
    """What the shell would offer after `line` (a trailing space starts a new word)."""
    words = shlex.split(line)
    cword = len(words) if line.endswith(" ") else len(words) - 1
    env = {"_SVCTRACK_COMPLETE": f"complete_{shell}"}
    if shell == "bash":
        env |= {"COMP_WORDS": line, "COMP_CWORD": str(cword)}
    else:
        env |= {"_TYPER_COMPLETE_ARGS": line, "_TYPER_COMPLETE_FISH_ACTION": "get-args"}
    result = CliRunner().invoke(app, [], env=env, prog_name="svctrack", catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return [line for line in result.stdout.splitlines() if line]


@pytest.fixture
def busy(firm: Workspace) -> Workspace:
    firm.ok("service", "new", "cloud", "--name", "Cloud migration")
    return firm


def test_ids_come_from_the_workspace(busy: Workspace) -> None:
    root = str(busy.root)
    assert complete(f"svctrack -C {root} show ") == ["audit", "cloud", "acme"]
    assert complete(f"svctrack -C {root} show a") == ["audit", "acme"]
    assert complete(f"svctrack -C {root} advance ac") == ["acme"]


def test_the_workspace_is_found_as_commands_find_it(
    busy: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(busy.root / "engagements")
    assert complete("svctrack show c") == ["cloud"]
    monkeypatch.chdir(busy.root.parent)
    monkeypatch.setenv("SVCTRACK_WORKSPACE", str(busy.root))
    assert complete("svctrack cancel ") == ["audit", "cloud", "acme"]


def test_services_where_a_service_is_wanted(busy: Workspace) -> None:
    root = str(busy.root)
    assert complete(f"svctrack -C {root} engagement new --service ") == ["audit", "cloud"]
    assert complete(f"svctrack -C {root} engagement list -s c") == ["cloud"]


def test_stage_names_of_the_listed_kind(busy: Workspace) -> None:
    root = str(busy.root)
    stages = complete(f"svctrack -C {root} engagement list --stage ")
    assert stages == ["preparation", "execution", "control", "completion", "closed", "cancelled"]
    assert complete(f"svctrack -C {root} service list --stage d") == ["development", "delivery"]


def test_gate_items_and_principles_of_the_named_item(busy: Workspace) -> None:
    root = str(busy.root)
    offered = complete(f"svctrack -C {root} check acme ")
    assert offered[:3] == ["terms-agreed", "resources-assigned", "interaction-agreed"]
    assert "communication" in offered and "trust" in offered  # the eleven of an engagement
    busy.ok("check", "acme", "terms-agreed")
    offered = complete(f"svctrack -C {root} check ac ")  # a prefix names the item too
    assert offered[:3] == ["resources-assigned", "interaction-agreed", "terms-agreed"]
    assert complete(f"svctrack -C {root} uncheck audit market") == ["market-analysis"]
    assert complete(f"svctrack -C {root} check nosuch ") == []


def test_gate_items_need_only_the_named_file(busy: Workspace) -> None:
    (busy.root / "services" / "audit.toml").write_text("stage = [broken\n")
    root = str(busy.root)
    assert complete(f"svctrack -C {root} check acme terms") == ["terms-agreed"]
    assert complete(f"svctrack -C {root} show au") == ["audit"]  # ids are file names
    assert complete(f"svctrack -C {root} check audit ") == []  # quietly nothing


def test_fields_for_set_follow_the_kind(busy: Workspace) -> None:
    root = str(busy.root)
    engagement = complete(f"svctrack -C {root} set acme ")
    assert {"due", "start", "client", "price", "deadline.control"} <= set(engagement)
    assert not any(f.startswith("role.") for f in engagement)
    service = complete(f"svctrack -C {root} set audit ")
    assert "due" not in service and "role.marketing" in service
    assert complete(f"svctrack -C {root} set audit deadline.t") == ["deadline.testing"]


def test_channels_for_note(busy: Workspace) -> None:
    root = str(busy.root)
    assert complete(f"svctrack -C {root} note acme hello --channel ") == [
        "email",
        "call",
        "meeting",
        "chat",
        "other",
    ]
    assert complete(f"svctrack -C {root} note acme hello --channel c") == ["call", "chat"]


def test_modes_for_the_lists(busy: Workspace) -> None:
    root = str(busy.root)
    assert complete(f"svctrack -C {root} engagement list --mode ") == [
        "online",
        "offline",
        "hybrid",
    ]
    assert complete(f"svctrack -C {root} status --mode o") == ["online", "offline"]


def test_commands_and_options_complete(busy: Workspace) -> None:
    assert complete("svctrack ad") == ["advance"]
    assert "--commit" in complete("svctrack --c")


def test_zsh_and_fish_show_labels(busy: Workspace) -> None:
    root = str(busy.root)
    zsh = "\n".join(complete(f"svctrack -C {root} check acme ", shell="zsh"))
    assert '"terms-agreed":"Deadlines and cost agreed"' in zsh
    fish = complete(f"svctrack -C {root} check acme terms", shell="fish")
    assert fish == ["terms-agreed\tDeadlines and cost agreed"]


def test_outside_a_workspace_nothing_is_offered(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert complete("svctrack show ") == []
    assert complete("svctrack -C /nonexistent check x ") == []


def test_completion_in_a_real_process(busy: Workspace) -> None:
    line = "svctrack check acme re"
    done = run_process(
        env={
            "_SVCTRACK_COMPLETE": "complete_bash",
            "COMP_WORDS": line,
            "COMP_CWORD": "3",
            "SVCTRACK_WORKSPACE": str(busy.root),
        }
    )
    assert done.returncode == 0 and done.stderr == ""
    assert done.stdout.split() == ["resources-assigned"]


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_completion_prints_the_script(shell: str) -> None:
    result = cli("completion", shell)
    assert result.code == 0 and "_SVCTRACK_COMPLETE=complete_" + shell in result.out


def test_completion_refuses_other_shells() -> None:
    result = cli("completion", "tcsh")
    assert result.code == 2 and result.err.startswith("error: no completion for 'tcsh'")


def test_normal_starts_do_not_load_completion() -> None:
    code = "import sys, svctrack.cli.app; print('svctrack.cli.completion' in sys.modules)"
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stdout.strip() == "False"
