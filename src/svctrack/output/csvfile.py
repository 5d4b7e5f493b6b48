"""CSV files as spreadsheets read and write them: the columns, one row per item, Excel's
dialect (CRLF, a BOM), and the reading side (encodings, delimiters, headings by alias)."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from svctrack.errors import SvcError
from svctrack.messages import msg

BOM = "\ufeff"


# What export writes; import reads the same names back (the computed ones it skips).
COLUMNS = {
    "engagement": (
        "id",
        "name",
        "service",
        "client",
        "stage",
        "start",
        "due",
        "owner",
        "mode",
        "price",
        "currency",
        "contract",
        "budget_hours",
        "progress",
        "next_deadline",
        "days_left",
        "overdue",
    ),
    "service": (
        "id",
        "name",
        "stage",
        "owner",
        "mode",
        "price",
        "currency",
        "progress",
        "next_deadline",
        "overdue",
    ),
}


COMPUTED = frozenset({"kind", "progress", "next_deadline", "days_left", "overdue"})


# Headings a spreadsheet may already have (compared case- and space-insensitively).
ALIASES = {
    "title": "name",
    "название": "name",
    "наименование": "name",
    "customer": "client",
    "клиент": "client",
    "заказчик": "client",
    "услуга": "service",
    "due_date": "due",
    "deadline": "due",
    "срок": "due",
    "дата_сдачи": "due",
    "start_date": "start",
    "начало": "start",
    "дата_начала": "start",
    "responsible": "owner",
    "ответственный": "owner",
    "владелец": "owner",
    "amount": "price",
    "цена": "price",
    "стоимость": "price",
    "сумма": "price",
    "валюта": "currency",
    "договор": "contract",
    "contract_no": "contract",
    "формат": "mode",
    "режим": "mode",
    "этап": "stage",
    "стадия": "stage",
    "budget": "budget_hours",
    "бюджет_часов": "budget_hours",
}


class CsvProblem(SvcError):
    """A file svctrack cannot import as a whole (encoding, header)."""


# A cell a spreadsheet would run as a formula (OWASP "CSV injection"): `=`, `+`, `-`, `@`, a tab
# or a carriage return first, possibly behind apostrophes that a neutralised cell already has.
_FORMULA = re.compile(r"'*[=+\-@\t\r]")


def cell(value: Any) -> str:
    """A value as a CSV cell. Text (any `str`: names, clients, contracts, ids) that a spreadsheet
    would run as a formula gets a leading `'`, as OWASP advises: `=HYPERLINK(...)` is written
    `'=HYPERLINK(...)`, `-2+3` is written `'-2+3`. Numbers, dates and booleans that svctrack
    itself formats (`days_left` = -3, a price, hours, progress) stay numbers: a minus sign there
    is a negative number, never a formula, and a spreadsheet must be able to sum the column.
    `restore` undoes the `'`; so does `svctrack import csv`."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int | float):
        return str(value)
    text = str(value)
    return f"'{text}" if _FORMULA.match(text) else text


def restore(text: str) -> str:
    """The text a cell that `cell` wrote came from: the `'` that neutralised a formula is
    dropped (one apostrophe, and only before a formula's first character, so that a name such
    as `'t Hooft` stays as it is)."""
    return text[1:] if text.startswith("'") and _FORMULA.match(text, 1) else text


def export(
    items: Sequence[Any], pipelines: dict[str, Any], today: date, kind: str
) -> list[list[str]]:
    """The header and one row per item of `kind`, in id order."""
    from svctrack.domain.queries import summarize

    columns = COLUMNS[kind]
    rows = [list(columns)]
    for item in sorted((i for i in items if i.kind == kind), key=lambda i: i.id):
        summary = summarize(item, pipelines[kind], today)
        values = {
            "id": item.id,
            "name": item.name,
            "service": item.service,
            "client": item.client,
            "stage": item.stage,
            "start": item.start,
            "due": item.due,
            "owner": item.owner,
            "mode": item.mode,
            "price": item.price,
            "currency": item.currency if item.price is not None else "",
            "contract": item.contract,
            "budget_hours": item.budget_hours,
            "progress": summary.progress,
            "next_deadline": summary.next_deadline,
            "days_left": summary.days_left,
            "overdue": summary.overdue,
        }
        rows.append([cell(values[c]) for c in columns])
    return rows


def dumps(rows: list[list[str]], *, delimiter: str = ",", bom: bool = True) -> str:
    """CSV text as Excel writes it: CRLF line ends, quotes where needed, a BOM if asked."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerows(rows)
    return (BOM if bom else "") + buffer.getvalue()


def decode(raw: bytes, name: str, encoding: str = "utf-8") -> str:
    """The file's text; a UTF-8 BOM (as Excel writes it) is dropped."""
    try:
        text = raw.decode(
            "utf-8-sig" if encoding.lower().replace("_", "-") in ("utf-8", "utf8") else encoding
        )
    except LookupError:
        raise CsvProblem(
            msg("csv_encoding", encoding=repr(encoding)), hint=msg("csv_encoding_hint")
        ) from None
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise CsvProblem(
            msg("csv_not_text", place=f"{name}:{line}", encoding=encoding),
            hint=msg("csv_not_text_hint"),
        ) from None
    return text.removeprefix(BOM)


def sniff(header_line: str) -> str:
    """The delimiter of a CSV file from its header: `,`, `;` (Excel in many locales) or tab."""
    counts = {d: header_line.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def records(text: str) -> list[tuple[int, list[str]]]:
    """Rows with the line each starts on (a quoted cell may span lines)."""
    delimiter = sniff(text.split("\n", 1)[0])
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    out = []
    start = 1
    try:
        for row in reader:
            out.append((start, row))
            start = reader.line_num + 1
    except csv.Error as exc:
        raise CsvProblem(msg("csv_unreadable", line=reader.line_num, reason=str(exc))) from None
    return out


def heading(text: str) -> str:
    key = re.sub(r"[\s_\-]+", "_", text.strip().casefold()).strip("_")
    key = key.replace("deadline_", "deadline.") if key.startswith("deadline_") else key
    return ALIASES.get(key, key)
