"""Creating a workspace: its settings, its folders, its .gitignore, and the sample when asked."""

from __future__ import annotations

from pathlib import Path

from svctrack.domain.fields import parse_currency, parse_lang
from svctrack.errors import Refused, SvcError, UsageError
from svctrack.storage.paths import CONFIG, FOLDERS
from svctrack.usecases.tracker import Tracker


def init_workspace(
    path: str | Path, *, name: str = "", lang: str = "en", currency: str = "", example: bool = False
) -> Path:
    """Create a workspace folder: svctrack.toml, services/, engagements/, .gitignore.

    With `example`, the sample consultancy fills it, and names it unless `name` is given.
    """
    import tomlkit

    from svctrack.storage.atomic import write_atomic
    from svctrack.storage.paths import GITIGNORE

    parse_lang(lang)
    if not str(path).strip():
        raise UsageError("the workspace path is empty")
    currency = parse_currency(currency) if currency else ""
    root = Path(path).resolve()
    if (root / CONFIG).exists():
        raise Refused(f"{root / CONFIG} exists already")
    defaults = {"name": root.name, "currency": "RUB" if lang == "ru" else "EUR"}
    try:
        root.mkdir(parents=True, exist_ok=True)
        for folder in FOLDERS.values():
            (root / folder).mkdir(exist_ok=True)
        if example:  # first, so that a refusal leaves no workspace behind to block a retry
            from svctrack.usecases.example import fill, sample_config

            fill(Tracker(root))
            defaults |= sample_config()
        doc = tomlkit.document()
        doc.add(tomlkit.comment("svctrack workspace settings; see README.md for every key."))
        doc["name"] = name or defaults["name"]
        doc["lang"] = lang
        doc["currency"] = currency or defaults["currency"]
        ignore = root / ".gitignore"
        if not ignore.exists():
            write_atomic(ignore, GITIGNORE.encode())
        write_atomic(root / CONFIG, tomlkit.dumps(doc).encode())
    except OSError as exc:
        raise SvcError(f"cannot create a workspace at {path}: {exc.strerror or exc}") from None
    return root
