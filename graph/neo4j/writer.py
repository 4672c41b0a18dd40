"""Write a dataset into Neo4j: idempotent, batched, in sync with the files.

How a load works (:func:`load_rows`):

1. **Schema.** Constraints and indexes are created if missing (``IF NOT EXISTS``).
2. **State.** The ``hash`` of every node and relationship the dataset already
   has in Neo4j is read (one streaming read per kind).
3. **Plan.** A row is *new* when its key is absent, *changed* when its hash
   differs, *unchanged* otherwise; what Neo4j has and the files no longer
   state is *stale*. Ids that another dataset owns stop the load before any write.
4. **Write.** New and changed rows are written with ``UNWIND $rows ...``
   (nodes MERGEd on ``id``; new relationships CREATEd, changed ones MATCHed
   and SET), grouped by label and relationship type, nodes before
   relationships, in fixed-size chunks, one transaction per chunk. Rows are
   computed while Neo4j writes (two writer threads).
5. **Delete.** Only after every write succeeded, stale relationships, then
   entities, then sources are deleted, in chunks.
6. **Index.** The (eventually consistent) full-text indexes catch up before
   the load returns.

A load holds the dataset's guard (GUARD) from the state read to the end, so
two loads of one dataset never interleave. Loading the same files twice
writes nothing the second time. A load killed half-way leaves only committed
chunks and no deletion (and its guard dies with its connection): nodes are
merged on their unique ``id``, relationships are created only when the state
read did not find them (a chunk is never retried once it may have committed),
so a re-run never duplicates anything; it sees the committed rows as
unchanged and finishes the job, and the graph ends as after an uninterrupted
load.

Labels and relationship types are interpolated into Cypher only from the
schema registry (checked identifiers); every value is a parameter.
"""

from __future__ import annotations

import queue
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Iterator, Protocol

import neo4j

from .cypher import (
    AWAIT_FULLTEXT,
    AWAIT_INDEXES,
    DELETE_ENTITIES,
    DELETE_RELATIONS,
    DELETE_SOURCES,
    DROP_INDEX,
    EVENTUALLY_CONSISTENT,
    FOREIGN_ENTITIES,
    FOREIGN_SOURCES,
    GUARD,
    MERGE_SOURCES,
    RELATION_SOURCES_INDEX,
    SCHEMA_STATEMENTS,
    SHOW_SCHEMA,
    STATE_ENTITIES,
    STATE_RELATIONS,
    STATE_SOURCES,
    UNLOAD_ENTITIES,
    UNLOAD_SOURCES,
    VERIFY_ELEMENT_IDS,
    create_relations_cypher,
    merge_entities_cypher,
    relation_sources_cypher,
    update_relations_cypher,
)
from ..facts import edge_id, parse_edge_id
from .mapping import HASH, SOURCE_LABEL, RowSource
from ..schema import REGISTRY

DEFAULT_CHUNK = 10_000

# --------------------------------------------------------------------------- reports


class LoadError(Exception):
    """The load cannot go ahead; the message says why. Nothing was written."""


class Progress(Protocol):
    def phase(self, description: str, total: int | None) -> None: ...

    def advance(self, n: int) -> None: ...


class _Silent:
    def phase(self, description: str, total: int | None) -> None:
        pass

    def advance(self, n: int) -> None:
        pass


@dataclass
class Tally:
    """What a load did to one kind of record.

    ``created`` and ``deleted`` are Neo4j's own counters. ``updated`` counts
    rows whose content changed since the last load (their hash differed) and
    that were rewritten in place; ``unchanged`` rows were not written at all.
    """

    created: int = 0
    updated: int = 0
    deleted: int = 0
    unchanged: int = 0

    def as_dict(self) -> dict[str, int]:
        return {"created": self.created, "updated": self.updated, "deleted": self.deleted,
                "unchanged": self.unchanged}


@dataclass
class LoadReport:
    dataset: str
    sources: Tally = field(default_factory=Tally)
    entities: Tally = field(default_factory=Tally)
    relations: Tally = field(default_factory=Tally)
    seconds: dict[str, float] = field(default_factory=dict)
    properties_set: int = 0

    def as_dict(self) -> dict:
        return {"dataset": self.dataset, "sources": self.sources.as_dict(),
                "entities": self.entities.as_dict(), "relations": self.relations.as_dict(),
                "properties_set": self.properties_set, "seconds": self.seconds}

    @property
    def changed(self) -> bool:
        return any(t.created or t.updated or t.deleted for t in (self.sources, self.entities, self.relations))


# --------------------------------------------------------------------------- the steps


