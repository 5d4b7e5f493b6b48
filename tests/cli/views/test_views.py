"""The views (status, deadlines, checklist, show, lists): JSON facts exactly, human output for
what matters, width limits, languages. Workspaces are built through the CLI, today is fixed."""

from __future__ import annotations

import io
import shutil
import sys
from pathlib import Path

import pytest
from rich.cells import cell_len
from rich.console import Console

from conftest import TODAY, Workspace, cli, heavy_imports

# --- the workspace ----------------------------------------------------------------------------

_TEMPLATE: dict[str, Path] = {}


def _build(root: Path) -> Workspace:
    assert cli("init", str(root), "--name", "Views Firm", "--lang", "en").code == 0
    ws = Workspace(root)
    ws.ok("service", "new", "audit", "--name", "Security audit", "--owner", "anna")
    ws.ok("service", "new", "crm", "--name", "CRM [bold]rollout[/bold]")
    ws.ok("set", "crm", "deadline.planning", "2026-11-20")
    ws.ok("set", "audit", "deadline.planning", "2026-11-30")
    ws.ok("set", "audit", "deadline.development", "2026-12-20")
    new = ("engagement", "new")
    ws.ok(*new, "late", "-s", "audit", "-c", "ACME [bold]Corp[/bold]",
          "--start", "2026-11-01", "--due", "2026-11-20")  # fmt: skip
    ws.ok(*new, "soon", "-s", "audit", "-c", "ООО Ромашка", "--due", "2026-11-30",
          "--price", "450000", "--currency", "RUB")  # fmt: skip
    ws.ok("set", "soon", "deadline.preparation", "2026-11-10")  # met once it moves on
    ws.ok("advance", "soon", "--force", "--note", "client in a hurry")
    ws.ok(*new, "staged", "-s", "crm", "-c", "Globex", "--due", "2027-01-15")
    ws.ok("set", "staged", "deadline.preparation", "2026-11-28")
    ws.ok(*new, "later", "-s", "audit", "-c", "Initech", "--due", "2027-02-01")
    ws.ok(*new, "done", "-s", "audit", "-c", "Hooli", "--due", "2026-12-10")
    for _ in range(4):
        ws.ok("advance", "done", "--force")
    ws.ok(*new, "dropped", "-s", "crm", "-c", "Umbrella", "--due", "2026-12-01")
    ws.ok("cancel", "dropped", "--note", "client withdrew")
    ws.ok("check", "late", "terms-agreed", "--note", "signed 12 Nov")
    ws.ok("check", "late", "communication", "--note", "weekly call")
    ws.ok("uncheck", "late", "proactivity", "--note", "no plan yet")
    ws.ok("check", "soon", "communication")
    ws.ok("check", "audit", "trust")
    ws.ok("uncheck", "audit", "deadlines", "--note", "late twice")
    ws.ok("note", "late", "sent the plan", "--channel", "email")
    ws.ok("feedback", "late", "--score", "4", "--speed", "5", "--comment", "good")
    return ws


