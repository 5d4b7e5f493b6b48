"""Three versions of one TOML file merged as text: ours' lines keep their bytes, theirs'
changes are made in ours' tomlkit document as `domain.merge.plan` says, their comments are
carried over, and a clash is marked with git's markers around its own line(s) alone.

`merge_texts` raises Unmergeable when the texts cannot be merged this way (one does not parse,
a clash is a whole [table], the result would not read back as planned): the caller then falls
back to git's own line merge.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import tomlkit
from tomlkit.items import AoT, Array, InlineTable, Item, Table, Whitespace

from svctrack.domain.equality import same_data
from svctrack.domain.merge import MISSING, Path, Plan, plan
from svctrack.storage.linemerge import Reordered, merge_edit
from svctrack.storage.tomledit import blank_after, blank_after_last, insert_after_last_value
from svctrack.tomlparse import tomllib

OURS, SEPARATOR, THEIRS = "<<<<<<< ours", "=======", ">>>>>>> theirs"


class Unmergeable(Exception):
    """The three texts cannot be merged key by key; the message says why."""


@dataclass
class TextMerge:
    """The merged text, and the keys marked as clashes (`due`, `history[3].note`); no clash
    means the text is the clean merge."""

    text: str
    clashes: list[str] = field(default_factory=list)


def merge_texts(base: str, ours: str, theirs: str) -> TextMerge:
    """Merge `theirs` into `ours` against their common `base` (`""` when both added the file)."""
    data = [
        _load(text, side) for text, side in ((base, "base"), (ours, "ours"), (theirs, "theirs"))
    ]
    planned = plan(*data)
    try:
        ours_doc = tomlkit.parse(_ended(ours))
        theirs_doc = tomlkit.parse(_ended(theirs))
        base_doc = tomlkit.parse(_ended(base))
    except tomlkit.exceptions.ParseError as exc:  # what tomllib reads, tomlkit may not
        raise Unmergeable(f"tomlkit cannot read it: {exc}") from None
    before = tomlkit.dumps(ours_doc)
    try:
        _carry_inline_comments(base_doc, ours_doc, theirs_doc)
        for take in planned.takes:  # every path as ours' entries stand now: entries move last
            _take(ours_doc, theirs_doc, take.path, take.source)
        marks = _mark(ours_doc, theirs_doc, planned)
        _lay_out(ours_doc, theirs_doc, planned)
    except (KeyError, IndexError, TypeError, ValueError, tomlkit.exceptions.TOMLKitError) as exc:
        raise Unmergeable(f"cannot place a change ({type(exc).__name__}: {exc})") from None
    try:
        text = merge_edit(ours, before, tomlkit.dumps(ours_doc))
    except Reordered as exc:
        raise Unmergeable(f"lines would move (line {exc.line})") from None
    expected = _with_tokens(planned, [(m.at, m.token) for m in marks])
    if not _reads_as(text, expected):
        raise Unmergeable("the merged text would not read back as planned")
    carried = _carry_comments(base, ours, theirs, text)
    if carried != text and _reads_as(carried, expected):
        text = carried
    for mark in marks:
        text = mark.place(text)
    return TextMerge(text, [dotted(m.at) for m in marks])


def dotted(path: Path) -> str:
    """`history[3].note` for ("history", 3, "note")."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _load(text: str, side: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise Unmergeable(f"{side} is not valid TOML ({exc})") from None


def _ended(text: str) -> str:
    return text if text.endswith("\n") or not text else text + "\n"


def _reads_as(text: str, expected: Mapping[str, Any]) -> bool:
    try:
        return same_data(tomllib.loads(text), expected)
    except tomllib.TOMLDecodeError:
        return False


# --- taking theirs' values ------------------------------------------------------------------


def _node(doc: Any, path: Path) -> Any:
    node = doc
    for part in path:
        node = node[part]
    return node


def _item(container: Any, key: str | int) -> Any:
    """The tomlkit item (not the plain value) under `key`."""
    if isinstance(key, int):
        return container[key]
    if hasattr(container, "item"):
        return container.item(key)
    return container[key]


def _take(ours: Any, theirs: Any, path: Path, source: Path) -> None:
    parent = _node(ours, path[:-1])
    other = _node(theirs, source[:-1])
    key, their_key = path[-1], source[-1]
    if isinstance(key, int):
        parent[key] = _item(other, their_key)
        return
    if key not in other:
        del parent[key]
        return
    value = _item(other, key)
    if key in parent:
        parent[key] = value
        return
    _add(parent, other, key, value)


