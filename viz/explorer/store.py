"""What the explorer reads from Neo4j, always in READ transactions with a time limit.

The model is the loader's (graph/neo4j_model.py): entities are ``:Entity:<Type>``
with ``id``, ``name``, ``aliases``, ``names`` (name keys), attributes and
``location``; ``:Source`` nodes; relations of the registry's types carrying
``sources``/``quotes``/``credibilities`` (aligned lists), ``credibility``,
``reliability``, ``valid_from``/``valid_to`` and attributes.

Labels and relationship types put into Cypher text come from the schema
registry only; every value is a $parameter.
"""

from __future__ import annotations

import math
import re
import threading
import time
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Iterable

import neo4j
import networkx as nx
from neo4j import Query, RoutingControl
from neo4j import exceptions as neo4j_exc
from neo4j.graph import Node as NeoNode
from neo4j.graph import Path as NeoPath
from neo4j.graph import Relationship as NeoRelationship

from graph.dates import first_day, last_day
from graph.neo4j.connection import describe
from graph.names import name_key
from graph.schema import REGISTRY

from .models import Filters

# The loader's full-text indexes (graph/neo4j_writer.py): words of names and aliases with
# accents folded, and whole name keys (graph.names.name_key) under the keyword analyzer.
TEXT_INDEX = "entity_text"
KEYS_INDEX = "entity_keys"

# Node and relationship properties that are bookkeeping, not facts to show as attributes.
_NODE_INTERNAL = {"id", "name", "aliases", "names", "location", "dataset", "description", "lat", "lon", "type"}
_REL_INTERNAL = {"sources", "quotes", "credibilities", "credibility", "reliability", "valid_from", "valid_to",
                 "valid_from_date", "valid_to_date", "dataset", "type", "id"}
# Most dates offered on the as-of slider.
MAX_SLIDER_DATES = 400
# Most relations among entities that one expansion brings besides the centre's own, and most relations a
# rebuilt view holds besides the expanded entities' own: beyond that a view is unreadable and slow to draw.
MAX_EDGES = 1000
MAX_VIEW_EDGES = 4000
# Entities with more relations than this are never expanded to find relations among others.
HUB_DEGREE = 2000


class StoreError(Exception):
    """A database failure or refusal, told in one line."""


class NotFound(StoreError):
    pass


# --------------------------------------------------------------------------- values