@pytest.fixture
def views(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    """Two services and six engagements: overdue, due soon, later, closed, cancelled.

    Built once through the CLI, then copied for each test.
    """
    if "root" not in _TEMPLATE:
        _TEMPLATE["root"] = _build(tmp_path_factory.mktemp("template") / "ws").root
    shutil.copytree(_TEMPLATE["root"], tmp_path / "ws")
    return Workspace(tmp_path / "ws")


def lines_within(out: str, width: int) -> None:
    assert out.strip(), "no output"
    for line in out.splitlines():
        assert cell_len(line) <= width, f"{cell_len(line)} > {width}: {line!r}"


def squeeze(out: str) -> str:
    """The output with every run of spaces made one, line by line."""
    return "\n".join(" ".join(line.split()) for line in out.splitlines())


def ids(rows: object) -> list[str]:
    assert isinstance(rows, list)
    return [r["id"] for r in rows]


# --- status -----------------------------------------------------------------------------------

LATE = {
    "id": "late",
    "kind": "engagement",
    "name": "Security audit — ACME [bold]Corp[/bold]",
    "stage": "preparation",
    "progress": 0.0,
    "next_deadline": "2026-11-20",
    "overdue": True,
    "coverage": {"honoured": 1, "not_honoured": 1, "not_assessed": 9},  # of eleven
    "owner": "anna",
    "mode": "",
    "service": "audit",
    "client": "ACME [bold]Corp[/bold]",
    "due": "2026-11-20",
    "days_left": -6,
}


def test_status_json_facts(views: Workspace) -> None:
    status = views.ok("status", "--json").json()
    assert set(status) == {"services", "engagements"}
    engagements = status["engagements"]
    # overdue first, then the soonest next deadline (staged: its preparation deadline)
    assert ids(engagements) == ["late", "staged", "soon", "later"]
    assert engagements[0] == LATE
    facts = {
        e["id"]: (e["next_deadline"], e["due"], e["days_left"], e["overdue"]) for e in engagements
    }
    assert facts == {
        "late": ("2026-11-20", "2026-11-20", -6, True),
        "staged": ("2026-11-28", "2027-01-15", 50, False),
        "soon": ("2026-11-30", "2026-11-30", 4, False),
        "later": ("2027-02-01", "2027-02-01", 67, False),
    }
    soon = engagements[2]
    assert (soon["stage"], soon["progress"], soon["service"]) == ("execution", 0.25, "audit")
    services = status["services"]
    assert ids(services) == ["crm", "audit"]
    assert services[0] == {
        "id": "crm",
        "kind": "service",
        "name": "CRM [bold]rollout[/bold]",
        "stage": "planning",
        "progress": 0.0,
        "next_deadline": "2026-11-20",
        "overdue": True,
        "coverage": {"honoured": 0, "not_honoured": 0, "not_assessed": 7},
        "owner": "",
        "mode": "",
        "open_engagements": 1,
    }
    audit = services[1]
    assert (audit["next_deadline"], audit["overdue"], audit["open_engagements"]) == (
        "2026-11-30",
        False,
        3,
    )
    assert audit["coverage"] == {"honoured": 1, "not_honoured": 1, "not_assessed": 5}


def test_status_all_adds_closed_and_cancelled_last(views: Workspace) -> None:
    status = views.ok("status", "--all", "--json").json()
    engagements = status["engagements"]
    assert ids(engagements) == ["late", "staged", "soon", "later", "done", "dropped"]
    ended = {
        e["id"]: (e["stage"], e["progress"], e["next_deadline"], e["overdue"])
        for e in engagements[4:]
    }
    assert ended == {
        "done": ("closed", 1.0, None, False),
        "dropped": ("cancelled", 0.0, None, False),
    }
    # services have no end but cancel: --all shows the same two
    assert ids(status["services"]) == ["crm", "audit"]


def test_status_json_equals_the_lists(views: Workspace) -> None:
    status = views.ok("status", "--json").json()
    listed = views.ok("engagement", "list", "--json").json()
    assert listed == status["engagements"]
    services = views.ok("service", "list", "--json").json()
    assert ids(services) == ids(status["services"])


def test_status_human(views: Workspace) -> None:
    out = views.ok("status").out
    lines_within(out, 120)
    late = next(line for line in out.splitlines() if line.lstrip().startswith("late "))
    assert "ACME [bold]Corp[/bold]" in late  # user text is literal
    assert "6d overdue" in late
    assert "2026-11-20" in late
    staged = next(line for line in out.splitlines() if line.lstrip().startswith("staged "))
    assert "2d · Preparation" in staged  # the next deadline is a stage's, and says which
    assert "done" not in out.split() and "dropped" not in out.split()
    assert "Open: 4 engagements, 2 services · overdue: 2 · due within 7 days: 3" in out
    assert "By stage: Preparation 3 · Execution 1 · Control 0 · Completion 0" in out
    assert f"today {TODAY}" in out
    order = [line.split()[0] for line in out.splitlines() if line[:1] == " " and line.split()]
    assert order.index("late") < order.index("staged") < order.index("soon") < order.index("later")


def test_status_all_human_shows_ended_items(views: Workspace) -> None:
    out = views.ok("status", "--all").out
    assert "Closed" in out and "Cancelled" in out
    assert "●●●● Closed" in out
    assert "Closed 1 · Cancelled 1" in out


def test_status_russian(views: Workspace) -> None:
    out = views.ok("--lang", "ru", "status").out
    lines_within(out, 120)
    assert "Заказы (4)" in out and "Услуги (2)" in out
    assert "просрочка 6 дн." in out
    assert "20.11.2026" in out and "2026-11-20" not in out
    assert "Открыто: 4 заказа, 2 услуги · просрочено: 2 · срок в ближайшие 7 дней: 3" in out
    assert "ООО Ромашка" in out


def test_status_russian_rows_aligned(views: Workspace) -> None:
    """Cyrillic clients and stages do not shift the columns after them."""
    out = views.ok("--lang", "ru", "status").out
    rows = [line for line in out.splitlines() if "2026" in line or "2027" in line]
    starts = set()
    for line in rows:
        if line.lstrip().split()[0] in ("late", "staged", "soon", "later"):
            at = next(
                line.index(d)
                for d in ("20.11.2026", "15.01.2027", "30.11.2026", "01.02.2027")
                if d in line
            )
            starts.add(cell_len(line[:at]))
    assert len(starts) == 1


def test_status_narrow_keeps_what_matters(
    views: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "60")
    for lang in ("en", "ru"):
        out = views.ok("--lang", lang, "status").out
        lines_within(out, 60)
        assert "late" in out and "staged" in out
        assert ("6d overdue" if lang == "en" else "просрочка 6") in out
        assert "●◉○○" in out  # the stage as a small pipeline


def test_status_empty_workspace(ws: Workspace) -> None:
    assert ws.ok("status", "--json").json() == {"services": [], "engagements": []}
    out = ws.ok("status").out
    assert "Nothing open" in out and "svctrack engagement new" in out


def test_status_stays_one_screen(ws: Workspace) -> None:
    ws.ok("service", "new", "svc", "--name", "Service")
    ws.ok("engagement", "new", "overdue", "-s", "svc", "-c", "Late Ltd",
          "--start", "2026-11-01", "--due", "2026-11-02")  # fmt: skip
    for n in range(1, 26):
        ws.ok("engagement", "new", f"e{n:02d}", "-s", "svc", "-c", f"Client {n}", "--due", f"+{n}d")
    status = ws.ok("status", "--json").json()
    assert len(status["engagements"]) == 26  # JSON always carries every open item
    out = ws.ok("status").out
    shown = [line.split()[0] for line in out.splitlines() if line.startswith((" e", " overdue"))]
    assert shown == ["overdue"] + [f"e{n:02d}" for n in range(1, 20)]
    assert "… and 6 more: svctrack engagement list" in out
    assert "By stage: Preparation 26 · Execution 0" in out
    assert len(out.splitlines()) < 50


# --- deadlines --------------------------------------------------------------------------------

DEADLINES = [
    ("crm", "service", "planning", "2026-11-20", -6, True),
    ("late", "engagement", "due", "2026-11-20", -6, True),
    ("staged", "engagement", "preparation", "2026-11-28", 2, False),
    ("audit", "service", "planning", "2026-11-30", 4, False),
    ("soon", "engagement", "due", "2026-11-30", 4, False),
    ("audit", "service", "development", "2026-12-20", 24, False),
    ("staged", "engagement", "due", "2027-01-15", 50, False),
    ("later", "engagement", "due", "2027-02-01", 67, False),
]


def rows_of(result: object) -> list[tuple]:
    assert isinstance(result, list)
    keys = ("id", "kind", "what", "date", "days_left", "overdue")
    for row in result:
        assert set(row) == set(keys)
    return [tuple(row[k] for k in keys) for row in result]


def test_deadlines_json_every_obligation_soonest_first(views: Workspace) -> None:
    # soon's preparation deadline is met (it moved on); closed and cancelled items have none
    assert rows_of(views.ok("deadlines", "--json").json()) == DEADLINES


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--within", "4"], DEADLINES[:5]),
        (["--within", "0"], DEADLINES[:2]),  # --within includes the overdue
        (["--within", "2"], DEADLINES[:3]),
        (["--overdue"], DEADLINES[:2]),
        (["--overdue", "--within", "30"], DEADLINES[:2]),
        (["--within", "1000"], DEADLINES),
    ],
)
def test_deadlines_filters(views: Workspace, args: list[str], expected: list[tuple]) -> None:
    assert rows_of(views.ok("deadlines", *args, "--json").json()) == expected


