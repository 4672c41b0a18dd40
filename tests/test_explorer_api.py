"""The explorer's JSON API against a real Neo4j loaded with the seed dataset.

Filters are checked against the in-memory views (graph.views): the same facts,
filtered in Python, must give the same neighbourhoods as the Cypher the API runs.
Every error kind is provoked for real and must answer its status with the one
declared error model (ErrorOut).
"""

import functools
import json
import os
import subprocess
import sys
import threading
import time
from datetime import date

import httpx
import pytest
from fastapi.testclient import TestClient

from graph.asof import fact_window, iso_days
from graph.build import build_graph
from graph.neo4j.readonly import refusal
from graph.schema import REGISTRY
from graph.views import filter_graph
from loaders import load_facts
from tests.explorer_support import EXPLORER_DATA, EXPLORER_DOCS, HOSTILE, ServerThread, counts, free_port, reload
from viz.explorer import errors
from viz.explorer.app import create_app
from viz.explorer.config import TOKEN_HEADER, ExplorerConfig
from viz.explorer.models import ErrorOut, Filters
from viz.explorer.store import Store, neighbourhood

BASE = "http://127.0.0.1:8000"
# Rows Neo4j stops at its time limit: it checks the limit between rows.
SLOW = "UNWIND range(1, 1000000000) AS x WITH x WHERE x % 1000000007 = 3 RETURN count(*)"


@pytest.fixture(scope="module")
def seed_graph():
    return build_graph(load_facts([EXPLORER_DATA]))


@pytest.fixture(scope="module")
def loaded(neo4j_server):
    reload(neo4j_server, {"seed": EXPLORER_DATA, "hostile": HOSTILE})
    return neo4j_server


@pytest.fixture(scope="module")
def client(loaded):
    # The page's own reads get time enough on a busy machine; the console's limit is what the tests provoke.
    config = ExplorerConfig(
        settings=loaded, documents=EXPLORER_DOCS, query_timeout=2.0, row_limit=500, request_timeout=30.0
    )
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
    assert e["relations"]["OCCUPIES"] == sum(
        1 for *_, k in seed_graph.in_edges("badr-hospital", keys=True) if k == "OCCUPIES"
    )
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
@pytest.mark.parametrize(
    "filters",
    [
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
    ],
)
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
    between = {
        f"{u}|{k}|{v}"
        for u, v, k in seed_graph.edges(keys=True)
        if {u, v} <= {n["id"] for n in r["nodes"]} | {"al-bukamal", "fog-47"}
        and ({u, v} & {n["id"] for n in r["nodes"]} - {"al-bukamal", "fog-47"})
    }
    assert between <= ids


def test_hubs_are_reached_from_the_small_end(loaded, neo4j_driver, seed_graph):
    """With a low hub threshold, an expansion still brings every relation between a new entity and
    what is on screen, except between two hubs (which the expansion of either brings)."""
    hub = 6
    store = Store(neo4j_driver, loaded.database, hub_degree=hub)
    big = {n for n in seed_graph if seed_graph.degree(n) > hub}
    centre = "badr-hospital"
    known = sorted(set(nx_neighbours(seed_graph, "al-bukamal")) - {centre})[:15] + ["al-bukamal"]
    res = neighbourhood.expand(store, centre, filters=Filters(), known=known, limit=2000)
    new = {n["id"] for n in res["nodes"]} - set(known) - {centre}
    assert new & big, "the case needs a new hub"
    on_screen = new | set(known) | {centre}
    expected = {
        f"{u}|{k}|{v}"
        for u, v, k in seed_graph.edges(keys=True)
        if {u, v} <= on_screen and ({u, v} & new) and (centre in (u, v) or not {u, v} <= big)
    }
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
    body = {
        "roots": ["al-bukamal"],
        "expanded": ["badr-hospital", "no-such-entity"],
        "removed": ["iran"],
        "shown": [far],
        "filters": {"reliability_at_least": "C"},
    }
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
    assert "unknown entity type 'Dragon'" in check_error(r, "invalid").detail
    r = client.post("/api/expand", json={"id": "al-bukamal", "filters": {"relation_types": ["occupies"]}})
    assert "unknown relation type 'occupies' (did you mean 'OCCUPIES'?)" in check_error(r, "invalid").detail
    r = client.post("/api/expand", json={"id": "al-bukamal", "filters": {"credibility_at_least": 9}})
    assert "credibility_at_least" in check_error(r, "invalid").detail


