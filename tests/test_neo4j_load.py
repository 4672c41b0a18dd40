"""`kg load` into a real Neo4j: the graph model, idempotence, sync per dataset, interrupted loads."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from datetime import date

import neo4j
import pytest
import yaml
from neo4j.spatial import WGS84Point
from typer.testing import CliRunner

from graph.names import stored_keys
from graph.neo4j.cypher import create_relations_cypher, merge_entities_cypher, update_relations_cypher
from graph.neo4j.mapping import FactRows
from graph.neo4j.values import to_plain as plain
from graph.neo4j.writer import LoadError, LoadReport, dataset_guard, ensure_schema, load_rows
from graph.schema import REGISTRY
from kg.cli import app
from kg.load_cmd import default_dataset
from loaders import load_facts
from tests.paths import FLORENTINE, FLORENTINE_DOCS, ROOT

sys.path.insert(0, str(ROOT / "bench"))
from generate import generate  # noqa: E402

runner = CliRunner()


# --------------------------------------------------------------------------- helpers


def clear(drv) -> None:
    with drv.session() as session:  # CALL { } IN TRANSACTIONS needs an implicit (auto-commit) transaction
        session.run("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS").consume()


def dump(drv, dataset: str | None = None) -> tuple[list[str], list[str]]:
    """Every node (labels, properties) and relationship (type, ends, properties), canonical and sorted.

    The datasets' load states (:Dataset nodes, with the time of each load) are read by :func:`states`.
    """
    where = "WHERE n.dataset = $dataset" if dataset else "WHERE NOT n:Dataset"
    nodes = drv.execute_query(
        f"MATCH (n) {where} RETURN labels(n) AS labels, properties(n) AS props", dataset=dataset
    ).records
    rwhere = "WHERE r.dataset = $dataset" if dataset else ""
    rels = drv.execute_query(
        f"MATCH (a)-[r]->(b) {rwhere} RETURN type(r) AS type, a.id AS a, b.id AS b, properties(r) AS props",
        dataset=dataset,
    ).records
    canon = lambda x: json.dumps(plain(x), sort_keys=True, ensure_ascii=False)  # noqa: E731
    return (
        sorted(canon([sorted(r["labels"]), r["props"]]) for r in nodes),
        sorted(canon([r["type"], r["a"], r["b"], r["props"]]) for r in rels),
    )


def counts(drv) -> tuple[int, int]:
    """Nodes (load states aside) and relationships."""
    rec = drv.execute_query(
        "CALL () { MATCH (n) WHERE NOT n:Dataset RETURN count(n) AS n } "
        "CALL () { MATCH ()-[r]->() RETURN count(r) AS r } RETURN n, r"
    ).records[0]
    return rec["n"], rec["r"]


def summary(output: str) -> dict[str, list[int]]:
    """The created / updated / deleted / unchanged columns of `kg load`'s summary table."""
    found = re.findall(r"(sources|entities|relations)\D+?(\d+)\D+?(\d+)\D+?(\d+)\D+?(\d+)", output)
    return {kind: [int(n) for n in numbers] for kind, *numbers in found}


def states(drv) -> dict[str, str]:
    """Dataset name: load state."""
    return {
        r["name"]: r["state"]
        for r in drv.execute_query("MATCH (d:Dataset) RETURN d.name AS name, d.state AS state").records
    }


def kg(*args: str):
    r = runner.invoke(app, list(args))
    assert "Traceback" not in r.output
    return r


def copy_florentine(tmp_path, name: str = "florentine"):
    dest = tmp_path / name
    shutil.copytree(FLORENTINE, dest)
    return dest