@pytest.mark.parametrize("bad", ["-1", "soon", "1.5"])
def test_deadlines_bad_within_is_usage(views: Workspace, bad: str) -> None:
    result = views.run("deadlines", "--within", bad)
    assert result.code == 2
    assert result.err.startswith("error: ")


def test_deadlines_human_marks_today_and_overdue(views: Workspace) -> None:
    out = views.ok("deadlines").out
    lines_within(out, 120)
    lines = out.splitlines()
    today = next(n for n, line in enumerate(lines) if "◀ today" in line)
    assert TODAY in lines[today]
    overdue = [n for n, line in enumerate(lines) if "6d overdue" in line]
    assert len(overdue) == 2 and all(n < today for n in overdue)
    assert next(n for n, line in enumerate(lines) if " staged " in line) > today
    assert "Development and creation" in out  # a stage deadline, named


def test_deadlines_human_russian_and_empty(views: Workspace) -> None:
    out = views.ok("--lang", "ru", "deadlines", "--within", "3").out
    assert "◀ сегодня" in out and "просрочка 6 дн." in out and "28.11.2026" in out
    result = views.ok("deadlines", "--within", "0")
    assert "6d overdue" in result.out
    empty = Workspace(views.root)
    for item in ("crm", "late"):
        empty.ok("cancel", item, "--note", "gone")
    result = empty.ok("deadlines", "--overdue")
    assert result.out == "" and "No dated obligations" in result.err
    assert empty.ok("deadlines", "--overdue", "--json").json() == []


