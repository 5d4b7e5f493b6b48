"""Check every file of a workspace: what is broken (errors) and what looks wrong (warnings)."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from pathlib import Path

from svctrack.domain.ids import id_problem
from svctrack.domain.model import KNOWN_KEYS, MODES, Item, Problem, item_from_data
from svctrack.domain.pipeline import KINDS, Pipeline, load_pipelines
from svctrack.errors import FileProblem, SvcError
from svctrack.storage.decode import decode, parse_text
from svctrack.storage.paths import CONFIG, FOLDERS
from svctrack.storage.store import Store

CONFIG_KEYS = ("name", "lang", "currency", "git", "pipelines", "principles")


@dataclass(frozen=True)
class Finding:
    """A problem located in a file (path relative to the workspace, 1-based line and column)."""

    path: str
    message: str
    severity: str = "error"
    line: int = 0
    column: int = 0


def validate(store: Store) -> list[Finding]:
    """Every problem in the workspace, in file order."""
    findings: list[Finding] = []
    config_text = _text(store, store.root / CONFIG, findings)
    pipelines = None
    if config_text is not None:
        try:
            config = parse_text(config_text, CONFIG)
            pipelines = load_pipelines(config, CONFIG)
            findings += _misspelt(config_text, config, CONFIG_KEYS, CONFIG)
            if config.get("lang", "en") not in ("en", "ru"):
                findings.append(
                    _at(config_text, CONFIG, Problem("`lang` must be en or ru", "lang"))
                )
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
                slots.append([Finding(rel, f"file name: {problem}")])
                continue
            if item_id in seen:
                slots.append([Finding(rel, f"id {item_id!r} is also used by {seen[item_id]}")])
            seen[item_id] = rel
            slots.append(None)
            jobs.append((kind, item_id))
    checked = iter(_check_all(store, jobs, pipelines, services))
    for slot in slots:
        findings += next(checked) if slot is None else slot
    return findings


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
    store: Store, jobs: list[tuple[str, str]], pipelines: dict, services: AbstractSet[str]
) -> list[list[Finding]]:
    """The findings of each item file, parsed on every core for a large workspace."""
    from svctrack.storage.parallel import map_chunks

    return map_chunks(_check_chunk, jobs, (store.root, pipelines, services))


def _check_chunk(
    items: list[tuple[str, str]], shared: tuple[Path, dict, AbstractSet[str]]
) -> list[list[Finding]]:
    root, pipelines, services = shared
    store = Store(root)
    return [_check(store, kind, item_id, pipelines, services) for kind, item_id in items]


def _check(
    store: Store, kind: str, item_id: str, pipelines: dict, services: AbstractSet[str]
) -> list[Finding]:
    """Every problem of one item file."""
    rel = f"{FOLDERS[kind]}/{item_id}.toml"
    findings: list[Finding] = []
    text = _text(store, store.root / rel, findings)
    if text is None:
        return findings
    return check_text(text, rel, kind, item_id, pipelines[kind], services)


def check_text(
    text: str, rel: str, kind: str, item_id: str, pipeline: Pipeline, services: AbstractSet[str]
) -> list[Finding]:
    """Every problem of `text` as the file `rel` of an item (what `validate` says of it)."""
    try:
        data = parse_text(text, rel)
    except FileProblem as exc:
        return [_finding(exc)]
    item, problems = item_from_data(kind, item_id, data)
    problems += _consistency(item, pipeline, services)
    return [_at(text, rel, p) for p in problems] + _misspelt(text, data, KNOWN_KEYS, rel)


def _text(store: Store, path: Path, findings: list[Finding]) -> str | None:
    rel = store.rel(path)
    try:
        return decode(store.read_bytes(path), rel)[0]
    except FileProblem as exc:
        findings.append(_finding(exc))
    except OSError as exc:
        findings.append(Finding(rel, f"cannot read: {exc.strerror}"))
    except SvcError as exc:
        findings.append(Finding(rel, exc.message.removeprefix(f"{rel}: ")))
    return None


def _finding(exc: FileProblem) -> Finding:
    return Finding(exc.path, exc.detail, "error", exc.line, exc.column)


def _consistency(item: Item, pipeline: Pipeline, services: AbstractSet[str]) -> list[Problem]:
    problems = []
    states = [*pipeline.stage_ids, *pipeline.ends]
    if item.stage and not pipeline.is_known(item.stage):
        close = difflib.get_close_matches(item.stage, states, n=1)
        hint = f" (did you mean {close[0]}?)" if close else f" (stages: {', '.join(states)})"
        problems.append(Problem(f"unknown {item.kind} stage {item.stage!r}{hint}", "stage"))
    if item.mode and item.mode not in MODES:
        problems.append(Problem(f"mode {item.mode!r} is not one of {', '.join(MODES)}", "mode"))
    for stage in item.deadlines:
        if stage not in pipeline.stage_ids:
            problems.append(Problem(f"deadline for unknown stage {stage!r}", f"deadlines.{stage}"))
    for stage, ticks in item.gates.items():
        known = pipeline.stage(stage)
        for gate in ticks:
            if known is None or known.gate(gate) is None:
                problems.append(
                    Problem(f"unknown gate item {stage}.{gate}", f"gates.{stage}.{gate}", "warning")
                )
    for key in item.principles:
        if pipeline.principle(key) is None:
            problems.append(
                Problem(f"{key!r} is not a {item.kind} principle", f"principles.{key}", "warning")
            )
    if item.kind == "engagement":
        for key in ("service", "client", "due"):
            if not getattr(item, key):
                problems.append(Problem(f"`{key}` is missing", key))
        if item.service and item.service not in services:
            problems.append(
                Problem(
                    f"service {item.service!r} does not exist (no services/{item.service}.toml)",
                    "service",
                )
            )
        if item.start and item.due and item.due < item.start:
            problems.append(
                Problem(f"due {item.due} is before start {item.start}", "due", "warning")
            )
    if item.history and item.stage and pipeline.is_known(item.stage):
        last = item.history[-1].to
        if last != item.stage:
            problems.append(
                Problem(
                    f"stage is {item.stage!r} but the history ends at {last!r} (edited by hand?)",
                    "stage",
                    "warning",
                )
            )
    elif not item.history:
        problems.append(Problem("no [[history]]: the creation entry is missing", "", "warning"))
    return problems


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
            problem = Problem(f"`{key}` looks like a misspelling of `{close[0]}`", key, "warning")
            out.append(_at(text, rel, problem))
    return out


def _at(text: str, rel: str, problem: Problem) -> Finding:
    line, column = locate(text, problem.key)
    return Finding(rel, problem.message, problem.severity, line, column)


_ENTRY = re.compile(r"^([A-Za-z0-9_-]+)\[(\d+)\](?:\.(.+))?$")


def locate(text: str, key: str) -> tuple[int, int]:
    """Best-effort 1-based line and column of a dotted key (`stage`, `deadlines.control`) or of
    an entry of an array of tables and a key in it (`history[2]`, `history[2].at`)."""
    if not key:
        return 0, 0
    lines = [line.rstrip("\r") for line in text.split("\n")]
    entry = _ENTRY.match(key)
    if entry:
        return _locate_entry(lines, entry[1], int(entry[2]), entry[3] or "")
    *tables, last = key.split(".")
    start = 0
    if tables:
        header = re.compile(
            r"^\s*\[\s*" + r"\s*\.\s*".join(re.escape(t) for t in tables) + r"\s*\]"
        )
        for number, line in enumerate(lines):
            if header.match(line):
                start = number + 1
                break
    return _key_line(lines, last, start, len(lines))


def _key_line(lines: list[str], key: str, start: int, end: int) -> tuple[int, int]:
    pattern = re.compile(r'^(\s*)["\']?' + re.escape(key) + r'["\']?\s*=')
    for number in range(start, end):
        found = pattern.match(lines[number])
        if found:
            return number + 1, len(found[1]) + 1
    return 0, 0


def _locate_entry(lines: list[str], name: str, number: int, key: str) -> tuple[int, int]:
    """The `number`th `[[name]]` header, or `key` within that entry."""
    header = re.compile(r"^(\s*)\[\[\s*[\"']?" + re.escape(name) + r"[\"']?\s*\]\]")
    starts = [n for n, line in enumerate(lines) if header.match(line)]
    if len(starts) < number:
        return _key_line(lines, name, 0, len(lines))  # an inline array: its line
    start = starts[number - 1]
    if key:
        end = next(
            (n for n in range(start + 1, len(lines)) if lines[n].lstrip().startswith("[")),
            len(lines),
        )
        line, column = _key_line(lines, key, start + 1, end)
        if line:
            return line, column
    found = header.match(lines[start])
    return start + 1, len(found[1]) + 1 if found else 1
