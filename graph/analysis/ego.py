"""Ego networks: each entity with its neighbours, and how much its position spans (Burt's structural holes).

An entity whose neighbours are not tied to one another holds the only link between them: its
*effective size* (Burt 1992: neighbours less the average number of ties each has to the others)
is close to its degree. One whose neighbours all know each other adds little: effective size near 1.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import networkx as nx

from . import backend
from .results import OutOfScope, Scores
from .scope import Ties, resolve_one, ties

__all__ = ["ego", "ego_summary"]

Graph = nx.MultiDiGraph | Ties


def _summary(size: int, among: int) -> dict[str, Any]:
    possible = size * (size - 1) // 2
    effective = size - 2 * among / size if size else 0.0
    return {
        "size": size,
        "ties_among": among,
        "density": among / possible if possible else 0.0,
        "effective_size": effective,
        "efficiency": effective / size if size else 0.0,
    }


def ego(G: Graph, **options: Any) -> Scores:
    """Every entity's ego network in numbers; the value is its effective size.

    ``details[id]``: ``size`` (neighbours), ``ties_among`` (ties between those neighbours),
    ``density`` (their share of the possible ones), ``effective_size``, ``efficiency``
    (effective size / size). Ties count undirected.

    >>> G = nx.MultiDiGraph(
    ...     [
    ...         ("hub", "a", "ALLIED_WITH"),
    ...         ("hub", "b", "ALLIED_WITH"),
    ...         ("hub", "c", "ALLIED_WITH"),
    ...         ("a", "b", "ALLIED_WITH"),
    ...     ]
    ... )
    >>> e = ego(G)
    >>> round(e["hub"], 3), e.details["hub"]["ties_among"], round(e.details["hub"]["density"], 3)
    (2.333, 1, 0.333)
    """
    T = ties(G, **options)
    T.require_ties("ego")
    sizes = backend.degree(T.net.as_undirected(mode="collapse") if T.scope.directed else T.net)
    among = backend.local_ties(T.net)
    details = {n: _summary(s, a) for n, s, a in zip(T.ids, sizes, among, strict=True)}
    return Scores({n: d["effective_size"] for n, d in details.items()}, T.meta("ego"), details)


def ego_summary(G: Graph, entity: str, **options: Any) -> dict[str, Any]:
    """One entity's ego network: its neighbours by type and id, the relation types that tie them
    to it, and the numbers of :func:`ego`. ``entity`` is an id, name or alias.

    >>> G = nx.MultiDiGraph()
    >>> G.add_nodes_from(
    ...     [
    ...         ("p", {"type": "Person", "name": "P"}),
    ...         ("m", {"type": "ArmedGroup", "name": "M"}),
    ...         ("r", {"type": "Government", "name": "R"}),
    ...     ]
    ... )
    >>> G.add_edge("p", "m", "LEADS"), G.add_edge("p", "r", "MEMBER_OF")
    ('LEADS', 'MEMBER_OF')
    >>> s = ego_summary(G, "P")
    >>> s["neighbours"], s["types"], s["relations"], s["effective_size"]
    (['m', 'r'], {'ArmedGroup': 1, 'Government': 1}, {'LEADS': 1, 'MEMBER_OF': 1}, 2.0)
    """
    T = ties(G, **options)
    n = resolve_one(T.graph, entity)
    if n not in T.index:  # in the dataset but out of scope (excluded, or filtered away)
        raise OutOfScope(entity, T.scope)
    net = T.net.as_undirected(mode="collapse") if T.scope.directed else T.net
    nbrs = sorted(T.ids[u] for u in net.neighbors(T.index[n]))
    inside = set(nbrs)
    among = sum(1 for u in nbrs for w in net.neighbors(T.index[u]) if T.ids[w] in inside and T.ids[w] > u)
    relations: Counter[str] = Counter()
    for u, v, key in (*T.graph.out_edges(n, keys=True), *T.graph.in_edges(n, keys=True)):
        if (v if u == n else u) in inside:
            relations[key] += 1
    types = Counter(T.graph.nodes[u].get("type") for u in nbrs)
    return {
        "id": n,
        "name": T.graph.nodes[n].get("name", n),
        "type": T.graph.nodes[n].get("type"),
        "neighbours": nbrs,
        "types": dict(sorted(types.items())),
        "relations": dict(sorted(relations.items())),
        **_summary(len(nbrs), among),
    }
