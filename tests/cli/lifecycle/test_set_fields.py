"""`set`: its help lists the fields it takes (from the one field table), and a wrong stage in
`deadline.<stage>` names the stages there are."""

from __future__ import annotations

import pytest

from conftest import Workspace, cli


def test_set_help_lists_every_settable_field(monkeypatch: pytest.MonkeyPatch) -> None:
    from svctrack.domain import fields

    monkeypatch.setenv("COLUMNS", "200")
    out = cli("set", "--help").out
    for key in fields.SETTABLE:
        assert f" {key}: " in out, key
    assert " deadline.<stage>: " in out and " role.<department>: " in out
    assert "client: the client (engagements only)" in out
    assert "Example: svctrack set" in out


def test_set_help_follows_the_field_table(monkeypatch: pytest.MonkeyPatch) -> None:
    """The help is made from domain.fields.SETTABLE, not from a copy of it."""
    from svctrack.cli.commands import lifecycle
    from svctrack.domain import fields

    monkeypatch.setitem(fields.SETTABLE, "colour", ("a made-up field", False))
    assert "colour[/bold]: a made-up field" in lifecycle._set_help()


def test_a_deadline_of_an_unknown_stage_names_the_stages(firm: Workspace) -> None:
    before = firm.snapshot()
    result = firm.run("set", "acme", "deadline.foo", "2026-12-01")
    assert result.code == 2
    assert result.err == (
        "error: no stage 'foo' in the pipeline of an engagement;"
        " stages: preparation, execution, control, completion\n"
    )
    result = firm.run("set", "audit", "deadline.tsting", "2026-12-01")
    assert result.code == 2
    assert "(did you mean testing?)" in result.err
    assert "stages: planning, development, testing, launch, delivery, monitoring" in result.err
    assert firm.snapshot() == before
