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

**Load state.** Each dataset has one ``(:Dataset {name, state, started,
finished, files_hash})`` node. Right before a load's first write (or first
deletion) its state is committed as ``'loading'``; after its last deletion,
``'complete'``. A load that dies in between for any reason (killed, a value
Neo4j refuses, a lost server) leaves the dataset marked incomplete, which
``kg load --check`` and ``kg neo4j status`` show (:func:`datasets`) and the
next load, finishing the job, clears. A load with nothing to write leaves the
node alone (it only completes a state left ``'loading'``, or records new
``files_hash``). :class:`LoadReport` says what happened, also when the load
raised: pass your own ``report`` to :func:`load_rows` to read it afterwards.

**What changed.** The report keeps the keys (entity and source ids, edge ids
:func:`graph.facts.edge_id`) of what was created, updated and deleted: the
first ``keep`` of each kind, and how many there were in all (``keep=None``:
every key). :func:`plan` computes the same report without writing: what a
load would do.

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
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Protocol

import neo4j

from ..facts import edge_id, parse_edge_id
from ..schema import REGISTRY
from .cypher import (
    AWAIT_FULLTEXT,
    AWAIT_INDEXES,
    DATASET_COMPLETE,
    DATASET_DELETE,
    DATASET_LOADING,
    DATASET_STATE,
    DATASET_UNLOADING,
    DATASETS,
    DELETE_ENTITIES,
    DELETE_RELATIONS,
    DELETE_SOURCES,
    DROP_INDEX,
    EVENTUALLY_CONSISTENT,
    EVERY_TYPE_INDEXES,
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
from .mapping import HASH, SOURCE_LABEL, RowSource

DEFAULT_CHUNK = 10_000
# A chunk also ends at about this many bytes of text: ten thousand rows of long quotes would otherwise
# make one transaction of hundreds of MB, past the server's per-transaction memory cap (1 GB by default),
# and the load would fail on the largest facts only.
CHUNK_BYTES = 32 << 20
# Keys a report keeps per change and kind unless asked for all: enough to show, never millions of strings.
DEFAULT_KEEP = 20

KINDS = ("sources", "entities", "relations")
CHANGES = ("created", "updated", "deleted")
SINGULAR = {"sources": "source", "entities": "entity", "relations": "relation"}

# States of a (:Dataset) node.
LOADING, COMPLETE, UNLOADING = "loading", "complete", "unloading"

# --------------------------------------------------------------------------- reports


class LoadError(Exception):
    """The load cannot go on; the message says why. What was written is told by the :class:`LoadReport`."""


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
        return {"created": self.created, "updated": self.updated, "deleted": self.deleted, "unchanged": self.unchanged}


@dataclass
class Changes:
    """The keys of what a load created, updated and deleted: the first ``keep`` per (change, kind), in the
    order the load met them, and how many there were in all (``keep=None``: every key).

    >>> c = Changes(keep=1)
    >>> for change, kind, key in [
    ...     ("created", "entities", "a"),
    ...     ("created", "entities", "b"),
    ...     ("deleted", "sources", "s"),
    ... ]:
    ...     c.add(change, kind, key)
    >>> c.lines(limit=10)
    ([('created', 'entities', 'a'), ('deleted', 'sources', 's')], 1)
    >>> c.lines(limit=1), c.total()
    (([('created', 'entities', 'a')], 2), 3)
    """

    keep: int | None = DEFAULT_KEEP
    keys: dict[tuple[str, str], list[str]] = field(default_factory=dict)
    counts: Counter = field(default_factory=Counter)

    def add(self, change: str, kind: str, key: str) -> None:
        self.counts[(change, kind)] += 1
        kept = self.keys.setdefault((change, kind), [])
        if self.keep is None or len(kept) < self.keep:
            kept.append(key)

    def total(self) -> int:
        return sum(self.counts.values())

    def lines(self, limit: int | None = None) -> tuple[list[tuple[str, str, str]], int]:
        """``(change, kind, key)`` in the order created, updated, deleted and sources, entities, relations,
        at most ``limit`` of them (None: every key kept), and how many changes that leaves unshown."""
        shown = [
            (change, kind, key) for change in CHANGES for kind in KINDS for key in self.keys.get((change, kind), ())
        ]
        if limit is not None:
            shown = shown[:limit]
        return shown, self.total() - len(shown)

    def as_dict(self) -> dict:
        return {
            change: {
                kind: {"count": self.counts[(change, kind)], "keys": self.keys.get((change, kind), [])}
                for kind in KINDS
            }
            for change in CHANGES
        }


@dataclass(frozen=True)
class DatasetState:
    """A dataset's (:Dataset) node: ``state`` loading / complete / unloading, when the last load ``started``
    and ``finished`` (UTC), the ``files_hash`` of the files it read."""

    name: str
    state: str | None = None  # None: no node (never loaded, or loaded before load states were kept)
    started: datetime | None = None
    finished: datetime | None = None
    files_hash: str | None = None

    @property
    def incomplete(self) -> bool:
        return self.state in (LOADING, UNLOADING)

    @property
    def when_started(self) -> str:
        """``2026-01-02 03:04:05 UTC``."""
        return _when(self.started)

    def describe(self) -> str:
        """One line for people.

        >>> print(DatasetState("data", LOADING, datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)).describe())
        ... # doctest: +NORMALIZE_WHITESPACE
        dataset data is incomplete: a load started 2026-01-02 03:04:05 UTC did not finish;
        run `kg load` of its files again to complete it
        """
        if self.state == LOADING:
            return (
                f"dataset {self.name} is incomplete: a load started {_when(self.started)} did not finish; "
                "run `kg load` of its files again to complete it"
            )
        if self.state == UNLOADING:
            return (
                f"dataset {self.name} is incomplete: `kg unload {self.name}` started {_when(self.started)} "
                "did not finish; run it again"
            )
        if self.state == COMPLETE:
            return f"dataset {self.name} is complete (loaded {_when(self.finished)})"
        return f"dataset {self.name}: no load state recorded"

    def as_dict(self) -> dict:
        return {
            "name": self.name,
            "state": self.state,
            "started": _iso(self.started),
            "finished": _iso(self.finished),
            "files_hash": self.files_hash,
        }


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat(timespec="seconds") if moment else None


def _when(moment: datetime | None) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC") if moment else "at an unknown time"


@dataclass
class LoadReport:
    """What a load did (or, from :func:`plan`, would do) to one dataset.

    ``before``: the dataset's load state when the load began. ``marked``: this load
    committed the state ``loading`` (it was about to write); ``complete``: it
    committed ``complete``. A load that raised with ``marked`` set may have
    written part of the dataset: :attr:`incomplete` says whether Neo4j holds it
    marked incomplete.
    """

    dataset: str
    sources: Tally = field(default_factory=Tally)
    entities: Tally = field(default_factory=Tally)
    relations: Tally = field(default_factory=Tally)
    seconds: dict[str, float] = field(default_factory=dict)
    properties_set: int = 0
    changes: Changes = field(default_factory=Changes)
    before: DatasetState | None = None
    marked: bool = False
    complete: bool = False

    def as_dict(self) -> dict:
        return {
            "dataset": self.dataset,
            "sources": self.sources.as_dict(),
            "entities": self.entities.as_dict(),
            "relations": self.relations.as_dict(),
            "properties_set": self.properties_set,
            "seconds": self.seconds,
            "changes": self.changes.as_dict(),
            "complete": self.complete,
        }

    @property
    def changed(self) -> bool:
        return any(t.created or t.updated or t.deleted for t in (self.sources, self.entities, self.relations))

    @property
    def incomplete(self) -> bool:
        """Whether Neo4j holds the dataset marked incomplete after this load (or this failed load)."""
        if self.complete:
            return False
        return self.marked or (self.before is not None and self.before.incomplete)


# --------------------------------------------------------------------------- the steps


def row_bytes(row: dict) -> int:
    """About how many bytes a row takes on the wire: its text and list lengths, plus a little per value.

    >>> row_bytes({"id": "a", "quotes": ["one", "two"], "credibility": 2})
    47
    """
    n = 0
    for value in row.values():
        if isinstance(value, str):
            n += len(value) + 8
        elif isinstance(value, (list, tuple)):
            n += 8 + sum(len(v) + 8 if isinstance(v, str) else 8 for v in value)
        elif isinstance(value, dict):
            n += row_bytes(value)
        else:
            n += 8
    return n


def phase_timer(report: LoadReport) -> Callable[[str], None]:
    """``lap(name)`` records in ``report.seconds[name]`` the seconds since the previous lap (the first: since
    this call), so a load's report says where its time went."""
    clock = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        report.seconds[name] = round(now - clock, 3)
        clock = now

    return lap


def _chunks(items: list, size: int) -> Iterator[list]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _execute(drv: neo4j.Driver, database: str | None, cypher: str, **params) -> neo4j.EagerResult:
    return drv.execute_query(cypher, params, database_=database, routing_=neo4j.RoutingControl.WRITE)


def _write(drv: neo4j.Driver, database: str | None, cypher: str, **params) -> neo4j.SummaryCounters:
    return _execute(drv, database, cypher, **params).summary.counters


def _write_together(drv: neo4j.Driver, database: str | None, statements: list[str]) -> None:
    """Run ``statements`` in one write transaction (retried whole on a transient error)."""

    def work(tx: neo4j.ManagedTransaction) -> None:
        for statement in statements:
            tx.run(statement).consume()

    with drv.session(database=database) as session:
        session.execute_write(work)


def ensure_schema(drv: neo4j.Driver, database: str | None = None, await_seconds: int = 600) -> list[str]:
    """Create the constraints and indexes that are missing; keep the relationship full-text indexes
    (``relation_sources``, ``relation_attribution``) covering every type of the registry.

    A full-text index made before its options changed (by an earlier version)
    is made again. Returns the names of what was created (nothing, usually:
    one read, no schema lock).
    """
    have = {
        r["name"]: r
        for r in drv.execute_query(SHOW_SCHEMA, database_=database, routing_=neo4j.RoutingControl.READ).records
    }

    def current(name: str) -> bool:
        index = have.get(name)
        if index is None:
            return False
        if index["type"] == "FULLTEXT" and not (index["config"] or {}).get(EVENTUALLY_CONSISTENT):
            _write(drv, database, DROP_INDEX.format(name=name))
            return False
        return True

    for name in EVERY_TYPE_INDEXES:  # made when the registry had other relation types: made again
        if current(name) and sorted(have[name]["labelsOrTypes"] or []) != sorted(REGISTRY.relations):
            _write(drv, database, DROP_INDEX.format(name=name))
            have.pop(name)
    # A constraint is listed by SHOW INDEXES under its own name too.
    missing = [(name, stmt) for name, stmt in SCHEMA_STATEMENTS if not current(name)]
    if not current(RELATION_SOURCES_INDEX):
        missing.append((RELATION_SOURCES_INDEX, relation_sources_cypher()))
    # Indexes first, in one transaction: its indexes fill in one job, which reads the nodes once and the
    # relationships once for all of them (a bulk-loaded 100k/1M database: 16.0 s -> 14.0 s against a
    # transaction each). Constraints after, in another: CREATE CONSTRAINT returns only once its own index
    # is filled, so in this order the indexes fill while the constraints are made, not after.
    indexes = [stmt for _name, stmt in missing if not stmt.startswith("CREATE CONSTRAINT")]
    constraints = [stmt for _name, stmt in missing if stmt.startswith("CREATE CONSTRAINT")]
    for together in (indexes, constraints):
        if together:
            _write_together(drv, database, together)
    if missing:
        _write(drv, database, AWAIT_INDEXES, seconds=await_seconds)
    return [name for name, _stmt in missing]


def dataset_state(drv: neo4j.Driver, dataset: str, database: str | None = None) -> DatasetState:
    """The load state of ``dataset`` (``state`` None when it has no (:Dataset) node)."""
    records = drv.execute_query(
        DATASET_STATE, {"dataset": dataset}, database_=database, routing_=neo4j.RoutingControl.READ
    ).records
    return _dataset(dataset, records[0]) if records else DatasetState(dataset)


def datasets(drv: neo4j.Driver, database: str | None = None) -> list[DatasetState]:
    """Every dataset with a load state in Neo4j, by name."""
    records = drv.execute_query(DATASETS, database_=database, routing_=neo4j.RoutingControl.READ).records
    return [_dataset(r["name"], r) for r in records]


def _dataset(name: str, record) -> DatasetState:
    def native(value):
        return value.to_native() if value is not None else None

    return DatasetState(
        name, record["state"], native(record["started"]), native(record["finished"]), record["files_hash"]
    )


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


def check_foreign(
    drv: neo4j.Driver,
    source: RowSource,
    state: dict[str, dict[str, str]],
    database: str | None,
    chunk_size: int = DEFAULT_CHUNK,
) -> None:
    """Refuse ids that another dataset (or a hand-made node) already owns."""
    checks = (
        ("source", [i for i in source.source_ids() if i not in state["sources"]], FOREIGN_SOURCES),
        ("entity", [i for i in source.entity_ids() if i not in state["entities"]], FOREIGN_ENTITIES),
    )
    for what, ids, cypher in checks:
        for chunk in _chunks(ids, chunk_size * 5):
            found = drv.execute_query(
                cypher,
                {"ids": chunk, "dataset": source.dataset},
                database_=database,
                routing_=neo4j.RoutingControl.READ,
            ).records
            if found:
                owners = ", ".join(
                    f"{r['id']!r} ({'dataset ' + repr(r['dataset']) if r['dataset'] else 'no dataset'})" for r in found
                )
                raise LoadError(
                    f"{what} ids already in Neo4j under another dataset: {owners}; ids are unique "
                    f"across datasets: load these files with that --dataset, or `kg unload` it first"
                )


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
                time.sleep(0.05 * 2**attempt)  # before COMMIT (a deadlock, a lost connection): not committed
                continue
            try:
                tx.commit()
            except neo4j.exceptions.TransientError:
                time.sleep(0.05 * 2**attempt)  # Neo4j rolled the transaction back
                continue
            except neo4j.exceptions.DriverError as exc:
                raise LoadError(
                    "the connection to Neo4j broke while a chunk was committing; run the load again "
                    "(it keeps what was committed and writes the rest)"
                ) from exc
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

    def __init__(
        self,
        drv: neo4j.Driver,
        database: str | None,
        report: LoadReport,
        bar: Progress,
        chunk_size: int,
        element_ids: dict[str, str],
        dataset: str,
        threads: int = 2,
        depth: int = 4,
    ):
        self.drv, self.database, self.report, self.bar = drv, database, report, bar
        self.chunk_size = chunk_size
        self.dataset = dataset
        self.element_ids = element_ids
        self.used: set[str] = set()  # entity ids whose element ids relationship chunks used
        self.jobs: queue.Queue = queue.Queue(maxsize=depth)
        self.buffers: dict[tuple[str, str], list[dict]] = {}
        self.sizes: dict[tuple[str, str], int] = {}  # bytes (row_bytes) in each buffer
        self.chunk_bytes = CHUNK_BYTES
        self.error: BaseException | None = None
        self.nodes = threading.Condition()
        self.nodes_pending = 0  # node chunks queued and not yet committed
        self.nodes_closed = False  # every node chunk is queued
        self.lock = threading.Lock()  # the report's counters
        self.threads = [
            threading.Thread(target=self._run, name=f"neo4j-writer-{i}", daemon=True) for i in range(threads)
        ]
        for t in self.threads:
            t.start()

    def add(self, kind: str, group: str, row: dict) -> None:
        """Queue ``row``; ``kind``: sources, entities, relations (new) or updates (changed relations)."""
        key = (kind, group)
        buf = self.buffers.setdefault(key, [])
        buf.append(row)
        size = self.sizes.get(key, 0) + row_bytes(row)
        if len(buf) >= self.chunk_size or size >= self.chunk_bytes:
            self._submit(kind, group, buf)
            self.buffers[key] = []
            size = 0
        self.sizes[key] = size

    def flush(self) -> None:
        for (kind, group), buf in list(self.buffers.items()):
            if buf:
                self._submit(kind, group, buf)
        self.buffers.clear()
        self.sizes.clear()

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
            wrong = [
                r["id"]
                for r in self.drv.execute_query(
                    VERIFY_ELEMENT_IDS, {"pairs": chunk}, database_=self.database, routing_=neo4j.RoutingControl.READ
                ).records
            ]
            if wrong:
                raise LoadError(
                    f"entities {', '.join(map(repr, wrong))} were deleted or replaced in Neo4j while "
                    "this load ran; run the load again"
                )

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
                        self.nodes.wait_for(
                            lambda: self.error is not None or (self.nodes_closed and self.nodes_pending == 0)
                        )
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
                    raise LoadError(
                        "some relationships did not find their endpoints: entities were deleted or "
                        "replaced in Neo4j while this load ran; run the load again"
                    )
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
def dataset_guard(
    drv: neo4j.Driver, dataset: str, database: str | None = None, progress: Progress | None = None
) -> Iterator[None]:
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


def load_rows(
    drv: neo4j.Driver,
    source: RowSource,
    database: str | None = None,
    chunk_size: int = DEFAULT_CHUNK,
    progress: Progress | None = None,
    *,
    files_hash: str | None = None,
    keep: int | None = DEFAULT_KEEP,
    report: LoadReport | None = None,
) -> LoadReport:
    """Bring dataset ``source.dataset`` in Neo4j to exactly ``source``'s rows; see the module docstring.

    ``files_hash`` is recorded on the dataset's (:Dataset) node; ``keep`` is how many keys of each kind of
    change the report keeps (None: all). Pass ``report`` to read what happened when the load raises.
    """
    bar = progress or _Silent()
    report = report if report is not None else LoadReport(source.dataset, changes=Changes(keep))
    lap = phase_timer(report)

    bar.phase("preparing the schema", None)
    ensure_schema(drv, database)
    lap("schema")
    with dataset_guard(drv, source.dataset, database, bar):
        _load(drv, source, database, chunk_size, bar, report, lap, files_hash)
    return report


class _Plan:
    """Compares rows with what Neo4j holds: which to write, and which keys are stale, into the report."""

    def __init__(self, state: dict, report: LoadReport, bar: Progress):
        self.state, self.report, self.bar = state, report, bar
        self.seen: dict[str, set[str]] = {kind: set() for kind in KINDS}

    def consider(self, kind: str, key: str, row: dict) -> str | None:
        """What to do with ``row``: None (unchanged), ``kind`` (new) or "updates" (a changed relationship)."""
        self.seen[kind].add(key)
        h = self.state[kind].get(key)
        tally: Tally = getattr(self.report, kind)
        if h == row["props"][HASH]:
            tally.unchanged += 1
            self.bar.advance(1)
            return None
        if h is None:
            self.report.changes.add("created", kind, key)
            return kind
        tally.updated += 1
        self.report.changes.add("updated", kind, key)
        return "updates" if kind == "relations" else kind

    def stale(self) -> dict[str, list[str]]:
        """Keys the dataset holds and the rows no longer state, per kind (sorted), noted in the report."""
        found = {kind: sorted(k for k in self.state[kind] if k not in self.seen[kind]) for kind in KINDS}
        for kind in KINDS:
            for key in found[kind]:
                self.report.changes.add("deleted", kind, key)
        return found


def _walk(source: RowSource, plan: _Plan, write=None, nodes_done=None) -> None:
    """Every row of ``source`` in writing order through ``plan``; ``write(kind, group, row)`` for those to write."""
    for row in source.sources():
        todo = plan.consider("sources", row["id"], row)
        if todo and write:
            write(todo, SOURCE_LABEL, row)
    for label, row in source.entities():
        todo = plan.consider("entities", row["id"], row)
        if todo and write:
            write(todo, label, row)
    if nodes_done:
        nodes_done()
    for rtype, row in source.relations():
        todo = plan.consider("relations", edge_id(row["from"], rtype, row["to"]), row)
        if todo and write:
            write(todo, rtype, row)


def plan(
    drv: neo4j.Driver,
    source: RowSource,
    database: str | None = None,
    progress: Progress | None = None,
    *,
    keep: int | None = DEFAULT_KEEP,
) -> LoadReport:
    """What :func:`load_rows` would do, without writing anything (and without waiting for a load in progress).

    The report's tallies count rows (``created``: absent from Neo4j, ``deleted``: stale), its ``changes`` hold
    their keys, ``before`` the dataset's load state. Ids of another dataset raise :class:`LoadError`.
    """
    bar = progress or _Silent()
    report = LoadReport(source.dataset, changes=Changes(keep))
    bar.phase("reading what Neo4j holds", None)
    report.before = dataset_state(drv, source.dataset, database)
    state = read_state(drv, source.dataset, database)
    check_foreign(drv, source, state, database)
    bar.phase("comparing", sum(source.counts().values()))
    checker = _Plan(state, report, bar)
    _walk(source, checker)
    stale = checker.stale()
    for kind in KINDS:
        tally: Tally = getattr(report, kind)
        tally.created = report.changes.counts[("created", kind)]
        tally.deleted = len(stale[kind])
    return report


def _load(
    drv: neo4j.Driver,
    source: RowSource,
    database: str | None,
    chunk_size: int,
    bar: Progress,
    report: LoadReport,
    lap,
    files_hash: str | None,
) -> None:
    bar.phase("reading what Neo4j holds", None)
    ds = source.dataset
    report.before = before = dataset_state(drv, ds, database)
    state = read_state(drv, ds, database)
    check_foreign(drv, source, state, database, chunk_size)
    lap("state")
    started = datetime.now(UTC)

    def mark_loading() -> None:
        # Committed before the first write: from here until DATASET_COMPLETE, a death leaves the mark.
        if not report.marked:
            report.marked = True  # first: if the mark's commit is lost in a failure, assume it landed
            _write(drv, database, DATASET_LOADING, dataset=ds, started=started, files_hash=files_hash)

    bar.phase("writing", sum(source.counts().values()))
    writer = _Writer(drv, database, report, bar, chunk_size, state["element_ids"], ds)
    checker = _Plan(state, report, bar)

    def write(kind: str, group: str, row: dict) -> None:
        mark_loading()
        writer.add(kind, group, row)

    try:
        _walk(source, checker, write, writer.nodes_done)  # relationship chunks wait for every node chunk
        writer.close()
        writer.verify()
    except BaseException:
        writer.abandon()
        raise
    lap("write")

    # Deletions only once every write is in: an interrupted load never loses anything.
    stale = checker.stale()
    stale_relations = [dict(zip(("from", "type", "to"), parse_edge_id(k), strict=True)) for k in stale["relations"]]
    bar.phase("deleting what the files no longer state", sum(len(v) for v in stale.values()))
    if any(stale.values()):
        mark_loading()
    for chunk in _chunks(stale_relations, chunk_size):
        c = _write(drv, database, DELETE_RELATIONS, rows=chunk, dataset=ds)
        report.relations.deleted += c.relationships_deleted
        bar.advance(len(chunk))
    for chunk in _chunks(stale["entities"], chunk_size):
        c = _write(drv, database, DELETE_ENTITIES, ids=chunk, dataset=ds)
        report.entities.deleted += c.nodes_deleted
        report.relations.deleted += c.relationships_deleted
        bar.advance(len(chunk))
    for chunk in _chunks(stale["sources"], chunk_size):
        c = _write(drv, database, DELETE_SOURCES, ids=chunk, dataset=ds)
        report.sources.deleted += c.nodes_deleted
        bar.advance(len(chunk))
    lap("delete")
    if report.marked or before.state != COMPLETE or (files_hash is not None and files_hash != before.files_hash):
        _write(drv, database, DATASET_COMPLETE, dataset=ds, started=started, files_hash=files_hash)
    report.complete = True
    if report.changed:
        bar.phase("updating the full-text indexes", None)
        _write(drv, database, AWAIT_FULLTEXT)
    lap("index")


def unload(
    drv: neo4j.Driver,
    dataset: str,
    database: str | None = None,
    chunk_size: int = DEFAULT_CHUNK,
    progress: Progress | None = None,
    *,
    report: LoadReport | None = None,
) -> LoadReport:
    """Delete every node and relationship of ``dataset``, a chunk per transaction, and its load state.

    The dataset is marked ``unloading`` before the first deletion: an unload that dies half-way leaves
    it marked incomplete (``report``, if given, says so when this raises).
    """
    bar = progress or _Silent()
    report = report if report is not None else LoadReport(dataset)
    with dataset_guard(drv, dataset, database, bar):
        bar.phase(f"deleting dataset {dataset}", None)
        report.before = dataset_state(drv, dataset, database)
        report.marked = True
        _write(drv, database, DATASET_UNLOADING, dataset=dataset, started=datetime.now(UTC))
        for cypher, tally in ((UNLOAD_ENTITIES, report.entities), (UNLOAD_SOURCES, report.sources)):
            while True:
                res = drv.execute_query(
                    cypher,
                    {"dataset": dataset, "chunk": chunk_size},
                    database_=database,
                    routing_=neo4j.RoutingControl.WRITE,
                )
                c = res.summary.counters
                tally.deleted += c.nodes_deleted
                report.relations.deleted += c.relationships_deleted
                bar.advance(c.nodes_deleted)
                if res.records[0]["n"] == 0:
                    break
        _write(drv, database, DATASET_DELETE, dataset=dataset)
        report.complete = True
        _write(drv, database, AWAIT_FULLTEXT)
    return report


__all__ = [
    "CHANGES",
    "COMPLETE",
    "Changes",
    "DEFAULT_CHUNK",
    "DEFAULT_KEEP",
    "DatasetState",
    "KINDS",
    "LOADING",
    "LoadError",
    "LoadReport",
    "Progress",
    "SINGULAR",
    "Tally",
    "UNLOADING",
    "check_foreign",
    "dataset_guard",
    "dataset_state",
    "datasets",
    "ensure_schema",
    "load_rows",
    "plan",
    "read_state",
    "unload",
]
