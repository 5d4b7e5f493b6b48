"""The monitoring stage as numbers: effort and budget, the period report, the timeline.

Pure functions: items in, frozen dataclasses out. Money and hours stay exact decimals; shares
and means are decimals rounded once, here, so that the JSON and the tables show the same digits.
Nothing here reads a file or knows the terminal.
"""

from __future__ import annotations

import struct
import sys
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation, Overflow
from itertools import pairwise
from operator import attrgetter
from typing import Any, NamedTuple, TypeVar, cast

from svctrack.domain.fields import MODES, TARGETS, targets_problems
from svctrack.domain.model import QUALITY, Item
from svctrack.domain.pipeline import Pipeline
from svctrack.errors import Refused
from svctrack.messages import msg

RATE_PLACES = Decimal("0.0001")  # shares: 0.6667
DAY_PLACES = Decimal("0.01")  # days and scores: 9.52
MONEY_PLACES = Decimal("0.01")  # an hourly rate: 301.18
SECONDS_A_DAY = Decimal(86400)

# What makes a weak spot (see `findings`).
ON_TIME_TARGET = TARGETS["on_time"][0]  # the default of svctrack.toml's `targets.on_time`
REWORK_LIMIT = Decimal("0.25")
SLOW_RATIO = Decimal("1.5")
SCORE_TARGET = TARGETS["score"][0]  # the default of `targets.score`
PRINCIPLE_TARGET = Decimal("0.8")
SERVICE_GAP = Decimal("0.25")
RATE_GAP = Decimal("0.75")

T = TypeVar("T")


def _round(value: Decimal, places: Decimal) -> Decimal:
    return value.quantize(places, rounding=ROUND_HALF_UP).normalize() + 0  # no -0, no 1E+1


def quotient(part: int | Decimal, whole: int | Decimal, places: Decimal) -> Decimal | None:
    """part / whole rounded to `places`; None when there is nothing to divide by, or when the
    quotient has more digits than a decimal holds (a file's 1e-30 hours make no figure)."""
    if not whole:
        return None
    try:
        return _round(Decimal(part) / Decimal(whole), places)
    except (InvalidOperation, Overflow):
        return None


def share(part: int | Decimal, whole: int | Decimal) -> Decimal | None:
    """part / whole rounded to four places, or None (see `quotient`)."""
    return quotient(part, whole, RATE_PLACES)


def mean(
    values: Sequence[Decimal | int], places: Decimal = DAY_PLACES, *, total: Decimal | None = None
) -> Decimal | None:
    """The mean of `values`, rounded to `places`; their `total` if it is known already (the sum
    from Decimal(0), in their order: an int is added exactly, as Decimal(int) would be)."""
    if not values:
        return None
    whole = Decimal(sum(values, Decimal(0))) if total is None else total
    return _round(whole / len(values), places)


def median(values: Sequence[Decimal | int], places: Decimal = DAY_PLACES) -> Decimal | None:
    if not values:
        return None
    ordered = sorted(values)  # (as Decimals: the same order)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return _round(Decimal(ordered[middle]), places)
    return _round((Decimal(ordered[middle - 1]) + Decimal(ordered[middle])) / 2, places)


# --- effort and budget (one item) -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Effort:
    """Hours spent against the budget, and what the price makes of them."""

    hours: Decimal
    budget: Decimal | None
    burn: Decimal | None  # hours / budget: 0.5 is half the budget used, 1.2 is 20 % over
    rate: Decimal | None  # price / hours, in `currency`
    currency: str

    @property
    def over_budget(self) -> bool:
        return over_budget(self.hours, self.budget)

    @property
    def over_by(self) -> Decimal:
        return over_by(self.hours, self.budget)


def over_budget(hours: Decimal, budget: Decimal | None) -> bool:
    return budget is not None and hours > budget


def over_by(hours: Decimal, budget: Decimal | None) -> Decimal:
    """The hours beyond the budget; 0 within it, or without one."""
    return hours - budget if budget is not None and over_budget(hours, budget) else Decimal(0)


def effort(item: Item, default_currency: str = "") -> Effort:
    """Hours, budget, burn and effective hourly rate of one item.

    The rate is an engagement's: a service's price is a list price, not earned by its hours.
    """
    hours = item.hours
    budget = item.budget_hours
    burn = share(hours, budget) if budget else None
    rate = None
    if item.kind == "engagement" and item.price is not None and hours > 0:
        rate = quotient(item.price, hours, MONEY_PLACES)
    return Effort(hours, budget, burn, rate, item.currency or default_currency)


