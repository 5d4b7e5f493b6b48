"""Byte-exact round trips: a command changes the lines it must and not one byte more."""

from __future__ import annotations

import os
import re
import tomllib
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from conftest import Workspace

MSK = timezone(timedelta(hours=3))
NOW = datetime(2026, 11, 26, 9, 30, tzinfo=MSK)

# A file as a person writes it: comments everywhere, odd spacing, keys and tables of their own,
# dotted keys, an array of tables of their own, a multi-line string.
HAND = """\
# ACME audit -- signed in November
name = "Security audit — ACME"   # as on the contract
service = "audit"
client    =    "ACME"
stage = "preparation"
start = 2026-11-01
due = 2026-12-15 # moved once
x-internal = 1
billing.code = "B-7"   # dotted key, ours

# the tables below are mine
[deadlines]
execution = 2026-12-01

[custom.billing]
account = "42"   # keep me
rate = 1.50

[[custom.contacts]]
name = "Bob"

[[custom.contacts]]
name = "Eve"
memo = '''
first line
  second line, indented
'''

[gates.preparation]
terms-agreed = false  # waiting for legal

[[history]]
to = "preparation"
at = 2026-11-01T10:00:00+03:00
by = "anna"
note = "created"

# trailing comment
"""


@pytest.fixture
def frozen(monkeypatch: pytest.MonkeyPatch) -> datetime:
    """Every timestamp svctrack records is NOW."""
    monkeypatch.setattr("svctrack.domain.dates.now", lambda: NOW)
    return NOW


def put(ws: Workspace, content: str | bytes, item_id: str = "acme") -> Path:
    """Replace an item's file with hand-written content (str is written as UTF-8, as is)."""
    path = ws.file(item_id)
    path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return path


def crlf(text: str) -> bytes:
    return text.replace("\n", "\r\n").encode("utf-8")


def test_crlf_file_with_a_multiline_string_can_be_edited(firm: Workspace, frozen: datetime) -> None:
    # tomllib reads CRLF inside a multi-line string as LF, tomlkit keeps CRLF: not a difference.
    path = put(firm, crlf(HAND))
    result = firm.run("note", "acme", "called Bob")
    assert result.code == 0, result.err
    saved = tomllib.loads(path.read_bytes().decode())
    assert saved["notes"][-1]["text"] == "called Bob"
    assert saved["custom"]["contacts"][1]["memo"] == "first line\n  second line, indented\n"


def test_nan_of_the_users_own_does_not_block_edits(firm: Workspace, frozen: datetime) -> None:
    path = put(firm, HAND.replace("x-internal = 1", "x-internal = nan"))
    firm.ok("note", "acme", "called Bob")
    assert "x-internal = nan\n" in path.read_text()


def diff(before: str, after: str) -> tuple[list[str], list[str]]:
    """The lines `after` lost and the lines it gained, as difflib sees them."""
    import difflib

    old, new = before.splitlines(keepends=True), after.splitlines(keepends=True)
    lost: list[str] = []
    gained: list[str] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, old, new, False).get_opcodes():
        if tag != "equal":
            lost += old[i1:i2]
            gained += new[j1:j2]
    return lost, gained


def test_check_changes_the_one_value(firm: Workspace) -> None:
    path = put(firm, HAND)
    firm.ok("check", "acme", "terms-agreed")
    assert path.read_text() == HAND.replace(
        "terms-agreed = false  # waiting for legal", "terms-agreed = true  # waiting for legal"
    )


def test_set_keeps_spacing_and_inline_comment(firm: Workspace) -> None:
    path = put(firm, HAND)
    firm.ok("set", "acme", "due", "2026-12-20")
    firm.ok("set", "acme", "client", "ACME Corp")
    expected = HAND.replace("due = 2026-12-15 # moved once", "due = 2026-12-20 # moved once")
    expected = expected.replace('client    =    "ACME"', 'client    =    "ACME Corp"')
    assert path.read_text() == expected


def test_note_appends_its_table_and_nothing_else(firm: Workspace, frozen: datetime) -> None:
    path = put(firm, HAND)
    firm.ok("note", "acme", "called Bob", "--channel", "call")
    assert path.read_text() == HAND + (
        "\n"
        "[[notes]]\n"
        "at = 2026-11-26T09:30:00+03:00\n"
        'channel = "call"\n'
        'by = "tester"\n'
        'text = "called Bob"\n'
    )


