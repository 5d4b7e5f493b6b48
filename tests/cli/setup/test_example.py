"""The sample consultancy: examples/, the copy shipped in the package, and `init --example`."""

from __future__ import annotations

import re
import tomllib
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

import svctrack
from conftest import REPO, TODAY, Workspace, cli
from svctrack.storage.paths import GITIGNORE
from svctrack.usecases.example import ANCHOR, shift

ROOT = REPO
EXAMPLES = ROOT / "examples"
SAMPLE = Path(svctrack.__file__).parent / "sample"  # what the package ships and `fill` reads
ENGAGEMENT_STATES = {"preparation", "execution", "control", "completion", "closed", "cancelled"}
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def toml_files(root: Path) -> dict[str, bytes]:
    """svctrack.toml and every item file under `root`, by relative path."""
    found = {"svctrack.toml": (root / "svctrack.toml").read_bytes()}
    for folder in ("services", "engagements"):
        for path in sorted((root / folder).iterdir()):
            found[f"{folder}/{path.name}"] = path.read_bytes()
    return found


def items(root: Path) -> dict[str, bytes]:
    return {k: v for k, v in toml_files(root).items() if k != "svctrack.toml"}


def files_in(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}


def examples() -> Workspace:
    return Workspace(EXAMPLES)


def show_all(ws: Workspace) -> dict[str, dict]:
    ids = [s["id"] for s in ws.ok("service", "list", "--all", "--json").json()]
    ids += [e["id"] for e in ws.ok("engagement", "list", "--all", "--json").json()]
    return {i: ws.ok("show", i, "--json").json() for i in ids}


# --- the two copies -------------------------------------------------------------------------


def test_examples_and_sample_are_the_same_workspace() -> None:
    assert toml_files(EXAMPLES) == toml_files(SAMPLE)
    assert len(items(SAMPLE)) >= 3 + 8


def test_examples_holds_nothing_else() -> None:
    assert (EXAMPLES / ".gitignore").read_text("utf-8") == GITIGNORE
    assert files_in(EXAMPLES) - {".svctrack.lock"} == {".gitignore", *toml_files(EXAMPLES)}
    assert files_in(SAMPLE) == set(toml_files(SAMPLE))  # no lock, no .gitignore, no temp file


def test_sample_config_holds_only_what_init_writes() -> None:
    # fill() does not copy svctrack.toml: anything beyond these keys would be lost.
    config = tomllib.loads((SAMPLE / "svctrack.toml").read_text("utf-8"))
    assert set(config) == {"name", "lang", "currency"}
    assert config["lang"] == "en"


def test_examples_validate_strict() -> None:
    result = cli("-C", str(EXAMPLES), "validate", "--strict", "--json")
    assert result.code == 0, result.out
    assert result.json() == {"ok": True, "problems": []}


def test_histories_follow_the_pipelines() -> None:
    """Every step is an advance, a way back or a cancel; time only moves forward, up to today."""
    nexts = {
        "service": dict(
            zip(
                ["planning", "development", "testing", "launch", "delivery"],
                ["development", "testing", "launch", "delivery", "monitoring"],
                strict=True,
            )
        ),
        "engagement": {
            "preparation": "execution",
            "execution": "control",
            "control": "completion",
            "completion": "closed",
        },
    }
    backs = {
        "service": {"testing": "development", "monitoring": "planning"},
        "engagement": {"control": "execution"},
    }
    today = date.fromisoformat(TODAY)
    for item in show_all(examples()).values():
        kind, history = item["kind"], item["history"]
        first, *steps = history
        assert first["from"] is None and first["to"] == item["stages"][0]
        at = [datetime.fromisoformat(h["at"]) for h in history]
        assert at == sorted(at) and len(set(at)) == len(at), item["id"]
        assert at[-1].date() < today
        previous = first["to"]
        for step in steps:
            assert step["from"] == previous, item["id"]
            allowed = {nexts[kind].get(previous), backs[kind].get(previous), "cancelled"}
            assert step["to"] in allowed, (item["id"], step)
            if step["forced"]:
                assert step["to"] == nexts[kind][previous] and step["skipped"]
            previous = step["to"]
        assert previous == item["stage"]
        for entry in item["notes"] + item.get("feedback", []):
            moment = datetime.fromisoformat(entry["at"])
            assert at[0] <= moment and moment.date() < today, item["id"]
        if kind == "engagement":
            assert item["start"] <= item["due"]
            assert at[0].date() <= date.fromisoformat(item["start"])


# --- what the sample shows ------------------------------------------------------------------


