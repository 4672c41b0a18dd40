"""The explorer's JSON API against a real Neo4j loaded with the seed dataset.

Filters are checked against the in-memory views (graph.views): the same facts,
filtered in Python, must give the same neighbourhoods as the Cypher the API runs.
"""

from datetime import date

import pytest
from fastapi.testclient import TestClient

from graph.build import build_graph
from graph.views import filter_graph
from loaders import load_facts
import os
import subprocess
import sys
import time

import httpx

from tests.explorer_support import EXPLORER_DATA, EXPLORER_DOCS, HOSTILE, ServerThread, counts, free_port, reload
from viz.explorer.app import create_app
from viz.explorer.config import TOKEN_HEADER, ExplorerConfig
from viz.explorer.models import Filters
from viz.explorer.store import Store

BASE = "http://127.0.0.1:8000"


@pytest.fixture(scope="module")
def seed_graph():
    return build_graph(load_facts([EXPLORER_DATA]))


@pytest.fixture(scope="module")
def loaded(neo4j_server):
    reload(neo4j_server, {"seed": EXPLORER_DATA, "hostile": HOSTILE})
    return neo4j_server


@pytest.fixture(scope="module")
def client(loaded):
    config = ExplorerConfig(settings=loaded, documents=EXPLORER_DOCS, query_timeout=2.0, row_limit=500)
    with TestClient(create_app(config), base_url=BASE) as c:
        yield c


def expand(client, eid, limit=2000, **filters):
    r = client.post("/api/expand", json={"id": eid, "filters": filters, "limit": limit})
    assert r.status_code == 200, r.text
    return r.json()


# --------------------------------------------------------------------------- search and entities


def test_search_matches_names_and_aliases_any_case_or_accent(client):
    s = client.get("/api/search", params={"q": "Bukamal"}).json()["suggestions"]
    assert s[0] == {"id": "al-bukamal", "name": "Al-Bukamal", "type": "Place", "matched": "Bukamal"}
    assert all(x["type"] for x in s) and len(s) <= 10
    for q in ("ALBUKAMAL", "al bukamal", "Al-Bukâmal", "abu kamal"):
        ids = [x["id"] for x in client.get("/api/search", params={"q": q}).json()["suggestions"]]
        assert ids[0] == "al-bukamal", q
    fog = client.get("/api/search", params={"q": "fog’ 4"}).json()["suggestions"]
    assert fog[0]["id"] == "fog-47" and fog[0]["type"] == "ArmedGroup"
    assert client.get("/api/search", params={"q": "badr hosp"}).json()["suggestions"][0]["id"] == "badr-hospital"


def test_search_survives_lucene_syntax_and_finds_nothing_quietly(client):
    for q in ('"', "(", "a AND", "*", "x:y", "\\", "]["):
        r = client.get("/api/search", params={"q": q})
        assert r.status_code == 200, (q, r.text)
    assert client.get("/api/search", params={"q": "qqqzzzxxx"}).json()["suggestions"] == []


def test_entity_details(client, seed_graph):
    e = client.get("/api/entities/badr-hospital").json()
    assert e["name"] == "Badr Hospital" and e["type"] == "Site"
    assert e["attributes"]["kind"] == "hospital"
    assert e["relations"]["OCCUPIES"] == sum(1 for *_, k in seed_graph.in_edges("badr-hospital", keys=True)
                                             if k == "OCCUPIES")
    r = client.get("/api/entities/no-such-entity")
    assert r.status_code == 404 and "no-such-entity" in r.json()["detail"]


# --------------------------------------------------------------------------- neighbourhoods and filters


def test_expand_shows_the_group_headquartered_at_badr_hospital(client):
    res = expand(client, "badr-hospital")
    names = {n["id"]: n for n in res["nodes"]}
    assert names["fog-47"]["name"] == "Fog 47" and names["fog-47"]["type"] == "ArmedGroup"
    edge = {e["id"]: e for e in res["edges"]}["fog-47|OCCUPIES|badr-hospital"]
    assert edge["attributes"]["use"] == "headquarters"
    assert edge["source"] == "fog-47" and edge["target"] == "badr-hospital"
    assert res["total"] == res["shown"] == len(res["nodes"]) - 1


def _expected(G, centre, etypes=None, **kw):
    H = filter_graph(G, **kw)
    out = set()
    for u, v, k in list(H.in_edges(centre, keys=True)) + list(H.out_edges(centre, keys=True)):
        other = v if u == centre else u
        if etypes is None or G.nodes[other]["type"] in etypes:
            out.add(f"{u}|{k}|{v}")
    return out


