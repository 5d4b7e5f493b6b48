"""The analysis in words: numbers and shares as people write them, weak spots as sentences."""

from __future__ import annotations

from decimal import Decimal

from svctrack.domain.analysis import Finding, GateFigure, _round
from svctrack.domain.pipeline import Pipeline
from svctrack.output.i18n import fill, money, word


def num(value: Decimal | int | None, lang: str) -> str:
    """A number as people write it: `9.5`, in Russian `9,5`; `—` for none."""
    if value is None:
        return "—"
    text = format(Decimal(value).normalize() + 0, "f")
    return text.replace(".", ",") if lang == "ru" else text


def pct(rate: Decimal | None, lang: str) -> str:
    """A share as a whole percentage: `67%`, in Russian `67 %`."""
    if rate is None:
        return "—"
    whole = _round(rate * 100, Decimal(1))
    return f"{whole}\u00a0%" if lang == "ru" else f"{whole}%"


def _subject(finding: Finding, pipeline: Pipeline, lang: str, names: dict[str, str]) -> str:
    """What a finding is about, in words: a stage, a quality, a principle, a service."""
    subject = finding.subject
    if finding.code == "slow_stage":
        return pipeline.state_label(subject, lang)
    if finding.code == "weak_dimension":
        return word(subject, lang)
    if finding.code == "principle":
        term = pipeline.principle(subject)
        return term.text(lang) if term else subject
    if finding.code in ("service_late", "service_rate"):
        return names.get(subject, subject)
    return subject


def recommendation(
    finding: Finding, pipeline: Pipeline, lang: str, service_names: dict[str, str] | None = None
) -> str:
    """What to do about a weak spot, in plain words (the advice the domain chose for it); ""
    for a finding without advice."""
    if not finding.advice:
        return ""
    names = service_names or {}
    best = str(finding.values.get("best", ""))
    return word(f"advice_{finding.advice}", lang).format(
        subject=_subject(finding, pipeline, lang, names), best=names.get(best, best)
    )


def sentence(
    finding: Finding, pipeline: Pipeline, lang: str, service_names: dict[str, str] | None = None
) -> str:
    """A finding as one sentence, with the numbers behind it."""
    names = service_names or {}
    v = finding.values
    fields: dict[str, str] = {"subject": _subject(finding, pipeline, lang, names)}
    for key, value in v.items():
        if key in ("rate", "overall") and finding.code != "service_rate":
            fields[key] = pct(value, lang)
        elif isinstance(value, Decimal | int) and not isinstance(value, bool):
            fields[key] = num(value, lang)
        else:
            fields[key] = str(value)
    if finding.code == "service_rate":
        fields["rate"] = money(v["rate"], v["currency"], lang)
        fields["best_rate"] = money(v["best_rate"], v["currency"], lang)
        fields["best"] = names.get(v["best"], v["best"])
    return fill(f"finding_{finding.code}", lang, **fields)


def figure_words(figure: GateFigure, lang: str) -> str:
    """The figure that decides a service's gate, against its target: `on time 5 of 6 (83%),
    target 80% · met by the figures`."""
    if figure.value is None:
        return word("figure_none", lang)
    if figure.figure == "on_time":
        shown = word("figure_on_time", lang).format(
            part=figure.part,
            count=figure.count,
            rate=pct(figure.value, lang),
            target=pct(figure.target, lang),
        )
    else:
        shown = word("figure_score", lang).format(
            score=num(figure.value, lang), count=figure.count, target=num(figure.target, lang)
        )
    return f"{shown} · {word('figures_met', lang)}" if figure.met else shown
