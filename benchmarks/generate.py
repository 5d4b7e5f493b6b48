"""A realistic svctrack workspace of N engagements, written fast and deterministically.

    python benchmarks/generate.py DIR [--engagements 10000] [--services 100] [--seed 1]

Five years of a consultancy: 100 services (most delivered and monitored, some still being built,
a few cancelled) and N engagements, 10% open (spread over every stage) and 90% closed or
cancelled, with histories (reworks and forced steps included), gate ticks, principles, stage
deadlines, notes, logged hours, budgets and client feedback; client and service names in
Cyrillic and Latin, with quotes, backslashes and line breaks in the free text.

The TOML text is written directly, not through tomlkit or svctrack commands (10,000 files take
a few seconds), in the layout svctrack itself writes: the same key order, tables, blank lines
and string escapes, so that a later `svctrack note` or `check` adds only its own lines. Item ids
are derived from names as `svctrack ... new` derives them. The pipelines (stages, gate items,
principles) come from svctrack's own defaults, so the files stay valid when those change.
"""

from __future__ import annotations

import argparse
import bisect
import json
import random
import shutil
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

from svctrack.domain.ids import slugify, unique
from svctrack.domain.pipeline import Pipeline, load_pipelines

DEFAULT_TODAY = date(2026, 11, 26)
MSK = timezone(timedelta(hours=3))  # the firm works from Moscow: every `at` is +03:00
YEARS = 5
OPEN_SHARE = 0.10  # of engagements; the rest are closed or cancelled
CANCELLED_SHARE = 0.10  # of the engagements that are no longer open
GITIGNORE = "# svctrack's lock and temporary files\n.svctrack.lock\n.*.tmp\n"

STAFF = (
    "anna",
    "boris",
    "Мария Соколова",
    "Иван Петров",
    "Ольга Кузнецова",
    "james.oconnor",
    "Дмитрий Орлов",
    "lena",
    "Sergei Volkov",
    "Екатерина Смирнова",
    "paul",
    "Наталья Иванова",
)
MODES = ("online", "offline", "hybrid")
CHANNELS = ("email", "call", "meeting", "chat", "other")
QUALITY = ("speed", "accuracy", "availability", "courtesy")
HOURS = ("0.25", "0.5", "0.75", "1", "1.5", "2", "2.5", "3", "4", "6", "8")

RU_SERVICES = (
    "Аудит безопасности",
    "Внедрение CRM",
    "Бухгалтерское сопровождение",
    "Налоговое консультирование",
    "Юридическая экспертиза договоров",
    "Разработка стратегии",
    "Управленческий учёт",
    "Оценка бизнеса",
    "Подбор персонала",
    "Обучение продажам",
    "Автоматизация склада",
    "Переход на ЭДО",
    "Кадровый аудит",
    "Маркетинговое исследование",
    "Сертификация ISO 9001",
    "Сопровождение 1С",
    "Защита персональных данных",
    "Оптимизация закупок",
    "Финансовая модель",
    "Регламенты и процессы",
)
EN_SERVICES = (
    "Cloud migration",
    "Security audit",
    "Data platform assessment",
    "GDPR readiness",
    "Process mining",
    "IT due diligence",
    "Agile coaching",
    "Cost optimisation review",
    "ERP selection",
    "Penetration test",
    "Brand workshop",
    "Customer journey mapping",
    "DevOps maturity check",
    "Vendor negotiation",
    "Pricing strategy",
    "Interim CFO",
    "ESG reporting",
    "M&A integration",
    "UX research sprint",
    "Supply chain review",
)
RU_QUALIFIERS = ("", " для малого бизнеса", " — экспресс", " (полный цикл)", " для ритейла")
EN_QUALIFIERS = ("", " — express", " for SMEs", " (enterprise)", " for retail")

