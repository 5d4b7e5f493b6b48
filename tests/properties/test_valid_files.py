"""Property: every workspace whose files `validate` passes is read by every read command without
an internal error (the contract: a value svctrack did not write is never trusted)."""

from __future__ import annotations

import json
import re
import tomllib
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
import tomlkit
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from conftest import EXAMPLES, Result, Workspace
from svctrack.domain.fields import CHANNELS, MODES
from svctrack.domain.model import QUALITY
from svctrack.domain.pipeline import Pipeline, load_pipelines

# 25 workspaces by default, each through every read command; SVCTRACK_EXAMPLES for more.
SETTINGS = settings(max_examples=EXAMPLES or 25)
PIPELINES = load_pipelines({})

# --- values within their types ---------------------------------------------------------------

ODD_TEXT = [
    "",
    " ",
    "Ромашка «ООО»",
    "\x1b[31mred\x1b[0m\x07",
    "\x9b2J",
    "[bold]loud[/bold] [link=http://x]x[/link]",
    "=1+2",
    "-3",
    "@SUM(A1)",
    "\tlead",
    "a\r\nb\nc\rd",
    '"quoted", ;semi',
    "\\",
    "<script>alert(1)</script> &amp;",
    "BEGIN:VEVENT\r\nEND:VCALENDAR",
    "\u202eevil\u200b\u0301",
    "a\x00b",
    "😀" * 3,
    "x" * 300,
    "%s {0} {}",
    "*_`#|",
]
texts = st.one_of(st.text(max_size=24), st.sampled_from(ODD_TEXT))
words = st.text(st.characters(codec="ascii", categories=("L", "N")), min_size=1, max_size=8)

EDGE_DATES = [date(1900, 1, 1), date(2999, 12, 31), date(2000, 2, 29)]
EDGE_DATES += [date(2026, 11, 25), date(2026, 11, 26), date(2026, 11, 27)]  # around today
# File dates within 1900–2999: the range rule itself is being written elsewhere.
dates = st.one_of(
    st.dates(min_value=date(1900, 1, 1), max_value=date(2999, 12, 31)),
    st.sampled_from(EDGE_DATES),
)
offsets = st.integers(-(24 * 60 - 1), 24 * 60 - 1).map(lambda m: timezone(timedelta(minutes=m)))
moments = st.one_of(
    st.builds(
        datetime.combine,
        dates,
        st.times(),
        offsets,
    ),
    st.sampled_from(
        [
            datetime(1900, 1, 1, tzinfo=timezone(timedelta(hours=23, minutes=59))),
            datetime(2999, 12, 31, 23, 59, 59, tzinfo=timezone(-timedelta(hours=23, minutes=59))),
            datetime(2026, 11, 26, 0, 0, tzinfo=UTC),
        ]
    ),
)
# Values within the field rules (domain/fields.py): money below 10^15 with at most 6 places;
# hours above 0 with at most 6 places, at most 24 a day; a budget at most the hours of a year.
amounts = st.one_of(
    st.integers(0, 10**15 - 1),
    st.decimals(0, 10**12, places=2),
    st.sampled_from([Decimal("0"), Decimal("0.000001"), Decimal("999999999999999.999999")]),
)
EDGE_HOURS = [Decimal("0.000001"), Decimal("24"), Decimal("23.999999")]
hours = st.one_of(
    st.decimals(Decimal("0.000001"), 24, places=6).filter(lambda h: h > 0),
    st.integers(1, 24),
    st.sampled_from(EDGE_HOURS),
)
budgets = st.one_of(
    st.decimals(Decimal("0.000001"), 24 * 366, places=6).filter(lambda b: b > 0),
    st.sampled_from([Decimal("0.000001"), Decimal(24 * 366)]),
)
scores = st.integers(1, 5)


# Keys of the user's own, with any TOML value: never warned about, never read.
keys = st.one_of(words, texts)  # a quoted key may hold anything, "" too
own_values = st.recursive(
    st.one_of(texts, st.integers(-(2**63), 2**63 - 1), st.booleans(), dates, moments),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(words, inner, max_size=3),
    max_leaves=6,
)


def entry(required: dict[str, Any], optional: dict[str, Any]) -> st.SearchStrategy[Any]:
    """An entry of an array of tables, with keys of the user's own besides."""
    fields = st.fixed_dictionaries(required, optional=optional)
    extra = st.dictionaries(
        keys.filter(lambda k: k not in required and k not in optional), own_values, max_size=2
    )
    return st.builds(lambda data, more: {**more, **data}, fields, extra)