# --- the period report ----------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """Inclusive bounds; None is open-ended."""

    since: date | None = None
    until: date | None = None

    def __contains__(self, day: date) -> bool:
        return (self.since is None or day >= self.since) and (
            self.until is None or day <= self.until
        )


class Scores(NamedTuple):
    """The marks of an engagement's latest feedback: all a report keeps of it."""

    score: int
    speed: int | None
    accuracy: int | None
    availability: int | None
    courtesy: int | None


# Each dated stay at a stage of a closed engagement: the index of the stage in its pipeline's
# `stage_ids` and the whole seconds spent there, packed (a report keeps them for every closed
# engagement: 12 bytes a stay, where a dict of decimals took some 650 bytes a fact).
_STAY = struct.Struct("<IQ")

# A principle's mark in `Closed.principles`, a character each: honoured, not, not assessed.
MARKS = {True: "y", False: "n", None: "-"}

# One object for each value that many facts hold (a name, a day, an amount, the scores):
# type → value → the value.
_SAME: dict[type, dict[object, Any]] = {}


def _shared(value: T) -> T:
    if value is None:
        return value
    if isinstance(value, str):
        return cast(T, sys.intern(value))
    kept: T = _SAME.setdefault(value.__class__, {}).setdefault(value, value)
    if kept is value or not isinstance(value, Decimal) or not isinstance(kept, Decimal):
        return kept
    # equal, but maybe written otherwise: 17 and 17.00, 0 and -0
    same = kept.same_quantum(value) and kept.is_signed() == value.is_signed()
    return kept if same else value


@dataclass(frozen=True, slots=True)  # thousands at a time: no __dict__ each
class Closed:
    """The facts of one engagement closed, as its file records them: all a report keeps of it.

    Kept for every closed engagement at once (90,000 in a firm's ten years), so small: the
    values many facts hold are one object (see `_shared`), made or unpickled."""

    id: str
    service: str
    closed_on: date | None  # None: closed, but no dated step says when
    days_late: int | None  # closed_on − due: ≤ 0 on time; None without a due date
    reworks: int
    stays: bytes  # each dated stay at a stage, in the history's order (see `stays`, `time_at`)
    scores: Scores | None  # of the latest feedback
    hours: Decimal
    budget: Decimal | None  # hours
    price: Decimal | None
    currency: str
    principles: str  # each principle of the pipeline's mark (see MARKS)
    owner: str = ""  # who answered for it
    mode: str = ""  # online, offline, hybrid; "" when the file names none

    def __post_init__(self) -> None:
        for name in _SHARED_FIELDS:
            object.__setattr__(self, name, _shared(getattr(self, name)))

    def __reduce__(self) -> tuple[type[Closed], tuple[Any, ...]]:
        return Closed, _values(self)  # unpickled through __init__: its values shared again


_SHARED_FIELDS = tuple(
    f.name for f in fields(Closed) if f.name not in ("id", "stays", "principles")
)
_values = attrgetter(*(f.name for f in fields(Closed)))


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def closed_on(item: Item, pipeline: Pipeline) -> date | None:
    """The day an engagement was closed: its last dated transition to the pipeline's end."""
    if pipeline.done is None or item.stage != pipeline.done:
        return None
    for entry in reversed(item.history):
        if entry.to == pipeline.done and entry.at is not None:
            return entry.at.date()
    return None


def stays(item: Item, pipeline: Pipeline) -> bytes:
    """The item's stays at the stages of its pipeline, from the history: each entry is entered
    at its `at` and left at the next entry's. Undated or out-of-order entries give no stay."""
    packed = bytearray()
    index = {stage: n for n, stage in enumerate(pipeline.stage_ids)}
    for entry, following in pairwise(item.history):
        if entry.at is None or following.at is None or entry.to not in index:
            continue
        seconds = (_aware(following.at) - _aware(entry.at)).total_seconds()
        if seconds >= 0:
            packed += _STAY.pack(index[entry.to], int(seconds))
    return bytes(packed)


def time_at(packed: bytes) -> dict[int, tuple[int, Decimal, int]]:
    """Each stage of `stays` (by its index in the pipeline's stages): the seconds and the days
    spent there, all visits together (the days of each added in their order), and the visits."""
    spent: dict[int, tuple[int, Decimal, int]] = {}
    for stage, seconds in _STAY.iter_unpack(packed):
        total, days, visits = spent.get(stage, (0, Decimal(0), 0))
        spent[stage] = (total + seconds, days + Decimal(seconds) / SECONDS_A_DAY, visits + 1)
    return spent


