"""The analysts' Cypher library (queries/*.cypher) and `kg query`, against a real Neo4j.

The answers are checked by hand on the Florentine fixture (tests/fixtures/florentine).
"""

from __future__ import annotations

import csv
import fcntl
import json
import os
import pty
import re
import shlex
import struct
import sys
import termios
from datetime import date

import pytest
import yaml
from typer.testing import CliRunner

from graph.asof import DEFAULT_HORIZON, Horizon, entity_window, fact_window, holds_on, parse_day
from graph.build import build_graph
from graph.facts import edge_id
from graph.neo4j.mapping import FactRows
from graph.neo4j.writer import load_rows
from graph.views import filter_graph
from kg.cli import app
from loaders import load_facts
from queries import library
from tests.asof_cases import ASOF, CASES, edges_on
from tests.paths import DATA, FLORENTINE

runner = CliRunner()

EXPECTED_QUERIES = {
    "leaders",
    "members",
    "sites",
    "occupants",
    "campaigns",
    "campaign_actors",
    "backers",
    "neighbourhood",
    "shortest_path",
    "present_in",
    "network_as_of",
    "from_source",
    "evidence",
    "weak_facts",
    "find",
    "single_originator",
    "claims_of",
    "credible_path",
    "key_players",
    "brokers",
    "community",
}

TWINS = {
    "sources": [{"id": "twin-src", "title": "Twins", "publisher": "T", "published": "2020", "reliability": "A"}],
    "entities": [
        {"id": "twin-one", "type": "Place", "name": "Twin Town"},
        {"id": "twin-two", "type": "Site", "name": "Twin-Town", "aliases": ["Twinned"]},
    ],
    "relations": [],
}


def clear(drv) -> None:
    with drv.session() as session:
        session.run("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS").consume()


def state(drv) -> tuple[int, int, int]:
    rec = drv.execute_query(
        "CALL () { MATCH (n) RETURN count(n) AS nodes, sum(size(keys(n))) AS np } "
        "CALL () { MATCH ()-[r]->() RETURN count(r) AS rels, sum(size(keys(r))) AS rp } "
        "RETURN nodes, rels, np + rp AS props"
    ).records[0]
    return rec["nodes"], rec["rels"], rec["props"]


def load_florentine(drv, twins) -> None:
    """The Florentine fixture (as `kg load` loads it) and the twins (dataset "twins"), alone in the database."""
    clear(drv)
    r = runner.invoke(app, ["load", str(FLORENTINE)])
    assert r.exit_code == 0, r.output
    (twins / "twins.yaml").write_text(yaml.safe_dump(TWINS), encoding="utf-8")
    load_rows(drv, FactRows(load_facts([twins]), "twins"))


@pytest.fixture(scope="module")
def florentine(neo4j_server, neo4j_driver, tmp_path_factory):
    load_florentine(neo4j_driver, tmp_path_factory.mktemp("twins"))
    return neo4j_driver


def ask(drv, query: str, **params) -> list[dict]:
    res = library.run_named(drv, query, {k: str(v) for k, v in params.items()})
    return [dict(zip(res.columns, row, strict=True)) for row in res.rows]


def kg(*args: str):
    r = runner.invoke(app, ["query", *args])
    assert "Traceback" not in r.output
    return r


# --------------------------------------------------------------------------- the library itself


def test_every_file_has_a_complete_header():
    lib = library.load_library()
    assert set(lib) >= EXPECTED_QUERIES
    for q in lib.values():
        assert q.answers and q.examples
        assert q.path.read_text(encoding="utf-8").startswith(f"// name: {q.name}\n")
        for example in q.examples:
            words = shlex.split(example)
            assert words[:3] == ["kg", "query", q.name]
            raw = dict(w.split("=", 1) for w in words[4::2])
            assert all(flag == "-p" for flag in words[3::2])
            library.coerce(q, raw)  # the example's parameters are valid


def test_header_mistakes_are_reported_with_file_and_line(tmp_path):
    ok = (
        "// name: q\n// answers: A?\n// param: group (entity) — g\n// example: kg query q -p group=x\n"
        "MATCH (g:Entity {id: $group}) RETURN g\n"
    )
    assert library.parse(ok, tmp_path / "q.cypher").params[0].kind == "entity"
    bad = {
        ok.replace("(entity)", "(thing)"): ":3: parameter kind must be one of",
        ok.replace("$group", "$grp"): "uses $grp, which no '// param:' line declares",
        ok.replace("// answers: A?\n", ""): ":1: the header needs a '// answers:' line",
        ok.replace("// example: kg query q -p group=x\n", ""): "needs at least one '// example:' line",
        ok.replace("name: q", "name: other"): "differs from the file name",
    }
    for text, message in bad.items():
        with pytest.raises(library.LibraryError, match=re.escape(message)):
            library.parse(text, tmp_path / "q.cypher")


