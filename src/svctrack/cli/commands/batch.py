"""`batch`: many commands in one process, under one lock, each line run by the command itself."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from typing import Annotated, BinaryIO

import click
import typer

from svctrack.cli.context import State, state
from svctrack.cli.options import HELP_PANEL_INTEGRATION
from svctrack.messages import msg
from svctrack.storage.paths import CONFIG

app = typer.Typer()

# Lines a batch does not run: what would ask the person (a batch may read its lines from the
# terminal itself), and a batch in a batch.
NOT_IN_A_BATCH = {"batch": "batch_in_batch", "edit": "batch_edit"}  # the messages' keys
# What shlex says of a line it cannot split, as the messages' keys.
_SHLEX = {"No closing quotation": "open_quote", "No escaped character": "lone_backslash"}


@app.command(rich_help_panel=HELP_PANEL_INTEGRATION)
def batch(
    ctx: typer.Context,
    file: Annotated[
        str | None,
        typer.Argument(
            metavar="[FILE]",
            help="The commands, one per line ('-' or none: standard input).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Run many commands, one a line, in one process under one workspace lock.

    A line is a command as you would type it after `svctrack`, split as a shell splits words
    (quotes, backslashes; no variables); `#` starts a comment, blank lines are skipped. A script
    that writes a thousand notes pays one start-up instead of a thousand. Each line is checked
    as the command alone is: a refused line prints one `error: line N: ...` line and changes
    nothing, and the next line runs. Each line is its own change for `undo` (and its own commit
    under --commit). Exit 0 only when every line succeeded, else 1. Global options (-C, --lang,
    --commit) go before `batch`; `edit`, and `delete` without --yes, are refused in a batch.

    Example: grep -v draft todo.txt | svctrack batch -
    """
    s = state(ctx)
    lines = _lines(file)
    root = ctx.find_root()
    group = root.command
    assert isinstance(group, click.Group)
    store = s.tracker.store
    settings = _stat(store.root / CONFIG)
    failed = 0
    # Taken once; each line's own writes find it held, and each asks whether a sync is stopped
    # (as `sync` itself, the batch does not ask: its reads go on while one is).
    with store.locked(sync=True):
        for number, line in lines:
            if isinstance(line, UnicodeDecodeError):
                failed += 1
                _refused(s, number, msg("batch_not_utf8", reason=line.reason, at=line.start))
                continue
            try:
                words = _words(line)
            except ValueError as exc:
                failed += 1
                why = _SHLEX.get(str(exc))
                _refused(s, number, msg("batch_cannot_split", reason=msg(why) if why else str(exc)))
                continue
            if not words:
                continue
            if not _run(s, root, group, words, number):
                failed += 1
            now = _stat(store.root / CONFIG)
            if now != settings:  # a `sync` line pulled new settings
                settings = now
                s.tracker.reread()
        s.next_command([])  # each line was committed after it ran: the boundary has nothing left
    if failed:
        raise typer.Exit(1)


def _lines(file: str | None) -> Iterator[tuple[int, str | UnicodeDecodeError]]:
    """The numbered lines of FILE or standard input, each decoded on its own (a line that is not
    UTF-8 is refused alone). An unreadable FILE is a usage error of `batch` itself."""
    from svctrack.errors import UsageError

    if file is None or file == "-":
        handle: BinaryIO = sys.stdin.buffer
    else:
        from svctrack.storage.atomic import reason

        try:
            handle = open(file, "rb")  # noqa: SIM115  # closed when the lines are read
        except OSError as exc:
            raise UsageError(msg("batch_cannot_read", file=file, reason=reason(exc))) from None
    return _numbered(handle)


def _numbered(handle: BinaryIO) -> Iterator[tuple[int, str | UnicodeDecodeError]]:
    with handle:
        for number, raw in enumerate(handle, 1):
            data = raw.removeprefix(b"\xef\xbb\xbf") if number == 1 else raw
            try:
                yield number, data.decode("utf-8")
            except UnicodeDecodeError as exc:
                yield number, exc


def _words(line: str) -> list[str]:
    """The words of a line as a POSIX shell splits them; ValueError for an open quote."""
    import shlex

    return shlex.split(_uncommented(line))


def _uncommented(line: str) -> str:
    """The line without its comment: from a `#` that starts a word (outside quotes, not after a
    backslash), as in a shell; `C#` and `"a # b"` keep theirs (shlex would cut both)."""
    quote, escaped, word_start = "", False, True
    for at, char in enumerate(line):
        if escaped:
            escaped = False
        elif quote:
            if char == quote:
                quote = ""
            elif char == "\\" and quote == '"':
                escaped = True
            continue
        elif char == "\\":
            escaped = True
        elif char in "'\"":
            quote = char
        elif char == "#" and word_start:
            return line[:at]
        word_start = char.isspace()
    return line


def _run(s: State, root: click.Context, group: click.Group, words: list[str], number: int) -> bool:
    """Run one line through the CLI's own command, as `svctrack WORDS` would; True when it
    succeeded. What it wrote is committed (if commits are wanted) before the next line."""
    from svctrack.cli.boundary import explain
    from svctrack.errors import SvcError, UsageError

    s.next_command(words)
    try:
        if words[0].startswith("-"):
            raise UsageError(msg("batch_option_first", word=words[0]))
        name, command, rest = group.resolve_command(root, words)
        if command is None or name is None:  # resolve_command has refused it already
            raise UsageError(msg("no_such_command", name=repr(words[0])))
        if name in NOT_IN_A_BATCH:
            raise UsageError(msg(NOT_IN_A_BATCH[name]))
        with command.make_context(name, rest, parent=root) as ctx:
            if name == "delete" and not ctx.params.get("yes"):
                raise UsageError(msg("batch_delete_yes"))
            command.invoke(ctx)
        s.commit_changes()
    except click.exceptions.NoArgsIsHelpError as exc:  # `service` alone: its help, as alone
        click.echo(exc.ctx.get_help())
    except click.exceptions.Exit as exc:  # --help, or a read that named broken files
        if exc.exit_code:
            _refused(s, number, msg("batch_failed", word=words[0], code=exc.exit_code))
            return False
    except (click.ClickException, SvcError) as exc:
        _refused(s, number, explain(exc, s.lang)[0])
        return False
    except Exception as exc:  # as the boundary: never a traceback, and the next line runs
        if os.environ.get("SVCTRACK_DEBUG"):
            raise
        _refused(s, number, explain(exc, s.lang)[0])
        return False
    finally:
        s.close_bar()
    return True


def _refused(s: State, number: int, message: str) -> None:
    """`error: line N: ...`: the message in the person's language (a catalogue message, or an
    error line `explain` has already said in it); `error: line N:` the same in every language,
    as scripts read it."""
    from svctrack.cli.boundary import error_line
    from svctrack.messages import say

    error_line(f"line {number}: {say(message, s.lang)}")


def _stat(path: os.PathLike[str]) -> tuple[int, ...]:
    try:
        st = os.stat(path)
    except OSError:
        return ()
    return (st.st_size, st.st_mtime_ns, st.st_ino)
