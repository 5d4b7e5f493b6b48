"""Daily frictions: a late engagement, short ids, several ticks at once, feedback that ticks."""

from __future__ import annotations

import tomllib

from conftest import Workspace


def data(ws: Workspace, item_id: str) -> dict:
    return tomllib.loads(ws.text(item_id))


def test_a_late_engagement_starts_on_its_due_date(firm: Workspace) -> None:
    firm.ok(
        "engagement", "new", "late", "--service", "audit", "--client", "C", "--due", "2026-11-01"
    )
    saved = data(firm, "late")
    assert str(saved["start"]) == "2026-11-01" and str(saved["due"]) == "2026-11-01"
    assert firm.ok("show", "late", "--json").json()["overdue"] is True


def test_generated_engagement_ids_are_client_first_and_short(firm: Workspace) -> None:
    new = ("engagement", "new", "--service", "audit", "--due", "+2w", "--client")
    assert "romashka-audit" in firm.ok(*new, "ООО «Ромашка»").out
    assert "romashka-audit-2" in firm.ok(*new, "ООО «Ромашка»").out
    assert "initech-audit" in firm.ok(*new, "Initech LLC").out
    assert (firm.root / "engagements" / "romashka-audit-2.toml").exists()
