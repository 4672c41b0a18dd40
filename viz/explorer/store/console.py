"""Cypher typed into the console (and named queries): read-only, time- and row-limited, and the
nodes and relationships of a result ready to draw.

Neo4j is the guard: the query runs in a READ transaction that is rolled back.
Before it, Neo4j's own plan says whether the query would write, so a write is
refused without being tried. :mod:`viz.explorer.readonly` adds refusals for
what a READ transaction would still allow (LOAD CSV, administrative procedures).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import neo4j
from neo4j.graph import Node, Path, Relationship

from graph.neo4j.values import to_plain
from graph.schema import REGISTRY

from ..errors import RefusedQuery
from . import cypher, drawn
from .base import NOT_A_READ, Store

# Query types of Neo4j's plan (ResultSummary.query_type) that only read.
READ_ONLY_QUERY_TYPES = (None, "r")


@dataclass
class ConsoleResult:
    columns: list[str]
    rows: list[list[Any]]  # plain JSON values (graph.neo4j.values.to_plain)
    raw: list[list[Any]]  # the driver's values, for graph_of
    truncated: bool
    elapsed_ms: float


def run_read(store: Store, text: str, params: dict | None = None, *, timeout: float | None = None,
             row_limit: int | None = None, check_plan: bool = True) -> ConsoleResult:
    """Run Cypher in a READ transaction that is rolled back, with a time limit and a row cap.

    ``check_plan``: first ask Neo4j's plan whether the query would write, and refuse it if so
    (:class:`~viz.explorer.errors.RefusedQuery`) without running it."""
    cap = row_limit or store.row_limit
    limit = timeout or store.timeout
    started = time.perf_counter()
    with store.failures(limit), store.driver.session(database=store.database, default_access_mode=neo4j.READ_ACCESS,
                                                     fetch_size=min(cap + 1, 1000)) as session:
        if check_plan:
            tx = session.begin_transaction(timeout=limit)
            try:
                summary = tx.run("EXPLAIN " + text, params or {}).consume()
            finally:
                tx.rollback()
            if summary.query_type not in READ_ONLY_QUERY_TYPES:
                raise RefusedQuery(NOT_A_READ.get(summary.query_type, NOT_A_READ["s"]))
        tx = session.begin_transaction(timeout=limit)
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
    rows = [[to_plain(v) for v in row] for row in raw]
    return ConsoleResult(columns, rows, raw, truncated, (time.perf_counter() - started) * 1000)


def graph_of(store: Store, raw_rows: list[list[Any]]) -> dict | None:
    """Nodes and relationships found in result rows, as the page draws them (None when there are none).

    Entities keep their ids; sources become ``source:<id>``, other nodes ``node:<element id>``
    (``entity: false``); relations between entities are edges with :func:`graph.facts.edge_id`s,
    other relationships ``rel:<element id>``."""
    nodes: dict[str, dict] = {}
    edges: dict[str, dict] = {}
    by_element: dict[str, str] = {}
    pending: list[Relationship] = []

    def add_node(n: Node) -> str:
        if n.element_id in by_element:
            return by_element[n.element_id]
        etype = drawn.entity_type(n.labels)
        if etype and n.get("id") is not None:
            nid = n["id"]
            data = {**drawn.node({"id": nid, "labels": n.labels, **dict(n)}), "entity": True}
        elif "Source" in n.labels and n.get("id") is not None:
            nid = f"source:{n['id']}"
            data = {"id": nid, "type": "Source", "name": n.get("title") or n["id"], "aliases": [], "entity": False}
        else:
            nid = f"node:{n.element_id}"
            label = sorted(n.labels)[0] if n.labels else "Node"
            shown = n.get("name") or n.get("title") or n.get("id") or label
            data = {"id": nid, "type": label, "name": str(shown), "aliases": [], "entity": False}
        by_element[n.element_id] = nid
        nodes.setdefault(nid, data)
        return nid

    def walk(v: Any) -> None:
        if isinstance(v, Node):
            add_node(v)
        elif isinstance(v, Relationship):
            pending.append(v)
        elif isinstance(v, Path):
            for n in v.nodes:
                add_node(n)
            pending.extend(v.relationships)
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
    unknown = {n.element_id for r in pending for n in (r.start_node, r.end_node)
               if n is not None and n.element_id not in by_element}
    if unknown:
        for r in store.read(cypher.NODES_BY_ELEMENT_ID, ids=sorted(unknown)):
            add_node(r["n"])
    for rel in pending:
        if rel.start_node is None or rel.end_node is None:
            continue
        s = by_element.get(rel.start_node.element_id)
        t = by_element.get(rel.end_node.element_id)
        if s is None or t is None:
            continue
        if rel.type in REGISTRY.relations and nodes[s]["entity"] and nodes[t]["entity"]:
            e = drawn.edge({"type": rel.type, "source": s, "target": t, "props": dict(rel)}, store.horizon)
        else:
            e = {"id": f"rel:{rel.element_id}", "source": s, "target": t, "type": rel.type,
                 "evidence": 0, "attributes": {}}
        edges.setdefault(e["id"], e)
    if not nodes:
        return None
    return {"nodes": list(nodes.values()), "edges": list(edges.values())}