def edit_yaml(path, fn) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    fn(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


OTHER = {
    "sources": [
        {"id": "other-src", "title": "Other report", "publisher": "Other", "published": "2020", "reliability": "C"}
    ],
    "entities": [
        {"id": "other-a", "type": "ArmedGroup", "name": "Other A"},
        {"id": "other-b", "type": "Place", "name": "Other B", "lat": 1.5, "lon": 2.5, "geo_precision": "town"},
    ],
    "relations": [
        {
            "type": "OPERATES_IN",
            "from": "other-a",
            "to": "other-b",
            "credibility": 3,
            "evidence": [{"source": "other-src", "quote": "Other A operates in Other B"}],
        }
    ],
}


@pytest.fixture()
def drv(neo4j_driver):
    clear(neo4j_driver)
    yield neo4j_driver


# --------------------------------------------------------------------------- the model


def test_load_writes_the_graph_model(drv):
    r = kg("load", str(FLORENTINE), "--documents", str(FLORENTINE_DOCS))
    assert r.exit_code == 0, r.output
    assert "dataset florentine" in r.stdout
    assert summary(r.stdout) == {"sources": [2, 0, 0, 0], "entities": [11, 0, 0, 0], "relations": [13, 0, 0, 0]}

    assert counts(drv) == (13, 13)
    labels = drv.execute_query("MATCH (n:Entity) RETURN n.id AS id, labels(n) AS labels").records
    for rec in labels:
        assert len(rec["labels"]) == 2 and "Entity" in rec["labels"]
        assert set(rec["labels"]) - {"Entity"} <= set(REGISTRY.entities)
    by_id = {r["id"]: set(r["labels"]) for r in labels}
    assert by_id["abu-test"] == {"Entity", "Person"} and by_id["old-hospital"] == {"Entity", "Site"}

    abu = drv.execute_query("MATCH (n:Entity {id: 'abu-test'}) RETURN properties(n) AS p").records[0]["p"]
    assert abu["name"] == "Abu Tést" and abu["aliases"] == ["Abu Test", "أبو تست"]
    assert abu["rank"] == "Colonel" and abu["type"] == "Person" and abu["dataset"] == "florentine"
    # The keys the name matcher looks entities up by (graph.names.stored_keys): id, name and "Abu Test" share
    # one exact key; the Arabic alias has its own, and the skeleton of all three is the same.
    assert abu["names"] == stored_keys("abu-test", "Abu Tést", "Abu Test", "أبو تست")
    assert {"abutest", "ابوتست", "s_btst"} <= set(abu["names"])
    hospital = drv.execute_query("MATCH (n:Site {id: 'old-hospital'}) RETURN n.location AS loc").records[0]["loc"]
    assert isinstance(hospital, WGS84Point) and (hospital.latitude, hospital.longitude) == (34.45, 40.91)

    src = drv.execute_query("MATCH (s:Source {id: 'wire-2022'}) RETURN properties(s) AS p").records[0]["p"]
    assert src["reliability"] == "D" and src["publisher"] == "Example Wire"
    assert src["published"] == "2022-03-15" and src["published_date"].to_native() == date(2022, 3, 15)
    assert src["dataset"] == "florentine"

    occ = drv.execute_query(
        "MATCH (:Entity {id: 'brigade-9'})-[r:OCCUPIES]->(:Entity {id: 'old-hospital'}) RETURN properties(r) AS p"
    ).records
    assert len(occ) == 1  # two statements, one edge
    p = occ[0]["p"]
    assert p["sources"] == ["field-report-2021", "wire-2022"] and p["credibilities"] == [2, 3]
    assert p["quotes"][0] == "the Old Hospital serves as the headquarters of Brigade 9"
    assert p["credibility"] == 2 and p["reliability"] == "B" and p["use"] == "headquarters"
    assert p["valid_from"] == "2021-06" and p["valid_from_date"].to_native() == date(2021, 6, 1)
    assert "valid_to" not in p and p["dataset"] == "florentine"

    runs = drv.execute_query("MATCH ()-[r:RUNS]->() RETURN r.valid_from_date AS f, r.valid_to_date AS t").records[0]
    assert (runs["f"].to_native(), runs["t"].to_native()) == (date(2021, 11, 1), date(2021, 12, 31))


def test_constraints_and_indexes(drv):
    assert kg("load", str(FLORENTINE)).exit_code == 0
    constraints = {
        r["name"]: r for r in drv.execute_query("SHOW CONSTRAINTS YIELD name, type, labelsOrTypes, properties").records
    }
    assert constraints["entity_id"]["type"] == "UNIQUENESS"
    assert (constraints["entity_id"]["labelsOrTypes"], constraints["entity_id"]["properties"]) == (["Entity"], ["id"])
    assert (constraints["source_id"]["labelsOrTypes"], constraints["source_id"]["properties"]) == (["Source"], ["id"])
    indexes = {
        r["name"]: r
        for r in drv.execute_query("SHOW INDEXES YIELD name, type, labelsOrTypes, properties, state").records
    }
    assert indexes["entity_name"]["properties"] == ["name"]
    assert indexes["entity_text"]["type"] == "FULLTEXT" and indexes["entity_text"]["properties"] == ["name", "aliases"]
    assert indexes["entity_keys"]["properties"] == ["names"]
    assert sorted(indexes["relation_sources"]["labelsOrTypes"]) == sorted(REGISTRY.relations)
    assert all(i["state"] == "ONLINE" for i in indexes.values())
    fulltext = drv.execute_query(
        "SHOW FULLTEXT INDEXES YIELD name, options RETURN name, options.indexConfig AS config"
    ).records
    names = ["entity_keys", "entity_text", "relation_attribution", "relation_sources"]
    assert sorted(r["name"] for r in fulltext) == names
    assert all(r["config"]["fulltext.eventually_consistent"] for r in fulltext)
    # A second load creates nothing new.
    assert kg("load", str(FLORENTINE)).exit_code == 0
    assert len(drv.execute_query("SHOW INDEXES").records) == len(indexes)


def test_fulltext_index_from_an_older_version_is_made_again(drv):
    """Indexes made before they were eventually consistent are replaced on the next load."""
    drv.execute_query("DROP INDEX entity_text IF EXISTS")
    drv.execute_query(
        "CREATE FULLTEXT INDEX entity_text FOR (n:Entity) ON EACH [n.name, n.aliases] "
        "OPTIONS {indexConfig: {`fulltext.analyzer`: 'standard-folding'}}"
    )
    assert ensure_schema(drv) == ["entity_text"]
    config = drv.execute_query(
        "SHOW INDEXES YIELD name, options WHERE name = 'entity_text' RETURN options.indexConfig AS c"
    ).records[0]["c"]
    assert config["fulltext.eventually_consistent"] is True
    assert ensure_schema(drv) == []


@pytest.mark.parametrize("name", ["relation_sources", "relation_attribution"])
def test_relationship_index_of_fewer_types_is_made_again(drv, name):
    """A database indexed when the registry had fewer relation types (an older schema.yaml): the next load
    covers the new ones too, or claims_of and the sources' facts would miss them."""
    assert kg("load", str(FLORENTINE)).exit_code == 0
    drv.execute_query(f"DROP INDEX {name} IF EXISTS")
    prop = "sources" if name == "relation_sources" else "according_to"
    drv.execute_query(
        f"CREATE FULLTEXT INDEX {name} FOR ()-[r:LEADS|MEMBER_OF]-() ON EACH [r.{prop}] "
        "OPTIONS {indexConfig: {`fulltext.analyzer`: 'keyword', `fulltext.eventually_consistent`: true}}"
    )
    assert ensure_schema(drv) == [name]
    types = drv.execute_query(
        "SHOW INDEXES YIELD name, labelsOrTypes WHERE name = $name RETURN labelsOrTypes", name=name
    ).records[0]["labelsOrTypes"]
    assert sorted(types) == sorted(REGISTRY.relations)
    assert ensure_schema(drv) == []


def test_names_are_searchable_as_soon_as_load_returns(drv):
    """The full-text indexes lag behind commits; `kg load` waits for them before it returns."""
    assert kg("load", str(FLORENTINE)).exit_code == 0
    r = kg("query", "find", "-p", "name=abu test", "--format", "json")
    assert r.exit_code == 0 and "abu-test" in r.stdout
    n = drv.execute_query(
        "CALL db.index.fulltext.queryRelationships('relation_sources', $q) YIELD relationship RETURN count(*) AS n",
        q="wire-2022",
    ).records[0]["n"]
    assert n > 0


def test_cypher_is_batched_and_uses_registry_labels_only():
    for label in REGISTRY.entities:
        text = merge_entities_cypher(label)
        assert text.startswith("UNWIND $rows AS row") and f"SET n:{label}" in text
    for rtype in REGISTRY.relations:
        text = create_relations_cypher(rtype)
        assert text.startswith("UNWIND $rows AS row") and f"CREATE (a)-[r:{rtype}]->(b)" in text
        assert "elementId(a) = row.a" in text and "elementId(b) = row.b" in text
        text = update_relations_cypher(rtype)
        assert text.startswith("UNWIND $rows AS row") and f"MATCH (a:Entity)-[r:{rtype}]->(b:Entity)" in text
    with pytest.raises(ValueError):
        merge_entities_cypher("Person) DETACH DELETE n //")
    with pytest.raises(ValueError):
        create_relations_cypher("LEADS]->() DELETE r //")
    with pytest.raises(ValueError):
        update_relations_cypher("LEADS]->() DELETE r //")


def test_schema_picture_is_up_to_date():
    sys.path.insert(0, str(ROOT / "docs"))
    from make_schema_svg import OUT, render

    assert OUT.read_text(encoding="utf-8") == render(), "run: python docs/make_schema_svg.py"
    for name in list(REGISTRY.entities) + list(REGISTRY.relations):
        assert name in OUT.read_text(encoding="utf-8")


def test_default_dataset_is_the_folder_name(tmp_path):
    assert default_dataset([FLORENTINE]) == "florentine"
    assert default_dataset([FLORENTINE / "entities.yaml", tmp_path]) == "florentine"


# --------------------------------------------------------------------------- idempotence and sync


def test_loading_twice_changes_nothing(drv):
    assert kg("load", str(FLORENTINE)).exit_code == 0
    first = dump(drv)
    r = kg("load", str(FLORENTINE))
    assert r.exit_code == 0
    assert "already up to date" in r.stdout
    assert dump(drv) == first
    rows = FactRows(load_facts([FLORENTINE]), "florentine")
    report = load_rows(drv, rows)
    assert report.as_dict()["relations"] == {"created": 0, "updated": 0, "deleted": 0, "unchanged": 13}
    assert report.properties_set == 0
    assert dump(drv) == first


def test_reload_syncs_one_dataset_and_leaves_others(drv, tmp_path):
    other = tmp_path / "other"
    other.mkdir()
    (other / "facts.yaml").write_text(yaml.safe_dump(OTHER), encoding="utf-8")
    flo = copy_florentine(tmp_path)
    assert kg("load", str(flo)).exit_code == 0
    assert kg("load", str(other)).exit_code == 0
    other_before = dump(drv, "other")
    assert len(other_before[0]) == 3 and len(other_before[1]) == 1

    def change(data):
        rels = data["relations"]
        # drop the ATTACKS fact, change an attribute, drop another attribute
        rels[:] = [r for r in rels if r["type"] != "ATTACKS"]
        for r in rels:
            if r["type"] == "OCCUPIES":
                r["use"] = "base"
            if r["type"] == "LEADS":
                del r["title"]

    edit_yaml(flo / "relations.yaml", change)

    def drop_entity(data):
        data["entities"] = [e for e in data["entities"] if e["id"] != "strike-on-hospital"]
        for e in data["entities"]:
            if e["id"] == "intel-branch":
                e["type"] = "ArmedGroup"  # changes its label

    edit_yaml(flo / "entities.yaml", drop_entity)
    edit_yaml(
        flo / "relations.yaml",
        lambda d: d.__setitem__("relations", [r for r in d["relations"] if r["from"] != "strike-on-hospital"]),
    )

    r = kg("load", str(flo))
    assert r.exit_code == 0, r.output
    rows = summary(r.stdout)
    assert rows["entities"] == [0, 1, 1, 9]  # intel-branch relabelled; the strike deleted
    # relations: ATTACKS and the strike's TARGETS gone; OCCUPIES and LEADS rewritten
    assert rows["relations"] == [0, 2, 2, 9]
    assert rows["sources"] == [0, 0, 0, 2]

    assert drv.execute_query("MATCH ()-[r:ATTACKS]->() RETURN count(r) AS n").records[0]["n"] == 0
    assert drv.execute_query("MATCH (n {id: 'strike-on-hospital'}) RETURN count(n) AS n").records[0]["n"] == 0
    occ = drv.execute_query("MATCH ()-[r:OCCUPIES]->() RETURN r.use AS use").records
    assert [o["use"] for o in occ] == ["base"]
    leads = drv.execute_query("MATCH ()-[r:LEADS]->() RETURN properties(r) AS p").records[0]["p"]
    assert "title" not in leads
    labels = drv.execute_query("MATCH (n {id: 'intel-branch'}) RETURN labels(n) AS l").records[0]["l"]
    assert sorted(labels) == ["ArmedGroup", "Entity"]
    assert counts(drv) == (12 + 3, 11 + 1)
    assert dump(drv, "other") == other_before

    # The same result as a fresh load of the edited files.
    edited = dump(drv, "florentine")
    clear(drv)
    assert kg("load", str(flo)).exit_code == 0
    assert dump(drv, "florentine") == edited


def test_ids_owned_by_another_dataset_are_refused(drv, tmp_path):
    assert kg("load", str(FLORENTINE)).exit_code == 0
    before = dump(drv)
    r = kg("load", str(FLORENTINE), "--dataset", "second")
    assert r.exit_code == 1
    assert "under another dataset" in r.output and "'florentine'" in r.output
    assert dump(drv) == before


def test_unload_deletes_one_dataset(drv, tmp_path):
    other = tmp_path / "other"
    other.mkdir()
    (other / "facts.yaml").write_text(yaml.safe_dump(OTHER), encoding="utf-8")
    assert kg("load", str(FLORENTINE)).exit_code == 0
    assert kg("load", str(other)).exit_code == 0
    other_before = dump(drv, "other")
    r = kg("unload", "florentine")
    assert r.exit_code == 0 and "11 entities, 2 sources, 13 relations" in r.stdout
    assert dump(drv) == other_before
    assert "nothing to do" in kg("unload", "florentine").stdout


# --------------------------------------------------------------------------- refusals


def test_invalid_files_write_nothing(drv):
    r = kg("load", str(ROOT / "tests" / "fixtures" / "broken.yaml"))
    assert r.exit_code == 1
    assert "broken.yaml:10: unknown entity type 'Persn'" in r.stdout
    assert "nothing was written" in r.output
    assert counts(drv) == (0, 0)


def test_unreachable_server_and_bad_password_are_one_line_errors(neo4j_server, monkeypatch):
    with socket_port() as port:
        monkeypatch.setenv("NEO4J_URI", f"bolt://127.0.0.1:{port}")
        r = kg("load", str(FLORENTINE))
    assert r.exit_code == 1
    assert r.output.count("\n") == 1 and r.output.startswith("error: cannot reach Neo4j at bolt://127.0.0.1:")
    monkeypatch.setenv("NEO4J_URI", neo4j_server.uri)
    monkeypatch.setenv("NEO4J_PASSWORD", "wrong-password")
    r = kg("load", str(FLORENTINE))
    assert r.exit_code == 1
    assert r.output.count("\n") == 1 and "rejected user 'neo4j'" in r.output


class socket_port:
    """A loopback port nobody listens on (bound, not listening, while in use)."""

    def __enter__(self) -> int:
        import socket

        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        return self.sock.getsockname()[1]

    def __exit__(self, *exc) -> None:
        self.sock.close()


# --------------------------------------------------------------------------- interrupted loads


def test_node_deleted_during_a_load_stops_it_and_a_rerun_repairs(drv):
    """Relationships find their endpoints by the element ids the state read gave: a node deleted by
    someone else meanwhile is a clear error, and the next load repairs the graph."""
    facts = load_facts([FLORENTINE])
    load_rows(drv, FactRows(facts, "florentine"))
    before = dump(drv)
    drv.execute_query("MATCH ()-[r]->() DELETE r")  # every relationship is new to the next load

    class DeleteWhenWritingStarts:
        def phase(self, description, total):
            if description == "writing":
                drv.execute_query("MATCH (n:Entity {id: 'brigade-9'}) DETACH DELETE n")

        def advance(self, n):
            pass

    with pytest.raises(LoadError, match="deleted or replaced in Neo4j while this load ran"):
        load_rows(drv, FactRows(facts, "florentine"), progress=DeleteWhenWritingStarts())
    load_rows(drv, FactRows(facts, "florentine"))
    assert dump(drv) == before


def test_loads_of_one_dataset_take_turns(drv, tmp_path):
    """While a load of a dataset runs, a second one waits before reading anything; other datasets go on."""
    other = tmp_path / "other"
    other.mkdir()
    (other / "facts.yaml").write_text(yaml.safe_dump(OTHER), encoding="utf-8")
    ensure_schema(drv)
    phases: list[str] = []

    class Phases:
        def phase(self, description, total):
            phases.append(description)

        def advance(self, n):
            pass

    second = threading.Thread(
        target=load_rows, args=(drv, FactRows(load_facts([FLORENTINE]), "florentine")), kwargs={"progress": Phases()}
    )
    with dataset_guard(drv, "florentine"):  # a load of florentine in progress
        second.start()
        time.sleep(2)
        assert phases and "reading what Neo4j holds" not in phases
        assert counts(drv) == (0, 0)
        assert kg("load", str(other)).exit_code == 0  # another dataset is not held up
    second.join(60)
    assert "writing" in phases
    assert counts(drv) == (11 + 2 + 3, 13 + 1)
    assert drv.execute_query("MATCH (l:Loading) RETURN count(l) AS n").records[0]["n"] == 0  # never stored


def test_killed_load_then_rerun_equals_an_uninterrupted_load(drv, neo4j_server, tmp_path):
    data = tmp_path / "mid"
    generate(3000, 30_000, data, seed=11)
    env = {
        **os.environ,
        "NEO4J_URI": neo4j_server.uri,
        "NEO4J_USER": neo4j_server.user,
        "NEO4J_PASSWORD": neo4j_server.password,
        "PYTHONPATH": str(ROOT),
    }
    cmd = [sys.executable, "-m", "kg", "load", str(data), "--dataset", "mid", "--chunk-size", "1000"]

    done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    complete = dump(drv)
    assert counts(drv) == (len(complete[0]), 30_000) and len(complete[0]) > 3000  # entities and sources

    clear(drv)
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 300
        while counts(drv)[1] == 0:  # wait until relationship chunks are being committed
            assert proc.poll() is None, "the load finished before it could be interrupted"
            assert time.monotonic() < deadline
            time.sleep(0.02)
        proc.send_signal(signal.SIGKILL)
        proc.wait(30)
    finally:
        if proc.poll() is None:
            proc.kill()
    # A COMMIT sent just before the kill may still land: wait until the counts stand still.
    rels, stable_since = counts(drv)[1], time.monotonic()
    while time.monotonic() - stable_since < 1.0:
        time.sleep(0.1)
        now = counts(drv)[1]
        if now != rels:
            rels, stable_since = now, time.monotonic()
    assert 0 < rels < 30_000, "the kill did not land half-way"
    half = dump(drv)[1]
    assert len(half) == rels and rels % 1000 == 0  # whole chunks only
    edges = [json.loads(line)[:3] for line in half]
    assert len({tuple(e) for e in edges}) == len(edges)  # no duplicate edge

    # The dataset says it is incomplete, wherever one looks, until a load completes it.
    assert states(drv) == {"mid": "loading"}
    check = subprocess.run([*cmd, "--check"], env=env, capture_output=True, text=True, timeout=600)
    assert check.returncode == 1 and "Traceback" not in check.stderr
    assert "error: dataset mid is incomplete: a load started" in check.stderr
    status = kg("neo4j", "status", "--data-dir", str(neo4j_server.data_dir))
    assert re.search(r"mid\s+│\s+loading", status.stdout) and "warning: dataset mid is incomplete" in status.output

    again = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600)
    assert again.returncode == 0, again.stderr
    assert "note: dataset mid was incomplete (a load started" in again.stderr
    assert "did not finish); this load completed it" in again.stderr
    assert dump(drv) == complete
    assert states(drv) == {"mid": "complete"}


