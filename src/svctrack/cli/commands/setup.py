"""Set-up commands: init, completion."""

from __future__ import annotations

from typing import Annotated

import typer

from svctrack.cli.context import speak
from svctrack.cli.options import (
    HELP_PANEL_SETUP,
)
from svctrack.errors import UsageError
from svctrack.messages import msg

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
    schema: Annotated[
        bool,
        typer.Option(
            "--schema",
            help="Keep JSON Schemas of the files in .svctrack/ and start each new file with a"
            " `#:schema` line, for editors (taplo, VS Code's Even Better TOML).",
        ),
    ] = False,
) -> None:
    """Create a workspace: svctrack.toml, services/, engagements/ and a .gitignore.

    In a git repository it also has git merge item files with svctrack (.gitattributes, and
    the repository's own config).

    Example: svctrack init my-firm --name "My Firm" --lang en
    """
    from svctrack.git.merge import register
    from svctrack.usecases.workspace import init_workspace

    root = init_workspace(
        path, name=name, lang=lang, currency=currency, example=example, schema=schema
    )
    speak(msg("created_workspace", root=root), workspace=lambda: lang)
    done = register(root)
    if done.attributes is not None or done.config:
        speak(msg("merge_registered"), workspace=lambda: lang)


@app.command(rich_help_panel=HELP_PANEL_SETUP)
def schema(
    ctx: typer.Context,
    *,
    output: Annotated[
        str | None,
        typer.Option(
            "--output",
            "-o",
            metavar="DIR",
            help="Write svctrack.schema.json, service.schema.json and engagement.schema.json"
            " into DIR (created if missing), not one document to stdout.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """JSON Schemas (draft 2020-12) of svctrack.toml, service and engagement files, for editors.

    Made from the workspace's own pipelines (its stages, gate items and principles; the defaults
    outside a workspace). Without -o, one JSON document whose keys are the three file names.
    After changing a pipeline in a workspace made with `init --schema`, refresh its copies with
    `svctrack schema -o .svctrack`.

    Example: svctrack schema -o .svctrack
    """
    import os

    from svctrack.cli.context import state
    from svctrack.domain.pipeline import load_pipelines
    from svctrack.errors import NotFound

    s = state(ctx)
    try:
        pipelines = s.tracker.pipelines
    except NotFound:
        if s.workspace or os.environ.get("SVCTRACK_WORKSPACE"):
            raise  # a workspace named and not there: say so
        pipelines = load_pipelines({})
    if output is None:
        from svctrack.output import jsonout
        from svctrack.output.schema import schemas

        jsonout.emit(schemas(pipelines))
        return
    from pathlib import Path

    from svctrack.cli.options import say
    from svctrack.usecases.workspace import write_schemas

    written = write_schemas(Path(output), pipelines)
    for path in written:
        say(msg("wrote", what="", path=path))
    if not written:
        say(msg("schemas_up_to_date", path=output))


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
        raise UsageError(msg("no_completion", shell=repr(shell)))
    script = get_completion_script(
        prog_name="svctrack", complete_var="_SVCTRACK_COMPLETE", shell=shell
    )
    typer.echo(script.strip())