def reworks(item: Item, pipeline: Pipeline) -> int:
    """How many times the item went back along a way back of its pipeline."""
    ways = set(pipeline.back.items())
    return sum((h.source, h.to) in ways for h in item.history)


def close_facts(item: Item, pipeline: Pipeline, default_currency: str = "") -> Closed | None:
    """The facts of a closed engagement, or None when it is not closed."""
    if item.kind != "engagement" or pipeline.done is None or item.stage != pipeline.done:
        return None
    day = closed_on(item, pipeline)
    latest = item.feedback[-1] if item.feedback else None  # appended in time order
    return Closed(
        id=item.id,
        service=item.service,
        closed_on=day,
        days_late=(day - item.due).days if item.due and day else None,
        reworks=reworks(item, pipeline),
        stays=stays(item, pipeline),
        scores=Scores(latest.score, *(getattr(latest, q) for q in QUALITY)) if latest else None,
        hours=item.hours,
        budget=item.budget_hours,
        price=item.price,
        currency=item.currency or default_currency,
        principles="".join(
            MARKS[getattr(item.principles.get(p.id), "ok", None)] for p in pipeline.principles
        ),
        owner=" ".join(item.owner.split()),
        mode=item.mode,
    )


@dataclass(frozen=True)
class OnTime:
    count: int  # closed with a due date
    on_time: int
    late: int
    rate: Decimal | None
    late_mean_days: Decimal | None  # over the late ones
    late_max_days: int | None
    without_due: int


@dataclass(frozen=True)
class Rework:
    count: int  # engagements with at least one rework
    rate: Decimal | None
    total: int
    mean: Decimal | None  # reworks per engagement


@dataclass(frozen=True)
class StageTime:
    id: str
    count: int  # engagements that spent time at it
    mean_days: Decimal | None
    median_days: Decimal | None
    total_days: Decimal


@dataclass(frozen=True)
class Dimension:
    id: str
    count: int
    mean: Decimal | None


@dataclass(frozen=True)
class Satisfaction:
    count: int  # engagements with feedback (the latest of each counts)
    score: Decimal | None
    dimensions: tuple[Dimension, ...]
    weakest: str | None
    without: int  # closed without any feedback


@dataclass(frozen=True)
class PrincipleShare:
    id: str
    honoured: int
    not_honoured: int
    not_assessed: int
    rate: Decimal | None  # honoured / engagements that assessed it; None: nobody did


@dataclass(frozen=True)
class Principles:
    rate: Decimal | None  # ticks honoured / ticks assessed (honoured or not)
    items: tuple[PrincipleShare, ...]
    least: str | None


@dataclass(frozen=True)
class Money:
    revenue: dict[str, Decimal]  # currency → the prices of the engagements closed
    hours: Decimal
    budget_hours: Decimal  # of those with a budget
    with_budget: int
    over_budget: int
    over_hours: Decimal  # hours beyond the budget, over-budget engagements together
    rates: dict[str, Decimal]  # currency → price / hours over engagements with both


@dataclass(frozen=True)
class Stats:
    """The monitoring numbers for one group of closed engagements."""

    count: int
    ids: tuple[str, ...]
    on_time: OnTime
    rework: Rework
    stages: tuple[StageTime, ...]
    slowest: str | None
    slowest_ratio: Decimal | None  # the slowest stage's mean ÷ the next slowest's
    satisfaction: Satisfaction
    principles: Principles
    money: Money


@dataclass(frozen=True)
class Finding:
    """A weak spot: what (`code`), of what (`subject`), and the numbers behind it."""

    code: str
    subject: str
    values: dict[str, Any]

    @property
    def advice(self) -> str:
        """What to do about it, as a key of `ADVICE` (see `advice`)."""
        return advice(self)


@dataclass(frozen=True)
class ServiceStats:
    id: str
    name: str
    stats: Stats


@dataclass(frozen=True)
class Report:
    period: Period
    today: date
    service: str | None  # the --service filter
    overall: Stats
    services: tuple[ServiceStats, ...]
    findings: tuple[Finding, ...]
    undated: tuple[str, ...]  # closed, but no dated transition to closed: left out
    owners: tuple[ServiceStats, ...] = ()  # the same numbers per owner ("": no owner)
    by: str = "service"  # what the human report breaks the key figures down by
    modes: tuple[ServiceStats, ...] = ()  # per delivery mode, in MODES order ("": none given)

    @property
    def empty(self) -> bool:
        return self.overall.count == 0