def test_sigterm_stops_a_load_and_says_the_dataset_is_incomplete(drv, neo4j_server, tmp_path):
    """`kill` (SIGTERM) stops a load as Ctrl+C does: chunks in flight end, and the message says what Neo4j holds."""
    data = tmp_path / "small"
    generate(1000, 10_000, data, seed=5)
    env = {
        **os.environ,
        "NEO4J_URI": neo4j_server.uri,
        "NEO4J_USER": neo4j_server.user,
        "NEO4J_PASSWORD": neo4j_server.password,
        "PYTHONPATH": str(ROOT),
    }
    cmd = [sys.executable, "-m", "kg", "load", str(data), "--chunk-size", "200"]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 300
        while counts(drv)[1] == 0:
            assert proc.poll() is None, "the load finished before it could be stopped"
            assert time.monotonic() < deadline
            time.sleep(0.02)
        proc.send_signal(signal.SIGTERM)
        stdout, stderr = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 143, stderr
    assert "Traceback" not in stderr and stderr.count("\n") == 1
    assert stderr.startswith(
        "terminated: nothing was deleted and every written row is complete, but dataset small "
        f"is marked incomplete in Neo4j until `kg load {data}` runs to the end"
    )
    assert states(drv) == {"small": "loading"}
    again = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600)
    assert again.returncode == 0, again.stderr
    assert "note: dataset small was incomplete (a load started" in again.stderr
    assert "this load completed it" in again.stderr
    assert states(drv) == {"small": "complete"} and counts(drv)[1] == 10_000


