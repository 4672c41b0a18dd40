"""`kg schema`: the JSON Schema of fact files (from the registry) and the editors' modeline."""

from __future__ import annotations

import json
import shutil

import jsonschema_rs
import pytest
import yaml
from typer.testing import CliRunner

from graph.jsonschema import MODELINE, fact_file_schema, with_modeline
from graph.schema import REGISTRY
from kg.cli import app
from tests.paths import DATA

runner = CliRunner()


class Yaml12Loader(yaml.SafeLoader):
    """As a YAML language server reads a file (YAML 1.2 core): dates stay text, numbers are numbers."""


Yaml12Loader.yaml_implicit_resolvers = {
    k: [r for r in v if r[0] != "tag:yaml.org,2002:timestamp"]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def editor(schema: dict) -> jsonschema_rs.Draft7Validator:
    return jsonschema_rs.Draft7Validator(schema)


def errors(validator, text: str) -> list[tuple[str, list]]:
    return [(e.message, list(e.instance_path)) for e in validator.iter_errors(yaml.load(text, Loader=Yaml12Loader))]


def test_the_schema_is_written_and_is_draft_07():
    r = runner.invoke(app, ["schema", "--json-schema"])
    assert r.exit_code == 0, r.output
    schema = json.loads(r.stdout)
    assert schema["$schema"] == "http://json-schema.org/draft-07/schema#"
    jsonschema_rs.Draft7Validator(schema)  # a valid schema
    assert schema["definitions"]["Entity"]["properties"]["type"]["enum"] == list(REGISTRY.entities)
    assert schema["definitions"]["Relation"]["properties"]["type"]["enum"] == list(REGISTRY.relations)


def test_every_seed_file_is_valid_for_an_editor():
    validator = editor(fact_file_schema())
    files = sorted(DATA.rglob("*.yaml"))
    assert files
    for path in files:
        assert errors(validator, path.read_text(encoding="utf-8")) == [], path


def test_an_editor_underlines_the_one_mistake():
    validator = editor(fact_file_schema())
    text = (
        "entities:\n  - {id: a, type: Place, name: A, colour: red}\n"
        "relations:\n  - {type: LEADS, from: a, to: b, credibility: 9, evidence: [{source: s, quote: q}]}\n"
    )
    got = errors(validator, text)
    assert ("Additional properties are not allowed ('colour' was unexpected)", ["entities", 0]) in got
    assert ("9 is greater than the maximum of 6", ["relations", 0, "credibility"]) in got
    assert len(got) == 2


def test_a_year_is_a_date_for_the_editor_as_for_the_loader():
    validator = editor(fact_file_schema())
    ok = "sources:\n  - {id: s, title: T, publisher: P, published: 2021, reliability: B}\n"
    assert errors(validator, ok) == []
    bad = "sources:\n  - {id: s, title: T, publisher: P, published: 12/2021, reliability: B}\n"
    assert errors(validator, bad)


def test_ids_of_a_dataset_are_offered_by_type(tmp_path):
    out = tmp_path / "facts.schema.json"
    r = runner.invoke(app, ["schema", str(DATA), "--json-schema", "--out", str(out)])
    assert r.exit_code == 0, r.output
    schema = json.loads(out.read_text(encoding="utf-8"))
    occupies = schema["definitions"]["OCCUPIESRelation"]["properties"]
    assert "badr-hospital" in occupies["to"]["examples"] and "al-bukamal" in occupies["to"]["examples"]
    assert "abu-hussein" not in occupies["to"]["examples"]  # a Person cannot be occupied
    assert "Site" in occupies["to"]["description"]


def test_modelines_are_added_and_refreshed_and_the_data_stays_valid(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    (data / "facts.schema.json").unlink()
    for path in data.rglob("*.yaml"):  # as fact files are before the first run: no modeline
        text = path.read_text(encoding="utf-8")
        if text.startswith(MODELINE):
            path.write_text(text.split("\n", 1)[1], encoding="utf-8")
    schema = data / "facts.schema.json"
    r = runner.invoke(app, ["schema", str(data), "--json-schema", "--out", str(schema), "--modelines", str(data)])
    assert r.exit_code == 0, r.output
    files = sorted(data.rglob("*.yaml"))
    assert f"{len(files)} of {len(files)} YAML fact file(s)" in r.stderr
    first = (data / "entities" / "places.yaml").read_text(encoding="utf-8").splitlines()[0]
    assert first == f"{MODELINE}../facts.schema.json"
    assert (data / "sources.yaml").read_text(encoding="utf-8").startswith(f"{MODELINE}facts.schema.json\n")
    again = runner.invoke(app, ["schema", "--modelines", str(data), "--out", str(schema)])
    assert again.exit_code == 0 and f"0 of {len(files)}" in again.stderr
    assert runner.invoke(app, ["validate", str(data)]).exit_code == 0


def test_with_modeline_keeps_the_rest_of_the_file():
    assert with_modeline("\ufeffentities: []\n", "s.json") == f"\ufeff{MODELINE}s.json\nentities: []\n"
    assert with_modeline(f"{MODELINE}old.json", "s.json") == f"{MODELINE}s.json\n"


@pytest.mark.parametrize(
    "args",
    [
        ["schema"],
        ["schema", "--modelines", "."],  # no --out
    ],
)
def test_usage_errors_exit_2(args, tmp_path):
    r = runner.invoke(app, args)
    assert r.exit_code == 2 and "Traceback" not in r.output


def test_modelines_need_the_schema_file(tmp_path):
    r = runner.invoke(app, ["schema", "--modelines", str(tmp_path), "--out", str(tmp_path / "none.json")])
    assert r.exit_code == 2 and "does not exist" in r.stderr


def test_the_seed_data_carries_its_current_schema_and_modelines(tmp_path):
    """data/facts.schema.json is what `kg schema data --json-schema` writes today (ids included), and every fact
    file names it; after a change of the schema or the data: kg schema data --json-schema --out
    data/facts.schema.json --modelines data."""
    out = tmp_path / "facts.schema.json"
    r = runner.invoke(app, ["schema", str(DATA), "--json-schema", "--out", str(out)])
    assert r.exit_code == 0, r.output
    assert json.loads(out.read_text(encoding="utf-8")) == json.loads((DATA / "facts.schema.json").read_text("utf-8"))
    for path in sorted(DATA.rglob("*.yaml")):
        assert path.read_text(encoding="utf-8").startswith("# yaml-language-server: $schema="), path
