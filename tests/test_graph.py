"""The in-memory graph built from the hand-checked Florentine fixture."""

from datetime import date

import pytest

from graph.build import build_graph, graph_stats
from graph.views import filter_graph, neighbourhood, resolve
from loaders import load_facts
from tests.paths import FLORENTINE, FLORENTINE_DOCS


@pytest.fixture(scope="module")
def G():
    return build_graph(load_facts([FLORENTINE], documents=FLORENTINE_DOCS))


def test_counts(G):
    s = graph_stats(G)
    assert (s["entities"], s["relations"], s["evidence"], s["sources"]) == (11, 13, 14, 2)
    assert s["entity_types"]["Place"] == 2 and s["relation_types"]["PART_OF"] == 2
    assert s["relation_types"]["OPPOSES"] == 0


def test_one_edge_two_pieces_of_evidence(G):
    assert G.number_of_edges("brigade-9", "old-hospital") == 1
    e = G.edges["brigade-9", "old-hospital", "OCCUPIES"]
    assert [ev["source"] for ev in e["evidence"]] == ["field-report-2021", "wire-2022"]
    assert [ev["credibility"] for ev in e["evidence"]] == [2, 3]
    assert (e["credibility"], e["reliability"], e["use"], e["valid_from"]) == (2, "B", "headquarters", "2021-06")
    assert "valid_to" not in e


def test_nodes_carry_names_aliases_and_attributes(G):
    n = G.nodes["abu-test"]
    assert n == {"type": "Person", "name": "Abu Tést", "aliases": ["Abu Test", "أبو تست"], "rank": "Colonel"}
    assert (G.nodes["old-hospital"]["lat"], G.nodes["old-hospital"]["lon"]) == (34.45, 40.91)
    assert G.graph["sources"]["wire-2022"]["reliability"] == "D"


@pytest.mark.parametrize("name", ["abu-test", "ABU TEST", "abu tést", "Abu-Test", "أبو تست"])
def test_resolve_is_case_accent_and_punctuation_insensitive(G, name):
    assert resolve(G, name) == ["abu-test"]


def test_resolve_alias_with_apostrophe(G):
    assert resolve(G, "brigade 9") == resolve(G, "Brigade’ 9") == resolve(G, "liwa 9") == ["brigade-9"]
    assert resolve(G, "nobody") == []


def test_as_of(G):
    H = filter_graph(G, as_of=date(2022, 6, 1))
    assert not H.has_edge("state-x", "recruitment-drive")  # ran Nov-Dec 2021 only
    assert H.has_edge("brigade-9", "old-hospital")
    H = filter_graph(G, as_of=date(2021, 12, 31))
    assert H.has_edge("state-x", "recruitment-drive")
    H = filter_graph(G, as_of=date(2020, 1, 1))
    assert not H.has_edge("abu-test", "brigade-9")


def test_grades(G):
    H = filter_graph(G, credibility_at_least=3)
    assert not H.has_edge("brigade-9", "northern-front")  # credibility 4
    assert not H.has_edge("state-x", "northern-front")  # 5
    assert H.has_edge("brigade-9", "old-hospital")
    H = filter_graph(G, reliability_at_least="C")
    # Every fact only the D-graded wire states is gone; the hospital edge has a B source too.
    assert not H.has_edge("jane-spokes", "northern-front")
    assert H.has_edge("brigade-9", "old-hospital")
    assert "jane-spokes" not in H  # left without edges by the filter
    # Both grades must hold for one and the same piece of evidence.
    H = filter_graph(G, reliability_at_least="B", credibility_at_least=3)
    assert H.edges["brigade-9", "old-hospital", "OCCUPIES"]


def test_neighbourhood(G):
    H = neighbourhood(G, ["abu-test"], depth=1)
    assert set(H) == {"abu-test", "brigade-9"}
    H = neighbourhood(G, ["abu-test"], depth=2)
    assert set(H) == {"abu-test", "brigade-9", "old-hospital", "northern-front", "river-town"}
    assert H.graph["sources"] == G.graph["sources"]