# --------------------------------------------------------------------------- what a load changed


def change_lines(output: str) -> list[str]:
    return [
        line.rstrip()
        for line in output.splitlines()
        if re.match(r"(created|updated|deleted) (source|entity|relation) ", line)
    ]


def test_load_lists_what_it_changed(drv, tmp_path):
    flo = copy_florentine(tmp_path)
    r = kg("load", str(flo))
    assert r.exit_code == 0, r.output
    lines = change_lines(r.stdout)
    assert len(lines) == 20 and "... and 6 more; --changes for all" in r.stdout  # 26 created, 20 shown
    assert lines[:3] == [
        "created source   field-report-2021",
        "created source   wire-2022",
        "created entity   abu-test",
    ]
    r = kg("load", str(flo), "--changes")
    assert change_lines(r.stdout) == [] and "more; --changes" not in r.stdout
    assert "already up to date" in r.stdout

    def edit_relations(data):
        data["relations"] = [r for r in data["relations"] if r["from"] != "strike-on-hospital"]
        for r in data["relations"]:
            if r["type"] == "OCCUPIES":
                r["use"] = "base"
        data["relations"].append(
            {
                "type": "OPERATES_IN",
                "from": "brigade-9",
                "to": "river-province",
                "credibility": 3,
                "evidence": [{"source": "wire-2022", "quote": "Brigade 9"}],
            }
        )

    edit_yaml(flo / "relations.yaml", edit_relations)
    edit_yaml(
        flo / "entities.yaml",
        lambda d: d.__setitem__("entities", [e for e in d["entities"] if e["id"] != "strike-on-hospital"]),
    )
    r = kg("load", str(flo), "--changes")
    assert r.exit_code == 0, r.output
    assert change_lines(r.stdout) == [
        "created relation brigade-9|OPERATES_IN|river-province",
        "updated relation brigade-9|OCCUPIES|old-hospital",
        "deleted entity   strike-on-hospital",
        "deleted relation strike-on-hospital|TARGETS|old-hospital",
    ]
    assert "more; --changes" not in r.stdout


