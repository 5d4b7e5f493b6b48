"""`svctrack board`: one column per stage, one card per open item, at any width, in any language."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import Workspace, cli

WIDTHS = (60, 100, 160)


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    """The example workspace, dated 2026-11-26 (the autouse fixture's today is set per test,
    so the workspace is made under the same SVCTRACK_TODAY here)."""
    root = tmp_path_factory.mktemp("board") / "example"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SVCTRACK_TODAY", "2026-11-26")
        patch.setenv("SVCTRACK_USER", "tester")
        result = cli("init", str(root), "--example")
    assert result.code == 0, result.err
    return Workspace(root)


def open_items(ws: Workspace, kind: str) -> dict[str, bool]:
    """id → overdue, of the open items of `kind`, as `status --json` has them."""
    doc = ws.ok("status", "--json").json()
    assert isinstance(doc, dict)
    return {s["id"]: s["overdue"] for s in doc[kind]}


def whole(item_id: str, output: str) -> bool:
    """`item_id` appears on one line, not as part of a longer id."""
    return re.search(rf"(?<![\w-]){re.escape(item_id)}(?![\w-])", output) is not None


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("lang", ["en", "ru"])
@pytest.mark.parametrize("kind", ["engagements", "services"])
def test_every_open_item_is_on_the_board_whole_and_overdue_ones_are_marked(
    example: Workspace, monkeypatch: pytest.MonkeyPatch, width: int, lang: str, kind: str
) -> None:
    monkeypatch.setenv("COLUMNS", str(width))
    out = example.ok("--lang", lang, "board", "--kind", kind).out
    expected = open_items(example, kind)
    assert expected
    for item_id, overdue in expected.items():
        assert whole(item_id, out), f"{item_id} not whole at {width}:\n{out}"
        marked = re.search(rf"! {re.escape(item_id)}(?![\w-])", out) is not None
        assert marked == overdue, f"{item_id} overdue={overdue} at {width}:\n{out}"
    assert max(len(line) for line in out.splitlines()) <= width, out
    for closed in ("nordwind-crm", "romashka-audit", "zarya-audit", "vostok-audit"):
        assert closed not in out
    overdue_word = "просрочено" if lang == "ru" else "overdue"
    assert f"{overdue_word}: {sum(expected.values())}" in out


@pytest.mark.parametrize("width", WIDTHS)
def test_the_stages_are_in_pipeline_order_in_their_own_words(
    example: Workspace, monkeypatch: pytest.MonkeyPatch, width: int
) -> None:
    monkeypatch.setenv("COLUMNS", str(width))
    en = example.ok("board").out
    ru = example.ok("--lang", "ru", "board").out
    for out, labels in (
        (en, ["Preparation 2", "Execution 2", "Control 1", "Completion 1"]),
        (ru, ["Подготовка 2", "Выполнение 2", "Контроль 1", "Завершение 1"]),
    ):
        found = [out.find(label) for label in labels]
        assert all(at >= 0 for at in found), out
        if width < 100:  # stacked: one after another, top to bottom
            assert found == sorted(found), out
        else:  # side by side on the first line of the table
            assert len({out.count("\n", 0, at) for at in found}) == 1, out
            assert found == sorted(found), out


def test_wide_enough_the_stages_stand_side_by_side_and_narrow_they_stack(
    example: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "160")
    wide = example.ok("board").out
    assert "│" in wide
    assert "Helios Energie AG" in wide and "due 2027-04-30" in wide  # whole cards
    monkeypatch.setenv("COLUMNS", "60")
    narrow = example.ok("board").out
    assert "│" not in narrow
    lines = narrow.splitlines()
    at = lines.index("Preparation 2")
    assert lines[at + 1].startswith("! helios-crm")  # the most urgent card first
    assert lines[at + 2].startswith("teremok-audit")


def test_cards_are_ordered_as_status_orders_them(example: Workspace) -> None:
    status = example.ok("status", "--json").json()
    order = [s["id"] for s in status["engagements"]]  # type: ignore[index]
    board = example.ok("board", "--json").json()
    for column in board["columns"]:  # type: ignore[index]
        ids = [s["id"] for s in column["items"]]
        assert ids == [i for i in order if i in ids]


def test_json_is_one_column_per_stage_with_the_summaries_status_gives(
    example: Workspace,
) -> None:
    doc = example.ok("board", "--json").json()
    assert isinstance(doc, dict)
    assert doc["kind"] == "engagements"
    assert [c["stage"] for c in doc["columns"]] == [
        "preparation",
        "execution",
        "control",
        "completion",
    ]
    assert [c["label"] for c in doc["columns"]] == [
        "Preparation",
        "Execution",
        "Control",
        "Completion",
    ]
    status = example.ok("status", "--json").json()
    summaries = {s["id"]: s for s in status["engagements"]}  # type: ignore[index]
    on_board = {s["id"]: s for c in doc["columns"] for s in c["items"]}
    assert on_board == summaries  # every open one, as status has it, and nothing else
    for column in doc["columns"]:
        assert all(s["stage"] == column["stage"] for s in column["items"])
    # JSON does not change with the language
    assert example.ok("--lang", "ru", "board", "--json").out == example.ok("board", "--json").out
    services = example.ok("board", "--kind", "services", "--json").json()
    assert services["kind"] == "services"  # type: ignore[index]
    assert [c["stage"] for c in services["columns"]] == [  # type: ignore[index]
        "planning",
        "development",
        "testing",
        "launch",
        "delivery",
        "monitoring",
    ]


def test_the_filters(example: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    def ids(*args: str) -> set[str]:
        doc = example.ok("board", "--json", *args).json()
        return {s["id"] for c in doc["columns"] for s in c["items"]}  # type: ignore[index]

    lukas = {"helios-crm", "lindqvist-crm", "aurora-crm"}
    assert ids("--owner", "Lukas Becker") == lukas
    assert ids("--owner", "  lukas becker ") == lukas  # any case, spaces aside
    assert ids("--owner", "Ольга Соколова") == {"kaskad-audit", "teremok-audit"}
    assert ids("--owner", "nobody") == set()
    assert ids("--service", "it-audit") == {"kaskad-audit", "teremok-audit"}
    assert ids("--service", "crm", "--owner", "Lukas Becker") == lukas  # a prefix will do
    assert ids("--kind", "services", "--service", "opmodel") == {"opmodel"}
    monkeypatch.setenv("SVCTRACK_USER", "Dmitry Volkov")
    assert ids("--mine") == {"baltcargo-cloud"}
    assert ids("--mine", "--kind", "services") == {"cloud-migration"}
    mixed = example.run("board", "--mine", "--owner", "anna")
    assert mixed.code == 2 and "exclude each other" in mixed.err
    assert example.run("board", "--service", "nope").code == 1
    assert example.run("board", "--kind", "clients").code == 2


def test_a_limit_counts_what_it_leaves_out(
    example: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    for width in ("60", "160"):
        monkeypatch.setenv("COLUMNS", width)
        out = example.ok("board", "--limit", "1").out
        assert "Preparation 2" in out
        assert "helios-crm" in out and "teremok-audit" not in out
        if width == "60":
            assert "… and 1 more: svctrack engagement list --stage preparation" in out
        else:
            assert out.count("… and 1 more") == 2  # preparation, execution
            assert "svctrack engagement list --stage STAGE lists every item of a stage" in out
        assert "baltcargo-cloud" not in out
        everything = example.ok("board", "--limit", "0").out
        assert "teremok-audit" in everything and "baltcargo-cloud" in everything


def test_a_custom_pipeline_has_its_own_columns(ws: Workspace) -> None:
    config = ws.root / "svctrack.toml"
    config.write_text(
        config.read_text()
        + """
