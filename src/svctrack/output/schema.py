"""JSON Schema (draft 2020-12) for `svctrack.toml`, service files and engagement files, for
editors (taplo, VS Code's Even Better TOML): completion, hover text and errors as you type.

The schemas are made from the rules svctrack reads files with, not written out by hand: the keys
and their kinds from `domain.model` (text, date, amount, the tables and arrays of tables), modes,
channels, the client's qualities and the score range from there too, the currency code from
`domain.fields`, the languages from `output.i18n`, and the stages, gate items and principles from
the workspace's own pipelines. A key svctrack does not know is always allowed
(`additionalProperties`), as `validate` never warns about the user's own keys; gate items and
principles a pipeline lacks are allowed too, as `validate` only warns about them.

TOML dates and datetimes are strings to a schema (`format: date`, `format: date-time`: an offset
datetime, as `[[history]]` needs; taplo checks both).
"""

from __future__ import annotations

from typing import Any

from svctrack.domain.fields import (
    CHANNELS,
    CURRENCY_CODE,
    DOC_KINDS,
    DOC_STATUSES,
    LANGS,
    MODES,
    PERIODS,
    SCORES,
    TARGETS,
)
from svctrack.domain.model import (
    AMOUNT_FIELDS,
    DATE_FIELDS,
    ENTRIES,
    FLAG_FIELDS,
    KNOWN_KEYS,
    QUALITY,
    TABLES,
    TEXT_FIELDS,
)
from svctrack.domain.pipeline import GROUPS, KINDS, Pipeline
from svctrack.messages import msg

DRAFT = "https://json-schema.org/draft/2020-12/schema"
CONFIG_FILE = "svctrack.schema.json"
FILES = {"config": CONFIG_FILE} | {kind: f"{kind}.schema.json" for kind in KINDS}

Schema = dict[str, Any]

# What each key means, as docs/file-format.md says it (hover text in an editor).
_ITEM_KEYS = {
    "name": "The item's name.",
    "stage": "The current stage id, or an end state (`cancelled`, or the pipeline's `done`). "
    "A plain key: `svctrack validate` checks it against the history.",
    "service": "The id of the service delivered (a file services/<id>.toml).",
    "client": "The client.",
    "start": "When the work starts.",
    "due": "The date the client expects the result.",
    "owner": "Who answers for the item.",
    "mode": "How the service is delivered.",
    "price": "The agreed price, exact (1250.50 stays 1250.50).",
    "currency": "The price's currency: a three-letter ISO 4217 code (EUR, RUB, USD).",
    "contract": "The contract's number or name.",
    "budget_hours": "Hours budgeted, compared with the [[time]] log.",
    "goal": "What the client wants from the engagement.",
    "needs": "The client's concrete need or problem.",
    "every": "A recurring engagement: closing it creates the next period's.",
    "pilot": "true: knowingly of a service that has not reached delivery (no warning).",
    "documents": "The engagement's documents (`svctrack doc`): all signed ticks documents-signed.",
    "roles": "Who answers for each department: marketing, development, production, sales, ...",
    "deadlines": "The date by which each stage must be finished; it counts while the item is at "
    "that stage or before it.",
    "gates": "The ticks of each stage's exit checklist: stage → gate item → mark.",
    "principles": "Whether the item honours each principle of its kind: true (honoured), false "
    "(not honoured), absent (not assessed).",
    "history": "Creation and every transition, appended by svctrack.",
    "notes": "Communication with the client: what was said, when, through which channel.",
    "feedback": "The client's judgement of an engagement.",
    "time": "Hours spent (`svctrack log`).",
    "reports": "Services: monitoring reports saved for it (`svctrack report -o FILE`).",
}
_ENGAGEMENT_ONLY = (
    *("service", "client", "start", "due", "contract", "budget_hours", "feedback"),
    *("goal", "needs", "every", "documents", "pilot"),
)
_CONFIG_KEYS = {
    "name": "The firm's or team's name: the dashboard's heading, the client report's sender.",
    "lang": "The language of labels for this workspace (--lang overrides it).",
    "currency": "The currency of a price that names none: a three-letter ISO 4217 code.",
    "git": "Git settings.",
    "pipelines": "Pipelines of your own, each replacing the default of its kind wholesale.",
    "principles": "Words for principles: new ones for a default principle, or for your own.",
    "targets": "What a service's closed engagements must reach for its delivery gates "
    "`on-schedule` and `quality-assured` to be met by their figures.",
}


def schemas(pipelines: dict[str, Pipeline]) -> dict[str, Schema]:
    """The three schemas by file name: svctrack.schema.json, service.schema.json and
    engagement.schema.json."""
    out = {CONFIG_FILE: config_schema()}
    for kind in KINDS:
        out[FILES[kind]] = item_schema(pipelines[kind])
    return out


def _text(description: str, **more: Any) -> Schema:
    return {"type": "string", "description": description, **more}