def test_advance_changes_stage_and_appends_history(firm: Workspace, frozen: datetime) -> None:
    path = put(firm, HAND)
    firm.ok("advance", "acme", "--force", "--note", "urgent")
    lost, gained = diff(HAND, path.read_text())
    assert lost == ['stage = "preparation"\n']
    assert gained[0] == 'stage = "execution"\n'
    assert gained[1:] == [
        "\n",
        "[[history]]\n",
        'from = "preparation"\n',
        'to = "execution"\n',
        "at = 2026-11-26T09:30:00+03:00\n",
        'by = "tester"\n',
        'note = "urgent"\n',
        "forced = true\n",
        'skipped = ["terms-agreed", "resources-assigned", "interaction-agreed"]\n',
    ]


# Each command, and the lines of HAND it may change (all others stay, in order).
COMMANDS = [
    (("check", "acme", "terms-agreed", "--note", "signed"), ["terms-agreed"]),
    (("check", "acme", "resources-assigned"), []),
    (("uncheck", "acme", "terms-agreed", "--clear"), ["terms-agreed"]),
    (("check", "acme", "communication"), []),
    (("set", "acme", "due", "+3w"), ["due ="]),
    (("set", "acme", "price", "1250.50"), []),
    (("set", "acme", "deadline.control", "2026-12-10"), []),
    (("set", "acme", "deadline.execution", ""), ["execution ="]),
    (("set", "acme", "start", ""), ["start ="]),
    (("note", "acme", 'said "yes"\non the phone'), []),
    (("advance", "acme", "--force"), ["stage ="]),
    (("cancel", "acme", "--note", "withdrawn"), ["stage ="]),
    (("feedback", "acme", "--score", "4", "--speed", "5", "--comment", "ok"), []),
]


def lost_lines_match(lost: list[str], prefixes: list[str]) -> bool:
    return len(lost) == len(prefixes) and all(
        line.startswith(prefix) for line, prefix in zip(lost, prefixes, strict=True)
    )


@pytest.mark.parametrize(("args", "may_change"), COMMANDS, ids=lambda v: " ".join(v[:3]))
def test_every_other_line_is_kept(
    firm: Workspace, frozen: datetime, args: tuple[str, ...], may_change: list[str]
) -> None:
    path = put(firm, HAND)
    firm.ok(*args)
    after = path.read_text()
    lost, _ = diff(HAND, after)
    assert lost_lines_match(lost, may_change), lost
    tomllib.loads(after)


def test_rework_clears_the_ticks_of_both_stages_only(firm: Workspace, frozen: datetime) -> None:
    at_control = (
        HAND.replace('stage = "preparation"', 'stage = "control"')
        .replace("[gates.preparation]", "[gates.execution]\nwork-done = true\n\n[gates.control]")
        .replace("terms-agreed = false  # waiting for legal", "quality-checked = true  # QA")
    )
    path = put(firm, at_control)
    firm.ok("rework", "acme", "--note", "scan missing")
    lost, gained = diff(at_control, path.read_text())
    # The ticks go; the tables (and any remark in them) stay for the next round.
    assert lost == ['stage = "control"\n', "work-done = true\n", "quality-checked = true  # QA\n"]
    assert gained[0] == 'stage = "execution"\n'
    assert 'note = "scan missing"\n' in gained


def test_a_service_file_of_ones_own(firm: Workspace, frozen: datetime) -> None:
    service = (
        "# what we sell\n"
        'name = "Security audit"\n'
        'stage = "planning"\n'
        "\n"
        "[roles]  # who answers\n"
        'marketing = "olga"\n'
        "\n"
        "[[history]]\n"
        'to = "planning"\n'
        "at = 2026-11-01T10:00:00+03:00\n"
    )
    path = put(firm, service, "audit")
    firm.ok("set", "audit", "role.development", "ivan")
    assert path.read_text() == service.replace(
        'marketing = "olga"\n', 'marketing = "olga"\ndevelopment = "ivan"\n'
    )


# --- line endings, BOM, permissions, no-ops ------------------------------------------------