def test_labels_and_relation_types_come_from_the_registry(tmp_path):
    head = "// name: q\n// answers: A?\n// example: kg query q\n"
    body = "MATCH (a:Entity)-[r:LEADS|MEMBR_OF]->(b)\nRETURN a"
    (tmp_path / "q.cypher").write_text(head + body, encoding="utf-8")
    with pytest.raises(library.LibraryError) as e:
        library.load_library(tmp_path)
    assert str(e.value) == f"{tmp_path / 'q.cypher'}:4: unknown relation type 'MEMBR_OF' (did you mean 'MEMBER_OF'?)"
    for text, message in (
        ("MATCH (a:Persn) RETURN a", ":4: unknown label 'Persn' (did you mean 'Person'?)"),
        ("MATCH (a)\nWHERE a:Sight RETURN a", ":5: unknown label 'Sight' (did you mean 'Site'?)"),
        ("MATCH (a)-[r]->(b)\nWHERE type(r) = 'OCUPIES' RETURN a", ":5: unknown relation type 'OCUPIES'"),
        ("MATCH (a)<-[:LEADZ*1..3]-(b) RETURN a", ":4: unknown relation type 'LEADZ' (did you mean 'LEADS'?)"),
    ):
        with pytest.raises(library.LibraryError, match=re.escape(message)):
            library.parse(head + text, tmp_path / "q.cypher")
    # Comments, strings and map keys name nothing; the store's own labels are known.
    ok = "MATCH (s:Source)<-[:CARRIES_OUT|PRESENT_AT]-(a:Entity {id: 'X:Y'}) // (x:Nothing)\nRETURN a:Person, '[:NOPE]'"
    assert library.parse(head + ok, tmp_path / "q.cypher").name == "q"
    in_library = library.get("leaders").path
    assert library.shown_path(in_library) == "queries/leaders.cypher"
    # The README's example, as a library file gets it.
    text = library.get("sites").path.read_text(encoding="utf-8").replace("[r:OCCUPIES]", "[r:OCUPIES]")
    with pytest.raises(library.LibraryError) as e:
        library.parse(text, library.QUERIES_DIR / "sites.cypher")
    assert str(e.value) == "queries/sites.cypher:5: unknown relation type 'OCUPIES' (did you mean 'OCCUPIES'?)"


def test_as_of_filters_use_the_one_rule(tmp_path):
    from graph.neo4j.cypher import HOLDS_ON

    head = "// name: q\n// answers: A?\n// param: day (date) — the day\n// example: kg query q -p day=2021\n"
    by_hand = (
        "MATCH (a)-[r]->(b)\n"
        "WHERE r.valid_from_date <= $day AND (r.valid_to_date IS NULL OR r.valid_to_date > $day)\nRETURN a"
    )
    with pytest.raises(library.LibraryError, match=re.escape(":6: filter by date with the as-of rule")):
        library.parse(head + by_hand, tmp_path / "q.cypher")
    rule = HOLDS_ON.format(r="r", day="$day")
    assert library.parse(head + f"MATCH (a)-[r]->(b)\nWHERE {rule}\nRETURN a", tmp_path / "q.cypher")
    # Sorting by a validity date is no filter.
    sort = head.replace("// param: day (date) — the day\n", "").replace(" -p day=2021", "")
    assert library.parse(sort + "MATCH (a)-[r]->(b) RETURN a ORDER BY r.valid_from_date DESC", tmp_path / "q.cypher")
    assert rule.replace("$day", "$date") in library.get("network_as_of").cypher
    assert library.get("network_as_of").uses_horizon and not library.get("leaders").uses_horizon


def test_questions_notes_and_no_jargon():
    for q in library.load_library().values():
        assert q.answers.endswith(("?", ".")) and "\n" not in q.answers and len(q.answers) <= 80, q.name
        assert q.notes not in q.answers or not q.notes
        for word in ("$", "graph.", "name_key", "kg query"):  # developer notes stay in the Cypher
            assert word not in q.notes, (q.name, q.notes)
        shown = q.as_dict()
        assert (shown["name"], shown["title"], shown["description"]) == (q.name, q.answers, q.notes)
    assert library.get("find").notes.startswith("Exact matches on id, name or alias first")


def test_alternative_parameters_and_publishers(tmp_path):
    head = (
        "// name: q\n// answers: A?\n// param: who (entity, optional) — w\n"
        "// param: pub (publisher, optional) — p\n// example: kg query q -p who=x\n"
    )
    body = "MATCH (s:Source) WHERE s.publisher IN $pub OR s.id = $who RETURN s"
    q = library.parse(head + "// requires: who or pub\n" + body, tmp_path / "q.cypher")
    assert q.requires == ("who", "pub") and q.as_dict()["requires"] == ["who", "pub"]
    assert library.coerce(q, {"pub": "Alma"}) == {"who": None, "pub": "Alma"}
    with pytest.raises(library.UsageError, match=re.escape("q needs -p who=... or -p pub=...")):
        library.coerce(q, {})
    with pytest.raises(library.LibraryError, match="names 'nobody', which is no optional parameter"):
        library.parse(head + "// requires: who or nobody\n" + body, tmp_path / "q.cypher")
    assert library.get("claims_of").requires == ("entity", "publisher")


