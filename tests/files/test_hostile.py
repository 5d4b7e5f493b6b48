"""Hostile input: every broken file, odd path and bad id is one clear line, and nothing changes."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from conftest import Workspace

GOOD = """\
name = "Audit — Initech"
service = "audit"
client = "Initech"
stage = "preparation"
due = 2026-12-15

[[history]]
to = "preparation"
at = 2026-11-01T10:00:00+03:00
"""


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under `folder` (the workspace and what is beside it), byte for byte."""
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not p.is_symlink() and p.name != ".svctrack.lock"
    }


def one_error(err: str) -> str:
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("error: "), err
    assert "Traceback" not in err
    return lines[0]


# --- files that do not parse: (content, where, what the message says) ------------------------

BROKEN = {
    "unterminated string": (
        GOOD.replace('"Initech"\nstage', '"Initech\nstage'),
        "3:18",
        "invalid TOML: Illegal character '\\n'",
    ),
    "unterminated multi-line string": (GOOD + 'memo = """abc\n', "11:1", "Unterminated string"),
    "duplicate key": (
        GOOD.replace("due = 2026-12-15\n", 'due = 2026-12-15\nclient = "X"\n'),
        "6:13",
        "Cannot overwrite a value",
    ),
    "duplicate table": (GOOD + "\n[x]\na = 1\n\n[x]\nb = 2\n", "14:3", "Cannot declare ('x',)"),
    "bare word": (GOOD.replace('"preparation"', "preparation", 1), "4:9", "Invalid value"),
    "first column": ("= 1\n" + GOOD, "1:1", "Invalid statement"),
    "cp1251": (
        GOOD.replace('"Initech"\nstage', '"Initech"\nstage').encode("cp1251"),
        "1:15",
        "file is not UTF-8 (saved as cp1251 or another legacy encoding?)",
    ),
    "cp1251 after utf-8": (
        GOOD.replace('"Initech"', '"Ромашка \xab"').encode("utf-8").replace(b"\xc2\xab", b"\xab"),
        "3:19",  # in characters: the Cyrillic letters are two bytes each
        "file is not UTF-8",
    ),
    "utf-16 with BOM": (GOOD.encode("utf-16"), "", "file is UTF-16, not UTF-8"),
    "utf-16-be with BOM": (b"\xfe\xff" + GOOD.encode("utf-16-be"), "", "file is UTF-16"),
    "NUL": (GOOD.replace('Initech"\nst', 'Init\0ech"\nst'), "3:15", "Illegal character '\\x00'"),
    "ESC": (GOOD.replace('Initech"\nst', 'Init\x1bech"\nst'), "3:15", "'\\x1b'"),
    "BEL in a comment": ("# ring\x07\n" + GOOD, "1:7", "invalid character '\\x07'"),
    "impossible date": (GOOD.replace("2026-12-15", "2026-02-30"), "5:7", "Invalid date"),
    "merge conflict": (
        GOOD.replace(
            'client = "Initech"\n',
            '<<<<<<< HEAD\nclient = "Initech"\n=======\nclient = "Initech Ltd"\n>>>>>>> main\n',
        ),
        "3:1",
        "unresolved merge conflict (git conflict markers)",
    ),
    "diff3 conflict": (
        GOOD.replace(
            "due = 2026-12-15\n",
            "<<<<<<< ours\ndue = 2026-12-15\n||||||| base\ndue = 2026-12-01\n"
            "=======\ndue = 2026-12-20\n>>>>>>> theirs\n",
        ),
        "5:1",
        "unresolved merge conflict",
    ),
    "======= in a string, error elsewhere": (
        GOOD + 'memo = """\n=======\n"""\nbad = \n',
        "13:7",
        "invalid TOML: Invalid value",
    ),
    "over 1 MiB": (GOOD + "# " + "x" * (1 << 20) + "\n", "", "over the 1048576 byte limit"),
    "nested 60 deep": (
        GOOD.replace("due =", "x = " + "{ a = " * 60 + "1" + " }" * 60 + "\ndue ="),
        "5:1",
        "`x` is nested more than 50 levels deep",
    ),
    "dotted keys 51 deep": (  # no bracket: one dot of the key a level
        GOOD.replace("due =", "x." + "a." * 50 + "b = 1\ndue ="),
        "5:1",
        "`x` is nested more than 50 levels deep",
    ),
    "a table's header 51 deep": (
        GOOD + "[x" + ".a" * 50 + "]\nb = 1\n",
        "10:1",
        "`x` is nested more than 50 levels deep",
    ),
    # `[[key]]` lines count once when the text is weighed for a walk of its nesting: here
    # they are many, and the levels of one of them (and of one within a value) still count.
    "an array 49 deep in an entry of an array of tables": (
        GOOD + "[[z]]\n" * 20 + "[[x]]\ny = " + "[" * 49 + "]" * 49 + "\n",
        "30:1",
        "`x` is nested more than 50 levels deep",
    ),
    "an array of an array on its own line, 51 deep": (
        GOOD + "[[z]]\n" * 20 + "[[x]]\ny = " + "[\n" * 47 + "[[1]]\n" + "]\n" * 47,
        "30:1",
        "`x` is nested more than 50 levels deep",
    ),
    "nested 5000 deep": (
        GOOD + "x = " + "[" * 5000 + "]" * 5000 + "\n",
        "",
        "nested more than 50 levels deep",
    ),
}


