"""Labels of the interface in English and Russian; ids, JSON and files never change with them."""

from __future__ import annotations

import os
import re
from datetime import date
from decimal import Decimal
from typing import Any

from svctrack.domain.fields import LANGS

_WORDS: dict[str, tuple[str, str]] = {
    "id": ("ID", "ID"),
    "name": ("Name", "Название"),
    "client": ("Client", "Клиент"),
    "service": ("Service", "Услуга"),
    "services": ("Services", "Услуги"),
    "engagements": ("Engagements", "Заказы"),
    "stage": ("Stage", "Этап"),
    "progress": ("Progress", "Готовность"),
    "due": ("Due", "Срок"),
    "start": ("Start", "Начало"),
    "days_left": ("Days left", "Осталось дн."),
    "next_deadline": ("Next deadline", "Ближайший срок"),
    "owner": ("Owner", "Ответственный"),
    "no_owner": ("(no owner)", "(без ответственного)"),
    "mode": ("Mode", "Формат"),
    "price": ("Price", "Цена"),
    "contract": ("Contract", "Договор"),
    "roles": ("Roles", "Роли"),
    "gates": ("Gate items", "Чек-лист этапа"),
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
    "mode_online": ("online", "онлайн"),
    "mode_offline": ("offline", "офлайн"),
    "mode_hybrid": ("hybrid", "гибридный"),
    "channel_email": ("email", "эл. почта"),
    "channel_call": ("call", "звонок"),
    "channel_meeting": ("meeting", "встреча"),
    "channel_chat": ("chat", "чат"),
    "channel_other": ("other", "другое"),
    "role_marketing": ("marketing", "маркетинг"),
    "role_development": ("development", "разработка"),
    "role_production": ("production", "производство"),
    "role_sales": ("sales", "продажи"),
    "role_support": ("support", "поддержка"),
    "role_finance": ("finance", "финансы"),
    "role_legal": ("legal", "юридический отдел"),
    "role_delivery": ("delivery", "оказание услуг"),
    "role_quality": ("quality", "качество"),
    "role_hr": ("hr", "кадры"),
    "undo_title": ("Changes undo can put back", "Изменения, которые может отменить undo"),
    "undo_at": ("at", "когда"),
    "undo_command": ("command", "команда"),
    "undo_files": ("files", "файлы"),
    "find_kind": ("kind", "вид"),
    "find_where": ("where", "где"),
    "find_text": ("text", "текст"),
    "story_when": ("when", "когда"),
    "story_who": ("who", "кто"),
    "story_what": ("what", "что"),
    "story_commit": ("commit", "коммит"),
    "honoured": ("honoured", "соблюдён"),
    "not_honoured": ("not honoured", "не соблюдён"),
    "not_assessed": ("not assessed", "не оценён"),
    "not_assessed_n": ("{n} not assessed", "не оценено: {n}"),
    "done": ("done", "выполнено"),
    "engagement_count": ("Engagements", "Заказов"),
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
    "board": ("Board", "Доска"),
    "board_legend": (
        "! overdue · ○n gate items open · ✓ gate items done",
        "! просрочено · ○n пунктов чек-листа не выполнено · ✓ чек-лист этапа выполнен",
    ),
    "due_on": ("due {date}", "срок {date}"),
    "more_short": ("… and {n} more", "… и ещё {n}"),
    "more_hint": ("{command} lists every item of a stage", "{command}: все на этапе"),
    "stage_deadline_short": ("stage deadline", "срок этапа"),
    "dashboard": ("Dashboard", "Сводка"),
    "status": ("Status", "Состояние"),
    "attention": (
        "Needs attention: overdue or due within 7 days",
        "Требует внимания: просрочено или срок в ближайшие 7 дней",
    ),
    "nothing_urgent": ("Nothing is overdue or due within 7 days.", "Ничего не просрочено."),
    "on_board_more": ("… and {n} more on the board", "… и ещё {n} на доске"),
    "archive": ("Closed and cancelled", "Закрытые и отменённые"),
    "generated": ("Made by svctrack on {date}.", "Сформировано svctrack {date}."),
    "board_legend_html": (
        "Each column is a stage; cards are ordered as status orders them: overdue first, then "
        "the soonest deadline.",
        "Каждая колонка — этап; карточки упорядочены как в status: сначала просроченные, затем "
        "по ближайшему сроку.",
    ),
    "gates_open": ("{n} of {of} gate items open", "не выполнено {n} из {of}"),
    "key_figures": ("Key figures", "Основные показатели"),
    "on_time_by_service": ("On time, by service", "В срок, по услугам"),
    "fields": ("Fields", "Поля"),
    "met": ("met", "выполнен"),
    "time_log": ("Time spent", "Трудозатраты"),
    "elsewhere": (
        "Open at a stage the pipeline does not have (see svctrack validate): {ids}",
        "Открыты на этапе, которого нет в цепочке (см. svctrack validate): {ids}",
    ),
    "nothing_open": (
        "Nothing open. Start with: svctrack engagement new --service ID --client NAME --due DATE",
        "Открытых нет. Начните с: svctrack engagement new --service ID --client ИМЯ --due ДАТА",
    ),
}