def _add(parent: Any, other: Any, key: str, value: Any) -> None:
    """Add `key` to ours' `parent` where theirs has it: after the key before it in theirs."""
    before = [k for k in other if k != key]
    keys = list(other)
    earlier = [k for k in keys[: keys.index(key)] if k in parent] if key in keys else before
    container = parent if isinstance(parent, tomlkit.TOMLDocument) else None
    if isinstance(value, Table | AoT):
        if (
            earlier
            and container is not None
            and isinstance(_item(parent, earlier[-1]), Table | AoT)
        ):
            previous = _item(parent, earlier[-1])
            blank_after(previous[-1] if isinstance(previous, AoT) else previous)
            container._insert_after(earlier[-1], key, value)
            if container.body[-1][1] is not value:  # a table follows it
                blank_after(value[-1] if isinstance(value, AoT) else value)
            return
        if container is not None:
            blank_after_last(container)
        parent[key] = value
        return
    if container is not None:
        if earlier and not isinstance(_item(parent, earlier[-1]), Table | AoT):
            container._insert_after(earlier[-1], key, value)
        elif not insert_after_last_value(container, key, value):
            container.append(key, value)
        return
    if earlier and isinstance(parent, Table):
        parent.value._insert_after(earlier[-1], key, value)
        return
    parent[key] = value


# --- entries --------------------------------------------------------------------------------


def _lay_out(ours: Any, theirs: Any, planned: Plan) -> None:
    """Each array of tables as the plan lays it out: ours' entries that stay, theirs' new ones
    among them. Arrays inside entries first, while the entries holding them stand where the
    plan's paths say."""
    for entries in sorted(planned.entries, key=lambda e: -len(e.path)):
        array = _item(_node(ours, entries.path[:-1]), entries.path[-1])
        source = _item(_node(theirs, entries.source[:-1]), entries.source[-1])
        if not isinstance(array, AoT | Array):
            raise TypeError(f"`{dotted(entries.path)}` is not an array of tables")
        kept = {n for side, n in entries.layout if side == "ours"}
        for n in sorted(set(range(len(array))) - kept, reverse=True):
            del array[n]
        inserted = []
        for at, (side, n) in enumerate(entries.layout):
            if side == "theirs":
                array.insert(at, source[n])
                inserted.append(at)
        if isinstance(array, AoT):
            _space_entries(ours, array, inserted)


def _space_entries(doc: Any, array: AoT, inserted: list[int]) -> None:
    """A blank line between an inserted entry and its neighbours, as svctrack writes them."""
    last_in_doc = bool(doc.body) and doc.body[-1][1] is array
    for at in inserted:
        if at > 0:
            blank_after(array[at - 1])
        if at < len(array) - 1 or not last_in_doc:
            blank_after(array[at])


# --- clashes --------------------------------------------------------------------------------


@dataclass
class _Mark:
    """A clash: a token stands in ours' document for the key until the text is written; then
    its line becomes ours' line(s) and theirs' between git's markers."""

    path: Path
    at: Path  # where it stands in the merged data
    token: str
    ours: Any  # the tomlkit item, or MISSING
    theirs: Any

    def place(self, text: str) -> str:
        quoted = f'"{self.token}"'
        start = text.index(quoted)
        head = text.rfind("\n", 0, start) + 1
        end = text.find("\n", start)
        end = len(text) if end < 0 else end + 1
        line = text[head:end]
        eol = "\r\n" if line.endswith("\r\n") else "\n"
        prefix = text[head:start]
        block = [OURS + eol]
        if self.ours is not MISSING:
            block.append(prefix + _rendered(self.ours) + eol)
        block.append(SEPARATOR + eol)
        if self.theirs is not MISSING:
            block.append(prefix + _rendered(self.theirs) + eol)
        block.append(THEIRS + eol)
        return text[:head] + "".join(block) + text[end:]


def _rendered(item: Any) -> str:
    """A value as its side wrote it, with its comment."""
    trivia = getattr(item, "trivia", None)
    comment = f"{trivia.comment_ws or ' '}{trivia.comment}" if trivia and trivia.comment else ""
    return str(item.as_string()) + comment


def _line_depth(doc: Any, path: Path) -> int:
    """How much of a clash's path names a whole `key = value` line: up to the inline table or
    array that holds it, if any."""
    node = doc
    for n, part in enumerate(path):
        try:
            node = _item(node, part)
        except (KeyError, IndexError, TypeError):
            return n + 1
        if isinstance(node, InlineTable | Array):
            return n + 1
    return len(path)


