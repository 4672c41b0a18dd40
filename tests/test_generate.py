"""bench/generate.py: synthetic datasets that the loader accepts, the same for the same seed."""

import sys
from collections import Counter

from graph.build import build_graph
from graph.schema import REGISTRY
from loaders import load_facts
from tests.paths import ROOT

sys.path.insert(0, str(ROOT / "bench"))
from generate import generate, iter_records  # noqa: E402


def test_generated_files_validate_with_exact_counts(tmp_path):
    paths = generate(800, 4000, tmp_path, seed=3)
    assert sorted(p.name for p in paths.values()) == [
        "bench.entities.jsonl",
        "bench.relations.jsonl",
        "bench.sources.jsonl",
    ]
    G = build_graph(load_facts([tmp_path]))
    assert (G.number_of_nodes(), G.number_of_edges()) == (800, 4000)
    rows = sum(1 for _ in paths["relations"].open(encoding="utf-8"))
    assert rows > 4000  # some relations are stated again in a second row, and merge
    for u, v, k, _d in G.edges(keys=True, data=True):
        rt = REGISTRY.relations[k]
        assert G.nodes[u]["type"] in rt.sources and G.nodes[v]["type"] in rt.targets
    assert any(len(d["evidence"]) > 1 for *_, d in G.edges(data=True))
    assert any("valid_from" in d for *_, d in G.edges(data=True))
    assert set(Counter(t for _, t in G.nodes(data="type"))) == set(REGISTRY.entities)
    assert set(k for *_, k in G.edges(keys=True)) == set(REGISTRY.relations)
    # Places form a hierarchy; a few armed groups are much bigger than the rest.
    kinds = Counter(d.get("kind") for _, d in G.nodes(data=True) if d["type"] == "Place")
    assert kinds["country"] >= 1 and kinds["neighbourhood"] > kinds["city"] > kinds["governorate"]
    members = Counter(v for u, v, k in G.edges(keys=True) if k == "MEMBER_OF" and G.nodes[v]["type"] == "ArmedGroup")
    sizes = sorted(members.values(), reverse=True)
    assert sizes[0] > 5 * sizes[len(sizes) // 2]


def test_same_seed_same_records_other_seed_other_records():
    a = list(iter_records(200, 600, seed=1))
    assert a == list(iter_records(200, 600, seed=1))
    assert a != list(iter_records(200, 600, seed=2))
    assert [s for s, _ in a][:1] == ["sources"] and [s for s, _ in a][-1] == "relations"


def test_build_graph_equals_the_networkx_api_build(tmp_path):
    # build_graph fills the adjacency directly; it must be the graph add_edges_from would give.
    import networkx as nx

    from graph.facts import Edge, EvidenceItem

    generate(300, 1500, tmp_path, seed=5)
    facts = load_facts([tmp_path])
    G = build_graph(facts)
    H = nx.MultiDiGraph()
    H.graph.update(G.graph)
    H.add_nodes_from(G.nodes(data=True))
    H.add_edges_from(G.edges(keys=True, data=True))
    assert nx.utils.graphs_equal(G, H) and G.pred == H.pred
    assert list(G.edges(keys=True)) == list(H.edges(keys=True))
    # Facts made by hand may name an endpoint that is no entity: it becomes a bare node, as in networkx.
    src = next(iter(facts.sources))
    facts.edges[("ghost", "ALLIED_WITH", "ghost-2")] = Edge(
        "ghost", "ALLIED_WITH", "ghost-2", [EvidenceItem(src, "q", 3)], None, None
    )
    G2 = build_graph(facts)
    assert G2.has_edge("ghost", "ghost-2", "ALLIED_WITH") and G2.number_of_nodes() == 302
