"""graph/views.py: resolving names, filtering by time, grade and type, and neighbourhoods.

The graph below is built by hand (no loader), so each expectation can be checked by eye:

    abu-test -MEMBER_OF-> brigade-9        from 2020; field (B) cred 2
    brigade-9 -OCCUPIES-> old-hospital     from 2021-06; field (B) cred 3, wire (D) cred 1
    old-hospital -LOCATED_IN-> river-town  no dates; wire (D) cred 2
    brigade-9 -BACKED_BY-> state-x         2019 through 2021; wire (D) cred 4
    lonely, twin-a, twin-b                 no relations (the twins share the name "Twin")
"""

from __future__ import annotations

from datetime import date

import networkx as nx
import pytest

from graph.views import filter_graph, name_index, neighbourhood, resolve

SOURCES = {"field": {"id": "field", "reliability": "B"}, "wire": {"id": "wire", "reliability": "D"}}


def ev(source: str, credibility: int) -> dict:
    return {"source": source, "quote": f"as {source} says", "credibility": credibility}


@pytest.fixture
def G() -> nx.MultiDiGraph:
    G = nx.MultiDiGraph(sources=SOURCES)
    G.add_node("abu-test", type="Person", name="Abu Tést", aliases=["Abu Test", "أبو تست"])
    G.add_node("brigade-9", type="ArmedGroup", name="Brigade 9", aliases=["Liwa 9"])
    G.add_node("old-hospital", type="Site", name="Old Hospital", aliases=[])
    G.add_node("river-town", type="Place", name="River Town", aliases=[])
    G.add_node("state-x", type="Government", name="State X", aliases=[])
    G.add_node("lonely", type="Person", name="Lonely", aliases=[])
    G.add_node("twin-a", type="Person", name="Twin", aliases=[])
    G.add_node("twin-b", type="Person", name="Twin", aliases=[])
    G.add_edge("abu-test", "brigade-9", "MEMBER_OF", type="MEMBER_OF", valid_from="2020", evidence=[ev("field", 2)])
    G.add_edge(
        "brigade-9",
        "old-hospital",
        "OCCUPIES",
        type="OCCUPIES",
        valid_from="2021-06",
        use="headquarters",
        evidence=[ev("field", 3), ev("wire", 1)],
    )
    G.add_edge("old-hospital", "river-town", "LOCATED_IN", type="LOCATED_IN", evidence=[ev("wire", 2)])
    G.add_edge(
        "brigade-9",
        "state-x",
        "BACKED_BY",
        type="BACKED_BY",
        valid_from="2019",
        valid_to="2021",
        evidence=[ev("wire", 4)],
    )
    return G


def edges(H: nx.MultiDiGraph) -> set[str]:
    return {k for _, _, k in H.edges(keys=True)}


UNRELATED = {"lonely", "twin-a", "twin-b"}  # no edges to begin with: every filter keeps them

# --------------------------------------------------------------------------- filter_graph


def test_no_option_keeps_everything(G):
    H = filter_graph(G)
    assert set(H) == set(G) and edges(H) == edges(G)
    assert H.graph["sources"] == SOURCES
    assert H.edges["brigade-9", "old-hospital", "OCCUPIES"] == G.edges["brigade-9", "old-hospital", "OCCUPIES"]


@pytest.mark.parametrize(
    "day,kept",
    [
        (date(2018, 12, 31), {"LOCATED_IN"}),
        (date(2019, 1, 1), {"LOCATED_IN", "BACKED_BY"}),
        (date(2021, 5, 31), {"LOCATED_IN", "BACKED_BY", "MEMBER_OF"}),
        (date(2021, 6, 1), {"LOCATED_IN", "BACKED_BY", "MEMBER_OF", "OCCUPIES"}),
        (date(2021, 12, 31), {"LOCATED_IN", "BACKED_BY", "MEMBER_OF", "OCCUPIES"}),  # valid_to 2021: through 31 Dec
        (date(2022, 1, 1), {"LOCATED_IN", "MEMBER_OF", "OCCUPIES"}),
    ],
)
def test_as_of_keeps_the_facts_that_hold_that_day(G, day, kept):
    assert edges(filter_graph(G, as_of=day)) == kept


def test_entities_the_filter_leaves_alone_are_dropped_unless_kept(G):
    H = filter_graph(G, as_of=date(2022, 1, 1))
    assert "state-x" not in H  # its only fact ended in 2021
    assert UNRELATED <= set(H)  # they had no facts to lose
    assert "state-x" in filter_graph(G, as_of=date(2022, 1, 1), keep=["state-x"])


