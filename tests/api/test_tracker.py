"""The use cases as a Python API, without the command line: what an embedder or a script in
Python can rely on. Every test works on a real workspace in tmp_path and reads the files back."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from svctrack.errors import NotFound, Refused, UsageError
from svctrack.usecases.tracker import Tracker
from svctrack.usecases.workspace import init_workspace

PREPARATION = ("terms-agreed", "resources-assigned", "interaction-agreed")


@pytest.fixture
def tracker(tmp_path: Path) -> Tracker:
    root = init_workspace(tmp_path / "firm", name="Firm", lang="en", currency="EUR")
    tracker = Tracker(root)
    tracker.new_service("Security audit", item_id="audit", owner="anna")
    tracker.new_engagement("audit", "ACME", date(2026, 12, 15), item_id="acme")
    return tracker


def test_a_new_workspace_holds_its_settings_and_folders(tmp_path: Path) -> None:
    root = init_workspace(tmp_path / "ws", lang="ru")
    assert (root / "services").is_dir() and (root / "engagements").is_dir()
    assert Tracker(root).config == {"name": "ws", "lang": "ru", "currency": "RUB"}
    with pytest.raises(Refused, match="exists already"):
        init_workspace(root)


def test_created_items_start_at_the_first_stage_with_their_history(tracker: Tracker) -> None:
    acme = tracker.get("acme")
    assert (acme.kind, acme.stage, acme.service, acme.client) == (
        "engagement",
        "preparation",
        "audit",
        "ACME",
    )
    assert acme.name == "Security audit — ACME"
    assert acme.start == date(2026, 11, 26) and acme.due == date(2026, 12, 15)
    (created,) = acme.history
    assert (created.source, created.to, created.by, created.note) == (
        None,
        "preparation",
        "tester",
        "created",
    )
    assert tracker.get("audit").stage == "planning"


def test_ids_are_derived_from_names_and_kept_unique(tracker: Tracker) -> None:
    first = tracker.new_service("Аудит безопасности")
    second = tracker.new_service("Аудит безопасности")
    assert (first.id, second.id) == ("audit-bezopasnosti", "audit-bezopasnosti-2")


def test_a_step_is_refused_while_gate_items_are_open_and_nothing_changes(
    tracker: Tracker,
) -> None:
    path = tracker.store.path("engagement", "acme")
    before = path.read_bytes()
    with pytest.raises(Refused, match="open gate items"):
        tracker.advance("acme")
    assert path.read_bytes() == before


def test_the_delivery_pipeline_with_its_way_back(tracker: Tracker) -> None:
    for gate in PREPARATION:
        assert tracker.check("acme", gate) == "gate"
    move = tracker.advance("acme", note="plan approved")
    assert (move.source, move.target, move.forced) == ("preparation", "execution", False)
    tracker.check("acme", "work-done")
    tracker.advance("acme")
    back = tracker.rework("acme", note="the scan is missing")
    assert (back.source, back.target) == ("control", "execution")
    acme = tracker.get("acme")
    assert acme.stage == "execution" and not acme.ticked("execution")
    assert [h.to for h in acme.history] == ["preparation", "execution", "control", "execution"]


def test_a_forced_step_records_what_it_skipped(tracker: Tracker) -> None:
    move = tracker.advance("acme", force=True, note="urgent")
    assert move.forced and set(move.skipped) == set(PREPARATION)
    last = tracker.get("acme").history[-1]
    assert last.forced and set(last.skipped) == set(PREPARATION)


def test_principles_are_honoured_not_honoured_or_not_assessed(tracker: Tracker) -> None:
    assert tracker.check("acme", "communication") == "principle"
    assert tracker.get("acme").principles["communication"].ok is True
    tracker.check("acme", "communication", ok=False, note="late answers")
    assert tracker.get("acme").principles["communication"].ok is False
    tracker.check("acme", "communication", clear=True)
    assert "communication" not in tracker.get("acme").principles


def test_fields_notes_feedback_and_time(tracker: Tracker) -> None:
    assert tracker.set_field("acme", "price", "450 000") == ("price", Decimal("450000"))
    tracker.add_note("acme", "kick-off call", channel="call")
    tracker.add_feedback("acme", 5, comment="fast", speed=4)
    assert tracker.log_time("acme", Decimal("2.5")) == Decimal("2.5")
    acme = tracker.get("acme")
    assert acme.price == Decimal("450000") and acme.currency == "EUR"
    assert [(n.channel, n.text) for n in acme.notes] == [("call", "kick-off call")]
    assert [(f.score, f.speed, f.comment) for f in acme.feedback] == [(5, 4, "fast")]
    assert acme.hours == Decimal("2.5")


def test_bad_values_are_refused_before_anything_is_written(tracker: Tracker) -> None:
    path = tracker.store.path("engagement", "acme")
    before = path.read_bytes()
    for name, value in [("due", "someday"), ("price", "a lot"), ("mode", "telepathy")]:
        with pytest.raises(UsageError):
            tracker.set_field("acme", name, value)
    with pytest.raises(UsageError):
        tracker.add_feedback("acme", 6)
    assert path.read_bytes() == before


def test_ids_resolve_by_unambiguous_prefix_and_unknown_ones_are_named(tracker: Tracker) -> None:
    assert tracker.resolve("ac") == ("engagement", "acme")
    assert tracker.resolve("aud") == ("service", "audit")
    tracker.new_engagement("audit", "Acorn", date(2026, 12, 20), item_id="acorn")
    with pytest.raises(Refused, match="ambiguous"):
        tracker.resolve("ac")
    with pytest.raises(NotFound):
        tracker.resolve("zzz")


def test_summaries_are_what_status_shows(tracker: Tracker) -> None:
    summaries, broken = tracker.summaries()
    assert not broken
    by_id = {s.id: s for s in summaries}
    assert by_id["acme"].next_deadline == date(2026, 12, 15)
    assert by_id["acme"].days_left == 19 and not by_id["acme"].overdue
    assert by_id["audit"].progress == 0


def test_documents_and_the_next_period_through_the_api(tracker: Tracker) -> None:
    assert tracker.pilot(tracker.get("acme")) is not None  # audit is at planning
    change = tracker.set_document("acme", "contract", name="D-1", status="sent")
    assert (change.added, change.document.status, change.ticked) == (True, "sent", ())
    tracker.set_field("acme", "every", "quarter")
    for _ in range(3):
        tracker.advance("acme", force=True)
    change = tracker.set_document("acme", "contract", status="signed")
    assert (change.added, change.changed, change.ticked) == (False, True, ("documents-signed",))
    closed = tracker.advance("acme", force=True)
    assert (closed.target, closed.next_item, closed.next_existed) == (
        "closed",
        "acme-2027-q1",
        False,
    )
    nxt = tracker.get("acme-2027-q1")
    assert (nxt.stage, nxt.every, nxt.start, nxt.due) == (
        "preparation", "quarter", date(2027, 2, 26), date(2027, 3, 15),
    )  # fmt: skip
    assert nxt.documents == [] and nxt.history[0].note == "next quarter after acme"
