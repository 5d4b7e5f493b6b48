"""Issue 14's and 16's commands in Russian too: documents, recurring engagements, pilots,
targets, saved reports, batch lines and progress labels (English stays as it was)."""

from __future__ import annotations

from pathlib import Path

from conftest import Workspace


def ru(ws: Workspace, *args: str) -> tuple[int, str, str]:
    result = ws.run("--lang", "ru", *args)
    return result.code, result.out, result.err


def test_documents_in_russian(firm: Workspace) -> None:
    assert ru(firm, "doc", "acme", "act", "--name", "A-1")[1] == (
        "acme: добавлен документ: акт приёмки 'A-1' (черновик)\n"
    )
    assert ru(firm, "doc", "acme", "act", "--status", "signed")[1] == (
        "acme: обновлён документ: акт приёмки 'A-1' (подписан)\n"
    )
    firm.ok("doc", "acme", "act", "--name", "A-2")
    code, _, err = ru(firm, "doc", "acme", "act")
    assert code == 2
    assert err == (
        "error: у acme 2 документа вида act: 'A-1', 'A-2'; укажите, какой именно, через --name\n"
    )
    assert ru(firm, "doc", "acme", "foo")[2].startswith("error: вид документа 'foo' — не одно из")
    assert firm.ok("doc", "acme", "invoice").out == "acme: invoice added (draft)\n"


def test_recurring_and_pilots_in_russian(firm: Workspace) -> None:
    code, out, err = ru(
        firm, "engagement", "new", "beta", "-s", "audit", "-c", "Beta", "--due", "+3w",
        "--every", "month",
    )  # fmt: skip
    assert code == 0 and out.startswith("создан заказ beta")
    assert err == (
        "warning: услуга audit ещё не дошла до оказания (она на этапе «подготовка и"
        " планирование»): этот заказ — пилотный (--pilot, если так и задумано)\n"
    )
    for _ in range(3):
        firm.ok("advance", "beta", "--force")
    out = ru(firm, "advance", "beta", "--force")[1]
    assert out.endswith("создан заказ следующего периода: beta-2026-12\n")
    assert ru(firm, "set", "acme", "every", "week")[2].startswith(
        "error: периодичность 'week' — не одно из: month, quarter, year"
    )
    assert ru(firm, "set", "acme", "pilot", "maybe")[2] == (
        "error: 'maybe' — не одно из: true, yes, false, no\n"
    )


def test_targets_and_a_saved_report_in_russian(firm: Workspace, tmp_path: Path) -> None:
    config = firm.root / "svctrack.toml"
    kept = config.read_text("utf-8")
    config.write_text(kept + "\n[targets]\non_time = 2\nfoo = 1\n", "utf-8")
    err = " ".join(ru(firm, "validate")[1].split())
    assert "`targets.on_time` должно быть от 0 до 1 (доля заказов, закрытых в срок), а не 2" in err
    assert "`targets.foo` — не цель (on_time, score)" in err
    config.write_text(kept, "utf-8")
    code, _, err = ru(firm, "report", "-o", str(tmp_path / "r.txt"))
    assert code == 0 and err.startswith("записано: ")
    assert ru(firm, "report", "--hours", "--by", "x")[2] == (
        "error: --by — owner или service или client, а не 'x'\n"
    )


def test_batch_lines_in_russian(firm: Workspace, tmp_path: Path) -> None:
    lines = tmp_path / "lines.txt"
    lines.write_text("note acme hi\n--json status\nedit acme\nnosuch\nnote acme 'open\n", "utf-8")
    result = firm.run("--lang", "ru", "batch", str(lines))
    assert result.code == 1
    assert result.out == "acme: заметка добавлена\n"
    assert result.err.splitlines() == [
        "error: line 2: --json: строка начинается с команды; общие параметры ставятся перед"
        " `batch`",
        "error: line 3: `edit` открывает редактор и ждёт вас; запустите его отдельно",
        "error: line 4: нет такой команды: 'nosuch' (см. `root --help`)",  # CliRunner's name
        "error: line 5: строку не разобрать на слова: кавычка не закрыта",
    ]
