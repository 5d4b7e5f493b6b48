"""A written file keeps the bytes of every line the change did not touch: the document tomlkit
writes is merged back into the original line by line."""

from __future__ import annotations


def _lines(text: str) -> list[str]:
    """Lines with their endings; only LF ends a line (a CR before it stays with the line)."""
    parts = text.split("\n")
    return [part + "\n" for part in parts[:-1]] + ([parts[-1]] if parts[-1] else [])


def _ending(text: str) -> str:
    """The line ending most lines of `text` have: CRLF or LF."""
    return "\r\n" if 2 * text.count("\r\n") > text.count("\n") else "\n"


def _squeeze(line: str) -> str:
    return "".join(line.split())


def _opcodes(a: list[str], b: list[str]) -> list[tuple[str, int, int, int, int]]:
    """difflib's opcodes from `a` to `b`, fast when they share a long head and tail."""
    head = 0
    while head < min(len(a), len(b)) and a[head] == b[head]:
        head += 1
    tail = 0
    while tail < min(len(a), len(b)) - head and a[-1 - tail] == b[-1 - tail]:
        tail += 1
    codes = [("equal", 0, head, 0, head)] if head else []
    import difflib  # writes only: reads never pay for it

    middle = difflib.SequenceMatcher(None, a[head : len(a) - tail], b[head : len(b) - tail], False)
    for tag, i1, i2, j1, j2 in middle.get_opcodes():
        codes.append((tag, head + i1, head + i2, head + j1, head + j2))
    if tail:
        codes.append(("equal", len(a) - tail, len(a), len(b) - tail, len(b)))
    return codes


class Reordered(Exception):
    """tomlkit cannot write this file back without moving some of its lines."""

    def __init__(self, line: int, text: str) -> None:
        super().__init__(line, text)
        self.line = line
        self.text = text


def merge_edit(original: str, base: str, edited: str) -> str:
    """The edited file, with every line the edit did not touch taken byte for byte from the
    original.

    `base` is tomlkit's writing of the unedited file and `edited` its writing after the edit.
    tomlkit's writing is not always the original (it drops the space after a date inside an
    inline table, for one): lines equal in `base` and `edited` are the original's own. New lines
    get the file's line ending, and the edit adds no blank lines at the end of the file.
    Raises Reordered when `base` has the original's lines in another order.
    """
    old, before, after = _lines(original), _lines(base), _lines(edited)
    own: dict[int, str] = {}  # line of `base` -> the original line it writes
    squeezed = [_squeeze(line) for line in old]
    for tag, i1, i2, j1, _ in _opcodes(squeezed, [_squeeze(line) for line in before]):
        if tag == "equal":
            own.update((j1 + k, old[i1 + k]) for k in range(i2 - i1))
        elif any(squeezed[i1:i2]):
            line = next(n for n in range(i1, i2) if squeezed[n])
            raise Reordered(line + 1, old[line].strip())
    eol = _ending(original)
    out: list[str] = []
    for tag, i1, i2, j1, j2 in _opcodes(before, after):
        if tag == "equal":
            out += [own.get(i, before[i]) for i in range(i1, i2)]
        else:
            out += [
                line[:-1] + eol if line.endswith("\n") and not line.endswith("\r\n") else line
                for line in after[j1:j2]
            ]
    for n in range(len(out) - 1):
        if not out[n].endswith("\n"):  # the original's last line, no longer last
            out[n] += eol
    blank = _trailing_blank(old)
    while _trailing_blank(out) > blank and len(out) > 1:
        out.pop()
    return "".join(out)


def _trailing_blank(lines: list[str]) -> int:
    count = 0
    for line in reversed(lines):
        if line.strip():
            break
        count += 1
    return count
