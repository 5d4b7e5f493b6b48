"""One hierarchy of errors; each knows its exit code and, where it has one, its location."""

from __future__ import annotations

from typing import Any


class SvcError(Exception):
    """A refusal or failure the user must see: one line, exit code 1."""

    exit_code = 1

    def __init__(self, message: str, *, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message


class UsageError(SvcError):
    """Bad usage: a malformed date, number or value on the command line (exit 2)."""

    exit_code = 2


class NotFound(SvcError):
    """No item, or no workspace, where one was named."""


class Refused(SvcError):
    """A transition or change the rules do not allow."""


class LockTimeout(SvcError):
    """Another svctrack process holds the workspace lock for too long."""


class FileProblem(SvcError):
    """A file that cannot be read or does not hold what svctrack expects."""

    def __init__(
        self, path: str, message: str, *, line: int = 0, column: int = 0, hint: str = ""
    ) -> None:
        self.path = path
        self.line = line
        self.column = column
        location = path
        if line:
            location += f":{line}:{column or 1}"
        super().__init__(f"{location}: {message}", hint=hint)
        self.location = location
        self.detail = message

    def __reduce__(self) -> tuple[Any, ...]:
        kwargs = {"line": self.line, "column": self.column, "hint": self.hint}
        return (_file_problem, (self.path, self.detail, kwargs))


class Broken(SvcError):
    """An item whose file holds what `validate` calls errors. Read commands name every one of
    them (`problems`, one `error:` line each); the message is the first, for one-line use."""

    def __init__(self, problems: list[FileProblem]) -> None:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        super().__init__(problems[0].message + more, hint="see `svctrack validate`")
        self.problems = problems

    def __reduce__(self) -> tuple[Any, ...]:
        return (Broken, (self.problems,))


def _file_problem(path: str, message: str, kwargs: dict[str, Any]) -> FileProblem:
    return FileProblem(path, message, **kwargs)
