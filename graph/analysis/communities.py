"""Communities (who clusters with whom) and brokers (who bridges what would otherwise be apart).

>>> import networkx as nx
>>> G = nx.MultiDiGraph()
>>> for n, t in [("a", "Person"), ("b", "Person"), ("m", "ArmedGroup"), ("r", "Government")]:
...     G.add_node(n, type=t, name=n)
>>> for u, v, k in [("a", "m", "MEMBER_OF"), ("a", "r", "MEMBER_OF"), ("b", "m", "MEMBER_OF")]:
...     _ = G.add_edge(u, v, k)
>>> type_brokerage(G, between=(["ArmedGroup"], ["Government"]))
{'a': 1, 'b': 0, 'm': 0, 'r': 0}
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any

import networkx as nx

from ..schema import REGISTRY
from . import backend
from .results import Scores, UnknownType
from .scope import Ties, ties

__all__ = ["DEFAULT_SEED", "STABLE_BELOW", "brokerage", "communities", "type_brokerage"]

Graph = nx.MultiDiGraph | Ties
Progress = Callable[[int, int], None]

DEFAULT_SEED = 0
# Leiden refines until nothing moves on networks below this many ties; above, it runs two passes
# (the igraph default), which is where almost all of the gain is, in seconds rather than minutes.
STABLE_BELOW = 100_000


def _partition(T: Ties, *, seed: int, resolution: float, iterations: int | None) -> tuple[list[int], dict]:
    if iterations is None:
        iterations = -1 if T.n_ties < STABLE_BELOW else 2
    key = ("partition", seed, resolution, iterations)
    if key not in T.shared:  # the same seed gives the same partition: find it once per Ties
        T.shared[key] = _find_partition(T, seed=seed, resolution=resolution, iterations=iterations)
    membership, info = T.shared[key]
    return list(membership), dict(info)


def _find_partition(T: Ties, *, seed: int, resolution: float, iterations: int) -> tuple[list[int], dict]:
    with backend.seeded(seed):
        raw = backend.leiden(T.net, resolution=resolution, iterations=iterations)
    # Number the communities by size, largest first, equal sizes by their first entity: stable
    # numbers whatever order the algorithm found them in.
    members: dict[int, list[int]] = {}
    for v, c in enumerate(raw):
        members.setdefault(c, []).append(v)
    order = sorted(members.values(), key=lambda m: (-len(m), m[0]))
    number = {raw[m[0]]: i for i, m in enumerate(order)}
    membership = [number[c] for c in raw]
    info = {
        "method": "Leiden (modularity)",
        "seed": seed,
        "resolution": resolution,
        "iterations": "until stable" if iterations < 0 else iterations,
        "modularity": backend.modularity(T.net, membership, resolution),
        "communities": len(order),
        "sizes": [len(m) for m in order],
    }
    return membership, info


def _neighbours(T: Ties) -> list[list[int]]:
    return T.net.as_undirected(mode="collapse").get_adjlist() if T.scope.directed else T.net.get_adjlist()


def two_triangles() -> nx.MultiDiGraph:
    """The examples' graph: two allied triangles (a, b, c and x, y, z) tied by one opposition (c - x)."""
    return nx.MultiDiGraph(
        [
            ("a", "b", "ALLIED_WITH"),
            ("b", "c", "ALLIED_WITH"),
            ("c", "a", "ALLIED_WITH"),
            ("x", "y", "ALLIED_WITH"),
            ("y", "z", "ALLIED_WITH"),
            ("z", "x", "ALLIED_WITH"),
            ("c", "x", "OPPOSES"),
        ]
    )


def communities(
    G: Graph, *, seed: int = DEFAULT_SEED, resolution: float = 1.0, iterations: int | None = None, **options: Any
) -> Scores:
    """Communities by the Leiden algorithm (modularity), reproducible for a given ``seed``.

    Values are each entity's ties inside its own community (its weight there); ``details[id]
    ["community"]`` numbers the communities from 0, largest first. ``meta`` holds the modularity,
    the number and the sizes of the communities. Ties count undirected. ``iterations``: Leiden
    passes (-1: until stable; default: until stable below :data:`STABLE_BELOW` ties, else 2).

    >>> G = two_triangles()
    >>> c = communities(G, seed=1)
    >>> sorted({d["community"] for d in c.details.values()}), c.details["a"] == c.details["b"], c["c"]
    ([0, 1], True, 2)
    """
    T = ties(G, **options)
    T.require_ties("communities")
    membership, info = _partition(T, seed=seed, resolution=resolution, iterations=iterations)
    adj = _neighbours(T)
    inside = [sum(1 for u in adj[v] if membership[u] == membership[v]) for v in range(len(T))]
    details = {n: {"community": c} for n, c in zip(T.ids, membership, strict=True)}
    return Scores(T.values(inside), T.meta("communities", **info), details)


