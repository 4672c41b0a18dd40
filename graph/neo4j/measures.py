"""Network measures stored in Neo4j as entity properties, so Cypher and the named queries can use them.

Neo4j's Graph Data Science library is a plugin that is not published ready to use for the embedded
server, so the measures are computed in Python (:mod:`graph.analysis`) and written back: each
measure becomes one property of every entity of the dataset, named by :func:`property_name` from
the measure registry (``pagerank`` -> ``measure_pagerank``; ``communities`` stores the community
number, ``measure_community``). No property name ever comes from user text.

Rules that keep what Neo4j holds honest:

* the measures are written only onto the dataset as loaded from the same files (the caller passes
  the files' digest, compared with the one the load recorded: :class:`StaleDataset` otherwise);
* every entity of the dataset gets every written property, ``null`` (no property) where the measure
  left it out (excluded, filtered away): nothing from an earlier scope lingers;
* measures written from other files (before a reload) are removed at the next write: a reload
  rewrites only the entities that changed, which would leave old values on the others;
* the dataset's (:Dataset) node records which measures, on what scope, from which files, when
  (:func:`measures_state`);
* the properties the named queries sort and select by have range indexes
  (:data:`graph.neo4j.cypher.MEASURE_INDEXES`, made by :func:`ensure_measure_indexes` before writing),
  so ``key_players``' ``ORDER BY ... LIMIT`` reads the top of an index, not every entity.

Rows go in fixed chunks, one transaction each, while the dataset's load guard is held (a load of
the same dataset waits; see :mod:`graph.neo4j.writer`).

>>> property_name("k-core"), property_name("communities")
('measure_k_core', 'measure_community')
>>> property_name("pagerenk")
Traceback (most recent call last):
...
graph.analysis.results.UnknownMeasure: unknown measure 'pagerenk' (did you mean 'pagerank'?); measures: ...
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import neo4j

from ..analysis import MEASURES, Scores, measure
from .cypher import AWAIT_INDEXES, MEASURE_INDEXES, MEASURES_RECORD, MEASURES_STATE, WRITE_MEASURES
from .writer import COMPLETE, DEFAULT_CHUNK, dataset_guard

__all__ = [
    "DEFAULT_MEASURES",
    "PREFIX",
    "PROPERTIES",
    "MeasuresError",
    "MeasuresState",
    "StaleDataset",
    "WriteReport",
    "check_dataset",
    "ensure_measure_indexes",
    "measure_rows",
    "measures_state",
    "property_name",
    "value_of",
    "write_measures",
]

PREFIX = "measure_"
# What `kg analyze --write` stores when no measure is named: the ones the named queries use
# (key_players, brokers, community), each a few seconds at most on 100k entities.
DEFAULT_MEASURES = ("degree", "pagerank", "betweenness", "k-core", "communities", "brokerage")

_IDENTIFIER = re.compile(r"[a-z][a-z0-9_]*")


def property_name(name: str) -> str:
    """The entity property a measure is stored in: ``measure_`` + its registry name, ``-`` as ``_``;
    ``communities`` stores the community number, in ``measure_community``.

    >>> property_name("pagerank"), property_name("in-degree")
    ('measure_pagerank', 'measure_in_degree')
    """
    m = measure(name)  # UnknownMeasure (with the closest name) for anything the registry lacks
    base = "community" if m.name == "communities" else m.name
    prop = PREFIX + base.replace("-", "_")
    if not _IDENTIFIER.fullmatch(prop):  # registry names are plain words; never let one be anything else
        raise ValueError(f"measure {m.name!r} gives no plain property name ({prop!r})")
    return prop


PROPERTIES: dict[str, str] = {name: property_name(name) for name in MEASURES}


def value_of(name: str, scores: Scores, entity: str) -> Any:
    """What is stored for ``entity``: its value, or for ``communities`` its community number; None when
    the measure left it out.

    >>> s = Scores({"a": 2}, {"measure": "communities"}, {"a": {"community": 0}})
    >>> value_of("communities", s, "a"), value_of("communities", s, "b"), value_of("degree", Scores({"a": 3}), "a")
    (0, None, 3)
    """
    if measure(name).name == "communities":
        return (scores.details.get(entity) or {}).get("community")
    return scores.get(entity)


def measure_rows(
    ids: Iterable[str], results: Mapping[str, Scores], clear: Iterable[str] = ()
) -> Iterator[dict[str, Any]]:
    """``{"id", "props"}`` for every entity in ``ids``: each measure of ``results`` (by registry name) under
    its property, None where the measure left the entity out; the ``clear`` properties set to None.

    >>> rows = measure_rows(["a", "b"], {"degree": Scores({"a": 1})}, clear=["measure_pagerank"])
    >>> list(rows)  # doctest: +NORMALIZE_WHITESPACE
    [{'id': 'a', 'props': {'measure_pagerank': None, 'measure_degree': 1}},
     {'id': 'b', 'props': {'measure_pagerank': None, 'measure_degree': None}}]
    """
    names = [(name, PROPERTIES[measure(name).name], scores) for name, scores in results.items()]
    blank = dict.fromkeys(p for p in clear if p not in {prop for _, prop, _ in names})
    for n in ids:
        props = dict(blank)
        for name, prop, scores in names:
            props[prop] = value_of(name, scores, n)
        yield {"id": n, "props": props}


class MeasuresError(Exception):
    """The measures cannot be written as asked; the message says why and what to do."""


class StaleDataset(MeasuresError):
    """The files measured are not those the dataset was last loaded from."""


@dataclass(frozen=True)
class MeasuresState:
    """What a dataset's (:Dataset) node says about its load and its stored measures."""

    dataset: str
    state: str | None = None  # the load state (graph.neo4j.writer): None when the dataset is not in Neo4j
    files_hash: str | None = None
    measures: tuple[str, ...] = ()
    scope: tuple[str, ...] = ()  # one per measure: the scope it was computed on, in words
    measures_files_hash: str | None = None
    written: str | None = None  # ISO timestamp

    @property
    def scopes(self) -> dict[str, str]:
        """``{measure: the scope it was computed on}``."""
        return dict(zip(self.measures, self.scope, strict=False))

    @property
    def current(self) -> bool:
        """Whether the stored measures were computed from the files the dataset holds now."""
        return bool(self.measures) and self.measures_files_hash == self.files_hash

    @property
    def stale(self) -> bool:
        """Whether measures are stored but were computed from other files than those the dataset holds now."""
        return bool(self.measures) and not self.current

    def describe(self) -> str | None:
        """The stored measures in one line for ``kg neo4j status`` and ``kg load`` (None: none stored).

        >>> stale = MeasuresState("data", "complete", "h2", ("pagerank",), ("",), "h1", "2026-01-02")
        >>> print(stale.describe())  # doctest: +NORMALIZE_WHITESPACE
        dataset data: measures pagerank were computed on other files than those loaded now (written 2026-01-02):
        run kg analyze PATH --write on the loaded files to refresh them
        >>> MeasuresState("data", "complete", "h1", ("degree", "pagerank"), ("", ""), "h1", "2026-01-02").describe()
        'dataset data: measures degree, pagerank (written 2026-01-02, on the files loaded)'
        """
        if not self.measures:
            return None
        listed = ", ".join(self.measures)
        if self.stale:
            return (
                f"dataset {self.dataset}: measures {listed} were computed on other files than those loaded now "
                f"(written {self.written or 'at an unknown time'}): run kg analyze PATH --write on the loaded files "
                "to refresh them"
            )
        when = self.written or "at an unknown time"
        return f"dataset {self.dataset}: measures {listed} (written {when}, on the files loaded)"

    def as_dict(self) -> dict[str, Any]:
        return {
            "dataset": self.dataset,
            "state": self.state,
            "measures": list(self.measures),
            "properties": [PROPERTIES[m] for m in self.measures if m in PROPERTIES],
            "scopes": self.scopes,
            "written": self.written,
            "current": self.current,
            "stale": self.stale,
        }


