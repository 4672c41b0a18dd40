"""Network measures written back to Neo4j (graph.neo4j.measures, `kg analyze --write`) and the named queries
that read them (key_players, brokers, community) or weigh paths (credible_path, shortest_path), on a real
server: the values in Neo4j are the ones graph.analysis computes, and the paths the ones it finds."""

from __future__ import annotations

import shutil
from itertools import groupby

import pytest
from typer.testing import CliRunner

from graph import analysis as A
from graph.analysis.paths import evidence_cost
from graph.build import build_graph
from graph.neo4j.cypher import EVIDENCE_COST, MEASURE_INDEXES
from graph.neo4j.mapping import FactRows
from graph.neo4j.measures import (
    DEFAULT_MEASURES,
    PROPERTIES,
    MeasuresError,
    StaleDataset,
    ensure_measure_indexes,
    measures_state,
    property_name,
    write_measures,
)
from graph.neo4j.writer import load_rows
from graph.schema import REGISTRY
from kg.cli import app
from kg.common import fact_files
from kg.load_cmd import files_digest
from loaders import load_facts
from queries import library
from tests.paths import DATA, ROOT

runner = CliRunner()
FAMILIES = ROOT / "tests" / "fixtures" / "florentine_families"


def clear(drv) -> None:
    with drv.session() as session:
        session.run("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS").consume()


def kg(*args: str):
    r = runner.invoke(app, list(args))
    assert "Traceback" not in r.output, r.output
    return r


def stored(drv, dataset: str) -> dict[str, dict]:
    """Every entity's measure properties, by id."""
    records = drv.execute_query(
        "MATCH (n:Entity) WHERE n.dataset = $dataset RETURN n.id AS id, properties(n) AS props", dataset=dataset
    ).records
    return {r["id"]: {k: v for k, v in r["props"].items() if k.startswith("measure_")} for r in records}


def ask(drv, query: str, **params) -> list[dict]:
    res = library.run_named(drv, query, {k: str(v) for k, v in params.items()})
    return [dict(zip(res.columns, row, strict=True)) for row in res.rows]


@pytest.fixture(scope="module")
def seed(neo4j_server, neo4j_driver):
    """The seed data loaded as dataset "data" with the default measures written by `kg analyze data --write`."""
    clear(neo4j_driver)
    assert kg("load", str(DATA)).exit_code == 0
    r = kg("analyze", str(DATA), "--write")
    assert r.exit_code == 0, r.output
    return neo4j_driver, build_graph(load_facts([DATA]))


# --------------------------------------------------------------------------- what is stored


def test_property_names_come_from_the_measure_registry():
    assert set(PROPERTIES) == set(A.MEASURES)
    assert PROPERTIES["pagerank"] == "measure_pagerank" and PROPERTIES["communities"] == "measure_community"
    assert all(p.replace("_", "").isalnum() and p.islower() for p in PROPERTIES.values())
    for bad in ("x} SET n.pwned = 1 //", "pagerank`", "measure_pagerank"):
        with pytest.raises(A.UnknownMeasure):
            property_name(bad)


def test_written_values_are_the_ones_graph_analysis_computes(seed):
    drv, G = seed
    T = A.ties(G)
    values = stored(drv, "data")
    assert set(values) == set(G)
    for name in DEFAULT_MEASURES:
        scores = A.measure(name).run(T)
        prop = PROPERTIES[name]
        for n in G:
            want = scores.details[n]["community"] if name == "communities" else scores[n]
            assert values[n][prop] == pytest.approx(want), (name, n)
    state = measures_state(drv, "data")
    assert state.current and list(state.measures) == list(DEFAULT_MEASURES)
    assert state.scopes == dict.fromkeys(DEFAULT_MEASURES, "undirected ties") and state.written