def _chunks(items: list, size: int) -> Iterator[list]:
    for i in range(0, len(items), size):
        yield items[i:i + size]


def _execute(drv: neo4j.Driver, database: str | None, cypher: str, **params) -> neo4j.EagerResult:
    return drv.execute_query(cypher, params, database_=database, routing_=neo4j.RoutingControl.WRITE)


def _write(drv: neo4j.Driver, database: str | None, cypher: str, **params) -> neo4j.SummaryCounters:
    return _execute(drv, database, cypher, **params).summary.counters


def ensure_schema(drv: neo4j.Driver, database: str | None = None, await_seconds: int = 600) -> list[str]:
    """Create the constraints and indexes that are missing; keep ``relation_sources`` covering every type.

    A full-text index made before its options changed (by an earlier version)
    is made again. Returns the names of what was created (nothing, usually:
    one read, no schema lock).
    """
    have = {r["name"]: r for r in drv.execute_query(
        SHOW_SCHEMA, database_=database, routing_=neo4j.RoutingControl.READ).records}

    def current(name: str) -> bool:
        index = have.get(name)
        if index is None:
            return False
        if index["type"] == "FULLTEXT" and not (index["config"] or {}).get(EVENTUALLY_CONSISTENT):
            _write(drv, database, DROP_INDEX.format(name=name))
            return False
        return True

    created = []
    for name, stmt in SCHEMA_STATEMENTS:
        if not current(name):  # a constraint is listed by SHOW INDEXES under its own name too
            _write(drv, database, stmt)
            created.append(name)
    if current(RELATION_SOURCES_INDEX) and \
            sorted(have[RELATION_SOURCES_INDEX]["labelsOrTypes"] or []) != sorted(REGISTRY.relations):
        _write(drv, database, DROP_INDEX.format(name=RELATION_SOURCES_INDEX))  # the registry gained or lost a type
        have.pop(RELATION_SOURCES_INDEX)
    if not current(RELATION_SOURCES_INDEX):
        _write(drv, database, relation_sources_cypher())
        created.append(RELATION_SOURCES_INDEX)
    if created:
        _write(drv, database, AWAIT_INDEXES, seconds=await_seconds)
    return created


def read_state(drv: neo4j.Driver, dataset: str, database: str | None = None) -> dict[str, dict[str, str]]:
    """What Neo4j holds of ``dataset``: ``{kind: {key: hash}}`` and ``element_ids`` (entity id: element id).

    Relationship keys are :func:`graph.facts.edge_id`.
    """
    state = {}
    with drv.session(database=database, default_access_mode=neo4j.READ_ACCESS, fetch_size=20_000) as session:
        state["sources"] = session.execute_read(_read_pairs, STATE_SOURCES, dataset)
        state["entities"], state["element_ids"] = session.execute_read(_read_entities, dataset)
        state["relations"] = session.execute_read(_read_pairs, STATE_RELATIONS, dataset)
    return state


def _read_pairs(tx: neo4j.ManagedTransaction, cypher: str, dataset: str) -> dict[str, str]:
    return dict(tx.run(cypher, dataset=dataset).values())


def _read_entities(tx: neo4j.ManagedTransaction, dataset: str) -> tuple[dict[str, str], dict[str, str]]:
    hashes, element_ids = {}, {}
    for key, h, element_id in tx.run(STATE_ENTITIES, dataset=dataset).values():
        hashes[key] = h
        element_ids[key] = element_id
    return hashes, element_ids


def check_foreign(drv: neo4j.Driver, source: RowSource, state: dict[str, dict[str, str]], database: str | None,
                  chunk_size: int = DEFAULT_CHUNK) -> None:
    """Refuse ids that another dataset (or a hand-made node) already owns."""
    checks = (
        ("source", [i for i in source.source_ids() if i not in state["sources"]], FOREIGN_SOURCES),
        ("entity", [i for i in source.entity_ids() if i not in state["entities"]], FOREIGN_ENTITIES),
    )
    for what, ids, cypher in checks:
        for chunk in _chunks(ids, chunk_size * 5):
            found = drv.execute_query(cypher, {"ids": chunk, "dataset": source.dataset}, database_=database,
                                      routing_=neo4j.RoutingControl.READ).records
            if found:
                owners = ", ".join(f"{r['id']!r} ({'dataset ' + repr(r['dataset']) if r['dataset'] else 'no dataset'})"
                                   for r in found)
                raise LoadError(f"{what} ids already in Neo4j under another dataset: {owners}; ids are unique "
                                f"across datasets: load these files with that --dataset, or `kg unload` it first")