def _on_time(facts: Sequence[Closed]) -> OnTime:
    dated = [f.days_late for f in facts if f.days_late is not None]
    late = [d for d in dated if d > 0]
    return OnTime(
        count=len(dated),
        on_time=len(dated) - len(late),
        late=len(late),
        rate=share(len(dated) - len(late), len(dated)),
        late_mean_days=mean(late),
        late_max_days=max(late, default=None),
        without_due=len(facts) - len(dated),
    )


def _rework(facts: Sequence[Closed]) -> Rework:
    counts = [f.reworks for f in facts]
    return Rework(
        count=sum(c > 0 for c in counts),
        rate=share(sum(c > 0 for c in counts), len(counts)),
        total=sum(counts),
        mean=mean(counts),
    )


def _stages(facts: Sequence[Closed], pipeline: Pipeline) -> tuple[StageTime, ...]:
    """Each stage's days: made from the facts' stays as they come, never held all at once (at
    90,000 facts some 40 MB): a total is summed in the order of `facts`, and a median found
    among the seconds (see `_middle`)."""
    stages = pipeline.stage_ids
    totals = [Decimal(0)] * len(stages)
    seconds = [array("q") for _ in stages]  # each fact's at each stage, 8 bytes a number
    several: list[dict[int, list[Decimal]]] = [{} for _ in stages]  # see `_middle`
    for f in facts:  # one pass
        for n, (spent, days, visits) in time_at(f.stays).items():
            totals[n] += days
            seconds[n].append(spent)
            if visits > 1:
                several[n].setdefault(spent, []).append(days)
    out = []
    for n, stage in enumerate(stages):
        average = mean(seconds[n], total=totals[n])  # (as many as the days: their total given)
        middle = median(_middle(seconds[n], several[n]))
        out.append(
            StageTime(stage, len(seconds[n]), average, middle, _round(totals[n], DAY_PLACES))
        )
    return tuple(out)


def _middle(seconds: Sequence[int], several: dict[int, list[Decimal]]) -> list[Decimal]:
    """The days in the middle of a stage's, one or two (see `median`), found among their
    `seconds`: more seconds are always more days (far beyond a decimal's last digit), and equal
    seconds the same days, but where several visits' days were added (`several`, by their
    seconds), which may differ from them in the last digit."""
    ordered = sorted(seconds)
    half = len(ordered) // 2
    out = []
    for rank in (half,) if len(ordered) % 2 else (half - 1, half) if ordered else ():
        spent = ordered[rank]
        first, after = bisect_left(ordered, spent), bisect_right(ordered, spent)
        visited = several.get(spent, [])
        once = [Decimal(spent) / SECONDS_A_DAY] * (after - first - len(visited))
        out.append(sorted(once + visited)[rank - first])
    return out


def _slowest(stages: Sequence[StageTime]) -> tuple[str | None, Decimal | None]:
    timed = sorted(
        (s for s in stages if s.mean_days is not None),
        key=lambda s: s.mean_days or 0,
        reverse=True,
    )
    if not timed:
        return None, None
    if len(timed) < 2 or not timed[1].mean_days:
        return timed[0].id, None
    return timed[0].id, _round(
        (timed[0].mean_days or Decimal(0)) / timed[1].mean_days, Decimal("0.1")
    )


def _satisfaction(facts: Sequence[Closed]) -> Satisfaction:
    latest = [f.scores for f in facts if f.scores is not None]
    dimensions = []
    for q in QUALITY:
        marks = [getattr(f, q) for f in latest if getattr(f, q) is not None]
        dimensions.append(Dimension(q, len(marks), mean(marks)))
    rated = [d for d in dimensions if d.mean is not None]
    weakest = min(rated, key=lambda d: d.mean or 0).id if rated else None
    return Satisfaction(
        count=len(latest),
        score=mean([f.score for f in latest]),
        dimensions=tuple(dimensions),
        weakest=weakest,
        without=len(facts) - len(latest),
    )


def _principles(facts: Sequence[Closed], pipeline: Pipeline) -> Principles:
    """Shares of the engagements that assessed a principle: one nobody assessed has no rate
    (not assessed, never "not honoured") and is never the least honoured."""
    shares = []
    # each principle's marks, one column per principle (every fact has one mark for each)
    columns = list(zip(*(f.principles for f in facts), strict=True)) if facts else []
    for n, term in enumerate(pipeline.principles):
        marks = columns[n] if columns else ()
        honoured, not_honoured = marks.count(MARKS[True]), marks.count(MARKS[False])
        shares.append(
            PrincipleShare(
                term.id,
                honoured,
                not_honoured,
                marks.count(MARKS[None]),
                share(honoured, honoured + not_honoured),
            )
        )
    honoured = sum(s.honoured for s in shares)
    assessed = honoured + sum(s.not_honoured for s in shares)
    rated = [s for s in shares if s.rate is not None]
    least = None
    if rated:
        worst = min(rated, key=lambda s: (s.rate, -s.not_honoured))
        least = worst.id if worst.not_honoured else None
    return Principles(share(honoured, assessed), tuple(shares), least)