def _tick(note_key: str) -> st.SearchStrategy[Any]:
    note = {"note": st.one_of(texts, own_values)}  # any value: shown as text
    return st.one_of(
        st.booleans(),
        entry({note_key: st.booleans()}, note),
        entry({}, note),  # not assessed, with a note or none
    )


def gates(pipeline: Pipeline) -> st.SearchStrategy[dict[str, Any]]:
    def of(stage: str) -> st.SearchStrategy[dict[str, Any]]:
        known = [g.id for g in pipeline.stage(stage).gates]  # type: ignore[union-attr]
        ids = st.one_of(st.sampled_from(known), keys)  # an unknown one: a warning
        return st.dictionaries(ids, _tick("done"), max_size=4)

    stages = {stage: of(stage) for stage in pipeline.stage_ids}
    unknown = st.dictionaries(keys.filter(lambda k: k not in stages), of(pipeline.stage_ids[0]))
    return st.builds(
        lambda known, other: {**other, **known},
        st.fixed_dictionaries({}, optional=stages),
        unknown.map(lambda d: dict(list(d.items())[:1])),  # a stage the pipeline lacks: warned
    )


def principles(pipeline: Pipeline) -> st.SearchStrategy[dict[str, Any]]:
    ids = st.one_of(st.sampled_from([t.id for t in pipeline.principles]), keys)
    return st.dictionaries(ids, _tick("ok"), max_size=5)


def history(pipeline: Pipeline) -> st.SearchStrategy[dict[str, Any]]:
    states = st.one_of(st.sampled_from([*pipeline.stage_ids, *pipeline.ends]), texts.filter(bool))
    return entry(
        {"to": states, "at": moments},  # always `at`: an entry without one is another change's
        {
            "from": states,
            "by": texts,
            "note": texts,
            "forced": st.one_of(st.booleans(), own_values),  # only `true` forces
            "skipped": st.lists(st.one_of(texts, own_values), max_size=3),
        },
    )


notes = entry(
    {"text": texts},
    {"at": moments, "channel": st.sampled_from(CHANNELS), "by": texts},
)
feedback = entry(
    {"score": scores}, {"at": moments, "comment": texts, **dict.fromkeys(QUALITY, scores)}
)
time_log = entry({"date": dates, "hours": hours}, {"by": texts, "note": texts})


def item(kind: str) -> st.SearchStrategy[dict[str, Any]]:
    pipeline = PIPELINES[kind]
    required: dict[str, Any] = {
        "name": texts.filter(str.strip),
        "stage": st.sampled_from([*pipeline.stage_ids, *pipeline.ends]),
        "currency": st.sampled_from(["EUR", "RUB", "USD", "eur"]),  # a price needs one
    }
    if kind == "engagement":
        required |= {"service": st.just("audit"), "client": texts.filter(str.strip), "due": dates}
    optional: dict[str, Any] = {
        "owner": texts,
        "mode": st.sampled_from([*MODES, ""]),
        "price": amounts,
        "contract": texts,
        "budget_hours": budgets,
        "deadlines": st.dictionaries(st.sampled_from(pipeline.stage_ids), dates, max_size=4),
        "gates": gates(pipeline),
        "principles": principles(pipeline),
        "history": st.lists(history(pipeline), max_size=5),
        "notes": st.lists(notes, max_size=3),
        "feedback": st.lists(feedback, max_size=3),
        "time": st.lists(time_log, max_size=3),
        "roles": st.dictionaries(
            st.one_of(st.sampled_from(["marketing", "development", "production"]), keys),
            texts,
            max_size=3,
        ),
    }
    if kind == "engagement":
        optional["start"] = dates
    return entry(required, optional).map(_started_before_due)


def _started_before_due(data: dict[str, Any]) -> dict[str, Any]:
    if "start" in data and "due" in data and data["start"] > data["due"]:
        data["start"], data["due"] = data["due"], data["start"]
    return data


_NUMBER = "\ue000number:"


def toml(data: dict[str, Any]) -> str:
    """The document as a person or tomlkit could write it; a decimal is written with its own
    digits (`1E+999999` too, which no float holds)."""

    def marked(value: Any) -> Any:
        if isinstance(value, Decimal):
            return _NUMBER + str(value)
        if isinstance(value, dict):
            return {k: marked(v) for k, v in value.items()}
        if isinstance(value, list):
            return [marked(v) for v in value]
        return value

    text = re.sub('"' + _NUMBER + '([^"]+)"', r"\1", tomlkit.dumps(marked(data)))
    back = tomllib.loads(text, parse_float=Decimal)
    assume(back == data)  # what tomlkit cannot write faithfully is not ours to test
    return text


