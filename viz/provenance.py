"""Which of an entity's names rest on a report and which are the curator's: the one rule both pages show.

A name (the entity's name or an alias) is *reported* when a quote says it: its
:func:`graph.names.name_key` occurs inside the key of a quote of the entity's own
evidence or of the evidence of any relation about the entity (from or to it).
Any other name is the *curator's*: a transliteration, a spelling from elsewhere,
a label the curator gave. The snapshot computes it from the in-memory graph
(:func:`reported_names_in`), the explorer from the quotes Neo4j holds
(:func:`reported_names`), so both pages mark the same names.
"""

from __future__ import annotations

from collections.abc import Iterable

import networkx as nx

from graph.names import name_key


def reported_names(names: Iterable[str], quotes: Iterable[str], *, keyed: bool = False) -> list[str]:
    """The names (in their order, each once) that some quote contains, compared by name key.

    ``keyed``: the quotes are given as their name keys already (a big snapshot keys each quote once).

    >>> reported_names(["Al-Bukamal", "Abu Kamal", "البوكمال"], ["the militias in Albukamal"])
    ['Al-Bukamal']
    >>> reported_names(["Fog 47"], ["the “Fog’ 47” militia"]), reported_names(["X"], [])
    (['Fog 47'], [])
    """
    wanted = {}
    for name in names:
        key = name_key(name)
        if key and name not in wanted:
            wanted[name] = key
    found: set[str] = set()
    for quote in quotes:
        if len(found) == len(wanted):
            break
        text = quote if keyed else name_key(quote)
        found.update(name for name, key in wanted.items() if name not in found and key in text)
    return [name for name in wanted if name in found]


def quotes_about(G: nx.MultiDiGraph, n: str) -> list[str]:
    """The quotes of entity ``n``'s own evidence and of every relation from or to it (graph.build's data)."""
    quotes = [ev["quote"] for ev in G.nodes[n].get("evidence") or ()]
    for edges in (G.out_edges(n, data="evidence"), G.in_edges(n, data="evidence")):
        for _, _, evidence in edges:
            quotes.extend(ev["quote"] for ev in evidence or ())
    return quotes


def reported_names_in(G: nx.MultiDiGraph, n: str, keys: dict[str, str] | None = None) -> list[str]:
    """:func:`reported_names` of entity ``n`` of ``G`` (its name, then its aliases).

    ``keys``: a dict kept by the caller across entities, quote -> name key, so that each quote
    of a big graph is keyed once although two entities read it.

    >>> G = nx.MultiDiGraph()
    >>> G.add_node("fog-47", name="Fog 47", aliases=["Liwa Fog"])
    >>> G.add_node("badr", name="Badr Hospital", aliases=[])
    >>> G.add_edge("fog-47", "badr", "OCCUPIES", evidence=[{"quote": "Fog 47 uses the Badr hospital"}])
    'OCCUPIES'
    >>> reported_names_in(G, "fog-47"), reported_names_in(G, "badr")
    (['Fog 47'], ['Badr Hospital'])
    """
    data = G.nodes[n]
    names = [data.get("name", ""), *data.get("aliases", ())]
    quotes = quotes_about(G, n)
    if keys is None:
        return reported_names(names, quotes)
    keyed = []
    for q in quotes:
        k = keys.get(q)
        if k is None:
            k = keys[q] = name_key(q)
        keyed.append(k)
    return reported_names(names, keyed, keyed=True)
