"""Cypher typed into the console (and named queries): read-only, time-, row- and byte-limited, and the
nodes and relationships of a result ready to draw.

Neo4j is the guard: the query runs in a READ transaction that is rolled back.
Before it, Neo4j's own plan says whether the query would write, so a write is
refused without being tried. :mod:`viz.explorer.readonly` adds refusals for
what a READ transaction would still allow (LOAD CSV, administration, procedures).

The explorer protects itself too, whatever Neo4j does:

* time: the query runs in a worker thread with Neo4j's transaction timeout, and the
  request waits for it at most the time limit and :data:`SLACK`: a query Neo4j does
  not stop in time (an expression that never checks, like ``reduce`` over a huge
  ``range``) is abandoned and answered with ``timeout``. The worker stops reading at
  its next record and rolls back; until Neo4j ends the query, it holds one of the
  store's ``max_running`` slots, and when none is free a query is answered ``busy``
  (so abandoned queries cannot pile up in Neo4j);
* size: records are fetched a few at a time (:data:`FETCH_SIZE`) and converted under a
  byte budget (:class:`graph.neo4j.values.Budget`); the rows that fit are answered with
  ``truncated_by: "bytes"``. A single value too large is never converted; the driver still
  decodes each record whole before anyone sees it, so a huge one costs its decoding, once.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any, Literal

import neo4j
from neo4j.graph import Node, Path, Relationship

from graph.neo4j.readonly import DBMS_READS, procedures
from graph.neo4j.values import Budget, TooLarge, to_plain
from graph.schema import REGISTRY

from ..errors import Busy, RefusedQuery, TimedOut
from . import cypher, drawn
from .base import NOT_A_READ, Store

# Query types of Neo4j's plan (ResultSummary.query_type) that only read.
READ_ONLY_QUERY_TYPES = (None, "r")
# Seconds past its time limit a query is waited for: Neo4j stops most queries at the limit itself.
SLACK = 0.5
# Records the driver fetches (and decodes) at a time: a byte budget is checked record by record, so few
# records are ever held beyond it.
FETCH_SIZE = 25


@dataclass
class ConsoleResult:
    columns: list[str]
    rows: list[list[Any]]  # plain JSON values (graph.neo4j.values.to_plain)
    raw: list[list[Any]]  # the driver's values, for graph_of
    truncated: bool
    elapsed_ms: float
    truncated_by: Literal["rows", "bytes"] | None = None  # which limit cut the rows


@dataclass
class _Run:
    """A query in its worker: what it answered or raised, and whether the request stopped waiting."""

    done: threading.Event = field(default_factory=threading.Event)
    abandoned: threading.Event = field(default_factory=threading.Event)
    result: ConsoleResult | None = None
    error: BaseException | None = None


def run_read(
    store: Store,
    text: str,
    params: dict | None = None,
    *,
    timeout: float | None = None,
    row_limit: int | None = None,
    byte_limit: int | None = None,
    check_plan: bool = True,
) -> ConsoleResult:
    """Run Cypher in a READ transaction that is rolled back, with a time limit, a row cap and a byte cap.

    ``check_plan``: first ask Neo4j's plan whether the query would write, and refuse it if so
    (:class:`~viz.explorer.errors.RefusedQuery`) without running it. :class:`~viz.explorer.errors.TimedOut`
    at ``timeout`` (and :data:`SLACK`) whether or not Neo4j has stopped the query;
    :class:`~viz.explorer.errors.Busy` when ``store.max_running`` queries are still running."""
    limit = timeout or store.timeout
    if not store.running.acquire(blocking=False):
        raise Busy(
            f"{store.max_running} queries are still running (a query past its time limit runs until Neo4j "
            "stops it): try again shortly"
        )
    run = _Run()

    def work() -> None:
        try:
            with store.failures(limit):
                run.result = _read(
                    store,
                    text,
                    params or {},
                    limit=limit,
                    cap=row_limit or store.row_limit,
                    byte_limit=byte_limit or store.byte_limit,
                    check_plan=check_plan,
                    abandoned=run.abandoned,
                )
        except BaseException as exc:  # handed to the request, which raises it
            run.error = exc
        finally:
            store.running.release()
            run.done.set()

    threading.Thread(target=work, name="explorer-query", daemon=True).start()
    if not run.done.wait(limit + SLACK):
        run.abandoned.set()
        raise TimedOut(
            f"the query ran longer than the time limit ({limit:g} s): the explorer stopped waiting, and "
            "Neo4j ends it as soon as it can"
        )
    if run.error is not None:
        raise run.error
    assert run.result is not None
    return run.result


def only_reads_the_dbms(text: str, query_type: str | None) -> bool:
    """Whether a query Neo4j's plan counts as a DBMS command (query type ``s``) only calls DBMS procedures
    that read (:data:`graph.neo4j.readonly.DBMS_READS`, e.g. the version in ``dbms.components``).

    >>> only_reads_the_dbms("CALL dbms.components()", "s"), only_reads_the_dbms("CREATE INDEX i FOR (n:X) ON n.y", "s")
    (True, False)
    """
    called = procedures(text)
    return query_type == "s" and bool(called) and all(name in DBMS_READS for name in called)


def _read(
    store: Store,
    text: str,
    params: dict,
    *,
    limit: float,
    cap: int,
    byte_limit: int,
    check_plan: bool,
    abandoned: threading.Event,
) -> ConsoleResult:
    started = time.perf_counter()
    with store.driver.session(
        database=store.database, default_access_mode=neo4j.READ_ACCESS, fetch_size=min(cap + 1, FETCH_SIZE)
    ) as session:
        if check_plan:
            tx = session.begin_transaction(timeout=limit)
            try:
                summary = tx.run("EXPLAIN " + text, params).consume()
            finally:
                tx.rollback()
            if summary.query_type not in READ_ONLY_QUERY_TYPES and not only_reads_the_dbms(text, summary.query_type):
                raise RefusedQuery(NOT_A_READ.get(summary.query_type, NOT_A_READ["s"]))
        tx = session.begin_transaction(timeout=limit)
        try:
            result = tx.run(text, params)
            columns = list(result.keys())
            rows: list[list[Any]] = []
            raw: list[list[Any]] = []
            cut: Literal["rows", "bytes"] | None = None
            budget = Budget(byte_limit)
            for record in result:
                if abandoned.is_set():  # nobody waits for it any more
                    break
                if len(rows) >= cap:
                    cut = "rows"
                    break
                values = list(record.values())
                try:
                    rows.append([to_plain(v, budget=budget) for v in values])
                except TooLarge:
                    cut = "bytes"
                    break
                raw.append(values)
        finally:
            tx.rollback()  # nothing a console query did is ever kept; the records not read are discarded
    return ConsoleResult(columns, rows, raw, cut is not None, (time.perf_counter() - started) * 1000, cut)


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
    unknown = {
        n.element_id
        for r in pending
        for n in (r.start_node, r.end_node)
        if n is not None and n.element_id not in by_element
    }
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
            e = {
                "id": f"rel:{rel.element_id}",
                "source": s,
                "target": t,
                "type": rel.type,
                "evidence": 0,
                "attributes": {},
            }
        edges.setdefault(e["id"], e)
    if not nodes:
        return None
    return {"nodes": list(nodes.values()), "edges": list(edges.values())}
