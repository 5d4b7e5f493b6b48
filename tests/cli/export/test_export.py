"""`svctrack export report` (Markdown, HTML) and `svctrack export ics` (RFC 5545)."""

from __future__ import annotations

import os
import shutil
import subprocess
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import pytest

from conftest import Workspace
from svctrack.output import ics

NASTY = '<script>alert("x")</script> & Sons'


@pytest.fixture
def client(firm: Workspace) -> Workspace:
    """acme in execution, with a client name and notes that must not become markup."""
    ws = firm
    ws.ok("set", "acme", "client", NASTY)
    ws.ok("set", "acme", "price", "1200")
    ws.ok("set", "acme", "currency", "EUR")
    ws.ok("set", "acme", "budget_hours", "10")
    ws.ok("set", "acme", "deadline.execution", "2026-12-01")
    ws.ok("log", "acme", "4.5")
    ws.ok("note", "acme", "internal: <b>margin</b> is thin", "--channel", "call")
    for gate in ("terms-agreed", "resources-assigned", "interaction-agreed"):
        ws.ok("check", "acme", gate)
    ws.ok("advance", "acme", "--note", "kick-off <script>x</script>")
    return ws


# --- Markdown ---------------------------------------------------------------------------------


def test_markdown_for_the_client(client: Workspace) -> None:
    out = client.ok("export", "report", "acme").out
    assert out.startswith("# Security audit — ")
    for expected in (
        "**Service:** Security audit",
        "## Stage and progress",
        "**Execution** · 25%",
        "✓ Preparation → ▶ Execution → ○ Control → ○ Completion",
        "**Due:** 2026-12-15 (19 days left)",
        "**Execution deadline:** 2026-12-01",
        "## What happened",
        "- 2026-11-26 — Engagement opened",
        "- 2026-11-26 — Preparation completed; Execution started",
        "## Next steps",
        "- Do the work as agreed with the client",
        "- Then: Control",
        "**Price:** 1,200 EUR",
    ):
        assert expected in out, expected
    # nothing internal: no hours, budget, rate, notes, history notes or who did what
    for internal in ("Hours", "4.5", "Budget", "/h", "margin", "kick-off", "tester", "Internal"):
        assert internal not in out, internal
    # user text is inert: no raw HTML, no emphasis
    assert "<script>" not in out
    assert r'- **Client:** \<script\>alert("x")\</script\> & Sons' in out


def test_markdown_internal(client: Workspace) -> None:
    out = client.ok("export", "report", "acme", "--internal").out
    assert "**Internal: not for the client**" in out
    assert "**Hours:** 4.5 h" in out
    assert "**Budget:** 10 h" in out
    assert "**Budget used:** 45%" in out
    assert "**Rate:** 266.67 EUR/h" in out
    assert r"internal: \<b\>margin\</b\> is thin" in out
    assert r"kick-off \<script\>x\</script\> — tester" in out


def test_closed_engagement_says_when(firm: Workspace) -> None:
    firm.ok("advance", "acme", "--force")
    firm.ok("advance", "acme", "--force")
    firm.ok("advance", "acme", "--force")
    firm.ok("advance", "acme", "--force")
    out = firm.ok("export", "report", "acme").out
    assert "- Completed on 2026-11-26." in out
    assert "Work completed; engagement closed" in out


def test_russian_report(client: Workspace) -> None:
    out = client.ok("--lang", "ru", "export", "report", "acme").out
    assert "## Что сделано" in out
    assert "Этап «Подготовка» завершён, начат этап «Выполнение»" in out
    assert "**Цена:** 1\u00a0200\u00a0€" in out


def test_usage(client: Workspace, tmp_path: Path) -> None:
    assert client.run("export", "report", "acme", "--format", "pdf").code == 2
    assert client.run("export", "report", "audit").code == 1  # a service, not an engagement
    # an unwritable place is refused as the shell's `>` refuses it: exit 1, one error line
    missing = client.run("export", "report", "acme", "-o", str(tmp_path / "no" / "r.md"))
    assert missing.code == 1 and missing.err == (
        f"error: -o {tmp_path / 'no' / 'r.md'}: the folder {tmp_path / 'no'} does not exist\n"
    )
    folder = client.run("export", "report", "acme", "-o", str(tmp_path))
    assert (
        folder.code == 1 and folder.err == f"error: -o {tmp_path}: is a folder; give a file name\n"
    )


