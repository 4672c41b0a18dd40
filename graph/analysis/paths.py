"""Paths an analyst can defend: how two entities are connected, and how well each link is sourced.

Two entities are trivially "connected" through the town they are both in. So by default a path
never passes *through* a Place (a place may only be where it starts or ends) and never uses a
relation about location (those whose both ends are locations in the schema registry: ``LOCATED_IN``,
``NEAR``); ``include_places=True`` allows both.

* :func:`shortest_paths`: fewest links;
* :func:`credible_paths`: best-sourced links. Each link costs ``1 + credibility rank + reliability
  rank`` of its best piece of evidence (an A-graded source's confirmed information costs 1; each
  grade worse on either scale adds 1), and a path costs the sum: a longer path of solid links beats
  a shorter one through a doubtful claim from an unreliable source.

Each path names its *weakest link* (the step whose best evidence is worst graded; the first such).
``k`` asks for the k best paths (Yen's algorithm), without repeating one. Everything is
deterministic: paths of equal cost come in the order of their entity ids, compared step by step.
The scope options of :mod:`graph.analysis.scope` apply (but not ``largest_component``).

>>> import networkx as nx
>>> G = nx.MultiDiGraph(sources={"s": {"reliability": "B"}})
>>> for n, t in [("fog", "ArmedGroup"), ("town", "Place"), ("luqa", "Person"), ("axis", "ArmedGroup")]:
...     G.add_node(n, type=t, name=n.title())
>>> ev = lambda grade: [{"source": "s", "quote": "...", "credibility": grade}]
>>> for u, v, k, c in [
...     ("fog", "town", "OPERATES_IN", 2),
...     ("luqa", "town", "PRESENT_AT", 2),
...     ("fog", "axis", "MEMBER_OF", 3),
...     ("luqa", "axis", "SUPPORTS", 5),
... ]:
...     _ = G.add_edge(u, v, k, evidence=ev(c))
>>> [p.entities for p in shortest_paths(G, "Fog", "Luqa")]
[('fog', 'axis', 'luqa')]
>>> [p.entities for p in shortest_paths(G, "Fog", "Luqa", include_places=True, k=2)]
[('fog', 'axis', 'luqa'), ('fog', 'town', 'luqa')]
>>> p = credible_paths(G, "fog", "luqa")[0]
>>> p.cost, p.weakest + 1, p.steps[p.weakest].credibility
(10, 2, 5)
"""

from __future__ import annotations

import heapq
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import networkx as nx

from ..facts import edge_id
from ..schema import REGISTRY
from .results import AnalysisError, NoPath, OutOfScope
from .scope import resolve_one, scoped

__all__ = [
    "LOCATION_RELATIONS",
    "PLACE_TYPES",
    "Path",
    "Relation",
    "Step",
    "credible_paths",
    "evidence_cost",
    "shortest_paths",
]

_LOCATION = frozenset(REGISTRY.groups.get("location", ()))
# Relations about location: both ends are locations (LOCATED_IN, NEAR), from the registry.
LOCATION_RELATIONS = frozenset(
    name for name, r in REGISTRY.relations.items() if r.sources <= _LOCATION and r.targets <= _LOCATION
)
# Entities a path may start or end at but not pass through (unless include_places).
PLACE_TYPES = frozenset(t for t in ("Place",) if t in REGISTRY.entities)
# Evidence without grades (hand-made graphs) counts as the worst of both scales.
_WORST = 1 + len(REGISTRY.credibility.grades) - 1 + len(REGISTRY.reliability.grades) - 1


def evidence_cost(credibility: int, reliability: str) -> int:
    """What one link costs when its best piece of evidence has these grades.

    >>> evidence_cost(1, "A"), evidence_cost(2, "B"), evidence_cost(6, "F")
    (1, 3, 11)
    """
    return 1 + REGISTRY.credibility.rank(credibility) + REGISTRY.reliability.rank(reliability)


