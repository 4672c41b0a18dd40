"""Which part of the graph an analysis counts (its scope), and the ties that part holds.

Every measure and path search takes the same keyword options:

* ``entity_types``, ``relation_types``: only these types count (names from the schema registry);
* ``exclude``: entities left out by id, name or alias (umbrella groups, place hubs that would
  otherwise sit in the middle of everything);
* ``as_of`` (a date) with ``horizon``, ``credibility_at_least``, ``reliability_at_least``: the view
  rules of :func:`graph.views.filter_graph`, the same as every other command's;
* ``directed``: follow relations from -> to only. Off by default, because a relation's direction
  here is grammar, not flow: ``A MEMBER_OF B`` and ``B LEADS A`` both tie A to B, and ``BACKED_BY``
  points from the backed group to its backer. For centrality and brokerage, a tie is a tie;
* ``largest_component``: keep only the largest connected component.

The graph becomes *ties*: a simple graph whose vertices are the entities in scope (sorted by id)
and whose ties merge every relation between two entities (and, undirected, both directions).
Build it once with :func:`ties` and pass it to several measures to skip the conversion.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, fields
from datetime import date
from functools import cached_property
from typing import Any

import networkx as nx

from ..asof import DEFAULT_HORIZON, Horizon
from ..schema import REGISTRY
from ..views import describe_filters, filter_graph, resolve_focus
from . import backend
from .results import EmptyGraph, UnknownType, components_text

__all__ = ["OPTIONS", "Scope", "Ties", "resolve_names", "resolve_one", "scoped", "ties"]


def _types(kind: str, names: Iterable[str] | None, declared: Iterable[str]) -> frozenset[str] | None:
    if names is None:
        return None
    if isinstance(names, str):
        names = [names]
    declared = list(declared)
    for name in names:
        if name not in declared:
            raise UnknownType(kind, name, declared)
    return frozenset(names)


@dataclass(frozen=True)
class Scope:
    """The shared options, checked (see the module docstring).

    >>> Scope(relation_types=["LEADS"]).describe()
    ['relation types: LEADS', 'undirected ties']
    >>> Scope(entity_types=["Persn"])
    Traceback (most recent call last):
    ...
    graph.analysis.results.UnknownType: unknown entity type 'Persn' (did you mean 'Person'?)
    """

    entity_types: Iterable[str] | None = None
    relation_types: Iterable[str] | None = None
    exclude: Iterable[str] = ()
    as_of: date | None = None
    horizon: Horizon = DEFAULT_HORIZON
    credibility_at_least: int | None = None
    reliability_at_least: str | None = None
    directed: bool = False
    largest_component: bool = False

    def __post_init__(self):
        set_ = object.__setattr__
        set_(self, "entity_types", _types("entity", self.entity_types, REGISTRY.entities))
        set_(self, "relation_types", _types("relation", self.relation_types, REGISTRY.relations))
        set_(self, "exclude", (self.exclude,) if isinstance(self.exclude, str) else tuple(self.exclude))
        for scale, grade in (
            (REGISTRY.credibility, self.credibility_at_least),
            (REGISTRY.reliability, self.reliability_at_least),
        ):
            if grade is not None and grade not in scale.grades:
                raise ValueError(f"{scale.name} grade must be one of {scale.span()}, got {grade!r}")

    @property
    def filtered(self) -> bool:
        """Whether :func:`graph.views.filter_graph` has anything to do."""
        return (
            self.as_of is not None
            or self.credibility_at_least is not None
            or self.reliability_at_least is not None
            or self.entity_types is not None
            or self.relation_types is not None
        )

    def describe(self) -> list[str]:
        """The scope in words, for output headings."""
        out = describe_filters(self.as_of, self.horizon, self.credibility_at_least, self.reliability_at_least)
        if self.entity_types is not None:
            out.append("entity types: " + ", ".join(sorted(self.entity_types)))
        if self.relation_types is not None:
            out.append("relation types: " + ", ".join(sorted(self.relation_types)))
        if self.exclude:
            out.append("excluding " + ", ".join(self.exclude))
        out.append("directed relations" if self.directed else "undirected ties")
        if self.largest_component:
            out.append("largest component only")
        return out

    def as_dict(self) -> dict[str, Any]:
        return {
            "entity_types": sorted(self.entity_types) if self.entity_types is not None else None,
            "relation_types": sorted(self.relation_types) if self.relation_types is not None else None,
            "exclude": list(self.exclude),
            "as_of": self.as_of.isoformat() if self.as_of else None,
            "horizon": self.horizon.as_dict() if self.as_of else None,
            "credibility_at_least": self.credibility_at_least,
            "reliability_at_least": self.reliability_at_least,
            "directed": self.directed,
            "largest_component": self.largest_component,
        }


OPTIONS = tuple(f.name for f in fields(Scope))


def resolve_names(G: nx.MultiDiGraph, names: Iterable[str]) -> tuple[list[str], list[str]]:
    """The entity ids the names name, by the one name matcher (:func:`graph.views.resolve_focus`: an id
    at once, else names, aliases, spelling variants, Arabic script, fuzzy), and how names that were not
    an exact spelling were taken (``"'Abou Kamal' -> 'Al-Bukamal' (al-bukamal), ..."``), for the analyst.

    Raises :class:`graph.views.UnknownEntity` (with the closest names) or
    :class:`graph.views.AmbiguousEntity` (listing the candidates), both with the matcher's message.

    >>> G = nx.MultiDiGraph()
    >>> G.add_node("al-bukamal", type="Place", name="Al-Bukamal", aliases=["Abu Kamal"])
    >>> resolve_names(G, ["al-bukamal", "Abou Kamal"])
    (['al-bukamal', 'al-bukamal'], ["'Abou Kamal' -> 'Al-Bukamal' (al-bukamal), folded like 'Abu Kamal'"])
    """
    ids, notes = [], []
    for name, found in resolve_focus(G, list(names)):
        ids.append(found.id)
        if found.reason != "alias" or found.also:
            notes.append(found.said(name))
    return ids, notes


def resolve_one(G: nx.MultiDiGraph, name: str) -> str:
    """The one entity an id, name or alias names, as :func:`resolve_names` matches it."""
    return resolve_names(G, [name])[0][0]


class Ties:
    """The entities in scope and the ties between them, ready for the backend.

    ``graph`` is the filtered MultiDiGraph (names, types, evidence), ``ids`` the entities in vertex
    order (sorted), ``net`` the simple graph of ties (:mod:`graph.analysis.backend`).
    """

    def __init__(self, graph: nx.MultiDiGraph, ids: list[str], net: backend.Net, scope: Scope, excluded: list[str]):
        self.graph, self.ids, self.net, self.scope, self.excluded = graph, ids, net, scope, excluded
        self.index = {n: i for i, n in enumerate(ids)}
        # Results several measures share, computed once per Ties (communities and brokerage both need
        # the seeded partition: seconds on a million ties).
        self.shared: dict[tuple, Any] = {}

    def __len__(self) -> int:
        return len(self.ids)

    @property
    def n_ties(self) -> int:
        return self.net.ecount()

    @cached_property
    def components(self) -> list[list[str]]:
        """The connected components (ties in either direction), largest first, equal sizes by first id."""
        groups: dict[int, list[str]] = {}
        for n, c in zip(self.ids, backend.components(self.net), strict=True):
            groups.setdefault(c, []).append(n)
        return sorted(groups.values(), key=lambda g: (-len(g), g[0]))

    def values(self, values: Iterable[Any]) -> dict[str, Any]:
        """Backend values (one per vertex) keyed by entity id."""
        return dict(zip(self.ids, values, strict=True))

    def require_ties(self, measure: str) -> None:
        """:class:`EmptyGraph` when there is nothing to measure."""
        if not self.ids:
            raise EmptyGraph(f"{measure}: no entities left after the filters ({'; '.join(self.scope.describe())})")
        if not self.n_ties:
            raise EmptyGraph(
                f"{measure}: {len(self.ids)} entities but no ties between them after the filters "
                f"({'; '.join(self.scope.describe())})"
            )

    def meta(self, measure: str, **extra: Any) -> dict[str, Any]:
        """The metadata every result carries."""
        sizes = [len(c) for c in self.components]
        return {
            "measure": measure,
            "entities": len(self.ids),
            "ties": self.n_ties,
            "directed": self.scope.directed,
            "components": len(sizes),
            "largest_component": sizes[0] if sizes else 0,
            "components_text": components_text(sizes) if sizes else "no entities",
            "scope": self.scope.describe(),
            "backend": backend.NAME,
            **extra,
        }


def _build(scope: Scope, H: nx.MultiDiGraph, excluded: list[str]) -> Ties:
    skip = set(excluded)
    ids = sorted(n for n in H if n not in skip)
    index = {n: i for i, n in enumerate(ids)}
    arcs = []
    for u, nbrs in H.adjacency():  # the raw adjacency: a million relations in well under a second
        i = index.get(u)
        if i is None:
            continue
        for v in nbrs:
            j = index.get(v)
            if j is not None:
                arcs.append((i, j))
    net = backend.simple_graph(len(ids), arcs, directed=scope.directed)
    T = Ties(H, ids, net, scope, excluded)
    if scope.largest_component and len(T.components) > 1:
        keep = sorted(T.index[n] for n in T.components[0])
        T = Ties(H, [ids[i] for i in keep], backend.induced(net, keep), scope, excluded)
    return T


def scoped(G: nx.MultiDiGraph, **options: Any) -> tuple[Scope, nx.MultiDiGraph, list[str]]:
    """The checked scope, the graph filtered by its view rules, and the ids it excludes.

    Excluded names are matched as :func:`resolve_names` does (:class:`graph.views.UnknownEntity` or
    :class:`graph.views.AmbiguousEntity` when one names nothing or several).
    """
    unknown = set(options) - set(OPTIONS)
    if unknown:
        raise TypeError(f"unknown option(s) {sorted(unknown)}; options: {', '.join(OPTIONS)}")
    scope = Scope(**options)
    excluded = list(dict.fromkeys(resolve_names(G, scope.exclude)[0])) if scope.exclude else []
    H = G
    if scope.filtered:
        H = filter_graph(
            G,
            as_of=scope.as_of,
            horizon=scope.horizon,
            credibility_at_least=scope.credibility_at_least,
            reliability_at_least=scope.reliability_at_least,
            entity_types=scope.entity_types,
            relation_types=scope.relation_types,
        )
    return scope, H, excluded


def ties(G: nx.MultiDiGraph | Ties, **options: Any) -> Ties:
    """The ties of ``G`` within the scope the options describe (a :class:`Ties` is returned as it is).

    >>> G = nx.MultiDiGraph()
    >>> G.add_nodes_from([("a", {"type": "Person", "name": "A"}), ("b", {"type": "ArmedGroup", "name": "B"})])
    >>> G.add_edge("a", "b", "LEADS"), G.add_edge("a", "b", "MEMBER_OF")
    ('LEADS', 'MEMBER_OF')
    >>> T = ties(G)
    >>> T.ids, T.n_ties, ties(G, directed=True, exclude=["B"]).ids
    (['a', 'b'], 1, ['a'])
    """
    if isinstance(G, Ties):
        if options:
            raise TypeError(f"options {sorted(options)} apply when ties are built, not to ready ties")
        return G
    return _build(*scoped(G, **options))
