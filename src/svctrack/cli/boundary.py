"""The one error boundary: every failure is one `error:` line on stderr and an exit code."""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Sequence
from typing import Any, NoReturn

import click

from svctrack.cli.context import ARGV, State
from svctrack.cli.lazy import LazyGroup
from svctrack.errors import Broken, FileProblem, SvcError
from svctrack.messages import Msg, msg, say
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
            fail(said(msg("aborted"), user_lang()), 130)
        except Broken as exc:  # an item whose file holds errors: each is a line, as validate says
            warn_broken(exc.problems)
            sys.exit(exc.exit_code)
        except SvcError as exc:
            fail(*explain(exc))
        except KeyboardInterrupt:
            fail(*explain(Interrupted(msg("interrupted"))))
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
        _RUN.clear()  # a new run (tests run many in one process)
        return ctx

    def invoke(self, ctx: click.Context) -> Any:
        try:
            result = super().invoke(ctx)
            if isinstance(ctx.obj, State):
                ctx.obj.commit_changes()  # only after the command succeeded, under its lock
        except KeyboardInterrupt:  # typer would make it a silent exit 130: say it in one line
            raise Interrupted(msg("interrupted")) from None
        finally:
            if isinstance(ctx.obj, State):
                _RUN["state"] = ctx.obj  # the language of a failure is the run's
                ctx.obj.close()
        return result


class Interrupted(SvcError):
    """Ctrl-C: exit 130, as shells report a process stopped by SIGINT."""

    exit_code = 130


_NO_SUCH_COMMAND = re.compile(r"No such command (.+)\.")  # click's words for it


def usage(exc: click.ClickException) -> str:
    """click's common usage errors in the catalogue's words; any other as click words it."""
    param = getattr(exc, "param", None)
    hint = getattr(exc, "param_hint", None)
    if hint is None and param is not None:
        hint = param.get_error_hint(getattr(exc, "ctx", None))
    if hint is not None and not isinstance(hint, str):
        hint = " / ".join(repr(h) for h in hint)
    if isinstance(exc, click.NoSuchOption):
        close = exc.possibilities or []
        meant = msg("did_you_mean", names=", ".join(close), more="") if close else ""
        return msg("no_such_option", name=exc.option_name, meant=meant)
    kind = param.param_type_name if param else ""
    if isinstance(exc, click.MissingParameter) and hint and not exc.message:
        return (
            msg(f"missing_{kind}", hint=hint)
            if kind in ("argument", "option")
            else str(exc.format_message())
        )
    if type(exc) is click.BadParameter and hint:
        return msg("bad_value", hint=hint, message=exc.message)
    if isinstance(exc, click.UsageError) and (named := _NO_SUCH_COMMAND.fullmatch(exc.message)):
        close = getattr(exc, "possibilities", None) or []  # click 8.2's NoSuchCommand
        meant = msg("did_you_mean", names=", ".join(close), more="") if close else ""
        return msg("with_meant", message=msg("no_such_command", name=named[1]), meant=meant)
    return exc.format_message()


_RUN: dict[str, State] = {}  # the State of this run, once the global options are parsed


def user_lang() -> str:
    """The language to speak in: the run's (--lang, SVCTRACK_LANG, the configs), or, when the
    failure came before the options were read, all of that less the flag."""
    state = _RUN.get("state")
    try:
        return (state or State()).lang  # before the options were read: all but the flag
    except Exception:  # the language never hides the error itself
        return "en"


def said(text: str, lang: str) -> str:
    """`text` in `lang`. Under SVCTRACK_STRICT_MESSAGES (the test suite), a text that is not a
    catalogue message fails loudly: every error line must have its Russian form."""
    if not isinstance(text, Msg) and text and os.environ.get("SVCTRACK_STRICT_MESSAGES"):
        raise AssertionError(f"an error message without a catalogue key: {text!r}")
    return say(text, lang)


def explain(exc: BaseException, lang: str | None = None) -> tuple[str, int]:
    """What a failure says on its `error:` line, in the user's language, and its exit code: a
    usage error names the `--help` to read, an SvcError gives its hint, anything else is an
    internal error."""
    lang = lang or user_lang()
    if isinstance(exc, click.ClickException):
        ctx = getattr(exc, "ctx", None)  # usage errors know their command; others do not
        command = ctx.command_path if ctx else "svctrack"
        return said(msg("click_usage", message=usage(exc), command=command), lang), exc.exit_code
    if isinstance(exc, SvcError):
        text = problem_text(exc, lang)
        return text + (f"; {said(exc.hint, lang)}" if exc.hint else ""), exc.exit_code
    detail = msg("internal_error", kind=type(exc).__name__, detail=str(exc))
    return said(detail, lang), 1


def fail(message: str, code: int) -> NoReturn:
    """One `error:` line (already in the user's language, see `explain`), and the exit code."""
    error_line(message)
    sys.exit(code)


def error_line(message: str) -> None:
    """The `error:` line of a failure, on stderr."""
    sys.stderr.write(f"error: {oneline(message)}\n")
    sys.stderr.flush()


def warn_broken(problems: Sequence[SvcError]) -> None:
    lang = user_lang()
    for problem in problems:
        sys.stderr.write(f"error: {oneline(problem_text(problem, lang))}\n")


def problem_text(problem: SvcError, lang: str) -> str:
    """A problem's line in `lang`: a file's place, then what is wrong there."""
    if isinstance(problem, FileProblem):
        location = problem.path + (f":{problem.line}:{problem.column or 1}" if problem.line else "")
        return f"{location}: {said(problem.detail, lang)}"
    return said(problem.message, lang)
