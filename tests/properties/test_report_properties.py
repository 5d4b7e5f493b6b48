"""The report's days at each stage under random histories: a closed engagement's facts keep
its stays packed (stage and seconds) and the days are made where a figure needs them, the
median found among the seconds; every figure must be the one the days of each stay, as
decimals, give (the arithmetic the report always had), ties and stages visited twice included.
And facts unpickled make the same report as facts made."""

from __future__ import annotations

import pickle
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from itertools import pairwise

from hypothesis import given, settings
from hypothesis import strategies as st

from svctrack.domain.analysis import DAY_PLACES, _round, close_facts, mean, median, report
from svctrack.domain.model import HistoryEntry, Item
from svctrack.domain.pipeline import load_pipelines

PIPELINE = load_pipelines({})["engagement"]
STAGES = [s for s in PIPELINE.stage_ids if s not in PIPELINE.ends]
START = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
# few and small seconds, so that totals tie, once and over several visits (30 + 70 = 100)
SECONDS = st.sampled_from([0, 1, 2, 3, 7, 30, 70, 100, 432, 86400]) | st.integers(0, 10**8)

steps = st.lists(st.tuples(st.sampled_from(STAGES), SECONDS), min_size=1, max_size=8)


def engagement(n: int, visits: list[tuple[str, int]]) -> Item:
    at, history = START, []
    for stage, seconds in visits:
        history.append(HistoryEntry(stage, at))
        at += timedelta(seconds=seconds)
    history.append(HistoryEntry(PIPELINE.done or "", at))
    return Item("engagement", f"e{n:03}", stage=PIPELINE.done or "", history=history)


def expected(items: list[Item]) -> list[tuple[str, int, object, object, Decimal]]:
    """Each stage's figures as the days of each fact, held as decimals, give them."""
    spent: dict[str, list[Decimal]] = {stage: [] for stage in PIPELINE.stage_ids}
    for item in sorted(items, key=lambda i: i.id):
        days: dict[str, Decimal] = {}
        for entry, following in pairwise(item.history):
            assert entry.at is not None and following.at is not None
            seconds = int((following.at - entry.at).total_seconds())
            days[entry.to] = days.get(entry.to, Decimal(0)) + Decimal(seconds) / Decimal(86400)
        for stage, value in days.items():
            spent[stage].append(value)
    out = []
    for stage, values in spent.items():
        total = sum(values, Decimal(0))
        out.append((stage, len(values), mean(values), median(values), _round(total, DAY_PLACES)))
    return out


@settings(max_examples=300, deadline=None)
@given(st.lists(steps, min_size=1, max_size=12))
def test_days_at_each_stage_are_the_decimals_of_each_stay(histories: list) -> None:
    items = [engagement(n, visits) for n, visits in enumerate(histories)]
    facts = [f for f in (close_facts(item, PIPELINE) for item in items) if f is not None]
    made = report(facts, PIPELINE, date(2026, 11, 26))
    got = [(s.id, s.count, s.mean_days, s.median_days, s.total_days) for s in made.overall.stages]
    assert got == expected(items)
    again = [pickle.loads(pickle.dumps(f, pickle.HIGHEST_PROTOCOL)) for f in facts]
    assert again == facts
    assert report(again, PIPELINE, date(2026, 11, 26)) == made


# 23,566,032 seconds are 272.755 days, to the last digit; in four visits (these seconds) their
# days, added, are 272.7549999999999999999999999: the median rounds to 272.76 or 272.75.
ONCE = [("preparation", 23566032)]
FOUR = [
    step
    for seconds in (3355452, 2882527, 15313843, 2014210)
    for step in (("preparation", seconds), ("execution", 60))
]


def test_a_median_between_equal_seconds_is_the_days_of_its_own_stays() -> None:
    for stays, median_days in (([ONCE, ONCE, FOUR], "272.76"), ([ONCE, FOUR, FOUR], "272.75")):
        items = [engagement(n, visits) for n, visits in enumerate(stays)]
        facts = [f for f in (close_facts(item, PIPELINE) for item in items) if f is not None]
        made = report(facts, PIPELINE, date(2026, 11, 26))
        got = [
            (s.id, s.count, s.mean_days, s.median_days, s.total_days) for s in made.overall.stages
        ]
        assert got == expected(items)
        assert made.overall.stages[0].median_days == Decimal(median_days)