# --- checklist --------------------------------------------------------------------------------


def test_checklist_item_json(views: Workspace) -> None:
    found = views.ok("checklist", "late", "--json").json()
    assert found["gates"] == [
        {"id": "terms-agreed", "label": "Deadlines and cost agreed", "done": True,
         "note": "signed 12 Nov"},
        {"id": "resources-assigned", "label": "Resources assigned", "done": False, "note": ""},
        {"id": "interaction-agreed", "label": "Way of working with the client agreed",
         "done": False, "note": ""},
    ]  # fmt: skip
    principles = {p["id"]: (p["ok"], p["note"], p["group"]) for p in found["principles"]}
    general = ("trust", "quality", "individual", "transparency", "deadlines", "integrity")
    assert principles == {
        **{p: (None, "", "general") for p in (*general, "efficiency")},
        "communication": (True, "weekly call", "delivery"),
        "proactivity": (False, "no plan yet", "delivery"),
        "systematic": (None, "", "delivery"),
        "improvement": (None, "", "delivery"),
    }
    assert views.ok("checklist", "done", "--json").json()["gates"] == []


def test_checklist_item_human(views: Workspace) -> None:
    out = views.ok("checklist", "late").out
    lines_within(out, 120)
    assert "Gate items · Preparation (1/3)" in out
    terms = next(line for line in out.splitlines() if "terms-agreed" in line)
    assert "✓" in terms and "signed 12 Nov" in terms
    assert "○" in next(line for line in out.splitlines() if "resources-assigned" in line)
    proactivity = next(line for line in out.splitlines() if "proactivity" in line)
    assert "✗" in proactivity and "no plan yet" in proactivity
    assert "Principles of realization and delivery (0/7)" in out
    assert "Principles of delivery (1/4)" in out
    ru = views.ok("--lang", "ru", "checklist", "late").out
    assert "Чек-лист этапа · Подготовка (1/3)" in ru and "Определены сроки и стоимость" in ru
    assert "terms-agreed" in ru  # ids never change with the language


