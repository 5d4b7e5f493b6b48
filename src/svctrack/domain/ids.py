"""Item ids: the rules they follow, and how a name becomes one."""

from __future__ import annotations

import re

from svctrack.errors import UsageError
from svctrack.messages import msg

ID_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")
RESERVED = frozenset(
    ["con", "prn", "aux", "nul"]
    + [f"com{i}" for i in range(1, 10)]
    + [f"lpt{i}" for i in range(1, 10)]
)

# ICAO Doc 9303 transliteration, as in Russian passports.
_ICAO = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh",
    "з": "z", "и": "i", "й": "i", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o",
    "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts",
    "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "ie", "ы": "y", "ь": "", "э": "e", "ю": "iu",
    "я": "ia", "і": "i", "ї": "i", "є": "ie", "ґ": "g",
}  # fmt: skip


def id_problem(value: str) -> str | None:
    """Why `value` is not a valid id, or None when it is."""
    if not value:
        return msg("id_empty")
    if len(value) > 64:
        return msg("id_long", start=repr(value[:20]))
    if not ID_RE.fullmatch(value):  # match() would let a final newline through
        return msg("id_invalid", id=repr(value))
    if value in RESERVED:
        return msg("id_reserved", id=repr(value))
    return None


def check_id(value: str) -> str:
    """Return `value` when it is a valid id; raise a usage error otherwise."""
    problem = id_problem(value)
    if problem:
        raise UsageError(problem)
    return value


def transliterate(text: str) -> str:
    """Latin letters for Cyrillic ones (ICAO 9303); other text is left as it is."""
    out = []
    for char in text:
        lower = char.lower()
        out.append(_ICAO.get(lower, lower) if lower in _ICAO else char)
    return "".join(out)


def slugify(name: str) -> str:
    """An id derived from a name: 'Аудит безопасности' → 'audit-bezopasnosti'."""
    import unicodedata  # names made into ids only: not on every run

    text = unicodedata.normalize("NFKD", transliterate(name).lower())
    text = "".join(c for c in text if not unicodedata.combining(c))
    slug = re.sub(r"[^a-z0-9]+", "-", text).strip("-")
    slug = slug[:64].rstrip("-")
    if not slug:
        slug = "item"
    if slug in RESERVED:
        slug += "-1"
    return slug


def unique(base: str, taken: set[str]) -> str:
    """`base`, or `base-2`, `base-3`... whichever is free."""
    if base not in taken:
        return base
    n = 2
    while True:
        suffix = f"-{n}"
        candidate = base[: 64 - len(suffix)].rstrip("-") + suffix
        if candidate not in taken:
            return candidate
        n += 1


# Legal forms a client's name carries (`ООО «Ромашка»`, `Initech LLC`): left out of ids.
LEGAL_FORMS = frozenset(
    [
        "ooo",
        "oao",
        "zao",
        "pao",
        "ao",
        "ip",
        "nko",
        "gup",
        "mup",
        "fgup",
        "ano",
        "tov",
        "pp",
        "llc",
        "ltd",
        "inc",
        "corp",
        "co",
        "plc",
        "gmbh",
        "ag",
        "sa",
        "bv",
        "ab",
        "oy",
        "as",
    ]
)
CLIENT_PART = 24  # an engagement id's client part at most this long, whole words


def engagement_id(client: str, service_id: str) -> str:
    """A short id for a new engagement, client first: `ООО «Ромашка»` and `audit` →
    `romashka-audit` (legal forms left out, at most CLIENT_PART characters of the client)."""
    words = slugify(client).split("-")
    kept = [w for w in words if w not in LEGAL_FORMS] or words
    part = ""
    for word in kept:
        if part and len(part) + 1 + len(word) > CLIENT_PART:
            break
        part = f"{part}-{word}" if part else word[:CLIENT_PART]
    return slugify(f"{part}-{service_id}")


# The period at the end of a recurring engagement's id (`acme-retainer-2027-01`), per `every`:
# a whole word, of a year in the range svctrack keeps (`iso-27001`, `iso-9001` are no periods).
_YEAR = r"(?:^|-)(?:19|2\d)\d\d"
_PERIOD_TAIL = {
    "month": re.compile(_YEAR + r"-(?:0[1-9]|1[0-2])$"),
    "quarter": re.compile(_YEAR + r"-q[1-4]$"),
    "year": re.compile(_YEAR + r"$"),
}


def period_id(item_id: str, every: str, label: str) -> str:
    """The id of a series' next engagement: the id with its own period (if it ends with one of
    this `every`) replaced by `label`: `acme-2026-12` → `acme-2027-01`, `acme` → `acme-2027-01`."""
    base = _PERIOD_TAIL[every].sub("", item_id).rstrip("-")
    if not base:
        return label
    return base[: 63 - len(label)].rstrip("-") + "-" + label
