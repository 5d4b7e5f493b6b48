"""The catalogues of messages: every key in every language, with the same placeholders; and the
Russian forms are Russian."""

from __future__ import annotations

import re

import pytest

from svctrack.messages import LANGS, Either, Msg, Plural, catalogue, fields, msg, plural, say


def test_every_key_is_in_every_catalogue() -> None:
    keys = {lang: set(catalogue(lang).MESSAGES) for lang in LANGS}
    for lang in LANGS:
        assert keys[lang] == keys["en"], f"{lang}: {keys[lang] ^ keys['en']}"
    nouns = {lang: set(catalogue(lang).NOUNS) for lang in LANGS}
    assert nouns["ru"] == nouns["en"] - {"has", "is"}  # English verbs agree with a number too


def test_every_template_has_the_same_placeholders_in_every_language() -> None:
    english = catalogue("en").MESSAGES
    for lang in LANGS:
        for key, template in catalogue(lang).MESSAGES.items():
            assert fields(template) == fields(english[key]), f"{lang}: {key}"


def test_the_russian_catalogue_is_russian() -> None:
    """A Russian template with words holds Cyrillic (a copied English line is caught)."""
    same = {"of_item", "at_place", "first_problem", "with_meant"}
    for key, template in catalogue("ru").MESSAGES.items():
        words = re.sub(r"\{[^}]*\}|`[^`]*`|--[a-z-]+|svctrack|[A-Z_]{3,}", "", template)
        if key in same or not re.search(r"[A-Za-z]{3}", words):
            continue
        assert re.search("[а-яё]", words, re.I), f"{key}: {template!r}"


def test_a_message_is_its_english_text_and_says_itself_in_russian() -> None:
    said = msg("gates_open", state=Either("completion", "завершение"), items="final-meeting")
    assert isinstance(said, str) and isinstance(said, Msg)
    assert said == "completion has open gate items: final-meeting"
    assert said.render("ru") == "на этапе «завершение» не выполнено: final-meeting"
    nested = msg("of_item", id="acme", message=said)
    assert nested.render("ru") == "acme: на этапе «завершение» не выполнено: final-meeting"
    assert say("plain", "ru") == "plain"


def test_an_unknown_key_fails_where_it_is_made() -> None:
    with pytest.raises(KeyError):
        msg("no-such-key")


@pytest.mark.parametrize(
    ("number", "expected"),
    [
        (1, "1 заказ"),
        (2, "2 заказа"),
        (4, "4 заказа"),
        (5, "5 заказов"),
        (11, "11 заказов"),
        (12, "12 заказов"),
        (14, "14 заказов"),
        (21, "21 заказ"),
        (22, "22 заказа"),
        (25, "25 заказов"),
        (111, "111 заказов"),
    ],
)
def test_russian_plurals(number: int, expected: str) -> None:
    assert plural(number, "engagement", "ru") == expected
    assert Plural(number, "engagement").render("ru") == expected


def test_english_plurals() -> None:
    assert plural(1, "engagement", "en") == "1 engagement"
    assert plural(3, "service", "en") == "3 services"
