"""A group whose commands are imported when they are run, not at start-up.

Typer builds every registered command when the app starts; building all of svctrack's costs
tens of milliseconds, so the root group maps each command name to the module that holds it and
builds only the one a run needs (all of them for `--help` and completion). A module holds
several commands (`lifecycle`: advance, check, note...): only the one asked for is built, as
building one means reading its signature and making a click parameter of each of its options.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any, ClassVar

import click
import typer.main
from typer.core import TyperGroup

_built: dict[tuple[str, str], click.Command | None] = {}


class LazyGroup(TyperGroup):
    """`lazy` maps a command name to "module:attr", a Typer in that module. A Typer with the
    command's own name is the command (a group such as `service`); any other holds it."""

    lazy: ClassVar[dict[str, str]] = {}

    def list_commands(self, ctx: click.Context) -> list[str]:
        return [*super().list_commands(ctx), *(n for n in self.lazy if n not in self.commands)]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.commands or cmd_name not in self.lazy:
            return super().get_command(ctx, cmd_name)
        return _build(self.lazy[cmd_name], cmd_name)


def _build(spec: str, name: str) -> click.Command | None:
    """The command `name` of the Typer at `spec`: that Typer as a group when it bears the name,
    else the one command of it that does (None if none does)."""
    if (spec, name) not in _built:
        module, _, attr = spec.partition(":")
        app: Any = getattr(import_module(module), attr)
        if app.info.name == name:
            group = typer.main.get_group(app)
            panel = app.info.rich_help_panel  # set by options.group; typer reads it in add_typer
            if isinstance(panel, str):
                group.rich_help_panel = panel
            _built[spec, name] = group
        else:
            _built[spec, name] = next(
                (
                    typer.main.get_command_from_info(
                        info,
                        pretty_exceptions_short=app.pretty_exceptions_short,
                        rich_markup_mode=app.rich_markup_mode,
                    )
                    for info in app.registered_commands
                    if (info.name or typer.main.get_command_name(info.callback.__name__)) == name
                ),
                None,
            )
    return _built[spec, name]