@pytest.mark.parametrize("centre", ["al-bukamal", "syrian-regime", "badr-hospital"])
@pytest.mark.parametrize("filters", [
    {},
    {"as_of": "2021-06-01"},
    {"as_of": "2021-12-15"},
    {"as_of": "2022-01-10"},
    {"credibility_at_least": 2},
    {"reliability_at_least": "B"},
    {"credibility_at_least": 3, "reliability_at_least": "B"},
    {"relation_types": ["LOCATED_IN", "OCCUPIES"]},
    {"entity_types": ["ArmedGroup", "Government"]},
    {"entity_types": ["ArmedGroup"], "as_of": "2024-01-01", "reliability_at_least": "C"},
])
def test_filters_match_the_in_memory_views(client, seed_graph, centre, filters):
    kw = {}
    if "as_of" in filters:
        kw["as_of"] = date.fromisoformat(filters["as_of"])
    if "credibility_at_least" in filters:
        kw["credibility_at_least"] = filters["credibility_at_least"]
    if "reliability_at_least" in filters:
        kw["reliability_at_least"] = filters["reliability_at_least"]
    if "relation_types" in filters:
        kw["relation_types"] = filters["relation_types"]
    expected = _expected(seed_graph, centre, filters.get("entity_types"), **kw)
    res = expand(client, centre, **filters)
    centre_edges = {e["id"] for e in res["edges"] if centre in (e["source"], e["target"])}
    assert centre_edges == expected
    # Relations among the neighbours pass the same filters.
    H = filter_graph(seed_graph, **kw)
    for e in res["edges"]:
        assert H.has_edge(e["source"], e["target"], e["type"]), e["id"]


def test_expand_limit_known_and_removed(client, seed_graph):
    full = expand(client, "al-bukamal")
    assert full["total"] == len(set(seed_graph.successors("al-bukamal")) | set(seed_graph.predecessors("al-bukamal")))
    few = expand(client, "al-bukamal", limit=3)
    assert few["shown"] == 3 and few["total"] == full["total"] and len(few["nodes"]) == 4
    removed = [n["id"] for n in full["nodes"] if n["id"] != "al-bukamal"][:2]
    r = client.post("/api/expand", json={"id": "al-bukamal", "removed": removed}).json()
    assert not set(removed) & {n["id"] for n in r["nodes"]}
    # Relations between a new neighbour and an entity already on screen come along.
    r = client.post("/api/expand", json={"id": "badr-hospital", "known": ["al-bukamal", "fog-47"]}).json()
    ids = {e["id"] for e in r["edges"]}
    between = {f"{u}|{k}|{v}" for u, v, k in seed_graph.edges(keys=True)
               if {u, v} <= {n["id"] for n in r["nodes"]} | {"al-bukamal", "fog-47"}
               and ({u, v} & {n["id"] for n in r["nodes"]} - {"al-bukamal", "fog-47"})}
    assert between <= ids


def test_hubs_are_reached_from_the_small_end(loaded, neo4j_driver, seed_graph):
    """With a low hub threshold, an expansion still brings every relation between a new entity and
    what is on screen, except between two hubs (which the expansion of either brings)."""
    hub = 6
    store = Store(neo4j_driver, loaded.database, hub_degree=hub)
    big = {n for n in seed_graph if seed_graph.degree(n) > hub}
    centre = "badr-hospital"
    known = sorted(set(nx_neighbours(seed_graph, "al-bukamal")) - {centre})[:15] + ["al-bukamal"]
    res = store.expand(centre, filters=Filters(), known=known, limit=2000)
    new = {n["id"] for n in res["nodes"]} - set(known) - {centre}
    assert new & big, "the case needs a new hub"
    on_screen = new | set(known) | {centre}
    expected = {f"{u}|{k}|{v}" for u, v, k in seed_graph.edges(keys=True)
                if {u, v} <= on_screen and ({u, v} & new) and (centre in (u, v) or not {u, v} <= big)}
    got = {e["id"] for e in res["edges"]}
    assert expected <= got
    assert all(centre in (e["source"], e["target"]) or not {e["source"], e["target"]} <= big for e in res["edges"])


def nx_neighbours(G, n):
    return set(G.successors(n)) | set(G.predecessors(n))


