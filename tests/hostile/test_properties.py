"""Property: any dataset the models accept goes through validate -> build -> export -> load without an error.

Datasets come from tests/hostile/strategies.py (the registry's types, relations between allowed endpoints,
attributes by kind, dates in years 1-9999, grades, names and texts in any script). Each is written in
the project's real formats (sources as CSV, entities as YAML, relations as JSON Lines), then `kg
validate`, `kg export --format json|csv|graphml` (each read back) and `kg load` into the real Neo4j
must all succeed and agree on the counts.

Bounded for CI on two busy cores: 40 examples, no deadline, derandomized (the same examples every run).
``HYPOTHESIS_PROFILE=explore python3 -m pytest tests/hostile/test_properties.py`` draws 500 new ones
(``HYPOTHESIS_EXAMPLES=N``: N).
"""

from __future__ import annotations

import csv
import json
import os
import tempfile
from pathlib import Path

import networkx as nx
import yaml
from hypothesis import HealthCheck, given, settings
from typer.testing import CliRunner

from kg.cli import app
from tests.hostile.strategies import datasets

_COMMON = dict(
    deadline=None,
    database=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.function_scoped_fixture,
        HealthCheck.filter_too_much,
    ],
)
settings.register_profile("ci", max_examples=40, derandomize=True, **_COMMON)
settings.register_profile("explore", max_examples=int(os.environ.get("HYPOTHESIS_EXAMPLES", 500)), **_COMMON)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

runner = CliRunner()
DATASET = "prop"


def write_dataset(data: dict[str, list[dict]], folder: Path) -> None:
    """Sources as CSV, entities as YAML, relations as JSON Lines."""
    columns = sorted({k for s in data["sources"] for k in s})
    with open(folder / "facts.sources.csv", "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, columns)
        writer.writeheader()
        writer.writerows(data["sources"])
    (folder / "entities.yaml").write_text(
        yaml.safe_dump({"entities": data["entities"]}, allow_unicode=True, sort_keys=False, width=1 << 20),
        encoding="utf-8",
    )
    with open(folder / "facts.relations.jsonl", "w", encoding="utf-8") as fh:
        for rel in data["relations"]:
            fh.write(json.dumps(rel, ensure_ascii=False) + "\n")


def kg(*args: str):
    r = runner.invoke(app, list(args))
    assert r.exception is None or isinstance(r.exception, SystemExit), r.exception
    assert r.exit_code == 0, r.output[-3000:]
    assert "Traceback" not in r.output
    return r


@given(data=datasets())
def test_any_valid_dataset_validates_exports_and_loads(data, neo4j_driver):
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / DATASET
        folder.mkdir()
        write_dataset(data, folder)
        n_entities, n_relations = len(data["entities"]), len(data["relations"])

        kg("validate", str(folder))
        out = Path(tmp)
        kg("export", str(folder), "--format", "json", "--out", str(out / "g.json"))
        g = nx.node_link_graph(json.loads((out / "g.json").read_text(encoding="utf-8")))
        assert (g.number_of_nodes(), g.number_of_edges()) == (n_entities, n_relations)

        kg("export", str(folder), "--format", "graphml", "--out", str(out / "g.graphml"))
        g = nx.read_graphml(out / "g.graphml")
        assert (g.number_of_nodes(), g.number_of_edges()) == (n_entities, n_relations)

        kg("export", str(folder), "--format", "csv", "--out", str(out / "g.csv"))
        for name, n in (("g.nodes.csv", n_entities), ("g.edges.csv", n_relations)):
            with open(out / name, encoding="utf-8", newline="") as fh:
                assert sum(1 for _ in csv.DictReader(fh)) == n

        kg("load", str(folder), "--dataset", DATASET)
        held = neo4j_driver.execute_query(
            "CALL () { MATCH (n:Entity {dataset: $d}) RETURN count(n) AS n } "
            "CALL () { MATCH (:Entity {dataset: $d})-[r {dataset: $d}]->() RETURN count(r) AS r } "
            "CALL () { MATCH (s:Source {dataset: $d}) RETURN count(s) AS s } "
            "MATCH (d:Dataset {name: $d}) RETURN n, r, s, d.state AS state",
            d=DATASET,
        ).records[0]
        assert (held["n"], held["r"], held["s"], held["state"]) == (
            n_entities,
            n_relations,
            len(data["sources"]),
            "complete",
        )


def test_csv_export_keeps_a_carriage_return_in_its_cell(tmp_path):
    """Found by the property above: a description with a lone CR (valid free text) splits its row in two."""
    folder = tmp_path / DATASET
    folder.mkdir()
    (folder / "facts.yaml").write_text(
        'entities:\n  - id: a\n    type: Person\n    name: A\n    description: "one\\rtwo"\n', encoding="utf-8"
    )
    kg("export", str(folder), "--format", "csv", "--out", str(tmp_path / "g.csv"))
    with open(tmp_path / "g.nodes.csv", encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["description"] for r in rows] == ["one\rtwo"]