def put(ws: Workspace, name: str, content: str | bytes) -> Path:
    path = ws.root / "engagements" / f"{name}.toml"
    path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return path


def expected_line(case: str) -> str:
    _, where, what = BROKEN[case]
    location = f"engagements/initech.toml:{where}:" if where else "engagements/initech.toml:"
    return location, what


@pytest.mark.parametrize("case", BROKEN)
def test_a_broken_file_is_one_line_that_says_where(firm: Workspace, case: str) -> None:
    put(firm, "initech", BROKEN[case][0])
    location, what = expected_line(case)
    before = snapshot(firm.root.parent)
    for args in (("show", "initech"), ("note", "initech", "hi"), ("advance", "initech")):
        result = firm.run(*args)
        assert result.code == 1, args
        line = one_error(result.err)
        assert line.startswith(f"error: {location} "), line
        assert what in line
    assert snapshot(firm.root.parent) == before


@pytest.mark.parametrize("case", BROKEN)
def test_validate_reports_a_broken_file(firm: Workspace, case: str) -> None:
    put(firm, "initech", BROKEN[case][0])
    _, where, what = BROKEN[case]
    result = firm.run("validate", "--json")
    assert result.code == 1
    (problem,) = result.json()["problems"]
    assert problem["path"] == "engagements/initech.toml"
    assert problem["severity"] == "error"
    assert what in problem["message"]
    line, column = (int(n) for n in where.split(":")) if where else (0, 0)
    assert (problem["line"], problem["column"]) == (line, column)


READS = [
    ("engagement", "list", "--all", "--json"),
    ("status", "--json"),
    ("deadlines", "--json"),
    ("checklist", "--json"),
    ("show", "audit", "--json"),  # a service lists its engagements
]


@pytest.mark.parametrize("case", ["unterminated string", "cp1251", "merge conflict"])
@pytest.mark.parametrize("args", READS, ids=lambda a: " ".join(a[:2]))
def test_a_read_shows_the_others_and_names_the_broken_one(
    firm: Workspace, args: tuple[str, ...], case: str
) -> None:
    put(firm, "initech", BROKEN[case][0])
    result = firm.run(*args)
    assert result.code == 1
    line = one_error(result.err)
    assert line.startswith(f"error: {expected_line(case)[0]} ")
    assert "acme" in json.dumps(result.json())  # the good engagement is still there


def test_the_human_list_too(firm: Workspace) -> None:
    put(firm, "initech", BROKEN["duplicate key"][0])
    result = firm.run("engagement", "list")
    assert result.code == 1
    assert "acme" in result.out
    assert one_error(result.err).startswith("error: engagements/initech.toml:6:13: ")


# --- files that parse, with content that is wrong: validate says what and where ---------------

WRONG = {
    "stage is a number": (
        GOOD.replace('"preparation"', "3", 1),
        (4, 1, "error", "`stage` must be a string, not an integer"),
    ),
    "unknown stage": (
        GOOD.replace('stage = "preparation"', 'stage = "execusion"'),
        (4, 1, "error", "unknown engagement stage 'execusion' (did you mean execution?)"),
    ),
    "dangling service": (
        GOOD.replace('service = "audit"', 'service = "pentest"'),
        (2, 1, "error", "service 'pentest' does not exist (no services/pentest.toml)"),
    ),
    "datetime without offset": (
        GOOD.replace("10:00:00+03:00", "10:00:00"),
        (9, 1, "error", "[[history]] entry 1: `at` = 2026-11-01T10:00:00 has no UTC offset"),
    ),
    "date for a datetime": (
        GOOD + '\n[[notes]]\ntext = "kick-off"\nat = 2026-11-02\n',
        (13, 1, "error", "[[notes]] entry 1: `at` = 2026-11-02 is a date without a time"),
    ),
    "price is nan": (
        GOOD.replace("due =", "price = nan\ndue ="),
        (5, 1, "error", "`price` must be a number ≥ 0, not NaN"),
    ),
    "score out of range": (
        GOOD + "\n[[feedback]]\nat = 2026-11-02T10:00:00+03:00\nscore = 9\n",
        (13, 1, "error", "[[feedback]] entry 1: `score` must be a whole number from 1 to 5"),
    ),
}