def to_json(value: Any) -> Any:
    """A Neo4j value as plain JSON (nodes, relationships and paths as small objects)."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, NeoNode):
        return {"node": {"labels": sorted(value.labels), "properties": _props_json(value)}}
    if isinstance(value, NeoRelationship):
        return {"relationship": {
            "type": value.type,
            "from": _endpoint_label(value.start_node),
            "to": _endpoint_label(value.end_node),
            "properties": _props_json(value),
        }}
    if isinstance(value, NeoPath):
        return {"path": {"nodes": [to_json(n) for n in value.nodes],
                         "relationships": [to_json(r) for r in value.relationships]}}
    if isinstance(value, (list, tuple)):
        return [to_json(v) for v in value]
    if isinstance(value, dict):
        return {str(k): to_json(v) for k, v in value.items()}
    if isinstance(value, (bytes, bytearray)):
        return value.hex()
    if hasattr(value, "latitude") and hasattr(value, "longitude"):
        return {"lat": value.latitude, "lon": value.longitude}
    if hasattr(value, "iso_format"):
        return value.iso_format()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def _props_json(entity) -> dict:
    return {k: to_json(v) for k, v in dict(entity).items() if k != "names"}


def _endpoint_label(node) -> str | None:
    if node is None:
        return None
    return node.get("id") or node.element_id


def entity_type(labels: Iterable[str]) -> str | None:
    for label in labels:
        if label in REGISTRY.entities:
            return label
    return None


def edge_id(source: str, rtype: str, target: str) -> str:
    return f"{source}|{rtype}|{target}"


def parse_edge_id(value: str) -> tuple[str, str, str]:
    parts = value.split("|")
    if len(parts) != 3 or parts[1] not in REGISTRY.relations:
        raise QueryFailed(f"not an edge id: {value!r} (expected FROM|TYPE|TO with a registry type)")
    return parts[0], parts[1], parts[2]


def _fold(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


_LUCENE_SPECIAL = re.compile(r'([+\-&|!(){}\[\]^"~*?:\\/])')


def lucene_prefix_query(text: str) -> str | None:
    """Every word of ``text`` as a prefix, all required (for the accent-folded word index)."""
    words = [_fold(w) for w in re.findall(r"\w+", text.casefold())]
    parts = [_LUCENE_SPECIAL.sub(r"\\\1", w) + "*" for w in words[:8] if w]
    return " AND ".join(parts) or None


def _match_rank(key: str, text: str) -> int:
    """0 exact, 1 prefix, 2 a word starts with it, 3 inside, 4 none (smaller is better)."""
    k = name_key(text)
    if k == key:
        return 0
    if k.startswith(key):
        return 1
    for m in re.finditer(r"\w+", text):
        if name_key(text[m.start():]).startswith(key):
            return 2
    return 3 if key in k else 4


# --------------------------------------------------------------------------- filters -> Cypher


def rel_conditions(f: Filters, r: str, params: dict, source_reliability) -> list[str]:
    """WHERE conditions on relationship variable ``r`` for the filters (params filled in)."""
    out = []
    if f.relation_types is not None:
        out.append(f"type({r}) IN $f_rtypes")
        params["f_rtypes"] = list(f.relation_types)
    if f.as_of is not None:
        # A partial date compares with the as-of day's prefix of the same length:
        # valid_from "2021-06" holds from 2021-06-01, valid_to "2021" through 2021-12-31.
        params["f_asof"] = f.as_of.isoformat()
        out.append(f"({r}.valid_from IS NULL OR substring($f_asof, 0, size({r}.valid_from)) >= {r}.valid_from)")
        out.append(f"({r}.valid_to IS NULL OR substring($f_asof, 0, size({r}.valid_to)) <= {r}.valid_to)")
    if f.credibility_at_least is not None and f.reliability_at_least is not None:
        params["f_cred"] = f.credibility_at_least
        params["f_rel"] = f.reliability_at_least
        params["f_ok_sources"] = [s for s, grade in source_reliability().items() if grade <= f.reliability_at_least]
        out.append(f"any(i IN range(0, size({r}.sources) - 1) WHERE {r}.credibilities[i] <= $f_cred "
                   f"AND {r}.sources[i] IN $f_ok_sources)")
    elif f.credibility_at_least is not None:
        params["f_cred"] = f.credibility_at_least
        out.append(f"any(c IN {r}.credibilities WHERE c <= $f_cred)")
    elif f.reliability_at_least is not None:
        params["f_rel"] = f.reliability_at_least
        out.append(f"{r}.reliability <= $f_rel")
    return out


def node_conditions(f: Filters, m: str) -> list[str]:
    if f.entity_types is None:
        return []
    if not f.entity_types:
        return ["false"]
    # Registry names only (Filters validates them), so they may stand in the query text.
    return ["(" + " OR ".join(f"{m}:{t}" for t in f.entity_types if t in REGISTRY.entities) + ")"]


def _where(conds: list[str]) -> str:
    return " AND ".join(conds) if conds else "true"


# --------------------------------------------------------------------------- the store


@dataclass
class ConsoleResult:
    columns: list[str]
    rows: list[list[Any]]
    raw: list[list[Any]]
    truncated: bool
    elapsed_ms: float


_NODE_PROJECTION = "{id: {v}.id, name: {v}.name, aliases: {v}.aliases, labels: labels({v})}"
_REL_PROJECTION = ("{{type: type({r}), source: startNode({r}).id, target: endNode({r}).id, "
                   "props: properties({r})}}")
# What the page draws of a relation: no quotes or source lists, which can be long.
_RELATION_ATTRIBUTES = sorted({a for t in REGISTRY.relations.values() for a in t.attributes})
_REL_SLIM = ("{{type: type({r}), source: startNode({r}).id, target: endNode({r}).id, props: {{"
             "credibility: {r}.credibility, reliability: {r}.reliability, valid_from: {r}.valid_from, "
             "valid_to: {r}.valid_to, evidence: size({r}.sources)"
             + "".join(f", {a}: {{r}}.{a}" for a in _RELATION_ATTRIBUTES) + "}}}}")


def _node_proj(v: str) -> str:
    return _NODE_PROJECTION.replace("{v}", v)


def _rel_proj(r: str) -> str:
    return _REL_PROJECTION.format(r=r)


def _rel_slim(r: str) -> str:
    return _REL_SLIM.format(r=r)


class Store:
    def __init__(self, driver: neo4j.Driver, database: str | None = None, *,
                 timeout: float = 10.0, row_limit: int = 2000, cache_seconds: float = 30.0, settings=None,
                 hub_degree: int = HUB_DEGREE):
        self.driver = driver
        self.hub_degree = hub_degree
        self.settings = settings
        self.database = database
        self.timeout = timeout
        self.row_limit = row_limit
        self.cache_seconds = cache_seconds
        self._cache: dict[str, tuple[float, Any]] = {}
        self._lock = threading.Lock()

    # -- plumbing ---------------------------------------------------------

    def read(self, cypher: str, /, *, timeout_: float | None = None, **params) -> list[neo4j.Record]:
        timeout = timeout_
        try:
            records, _, _ = self.driver.execute_query(
                Query(cypher, timeout=timeout or self.timeout), params,
                database_=self.database, routing_=RoutingControl.READ)
        except (neo4j_exc.Neo4jError, neo4j_exc.DriverError) as exc:
            raise error_for(exc, self.settings, timeout or self.timeout) from exc
        return records

    def _cached(self, key: str, make, seconds: float | None = None):
        now = time.monotonic()
        with self._lock:
            hit = self._cache.get(key)
            if hit and now - hit[0] < (seconds if seconds is not None else self.cache_seconds):
                return hit[1]
        value = make()
        with self._lock:
            self._cache[key] = (now, value)
        return value

    def source_reliability(self) -> dict[str, str]:
        return self._cached("sources", lambda: {
            r["id"]: r["reliability"] for r in self.read("MATCH (s:Source) RETURN s.id AS id, s.reliability AS reliability")
            if r["id"] is not None and r["reliability"] is not None})

    # -- nodes and edges as the page draws them ------------------------------

    @staticmethod
    def node_json(row: dict) -> dict:
        return {"id": row["id"], "type": entity_type(row.get("labels") or ()) or "Entity",
                "name": row.get("name") or row["id"], "aliases": list(row.get("aliases") or [])}

    @staticmethod
    def edge_json(row: dict) -> dict:
        props = row.get("props") or {}
        rtype = row["type"]
        declared = REGISTRY.relations[rtype].attributes if rtype in REGISTRY.relations else {}
        attrs = {k: to_json(v) for k, v in props.items()
                 if v is not None and (k in declared or (not declared and k not in _REL_INTERNAL | {"evidence"}))}
        return {
            "id": edge_id(row["source"], rtype, row["target"]),
            "source": row["source"], "target": row["target"], "type": rtype,
            "credibility": props.get("credibility"), "reliability": props.get("reliability"),
            "valid_from": props.get("valid_from"), "valid_to": props.get("valid_to"),
            "evidence": props["evidence"] if isinstance(props.get("evidence"), int)
            else len(props.get("sources") or props.get("quotes") or []),
            "attributes": attrs,
        }

    # -- meta ------------------------------------------------------------------

    def meta(self) -> dict:
        # Scans every relation for its dates: kept for a few minutes (a reload shows up then).
        return self._cached("meta", self._meta, seconds=300)

    def _meta(self) -> dict:
        counts = self.read(
            "CALL () { MATCH (n:Entity) RETURN count(n) AS entities } "
            "CALL () { MATCH ()-[r]->() RETURN count(r) AS relations } "
            "RETURN entities, relations")[0]
        datasets = self.read("MATCH (n:Entity) WHERE n.dataset IS NOT NULL "
                             "RETURN DISTINCT n.dataset AS d ORDER BY d LIMIT 100")
        bounds = self.read(
            "MATCH ()-[r]->() WHERE r.valid_from IS NOT NULL OR r.valid_to IS NOT NULL "
            "WITH DISTINCT r.valid_from AS f, r.valid_to AS t RETURN collect(f) AS f, collect(t) AS t",
            timeout_=max(self.timeout, 60))[0]
        days: set[date] = set()
        for v in set(bounds["f"]):
            try:
                days.add(first_day(v))
            except ValueError:
                pass
        for v in set(bounds["t"]):
            try:
                end = last_day(v)
                days.add(end)
                days.add(end + timedelta(days=1))  # the first day it no longer holds
            except (ValueError, OverflowError):
                pass
        ordered = sorted(days)
        if len(ordered) > MAX_SLIDER_DATES:
            step = (len(ordered) - 1) / (MAX_SLIDER_DATES - 1)
            ordered = sorted({ordered[round(i * step)] for i in range(MAX_SLIDER_DATES)})
        return {"entities": counts["entities"], "relations": counts["relations"],
                "datasets": [r["d"] for r in datasets], "dates": [d.isoformat() for d in ordered]}

    # -- search ------------------------------------------------------------------

    def search(self, text: str, limit: int = 10) -> list[dict]:
        key = name_key(text)
        if not key:
            return []
        found: dict[str, dict] = {}
        want = limit * 3
        escaped = _LUCENE_SPECIAL.sub(r"\\\1", key)
        words = lucene_prefix_query(text)
        ret = ("RETURN node.id AS id, node.name AS name, node.aliases AS aliases, labels(node) AS labels")
        # One round trip: whole names (and aliases) equal to or starting with what was typed, and names
        # with a word starting with it; only when those are few, a second one for names containing it.
        branches = [("$keys", "$exact"), ("$keys", "$prefix")] + ([("$text", "$words")] if words else [])
        union = " UNION ".join(f"CALL db.index.fulltext.queryNodes({i}, {q}, {{limit: $n}}) YIELD node {ret}"
                               for i, q in branches)
        params = {"keys": KEYS_INDEX, "text": TEXT_INDEX, "exact": escaped, "prefix": escaped + "*",
                  "words": words, "n": want}
        try:
            rows = self.read(f"CALL () {{ {union} }} RETURN id, name, aliases, labels", **params)
        except QueryFailed:
            rows = []  # a query Lucene cannot parse: the substring search below still answers
        for r in rows:
            found.setdefault(r["id"], dict(r))
        if len(found) < limit:
            try:
                rows = self.read(f"CALL db.index.fulltext.queryNodes($keys, $inside, {{limit: $n}}) YIELD node {ret}",
                                 keys=KEYS_INDEX, inside=f"*{escaped}*", n=want)
            except QueryFailed:
                rows = []
            for r in rows:
                found.setdefault(r["id"], dict(r))
        ranked = []
        for r in found.values():
            name, aliases = r["name"] or r["id"], list(r["aliases"] or [])
            best = (_match_rank(key, name), 0, len(name))
            matched = None
            for a in aliases:
                cand = (_match_rank(key, a), 1, len(a))
                if cand < best:
                    best, matched = cand, a
            if best[0] == 4 and _match_rank(key, r["id"]) < 4:
                best = (3, 2, len(name))
            ranked.append(((best[0], best[2], name.casefold()),
                           {"id": r["id"], "name": name, "type": entity_type(r["labels"]) or "Entity",
                            "matched": matched if best[0] < _match_rank(key, name) else None}))
        ranked.sort(key=lambda x: x[0])
        return [s for _, s in ranked[:limit]]

    # -- one entity -----------------------------------------------------------------

    def entity(self, eid: str) -> dict:
        # Degrees by type come from Neo4j's degree store: constant time even for a hub.
        degrees = ", ".join(f"{t}: COUNT {{ (n)-[:{t}]-() }}" for t in REGISTRY.relations)
        rows = self.read(f"MATCH (n:Entity {{id: $id}}) RETURN n, labels(n) AS labels, {{{degrees}}} AS rels", id=eid)
        if not rows:
            raise NotFound(f"no entity with id {eid!r}")
        node, labels = rows[0]["n"], rows[0]["labels"]
        props = dict(node)
        etype = entity_type(labels) or "Entity"
        declared = REGISTRY.entities[etype].attributes if etype in REGISTRY.entities else {}
        lat = lon = None
        loc = props.get("location")
        if loc is not None and hasattr(loc, "latitude"):
            lat, lon = loc.latitude, loc.longitude
        lat = props.get("lat", lat)
        lon = props.get("lon", lon)
        counts = {t: c for t, c in rows[0]["rels"].items() if c}
        return {
            "id": props.get("id"), "type": etype, "name": props.get("name") or eid,
            "aliases": list(props.get("aliases") or []), "description": props.get("description"),
            "lat": lat, "lon": lon, "dataset": props.get("dataset"),
            "attributes": {k: to_json(v) for k, v in props.items()
                           if k in declared or (not declared and k not in _NODE_INTERNAL)},
            "relations": dict(sorted(counts.items())),
        }

    # -- neighbourhoods ----------------------------------------------------------------

    def expand(self, eid: str, *, filters: Filters, removed: Iterable[str] = (), known: Iterable[str] = (),
               limit: int = 100, max_edges: int = MAX_EDGES) -> dict:
        """The entity, up to ``limit`` neighbours passing the filters (the most connected to it first),
        and the relations among them and ``known`` (at most ``max_edges`` of those)."""
        params: dict[str, Any] = {"id": eid, "limit": limit}
        conds = ["m <> c"]
        removed = list(removed)
        if removed:
            conds.append("NOT m.id IN $removed")
            params["removed"] = removed
        conds += node_conditions(filters, "m")
        rconds = rel_conditions(filters, "r", params, self.source_reliability)
        # One round trip: neighbours ranked by how many relations tie them to the centre (only the kept
        # ones are projected), their relations with the centre, and the relations among the new ones and
        # what is on screen, capped. Those are found by element id (no property reads) and always from
        # the end with fewer relations: a new hub is reached from the small entities on screen, never
        # expanded itself (so a relation between two hubs shows when one of them is expanded).
        params["known"] = list(known)
        params["cap"] = max_edges + 1
        params["hub"] = self.hub_degree
        cross = ""
        if max_edges > 0:
            rw = _where(rconds)
            cross = (
                "CALL (c, top, knownN) { "
                "WITH c, [x IN top WHERE NOT x IN knownN] AS fresh, knownN + top + [c] AS amongN "
                "WITH [x IN fresh WHERE COUNT { (x)--() } <= $hub] AS small, "
                "[x IN fresh WHERE COUNT { (x)--() } > $hub | elementId(x)] AS bigE, "
                "[x IN amongN | elementId(x)] AS among, amongN "
                "CALL (small, bigE, among, amongN) { "
                "UNWIND small AS a WITH a, among ORDER BY COUNT { (a)--() } "
                f"MATCH (a)-[r]-(b) WHERE elementId(b) IN among AND {rw} RETURN r "
                "UNION "
                "UNWIND (CASE WHEN size(bigE) = 0 THEN [] ELSE amongN END) AS x "
                "WITH x, bigE WHERE COUNT { (x)--() } <= $hub "
                f"MATCH (x)-[r]-(h) WHERE elementId(h) IN bigE AND {rw} RETURN r }} "
                f"WITH DISTINCT r LIMIT $cap RETURN collect({_rel_slim('r')}) AS cross }} ")
        rows = self.read(
            "MATCH (c:Entity {id: $id}) "
            "CALL () { UNWIND $known AS kid MATCH (b:Entity {id: kid}) RETURN collect(b) AS knownN } "
            f"OPTIONAL MATCH (c)-[r]-(m:Entity) WHERE {_where(conds + rconds)} "
            "WITH c, knownN, m, count(r) AS k ORDER BY k DESC "
            "WITH c, knownN, collect(m) AS ms "
            "WITH c, knownN, size(ms) AS total, ms[..$limit] AS top "
            "CALL (c, top) { UNWIND top AS m MATCH (c)-[r]-(m) "
            f"WHERE {_where(rconds)} "
            f"RETURN collect(DISTINCT {_node_proj('m')}) AS ns, collect({_rel_slim('r')}) AS rs }} "
            + cross +
            f"RETURN {_node_proj('c')} AS c, total, size(top) AS shown, ns, rs"
            + (", cross" if cross else ", [] AS cross"),
            **params)
        if not rows:
            raise NotFound(f"no entity with id {eid!r}")
        row = rows[0]
        nodes = {eid: self.node_json(row["c"])}
        for n in row["ns"]:
            nodes.setdefault(n["id"], self.node_json(n))
        edges = {e["id"]: e for e in map(self.edge_json, row["rs"])}
        for e in map(self.edge_json, row["cross"][:max_edges]):
            edges.setdefault(e["id"], e)
        return {"centre": eid, "total": row["total"], "shown": row["shown"],
                "nodes": list(nodes.values()), "edges": list(edges.values()),
                "edges_truncated": len(row["cross"]) > max_edges}

    def edges_touching(self, ids: Iterable[str], among: Iterable[str], filters: Filters,
                       max_edges: int = MAX_EDGES) -> tuple[list[dict], bool]:
        """Relations passing the filters between an entity of ``ids`` and one of ``among`` (at most
        ``max_edges``; the flag says whether some were left out). Hubs (over ``hub_degree`` relations)
        are not expanded: with ``ids`` == ``among`` their relations come from the other end, and a
        relation between two hubs only with the expansion of one of them."""
        params: dict[str, Any] = {"ids": list(ids), "among": list(among), "cap": max_edges + 1, "hub": self.hub_degree}
        conds = rel_conditions(filters, "r", params, self.source_reliability)
        # Endpoints are matched by element id, read with the relationship (no property reads), and the
        # entities with the fewest relations are expanded first: when the cap is reached, hubs were spared.
        rows = self.read(
            "UNWIND $among AS bid MATCH (b:Entity {id: bid}) WITH collect(elementId(b)) AS among "
            "UNWIND $ids AS nid MATCH (a:Entity {id: nid}) WITH among, a, COUNT { (a)--() } AS degree "
            "WHERE degree <= $hub WITH among, a ORDER BY degree "
            f"MATCH (a)-[r]-(b) WHERE elementId(b) IN among AND {_where(conds)} "
            f"WITH DISTINCT r LIMIT $cap RETURN {_rel_slim('r')} AS rel", **params)
        edges = [self.edge_json(r["rel"]) for r in rows[:max_edges]]
        return edges, len(rows) > max_edges

    def nodes(self, ids: Iterable[str]) -> list[dict]:
        rows = self.read(f"UNWIND $ids AS nid MATCH (n:Entity {{id: nid}}) RETURN {_node_proj('n')} AS n",
                         ids=list(ids))
        return [self.node_json(r["n"]) for r in rows]

    def view(self, *, roots: list[str], expanded: list[str], removed: list[str], filters: Filters,
             limit: int = 100, shown: list[str] = (), max_edges: int = MAX_VIEW_EDGES) -> dict:
        """Rebuild a view from its state: roots with their neighbours, then each expanded entity's.

        Relations between an expanded entity and its neighbours always come; other relations among
        the entities on screen fill the rest of ``max_edges``."""
        removed_set = set(removed)
        nodes: dict[str, dict] = {}
        edges: dict[str, dict] = {}
        truncated: dict[str, int] = {}
        roots = [r for r in dict.fromkeys(roots) if r not in removed_set]
        for n in self.nodes(roots):
            nodes[n["id"]] = n
        missing = [r for r in roots if r not in nodes]
        extra = [s for s in dict.fromkeys(shown) if s not in removed_set and s not in nodes]
        for n in self.nodes(extra) if extra else ():
            nodes[n["id"]] = n
        missing += [s for s in extra if s not in nodes]
        order = [r for r in roots if r in nodes] + [e for e in dict.fromkeys(expanded) if e not in roots]
        done: set[str] = set()
        # An expanded entity may be reached through another one later in the list: go round until stable.
        for _ in range(3):
            progress = False
            for eid in order:
                if eid in done or eid not in nodes:
                    continue
                done.add(eid)
                progress = True
                part = self.expand(eid, filters=filters, removed=removed, known=(), limit=limit, max_edges=0)
                if part["total"] > part["shown"]:
                    truncated[eid] = part["total"]
                for n in part["nodes"]:
                    nodes.setdefault(n["id"], n)
                for e in part["edges"]:
                    edges.setdefault(e["id"], e)
            if not progress:
                break
        missing += [e for e in dict.fromkeys(expanded) if e not in done and e not in roots]
        ids = list(nodes)
        room = max_edges - len(edges)
        cut = False
        if ids and room > 0:
            cross, cut = self.edges_touching(ids, ids, filters, room + len(edges))
            for e in cross:
                if len(edges) >= max_edges:
                    cut = True
                    break
                edges.setdefault(e["id"], e)
        return {"nodes": list(nodes.values()), "edges": list(edges.values()), "missing": missing,
                "truncated": truncated, "edges_truncated": cut or room <= 0 and bool(ids)}

    # -- evidence ---------------------------------------------------------------------

    def edge(self, source: str, rtype: str, target: str) -> dict:
        if rtype not in REGISTRY.relations:
            raise NotFound(f"unknown relation type {rtype!r}")
        rows = self.read(
            f"MATCH (a:Entity {{id: $a}})-[r:{rtype}]->(b:Entity {{id: $b}}) "
            f"RETURN a.name AS an, b.name AS bn, {_rel_proj('r')} AS rel", a=source, b=target)
        if not rows:
            raise NotFound(f"no {rtype} relation from {source!r} to {target!r}")
        rel = rows[0]["rel"]
        props = rel["props"]
        sids = list(props.get("sources") or [])
        quotes = list(props.get("quotes") or [])
        creds = list(props.get("credibilities") or [])
        srcs = {r["s"]["id"]: dict(r["s"]) for r in self.read(
            "MATCH (s:Source) WHERE s.id IN $ids RETURN s", ids=sorted(set(sids)))}
        evidence = []
        for i, sid in enumerate(sids):
            src = {k: to_json(v) for k, v in srcs.get(sid, {"id": sid}).items()
                   if k in ("id", "title", "publisher", "author", "published", "reliability", "document", "url")}
            src.setdefault("id", sid)
            if src.get("published") is not None:
                src["published"] = str(src["published"])
            evidence.append({"source": src, "quote": quotes[i] if i < len(quotes) else "",
                             "credibility": creds[i] if i < len(creds) else props.get("credibility")})
        return {"edge": self.edge_json(rel), "source_name": rows[0]["an"] or source,
                "target_name": rows[0]["bn"] or target, "evidence": evidence}

    # -- console -------------------------------------------------------------------------

    def run_read(self, text: str, params: dict | None = None, *, timeout: float | None = None,
                 row_limit: int | None = None, check_plan: bool = True) -> ConsoleResult:
        """Run Cypher in a READ transaction that is rolled back, with a time limit and a row cap."""
        cap = row_limit or self.row_limit
        started = time.perf_counter()
        try:
            with self.driver.session(database=self.database, default_access_mode=neo4j.READ_ACCESS,
                                     fetch_size=min(cap + 1, 1000)) as session:
                if check_plan:
                    tx = session.begin_transaction(timeout=timeout or self.timeout)
                    try:
                        summary = tx.run("EXPLAIN " + text, params or {}).consume()
                    finally:
                        tx.rollback()
                    if summary.query_type not in (None, "r"):
                        raise QueryFailed("this query would change the graph; the explorer only reads "
                                         f"(query type {summary.query_type!r})")
                tx = session.begin_transaction(timeout=timeout or self.timeout)
                try:
                    result = tx.run(text, params or {})
                    columns = list(result.keys())
                    raw, truncated = [], False
                    for record in result:
                        if len(raw) >= cap:
                            truncated = True
                            break
                        raw.append(list(record.values()))
                    result.consume()
                finally:
                    tx.rollback()  # nothing a console query did is ever kept
        except (neo4j_exc.Neo4jError, neo4j_exc.DriverError) as exc:
            raise error_for(exc, self.settings, timeout or self.timeout) from exc
        rows = [[to_json(v) for v in row] for row in raw]
        return ConsoleResult(columns, rows, raw, truncated, (time.perf_counter() - started) * 1000)

    def graph_of(self, raw_rows: list[list[Any]]) -> dict | None:
        """Nodes and relationships found in result rows, as the page draws them (None when there are none)."""
        nodes: dict[str, dict] = {}
        edges: dict[str, dict] = {}
        by_element: dict[str, str] = {}
        pending_rels: list[NeoRelationship] = []

        def add_node(n: NeoNode) -> str:
            if n.element_id in by_element:
                return by_element[n.element_id]
            etype = entity_type(n.labels)
            if etype and n.get("id") is not None:
                nid = n["id"]
                data = {"id": nid, "type": etype, "name": n.get("name") or nid,
                        "aliases": list(n.get("aliases") or []), "entity": True}
            elif "Source" in n.labels and n.get("id") is not None:
                nid = f"source:{n['id']}"
                data = {"id": nid, "type": "Source", "name": n.get("title") or n["id"], "aliases": [],
                        "entity": False}
            else:
                nid = f"node:{n.element_id}"
                label = sorted(n.labels)[0] if n.labels else "Node"
                shown = n.get("name") or n.get("title") or n.get("id") or label
                data = {"id": nid, "type": label, "name": str(shown), "aliases": [], "entity": False}
            by_element[n.element_id] = nid
            nodes.setdefault(nid, data)
            return nid

        def walk(v):
            if isinstance(v, NeoNode):
                add_node(v)
            elif isinstance(v, NeoRelationship):
                pending_rels.append(v)
            elif isinstance(v, NeoPath):
                for n in v.nodes:
                    add_node(n)
                pending_rels.extend(v.relationships)
            elif isinstance(v, (list, tuple)):
                for x in v:
                    walk(x)
            elif isinstance(v, dict):
                for x in v.values():
                    walk(x)

        for row in raw_rows:
            for v in row:
                walk(v)
        # Relationships whose end nodes were not returned: fetch those nodes (read-only, by element id).
        unknown = {n.element_id for r in pending_rels for n in (r.start_node, r.end_node)
                   if n is not None and n.element_id not in by_element}
        if unknown:
            rows = self.read("MATCH (n) WHERE elementId(n) IN $ids RETURN n", ids=sorted(unknown))
            for r in rows:
                add_node(r["n"])
        for rel in pending_rels:
            if rel.start_node is None or rel.end_node is None:
                continue
            s = by_element.get(rel.start_node.element_id)
            t = by_element.get(rel.end_node.element_id)
            if s is None or t is None:
                continue
            if rel.type in REGISTRY.relations and not s.startswith(("source:", "node:")) \
                    and not t.startswith(("source:", "node:")):
                e = self.edge_json({"type": rel.type, "source": s, "target": t, "props": dict(rel)})
            else:
                e = {"id": f"rel:{rel.element_id}", "source": s, "target": t, "type": rel.type,
                     "evidence": 0, "attributes": {}}
            edges.setdefault(e["id"], e)
        if not nodes:
            return None
        return {"nodes": list(nodes.values()), "edges": list(edges.values())}

    # -- export ----------------------------------------------------------------------------

    def subgraph(self, node_ids: list[str], edge_ids: list[str]) -> nx.MultiDiGraph:
        """The view as an in-memory graph in graph/build.py's format (for the HTML snapshot)."""
        G = nx.MultiDiGraph()
        rows = self.read("UNWIND $ids AS nid MATCH (n:Entity {id: nid}) RETURN n, labels(n) AS labels",
                         ids=list(dict.fromkeys(node_ids)))
        for r in rows:
            props = dict(r["n"])
            etype = entity_type(r["labels"]) or "Entity"
            data: dict[str, Any] = {"type": etype, "name": props.get("name") or props["id"],
                                    "aliases": list(props.get("aliases") or [])}
            if props.get("description"):
                data["description"] = props["description"]
            loc = props.get("location")
            if loc is not None and hasattr(loc, "latitude"):
                data["lat"], data["lon"] = loc.latitude, loc.longitude
            declared = REGISTRY.entities[etype].attributes if etype in REGISTRY.entities else {}
            data.update({k: to_json(v) for k, v in props.items() if k in declared and v is not None})
            G.add_node(props["id"], **data)
        triples = []
        for e in dict.fromkeys(edge_ids):
            s, t, o = parse_edge_id(e)
            if s in G and o in G:
                triples.append({"a": s, "t": t, "b": o})
        used_sources: set[str] = set()
        if triples:
            rows = self.read(
                "UNWIND $triples AS e MATCH (a:Entity {id: e.a})-[r]->(b:Entity {id: e.b}) WHERE type(r) = e.t "
                f"RETURN {_rel_proj('r')} AS rel", triples=triples)
            for r in rows:
                rel = r["rel"]
                props = rel["props"]
                sids = list(props.get("sources") or [])
                quotes = list(props.get("quotes") or [])
                creds = list(props.get("credibilities") or [])
                evidence = [{"source": sid, "quote": quotes[i] if i < len(quotes) else "",
                             "credibility": creds[i] if i < len(creds) else props.get("credibility")}
                            for i, sid in enumerate(sids)]
                used_sources.update(sids)
                data = {"type": rel["type"], "evidence": evidence, "credibility": props.get("credibility"),
                        "reliability": props.get("reliability")}
                for k in ("valid_from", "valid_to"):
                    if props.get(k):
                        data[k] = props[k]
                declared = REGISTRY.relations[rel["type"]].attributes
                data.update({k: to_json(v) for k, v in props.items() if k in declared and v is not None})
                G.add_edge(rel["source"], rel["target"], rel["type"], **data)
        sources = {}
        if used_sources:
            for r in self.read("MATCH (s:Source) WHERE s.id IN $ids RETURN s", ids=sorted(used_sources)):
                s = {k: to_json(v) for k, v in dict(r["s"]).items()
                     if k in ("id", "title", "publisher", "author", "published", "reliability", "document", "url")
                     and v is not None}
                if "published" in s:
                    s["published"] = str(s["published"])
                sources[s["id"]] = s
        G.graph["sources"] = sources
        return G


class QueryFailed(StoreError):
    """The database refused the query (syntax, time limit, read-only, ...): the asker's to fix."""


class Unavailable(StoreError):
    """The database could not be reached."""


def error_for(exc: BaseException, settings=None, limit: float | None = None) -> StoreError:
    """A one-line StoreError for a driver error (the server helper's wording)."""
    message = describe(exc, settings)
    code = getattr(exc, "code", None) or ""
    if "TimedOut" in code or code.endswith("Terminated"):
        return QueryFailed("the query was stopped: it ran longer than the time limit "
                           f"({limit:g} s)" if limit else "the query was stopped: it ran longer than the time limit")
    if isinstance(exc, neo4j_exc.ClientError) or (
            isinstance(exc, neo4j_exc.Neo4jError) and (exc.code or "").startswith("Neo.ClientError")):
        if "AccessMode" in (exc.code or "") or "read access mode" in (exc.message or "").lower():
            return QueryFailed("this query would change the graph; the explorer only reads "
                               f"({message})")
        return QueryFailed(message)
    if isinstance(exc, (neo4j_exc.ServiceUnavailable, neo4j_exc.SessionExpired)):
        return Unavailable(message)
    return StoreError(message)