@pytest.mark.parametrize(("args", "may_change"), COMMANDS, ids=lambda v: " ".join(v[:3]))
def test_crlf_stays_crlf(
    firm: Workspace, frozen: datetime, args: tuple[str, ...], may_change: list[str]
) -> None:
    path = put(firm, crlf(HAND))
    firm.ok(*args)
    raw = path.read_bytes()
    assert raw.count(b"\n") == raw.count(b"\r\n")  # no bare LF
    assert b"\r\r" not in raw
    lost, _ = diff(HAND, raw.decode().replace("\r\n", "\n"))
    assert lost_lines_match(lost, may_change), lost


def test_mixed_endings_keep_each_line_as_it_was(firm: Workspace, frozen: datetime) -> None:
    # Mostly CRLF, one LF line the user's editor left: untouched lines keep their own ending.
    mixed = crlf(HAND).replace(b"x-internal = 1\r\n", b"x-internal = 1\n")
    path = put(firm, mixed)
    firm.ok("note", "acme", "hello")
    raw = path.read_bytes()
    assert raw.startswith(mixed)
    assert raw[len(mixed) :].count(b"\n") == raw[len(mixed) :].count(b"\r\n")


@pytest.mark.parametrize("ending", ["\n", "\r\n"])
def test_bom_is_kept(firm: Workspace, frozen: datetime, ending: str) -> None:
    content = "\ufeff" + HAND.replace("\n", ending)
    path = put(firm, content)
    firm.ok("note", "acme", "hello")
    firm.ok("check", "acme", "terms-agreed")
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf# ACME audit")
    assert raw.count(b"\xef\xbb\xbf") == 1
    assert firm.ok("show", "acme", "--json").json()["notes"][-1]["text"] == "hello"


@pytest.mark.parametrize("mode", [0o600, 0o640, 0o664])
def test_permission_bits_are_kept(firm: Workspace, mode: int) -> None:
    path = put(firm, HAND)
    path.chmod(mode)
    firm.ok("note", "acme", "hello")
    assert path.stat().st_mode & 0o7777 == mode


# tomlkit writes `{ execution = 2026-12-01 }` back as `{ execution = 2026-12-01}`, and
# `[ 2026-12-01 , 2026-12-08 ]` as `[ 2026-12-01, 2026-12-08]`: lines nobody asked to change.
INLINE = HAND.replace("[deadlines]\nexecution = 2026-12-01\n\n", "").replace(
    "x-internal = 1\n",
    "x-internal = 1\n"
    "deadlines = { execution = 2026-12-01 }\n"
    "windows = [ 2026-12-01 , 2026-12-08 ]\n",
)

NO_OPS = [
    ("check", "acme", "terms-agreed"),  # after the file says true
    ("set", "acme", "due", "2026-12-15"),
    ("set", "acme", "contract", ""),  # nothing to remove
    ("uncheck", "acme", "resources-assigned", "--clear"),
    ("set", "acme", "deadline.execution", "2026-12-01"),
]


@pytest.mark.parametrize("args", NO_OPS, ids=" ".join)
@pytest.mark.parametrize("shape", ["tables", "inline"])
def test_a_no_op_writes_nothing(firm: Workspace, args: tuple[str, ...], shape: str) -> None:
    content = (INLINE if shape == "inline" else HAND).replace(
        "terms-agreed = false", "terms-agreed = true"
    )
    path = put(firm, content)
    os.utime(path, ns=(1_000_000_000_000_000_000, 1_000_000_000_000_000_000))
    before = path.stat()
    firm.ok(*args)
    after = path.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    assert path.read_text() == content
    assert not list(path.parent.glob(".*.tmp"))


def test_untouched_inline_tables_with_dates_stay_byte_exact(
    firm: Workspace, frozen: datetime
) -> None:
    content = INLINE
    path = put(firm, content)
    firm.ok("note", "acme", "hello")
    firm.ok("advance", "acme", "--force")
    lost, _ = diff(content, path.read_text())
    assert lost == ['stage = "preparation"\n']


@pytest.mark.parametrize("ending", ["\n", "\r\n"])
def test_last_line_without_newline(firm: Workspace, frozen: datetime, ending: str) -> None:
    content = HAND.rstrip("\n").replace("\n", ending)  # ends in "# trailing comment"
    path = put(firm, content)
    firm.ok("set", "acme", "due", "2026-12-20")
    assert path.read_bytes().decode() == content.replace("2026-12-15", "2026-12-20")
    firm.ok("note", "acme", "hello")
    after = path.read_bytes().decode()
    assert after.startswith(content.replace("2026-12-15", "2026-12-20") + ending + ending)
    assert after.endswith('text = "hello"' + ending)
    assert tomllib.loads(after)["notes"][0]["text"] == "hello"