def measures_state(drv: neo4j.Driver, dataset: str, database: str | None = None) -> MeasuresState:
    """The dataset's load state and what measures it holds (``state`` None: no such dataset in Neo4j)."""
    records = drv.execute_query(
        MEASURES_STATE, {"dataset": dataset}, database_=database, routing_=neo4j.RoutingControl.READ
    ).records
    if not records:
        return MeasuresState(dataset)
    r = records[0]
    written = r["written"]
    return MeasuresState(
        dataset,
        r["state"],
        r["files_hash"],
        tuple(r["measures"] or ()),
        tuple(r["scope"] or ()),
        r["measures_files_hash"],
        written.iso_format() if written is not None else None,
    )


@dataclass
class WriteReport:
    """What :func:`write_measures` did: the properties written, on how many entities, in how long."""

    dataset: str
    measures: list[str]
    properties: list[str]
    cleared: list[str] = field(default_factory=list)  # stale properties removed (measures of other files)
    entities: int = 0  # rows sent
    written: int = 0  # entities of the dataset found and written
    chunks: int = 0
    seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "dataset": self.dataset,
            "measures": self.measures,
            "properties": self.properties,
            "cleared": self.cleared,
            "entities": self.entities,
            "written": self.written,
            "seconds": round(self.seconds, 3),
        }


