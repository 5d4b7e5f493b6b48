"""The analysis in words: numbers and shares as people write them, weak spots as sentences."""

from __future__ import annotations

from decimal import Decimal

from svctrack.domain.analysis import Finding, _round
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


def sentence(
    finding: Finding, pipeline: Pipeline, lang: str, service_names: dict[str, str] | None = None
) -> str:
    """A finding as one sentence, with the numbers behind it."""
    names = service_names or {}
    v = finding.values
    subject = finding.subject
    if finding.code == "slow_stage":
        subject = pipeline.state_label(subject, lang)
    elif finding.code == "weak_dimension":
        subject = word(subject, lang)
    elif finding.code == "principle":
        term = pipeline.principle(subject)
        subject = term.text(lang) if term else subject
    elif finding.code in ("service_late", "service_rate"):
        subject = names.get(subject, subject)
    fields: dict[str, str] = {"subject": subject}
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
