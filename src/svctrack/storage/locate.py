"""Where a problem of an item's content lies in its file: a key, or an entry of an array of
tables, found by its line and column (best effort: the text, not a parse tree)."""

from __future__ import annotations

import re

from svctrack.domain.model import Problem
from svctrack.errors import FileProblem


def file_problems(text: str, rel: str, problems: list[Problem]) -> list[FileProblem]:
    """The problems of the file `rel` holding `text`, each with its line and column."""
    found = []
    for problem in problems:
        line, column = locate(text, problem.key)
        found.append(FileProblem(rel, problem.message, line=line, column=column))
    return found


_ENTRY = re.compile(r"^([A-Za-z0-9_-]+)\[(\d+)\](?:\.(.+))?$")


def locate(text: str, key: str) -> tuple[int, int]:
    """Best-effort 1-based line and column of a dotted key (`stage`, `deadlines.control`) or of
    an entry of an array of tables and a key in it (`history[2]`, `history[2].at`)."""
    if not key:
        return 0, 0
    lines = [line.rstrip("\r") for line in text.split("\n")]
    entry = _ENTRY.match(key)
    if entry:
        return _locate_entry(lines, entry[1], int(entry[2]), entry[3] or "")
    *tables, last = key.split(".")
    start = 0
    if tables:
        header = re.compile(
            r"^\s*\[\s*" + r"\s*\.\s*".join(re.escape(t) for t in tables) + r"\s*\]"
        )
        for number, line in enumerate(lines):
            if header.match(line):
                start = number + 1
                break
    return _key_line(lines, last, start, len(lines))


def _key_line(lines: list[str], key: str, start: int, end: int) -> tuple[int, int]:
    pattern = re.compile(r'^(\s*)["\']?' + re.escape(key) + r'["\']?\s*=')
    for number in range(start, end):
        found = pattern.match(lines[number])
        if found:
            return number + 1, len(found[1]) + 1
    return 0, 0


def _locate_entry(lines: list[str], name: str, number: int, key: str) -> tuple[int, int]:
    """The `number`th `[[name]]` header, or `key` within that entry."""
    header = re.compile(r"^(\s*)\[\[\s*[\"']?" + re.escape(name) + r"[\"']?\s*\]\]")
    starts = [n for n, line in enumerate(lines) if header.match(line)]
    if len(starts) < number:
        return _key_line(lines, name, 0, len(lines))  # an inline array: its line
    start = starts[number - 1]
    if key:
        end = next(
            (n for n in range(start + 1, len(lines)) if lines[n].lstrip().startswith("[")),
            len(lines),
        )
        line, column = _key_line(lines, key, start + 1, end)
        if line:
            return line, column
    found = header.match(lines[start])
    return start + 1, len(found[1]) + 1 if found else 1