# --- analysis: report, timeline, client report, calendar (src/svctrack/analysis.py & co) ----
_WORDS.update(
    {
        "report": ("Monitoring report", "Отчёт о результатах"),
        "period": ("Period", "Период"),
        "all_time": ("all time", "за всё время"),
        "closed_in_period": ("engagements closed", "закрыто заказов"),
        "no_closed": (
            "No closed engagements in this period.",
            "В этом периоде нет закрытых заказов.",
        ),
        "undated_closed": (
            "Left out, closed without a dated transition: {ids}",
            "Не учтены (закрыты без даты перехода): {ids}",
        ),
        "overall": ("All services", "Все услуги"),
        "closed": ("Closed", "Закрыто"),
        "on_time": ("On time", "В срок"),
        "late_mean": ("Avg late", "Опозд. ср."),
        "late_max": ("Max late", "Опозд. макс."),
        "rework_rate": ("Rework", "Доработки"),
        "reworks_mean": ("Reworks avg", "Доработок ср."),
        "stage_days": ("Days in each stage", "Дней на каждом этапе"),
        "mean": ("Mean", "Среднее"),
        "median": ("Median", "Медиана"),
        "engagements_n": ("Eng.", "Заказы"),
        "slowest": ("slowest", "самый долгий"),
        "satisfaction": ("Client satisfaction", "Удовлетворённость клиентов"),
        "overall_score": ("overall", "в целом"),
        "weakest": ("weakest", "слабее всего"),
        "principle_coverage": ("Principles honoured", "Соблюдение принципов"),
        "least_honoured": ("least honoured", "реже всего"),
        "money": ("Revenue and effort", "Выручка и трудозатраты"),
        "revenue": ("Revenue", "Выручка"),
        "hours": ("Hours", "Часы"),
        "budget": ("Budget", "Бюджет"),
        "over_budget": ("Over budget", "Сверх бюджета"),
        "rate": ("Rate", "Ставка"),
        "per_hour": ("/h", "/ч"),
        "h": ("h", "ч"),
        "effort_line": ("{hours} h of {budget} h ({burn})", "{hours} ч из {budget} ч ({burn})"),
        "effort_spent": ("{hours} h", "{hours} ч"),
        "weak_spots": ("Weak spots", "Слабые места"),
        "no_weak_spots": ("No weak spots found.", "Слабых мест не найдено."),
        "finding_late": (
            "{late} of {count} engagements closed late ({rate} on time); late by {mean_days} "
            "days on average, {max_days} at worst.",
            "С опозданием закрыто {late} из {count} (в срок — {rate}); опоздание в среднем "
            "{mean_days} дн., наибольшее — {max_days} дн.",
        ),
        "finding_slow_stage": (
            "{subject} takes {mean_days} days on average, {ratio}× any other stage.",
            "Этап «{subject}» длится в среднем {mean_days} дн., в {ratio} раза дольше "
            "любого другого.",
        ),
        "finding_rework": (
            "{with} of {count} engagements needed rework ({rate}), {mean} reworks per engagement.",
            "Доработка понадобилась в {with} из {count} ({rate}); доработок на заказ: {mean}.",
        ),
        "finding_low_score": (
            "Mean client satisfaction is {score} of 5 (engagements with feedback: {count}).",
            "Средняя оценка клиентов — {score} из 5 (заказов с отзывом: {count}).",
        ),
        "finding_weak_dimension": (
            "Clients rate {subject} lowest: {mean} of 5 (overall score {score}).",
            "Ниже всего клиенты оценивают {subject}: {mean} из 5 (общая оценка {score}).",
        ),
        "finding_no_feedback": (
            "{without} of {count} closed engagements have no client feedback recorded.",
            "Закрыто без отзыва клиента: {without} из {count}.",
        ),
        "finding_principle": (
            "“{subject}” is honoured in only {honoured} of {count} engagements ({rate}).",
            "Принцип «{subject}» соблюдён лишь в {honoured} из {count} ({rate}).",
        ),
        "finding_over_budget": (
            "{over} of {with_budget} engagements with a budget went over it, by {hours} h in all.",
            "Бюджет часов превышен в {over} из {with_budget} (всего на {hours} ч).",
        ),
        "finding_service_late": (
            "{subject}: {on_time} of {count} on time ({rate}), against {overall} overall.",
            "{subject}: в срок {on_time} из {count} ({rate}) при {overall} в целом.",
        ),
        "finding_service_rate": (
            "{subject} earns {rate} an hour, against {best_rate} for {best}.",
            "{subject} приносит {rate} в час, а {best} — {best_rate}.",
        ),
        "timeline": ("Timeline", "График"),
        "no_open_engagements": ("No open engagements.", "Открытых заказов нет."),
        "no_dates": ("no dates", "без дат"),
        "legend_today": ("│ today", "│ сегодня"),
        "legend_overdue": ("▒ overdue", "▒ просрочено"),
        "legend_clipped": ("◀ ▶ goes on beyond the chart", "◀ ▶ за пределами графика"),
        "status_report": ("Status report", "Отчёт о состоянии работ"),
        "prepared_on": ("Prepared on", "Дата отчёта"),
        "stage_progress": ("Stage and progress", "Этап и готовность"),
        "dates_deadlines": ("Dates and deadlines", "Сроки"),
        "what_happened": ("What happened", "Что сделано"),
        "next_steps": ("Next steps", "Следующие шаги"),
        "internal": ("Internal", "Для внутреннего пользования"),
        "internal_mark": ("Internal: not for the client", "Внутренний документ: не для клиента"),
        "stage_deadline": ("{stage} deadline", "Срок этапа «{stage}»"),
        "event_created": ("Engagement opened", "Работа открыта"),
        "event_advance": (
            "{source} completed; {to} started",
            "Этап «{source}» завершён, начат этап «{to}»",
        ),
        "event_rework": (
            "Back from {source} to {to} for corrections",
            "Возврат с этапа «{source}» на этап «{to}» для доработки",
        ),
        "event_closed": ("Work completed; engagement closed", "Работа завершена и закрыта"),
        "event_cancelled": ("Engagement cancelled", "Работа отменена"),
        "event_moved": ("Moved to {to}", "Переход на этап «{to}»"),
        "then_stage": ("Then: {stage}", "Далее: {stage}"),
        "nothing_pending": ("Nothing is pending at this stage.", "На этом этапе всё выполнено."),
        "completed_on": ("Completed on {date}.", "Работа завершена {date}."),
        "cancelled_on": ("Cancelled on {date}.", "Работа отменена {date}."),
        "days_left_n": ("{n} days left", "осталось {n} дн."),
        "due_today": ("due today", "срок сегодня"),
        "burn": ("Budget used", "Израсходовано"),
        "deadline_event": ("{stage} deadline: {name}", "Срок этапа «{stage}»: {name}"),
        "due_event": ("Due: {name}", "Срок: {name}"),
    }
)