RU_FORMS = ("ООО", "АО", "ПАО", "ООО", "ООО")
RU_STEMS = (
    "Ромашка",
    "Северный ветер",
    "Техноресурс",
    "Альфа-Логистик",
    "Уральские сети",
    "Вектор",
    "Горизонт",
    "Каскад",
    "Медтехника",
    "Агроинвест",
    "Балтийский берег",
    "Сибирский хлеб",
    "Стройкомплекс",
    "Фармаград",
    "Энергосбыт",
    "Волга-Трейд",
    "Полюс",
    "Ёлки-Палки",
)
RU_CITIES = ("", "", "Москва", "Казань", "Екатеринбург", "Новосибирск", "Самара", "Пермь")
RU_PEOPLE = ("Смирнов А. В.", "Кузнецова Е. Н.", "Щукин Я. Ю.", "Хабибуллин Р. Ф.")
EN_STEMS = (
    "Acme",
    "Nordic Lights",
    "Blue Harbor",
    "Helios",
    "Keystone",
    "Maple & Oak",
    "O'Brien Brothers",
    "Quantum Leaf",
    "Riverside",
    "Sunbeam",
    "Vantage",
    "Zephyr",
    "Bright Path",
    "Ironclad",
)
EN_SUFFIXES = ("GmbH", "Ltd", "AB", "LLC", "s.r.o.", "B.V.", "S.A.", "Inc.")
EN_CITIES = ("", "", "Berlin", "Stockholm", "Prague", "Amsterdam", "Dublin")

NOTES = {
    "ru": (
        "Созвон с клиентом: согласовали сроки",
        "Отправили коммерческое предложение",
        "Клиент просит перенести встречу на следующую неделю",
        "Письмо от «{client}»: вопросы по договору",
        "Встреча в офисе, присутствовали {person} и бухгалтер",
        "Напомнили о подписании акта",
        'Клиент: "нужно ускорить", обсудили ресурсы',
        "Итоги встречи:\n1. сроки\n2. бюджет\n3. ответственные",
        "Выгрузка лежит в \\\\fs01\\Проекты\\{id}",
        "Переписка в чате: уточнили состав работ",
    ),
    "en": (
        "Kick-off call, agreed the scope",
        "Sent the proposal",
        'Client said: "please move the review to Friday"',
        "Weekly status e-mail to {client}",
        "Meeting with {person}: risks and next steps",
        "Files are on C:\\Projects\\{id}",
        "Meeting notes:\n- scope\n- budget\n- owners",
        "Reminded them to sign the acceptance certificate",
        "Chat: clarified the deliverables\tand dates",
    ),
}
STEP_NOTES = {
    "ru": ("", "", "", "по плану", "согласовано с клиентом", "после созвона", "документы готовы"),
    "en": ("", "", "", "as planned", "agreed with the client", "after the call", "docs ready"),
}
REWORK_NOTES = {
    "ru": ("клиент нашёл ошибки в отчёте", "нужны правки по замечаниям", "не прошли приёмку"),
    "en": ("client found errors in the report", "changes requested", "acceptance failed"),
}
CANCEL_NOTES = {
    "ru": ("клиент отказался", "бюджет заморожен", "дубль заявки"),
    "en": ("client withdrew", "budget frozen", "duplicate request"),
}
TIME_NOTES = {
    "ru": ("интервью с сотрудниками", "анализ документов", "подготовка отчёта", "выезд к клиенту"),
    "en": ("interviews", "document review", "writing the report", "on site"),
}
TICK_NOTES = ("see the minutes", "по протоколу", "подтверждено письмом", 'client said "ok"')
PRINCIPLE_NOTES = (
    "обсудили на ретро",
    "client praised our responsiveness",
    "не хватило времени",
    "weekly reports sent",
)
GOALS = {
    "ru": ("Снизить затраты на ИТ", "Подготовиться к проверке", "Ускорить работу с клиентами"),
    "en": ("Cut IT costs", "Be ready for the audit", "Serve customers faster"),
}

COMMENTS = {
    "ru": ("Всё чётко и в срок", "Хотелось бы быстрее", "Отличная команда!", "Нормально"),
    "en": ("Clear and on time", "Could be faster", "Great team!", 'Fine, "as expected"'),
}


# --- TOML text, as tomlkit writes it ------------------------------------------------------------

