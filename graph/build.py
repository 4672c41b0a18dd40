"""The in-memory graph: a networkx MultiDiGraph built from validated facts.

It is the one model every output reads (stats, exports, snapshots, Neo4j rows).
Nodes are entity ids; an edge's key is its relation type, so (from, type, to)
is unique, as in :mod:`graph.facts`.

Node data: ``type``, ``name``, ``aliases`` and the set optional fields and attributes.
Edge data: ``type``, ``evidence`` (list of {source, quote, credibility}),
``credibility`` (best grade), ``reliability`` (best source grade),
``valid_from``/``valid_to`` when set, and the relation's attributes.
``G.graph["sources"]`` maps source ids to their metadata.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import networkx as nx

from .facts import Facts
from .schema import REGISTRY


def entity_data(ent) -> dict[str, Any]:
    data: dict[str, Any] = {"type": ent.type, "name": ent.name, "aliases": list(ent.aliases)}
    for k in ("description", "lat", "lon"):
        v = getattr(ent, k)
        if v is not None:
            data[k] = v
    data.update(ent.attributes())
    return data


def build_graph(facts: Facts) -> nx.MultiDiGraph:
    G = nx.MultiDiGraph()
    G.graph["sources"] = {sid: s.model_dump(exclude_none=True) for sid, s in facts.sources.items()}
    G.add_nodes_from((eid, entity_data(ent)) for eid, ent in facts.entities.items())
    reliability = {sid: s.reliability for sid, s in facts.sources.items()}

    def edges():
        for e in facts.edges.values():
            evidence = [ev.as_dict() for ev in e.evidence]
            data = {
                "type": e.type,
                "evidence": evidence,
                "credibility": min(ev["credibility"] for ev in evidence),
                "reliability": min(reliability[ev["source"]] for ev in evidence),
            }
            if e.valid_from:
                data["valid_from"] = e.valid_from
            if e.valid_to:
                data["valid_to"] = e.valid_to
            data.update(e.attributes)
            yield e.source, e.target, e.type, data

    G.add_edges_from(edges())
    return G


def graph_stats(G: nx.MultiDiGraph) -> dict[str, Any]:
    """Counts by entity type and relation type, every declared type listed (zeros too)."""
    ents = Counter(t for _, t in G.nodes(data="type"))
    rels = Counter(k for _, _, k in G.edges(keys=True))
    return {
        "entities": G.number_of_nodes(),
        "relations": G.number_of_edges(),
        "evidence": sum(len(ev) for _, _, ev in G.edges(data="evidence")),
        "sources": len(G.graph.get("sources", {})),
        "entity_types": {t: ents.get(t, 0) for t in REGISTRY.entities},
        "relation_types": {t: rels.get(t, 0) for t in REGISTRY.relations},
    }