@pytest.mark.parametrize("case", WRONG)
def test_validate_locates_wrong_content(firm: Workspace, case: str) -> None:
    content, (line, column, severity, message) = WRONG[case]
    put(firm, "initech", content)
    result = firm.run("validate", "--json")
    assert result.code == 1
    problems = [p for p in result.json()["problems"] if p["path"] == "engagements/initech.toml"]
    assert {
        "path": "engagements/initech.toml",
        "line": line,
        "column": column,
        "severity": severity,
        "message": message,
    } in [{**p, "message": p["message"][: len(message)]} for p in problems]
    # The other commands treat the item as broken: they name its problems where validate does.
    where = f"error: engagements/initech.toml:{line}:{column}: {message}"
    shown = firm.run("show", "initech", "--json")
    assert shown.code == 1 and not shown.out and where in shown.err
    listed = firm.run("engagement", "list", "--json")
    assert listed.code == 1 and [e["id"] for e in listed.json()] == ["acme"]
    assert where in listed.err


def test_stage_of_the_wrong_type_refuses_a_transition(firm: Workspace) -> None:
    path = put(firm, "initech", WRONG["stage is a number"][0])
    before = path.read_bytes()
    result = firm.run("advance", "initech", "--force")
    assert result.code == 1
    assert "svctrack validate" in one_error(result.err)
    assert path.read_bytes() == before


# --- paths: links, special files, ids that try to leave the workspace --------------------------


def test_a_link_out_of_the_workspace_is_never_followed(firm: Workspace, tmp_path: Path) -> None:
    outside = tmp_path / "outside.toml"
    outside.write_text(GOOD)
    (firm.root / "engagements" / "initech.toml").symlink_to(outside)
    before = snapshot(tmp_path)
    result = firm.run("show", "initech")
    assert result.code == 1
    assert one_error(result.err) == (
        "error: engagements/initech.toml: the file is a symbolic link that leads out of the"
        " workspace; svctrack does not follow it"
    )
    for args in (("note", "initech", "hi"), ("set", "initech", "due", "+1w")):
        result = firm.run(*args)
        assert result.code == 1
        assert "the file is a symbolic link" in one_error(result.err)
    listed = firm.run("engagement", "list", "--json")
    assert listed.code == 1 and [e["id"] for e in listed.json()] == ["acme"]
    assert one_error(listed.err).startswith("error: engagements/initech.toml: the file is a ")
    problems = firm.run("validate", "--json").json()["problems"]
    assert any("leads out of the workspace" in p["message"] for p in problems)
    assert snapshot(tmp_path) == before


def test_a_linked_folder_out_of_the_workspace_is_never_followed(
    firm: Workspace, tmp_path: Path
) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "initech.toml").write_text(GOOD)
    services = firm.root / "services"
    (services / "audit.toml").rename(elsewhere / "audit.toml")
    services.rmdir()
    services.symlink_to(elsewhere)
    result = firm.run("show", "audit")
    assert result.code == 1
    assert "in a linked folder that leads out of the workspace" in one_error(result.err)


def test_a_link_inside_the_workspace_is_read_but_not_written(firm: Workspace) -> None:
    (firm.root / "engagements" / "alias.toml").symlink_to("acme.toml")
    assert firm.ok("show", "alias", "--json").json()["client"] == "ACME"
    before = snapshot(firm.root)
    result = firm.run("note", "alias", "hi")
    assert result.code == 1
    assert one_error(result.err) == (
        "error: engagements/alias.toml: the file is a symbolic link; svctrack does not write"
        " through links; put the file itself in its place"
    )
    assert snapshot(firm.root) == before
    assert (firm.root / "engagements" / "alias.toml").is_symlink()


def test_a_dangling_link(firm: Workspace) -> None:
    (firm.root / "engagements" / "ghost.toml").symlink_to("nowhere.toml")
    assert firm.run("show", "ghost").code == 1
    assert firm.run("note", "ghost", "boo").code == 1
    taken = firm.run("engagement", "new", "ghost", "--service", "audit", "-c", "X", "--due", "+1w")
    assert taken.code == 1 and "taken" in one_error(taken.err)
    assert not (firm.root / "engagements" / "nowhere.toml").exists()