def test_parameters_are_checked_before_running():
    q = library.get("neighbourhood")
    assert library.coerce(q, {"entity": "x"}) == {"entity": "x", "hops": 2, "limit": 100}
    with pytest.raises(library.QueryError, match="between 1 and 3"):
        library.coerce(q, {"entity": "x", "hops": "4"})
    with pytest.raises(library.QueryError, match="whole number"):
        library.coerce(q, {"entity": "x", "hops": "two"})
    with pytest.raises(library.QueryError, match="needs -p entity"):
        library.coerce(q, {})
    with pytest.raises(library.QueryError, match="has no parameter 'hop'"):
        library.coerce(q, {"entity": "x", "hop": "1"})
    assert library.coerce(library.get("network_as_of"), {"date": "2021-12"})["date"] == date(2021, 12, 1)
    with pytest.raises(library.QueryError, match="not a date"):
        library.coerce(library.get("network_as_of"), {"date": "last year"})
    assert library.coerce(library.get("find"), {"name": "Fog’ 47"})["name_key"] == "fog47"


# --------------------------------------------------------------------------- every answer, by hand


def test_leaders(florentine):
    rows = ask(florentine, "leaders", group="Liwa 9")  # an alias
    assert [(r["id"], r["title"], r["valid_from"], r["credibility"], r["reliability"], r["sources"]) for r in rows] == [
        ("abu-test", "commander", "2021", 2, "B", ["field-report-2021"])
    ]


def test_members(florentine):
    rows = ask(florentine, "members", group="northern front")
    assert [(r["id"], r["relation"], r["role"]) for r in rows] == [
        ("jane-spokes", "MEMBER_OF", "spokesman"),
        ("brigade-9", "PART_OF", None),
    ]
    assert ask(florentine, "members", group="State X") == [
        {
            "id": "intel-branch",
            "member": "Intelligence Branch",
            "type": "Organization",
            "relation": "PART_OF",
            "role": None,
            "valid_from": None,
            "valid_to": None,
            "time_basis": "inferred",
            "credibility": 1,
            "reliability": "B",
            "sources": ["field-report-2021"],
        }
    ]


def test_sites_and_occupants(florentine):
    rows = ask(florentine, "sites", group="brigade-9")
    assert [
        (r["id"], r["use"], r["located_in"], r["kind"], r["credibility"], r["reliability"], r["sources"]) for r in rows
    ] == [("old-hospital", "headquarters", ["River Town"], "hospital", 2, "B", ["field-report-2021", "wire-2022"])]
    rows = ask(florentine, "occupants", site="OLD HOSPITAL")
    assert [(r["id"], r["use"], r["valid_from"]) for r in rows] == [("brigade-9", "headquarters", "2021-06")]


def test_campaigns_both_ways(florentine):
    rows = ask(florentine, "campaigns", actor="State X")
    assert [(r["id"], r["relation"], r["kind"], r["start"], r["valid_from"], r["valid_to"]) for r in rows] == [
        ("recruitment-drive", "RUNS", "recruitment", "2021-11", "2021-11", "2021-12")
    ]
    rows = ask(florentine, "campaign_actors", campaign="recruitment drive")
    assert [(r["id"], r["relation"]) for r in rows] == [("state-x", "RUNS")]
    assert ask(florentine, "campaigns", actor="Jane Spokes") == []


def test_backers_chain(florentine):
    rows = ask(florentine, "backers", actor="Abu Test")
    assert rows == [
        {
            "id": "state-x",
            "state": "State X",
            "steps": 3,
            "chain": "Abu Tést -LEADS-> Brigade 9 -PART_OF-> Northern Front -BACKED_BY-> State X",
            "weakest_credibility": 4,
            "weakest_reliability": "D",
        }
    ]
    rows = ask(florentine, "backers", actor="Jane Spokes")
    assert [(r["steps"], r["chain"]) for r in rows] == [
        (2, "Jane Spokes -MEMBER_OF-> Northern Front -BACKED_BY-> State X")
    ]
    assert ask(florentine, "backers", actor="old-hospital") == []


def test_neighbourhood(florentine):
    one = ask(florentine, "neighbourhood", entity="brigade-9", hops=1)
    assert [(r["hops"], r["id"]) for r in one] == [
        (1, "abu-test"),
        (1, "northern-front"),
        (1, "old-hospital"),
        (1, "river-town"),
    ]
    assert one[1]["path"] == "Brigade 9 -PART_OF-> Northern Front"
    assert one[0]["path"] == "Brigade 9 <-LEADS- Abu Tést"
    two = ask(florentine, "neighbourhood", entity="brigade-9")  # default: 2 hops
    assert [(r["hops"], r["id"]) for r in two] == [
        (1, "abu-test"),
        (1, "northern-front"),
        (1, "old-hospital"),
        (1, "river-town"),
        (2, "jane-spokes"),
        (2, "recruitment-drive"),
        (2, "river-province"),
        (2, "state-x"),
        (2, "strike-on-hospital"),
    ]
    three = ask(florentine, "neighbourhood", entity="brigade-9", hops=3)
    assert {r["id"] for r in three} == {r["id"] for r in two} | {"intel-branch"}
    nearest = ask(florentine, "neighbourhood", entity="brigade-9", hops=3, limit=2)  # breadth first
    assert [r["hops"] for r in nearest] == [1, 1] and {r["id"] for r in nearest} <= {r["id"] for r in one}


