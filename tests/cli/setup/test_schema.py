"""`svctrack schema` and `init --schema`: JSON Schemas that every file svctrack writes passes,
made from the rules svctrack reads with, so that they cannot drift apart."""

from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
import sys
import tomllib
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from conftest import REPO, Workspace, cli
from svctrack.domain.model import KNOWN_KEYS, check, item_from_data
from svctrack.domain.pipeline import load_pipelines
from svctrack.output.schema import schemas

FILES = ("svctrack.schema.json", "service.schema.json", "engagement.schema.json")
SCHEMAS = schemas(load_pipelines({}))


def as_json(value: Any) -> Any:
    """TOML data as a schema sees it (as taplo passes it): dates and datetimes as their text."""
    if isinstance(value, dict):
        return {k: as_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_json(v) for v in value]
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return value


def errors(schema: dict[str, Any], data: dict[str, Any]) -> list[str]:
    validator = jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(as_json(data))]


def check_workspace(root: Path, found: dict[str, dict[str, Any]] | None = None) -> int:
    """Every file of the workspace at `root` passes its schema; returns how many were checked."""
    given = found or SCHEMAS
    checked = 0
    for path in sorted(root.rglob("*.toml")):
        rel = path.relative_to(root).as_posix()
        if rel == "svctrack.toml":
            schema = given["svctrack.schema.json"]
        elif rel.startswith("services/"):
            schema = given["service.schema.json"]
        elif rel.startswith("engagements/"):
            schema = given["engagement.schema.json"]
        else:
            continue
        data = tomllib.loads(path.read_text("utf-8"))
        assert errors(schema, data) == [], rel
        checked += 1
    return checked


def test_schema_prints_the_three_as_one_document(ws: Workspace) -> None:
    doc = ws.ok("schema").json()
    assert isinstance(doc, dict)
    assert list(doc) == list(FILES)
    for schema in doc.values():
        jsonschema.Draft202012Validator.check_schema(schema)
        assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
        assert schema["additionalProperties"] is True  # keys of the user's own stay allowed
    assert doc == json.loads(json.dumps(SCHEMAS))
    # outside any workspace: the default pipelines
    outside = cli("schema")
    assert outside.code == 0 and outside.json() == doc


def test_every_property_says_what_it_is() -> None:
    def walk(node: Any, where: str) -> None:
        if isinstance(node, dict):
            for key, sub in node.get("properties", {}).items():
                assert sub.get("description"), f"{where}.{key}"
                walk(sub, f"{where}.{key}")
            for key in ("items", "additionalProperties"):
                if isinstance(node.get(key), dict):
                    walk(node[key], f"{where}[{key}]")

    for name, schema in SCHEMAS.items():
        walk(schema, name)


def test_the_examples_validate() -> None:
    assert check_workspace(REPO / "examples") == 15


def test_what_the_commands_write_validates(firm: Workspace) -> None:
    firm.ok("set", "audit", "role.sales", "Anna Petrova")
    firm.ok("set", "audit", "deadline.planning", "2026-12-15")
    firm.ok("set", "audit", "price", "19900.50")
    firm.ok("check", "audit", "market-analysis", "--note", "done by Lena")
    firm.ok("check", "audit", "trust")
    firm.ok("uncheck", "audit", "quality")
    firm.ok("note", "audit", "kick-off", "--channel", "meeting")
    firm.ok("set", "acme", "deadline.execution", "2026-12-01")
    firm.ok("set", "acme", "price", "450 000")
    firm.ok("set", "acme", "contract", "D-1")
    firm.ok("set", "acme", "budget_hours", "40")
    firm.ok("set", "acme", "mode", "hybrid")
    firm.ok("check", "acme", "terms-agreed")
    firm.ok("advance", "acme", "--force", "--note", "go")
    firm.ok("check", "acme", "work-done")
    firm.ok("advance", "acme")
    firm.ok("rework", "acme", "--note", "fix it")
    firm.ok("note", "acme", "call about it", "--channel", "call")
    firm.ok("feedback", "acme", "--score", "4", "--speed", "3", "--comment", "ok")
    firm.ok("log", "acme", "2h30m", "--note", "interviews")
    firm.ok("engagement", "new", "gone", "--service", "audit", "--client", "G", "--due", "+9d")
    firm.ok("cancel", "gone", "--note", "withdrew")
    assert check_workspace(firm.root) == 4