def test_checklist_matrix_json(views: Workspace) -> None:
    matrix = views.ok("checklist", "--json").json()
    assert [(m["id"], m["kind"]) for m in matrix] == [
        ("audit", "service"),
        ("crm", "service"),
        ("late", "engagement"),
        ("later", "engagement"),
        ("soon", "engagement"),
        ("staged", "engagement"),
    ]
    late = next(m for m in matrix if m["id"] == "late")
    assert [p["ok"] for p in late["principles"]] == [None] * 7 + [True, False, None, None]
    assert late["principles"][7] == {
        "id": "communication",
        "label": "Communication",
        "group": "delivery",
        "ok": True,
        "note": "weekly call",
    }


def test_checklist_matrix_human_names_the_neglected(views: Workspace) -> None:
    out = views.ok("checklist").out
    lines_within(out, 120)
    assert "Principles · Engagement (4)" in out and "Principles · Service (2)" in out
    late = next(line for line in out.splitlines() if line.startswith(" late "))
    assert late.split()[1:] == ["·"] * 7 + ["✓", "✗", "·", "·"]
    neglected = [line for line in out.splitlines() if "most neglected" in line]
    # proactivity: nobody honours it and one item does not; deadlines likewise among services
    assert len(neglected) == 2
    assert "Proactivity" in neglected[0]
    assert "Consistency and meeting deadlines" in neglected[1]
    communication = next(line for line in out.splitlines() if "Communication" in line)
    assert communication.split()[-3:] == ["2", "0", "2"]


# --- show -------------------------------------------------------------------------------------


def test_show_engagement_in_full(views: Workspace) -> None:
    out = views.ok("show", "late").out
    lines_within(out, 120)
    assert out.startswith("late  Security audit — ACME [bold]Corp[/bold]")
    out = squeeze(out)
    for expected in (
        "Client ACME [bold]Corp[/bold]",
        "Due 2026-11-20 6d overdue",
        "◉ Preparation → ○ Execution → ○ Control → ○ Completion",
        "Gate items · Preparation (1/3)",
        "signed 12 Nov",
        "Principles of delivery (1/4)",
        "History",
        "● 2026-11-26",
        "Preparation · tester",
        "Notes",
        "email · tester",
        "sent the plan",
        "Feedback",
        "4/5",
        "speed 5",
    ):
        assert expected in out, expected


def test_show_forced_history_and_money(views: Workspace) -> None:
    out = views.ok("show", "soon").out
    assert "● Preparation → ◉ Execution" in out
    assert "forced: terms-agreed, resources-assigned, interaction-agreed" in out
    assert "450,000 RUB" in out
    ru = views.ok("--lang", "ru", "show", "soon").out
    assert "450\u00a0000\u00a0₽" in ru  # 450 000 ₽, the spaces unbreakable
    assert "Цена" in ru and "Выполнение" in ru and "принудительно" in ru
    # a met deadline is ticked, not counted down
    deadlines = squeeze(ru[ru.index("Сроки") :])
    assert "Подготовка 10.11.2026 ✓" in deadlines