@pytest.mark.parametrize("kind", ["fifo", "folder"])
def test_a_special_file_named_like_an_item(firm: Workspace, kind: str) -> None:
    path = firm.root / "engagements" / "initech.toml"
    if kind == "fifo":
        os.mkfifo(path)
    else:
        path.mkdir()
    result = firm.run("show", "initech")  # a FIFO must not block the read
    assert result.code == 1
    assert "not a regular file" in one_error(result.err)
    listed = firm.run("engagement", "list", "--json")
    assert listed.code == 1 and [e["id"] for e in listed.json()] == ["acme"]
    assert firm.run("note", "initech", "x").code == 1


LOOPS = {
    "to itself": {"loop": "loop.toml"},
    "to itself by a path": {"loop": "../engagements/./loop.toml"},
    "a pair": {"ping": "pong.toml", "pong": "ping.toml"},
}

LISTINGS = [
    ("status",),
    ("status", "--json"),
    ("engagement", "list", "--all"),
    ("engagement", "list", "--all", "--json"),
    ("deadlines", "--json"),
    ("checklist",),
    ("checklist", "--json"),
    ("timeline",),
    ("report", "--json"),
    ("export", "csv"),
    ("export", "ics"),
    ("show", "audit", "--json"),  # a service lists its engagements
]


@pytest.mark.parametrize("case", LOOPS)
def test_a_loop_of_links_is_a_broken_file_and_the_rest_is_listed(
    firm: Workspace, case: str
) -> None:
    for name, target in LOOPS[case].items():
        (firm.root / "engagements" / f"{name}.toml").symlink_to(target)
    before = snapshot(firm.root)
    broken = [f"error: engagements/{name}.toml: cannot read it: " for name in sorted(LOOPS[case])]
    for args in LISTINGS:
        for _ in range(2):  # a cold cache, then a warm one
            result = firm.run(*args)
            assert result.code == 1, (args, result)
            lines = result.err.splitlines()
            assert [line[: len(b)] for line, b in zip(lines, broken, strict=True)] == broken, args
            assert "acme" in result.out or args[0] == "report", args  # it counts closed ones
            if "--json" in args:
                json.loads(result.out)
    name = sorted(LOOPS[case])[0]
    shown = firm.run("show", name)  # the exact id, not a prefix of others
    assert shown.code == 1 and one_error(shown.err).startswith(broken[0])
    problems = firm.run("validate", "--json").json()["problems"]
    assert sorted(p["path"] for p in problems) == [
        f"engagements/{n}.toml" for n in sorted(LOOPS[case])
    ]
    assert snapshot(firm.root) == before


def deny_listing(monkeypatch: pytest.MonkeyPatch, folder: Path) -> None:
    """os.listdir and os.scandir refuse `folder` as for a user without read permission (root
    reads every folder, so the refusal is simulated)."""
    for name in ("listdir", "scandir"):
        real = getattr(os, name)

        def refuse(path: object = ".", *, _real=real) -> object:
            if os.path.abspath(os.fspath(path)) == str(folder):
                raise PermissionError(13, "Permission denied", os.fspath(path))
            return _real(path)

        monkeypatch.setattr(os, name, refuse)


@pytest.mark.parametrize("folder", ["engagements", "services"])
def test_validate_reports_a_folder_it_cannot_list(
    firm: Workspace, monkeypatch: pytest.MonkeyPatch, folder: str
) -> None:
    put(firm, "initech", GOOD.replace('"preparation"', "3", 1))  # a finding besides
    deny_listing(monkeypatch, firm.root / folder)
    result = firm.run("validate", "--json")
    assert result.code == 1, result.err
    problems = result.json()["problems"]
    unlisted = {
        "path": f"{folder}/",
        "line": 0,
        "column": 0,
        "severity": "error",
        "message": "cannot be listed: permission denied",
    }
    assert unlisted in problems
    if folder == "services":  # the engagements are checked, their service not called missing
        assert [p["path"] for p in problems] == ["services/", "engagements/initech.toml"]
        assert "`stage` must be a string" in problems[1]["message"]
    else:
        assert [p["path"] for p in problems] == ["engagements/"]
    human = firm.run("validate")
    assert human.code == 1 and "Traceback" not in human.err + human.out
    assert f"{folder}/" in human.out + human.err


@pytest.mark.parametrize(
    "args", [("engagement", "list"), ("status", "--json"), ("show", "ac"), ("note", "ac", "x")]
)
def test_a_folder_that_cannot_be_listed_is_one_error(
    firm: Workspace, monkeypatch: pytest.MonkeyPatch, args: tuple[str, ...]
) -> None:
    before = snapshot(firm.root)
    deny_listing(monkeypatch, firm.root / "engagements")
    result = firm.run(*args)
    monkeypatch.undo()
    assert result.code == 1
    assert one_error(result.err).startswith("error: engagements/: cannot be listed: ")
    assert snapshot(firm.root) == before


