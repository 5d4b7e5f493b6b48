"""CSV: export for spreadsheets, import from them (Cyrillic, Excel's BOM, bad rows by line)."""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conftest import Workspace, cli

BOM = "\ufeff"


def excel(path: Path, rows: list[list[str]], *, delimiter: str = ";") -> Path:
    """Write rows as Excel's 'CSV UTF-8' does: a BOM, CRLF line ends."""
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    path.write_bytes((BOM + buffer.getvalue()).encode("utf-8"))
    return path


HEADER = ["Клиент", "Услуга", "Срок", "Начало", "Цена", "Договор"]


def test_import_with_cyrillic_and_a_bom(firm: Workspace, tmp_path: Path) -> None:
    sheet = excel(
        tmp_path / "clients.csv",
        [
            HEADER,
            ["ООО «Ромашка»", "audit", "15.12.2026", "2026-11-20", "450 000", "Р-17"],
            ["АО Заря", "Security audit", "2027-01-31", "", "1 250,50 ₽", ""],
        ],
    )
    before = firm.snapshot()
    dry = firm.ok("import", "csv", str(sheet), "--kind", "engagements", "--dry-run")
    assert dry.out.splitlines() == [
        "would create engagement romashka-audit (preparation): ООО «Ромашка», due 2026-12-15"
        "  [line 2]",
        "would create engagement zaria-audit (preparation): АО Заря, due 2027-01-31  [line 3]",
    ]
    assert "nothing written" in dry.err
    assert firm.snapshot() == before

    done = firm.ok("import", "csv", str(sheet))
    assert done.out.startswith("created engagement romashka-audit")
    first = firm.ok("show", "romashka-audit", "--json").json()
    assert first["client"] == "ООО «Ромашка»" and first["due"] == "2026-12-15"
    assert first["start"] == "2026-11-20" and first["price"]["amount"] == 450000
    assert first["name"] == "Security audit — ООО «Ромашка»"
    assert first["history"][0]["note"] == "imported from clients.csv, line 2"
    second = firm.ok("show", "zaria-audit", "--json").json()
    assert second["price"] == {"amount": 1250.5, "currency": "RUB"}
    assert second["start"] == "2026-11-26"  # today, as `engagement new` does
    assert "price = 1250.50" in firm.text("zaria-audit")  # the exact digits
    firm.ok("validate")


def test_a_bad_date_on_line_7_stops_the_import(firm: Workspace, tmp_path: Path) -> None:
    rows = [HEADER] + [[f"Клиент {n}", "audit", "2026-12-31", "", "100", ""] for n in range(2, 9)]
    rows[6][2] = "31.02.2026"  # line 7 of the file (the header is line 1)
    rows[3][4] = "сто рублей"  # line 4: a bad price too
    sheet = excel(tmp_path / "bad.csv", rows)
    before = firm.snapshot()
    result = firm.run("import", "csv", str(sheet))
    assert result.code == 1
    lines = result.err.splitlines()
    assert lines[0] == f"{sheet}:4: price: not an amount: 'сто рублей'"
    assert lines[1].startswith(f"{sheet}:7: due: impossible date '31.02.2026'")
    assert lines[2] == "error: 2 of 7 rows are invalid; nothing imported;" + (
        " fix those lines and import again (--dry-run checks without writing)"
    )
    assert firm.snapshot() == before
    assert firm.run("import", "csv", str(sheet), "--dry-run").code == 1


def test_every_problem_row_is_listed(firm: Workspace, tmp_path: Path) -> None:
    sheet = excel(
        tmp_path / "mixed.csv",
        [
            ["id", "client", "service", "due", "mode"],
            ["acme", "Dup", "audit", "2026-12-01", ""],  # 2: the id is taken
            ["fresh", "", "audit", "2026-12-01", ""],  # 3: no client
            ["fresh", "Twice", "nosuch", "12/01/2026", "remote"],  # 4: three problems
            ["ok-one", "Fine", "audit", "2026-12-01", "online"],
        ],
        delimiter=",",
    )
    result = firm.run("import", "csv", str(sheet))
    assert result.code == 1
    problems = [line.split(": ", 1)[0].rsplit(":", 1)[1] for line in result.err.splitlines()[:-1]]
    assert problems == ["2", "3", "4", "4", "4"]
    assert "id 'acme' is taken" in result.err and "an engagement needs its client" in result.err
    assert "no service 'nosuch'" in result.err and "ambiguous date '12/01/2026'" in result.err
    assert "mode 'remote' is not one of online, offline, hybrid" in result.err
    assert "error: 3 of 4 rows are invalid" in result.err
    assert not (firm.root / "engagements" / "ok-one.toml").exists()


def test_line_numbers_count_multi_line_cells(firm: Workspace, tmp_path: Path) -> None:
    sheet = excel(
        tmp_path / "notes.csv",
        [
            ["client", "service", "due", "contract"],
            ["Long", "audit", "2026-12-01", "first line\nsecond line"],
            ["Broken", "audit", "soon", ""],
        ],
    )
    result = firm.run("import", "csv", str(sheet))
    assert result.code == 1 and f"{sheet}:4: due: not a date" in result.err


