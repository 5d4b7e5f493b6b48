"""Set-up commands: init, completion."""

from __future__ import annotations

from typing import Annotated

import typer

from svctrack.cli.options import (
    HELP_PANEL_SETUP,
)
from svctrack.errors import UsageError

app = typer.Typer()


# --- set up ---------------------------------------------------------------------------------


@app.command(rich_help_panel=HELP_PANEL_SETUP)
def init(
    path: Annotated[str, typer.Argument(help="Folder to create (default: here).")] = ".",
    *,
    name: Annotated[str, typer.Option(help="The firm's or team's name.")] = "",
    lang: Annotated[str, typer.Option("--lang", help="Workspace language: en or ru.")] = "en",
    currency: Annotated[str, typer.Option(help="Default currency (EUR, or RUB for ru).")] = "",
    example: Annotated[
        bool, typer.Option("--example", help="Fill it with a small sample consultancy.")
    ] = False,
) -> None:
    """Create a workspace: svctrack.toml, services/, engagements/ and a .gitignore.

    In a git repository it also has git merge item files with svctrack (.gitattributes, and
    the repository's own config).

    Example: svctrack init my-firm --name "My Firm" --lang en
    """
    from svctrack.git.merge import register
    from svctrack.usecases.workspace import init_workspace

    root = init_workspace(path, name=name, lang=lang, currency=currency, example=example)
    typer.echo(f"created workspace {root}")
    done = register(root)
    if done.attributes is not None or done.config:
        typer.echo("git merges its item files with `svctrack merge-file` (.gitattributes)")


# --- completion -----------------------------------------------------------------------------


@app.command(rich_help_panel=HELP_PANEL_SETUP)
def completion(
    shell: Annotated[str, typer.Argument(metavar="SHELL", help="bash, zsh or fish.")],
) -> None:
    """Print the shell completion script: ids, stages, gate items, fields and channels.

    bash: add `eval "$(svctrack completion bash)"` to ~/.bashrc;
    zsh: add `eval "$(svctrack completion zsh)"` to ~/.zshrc (after compinit);
    fish: svctrack completion fish > ~/.config/fish/completions/svctrack.fish

    Example: svctrack completion bash >> ~/.bashrc
    """
    from typer._completion_shared import get_completion_script

    if shell not in ("bash", "zsh", "fish"):
        raise UsageError(f"no completion for {shell!r}: use bash, zsh or fish")
    script = get_completion_script(
        prog_name="svctrack", complete_var="_SVCTRACK_COMPLETE", shell=shell
    )
    typer.echo(script.strip())
