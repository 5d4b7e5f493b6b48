"""Labels of the interface in English and Russian; ids, JSON and files never change with them."""

from __future__ import annotations

import re
import string
from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from svctrack.messages import form
from svctrack.messages import plural as messages_plural

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
    "gates_open": ("{n} of {of} {of@gate item} open", "не выполнено {n} из {of}"),
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
            "{late} of {count} {count@engagement} closed late ({rate} on time); late by "
            "{mean_days} {mean_days@day} on average, {max_days} at worst.",
            "С опозданием закрыто {late} из {count} (в срок — {rate}); опоздание в среднем "
            "{mean_days} дн., наибольшее — {max_days} дн.",
        ),
        "finding_slow_stage": (
            "{subject} takes {mean_days} {mean_days@day} on average, {ratio}× any other stage.",
            "Этап «{subject}» длится в среднем {mean_days} дн., в {ratio} раза дольше "
            "любого другого.",
        ),
        "finding_rework": (
            "{with} of {count} {count@engagement} needed rework ({rate}),"
            " {mean} {mean@rework} per engagement.",
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
            "{without} of {count} closed {count@engagement} {without@has} no client feedback"
            " recorded.",
            "Закрыто без отзыва клиента: {without} из {count}.",
        ),
        "finding_principle": (
            "“{subject}” is honoured in only {honoured} of {count} {count@engagement} ({rate}).",
            "Принцип «{subject}» соблюдён лишь в {honoured} из {count} ({rate}).",
        ),
        "finding_over_budget": (
            "{over} of {with_budget} {with_budget@engagement} with a budget went over it,"
            " by {hours} h in all.",
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
        "days_left_n": ("{n} {n@day} left", "осталось {n} дн."),
        "due_today": ("due today", "срок сегодня"),
        "burn": ("Budget used", "Израсходовано"),
        "deadline_event": ("{stage} deadline: {name}", "Срок этапа «{stage}»: {name}"),
        "due_event": ("Due: {name}", "Срок: {name}"),
    }
)

# --- the client's goal and needs, documents, principle groups, recurring engagements ---------
_WORDS.update(
    {
        "goal": ("Goal", "Цель"),
        "needs": ("Needs", "Потребности"),
        "every": ("Recurs", "Повторяется"),
        "pilot": ("Pilot", "Пилот"),
        "pilot_yes": (
            "yes: begun before the service reached delivery",
            "да: начато до того, как услуга дошла до оказания",
        ),
        "every_month": ("every month", "ежемесячно"),
        "every_quarter": ("every quarter", "ежеквартально"),
        "every_year": ("every year", "ежегодно"),
        "documents": ("Documents", "Документы"),
        "documents_all_signed": ("All documents are signed.", "Все документы подписаны."),
        "documents_unsigned": ("Not signed yet: {names}.", "Ещё не подписаны: {names}."),
        "doc_contract": ("Contract", "Договор"),
        "doc_act": ("Act of acceptance", "Акт приёмки"),
        "doc_invoice": ("Invoice", "Счёт"),
        "doc_report": ("Report", "Отчёт"),
        "doc_other": ("Other", "Другое"),
        "doc_draft": ("draft", "черновик"),
        "doc_sent": ("sent", "отправлен"),
        "doc_signed": ("signed", "подписан"),
        "principles_general": ("Principles of realization and delivery", "Общие принципы"),
        "principles_delivery": ("Principles of delivery", "Принципы оказания услуг"),
    }
)


