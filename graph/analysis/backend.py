"""The one module that talks to the graph library doing the heavy lifting: igraph.

Measures hand it a simple graph of ties (vertex ``i`` is the ``i``-th entity id in sorted
order) and get back plain lists indexed the same way. Nothing outside this module imports
igraph, so swapping the library is a change here only.

Why igraph (bench/bench_analysis.py measured it side by side with networkit and networkx
on 100k entities / 1M relations, README "Network analysis"): it was as fast as networkit
for PageRank, k-core and Leiden and about 5x faster for source-sampled betweenness, its
results are reproducible (Leiden draws from a Python ``random.Random`` we seed; networkit's
parallel community detection is not reproducible across thread schedules), and its wheel
(abi3, manylinux) installs alone: no numpy or scipy.
"""

from __future__ import annotations

import random
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from importlib.metadata import version

import igraph

__all__ = [
    "NAME",
    "Net",
    "betweenness",
    "components",
    "coreness",
    "degree",
    "eigenvector",
    "induced",
    "leiden",
    "local_ties",
    "modularity",
    "pagerank",
    "seeded",
    "simple_graph",
]

NAME = f"igraph {version('igraph')}"

Net = igraph.Graph


def simple_graph(n: int, arcs: Sequence[tuple[int, int]], *, directed: bool) -> Net:
    """``n`` vertices and the arcs between them, parallel arcs and loops merged away.

    Undirected, ``(0, 1)`` and ``(1, 0)`` are one tie.

    >>> g = simple_graph(3, [(0, 1), (1, 0), (1, 2), (2, 2)], directed=False)
    >>> g.vcount(), g.ecount()
    (3, 2)
    >>> simple_graph(3, [(0, 1), (1, 0)], directed=True).ecount()
    2
    """
    g = igraph.Graph(n=n, edges=list(arcs), directed=directed)
    g.simplify(multiple=True, loops=True)
    return g


def ties(g: Net) -> list[tuple[int, int]]:
    """The ties as vertex pairs.

    >>> ties(simple_graph(3, [(2, 1)], directed=False))
    [(1, 2)]
    """
    return g.get_edgelist()


def induced(g: Net, vertices: Sequence[int]) -> Net:
    """The subgraph on ``vertices`` (renumbered 0.. in the order given, which must be increasing)."""
    return g.induced_subgraph(list(vertices), implementation="create_from_scratch")


def components(g: Net) -> list[int]:
    """The (weakly) connected component of each vertex, as a component number.

    >>> components(simple_graph(4, [(0, 1), (2, 3)], directed=True))
    [0, 0, 1, 1]
    """
    return g.connected_components(mode="weak").membership


def degree(g: Net, mode: str = "all") -> list[int]:
    """Ties per vertex: ``all``, ``in`` or ``out`` (the same for an undirected graph).

    >>> degree(simple_graph(3, [(0, 1), (0, 2)], directed=True), "out")
    [2, 0, 0]
    """
    return g.degree(mode=mode)


def pagerank(g: Net, damping: float) -> list[float]:
    """PageRank (PRPACK: an exact linear solve, not power iteration); sums to 1."""
    return g.pagerank(damping=damping, directed=g.is_directed())


def betweenness(g: Net, sources: Sequence[int] | None = None) -> list[float]:
    """Raw betweenness (undirected pairs counted once, as networkx counts them); with ``sources``, only
    the shortest paths starting at those vertices (each source's contribution, halved when undirected)."""
    return g.betweenness(directed=g.is_directed(), sources=None if sources is None else list(sources))


def eigenvector(g: Net) -> list[float]:
    """Eigenvector centrality, unit Euclidean norm (as networkx scales it)."""
    with warnings.catch_warnings():
        # igraph warns when some values are near zero (isolated entities): the callers check connectivity.
        warnings.simplefilter("ignore", RuntimeWarning)
        values = g.eigenvector_centrality(scale=False)  # directed graphs: in-ties, as networkx
    norm = sum(v * v for v in values) ** 0.5 or 1.0
    return [v / norm for v in values]


def coreness(g: Net) -> list[int]:
    """The k-core number of each vertex (ties in either direction count).

    >>> coreness(simple_graph(4, [(0, 1), (1, 2), (2, 0), (2, 3)], directed=False))
    [2, 2, 2, 1]
    """
    return g.coreness(mode="all")


def leiden(g: Net, *, resolution: float, iterations: int) -> list[int]:
    """Leiden communities optimising modularity (undirected ties); call inside :func:`seeded`."""
    u = g.as_undirected(mode="collapse") if g.is_directed() else g
    return u.community_leiden(
        objective_function="modularity", resolution=resolution, n_iterations=iterations
    ).membership


def modularity(g: Net, membership: Sequence[int], resolution: float = 1.0) -> float:
    u = g.as_undirected(mode="collapse") if g.is_directed() else g
    return u.modularity(list(membership), resolution=resolution)


def local_ties(g: Net) -> list[int]:
    """How many ties run between the neighbours of each vertex (triangles through it), undirected.

    >>> local_ties(simple_graph(4, [(0, 1), (1, 2), (2, 0), (2, 3)], directed=False))
    [1, 1, 1, 0]
    """
    u = g.as_undirected(mode="collapse") if g.is_directed() else g
    clustering = u.transitivity_local_undirected(mode="zero")
    return [round(c * d * (d - 1) / 2) for c, d in zip(clustering, u.degree(), strict=True)]


@contextmanager
def seeded(seed: int) -> Iterator[None]:
    """igraph's random numbers drawn from ``random.Random(seed)`` inside the block (then as before):
    a seeded run gives the same communities every time, without touching the global ``random``."""
    igraph.set_random_number_generator(random.Random(seed))
    try:
        yield
    finally:
        igraph.set_random_number_generator(random)