def test_shortest_path(florentine):
    rows = ask(florentine, "shortest_path", **{"from": "Jane Spokes", "to": "River Town"})
    assert [(r["step"], r["from"], r["relation"], r["to"]) for r in rows] == [
        (1, "Jane Spokes", "-MEMBER_OF->", "Northern Front"),
        (2, "Northern Front", "<-PART_OF-", "Brigade 9"),
        (3, "Brigade 9", "-CONTROLS->", "River Town"),
    ]
    assert ask(florentine, "shortest_path", **{"from": "Jane Spokes", "to": "twin-one"}) == []


def test_credible_path(florentine):
    # Checked by hand: a link costs 1 + credibility rank + reliability rank of its best evidence.
    # Jane -MEMBER_OF(2, D)-> Northern Front <-PART_OF(4, D)- Brigade 9 -CONTROLS(2, B)-> River Town:
    # 5 + 7 + 3 = 15. Through State X (BACKED_BY 3B beats the parallel ATTACKS 5D), RUNS and
    # TAKES_PLACE_IN: 5 + 4 + 3 + 3 = 15 too; equal costs come by entity ids (brigade-9 < state-x).
    # Old Hospital -LOCATED_IN-> River Town is a relation about location: never used.
    rows = ask(florentine, "credible_path", **{"from": "Jane Spokes", "to": "River Town", "k": 3})
    chains = {}
    for r in rows:
        chains.setdefault(r["chain"], []).append(r)
    assert [[(s["to"], s["cost"], s["weakest"]) for s in steps] for steps in chains.values()] == [
        [("Northern Front", 5, ""), ("Brigade 9", 7, "weakest"), ("River Town", 3, "")],
        [("Northern Front", 5, "weakest"), ("State X", 4, ""), ("Recruitment drive", 3, ""), ("River Town", 3, "")],
    ]
    assert {r["chain_cost"] for r in rows} == {15}
    assert chains[2][1]["relation"] == "-BACKED_BY->" and chains[1][1]["relation"] == "<-PART_OF-"
    assert chains[1][1]["quote"] == "apparently part of the Northern Front"
    assert ask(florentine, "credible_path", **{"from": "Jane Spokes", "to": "twin-one"}) == []


def test_measure_queries_are_empty_until_measures_are_written(florentine):
    # key_players, brokers and community read what `kg analyze --write` stores
    # (tests/test_neo4j_measures.py); the fixture has none.
    for name in ("key_players", "brokers", "community"):
        assert ask(florentine, name) == [], name


def test_present_in_counts_sites_in_nested_places(florentine):
    rows = ask(florentine, "present_in", place="River Province")
    assert rows == [
        {
            "id": "brigade-9",
            "actor": "Brigade 9",
            "type": "ArmedGroup",
            "relations": ["OCCUPIES", "CONTROLS"],
            "site_count": 1,
            "sites": ["Old Hospital"],
            "best_credibility": 2,
        }
    ]
    town = ask(florentine, "present_in", place="rivertown")
    assert [(r["id"], r["site_count"]) for r in town] == [("brigade-9", 1)]
    assert ask(florentine, "present_in", place="twin-one") == []


def test_network_as_of(florentine):
    """The Cypher as-of rule (graph.neo4j.cypher.HOLDS_ON) answers as the Python one (graph.asof) does."""
    G = build_graph(load_facts([FLORENTINE]))

    def facts(day, horizon=None):
        rows = library.run_named(florentine, "network_as_of", {"date": day, "limit": "1000"}, horizon=horizon)
        return {(r[1], r[2], r[3]) for r in rows.rows}

    def expected(day, horizon=DEFAULT_HORIZON):
        H = filter_graph(G, as_of=parse_day(day), horizon=horizon)
        return {(G.nodes[u]["name"], k, G.nodes[v]["name"]) for u, v, k in H.edges(keys=True)}

    for day in ("2020", "2021-03", "2021-06", "2021-12", "2022", "2022-06", "2023-03", "2024"):
        assert facts(day) == expected(day), day
    assert ("State X", "RUNS", "Recruitment drive") in facts("2021-12")  # stated: Nov-Dec 2021
    assert ("State X", "RUNS", "Recruitment drive") not in facts("2022")
    short = Horizon.parse("1m", "1m")
    assert facts("2023-03", short) == expected("2023-03", short) != facts("2023-03")
    assert len(ask(florentine, "network_as_of", date="2021-12", limit=5)) == 5
    r = kg("network_as_of", "-p", "date=2021-12", "--look-back", "1m", "--look-ahead", "2m")
    assert r.exit_code == 0 and "from 1m before their first report to 2m after their last" in r.output
    assert kg("network_as_of", "-p", "date=2021", "--look-back", "soon").exit_code == 2
    # Every row says how its time is known, and what it was inferred from.
    [row] = [
        r
        for r in ask(florentine, "network_as_of", date="2021-12", limit=1000)
        if r["id"] == "northern-front|BACKED_BY|state-x"
    ]
    assert (row["time_basis"], row["first_observed"], row["last_observed"]) == ("inferred", "2021-12", "2021-12")
    [row] = [
        r
        for r in ask(florentine, "network_as_of", date="2021-12", limit=1000)
        if r["id"] == "state-x|RUNS|recruitment-drive"
    ]
    assert (row["time_basis"], row["valid_from"], row["valid_to"]) == ("stated", "2021-11", "2021-12")