def test_show_service_and_ended(views: Workspace) -> None:
    out = squeeze(views.ok("show", "audit").out)
    assert "Engagements done, late, later, soon" in out
    assert "Development and creation" in out
    closed = views.ok("show", "done").out
    assert "● Completion → Closed" in closed
    cancelled = views.ok("show", "dropped").out
    assert "✕ Preparation" in cancelled and "Cancelled" in cancelled


def test_show_json(views: Workspace) -> None:
    shown = views.ok("show", "soon", "--json").json()
    assert shown["stages"] == ["preparation", "execution", "control", "completion"]
    assert (shown["stage"], shown["days_left"], shown["overdue"]) == ("execution", 4, False)
    assert shown["price"] == {"amount": 450000, "currency": "RUB"}
    assert shown["deadlines"] == {"preparation": "2026-11-10"}
    assert shown["history"][1]["forced"] is True
    assert [g["id"] for g in shown["gates"]] == ["work-done"]


# --- languages --------------------------------------------------------------------------------

READ_COMMANDS = [
    ["status"],
    ["status", "--all"],
    ["deadlines"],
    ["deadlines", "--within", "7"],
    ["checklist"],
    ["checklist", "late"],
    ["checklist", "audit"],
    ["show", "late"],
    ["show", "soon"],
    ["show", "audit"],
    ["show", "done"],
    ["service", "list"],
    ["engagement", "list", "--all"],
    ["validate"],
]