def test_a_missing_required_column_is_named(firm: Workspace, tmp_path: Path) -> None:
    sheet = excel(tmp_path / "x.csv", [["client", "service"], ["A", "audit"]])
    result = firm.run("import", "csv", str(sheet))
    assert result.code == 1 and "no column for due" in result.err


def test_columns_not_imported_are_reported(firm: Workspace, tmp_path: Path) -> None:
    sheet = excel(
        tmp_path / "x.csv", [["client", "service", "due", "Примечание"], ["A", "audit", "+1", ""]]
    )
    result = firm.run("import", "csv", str(sheet), "--dry-run")
    assert "columns not imported: Примечание" in result.err
    assert result.code == 1 and "due: not a date: '+1'" in result.err


def test_cp1251_needs_its_encoding(firm: Workspace, tmp_path: Path) -> None:
    sheet = tmp_path / "old.csv"
    sheet.write_bytes("client;service;due\r\nЗаря;audit;2026-12-01\r\n".encode("cp1251"))
    result = firm.run("import", "csv", str(sheet))
    assert result.code == 1 and "--encoding cp1251" in result.err
    firm.ok("import", "csv", str(sheet), "--encoding", "cp1251")
    assert firm.ok("show", "zaria-audit", "--json").json()["client"] == "Заря"


def test_services_import_with_a_stage(ws: Workspace, tmp_path: Path) -> None:
    sheet = excel(
        tmp_path / "services.csv",
        [
            ["name", "owner", "Этап", "price", "currency"],
            ["Аудит ИБ", "Анна", "Тестирование и анализ", "90000", "RUB"],
        ],
    )
    ws.ok("import", "csv", str(sheet), "--kind", "services")
    shown = ws.ok("show", "audit-ib", "--json").json()
    assert shown["stage"] == "testing" and shown["owner"] == "Анна"
    assert shown["history"][0]["to"] == "testing" and shown["history"][0]["from"] is None
    ws.ok("validate", "--strict")


def test_export_is_excel_friendly(firm: Workspace, tmp_path: Path) -> None:
    firm.ok("set", "acme", "client", "ООО «Ромашка», Москва")
    firm.ok("set", "acme", "price", "450000.50")
    out = tmp_path / "e.csv"
    firm.ok("export", "csv", "-o", str(out))
    raw = out.read_bytes()
    assert raw.startswith(BOM.encode()) and b"\r\n" in raw
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    assert rows[0][:4] == ["id", "name", "service", "client"]
    assert rows[1][3] == "ООО «Ромашка», Москва"
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["price"] == "450000.50" and row["due"] == "2026-12-15" and row["overdue"] == "false"
    assert row["days_left"] == "19" and row["progress"] == "0.0"
    stdout = firm.ok("export", "csv", "--kind", "services", "--delimiter", ";").out
    assert stdout.startswith("id;name;stage;")  # no BOM on stdout unless asked
    assert firm.ok("export", "csv", "--bom").out.startswith(BOM)


def test_round_trip_through_csv(firm: Workspace, tmp_path: Path) -> None:
    firm.ok("engagement", "new", "--service", "audit", "--client", "АО Заря", "--due", "+3w")
    firm.ok("set", "acme", "price", "1250.50")
    firm.ok("set", "acme", "currency", "EUR")
    firm.ok("set", "acme", "contract", 'A-1; "quoted"')
    for gate in ("terms-agreed", "resources-assigned", "interaction-agreed"):
        firm.ok("check", "acme", gate)
    firm.ok("advance", "acme")
    services, engagements = tmp_path / "s.csv", tmp_path / "e.csv"
    firm.ok("export", "csv", "--kind", "services", "-o", str(services))
    firm.ok("export", "csv", "-o", str(engagements))
    assert cli("init", str(tmp_path / "copy"), "--currency", "EUR").code == 0
    copy = Workspace(tmp_path / "copy")
    copy.ok("import", "csv", str(services), "--kind", "services")
    copy.ok("import", "csv", str(engagements))
    again = tmp_path / "again.csv"
    copy.ok("export", "csv", "-o", str(again))
    assert again.read_bytes() == engagements.read_bytes()
    copy.ok("export", "csv", "--kind", "services", "-o", str(again))
    assert again.read_bytes() == services.read_bytes()


