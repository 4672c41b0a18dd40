"""A "same" decision in Neo4j (real server): one node keeping every id and name, its relations merged;
taking the decision back brings the entity back."""

from __future__ import annotations

import shutil

from typer.testing import CliRunner

from kg.cli import app
from tests.paths import ROOT

runner = CliRunner()
FIXTURE = ROOT / "tests" / "fixtures" / "dedupe"
SAME = """
  - same: [al-bukamal, abou-kamal]
    by: jdoe
    on: 2026-11-30
    why: Abou Kamal is a romanisation of Al-Bukamal
"""


def _load(folder) -> None:
    r = runner.invoke(app, ["load", str(folder), "--dataset", "dedupe-test"])
    assert r.exit_code == 0, r.output


def test_a_same_decision_loads_as_one_node(neo4j_driver, tmp_path):
    with neo4j_driver.session() as session:
        session.run("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS").consume()
    folder = tmp_path / "dedupe"
    shutil.copytree(FIXTURE, folder)
    _load(folder)
    ids = lambda: {r["id"] for r in neo4j_driver.execute_query("MATCH (n:Entity) RETURN n.id AS id").records}  # noqa: E731
    assert {"al-bukamal", "abou-kamal"} <= ids()

    facts = folder / "facts.yaml"
    facts.write_text(facts.read_text(encoding="utf-8") + SAME, encoding="utf-8")
    _load(folder)
    assert "abou-kamal" not in ids()
    (rec,) = neo4j_driver.execute_query(
        "MATCH (n:Entity {id: 'al-bukamal'})-[r:LOCATED_IN]->(:Entity {id: 'deir-ez-zor'}) "
        "RETURN n.aliases AS aliases, r.quotes AS quotes"
    ).records
    assert "Abou Kamal" in rec["aliases"] and "abou-kamal" in rec["aliases"]
    assert sorted(rec["quotes"]) == ["Abu Kamal", "Al-Bukamal"]

    facts.write_text(facts.read_text(encoding="utf-8").replace(SAME, ""), encoding="utf-8")
    _load(folder)
    assert {"al-bukamal", "abou-kamal"} <= ids()