def test_the_write_says_what_it_stored(seed):
    drv, _ = seed
    r = kg("analyze", str(DATA), "--write", "--measure", "pagerank", "--format", "json")
    assert r.exit_code == 0, r.output
    assert '"properties": [\n    "measure_pagerank"\n  ]' in r.stdout
    r = kg("analyze", str(DATA), "--write", "--measure", "pagerank")
    assert "measure_pagerank" in r.stdout and "highest: " in r.stdout
    assert "wrote 1 measure on " in r.stderr and "dataset data" in r.stderr
    # The other measures were computed on the same files: they stay.
    assert list(measures_state(drv, "data").measures) == list(DEFAULT_MEASURES)


def test_entities_left_out_of_the_scope_lose_the_measure(seed):
    drv, G = seed
    umbrella = "iranian-backed-militias"
    assert umbrella in [row["id"] for row in ask(drv, "key_players", limit=3)]
    r = kg("analyze", str(DATA), "--write", "--measure", "pagerank", "--exclude", "Iranian-backed militias")
    assert r.exit_code == 0, r.output
    values = stored(drv, "data")
    assert "measure_pagerank" not in values[umbrella]  # null: no property
    assert values[umbrella]["measure_betweenness"] > 0  # the other measures are untouched
    after = A.pagerank(G, exclude=[umbrella])
    assert all(values[n]["measure_pagerank"] == pytest.approx(after[n]) for n in after)
    scopes = measures_state(drv, "data").scopes
    assert scopes["pagerank"] == "excluding iranian-backed-militias; undirected ties"  # the id the name resolved to
    assert scopes["betweenness"] == "undirected ties"  # each measure keeps the scope it was computed on
    # Leaving the umbrella group out changes the ranking the named query shows.
    top = [row["id"] for row in ask(drv, "key_players", limit=5)]
    assert umbrella not in top and top == [n for n, _ in after.ranked(5)]
    assert kg("analyze", str(DATA), "--write", "--measure", "pagerank").exit_code == 0  # the whole network again