@dataclass(frozen=True)
class Relation:
    """One relation of a step, with its best piece of evidence (within the grade filters)."""

    type: str
    source: str  # the relation's from (as stated, whatever the direction of travel)
    target: str
    cost: int
    credibility: int | None
    reliability: str | None
    evidence_source: str | None
    quote: str | None

    @property
    def id(self) -> str:
        return edge_id(self.source, self.type, self.target)

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "type": self.type,
            "from": self.source,
            "to": self.target,
            "credibility": self.credibility,
            "reliability": self.reliability,
            "source": self.evidence_source,
            "quote": self.quote,
        }


@dataclass(frozen=True)
class Step:
    """One link of a path, ``start`` -> ``end`` in the order of travel; ``relations`` best first."""

    start: str
    end: str
    relations: tuple[Relation, ...]

    @property
    def best(self) -> Relation:
        return self.relations[0]

    @property
    def cost(self) -> int:
        return self.best.cost

    @property
    def credibility(self) -> int | None:
        return self.best.credibility

    @property
    def reliability(self) -> str | None:
        return self.best.reliability

    def arrows(self) -> str:
        """The relations as read along the path: ``-LEADS->``, ``<-BACKED_BY-``.

        >>> Step("a", "b", (Relation("BACKED_BY", "b", "a", 3, 2, "B", "s", "q"),)).arrows()
        '<-BACKED_BY-'
        """
        return ", ".join(f"-{r.type}->" if r.source == self.start else f"<-{r.type}-" for r in self.relations)


@dataclass(frozen=True)
class Path:
    entities: tuple[str, ...]
    steps: tuple[Step, ...]
    cost: int  # links for a shortest path, summed evidence costs for a credible one
    weakest: int  # index into steps
    names: tuple[str, ...]
    types: tuple[str, ...]

    @property
    def length(self) -> int:
        return len(self.steps)

    def as_dict(self) -> dict[str, Any]:
        """The path as JSON: entities, steps (each with its relations and best evidence), the weakest step."""
        return {
            "length": self.length,
            "cost": self.cost,
            "weakest_step": self.weakest + 1,
            "entities": [
                {"id": i, "name": n, "type": t} for i, n, t in zip(self.entities, self.names, self.types, strict=True)
            ],
            "steps": [
                {
                    "step": i,
                    "from": s.start,
                    "to": s.end,
                    "relations": [r.as_dict() for r in s.relations],
                    "credibility": s.credibility,
                    "reliability": s.reliability,
                    "source": s.best.evidence_source,
                    "quote": s.best.quote,
                    "cost": s.cost,
                }
                for i, s in enumerate(self.steps, start=1)
            ],
        }