def _mark(ours: Any, theirs: Any, planned: Plan) -> list[_Mark]:
    lines: list[tuple[Path, Path, Path]] = []
    for clash in planned.clashes:
        depth = min(_line_depth(ours, clash.path), _line_depth(theirs, clash.source))
        cut = (clash.path[:depth], clash.source[:depth], clash.at[:depth])
        if cut not in lines:
            lines.append(cut)
    marks = []
    tag = uuid.uuid4().hex
    for n, (path, source, at) in enumerate(lines):
        key = path[-1]
        if isinstance(key, int):
            raise TypeError(f"`{dotted(path)}`: a whole entry clashes")
        parent = _node(ours, path[:-1])
        other = _node(theirs, source[:-1])
        mine = _item(parent, key) if key in parent else MISSING
        yours = _item(other, key) if key in other else MISSING
        for side in (mine, yours):
            if isinstance(side, Table | AoT):
                raise TypeError(f"`{dotted(path)}`: a whole table clashes")
        token = f"svctrack-clash-{tag}-{n}"
        if mine is MISSING:
            _add(parent, other, key, tomlkit.string(token))
        else:
            parent[key] = tomlkit.string(token)
        marks.append(_Mark(path, at, token, mine, yours))
    return marks


def _with_tokens(planned: Plan, tokens: list[tuple[Path, str]]) -> dict[str, Any]:
    """The planned data with each clash's token where the clash is."""
    import copy

    data = copy.deepcopy(planned.data)
    for path, token in tokens:
        node: Any = data
        for part in path[:-1]:
            node = node[part]
        node[path[-1]] = token
    return data


# --- comments -------------------------------------------------------------------------------


def _carry_inline_comments(base: Any, ours: Any, theirs: Any) -> None:
    """A comment theirs added or changed at the end of a line whose value nobody changed (or
    only theirs did: then theirs' item comes whole) goes on ours' line."""
    for key in list(theirs):
        if key not in ours or key not in base:
            continue
        o, t, b = _item(ours, key), _item(theirs, key), _item(base, key)
        if isinstance(o, Table) and isinstance(t, Table) and isinstance(b, Table):
            _carry_inline_comments(b, o, t)
            continue
        if isinstance(o, AoT) or isinstance(t, AoT):
            continue  # entries are matched by what they hold, not where: no pairs to compare
        if not all(isinstance(x, Item) and not isinstance(x, Whitespace) for x in (o, t, b)):
            continue
        changed = t.trivia.comment != b.trivia.comment and o.trivia.comment == b.trivia.comment
        if changed and same_data(o.unwrap(), t.unwrap()):
            o.trivia.comment = t.trivia.comment
            o.trivia.comment_ws = t.trivia.comment_ws or "  "


def _lines(text: str) -> list[str]:
    return text.splitlines(keepends=True)


def _bare(line: str) -> str:
    return line.rstrip("\r\n")


def _is_comment(line: str) -> bool:
    return line.lstrip().startswith("#")


def _carry_comments(base: str, ours: str, theirs: str, merged: str) -> str:
    """Comment lines theirs added go into the merged text after the line they follow in theirs;
    comment lines theirs deleted (and ours kept) go. Best effort: the caller keeps the result
    only if it reads as the same data."""
    counts = [
        Counter(_bare(x).strip() for x in _lines(t) if _is_comment(x)) for t in (base, ours, theirs)
    ]
    was, mine, yours = counts
    out = _lines(merged)
    have = Counter(_bare(x).strip() for x in out if _is_comment(x))
    eol = "\r\n" if merged.count("\r\n") * 2 > merged.count("\n") else "\n"
    other = _lines(theirs)
    for k, line in enumerate(other):
        if not _is_comment(line):
            continue
        comment = _bare(line).strip()
        want = max(0, mine[comment] + yours[comment] - was[comment])
        if have[comment] >= want:
            continue
        out.insert(_anchor(other, k, out), _bare(line) + eol)
        have[comment] += 1
    for comment in set(was) | set(mine):
        want = max(0, mine[comment] + yours[comment] - was[comment])
        if want == 0 and have[comment] == 1 and yours[comment] < was[comment]:
            out = [x for x in out if not (_is_comment(x) and _bare(x).strip() == comment)]
    if out and not out[-1].endswith("\n") and merged.endswith("\n"):
        out[-1] += eol
    return "".join(out)


def _anchor(theirs: list[str], k: int, out: list[str]) -> int:
    """Where in `out` the line `k` of theirs goes: after the nearest line before it that both
    texts have once (and after the lines that follow that one in both)."""
    mine = Counter(_bare(x) for x in out)
    yours = Counter(_bare(x) for x in theirs)
    for back in range(k - 1, -1, -1):
        line = _bare(theirs[back])
        if not line.strip() or _is_comment(line) or mine[line] != 1 or yours[line] != 1:
            continue
        at = next(n for n, x in enumerate(out) if _bare(x) == line) + 1
        for between in theirs[back + 1 : k]:
            if at < len(out) and _bare(out[at]) == _bare(between):
                at += 1
        return at
    for ahead in range(k + 1, len(theirs)):
        line = _bare(theirs[ahead])
        if line.strip() and not _is_comment(line) and mine[line] == 1 and yours[line] == 1:
            return next(n for n, x in enumerate(out) if _bare(x) == line)
    return len(out)