def test_view_rebuilds_a_state(client, seed_graph):
    near = {"al-bukamal", "badr-hospital"}
    for n in ("al-bukamal", "badr-hospital"):
        near |= set(seed_graph.successors(n)) | set(seed_graph.predecessors(n))
    far = sorted(n for n in seed_graph if n not in near and seed_graph.degree(n))[0]
    body = {"roots": ["al-bukamal"], "expanded": ["badr-hospital", "no-such-entity"], "removed": ["iran"],
            "shown": [far], "filters": {"reliability_at_least": "C"}}
    r = client.post("/api/view", json=body)
    assert r.status_code == 200, r.text
    v = r.json()
    ids = {n["id"] for n in v["nodes"]}
    assert {"al-bukamal", "badr-hospital", "fog-47", far} <= ids and "iran" not in ids
    assert ids <= near | {far}  # a shown entity comes without its neighbours
    assert v["missing"] == ["no-such-entity"]
    edge_ids = {e["id"] for e in v["edges"]}
    expected = {f"{u}|{k}|{w}" for u, w, k in seed_graph.edges(keys=True) if u in ids and w in ids}
    assert edge_ids == expected


def test_bad_filters_are_refused_in_one_line(client):
    r = client.post("/api/expand", json={"id": "al-bukamal", "filters": {"entity_types": ["Dragon"]}})
    assert r.status_code == 422
    assert "unknown entity type(s): 'Dragon'" in r.json()["detail"]
    r = client.post("/api/expand", json={"id": "al-bukamal", "filters": {"credibility_at_least": 9}})
    assert r.status_code == 422 and "credibility_at_least" in r.json()["detail"]


# --------------------------------------------------------------------------- evidence


def test_edge_evidence_with_document_context(client, seed_graph):
    r = client.get("/api/edges/fog-47/OCCUPIES/badr-hospital")
    assert r.status_code == 200, r.text
    d = r.json()
    assert d["source_name"] == "Fog 47" and d["target_name"] == "Badr Hospital"
    data = seed_graph.edges["fog-47", "badr-hospital", "OCCUPIES"]
    assert len(d["evidence"]) == len(data["evidence"])
    ev = d["evidence"][0]
    src = seed_graph.graph["sources"][ev["source"]["id"]]
    assert ev["source"]["title"] == src["title"] and ev["source"]["publisher"] == src["publisher"]
    assert ev["source"]["published"] == src["published"] and ev["source"]["reliability"] == src["reliability"]
    assert ev["quote"] == data["evidence"][0]["quote"] and ev["credibility"] == data["evidence"][0]["credibility"]
    ctx = ev["context"]
    assert "headquarters" in ctx["match"] and "Fog 47" in ctx["match"]
    assert 150 <= len(ctx["before"]) + len(ctx["match"]) + len(ctx["after"]) <= 500
    assert "Badr Hospital" in ctx["before"]


def test_edge_evidence_without_documents(loaded):
    with TestClient(create_app(ExplorerConfig(settings=loaded)), base_url=BASE) as c:
        ev = c.get("/api/edges/fog-47/OCCUPIES/badr-hospital").json()["evidence"]
        assert ev and ev[0]["context"] is None


def test_edge_not_found(client):
    assert client.get("/api/edges/fog-47/OCCUPIES/al-bukamal").status_code == 404
    assert client.get("/api/edges/fog-47/NOT_A_TYPE/badr-hospital").status_code == 404


# --------------------------------------------------------------------------- Cypher


def test_cypher_reads_and_draws_graph_results(client):
    r = client.post("/api/cypher", json={
        "query": "MATCH (g:Entity {id: $id})-[r:OCCUPIES]->(s) RETURN g, r, s.name AS site", "params": {"id": "fog-47"}})
    assert r.status_code == 200, r.text
    res = r.json()
    assert res["columns"] == ["g", "r", "site"] and "Badr Hospital" in [row[2] for row in res["rows"]]
    assert "fog-47|OCCUPIES|badr-hospital" in {e["id"] for e in res["graph"]["edges"]}
    assert {"fog-47", "badr-hospital"} <= {n["id"] for n in res["graph"]["nodes"]}
    table = client.post("/api/cypher", json={"query": "MATCH (n:Site) RETURN n.name AS name ORDER BY name"}).json()
    assert table["graph"] is None and ["Badr Hospital"] in table["rows"]


def test_cypher_row_limit_and_time_limit(client):
    res = client.post("/api/cypher", json={"query": "UNWIND range(1, 5000) AS x RETURN x"}).json()
    assert res["truncated"] is True and len(res["rows"]) == 500 == res["row_limit"]
    r = client.post("/api/cypher", json={
        "query": "UNWIND range(1, 1000000000) AS x WITH x WHERE x % 1000000007 = 3 RETURN count(*)"})
    assert r.status_code == 400
    assert "time limit" in r.json()["detail"]