def test_relations_show_their_time_basis(florentine):
    """Every named query whose rows are relations (or pieces of their evidence) can show how their time is known."""
    shown = {
        "leaders": {"group": "brigade-9"},
        "members": {"group": "northern-front"},
        "sites": {"group": "brigade-9"},
        "occupants": {"site": "old-hospital"},
        "campaigns": {"actor": "state-x"},
        "campaign_actors": {"campaign": "recruitment-drive"},
        "evidence": {"a": "brigade-9", "b": "old-hospital"},
        "from_source": {"source": "wire-2022"},
        "network_as_of": {"date": "2022"},
        "weak_facts": {},
        "single_originator": {},
        "claims_of": {"publisher": "Example Wire"},
        "shortest_path": {"from": "jane-spokes", "to": "river-town"},
    }
    G = build_graph(load_facts([FLORENTINE]))
    basis = {
        (G.nodes[u]["name"], k, G.nodes[v]["name"]): fact_window(d)[1] for u, v, k, d in G.edges(keys=True, data=True)
    }
    for name, params in shown.items():
        rows = ask(florentine, name, **params)
        assert rows and all(r["time_basis"] in ("stated", "inferred") for r in rows), name
        for r in rows:
            if {"from", "relation", "to"} <= set(r) and (r["from"], r["relation"], r["to"]) in basis:
                assert r["time_basis"] == basis[r["from"], r["relation"], r["to"]], (name, r)


@pytest.fixture()
def asof_in_neo4j(neo4j_server, neo4j_driver, tmp_path):
    """tests/fixtures/asof alone in the database (what the florentine fixture loads is loaded again after)."""
    clear(neo4j_driver)
    load_rows(neo4j_driver, FactRows(load_facts([ASOF]), "asof"))
    yield neo4j_driver
    load_florentine(neo4j_driver, tmp_path)


def test_network_as_of_holds_what_the_table_says(asof_in_neo4j):
    """The hand-checked as-of table (tests/asof_cases.py), every day of it, on the real Neo4j: network_as_of
    returns exactly the edges (graph.facts.edge_id) the table lists, with the stated or inferred basis."""
    G = build_graph(load_facts([ASOF]))
    for day, _ in CASES:
        rows = ask(asof_in_neo4j, "network_as_of", date=day, limit=1000)
        assert {r["id"] for r in rows} == edges_on(day), day
        for r in rows:
            u, k, v = r["id"].split("|")
            assert r["time_basis"] == fact_window(G.edges[u, v, k])[1], (day, r["id"])
    # The horizon moves the inferred facts, as graph.asof says.
    wide = Horizon.parse("6m", "24m")
    rows = library.run_named(asof_in_neo4j, "network_as_of", {"date": "2023-06-01", "limit": "1000"}, horizon=wide)
    assert "alpha|OPERATES_IN|town" in {r[0] for r in rows.rows}
    assert "alpha|OPERATES_IN|town" not in {r["id"] for r in ask(asof_in_neo4j, "network_as_of", date="2023-06-01")}


def test_from_source(florentine):
    rows = ask(florentine, "from_source", source="wire-2022")
    assert [(r["from"], r["relation"], r["to"], r["credibility"]) for r in rows] == [
        ("State X", "ATTACKS", "Northern Front", 5),
        ("Jane Spokes", "MEMBER_OF", "Northern Front", 2),
        ("Brigade 9", "OCCUPIES", "Old Hospital", 3),
        ("Brigade 9", "PART_OF", "Northern Front", 4),
        ("Strike on the Old Hospital", "TARGETS", "Old Hospital", 3),
    ]
    assert rows[2]["quote"] == "Brigade' 9 still uses the “Old Hospital” as its headquarters"
    assert len(ask(florentine, "from_source", source="field-report-2021")) == 9
    with pytest.raises(library.QueryError, match="no source has the id, title or publisher 'wire-2023' .*wire-2022"):
        ask(florentine, "from_source", source="wire-2023")


def test_evidence_between_two_entities(florentine):
    rows = ask(florentine, "evidence", a="Old Hospital", b="Liwa 9")  # either direction
    assert [(r["relation"], r["source"], r["reliability"], r["credibility"], r["publisher"]) for r in rows] == [
        ("OCCUPIES", "field-report-2021", "B", 2, "Example Monitoring Group"),
        ("OCCUPIES", "wire-2022", "D", 3, "Example Wire"),
    ]
    assert rows[0]["quote"] == "the Old Hospital serves as the headquarters of Brigade 9"
    rows = ask(florentine, "evidence", a="State X", b="Northern Front")
    assert {(r["from"], r["relation"], r["to"]) for r in rows} == {
        ("Northern Front", "BACKED_BY", "State X"),
        ("State X", "ATTACKS", "Northern Front"),
    }


