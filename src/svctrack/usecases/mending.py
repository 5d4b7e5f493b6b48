"""Mending mistakes: an item renamed (its references follow) or deleted."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from svctrack.domain import dates
from svctrack.domain.ids import check_id
from svctrack.domain.model import Item
from svctrack.domain.pipeline import Pipeline
from svctrack.errors import Refused
from svctrack.messages import Plural, msg
from svctrack.usecases.actor import actor
from svctrack.usecases.tracker import Tracker


@dataclass
class Renamed:
    kind: str
    old: str
    new: str
    followed: list[str] = field(default_factory=list)  # engagements whose `service` followed


def users(tracker: Tracker, service_id: str) -> list[str]:
    """The engagements whose `service` is `service_id` (closed and cancelled ones too)."""
    found, _ = tracker.summaries(["engagement"])
    return sorted(s.id for s in found if s.service == service_id)


def rename(tracker: Tracker, ref: str, new_id: str, *, note: str = "") -> Renamed:
    """Give an item a new id: its file is renamed, every engagement's `service` that named it
    follows, and its history records the old id. Everything is checked before anything is
    written; the whole is one change for `undo`."""
    kind, old = tracker.resolve(ref)
    check_id(new_id)
    if new_id == old:
        raise Refused(msg("same_id", id=old))
    if new_id in tracker.taken():
        raise Refused(msg("id_taken", id=repr(new_id)), hint=msg("id_taken_hint"))
    tracker.get(old, kind)  # a file holding errors is fixed first
    followed = users(tracker, old) if kind == "service" else []
    for engagement in followed:
        tracker.get(engagement, "engagement")

    def record(item: Item, pipeline: Pipeline, doc: Any) -> None:
        said = f"renamed from {old} to {new_id}" + (f": {note}" if note.strip() else "")
        entry = {"from": item.stage, "to": item.stage, "at": dates.now(), "by": actor()}
        doc.append("history", entry | {"note": said})

    def follow(data: dict[str, Any], doc: Any) -> None:
        from svctrack.storage.tomledit import Editor

        Editor(doc).set("service", new_id)

    tracker._edit(old, record, kind=kind)
    for engagement in followed:
        tracker.store.edit(tracker.store.path("engagement", engagement), follow)
    tracker.store.move(kind, old, new_id)
    return Renamed(kind, old, new_id, followed)


def delete(tracker: Tracker, ref: str) -> tuple[str, str]:
    """Remove an item's file; refused for a service that engagements refer to. Returns
    (kind, id)."""
    kind, item_id = tracker.resolve(ref)
    if kind == "service":
        using = users(tracker, item_id)
        if using:
            more = msg("and_more", n=len(using) - 5) if len(using) > 5 else ""
            raise Refused(
                msg(
                    "service_in_use",
                    id=item_id,
                    count=Plural(len(using), "engagement"),
                    names=", ".join(using[:5]),
                    more=more,
                ),
                hint=msg("service_in_use_hint"),
            )
    tracker.store.remove(kind, item_id)
    return kind, item_id
