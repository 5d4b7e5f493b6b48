"""Three versions of an item file merged as text (storage.tomlmerge): ours' bytes kept, theirs'
changes and comments carried over, a clash marked around its own lines alone."""

from __future__ import annotations

import pytest

from svctrack.domain.model import item_from_data
from svctrack.storage.tomlmerge import Unmergeable, merge_texts
from svctrack.tomlparse import tomllib

BASE = """\
# Kaskad's audit; the contract is in the shared drive
name = "IT audit — Kaskad"
service = "audit"
client = "Kaskad"
stage = "preparation"
start = 2026-11-02
due   = 2026-12-15        # agreed on the phone
my-key = "kept"

[deadlines]

[gates]

[gates.preparation]
terms-agreed = true

[principles]

[[history]]
to = "preparation"
at = 2026-11-02T10:00:00+03:00
by = "Olga"
note = "created"
"""

NOTE = """
[[notes]]
at = {at}
channel = "email"
by = "{by}"
text = "{text}"
"""


def note(at: str, by: str, text: str) -> str:
    return NOTE.format(at=at, by=by, text=text)


def ok(text: str) -> None:
    data = tomllib.loads(text)
    assert not [p for p in item_from_data("engagement", "kaskad", data)[1] if p.severity == "error"]


def test_notes_added_on_both_sides_are_all_kept_in_time_order() -> None:
    ours = BASE + note("2026-11-26T12:00:00+03:00", "anna", "ours")
    theirs = (
        BASE
        + note("2026-11-26T11:00:00+03:00", "igor", "theirs")
        + note("2026-11-26T13:00:00+03:00", "igor", "theirs later")
    )
    merged = merge_texts(BASE, ours, theirs)
    assert merged.clashes == []
    texts = [n["text"] for n in tomllib.loads(merged.text)["notes"]]
    assert texts == ["theirs", "ours", "theirs later"]
    assert merged.text.startswith(BASE)  # ours' lines, byte for byte, spacing and comments
    assert "\n\n\n" not in merged.text and merged.text.endswith('"theirs later"\n')
    ok(merged.text)


def test_each_side_keeps_its_one_sided_changes_and_its_comments() -> None:
    ours = BASE.replace("terms-agreed = true\n", "terms-agreed = true\nresources-assigned = true\n")
    ours = ours.replace("# Kaskad's audit", "# Kaskad's audit (ours' remark)")
    ours += note("2026-11-26T12:00:00+03:00", "anna", "ours")
    theirs = BASE.replace('client = "Kaskad"', 'client = "Kaskad"\ncontract = "D-47"  # signed')
    theirs = theirs.replace(
        "[principles]\n", "[principles]\n# assessed at kick-off\ncommunication = true\n"
    )
    theirs = theirs.replace('my-key = "kept"', 'my-key = "kept"  # theirs\' remark')
    theirs += "\n[their-table]\nanswer = 42\n"
    merged = merge_texts(BASE, ours, theirs)
    assert merged.clashes == []
    text = merged.text
    for line in (
        "# Kaskad's audit (ours' remark); the contract is in the shared drive",
        "resources-assigned = true",
        'contract = "D-47"  # signed',
        "# assessed at kick-off",
        "communication = true",
        'my-key = "kept"  # theirs\' remark',
        "[their-table]",
        "due   = 2026-12-15        # agreed on the phone",
    ):
        assert line in text.splitlines(), line
    data = tomllib.loads(text)
    assert data["their-table"] == {"answer": 42} and data["notes"][0]["text"] == "ours"
    assert "answer = 42\n\n[[notes]]" in text  # a blank line before the next table
    ok(text)


def test_a_key_both_changed_gets_markers_around_its_line_alone() -> None:
    ours = BASE.replace("due   = 2026-12-15        # agreed on the phone", "due   = 2026-12-18")
    ours += note("2026-11-26T12:00:00+03:00", "anna", "ours")
    theirs = BASE.replace("due   = 2026-12-15        # agreed on the phone", "due = 2026-12-20")
    theirs = theirs.replace('stage = "preparation"', 'stage = "preparation"\nowner = "igor"')
    merged = merge_texts(BASE, ours, theirs)
    assert merged.clashes == ["due"]
    lines = merged.text.splitlines()
    at = lines.index("<<<<<<< ours")
    assert lines[at : at + 5] == [
        "<<<<<<< ours",
        "due   = 2026-12-18",
        "=======",
        "due   = 2026-12-20",
        ">>>>>>> theirs",
    ]
    assert merged.text.count("<<<<<<<") == 1 and 'owner = "igor"' in lines
    resolved = "\n".join(lines[:at] + lines[at + 1 : at + 2] + lines[at + 5 :]) + "\n"
    ok(resolved)
    assert tomllib.loads(resolved)["notes"][0]["text"] == "ours"