@pytest.mark.parametrize(
    "body",
    [
        {"filters": {"credibility_at_least": True}},  # JSON's true is not the grade 1
        {"filters": {"credibility_at_least": "2"}},
        {"filters": {"as_of": 0}},  # not a timestamp
        {"filters": {"as_of": "2021-06-01T00:00:00"}},
        {"limit": True},
        {"limit": "5"},
        {"limit": 5.5},
    ],
)
def test_values_the_schema_forbids_are_refused(client, body):
    check_error(client.post("/api/expand", json={"id": "al-bukamal", **body}), "invalid")


def test_values_the_schema_allows_are_taken(client):
    """A whole number may be written 2.0 (JSON Schema's integers), a day is YYYY-MM-DD."""
    r = client.post(
        "/api/expand",
        json={"id": "al-bukamal", "limit": 5.0, "filters": {"credibility_at_least": 2.0, "as_of": "2021-06-01"}},
    )
    assert r.status_code == 200, r.text
    assert r.json()["shown"] <= 5


def test_the_schema_states_the_registry_types_and_grades(client):
    schema = client.get("/api/openapi.json").json()
    filters = schema["components"]["schemas"]["Filters"]["properties"]

    def items(field):
        return next(a for a in filters[field]["anyOf"] if a.get("type") == "array")["items"]

    assert items("entity_types")["enum"] == list(REGISTRY.entities)
    assert items("relation_types")["enum"] == list(REGISTRY.relations)
    credibility = next(a for a in filters["credibility_at_least"]["anyOf"] if a.get("type") == "integer")
    assert (credibility["minimum"], credibility["maximum"]) == (REGISTRY.credibility.best, REGISTRY.credibility.worst)
    reliability = next(a for a in filters["reliability_at_least"]["anyOf"] if a.get("type") == "string")
    assert reliability["enum"] == list(REGISTRY.reliability.grades)
    rtype = next(
        p for p in schema["paths"]["/api/edges/{source}/{rtype}/{target}"]["get"]["parameters"] if p["name"] == "rtype"
    )
    assert rtype["schema"]["enum"] == list(REGISTRY.relations)
    edges = schema["components"]["schemas"]["ExportRequest"]["properties"]["edges"]["items"]
    assert all(t in edges["pattern"] for t in REGISTRY.relations)


# --------------------------------------------------------------------------- the as-of rule


@pytest.mark.parametrize(
    "edge, last_day, first_gone",
    [
        ("isis|OPERATES_IN|deir-ez-zor", "2017-12-31", "2018-01-01"),  # valid_to "2017": through the year's end
        ("husam-luqa|PRESENT_AT|al-bukamal", "2021-12-31", "2022-01-01"),  # valid_to "2021-12": through the month's
    ],
)
def test_a_partial_end_date_holds_through_its_last_day(client, edge, last_day, first_gone):
    source, _, target = edge.split("|")

    def shown(day):
        return edge in {e["id"] for e in expand(client, source, as_of=day)["edges"]}

    assert shown(last_day) and not shown(first_gone)
    # A rebuilt view follows the same rule.
    v = client.post("/api/view", json={"roots": [source], "filters": {"as_of": first_gone}}).json()
    assert edge not in {e["id"] for e in v["edges"]}
    # The edge carries its window as ISO days (what the page compares), and the slider offers the day it stops.
    e = {e["id"]: e for e in expand(client, source)["edges"]}[edge]
    assert e["valid_to_day"] == last_day and e["time_basis"] == "stated"
    assert first_gone in client.get("/api/meta").json()["dates"]


def test_a_partial_start_date_holds_from_its_first_day(client):
    edge = "husam-luqa|PRESENT_AT|al-bukamal"  # valid_from "2021-12"
    ids = {
        day: {e["id"] for e in expand(client, "husam-luqa", as_of=day)["edges"]} for day in ("2021-11-30", "2021-12-01")
    }
    assert edge not in ids["2021-11-30"] and edge in ids["2021-12-01"]


def test_edges_carry_the_window_of_the_one_as_of_rule(client, seed_graph):
    """Every edge's ISO days are graph.asof's window for that fact (stated, or inferred from observations)."""
    res = expand(client, "al-bukamal")
    assert res["edges"]
    for e in res["edges"]:
        data = seed_graph.edges[e["source"], e["target"], e["type"]]
        w, basis = fact_window(data)
        assert (e["valid_from_day"], e["valid_to_day"]) == iso_days(w) and e["time_basis"] == basis, e["id"]
    entity = {n["id"]: n for n in res["nodes"]}["al-bukamal"]
    assert entity["valid_from_day"] is None and entity["valid_to_day"] is None  # a place always exists


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
    # A relation type the registry does not have is refused by the schema's enum.
    check_error(client.get("/api/edges/fog-47/NOT_A_TYPE/badr-hospital"), "invalid")


