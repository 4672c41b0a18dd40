"""Who the facts rest on: `kg claims` on the files, and the named queries single_originator and claims_of in a real
Neo4j, both held to graph.attribution on tests/fixtures/attribution (hand-checked in its header)."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from graph.build import build_graph
from graph.neo4j.mapping import FactRows
from graph.neo4j.writer import load_rows
from kg.claims_cmd import claim_rows, find_originator, single_rows
from kg.cli import app
from loaders import load_facts
from queries import library
from tests.paths import ROOT

ATTRIBUTION = ROOT / "tests" / "fixtures" / "attribution"
runner = CliRunner()


@pytest.fixture(scope="module")
def G():
    return build_graph(load_facts([ATTRIBUTION]))


def claims(*args: str):
    r = runner.invoke(app, ["claims", str(ATTRIBUTION), *args])
    assert "Traceback" not in r.output
    return r


# --------------------------------------------------------------------------- kg claims, on the files


def test_originators_with_the_facts_resting_on_them():
    r = claims("--format", "json")
    assert r.exit_code == 0, r.output
    rows = json.loads(r.stdout)
    assert [(x["originator"], x["kind"], x["facts"], x["alone"]) for x in rows] == [
        ("Alma", "publisher", 2, 1),  # OPERATES_IN town (with SOHR), OPPOSES (alone)
        ("Syrian Observatory for Human Rights", "entity", 2, 1),  # OCCUPIES relayed twice: one voice
        ("local sources (in levant-1)", "anonymous", 1, 1),  # Levant's own anonymous sources, SOHR relaying
        ("North Press Agency", "publisher", 1, 1),  # two reports, two spellings: one publisher
    ]
    assert "4 originators; 5 facts, 4 of them resting on a single originator" in r.output
    table = claims().stdout
    assert "Syrian Observatory for Human Rights" in table and "┃ originator" in table


def test_what_an_originator_claims():
    r = claims("--originator", "SOHR", "--format", "json")  # an alias
    assert r.exit_code == 0, r.output
    rows = json.loads(r.stdout)
    assert [(x["id"], x["role"], x["attribution"], x["source"]) for x in rows] == [
        (
            "chief|LEADS|brigade",
            "relays",
            "Levant, according to local sources, via Syrian Observatory for Human Rights",
            "levant-1",
        ),
        ("fog-47|OCCUPIES|hospital", "originator", "Levant, via Syrian Observatory for Human Rights", "levant-1"),
        (
            "fog-47|OCCUPIES|hospital",
            "originator",
            "North Press Agency, via Syrian Observatory for Human Rights",
            "np-1",
        ),
        (
            "fog-47|OPERATES_IN|town",
            "originator",
            "North Press Agency, according to Syrian Observatory for Human Rights",
            "np-1",
        ),
    ]
    assert rows[0]["quote"] == "the Brigade is led by the Chief" and rows[0]["time_basis"] == "inferred"
    assert "4 pieces of evidence in 3 facts cite 'SOHR': 3 as originator, 1 relayed" in r.output
    publisher = json.loads(claims("--originator", "north PRESS agency", "-f", "json").stdout)
    assert [(x["id"], x["role"]) for x in publisher] == [
        ("brigade|OPERATES_IN|town", "originator"),
        ("brigade|OPERATES_IN|town", "originator"),
        ("fog-47|OCCUPIES|hospital", "relays"),
        ("fog-47|OPERATES_IN|town", "relays"),
    ]
    anonymous = json.loads(claims("--originator", "Local Sources", "-f", "json").stdout)
    assert [(x["id"], x["role"]) for x in anonymous] == [("chief|LEADS|brigade", "originator")]


def test_single_originator_facts():
    rows = json.loads(claims("--single", "--format", "json").stdout)
    assert [(x["id"], x["originator"], x["kind"], x["reports"]) for x in rows] == [
        ("brigade|OPERATES_IN|town", "North Press Agency", "publisher", 2),
        ("brigade|OPPOSES|fog-47", "Alma", "publisher", 1),
        ("chief|LEADS|brigade", "local sources (in levant-1)", "anonymous", 1),
        ("fog-47|OCCUPIES|hospital", "Syrian Observatory for Human Rights", "entity", 2),
    ]
    alone = json.loads(claims("--single", "--originator", "Alma", "-f", "json").stdout)
    assert [x["id"] for x in alone] == ["brigade|OPPOSES|fog-47"]


def test_originator_names_are_matched_as_everywhere_and_said():
    """--originator takes spelling variants of entities and publishers (graph.names); the match is said."""
    r = claims("--originator", "Syrian Observatry for Human Rights", "-f", "json")
    assert r.exit_code == 0 and len(json.loads(r.stdout)) == 4
    said = "--originator 'Syrian Observatry for Human Rights' -> 'Syrian Observatory for Human Rights' (sohr)"
    assert said in r.stderr
    r = claims("--originator", "North Pres Agency", "-f", "json")
    assert r.exit_code == 0 and json.loads(r.stdout)[0]["source"]
    assert "--originator 'North Pres Agency' -> 'North Press Agency' (publisher), folded like" in r.stderr
    assert "->" not in claims("--originator", "SOHR").stderr  # an exact spelling is not commented
    r = claims("--originator", "")
    assert r.exit_code == 2 and r.output == "error: --originator: the name is empty\n"


def test_claims_errors_are_one_line(tmp_path):
    r = claims("--originator", "Nrth Press")
    assert r.exit_code == 2
    assert (
        r.output == "error: no entity, publisher or anonymous originator is named 'Nrth Press' "
        "(did you mean 'North Press Agency'?)\n"
    )
    bad = tmp_path / "bad.yaml"
    bad.write_text("relations:\n  - type: LEADZ\n    from: x\n    to: y\n", encoding="utf-8")
    r = runner.invoke(app, ["claims", str(bad)])
    assert r.exit_code == 1 and "bad.yaml:2: unknown relation type 'LEADZ'" in r.output


def test_names_are_text_never_markup(tmp_path):
    hostile = tmp_path / "hostile.yaml"
    hostile.write_text(
        "sources:\n  - {id: s1, title: T, publisher: '[bold]Wire:100:[/bold]', published: '2021', reliability: B}\n"
        "entities:\n  - {id: a, type: ArmedGroup, name: A}\n  - {id: b, type: ArmedGroup, name: B}\n"
        "relations:\n  - {type: OPPOSES, from: a, to: b, credibility: 2,\n"
        "     evidence: [{source: s1, quote: 'a fights b'}]}\n",
        encoding="utf-8",
    )
    r = runner.invoke(app, ["claims", str(hostile)])
    assert r.exit_code == 0 and "[bold]Wire:100:[/bold]" in r.stdout


# --------------------------------------------------------------------------- the same answers from Neo4j


@pytest.fixture(scope="module")
def attribution_in_neo4j(neo4j_server, neo4j_driver):
    with neo4j_driver.session() as session:
        session.run("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS").consume()
    load_rows(neo4j_driver, FactRows(load_facts([ATTRIBUTION]), "attribution"))
    return neo4j_driver


def ask(drv, query: str, **params) -> list[dict]:
    res = library.run_named(drv, query, {k: str(v) for k, v in params.items()})
    return [dict(zip(res.columns, row, strict=True)) for row in res.rows]


def test_single_originator_in_neo4j_is_graph_attribution(attribution_in_neo4j, G):
    keys = ("id", "originator", "kind", "reports", "credibility", "reliability", "time_basis", "sources")
    rows = ask(attribution_in_neo4j, "single_originator")
    assert [{k: r[k] for k in keys} for r in rows] == [{k: r[k] for k in keys} for r in single_rows(G)]
    assert [r["id"] for r in ask(attribution_in_neo4j, "single_originator", limit=1)] == ["brigade|OPERATES_IN|town"]


@pytest.mark.parametrize(
    "param,value",
    [
        ("entity", "SOHR"),
        ("entity", "chief"),
        ("publisher", "North Press Agency"),
        ("publisher", "levant"),
        ("publisher", "ALMA"),
    ],
)
def test_claims_of_in_neo4j_is_graph_attribution(attribution_in_neo4j, G, param, value):
    """claims_of says who claims what as graph.attribution does: originator, role, attribution text."""
    keys = ("id", "role", "attribution", "quote", "source", "observed", "credibility", "time_basis")
    rows = ask(attribution_in_neo4j, "claims_of", **{param: value})
    kind, found = find_originator(G, value)
    assert kind == ("entity" if param == "entity" else "publisher")
    expected = claim_rows(G, kind, found)
    assert [{k: r[k] for k in keys} for r in rows] == [{k: r[k] for k in keys} for r in expected]
    assert rows or value == "chief"  # Chief is cited by no one


def test_claims_of_by_cli(attribution_in_neo4j):
    r = runner.invoke(
        app, ["query", "claims_of", "-p", "publisher=north press agency", "-p", "limit=1", "--format", "json"]
    )
    assert r.exit_code == 0, r.output
    assert [x["attribution"] for x in json.loads(r.stdout)] == ["North Press Agency"]
    r = runner.invoke(app, ["query", "claims_of", "-p", "entity=Nobody"])
    assert r.exit_code == 1 and "no entity has the id, name or alias 'Nobody'" in r.output