# --- every read command ----------------------------------------------------------------------

READS: list[tuple[str, ...]] = [
    ("status",),
    ("show", "acme"),
    ("show", "audit"),
    ("deadlines",),
    ("deadlines", "--within", "3"),
    ("checklist",),
    ("checklist", "acme"),
    ("checklist", "audit"),
    ("history", "acme"),
    ("history", "audit"),
    ("engagement", "list", "--all"),
    ("service", "list", "--all"),
    ("report",),
    ("report", "--since", "1900-01-01", "--until", "2999-12-31"),
]
JSON = [(*args, "--json") for args in READS]
OTHERS: list[tuple[str, ...]] = [
    ("timeline",),
    ("timeline", "--weeks", "520"),
    ("export", "csv"),
    ("export", "csv", "--kind", "services"),
    ("export", "ics"),
    ("export", "report", "acme"),
    ("export", "report", "acme", "--format", "html"),
    ("export", "report", "acme", "--internal"),
]
MORE = ["beta", "gamma"]  # engagements besides acme: lists sort and compare them


def no_crash(result: Result, args: tuple[str, ...]) -> None:
    assert "internal error" not in result.err, (args, result.err)
    assert "Traceback" not in result.err + result.out, (args, result)
    assert result.code == 0, (args, result)  # every file is valid: nothing to refuse
    if "--json" in args:
        json.loads(result.out)


@SETTINGS
@given(
    engagements=st.lists(item("engagement"), min_size=1, max_size=1 + len(MORE)),
    service=item("service"),
    lang=st.sampled_from(["en", "ru"]),
    width=st.sampled_from(["120", "80", "40"]),
    today=st.sampled_from(["2026-11-26", "1900-01-01", "2999-12-31"]),
)
def test_every_read_of_valid_files_succeeds(
    firm: Workspace,
    monkeypatch: pytest.MonkeyPatch,
    engagements: list[dict[str, Any]],
    service: dict[str, Any],
    lang: str,
    width: str,
    today: str,
) -> None:
    monkeypatch.setenv("COLUMNS", width)
    monkeypatch.setenv("SVCTRACK_TODAY", today)
    folder = firm.root / "engagements"
    for name in MORE:
        (folder / f"{name}.toml").unlink(missing_ok=True)
    for name, data in zip(["acme", *MORE], engagements, strict=False):
        (folder / f"{name}.toml").write_text(toml(data), "utf-8")
    firm.file("audit").write_text(toml(service), "utf-8")
    checked = firm.run("validate", "--json")
    problems = checked.json()["problems"]
    assume(not [p for p in problems if p["severity"] == "error"])
    for args in READS + JSON + OTHERS:
        no_crash(firm.run("--lang", lang, *args), args)


def test_hours_beyond_the_rules_are_refused_cleanly(firm: Workspace) -> None:
    path = firm.file("acme")
    path.write_text(path.read_text() + "\n[[time]]\ndate = 2026-11-20\nhours = 1e999999\n")
    checked = firm.run("validate", "--json")
    (problem,) = checked.json()["problems"]  # type: ignore[index]
    assert checked.code == 1 and "hours in one day: at most 24" in problem["message"]
    for args in (("show", "acme", "--json"), ("report", "--json"), ("status",)):
        result = firm.run(*args)
        assert result.code == 1 and "internal error" not in result.err, args


@pytest.mark.parametrize(
    ("budget", "hours", "price", "none"),
    [
        ("1e-30", "5", None, "burn"),
        (None, "1e-30", "1000", "rate"),
        ("3", "1e30", None, "burn"),
    ],
)
def test_hours_that_make_no_figure(
    budget: str | None, hours: str, price: str | None, none: str
) -> None:
    from svctrack.domain.analysis import effort
    from svctrack.domain.model import Item, TimeEntry

    item = Item(
        kind="engagement",
        id="acme",
        budget_hours=Decimal(budget) if budget else None,
        price=Decimal(price) if price else None,
        time=[TimeEntry(date(2026, 11, 20), Decimal(hours))],
    )
    figures = effort(item)
    assert getattr(figures, none) is None  # a quotient with more digits than a decimal holds
