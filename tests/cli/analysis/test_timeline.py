"""`svctrack timeline`: a Gantt chart of the open engagements that fits the terminal."""

from __future__ import annotations

import pytest

from conftest import Workspace

# Today is 2026-11-26, a Thursday: the chart starts by default on Monday 2026-11-09 and shows
# twelve weeks, to Sunday 2027-01-31.


@pytest.fixture
def chart(firm: Workspace) -> Workspace:
    ws = firm
    ws.ok("cancel", "acme", "--note", "not needed here")
    new = ("engagement", "new", "--service", "audit")
    ws.ok(*new, "late", "--client", "Late Co", "--start", "2026-11-01", "--due", "2026-11-20")
    ws.ok("advance", "late", "--force")
    ws.ok(*new, "now", "--client", "Now Co", "--start", "2026-11-20", "--due", "2026-12-10")
    ws.ok(*new, "long", "--client", "Long Co", "--start", "2026-10-01", "--due", "2027-06-30")
    ws.ok(*new, "future", "--client", "Future Co", "--start", "2027-03-01", "--due", "2027-04-01")
    ws.ok(*new, "done", "--client", "Done Co", "--start", "2026-11-01", "--due", "2026-11-30")
    ws.ok("cancel", "done", "--note", "gone")
    return ws


def rows(out: str) -> dict[str, str]:
    """The chart's rows by engagement id (the first word of the line)."""
    found = {}
    for line in out.splitlines():
        head = line.split(" ", 1)[0]
        if head in ("late", "now", "long", "future", "done", "acme"):
            found[head] = line
    return found


def test_json_lists_open_engagements_by_start(chart: Workspace) -> None:
    doc = chart.ok("timeline", "--json").json()
    assert (doc["from"], doc["to"], doc["today"]) == ("2026-11-09", "2027-01-31", "2026-11-26")
    assert [e["id"] for e in doc["engagements"]] == ["long", "late", "now", "future"]
    late = doc["engagements"][1]
    assert late == {
        "id": "late",
        "name": "Security audit — Late Co",
        "client": "Late Co",
        "service": "audit",
        "stage": "execution",
        "start": "2026-11-01",
        "due": "2026-11-20",
        "days_left": -6,
        "overdue": True,
        "owner": "anna",
    }
    assert doc["engagements"][2]["overdue"] is False


def test_from_and_weeks(chart: Workspace) -> None:
    doc = chart.ok("timeline", "--from", "2026-12-01", "--weeks", "2", "--json").json()
    assert (doc["from"], doc["to"]) == ("2026-12-01", "2026-12-14")
    assert chart.run("timeline", "--weeks", "0").code == 2
    assert chart.run("timeline", "--from", "someday").code == 2


def test_bars_today_and_overdue(chart: Workspace) -> None:
    out = chart.ok("timeline").out
    lines = out.splitlines()
    ticks = next(line for line in lines if "▼" in line)
    today = ticks.index("▼")
    row = rows(out)
    assert set(row) == {"late", "now", "long", "future"}  # closed and cancelled are left out
    # overdue: the bar up to the due date, × from there to today, and how late it is
    assert "×" in row["late"]
    assert row["late"].rstrip().endswith("6d overdue")
    assert row["late"].rindex("×") == today - 1 or row["late"][today] == "×"
    # on time: the bar (preparation's glyph) crosses today's line
    assert row["now"][today] == "░"
    assert row["now"].index("░") < today < row["now"].rindex("░")
    assert row["now"].rstrip().endswith("14d")
    # longer than the chart: clipped at both ends
    cells = row["long"][len("future") + 1 :]
    assert cells.lstrip().startswith("◀")
    assert "▶" in cells
    # beyond the chart: no bar, only today's line
    assert row["future"][today] == "│"
    assert not set(row["future"]) & set("░▒▓█◀▶×")
    # stages are told apart by glyph as well as colour, and the legend says which is which
    assert "▒" in row["late"]
    assert "░░ Preparation" in out
    assert "▒▒ Execution" in out


@pytest.mark.parametrize("columns", ["40", "60", "80", "120", "200"])
def test_fits_the_terminal(chart: Workspace, monkeypatch: pytest.MonkeyPatch, columns: str) -> None:
    monkeypatch.setenv("COLUMNS", columns)
    out = chart.ok("timeline").out
    assert max(len(line) for line in out.splitlines()) <= int(columns)
    assert "▼" in out


def month_line(out: str) -> str:
    """The line of month names: after the title and a blank line."""
    return out.splitlines()[2]


@pytest.mark.parametrize(
    ("since", "weeks", "named", "not_named"),
    [
        ("2026-11-30", "8", ["Dec", "Jan 2027"], ["Nov"]),  # 1 day of November: too few columns
        ("2026-11-28", "20", ["Dec", "Jan 2027", "Feb", "Mar", "Apr"], ["Nov"]),
        ("2026-11-09", "12", ["Nov", "Dec", "Jan 2027"], []),
    ],
)
@pytest.mark.parametrize("columns", ["60", "80", "120"])
def test_a_month_is_named_over_its_own_columns(
    chart: Workspace,
    monkeypatch: pytest.MonkeyPatch,
    columns: str,
    since: str,
    weeks: str,
    named: list[str],
    not_named: list[str],
) -> None:
    monkeypatch.setenv("COLUMNS", columns)
    doc = chart.ok("timeline", "--from", since, "--weeks", weeks, "--json").json()
    assert doc["from"] == since
    header = month_line(chart.ok("timeline", "--from", since, "--weeks", weeks).out)
    words = header.split()
    for label in named:
        assert label.split()[0] in words, (label, header)
    for label in not_named:
        assert label not in words, (label, header)


def test_nothing_open(ws: Workspace) -> None:
    result = ws.ok("timeline")
    assert "No open engagements." in result.out
    assert ws.ok("timeline", "--json").json()["engagements"] == []


def test_russian(chart: Workspace) -> None:
    out = chart.ok("--lang", "ru", "timeline").out
    assert "График" in out
    assert "просрочка 6 дн." in out
    assert "дек" in out