def test_split_array_of_tables_is_refused_not_reordered(firm: Workspace) -> None:
    # tomlkit would gather the two [[history]] runs and move [[notes]] after them.
    content = HAND + (
        '\n[[notes]]\nat = 2026-11-02T10:00:00+03:00\ntext = "kick-off"\n'
        '\n[[history]]\nfrom = "preparation"\nto = "preparation"\n'
        "at = 2026-11-03T10:00:00+03:00\n"
    )
    path = put(firm, content)
    result = firm.run("note", "acme", "hello")
    assert result.code == 1
    assert result.err.startswith("error: engagements/acme.toml:")
    assert "moving" in result.err and result.err.count("\n") == 1
    assert path.read_text() == content


# --- shapes a person may choose: each is valid TOML and svctrack edits it in that shape ---------

TOP = """\
name = "Audit — ACME"
service = "audit"
client = "ACME"
stage = "control"
due = 2026-12-15
"""
HISTORY = """
[[history]]
to = "preparation"
at = 2026-11-01T10:00:00+03:00
"""

SHAPES = {
    "dotted keys": TOP
    + "gates.execution.work-done = true  # done\n"
    + "gates.control.quality-checked = true\n"
    + "principles.communication = true\n"
    + HISTORY,
    "dotted keys in [gates]": TOP
    + "\n[gates]\nexecution.work-done = true\ncontrol.quality-checked = true\n"
    + HISTORY,
    "inline tables": TOP
    + "gates = { execution = { work-done = true }, control = { quality-checked = true } }\n"
    + "principles = { communication = true }\n"
    + HISTORY,
    "tables out of order": TOP
    + "\n[gates.control]\nquality-checked = true\n"
    + "\n[custom]\nkeep = 1\n"
    + "\n[gates.execution]\nwork-done = true\n"
    + HISTORY,
    "no [gates] header": TOP
    + "\n[gates.execution]\nwork-done = true\n"
    + "\n[gates.control]\nquality-checked = true\n"
    + HISTORY,
}


def gates_of(path: Path) -> dict:
    return tomllib.loads(path.read_text()).get("gates", {})


@pytest.mark.parametrize("shape", SHAPES)
def test_tick_in_the_files_own_shape(firm: Workspace, shape: str) -> None:
    path = put(firm, SHAPES[shape])
    firm.ok("check", "acme", "client-satisfied")
    firm.ok("check", "acme", "proactivity", "--note", "called first")
    saved = tomllib.loads(path.read_text())
    assert saved["gates"]["control"] == {"quality-checked": True, "client-satisfied": True}
    assert saved["principles"]["proactivity"] == {"ok": True, "note": "called first"}
    lost, _ = diff(SHAPES[shape], path.read_text())
    assert all("{" in line for line in lost), lost  # only an inline table's own line changes


@pytest.mark.parametrize("shape", SHAPES)
def test_clear_the_only_tick_of_a_stage(firm: Workspace, shape: str) -> None:
    # Removing the last key of a table made of dotted keys, or of [a.b] without [a], removes
    # the table too: tomlkit would keep an empty table that the file can no longer show.
    path = put(firm, SHAPES[shape])
    firm.ok("uncheck", "acme", "quality-checked", "--clear")
    gates = gates_of(path)
    assert gates.get("control", {}) == {}
    assert gates["execution"] == {"work-done": True}


@pytest.mark.parametrize("shape", SHAPES)
def test_rework_in_the_files_own_shape(firm: Workspace, frozen: datetime, shape: str) -> None:
    path = put(firm, SHAPES[shape])
    firm.ok("rework", "acme", "--note", "redo")
    saved = tomllib.loads(path.read_text())
    assert saved["stage"] == "execution"
    assert all(ticks == {} for ticks in saved.get("gates", {}).values())
    assert saved["history"][-1]["to"] == "execution"
    if "custom" in SHAPES[shape]:
        assert saved["custom"] == {"keep": 1}


def test_inline_array_of_history_gets_an_inline_entry(firm: Workspace, frozen: datetime) -> None:
    content = TOP + 'history = [{ to = "preparation", at = 2026-11-01T10:00:00+03:00 }]\n'
    path = put(firm, content.replace('"control"', '"preparation"'))
    firm.ok("advance", "acme", "--force")
    history = tomllib.loads(path.read_text())["history"]
    assert [h["to"] for h in history] == ["preparation", "execution"]
    assert path.read_text().count("\n") == content.count("\n")  # still one line


