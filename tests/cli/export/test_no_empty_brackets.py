"""The internal client report (Markdown and HTML) and the site never print empty brackets, nor
brackets that open on a dash: a history entry without a note says only who made it."""

from __future__ import annotations

import re
from pathlib import Path

from conftest import Workspace

EMPTY = re.compile(r"\(\s*(?:—\s*)?(?:<[^>]*>\s*)*\)|\(\s*—|:\s*\)")


def test_history_without_notes_has_no_empty_brackets(firm: Workspace, tmp_path: Path) -> None:
    firm.ok("advance", "acme", "--force")  # skipped the gate items, no note
    firm.ok("check", "acme", "work-done")
    firm.ok("advance", "acme")  # no note, nothing forced
    (firm.root / "engagements" / "acme.toml").write_text(
        firm.text("acme").replace('by = "tester"', 'by = ""', 1), "utf-8"
    )  # one entry with no one named either
    for form in ("md", "html"):
        out = firm.ok("export", "report", "acme", "--internal", "--format", form).out
        assert not EMPTY.search(out), EMPTY.search(out)
        assert "(tester)" in out  # who made a step with no note, alone in its brackets
        assert "forced: terms-agreed" in out
    firm.ok("export", "site", "-o", str(tmp_path / "site"), "--internal")
    for page in (tmp_path / "site").rglob("*.html"):
        found = EMPTY.search(page.read_text("utf-8"))
        assert not found, (page.name, found)


def test_the_pattern_finds_empty_brackets() -> None:
    for bad in ("opened (— tester)", "()", '(<span class="x"></span>)', "(forced: )"):
        assert EMPTY.search(bad), bad
    assert not EMPTY.search("opened (tester)")
