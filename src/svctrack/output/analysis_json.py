"""The analysis as JSON documents (Decimals and dates are written by jsonout.emit: exact
numbers, ISO dates)."""

from __future__ import annotations

from typing import Any

from svctrack.domain.analysis import Effort, GateFigure, Hours, Report, Stats, Timeline
from svctrack.domain.pipeline import Pipeline
from svctrack.output.figures import recommendation, sentence


def stats_document(s: Stats, pipeline: Pipeline) -> dict[str, Any]:
    sat, m = s.satisfaction, s.money
    return {
        "count": s.count,
        "ids": list(s.ids),
        "on_time": {
            "count": s.on_time.count,
            "on_time": s.on_time.on_time,
            "late": s.on_time.late,
            "rate": s.on_time.rate,
            "late_mean_days": s.on_time.late_mean_days,
            "late_max_days": s.on_time.late_max_days,
            "without_due": s.on_time.without_due,
        },
        "rework": {
            "count": s.rework.count,
            "rate": s.rework.rate,
            "total": s.rework.total,
            "mean": s.rework.mean,
        },
        "stages": [
            {
                "id": t.id,
                "label": pipeline.state_label(t.id, "en"),
                "count": t.count,
                "mean_days": t.mean_days,
                "median_days": t.median_days,
                "total_days": t.total_days,
            }
            for t in s.stages
        ],
        "slowest_stage": s.slowest,
        "slowest_ratio": s.slowest_ratio,
        "satisfaction": {
            "count": sat.count,
            "score": sat.score,
            "dimensions": {d.id: {"mean": d.mean, "count": d.count} for d in sat.dimensions},
            "weakest": sat.weakest,
            "without_feedback": sat.without,
        },
        "principles": {
            "rate": s.principles.rate,
            "items": [
                {
                    "id": p.id,
                    "label": term.label if (term := pipeline.principle(p.id)) else p.id,
                    "group": term.group if term else "general",
                    "honoured": p.honoured,
                    "not_honoured": p.not_honoured,
                    "not_assessed": p.not_assessed,
                    "rate": p.rate,
                }
                for p in s.principles.items
            ],
            "least_honoured": s.principles.least,
        },
        "money": {
            "revenue": [{"amount": a, "currency": c} for c, a in m.revenue.items()],
            "hours": m.hours,
            "budget_hours": m.budget_hours,
            "with_budget": m.with_budget,
            "over_budget": m.over_budget,
            "over_budget_hours": m.over_hours,
            "rate": [{"amount": a, "currency": c} for c, a in m.rates.items()],
        },
    }


def report_document(
    r: Report, pipeline: Pipeline, service_names: dict[str, str] | None = None
) -> dict[str, Any]:
    """`report --json`: every number of the report; text in English, as all JSON is."""
    return {
        "period": {"since": r.period.since, "until": r.period.until},
        "today": r.today,
        "service": r.service,
        "empty": r.empty,
        "message": "no closed engagements in this period" if r.empty else None,
        "overall": stats_document(r.overall, pipeline),
        "services": [
            {"id": s.id, "name": s.name, **stats_document(s.stats, pipeline)} for s in r.services
        ],
        "by": r.by,
        "owners": [{"owner": s.id or None, **stats_document(s.stats, pipeline)} for s in r.owners],
        "modes": [{"mode": s.id or None, **stats_document(s.stats, pipeline)} for s in r.modes],
        "findings": [
            {
                "code": f.code,
                "subject": f.subject or None,
                "values": f.values,
                "text": sentence(f, pipeline, "en", service_names),
                "advice": f.advice or None,
                "recommendation": recommendation(f, pipeline, "en", service_names) or None,
            }
            for f in r.findings
        ],
        "undated": list(r.undated),
    }


def figure_document(f: GateFigure) -> dict[str, Any]:
    """The figure that decided a service's gate (`show --json`, a gate's `figures`)."""
    return {
        "figure": f.figure,
        "value": f.value,
        "target": f.target,
        "met": f.met,
        "count": f.count,
        "on_time": f.part,
        "engagements": list(f.engagements),
    }


def hours_document(h: Hours) -> dict[str, Any]:
    """`report --hours --json`: the hours logged in the period, grouped, and the budget burn of
    the open engagements."""
    return {
        "period": {"since": h.period.since, "until": h.period.until},
        "today": h.today,
        "by": h.by,
        "hours": h.total,
        "entries": h.entries,
        "groups": [
            {"key": g.key or None, "hours": g.hours, "entries": g.entries, "items": list(g.items)}
            for g in h.groups
        ],
        "burn": [
            {
                "id": b.id,
                "name": b.name,
                "client": b.client,
                "service": b.service,
                "owner": b.owner,
                "hours": b.effort.hours,
                "budget_hours": b.effort.budget,
                "burn": b.effort.burn,
                "over_budget": b.effort.over_budget,
                "over_by": b.effort.over_by,
            }
            for b in h.burn
        ],
        "over_budget": [b.id for b in h.over_budget],
    }


def effort_document(e: Effort) -> dict[str, Any]:
    """The keys `show --json` adds: hours spent, budget_hours, burn, rate."""
    return {
        "hours": e.hours,
        "budget_hours": e.budget,
        "burn": e.burn,
        "rate": {"amount": e.rate, "currency": e.currency} if e.rate is not None else None,
    }


def timeline_document(t: Timeline) -> dict[str, Any]:
    return {
        "from": t.start,
        "to": t.end,
        "today": t.today,
        "engagements": [
            {
                "id": b.id,
                "name": b.name,
                "client": b.client,
                "service": b.service,
                "stage": b.stage,
                "start": b.start,
                "due": b.due,
                "days_left": b.days_left,
                "overdue": b.overdue,
                "owner": b.owner,
            }
            for b in t.bars
        ],
    }
