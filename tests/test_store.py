"""Byte-exact round trips: a command changes the lines it must and not one byte more."""

from __future__ import annotations

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
    monkeypatch.setattr("svctrack.dates.now", lambda: NOW)
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