# --------------------------------------------------------------------------- Cypher


def test_cypher_reads_and_draws_graph_results(client):
    r = client.post(
        "/api/cypher",
        json={
            "query": "MATCH (g:Entity {id: $id})-[r:OCCUPIES]->(s) RETURN g, r, s.name AS site",
            "params": {"id": "fog-47"},
        },
    )
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
    assert res["truncated_by"] == "rows" and res["truncated_reason"] == "only the first 500 rows: the row limit"
    started = time.monotonic()
    body = check_error(client.post("/api/cypher", json={"query": SLOW}), "timeout")
    assert time.monotonic() - started < 2.0 + 2  # the limit and a little
    assert "time limit (2 s)" in body.detail
    # The server answers the next request as usual.
    assert client.post("/api/cypher", json={"query": "RETURN 1 AS one"}).json()["rows"] == [[1]]


# One expression Neo4j computes without looking at the time limit: it runs for seconds whatever the limit.
UNSTOPPABLE = "RETURN reduce(s = 0, x IN range(1, 300000000) | s + x) AS n"


def test_a_query_neo4j_does_not_stop_is_answered_at_the_time_limit(loaded):
    """The explorer stops waiting at the limit whatever Neo4j does; the abandoned query holds its slot
    until Neo4j ends it (console: busy), while the page's own reads go on."""
    config = ExplorerConfig(settings=loaded, query_timeout=1.0, max_running=1)
    with TestClient(create_app(config), base_url=BASE) as c:
        started = time.monotonic()
        body = check_error(c.post("/api/cypher", json={"query": UNSTOPPABLE}), "timeout")
        took = time.monotonic() - started
        print(f"\nunstoppable query: answered timeout after {took:.2f} s (limit 1 s)")
        assert took < 1.0 + 2 and "time limit (1 s)" in body.detail
        assert "stopped waiting" in body.detail
        body = check_error(c.post("/api/cypher", json={"query": "RETURN 1 AS one"}), "busy")
        assert "still running" in body.detail
        assert declares(c.get("/api/openapi.json").json(), "post", "/api/cypher", "busy")
        assert c.get("/api/search", params={"q": "fog"}).status_code == 200
        deadline = time.monotonic() + 180
        while (r := c.post("/api/cypher", json={"query": "RETURN 1 AS one"})).status_code == 503:
            assert time.monotonic() < deadline, "the abandoned query never ended"
            time.sleep(0.5)
        assert r.status_code == 200 and r.json()["rows"] == [[1]]


