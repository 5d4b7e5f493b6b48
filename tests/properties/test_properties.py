"""Properties: no item file makes a read command crash; tables of the user's own survive writes."""

from __future__ import annotations

import json
import tomllib
from datetime import date, datetime, time, timedelta, timezone
from typing import Any

import tomlkit
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from conftest import Result, Workspace

SETTINGS = settings()  # the profile conftest loads: quick by default, SVCTRACK_EXAMPLES for more

READS = [
    ("show", "acme"),
    ("show", "acme", "--json"),
    ("status", "--json"),
    ("engagement", "list", "--all", "--json"),
    ("deadlines", "--json"),
    ("checklist", "--json"),
    ("validate", "--json"),
]

# --- TOML values -------------------------------------------------------------------------

# The keys svctrack reads, so that the documents reach past "unknown key" into the model.
KNOWN = [
    "name", "service", "client", "stage", "start", "due", "owner", "mode", "price", "currency",
    "contract", "deadlines", "gates", "principles", "history", "notes", "feedback", "time",
    "roles", "from", "to", "at", "by", "note", "forced", "skipped", "done", "ok", "score",
    "speed", "text", "channel", "hours", "date", "comment", "budget_hours", "rate",
    "preparation", "execution", "control", "completion", "terms-agreed", "work-done",
]  # fmt: skip
keys = st.one_of(st.sampled_from(KNOWN), st.text(min_size=1, max_size=8))

offsets = st.integers(-(24 * 60 - 1), 24 * 60 - 1).map(lambda m: timezone(timedelta(minutes=m)))
moments = st.builds(
    datetime.combine,
    st.dates(),
    st.times().map(lambda t: t.replace(microsecond=0)),
    offsets,
)
scalars = st.one_of(
    st.text(max_size=12),
    st.integers(-(2**63), 2**63 - 1),
    st.booleans(),
    st.dates(),
    moments,
    st.sampled_from(["preparation", "execution", "closed", "cancelled", "audit", "acme"]),
    st.sampled_from([date(2026, 11, 26), date(1, 1, 1), date(9999, 12, 31)]),
    st.sampled_from([datetime(9999, 12, 31, 23, 59, tzinfo=timezone(timedelta(hours=-23)))]),
    st.builds(time, st.integers(0, 23), st.integers(0, 59)),
)


def _tables(children: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(keys, children, max_size=4),
    )


values = st.recursive(scalars, _tables, max_leaves=12)
documents = st.dictionaries(keys, values, max_size=10)


def dumped(data: dict[str, Any]) -> str:
    """The document as tomlkit writes it; skipped when tomlkit cannot write it faithfully."""
    try:
        text = tomlkit.dumps(data)
    except Exception:  # tomlkit's own limits (e.g. a key it cannot quote): not ours to test
        assume(False)
    try:
        back = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        assume(False)
    assume(back == data)
    return text


# --- reading anything ----------------------------------------------------------------------


def no_crash(result: Result, args: tuple[str, ...]) -> None:
    assert result.code in (0, 1), (args, result)
    assert "internal error" not in result.err, (args, result.err)
    assert "Traceback" not in result.err + result.out, (args, result)
    if result.code == 1:
        assert result.err.startswith("error: ") or "validate" in args, (args, result)
    if ("--json" in args and result.code == 0) or args[0] == "validate":
        json.loads(result.out)


def read_everything(ws: Workspace, content: bytes) -> None:
    ws.file("acme").write_bytes(content)
    for args in READS:
        no_crash(ws.run(*args), args)


@SETTINGS
@given(content=st.binary(max_size=400), after_valid=st.booleans())
def test_arbitrary_bytes_never_crash_a_read(
    firm: Workspace, content: bytes, after_valid: bool
) -> None:
    # Alone, or after a valid file: the second reaches past the first line of the parser.
    prefix = firm.text("audit").encode() if after_valid else b""
    read_everything(firm, prefix + content)


@SETTINGS
@given(data=documents)
def test_any_toml_document_never_crashes_a_read(firm: Workspace, data: dict[str, Any]) -> None:
    read_everything(firm, dumped(data).encode("utf-8"))


@SETTINGS
@given(data=documents)
def test_any_toml_over_a_valid_engagement_never_crashes_a_read(
    firm: Workspace, data: dict[str, Any]
) -> None:
    # The required keys are there, everything else is arbitrary: reaches deeper into the model.
    base = tomllib.loads(firm.text("acme"))
    read_everything(firm, dumped({**base, **data}).encode("utf-8"))


# --- tables of the user's own --------------------------------------------------------------

WRITES = [
    ("check", "acme", "terms-agreed"),
    ("check", "acme", "communication", "--note", "weekly calls"),
    ("set", "acme", "due", "2026-12-20"),
    ("set", "acme", "owner", "Bob"),
    ("set", "acme", "price", "1200.50"),
    ("set", "acme", "deadline.execution", "2026-12-01"),
    ("note", "acme", "called them", "--channel", "call"),
    ("feedback", "acme", "--score", "4", "--comment", "fine"),
    ("log", "acme", "1h30m", "--note", "interviews"),
    ("advance", "acme", "--force"),
    ("advance", "acme", "--force"),
    ("rework", "acme", "--note", "again"),
    ("uncheck", "acme", "work-done"),
]

custom_tables = st.dictionaries(keys, values, min_size=1, max_size=6)


def custom_block(name: str, data: dict[str, Any]) -> str:
    """`[name]` with `data` as tomlkit writes it (nested tables become [name.sub] tables)."""
    nested: dict[str, Any] = data
    for part in reversed(name.split(".")):
        nested = {part: nested}
    text = dumped(nested)
    # A dotted name starts with its implicit parent's header-less lines: none here, by build.
    assume(text.lstrip().startswith("["))
    return text


def _within(data: dict[str, Any], name: str) -> Any:
    for part in name.split("."):
        data = data[part]
    return data


@SETTINGS
@given(
    name=st.sampled_from(["custom", "x-billing.data"]),
    data=custom_tables,
    where=st.sampled_from(["end", "before-gates", "before-history"]),
)
def test_own_tables_survive_every_write(
    firm: Workspace, name: str, data: dict[str, Any], where: str
) -> None:
    path = firm.file("acme")
    original = path.read_text("utf-8")
    block = custom_block(name, data)
    if not block.endswith("\n\n"):
        block += "\n"
    if where == "end":
        text = original.rstrip("\n") + "\n\n" + block
    else:
        marker = {"before-gates": "\n[gates]", "before-history": "\n[[history]]"}[where]
        head, tail = original.split(marker, 1)
        text = head + "\n" + block + marker.lstrip("\n") + tail
    path.write_text(text, "utf-8")
    want = _within(tomllib.loads(text), name)
    try:
        for args in WRITES:
            result = firm.run(*args)
            assert result.code == 0, (args, result)
            now = path.read_text("utf-8")
            assert block in now, (args, now)
            assert _within(tomllib.loads(now), name) == want, args
    finally:
        path.write_text(original, "utf-8")
