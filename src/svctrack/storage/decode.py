"""Reading a TOML file: bytes to text (BOM, UTF-8, size) and text to data, with a location
for every problem (a conflict marker, a syntax error, too deep a nesting)."""

from __future__ import annotations

import re
import sys
from decimal import Decimal
from typing import Any

from svctrack.errors import FileProblem
from svctrack.messages import msg
from svctrack.tomlparse import tomllib

MAX_BYTES = 1 << 20


BOM = "\ufeff"


_POSITION = re.compile(r"\s*\(at line (\d+), column (\d+)\)\s*$")


_MARKER = re.compile(r"^(<{7}|\|{7}|={7}|>{7})(?: |\r?$)")


MAX_DEPTH = 50  # arrays and tables in one another; tomlkit, which writes, stops at 100


def decode(raw: bytes, path: str) -> tuple[str, bool]:
    """The text of a file and whether it began with a UTF-8 BOM; refuses other encodings."""
    if len(raw) > MAX_BYTES:
        raise FileProblem(path, msg("too_big", size=len(raw), limit=MAX_BYTES))
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff") or (raw[1:2] == b"\0" or raw[:1] == b"\0"):
        raise FileProblem(path, msg("utf16"), hint=msg("save_utf8"))
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        before = raw[raw.rfind(b"\n", 0, exc.start) + 1 : exc.start]
        column = len(before.decode("utf-8", "replace")) + 1  # characters, not bytes
        raise FileProblem(
            path,
            msg("not_utf8"),
            line=line,
            column=column,
            hint=msg("save_utf8"),
        ) from None
    if text.startswith(BOM):
        return text[1:], True
    return text, False


def parse_text(text: str, path: str, *, exact: bool = True) -> dict[str, Any]:
    """Parse TOML text; errors name the line and column, or the merge-conflict marker."""
    try:
        data = tomllib.loads(text, parse_float=Decimal if exact else float)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        found = _POSITION.search(message)
        line, column = (int(found[1]), int(found[2])) if found else (0, 0)
        message = _POSITION.sub("", message).replace(" (at end of document)", "")
        if not found and "end of document" in str(exc):
            line = text.count("\n") + 1
            column = len(text) - (text.rfind("\n") + 1) + 1
        conflict = _conflict(text, line)
        if conflict:
            raise FileProblem(
                path,
                msg("conflict_markers"),
                line=conflict,
                column=1,
                hint=msg("conflict_markers_hint"),
            ) from None
        raise FileProblem(
            path, msg("invalid_toml", reason=message), line=line, column=column
        ) from None
    except RecursionError:
        raise FileProblem(path, msg("too_deep", depth=MAX_DEPTH)) from None
    except ValueError:  # an integer longer than Python converts
        limit = sys.get_int_max_str_digits()
        found = re.search(f"[0-9_]{{{limit},}}", text)
        line = text.count("\n", 0, found.start()) + 1 if found else 0
        column = found.start() - text.rfind("\n", 0, found.start()) if found else 0
        message = msg("too_many_digits", limit=limit)
        raise FileProblem(path, message, line=line, column=column) from None
    deep = _too_deep(data) if _may_be_deep(text) else None
    if deep is not None:
        where = re.compile(r"^\s*(?:\[+\s*)?[\"']?" + re.escape(deep) + r"[\"']?\s*[=.\]]")
        line = next((n for n, row in enumerate(text.split("\n"), 1) if where.match(row)), 0)
        raise FileProblem(path, msg("key_too_deep", key=deep, depth=MAX_DEPTH), line=line, column=1)
    return data


def _conflict(text: str, line: int) -> int:
    """When the parse error is on a git conflict marker line, the line of the `<<<<<<<` that
    opens that conflict; else 0 (`=======` inside a multi-line string is no conflict)."""
    lines = text.split("\n")
    if not 1 <= line <= len(lines) or not _MARKER.match(lines[line - 1]):
        return 0
    return next((n for n in range(line, 0, -1) if lines[n - 1].startswith("<" * 7)), line)


# A line that is only `[[key]]` (a bare key): an array of tables' header, a line of a multi-line
# string, or an array of an array of one number or boolean within a multi-line array value.
# Sought after a newline (the first line is left out): five times faster than `^` in MULTILINE.
_ENTRY_HEADER = re.compile(r"\n\[\[[A-Za-z0-9_-]+\]\]\r?(?=\n|\Z)")


def _may_be_deep(text: str) -> bool:
    """Whether `text` has the characters to nest values more than MAX_DEPTH deep: each array or
    table within another needs a `[` (an array, a table's header), a `{` (an inline table) or a
    `.` (a dotted key) of its own, so a file with no more than MAX_DEPTH of them needs no walk
    of its data. The `[[history]]` lines of an item count once, not each: a path from the top
    goes through one top-level key, so through the two levels of one such header at most, and
    through one such line within a value at most (its arrays hold a number, nothing deeper);
    a line of a string nests nothing. That leaves the walk to none of the generated files."""
    marks = text.count(".") + text.count("[") + text.count("{")
    if marks <= MAX_DEPTH:
        return False
    lines = len(_ENTRY_HEADER.findall(text))
    return marks - 2 * lines + 2 * min(lines, 2) > MAX_DEPTH


def _too_deep(data: dict[str, Any]) -> str | None:
    """The top-level key under which values nest deeper than MAX_DEPTH, if any (the last such
    key of the file)."""
    for key, value in reversed(data.items()):
        if (type(value) is dict or type(value) is list) and _nests(value, MAX_DEPTH):
            return key
    return None


def _nests(value: dict[str, Any] | list[Any], room: int) -> bool:
    """Whether arrays and tables nest in `value` (itself one) more than `room` deep; only they
    are walked into (a recursion at most MAX_DEPTH deep: parsed TOML holds only dicts and lists
    as containers)."""
    if not room:
        return True
    for inner in value.values() if type(value) is dict else value:
        if (type(inner) is dict or type(inner) is list) and _nests(inner, room - 1):
            return True
    return False


def parse(raw: bytes, path: str) -> dict[str, Any]:
    """Decode and parse the bytes of a TOML file."""
    return parse_text(decode(raw, path)[0], path)
