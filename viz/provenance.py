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
    if not wanted:
        return []
    # Keys are letters and digits only, so a key found in the keys joined by spaces is inside one of them.
    text = " ".join(quotes if keyed else map(name_key, quotes))
    return [name for name, key in wanted.items() if key in text]


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


def reported_names_of(G: nx.MultiDiGraph, nodes: Iterable[str]) -> dict[str, list[str]]:
    """:func:`reported_names_in` for each of ``nodes`` (entities of ``G``) at once: one pass over the relations,
    each quote keyed once, instead of one look at every entity's relations (a snapshot of 10,000 entities).

    >>> G = nx.MultiDiGraph()
    >>> G.add_node("fog-47", name="Fog 47", aliases=["Liwa Fog"])
    >>> G.add_node("badr", name="Badr Hospital", aliases=[], evidence=[{"quote": "Liwa Fog's base"}])
    >>> G.add_edge("fog-47", "badr", "OCCUPIES", evidence=[{"quote": "Fog 47 uses the Badr hospital"}])
    'OCCUPIES'
    >>> reported_names_of(G, ["fog-47", "badr"])
    {'fog-47': ['Fog 47'], 'badr': ['Badr Hospital']}
    """
    wanted = {n: [] for n in nodes}
    keys: dict[str, str] = {}  # quote -> its name key: each quote keyed once
    if len(wanted) * 20 < G.number_of_nodes():  # a few entities of a big graph: look only at theirs
        return {n: reported_names_in(G, n, keys) for n in wanted}
    known = keys.get
    for n, keyed in wanted.items():
        for ev in G.nodes[n].get("evidence") or ():
            keyed.append(known(ev["quote"]) or keys.setdefault(ev["quote"], name_key(ev["quote"])))
    # (one pass over the edges' evidence, written out: at 50,000 relations every call and view object counts)
    for u, v, evidence in G.edges(data="evidence"):
        if not evidence:
            continue
        at_u = wanted.get(u)
        at_v = wanted.get(v) if v != u else None
        if at_u is None and at_v is None:
            continue
        keyed = []
        for ev in evidence:
            quote = ev["quote"]
            k = known(quote)
            if k is None:
                k = keys[quote] = name_key(quote)
            keyed.append(k)
        if at_u is not None:
            at_u += keyed
        if at_v is not None:
            at_v += keyed
    out = {}
    for n, keyed in wanted.items():
        data = G.nodes[n]
        out[n] = reported_names([data.get("name", ""), *data.get("aliases", ())], keyed, keyed=True)
    return out