def test_credibility_at_least(G):
    assert edges(filter_graph(G, credibility_at_least=1)) == {"OCCUPIES"}  # wire's piece is graded 1
    assert edges(filter_graph(G, credibility_at_least=2)) == {"OCCUPIES", "MEMBER_OF", "LOCATED_IN"}
    assert edges(filter_graph(G, credibility_at_least=4)) == edges(G)
    H = filter_graph(G, credibility_at_least=1)
    assert set(H) == {"brigade-9", "old-hospital"} | UNRELATED


def test_reliability_at_least(G):
    assert edges(filter_graph(G, reliability_at_least="A")) == set()
    assert edges(filter_graph(G, reliability_at_least="B")) == {"MEMBER_OF", "OCCUPIES"}
    assert edges(filter_graph(G, reliability_at_least="D")) == edges(G)


def test_both_grades_hold_for_one_and_the_same_piece_of_evidence(G):
    # OCCUPIES has a B source graded 3 and a D source graded 1: neither piece is both B and 2.
    H = filter_graph(G, credibility_at_least=2, reliability_at_least="B")
    assert edges(H) == {"MEMBER_OF"}
    assert set(H) == {"abu-test", "brigade-9"} | UNRELATED
    assert edges(filter_graph(G, credibility_at_least=3, reliability_at_least="B")) == {"MEMBER_OF", "OCCUPIES"}


def test_relation_types(G):
    H = filter_graph(G, relation_types=["MEMBER_OF", "LOCATED_IN"])
    assert edges(H) == {"MEMBER_OF", "LOCATED_IN"}
    assert "state-x" not in H
    assert edges(filter_graph(G, relation_types=[])) == set()


def test_entity_types(G):
    H = filter_graph(G, entity_types={"Person", "ArmedGroup"})
    assert {d["type"] for _, d in H.nodes(data=True)} == {"Person", "ArmedGroup"}
    assert edges(H) == {"MEMBER_OF"}  # every other fact has an end of another type


def test_options_combine(G):
    H = filter_graph(G, as_of=date(2021, 7, 1), reliability_at_least="B", relation_types=["OCCUPIES", "BACKED_BY"])
    assert edges(H) == {"OCCUPIES"}


def test_filtering_leaves_the_graph_as_it_was(G):
    before = (set(G), set(G.edges(keys=True)))
    filter_graph(G, as_of=date(2030, 1, 1), credibility_at_least=1, entity_types=["Site"])
    assert (set(G), set(G.edges(keys=True))) == before


# --------------------------------------------------------------------------- neighbourhood


@pytest.mark.parametrize(
    "centres,depth,expected",
    [
        (["old-hospital"], 0, {"old-hospital"}),
        (["old-hospital"], 1, {"old-hospital", "brigade-9", "river-town"}),  # edges followed both ways
        (["old-hospital"], 2, {"old-hospital", "brigade-9", "river-town", "abu-test", "state-x"}),
        (["old-hospital"], 9, {"old-hospital", "brigade-9", "river-town", "abu-test", "state-x"}),
        (["abu-test", "river-town"], 1, {"abu-test", "brigade-9", "river-town", "old-hospital"}),
        (["lonely"], 3, {"lonely"}),
    ],
)
def test_neighbourhood(G, centres, depth, expected):
    assert set(neighbourhood(G, centres, depth=depth)) == expected


def test_a_neighbourhood_keeps_the_edges_and_the_sources(G):
    H = neighbourhood(G, ["abu-test"], depth=1)
    assert edges(H) == {"MEMBER_OF"} and H.graph["sources"] == SOURCES
    H.add_node("new")
    assert "new" not in G  # a copy, not a view


# --------------------------------------------------------------------------- names


@pytest.mark.parametrize(
    "text,ids",
    [
        ("abu-test", ["abu-test"]),  # an id
        ("ABU TEST", ["abu-test"]),
        ("abu tést", ["abu-test"]),
        ("أبو تست", ["abu-test"]),  # an alias in another script
        ("liwa 9", ["brigade-9"]),
        ("Brigade’ 9", ["brigade-9"]),
        ("twin", ["twin-a", "twin-b"]),  # a shared name: every candidate, sorted
        ("nobody", []),
    ],
)
def test_resolve(G, text, ids):
    assert resolve(G, text) == ids


def test_an_exact_id_wins_over_names(G):
    G.add_node("twin", type="Person", name="Someone else", aliases=[])
    assert resolve(G, "twin") == ["twin"]
    assert resolve(G, "Twin") == ["twin", "twin-a", "twin-b"]  # not an id: the name key matches all three


def test_name_index(G):
    index = name_index(G)
    assert index["abutest"] == {"abu-test"}
    assert index["liwa9"] == index["brigade9"] == {"brigade-9"}
    assert index["twin"] == {"twin-a", "twin-b"}
