"""Neighbourhoods: expanding an entity, rebuilding a view from its state, a view as a graph to export."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import networkx as nx

from graph.facts import parse_edge_id
from graph.schema import REGISTRY

from ..errors import BadRequest, NotFound
from ..models import Filters
from . import cypher, drawn
from .base import Store
from .evidence import evidence_items, sources
from .filters import filter_parameters

# Most relations among entities that one expansion brings besides the centre's own, and most relations a
# rebuilt view holds besides the expanded entities' own: beyond that a view is unreadable and slow to draw.
MAX_EDGES = 1000
MAX_VIEW_EDGES = 4000


def source_reliability(store: Store) -> dict[str, str]:
    """Source id -> reliability grade (kept ``store.cache_seconds``)."""
    return store.cached("sources", lambda: {r["id"]: r["reliability"] for r in store.read(cypher.SOURCE_RELIABILITY)})


def _filters(store: Store, filters: Filters) -> dict[str, Any]:
    return filter_parameters(filters, lambda: source_reliability(store), horizon=store.horizon)


def nodes(store: Store, ids: Iterable[str]) -> list[dict]:
    """The entities of ``ids`` that exist, as drawn nodes."""
    return [drawn.node(r["n"]) for r in store.read(cypher.NODES, ids=list(ids))]


def expand(
    store: Store,
    eid: str,
    *,
    filters: Filters,
    removed: Iterable[str] = (),
    known: Iterable[str] = (),
    limit: int = 100,
    max_edges: int = MAX_EDGES,
) -> dict:
    """The entity, up to ``limit`` neighbours passing the filters (the most connected to it first), and
    the relations among them and ``known`` (at most ``max_edges`` of those; none when 0).

    ``{centre, total, shown, nodes, edges, edges_truncated}``; :class:`~viz.explorer.errors.NotFound`
    when there is no such entity."""
    params = {**_filters(store, filters), "removed": list(removed) or None}
    rows = store.read(
        cypher.expand(params, among_known=max_edges > 0),
        id=eid,
        limit=limit,
        known=list(known) if max_edges > 0 else [],
        cap=max_edges + 1,
        hub=store.hub_degree,
        **params,
    )
    if not rows:
        raise NotFound(f"no entity with id {eid!r}")
    row = rows[0]
    found = {eid: drawn.node(row["c"])}
    for n in row["ns"]:
        found.setdefault(n["id"], drawn.node(n))
    edges = {e["id"]: e for e in (drawn.edge(r, store.horizon) for r in row["rs"])}
    for e in (drawn.edge(r, store.horizon) for r in row["cross"][:max_edges]):
        edges.setdefault(e["id"], e)
    return {
        "centre": eid,
        "total": row["total"],
        "shown": row["shown"],
        "nodes": list(found.values()),
        "edges": list(edges.values()),
        "edges_truncated": len(row["cross"]) > max_edges,
    }


def edges_among(
    store: Store, ids: Iterable[str], among: Iterable[str], filters: Filters, max_edges: int = MAX_EDGES
) -> tuple[list[dict], bool]:
    """Relations passing the filters between an entity of ``ids`` and one of ``among`` (at most
    ``max_edges``; the flag says whether some were left out). Hubs (over ``store.hub_degree`` relations)
    are not expanded: with ``ids`` == ``among`` their relations come from the other end, and a relation
    between two hubs only with the expansion of one of them."""
    params = _filters(store, filters)
    rows = store.read(
        cypher.edges_among(params), ids=list(ids), among=list(among), cap=max_edges + 1, hub=store.hub_degree, **params
    )
    return [drawn.edge(r["rel"], store.horizon) for r in rows[:max_edges]], len(rows) > max_edges


def view(
    store: Store,
    *,
    roots: list[str],
    expanded: list[str],
    removed: list[str],
    filters: Filters,
    limit: int = 100,
    shown: Iterable[str] = (),
    max_edges: int = MAX_VIEW_EDGES,
) -> dict:
    """Rebuild a view from its state: roots with their neighbours, then each expanded entity's.

    Relations between an expanded entity and its neighbours always come; other relations among the
    entities on screen fill the rest of ``max_edges``. ``{nodes, edges, missing, truncated,
    edges_truncated}``."""
    removed_set = set(removed)
    found: dict[str, dict] = {}
    edges: dict[str, dict] = {}
    truncated: dict[str, int] = {}
    roots = [r for r in dict.fromkeys(roots) if r not in removed_set]
    for n in nodes(store, roots):
        found[n["id"]] = n
    missing = [r for r in roots if r not in found]
    extra = [s for s in dict.fromkeys(shown) if s not in removed_set and s not in found]
    for n in nodes(store, extra) if extra else ():
        found[n["id"]] = n
    missing += [s for s in extra if s not in found]
    order = [r for r in roots if r in found] + [e for e in dict.fromkeys(expanded) if e not in roots]
    done: set[str] = set()
    # An expanded entity may be reached through another one later in the list: go round until stable.
    for _ in range(3):
        progress = False
        for eid in order:
            if eid in done or eid not in found:
                continue
            done.add(eid)
            progress = True
            part = expand(store, eid, filters=filters, removed=removed, limit=limit, max_edges=0)
            if part["total"] > part["shown"]:
                truncated[eid] = part["total"]
            for n in part["nodes"]:
                found.setdefault(n["id"], n)
            for e in part["edges"]:
                edges.setdefault(e["id"], e)
        if not progress:
            break
    missing += [e for e in dict.fromkeys(expanded) if e not in done and e not in roots]
    ids = list(found)
    room = max_edges - len(edges)
    cut = False
    if ids and room > 0:
        cross, cut = edges_among(store, ids, ids, filters, room + len(edges))
        for e in cross:
            if len(edges) >= max_edges:
                cut = True
                break
            edges.setdefault(e["id"], e)
    return {
        "nodes": list(found.values()),
        "edges": list(edges.values()),
        "missing": missing,
        "truncated": truncated,
        "edges_truncated": cut or (room <= 0 and bool(ids)),
    }


def subgraph(store: Store, node_ids: list[str], edge_ids: list[str]) -> nx.MultiDiGraph:
    """The view as an in-memory graph in :mod:`graph.build`'s format (for the HTML snapshot).

    :class:`~viz.explorer.errors.BadRequest` for a string that is not an edge id of a registry type."""
    G = nx.MultiDiGraph()
    for r in store.read(cypher.SUBGRAPH_ENTITIES, ids=list(dict.fromkeys(node_ids))):
        props = dict(r["n"])
        etype = drawn.entity_type(r["labels"])
        data: dict[str, Any] = {
            "type": etype or "Entity",
            "name": props.get("name") or props["id"],
            "aliases": list(props.get("aliases") or []),
        }
        if props.get("description"):
            data["description"] = props["description"]
        loc = props.get("location")
        if loc is not None and hasattr(loc, "latitude"):
            data["lat"], data["lon"] = loc.latitude, loc.longitude
        data.update(drawn.entity_attributes(etype, props) if etype else {})
        G.add_node(props["id"], **data)
    triples = []
    for e in dict.fromkeys(edge_ids):
        try:
            s, t, o = parse_edge_id(e)
        except ValueError as exc:
            raise BadRequest(str(exc)) from None
        if t not in REGISTRY.relations:
            raise BadRequest(f"not an edge id: {e!r} ({t!r} is not a relation type of the schema)")
        if s in G and o in G:
            triples.append({"from": s, "type": t, "to": o})
    used: set[str] = set()
    for r in store.read(cypher.SUBGRAPH_RELATIONS, triples=triples) if triples else ():
        rel = r["rel"]
        props = rel["props"]
        evidence = evidence_items(props)
        used.update(item["source"] for item in evidence)
        data = {
            "type": rel["type"],
            "evidence": evidence,
            "credibility": props.get("credibility"),
            "reliability": props.get("reliability"),
        }
        # What graph.build puts on an edge besides its evidence and attributes (the snapshot's as-of reads them).
        for k in ("valid_from", "valid_to", "first_observed", "last_observed", "originators"):
            if props.get(k):
                data[k] = props[k]
        data.update(drawn.relation_attributes(rel["type"], props))
        G.add_edge(rel["source"], rel["target"], rel["type"], **data)
    G.graph["sources"] = sources(store, used)
    return G