def test_a_generated_workspace_validates(tmp_path: Path) -> None:
    """The benchmark's generator writes every key svctrack writes, in every shape."""
    spec = importlib.util.spec_from_file_location(
        "schema_generate", REPO / "benchmarks/generate.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    ws = module.generate(tmp_path / "gen", 60, 6, seed=3)
    assert check_workspace(ws.root) == 67


# A value of a wrong kind for every key the model reads: the schema refuses it and so does
# svctrack (an error, not a warning).
WRONG = {
    "name": 1,
    "stage": ["execution"],
    "owner": True,
    "mode": 2,
    "currency": 978,
    "contract": {"no": 1},
    "service": 5,
    "client": [],
    "start": "2026-01-01x",
    "due": 20261201,
    "price": "1200",
    "budget_hours": -1,
    "roles": "sales",
    "deadlines": {"execution": "soon"},
    "gates": {"preparation": {"terms-agreed": "yes"}},
    "principles": {"trust": 1},
    "history": {"to": "preparation"},
    "notes": [{"text": 5}],
    "feedback": [{"score": 6}],
    "time": [{"date": date(2026, 1, 1), "hours": 0}],
    "reports": [{"by": 5}],
    "goal": ["pass"],
    "needs": 3,
    "every": "week",
    "pilot": "yes",
    "documents": [{"kind": "bill"}],
}

GOOD = {
    "name": "Audit — ACME",
    "service": "audit",
    "client": "ACME",
    "stage": "execution",
    "start": date(2026, 11, 1),
    "due": date(2026, 12, 15),
    "history": [{"to": "preparation", "at": datetime.fromisoformat("2026-11-01T10:00:00+03:00")}],
}


def test_every_known_key_has_a_wrong_kind_in_this_test() -> None:
    assert set(WRONG) == KNOWN_KEYS  # a key added to the model needs a line above


@pytest.mark.parametrize("key", sorted(WRONG))
def test_a_wrong_kind_is_refused_by_the_schema_and_by_svctrack(key: str) -> None:
    data = GOOD | {key: WRONG[key]}
    problems = check("engagement", "acme", data, load_pipelines({})["engagement"])[1]
    assert any(p.severity == "error" for p in problems), key
    assert errors(SCHEMAS["engagement.schema.json"], data), key


def test_the_good_one_passes_both() -> None:
    assert errors(SCHEMAS["engagement.schema.json"], GOOD) == []
    assert item_from_data("engagement", "acme", GOOD)[1] == []


@pytest.mark.parametrize(
    ("change", "why"),
    [
        ({"stage": "contorl"}, "'contorl' is not one of"),
        ({"deadlines": {"review": date(2026, 12, 1)}}, "'review' is not one of"),
        ({"mode": "remote"}, "'remote' is not one of"),
        ({"currency": "EURO"}, "does not match"),
        ({"client": ""}, "should be non-empty"),
        ({"notes": [{"channel": "fax", "text": "hi"}]}, "'fax' is not one of"),
        ({"feedback": [{"score": 4, "speed": 0}]}, "less than the minimum"),
        ({"feedback": [{"comment": "no score"}]}, "'score' is a required property"),
        ({"history": [{"to": "preparation", "at": datetime(2026, 1, 1, 10)}]}, "date-time"),
        ({"history": [{"to": "preparation", "at": date(2026, 1, 1)}]}, "date-time"),
    ],
)
def test_what_validate_calls_an_error_the_schema_refuses(change: dict[str, Any], why: str) -> None:
    assert any(why in e for e in errors(SCHEMAS["engagement.schema.json"], GOOD | change))


def test_missing_keys_an_engagement_needs() -> None:
    schema = SCHEMAS["engagement.schema.json"]
    for key in ("stage", "service", "client", "due"):
        data = {k: v for k, v in GOOD.items() if k != key}
        assert any(f"'{key}' is a required property" in e for e in errors(schema, data))
    service = {"name": "Audit", "stage": "planning"}
    assert errors(SCHEMAS["service.schema.json"], service) == []
    assert errors(SCHEMAS["service.schema.json"], {"name": "Audit"})  # no stage


def test_keys_of_ones_own_and_unknown_gate_items_are_welcome() -> None:
    data = GOOD | {
        "my_key": 1,
        "sevice": "x",  # validate only warns about a key that looks misspelt
        "my_table": {"a": [1, 2]},
        "gates": {"preparation": {"my-own-step": True}, "nowhere": {"x": False}},
        "principles": {"my-principle": {"ok": True, "note": "ours"}},
        "history": [GOOD["history"][0] | {"via": "import"}],
    }
    assert errors(SCHEMAS["engagement.schema.json"], data) == []
    config = {"name": "F", "lang": "ru", "currency": "rub", "mine": {"x": 1}}
    assert errors(SCHEMAS["svctrack.schema.json"], config) == []
    assert errors(SCHEMAS["svctrack.schema.json"], {"lang": "de"})
    assert errors(SCHEMAS["svctrack.schema.json"], {"git": {"commit": "yes"}})


def test_the_settings_schema_covers_the_keys_validate_knows() -> None:
    from svctrack.usecases.validation import CONFIG_KEYS

    assert set(SCHEMAS["svctrack.schema.json"]["properties"]) == set(CONFIG_KEYS)


def test_a_custom_pipeline_makes_its_own_schema(ws: Workspace) -> None:
    config = ws.root / "svctrack.toml"
    config.write_text(
        config.read_text()
        + """
[pipelines.engagement]
principles = ["speed"]
done = "closed"

[[pipelines.engagement.stages]]
id = "work"
gates = [{ id = "finished", label = "Work finished" }]

[[pipelines.engagement.stages]]
id = "review"

[principles.speed]
label = "Speed"
""",
        encoding="utf-8",
    )
    doc = ws.ok("schema").json()
    assert isinstance(doc, dict)
    engagement = doc["engagement.schema.json"]
    assert engagement["properties"]["stage"]["enum"] == ["work", "review", "closed", "cancelled"]
    gates = engagement["properties"]["gates"]["properties"]
    assert list(gates) == ["work", "review"]
    assert gates["work"]["properties"]["finished"]["description"] == "Work finished"
    assert list(engagement["properties"]["principles"]["properties"]) == ["speed"]
    ws.ok("service", "new", "audit", "--name", "Audit")
    ws.ok("engagement", "new", "job", "--service", "audit", "--client", "C", "--due", "+3d")
    ws.ok("check", "job", "finished")
    ws.ok("advance", "job")
    assert check_workspace(ws.root, doc) == 3
    data = tomllib.loads(ws.file("job").read_text("utf-8"))
    assert errors(SCHEMAS["engagement.schema.json"], data)  # `review` is no default stage


def test_o_writes_three_files_into_a_folder(ws: Workspace, tmp_path: Path) -> None:
    out = tmp_path / "schemas" / "deep"
    result = ws.ok("schema", "-o", str(out))
    assert sorted(p.name for p in out.iterdir()) == sorted(FILES)
    assert result.err.count("wrote ") == 3
    printed = ws.ok("schema").json()
    for name in FILES:
        assert json.loads((out / name).read_text("utf-8")) == printed[name]  # type: ignore[index]
    again = ws.ok("schema", "-o", str(out))
    assert "up to date" in again.err and "wrote" not in again.err
    afile = tmp_path / "file.json"
    afile.write_text("keep")
    refused = ws.run("schema", "-o", str(afile))
    assert refused.code == 1 and "not a folder" in refused.err
    assert afile.read_text() == "keep"
    assert ws.run("schema", "-o", "-").code == 1


def test_a_named_workspace_that_is_not_there_is_an_error(tmp_path: Path) -> None:
    result = cli("-C", str(tmp_path / "nowhere"), "schema")
    assert result.code == 1 and "no svctrack.toml" in result.err


def test_init_schema_ties_new_files_to_the_schemas(tmp_path: Path) -> None:
    root = tmp_path / "tied"
    assert cli("init", str(root), "--example", "--schema").code == 0
    assert (
        (root / "svctrack.toml")
        .read_text()
        .startswith("#:schema ./.svctrack/svctrack.schema.json\n")
    )
    for path in (root / "engagements").glob("*.toml"):
        assert path.read_text().startswith("#:schema ../.svctrack/engagement.schema.json\n")
    for path in (root / "services").glob("*.toml"):
        assert path.read_text().startswith("#:schema ../.svctrack/service.schema.json\n")
    ws = Workspace(root)
    ws.ok(
        "engagement", "new", "x", "--service", "it-audit", "--client", "X", "--due", "+5d",
        "--goal", "a clean audit",
    )  # fmt: skip
    assert ws.text("x").startswith("#:schema ../.svctrack/engagement.schema.json\nname = ")
    ws.ok("advance", "x", "--force")  # an edit keeps the line
    assert ws.text("x").startswith("#:schema ../.svctrack/engagement.schema.json\nname = ")
    assert ws.ok("validate", "--strict", "--json").json() == {"ok": True, "problems": []}
    for name in FILES:
        written = json.loads((root / ".svctrack" / name).read_text("utf-8"))
        assert written == ws.ok("schema").json()[name]  # type: ignore[index]
    assert check_workspace(root) == 16


def test_without_schema_no_file_has_the_line(firm: Workspace) -> None:
    assert not (firm.root / ".svctrack").exists()
    for path in firm.root.rglob("*.toml"):
        assert "#:schema" not in path.read_text()


@pytest.mark.skipif(shutil.which("taplo") is None, reason="taplo is not installed")
def test_taplo_checks_the_example_against_the_schemas(tmp_path: Path) -> None:
    root = tmp_path / "example"
    shutil.copytree(REPO / "examples", root)
    assert cli("-C", str(root), "schema", "-o", str(root / ".svctrack")).code == 0
    (root / ".taplo.toml").write_text(
        "\n".join(
            f'[[rule]]\ninclude = ["{files}"]\nschema.path = "./.svctrack/{name}"\n'
            for files, name in (
                ("svctrack.toml", "svctrack.schema.json"),
                ("services/*.toml", "service.schema.json"),
                ("engagements/*.toml", "engagement.schema.json"),
            )
        )
    )

    def taplo() -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["taplo", "check"], cwd=root, capture_output=True, text=True, timeout=120, check=False
        )

    done = taplo()
    assert done.returncode == 0, done.stderr
    path = root / "engagements" / "kaskad-audit.toml"
    path.write_text(path.read_text().replace('stage = "control"', 'stage = "contorl"'))
    done = taplo()
    assert done.returncode != 0 and "contorl" in done.stderr
