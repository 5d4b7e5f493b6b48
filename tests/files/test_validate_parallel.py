"""validate checks a large workspace on every core; the findings are those of a serial run."""

from __future__ import annotations

import pytest

from conftest import Workspace
from svctrack.storage import parallel
from svctrack.storage.store import Store
from svctrack.usecases import validation as module


def test_parallel_findings_equal_serial(firm: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    for n in range(12):
        firm.ok(
            "engagement", "new", f"e{n:02}", "--service", "audit", "--client", "C", "--due", "+1w"
        )
    (firm.root / "engagements" / "e03.toml").write_text("stage = \n")
    (firm.root / "engagements" / "e07.toml").write_text('stage = "nowhere"\nservice = "ghost"\n')
    (firm.root / "engagements" / "Bad Name.toml").write_text("")
    serial = module.validate(Store(firm.root))
    assert len(serial) >= 4
    monkeypatch.setattr(parallel, "PARALLEL_FROM", 1)
    monkeypatch.setattr(parallel.os, "cpu_count", lambda: 2)
    assert module.validate(Store(firm.root)) == serial
