"""Network analysis for analysts: centrality, communities, brokers, ego networks and defensible paths.

networkx style: pure functions of the graph of :func:`graph.build.build_graph` with keyword options,
returning ``{entity_id: value}`` (:class:`Scores`, a dict with ``meta``). The heavy lifting is done
by igraph (:mod:`graph.analysis.backend`); every function takes the scope options of
:mod:`graph.analysis.scope` (entity and relation types, exclusions, as-of and grade filters,
direction). :data:`MEASURES` names every measure for the command line (``kg analyze --measure``).

>>> import networkx as nx
>>> G = nx.MultiDiGraph([("a", "b", "ALLIED_WITH"), ("b", "c", "ALLIED_WITH")])
>>> measure("pagerenk")
Traceback (most recent call last):
...
graph.analysis.results.UnknownMeasure: unknown measure 'pagerenk' (did you mean 'pagerank'?); measures: ...
>>> measure("betweenness").run(G).ranked(1)
[('b', 1.0)]
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .communities import brokerage, communities, type_brokerage
from .ego import ego, ego_summary
from .measures import EXACT_BELOW, SAMPLES, betweenness, components, degree, eigenvector, kcore, pagerank
from .paths import LOCATION_RELATIONS, PLACE_TYPES, Path, Step, credible_paths, evidence_cost, shortest_paths
from .results import (
    AmbiguousEntity,
    AnalysisError,
    Disconnected,
    EmptyGraph,
    NoPath,
    OutOfScope,
    Scores,
    UnknownMeasure,
    UnknownType,
)
from .scope import OPTIONS, Scope, Ties, ties

__all__ = [
    "EXACT_BELOW",
    "LOCATION_RELATIONS",
    "MEASURES",
    "OPTIONS",
    "PLACE_TYPES",
    "SAMPLES",
    "AmbiguousEntity",
    "AnalysisError",
    "Disconnected",
    "EmptyGraph",
    "Measure",
    "NoPath",
    "OutOfScope",
    "Path",
    "Scope",
    "Scores",
    "Step",
    "Ties",
    "UnknownMeasure",
    "UnknownType",
    "betweenness",
    "brokerage",
    "communities",
    "components",
    "credible_paths",
    "degree",
    "ego",
    "ego_summary",
    "eigenvector",
    "evidence_cost",
    "kcore",
    "measure",
    "pagerank",
    "shortest_paths",
    "ties",
    "type_brokerage",
]


@dataclass(frozen=True)
class Measure:
    """A measure by name: its function, the fixed options it is called with, the tunables it takes."""

    name: str
    function: Callable[..., Scores]
    summary: str
    fixed: dict[str, Any] = field(default_factory=dict)
    takes: tuple[str, ...] = ()  # which of seed, samples, damping, resolution, between, progress it accepts

    def run(self, G, **options: Any) -> Scores:
        """The measure on ``G``; tunables it does not take are ignored when None, refused otherwise."""
        extra = {k: v for k, v in options.items() if k not in OPTIONS}
        wrong = sorted(k for k, v in extra.items() if k not in self.takes and v is not None)
        if wrong:
            raise TypeError(f"{self.name} takes no {', '.join(wrong)}")
        kwargs = {k: v for k, v in options.items() if k in OPTIONS or (k in self.takes and v is not None)}
        return self.function(G, **self.fixed, **kwargs)


MEASURES: dict[str, Measure] = {
    m.name: m
    for m in (
        Measure("degree", degree, "how many entities each is tied to"),
        Measure("in-degree", degree, "relations pointing at it (directed)", {"mode": "in"}),
        Measure("out-degree", degree, "relations starting from it (directed)", {"mode": "out"}),
        Measure("pagerank", pagerank, "tied to the well tied (sums to 1)", takes=("damping",)),
        Measure(
            "betweenness",
            betweenness,
            "share of shortest paths between others through it",
            takes=("samples", "seed", "progress"),
        ),
        Measure("eigenvector", eigenvector, "eigenvector centrality (one connected network)"),
        Measure("k-core", kcore, "depth in the dense core (k-core number)"),
        Measure(
            "communities",
            communities,
            "Leiden communities (value: ties inside its community)",
            takes=("seed", "resolution"),
        ),
        Measure("brokerage", brokerage, "how many other communities its ties reach", takes=("seed", "resolution")),
        Measure(
            "type-brokerage",
            type_brokerage,
            "pairs of neighbours of two types it alone connects",
            takes=("between", "progress"),
        ),
        Measure("ego", ego, "ego network: effective size (Burt), with size and density"),
        Measure("components", components, "size of its connected component"),
    )
}


def measure(name: str) -> Measure:
    """The measure called ``name``; :class:`UnknownMeasure` names the closest one."""
    try:
        return MEASURES[name]
    except KeyError:
        raise UnknownMeasure(name, MEASURES) from None