def _words(what: str) -> Schema:
    return {
        "label": _text(f"The {what}'s words in English (or your own); default: the id."),
        "ru": _text(f"The {what}'s words in Russian."),
    }


def _currency(description: str) -> Schema:
    return _text(description, pattern=f"^{CURRENCY_CODE}$")


def config_schema() -> Schema:
    """`svctrack.toml`: the workspace's settings and its own pipelines."""
    identified = {"id": _text("The id, as item files and commands write it.")}
    term: Schema = {
        "type": "object",
        "required": ["id"],
        "properties": identified,
        "additionalProperties": True,
    }
    gate = term | {"properties": identified | _words("gate item")}
    stage = term | {
        "properties": identified
        | _words("stage")
        | {
            "gates": {
                "type": "array",
                "description": "The stage's exit checklist.",
                "items": gate,
            }
        }
    }
    pipeline: Schema = {
        "type": "object",
        "required": ["stages"],
        "properties": {
            "label": _text("The kind's name in views."),
            "ru": _text("The kind's name in Russian."),
            "stages": {
                "type": "array",
                "minItems": 1,
                "description": "The stages in order.",
                "items": stage,
            },
            "back": {
                "type": "object",
                "description": "The ways back for `rework`: stage → an earlier stage.",
                "additionalProperties": {"type": "string"},
            },
            "principles": {
                "type": "array",
                "description": "The principle ids checked on this kind.",
                "items": {"type": "string"},
            },
            "done": _text(
                "The state after the last stage (`closed` for engagements); without it an item "
                "has no end but `cancel`."
            ),
        },
        "additionalProperties": True,
    }
    properties: dict[str, Schema] = {
        "name": _text(_CONFIG_KEYS["name"]),
        "lang": {"enum": list(LANGS), "description": _CONFIG_KEYS["lang"]},
        "currency": _currency(_CONFIG_KEYS["currency"]),
        "git": {
            "type": "object",
            "description": _CONFIG_KEYS["git"],
            "properties": {
                "commit": {"type": "boolean", "description": "true: commit each change."}
            },
            "additionalProperties": True,
        },
        "pipelines": {
            "type": "object",
            "description": _CONFIG_KEYS["pipelines"],
            "properties": {
                kind: pipeline | {"description": f"The {kind} pipeline."} for kind in KINDS
            },
            "additionalProperties": True,
        },
        "principles": {
            "type": "object",
            "description": _CONFIG_KEYS["principles"],
            "additionalProperties": {
                "type": "object",
                "properties": _words("principle")
                | {
                    "group": {
                        "enum": list(GROUPS),
                        "description": "`general` (realization and delivery; the default) or "
                        "`delivery` (of delivery alone).",
                    }
                },
                "additionalProperties": True,
            },
        },
        "targets": {
            "type": "object",
            "description": _CONFIG_KEYS["targets"],
            "properties": {
                key: {
                    "type": "number",
                    "minimum": float(low),
                    "maximum": float(high),
                    "default": float(default),
                    "description": f"{msg(what)[0].upper()}{msg(what)[1:]} to reach.",
                }
                for key, (default, low, high, what) in TARGETS.items()
            },
            "additionalProperties": False,
        },
    }
    return {
        "$schema": DRAFT,
        "title": "svctrack workspace settings (svctrack.toml)",
        "description": "The settings of a svctrack workspace. Keys of your own are welcome.",
        "type": "object",
        "properties": properties,
        "additionalProperties": True,
    }


def _mark(what: str, description: str) -> Schema:
    """A gate item's or a principle's mark: true, false, or a table with a note."""
    return {
        "description": description,
        "anyOf": [
            {"type": "boolean"},
            {
                "type": "object",
                "properties": {
                    "ok": {"type": "boolean", "description": f"{what} (either key)."},
                    "done": {"type": "boolean", "description": f"{what} (either key)."},
                    "note": _text("Why, or what was agreed."),
                },
                "additionalProperties": True,
            },
        ],
    }


def _moment(description: str) -> Schema:
    return _text(
        description + " An offset datetime: 2026-10-05T09:15:00+03:00.", format="date-time"
    )