def _commit_once(drv: neo4j.Driver, database: str | None, cypher: str, **params) -> neo4j.EagerResult:
    """Run a write that must not be repeated once committed (CREATE): retried only when Neo4j
    certainly did not commit it; a connection lost during the commit is a LoadError."""
    for attempt in range(6):
        with drv.session(database=database) as session:
            tx = session.begin_transaction()
            try:
                result = tx.run(cypher, params)
                records = list(result)
                summary = result.consume()
            except (neo4j.exceptions.Neo4jError, neo4j.exceptions.DriverError) as exc:
                if not exc.is_retryable():
                    raise
                time.sleep(0.05 * 2 ** attempt)  # before COMMIT (a deadlock, a lost connection): not committed
                continue
            try:
                tx.commit()
            except neo4j.exceptions.TransientError:
                time.sleep(0.05 * 2 ** attempt)  # Neo4j rolled the transaction back
                continue
            except neo4j.exceptions.DriverError as exc:
                raise LoadError("the connection to Neo4j broke while a chunk was committing; run the load again "
                                "(it keeps what was committed and writes the rest)") from exc
            return neo4j.EagerResult(records, summary, list(records[0].keys()) if records else [])
    raise LoadError("Neo4j kept refusing a chunk with transient errors (deadlocks?); run the load again")