def test_sample_covers_every_engagement_state() -> None:
    listed = examples().ok("engagement", "list", "--all", "--json").json()
    assert 8 <= len(listed) <= 12
    assert {e["stage"] for e in listed} == ENGAGEMENT_STATES
    services = examples().ok("service", "list", "--all", "--json").json()
    assert 3 <= len(services) <= 4
    assert len({s["stage"] for s in services}) == len(services)
    assert {e["service"] for e in listed} <= {s["id"] for s in services}


def test_sample_has_overdue_items_of_every_kind() -> None:
    listed = examples().ok("engagement", "list", "--all", "--json").json()
    by_id = {e["id"]: e for e in listed}
    overdue = [e for e in listed if e["overdue"]]
    assert overdue
    assert all(e["stage"] not in ("closed", "cancelled") for e in overdue)
    # overdue because the due date has passed, and because a stage deadline has
    assert any(e["days_left"] < 0 for e in overdue)
    assert any(e["days_left"] >= 0 for e in overdue)
    # a closed engagement that ended after its due date is not overdue
    assert any(e["stage"] == "closed" and e["days_left"] < 0 for e in by_id.values())
    # open and in time, with a few days left
    assert any(not e["overdue"] and 0 <= e["days_left"] <= 7 for e in listed)
    services = examples().ok("service", "list", "--all", "--json").json()
    assert any(s["overdue"] for s in services)
    if cli("deadlines", "--help").code == 0:  # once the command exists
        dated = examples().ok("deadlines", "--overdue", "--json").json()
        assert {o["id"] for o in dated} >= {e["id"] for e in overdue}


def test_sample_has_rework_force_notes_and_feedback() -> None:
    shown = show_all(examples())
    steps = [(i["kind"], h) for i in shown.values() for h in i["history"]]
    moves = {(kind, h["from"], h["to"]) for kind, h in steps}
    assert ("engagement", "control", "execution") in moves  # rework after control
    assert ("service", "monitoring", "planning") in moves  # a service's next iteration
    assert ("service", "testing", "development") in moves
    forced = [h for k, h in steps if k == "engagement" and h["forced"]]
    assert forced and all(h["skipped"] for h in forced)
    channels = {n["channel"] for i in shown.values() for n in i["notes"]}
    assert channels >= {"email", "call", "meeting", "chat"}
    engagements = [i for i in shown.values() if i["kind"] == "engagement"]
    for closed in (e for e in engagements if e["stage"] == "closed"):
        assert closed["feedback"], closed["id"]
        assert all(1 <= f["score"] <= 5 for f in closed["feedback"])
    qualities = ("speed", "accuracy", "availability", "courtesy")
    assert any(all(f[q] for q in qualities) for e in engagements for f in e["feedback"])


def test_sample_fields_vary() -> None:
    shown = show_all(examples())
    engagements = [i for i in shown.values() if i["kind"] == "engagement"]
    assert {e["mode"] for e in engagements} == {"online", "offline", "hybrid"}
    prices = [e["price"] for e in engagements]
    assert {p["currency"] for p in prices} == {"RUB", "EUR"}
    assert any(p["amount"] != int(p["amount"]) for p in prices)  # cents, exactly
    assert all(e["contract"] for e in engagements if e["stage"] != "preparation")
    services = [i for i in shown.values() if i["kind"] == "service"]
    assert all(s["owner"] and s["roles"] for s in services)
    assert any(s["deadlines"] for s in services)
    assert any(p["ok"] is True for s in services for p in s["principles"])
    assert any(p["ok"] is False for s in services for p in s["principles"])
    for service in services:
        mine = sorted(e["id"] for e in engagements if e["service"] == service["id"])
        assert sorted(service["engagements"]) == mine


# --- init --example -------------------------------------------------------------------------


def test_init_example_today_is_the_sample(tmp_path: Path) -> None:
    root = tmp_path / "demo"
    result = cli("init", str(root), "--example", "--name", "Demo", "--lang", "ru")
    assert result.code == 0, result.err
    assert items(root) == items(SAMPLE)
    config = tomllib.loads((root / "svctrack.toml").read_text("utf-8"))
    assert config == {"name": "Demo", "lang": "ru", "currency": "RUB"}  # as init wrote it
    assert (root / ".gitignore").read_text("utf-8") == GITIGNORE
    assert files_in(root) - {".svctrack.lock"} == {".gitignore", *toml_files(root)}
    assert Workspace(root).ok("validate", "--strict", "--json").json()["ok"] is True