def _money(facts: Sequence[Closed]) -> Money:
    revenue: dict[str, Decimal] = {}
    earned: dict[str, Decimal] = {}
    worked: dict[str, Decimal] = {}
    spent = budget_hours = over_hours = Decimal(0)  # each summed in the order of `facts`
    with_budget = overs = 0
    for f in facts:  # one pass
        price, currency, hours, budget = f.price, f.currency, f.hours, f.budget
        spent += hours
        if budget is not None:
            with_budget += 1
            budget_hours += budget or Decimal(0)  # (a budget of 0.0 adds 0: the digits stay)
            if over_budget(hours, budget):
                overs += 1
                over_hours += over_by(hours, budget)
        if price is None:
            continue
        revenue[currency] = revenue.get(currency, Decimal(0)) + price
        if hours > 0:
            earned[currency] = earned.get(currency, Decimal(0)) + price
            worked[currency] = worked.get(currency, Decimal(0)) + hours
    return Money(
        revenue=dict(sorted(revenue.items())),
        hours=spent,
        budget_hours=budget_hours,
        with_budget=with_budget,
        over_budget=overs,
        over_hours=over_hours,
        rates={
            c: rate
            for c in sorted(earned)
            if (rate := quotient(earned[c], worked[c], MONEY_PLACES)) is not None
        },
    )


def stats(facts: Sequence[Closed], pipeline: Pipeline) -> Stats:
    """Every monitoring number for a group of closed engagements (none: zeros and None)."""
    stages = _stages(facts, pipeline)
    slowest, ratio = _slowest(stages)
    return Stats(
        count=len(facts),
        ids=tuple(f.id for f in facts),
        on_time=_on_time(facts),
        rework=_rework(facts),
        stages=stages,
        slowest=slowest,
        slowest_ratio=ratio,
        satisfaction=_satisfaction(facts),
        principles=_principles(facts, pipeline),
        money=_money(facts),
    )


def report(
    closed: Iterable[Closed],
    pipeline: Pipeline,
    today: date,
    *,
    period: Period | None = None,
    service: str | None = None,
    service_names: dict[str, str] | None = None,
    by: str = "service",
) -> Report:
    """The monitoring report over the engagements closed in `period` (of `service`, if given),
    from their facts (see `close_facts`), overall, per service and per owner; `by` says which
    breakdown the key figures show."""
    names = service_names or {}
    facts: list[Closed] = []
    undated: list[str] = []
    for fact in sorted(closed, key=lambda f: f.id):
        if service and fact.service != service:
            continue
        if fact.closed_on is None:
            undated.append(fact.id)
        elif period is None or fact.closed_on in period:
            facts.append(fact)
    overall = stats(facts, pipeline)
    groups: dict[str, list[Closed]] = {}
    for f in facts:
        groups.setdefault(f.service, []).append(f)
    services = tuple(
        ServiceStats(sid, names.get(sid, sid), stats(group, pipeline))
        for sid, group in sorted(groups.items())
    )
    people: dict[str, list[Closed]] = {}  # one person however the name is cased or spaced
    for f in facts:
        people.setdefault(f.owner.casefold(), []).append(f)
    owners = tuple(
        ServiceStats(group[0].owner, group[0].owner, stats(group, pipeline))
        for who, group in sorted(people.items(), key=lambda pair: (not pair[0], pair[0]))
    )
    kinds: dict[str, list[Closed]] = {}
    for f in facts:
        kinds.setdefault(f.mode if f.mode in MODES else "", []).append(f)
    order = {m: n for n, m in enumerate(MODES)}
    modes = tuple(
        ServiceStats(mode, mode, stats(group, pipeline))
        for mode, group in sorted(kinds.items(), key=lambda pair: order.get(pair[0], len(order)))
    )
    return Report(
        period=period or Period(),
        today=today,
        service=service,
        overall=overall,
        services=services,
        findings=tuple(findings(overall, services)),
        undated=tuple(undated),
        owners=owners,
        by=by,
        modes=modes,
    )


def last_deliveries(closed: Iterable[Closed]) -> dict[str, date]:
    """Each service's last delivery: the day its latest engagement of `closed` was closed."""
    last: dict[str, date] = {}
    for f in closed:
        if f.closed_on is not None and (f.service not in last or f.closed_on > last[f.service]):
            last[f.service] = f.closed_on
    return last