def test_bad_kind_and_missing_file(firm: Workspace, tmp_path: Path) -> None:
    assert firm.run("export", "csv", "--kind", "clients").code == 2
    result = firm.run("import", "csv", str(tmp_path / "none.csv"))
    assert result.code == 1 and "no such file" in result.err


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_import_commits_once(firm: Workspace, tmp_path: Path, monkeypatch) -> None:
    for var, value in {
        "GIT_AUTHOR_NAME": "T",
        "GIT_AUTHOR_EMAIL": "t@example.com",
        "GIT_COMMITTER_NAME": "T",
        "GIT_COMMITTER_EMAIL": "t@example.com",
    }.items():
        monkeypatch.setenv(var, value)
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "start"]):
        subprocess.run(["git", *args], cwd=firm.root, check=True, capture_output=True)
    sheet = excel(
        tmp_path / "two.csv",
        [["client", "service", "due"], ["A", "audit", "2026-12-01"], ["B", "audit", "2026-12-02"]],
    )
    firm.ok("--commit", "import", "csv", str(sheet))
    log = subprocess.run(
        ["git", "log", "-1", "--format=%s", "--name-only"],
        cwd=firm.root,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    assert log[:6] == ["import", "2", "engagements", "from", "two.csv", "engagements/a-audit.toml"]
    assert log[6:] == ["engagements/b-audit.toml"]


FORMULAS = ['=HYPERLINK("http://evil.example","x")', "@SUM(1)", "+cmd", "-2+3", "\tACME", "\rX"]


def test_formula_cells_are_neutralised_and_come_back(firm: Workspace, tmp_path: Path) -> None:
    """OWASP's CSV injection: text that a spreadsheet would run gets a leading `'`; numbers that
    svctrack computes (a negative days_left) stay numbers; import takes the `'` off again."""
    firm.ok("set", "acme", "start", "2026-11-01")
    firm.ok("set", "acme", "due", "2026-11-23")  # days_left -3
    for n, client in enumerate(FORMULAS):
        new = ("engagement", "new", f"e{n}", "--service", "audit", "--client", client)
        firm.ok(*new, "--due", "2026-12-01")
    firm.ok("set", "e0", "contract", "'=already quoted")  # a `'` of the user's own survives
    firm.ok("set", "e1", "contract", "'t Hooft")
    out = tmp_path / "e.csv"
    firm.ok("export", "csv", "-o", str(out))
    rows = list(csv.reader(io.StringIO(out.read_bytes().decode("utf-8-sig"), newline="")))
    table = {row[0]: dict(zip(rows[0], row, strict=True)) for row in rows[1:]}
    for n, client in enumerate(FORMULAS):
        assert table[f"e{n}"]["client"] == "'" + client
        assert table[f"e{n}"]["name"] == f"Security audit — {client}"  # not a formula: as it is
    assert table["acme"]["days_left"] == "-3" and table["acme"]["client"] == "ACME"
    assert table["e0"]["contract"] == "''=already quoted"
    assert table["e1"]["contract"] == "'t Hooft"
    assert firm.ok("export", "csv").out.count("'=HYPERLINK") == 1  # stdout is the same document

    assert cli("init", str(tmp_path / "copy"), "--currency", "EUR").code == 0
    copy = Workspace(tmp_path / "copy")
    services = tmp_path / "s.csv"
    firm.ok("export", "csv", "--kind", "services", "-o", str(services))
    copy.ok("import", "csv", str(services), "--kind", "services")
    copy.ok("import", "csv", str(out))
    for n, client in enumerate(FORMULAS):
        shown = copy.ok("show", f"e{n}", "--json").json()
        assert shown["client"] == client
    assert copy.ok("show", "e0", "--json").json()["contract"] == "'=already quoted"
    assert copy.ok("show", "e1", "--json").json()["contract"] == "'t Hooft"
    again = tmp_path / "again.csv"
    copy.ok("export", "csv", "-o", str(again))
    assert again.read_bytes() == out.read_bytes()


@given(st.text())
def test_restore_undoes_cell(text: str) -> None:
    from svctrack.output.csvfile import cell, restore

    written = cell(text)
    assert restore(written) == text
    assert written[:1] not in ("=", "+", "-", "@", "\t", "\r")


def test_skip_existing_passes_over_rows_for_items_already_there(
    firm: Workspace, tmp_path: Path
) -> None:
    sheet = tmp_path / "again.csv"
    sheet.write_text(
        "client,service,due\nACME,audit,2026-12-15\nZarya,audit,2027-01-31\n", encoding="utf-8"
    )
    plain = firm.ok("import", "csv", str(sheet), "--dry-run")
    assert "would create engagement acme-audit" in plain.out  # a second one for ACME
    dry = firm.ok("import", "csv", str(sheet), "--skip-existing", "--dry-run")
    assert "again.csv:2: skipped: acme exists" in dry.err
    assert "dry run: 1 engagement would be created; nothing written" in dry.err
    done = firm.ok("import", "csv", str(sheet), "--skip-existing")
    assert done.out.startswith("created engagement zarya-audit")
    again = firm.ok("import", "csv", str(sheet), "--skip-existing")
    assert "skipped: zarya-audit exists" in again.err and "no rows to import" in again.err


def test_one_invalid_row_is_said_in_the_singular(firm: Workspace, tmp_path: Path) -> None:
    sheet = tmp_path / "one.csv"
    sheet.write_text("client,service,due\nACME,audit,someday\n", encoding="utf-8")
    assert (
        "error: 1 of 1 row is invalid; nothing imported"
        in firm.run("import", "csv", str(sheet)).err
    )