_ESCAPES = {i: f"\\u{i:04x}" for i in (*range(0x20), 0x7F)}
_ESCAPES |= {8: "\\b", 9: "\\t", 10: "\\n", 12: "\\f", 13: "\\r", 0x22: '\\"', 0x5C: "\\\\"}


def q(text: str) -> str:
    """A TOML basic string, escaped exactly as tomlkit escapes it."""
    return '"' + text.translate(_ESCAPES) + '"'


def value(v: Any) -> str:
    """A TOML value as svctrack writes it (via tomlkit)."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, str):
        return q(v)
    if isinstance(v, Decimal):
        return format(v, "f")
    if isinstance(v, int | date):  # datetime is a date: isoformat() gives 2026-11-26T14:05:00+03:00
        return v.isoformat() if isinstance(v, date) else str(v)
    if isinstance(v, list | tuple):
        return "[" + ", ".join(value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{k} = {value(x)}" for k, x in v.items()) + "}"
    raise TypeError(type(v).__name__)


def block(header: str, pairs: dict[str, Any]) -> str:
    """A table header (or none) and its `key = value` lines."""
    lines = [header] if header else []
    lines += [f"{k} = {value(v)}" for k, v in pairs.items() if v is not None]
    return "\n".join(lines)


def document(top: dict[str, Any], tables: list[tuple[str, dict[str, Any]]]) -> str:
    """Top-level keys, then tables and array-of-table entries, one blank line between each."""
    return "\n\n".join([block("", top)] + [block(h, p) for h, p in tables]) + "\n"


# --- what was generated ------------------------------------------------------------------------


@dataclass
class Record:
    """One generated item: enough to check the workspace and to import it into Taskwarrior."""

    kind: str
    id: str
    name: str
    stage: str
    created: datetime
    ended: datetime | None = None  # closed or cancelled at
    service: str = ""
    client: str = ""
    due: date | None = None
    notes: list[tuple[datetime, str]] = field(default_factory=list)

    @property
    def is_open(self) -> bool:
        return self.stage not in ("closed", "cancelled")


@dataclass
class Workspace:
    root: Path
    today: date
    records: list[Record]
    seconds: float = 0.0
    bytes: int = 0

    def of(self, kind: str) -> list[Record]:
        return [r for r in self.records if r.kind == kind]

    def open_engagements(self) -> list[Record]:
        return [r for r in self.of("engagement") if r.is_open]


# --- lives: walking an item through its pipeline ------------------------------------------------


class Life:
    """History and gate ticks of one item, built by walking its pipeline as svctrack would."""

    def __init__(self, rng: random.Random, pipeline: Pipeline, born: datetime, by: str) -> None:
        self.rng = rng
        self.pipeline = pipeline
        self.stage = pipeline.stage_ids[0]
        self.moment = born
        self.gates: dict[str, dict[str, Any]] = {}
        self.history: list[dict[str, Any]] = [
            {"to": self.stage, "at": born, "by": by, "note": "created"}
        ]

    def later(self, days: int) -> datetime:
        day = self.moment.date() + timedelta(days=max(days, 1))
        self.moment = at(self.rng, day)
        return self.moment

    def tick(self, stage: str, gate_ids: list[str]) -> None:
        if gate_ids:
            self.gates.pop(stage, None)
            self.gates[stage] = {g: self._mark() for g in gate_ids}

    def _mark(self) -> Any:
        if self.rng.random() < 0.08:
            return {"done": True, "note": self.rng.choice(TICK_NOTES)}
        return True

    def gate_ids(self) -> list[str]:
        stage = self.pipeline.stage(self.stage)
        return [g.id for g in stage.gates] if stage else []

    def advance(self, days: int, by: str, note: str, force_share: float = 0.05) -> None:
        gates = self.gate_ids()
        skipped: list[str] = []
        if gates and self.rng.random() < force_share:
            skipped = gates[len(gates) - self.rng.randint(1, len(gates)) :]
        self.tick(self.stage, [g for g in gates if g not in skipped])
        ids = self.pipeline.stage_ids
        position = ids.index(self.stage)
        target = ids[position + 1] if position + 1 < len(ids) else self.pipeline.done
        assert target is not None
        entry = {"from": self.stage, "to": target, "at": self.later(days), "by": by, "note": note}
        if skipped:
            entry |= {"forced": True, "skipped": skipped}
        self.history.append(entry)
        self.stage = target

    def rework(self, days: int, by: str, note: str) -> None:
        """The way back: clears the ticks of the stage left and of the stage re-entered."""
        target = self.pipeline.back[self.stage]
        self.gates.pop(self.stage, None)
        self.gates.pop(target, None)
        entry = {"from": self.stage, "to": target, "at": self.later(days), "by": by, "note": note}
        self.history.append(entry)
        self.stage = target

    def cancel(self, days: int, by: str, note: str) -> None:
        entry = {"from": self.stage, "to": "cancelled", "at": self.later(days), "by": by}
        self.history.append(entry | {"note": note})
        self.stage = "cancelled"

    def partial(self) -> None:
        """Some gate items of the current stage ticked, a few unticked by hand."""
        gates = self.gate_ids()
        done = [g for g in gates if self.rng.random() < 0.45]
        if done:
            self.tick(self.stage, done)
        if gates and self.rng.random() < 0.05:
            self.gates.setdefault(self.stage, {})[gates[-1]] = False


def at(rng: random.Random, day: date) -> datetime:
    """A moment in working hours on `day`, Moscow time, to the second."""
    seconds = rng.randrange(9 * 3600, 19 * 3600)
    return datetime(day.year, day.month, day.day, tzinfo=MSK) + timedelta(seconds=seconds)


# --- the generator ------------------------------------------------------------------------------


class Generator:
    def __init__(
        self, engagements: int, services: int, seed: int, today: date = DEFAULT_TODAY
    ) -> None:
        self.rng = random.Random(seed)
        self.today = today
        self.n_engagements = engagements
        self.n_services = services
        self.pipelines = load_pipelines({})
        self.taken: set[str] = set()

    # names --------------------------------------------------------------------------------

    def service_names(self) -> list[tuple[str, str]]:
        names = [(b + s, "ru") for b in RU_SERVICES for s in RU_QUALIFIERS]
        names += [(b + s, "en") for b in EN_SERVICES for s in EN_QUALIFIERS]
        self.rng.shuffle(names)
        while len(names) < self.n_services:
            names += [(f"{n} {len(names)}", lang) for n, lang in names[: self.n_services]]
        return names[: self.n_services]

    def client(self) -> tuple[str, str]:
        rng = self.rng
        if rng.random() < 0.6:
            if rng.random() < 0.1:
                return f"ИП {rng.choice(RU_PEOPLE)}", "ru"
            stem = rng.choice(RU_STEMS)
            quoted = f"«{stem}»" if rng.random() < 0.5 else f'"{stem}"'
            city = rng.choice(RU_CITIES)
            return f"{rng.choice(RU_FORMS)} {quoted}" + (f" ({city})" if city else ""), "ru"
        city = rng.choice(EN_CITIES)
        name = f"{rng.choice(EN_STEMS)} {rng.choice(EN_SUFFIXES)}"
        return name + (f" ({city})" if city else ""), "en"

    def clients(self, count: int) -> list[tuple[str, str]]:
        found: dict[str, str] = {}
        for _ in range(count * 20):
            name, lang = self.client()
            found.setdefault(name, lang)
            if len(found) >= count:
                break
        return list(found.items())

    def new_id(self, basis: str) -> str:
        item_id = unique(slugify(basis), self.taken)
        self.taken.add(item_id)
        return item_id

    # free text ---------------------------------------------------------------------------

    def notes(self, count: int, lang: str, first: date, last: date, ctx: dict[str, str]) -> list:
        rng = self.rng
        span = max((last - first).days, 0)
        out = []
        for _ in range(count):
            moment = at(rng, first + timedelta(days=rng.randint(0, span)))
            text = rng.choice(NOTES[lang]).format(person=rng.choice(STAFF), **ctx)
            out.append(
                {
                    "at": moment,
                    "channel": rng.choice(CHANNELS),
                    "by": rng.choice(STAFF),
                    "text": text,
                }
            )
        out.sort(key=lambda n: n["at"])
        return out

    def time(self, count: int, lang: str, first: date, last: date) -> list[dict[str, Any]]:
        rng = self.rng
        span = max((last - first).days, 0)
        days = sorted(first + timedelta(days=rng.randint(0, span)) for _ in range(count))
        out = []
        for day in days:
            entry: dict[str, Any] = {"date": day, "hours": Decimal(rng.choice(HOURS))}
            entry["by"] = rng.choice(STAFF)
            if rng.random() < 0.5:
                entry["note"] = rng.choice(TIME_NOTES[lang])
            out.append(entry)
        return out

    def principles(self, kind: str, share: float) -> dict[str, Any]:
        rng = self.rng
        out: dict[str, Any] = {}
        for term in self.pipelines[kind].principles:
            if rng.random() < share:
                ok = rng.random() < 0.8
                out[term.id] = (
                    {"ok": ok, "note": rng.choice(PRINCIPLE_NOTES)} if rng.random() < 0.15 else ok
                )
        return out

    # services ----------------------------------------------------------------------------

    def service_states(self) -> list[str]:
        """Most services delivered and monitored; every stage and `cancelled` occur."""
        ids = list(self.pipelines["service"].stage_ids)
        weights = {"delivery": 30, "monitoring": 40, "cancelled": 8}
        states = [*ids, "cancelled"][: self.n_services]
        pool = [*ids, "cancelled"]
        states += self.rng.choices(
            pool, [weights.get(s, 5) for s in pool], k=self.n_services - len(states)
        )
        self.rng.shuffle(states)
        return states

    def service(self, name: str, lang: str, state: str) -> tuple[str, Record]:
        rng, pipeline, today = self.rng, self.pipelines["service"], self.today
        ids = pipeline.stage_ids
        owner = rng.choice(STAFF)
        steps = ids.index(state) if state in ids else rng.randrange(len(ids))
        iterations = rng.choice((0, 0, 1, 1, 2)) if state == "monitoring" else 0
        durations = [rng.randint(10, 60) for _ in range(steps + iterations * len(ids) + 4)]
        born_day = today - timedelta(days=sum(durations) + rng.randint(5, 200))
        life = Life(rng, pipeline, at(rng, born_day), owner)
        step = iter(durations)
        notes = STEP_NOTES[lang]
        for _ in range(steps):
            if life.stage == "testing" and rng.random() < 0.1:
                life.rework(next(step), owner, rng.choice(REWORK_NOTES[lang]))
                life.advance(rng.randint(5, 20), owner, rng.choice(notes))
            life.advance(next(step), rng.choice(STAFF), rng.choice(notes))
        for _ in range(iterations):
            life.rework(next(step), owner, "next iteration" if lang == "en" else "новая итерация")
            for _ in range(len(ids) - 1):
                life.advance(next(step), rng.choice(STAFF), rng.choice(notes))
        if state == "cancelled":
            life.partial()
            life.cancel(next(step), owner, rng.choice(CANCEL_NOTES[lang]))
        else:
            life.partial()
        item_id = self.new_id(name)
        top: dict[str, Any] = {"name": name, "stage": life.stage, "owner": owner}
        if rng.random() < 0.7:
            top["mode"] = rng.choice(MODES)
        if rng.random() < 0.8:
            top["price"] = self.price(lang)
            top["currency"] = "RUB" if lang == "ru" else "EUR"
        deadlines = {}
        if state in ids[:-1] and rng.random() < 0.5:
            deadlines[state] = today + timedelta(days=rng.randint(-10, 90))
        roles = {}
        if rng.random() < 0.6:
            for dept in ("marketing", "development", "production"):
                if rng.random() < 0.7:
                    roles[dept] = rng.choice(STAFF)
        first, last = life.history[0]["at"].date(), min(life.moment.date(), today)
        ctx = {"client": name, "id": item_id}
        tables = [("[deadlines]", deadlines), ("[roles]", roles), *self.gate_tables(life)]
        tables.append(("[principles]", self.principles("service", 0.3)))
        tables += [("[[history]]", h) for h in life.history]
        tables += [("[[notes]]", n) for n in self.notes(rng.randint(0, 3), lang, first, last, ctx)]
        tables += [("[[time]]", t) for t in self.time(rng.randint(0, 6), lang, first, last)]
        ended = life.moment if state == "cancelled" else None
        record = Record("service", item_id, name, life.stage, life.history[0]["at"], ended)
        return document(top, tables), record

    def gate_tables(self, life: Life) -> list[tuple[str, dict[str, Any]]]:
        return [("[gates]", {})] + [(f"[gates.{s}]", t) for s, t in life.gates.items()]

    def price(self, lang: str) -> Decimal:
        rng = self.rng
        if lang == "ru":
            amount = Decimal(rng.randrange(50, 3000) * 1000)
            return amount + Decimal("0.50") if rng.random() < 0.1 else amount
        return Decimal(rng.randrange(20, 400) * 50)

    # engagements -------------------------------------------------------------------------

    def engagement_states(self) -> list[str]:
        """10% open, every stage in turn; of the rest, 10% cancelled and 90% closed."""
        ids = self.pipelines["engagement"].stage_ids
        n = self.n_engagements
        n_open = round(n * OPEN_SHARE)
        n_cancelled = round((n - n_open) * CANCELLED_SHARE)
        states = [ids[i % len(ids)] for i in range(n_open)] + ["cancelled"] * n_cancelled
        states += ["closed"] * (n - len(states))
        self.rng.shuffle(states)
        return states

    def engagement(self, service: Record, client: str, lang: str, state: str) -> tuple[str, Record]:
        rng, today = self.rng, self.today
        life, planned = self.engagement_life(lang, state)
        start = life.history[0]["at"].date()
        name = f"{service.name} — {client}"
        item_id = self.new_id(f"{service.id} {client}")
        top = self.engagement_fields(name, service.id, client, lang, life, planned)
        deadlines: dict[str, date] = {}
        if rng.random() < 0.35:
            deadlines["execution"] = start + timedelta(
                days=planned["preparation"] + planned["execution"]
            )
            if rng.random() < 0.4:
                deadlines["control"] = deadlines["execution"] + timedelta(days=planned["control"])
        last = today if life.stage in planned else min(life.moment.date(), today)
        ctx = {"client": client, "id": item_id}
        tables = [("[deadlines]", deadlines), *self.gate_tables(life)]
        tables.append(("[principles]", self.principles("engagement", 0.4)))
        tables += [("[[history]]", h) for h in life.history]
        count = rng.randint(0, 6 if state == "closed" else 4)
        notes = self.notes(count, lang, start, last, ctx)
        tables += [("[[notes]]", n) for n in notes]
        if len(life.history) > 1:
            tables += [("[[time]]", t) for t in self.time(rng.randint(0, 12), lang, start, last)]
        if rng.random() < {"closed": 0.55, "completion": 0.3}.get(state, 0):
            tables.append(("[[feedback]]", self.feedback(lang, life.moment)))
        record = Record(
            "engagement",
            item_id,
            name,
            life.stage,
            life.history[0]["at"],
            life.moment if state in ("closed", "cancelled") else None,
            service.id,
            client,
            top["due"],
            [(n["at"], n["text"]) for n in notes],
        )
        return document(top, tables), record

    def engagement_life(self, lang: str, state: str) -> tuple[Life, dict[str, int]]:
        """Walk an engagement to `state`, ending before today (open ones: in their stage today).

        Returns the life and the planned days of each stage."""
        rng, pipeline, today = self.rng, self.pipelines["engagement"], self.today
        ids = pipeline.stage_ids
        typical = {"preparation": (2, 14), "execution": (7, 90), "control": (2, 14)}
        actual = {s: rng.randint(*typical.get(s, (1, 10))) for s in ids}
        planned = {s: max(1, round(actual[s] * rng.uniform(0.75, 1.2))) for s in ids}
        if state == "closed":
            steps = len(ids)
        elif state == "cancelled":
            steps = rng.choice((0, 0, 0, 1, 1, 2, 3))
        else:
            steps = ids.index(state)
        rework = steps > ids.index("control") and rng.random() < 0.1
        extra = rng.randint(3, 20) if rework else 0
        passed = sum(actual[s] for s in ids[:steps]) + (extra + actual["control"] if rework else 0)
        if state in ids:  # open: somewhere in its current stage today
            elapsed = rng.randint(1, max(2, round(actual[state] * 1.5)))
            start = today - timedelta(days=passed + elapsed)
        else:
            start = today - timedelta(days=rng.randint(passed + 8, YEARS * 365))
        owner = rng.choice(STAFF)
        life = Life(rng, pipeline, at(rng, start), owner)
        notes = STEP_NOTES[lang]
        for stage in ids[:steps]:
            if stage == "control" and rework:
                life.rework(actual[stage], owner, rng.choice(REWORK_NOTES[lang]))
                life.advance(extra, rng.choice(STAFF), rng.choice(notes))
            life.advance(actual[stage], rng.choice((owner, owner, *STAFF)), rng.choice(notes))
        if state != "closed":
            life.partial()
        if state == "cancelled":
            life.cancel(rng.randint(1, 10), owner, rng.choice(CANCEL_NOTES[lang]))
        return life, planned

    def engagement_fields(
        self, name: str, service: str, client: str, lang: str, life: Life, planned: dict[str, int]
    ) -> dict[str, Any]:
        """The top-level keys, in the order `engagement new` and `set budget_hours` write them."""
        rng = self.rng
        start = life.history[0]["at"].date()
        due = start + timedelta(days=sum(planned.values()))
        top: dict[str, Any] = {"name": name, "service": service, "client": client}
        top |= {"stage": life.stage, "start": start, "due": due, "owner": life.history[0]["by"]}
        if rng.random() < 0.6:
            top["mode"] = rng.choice(MODES)
        if rng.random() < 0.9:
            top["price"] = self.price(lang)
            top["currency"] = "RUB" if lang == "ru" else "EUR"
        if rng.random() < 0.7:
            number = rng.randint(1, 999)
            ru = f"Д-{start.year}/{number:04d}"
            top["contract"] = ru if lang == "ru" else f"C-{start.year}-{number:04d}"
        if rng.random() < 0.6:
            top["budget_hours"] = sum(planned.values()) * rng.choice((2, 4, 6))
        goals = GOALS[lang]  # what the client wants (`--goal`); no draw, so the rest stays put
        top["goal"] = goals[len(client) % len(goals)]
        return top

    def feedback(self, lang: str, moment: datetime) -> dict[str, Any]:
        rng = self.rng
        entry: dict[str, Any] = {"at": moment - timedelta(minutes=rng.randint(10, 600))}
        entry["score"] = rng.choice((5, 5, 5, 4, 4, 4, 3, 2, 1))
        for key in QUALITY:
            if rng.random() < 0.6:
                entry[key] = rng.choice((5, 5, 4, 4, 3, 2))
        if rng.random() < 0.7:
            entry["comment"] = rng.choice(COMMENTS[lang])
        return entry

    # the whole workspace -----------------------------------------------------------------

    def write(self, root: Path) -> Workspace:
        started = time.perf_counter()
        if root.exists():
            raise FileExistsError(f"{root} exists; remove it first")
        for folder in ("services", "engagements"):
            (root / folder).mkdir(parents=True)
        config = "# svctrack workspace settings; see README.md for every key.\n"
        config += 'name = "Бенчмарк Консалтинг"\nlang = "ru"\ncurrency = "RUB"\n'
        _write(root / "svctrack.toml", config)
        _write(root / ".gitignore", GITIGNORE)
        size = 0
        records: list[Record] = []
        services: list[Record] = []
        for (name, lang), state in zip(self.service_names(), self.service_states(), strict=True):
            text, record = self.service(name, lang, state)
            size += _write(root / "services" / f"{record.id}.toml", text)
            records.append(record)
            services.append(record)
        live = [s for s in services if s.stage in ("delivery", "monitoring")] or services
        clients = self.clients(max(8, self.n_engagements // 7))
        popular = _zipf(len(clients))
        popular_services = _zipf(len(services))
        popular_live = _zipf(len(live))
        for state in self.engagement_states():
            if state in ("closed", "cancelled"):
                service = services[_pick(self.rng, popular_services)]
            else:
                service = live[_pick(self.rng, popular_live)]
            client, lang = clients[_pick(self.rng, popular)]
            text, record = self.engagement(service, client, lang, state)
            size += _write(root / "engagements" / f"{record.id}.toml", text)
            records.append(record)
        seconds = time.perf_counter() - started
        return Workspace(root, self.today, records, seconds, size)


def _zipf(n: int, s: float = 0.8) -> list[float]:
    """Cumulative weights: a few clients (services) get many engagements, most get few."""
    total, out = 0.0, []
    for k in range(n):
        total += 1 / (k + 1) ** s
        out.append(total)
    return out


def _pick(rng: random.Random, cumulative: list[float]) -> int:
    return bisect.bisect(cumulative, rng.random() * cumulative[-1])


def _write(path: Path, text: str) -> int:
    data = text.encode("utf-8")
    with open(path, "wb") as handle:
        handle.write(data)
    return len(data)


def generate(
    root: Path,
    engagements: int = 1000,
    services: int = 100,
    seed: int = 1,
    today: date = DEFAULT_TODAY,
    *,
    replace: bool = False,
) -> Workspace:
    """Write a workspace of `engagements` engagements and `services` services at `root`."""
    if replace and root.exists():
        shutil.rmtree(root)
    return Generator(engagements, services, seed, today).write(root)


# --- the same data for Taskwarrior --------------------------------------------------------------


def _tw_date(moment: datetime | date) -> str:
    if not isinstance(moment, datetime):
        moment = datetime(moment.year, moment.month, moment.day, 18, tzinfo=MSK)
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def taskwarrior_tasks(workspace: Workspace) -> list[dict[str, Any]]:
    """Every item as a Taskwarrior task: pending when open, completed when closed, deleted when
    cancelled; the service as project, the stage as a tag, notes as annotations."""
    tasks = []
    namespace = uuid.UUID("6f1c3e2a-8a47-4f0e-9d55-0b6f3c1d2e7a")
    for record in workspace.records:
        status = "pending"
        if record.stage == "closed":
            status = "completed"
        elif record.stage == "cancelled":
            status = "deleted"
        task: dict[str, Any] = {
            "uuid": str(uuid.uuid5(namespace, f"{record.kind}/{record.id}")),
            "description": record.name,
            "status": status,
            "entry": _tw_date(record.created),
            "modified": _tw_date(record.ended or record.created),
            "project": record.service or "services",
            "tags": [record.kind, record.stage],
        }
        if record.ended:
            task["end"] = _tw_date(record.ended)
        if record.due:
            task["due"] = _tw_date(record.due)
        if record.notes:
            task["annotations"] = [
                {"entry": _tw_date(moment), "description": " ".join(text.split())}
                for moment, text in record.notes
            ]
        tasks.append(task)
    return tasks


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("root", type=Path, help="workspace folder to create")
    parser.add_argument("--engagements", "-n", type=int, default=1000)
    parser.add_argument("--services", type=int, default=100)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--today", type=date.fromisoformat, default=DEFAULT_TODAY)
    parser.add_argument("--replace", action="store_true", help="remove ROOT first if it exists")
    parser.add_argument("--taskwarrior", type=Path, help="also write the tasks as JSON here")
    args = parser.parse_args(argv)
    ws = generate(
        args.root, args.engagements, args.services, args.seed, args.today, replace=args.replace
    )
    engagements = ws.of("engagement")
    print(
        f"{ws.root}: {len(ws.of('service'))} services, {len(engagements)} engagements "
        f"({len(ws.open_engagements())} open), {ws.bytes / 1e6:.1f} MB in {ws.seconds:.1f} s; "
        f"use SVCTRACK_TODAY={ws.today.isoformat()}"
    )
    if args.taskwarrior:
        with open(args.taskwarrior, "w", encoding="utf-8") as handle:
            json.dump(taskwarrior_tasks(ws), handle, ensure_ascii=False)
        print(f"{args.taskwarrior}: Taskwarrior import file")


if __name__ == "__main__":
    main()
