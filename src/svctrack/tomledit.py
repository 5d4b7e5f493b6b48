"""Edits of a tomlkit document that touch only their own lines and keep the file tidy."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import tomlkit
from tomlkit.items import AoT, Table, Whitespace


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
    if isinstance(value, str | bool | int | date | datetime):
        return tomlkit.item(value)
    raise TypeError(f"cannot write {type(value).__name__} to TOML")


def set_value(doc: Any, path: str, value: Any) -> None:
    """Set a dotted key (`due`, `deadlines.control`), creating its tables when missing."""
    *tables, key = path.split(".")
    current, created = doc, None
    for name in tables:
        if name not in current:
            current[name] = tomlkit.table()
            created = created or current[name]
        current = current[name]
        if not isinstance(current, Mapping):
            raise TypeError(f"`{name}` is not a table")
    current[key] = to_item(value)
    if created is not None and isinstance(current, Table):
        _blank_after(current)


def remove(doc: Any, path: str) -> bool:
    """Remove a dotted key or table; True when something was there."""
    *tables, key = path.split(".")
    current = doc
    for name in tables:
        if name not in current:
            return False
        current = current[name]
    if key not in current:
        return False
    del current[key]
    return True


def append_entry(doc: Any, name: str, entry: Mapping[str, Any]) -> None:
    """Append an `[[name]]` table, with blank lines around it like its neighbours."""
    table = tomlkit.table()
    for key, value in entry.items():
        if value is not None:
            table[key] = to_item(value)
    if name not in doc:
        _blank_after_last(doc)
        doc.append(name, tomlkit.aot())
    aot = doc[name]
    if not isinstance(aot, AoT):
        raise TypeError(f"`{name}` is not an array of tables")
    if len(aot):
        _blank_after(aot[-1])
    aot.append(table)
    if list(doc.keys())[-1] != name:
        table.add(tomlkit.nl())


def _blank_after_last(doc: Any) -> None:
    if not doc.body:
        return
    last = doc.body[-1][1]
    if isinstance(last, AoT) and len(last):
        _blank_after(last[-1])
    elif isinstance(last, Table):
        _blank_after(last)
    elif not isinstance(last, Whitespace):
        doc.add(tomlkit.nl())


def _blank_after(table: Table) -> None:
    body = table.value.body
    if not body or not isinstance(body[-1][1], Whitespace):
        table.add(tomlkit.nl())


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