@pytest.mark.parametrize("query", [
    "CREATE (n:Entity:Person {id: 'intruder', name: 'Intruder'}) RETURN n",
    "MATCH (n:Entity {id: 'fog-47'}) SET n.name = 'changed' RETURN n",
    "MATCH (n:Entity {id: 'fog-47'}) DETACH DELETE n",
    "MERGE (n:Source {id: 'fake'}) RETURN n",
    "MATCH (n:Entity {id: 'fog-47'}) REMOVE n:ArmedGroup RETURN n",
    "CALL db.createLabel('Intruder')",
    "CREATE INDEX intruder FOR (n:Entity) ON (n.intruder)",
    "MATCH (n) CALL (n) { SET n.touched = true } RETURN count(*)",
    "LOAD CSV FROM 'file:///etc/passwd' AS line RETURN line",
    "CALL dbms.setConfigValue('db.transaction.timeout', '0')",
    "SHOW TRANSACTIONS YIELD transactionId TERMINATE TRANSACTIONS transactionId",
    "STOP DATABASE neo4j",
])
def test_cypher_that_writes_is_refused_and_the_graph_unchanged(client, loaded, query):
    before = counts(loaded)
    r = client.post("/api/cypher", json={"query": query})
    assert r.status_code == 400, r.text
    assert r.json()["detail"] and "\n" not in r.json()["detail"]
    assert counts(loaded) == before


def test_cypher_errors_are_one_line(client):
    r = client.post("/api/cypher", json={"query": "MATCH (n RETURN n"})
    assert r.status_code == 400 and "\n" not in r.json()["detail"] and "Invalid input" in r.json()["detail"]


# --------------------------------------------------------------------------- named queries


def test_named_queries_listed_with_their_parameters(client):
    from queries.library import load_library

    listed = {q["name"]: q for q in client.get("/api/queries").json()}
    assert set(listed) == set(load_library())
    occ = listed["occupants"]
    assert occ["title"] and occ["params"][0]["name"] == "site" and occ["params"][0]["type"] == "entity"


def test_named_query_runs_with_names_resolved(client):
    r = client.post("/api/queries/occupants", json={"params": {"site": "Badr Hospital"}})
    assert r.status_code == 200, r.text
    res = r.json()
    rows = [dict(zip(res["columns"], row)) for row in res["rows"]]
    assert {"id": "fog-47", "use": "headquarters"}.items() <= next(x for x in rows if x["id"] == "fog-47").items()


def test_named_query_errors_are_readable(client, loaded):
    before = counts(loaded)
    r = client.post("/api/queries/occupants", json={"params": {"site": "Nowhere at all"}})
    assert r.status_code == 400 and "Nowhere at all" in r.json()["detail"]
    r = client.post("/api/queries/occupants", json={"params": {"nope": 1}})
    assert r.status_code == 400 and "no parameter 'nope'" in r.json()["detail"]
    r = client.post("/api/queries/neighbourhood", json={"params": {"entity": "fog-47", "hops": 9}})
    assert r.status_code == 400 and "between 1 and 3" in r.json()["detail"]
    assert client.post("/api/queries/no_such_query", json={"params": {}}).status_code == 404
    assert counts(loaded) == before


# --------------------------------------------------------------------------- export, schema, safety


def test_export_html_snapshot(client):
    r = client.post("/api/export/html", json={
        "nodes": ["fog-47", "badr-hospital", "al-bukamal"],
        "edges": ["fog-47|OCCUPIES|badr-hospital", "badr-hospital|LOCATED_IN|al-bukamal"]})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/html")
    assert "attachment" in r.headers["content-disposition"]
    html = r.text
    assert "Badr Hospital" in html and "Fog 47" in html and "headquarters" in html
    assert "<script src=" not in html and "http://" not in html.split("<body", 1)[0].lower().replace(
        "http://www.w3.org", "")


def test_openapi_schema_documents_the_api(client):
    schema = client.get("/api/openapi.json").json()
    for path in ("/api/search", "/api/entities/{entity_id}", "/api/expand", "/api/view", "/api/queries",
                 "/api/queries/{name}", "/api/cypher", "/api/export/html", "/api/edges/{source}/{rtype}/{target}"):
        assert path in schema["paths"], path
    assert {"Filters", "QueryResult", "EdgeDetails", "SearchResult"} <= set(schema["components"]["schemas"])
    assert schema["paths"]["/api/cypher"]["post"]["description"]
    # No page that pulls scripts from a CDN.
    assert client.get("/docs").status_code == 404


def test_page_and_assets_are_served_by_the_app(client):
    page = client.get("/")
    assert page.status_code == 200 and "default-src 'self'" in page.headers["content-security-policy"]
    for src in ("/vendor/vis-network.min.js", "/vendor/vis-network.css", "/static/app.js", "/static/app.css"):
        assert client.get(src).status_code == 200, src
    assert "cdn" not in page.text.lower() and "https://" not in page.text