class _Network:
    """The scoped graph as the path search sees it: neighbours and steps built on demand."""

    def __init__(
        self,
        H: nx.MultiDiGraph,
        excluded: set[str],
        *,
        directed: bool,
        include_places: bool,
        credibility_at_least: int | None,
        reliability_at_least: str | None,
    ):
        self.H, self.excluded, self.directed = H, excluded, directed
        self.skip = frozenset() if include_places else LOCATION_RELATIONS
        self.places = frozenset() if include_places else PLACE_TYPES
        self.sources = H.graph.get("sources", {})
        self.grades = (credibility_at_least, reliability_at_least)
        self._steps: dict[str, dict[str, Step]] = {}

    def passable(self, n: str) -> bool:
        return self.H.nodes[n].get("type") not in self.places

    def _relation(self, u: str, v: str, key: str, data: dict) -> Relation:
        cred_min, rel_min = self.grades
        best: tuple | None = None
        for ev in data.get("evidence") or ():
            c = ev.get("credibility")
            r = (self.sources.get(ev.get("source")) or {}).get("reliability")
            if c is None or r is None:
                continue
            if not (REGISTRY.credibility.at_least(c, cred_min) and REGISTRY.reliability.at_least(r, rel_min)):
                continue
            label = (evidence_cost(c, r), REGISTRY.credibility.rank(c), ev["source"], ev.get("quote") or "")
            if best is None or label < best[0]:
                best = (label, c, r)
        if best is None:
            return Relation(key, u, v, _WORST, None, None, None, None)
        (cost, _, source, quote), c, r = best
        return Relation(key, u, v, cost, c, r, source, quote)

    def steps(self, u: str) -> dict[str, Step]:
        found = self._steps.get(u)
        if found is not None:
            return found
        rels: dict[str, list[Relation]] = {}
        H = self.H
        ends = [(u, v, k, d) for v, keys in H.succ[u].items() for k, d in keys.items()]
        if not self.directed:
            ends += [(w, u, k, d) for w, keys in H.pred[u].items() for k, d in keys.items()]
        for a, b, k, d in ends:
            other = b if a == u else a
            if other == u or other in self.excluded or k in self.skip:
                continue
            rels.setdefault(other, []).append(self._relation(a, b, k, d))
        found = {v: Step(u, v, tuple(sorted(rs, key=lambda r: (r.cost, r.id)))) for v, rs in rels.items()}
        self._steps[u] = found
        return found

    def best_path(
        self, s: str, t: str, cost: Callable[[Step], int], blocked_nodes: set[str], blocked_links: set[tuple[str, str]]
    ) -> tuple[int, tuple[str, ...]] | None:
        """Dijkstra with (cost, path) labels: of equally cheap paths, the one whose ids come first."""
        heap = [(0, (s,))]
        best = {s: (0, (s,))}
        settled: set[str] = set()
        while heap:
            d, p = heapq.heappop(heap)
            u = p[-1]
            if u in settled:
                continue
            settled.add(u)
            if u == t:
                return d, p
            if u != s and not self.passable(u):
                continue  # a place ends a path, never carries it on
            for v, step in self.steps(u).items():
                if v in settled or v in blocked_nodes or (u, v) in blocked_links:
                    continue
                label = (d + cost(step), p + (v,))
                old = best.get(v)
                if old is None or label < old:
                    best[v] = label
                    heapq.heappush(heap, label)
        return None

    def reach(self, s: str) -> int:
        """How many entities ``s`` is connected to (itself included) over every tie in scope."""
        seen, todo = {s}, [s]
        while todo:
            u = todo.pop()
            for v in (*self.H.succ[u], *self.H.pred[u]):
                if v not in seen and v not in self.excluded:
                    seen.add(v)
                    todo.append(v)
        return len(seen)


def _k_best(net: _Network, s: str, t: str, k: int, cost: Callable[[Step], int]) -> list[tuple[int, tuple]]:
    """Yen's k shortest loopless paths, candidates ordered by (cost, ids)."""
    first = net.best_path(s, t, cost, set(), set())
    if first is None:
        return []
    found = [first]
    candidates: list[tuple[int, tuple]] = []
    seen = {first[1]}
    while len(found) < k:
        _, prev = found[-1]
        for j in range(len(prev) - 1):
            root = prev[: j + 1]
            blocked_links = {(p[j], p[j + 1]) for _, p in found if p[: j + 1] == root and len(p) > j + 1}
            spur = net.best_path(prev[j], t, cost, set(root[:-1]), blocked_links)
            if spur is None:
                continue
            path = root[:-1] + spur[1]
            if path in seen:
                continue
            seen.add(path)
            root_cost = sum(cost(net.steps(a)[b]) for a, b in zip(root, root[1:], strict=False))
            heapq.heappush(candidates, (root_cost + spur[0], path))
        if not candidates:
            break
        found.append(heapq.heappop(candidates))
    return found