# The shape of a report and of its facts, which those kept in the cache (`Tracker.report`) must
# have.
_PARTS: tuple[type[Any], ...] = (Report, Stats, ServiceStats, Finding, OnTime, Rework)
_PARTS += (StageTime, Satisfaction, Dimension, Principles, PrincipleShare, Money, Period)
_PARTS += (Closed,)
SHAPE: tuple[Any, ...] = (*(tuple(f.name for f in fields(p)) for p in _PARTS), Scores._fields)
SHAPE += (_STAY.format, tuple(MARKS.values()))


def covered(r: Report, last: dict[str, date]) -> list[str]:
    """The services of a report that it covers up to their last delivery (see
    `last_deliveries`, of every closed engagement): it is in the report's period. A report
    saved for them is one saved after their last delivery (see `Tracker.record_report`)."""
    return [s.id for s in r.services if s.id in last and last[s.id] in r.period]


# --- weak spots -------------------------------------------------------------------------------

# What to do about each weak spot: finding code → advice key (the words are output's, one
# sentence per key in each language). «Выявить слабые места и дать рекомендации по повышению
# эффективности»: the advice follows what the source text ties to each.
ADVICE = {
    "late": "agree_deadlines",  # «согласованность и соблюдение сроков»: terms set in preparation
    "slow_stage": "stage_deadline",  # a deadline and an early look at the stage's exit items
    "rework": "client_review",  # control finds problems: let the client review before it
    "low_score": "final_meeting",  # «окончательный разговор… дается обратная связь»
    "no_feedback": "ask_feedback",  # «анализировать обратную связь клиентов»
    "principle": "principle_check",  # assess the principle on each engagement, discuss misses
    "over_budget": "rebudget",  # «эффективность и оптимизация»: budgets from hours logged
    "service_late": "service_plan",  # the service's own plan and resources
    "service_rate": "service_price",  # its price against its hours
}
# The quality the client judges lowest → what the text ties to it («скорость выполнения,
# точность, доступность и вежливое обслуживание»).
QUALITY_ADVICE = {
    "speed": "plan_resources",  # preparation: «определяются сроки… выбираются ресурсы»
    "accuracy": "agree_requirements",  # «соответствием ожиданиям и требованиям клиента»
    "availability": "agree_interaction",  # «порядок взаимодействия с клиентом», transparency
    "courtesy": "train_staff",  # launch: «обучить персонал»; communication: «открытость»
}


def advice(finding: Finding) -> str:
    """The advice key for a weak spot: by its code, and for the weakest quality by the
    quality; "" for a code without advice."""
    if finding.code == "weak_dimension":
        return QUALITY_ADVICE.get(finding.subject, "final_meeting")
    return ADVICE.get(finding.code, "")


def findings(overall: Stats, services: Sequence[ServiceStats] = ()) -> list[Finding]:
    """The weak spots, most telling first; each carries the numbers its sentence quotes."""
    out: list[Finding] = []
    o = overall
    if o.on_time.late and o.on_time.rate is not None and o.on_time.rate < ON_TIME_TARGET:
        out.append(
            Finding(
                "late",
                "",
                {
                    "late": o.on_time.late,
                    "count": o.on_time.count,
                    "rate": o.on_time.rate,
                    "mean_days": o.on_time.late_mean_days,
                    "max_days": o.on_time.late_max_days,
                },
            )
        )
    if o.slowest and o.slowest_ratio is not None and o.slowest_ratio >= SLOW_RATIO:
        slow = next(s for s in o.stages if s.id == o.slowest)
        out.append(
            Finding(
                "slow_stage", o.slowest, {"mean_days": slow.mean_days, "ratio": o.slowest_ratio}
            )
        )
    if o.rework.rate is not None and o.rework.rate >= REWORK_LIMIT:
        values = {"with": o.rework.count, "count": o.count, "rate": o.rework.rate}
        out.append(Finding("rework", "", values | {"mean": o.rework.mean}))
    sat = o.satisfaction
    if sat.score is not None and sat.score < SCORE_TARGET:
        out.append(Finding("low_score", "", {"score": sat.score, "count": sat.count}))
    if sat.weakest:
        weak = next(d for d in sat.dimensions if d.id == sat.weakest)
        if weak.mean is not None and weak.mean < SCORE_TARGET:
            out.append(Finding("weak_dimension", weak.id, {"mean": weak.mean, "score": sat.score}))
    if sat.without:
        out.append(Finding("no_feedback", "", {"without": sat.without, "count": o.count}))
    if o.principles.least:
        least = next(p for p in o.principles.items if p.id == o.principles.least)
        if least.rate is not None and least.rate < PRINCIPLE_TARGET:
            out.append(
                Finding(
                    "principle",
                    least.id,
                    {
                        "honoured": least.honoured,
                        "count": least.honoured + least.not_honoured,
                        "rate": least.rate,
                    },
                )
            )
    m = o.money
    if m.over_budget:
        out.append(
            Finding(
                "over_budget",
                "",
                {"over": m.over_budget, "with_budget": m.with_budget, "hours": m.over_hours},
            )
        )
    out.extend(_service_findings(overall, services))
    return out


