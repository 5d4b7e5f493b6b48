"""`find TEXT`, and what an unknown id suggests."""

from __future__ import annotations

from conftest import Workspace


def romashka(ws: Workspace) -> Workspace:
    ws.ok("service", "new", "audit-it", "--name", "Аудит ИТ-инфраструктуры")
    ws.ok(
        "engagement", "new", "audit-it-infrastruktury-ooo-romashka",
        "--service", "audit-it", "--client", "ООО «Ромашка»", "--due", "2026-12-15",
        "--contract", "Д-2026/031",
    )  # fmt: skip
    ws.ok("note", "audit-it-i", "Kick-off with the IT director", "--channel", "meeting")
    return ws


def test_find_is_case_insensitive_in_any_alphabet(ws: Workspace) -> None:
    romashka(ws)
    found = ws.ok("find", "ромашка", "--json").json()
    assert [(m["id"], m["field"]) for m in found] == [
        ("audit-it-infrastruktury-ooo-romashka", "name"),
        ("audit-it-infrastruktury-ooo-romashka", "client"),
    ]
    assert {"kind": "engagement", "field": "client", "text": "ООО «Ромашка»"}.items() <= next(
        m for m in found if m["field"] == "client"
    ).items()
    assert ws.ok("find", "РОМАШКА", "--json").json() == found


def test_find_looks_in_ids_contracts_notes_and_history(ws: Workspace) -> None:
    romashka(ws)
    ws.ok("cancel", "audit-it-i", "--note", "Budget frozen until spring")
    fields = lambda text: {m["field"] for m in ws.ok("find", text, "--json").json()}  # noqa: E731
    assert fields("infrastruktury") == {"id"}
    assert fields("д-2026") == {"contract"}
    assert fields("KICK-OFF") == {"notes"}
    assert fields("spring") == {"history"}
    assert ws.ok("find", "nothing like it", "--json").json() == []
    empty = ws.ok("find", "nothing like it")
    assert empty.out == "" and "no item holds 'nothing like it'" in empty.err


def test_find_shows_a_table_of_where_it_matched(ws: Workspace) -> None:
    romashka(ws)
    out = ws.ok("find", "Ромашка").out
    assert "where" in out and "client" in out and "ООО «Ромашка»" in out
    assert all(len(line) <= 120 for line in out.splitlines())


def test_an_unknown_id_suggests_items_whose_name_or_client_match(ws: Workspace) -> None:
    romashka(ws)
    refused = ws.run("show", "romashka")
    assert refused.code == 1
    assert "did you mean audit-it-infrastruktury-ooo-romashka?" in refused.err
    assert "did you mean audit-it-infrastruktury-ooo-romashka?" in ws.run("show", "Ромашка").err
    assert "did you mean" not in ws.run("show", "zzz").err