def brokerage(
    G: Graph, *, seed: int = DEFAULT_SEED, resolution: float = 1.0, iterations: int | None = None, **options: Any
) -> Scores:
    """Brokers between communities: how many communities other than its own each entity has ties to.

    Communities as :func:`communities` finds them (same seed, same partition). ``details[id]`` has
    the entity's ``community``, its ``bridges`` (ties into other communities) and its
    ``participation`` coefficient (1 - sum over communities of the squared share of its ties there:
    0 when all its ties stay home, near 1 when they spread over many communities).

    >>> G = two_triangles()
    >>> b = brokerage(G, seed=1)
    >>> b.ranked(3), b.details["c"]["bridges"]
    ([('c', 1), ('x', 1), ('a', 0)], 1)
    """
    T = ties(G, **options)
    T.require_ties("brokerage")
    membership, info = _partition(T, seed=seed, resolution=resolution, iterations=iterations)
    values, details = [], {}
    for v, nbrs in enumerate(_neighbours(T)):
        home = membership[v]
        reach = Counter(membership[u] for u in nbrs)
        away = {c: k for c, k in reach.items() if c != home}
        deg = len(nbrs)
        values.append(len(away))
        details[T.ids[v]] = {
            "community": home,
            "bridges": sum(away.values()),
            "participation": 1 - sum((k / deg) ** 2 for k in reach.values()) if deg else 0.0,
        }
    return Scores(T.values(values), T.meta("brokerage", **info), details)


def _type_set(names: Iterable[str] | str) -> frozenset[str]:
    names = [names] if isinstance(names, str) else list(names)
    for name in names:
        if name not in REGISTRY.entities:
            raise UnknownType("entity", name, REGISTRY.entities)
    return frozenset(names)


def type_brokerage(
    G: Graph,
    *,
    between: tuple[Iterable[str], Iterable[str]] | None = None,
    progress: Progress | None = None,
    **options: Any,
) -> Scores:
    """Brokers between entity types: for each entity, how many pairs of its neighbours it alone
    connects, one of each side, the two not tied to each other.

    ``between=(types_a, types_b)`` names the two sides (e.g. ``(["Government", "Organization"],
    ["ArmedGroup"])``: who connects a regime body with a militia); by default any two neighbours
    of different types count. ``details[id]`` has the entity's ``pairs`` (all pairs of a side
    each, closed ones too) and the ``closed`` ones.

    >>> G = nx.MultiDiGraph()
    >>> for n, t in [("p", "Person"), ("g", "Government"), ("m", "ArmedGroup"), ("q", "Person")]:
    ...     G.add_node(n, type=t, name=n)
    >>> for u, v, k in [
    ...     ("p", "g", "MEMBER_OF"),
    ...     ("p", "m", "MEMBER_OF"),
    ...     ("q", "g", "MEMBER_OF"),
    ...     ("q", "m", "MEMBER_OF"),
    ...     ("m", "g", "BACKED_BY"),
    ... ]:
    ...     _ = G.add_edge(u, v, k)
    >>> type_brokerage(G, between=(["Government"], ["ArmedGroup"]))  # g and m are tied: nobody brokers them
    {'g': 0, 'm': 0, 'p': 0, 'q': 0}
    >>> type_brokerage(G)["g"]  # g links p (Person) with m (ArmedGroup), but p and m are tied
    0
    """
    T = ties(G, **options)
    T.require_ties("type brokerage")
    side_a, side_b = (_type_set(between[0]), _type_set(between[1])) if between is not None else (None, None)
    kinds = [T.graph.nodes[n].get("type") for n in T.ids]
    adj = [set(a) for a in _neighbours(T)]

    def counts(pair_ok, nbrs: set[int]) -> tuple[int, int]:
        members = sorted(nbrs)
        if side_a is None:  # any two different types: all pairs less the same-type ones
            by_type = Counter(kinds[u] for u in members)
            pairs = len(members) * (len(members) - 1) // 2 - sum(k * (k - 1) // 2 for k in by_type.values())
        else:
            only_a = sum(1 for u in members if kinds[u] in side_a and kinds[u] not in side_b)
            only_b = sum(1 for u in members if kinds[u] in side_b and kinds[u] not in side_a)
            both = sum(1 for u in members if kinds[u] in side_a and kinds[u] in side_b)
            pairs = only_a * only_b + (only_a + only_b) * both + both * (both - 1) // 2
        closed = 0
        for u in members:
            for w in adj[u] & nbrs:
                if u < w and pair_ok(kinds[u], kinds[w]):
                    closed += 1
        return pairs, closed

    if side_a is None:

        def pair_ok(x, y):
            return x != y
    else:

        def pair_ok(x, y):
            return (x in side_a and y in side_b) or (x in side_b and y in side_a)

    values, details = [], {}
    step = max(len(T) // 100, 1)
    for v in range(len(T)):
        pairs, closed = counts(pair_ok, adj[v])
        values.append(pairs - closed)
        details[T.ids[v]] = {"pairs": pairs, "closed": closed}
        if progress and (v + 1) % step == 0:
            progress(v + 1, len(T))
    sides = "any two types" if side_a is None else " and ".join(", ".join(sorted(s)) for s in (side_a, side_b))
    return Scores(T.values(values), T.meta("type brokerage", between=sides), details)