def test_writes_go_in_chunks(seed):
    drv, G = seed
    scores = A.degree(G)
    report = write_measures(
        drv, "data", {"degree": scores}, list(G), chunk_size=7, files_hash=files_digest(fact_files([DATA]))
    )
    assert report.chunks == -(-len(G) // 7) and report.written == report.entities == len(G)
    assert all(v["measure_degree"] == scores[n] for n, v in stored(drv, "data").items())


# --------------------------------------------------------------------------- refusals


def test_files_other_than_the_loaded_ones_are_refused(seed, tmp_path):
    drv, _ = seed
    before = stored(drv, "data")
    copy = tmp_path / "data"
    shutil.copytree(DATA, copy)
    first = sorted(copy.glob("*.yaml"))[0]
    first.write_text(first.read_text(encoding="utf-8") + "\n# changed\n", encoding="utf-8")
    r = kg("analyze", str(copy), "--write")
    assert r.exit_code == 1
    assert "not the ones dataset data was last loaded from" in r.stderr and "no measure was written" in r.stderr
    assert stored(drv, "data") == before


def test_a_dataset_not_in_neo4j_is_refused(seed):
    r = kg("analyze", str(DATA), "--write", "--dataset", "nowhere")
    assert r.exit_code == 1 and "dataset nowhere is not in Neo4j: load it first" in r.stderr


@pytest.mark.parametrize(
    "args,says",
    [
        (["--write", "--measure", "pagerenk"], "did you mean 'pagerank'"),
        (["--write", "--path", "Fog 47", "Husam Luqa"], "does not go with --path"),
        (["--dataset", "data", "--measure", "degree"], "--dataset goes with --write"),
        (["--write", "--samples", "5", "--measure", "degree"], "--samples does not apply to degree"),
    ],
)
def test_bad_write_options_are_usage_errors(args, says):
    r = kg("analyze", str(DATA), *args)
    assert r.exit_code == 2 and says in r.stderr, r.output


def test_measures_from_before_a_reload_are_removed(neo4j_server, neo4j_driver, tmp_path):
    drv = neo4j_driver
    copy = tmp_path / "families"
    shutil.copytree(FAMILIES, copy)
    assert kg("load", str(copy)).exit_code == 0
    assert kg("analyze", str(copy), "--write").exit_code == 0
    assert all("measure_pagerank" in v for v in stored(drv, "families").values())
    # A reload of changed files rewrites only the changed entities: the others keep stale values...
    files = sorted(copy.glob("*.yaml"))
    files[0].write_text(files[0].read_text(encoding="utf-8") + "\n# changed\n", encoding="utf-8")
    r = kg("load", str(copy))
    assert r.exit_code == 0 and not measures_state(drv, "families").current
    stale = "dataset families: measures degree, pagerank, betweenness, k-core, communities, brokerage were computed"
    assert stale in r.stderr and "run kg analyze PATH --write" in r.stderr  # the load says so...
    status = kg("neo4j", "status", "--data-dir", str(neo4j_server.data_dir))
    assert status.exit_code == 0 and stale in status.stderr  # ...and so does the status
    # ...until the next write, which removes every measure it does not recompute.
    r = kg("analyze", str(copy), "--write", "--measure", "degree")
    assert r.exit_code == 0 and "removed measure_betweenness" in r.stderr
    values = stored(drv, "families")
    assert all(set(v) == {"measure_degree"} for v in values.values())
    assert measures_state(drv, "families").measures == ("degree",)
    status = kg("neo4j", "status", "--data-dir", str(neo4j_server.data_dir)).stdout
    assert "dataset families: measures degree (written " in status and "on the files loaded" in status
    with pytest.raises(MeasuresError):
        write_measures(drv, "no-such-dataset", {}, [])
    with pytest.raises(StaleDataset):
        write_measures(drv, "families", {}, [], files_hash="0" * 32)
    assert kg("unload", "families").exit_code == 0


def test_an_unfinished_load_is_refused(neo4j_server, neo4j_driver, tmp_path):
    drv = neo4j_driver
    load_rows(drv, FactRows(load_facts([FAMILIES]), "half"))
    drv.execute_query("MATCH (d:Dataset {name: 'half'}) SET d.state = 'loading'")
    with pytest.raises(MeasuresError, match="dataset half is marked loading"):
        write_measures(drv, "half", {}, [])
    drv.execute_query("MATCH (d:Dataset {name: 'half'}) SET d.state = 'complete'")
    assert kg("unload", "half").exit_code == 0


# --------------------------------------------------------------------------- the named queries


def test_key_players_brokers_and_communities(seed):
    drv, G = seed
    T = A.ties(G)
    pagerank, brokerage, communities = A.pagerank(T), A.brokerage(T), A.communities(T)
    rows = ask(drv, "key_players", limit=10)
    assert [r["id"] for r in rows] == [n for n, _ in sorted(pagerank.items(), key=lambda x: (-x[1], x[0]))[:10]]
    assert rows[0]["pagerank"] == round(pagerank[rows[0]["id"]], 4)
    assert rows[0]["community"] == communities.details[rows[0]["id"]]["community"]

    rows = ask(drv, "brokers", limit=5)
    assert [r["brokerage"] for r in rows] == sorted((v for v in brokerage.values() if v), reverse=True)[:5]
    for r in rows:
        assert len(r["others"]) == brokerage[r["id"]]  # one per community its ties reach

    fog = ask(drv, "community", entity="Fog 47", members=1000)
    home = communities.details["fog-47"]["community"]
    assert len(fog) == 1 and fog[0]["community"] == home
    members = sorted(n for n, d in communities.details.items() if d["community"] == home)
    assert fog[0]["size"] == len(members) and "Fog 47" in fog[0]["members"]
    everyone = ask(drv, "community", limit=1000, members=1000)
    assert [r["size"] for r in everyone] == communities.meta["sizes"]
    assert sum(len(r["members"]) for r in everyone) == len(G)


def _operators(plan) -> list[str]:
    out, todo = [], [plan]
    while todo:
        p = todo.pop()
        out.append(p["operatorType"].split("@")[0])
        todo += p.get("children", [])
    return out


def test_the_measures_the_queries_sort_by_are_indexed(seed):
    """kg analyze --write makes range indexes on the measures; key_players reads the top of one, not every entity."""
    drv, _ = seed
    indexes = {
        r["name"]: r
        for r in drv.execute_query("SHOW RANGE INDEXES YIELD name, labelsOrTypes, properties, state").records
    }
    for name, _ in MEASURE_INDEXES:
        assert indexes[name]["state"] == "ONLINE" and indexes[name]["labelsOrTypes"] == ["Entity"]
    assert indexes["entity_measure_pagerank"]["properties"] == ["measure_pagerank"]
    named = library.get("key_players")
    plan = drv.execute_query("EXPLAIN " + named.cypher, limit=10).summary.plan
    ops = _operators(plan)
    assert any(op.startswith("NodeIndexScan") for op in ops), ops
    assert "NodeByLabelScan" not in ops and "AllNodesScan" not in ops, ops
    assert "Sort" not in ops and "Top" not in ops, ops  # the index order serves ORDER BY (at most a PartialTop)
    assert ensure_measure_indexes(drv) == [name for name, _ in MEASURE_INDEXES]  # again: nothing changes


def test_evidence_cost_in_cypher_is_the_python_rule(neo4j_driver):
    pairs = [(c, r) for c in REGISTRY.credibility.grades for r in REGISTRY.reliability.grades]
    pairs += [(0, "A"), (1, None), (None, None)]
    expr = EVIDENCE_COST.format(c="pair[0]", r="pair[1]")
    records = neo4j_driver.execute_query(f"UNWIND $pairs AS pair RETURN {expr} AS cost", pairs=pairs).records
    worst = evidence_cost(REGISTRY.credibility.worst, REGISTRY.reliability.worst)
    want = [evidence_cost(c, r) if c and r else worst for c, r in pairs]
    assert [r["cost"] for r in records] == want


def test_credible_path_holds_the_cost_rule_verbatim():
    cypher = library.get("credible_path").cypher
    assert EVIDENCE_COST.format(c="c", r="rel") in cypher


def _chains(rows: list[dict]) -> list[tuple[int, int, list[str]]]:
    """(cost, weakest step, names along the chain) of each chain."""
    out = []
    for _, group in groupby(rows, key=lambda r: r["chain"]):
        steps = list(group)
        weakest = [s["step"] for s in steps if s["weakest"]]
        assert len(weakest) == 1
        out.append((steps[0]["chain_cost"], weakest[0], [steps[0]["from"]] + [s["to"] for s in steps]))
    return out


def test_credible_path_finds_what_graph_analysis_finds(seed):
    drv, G = seed
    rows = ask(drv, "credible_path", **{"from": "Fog 47", "to": "Husam Luqa", "k": 4})
    want = [(p.cost, p.weakest + 1, list(p.names)) for p in A.credible_paths(G, "Fog 47", "Husam Luqa", k=4)]
    assert _chains(rows) == want
    places = {d["name"] for _, d in G.nodes(data=True) if d["type"] == "Place"}
    for _, _, names in _chains(rows):
        assert not places & set(names[1:-1])
    assert not {r["relation"].strip("<->") for r in rows} & A.LOCATION_RELATIONS
    for r in rows:
        assert r["cost"] == evidence_cost(r["credibility"], r["reliability"])


def test_shortest_path_never_passes_through_a_place(seed):
    drv, G = seed
    rows = ask(drv, "shortest_path", **{"from": "Fog 47", "to": "Husam Luqa"})
    first = A.shortest_paths(G, "Fog 47", "Husam Luqa")[0]
    assert [rows[0]["from"]] + [r["to"] for r in rows] == list(first.names)
    assert not {r["relation"].strip("<->") for r in rows} & A.LOCATION_RELATIONS
    assert ask(drv, "shortest_path", **{"from": "Fog 47", "to": "Husam Luqa"}) == rows  # the same every run
