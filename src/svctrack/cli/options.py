"""Options, arguments and completion hooks that the commands share, and the help panels."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import click
import typer

from svctrack.messages import msg

if TYPE_CHECKING:
    from pathlib import Path

HELP_PANEL_SETUP = "Set up"
HELP_PANEL_LIFECYCLE = "Lifecycle"
HELP_PANEL_VIEWS = "Views"
HELP_PANEL_ANALYSIS = "Analysis"
HELP_PANEL_INTEGRATION = "Integration"


def group(name: str, panel: str, help: str) -> typer.Typer:
    """A command group (`service`, `export`, ...) shown in `panel` of `svctrack --help`."""
    app = typer.Typer(name=name, no_args_is_help=True, suggest_commands=False, help=help)
    app.info.rich_help_panel = panel  # typer keeps a panel only through add_typer
    return app


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
complete_modes = _completer("modes")
complete_doc_kinds = _completer("doc_kinds")
complete_doc_statuses = _completer("doc_statuses")


def _json_chosen(ctx: typer.Context, value: bool) -> bool:
    """--json given: the run prints nothing but the document (no progress bar either)."""
    if value:
        from svctrack.cli.context import state

        state(ctx).json = True
    return value


JsonOpt = Annotated[
    bool,
    typer.Option("--json", help="Print one JSON document for scripts.", callback=_json_chosen),
]
NoteOpt = Annotated[str, typer.Option("--note", "-m", help="Why; recorded in the history.")]
IdArg = Annotated[
    str,
    typer.Argument(
        metavar="ID", help="Item id, or an unambiguous prefix.", autocompletion=complete_ids
    ),
]


OwnerOpt = Annotated[
    str | None,
    typer.Option("--owner", metavar="NAME", help="Only the items NAME owns.", show_default=False),
]
MineOpt = Annotated[
    bool,
    typer.Option(
        "--mine",
        help="Only the items you own (you: SVCTRACK_USER, the user config's user, git's"
        " user.name, the login name).",
    ),
]


ModeOpt = Annotated[
    str | None,
    typer.Option(
        "--mode",
        metavar="online|offline|hybrid",
        help="Only the items delivered in this mode.",
        autocompletion=complete_modes,
        show_default=False,
    ),
]


def mode_wanted(mode: str | None) -> str | None:
    """The delivery mode a view keeps (`--mode`), checked by the field's rule; None: every mode."""
    if mode is None:
        return None
    from svctrack.domain.fields import mode_problem

    problem = mode_problem(mode)
    if problem:
        from svctrack.errors import UsageError

        raise UsageError(msg("at_place", place="--mode", message=problem))
    return mode


def owner_wanted(owner: str | None, mine: bool) -> str | None:
    """Whose items a view shows (`--owner NAME`, `--mine`: the current user); None: everyone's."""
    from svctrack.errors import UsageError

    if owner is not None and mine:
        raise UsageError(msg("exclude", a="--owner", b="--mine"))
    if mine:
        from svctrack.usecases.actor import actor

        return actor()
    if owner is not None and not owner.strip():
        raise UsageError(msg("owner_needs_name"))
    return owner


def finish(broken: list[Any]) -> None:
    """After a read command's output: name the files that could not be read, and exit 1."""
    if broken:
        from svctrack.cli.boundary import warn_broken

        warn_broken(broken)
        raise typer.Exit(1)


OutputOpt = Annotated[
    str | None,
    typer.Option(
        "--output",
        "-o",
        metavar="FILE",
        help="Write to FILE, not stdout ('-' is stdout): a file is replaced atomically,"
        " a symbolic link written through, a FIFO or device written to.",
        show_default=False,
    ),
]


def write_output(text: str, output: str | None, workspace: Path) -> str | None:
    """A document to `-o FILE` (svctrack.storage.outfile), never over a file of `workspace`, or
    to stdout.

    A file or a pipe gets the document's exact bytes (CRLF, UTF-8, whatever the data holds).
    A terminal gets inert text instead: control characters from the data are shown (`\\x1b`),
    not obeyed, and CRLF line ends are plain line ends. Returns the path written, for the
    `wrote PATH` line, or None for stdout.
    """
    import sys

    from svctrack.storage import outfile

    if outfile.to_stdout(output) and sys.stdout.isatty():
        from svctrack.output.text import inert

        text = inert(text.replace("\r\n", "\n"))
    path = outfile.write(output, text.encode("utf-8"), workspace=workspace)
    if path is None:
        return None
    from svctrack.output.text import oneline

    return oneline(str(path))


def say(line: str) -> None:
    """A line for the person on stderr; names, values and messages in it may come from the data,
    so it is made inert."""
    from svctrack.cli.context import current_lang
    from svctrack.messages import say as render
    from svctrack.output.text import inert

    typer.echo(inert(render(line, current_lang())), err=True)


KINDS = {"engagements": "engagement", "services": "service"}
KindOpt = Annotated[
    str, typer.Option("--kind", "-k", help="engagements or services.", show_default=True)
]


def kind_of(value: str) -> str:
    """The item kind a --kind value names (plural or singular)."""
    kind = KINDS.get(value) or (value if value in KINDS.values() else None)
    if kind is None:
        from svctrack.errors import UsageError

        raise UsageError(msg("bad_kind", value=repr(value)))
    return kind