def test_weak_facts(florentine):
    """Weak: one originator, credibility worse than 3, reliability worse than C, time inferred; the weakest first,
    then by id, sorted before the limit (checked by hand on the Florentine facts)."""
    rows = ask(florentine, "weak_facts")
    assert [(r["id"], r["why"]) for r in rows] == [
        ("brigade-9|PART_OF|northern-front", ["one originator", "credibility 4", "reliability D", "time inferred"]),
        ("state-x|ATTACKS|northern-front", ["one originator", "credibility 5", "reliability D", "time inferred"]),
        ("jane-spokes|MEMBER_OF|northern-front", ["one originator", "reliability D", "time inferred"]),
        ("strike-on-hospital|TARGETS|old-hospital", ["one originator", "reliability D", "time inferred"]),
        ("intel-branch|PART_OF|state-x", ["one originator", "time inferred"]),
        ("northern-front|BACKED_BY|state-x", ["one originator", "time inferred"]),
        ("old-hospital|LOCATED_IN|river-town", ["one originator", "time inferred"]),
        ("recruitment-drive|TAKES_PLACE_IN|river-town", ["one originator", "time inferred"]),
        ("river-town|LOCATED_IN|river-province", ["one originator", "time inferred"]),
        ("abu-test|LEADS|brigade-9", ["one originator"]),
        ("brigade-9|CONTROLS|river-town", ["one originator"]),
        ("state-x|RUNS|recruitment-drive", ["one originator"]),
    ]  # not brigade-9 OCCUPIES old-hospital: two publishers, credibility 2, reliability B, dates stated
    assert rows[0]["from"] == "Brigade 9" and rows[0]["originators"] == 1 and rows[0]["time_basis"] == "inferred"
    # The limit keeps the weakest, whatever order Neo4j finds them in.
    assert [r["id"] for r in ask(florentine, "weak_facts", limit=3)] == [r["id"] for r in rows[:3]]
    # The same rule in Python, on the built graph.
    G = build_graph(load_facts([FLORENTINE]))
    weak = {
        edge_id(u, k, v)
        for u, v, k, d in G.edges(keys=True, data=True)
        if d["originators"] == 1 or d["credibility"] > 3 or d["reliability"] > "C" or fact_window(d)[1] == "inferred"
    }
    assert weak == {r["id"] for r in rows}


def test_single_originator(florentine):
    rows = ask(florentine, "single_originator")
    assert [r["id"] for r in rows] == sorted(r["id"] for r in rows) and len(rows) == 12
    assert "brigade-9|OCCUPIES|old-hospital" not in {r["id"] for r in rows}  # a report of each publisher
    by_id = {r["id"]: r for r in rows}
    assert (by_id["state-x|ATTACKS|northern-front"]["originator"], by_id["state-x|ATTACKS|northern-front"]["kind"]) == (
        "Example Wire",
        "publisher",
    )
    assert by_id["abu-test|LEADS|brigade-9"]["originator"] == "Example Monitoring Group"
    assert [r["id"] for r in ask(florentine, "single_originator", limit=2)] == [r["id"] for r in rows[:2]]


def test_claims_of_a_publisher(florentine):
    rows = ask(florentine, "claims_of", publisher="example WIRE")  # case ignored
    assert [(r["id"], r["role"], r["attribution"], r["source"]) for r in rows] == [
        ("brigade-9|OCCUPIES|old-hospital", "originator", "Example Wire", "wire-2022"),
        ("brigade-9|PART_OF|northern-front", "originator", "Example Wire", "wire-2022"),
        ("jane-spokes|MEMBER_OF|northern-front", "originator", "Example Wire", "wire-2022"),
        ("state-x|ATTACKS|northern-front", "originator", "Example Wire", "wire-2022"),
        ("strike-on-hospital|TARGETS|old-hospital", "originator", "Example Wire", "wire-2022"),
    ]
    assert rows[0]["quote"] == "Brigade' 9 still uses the “Old Hospital” as its headquarters"
    with pytest.raises(
        library.QueryError, match="no source has the publisher 'Example Wires' \\(did you mean 'Example Wire'"
    ):
        ask(florentine, "claims_of", publisher="Example Wires")
    r = kg("claims_of")
    assert r.exit_code == 2 and "claims_of needs -p entity=... or -p publisher=..." in r.output


def test_find_by_any_name(florentine):
    for name in ("Abu Test", "ABU TÉST", "abu-test", "أبو تست", "abú  tést!"):
        rows = ask(florentine, "find", name=name)
        assert rows[0]["id"] == "abu-test" and rows[0]["match"] == "exact", name
    rows = ask(florentine, "find", name="Brigade’ 9")
    assert rows[0]["id"] == "brigade-9" and rows[0]["match"] == "exact"
    words = ask(florentine, "find", name="hospital")
    assert {r["id"] for r in words} == {"old-hospital", "strike-on-hospital"}
    assert all(r["match"] == "words" for r in words)
    assert ask(florentine, "find", name="nobody at all") == []


