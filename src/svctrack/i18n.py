"""Labels of the interface in English and Russian; ids, JSON and files never change with them."""

from __future__ import annotations

import os
from datetime import date
from decimal import Decimal

LANGS = ("en", "ru")

_WORDS: dict[str, tuple[str, str]] = {
    "id": ("ID", "ID"),
    "name": ("Name", "Название"),
    "client": ("Client", "Клиент"),
    "service": ("Service", "Услуга"),
    "services": ("Services", "Услуги"),
    "engagements": ("Engagements", "Оказания"),
    "stage": ("Stage", "Этап"),
    "progress": ("Progress", "Ход"),
    "due": ("Due", "Срок"),
    "start": ("Start", "Начало"),
    "days_left": ("Days left", "Осталось дн."),
    "next_deadline": ("Next deadline", "Ближайший срок"),
    "owner": ("Owner", "Ответственный"),
    "mode": ("Mode", "Формат"),
    "price": ("Price", "Цена"),
    "contract": ("Contract", "Договор"),
    "roles": ("Roles", "Роли"),
    "gates": ("Gate items", "Условия выхода"),
    "principles": ("Principles", "Принципы"),
    "history": ("History", "История"),
    "notes": ("Notes", "Заметки"),
    "feedback": ("Feedback", "Отзывы"),
    "deadlines": ("Deadlines", "Сроки"),
    "what": ("What", "Что"),
    "date": ("Date", "Дата"),
    "kind": ("Kind", "Вид"),
    "item": ("Item", "Пункт"),
    "note": ("Note", "Примечание"),
    "open": ("open", "открыто"),
    "overdue": ("overdue", "просрочено"),
    "today": ("today", "сегодня"),
    "forced": ("forced", "принудительно"),
    "skipped": ("skipped", "пропущено"),
    "pipeline": ("Pipeline", "Этапы"),
    "score": ("Score", "Оценка"),
    "comment": ("Comment", "Комментарий"),
    "channel": ("Channel", "Канал"),
    "by": ("By", "Кто"),
    "at": ("When", "Когда"),
    "none": ("none", "нет"),
    "created": ("created", "создано"),
    "honoured": ("honoured", "соблюдён"),
    "not_honoured": ("not honoured", "не соблюдён"),
    "not_assessed": ("not assessed", "не оценён"),
    "done": ("done", "выполнено"),
    "engagement_count": ("Engagements", "Оказаний"),
    "coverage": ("Principles", "Принципы"),
    "speed": ("speed", "скорость"),
    "accuracy": ("accuracy", "точность"),
    "availability": ("availability", "доступность"),
    "courtesy": ("courtesy", "вежливость"),
    "where": ("Where", "Где"),
    "problem": ("Problem", "Проблема"),
    "error": ("error", "ошибка"),
    "warning": ("warning", "предупреждение"),
    "by_stage": ("By stage", "По этапам"),
    "no_deadlines": ("No dated obligations.", "Сроков нет."),
    "legend_gates": ("✓ done  ○ open", "✓ выполнено  ○ не выполнено"),
    "legend_principles": (
        "✓ honoured  ✗ not honoured  · not assessed",
        "✓ соблюдён  ✗ не соблюдён  · не оценён",
    ),
    "neglected": ("most neglected", "чаще всего упускается"),
    "more": ("… and {n} more: {command}", "… и ещё {n}: {command}"),
    "nothing_open": (
        "Nothing open. Start with: svctrack engagement new --service ID --client NAME --due DATE",
        "Открытых нет. Начните с: svctrack engagement new --service ID --client ИМЯ --due ДАТА",
    ),
}


def word(key: str, lang: str) -> str:
    pair = _WORDS.get(key)
    if pair is None:
        return key
    return pair[1] if lang == "ru" else pair[0]


def days(count: int, lang: str) -> str:
    """A number of days, short: `5d`, `5 дн.`."""
    return f"{count} дн." if lang == "ru" else f"{count}d"


def days_overdue(count: int, lang: str) -> str:
    """`6d overdue`, `просрочка 6 дн.`."""
    return f"просрочка {count} дн." if lang == "ru" else f"{count}d overdue"


_NOUNS: dict[str, tuple[str, str, str, str]] = {
    # English singular, Russian forms for 1, 2–4 and 5 (21 оказание, 22 оказания, 25 оказаний)
    "engagement": ("engagement", "оказание", "оказания", "оказаний"),
    "service": ("service", "услуга", "услуги", "услуг"),
    "error": ("error", "ошибка", "ошибки", "ошибок"),
    "warning": ("warning", "предупреждение", "предупреждения", "предупреждений"),
}


def count(number: int, noun: str, lang: str) -> str:
    """`number` with the noun in the right form: `1 service`, `3 services`, `5 услуг`."""
    en, one, few, many = _NOUNS[noun]
    if lang != "ru":
        return f"{number} {en}" + ("" if number == 1 else "s")
    if number % 10 == 1 and number % 100 != 11:
        return f"{number} {one}"
    if 2 <= number % 10 <= 4 and not 12 <= number % 100 <= 14:
        return f"{number} {few}"
    return f"{number} {many}"


def counts_line(engagements: int, services: int, overdue: int, soon: int, lang: str) -> str:
    """The dashboard's summary line."""
    opened = f"{count(engagements, 'engagement', lang)}, {count(services, 'service', lang)}"
    if lang == "ru":
        return f"Открыто: {opened} · просрочено: {overdue} · срок в ближайшие 7 дней: {soon}"
    return f"Open: {opened} · overdue: {overdue} · due within 7 days: {soon}"


def pick_lang(flag: str | None, workspace: str | None, user: str | None) -> str:
    """--lang, the workspace's lang, the user config, the locale, then English."""
    for choice in (flag, workspace, user):
        if choice in LANGS:
            return choice
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(var, "")
        if value:
            return "ru" if value.lower().startswith("ru") else "en"
    return "en"


_SYMBOLS = {"RUB": "₽", "EUR": "€", "USD": "$", "GBP": "£"}


def money(amount: Decimal, currency: str, lang: str) -> str:
    """`450 000 ₽` in Russian, `450,000 RUB` in English; cents only when there are any."""
    places = 0 if amount == amount.to_integral_value() else 2
    text = f"{amount:,.{places}f}"
    if lang == "ru":
        text = text.replace(",", "\u00a0").replace(".", ",")
        return f"{text}\u00a0{_SYMBOLS.get(currency, currency)}".strip()
    return f"{text} {currency}".strip()


def day(value: date | None, lang: str) -> str:
    """`2026-12-15` in English (ISO), `15.12.2026` in Russian."""
    if value is None:
        return "—"
    return value.strftime("%d.%m.%Y") if lang == "ru" else value.isoformat()