def _entries() -> dict[str, Schema]:
    low, high = SCORES
    score = {"type": "integer", "minimum": low, "maximum": high}
    history = {
        "from": _text("The stage left; absent on the creation entry."),
        "to": _text("The stage or end state entered."),
        "at": _moment("When."),
        "by": _text("Who."),
        "note": _text("Why (`--note`)."),
        "forced": {
            "type": "boolean",
            "description": "true only when `advance --force` skipped open gate items.",
        },
        "skipped": {
            "type": "array",
            "items": {"type": "string"},
            "description": "With `forced`: the gate items skipped.",
        },
    }
    notes = {
        "at": _moment("When it was logged."),
        "channel": {
            "enum": [*CHANNELS, ""],
            "description": "The channel; empty or absent reads as `other`.",
        },
        "by": _text("Who logged it."),
        "text": _text("What was said or agreed."),
    }
    feedback: dict[str, Schema] = {
        "at": _moment("When it was recorded."),
        "score": score | {"description": "Overall satisfaction."},
    }
    for quality in QUALITY:
        feedback[quality] = score | {"description": f"The client's mark for {quality}."}
    feedback["comment"] = _text("The client's words.")
    time = {
        "date": _text("The day worked.", format="date"),
        "hours": {
            "type": "number",
            "exclusiveMinimum": 0,
            "description": "Hours that day, exact.",
        },
        "by": _text("Who worked."),
        "note": _text("On what."),
    }
    reports = {
        "at": _moment("When the report was saved."),
        "by": _text("Who saved it."),
        "file": _text("The name of the file written."),
    }
    documents = {
        "kind": {"enum": list(DOC_KINDS), "description": "What document it is."},
        "name": _text("Its name or number."),
        "status": {
            "enum": list(DOC_STATUSES),
            "description": "Where it stands; absent reads as `draft`.",
        },
        "date": _text("The day its status was last set.", format="date"),
    }
    required = {"feedback": ["score"], "time": ["date", "hours"], "documents": ["kind"]}
    shapes = {
        "history": history,
        "notes": notes,
        "feedback": feedback,
        "time": time,
        "reports": reports,
        "documents": documents,
    }
    return {
        key: {
            "type": "array",
            "description": _ITEM_KEYS[key],
            "items": {
                "type": "object",
                "properties": shape,
                "required": required.get(key, []),
                "additionalProperties": True,
            },
        }
        for key, shape in shapes.items()
    }


def item_schema(pipeline: Pipeline) -> Schema:
    """A service or engagement file of this pipeline: its stages, gate items and principles."""
    kind = pipeline.kind
    states = [*pipeline.stage_ids, *pipeline.ends]
    properties: dict[str, Schema] = {}
    for key in TEXT_FIELDS:
        properties[key] = _text(_ITEM_KEYS[key])
    properties["stage"] |= {"enum": states}
    properties["mode"] |= {"enum": list(MODES)}
    properties["every"] |= {"enum": list(PERIODS)}
    properties["currency"] = _currency(_ITEM_KEYS["currency"])
    for key in DATE_FIELDS:
        properties[key] = _text(_ITEM_KEYS[key], format="date")
    for key in AMOUNT_FIELDS:
        properties[key] = {"type": "number", "minimum": 0, "description": _ITEM_KEYS[key]}
    for key in FLAG_FIELDS:
        properties[key] = {"type": "boolean", "description": _ITEM_KEYS[key]}
    gates = {
        stage.id: {
            "type": "object",
            "description": f"Gate items of {stage.id} ({stage.label}).",
            "properties": {g.id: _mark("Done", g.label) for g in stage.gates},
            "additionalProperties": _mark("Done", "A gate item."),
        }
        for stage in pipeline.stages
    }
    tables: dict[str, Schema] = {
        "roles": {
            "type": "object",
            "description": _ITEM_KEYS["roles"],
            "additionalProperties": _text("The person who answers for this department."),
        },
        "deadlines": {
            "type": "object",
            "description": _ITEM_KEYS["deadlines"],
            "propertyNames": {"enum": list(pipeline.stage_ids)},
            "additionalProperties": _text("The stage's deadline.", format="date"),
        },
        "gates": {
            "type": "object",
            "description": _ITEM_KEYS["gates"],
            "properties": gates,
            "additionalProperties": {
                "type": "object",
                "additionalProperties": _mark("Done", "A gate item."),
            },
        },
        "principles": {
            "type": "object",
            "description": _ITEM_KEYS["principles"],
            "properties": {p.id: _mark("Honoured", p.label) for p in pipeline.principles},
            "additionalProperties": _mark("Honoured", "A principle."),
        },
    }
    properties |= {key: tables[key] for key in TABLES}
    entries = _entries()
    properties |= {key: entries[key] for key in ENTRIES}
    missing = KNOWN_KEYS - properties.keys()
    if missing:  # a key the model reads has no schema: say so rather than ship a gap
        raise ValueError(f"no schema for {sorted(missing)}")
    if kind != "engagement":
        for key in _ENGAGEMENT_ONLY:
            properties[key] = properties[key] | {
                "description": properties[key]["description"]
                + " (An engagement's key: svctrack does not write it on a service.)"
            }
    required = ["stage"]
    if kind == "engagement":
        required += ["service", "client", "due"]
        for key in ("service", "client"):
            properties[key] |= {"minLength": 1}
    return {
        "$schema": DRAFT,
        "title": f"svctrack {kind} file ({pipeline.name.label})",
        "description": f"One {kind}: {kind}s/<id>.toml, the file name being its id. Keys and "
        "tables of your own are welcome.",
        "type": "object",
        "required": required,
        "properties": properties,
        "additionalProperties": True,
    }
