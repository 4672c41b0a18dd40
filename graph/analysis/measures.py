"""Centrality measures: who is tied to many, who sits on the paths between others, who is tied to the tied.

Each is a pure function of a graph (the MultiDiGraph of :func:`graph.build.build_graph`, or ready
:class:`~graph.analysis.scope.Ties`) with keyword options, returning :class:`~graph.analysis.results.Scores`
(``{entity_id: value}`` with ``meta``). The scope options of :mod:`graph.analysis.scope` apply to all.

>>> import networkx as nx
>>> G = nx.MultiDiGraph()
>>> for n in "abcd":
...     G.add_node(n, type="ArmedGroup", name=n.upper())
>>> for u, v in [("a", "b"), ("a", "c"), ("a", "d"), ("b", "c")]:
...     _ = G.add_edge(u, v, "ALLIED_WITH")
>>> degree(G)
{'a': 3, 'b': 2, 'c': 2, 'd': 1}
>>> betweenness(G).ranked(2)
[('a', 0.6666666666666666), ('b', 0.0)]
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from typing import Any

import networkx as nx

from . import backend
from .results import Disconnected, Scores
from .scope import Ties, ties

__all__ = [
    "BATCHES",
    "EXACT_BELOW",
    "SAMPLES",
    "betweenness",
    "components",
    "degree",
    "eigenvector",
    "kcore",
    "pagerank",
]

Graph = nx.MultiDiGraph | Ties
Progress = Callable[[int, int], None]  # (done, total)

# Exact betweenness costs one search per entity (a few seconds at 5,000 entities and 50,000 ties);
# from this many entities on, it is estimated from SAMPLES searches.
EXACT_BELOW = 5_000
SAMPLES = 256
# The samples are taken in this many equal batches: the spread of the batch estimates gives the error.
BATCHES = 16


def degree(G: Graph, *, mode: str = "total", normalized: bool = False, **options: Any) -> Scores:
    """How many entities each is tied to: ``total``, or with directed relations ``in`` / ``out``.

    Several relations between two entities are one tie. ``normalized`` divides by n - 1
    (``nx.degree_centrality``). ``in`` and ``out`` imply ``directed=True``.

    >>> G = nx.MultiDiGraph([("a", "b", "LEADS"), ("a", "b", "MEMBER_OF"), ("c", "b", "MEMBER_OF")])
    >>> degree(G), degree(G, mode="in"), degree(G, normalized=True)["b"]
    ({'a': 1, 'b': 2, 'c': 1}, {'a': 0, 'b': 2, 'c': 0}, 1.0)
    """
    if mode not in ("total", "in", "out"):
        raise ValueError(f"mode must be total, in or out, got {mode!r}")
    if mode != "total" and not isinstance(G, Ties):
        options.setdefault("directed", True)
    T = ties(G, **options)
    if mode != "total" and not T.scope.directed:
        raise ValueError(f"{mode}-degree needs directed ties (directed=True)")
    T.require_ties(f"{mode}-degree" if mode != "total" else "degree")
    values = backend.degree(T.net, {"total": "all"}.get(mode, mode))
    if normalized:
        scale = 1 / (len(T) - 1) if len(T) > 1 else 0.0
        values = [v * scale for v in values]
    return Scores(T.values(values), T.meta("degree", mode=mode, normalized=normalized))


def pagerank(G: Graph, *, damping: float = 0.85, **options: Any) -> Scores:
    """PageRank: tied to entities that are themselves well tied. Values sum to 1.

    Undirected by default, where it behaves like degree smoothed over neighbours; with
    ``directed=True`` rank flows along relations, from -> to.

    >>> G = nx.MultiDiGraph([("a", "b", "ALLIED_WITH"), ("b", "c", "ALLIED_WITH")])
    >>> {k: round(v, 3) for k, v in pagerank(G).items()}
    {'a': 0.257, 'b': 0.486, 'c': 0.257}
    """
    T = ties(G, **options)
    T.require_ties("pagerank")
    return Scores(T.values(backend.pagerank(T.net, damping)), T.meta("pagerank", damping=damping))


def betweenness(
    G: Graph,
    *,
    normalized: bool = True,
    exact_below: int = EXACT_BELOW,
    samples: int = SAMPLES,
    seed: int = 0,
    progress: Progress | None = None,
    **options: Any,
) -> Scores:
    """Betweenness: the share of shortest paths between other entities that pass through each one.

    Exact (Brandes) below ``exact_below`` entities. From there on, estimated from ``samples``
    source entities drawn with ``seed`` (Brandes & Pich 2007: the paths from each sampled source,
    scaled by n / samples: unbiased). The sources are taken in :data:`BATCHES` batches; the spread
    of the batch estimates gives each value's standard error, ``meta["stderr"]`` (per entity), and
    ``meta["error"]``, the largest 95% half-width (1.96 standard errors) over all entities: the
    error to state. Per entity the standard error runs low where betweenness comes from a few
    sources (a hub with many leaves: a sample that misses them sees neither value nor spread);
    the largest one covered every entity's actual deviation in the tests.
    ``normalized`` divides as networkx does (by the number of pairs of other entities).

    >>> G = nx.MultiDiGraph([("a", "b", "ALLIED_WITH"), ("b", "c", "ALLIED_WITH")])
    >>> b = betweenness(G)
    >>> b, b.meta["method"]
    ({'a': 0.0, 'b': 1.0, 'c': 0.0}, 'exact')
    >>> s = betweenness(G, exact_below=2, samples=2, seed=1)
    >>> s.meta["method"], s.meta["samples"], s["b"] >= 0
    ('sampled', 2, True)
    """
    T = ties(G, **options)
    T.require_ties("betweenness")
    n = len(T)
    pairs = (n - 1) * (n - 2) / (1 if T.scope.directed else 2)
    scale = 1 / pairs if normalized and pairs > 0 else 1.0
    if n < exact_below or samples >= n:
        values = [v * scale for v in backend.betweenness(T.net)]
        if progress:
            progress(1, 1)
        return Scores(T.values(values), T.meta("betweenness", method="exact", normalized=normalized))
    if samples < 1:
        raise ValueError(f"samples must be at least 1, got {samples}")
    sources = random.Random(seed).sample(range(n), samples)
    batches = [sources[i::BATCHES] for i in range(min(BATCHES, samples))]
    total = [0.0] * n
    square = [0.0] * n
    for done, batch in enumerate(batches, start=1):
        weight = n / len(batch) * scale  # this batch alone, scaled up to every source
        estimate = backend.betweenness(T.net, batch)
        for i, v in enumerate(estimate):
            if v:
                e = v * weight
                total[i] += e
                square[i] += e * e
        if progress:
            progress(done, len(batches))
    b = len(batches)
    values = [t / b for t in total]
    if b > 1:
        stderr = [math.sqrt(max(sq / b - m * m, 0.0) * b / (b - 1) / b) for sq, m in zip(square, values, strict=True)]
    else:
        stderr = [float("nan")] * n
    return Scores(
        T.values(values),
        T.meta(
            "betweenness",
            method="sampled",
            normalized=normalized,
            samples=samples,
            seed=seed,
            batches=b,
            confidence=0.95,
            error=1.96 * max(stderr),
            stderr=T.values(stderr),
            note=f"estimated from {samples} of {n} sources (seed {seed}); each value within about "
            f"+/-{1.96 * max(stderr):.2g} at 95%",
        ),
    )


def eigenvector(G: Graph, **options: Any) -> Scores:
    """Eigenvector centrality (unit Euclidean norm, as networkx): tied to the well tied, all the way.

    It needs one connected network: entities without ties get 0, but ties falling into several
    components raise :class:`~graph.analysis.results.Disconnected` (the sizes in the message);
    ``largest_component=True`` measures the largest.

    >>> G = nx.MultiDiGraph([("a", "b", "ALLIED_WITH"), ("b", "c", "ALLIED_WITH")])
    >>> {k: round(v, 3) for k, v in eigenvector(G).items()}
    {'a': 0.5, 'b': 0.707, 'c': 0.5}
    """
    T = ties(G, **options)
    T.require_ties("eigenvector")
    tied = [c for c in T.components if len(c) > 1]
    if len(tied) > 1:
        raise Disconnected("eigenvector centrality", [len(c) for c in T.components])
    return Scores(T.values(backend.eigenvector(T.net)), T.meta("eigenvector"))


def kcore(G: Graph, **options: Any) -> Scores:
    """The k-core number: the largest k such that the entity is in a group where everyone has k ties
    inside the group (the dense heart of a network has the highest).

    >>> G = nx.MultiDiGraph(
    ...     [("a", "b", "ALLIED_WITH"), ("b", "c", "ALLIED_WITH"), ("c", "a", "ALLIED_WITH"), ("c", "d", "ALLIED_WITH")]
    ... )
    >>> kcore(G)
    {'a': 2, 'b': 2, 'c': 2, 'd': 1}
    """
    T = ties(G, **options)
    T.require_ties("k-core")
    return Scores(T.values(backend.coreness(T.net)), T.meta("k-core"))


def components(G: Graph, **options: Any) -> Scores:
    """The size of each entity's connected component; ``details[id]["component"]`` numbers the
    components from 0, largest first (equal sizes by their first id).

    >>> G = nx.MultiDiGraph([("a", "b", "ALLIED_WITH"), ("c", "d", "ALLIED_WITH"), ("d", "e", "ALLIED_WITH")])
    >>> s = components(G)
    >>> s, s.details["a"]
    ({'c': 3, 'd': 3, 'e': 3, 'a': 2, 'b': 2}, {'component': 1})
    """
    T = ties(G, **options)
    T.require_ties("components")
    values, details = {}, {}
    for number, members in enumerate(T.components):
        for n in members:
            values[n] = len(members)
            details[n] = {"component": number}
    return Scores(values, T.meta("components"), details)
