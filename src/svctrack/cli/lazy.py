"""A group whose commands are imported when they are run, not at start-up.

Typer builds every registered command when the app starts; building all of svctrack's costs
tens of milliseconds, so the root group maps each command name to the module that holds it and
builds only the one a run needs (all of them for `--help` and completion).
"""

from __future__ import annotations

from importlib import import_module
from typing import Any, ClassVar

import click
import typer.main
from typer.core import TyperGroup

_built: dict[str, click.Group] = {}


class LazyGroup(TyperGroup):
    """`lazy` maps a command name to "module:attr", a Typer in that module. A Typer with the
    command's own name is the command (a group such as `service`); any other holds it."""

    lazy: ClassVar[dict[str, str]] = {}

    def list_commands(self, ctx: click.Context) -> list[str]:
        return [*super().list_commands(ctx), *(n for n in self.lazy if n not in self.commands)]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.commands or cmd_name not in self.lazy:
            return super().get_command(ctx, cmd_name)
        group = _build(self.lazy[cmd_name])
        return group if group.name == cmd_name else group.commands.get(cmd_name)


def _build(spec: str) -> click.Group:
    if spec not in _built:
        module, _, attr = spec.partition(":")
        app: Any = getattr(import_module(module), attr)
        group = typer.main.get_group(app)
        panel = app.info.rich_help_panel  # set by options.group; typer reads it only in add_typer
        if isinstance(panel, str):
            group.rich_help_panel = panel
        _built[spec] = group
    return _built[spec]