def test_loopback_server_refuses_foreign_hosts_and_origins(client):
    assert client.get("/api/meta", headers={"host": "evil.example"}).status_code == 421
    assert client.get("/api/meta", headers={"origin": "http://evil.example"}).status_code == 403
    assert client.get("/api/meta", headers={"origin": BASE}).status_code == 200


def test_token_required_off_loopback(loaded):
    with pytest.raises(ValueError, match="needs an access token"):
        ExplorerConfig(host="0.0.0.0", settings=loaded)
    config = ExplorerConfig(host="0.0.0.0", token="s3cret-token", settings=loaded)
    with TestClient(create_app(config), base_url="http://192.0.2.10:8000") as c:
        assert c.get("/").status_code == 200  # the page itself; it reads the token from its fragment
        for path in ("/api/meta", "/api/search?q=fog", "/api/openapi.json"):
            r = c.get(path)
            assert r.status_code == 401 and "token" in r.json()["detail"], path
        assert c.get("/api/meta", headers={TOKEN_HEADER: "wrong"}).status_code == 401
        assert c.post("/api/cypher", json={"query": "RETURN 1"}).status_code == 401
        assert c.get("/api/meta", headers={TOKEN_HEADER: "s3cret-token"}).status_code == 200
        assert c.get("/api/search?q=fog", headers={"Authorization": "Bearer s3cret-token"}).status_code == 200
    # A token given on loopback is enforced too.
    with TestClient(create_app(ExplorerConfig(token="t0k", settings=loaded)), base_url=BASE) as c:
        assert c.get("/api/meta").status_code == 401
        assert c.get("/api/meta", headers={TOKEN_HEADER: "t0k"}).status_code == 200


def test_hostile_text_comes_back_verbatim_as_data(client):
    s = client.get("/api/search", params={"q": "zzhostile"}).json()["suggestions"]
    assert {"hostile-group", "hostile-site"} <= {x["id"] for x in s}
    e = client.get("/api/entities/hostile-group").json()
    assert e["name"] == "<img src=x onerror=\"window.__pwned = 'name'\">"
    ev = client.get("/api/edges/hostile-group/OCCUPIES/hostile-site").json()["evidence"][0]
    assert ev["quote"].startswith("<img src=x")


def test_real_server_with_a_token(loaded):
    """A real uvicorn on another loopback address, with a token: the API wants it, the page does not."""
    config = ExplorerConfig(host="127.0.0.2", token="real-token", settings=loaded)
    with ServerThread(create_app(config), host="127.0.0.2") as s:
        assert httpx.get(s.url).status_code == 200
        assert httpx.get(s.url + "api/meta").status_code == 401
        assert httpx.get(s.url + "api/meta", headers={TOKEN_HEADER: "real-token"}).status_code == 200


def test_kg_serve_command(loaded):
    port = free_port()
    env = dict(os.environ, NEO4J_URI=loaded.uri, NEO4J_USER=loaded.user, NEO4J_PASSWORD=loaded.password)
    proc = subprocess.Popen([sys.executable, "-m", "kg", "serve", "--port", str(port), "--documents", str(EXPLORER_DOCS)],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                r = httpx.get(f"http://127.0.0.1:{port}/api/meta")
                break
            except httpx.HTTPError:
                assert proc.poll() is None and time.monotonic() < deadline, proc.stdout.read()
                time.sleep(0.2)
        assert r.status_code == 200 and r.json()["documents"] is True
        # The same port again: a one-line refusal, exit 1.
        again = subprocess.run([sys.executable, "-m", "kg", "serve", "--port", str(port)], env=env,
                               capture_output=True, text=True, timeout=60)
        assert again.returncode == 1 and "cannot listen on 127.0.0.1" in again.stderr
        assert "Traceback" not in again.stderr + again.stdout
    finally:
        proc.terminate()
        out = proc.communicate(timeout=30)[0]
    assert f"http://127.0.0.1:{port}/" in out and "Traceback" not in out


def test_kg_serve_without_neo4j_says_so():
    port = free_port()
    env = dict(os.environ, NEO4J_URI=f"bolt://127.0.0.1:{free_port()}")
    r = subprocess.run([sys.executable, "-m", "kg", "serve", "--port", str(port)], env=env, capture_output=True,
                       text=True, timeout=60)
    assert r.returncode == 1 and "cannot reach Neo4j" in r.stderr and "Traceback" not in r.stderr