def test_report_keeps_the_first_keys_and_counts_them_all(drv):
    report = load_rows(drv, FactRows(load_facts([FLORENTINE]), "florentine"), keep=2)
    assert report.changes.keys[("created", "entities")] == ["abu-test", "jane-spokes"]
    assert report.changes.counts[("created", "entities")] == 11 == report.entities.created
    assert report.changes.counts[("created", "relations")] == 13 and report.changes.total() == 26
    shown, more = report.changes.lines()
    assert len(shown) == 6 and more == 20  # two of each: sources, entities, relations
    clear(drv)
    report = load_rows(drv, FactRows(load_facts([FLORENTINE]), "florentine"), keep=None)
    assert len(report.changes.keys[("created", "relations")]) == 13
    assert report.as_dict()["changes"]["created"]["sources"] == {"count": 2, "keys": ["field-report-2021", "wire-2022"]}


# --------------------------------------------------------------------------- load states


def test_dataset_state_and_check(drv, tmp_path):
    flo = copy_florentine(tmp_path)
    r = kg("load", str(flo), "--check")
    assert r.exit_code == 1 and "a load would change 26 rows" in r.output
    assert counts(drv) == (0, 0) and states(drv) == {}  # --check writes nothing

    assert kg("load", str(flo)).exit_code == 0
    node = drv.execute_query("MATCH (d:Dataset {name: 'florentine'}) RETURN properties(d) AS p").records[0]["p"]
    assert node["state"] == "complete" and len(node["files_hash"]) == 32
    assert node["started"] <= node["finished"]
    before = dump(drv)
    r = kg("load", str(flo), "--check")
    assert r.exit_code == 0, r.output
    assert "dataset florentine is up to date" in r.stdout and "the files are the same as the last load" in r.stdout
    assert re.search(r"florentine\s+│\s+complete", r.stdout)

    edit_yaml(flo / "relations.yaml", lambda d: d["relations"].pop())  # drop ATTACKS
    r = kg("load", str(flo), "--check")
    assert r.exit_code == 1
    assert change_lines(r.stdout) == ["deleted relation state-x|ATTACKS|northern-front"]
    assert "the files are not those of the last load" in r.stdout
    assert r.output.rstrip().endswith("error: dataset florentine is not up to date: a load would change 1 row")
    assert dump(drv) == before  # still nothing written
    assert kg("load", str(flo)).exit_code == 0
    assert kg("load", str(flo), "--check").exit_code == 0

    assert kg("unload", "florentine").exit_code == 0
    assert states(drv) == {}