def test_a_file_that_would_grow_over_the_limit_is_not_written(firm: Workspace) -> None:
    content = GOOD + "# " + "x" * ((1 << 20) - len(GOOD) - 10) + "\n"
    path = put(firm, "initech", content)
    firm.ok("show", "initech")
    result = firm.run("note", "initech", "one note too many")
    assert result.code == 1
    assert "would take the file over 1048576 bytes" in one_error(result.err)
    assert path.read_text() == content


BAD_IDS = [
    "../engagements/acme",
    "../../../etc/passwd",
    "/etc/passwd",
    "acme/../acme",
    "..",
    ".",
    "ACME",
    "acme.toml",
    "acme\n",
    "acme\x00",
    "ac me",
    "..\\acme",
    "~root",
    "a" * 65,
    "con",
]

ID_COMMANDS = [
    ("show", "{}"),
    ("checklist", "{}"),
    ("advance", "{}", "--force"),
    ("rework", "{}", "--note", "x"),
    ("cancel", "{}", "--note", "x"),
    ("check", "{}", "terms-agreed"),
    ("uncheck", "{}", "terms-agreed", "--clear"),
    ("set", "{}", "due", "+1w"),
    ("note", "{}", "hi"),
    ("feedback", "{}", "--score", "5"),
    ("log", "{}", "2"),
    ("engagement", "list", "--service", "{}"),
    ("engagement", "new", "--service", "{}", "--client", "X", "--due", "+1w"),
    ("engagement", "new", "{}", "--service", "audit", "--client", "X", "--due", "+1w"),
    ("service", "new", "{}", "--name", "X"),
]


@pytest.mark.parametrize("bad", BAD_IDS, ids=repr)
@pytest.mark.parametrize("command", ID_COMMANDS, ids=lambda c: " ".join(c[:2]))
def test_ids_cannot_leave_the_workspace(
    firm: Workspace, tmp_path: Path, command: tuple[str, ...], bad: str
) -> None:
    before = snapshot(tmp_path)
    result = firm.run(*(bad if part == "{}" else part for part in command))
    assert result.code in (1, 2)  # no such item, or an id `new` refuses (bad usage)
    one_error(result.err)
    assert snapshot(tmp_path) == before


def test_a_misnamed_file_is_no_item_but_validate_names_it(firm: Workspace) -> None:
    put(firm, "Initech (copy)", GOOD)
    listed = firm.ok("engagement", "list", "--json")
    assert [e["id"] for e in listed.json()] == ["acme"]
    problems = firm.run("validate", "--json").json()["problems"]
    assert [p["path"] for p in problems] == ["engagements/Initech (copy).toml"]
    assert problems[0]["message"].startswith("file name: invalid id 'Initech (copy)'")


# --- what a file says is shown, never obeyed ----------------------------------------------


def test_escape_sequences_and_markup_are_shown_inert(firm: Workspace) -> None:
    evil = GOOD.replace(
        'name = "Audit — Initech"',
        'name = "\\u001b[31mRED\\u001b]0;pwned\\u0007 [bold]loud[/bold]"',
    ).replace('client = "Initech"', 'client = "[link=http://x]click[/link]\\u009b2J"')
    evil += '\n[[notes]]\nat = 2026-11-02T10:00:00+03:00\ntext = "\\u001b[2J[red]boom[/red]"\n'
    put(firm, "initech", evil)
    result = firm.run("show", "initech")
    assert result.code == 0, result.err
    shown = result.out
    assert "\x1b" not in shown and "\x07" not in shown and "\x9b" not in shown
    assert "\\x1b[31mRED" in shown and "[bold]loud[/bold]" in shown
    assert "[red]boom[/red]" in shown and "[link=http://x]click[/link]" in shown
    data = firm.ok("show", "initech", "--json").json()
    assert data["name"].startswith("\x1b[31mRED")  # JSON carries the exact text, escaped


def test_escape_sequences_from_a_file_reach_no_terminal_in_errors(firm: Workspace) -> None:
    # The refusal names the stage the file gives: it is shown, not obeyed.
    put(firm, "initech", GOOD.replace('"preparation"', '"\\u001b]0;pwned\\u0007"', 1))
    result = firm.run("check", "initech", "terms-agreed")
    assert result.code == 1
    line = one_error(result.err)
    assert "\x1b" not in line and "\x07" not in line
    assert "\\x1b]0;pwned\\x07" in line