@pytest.mark.parametrize("command", READ_COMMANDS, ids=" ".join)
def test_json_is_the_same_in_every_language(
    views: Workspace, command: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    english = views.ok("--lang", "en", *command, "--json").out
    assert views.ok("--lang", "ru", *command, "--json").out == english
    monkeypatch.setenv("LANG", "ru_RU.UTF-8")
    (views.root / "svctrack.toml").write_text('name = "Views Firm"\n', "utf-8")  # no lang
    assert views.ok(*command, "--json").out == english


@pytest.mark.parametrize("command", READ_COMMANDS[:-1], ids=" ".join)
@pytest.mark.parametrize("columns", [60, 120])
@pytest.mark.parametrize("lang", ["en", "ru"])
def test_human_output_fits_the_width(
    views: Workspace, command: list[str], columns: int, lang: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", str(columns))
    lines_within(views.ok("--lang", lang, *command).out, columns)


def test_language_choice_order(views: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    def heading() -> str:
        return views.ok("status").out.splitlines()[0]

    assert "today" in heading()  # the workspace says en
    config = views.root / "svctrack.toml"
    config.write_text(config.read_text("utf-8").replace('lang = "en"', 'lang = "ru"'), "utf-8")
    assert "сегодня" in heading()
    assert "today" in views.ok("--lang", "en", "status").out.splitlines()[0]
    # without a workspace lang: the user config, then the locale
    config.write_text('name = "Views Firm"\n', "utf-8")
    monkeypatch.setenv("LANG", "ru_RU.UTF-8")
    assert "сегодня" in heading()
    user = Path(views.root.parent / "home-config")
    user.mkdir()
    monkeypatch.setenv("XDG_CONFIG_HOME", str(user))
    (user / "svctrack").mkdir()
    (user / "svctrack" / "config.toml").write_text('lang = "en"\n', "utf-8")
    assert "today" in heading()
    monkeypatch.setenv("LANG", "C.UTF-8")
    (user / "svctrack" / "config.toml").write_text("", "utf-8")
    assert "today" in heading()


def test_labels_never_touch_files(views: Workspace) -> None:
    before = views.snapshot()
    for command in READ_COMMANDS:
        views.ok("--lang", "ru", *command)
    assert views.snapshot() == before


# --- user text, colour, escape codes ----------------------------------------------------------


def test_render_text_is_inert() -> None:
    from svctrack.output import cells as render

    assert render.text("[bold]ACME[/bold] :smile:").plain == "[bold]ACME[/bold] :smile:"
    shown = render.text("evil\x1b[31mred\x1b]0;title\x07 \u202eabc \x9b1m").plain
    assert "\x1b" not in shown and "\x07" not in shown and "\u202e" not in shown
    assert "\x9b" not in shown
    assert shown == "evil\\x1b[31mred\\x1b]0;title\\x07 \\u202eabc \\x9b1m"
    assert render.text("ООО «Ромашка»\u00a0и\u00a0Ко").plain == "ООО «Ромашка»\u00a0и\u00a0Ко"
    assert render.text(None).plain == ""
    console = Console(file=io.StringIO(), force_terminal=True, color_system="truecolor", width=80)
    console.print(render.text("[red]x[/red] \x1b[2J"))
    printed = console.file.getvalue()
    assert "[red]x[/red]" in printed and "\\x1b[2J" in printed
    assert "\x1b[2J" not in printed


def test_escape_sequences_in_files_are_shown_harmlessly(views: Workspace) -> None:
    views.ok("set", "late", "client", "Evil\x1b[2J\x1b[31m Corp")
    for command in (["status"], ["show", "late"], ["engagement", "list"]):
        out = views.ok(*command).out
        assert "\x1b" not in out
        assert "Evil\\x1b[2J\\x1b[31m Corp" in out
    assert views.ok("show", "late", "--json").json()["client"] == "Evil\x1b[2J\x1b[31m Corp"


def test_piped_output_has_no_escape_codes(
    views: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("NO_COLOR")
    for command in READ_COMMANDS[:-1]:
        assert "\x1b" not in views.ok(*command).out


def test_colour_only_on_a_terminal_and_no_color_honoured(monkeypatch: pytest.MonkeyPatch) -> None:
    from svctrack.cli.app import State
    from svctrack.output import cells as render

    monkeypatch.delenv("NO_COLOR")
    assert State().out.no_color is False
    assert State(color=False).out.no_color is True
    monkeypatch.setenv("NO_COLOR", "1")
    assert State().out.no_color is True
    late = render.days_text(-3, "en")
    coloured = Console(
        file=io.StringIO(), force_terminal=True, color_system="standard", no_color=False
    )
    coloured.print(late)
    assert "\x1b[" in coloured.file.getvalue() and "31" in coloured.file.getvalue()
    plain = Console(file=io.StringIO(), force_terminal=True, color_system="standard", no_color=True)
    plain.print(late)
    assert "31m" not in plain.file.getvalue()


# --- layers -----------------------------------------------------------------------------------


def test_json_reads_import_no_rich_and_no_tomlkit(views: Workspace) -> None:
    for command in (["status", "--json"], ["deadlines", "--json"], ["checklist", "--json"],
                    ["show", "late", "--json"]):  # fmt: skip
        loaded = heavy_imports(views.root, *command)
        assert "LOADED []" in loaded, (command, loaded)


WRITES_ONLY = ("svctrack.storage.journal", "svctrack.domain.merge", "socket", "hashlib")


@pytest.mark.parametrize("command", [("status", "--json"), ("status",), ("engagement", "list")])
def test_reads_import_nothing_a_write_or_a_merge_needs(
    views: Workspace, command: tuple[str, ...]
) -> None:
    """Start-up is most of a read's time: the undo journal, the merge, socket (the lock's
    host name), hashlib (the journal's digests), platformdirs (the user folders, where XDG
    rules) and multiprocessing (for thousands of parses) stay out of a warm read."""
    views.ok(*command)  # the cache warmed
    watch = (*WRITES_ONLY, "platformdirs", "multiprocessing")
    loaded = heavy_imports(views.root, *command, watch=watch)
    # (elsewhere than Linux the user folders are platformdirs' to find)
    assert "LOADED []" in loaded or sys.platform != "linux", (command, loaded)


def test_fit_drops_and_narrows_columns_in_order() -> None:
    from svctrack.output.tables import fit

    least = {"id": [10], "days": [8, 16], "client": [12], "stage": [4, 16], "due": [10]}
    steps = [("id", 0), ("days", 0), ("client", 0), ("stage", 0), ("stage", 1), ("days", 1),
             ("due", 0)]  # fmt: skip
    assert fit(least, steps, 200) == {"id": 0, "days": 1, "client": 0, "stage": 1, "due": 0}
    # 10 + 8 + 12 + 4 + 3 * 4 - 1 = 45
    assert fit(least, steps, 45) == {"id": 0, "days": 0, "client": 0, "stage": 0}
    assert fit(least, steps, 44) == {"id": 0, "days": 0, "client": 0}
    assert fit(least, steps, 5) == {"id": 0}  # the first column is always shown
    assert fit(least, [("id", 0), ("missing", 0), ("client", 1)], 200) == {"id": 0}


def test_broken_files_and_unknown_stages_do_not_stop_the_views(views: Workspace) -> None:
    (views.root / "engagements" / "broken.toml").write_text('name = "x"\nstage = \n', "utf-8")
    odd = views.text("later").replace('stage = "preparation"', 'stage = "weird"')
    (views.root / "engagements" / "odd.toml").write_text(odd, "utf-8")
    for command in (["status"], ["deadlines"], ["checklist"], ["status", "--json"]):
        result = views.run(*command)
        assert result.code == 1, command  # the others are shown, the broken files are named
        assert "late" in result.out and "odd" not in result.out
        first, second = result.err.splitlines()
        assert first.startswith("error: engagements/broken.toml:2")
        assert second.startswith("error: engagements/odd.toml:4:1: unknown engagement stage")
    assert isinstance(views.run("status", "--json").json(), dict)
    shown = views.run("show", "odd")
    assert shown.code == 1 and not shown.out
    assert shown.err == (
        "error: engagements/odd.toml:4:1: unknown engagement stage 'weird'"
        " (stages: preparation, execution, control, completion, closed, cancelled)\n"
    )


def test_deadlines_narrow_keeps_ids_whole(
    views: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "60")
    views.ok("engagement", "new", "an-id-of-twenty-char", "-s", "crm", "-c", "X", "--due", "+3d")
    for lang in ("en", "ru"):
        out = views.ok("--lang", lang, "deadlines").out
        lines_within(out, 60)
        assert "an-id-of-twenty-char" in out  # whole in both languages
        assert ("-6d" if lang == "en" else "6 дн.") in out  # above the today mark: overdue
        assert ("◀ today" if lang == "en" else "◀ сегодня") in out


def test_share_gives_room_in_order_of_importance() -> None:
    from svctrack.output.tables import COMFORTABLE, _share

    least = {"id": 8, "name": 10, "what": 6}
    natural = {"id": 20, "name": 60, "what": 40}
    assert _share(least, natural, ["id", "what", "name"], 200) == {}  # everything fits
    assert _share(least, natural, ["id", "what", "name"], 20) == {}  # nothing can: rich decides
    assert _share(least, natural, ["id", "what", "name"], 40) == {"id": 20, "name": 10, "what": 10}
    wide = _share(least, natural, ["id", "what", "name"], 80)
    assert wide == {"id": 20, "what": 36, "name": COMFORTABLE}
    assert sum(wide.values()) == 80


@pytest.mark.parametrize(
    "command",
    [
        ("status",),
        ("engagement", "list", "--all"),
        ("deadlines",),
        ("checklist",),
        ("show", "late"),
        ("report",),
        ("timeline",),
    ],
)
def test_piped_tables_have_no_trailing_spaces(views: Workspace, command: tuple[str, ...]) -> None:
    out = views.ok(*command).out
    assert out.strip()
    assert [line for line in out.splitlines() if line != line.rstrip()] == []