def test_output_file_is_written_whole(client: Workspace, tmp_path: Path) -> None:
    target = tmp_path / "out" / "acme.md"
    target.parent.mkdir()
    result = client.ok("export", "report", "acme", "-o", str(target))
    assert result.out == ""
    assert "wrote" in result.err
    assert target.read_text("utf-8") == client.ok("export", "report", "acme").out
    assert [p.name for p in target.parent.iterdir()] == ["acme.md"]  # no temporary file left
    before = client.snapshot()
    client.ok("export", "report", "acme", "-o", str(target))
    assert client.snapshot() == before  # the workspace is only read


# --- HTML -------------------------------------------------------------------------------------


class Page(HTMLParser):
    """What a browser would see: tags, attributes, text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str | None]] = []
        self.text: list[str] = []
        self.css: list[str] = []
        self.open: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attrs += attrs
        self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in self.open:
            del self.open[len(self.open) - 1 - self.open[::-1].index(tag) :]

    def handle_data(self, data: str) -> None:
        (self.css if self.open and self.open[-1] == "style" else self.text).append(data)


def parse(document: str) -> Page:
    page = Page()
    page.feed(document)
    page.close()
    return page


def test_html_is_self_contained_and_escaped(client: Workspace) -> None:
    document = client.ok("export", "report", "acme", "--format", "html", "--internal").out
    page = parse(document)
    assert document.startswith("<!DOCTYPE html>")
    assert "script" not in page.tags
    assert {"html", "head", "style", "body", "h1", "dl"} <= set(page.tags)
    # no external requests: nothing to load, and a policy that forbids loading anyway
    names = {name for name, _ in page.attrs}
    assert not names & {"src", "href", "srcset", "action", "onload", "onerror"}
    assert "@import" not in document and "url(" not in document
    assert ("content", "default-src 'none'; style-src 'unsafe-inline'") in page.attrs
    # user text arrives as text
    text = "".join(page.text)
    assert NASTY in text
    assert "internal: <b>margin</b> is thin" in text
    assert "kick-off <script>x</script>" in text
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Sons" in document
    assert "@media print" in document and "@page" in document


def test_html_leaves_internal_fields_out(client: Workspace) -> None:
    page = parse(client.ok("export", "report", "acme", "--format", "html").out)
    text = "".join(page.text)
    assert "Do the work as agreed with the client" in text
    for internal in ("Hours", "Budget", "/h", "margin", "kick-off", "tester"):
        assert internal not in text, internal


def test_html_language(client: Workspace) -> None:
    document = client.ok("--lang", "ru", "export", "report", "acme", "--format", "html").out
    assert '<html lang="ru">' in document
    assert "Следующие шаги" in document


def _chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome", "chrome-headless-shell"):
        found = shutil.which(name)
        if found:
            return found
    return None


@pytest.mark.skipif(_chromium() is None, reason="no headless Chromium on this machine")
def test_html_renders_in_chromium(client: Workspace, tmp_path: Path) -> None:
    page = tmp_path / "acme.html"
    client.ok("export", "report", "acme", "--format", "html", "-o", str(page))
    shot = tmp_path / "acme.png"
    command = [
        str(_chromium()),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        f"--user-data-dir={tmp_path / 'profile'}",
        "--window-size=900,1300",
    ]
    env = {**os.environ, "HOME": str(tmp_path)}
    try:
        dom = subprocess.run(
            [*command, "--dump-dom", page.as_uri()],
            capture_output=True,
            text=True,
            timeout=90,
            env=env,
            check=False,
        )
        subprocess.run(
            [*command, f"--screenshot={shot}", page.as_uri()],
            capture_output=True,
            timeout=90,
            env=env,
            check=False,
        )
    except subprocess.TimeoutExpired:
        pytest.skip("Chromium did not answer in time")
    if dom.returncode != 0 and not dom.stdout:
        pytest.skip(f"Chromium could not start: {dom.stderr.strip()[-200:]}")
    assert "<h1>Security audit — " in dom.stdout
    assert "Do the work as agreed with the client" in dom.stdout
    assert "<script>" not in dom.stdout.replace("&lt;script&gt;", "")
    assert shot.exists() and shot.stat().st_size > 10_000  # something was drawn


# --- iCalendar --------------------------------------------------------------------------------

icalendar = pytest.importorskip("icalendar")


@pytest.fixture
def dated(firm: Workspace) -> Workspace:
    ws = firm
    ws.ok("set", "acme", "client", "Smith, Jones; Partners")
    ws.ok(
        "set", "acme", "name", "Аудит безопасности для «Смит, Джонс и партнёры» — " + "очень " * 8
    )
    ws.ok("set", "acme", "deadline.execution", "2026-12-01")
    ws.ok("set", "audit", "deadline.development", "2027-01-15")
    ws.ok(
        "engagement", "new", "old", "--service", "audit", "--client", "Old", "--due", "2026-12-20"
    )
    ws.ok("cancel", "old", "--note", "gone")
    ws.ok(
        "engagement", "new", "late", "--service", "audit", "--client", "L", "--start", "2026-11-01",
        "--due", "2026-11-20",
    )  # fmt: skip
    return ws


def events(text: str) -> dict[str, object]:
    calendar = icalendar.Calendar.from_ical(text)
    return {str(e["UID"]): e for e in calendar.walk("VEVENT")}


def test_ics_parses_with_a_real_parser(dated: Workspace) -> None:
    text = dated.ok("export", "ics").out
    calendar = icalendar.Calendar.from_ical(text)
    assert str(calendar["VERSION"]) == "2.0"
    assert str(calendar["PRODID"]).startswith("-//svctrack//")
    found = events(text)
    assert sorted(found) == [
        "engagement-acme-due@test-firm.svctrack",
        "engagement-acme-execution@test-firm.svctrack",
        "engagement-late-due@test-firm.svctrack",
        "service-audit-development@test-firm.svctrack",
    ]  # the cancelled engagement's date is not an obligation
    due = found["engagement-acme-due@test-firm.svctrack"]
    assert due["DTSTART"].dt == date(2026, 12, 15)  # a date: an all-day event
    assert due["DTEND"].dt == date(2026, 12, 16)
    assert str(due["SUMMARY"]).startswith("Due: Аудит безопасности для «Смит, Джонс и партнёры»")
    description = str(due["DESCRIPTION"])
    assert "Client: Smith, Jones; Partners" in description.splitlines()
    assert description.splitlines()[-1] == "svctrack show acme"
    late = found["engagement-late-due@test-firm.svctrack"]
    assert "overdue" in str(late["DESCRIPTION"]).splitlines()
    stage = found["service-audit-development@test-firm.svctrack"]
    assert str(stage["SUMMARY"]) == "Development and creation deadline: Security audit"


def test_ics_lines_are_crlf_folded_at_75_octets(dated: Workspace, tmp_path: Path) -> None:
    dated.ok("export", "ics", "-o", str(tmp_path / "d.ics"))
    data = (tmp_path / "d.ics").read_bytes()
    assert data.endswith(b"END:VCALENDAR\r\n")
    lines = data.split(b"\r\n")[:-1]
    assert all(b"\n" not in line and b"\r" not in line for line in lines)
    assert max(len(line) for line in lines) <= 75
    assert any(line.startswith(b" ") for line in lines)  # the long name was folded
    for line in lines:
        line.decode("utf-8")  # never cut inside a character


def test_ics_uids_are_stable(dated: Workspace) -> None:
    first = events(dated.ok("export", "ics").out)
    second = events(dated.ok("export", "ics").out)
    assert list(first) == list(second)
    dated.ok("set", "acme", "due", "2027-01-10")
    moved = events(dated.ok("export", "ics").out)
    assert set(moved) == set(first)  # the same event, at its new date
    assert moved["engagement-acme-due@test-firm.svctrack"]["DTSTART"].dt == date(2027, 1, 10)


def test_ics_to_a_file(dated: Workspace, tmp_path: Path) -> None:
    target = tmp_path / "out" / "deadlines.ics"
    target.parent.mkdir()
    dated.ok("export", "ics", "-o", str(target))

    def stamped(text: str) -> list[str]:  # DTSTAMP is the moment of the export
        return [line for line in text.splitlines() if not line.startswith("DTSTAMP:")]

    written = target.read_bytes().decode("utf-8")
    assert stamped(written) == stamped(dated.ok("export", "ics").out)
    assert len(events(written)) == 4
    assert [p.name for p in target.parent.iterdir()] == ["deadlines.ics"]


def test_ics_empty_workspace(ws: Workspace) -> None:
    calendar = icalendar.Calendar.from_ical(ws.ok("export", "ics").out)
    assert list(calendar.walk("VEVENT")) == []


def test_fold_and_escape() -> None:
    line = "SUMMARY:" + "Ж" * 100
    folded = ics.fold(line)
    parts = folded.encode("utf-8").split(b"\r\n")[:-1]
    assert all(len(p) <= 75 for p in parts)
    assert folded.replace("\r\n ", "") == line + "\r\n"
    assert ics.fold("SHORT:x") == "SHORT:x\r\n"
    assert ics.escape("a,b;c\\d\ne\r\nf\x07") == "a\\,b\\;c\\\\d\\ne\\nf"
