"""One name matcher everywhere a name is given: the variants table (tests/names_cases.py) through `kg viz --focus`,
`kg query` on the real Neo4j, the explorer's API (search and named queries). The snapshot page's search is checked
in real Chromium by tests/test_viz_browser.py; graph.names itself by tests/graph/test_names.py."""

from __future__ import annotations

import json
import re

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from graph.neo4j.connection import driver
from kg.cli import app
from queries import library
from tests import names_cases as T
from tests.explorer_support import reload
from tests.paths import DATA
from viz.explorer.app import create_app
from viz.explorer.config import ExplorerConfig

runner = CliRunner()


# --------------------------------------------------------------------------- kg viz --focus (in memory)


def test_focus_takes_every_variant_and_says_how(tmp_path):
    out = tmp_path / "focus.html"
    args = ["viz", str(DATA), "--out", str(out), "--depth", "0"]
    for spelling, _ in T.RESOLVES:
        args += ["--focus", spelling]
    r = runner.invoke(app, args)
    assert r.exit_code == 0, r.output
    data = json.loads(re.search(r'id="graph-data">(.*?)</script>', out.read_text(encoding="utf-8"), re.S).group(1))
    assert {n["id"] for n in data["nodes"]} == {eid for _, eid in T.RESOLVES}
    said = [line for line in r.output.splitlines() if line.startswith("--focus ")]
    for spelling, eid in T.RESOLVES:
        line = next((s for s in said if s.startswith(f"--focus {spelling!r} -> ")), None)
        assert line is None or f"({eid})" in line.split(",")[0], line  # exact spellings go unsaid


@pytest.mark.parametrize("spelling,ids", T.AMBIGUOUS)
def test_an_ambiguous_focus_lists_its_candidates(tmp_path, spelling, ids):
    r = runner.invoke(app, ["viz", str(DATA), "--out", str(tmp_path / "x.html"), "--focus", spelling])
    assert r.exit_code == 1 and "could be any of" in r.output and all(i in r.output for i in ids)
    assert "Traceback" not in r.output and not (tmp_path / "x.html").exists()


@pytest.mark.parametrize("text,message", T.BAD + [(s, "did you mean") for s, _ in T.SUGGESTS])
def test_a_bad_focus_is_one_clear_line(tmp_path, text, message):
    r = runner.invoke(app, ["viz", str(DATA), "--out", str(tmp_path / "x.html"), "--focus", text])
    assert r.exit_code == 1 and message in r.output and "Traceback" not in r.output
    assert len(r.output.strip().splitlines()[-1]) < 400  # 10,000 characters are not echoed back


# --------------------------------------------------------------------------- Neo4j: kg query and the explorer


@pytest.fixture(scope="module")
def seed(neo4j_server):
    reload(neo4j_server, {"seed": DATA})
    with driver(neo4j_server) as drv:
        yield drv


def test_neo4j_resolves_every_variant(seed):
    for spelling, eid in T.RESOLVES:
        notes: list[str] = []
        assert library.resolve_entity(seed, spelling, notes=notes) == eid, (spelling, notes)


def test_neo4j_lists_the_candidates_of_ambiguous_names(seed):
    for spelling, ids in T.AMBIGUOUS:
        with pytest.raises(library.QueryError, match="could be any of") as e:
            library.resolve_entity(seed, spelling)
        assert all(i in str(e.value) for i in ids)
    for spelling, eid in T.SUGGESTS:
        with pytest.raises(library.QueryError, match=f"no entity has the id, name or alias .*did you mean.*{eid}"):
            library.resolve_entity(seed, spelling)


def kg(*args: str):
    r = runner.invoke(app, ["query", *args])
    assert "Traceback" not in r.output
    return r


def test_kg_query_says_how_a_name_was_matched(seed):
    r = kg("neighbourhood", "-p", "entity=Abou Kamal", "-p", "hops=1", "--format", "json")
    assert r.exit_code == 0, r.output
    assert "entity: 'Abou Kamal' -> 'Al-Bukamal' (al-bukamal), folded like 'Abu Kamal'" in r.output
    r = kg("neighbourhood", "-p", "entity=فوج 47", "-p", "hops=1")
    assert r.exit_code == 0 and "-> 'Fog 47' (fog-47)" in r.output


def test_kg_query_members_of_hezbollah_says_kataib_hezbollah_also_matches(seed):
    r = kg("members", "-p", "group=hezbollah")
    assert r.exit_code == 0, r.output
    assert "group: 'hezbollah' -> 'Lebanese Hezbollah' (lebanese-hezbollah); also matches" in r.output
    assert "(kataib-hezbollah)" in r.output


def test_kg_query_refuses_bad_names_before_connecting(seed):
    for text, message in T.BAD:
        r = kg("neighbourhood", "-p", f"entity={text}")
        assert r.exit_code in (1, 2) and "Traceback" not in r.output
        assert message in r.output or "parameter entity must be a non-empty text" in r.output, r.output
    r = kg("find", "-p", "name=?!…")
    assert r.exit_code == 2 and "has no letters or digits to match" in r.output