def _same_but_shifted(old: Any, new: Any, delta: timedelta, where: str) -> None:
    if isinstance(old, dict):
        assert isinstance(new, dict) and list(old) == list(new), where
        for key in old:
            _same_but_shifted(old[key], new[key], delta, f"{where}.{key}")
    elif isinstance(old, list):
        assert isinstance(new, list) and len(old) == len(new), where
        for n, (a, b) in enumerate(zip(old, new, strict=True)):
            _same_but_shifted(a, b, delta, f"{where}[{n}]")
    elif isinstance(old, datetime):
        assert new == old + delta and new.utcoffset() == old.utcoffset(), where
        assert new.time() == old.time(), where
    elif isinstance(old, date):
        assert new == old + delta, where
    elif isinstance(old, str) and ISO_DATE.search(old):  # a date in a note's text moves too
        olds, news = ISO_DATE.findall(old), ISO_DATE.findall(new)
        assert [date.fromisoformat(d) + delta for d in olds] == [
            date.fromisoformat(d) for d in news
        ], where
        assert ISO_DATE.sub("D", old) == ISO_DATE.sub("D", new), where
    else:
        assert new == old, where


@pytest.mark.parametrize(
    "today",
    [
        "2027-02-27",  # across the new year and the end of a short February
        "2028-03-01",  # across a leap day
        "2024-01-01",  # backwards
        "2026-11-27",
    ],
)
def test_init_example_another_day_is_shifted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, today: str
) -> None:
    monkeypatch.setenv("SVCTRACK_TODAY", today)
    delta = date.fromisoformat(today) - ANCHOR
    root = tmp_path / "demo"
    assert cli("init", str(root), "--example").code == 0
    sample, made = items(SAMPLE), items(root)
    assert set(made) == set(sample)
    for path, raw in sample.items():
        old, new = raw.decode("utf-8"), made[path].decode("utf-8")
        assert new != old
        # only the date literals differ, byte for byte
        assert ISO_DATE.sub("D", old) == ISO_DATE.sub("D", new), path
        _same_but_shifted(tomllib.loads(old), tomllib.loads(new), delta, path)

    ws = Workspace(root)
    assert ws.ok("validate", "--strict", "--json").json()["ok"] is True
    for kind in ("engagement", "service"):
        here = ws.ok(kind, "list", "--all", "--json").json()
        monkeypatch.setenv("SVCTRACK_TODAY", TODAY)
        there = examples().ok(kind, "list", "--all", "--json").json()
        monkeypatch.setenv("SVCTRACK_TODAY", today)
        keys = ("id", "stage", "progress", "overdue", "days_left")
        assert [{k: s.get(k) for k in keys} for s in here] == [
            {k: s.get(k) for k in keys} for s in there
        ]
        for a, b in zip(here, there, strict=True):
            if b["next_deadline"]:
                moved = date.fromisoformat(b["next_deadline"]) + delta
                assert date.fromisoformat(a["next_deadline"]) == moved


def test_init_example_refuses_taken_ids(tmp_path: Path) -> None:
    root = tmp_path / "demo"
    (root / "services").mkdir(parents=True)
    mine = b'name = "Mine"\n'
    (root / "services" / "it-audit.toml").write_bytes(mine)
    result = cli("init", str(root), "--example")
    assert result.code == 1
    assert result.err.startswith("error: ") and "it-audit" in result.err
    assert sorted(p.name for p in (root / "services").iterdir()) == ["it-audit.toml"]
    assert (root / "services" / "it-audit.toml").read_bytes() == mine
    assert not list((root / "engagements").iterdir())


@pytest.mark.parametrize("today", ["9999-12-01", "0001-02-01"])
def test_init_example_too_far_in_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, today: str
) -> None:
    monkeypatch.setenv("SVCTRACK_TODAY", today)
    result = cli("init", str(tmp_path / "demo"), "--example")
    assert result.code == 2
    assert result.err.startswith("error: SVCTRACK_TODAY: ") and "out of range" in result.err
    assert not (tmp_path / "demo" / "svctrack.toml").exists()


# --- shift ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "days", "expected"),
    [
        ("due = 2026-12-31\n", 1, "due = 2027-01-01\n"),
        ("at = 2028-02-28T23:30:00+03:00\n", 1, "at = 2028-02-29T23:30:00+03:00\n"),
        ("at = 2027-02-28T08:00:00-05:00\n", 1, "at = 2027-03-01T08:00:00-05:00\n"),
        ("start = 2026-03-01\n", -1, "start = 2026-02-28\n"),
        ('t = "on 2026-11-27, not 2026-02-30"', 3, 't = "on 2026-11-30, not 2026-02-30"'),
        ('c = "NW-2026-07-01"\nx = 12026-01-01', 5, 'c = "NW-2026-07-01"\nx = 12026-01-01'),
        ("due = 2026-12-31\r\n", 0, "due = 2026-12-31\r\n"),
        ("due = 2026-12-31\r\n", 365, "due = 2027-12-31\r\n"),
    ],
)
def test_shift(text: str, days: int, expected: str) -> None:
    assert shift(text, days) == expected
