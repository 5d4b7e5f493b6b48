"""Shell completion: ids from file names, and the one named file when gate items are wanted.

Loaded only while the shell asks for completions (cli.py's hooks import it lazily). Nothing here
parses the whole workspace; a failure of any kind completes nothing rather than print an error.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from svctrack.storage.paths import CONFIG, FOLDERS, find_root
from svctrack.tomlparse import tomllib

Choices = list[tuple[str, str]]


def _quiet(build: Callable[..., Choices]) -> Callable[..., Choices]:
    def run(ctx: click.Context, incomplete: str) -> Choices:
        try:
            return [c for c in build(ctx, incomplete) if c[0].startswith(incomplete)]
        except Exception:  # completion must never print a traceback into the shell
            return []

    return run


def _root(ctx: click.Context) -> Path:
    return find_root(ctx.find_root().params.get("workspace"))


def _ids(root: Path, kind: str) -> list[str]:
    folder = root / FOLDERS[kind]
    try:
        names = sorted(p.name for p in folder.iterdir())
    except OSError:
        return []
    return [n[:-5] for n in names if n.endswith(".toml") and not n.startswith(".")]


def _pipelines(root: Path) -> Any:
    from svctrack.domain.pipeline import load_pipelines

    with open(root / CONFIG, "rb") as handle:
        return load_pipelines(tomllib.load(handle), CONFIG)


def _named(ctx: click.Context, root: Path) -> tuple[str, str] | None:
    """(kind, id) of the item named earlier on the line: an exact id or a unique prefix."""
    ref = ctx.params.get("item")
    if not isinstance(ref, str) or not ref:
        return None
    found = [(k, i) for k in FOLDERS for i in _ids(root, k) if i == ref]
    if not found:
        found = [(k, i) for k in FOLDERS for i in _ids(root, k) if i.startswith(ref)]
    return found[0] if len(found) == 1 else None


@_quiet
def ids(ctx: click.Context, incomplete: str) -> Choices:
    """Every item id, services and engagements."""
    root = _root(ctx)
    return [(i, kind) for kind in FOLDERS for i in _ids(root, kind)]


@_quiet
def services(ctx: click.Context, incomplete: str) -> Choices:
    return [(i, "service") for i in _ids(_root(ctx), "service")]


@_quiet
def engagements(ctx: click.Context, incomplete: str) -> Choices:
    return [(i, "engagement") for i in _ids(_root(ctx), "engagement")]


@_quiet
def stages(ctx: click.Context, incomplete: str) -> Choices:
    """Stage ids of the pipeline the command lists (`service list`, `engagement list`)."""
    root = _root(ctx)
    pipelines = _pipelines(root)
    parent = ctx.parent.info_name if ctx.parent else ""
    kinds = [parent] if parent in pipelines else list(pipelines)
    out: Choices = []
    for kind in kinds:
        pipeline = pipelines[kind]
        out += [(s.id, s.label) for s in pipeline.stages]
        out += [(end, end) for end in pipeline.ends]
    return list(dict.fromkeys(out))


@_quiet
def gates(ctx: click.Context, incomplete: str) -> Choices:
    """Gate items of the named item's current stage (open ones first), then its principles."""
    root = _root(ctx)
    named = _named(ctx, root)
    if named is None:
        return []
    kind, item_id = named
    with open(root / FOLDERS[kind] / f"{item_id}.toml", "rb") as handle:
        data = tomllib.load(handle)
    pipeline = _pipelines(root)[kind]
    stage = pipeline.stage(str(data.get("stage", "")))
    ticks = data.get("gates", {}).get(stage.id, {}) if stage else {}
    done = {k for k, v in ticks.items() if v is True or (isinstance(v, dict) and v.get("done"))}
    items = list(stage.gates) if stage else []
    items.sort(key=lambda g: g.id in done)
    return [(g.id, g.label) for g in items] + [(p.id, p.label) for p in pipeline.principles]


@_quiet
def fields(ctx: click.Context, incomplete: str) -> Choices:
    """The fields `set` takes for the named item's kind, with its pipeline's stages."""
    from svctrack.domain.fields import ENGAGEMENT_ONLY, SETTABLE

    root = _root(ctx)
    named = _named(ctx, root)
    kinds = [named[0]] if named else list(FOLDERS)
    pipelines = _pipelines(root)
    out: Choices = []
    for kind in kinds:
        out += [(f, "field") for f in SETTABLE if kind == "engagement" or f not in ENGAGEMENT_ONLY]
        out += [(f"deadline.{s.id}", s.label) for s in pipelines[kind].stages]
        if kind == "service":
            departments = ["marketing", "development", "production"]
            if named:
                with open(root / FOLDERS[kind] / f"{named[1]}.toml", "rb") as handle:
                    roles = tomllib.load(handle).get("roles", {})
                departments += [d for d in roles if d not in departments]
            out += [(f"role.{d}", "who answers for it") for d in departments]
    return list(dict.fromkeys(out))


@_quiet
def channels(ctx: click.Context, incomplete: str) -> Choices:
    from svctrack.domain.fields import CHANNELS

    return [(c, "channel") for c in CHANNELS]


@_quiet
def modes(ctx: click.Context, incomplete: str) -> Choices:
    from svctrack.domain.fields import MODES

    return [(m, "delivery mode") for m in MODES]


@_quiet
def doc_kinds(ctx: click.Context, incomplete: str) -> Choices:
    from svctrack.domain.fields import DOC_KINDS

    return [(k, "document") for k in DOC_KINDS]


@_quiet
def doc_statuses(ctx: click.Context, incomplete: str) -> Choices:
    from svctrack.domain.fields import DOC_STATUSES

    return [(k, "document status") for k in DOC_STATUSES]


@_quiet
def config_keys(ctx: click.Context, incomplete: str) -> Choices:
    from svctrack.storage.userconfig import USER_KEYS

    return list(USER_KEYS.items())