# --- delivery modes, recommendations, hours (issue 14: items 5, 6, 9) ------------------------
_WORDS.update(
    {
        "no_mode": ("(no mode)", "(формат не указан)"),
        "by_mode": ("Online and offline", "Онлайн и офлайн"),
        "recommendation": ("Recommendation", "Рекомендация"),
        "advice_agree_deadlines": (
            "Agree the deadlines and the cost with the client in preparation, and set stage "
            "deadlines, so that a delay shows before the due date.",
            "Согласовывайте сроки и стоимость с клиентом на подготовке и ставьте сроки этапов, "
            "чтобы задержка была видна до срока сдачи.",
        ),
        "advice_stage_deadline": (
            "Give “{subject}” a deadline of its own and check its exit items early: it holds "
            "the work up.",
            "Поставьте этапу «{subject}» собственный срок и проверяйте его чек-лист "
            "заранее: он задерживает работу.",
        ),
        "advice_client_review": (
            "Add a client review at the end of execution, so that control finds fewer "
            "problems to correct.",
            "Добавьте проверку результата клиентом в конце выполнения, чтобы на контроле "
            "было меньше исправлений.",
        ),
        "advice_final_meeting": (
            "Discuss the results with each client in the final conversation and act on what "
            "they say.",
            "Обсуждайте результаты с каждым клиентом в окончательном разговоре и учитывайте "
            "сказанное.",
        ),
        "advice_ask_feedback": (
            "Ask every client for feedback when the work is completed, and record it "
            "(svctrack feedback ID --score N).",
            "Просите у каждого клиента обратную связь по завершении работ и записывайте её "
            "(svctrack feedback ID --score N).",
        ),
        "advice_principle_check": (
            "Assess “{subject}” on every engagement at control, and talk through each miss "
            "with the team.",
            "Оценивайте принцип «{subject}» в каждом заказе на контроле и разбирайте каждый "
            "промах с командой.",
        ),
        "advice_rebudget": (
            "Budget hours from what similar engagements took, and watch the burn as the work "
            "goes (svctrack report --hours).",
            "Планируйте бюджет часов по фактическим часам похожих работ и следите за его "
            "расходом по ходу (svctrack report --hours).",
        ),
        "advice_service_plan": (
            "Review the plan and the resources of {subject}: its deadlines slip more than "
            "the others'.",
            "Пересмотрите план и ресурсы услуги «{subject}»: её сроки срываются чаще других.",
        ),
        "advice_service_price": (
            "Review the price of {subject} or the hours it takes: it earns less an hour than "
            "{best}.",
            "Пересмотрите цену услуги «{subject}» или часы на неё: она приносит меньше в час, "
            "чем {best}.",
        ),
        "advice_plan_resources": (
            "Clients find the work slow: plan the resources and the deadlines in preparation, "
            "and tell the client early when something takes longer.",
            "Клиенты считают работу медленной: планируйте ресурсы и сроки на подготовке и "
            "заранее предупреждайте клиента о задержках.",
        ),
        "advice_agree_requirements": (
            "Agree the client's requirements and expectations at the start and check the "
            "result against them before handing it over.",
            "Согласуйте требования и ожидания клиента в начале и сверяйте с ними результат "
            "перед сдачей.",
        ),
        "advice_agree_interaction": (
            "Agree with each client how and when they can reach you, and keep them informed "
            "of the progress.",
            "Договоритесь с каждым клиентом, как и когда с вами связаться, и держите его в "
            "курсе хода работ.",
        ),
        "advice_train_staff": (
            "Train the staff in client communication: openness, understanding and clarity.",
            "Обучите персонал общению с клиентами: открытость, понимание и ясность.",
        ),
        "reported_on": ("Report saved", "Отчёт сохранён"),
        "figures_met": ("met by the figures", "выполнено по показателям"),
        "figure_on_time": (
            "on time {part} of {count} ({rate}), target {target}",
            "в срок {part} из {count} ({rate}), цель {target}",
        ),
        "figure_score": (
            "mean score {score} of 5 ({count} with feedback), target {target}",
            "средняя оценка {score} из 5 (с отзывом: {count}), цель {target}",
        ),
        "figure_none": (
            "no closed engagement to judge by",
            "нет закрытых заказов для оценки",
        ),
        "hours_report": ("Hours logged", "Учёт часов"),
        "entries": ("Entries", "Записей"),
        "items": ("Items", "Позиции"),
        "total": ("Total", "Итого"),
        "no_hours": ("No hours logged in this period.", "В этом периоде часов не записано."),
        "budget_burn": ("Budget burn of open engagements", "Расход бюджета часов (открытые)"),
        "no_budgets": (
            "No open engagement has a budget of hours.",
            "Ни у одного открытого заказа нет бюджета часов.",
        ),
        "over_budget_named": ("Over budget: {ids}", "Сверх бюджета: {ids}"),
        "no_client": ("(no client)", "(без клиента)"),
        "logged_by": ("Person", "Сотрудник"),
        # the labels of progress bars (`State.progress`)
        "progress_reading_files": ("reading files", "чтение файлов"),
        "progress_checking_files": ("checking files", "проверка файлов"),
        "progress_importing": ("importing", "импорт"),
        "progress_pages": ("pages", "страницы"),
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


def days_left_words(days_left: int | None, overdue: bool, lang: str) -> str:
    """What is left until a date, in words: `5d`, `today`, `6d overdue`, `—` for none."""
    if days_left is None:
        return "—"
    if overdue:
        return days_overdue(-days_left, lang)
    if days_left == 0:
        return word("today", lang)
    return days(days_left, lang)


# The one plural rule is the catalogues' (`svctrack.messages`): `plural` is the form of a noun
# that agrees with a number, `count` the number with it (`3 заказа`).
plural = form
count = messages_plural


class _Counting(string.Formatter):
    """`{n@noun}` in a label: the form of the noun that agrees with the value of `n`."""

    def __init__(self, lang: str) -> None:
        self.lang = lang

    def get_field(self, field_name: str, args: Sequence[Any], kwargs: Mapping[str, Any]) -> Any:
        key, at, noun = field_name.partition("@")
        if at:
            return form(kwargs[key], noun, self.lang), field_name
        return super().get_field(field_name, args, kwargs)


def fill(key: str, lang: str, **values: Any) -> str:
    """The label `key` in `lang` with `values` put in; `{n@noun}` agrees with `n`:
    `{n} {n@day} left` is `1 day left`, `3 days left`."""
    return _Counting(lang).format(word(key, lang), **values)


def counts_line(engagements: int, services: int, overdue: int, soon: int, lang: str) -> str:
    """The dashboard's summary line."""
    opened = f"{count(engagements, 'engagement', lang)}, {count(services, 'service', lang)}"
    if lang == "ru":
        return f"Открыто: {opened} · просрочено: {overdue} · срок в ближайшие 7 дней: {soon}"
    return f"Open: {opened} · overdue: {overdue} · due within 7 days: {soon}"


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