def test_chunks_end_at_a_byte_budget_as_well_as_a_row_count(drv, monkeypatch):
    from graph.neo4j import writer

    assert kg("load", str(FLORENTINE)).exit_code == 0
    whole = dump(drv)
    clear(drv)
    sizes: list[int] = []
    submit = writer._Writer._submit
    monkeypatch.setattr(writer, "CHUNK_BYTES", 300)  # a few rows: long quotes must not make one huge transaction

    def counted(self, kind, group, rows):
        sizes.append(len(rows))
        return submit(self, kind, group, rows)

    monkeypatch.setattr(writer._Writer, "_submit", counted)
    assert kg("load", str(FLORENTINE)).exit_code == 0
    assert dump(drv) == whole
    assert len(sizes) > 8 and max(sizes) < 10, sizes


class WithRefusedName(FactRows):
    """Rows with one entity name far past what Neo4j's range index takes (8 KB): a value validation
    refuses, written anyway to see how a load fails half-way."""

    def entities(self):
        for label, row in super().entities():
            if row["id"] == "river-province":
                row = {**row, "props": {**row["props"], "name": "x" * 40_000}}
            yield label, row


def test_value_refused_by_neo4j_leaves_the_dataset_marked_incomplete(drv, neo4j_server, tmp_path, monkeypatch):
    facts = load_facts([FLORENTINE])
    report = LoadReport("florentine")
    with pytest.raises(neo4j.exceptions.Neo4jError, match="too large"):
        load_rows(drv, WithRefusedName(facts, "florentine"), chunk_size=2, report=report)
    assert report.marked and report.incomplete and not report.complete
    assert states(drv) == {"florentine": "loading"}
    assert counts(drv)[0] > 0  # chunks before the refused one were committed

    clear(drv)
    monkeypatch.setattr("kg.load_cmd.FactRows", WithRefusedName)
    r = kg("load", str(FLORENTINE), "--chunk-size", "2")
    assert r.exit_code == 1 and r.output.count("\n") == 1, r.output
    assert r.output.startswith("error: Neo4j refused the query: Property value is too large to index")
    assert r.output.rstrip().endswith(
        "; part of this load may have been written: dataset florentine is marked incomplete in Neo4j until "
        f"`kg load {FLORENTINE}` runs to the end (kg load --check shows its state)"
    )
    monkeypatch.undo()

    r = kg("load", str(FLORENTINE), "--check")
    assert r.exit_code == 1
    assert re.search(
        r"error: dataset florentine is incomplete: a load started .* UTC did not finish; run `kg load` "
        "of its files again to complete it",
        r.output,
    )
    r = kg("neo4j", "status", "--data-dir", str(neo4j_server.data_dir))
    assert r.exit_code == 0 and re.search(r"florentine\s+│\s+loading", r.stdout)
    assert "warning: dataset florentine is incomplete: a load started" in r.output

    r = kg("load", str(FLORENTINE))
    assert r.exit_code == 0 and "this load completed it" in r.output
    assert states(drv) == {"florentine": "complete"}
    repaired = dump(drv)
    clear(drv)
    assert kg("load", str(FLORENTINE)).exit_code == 0
    assert dump(drv) == repaired


