"""Edits of a tomlkit document that touch only their own lines and keep the file tidy."""

from __future__ import annotations

from collections.abc import Mapping, MutableMapping
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import tomlkit
from tomlkit.items import AoT, Array, InlineTable, Table, Whitespace

from svctrack.messages import msg


class ShapeError(Exception):
    """The file holds something of another shape where an edit must go: a value where a table
    is needed, a [table] where a value is set. The edit is refused; the file says what it says."""


def to_item(value: Any) -> Any:
    """A tomlkit item for a Python value; decimals keep their exact digits."""
    if isinstance(value, Decimal):
        return tomlkit.value(format(value, "f"))
    if isinstance(value, Mapping):
        table = tomlkit.inline_table()
        for key, inner in value.items():
            table[key] = to_item(inner)
        return table
    if isinstance(value, list | tuple):
        array = tomlkit.array()
        array.extend(to_item(v) for v in value)
        return array
    if isinstance(value, datetime):
        return tomlkit.item(_whole_minute_offset(value))
    if isinstance(value, str | bool | int | date):
        return tomlkit.item(value)
    raise TypeError(f"cannot write {type(value).__name__} to TOML")


def _whole_minute_offset(moment: datetime) -> datetime:
    """TOML offsets are hours and minutes: an offset with seconds (LMT, some historic zones)
    becomes the nearest whole minute, the same instant."""
    offset = moment.utcoffset()
    if offset is None or not offset % timedelta(minutes=1):
        return moment
    minutes = round(offset.total_seconds() / 60)
    return moment.astimezone(timezone(timedelta(minutes=minutes)))


def describe(value: Any) -> str:
    """What a value of the file is, for a message (in the person's language: a message)."""
    if isinstance(value, AoT):
        return msg("n_aot")
    if isinstance(value, InlineTable):
        return msg("n_inline_table")
    kinds: list[tuple[type, str]] = [(Mapping, "n_table"), (bool, "n_bool"), (int, "n_int")]
    kinds += [(float, "n_number"), (str, "n_str"), (list, "n_array")]
    kinds += [(datetime, "n_datetime"), (date, "n_date")]
    return next((msg(key) for kind, key in kinds if isinstance(value, kind)), msg("n_value"))


def _dotted(container: Any, name: str) -> bool:
    """Whether `name` in `container` was written with dotted keys (`gates.control.x = true`)."""
    inner = getattr(container, "value", container)
    body = getattr(inner, "body", None) or getattr(container, "body", None) or []
    return any(k is not None and k.key == name and k.is_dotted() for k, _ in body)


def _written_inline(container: Any, parent: Any, name: str | None) -> bool:
    """Whether new tables inside `container` must be written as values, not [table] headers:
    it is an inline table, or a table made of dotted keys."""
    if isinstance(container, InlineTable):
        return True
    return parent is not None and name is not None and _dotted(parent, name)


def set_value(doc: Any, path: str, value: Any) -> None:
    """Set a dotted key (`due`, `deadlines.control`), creating its tables when missing, in the
    style the file already uses (a [table], dotted keys or an inline table)."""
    *tables, key = path.split(".")
    current, parent, created = doc, None, None
    for n, name in enumerate(tables):
        if name not in current:
            if _written_inline(current, parent, tables[n - 1] if n else None):
                rest = [*tables[n:], key]
                if isinstance(current, InlineTable):
                    nested: Any = value
                    for part in reversed(rest[1:]):
                        nested = {part: nested}
                    current[name] = to_item(nested)
                else:
                    current.append(tomlkit.key(rest), to_item(value))
                return
            current[name] = tomlkit.table()
            created = created or current[name]
        parent, current = current, current[name]
        if not isinstance(current, Mapping) or isinstance(current, AoT):
            where = ".".join(tables[: n + 1])
            raise ShapeError(msg("shape_not_table", where=where, what=describe(current), path=path))
    if key in current:
        old = current[key]
        if isinstance(old, Table | AoT) and not isinstance(old, InlineTable):
            raise ShapeError(msg("shape_is_table", path=path, what=describe(old), key=key))
    elif current is doc and insert_after_last_value(doc, key, to_item(value)):
        return
    current[key] = to_item(value)
    if created is not None and isinstance(current, Table):
        blank_after(current)


