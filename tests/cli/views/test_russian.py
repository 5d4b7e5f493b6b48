"""A Russian interface that is Russian throughout: errors, hints, confirmations, notices and
labels under --lang ru (or SVCTRACK_LANG, the user config, a Russian workspace); which language
wins; input as the Russian views print it; JSON and files that never change with the language."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import Workspace, cli, run_process
from svctrack.cli.boundary import said
from svctrack.messages import msg


def ru(ws: Workspace, *args: str) -> tuple[int, str, str]:
    result = ws.run("--lang", "ru", *args)
    return result.code, result.out, result.err


def test_an_open_gate_is_refused_in_russian(firm: Workspace) -> None:
    code, _, err = ru(firm, "advance", "acme")
    assert code == 1
    assert err == (
        "error: acme: на этапе «подготовка» не выполнено: terms-agreed, resources-assigned,"
        " interaction-agreed; отметьте выполненное: `svctrack check ID ПУНКТ`,"
        " или пропустите с --force\n"
    )


def test_confirmations_are_russian(firm: Workspace) -> None:
    code, out, _ = ru(firm, "advance", "acme", "--force")
    assert code == 0
    assert out == (
        "acme: подготовка → выполнение (принудительно, пропущено: terms-agreed,"
        " resources-assigned, interaction-agreed)\n"
    )
    assert ru(firm, "check", "acme", "work-done")[1] == "acme: work-done: выполнено\n"
    assert ru(firm, "uncheck", "acme", "communication")[1] == "acme: communication: не соблюдён\n"
    assert ru(firm, "note", "acme", "позвонили", "--channel", "call")[1] == (
        "acme: заметка добавлена\n"
    )
    for _ in range(3):
        firm.ok("advance", "acme", "--force")
    assert ru(firm, "reopen", "acme", "--note", "ещё раз")[1] == "acme: закрыто → завершение\n"
    assert ru(firm, "advance", "acme", "--force")[1].startswith("acme: завершение → закрыто")


def test_a_new_engagement_and_its_warnings(ws: Workspace) -> None:
    assert ru(ws, "service", "new", "audit", "--name", "Аудит")[1] == (
        "создана услуга audit (подготовка и планирование)\n"
    )
    code, out, _ = ru(
        ws, "engagement", "new", "acme", "-s", "audit", "-c", "ООО Ромашка", "--due", "15.12.2026"
    )
    assert code == 0
    assert out == "создан заказ acme (подготовка, срок 15.12.2026)\n"
    assert ru(ws, "engagement", "list", "--client", "nobody")[2] == "подходящих заказов нет\n"


@pytest.mark.parametrize(
    ("args", "code", "expected"),
    [
        (("show", "zzz"), 1, "error: нет объекта 'zzz'\n"),
        (
            ("set", "acme", "due", "someday"),
            2,
            "error: не дата: 'someday' (пишите YYYY-MM-DD, DD.MM.YYYY, today, tomorrow, +3d,"
            " +2w or +1m)\n",
        ),
        (("set", "acme", "due", "03/04/2026"), 2, "error: неоднозначная дата '03/04/2026':"),
        (("set", "acme", "price", "сто"), 2, "error: не сумма: 'сто'\n"),
        (
            ("feedback", "audit", "--score", "5"),
            1,
            "error: audit — услуга; feedback — только для заказов\n",
        ),
        (("set", "acme", "colour", "red"), 2, "error: нет поля 'colour'; поля:"),
        (("cancel", "acme", "--note", " "), 2, "error: нужен --note:"),
        (("undo",), 0, "отменено `svctrack engagement new"),
    ],
)
def test_errors_are_russian(
    firm: Workspace, args: tuple[str, ...], code: int, expected: str
) -> None:
    before = firm.snapshot()
    result = firm.run("--lang", "ru", *args)
    assert result.code == code, result.err
    assert result.err.startswith(expected), result.err
    if code:
        assert firm.snapshot() == before


def test_validate_speaks_russian(firm: Workspace) -> None:
    path = firm.file("acme")
    path.write_text(path.read_text("utf-8").replace("due = 2026-12-15", 'due = "soon"'), "utf-8")
    code, out, err = ru(firm, "validate")
    assert code == 1
    assert "`due` должно быть датой (ГГГГ-ММ-ДД), а здесь строка" in out
    assert err.endswith("error: 1 ошибка, 0 предупреждений\n")
    code, _, err = ru(firm, "show", "acme")
    assert err == (
        "error: engagements/acme.toml:6:1: `due` должно быть датой (ГГГГ-ММ-ДД), а здесь строка\n"
    )
    english = firm.run("validate", "--json").json()
    assert english["problems"][0]["message"] == "`due` must be a date (YYYY-MM-DD), not a string"


def test_labels_use_the_consultants_words(firm: Workspace) -> None:
    firm.ok("set", "acme", "mode", "online")
    firm.ok("note", "acme", "отправили договор", "--channel", "email")
    out = ru(firm, "show", "acme")[1]
    assert "Формат       онлайн" in out or "онлайн" in out.split("Формат", 1)[1].split("\n")[0]
    assert "эл. почта" in out and "создано" in out and "Готовность" in out
    assert "Чек-лист этапа" in out
    status = ru(firm, "status")[1]
    assert "Заказы (1)" in status and "1 заказ," in status and "Оказания" not in status


def test_the_client_report_lists_things_to_do(firm: Workspace) -> None:
    for _ in range(3):
        firm.ok("advance", "acme", "--force")
    report = ru(firm, "export", "report", "acme")[1]
    assert "- Оформить все документы" in report
    assert "- Провести окончательный разговор с клиентом" in report
    assert "Проведён" not in report.split("Следующие шаги", 1)[1]


def test_json_files_and_commits_never_change_with_the_language(firm: Workspace) -> None:
    english = firm.ok("show", "acme", "--json").json()
    assert firm.ok("--lang", "ru", "show", "acme", "--json").json() == english
    before = firm.snapshot()
    assert ru(firm, "advance", "acme")[0] == 1
    assert firm.snapshot() == before


def test_dates_and_amounts_as_the_russian_views_print_them(firm: Workspace) -> None:
    for lang in ("en", "ru"):
        firm.ok("--lang", lang, "set", "acme", "due", "20.12.2026")
        assert firm.ok("show", "acme", "--json").json()["due"] == "2026-12-20"
        firm.ok("--lang", lang, "set", "acme", "price", "450 000,50")
        assert firm.ok("show", "acme", "--json").json()["price"] == {
            "amount": 450000.5,
            "currency": "EUR",
        }
    firm.ok("set", "acme", "price", "450\u00a0000\u00a0₽")  # as `show --lang ru` prints it
    assert firm.ok("show", "acme", "--json").json()["price"] == {
        "amount": 450000,
        "currency": "RUB",
    }
    firm.ok(
        "engagement", "new", "zaria", "-s", "audit", "-c", "Заря", "--due", "1.2.2027",
        "--price", "1 250,50 €",
    )  # fmt: skip
    shown = firm.ok("show", "zaria", "--json").json()
    assert shown["due"] == "2027-02-01"
    assert shown["price"] == {"amount": 1250.5, "currency": "EUR"}
    clash = firm.run("engagement", "new", "-s", "audit", "-c", "X", "--due", "+1w",
                     "--price", "100 ₽", "--currency", "EUR")  # fmt: skip
    assert clash.code == 2 and "is not in EUR" in clash.err


def test_which_language_wins(
    firm: Workspace, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    def said_by(*args: str) -> str:
        return firm.run(*args, "show", "zzz").err

    english, russian = "error: no item 'zzz'\n", "error: нет объекта 'zzz'\n"
    assert said_by() == english  # the workspace is English
    cli("config", "set", "lang", "ru")
    assert said_by() == russian  # a person's preference beats the workspace's
    monkeypatch.setenv("SVCTRACK_LANG", "en")
    assert said_by() == english  # the environment beats the config
    assert said_by("--lang", "ru") == russian  # the flag beats everything
    monkeypatch.delenv("SVCTRACK_LANG")
    cli("config", "unset", "lang")
    (firm.root / "svctrack.toml").write_text(
        (firm.root / "svctrack.toml").read_text("utf-8").replace('lang = "en"', 'lang = "ru"'),
        "utf-8",
    )
    assert said_by() == russian  # a Russian workspace, for people without a preference
    cli("config", "set", "lang", "en")
    assert said_by() == english
    # what is written for the client stays in the workspace's language
    report = firm.ok("export", "report", "acme").out
    assert "Следующие шаги" in report


def test_outside_a_workspace_the_locale_speaks(tmp_path: Path) -> None:
    done = run_process("status", cwd=tmp_path, env={"LANG": "ru_RU.UTF-8"})
    assert done.returncode == 1
    assert done.stderr.startswith("error: здесь нет рабочей папки svctrack")
    assert "Traceback" not in done.stderr


def test_the_suite_refuses_an_error_line_without_a_catalogue_key() -> None:
    """The check that makes every `error:` line of the suite have its Russian form can fail."""
    with pytest.raises(AssertionError, match="without a catalogue key"):
        said("something went wrong", "ru")
    assert said(msg("note_empty"), "ru") == "заметка пуста"


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("advance",), "error: не хватает аргумента 'ID' (см. `"),
        (
            ("advance", "acme", "--forc"),
            "error: нет такого параметра: --forc (может быть, --force?)",
        ),
        (
            ("engagement", "new", "--client", "X", "--due", "+1w"),
            "error: не хватает параметра '--service' / '-s' (см. `",
        ),
    ],
)
def test_usage_errors_are_russian(firm: Workspace, args: tuple[str, ...], expected: str) -> None:
    result = firm.run("--lang", "ru", *args)
    assert result.code == 2
    assert result.err.startswith(expected) and result.err.endswith(" --help`)\n")


def test_a_bad_lang_flag_is_said_in_the_workspaces_language(firm: Workspace) -> None:
    assert firm.run("--lang", "de", "status").err.startswith(
        "error: Invalid value for --lang: lang 'de' is not one of en, ru"
    )
    cli("config", "set", "lang", "ru")
    assert firm.run("--lang", "de", "status").err.startswith(
        "error: недопустимое значение --lang: язык 'de' — не одно из: en, ru"
    )
