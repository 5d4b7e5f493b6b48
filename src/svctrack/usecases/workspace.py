"""Creating a workspace: its settings, its folders, its .gitignore, and the sample when asked."""

from __future__ import annotations

from pathlib import Path

from svctrack.domain.fields import parse_currency, parse_lang
from svctrack.domain.pipeline import Pipeline, load_pipelines
from svctrack.errors import Refused, SvcError, UsageError
from svctrack.messages import msg
from svctrack.storage.paths import CONFIG, FOLDERS, SCHEMAS, schema_line
from svctrack.usecases.tracker import Tracker


def init_workspace(
    path: str | Path,
    *,
    name: str = "",
    lang: str = "en",
    currency: str = "",
    example: bool = False,
    schema: bool = False,
) -> Path:
    """Create a workspace folder: svctrack.toml, services/, engagements/, .gitignore.

    With `example`, the sample consultancy fills it, and names it unless `name` is given. With
    `schema`, the JSON Schemas of its files go to `.svctrack/`, and every file svctrack creates
    in it starts with a `#:schema` line that points editors at them.
    """
    import tomlkit

    from svctrack.storage.atomic import write_atomic
    from svctrack.storage.paths import GITIGNORE

    parse_lang(lang)
    if not str(path).strip():
        raise UsageError(msg("path_empty"))
    currency = parse_currency(currency) if currency else ""
    root = Path(path).resolve()
    if (root / CONFIG).exists():
        raise Refused(msg("exists_already", path=root / CONFIG))
    defaults = {"name": root.name, "currency": "RUB" if lang == "ru" else "EUR"}
    try:
        root.mkdir(parents=True, exist_ok=True)
        for folder in FOLDERS.values():
            (root / folder).mkdir(exist_ok=True)
        if schema:  # before the example, whose files then start with their `#:schema` line
            write_schemas(root / SCHEMAS, load_pipelines({}))
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
        text = schema_line(root, "config") + tomlkit.dumps(doc)
        write_atomic(root / CONFIG, text.encode())
    except OSError as exc:
        raise SvcError(msg("cannot_create_ws", path=path, reason=exc.strerror or exc)) from None
    return root


def write_schemas(where: Path, pipelines: dict[str, Pipeline]) -> list[Path]:
    """The JSON Schemas of svctrack.toml, service and engagement files, written into the folder
    `where` (created if missing); returns the files written (those whose bytes changed)."""
    import json

    from svctrack.output.schema import schemas
    from svctrack.storage import outdir

    target = outdir.folder(str(where))
    written = []
    for name, schema in schemas(pipelines).items():
        data = (json.dumps(schema, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
        if outdir.write(target / name, data):
            written.append(target / name)
    return written
