"""User text made inert: the one function every human output passes data through."""

from __future__ import annotations

# Bidirectional controls reorder what follows them on screen; they are shown, not obeyed.
_BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def inert(value: str) -> str:
    """Control characters (terminal escape sequences among them) shown as `\\x1b`, not obeyed."""
    if value.isprintable() and not _BIDI.intersection(value):
        return value
    return "".join(_escape(c) for c in value)


def _escape(c: str) -> str:
    import unicodedata  # text that is not printable only: not on every run

    if c in "\n\t":
        return c
    if unicodedata.category(c) in ("Cc", "Cs", "Zl", "Zp") or c in _BIDI:
        code = ord(c)
        return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"
    return c  # a no-break space, a soft hyphen, a zero-width joiner: harmless


def oneline(value: str) -> str:
    """Inert text on one line: for an error message, a commit subject, a CSV-free summary."""
    return " ".join(inert(value).split())
