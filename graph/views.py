"""Views of the in-memory graph: resolving names, filtering by time and grade, focusing.

Pure functions in networkx style: a graph in, a new graph (or a dict) out,
options as keywords. Grades follow the Admiralty scales of the registry, best
first: ``credibility_at_least=3`` keeps facts graded 1, 2 or 3,
``reliability_at_least="B"`` facts with a source graded A or B.
"""

from __future__ import annotations

from datetime import date
from typing import Iterable

import networkx as nx

from .asof import holds_on, parse_day, window
from .names import name_key
from .schema import REGISTRY

__all__ = ["filter_graph", "name_index", "neighbourhood", "parse_day", "resolve"]


def name_index(G: nx.MultiDiGraph) -> dict[str, set[str]]:
    """Name key -> entity ids, over ids, names and aliases."""
    index: dict[str, set[str]] = {}
    for n, data in G.nodes(data=True):
        for text in (n, data.get("name", ""), *data.get("aliases", ())):
            index.setdefault(name_key(text), set()).add(n)
    return index


def resolve(G: nx.MultiDiGraph, name_or_id: str) -> list[str]:
    """Entity ids whose id, name or alias matches (case, accent and punctuation insensitive)."""
    if name_or_id in G:
        return [name_or_id]
    return sorted(name_index(G).get(name_key(name_or_id), ()))


def _evidence_ok(data, sources, credibility_at_least, reliability_at_least) -> bool:
    credibility, reliability = REGISTRY.credibility, REGISTRY.reliability
    return any(credibility.at_least(ev["credibility"], credibility_at_least)
               and reliability.at_least(sources[ev["source"]]["reliability"], reliability_at_least)
               for ev in data["evidence"])


def filter_graph(
    G: nx.MultiDiGraph,
    *,
    as_of: date | None = None,
    credibility_at_least: int | None = None,
    reliability_at_least: str | None = None,
    entity_types: Iterable[str] | None = None,
    relation_types: Iterable[str] | None = None,
    keep: Iterable[str] = (),
) -> nx.MultiDiGraph:
    """The facts that hold on ``as_of`` with at least one piece of evidence meeting both grades.

    Entities left without any edge by the filter are dropped (unless in ``keep``);
    entities that had no edges to begin with stay.
    """
    sources = G.graph.get("sources", {})
    etypes = set(entity_types) if entity_types is not None else None
    rtypes = set(relation_types) if relation_types is not None else None
    H = nx.MultiDiGraph()
    H.graph.update(G.graph)
    H.add_nodes_from((n, d) for n, d in G.nodes(data=True) if etypes is None or d["type"] in etypes)
    graded = credibility_at_least is not None or reliability_at_least is not None
    for u, v, k, d in G.edges(keys=True, data=True):
        if u not in H or v not in H or (rtypes is not None and k not in rtypes):
            continue
        if as_of is not None and not holds_on(window(d.get("valid_from"), d.get("valid_to")), as_of):
            continue
        if graded and not _evidence_ok(d, sources, credibility_at_least, reliability_at_least):
            continue
        H.add_edge(u, v, k, **d)
    if as_of is not None or graded or rtypes is not None:
        keep = set(keep)
        H.remove_nodes_from([n for n in list(H) if H.degree(n) == 0 and G.degree(n) > 0 and n not in keep])
    return H


def neighbourhood(G: nx.MultiDiGraph, centres: Iterable[str], depth: int = 1) -> nx.MultiDiGraph:
    """The subgraph within ``depth`` hops of any centre, edges followed in both directions."""
    seen = set(centres)
    frontier = set(seen)
    for _ in range(depth):
        nxt = set()
        for n in frontier:
            nxt.update(G.successors(n))
            nxt.update(G.predecessors(n))
        frontier = nxt - seen
        seen |= frontier
        if not frontier:
            break
    H = G.subgraph(seen).copy()
    H.graph.update(G.graph)
    return H
