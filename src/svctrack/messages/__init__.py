"""The interface's sentences in every language: one catalogue per language (`en.py`, `ru.py`),
key → template. A message is made where the rule is (`msg("key", **params)`) and rendered in the
user's language where it is shown (the CLI's boundary, the commands' confirmations).

A `Msg` is a `str` holding its English text, so code below the CLI passes it on, compares it and
writes it to JSON as before; the key and the parameters ride along for the other languages. A
parameter that is itself a `Msg`, an `Either` or a `Plural` is rendered in the same language.
"""

from __future__ import annotations

import os
from decimal import Decimal
from importlib import import_module
from types import ModuleType
from typing import Any

LANGS = ("en", "ru")


def catalogue(lang: str) -> ModuleType:
    """The module of one language: `MESSAGES` (key → template) and `NOUNS` (plural forms)."""
    return import_module(f"svctrack.messages.{lang if lang in LANGS else 'en'}")


def pick_lang(
    flag: str | None, env: str | None = None, user: str | None = None, workspace: str | None = None
) -> str:
    """The user's language, first match wins: --lang, SVCTRACK_LANG, the user config's `lang`
    (one person's preference), the workspace's `lang` (the team's default), the locale
    (LC_ALL, LC_MESSAGES, LANG: for a run outside any workspace), then English."""
    for choice in (flag, env, user, workspace):
        if choice in LANGS:
            return choice
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(var, "")
        if value:
            return "ru" if value.lower().startswith("ru") else "en"
    return "en"


def fields(template: str) -> set[str]:
    """The placeholders of a template: `{id}: {source} → {target}` → {id, source, target}."""
    from string import Formatter  # (the catalogues' tests ask; a run never does: 1 ms)

    parsed = Formatter().parse(template)
    return {name.split(".")[0].split("[")[0] for _, name, _, _ in parsed if name}


def form(number: Decimal | int | str, noun: str, lang: str) -> str:
    """The form of `noun` that agrees with `number` (as it is shown: `1`, `0.33`, `2,5`):
    `1 day`, `3 days`, `0.5 days`; `1 день`, `3 дня`, `5 дней`, `2,5 дня`. The one plural rule
    of svctrack: English 1 / other, Russian 1 / 2–4 / 5+ (11–14 apart), the forms in each
    catalogue's `NOUNS`. A noun no catalogue has takes English's rule in either language."""
    try:
        value: Decimal | None = Decimal(
            str(number).replace(",", ".").replace("\u00a0", "").replace(" ", "")
        )
    except ArithmeticError:
        value = None
    forms = catalogue(lang).NOUNS.get(noun) if lang == "ru" else None
    if forms is None:
        one, other = catalogue("en").NOUNS.get(noun) or (noun, noun + "s")
        return one if value == 1 else other
    one, few, many = forms
    if value is None or value != value.to_integral_value():
        return few  # a fraction takes the genitive singular: 2,5 дня
    whole = abs(int(value))
    if whole % 10 == 1 and whole % 100 != 11:
        return one
    if 2 <= whole % 10 <= 4 and not 12 <= whole % 100 <= 14:
        return few
    return many


def plural(number: Decimal | int, noun: str, lang: str) -> str:
    """`number` with the noun in the right form: `1 service`, `3 services`, `5 услуг`."""
    return f"{number} {form(number, noun, lang)}"


class Either:
    """A word given in each language at the raise site (a stage's id and its Russian label)."""

    def __init__(self, en: str, ru: str) -> None:
        self.en, self.ru = en, ru

    def render(self, lang: str) -> str:
        return self.ru if lang == "ru" and self.ru else self.en

    def __str__(self) -> str:
        return self.en

    def __reduce__(self) -> tuple[Any, ...]:
        return (Either, (self.en, self.ru))


class Plural:
    """A count with its noun, in the form the language needs (`3 заказа`, `5 заказов`)."""

    def __init__(self, number: int, noun: str) -> None:
        self.number, self.noun = number, noun

    def render(self, lang: str) -> str:
        return plural(self.number, self.noun, lang)

    def __str__(self) -> str:
        return self.render("en")

    def __reduce__(self) -> tuple[Any, ...]:
        return (Plural, (self.number, self.noun))


def _value(value: Any, lang: str) -> Any:
    return value.render(lang) if hasattr(value, "render") else value


def render(key: str, params: dict[str, Any], lang: str) -> str:
    template = catalogue(lang).MESSAGES.get(key) or catalogue("en").MESSAGES[key]
    return template.format(**{name: _value(value, lang) for name, value in params.items()})


class Msg(str):
    """A message: its English text, with the key and parameters to say it in another language."""

    key: str
    params: dict[str, Any]

    def __new__(cls, key: str, /, **params: Any) -> Msg:
        self = super().__new__(cls, render(key, params, "en"))
        self.key = key
        self.params = params
        return self

    def render(self, lang: str) -> str:
        return render(self.key, self.params, lang)

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild, (self.key, self.params))


def _rebuild(key: str, params: dict[str, Any]) -> Msg:
    return Msg(key, **params)


def known(key: str) -> bool:
    """Whether the catalogue has `key` (for words chosen from data: a field's name)."""
    return key in catalogue("en").MESSAGES


def msg(key: str, /, **params: Any) -> Msg:
    """The message `key` with its parameters; a key missing from the English catalogue is a bug
    and fails at once."""
    return Msg(key, **params)


def say(text: str, lang: str) -> str:
    """Any text in `lang`: a `Msg` rendered, plain text as it is."""
    return text.render(lang) if isinstance(text, Msg) else text