def rss_mb() -> float:
    with open(f"/proc/{os.getpid()}/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6


class PeakRSS:
    """The most this process's resident memory grew while the block ran (sampled every 10 ms)."""

    def __enter__(self):
        self.before = self.peak = rss_mb()
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def _sample(self):
        while not self._done.wait(0.01):
            self.peak = max(self.peak, rss_mb())

    def __exit__(self, *exc):
        self._done.set()
        self._thread.join()
        self.growth = self.peak - self.before


def test_a_huge_row_is_cut_not_copied(loaded):
    """A row holding a 10-million-item list (79 MB of JSON): the answer is small, quick and says it
    was cut; the explorer converts nothing of it (what memory it costs is the driver's decoding)."""
    with TestClient(create_app(ExplorerConfig(settings=loaded, query_timeout=60)), base_url=BASE) as client:
        started = time.monotonic()
        with PeakRSS() as memory:
            r = client.post("/api/cypher", json={"query": "RETURN range(1, 10000000) AS xs"})
        took = time.monotonic() - started
    print(f"\nhuge row: {len(r.content)} bytes in {took:.2f} s, peak RSS growth {memory.growth:.0f} MB")
    assert r.status_code == 200, r.text
    res = r.json()
    assert res["rows"] == [] and res["truncated"] is True and res["truncated_by"] == "bytes"
    assert res["truncated_reason"].startswith("the first row alone passes the size limit (10 MB of JSON)")
    assert len(r.content) < 2000 and took < 30
    assert memory.growth < 700  # the driver's decoding of the record (~450 MB): no copy of it on top


def test_rows_stop_at_the_byte_limit(loaded):
    with TestClient(create_app(ExplorerConfig(settings=loaded, byte_limit=200_000)), base_url=BASE) as c:
        r = c.post("/api/cypher", json={"query": "UNWIND range(1, 1000) AS i RETURN i, range(1, 1000) AS xs"})
        res = r.json()
        n = len(res["rows"])
        assert res["truncated_by"] == "bytes" and 0 < n < 1000 and res["byte_limit"] == 200_000
        assert [row[0] for row in res["rows"]] == list(range(1, n + 1))
        assert len(json.dumps(res["rows"], separators=(",", ":"))) <= 200_000 < len(r.content) + 10_000
        assert (
            res["truncated_reason"] == f"only the first {n} rows: the next would pass the size limit (0.2 MB of JSON)"
        )
        assert c.get("/api/meta").json()["byte_limit"] == 200_000


# Collecting lists passes the local server's per-query memory cap (db.memory.transaction.max, 1 GiB) in a second.
MEMORY_HOG = (
    "UNWIND range(1, 10000000) AS x WITH collect([x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, "
    "x, x]) AS xs RETURN size(xs)"
)


def test_a_query_needing_more_memory_than_allowed_is_too_big(loaded):
    with TestClient(create_app(ExplorerConfig(settings=loaded, query_timeout=60)), base_url=BASE) as c:
        body = check_error(c.post("/api/cypher", json={"query": MEMORY_HOG}), "too_big")
        assert "more memory than one query may use (1.0 GiB)" in body.detail
        assert declares(c.get("/api/openapi.json").json(), "post", "/api/cypher", "too_big")
        assert c.post("/api/cypher", json={"query": "RETURN 1 AS one"}).status_code == 200


@pytest.mark.parametrize(
    "query",
    [
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
        "CREATE USER intruder SET PASSWORD 'intruder-password'",
    ],
)
def test_cypher_that_writes_is_refused_and_the_graph_unchanged(client, loaded, query):
    before = counts(loaded)
    r = client.post("/api/cypher", json={"query": query})
    assert r.status_code == 400, r.text
    assert r.json()["error"] == "refused" and "the console only reads" in r.json()["detail"]
    assert "\n" not in r.json()["detail"] and "query type" not in r.json()["detail"]
    assert counts(loaded) == before


@pytest.mark.parametrize(
    "query",
    [
        "SHOW SETTINGS",
        "SHOW TRANSACTIONS",  # other sessions' query texts
        "SHOW TRANSACTIONS YIELD transactionId, currentQuery RETURN currentQuery",
        "show transactions 'neo4j-transaction-1'",
        "TERMINATE TRANSACTIONS 'neo4j-transaction-1'",
        "SHOW USERS",
        "SHOW PRIVILEGES",
        "SHOW ROLES",
        "SHOW USER neo4j PRIVILEGES",
        "SHOW SERVERS",
        "SHOW DATABASES",
        "SHOW CURRENT USER",
        "CYPHER 5 SHOW SETTINGS",
        "EXPLAIN SHOW TRANSACTIONS",
        "CALL db.clearQueryCaches()",
        "CALL dbms.listConfig()",
        "CALL dbms.listConfig() YIELD name, value RETURN name, value",
        "CALL dbms.showCurrentUser()",
        "CALL `dbms`.`listConfig`()",
    ],
)
def test_the_console_refuses_administration_in_plain_words(client, query):
    body = check_error(client.post("/api/cypher", json={"query": query}), "refused")
    assert body.detail.startswith("the console only reads the graph: ") and "is not run" in body.detail
    assert refusal(query) in body.detail  # the one rule, shared with `kg query --cypher`


@pytest.mark.parametrize(
    "query",
    [
        "SHOW INDEXES",
        "SHOW FULLTEXT INDEXES YIELD name RETURN name",
        "SHOW CONSTRAINTS",
        "SHOW FUNCTIONS YIELD name RETURN name LIMIT 3",
        "SHOW PROCEDURES YIELD name RETURN name",
        "CALL dbms.components()",
        "CALL db.labels()",
        "MATCH (show:Entity) RETURN show.name AS show LIMIT 1",  # a variable named show is no command
    ],
)
def test_the_console_keeps_the_listings_an_analyst_wants(client, query):
    r = client.post("/api/cypher", json={"query": query})
    assert r.status_code == 200, r.text
    assert r.json()["rows"]


def test_cypher_errors_are_one_line(client):
    r = client.post("/api/cypher", json={"query": "MATCH (n RETURN n"})
    assert r.status_code == 400 and "\n" not in r.json()["detail"] and "Invalid input" in r.json()["detail"]
    # A valid string that is no Cypher: Neo4j's syntax error, as a query_error.
    assert "Invalid input '0'" in check_error(client.post("/api/cypher", json={"query": "0"}), "query_error").detail


# --------------------------------------------------------------------------- named queries


def test_named_queries_listed_with_their_parameters(client):
    from queries.library import load_library

    listed = {q["name"]: q for q in client.get("/api/queries").json()}
    assert set(listed) == set(load_library())
    occ = listed["occupants"]
    assert occ["question"] == load_library()["occupants"].answers and "notes" in occ
    assert occ["params"][0]["name"] == "site" and occ["params"][0]["type"] == "entity"


def test_named_query_runs_with_names_resolved(client):
    r = client.post("/api/queries/occupants", json={"params": {"site": "Badr Hospital"}})
    assert r.status_code == 200, r.text
    res = r.json()
    rows = [dict(zip(res["columns"], row, strict=True)) for row in res["rows"]]
    assert {"id": "fog-47", "use": "headquarters"}.items() <= next(x for x in rows if x["id"] == "fog-47").items()


def test_named_query_errors_are_readable(client, loaded):
    before = counts(loaded)
    r = client.post("/api/queries/occupants", json={"params": {"site": "Nowhere at all"}})
    assert r.status_code == 400 and "Nowhere at all" in r.json()["detail"]
    r = client.post("/api/queries/occupants", json={"params": {"nope": 1}})
    assert r.status_code == 400 and "no parameter 'nope'" in r.json()["detail"]
    r = client.post("/api/queries/occupants", json={"params": {}})
    assert r.status_code == 400 and r.json()["error"] == "bad_request"
    assert "needs parameter 'site' in params" in r.json()["detail"] and "-p" not in r.json()["detail"]
    r = client.post("/api/queries/neighbourhood", json={"params": {"entity": "fog-47", "hops": 9}})
    assert r.status_code == 400 and "between 1 and 3" in r.json()["detail"]
    assert client.post("/api/queries/no_such_query", json={"params": {}}).status_code == 404
    assert counts(loaded) == before


def test_meta_gives_the_registry_scales_and_the_horizon(client):
    m = client.get("/api/meta").json()
    assert m["grades"] == {"reliability": REGISTRY.reliability.as_dict(), "credibility": REGISTRY.credibility.as_dict()}
    assert m["horizon"]["look_back"] == "6m" and "before their first report" in m["horizon"]["description"]
    assert [t["type"] for t in m["entity_types"]] == list(REGISTRY.entities) and m["dates"] == sorted(m["dates"])


def test_filter_descriptions_come_from_the_registry(client):
    fields = client.get("/api/openapi.json").json()["components"]["schemas"]["Filters"]["properties"]
    for name, scale in (("reliability_at_least", REGISTRY.reliability), ("credibility_at_least", REGISTRY.credibility)):
        assert all(scale.label(g) in fields[name]["description"] for g in scale.grades), name


# --------------------------------------------------------------------------- export, schema, safety


def test_export_html_snapshot(client):
    r = client.post(
        "/api/export/html",
        json={
            "nodes": ["fog-47", "badr-hospital", "al-bukamal"],
            "edges": ["fog-47|OCCUPIES|badr-hospital", "badr-hospital|LOCATED_IN|al-bukamal"],
        },
    )
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/html")
    assert "attachment" in r.headers["content-disposition"]
    html = r.text
    assert "Badr Hospital" in html and "Fog 47" in html and "headquarters" in html
    assert "<script src=" not in html and "http://" not in html.split("<body", 1)[0].lower().replace(
        "http://www.w3.org", ""
    )


# --------------------------------------------------------------------------- placement (POST /api/place)

PLACE = {
    "positions": {"al-bukamal": [0, 0], "badr-hospital": [240.5, -30]},
    "nodes": ["fog-47", "iran", "loose"],
    "ties": [["fog-47", "badr-hospital"], ["iran", "fog-47"], ["al-bukamal", "badr-hospital"]],
    "pinned": ["al-bukamal"],
    "labels": {"fog-47": "Fog 47", "badr-hospital": "Badr Hospital"},
    "sizes": {"al-bukamal": 24},
}


def test_place_holds_the_screen_and_answers_the_same_every_time(client):
    r = client.post("/api/place", json=PLACE)
    assert r.status_code == 200, r.text
    out = r.json()
    assert set(out["positions"]) == {"fog-47", "iran", "loose"}
    assert out["held"] == 2 and out["overlaps"] == 0
    assert all(isinstance(c, float) and abs(c) < 1e6 for p in out["positions"].values() for c in p)
    assert client.post("/api/place", json=PLACE).json()["positions"] == out["positions"]
    # what the schema cannot say is taken leniently: a node on screen stays, one listed twice is placed once,
    # a tie naming a node in neither list is left out
    odd = client.post(
        "/api/place", json={**PLACE, "nodes": ["fog-47", "fog-47", "al-bukamal"], "ties": [["fog-47", "nowhere"]]}
    ).json()
    assert odd["positions"]["al-bukamal"] == [0, 0] and set(odd["positions"]) == {"fog-47", "al-bukamal"}
    # with nothing on screen the nodes get the snapshot's layout
    fresh = client.post("/api/place", json={"nodes": ["a", "b"], "ties": [["a", "b"]]}).json()
    assert fresh["held"] == 0 and set(fresh["positions"]) == {"a", "b"}


@pytest.mark.parametrize(
    "change, says",
    [
        ({"positions": {"a": ["1", 2]}}, "positions.a.0: Input should be a valid number"),
        ({"positions": {"a": [True, 2]}}, "positions.a.0: Input should be a valid number"),
        ({"positions": {"a": [1e8, 2]}}, "positions.a.0: Input should be less than or equal to 10000000"),
        ({"positions": {"a": [1, 2, 3]}}, "positions.a: Tuple should have at most 2 items"),
        ({"nodes": []}, "nodes: List should have at least 1 item"),
        ({"labels": {"fog-47": "x" * 201}}, "labels.fog-47: String should have at most 200 characters"),
        ({"sizes": {"fog-47": 0}}, "sizes.fog-47: Input should be greater than 0"),
        ({"nodes": [f"n{i}" for i in range(20001)]}, "nodes: List should have at most 20000 items"),
        ({"extra": 1}, "extra: Extra inputs are not permitted"),
    ],
)
def test_place_refuses_what_it_cannot_use_in_one_line(client, change, says):
    r = client.post("/api/place", json={**PLACE, **change})
    assert r.status_code == 422, r.text
    assert r.json()["error"] == "invalid" and says in r.json()["detail"], r.json()["detail"]


def test_place_refuses_numbers_json_does_not_have(client):
    for word in ("Infinity", "NaN", "-Infinity"):
        r = client.post(
            "/api/place",
            content=f'{{"positions": {{"a": [{word}, 0]}}, "nodes": ["b"]}}',
            headers={"content-type": "application/json"},
        )
        assert r.status_code == 422 and r.json()["error"] == "invalid", r.text


def test_openapi_schema_documents_the_api(client):
    schema = client.get("/api/openapi.json").json()
    for path in (
        "/api/search",
        "/api/entities/{entity_id}",
        "/api/expand",
        "/api/view",
        "/api/queries",
        "/api/queries/{name}",
        "/api/cypher",
        "/api/export/html",
        "/api/edges/{source}/{rtype}/{target}",
    ):
        assert path in schema["paths"], path
    models = set(schema["components"]["schemas"])
    assert {"Filters", "QueryResultOut", "EdgeDetailsOut", "SearchOut", "ErrorOut"} <= models
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
            assert "token" in check_error(c.get(path), "unauthorized").detail, path
        # The access check comes before the request's own validation.
        check_error(c.post("/api/expand", json={"limit": "many"}), "unauthorized")
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


# --------------------------------------------------------------------------- errors: one model, declared

NESTED = functools.reduce(lambda inner, _: [inner], range(100), [])

# (kind, the route as OpenAPI names it, the request that provokes it)
ERROR_CASES = [
    ("not_found", ("get", "/api/entities/{entity_id}"), {"url": "/api/entities/no-such-entity"}),
    ("invalid", ("get", "/api/edges/{source}/{rtype}/{target}"), {"url": "/api/edges/fog-47/NOT_A_TYPE/x"}),
    ("not_found", ("get", "/api/edges/{source}/{rtype}/{target}"), {"url": "/api/edges/fog-47/OCCUPIES/iran"}),
    ("not_found", ("post", "/api/expand"), {"url": "/api/expand", "json": {"id": "no-such-entity"}}),
    ("not_found", ("post", "/api/queries/{name}"), {"url": "/api/queries/no_such_query", "json": {"params": {}}}),
    ("bad_request", ("post", "/api/queries/{name}"), {"url": "/api/queries/occupants", "json": {"params": {}}}),
    (
        "invalid",
        ("post", "/api/export/html"),
        {"url": "/api/export/html", "json": {"nodes": ["fog-47"], "edges": ["fog-47|NOT_A_TYPE|iran"]}},
    ),
    (
        "bad_request",
        ("post", "/api/queries/{name}"),
        {"url": "/api/queries/neighbourhood", "json": {"params": {"entity": "fog-47", "hops": 9}}},
    ),
    ("refused", ("post", "/api/cypher"), {"url": "/api/cypher", "json": {"query": "CREATE (n) RETURN n"}}),
    (
        "refused",
        ("post", "/api/cypher"),
        {"url": "/api/cypher", "json": {"query": "LOAD CSV FROM 'file:///x' AS l RETURN l"}},
    ),
    ("query_error", ("post", "/api/cypher"), {"url": "/api/cypher", "json": {"query": "MATCH (n RETURN n"}}),
    ("query_error", ("post", "/api/cypher"), {"url": "/api/cypher", "json": {"query": "0"}}),
    ("refused", ("post", "/api/cypher"), {"url": "/api/cypher", "json": {"query": "SHOW SETTINGS"}}),
    ("timeout", ("post", "/api/cypher"), {"url": "/api/cypher", "json": {"query": SLOW}}),
    ("invalid", ("post", "/api/expand"), {"url": "/api/expand", "json": {"id": "al-bukamal", "limit": 0}}),
    ("invalid", ("post", "/api/place"), {"url": "/api/place", "json": {"nodes": ["a"], "positions": {"b": [1]}}}),
    ("invalid", ("post", "/api/cypher"), {"url": "/api/cypher", "json": {"query": ""}}),
    (
        "invalid",
        ("post", "/api/cypher"),
        {"url": "/api/cypher", "json": {"query": "RETURN $x", "params": {"x": 2**64}}},
    ),
    (
        "invalid",
        ("post", "/api/cypher"),  # JSON keeps 2**53 and beyond only approximately
        {"url": "/api/cypher", "json": {"query": "RETURN $x", "params": {"x": 2**53}}},
    ),
    (
        "invalid",
        ("post", "/api/cypher"),  # a list in a list ... 100 deep
        {"url": "/api/cypher", "json": {"query": "RETURN $x", "params": {"x": NESTED}}},
    ),
    ("invalid", ("get", "/api/search"), {"url": "/api/search", "params": {"q": "x" * 201}}),
    (
        "invalid",
        ("post", "/api/expand"),
        {"url": "/api/expand", "json": {"id": "al-bukamal", "filters": {"credibility_at_least": True}}},
    ),
    (
        "invalid",
        ("post", "/api/expand"),
        {"url": "/api/expand", "json": {"id": "al-bukamal", "filters": {"entity_types": ["Dragon"]}}},
    ),
    (
        "invalid",
        ("post", "/api/expand"),  # a body that is not even text
        {"url": "/api/expand", "content": b"\xb9\xe6\x84", "headers": {"content-type": "application/json"}},
    ),
    (
        "invalid",
        ("post", "/api/expand"),
        {"url": "/api/expand", "content": b"{", "headers": {"content-type": "application/json"}},
    ),
    ("forbidden", ("get", "/api/meta"), {"url": "/api/meta", "headers": {"origin": "http://evil.example"}}),
    ("wrong_host", ("get", "/api/meta"), {"url": "/api/meta", "headers": {"host": "evil.example"}}),
]


def check_error(response, kind: str) -> ErrorOut:
    """The response is an error of ``kind``: its status, and a body that is the declared ErrorOut."""
    assert response.status_code == errors.KINDS[kind][0], (kind, response.status_code, response.text)
    body = ErrorOut.model_validate(response.json())
    assert body.error == kind and body.detail and "\n" not in body.detail and "Traceback" not in body.detail
    return body


def declares(schema: dict, method: str, path: str, kind: str) -> bool:
    """Whether OpenAPI declares ``kind``'s status for the route, with the ErrorOut model."""
    response = schema["paths"][path][method]["responses"].get(str(errors.KINDS[kind][0]))
    return (
        bool(response)
        and f"`{kind}`" in response["description"]
        and response["content"]["application/json"]["schema"]["$ref"] == "#/components/schemas/ErrorOut"
    )


@pytest.mark.parametrize("kind, route, request_", ERROR_CASES, ids=[f"{k}-{r[1]}" for k, r, _ in ERROR_CASES])
def test_each_error_kind_answers_its_status_with_the_declared_model(client, loaded, kind, route, request_):
    before = counts(loaded)
    check_error(client.request(route[0].upper(), **request_), kind)
    assert declares(client.get("/api/openapi.json").json(), *route, kind)
    assert counts(loaded) == before


def test_unknown_paths_and_methods_answer_with_the_error_model(client):
    check_error(client.get("/api/no-such-route"), "not_found")
    check_error(client.get("/api/expand"), "method_not_allowed")


def test_every_route_declares_its_errors_with_the_one_model(client):
    schema = client.get("/api/openapi.json").json()
    assert not {"HTTPValidationError", "ValidationError"} & set(schema["components"]["schemas"])
    for path, methods in schema["paths"].items():
        for method, op in methods.items():
            errors_declared = {s: r for s, r in op["responses"].items() if not s.startswith("2")}
            for kind in errors.ALWAYS:
                assert declares(schema, method, path, kind), (path, kind)
            assert all(
                r["content"]["application/json"]["schema"]["$ref"] == "#/components/schemas/ErrorOut"
                for r in errors_declared.values()
            ), path
            takes_input = bool(op.get("parameters") or op.get("requestBody"))
            assert ("422" in errors_declared) == takes_input, path
            # every route but those that never read the database may find Neo4j out of reach
            if path not in ("/api/queries", "/api/place"):
                assert all(declares(schema, method, path, k) for k in errors.NEO4J), path
            else:
                assert not any(declares(schema, method, path, k) for k in errors.NEO4J), path


def test_the_error_handlers_answer_every_kind(loaded):
    """Each of the explorer's errors, raised anywhere, becomes its status and an ErrorOut; anything
    unexpected a 500 in one line (the traceback stays in the server log)."""
    app = create_app(ExplorerConfig(settings=loaded))
    by_kind = {
        cls.kind: cls
        for cls in vars(errors).values()
        if isinstance(cls, type) and issubclass(cls, errors.ExplorerError)
    }
    assert set(by_kind) == set(errors.KINDS) - {"invalid", "method_not_allowed"}

    @app.get("/api/raise/{kind}")
    def _raise(kind: str):
        if kind == "unexpected":
            raise RuntimeError("something broke\nTraceback (most recent call last): ...")
        raise by_kind[kind]("went wrong\n  on a second line")

    with TestClient(app, base_url=BASE, raise_server_exceptions=False) as c:
        for kind in by_kind:
            body = check_error(c.get(f"/api/raise/{kind}"), kind)
            assert body.detail == "went wrong on a second line"
        assert c.get("/api/raise/unauthorized").headers["www-authenticate"] == "Bearer"
        body = check_error(c.get("/api/raise/unexpected"), "internal")
        assert body.detail == "internal error (RuntimeError): something broke"


def test_neo4j_out_of_reach_is_unavailable(loaded):
    gone = loaded.model_copy(update={"uri": f"bolt://127.0.0.1:{free_port()}"})
    with TestClient(create_app(ExplorerConfig(settings=gone)), base_url=BASE) as c:
        started = time.monotonic()
        body = check_error(c.get("/api/search", params={"q": "fog"}), "unavailable")
        assert "cannot reach Neo4j" in body.detail and time.monotonic() - started < 20
        check_error(c.post("/api/cypher", json={"query": "RETURN 1"}), "unavailable")


def test_wrong_neo4j_credentials_are_unavailable_not_the_askers_fault(loaded):
    wrong = loaded.model_copy(update={"password": "not-the-password"})
    with TestClient(create_app(ExplorerConfig(settings=wrong)), base_url=BASE) as c:
        body = check_error(c.get("/api/entities/fog-47"), "unavailable")
        assert "NEO4J_PASSWORD" in body.detail


def test_kg_serve_command(loaded):
    port = free_port()
    env = dict(os.environ, NEO4J_URI=loaded.uri, NEO4J_USER=loaded.user, NEO4J_PASSWORD=loaded.password)
    proc = subprocess.Popen(
        [sys.executable, "-m", "kg", "serve", "--port", str(port), "--documents", str(EXPLORER_DOCS)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
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
        again = subprocess.run(
            [sys.executable, "-m", "kg", "serve", "--port", str(port)],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert again.returncode == 1 and "cannot listen on 127.0.0.1" in again.stderr
        assert "Traceback" not in again.stderr + again.stdout
    finally:
        proc.terminate()
        out = proc.communicate(timeout=30)[0]
    assert f"http://127.0.0.1:{port}/" in out and "Traceback" not in out


def test_kg_serve_without_neo4j_says_so():
    port = free_port()
    env = dict(os.environ, NEO4J_URI=f"bolt://127.0.0.1:{free_port()}")
    r = subprocess.run(
        [sys.executable, "-m", "kg", "serve", "--port", str(port)], env=env, capture_output=True, text=True, timeout=60
    )
    assert r.returncode == 1 and "cannot reach Neo4j" in r.stderr and "Traceback" not in r.stderr