def test_kg_query_find_lists_spelling_variants(seed):
    r = kg("find", "-p", "name=Boukamal", "--format", "json")
    assert r.exit_code == 0, r.output
    rows = json.loads(r.stdout)
    assert rows[0]["id"] == "al-bukamal" and rows[0]["match"] == "variant"
    rows = json.loads(kg("find", "-p", "name=حسام لوكا", "--format", "json").stdout)
    assert rows[0]["id"] == "husam-luqa"


def test_sources_match_by_id_title_and_publisher(seed):
    with pytest.raises(library.QueryError, match="source 'alma' could be any of: alma-"):
        library.resolve_source(seed, "alma")
    notes: list[str] = []
    sid = library.resolve_source(seed, "levant", notes=notes)
    assert sid.startswith("levant") and notes
    with pytest.raises(library.QueryError, match="no source has the id, title or publisher 'zzqx'"):
        library.resolve_source(seed, "zzqx")


@pytest.fixture(scope="module")
def client(seed, neo4j_server):
    config = ExplorerConfig(settings=neo4j_server, request_timeout=30.0)
    with TestClient(create_app(config), base_url="http://127.0.0.1:8000") as c:
        yield c


def test_explorer_search_puts_the_variant_first(client):
    for spelling, eid in T.RESOLVES:
        found = client.get("/api/search", params={"q": spelling}).json()["suggestions"]
        assert found and found[0]["id"] == eid, (spelling, found[:3])
    for spelling, eid in T.SUGGESTS:
        found = client.get("/api/search", params={"q": spelling}).json()["suggestions"]
        assert eid in [s["id"] for s in found], (spelling, found)


def test_explorer_search_is_one_round_trip(seed):
    """The explorer's search query (likely matches, the matcher's block, the conditional reads) runs as one."""
    from viz.explorer.store.search import SEARCH, search_params

    def search(text: str, key: str):
        records, _, _ = seed.execute_query(SEARCH, **search_params(text, key, limit=10, want=30))
        return records[0]

    r = search("Abou Kamal", "aboukamal")
    assert "al-bukamal" in {x["id"] for x in r["keyed"]} and not r["words_read"]
    r = search("Bukamal", "bukamal")
    assert "al-bukamal" in {x["id"] for x in r["likely"] + r["inside"]}
    r = search("Qqzzxv", "qqzzxv")  # nothing keyed: the fuzzy words were read in the same query
    assert r["words_read"] and r["keyed"] == []


def test_explorer_finds_names_containing_what_was_typed_by_an_index_seek(seed, client):
    """The name keys are stored at load (graph.names.key_text) under a TEXT index: "containing" is a seek,
    not a walk of every full-text term, and finds what the walk found."""
    from viz.explorer.store.search import INSIDE_SEEK, SEARCH, SEARCH_WALK

    records, _, _ = seed.execute_query("MATCH (n:Entity {id: 'al-bukamal'}) RETURN n.name_keys AS keys")
    assert "albukamal" in records[0]["keys"].split()
    plan = seed.execute_query("EXPLAIN " + INSIDE_SEEK + " RETURN node", contained="ukama", n=5).summary.plan
    assert "NodeIndexContainsScan" in json.dumps(plan, default=str)
    assert SEARCH != SEARCH_WALK and "$contained" in SEARCH and "$inside" in SEARCH_WALK
    ids = [s["id"] for s in client.get("/api/search", params={"q": "ukama"}).json()["suggestions"]]
    assert "al-bukamal" in ids


def test_explorer_search_survives_bad_names(client):
    for text, _ in T.BAD:
        r = client.get("/api/search", params={"q": text[:200]})
        assert r.status_code == 200 and isinstance(r.json()["suggestions"], list)
    assert client.get("/api/search", params={"q": "x" * 10_000}).status_code == 422


def test_explorer_named_queries_resolve_variants(client):
    r = client.post("/api/queries/neighbourhood", json={"params": {"entity": "Abou Kamal", "hops": 1}})
    assert r.status_code == 200, r.text
    assert r.json()["matched"] == ["entity: 'Abou Kamal' -> 'Al-Bukamal' (al-bukamal), folded like 'Abu Kamal'"]
    r = client.post("/api/queries/members", json={"params": {"group": "hezbollah"}})
    assert r.status_code == 200 and 'also matches "Kata\'ib Hezbollah" (kataib-hezbollah)' in r.json()["matched"][0]
    r = client.post("/api/queries/neighbourhood", json={"params": {"entity": "al-bukamal", "hops": 1}})
    assert r.json()["matched"] == []  # an id is taken as it is: nothing to say
    r = client.post("/api/queries/members", json={"params": {"group": "Iranian cultural centres"}})
    assert r.status_code == 400 and "could be any of" in r.json()["detail"]
    r = client.post("/api/queries/members", json={"params": {"group": "?!"}})
    assert r.status_code == 400 and "no letters or digits" in r.json()["detail"]