def _paths(
    G: nx.MultiDiGraph,
    source: str,
    target: str,
    *,
    k: int,
    include_places: bool,
    credible: bool,
    options: dict[str, Any],
) -> list[Path]:
    if k < 1:
        raise ValueError(f"k must be at least 1, got {k}")
    if options.get("largest_component"):
        raise TypeError("largest_component applies to measures, not to paths")
    options.pop("largest_component", None)
    s, t = resolve_one(G, source), resolve_one(G, target)
    if s == t:
        raise AnalysisError(f"{source!r} and {target!r} are the same entity ({s})")
    scope, H, excluded = scoped(G, **options)
    for name, n in ((source, s), (target, t)):
        if n not in H or n in excluded:
            raise OutOfScope(name, scope)
    net = _Network(
        H,
        set(excluded),
        directed=scope.directed,
        include_places=include_places,
        credibility_at_least=scope.credibility_at_least,
        reliability_at_least=scope.reliability_at_least,
    )

    def cost(step: Step) -> int:
        return step.cost if credible else 1

    found = _k_best(net, s, t, k, cost)
    if not found:
        raise NoPath(_no_path(G, H, net, s, t, scope, include_places, options))
    out = []
    for c, entities in found:
        steps = tuple(net.steps(a)[b] for a, b in zip(entities, entities[1:], strict=False))
        weakest = max(range(len(steps)), key=lambda i: (steps[i].cost, -i))
        out.append(
            Path(
                entities,
                steps,
                c,
                weakest,
                tuple(H.nodes[n].get("name", n) for n in entities),
                tuple(H.nodes[n].get("type", "") for n in entities),
            )
        )
    return out


def _no_path(G, H, net: _Network, s: str, t: str, scope, include_places: bool, options: dict) -> str:
    """Why there is no path: only through places, only one way round, or not connected at all."""
    name_s, name_t = H.nodes[s].get("name", s), H.nodes[t].get("name", t)
    what = f"no path from {name_s} ({s}) to {name_t} ({t})"
    if not include_places:
        wide = _Network(
            H,
            net.excluded,
            directed=scope.directed,
            include_places=True,
            credibility_at_least=scope.credibility_at_least,
            reliability_at_least=scope.reliability_at_least,
        )
        if wide.best_path(s, t, lambda _: 1, set(), set()) is not None:
            return (
                f"{what} except through a place or a relation about location "
                f"({', '.join(sorted(LOCATION_RELATIONS))}): include_places (--include-places) allows them"
            )
    if scope.directed:
        back = _Network(
            H,
            net.excluded,
            directed=False,
            include_places=include_places,
            credibility_at_least=scope.credibility_at_least,
            reliability_at_least=scope.reliability_at_least,
        )
        if back.best_path(s, t, lambda _: 1, set(), set()) is not None:
            return f"{what} following relations from -> to; there is one with undirected ties"
    a, b = net.reach(s), net.reach(t)
    where = f" ({'; '.join(scope.describe())})"
    return (
        f"{what}: they are in different components: {name_s}'s has {a} entit{'y' if a == 1 else 'ies'}, "
        f"{name_t}'s {b}{where}"
    )


def shortest_paths(
    G: nx.MultiDiGraph, source: str, target: str, *, k: int = 1, include_places: bool = False, **options: Any
) -> list[Path]:
    """The ``k`` paths with fewest links from ``source`` to ``target`` (ids, names or aliases).

    Raises :class:`graph.views.UnknownEntity` (with the closest names), :class:`OutOfScope`,
    or :class:`NoPath` (saying why: only through places, or separate components).
    """
    return _paths(G, source, target, k=k, include_places=include_places, credible=False, options=options)


def credible_paths(
    G: nx.MultiDiGraph, source: str, target: str, *, k: int = 1, include_places: bool = False, **options: Any
) -> list[Path]:
    """The ``k`` best-sourced paths: least summed :func:`evidence_cost` over their links."""
    return _paths(G, source, target, k=k, include_places=include_places, credible=True, options=options)
