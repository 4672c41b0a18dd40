"""Views of the in-memory graph: resolving names, filtering by time and grade, focusing.

Pure functions in networkx style: a graph in, a new graph (or a dict) out,
options as keywords. Grades follow the Admiralty scales of the registry, best
first: ``credibility_at_least=3`` keeps facts graded 1, 2 or 3,
``reliability_at_least="B"`` facts with a source graded A or B.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

import networkx as nx

from .asof import DEFAULT_HORIZON, Horizon, entity_window, fact_window, holds_on, parse_day
from .names import AmbiguousName, Candidate, NameIndex, NameProblem, name_key
from .schema import REGISTRY

__all__ = [
    "UnknownEntity",
    "View",
    "filter_graph",
    "name_index",
    "neighbourhood",
    "parse_day",
    "resolve",
    "resolve_focus",
    "select",
    "suggest",
]


def name_index(G: nx.MultiDiGraph) -> dict[str, set[str]]:
    """Name key -> entity ids, over ids, names and aliases.

    >>> G = nx.MultiDiGraph()
    >>> G.add_node("fog-47", type="ArmedGroup", name="Fog 47", aliases=["Fog’ 47"])
    >>> name_index(G)
    {'fog47': {'fog-47'}}
    """
    index: dict[str, set[str]] = {}
    for n, data in G.nodes(data=True):
        for text in (n, data.get("name", ""), *data.get("aliases", ())):
            index.setdefault(name_key(text), set()).add(n)
    return index


def resolve(G: nx.MultiDiGraph, name_or_id: str) -> list[str]:
    """Entity ids whose id, name or alias matches (case, accent and punctuation insensitive).

    >>> G = nx.MultiDiGraph()
    >>> G.add_node("al-bukamal", type="Place", name="Al-Bukamal", aliases=["Abu Kamal", "البوكمال"])
    >>> resolve(G, "al-bukamal"), resolve(G, "ALBUKAMAL"), resolve(G, "abu kamal"), resolve(G, "Deir ez-Zor")
    (['al-bukamal'], ['al-bukamal'], ['al-bukamal'], [])
    """
    if name_or_id in G:
        return [name_or_id]
    return sorted(name_index(G).get(name_key(name_or_id), ()))


def _evidence_ok(data, sources, credibility_at_least, reliability_at_least) -> bool:
    credibility, reliability = REGISTRY.credibility, REGISTRY.reliability
    return any(
        credibility.at_least(ev["credibility"], credibility_at_least)
        and reliability.at_least(sources[ev["source"]]["reliability"], reliability_at_least)
        for ev in data["evidence"]
    )


def describe_filters(
    as_of: date | None, horizon: Horizon, credibility_at_least: int | None, reliability_at_least: str | None
) -> list[str]:
    """The as-of day and grade filters in words, as every heading states them.

    >>> describe_filters(None, DEFAULT_HORIZON, 3, "B")
    ['credibility 1-3', 'reliability A-B']
    """
    out = []
    if as_of:
        out.append(f"as of {as_of.isoformat()} ({horizon.describe()})")
    for scale, grade in ((REGISTRY.credibility, credibility_at_least), (REGISTRY.reliability, reliability_at_least)):
        if grade is not None:
            out.append(f"{scale.name} {scale.best}" + (" only" if grade == scale.best else f"-{grade}"))
    return out


def filter_graph(
    G: nx.MultiDiGraph,
    *,
    as_of: date | None = None,
    horizon: Horizon = DEFAULT_HORIZON,
    credibility_at_least: int | None = None,
    reliability_at_least: str | None = None,
    entity_types: Iterable[str] | None = None,
    relation_types: Iterable[str] | None = None,
    keep: Iterable[str] = (),
) -> nx.MultiDiGraph:
    """The facts that hold on ``as_of`` with at least one piece of evidence meeting both grades.

    As of a day, a fact holds by the rule of :mod:`graph.asof` (stated validity, else
    its observations widened by ``horizon``), and entities that do not exist yet or
    any more (events before their date, campaigns outside [start, end]) are dropped
    with their facts. Entities that lose every edge to the as-of, grade or relation
    type filters are dropped (unless in ``keep``); entities that had no edges to begin
    with stay, and so do entities whose neighbours were left out by ``entity_types``.

    >>> G = nx.MultiDiGraph(sources={"wire": {"reliability": "D"}})
    >>> G.add_edge(
    ...     "fog-47",
    ...     "badr-hospital",
    ...     "OCCUPIES",
    ...     valid_from="2021-06",
    ...     evidence=[{"source": "wire", "quote": "its headquarters", "credibility": 2}],
    ... )
    'OCCUPIES'
    >>> filter_graph(G, as_of=date(2021, 6, 1)).size(), filter_graph(G, as_of=date(2021, 5, 31)).size()
    (1, 0)
    >>> sorted(filter_graph(G, credibility_at_least=2)), sorted(filter_graph(G, reliability_at_least="C"))
    (['badr-hospital', 'fog-47'], [])
    """
    sources = G.graph.get("sources", {})
    etypes = set(entity_types) if entity_types is not None else None
    rtypes = set(relation_types) if relation_types is not None else None
    H = nx.MultiDiGraph()
    H.graph.update(G.graph)
    H.add_nodes_from(
        (n, d)
        for n, d in G.nodes(data=True)
        if (etypes is None or d["type"] in etypes) and (as_of is None or holds_on(entity_window(d), as_of))
    )
    graded = credibility_at_least is not None or reliability_at_least is not None
    for u, v, k, d in G.edges(keys=True, data=True):
        if u not in H or v not in H or (rtypes is not None and k not in rtypes):
            continue
        if as_of is not None and not holds_on(fact_window(d, horizon)[0], as_of):
            continue
        if graded and not _evidence_ok(d, sources, credibility_at_least, reliability_at_least):
            continue
        H.add_edge(u, v, k, **d)
    if as_of is not None or graded or rtypes is not None:
        keep = set(keep)
        H.remove_nodes_from([n for n in list(H) if H.degree(n) == 0 and G.degree(n) > 0 and n not in keep])
    return H


def neighbourhood(G: nx.MultiDiGraph, centres: Iterable[str], depth: int = 1) -> nx.MultiDiGraph:
    """The subgraph within ``depth`` hops of any centre, edges followed in both directions.

    >>> G = nx.MultiDiGraph([("abu-test", "brigade-9"), ("brigade-9", "old-hospital"), ("state-x", "brigade-9")])
    >>> sorted(neighbourhood(G, ["abu-test"], depth=1)), sorted(neighbourhood(G, ["old-hospital"], depth=2))
    (['abu-test', 'brigade-9'], ['abu-test', 'brigade-9', 'old-hospital', 'state-x'])
    """
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


# -- a view: what a snapshot shows and an export writes -----------------------------------------------


class UnknownEntity(LookupError):
    """A focus name that matches no entity (or several: :class:`AmbiguousEntity`); ``suggestions`` holds the
    closest names. ``message`` replaces the default one (the matcher's, :mod:`graph.names`)."""

    def __init__(self, name: str, suggestions: list[str], message: str | None = None):
        self.name = name
        self.suggestions = suggestions
        hint = f" (did you mean {', '.join(repr(s) for s in suggestions)}?)" if suggestions else ""
        super().__init__(message or f"no entity is named {name!r}{hint}")


class AmbiguousEntity(UnknownEntity):
    """A focus name that several entities match about as well; ``suggestions`` holds their names."""


def resolve_focus(G: nx.MultiDiGraph, names: Iterable[str]) -> list[tuple[str, Candidate]]:
    """``(name, candidate)`` for each focus name, by the one name matcher (:class:`graph.names.NameIndex`).

    An id is taken at once; other names are matched (exact spellings of names and aliases first,
    then folded spellings, both scripts, fuzzy). Raises :class:`UnknownEntity` or
    :class:`AmbiguousEntity` with the matcher's message.

    >>> G = nx.MultiDiGraph()
    >>> G.add_node("al-bukamal", type="Place", name="Al-Bukamal", aliases=["Abu Kamal", "البوكمال"])
    >>> [c.said(n) for n, c in resolve_focus(G, ["Abou Kamal", "al-bukamal"])]
    ["'Abou Kamal' -> 'Al-Bukamal' (al-bukamal), folded like 'Abu Kamal'", "'al-bukamal' -> 'Al-Bukamal' (al-bukamal)"]
    """
    index: NameIndex | None = None
    out = []
    for name in names:
        if name in G:  # no index to build for an id
            data = G.nodes[name]
            out.append((name, Candidate(name, data.get("name", name), name, 100, "alias", data.get("type", ""))))
            continue
        if index is None:
            index = NameIndex.from_graph(G)
        try:
            out.append((name, index.resolve(name)))
        except AmbiguousName as e:
            raise AmbiguousEntity(name, [c.name for c in e.candidates], str(e)) from None
        except NameProblem as e:
            suggestions = [c.name for c in getattr(e, "suggestions", ())]
            raise UnknownEntity(name, suggestions, str(e)) from None
    return out


@dataclass
class View:
    """What a snapshot shows (and an export writes): filters and focus, as given (for the heading)."""

    as_of: date | None = None
    credibility_at_least: int | None = None
    reliability_at_least: str | None = None
    focus: list[str] = field(default_factory=list)
    depth: int = 1
    horizon: Horizon = DEFAULT_HORIZON

    def describe(self) -> list[str]:
        """The filters in words, for the heading.

        >>> View(credibility_at_least=2, reliability_at_least="A").describe()
        ['credibility 1-2', 'reliability A only']
        """
        out = describe_filters(self.as_of, self.horizon, self.credibility_at_least, self.reliability_at_least)
        if self.focus:
            out.append(f"within {self.depth} hop{'s' if self.depth != 1 else ''} of {', '.join(self.focus)}")
        return out


def suggest(G: nx.MultiDiGraph, text: str, n: int = 3) -> list[str]:
    """The entity names (or aliases) closest to ``text``.

    >>> G = nx.MultiDiGraph()
    >>> G.add_node("fog-47", type="ArmedGroup", name="Fog 47", aliases=[])
    >>> suggest(G, "Fog 74")
    ['Fog 47']
    """
    shown: dict[str, str] = {}
    for node, data in sorted(G.nodes(data=True)):
        for t in (data.get("name", ""), *data.get("aliases", ()), node):
            shown.setdefault(name_key(t), t)
    close = difflib.get_close_matches(name_key(text), list(shown), n=n, cutoff=0.5)
    return [shown[k] for k in close]


def select(G: nx.MultiDiGraph, view: View) -> nx.MultiDiGraph:
    """The part of ``G`` a view shows: filtered by time and grade, then the focus neighbourhood.

    Focus names are matched as :func:`resolve_focus` does: raises :class:`UnknownEntity` for one that
    names nothing, :class:`AmbiguousEntity` for one that names several. The result's
    ``graph["focus_matched"]`` says how each name that was not an exact spelling was taken.

    >>> G = nx.MultiDiGraph([("abu-test", "brigade-9"), ("brigade-9", "old-hospital")])
    >>> sorted(select(G, View(focus=["abu-test"])))
    ['abu-test', 'brigade-9']
    """
    centres: list[str] = []
    said: list[str] = []
    for name, found in resolve_focus(G, view.focus):
        if found.id not in centres:
            centres.append(found.id)
        if found.reason != "alias" or found.also:
            said.append(found.said(name))
    H = G
    if view.as_of is not None or view.credibility_at_least is not None or view.reliability_at_least is not None:
        H = filter_graph(
            G,
            as_of=view.as_of,
            horizon=view.horizon,
            credibility_at_least=view.credibility_at_least,
            reliability_at_least=view.reliability_at_least,
            keep=centres,
        )
    if centres:
        H = neighbourhood(H, centres, view.depth)
    if said:  # H is a new graph here (the neighbourhood)
        H.graph["focus_matched"] = said
    return H