def check_dataset(before: MeasuresState, files_hash: str | None) -> None:
    """:class:`MeasuresError` unless measures may be written onto the dataset in this state (loaded, its last
    load finished, from the files whose digest is ``files_hash``; None: not checked)."""
    dataset = before.dataset
    if before.state is None:
        raise MeasuresError(f"dataset {dataset} is not in Neo4j: load it first (kg load)")
    if before.state != COMPLETE:
        raise MeasuresError(
            f"dataset {dataset} is marked {before.state} in Neo4j (a load or unload did not finish): "
            "finish it (kg load) before writing measures"
        )
    if files_hash is not None and before.files_hash != files_hash:
        raise StaleDataset(
            f"these files are not the ones dataset {dataset} was last loaded from: "
            "load them first (kg load), so that the measures describe what Neo4j holds"
        )


def ensure_measure_indexes(drv: neo4j.Driver, database: str | None = None, *, wait_seconds: int = 300) -> list[str]:
    """Create the measure indexes that do not exist yet (:data:`graph.neo4j.cypher.MEASURE_INDEXES`) and wait
    until they are online; their names. Idempotent (``IF NOT EXISTS``); each schema command is its own
    transaction, as Neo4j requires."""
    with drv.session(database=database) as session:
        for _, ddl in MEASURE_INDEXES:
            session.run(ddl).consume()
        session.run(AWAIT_INDEXES, seconds=wait_seconds).consume()
    return [name for name, _ in MEASURE_INDEXES]


def write_measures(
    drv: neo4j.Driver,
    dataset: str,
    results: Mapping[str, Scores],
    ids: Iterable[str],
    *,
    database: str | None = None,
    files_hash: str | None = None,
    scope: Iterable[str] = (),
    chunk_size: int = DEFAULT_CHUNK,
    progress: Callable[[int, int], None] | None = None,
) -> WriteReport:
    """Store ``results`` (``{measure name: Scores}``) on the entities ``ids`` of ``dataset`` (every entity of
    the files measured); see the module docstring for the rules. Measures stored before on the same
    files and not among ``results`` stay, each with the scope it was computed on.

    ``files_hash``: the digest of the files measured (kg.load_cmd.files_digest), which must be the one
    the dataset was loaded from (:class:`StaleDataset`); None skips that check. ``scope``: the scope in
    words (``Scope.describe()``), recorded with each measure written. ``progress(done, total)`` after
    each chunk. Raises :class:`MeasuresError` when the dataset is not in Neo4j or its last load did not
    finish; driver errors as they come.
    """
    names = [measure(name).name for name in results]
    report = WriteReport(dataset, names, [PROPERTIES[n] for n in names])
    began = time.perf_counter()
    ids = list(ids)
    # Before the rows: an index made on empty properties is filled as they are written, not in a pass after.
    ensure_measure_indexes(drv, database)
    with dataset_guard(drv, dataset, database):
        before = measures_state(drv, dataset, database)
        check_dataset(before, files_hash)
        kept = set(names)
        if files_hash is None or before.measures_files_hash == files_hash:
            kept |= set(before.measures)  # computed on these same files (or nobody says otherwise): kept
        report.cleared = sorted(PROPERTIES[m] for m in set(before.measures) - kept if m in PROPERTIES)
        rows = measure_rows(ids, results, clear=report.cleared)
        total = (len(ids) + chunk_size - 1) // chunk_size
        with drv.session(database=database) as session:
            chunk: list[dict] = []
            for row in rows:
                chunk.append(row)
                if len(chunk) == chunk_size:
                    report.written += _write_chunk(session, chunk, dataset)
                    report.chunks += 1
                    if progress:
                        progress(report.chunks, total)
                    chunk = []
            if chunk:
                report.written += _write_chunk(session, chunk, dataset)
                report.chunks += 1
                if progress:
                    progress(report.chunks, total)
            report.entities = len(ids)
            recorded = [m for m in MEASURES if m in kept]  # registry order
            now = "; ".join(scope)
            scopes = [now if m in names else before.scopes.get(m, "") for m in recorded]
            session.execute_write(
                lambda tx: tx.run(
                    MEASURES_RECORD, dataset=dataset, measures=recorded, scope=scopes, files_hash=files_hash
                ).consume()
            )
    report.seconds = time.perf_counter() - began
    return report


def _write_chunk(session: neo4j.Session, rows: list[dict], dataset: str) -> int:
    # execute_write retries a transient failure; SET is idempotent, so a retried chunk writes the same.
    return session.execute_write(lambda tx: tx.run(WRITE_MEASURES, rows=rows, dataset=dataset).single()["written"])
