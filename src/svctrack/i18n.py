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
}


def word(key: str, lang: str) -> str:
    pair = _WORDS.get(key)
    if pair is None:
        return key
    return pair[1] if lang == "ru" else pair[0]


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