def test_new_top_level_key_follows_the_last_one(firm: Workspace) -> None:
    path = put(firm, HAND)
    firm.ok("set", "acme", "owner", "olga")
    assert path.read_text() == HAND.replace(
        'billing.code = "B-7"   # dotted key, ours\n',
        'billing.code = "B-7"   # dotted key, ours\nowner = "olga"\n',
    )


WRONG_SHAPES = [  # what validate says of the file, or (where it says nothing) what the edit finds
    ("gates = 3\n", ("check", "acme", "work-done"), "`gates` must be a table of stages"),
    ('notes = "call them"\n', ("note", "acme", "hi"), "`notes` must be an array of tables"),
    ("history = 1\n", ("advance", "acme", "--force"), "`history` must be an array of tables"),
    (
        "\n[gates.execution.work-done]\ndone = false\n",
        ("check", "acme", "work-done"),
        "`gates.execution.work-done` is a table",
    ),
]


@pytest.mark.parametrize(("extra", "args", "says"), WRONG_SHAPES, ids=lambda v: str(v)[:12])
def test_a_value_of_the_wrong_shape_is_refused(
    firm: Workspace, extra: str, args: tuple[str, ...], says: str
) -> None:
    content = TOP.replace('"control"', '"execution"') + extra
    path = put(firm, content)
    result = firm.run(*args)
    assert result.code == 1
    assert re.match(r"error: engagements/acme\.toml(:\d+:\d+)?: ", result.err), result.err
    assert says in result.err and result.err.count("\n") == 1
    assert path.read_text() == content


# --- tomlkit pitfalls: the written file always re-parses and reads back as meant -------------


def test_new_entry_in_the_middle_keeps_the_tables_after_it(
    firm: Workspace, frozen: datetime
) -> None:
    # [[notes]] is followed by a table of the user's own: the new entry must not swallow its keys.
    content = (
        TOP.replace('"control"', '"preparation"')
        + HISTORY
        + '\n[[notes]]\nat = 2026-11-02T10:00:00+03:00\ntext = "kick-off"\n'
        + "\n[custom]\nkeep = 1\n"
        + "\n[[custom.log]]\nline = 1\n"
    )
    path = put(firm, content)
    firm.ok("note", "acme", "second")
    firm.ok("advance", "acme", "--force")
    firm.ok("note", "acme", "third")
    saved = tomllib.loads(path.read_text())
    assert [n["text"] for n in saved["notes"]] == ["kick-off", "second", "third"]
    assert [h["to"] for h in saved["history"]] == ["preparation", "execution"]
    assert saved["custom"] == {"keep": 1, "log": [{"line": 1}]}
    lost, _ = diff(content, path.read_text())
    assert lost == ['stage = "preparation"\n']


def test_offset_with_seconds_is_written_as_whole_minutes(
    firm: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Local mean time of Amsterdam until 1937: +00:19:32. TOML offsets have no seconds.
    lmt = timezone(timedelta(minutes=19, seconds=32))
    moment = datetime(2026, 11, 26, 9, 30, 0, tzinfo=lmt)
    monkeypatch.setattr("svctrack.domain.dates.now", lambda: moment)
    path = firm.file("acme")
    firm.ok("note", "acme", "old clock")
    at = tomllib.loads(path.read_text())["notes"][-1]["at"]
    assert at == moment  # the same instant
    assert at.utcoffset() == timedelta(minutes=20)


def test_the_re_read_check_stops_a_bad_write(
    firm: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = put(firm, HAND)
    monkeypatch.setattr(
        "svctrack.storage.store.merge_edit", lambda old, base, new: old + "broken = \n"
    )
    result = firm.run("note", "acme", "hello")
    assert result.code == 1
    assert "would leave invalid TOML" in result.err and result.err.count("\n") == 1
    monkeypatch.setattr(
        "svctrack.storage.store.merge_edit", lambda old, base, new: old
    )  # note lost
    result = firm.run("note", "acme", "hello")
    assert result.code == 1
    assert "would not read back as intended" in result.err
    assert path.read_text() == HAND
    assert not list(path.parent.glob(".*.tmp"))