def test_a_clash_inside_an_inline_table_marks_the_whole_line() -> None:
    base = BASE.replace("terms-agreed = true", 'terms-agreed = {done = true, note = "a"}')
    ours = base.replace('note = "a"', 'note = "b"')
    theirs = base.replace('note = "a"', 'note = "c"')
    merged = merge_texts(base, ours, theirs)
    assert merged.clashes == ["gates.preparation.terms-agreed"]
    assert '\nterms-agreed = {done = true, note = "b"}\n=======\n' in merged.text


def test_removed_on_one_side_changed_on_the_other_shows_an_empty_side() -> None:
    base = BASE.replace('my-key = "kept"', 'my-key = "kept"\ncontract = "A"')
    ours = base.replace('contract = "A"\n', "")
    theirs = base.replace('contract = "A"', 'contract = "B"')
    merged = merge_texts(base, ours, theirs)
    assert merged.clashes == ["contract"]
    assert '<<<<<<< ours\n=======\ncontract = "B"\n>>>>>>> theirs\n' in merged.text


def test_a_stage_moved_differently_on_both_sides_is_a_clash_and_both_moves_are_kept() -> None:
    move = '\n[[history]]\nfrom = "preparation"\nto = "{to}"\nat = {at}\nby = "{by}"\n'
    ours = BASE.replace('stage = "preparation"', 'stage = "execution"')
    ours += move.format(to="execution", at="2026-11-26T10:00:00Z", by="anna")
    theirs = BASE.replace('stage = "preparation"', 'stage = "cancelled"')
    theirs += move.format(to="cancelled", at="2026-11-26T09:00:00Z", by="igor")
    merged = merge_texts(BASE, ours, theirs)
    assert merged.clashes == ["stage"]
    assert '<<<<<<< ours\nstage = "execution"\n=======\nstage = "cancelled"\n' in merged.text
    history = merged.text.split("[[history]]")
    assert len(history) == 4 and "cancelled" in history[2] and "execution" in history[3]


def test_crlf_files_stay_crlf() -> None:
    base = BASE.replace("\n", "\r\n")
    ours = base + note("2026-11-26T12:00:00+03:00", "anna", "ours").replace("\n", "\r\n")
    theirs = base.replace("due   = 2026-12-15", "due   = 2026-12-20") + note(
        "2026-11-26T13:00:00+03:00", "igor", "theirs"
    ).replace("\n", "\r\n")
    merged = merge_texts(base, ours, theirs)
    assert merged.clashes == []
    assert "\n" not in merged.text.replace("\r\n", "")
    assert [n["text"] for n in tomllib.loads(merged.text)["notes"]] == ["ours", "theirs"]


def test_dotted_gate_ticks_merge_in_their_style() -> None:
    base = BASE.replace("[gates]\n\n[gates.preparation]\nterms-agreed = true\n", "")
    base = base.replace('my-key = "kept"', 'my-key = "kept"\ngates.preparation.terms-agreed = true')
    ours = base.replace(
        "gates.preparation.terms-agreed = true",
        "gates.preparation.terms-agreed = true\ngates.preparation.resources-assigned = true",
    )
    theirs = base.replace(
        "gates.preparation.terms-agreed = true",
        "gates.preparation.terms-agreed = true\ngates.preparation.interaction-agreed = true",
    )
    merged = merge_texts(base, ours, theirs)
    assert merged.clashes == []
    assert tomllib.loads(merged.text)["gates"]["preparation"] == {
        "terms-agreed": True,
        "resources-assigned": True,
        "interaction-agreed": True,
    }


def test_inline_arrays_of_tables_grow_too() -> None:
    base = 'links = [{at = 2026-11-01, url = "a"}]\n' + BASE
    ours = base.replace('url = "a"}]', 'url = "a"}, {at = 2026-11-03, url = "c"}]')
    theirs = base.replace('url = "a"}]', 'url = "a"}, {at = 2026-11-02, url = "b"}]')
    merged = merge_texts(base, ours, theirs)
    assert [x["url"] for x in tomllib.loads(merged.text)["links"]] == ["a", "b", "c"]


@pytest.mark.parametrize(
    ("ours", "theirs"),
    [
        (BASE + "broken = [", BASE),
        (BASE, BASE + "\n<<<<<<< HEAD\n"),
    ],
)
def test_what_does_not_parse_is_unmergeable(ours: str, theirs: str) -> None:
    with pytest.raises(Unmergeable):
        merge_texts(BASE, ours, theirs)


def test_a_whole_table_clash_is_unmergeable() -> None:
    ours = BASE.replace("[deadlines]\n", "[deadlines]\nexecution = 2026-12-01\n")
    theirs = BASE.replace("[deadlines]\n", "").replace('my-key = "kept"', 'deadlines = "soon"')
    with pytest.raises(Unmergeable):
        merge_texts(BASE, ours, theirs)