def _service_findings(overall: Stats, services: Sequence[ServiceStats]) -> list[Finding]:
    if len(services) < 2:
        return []
    out = []
    base = overall.on_time.rate
    for s in services:
        rate = s.stats.on_time.rate
        if base is not None and rate is not None and rate <= base - SERVICE_GAP:
            values = {"on_time": s.stats.on_time.on_time, "count": s.stats.on_time.count}
            out.append(Finding("service_late", s.id, values | {"rate": rate, "overall": base}))
    currencies = sorted({c for s in services for c in s.stats.money.rates})
    for currency in currencies:
        rated = [
            (s.stats.money.rates[currency], s) for s in services if currency in s.stats.money.rates
        ]
        if len(rated) < 2:
            continue
        low, worst = min(rated, key=lambda r: r[0])
        high, best = max(rated, key=lambda r: r[0])
        if low < high * RATE_GAP:
            out.append(
                Finding(
                    "service_rate",
                    worst.id,
                    {"rate": low, "currency": currency, "best_rate": high, "best": best.id},
                )
            )
    return out


# --- a service's delivery gates, met by the figures of its engagements ----------------------

# «Обеспечить высокое качество обслуживания, своевременность»: the service's gates that its
# closed engagements' figures meet (gate id → the target of svctrack.toml's `[targets]`).
FIGURE_GATES = {"on-schedule": "on_time", "quality-assured": "score"}


@dataclass(frozen=True)
class Targets:
    """What the figures must reach: svctrack.toml's `[targets]`, or the defaults."""

    on_time: Decimal = ON_TIME_TARGET
    score: Decimal = SCORE_TARGET


def targets(config: dict[str, Any]) -> Targets:
    """The workspace's targets; a wrong value (see `fields.target_problem`) is refused."""
    problems = targets_problems(config)
    if problems:
        raise Refused(
            msg("at_place", place="svctrack.toml", message=problems[0][1]),
            hint=msg("see_validate"),
        )
    table = config.get("targets", {})
    return Targets(**{k: Decimal(v) for k, v in table.items()})


@dataclass(frozen=True)
class GateFigure:
    """The figure that decides a gate: its value against its target, and what it stands on."""

    gate: str
    figure: str  # "on_time" (a share) or "score" (a mean, 1–5)
    value: Decimal | None  # None: no closed engagement to judge by
    target: Decimal
    count: int  # engagements the figure stands on: closed with a due date, or with feedback
    part: int | None  # on_time: how many of `count` closed on time
    engagements: tuple[str, ...]  # the closed engagements of the service

    @property
    def met(self) -> bool:
        return self.value is not None and self.value >= self.target


def gate_figures(facts: Sequence[Closed], goals: Targets) -> dict[str, GateFigure]:
    """For each gate of FIGURE_GATES, the figure of a service's closed engagements (`facts`)
    that meets it or not."""
    ids = tuple(sorted(f.id for f in facts))
    on_time, satisfaction = _on_time(facts), _satisfaction(facts)
    return {
        "on-schedule": GateFigure(
            "on-schedule",
            "on_time",
            on_time.rate,
            goals.on_time,
            on_time.count,
            on_time.on_time,
            ids,
        ),
        "quality-assured": GateFigure(
            "quality-assured",
            "score",
            satisfaction.score,
            goals.score,
            satisfaction.count,
            None,
            ids,
        ),
    }


def met_by_figures(figures: dict[str, GateFigure]) -> frozenset[str]:
    return frozenset(g for g, f in figures.items() if f.met)


# --- hours by period ------------------------------------------------------------------------

HOURS_BY = ("owner", "service", "client")


@dataclass(frozen=True, slots=True)
class Logged:
    """One `[[time]]` entry, with the item it was logged on."""

    item: str
    service: str  # an engagement's service; a service's own id
    client: str
    person: str  # who logged it (`by`), else the item's owner
    on: date
    hours: Decimal