def test_entity_parameters_accept_names_and_refuse_ambiguity(florentine):
    assert library.resolve_entity(florentine, "RIVERTOWN") == "river-town"
    assert library.resolve_entity(florentine, "intel-branch") == "intel-branch"
    with pytest.raises(
        library.QueryError,
        match="could be any of: twin-one \\(Place Twin Town\\); twin-two \\(Site Twin-Town\\); give the id",
    ):
        library.resolve_entity(florentine, "twin town")
    assert library.resolve_entity(florentine, "twin-two") == "twin-two"  # an id always wins
    with pytest.raises(
        library.QueryError, match="no entity has the id, name or alias 'Brigade 8' \\(did you mean 'Brigade 9'"
    ):
        library.resolve_entity(florentine, "Brigade 8")


# --------------------------------------------------------------------------- the command line


def test_cli_formats(florentine):
    r = kg("leaders", "-p", "group=Brigade 9", "--format", "json")
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)[0]["leader"] == "Abu Tést"
    r = kg("evidence", "-p", "a=brigade-9", "-p", "b=old-hospital", "-f", "csv")
    lines = r.stdout.splitlines()
    assert (
        lines[0] == "from,relation,to,source,title,publisher,published,reliability,credibility,quote,observed,"
        "time_basis"
    )
    assert lines[2].endswith(",Brigade' 9 still uses the “Old Hospital” as its headquarters,2022-03-15,stated")
    r = kg("sites", "-p", "group=Liwa 9")
    assert r.exit_code == 0 and "headquarters" in r.stdout and "Old Hospital" in r.stdout
    r = kg("--list")
    assert r.exit_code == 0 and all(name in r.stdout for name in EXPECTED_QUERIES)


def test_cli_errors_are_one_line(florentine):
    for args, message, code in (
        (["leaderz"], "no named query 'leaderz' (did you mean 'leaders'?)", 2),
        (["leaders"], "leaders needs -p group=...", 2),
        (["leaders", "-p", "group"], "-p takes key=value", 2),
        (["leaders", "-p", "group=Nobody"], "no entity has the id, name or alias 'Nobody'", 1),
        (["--cypher", "MATCH (n RETURN n"], "Neo4j refused the query: Invalid input", 1),
        ([], "give a query name", 2),
    ):
        r = kg(*args)
        assert r.exit_code == code, args
        assert r.output.startswith("error: ") and message in r.output and r.output.count("\n") == 1, r.output


@pytest.mark.parametrize(
    "cypher",
    [
        "CREATE (n:Entity {id: 'intruder'}) RETURN n",
        "MATCH (n:Entity {id: 'abu-test'}) SET n.name = 'changed'",
        "MATCH (n:Entity {id: 'abu-test'}) DETACH DELETE n",
        "MERGE (n:Source {id: 'x'})",
        "MATCH (n:Entity {id: 'abu-test'}) REMOVE n:Person",
        "CREATE INDEX intruder FOR (n:Entity) ON (n.description)",
    ],
)
def test_writes_through_kg_query_fail_and_change_nothing(florentine, cypher):
    before = state(florentine)
    r = kg("--cypher", cypher)
    assert r.exit_code == 1
    assert r.output.startswith("error: this query may only read") or "Neo4j refused" in r.output, r.output
    assert state(florentine) == before


def test_values_holding_cypher_are_only_values(florentine):
    before = state(florentine)
    hostile = "x'}) DETACH DELETE n //"
    assert ask(florentine, "find", name=hostile) == []
    r = kg("--cypher", "MATCH (n:Entity) WHERE n.name = $name RETURN n.id AS id", "-p", f"name={hostile}")
    assert r.exit_code == 0 and "(no rows)" in r.output
    r = kg("leaders", "-p", f"group={hostile}")
    assert r.exit_code == 1 and "no entity has the id, name or alias" in r.output
    r = kg("from_source", "-p", 'source=wire-2022" OR "x')
    assert r.exit_code == 1 and "no source has the id, title or publisher" in r.output
    assert state(florentine) == before


def test_ad_hoc_cypher_reads(florentine):
    r = kg("--cypher", "MATCH (n:ArmedGroup) RETURN n.name AS name ORDER BY name", "-f", "json")
    assert r.exit_code == 0
    assert json.loads(r.stdout) == [{"name": "Brigade 9"}, {"name": "Northern Front"}]


