"""Deadlines as an iCalendar file (RFC 5545): all-day events, one per dated obligation.

Lines end in CRLF and are folded at 75 octets (never inside a UTF-8 character); text values are
escaped. A UID names the obligation, not its date (`engagement-acme-due@firm.svctrack`), so a
calendar that imports the file again moves the event instead of adding a second one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta

from svctrack import __version__
from svctrack.domain.ids import slugify
from svctrack.domain.model import Item
from svctrack.domain.pipeline import Pipeline
from svctrack.domain.queries import deadlines
from svctrack.output.i18n import word

LIMIT = 75  # octets a line may hold, CRLF not counted
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")


def escape(value: str) -> str:
    """A TEXT value: backslash, semicolon and comma escaped, line breaks as \\n, no controls."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    value = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return _CONTROL.sub("", value.replace("\n", "\\n"))


def fold(line: str) -> str:
    """One content line, folded: at most 75 octets a line, each continuation begun by a space."""
    data = line.encode("utf-8")
    if len(data) <= LIMIT:
        return line + "\r\n"
    out: list[str] = []
    start, room = 0, LIMIT
    while start < len(data):
        end = min(start + room, len(data))
        while end < len(data) and (data[end] & 0xC0) == 0x80:  # not inside a character
            end -= 1
        out.append(data[start:end].decode("utf-8"))
        start, room = end, LIMIT - 1
    return "\r\n ".join(out) + "\r\n"


def uid(kind: str, item_id: str, what: str, workspace: str) -> str:
    """Stable across exports: the workspace, the item and which of its dates, never the date."""
    domain = slugify(workspace) or "workspace"
    return f"{kind}-{item_id}-{what}@{domain}.svctrack"


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def calendar(
    items: Iterable[Item],
    pipelines: dict[str, Pipeline],
    today: date,
    lang: str,
    *,
    workspace: str,
    stamp: datetime,
) -> str:
    """Every dated obligation of the open items among `items`, as one VCALENDAR."""
    found = list(items)
    by_id = {i.id: i for i in found}
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:-//svctrack//svctrack {__version__}//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape(workspace)}",
    ]
    for o in deadlines(found, pipelines, today):
        item = by_id[o.id]
        pipeline = pipelines[o.kind]
        name = item.name or item.id
        if o.what == "due":
            summary = word("due_event", lang).format(name=name)
        else:
            stage = pipeline.state_label(o.what, lang)
            summary = word("deadline_event", lang).format(stage=stage, name=name)
        about = [f"{item.id} · {pipeline.state_label(item.stage, lang)}"]
        if item.client:
            about.append(f"{word('client', lang)}: {item.client}")
        if o.overdue:
            about.append(word("overdue", lang))
        about.append(f"svctrack show {item.id}")
        lines += [
            "BEGIN:VEVENT",
            f"UID:{uid(o.kind, o.id, o.what, workspace)}",
            f"DTSTAMP:{_stamp(stamp)}",
            f"DTSTART;VALUE=DATE:{o.date:%Y%m%d}",
            f"DTEND;VALUE=DATE:{o.date + timedelta(days=1):%Y%m%d}",
            f"SUMMARY:{escape(summary)}",
            f"DESCRIPTION:{escape(chr(10).join(about))}",
            f"CATEGORIES:svctrack,{o.kind}",
            "TRANSP:TRANSPARENT",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "".join(fold(line) for line in lines)
