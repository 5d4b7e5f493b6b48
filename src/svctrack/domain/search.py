"""Finding items by what they say: ids, names, clients, contracts, notes, history notes."""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

from svctrack.domain.ids import slugify
from svctrack.domain.model import Item


class Match(NamedTuple):
    """Where an item matched: `field` is id, name, client, contract, notes or history; `text`
    is the value that holds the match."""

    id: str
    kind: str
    field: str
    text: str


def matches(item: Item, needle: str) -> list[Match]:
    """Every place `needle` occurs in the item, case-insensitively (casefold: Cyrillic too,
    `ромашка` finds «Ромашка»); each value once."""
    want = needle.casefold()
    if not want:
        return []
    places: list[tuple[str, str]] = [("id", item.id), ("name", item.name)]
    places += [("client", item.client), ("contract", item.contract)]
    places += [("notes", n.text) for n in item.notes]
    places += [("history", h.note) for h in item.history]
    found = dict.fromkeys(
        (where, value) for where, value in places if value and want in value.casefold()
    )
    return [Match(item.id, item.kind, where, value) for where, value in found]


def like(ref: str, ids: Iterable[tuple[str, str, str]]) -> list[str]:
    """Ids whose id, or name or client made into an id (`ООО «Ромашка»` → `ooo-romashka`),
    contains `ref`: for an unknown id, the items that were likely meant. `ids` holds
    (id, name, client)."""
    if not ref:
        return []
    return [i for i, name, client in ids if ref in i or ref in slugify(f"{name} {client}")]