def term(kind: str, value: str, lang: str) -> str:
    """A mode, a channel or a department in `lang` (`online` → `онлайн`); a value of the
    workspace's own is shown as it is."""
    pair = _WORDS.get(f"{kind}_{value}")
    return (pair[1] if lang == "ru" else pair[0]) if pair else value


def history_note(entry: Any, lang: str) -> str:
    """A history entry's note as shown: the creation entry's `created` (what the file keeps,
    in every language) in `lang`; any other note as written."""
    return word("created", lang) if entry.note == "created" and not entry.source else entry.note


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


def count(number: int, noun: str, lang: str) -> str:
    """`number` with the noun in the right form: `1 service`, `3 services`, `5 услуг`, `3 заказа`
    (the forms and the rule are the catalogues', `svctrack.messages.plural`)."""
    from svctrack.messages import plural

    return plural(number, noun, lang)


def counts_line(engagements: int, services: int, overdue: int, soon: int, lang: str) -> str:
    """The dashboard's summary line."""
    opened = f"{count(engagements, 'engagement', lang)}, {count(services, 'service', lang)}"
    if lang == "ru":
        return f"Открыто: {opened} · просрочено: {overdue} · срок в ближайшие 7 дней: {soon}"
    return f"Open: {opened} · overdue: {overdue} · due within 7 days: {soon}"


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


_SYMBOLS = {"RUB": "₽", "EUR": "€", "USD": "$", "GBP": "£"}


def money(amount: Decimal, currency: str, lang: str) -> str:
    """`450 000 ₽` in Russian, `450,000 RUB` in English; cents only when there are any."""
    places = 0 if amount == amount.to_integral_value() else 2
    text = f"{amount:,.{places}f}"
    if lang == "ru":
        text = text.replace(",", "\u00a0").replace(".", ",")
        return f"{text}\u00a0{_SYMBOLS.get(currency, currency)}".strip()
    return f"{text} {currency}".strip()


def initials(name: str) -> str:
    """A person's initials for a card: `Olga Sokolova` → `OS`, `james.oconnor` → `JO`,
    `Ольга` → `Ол`; empty for nobody."""
    parts = [p for p in re.split(r"[\W_]+", name) if p]
    if not parts:
        return ""
    if len(parts) == 1:
        return parts[0][:2].capitalize()
    return (parts[0][0] + parts[-1][0]).upper()


_MONTHS = {
    "en": ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"],
    "ru": ["янв", "фев", "мар", "апр", "май", "июн", "июл", "авг", "сен", "окт", "ноя", "дек"],
}


def month(number: int, lang: str) -> str:
    """A month's short name: `Dec`, `дек`."""
    return _MONTHS.get(lang, _MONTHS["en"])[number - 1]


def day(value: date | None, lang: str) -> str:
    """`2026-12-15` in English (ISO), `15.12.2026` in Russian."""
    if value is None:
        return "—"
    return value.strftime("%d.%m.%Y") if lang == "ru" else value.isoformat()