class _Writer:
    """Writes chunks in background threads while the caller computes the next rows.

    The caller keeps computing rows (Python) while Neo4j writes, so a load takes
    about as long as the slower of the two, not their sum. Two threads write at
    once (Neo4j's commit path is single-threaded per transaction; a second one
    uses the second core). Node chunks never share a node; relationship chunks
    start only once every node chunk has committed, and CREATE takes its locks
    at commit in a fixed order, so writers do not deadlock (if Neo4j ever
    reports one, the chunk, rolled back, is retried).

    ``element_ids`` (entity id: Neo4j element id) starts with what the state
    read found and grows with every entity chunk written; a relationship chunk
    gets its endpoints' element ids here, once every node before it is in.
    """

    _STOP = object()

    def __init__(self, drv: neo4j.Driver, database: str | None, report: LoadReport, bar: Progress,
                 chunk_size: int, element_ids: dict[str, str], dataset: str, threads: int = 2, depth: int = 4):
        self.drv, self.database, self.report, self.bar = drv, database, report, bar
        self.chunk_size = chunk_size
        self.dataset = dataset
        self.element_ids = element_ids
        self.used: set[str] = set()  # entity ids whose element ids relationship chunks used
        self.jobs: queue.Queue = queue.Queue(maxsize=depth)
        self.buffers: dict[tuple[str, str], list[dict]] = {}
        self.error: BaseException | None = None
        self.nodes = threading.Condition()
        self.nodes_pending = 0  # node chunks queued and not yet committed
        self.nodes_closed = False  # every node chunk is queued
        self.lock = threading.Lock()  # the report's counters
        self.threads = [threading.Thread(target=self._run, name=f"neo4j-writer-{i}", daemon=True)
                        for i in range(threads)]
        for t in self.threads:
            t.start()

    def add(self, kind: str, group: str, row: dict) -> None:
        """Queue ``row``; ``kind``: sources, entities, relations (new) or updates (changed relations)."""
        buf = self.buffers.setdefault((kind, group), [])
        buf.append(row)
        if len(buf) >= self.chunk_size:
            self._submit(kind, group, buf)
            self.buffers[(kind, group)] = []

    def flush(self) -> None:
        for (kind, group), buf in list(self.buffers.items()):
            if buf:
                self._submit(kind, group, buf)
        self.buffers.clear()

    def nodes_done(self) -> None:
        """Every node chunk is queued: relationship chunks may go once those have committed."""
        self.flush()
        with self.nodes:
            self.nodes_closed = True
            self.nodes.notify_all()

    def close(self) -> None:
        """Wait until every queued chunk is written; re-raise the writers' first error."""
        self.flush()
        self._put(self._STOP)
        for t in self.threads:
            t.join()
        if self.error is not None:
            raise self.error

    def abandon(self) -> None:
        """Stop without writing what is still queued (chunks in flight commit or roll back)."""
        self._fail(KeyboardInterrupt())
        try:
            while True:
                self.jobs.get_nowait()
        except queue.Empty:
            pass
        try:
            self.jobs.put_nowait(self._STOP)
        except queue.Full:
            pass

    def _fail(self, exc: BaseException) -> None:
        with self.nodes:
            if self.error is None:
                self.error = exc
            self.nodes.notify_all()

    def _submit(self, kind: str, group: str, rows: list[dict]) -> None:
        if kind == "sources":
            cypher = MERGE_SOURCES
        elif kind == "entities":
            cypher = merge_entities_cypher(group)
        elif kind == "relations":
            cypher = create_relations_cypher(group)
        else:
            cypher = update_relations_cypher(group)
        if kind in ("sources", "entities"):
            with self.nodes:
                self.nodes_pending += 1
        self._put((kind, cypher, rows))

    def _put(self, job) -> None:
        while True:
            if self.error is not None and job is not self._STOP:
                raise self.error
            try:
                self.jobs.put(job, timeout=0.2)
                return
            except queue.Full:
                if not any(t.is_alive() for t in self.threads):
                    return

    def _endpoints(self, rows: list[dict]) -> None:
        """Replace ``from``/``to`` by the endpoints' element ids ``a``/``b`` (all the query needs)."""
        ids, used = self.element_ids, self.used
        for row in rows:
            source, target = row.pop("from"), row.pop("to")
            try:
                row["a"], row["b"] = ids[source], ids[target]
            except KeyError as exc:  # validation makes this impossible; say so if it ever is not
                raise LoadError(f"relationship endpoint {exc.args[0]!r} is neither in Neo4j nor in this load") from None
            used.add(source)
            used.add(target)

    def verify(self) -> None:
        """Check, once all is written, that the element ids used still name the same entities."""
        pairs = [(self.element_ids[i], i) for i in self.used]
        for chunk in _chunks(pairs, self.chunk_size * 5):
            wrong = [r["id"] for r in self.drv.execute_query(
                VERIFY_ELEMENT_IDS, {"pairs": chunk}, database_=self.database,
                routing_=neo4j.RoutingControl.READ).records]
            if wrong:
                raise LoadError(f"entities {', '.join(map(repr, wrong))} were deleted or replaced in Neo4j while "
                                "this load ran; run the load again")

    def _run(self) -> None:
        while True:
            job = self.jobs.get()
            if job is self._STOP:
                self.jobs.put(job)  # for the other writers
                return
            kind, cypher, rows = job
            node_chunk = kind in ("sources", "entities")
            try:
                if self.error is not None:
                    continue
                if not node_chunk:
                    with self.nodes:
                        self.nodes.wait_for(lambda: self.error is not None
                                            or (self.nodes_closed and self.nodes_pending == 0))
                    if self.error is not None:
                        continue
                    self._endpoints(rows)
                if kind == "relations":
                    result = _commit_once(self.drv, self.database, cypher, rows=rows)
                else:
                    result = _execute(self.drv, self.database, cypher, rows=rows, dataset=self.dataset)
                if kind == "entities":
                    self.element_ids.update(result.records)
                elif not node_chunk and result.records[0]["written"] != len(rows):
                    raise LoadError("some relationships did not find their endpoints: entities were deleted or "
                                    "replaced in Neo4j while this load ran; run the load again")
                c = result.summary.counters
                with self.lock:
                    tally: Tally = getattr(self.report, "relations" if kind == "updates" else kind)
                    tally.created += c.nodes_created if node_chunk else c.relationships_created
                    self.report.properties_set += c.properties_set
                self.bar.advance(len(rows))
            except BaseException as exc:  # told to the caller at its next add() or at close()
                self._fail(exc)
            finally:
                if node_chunk:
                    with self.nodes:
                        self.nodes_pending -= 1
                        self.nodes.notify_all()


@contextmanager
def dataset_guard(drv: neo4j.Driver, dataset: str, database: str | None = None,
                  progress: Progress | None = None) -> Iterator[None]:
    """Hold the dataset's guard (see GUARD) for the duration of the block; waits for another holder."""
    if progress:
        progress.phase(f"waiting for any other load of dataset {dataset} to end", None)
    with drv.session(database=database) as session:
        tx = session.begin_transaction()
        try:
            tx.run(GUARD, dataset=dataset).consume()
            yield
        finally:
            try:
                tx.rollback()  # the guard is never stored
            except (neo4j.exceptions.DriverError, neo4j.exceptions.Neo4jError):
                pass  # the connection or the transaction (a server timeout) is gone, and the guard with it


