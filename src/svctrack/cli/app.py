"""The command line: the root app, its global options and its entry point. Each command lives in
`svctrack.cli.commands` and is imported only when it runs."""

# No postponed annotations: typer reads the global options from them on every run, and would
# compile each from its string first.

import gc
from typing import Annotated

# Importing the command line (click, typer, the root group) makes tens of thousands of objects
# that live as long as the process: the collections their allocations set off meanwhile find
# next to nothing to free (about 10 ms of a write here). So the collector waits until they are
# imported, then leaves them out of its passes (frozen), as it does every object at exit.
_collecting = gc.isenabled()
gc.disable()
try:
    import click
    import typer

    from svctrack import __version__
    from svctrack.cli.boundary import Boundary
    from svctrack.cli.commands import COMMANDS
    from svctrack.cli.context import ARGV, State
finally:
    gc.freeze()
    if _collecting:
        gc.enable()


class Root(Boundary):
    lazy = COMMANDS


root = typer.Typer(
    cls=Root,
    no_args_is_help=True,
    add_completion=False,
    suggest_commands=False,  # click suggests already; typer's would repeat it
    rich_markup_mode="rich",
    context_settings={"help_option_names": ["-h", "--help"]},
    help="Track service realization and client engagements in plain TOML files kept in git.",
)
app = root  # the whole CLI, for tests and embedders


def _version(value: bool) -> None:
    if value:
        typer.echo(f"svctrack {__version__}")
        raise typer.Exit()


@root.callback()
def global_options(
    ctx: typer.Context,
    workspace: Annotated[
        str | None,
        typer.Option(
            "--workspace",
            "-C",
            help="Workspace folder (else SVCTRACK_WORKSPACE, then the nearest svctrack.toml).",
            show_default=False,
        ),
    ] = None,
    lang: Annotated[
        str | None, typer.Option("--lang", help="Labels in en or ru.", show_default=False)
    ] = None,
    no_color: Annotated[
        bool, typer.Option("--no-color", help="No colour, even on a terminal.")
    ] = False,
    no_cache: Annotated[
        bool, typer.Option("--no-cache", help="Parse every file; do not use the read cache.")
    ] = False,
    commit: Annotated[
        bool | None,
        typer.Option(
            "--commit/--no-commit",
            help="Commit each change to git (else SVCTRACK_COMMIT, git.commit, the user config).",
            show_default=False,
        ),
    ] = None,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    """Track service realization and client engagements in plain TOML files kept in git.

    Example: svctrack init my-firm --example && cd my-firm && svctrack status
    """
    if lang is not None:
        from svctrack.domain.fields import lang_problem

        problem = lang_problem(lang)
        if problem:
            raise click.BadParameter(problem, param_hint="--lang")
    ctx.obj = State(
        workspace=workspace,
        lang_flag=lang,
        color=not no_color,
        use_cache=not no_cache,
        commit=commit,
        argv=list(ctx.meta.get(ARGV, [])),
    )


def main() -> None:
    """Entry point of the `svctrack` command."""
    try:
        root(prog_name="svctrack")
    finally:
        # At exit the interpreter would collect every object of every module (about 20 ms of
        # a write here); frozen, they are left to the operating system. Nothing of svctrack's
        # needs a finalizer then: its files are closed, and stdout and stderr are flushed.
        gc.freeze()
