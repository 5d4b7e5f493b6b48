"""The command line: parse, call the core, hand the result to render or jsonout. Nothing more."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import click
import typer
from typer.core import TyperGroup

from svctrack import __version__
from svctrack.errors import SvcError

if TYPE_CHECKING:
    from svctrack.usecases.tracker import Tracker

HELP_PANEL_SETUP = "Set up"
HELP_PANEL_LIFECYCLE = "Lifecycle"
HELP_PANEL_VIEWS = "Views"
HELP_PANEL_ANALYSIS = "Analysis"
HELP_PANEL_INTEGRATION = "Integration"


class Group(TyperGroup):
    """The one error boundary: every failure is one `error:` line on stderr and an exit code."""

    def main(self, args: Any = None, prog_name: str | None = None, *a: Any, **kw: Any) -> NoReturn:
        kw["standalone_mode"] = False
        if os.environ.get("_SVCTRACK_COMPLETE"):  # the shell asks for completions
            from typer._completion_classes import completion_init

            completion_init()
        try:
            result = super().main(args, prog_name or "svctrack", *a, **kw)
        except click.exceptions.NoArgsIsHelpError as exc:
            click.echo(exc.ctx.get_help())
            sys.exit(0)
        except click.ClickException as exc:
            command = exc.ctx.command_path if getattr(exc, "ctx", None) else "svctrack"
            fail(f"{exc.format_message()} (see `{command} --help`)", exc.exit_code)
        except click.exceptions.Abort:
            fail("aborted", 130)
        except SvcError as exc:
            fail(exc.message + (f"; {exc.hint}" if exc.hint else ""), exc.exit_code)
        except KeyboardInterrupt:
            fail("interrupted; nothing half-written is left behind", 130)
        except BrokenPipeError:
            sys.stderr.close()
            sys.exit(1)
        except Exception as exc:  # the last line of defence: never a traceback
            if os.environ.get("SVCTRACK_DEBUG"):
                raise
            fail(f"internal error: {type(exc).__name__}: {exc} (please report it)", 1)
        sys.exit(result if isinstance(result, int) else 0)

    def invoke(self, ctx: click.Context) -> Any:
        result = super().invoke(ctx)
        if isinstance(ctx.obj, State):
            ctx.obj.commit_changes()  # only after the command succeeded
        return result


def fail(message: str, code: int) -> NoReturn:
    sys.stderr.write(f"error: {_oneline(message)}\n")
    sys.stderr.flush()
    sys.exit(code)


def _oneline(message: str) -> str:
    # A file name or a value from a file may hold escape sequences: shown, never obeyed.
    message = "".join(c if c.isprintable() or c.isspace() else f"\\x{ord(c):02x}" for c in message)
    return " ".join(message.split())


def warn_broken(problems: list[SvcError]) -> None:
    for problem in problems:
        sys.stderr.write(f"error: {_oneline(problem.message)}\n")


root = typer.Typer(
    cls=Group,
    no_args_is_help=True,
    add_completion=False,
    suggest_commands=False,  # click suggests already; typer's would repeat it
    rich_markup_mode="rich",
    context_settings={"help_option_names": ["-h", "--help"]},
    help="Track service realization and client engagements in plain TOML files kept in git.",
)
service_app = typer.Typer(
    no_args_is_help=True, suggest_commands=False, help="Create and list services (offerings)."
)
engagement_app = typer.Typer(
    no_args_is_help=True,
    suggest_commands=False,
    help="Create and list engagements (one client each).",
)
export_app = typer.Typer(
    no_args_is_help=True, suggest_commands=False, help="Write reports, calendars and CSV files."
)
import_app = typer.Typer(
    no_args_is_help=True, suggest_commands=False, help="Bring existing records in."
)
root.add_typer(service_app, name="service", rich_help_panel=HELP_PANEL_SETUP)
root.add_typer(engagement_app, name="engagement", rich_help_panel=HELP_PANEL_SETUP)
root.add_typer(export_app, name="export", rich_help_panel=HELP_PANEL_INTEGRATION)
root.add_typer(import_app, name="import", rich_help_panel=HELP_PANEL_INTEGRATION)


@dataclass
class State:
    """What the global options say, and what is opened lazily from them."""

    workspace: str | None = None
    lang_flag: str | None = None
    color: bool = True
    use_cache: bool = True
    commit: bool | None = None  # --commit/--no-commit; None: SVCTRACK_COMMIT, then the configs
    messages: list[str] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    @cached_property
    def tracker(self) -> Tracker:
        from svctrack.usecases.tracker import Tracker

        return Tracker.open(self.workspace, use_cache=self.use_cache)

    @cached_property
    def lang(self) -> str:
        from svctrack.output.i18n import pick_lang
        from svctrack.storage.store import user_config

        if self.lang_flag:
            return self.lang_flag
        try:  # labels never stop a command: a broken file is reported by the command itself
            workspace = str(self.tracker.config.get("lang", "")) or None
        except SvcError:
            workspace = None
        try:
            user = str(user_config().get("lang", "")) or None
        except SvcError:
            user = None
        return pick_lang(self.lang_flag, workspace, user)

    @cached_property
    def out(self) -> Any:
        from rich.console import Console

        no_color = not self.color or bool(os.environ.get("NO_COLOR"))
        return Console(
            highlight=False, markup=False, emoji=False, no_color=no_color, soft_wrap=False
        )

    @property
    def width(self) -> int:
        return self.out.size.width

    def print(self, *renderables: Any) -> None:
        """Print to the terminal; for a pipe or a file, without the spaces rich pads lines
        with (they would only trail in what scripts grep and files keep)."""
        if self.out.is_terminal:
            self.out.print(*renderables)
            return
        with self.out.capture() as captured:
            self.out.print(*renderables)
        text = "\n".join(line.rstrip() for line in captured.get().split("\n"))
        self.out.file.write(text)

    def changed(self, message: str, why: str = "") -> None:
        """Describe what a write command did, for the commit message: a short `why` goes in
        brackets (`acme: execution → control (client approved)`), a long one in the body."""
        why = why.strip()
        if why and "\n" not in why and len(message) + len(why) <= 69:
            message = f"{message} ({why})"
        elif why:
            message = f"{message}\n\n{why}"
        self.messages.append(message)

    def commit_changes(self) -> None:
        """Commit the files this command wrote, when --commit or the configs ask for it."""
        if "tracker" not in self.__dict__ or not self.tracker.store.written:
            return
        from svctrack.git.ops import commit_wanted

        if commit_wanted(self.commit, self.tracker.config):
            from svctrack.git.ops import commit_change

            sha, subject = commit_change(self.tracker.store, self.messages)
            if sha:
                typer.echo(f"committed {sha}: {subject}", err=True)


def state(ctx: typer.Context) -> State:
    return ctx.ensure_object(State)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"svctrack {__version__}")
        raise typer.Exit()


# Shell completion hooks: tiny, so that only a completing shell imports svctrack.cli.completion.
def _completer(name: str) -> Any:
    def complete(ctx: click.Context, incomplete: str) -> list[tuple[str, str]]:
        from svctrack.cli import completion

        return getattr(completion, name)(ctx, incomplete)

    complete.__name__ = f"complete_{name}"
    return complete


complete_ids = _completer("ids")
complete_services = _completer("services")
complete_stages = _completer("stages")
complete_gates = _completer("gates")
complete_fields = _completer("fields")
complete_channels = _completer("channels")


JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON document for scripts.")]
NoteOpt = Annotated[str, typer.Option("--note", "-m", help="Why; recorded in the history.")]
IdArg = Annotated[
    str,
    typer.Argument(
        metavar="ID", help="Item id, or an unambiguous prefix.", autocompletion=complete_ids
    ),
]


def finish(broken: list[Any]) -> None:
    """After a read command's output: name the files that could not be read, and exit 1."""
    if broken:
        warn_broken(broken)
        raise typer.Exit(1)


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
    if lang is not None and lang not in ("en", "ru"):
        raise click.BadParameter("use en or ru", param_hint="--lang")
    ctx.obj = State(
        workspace=workspace,
        lang_flag=lang,
        color=not no_color,
        use_cache=not no_cache,
        commit=commit,
    )


def main() -> None:
    """Entry point of the `svctrack` command."""
    from svctrack.cli.commands import load

    load(None if os.environ.get("_SVCTRACK_COMPLETE") else command_name(sys.argv[1:]))
    root(prog_name="svctrack")


def __getattr__(name: str) -> Any:
    # `svctrack.cli.app.app` is the whole CLI, every command registered, for tests and embedders;
    # the commands themselves register on `root`, and `main` loads only the one it runs.
    if name == "app":
        from svctrack.cli.commands import load

        load()
        return root
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def command_name(args: list[str]) -> str | None:
    """The command a command line names: its first word that is not a global option."""
    takes_value = {"-C", "--workspace", "--lang"}
    words = iter(args)
    for word in words:
        if word in takes_value:
            next(words, None)
        elif not word.startswith("-"):
            return word
    return None
