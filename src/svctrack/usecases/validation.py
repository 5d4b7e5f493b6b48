"""Check every file of a workspace: what is broken (errors) and what looks wrong (warnings)."""

from __future__ import annotations

import difflib
import os
from collections.abc import Callable, Iterator
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from svctrack.domain.fields import currency_problem, lang_problem, targets_problems
from svctrack.domain.ids import id_problem
from svctrack.domain.model import (
    KNOWN_KEYS,
    Problem,
    aims_problem,
    check,
    item_from_data,
    pilot_problem,
    service_problem,
)
from svctrack.domain.pipeline import KINDS, Pipeline, load_pipelines
from svctrack.errors import FileProblem, SvcError
from svctrack.messages import msg
from svctrack.storage.decode import decode, parse_text
from svctrack.storage.locate import locate
from svctrack.storage.paths import CONFIG, FOLDERS
from svctrack.storage.store import Store

CONFIG_KEYS = ("name", "lang", "currency", "git", "pipelines", "principles", "targets")


@dataclass(frozen=True)
class Finding:
    """A problem located in a file (path relative to the workspace, 1-based line and column)."""

    path: str
    message: str
    severity: str = "error"
    line: int = 0
    column: int = 0


def validate(
    store: Store,
    *,
    strict: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> list[Finding]:
    """Every problem in the workspace, in file order; with `strict`, the advice that only
    `validate --strict` gives too (an engagement under way that says nothing of its goal);
    `progress` is told `(done, total)` as the item files are checked."""
    findings: list[Finding] = []
    config_text = _text(store, CONFIG, findings)
    pipelines = None
    if config_text is not None:
        try:
            config = parse_text(config_text, CONFIG)
            pipelines = load_pipelines(config, CONFIG)
            findings += _misspelt(config_text, config, CONFIG_KEYS, CONFIG)
            findings += [_at(config_text, CONFIG, p) for p in _settings(config)]
        except FileProblem as exc:
            findings.append(_finding(exc))
    if pipelines is None:
        pipelines = load_pipelines({})
    seen: dict[str, str] = {}
    listed: dict[str, list[str] | FileProblem] = {}
    for kind in KINDS:
        try:
            listed[kind] = store.names(kind)
        except FileProblem as exc:  # an unreadable folder: said once, its files unknown
            listed[kind] = exc
    names = listed["service"]
    services: AbstractSet[str] = (
        _Unlisted() if isinstance(names, FileProblem) else frozenset(filter(_is_id, names))
    )
    slots: list[list[Finding] | None] = []  # per file, in order; None: to be checked
    jobs: list[tuple[str, str]] = []
    for kind in KINDS:
        names = listed[kind]
        if isinstance(names, FileProblem):
            slots.append([_finding(names)])
            continue
        for item_id in names:
            rel = f"{FOLDERS[kind]}/{item_id}.toml"
            problem = id_problem(item_id)
            if problem:
                slots.append([Finding(rel, msg("file_name_problem", problem=problem))])
                continue
            if item_id in seen:
                said = msg("id_used_twice", id=repr(item_id), other=seen[item_id])
                slots.append([Finding(rel, said)])
            seen[item_id] = rel
            slots.append(None)
            jobs.append((kind, item_id))
    pilots = _pilots(store, [i for k, i in jobs if k == "service"], pipelines["service"])
    services_seen = Services(services, pilots, strict)
    checked = iter(_check_all(store, jobs, pipelines, services_seen, progress))
    for slot in slots:
        findings += next(checked) if slot is None else slot
    return findings


@dataclass(frozen=True)
class Services:
    """What the check of one engagement needs to know of the others: the services there are,
    which of them have not reached delivery (id → the warning), and whether `--strict`."""

    ids: AbstractSet[str]
    pilots: dict[str, str]
    strict: bool = False


def _pilots(store: Store, ids: list[str], pipeline: Pipeline) -> dict[str, str]:
    """The services that have not reached delivery, with what a pilot is warned about; a
    service file that cannot be read is left to its own findings."""
    out = {}
    for item_id in ids:
        rel = f"{FOLDERS['service']}/{item_id}.toml"
        try:
            text = decode(store.read_bytes(store.root / rel), rel)[0]
            service = item_from_data("service", item_id, parse_text(text, rel))[0]
        except (OSError, SvcError):
            continue
        problem = pilot_problem(service, pipeline)
        if problem:
            out[item_id] = problem
    return out


def _is_id(name: str) -> bool:
    return id_problem(name) is None


class _Unlisted(AbstractSet[str]):
    """The services when their folder cannot be listed: any that an engagement names may exist
    (the folder's own finding says what is wrong)."""

    def __contains__(self, name: object) -> bool:
        return True

    def __iter__(self) -> Iterator[str]:
        return iter(())

    def __len__(self) -> int:
        return 0


def _check_all(
    store: Store,
    jobs: list[tuple[str, str]],
    pipelines: dict,
    services: Services,
    progress: Callable[[int, int], None] | None,
) -> list[list[Finding]]:
    """The findings of each item file, parsed on every core for a large workspace."""
    from svctrack.storage.parallel import map_chunks

    return map_chunks(_check_chunk, jobs, (store.root, pipelines, services), progress)


def _check_chunk(
    items: list[tuple[str, str]], shared: tuple[Path, dict, Services]
) -> list[list[Finding]]:
    root, pipelines, services = shared
    store = Store(root)
    return [_check(store, kind, item_id, pipelines, services) for kind, item_id in items]


def _check(
    store: Store, kind: str, item_id: str, pipelines: dict, services: Services
) -> list[Finding]:
    """Every problem of one item file."""
    rel = f"{FOLDERS[kind]}/{item_id}.toml"
    findings: list[Finding] = []
    text = _text(store, rel, findings)
    if text is None:
        return findings
    return check_text(text, rel, kind, item_id, pipelines[kind], services)


def check_text(
    text: str,
    rel: str,
    kind: str,
    item_id: str,
    pipeline: Pipeline,
    services: AbstractSet[str] | Services,
) -> list[Finding]:
    """Every problem of `text` as the file `rel` of an item (what `validate` says of it)."""
    try:
        data = parse_text(text, rel)
    except FileProblem as exc:
        return [_finding(exc)]
    known = services if isinstance(services, Services) else Services(services, {})
    item, problems = check(kind, item_id, data, pipeline)
    dangling = service_problem(kind, item.service, known.ids)
    if dangling:
        problems.append(dangling)
    pilot = known.pilots.get(item.service) if kind == "engagement" and not item.pilot else None
    if pilot and item.stage in pipeline.stage_ids:  # an open one; `pilot = true` says it knows
        problems.append(Problem(msg("pilot_validate", warning=pilot), "service", "warning"))
    if known.strict and (aims := aims_problem(item, pipeline)):
        problems.append(aims)
    return [_at(text, rel, p) for p in problems] + _misspelt(text, data, KNOWN_KEYS, rel)


def _settings(config: dict[str, Any]) -> list[Problem]:
    """The workspace's settings that the field rules refuse (`lang`, `currency`, `targets`)."""
    problems = []
    for key, rule in (("lang", lang_problem), ("currency", currency_problem)):
        if key not in config:
            continue
        value = config[key]
        problem = rule(value) if isinstance(value, str) else f"`{key}` must be a string"
        if problem:
            problems.append(Problem(problem, key))
    problems += [Problem(problem, key) for key, problem in targets_problems(config)]
    return problems


def _text(store: Store, rel: str, findings: list[Finding]) -> str | None:
    """The text of the workspace's file `rel`, or None with what is wrong added to `findings`."""
    try:
        return decode(store.read_bytes(os.path.join(store.root, rel)), rel)[0]
    except FileProblem as exc:
        findings.append(_finding(exc))
    except OSError as exc:
        findings.append(Finding(rel, msg("cannot_read", reason=exc.strerror)))
    except SvcError as exc:
        findings.append(Finding(rel, exc.message.removeprefix(f"{rel}: ")))
    return None


def _finding(exc: FileProblem) -> Finding:
    return Finding(exc.path, exc.detail, "error", exc.line, exc.column)


def _misspelt(
    text: str, data: dict, known: frozenset[str] | tuple[str, ...], rel: str
) -> list[Finding]:
    """Top-level keys of the user's own that look like a known key misspelt."""
    out = []
    for key in data:
        if key in known:
            continue
        close = difflib.get_close_matches(key, list(known), n=1, cutoff=0.8)
        if close:
            problem = Problem(msg("misspelt", key=key, meant=close[0]), key, "warning")
            out.append(_at(text, rel, problem))
    return out


def _at(text: str, rel: str, problem: Problem) -> Finding:
    line, column = locate(text, problem.key)
    return Finding(rel, problem.message, problem.severity, line, column)