def insert_after_last_value(doc: Any, key: str, item: Any) -> bool:
    """Put a new top-level key right after the last one (not after the comments and blank lines
    that lead into the first table); False when the file has no top-level key to follow."""
    last = None
    for index, (k, v) in enumerate(doc.body):
        if k is not None and (not isinstance(v, Table | AoT) or k.is_dotted()):
            last = index
        elif isinstance(v, Table | AoT):
            break
    if last is None or last + 1 >= len(doc.body):
        return False
    doc._insert_at(last + 1, key, item)
    return True


def remove(doc: Any, path: str) -> bool:
    """Remove a dotted key or table; True when something was there. A table that only existed
    to hold it (no [header] of its own: dotted keys, or [a.b] without [a]) goes with it."""
    *tables, key = path.split(".")
    chain = [doc]
    for name in tables:
        current = chain[-1]
        if not isinstance(current, Mapping) or name not in current:
            return False
        chain.append(current[name])
    current = chain[-1]
    if not isinstance(current, MutableMapping) or isinstance(current, AoT) or key not in current:
        return False
    del current[key]
    for depth in range(len(tables), 0, -1):
        table, parent, name = chain[depth], chain[depth - 1], tables[depth - 1]
        implicit = _dotted(parent, name) or (isinstance(table, Table) and table.is_super_table())
        if len(table) or not implicit:
            break
        del parent[name]
    return True


def append_entry(doc: Any, name: str, entry: Mapping[str, Any]) -> None:
    """Append an `[[name]]` table, with blank lines around it like its neighbours; to an inline
    array of tables (`name = [{...}]`), an inline table."""
    values = {key: value for key, value in entry.items() if value is not None}
    if name in doc and not isinstance(doc[name], AoT):
        existing = doc[name]
        if isinstance(existing, Array) and all(isinstance(v, Mapping) for v in existing):
            existing.append(to_item(values))
            return
        raise ShapeError(msg("shape_not_aot", name=name, what=describe(existing)))
    table = tomlkit.table()
    for key, value in values.items():
        table[key] = to_item(value)
    if name not in doc:
        blank_after_last(doc)
        doc.append(name, tomlkit.aot())
    aot = doc[name]
    if len(aot):
        blank_after(aot[-1])
    aot.append(table)
    if list(doc.keys())[-1] != name:
        table.add(tomlkit.nl())


def blank_after_last(doc: Any) -> None:
    if not doc.body:
        return
    last = doc.body[-1][1]
    if isinstance(last, AoT) and len(last):
        blank_after(last[-1])
    elif isinstance(last, Table):
        blank_after(last)
    elif not isinstance(last, Whitespace):
        doc.add(tomlkit.nl())


def blank_after(table: Table) -> None:
    body = table.value.body
    if not body or not isinstance(body[-1][1], Whitespace):
        table.add(tomlkit.nl())


def set_in_entry(doc: Any, name: str, index: int, key: str, value: Any) -> None:
    """Set `key` of the `index`th entry of the array of tables `name` (`[[name]]`, or an inline
    array of inline tables), keeping the entry's other lines."""
    entries = doc.get(name)
    if not isinstance(entries, AoT | Array) or not 0 <= index < len(entries):
        raise ShapeError(msg("shape_no_entry", name=name, n=index + 1))
    entry = entries[index]
    if not isinstance(entry, MutableMapping):
        raise ShapeError(msg("shape_entry_not_table", name=name, n=index + 1, what=describe(entry)))
    entry[key] = to_item(value)


class Editor:
    """A tomlkit document with the three edits svctrack makes, so callers never touch tomlkit."""

    def __init__(self, doc: Any) -> None:
        self.doc = doc

    def set(self, path: str, value: Any) -> None:
        set_value(self.doc, path, value)

    def remove(self, path: str) -> bool:
        return remove(self.doc, path)

    def append(self, name: str, entry: Mapping[str, Any]) -> None:
        append_entry(self.doc, name, entry)

    def set_entry(self, name: str, index: int, key: str, value: Any) -> None:
        set_in_entry(self.doc, name, index, key, value)