@dataclass(frozen=True, slots=True)
class Burn:
    """An open engagement's hours against its budget."""

    id: str
    name: str
    client: str
    service: str
    owner: str
    effort: Effort


@dataclass(frozen=True, slots=True)
class TimeFacts:
    """What the hours report keeps of one item: its logs, and its burn when it is an open
    engagement with a budget."""

    logs: tuple[Logged, ...]
    burn: Burn | None


def time_facts(item: Item, pipeline: Pipeline, default_currency: str = "") -> TimeFacts:
    service = item.service if item.kind == "engagement" else item.id
    owner = " ".join(item.owner.split())
    logs = tuple(
        Logged(item.id, service, item.client, " ".join(t.by.split()) or owner, t.on, t.hours)
        for t in item.time
    )
    burn = None
    if item.kind == "engagement" and item.stage not in pipeline.ends and item.budget_hours:
        burn = Burn(item.id, item.name, item.client, service, owner, effort(item, default_currency))
    return TimeFacts(logs, burn)


@dataclass(frozen=True)
class HourGroup:
    key: str  # the person, service id or client ("": none)
    hours: Decimal
    entries: int
    items: tuple[str, ...]


@dataclass(frozen=True)
class Hours:
    """`report --hours`: hours logged in the period by the date of each log, grouped; and
    the budget burn of the open engagements, the most burnt first."""

    period: Period
    today: date
    by: str
    total: Decimal
    entries: int
    groups: tuple[HourGroup, ...]  # most hours first
    burn: tuple[Burn, ...]

    @property
    def over_budget(self) -> tuple[Burn, ...]:
        return tuple(b for b in self.burn if b.effort.over_budget)


def hours(
    facts: Iterable[TimeFacts],
    today: date,
    *,
    period: Period | None = None,
    by: str = "owner",
    service: str | None = None,
) -> Hours:
    """The hours of `facts` (see `time_facts`) logged in `period`, grouped `by` the person who
    logged them, the service or the client; `service` keeps one service's."""
    period = period or Period()
    groups: dict[str, list[Logged]] = {}
    burns: list[Burn] = []
    for fact in facts:
        for log in fact.logs:
            if (service is None or log.service == service) and log.on in period:
                key = {"owner": log.person, "service": log.service, "client": log.client}[by]
                groups.setdefault(key.casefold() if by != "service" else key, []).append(log)
        if fact.burn is not None and (service is None or fact.burn.service == service):
            burns.append(fact.burn)
    rows = [
        HourGroup(
            logs[0].person if by == "owner" else logs[0].client if by == "client" else key,
            sum((log.hours for log in logs), Decimal(0)),
            len(logs),
            tuple(sorted({log.item for log in logs})),
        )
        for key, logs in groups.items()
    ]
    rows.sort(key=lambda g: (-g.hours, not g.key, g.key.casefold()))
    burns.sort(key=lambda b: (-(b.effort.burn or 0), b.id))
    return Hours(
        period,
        today,
        by,
        sum((g.hours for g in rows), Decimal(0)),
        sum(g.entries for g in rows),
        tuple(rows),
        tuple(burns),
    )


# --- the timeline ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Bar:
    """One open engagement on the timeline: from its start to its due date."""

    id: str
    name: str
    client: str
    service: str
    stage: str
    start: date | None
    due: date | None
    overdue: bool
    days_left: int | None
    owner: str = ""


@dataclass(frozen=True)
class Timeline:
    start: date  # the first day shown
    end: date  # the last day shown
    today: date
    bars: tuple[Bar, ...]

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


def monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def timeline(
    engagements: Iterable[Item],
    pipeline: Pipeline,
    today: date,
    *,
    start: date | None = None,
    weeks: int = 12,
) -> Timeline:
    """Open engagements from start to due, over `weeks` weeks from `start` (by default the
    Monday two weeks before today's), soonest start first."""
    first = start or monday(today) - timedelta(weeks=2)
    bars = []
    for item in engagements:
        if item.kind != "engagement" or item.stage in pipeline.ends:
            continue
        begin = item.start
        if begin is None:
            begin = next((h.at.date() for h in item.history if h.at is not None), None)
        bars.append(
            Bar(
                id=item.id,
                name=item.name,
                client=item.client,
                service=item.service,
                stage=item.stage,
                start=begin,
                due=item.due,
                overdue=bool(item.due and item.due < today),
                days_left=(item.due - today).days if item.due else None,
                owner=item.owner,
            )
        )
    bars.sort(key=lambda b: (b.start or date.max, b.due or date.max, b.id))
    return Timeline(first, first + timedelta(weeks=weeks) - timedelta(days=1), today, tuple(bars))