def load_rows(drv: neo4j.Driver, source: RowSource, database: str | None = None, chunk_size: int = DEFAULT_CHUNK,
              progress: Progress | None = None) -> LoadReport:
    """Bring dataset ``source.dataset`` in Neo4j to exactly ``source``'s rows; see the module docstring."""
    bar = progress or _Silent()
    report = LoadReport(source.dataset)
    clock = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        report.seconds[name] = round(now - clock, 3)
        clock = now

    bar.phase("preparing the schema", None)
    ensure_schema(drv, database)
    lap("schema")
    with dataset_guard(drv, source.dataset, database, bar):
        _load(drv, source, database, chunk_size, bar, report, lap)
    return report


def _load(drv: neo4j.Driver, source: RowSource, database: str | None, chunk_size: int, bar: Progress,
          report: LoadReport, lap) -> None:
    bar.phase("reading what Neo4j holds", None)
    state = read_state(drv, source.dataset, database)
    check_foreign(drv, source, state, database, chunk_size)
    lap("state")

    bar.phase("writing", sum(source.counts().values()))
    writer = _Writer(drv, database, report, bar, chunk_size, state["element_ids"], source.dataset)
    seen: dict[str, set[str]] = {"sources": set(), "entities": set(), "relations": set()}

    def consider(kind: str, group: str, key: str, row: dict) -> None:
        seen[kind].add(key)
        h = state[kind].get(key)
        if h == row["props"][HASH]:
            getattr(report, kind).unchanged += 1
            bar.advance(1)
            return
        if h is not None:
            getattr(report, kind).updated += 1
            if kind == "relations":
                kind = "updates"
        writer.add(kind, group, row)

    try:
        for row in source.sources():
            consider("sources", SOURCE_LABEL, row["id"], row)
        for label, row in source.entities():
            consider("entities", label, row["id"], row)
        writer.nodes_done()  # relationship chunks wait until every node chunk has committed
        for rtype, row in source.relations():
            consider("relations", rtype, edge_id(row["from"], rtype, row["to"]), row)
        writer.close()
        writer.verify()
    except BaseException:
        writer.abandon()
        raise
    lap("write")

    # Deletions only once every write is in: an interrupted load never loses anything.
    stale_relations = [dict(zip(("from", "type", "to"), parse_edge_id(k))) for k in state["relations"]
                       if k not in seen["relations"]]
    stale_entities = sorted(k for k in state["entities"] if k not in seen["entities"])
    stale_sources = sorted(k for k in state["sources"] if k not in seen["sources"])
    bar.phase("deleting what the files no longer state",
              len(stale_relations) + len(stale_entities) + len(stale_sources))
    ds = source.dataset
    for chunk in _chunks(stale_relations, chunk_size):
        c = _write(drv, database, DELETE_RELATIONS, rows=chunk, dataset=ds)
        report.relations.deleted += c.relationships_deleted
        bar.advance(len(chunk))
    for chunk in _chunks(stale_entities, chunk_size):
        c = _write(drv, database, DELETE_ENTITIES, ids=chunk, dataset=ds)
        report.entities.deleted += c.nodes_deleted
        report.relations.deleted += c.relationships_deleted
        bar.advance(len(chunk))
    for chunk in _chunks(stale_sources, chunk_size):
        c = _write(drv, database, DELETE_SOURCES, ids=chunk, dataset=ds)
        report.sources.deleted += c.nodes_deleted
        bar.advance(len(chunk))
    lap("delete")
    if report.changed:
        bar.phase("updating the full-text indexes", None)
        _write(drv, database, AWAIT_FULLTEXT)
    lap("index")


def unload(drv: neo4j.Driver, dataset: str, database: str | None = None, chunk_size: int = DEFAULT_CHUNK,
           progress: Progress | None = None) -> LoadReport:
    """Delete every node and relationship of ``dataset``, a chunk per transaction."""
    bar = progress or _Silent()
    report = LoadReport(dataset)
    with dataset_guard(drv, dataset, database, bar):
        bar.phase(f"deleting dataset {dataset}", None)
        for cypher, tally in ((UNLOAD_ENTITIES, report.entities), (UNLOAD_SOURCES, report.sources)):
            while True:
                res = drv.execute_query(cypher, {"dataset": dataset, "chunk": chunk_size}, database_=database,
                                        routing_=neo4j.RoutingControl.WRITE)
                c = res.summary.counters
                tally.deleted += c.nodes_deleted
                report.relations.deleted += c.relationships_deleted
                bar.advance(c.nodes_deleted)
                if res.records[0]["n"] == 0:
                    break
        _write(drv, database, AWAIT_FULLTEXT)
    return report


__all__ = ["DEFAULT_CHUNK", "LoadError", "LoadReport", "Progress", "Tally", "check_foreign",
           "dataset_guard", "ensure_schema", "load_rows", "read_state", "unload"]
