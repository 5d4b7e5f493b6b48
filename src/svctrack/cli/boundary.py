"""The one error boundary: every failure is one `error:` line on stderr and an exit code."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from typing import Any, NoReturn

import click

from svctrack.cli.context import ARGV, State
from svctrack.cli.lazy import LazyGroup
from svctrack.errors import Broken, SvcError
from svctrack.output.text import oneline


class Boundary(LazyGroup):
    """The root group: runs a command, turns any failure into one line, commits on success."""

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
            fail(*explain(exc))
        except click.exceptions.Abort:  # Ctrl-C at a prompt: the prompt's line is left open
            if sys.stderr.isatty():
                sys.stderr.write("\n")
            fail("aborted", 130)
        except Broken as exc:  # an item whose file holds errors: each is a line, as validate says
            warn_broken(exc.problems)
            sys.exit(exc.exit_code)
        except SvcError as exc:
            fail(*explain(exc))
        except KeyboardInterrupt:
            fail("interrupted; nothing half-written is left behind", 130)
        except BrokenPipeError:
            sys.stderr.close()
            sys.exit(1)
        except Exception as exc:  # the last line of defence: never a traceback
            if os.environ.get("SVCTRACK_DEBUG"):
                raise
            fail(*explain(exc))
        sys.exit(result if isinstance(result, int) else 0)

    def make_context(
        self, info_name: str | None, args: list[str], parent: Any = None, **extra: Any
    ) -> click.Context:
        argv = list(args)  # before parsing takes them: the command line, for the undo journal
        ctx = super().make_context(info_name, args, parent, **extra)
        ctx.meta[ARGV] = argv
        return ctx

    def invoke(self, ctx: click.Context) -> Any:
        try:
            result = super().invoke(ctx)
            if isinstance(ctx.obj, State):
                ctx.obj.commit_changes()  # only after the command succeeded, under its lock
        except KeyboardInterrupt:  # typer would make it a silent exit 130: say it in one line
            raise Interrupted("interrupted; nothing half-written is left behind") from None
        finally:
            if isinstance(ctx.obj, State):
                ctx.obj.close()
        return result


class Interrupted(SvcError):
    """Ctrl-C: exit 130, as shells report a process stopped by SIGINT."""

    exit_code = 130


def explain(exc: Exception) -> tuple[str, int]:
    """What a failure says on its `error:` line, and its exit code: a usage error names the
    `--help` to read, an SvcError gives its hint, anything else is an internal error."""
    if isinstance(exc, click.ClickException):
        ctx = getattr(exc, "ctx", None)  # usage errors know their command; others do not
        command = ctx.command_path if ctx else "svctrack"
        return f"{exc.format_message()} (see `{command} --help`)", exc.exit_code
    if isinstance(exc, SvcError):
        return exc.message + (f"; {exc.hint}" if exc.hint else ""), exc.exit_code
    return f"internal error: {type(exc).__name__}: {exc} (please report it)", 1


def fail(message: str, code: int) -> NoReturn:
    error_line(message)
    sys.exit(code)


def error_line(message: str) -> None:
    """The `error:` line of a failure, on stderr."""
    sys.stderr.write(f"error: {oneline(message)}\n")
    sys.stderr.flush()


def warn_broken(problems: Sequence[SvcError]) -> None:
    for problem in problems:
        sys.stderr.write(f"error: {oneline(problem.message)}\n")
