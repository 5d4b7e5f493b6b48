"""An item whose file holds what `validate` calls errors is broken, as a file that does not parse
is: read commands show the others and name its problems (exit 1), write commands leave it as it
is, and no command meets its values unchecked."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from conftest import Workspace
from svctrack.storage.store import Store


def broken_acme(firm: Workspace) -> Path:
    """acme without its due date, for a service that is not there."""
    path = firm.file("acme")
    text = path.read_text().replace("due = 2026-12-15\n", "")
    path.write_text(text.replace('service = "audit"', 'service = "ghost"'))
    return path


PROBLEMS = [
    "error: engagements/acme.toml: an engagement needs its due",
    "error: engagements/acme.toml:2:1: service 'ghost' does not exist (no services/ghost.toml)",
]


@pytest.mark.parametrize(
    "args",
    [
        ("status",),
        ("status", "--json"),
        ("engagement", "list", "--json"),
        ("deadlines",),
        ("checklist",),
        ("show", "audit"),  # a service lists its engagements
        ("export", "ics"),
        ("export", "csv"),
        ("report",),
    ],
    ids=" ".join,
)
def test_a_read_names_every_problem_of_a_broken_item(firm: Workspace, args: tuple) -> None:
    broken_acme(firm)
    result = firm.run(*args)
    assert result.code == 1
    assert [line for line in result.err.splitlines() if line.startswith("error:")] == PROBLEMS
    assert "acme" not in result.out


def test_show_of_a_broken_item_names_its_problems(firm: Workspace) -> None:
    broken_acme(firm)
    for args in (("show", "acme"), ("show", "acme", "--json"), ("checklist", "acme")):
        result = firm.run(*args)
        assert (result.code, result.out, result.err.splitlines()) == (1, "", PROBLEMS), args
    assert firm.run("history", "acme").err.splitlines() == PROBLEMS


@pytest.mark.parametrize(
    "args",
    [
        ("note", "acme", "hi"),
        ("set", "acme", "owner", "boris"),
        ("set", "acme", "due", "2026-12-20"),  # even what would mend one of them
        ("advance", "acme", "--force"),
        ("check", "acme", "terms-agreed"),
        ("feedback", "acme", "--score", "4"),
        ("log", "acme", "1"),
        ("cancel", "acme", "--note", "x"),
    ],
    ids=" ".join,
)
def test_a_write_leaves_a_broken_item_as_it_is(firm: Workspace, args: tuple) -> None:
    broken_acme(firm)
    before = firm.snapshot()
    result = firm.run(*args)
    assert result.code == 1
    assert result.err == (
        "error: engagements/acme.toml: an engagement needs its due (and 1 more); nothing written;"
        " see `svctrack validate`; fix the file with `svctrack edit acme`\n"
    )
    assert firm.snapshot() == before


def test_an_engagement_of_a_broken_service_is_refused(firm: Workspace) -> None:
    path = firm.file("audit")
    path.write_text(path.read_text().replace('owner = "anna"', 'owner = "anna"\nmode = "remote"'))
    before = firm.snapshot()
    result = firm.run("engagement", "new", "--service", "audit", "--client", "B", "--due", "+1w")
    assert result.code == 1
    assert result.err.startswith(
        "error: services/audit.toml:4:1: mode 'remote' is not one of online, offline, hybrid"
    )
    assert "`svctrack edit audit`" in result.err
    assert firm.snapshot() == before


def test_fixed_by_hand_it_is_an_item_again(firm: Workspace) -> None:
    path = broken_acme(firm)
    assert firm.run("status", "--json").code == 1
    path.write_text(path.read_text().replace('"ghost"', '"audit"\ndue = 2026-12-31'))
    assert "acme" in firm.ok("status", "--json").out
    firm.ok("note", "acme", "fixed")


# --- values that would crash a command are errors ---------------------------------------------

READS = [
    ("status",),
    ("deadlines",),
    ("checklist",),
    ("show", "acme"),
    ("history", "acme"),
    ("engagement", "list", "--all"),
    ("export", "ics"),
    ("export", "csv"),
    ("export", "report", "acme"),
    ("report",),
    ("timeline",),
]


@pytest.mark.parametrize(
    ("old", "new", "says"),
    [
        ("due = 2026-12-15", "due = 9999-12-31", "`due`: date 9999-12-31 is out of range"),
        ("due = 2026-12-15", "due = 0001-01-01", "`due`: date 0001-01-01 is out of range"),
        (
            'owner = "anna"',
            'owner = "anna"\n[deadlines]\ncontrol = 9999-12-31',
            "`deadlines.control`: date 9999-12-31 is out of range",
        ),
        ("2026-11-26T", "9999-12-31T", "[[history]] entry 1: `at`: date 9999-12-31"),
        (
            'note = "created"',
            'note = "created"\n\n[[history]]\nto = "execution"',
            "`at` is missing",
        ),
        ('owner = "anna"', 'owner = "anna"\nprice = 1e999999', "less than 1000000000000000"),
    ],
    ids=["due 9999", "due 0001", "deadline", "history at", "history without at", "price"],
)
def test_values_no_command_can_compute_with_are_errors(
    firm: Workspace, old: str, new: str, says: str
) -> None:
    path = firm.file("acme")
    text = path.read_text().replace("\n[deadlines]\n", "\n") if "deadlines" in new else None
    path.write_text((text or path.read_text()).replace(old, new, 1))
    problems = firm.run("validate", "--json").json()["problems"]
    assert any(says in p["message"] and p["severity"] == "error" for p in problems), problems
    for args in READS:
        result = firm.run(*args)
        assert result.code == 1, args
        assert "internal error" not in result.err and says in result.err, (args, result.err)


# --- a ref names one item among all; the kind a command needs is checked after ------------------


@pytest.fixture
def crm(firm: Workspace) -> Workspace:
    """A service `crm-implementation` and an engagement `crm-x` of another service."""
    firm.ok("service", "new", "crm-implementation", "--name", "CRM")
    firm.ok("engagement", "new", "crm-x", "--service", "audit", "--client", "X", "--due", "+1w")
    return firm


def test_a_prefix_of_both_kinds_is_ambiguous(crm: Workspace) -> None:
    before = crm.snapshot()
    result = crm.run("feedback", "crm", "--score", "4")
    assert result.code == 1
    assert result.err == (
        "error: 'crm' is ambiguous: crm-implementation, crm-x; give more of the id\n"
    )
    assert crm.snapshot() == before


def test_an_item_of_the_other_kind_is_named(crm: Workspace) -> None:
    before = crm.snapshot()
    cases = {
        ("feedback", "crm-i", "--score", "4"): "crm-implementation is a service; feedback needs"
        " an engagement",
        ("feedback", "audit", "--score", "4"): "audit is a service; feedback needs an engagement",
        ("export", "report", "crm-implementation"): "crm-implementation is a service;"
        " export report needs an engagement",
        ("export", "report", "crm-imp"): "crm-implementation is a service; export report needs"
        " an engagement",
        ("engagement", "list", "--service", "acme"): "acme is an engagement; --service needs"
        " a service",
        ("engagement", "new", "-s", "crm-x", "-c", "Y", "--due", "+1w"): "crm-x is an engagement;"
        " --service needs a service",
    }
    for args, message in cases.items():
        result = crm.run(*args)
        assert (result.code, result.out, result.err) == (1, "", f"error: {message}\n"), args
    assert crm.snapshot() == before


def test_an_exact_id_wins_over_a_prefix_of_the_other_kind(crm: Workspace) -> None:
    crm.ok("service", "new", "crm", "--name", "Short")
    assert crm.ok("show", "crm", "--json").json()["kind"] == "service"
    result = crm.run("feedback", "crm", "--score", "4")
    assert result.err == "error: crm is a service; feedback needs an engagement\n"
    crm.ok("feedback", "crm-x", "--score", "4")


# --- the cache keeps what is wrong with a file, so the dashboard stays cheap --------------------


def count_reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    read: list[str] = []
    real = Store.read_text

    def counting(self: Store, path: Path) -> Any:
        read.append(path.name)
        return real(self, path)

    monkeypatch.setattr(Store, "read_text", counting)
    return read


def test_the_problems_of_a_broken_item_come_from_the_cache(
    firm: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    from svctrack.storage import cache

    monkeypatch.setattr(cache, "FRESH_NS", -1)  # trust files written just now
    path = firm.file("acme")
    path.write_text(path.read_text().replace('owner = "anna"', 'mode = "remote"'))
    expected = (
        "error: engagements/acme.toml:7:1: mode 'remote' is not one of online, offline, hybrid\n"
    )
    assert firm.run("status").err == expected
    read = count_reads(monkeypatch)
    assert firm.run("status").err == expected
    assert read == []  # no file parsed again


def test_a_service_that_goes_away_breaks_its_engagements(firm: Workspace) -> None:
    assert firm.ok("status", "--json")
    firm.file("audit").unlink()  # acme's own file is untouched: the cache must not hide it
    result = firm.run("status", "--json")
    assert result.code == 1 and "acme" not in result.out
    assert result.err == (
        "error: engagements/acme.toml:2:1: service 'audit' does not exist"
        " (no services/audit.toml)\n"
    )
