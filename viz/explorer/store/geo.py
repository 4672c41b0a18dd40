"""Where the entities on screen are, for the explorer's map: :mod:`graph.geo` on rows read from Neo4j.

The page sends the ids of the entities and relations it shows; the answer places each entity that has
coordinates, its own or (a site or place) those of the nearest place it lies in, followed through
LOCATED_IN in the whole graph even when that place is not on screen (:func:`graph.geo.locate`, the one
rule), and lists the relations on screen that place an actor there (:data:`graph.geo.PLACING`, with
their grades and evidence: :func:`graph.geo.placements`).

The timeline needs nothing from here: the view's nodes and edges already carry their as-of windows
(:mod:`viz.explorer.store.drawn`, :mod:`graph.asof`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import networkx as nx

from graph.facts import parse_edge_id
from graph.geo import INSIDE, PLACING, locate, placements
from graph.neo4j.values import to_plain
from graph.schema import REGISTRY

from . import drawn
from .base import Store
from .cypher import SUBGRAPH_RELATIONS
from .evidence import evidence_items, sources

# How far outwards LOCATED_IN is followed for a site or place without coordinates: a checkpoint in a
# neighbourhood in a town in a district in a governorate in a country is five steps.
MAX_DEPTH = 8
# The evidence a popup lists for each placement (the details panel has all of it).
MAX_QUOTES = 3

_PLACE = "{id: n.id, name: n.name, labels: labels(n), location: n.location, geo_precision: n.geo_precision}"
# The entities on screen, with what graph.geo reads of them.
ON_SCREEN = f"UNWIND $ids AS nid MATCH (n:Entity {{id: nid}}) RETURN {_PLACE} AS n"
# The places an entity without coordinates lies in, outwards (the relation type is the registry's
# LOCATED_IN, the only name written into the text), each step once.
INSIDE_CHAINS = (
    "UNWIND $ids AS nid MATCH (s:Entity {id: nid}) WHERE s.location IS NULL "
    f"MATCH path = (s)-[:{INSIDE}*1..{MAX_DEPTH}]->(:Entity) "
    "UNWIND relationships(path) AS r WITH DISTINCT r "
    "WITH startNode(r).id AS source, endNode(r) AS n "
    f"RETURN source, {_PLACE} AS n"
)


def _add(G: nx.MultiDiGraph, row: dict[str, Any]) -> None:
    etype = drawn.entity_type(row.get("labels") or ()) or "Entity"
    data: dict[str, Any] = {"type": etype, "name": row["name"] or row["id"]}
    loc = to_plain(row.get("location"))
    if isinstance(loc, dict) and loc.get("lat") is not None and loc.get("lon") is not None:
        data["lat"], data["lon"] = loc["lat"], loc["lon"]
        data["geo_precision"] = row.get("geo_precision")
    G.add_node(row["id"], **data)


def located(store: Store, node_ids: Iterable[str], edge_ids: Iterable[str] = ()) -> dict[str, Any]:
    """``{precision, placing, located: [{id, lat, lon, precision, radius_m, inherited_from?,
    inherited_from_name?, placed: [...]}]}`` for the entities of ``node_ids`` that have a location, in
    their order; ``placed``: the relations of ``edge_ids`` that place an actor there
    (:func:`graph.geo.placements`, each piece of evidence with its source's title)."""
    ids = list(dict.fromkeys(node_ids))
    G = nx.MultiDiGraph()
    for r in store.read(ON_SCREEN, ids=ids) if ids else ():
        _add(G, r["n"])
    unplaced = [n for n, d in G.nodes(data=True) if "lat" not in d]
    for r in store.read(INSIDE_CHAINS, ids=unplaced) if unplaced else ():
        if r["n"]["id"] not in G:
            _add(G, r["n"])
        if r["source"] not in G:
            G.add_node(r["source"])
        G.add_edge(r["source"], r["n"]["id"], INSIDE, type=INSIDE)
    found = locate(G, [n for n in ids if n in G])
    on_screen = set(ids)
    triples = []
    for e in dict.fromkeys(edge_ids):
        s, t, o = parse_edge_id(e)
        if t in PLACING and o in found and s in on_screen:
            triples.append({"from": s, "type": t, "to": o})
    used: set[str] = set()
    for r in store.read(SUBGRAPH_RELATIONS, triples=triples) if triples else ():
        rel = r["rel"]
        props = rel["props"]
        evidence = evidence_items(props)[:MAX_QUOTES]
        used.update(item["source"] for item in evidence)
        data = {k: props.get(k) for k in ("credibility", "reliability", "valid_from", "valid_to")}
        G.add_edge(rel["source"], rel["target"], rel["type"], type=rel["type"], evidence=evidence, **data)
    placed = placements(G, found)
    titles = {sid: s.get("title") for sid, s in sources(store, used).items()}
    rows = []
    for n in ids:
        loc = found.get(n)
        if loc is None:
            continue
        row: dict[str, Any] = {
            "id": n,
            "lat": loc.lat,
            "lon": loc.lon,
            "precision": loc.precision,
            "radius_m": loc.radius_m,
        }
        if loc.inherited_from:
            row["inherited_from"] = loc.inherited_from
            row["inherited_from_name"] = G.nodes[loc.inherited_from].get("name", loc.inherited_from)
        row["placed"] = [
            {**p, "evidence": [{**ev, "source_title": titles.get(ev["source"])} for ev in p["evidence"]]}
            for p in placed.get(n, [])
        ]
        rows.append(row)
    return {"precision": REGISTRY.geo_precision.as_dict(), "placing": list(PLACING), "located": rows}