# --------------------------------------------------------------------------- configuration


@pytest.mark.parametrize(
    "uri,says",
    [
        ("bolt://127.0.0.1:7687x", "port '7687x' is not a port number (1-65535)"),
        ("bolt://127.0.0.1:99999", "port 99999 is not a port number (1-65535)"),  # the driver would use 34463
        ("bolt://127.0.0.1:0", "port 0 is not a port number (1-65535)"),
        ("http://127.0.0.1:7474", "scheme 'http' is not one Neo4j's driver speaks"),
        ("127.0.0.1:7687", "not a URI such as bolt://127.0.0.1:7687"),
        ("bolt://", "names no host"),
        ("bolt://127.0.0.1:7687/neo4j", "has a path ('/neo4j')"),
        ("bolt://neo4j:secret@127.0.0.1:7687", "holds a user name or password"),
    ],
)
@pytest.mark.parametrize(
    "command",
    [
        ["load", str(FLORENTINE)],
        ["load", str(ROOT / "tests" / "fixtures" / "broken.yaml")],  # the setting is told before the files are read
        ["load", str(FLORENTINE), "--check"],
        ["unload", "florentine"],
        ["query", "--cypher", "RETURN 1"],
        ["neo4j", "status"],
        ["neo4j", "start", "--data-dir", "/nonexistent/kg-test"],
        ["serve"],
    ],
    ids=lambda c: " ".join(c[:2]) if isinstance(c, list) else c,
)
def test_malformed_uri_is_one_line_before_anything(uri, says, command, monkeypatch):
    monkeypatch.setenv("NEO4J_URI", uri)
    r = kg(*command)
    assert r.exit_code == 2, r.output
    assert r.output.count("\n") == 1 and r.output.startswith("error: NEO4J_URI"), r.output
    assert says in r.output
    assert "secret" not in r.output


def test_other_malformed_settings(monkeypatch):
    monkeypatch.setenv("NEO4J_SERVER_PORT", "99999")
    r = kg("neo4j", "status")
    assert r.exit_code == 2 and r.output.startswith("error: NEO4J_SERVER_PORT '99999': ")
    assert r.output.count("\n") == 1