def test_nodes_and_relationships_are_plain_records_without_bookkeeping(florentine):
    cypher = "MATCH (n:Site {id: 'old-hospital'})<-[r:OCCUPIES]-(g) RETURN n, r"
    [row] = json.loads(kg("--cypher", cypher, "-f", "json").stdout)
    node, rel = row["n"]["node"], row["r"]["relationship"]
    assert node["labels"] == ["Entity", "Site"]
    assert node["properties"]["name"] == "Old Hospital" and node["properties"]["kind"] == "hospital"
    assert (rel["type"], rel["from"], rel["to"]) == ("OCCUPIES", "brigade-9", "old-hospital")
    for shown in (node["properties"], rel["properties"]):
        assert not set(shown) & {"names", "hash", "dataset", "location", "valid_from_date", "valid_to_date"}
    table = kg("--cypher", cypher).stdout  # a pipe: the table at its natural width
    assert "Site old-hospital" in table and "name: Old Hospital" in table
    assert "brigade-9 -OCCUPIES-> old-hospital" in table and "use: headquarters" in table
    assert "names" not in table and "hash" not in table and "dataset" not in table
    lines = kg("--cypher", cypher, "-f", "csv").stdout.splitlines()
    assert lines[0] == "n,r" and json.loads(next(csv.reader([lines[1]]))[1]) == row["r"]
    r = kg("--cypher", "MATCH p = (:Person {id: 'abu-test'})-[:LEADS]->() RETURN p")
    assert "abu-test -LEADS-> brigade-9" in r.stdout
    [row] = json.loads(kg("--cypher", "MATCH (:Person {id: 'abu-test'})-[r:LEADS]->() RETURN r", "-f", "json").stdout)
    assert (row["r"]["relationship"]["from"], row["r"]["relationship"]["to"]) == ("abu-test", "brigade-9")


def run_in_terminal(args: list[str], columns: int) -> str:
    """`kg ARGS` in a real pseudo-terminal COLUMNS wide: what a person at that terminal sees."""
    pid, fd = pty.fork()
    if pid == 0:  # the child: the terminal's size, then kg
        fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", 50, columns, 0, 0))
        env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
        os.execvpe(sys.executable, [sys.executable, "-m", "kg", *args], env)
    chunks = []
    while True:
        try:
            data = os.read(fd, 65536)
        except OSError:  # the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    os.waitpid(pid, 0)
    text = b"".join(chunks).decode("utf-8", "replace").replace("\r\n", "\n")
    return re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", text)  # colours off


def test_tables_fit_the_terminal(florentine):
    cypher = "MATCH (n:Site {id: 'old-hospital'})<-[r:OCCUPIES]-(g) RETURN n.id AS id, n.name AS name, r, g.name AS by"
    wide = run_in_terminal(["query", "--cypher", cypher], 200)
    assert "┃ id" in wide and "-- row 1 --" not in wide
    narrow = run_in_terminal(["query", "--cypher", cypher], 40)
    assert "-- row 1 --" in narrow and "id: old-hospital" in narrow and "by: Brigade 9" in narrow
    assert max(len(line) for line in narrow.splitlines()) <= 40, narrow
    middle = run_in_terminal(["query", "evidence", "-p", "a=brigade-9", "-p", "b=old-hospital"], 160)
    assert "┃ from" in middle and max(len(line) for line in middle.splitlines()) <= 160, middle


# --------------------------------------------------------------------------- the seed dataset


def test_seed_dataset_answers(neo4j_driver):
    clear(neo4j_driver)
    r = runner.invoke(app, ["load", str(DATA)])
    assert r.exit_code == 0, r.output
    occupied = ask(neo4j_driver, "sites", group="Fog 47")
    assert ("badr-hospital", "headquarters") in {(row["id"], row["use"]) for row in occupied}
    assert "fog-47" in {row["id"] for row in ask(neo4j_driver, "occupants", site="Badr Hospital")}
    around = {row["id"] for row in ask(neo4j_driver, "leaders", group="Fog’ 47")} | {
        row["id"] for row in ask(neo4j_driver, "members", group="fog-47")
    }
    assert "haji-askar" in around
    assert ask(neo4j_driver, "find", name="FOG 47")[0]["id"] == "fog-47"
    # As of a day, nothing that the as-of rule (graph.asof) does not hold on that day: no event dated later,
    # no relation whose window (stated, or its observations widened by the horizon) leaves the day out;
    # and nothing that it does hold is missing.
    G = build_graph(load_facts([DATA]))
    for day in ("2019", "2020-12", "2021-12", "2024-06"):
        rows = ask(neo4j_driver, "network_as_of", date=day, limit=100000)
        on = parse_day(day)
        assert rows or day == "2019", day  # the reports are of 2020-2024; 2019 keeps only what they date earlier
        for r in rows:
            u, k, v = r["id"].split("|")
            window, basis = fact_window(G.edges[u, v, k])
            assert holds_on(window, on) and r["time_basis"] == basis, (day, r)
            assert holds_on(entity_window(G.nodes[u]), on) and holds_on(entity_window(G.nodes[v]), on), (day, r)
        assert {r["id"] for r in rows} == {edge_id(u, k, v) for u, v, k in filter_graph(G, as_of=on).edges(keys=True)}
    events = [n for n, d in G.nodes(data=True) if d["type"] == "Event" and d.get("date", "") > "2019"]
    shown = {x for r in ask(neo4j_driver, "network_as_of", date="2019", limit=100000) for x in r["id"].split("|")}
    assert events and not shown & set(events)