[pipelines.engagement]
label = "Job"
ru = "Заказ"
principles = ["communication"]
back = { review = "work" }
done = "closed"

[[pipelines.engagement.stages]]
id = "work"
label = "Work"
ru = "Работа"
gates = [{ id = "finished", label = "Work finished", ru = "Работа закончена" }]

[[pipelines.engagement.stages]]
id = "review"
label = "Review"
ru = "Проверка"
""",
        encoding="utf-8",
    )
    ws.ok("service", "new", "audit", "--name", "Audit", "--owner", "Anna Petrova")
    ws.ok("engagement", "new", "one", "--service", "audit", "--client", "One", "--due", "+3d")
    ws.ok(
        "engagement",
        "new",
        "two",
        "--service",
        "audit",
        "--client",
        "Two",
        "--due",
        "2026-11-20",
        "--start",
        "2026-11-01",
    )
    ws.ok("engagement", "new", "three", "--service", "audit", "--client", "3", "--due", "+9d")
    ws.ok("check", "two", "finished")
    ws.ok("advance", "two")
    ws.ok("advance", "three", "--force")
    ws.ok("advance", "three", "--force")  # closed: not on the board
    doc = ws.ok("board", "--json").json()
    assert isinstance(doc, dict)
    columns = [(c["stage"], c["label"], [s["id"] for s in c["items"]]) for c in doc["columns"]]
    assert columns == [("work", "Work", ["one"]), ("review", "Review", ["two"])]
    out = ws.ok("board").out
    assert "Work 1" in out and "Review 1" in out and "! two" in out
    assert "Anna" not in out and "AP" in out  # the owner, taken from the service, as initials
    assert "○1" in out  # one gate item open at work; review has none
    ru = ws.ok("--lang", "ru", "board").out
    assert "Работа 1" in ru and "Проверка 1" in ru


def test_an_item_at_a_stage_the_pipeline_lacks_is_named_not_lost(firm: Workspace) -> None:
    path = firm.file("acme")
    path.write_text(path.read_text().replace('stage = "preparation"', 'stage = "prep"'))
    shown = firm.run("board")
    assert shown.code == 1 and "engagements/acme.toml" in shown.err and "prep" in shown.err
    listed = firm.run("board", "--json")
    assert listed.code == 1 and "engagements/acme.toml" in listed.err
    assert all(not c["items"] for c in listed.json()["columns"])  # type: ignore[index]


def test_an_empty_workspace_has_an_empty_board(ws: Workspace) -> None:
    out = ws.ok("board").out
    assert "Preparation 0" in out and "Open: 0 · overdue: 0" in out
    doc = ws.ok("board", "--json").json()
    assert [c["items"] for c in doc["columns"]] == [[], [], [], []]  # type: ignore[index]


def test_user_text_on_a_card_is_inert(ws: Workspace) -> None:
    ws.ok("service", "new", "audit", "--name", "Audit")
    ws.ok(
        "engagement", "new", "evil", "--service", "audit", "--client", "\x1b[31mRed\x07",
        "--due", "+3d", "--owner", "\x1b]0;title\x07 Mallory",
    )  # fmt: skip
    out = ws.ok("board").out
    assert "\x1b" not in out and "\x07" not in out
    assert "\\x1b[31mRed" in out


def test_a_file_that_does_not_parse_is_named_and_the_rest_shown(firm: Workspace) -> None:
    (firm.root / "engagements" / "broken.toml").write_text("stage = \n")
    result = firm.run("board")
    assert result.code == 1
    assert "acme" in result.out and "broken.toml" in result.err


def test_board_json_imports_no_rich(example: Workspace) -> None:
    probe = (
        "import sys\n"
        "from svctrack.cli.app import main\n"
        f"sys.argv = ['svctrack', '-C', {str(example.root)!r}, 'board', '--json']\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "loaded = sorted({m.split('.')[0] for m in sys.modules} & {'rich', 'tomlkit'})\n"
        "print('LOADED', loaded, file=sys.stderr)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=False
    )
    assert "LOADED []" in done.stderr, done.stderr


def test_views_board_never_splits_an_id_at_any_width(tmp_path: Path) -> None:
    """The renderer alone, over many widths: no line wider than the width, every id whole."""
    import io
    from datetime import date

    from rich.console import Console

    from svctrack.domain.pipeline import load_pipelines
    from svctrack.domain.queries import Card, board, summary
    from svctrack.output.board import board as render

    pipeline = load_pipelines({})["engagement"]
    today = date(2026, 11, 26)
    stages = pipeline.stage_ids
    cards = [
        Card(
            summary(
                "engagement",
                f"client-number-{n}-{'x' * (n % 5)}",
                (f"E {n}", stages[n % 4], 0.25, date(2026, 11, n % 28 + 1), "due", True, "s",
                 f"Client {n} with a long name", date(2026, 11, n % 28 + 1), (1, 0, 4),
                 "Olga Sokolova", "online"),
                today,
            ),
            "Olga Sokolova",
            n % 3,
            2,
        )
        for n in range(14)
    ]  # fmt: skip
    b = board(cards, pipeline)
    for width in range(40, 181, 7):
        console = Console(width=width, file=io.StringIO(), color_system=None)
        console.print(render(b, pipeline, today, "en", width, limit=0))
        out = console.file.getvalue()  # type: ignore[attr-defined]
        assert max(len(line.rstrip()) for line in out.splitlines()) <= width
        for c in cards:
            assert whole(c.summary.id, out), (width, c.summary.id, out)
