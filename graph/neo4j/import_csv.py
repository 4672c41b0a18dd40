"""The rows of a load as CSV files for Neo4j's offline importer (``neo4j-admin database import full``).

The importer reads the SAME rows the online writer writes (:mod:`graph.neo4j.mapping`): this module only
changes their encoding, so a bulk load and an online load end as the same graph (tests/test_neo4j_bulk.py
compares checksums of both).

Encoding, as the importer reads it (all tried on Neo4j 5.26):

* one file per (label or relationship type, property signature): a column's type is fixed by its header
  (``name:long``, ``quotes:string[]``...), so rows whose properties differ in name or type go to different
  files; each file starts with its header;
* a missing property is an empty unquoted field; every string is quoted (``""`` is the empty string, kept
  as such: ``--ignore-empty-strings=false``); quotes are doubled, backslashes are plain characters;
* list elements are joined with U+001F (unit separator, ``--array-delimiter``), never seen in facts;
* dates as ``YYYY-MM-DD``, WGS-84 points as ``{longitude: x, latitude: y, crs: 'WGS-84'}``;
* a file holding a line break inside a value is named in ``--multiline-fields`` (slower parsing, so only
  where needed).

What the importer cannot express -- an empty list, a list of one empty string (both would be an empty
field), an element holding U+001F, a float that is not finite, a type it has no column type for -- is
left out of the CSV and kept as a :class:`Fixup`, written with Cypher once the server is up
(:data:`FIXUP_NODES`). The mapping stores no empty list at all (a missing list reads as none), so the
common case has none. Such a row is imported with the hash :data:`PENDING` instead of its own: if the
bulk load dies before the fix-ups are written, the next ordinary ``kg load`` sees those rows as changed
and rewrites them whole.
"""

from __future__ import annotations

import csv
import ctypes
import dataclasses
import io
import math
import multiprocessing
import signal
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from neo4j.spatial import WGS84Point

from ..facts import edge_id
from .mapping import HASH, SOURCE_LABEL, FactRows, RowSource, check_label, check_type

ARRAY_DELIMITER = "\x1f"
IMPORTER_ARRAY_DELIMITER = "U+001F"  # how the importer's --array-delimiter takes it
# Imported in place of the hash of a row whose fix-ups are still to be written: never a real digest.
PENDING = "pending-bulk-fixup"
ENTITY_SPACE, SOURCE_SPACE, DATASET_SPACE = "Entity", SOURCE_LABEL, "Dataset"
NODE_KINDS = (ENTITY_SPACE, SOURCE_SPACE)  # what fix-ups MATCH nodes by (each has a uniqueness constraint on id)
LONG_MIN, LONG_MAX = -(2**63), 2**63 - 1

# Fix-ups once the import is in and the constraints exist: `+=` keeps what the importer wrote.
FIXUP_NODES = """UNWIND $rows AS row
MATCH (n:{label} {{id: row.id}})
SET n += row.props"""

FIXUP_RELATIONS = """UNWIND $rows AS row
MATCH (a:Entity {{id: row.from}})-[r:{type}]->(b:Entity {{id: row.to}})
SET r += row.props"""


def _text(value: str) -> str:
    return '"' + value.replace('"', '""') + '"'


def _plain(value: Any) -> str:
    return str(value)


def _number(value: float) -> str:
    return repr(value)


def _boolean(value: bool) -> str:
    return "true" if value else "false"


def _day(value: date) -> str:
    return value.isoformat()


def _point(value: WGS84Point) -> str:
    return f"\"{{longitude: {value[0]!r}, latitude: {value[1]!r}, crs: 'WGS-84'}}\""


def _moment(value: datetime) -> str:
    return value.isoformat()


_SCALARS: dict[type, tuple[str, Callable[[Any], str]]] = {
    str: ("string", _text),
    bool: ("boolean", _boolean),
    int: ("long", _plain),
    float: ("double", _number),
    date: ("date", _day),
}
_ELEMENTS: dict[type, tuple[str, Callable[[Any], str]]] = {
    str: ("string[]", str),
    bool: ("boolean[]", _boolean),
    int: ("long[]", str),
    float: ("double[]", repr),
}


def encode(value: Any) -> tuple[str, str] | None:
    r'''``(column type, CSV field)`` for a property value, or None when the importer cannot hold it exactly.

    >>> print(*encode('Al-Bukamal, "the gate"'))
    string "Al-Bukamal, ""the gate"""
    >>> encode(3), encode(2.5), encode(True), encode(date(2021, 2, 1))
    (('long', '3'), ('double', '2.5'), ('boolean', 'true'), ('date', '2021-02-01'))
    >>> encode(["a", ""]), encode([1, 2])
    (('string[]', '"a\x1f"'), ('long[]', '"1\x1f2"'))
    >>> encode([]), encode([""]), encode(float("nan")), encode(2**70)
    (None, None, None, None)
    '''
    kind = type(value)
    scalar = _SCALARS.get(kind)
    if scalar is not None:
        if kind is int and not LONG_MIN <= value <= LONG_MAX:
            return None
        if kind is float and not math.isfinite(value):
            return None
        return scalar[0], scalar[1](value)
    if kind is list:
        if not value:
            return None
        first = type(value[0])
        element = _ELEMENTS.get(first)
        if element is None or any(type(v) is not first for v in value):
            return None
        if first is str:
            joined = ARRAY_DELIMITER.join(value)
            if joined == "" or joined.count(ARRAY_DELIMITER) != len(value) - 1:
                return None  # [""], or an element holding the delimiter
            return element[0], _text(joined)
        if first is float and not all(math.isfinite(v) for v in value):
            return None
        if first is int and not all(LONG_MIN <= v <= LONG_MAX for v in value):
            return None
        return element[0], '"' + ARRAY_DELIMITER.join(map(element[1], value)) + '"'
    if kind is WGS84Point and len(value) == 2 and all(math.isfinite(c) for c in value):
        return "point", _point(value)
    if kind is datetime and value.tzinfo is not None:
        return "datetime", _text(_moment(value))
    return None


@dataclass
class Fixup:
    """Properties of one imported row that the importer could not hold: written with Cypher afterwards."""

    kind: str  # "nodes" or "relations"
    group: str  # nodes: "Entity" or "Source"; relations: the relationship type
    key: dict[str, str]  # {"id"} or {"from", "to"}
    props: dict[str, Any]


@dataclass
class ImportFiles:
    """What :func:`write_import_files` wrote: importer arguments, fix-ups, counts, sizes and the first keys."""

    folder: Path
    nodes: list[tuple[str, str]] = field(default_factory=list)  # (labels, file name)
    relationships: list[tuple[str, str]] = field(default_factory=list)  # (type, file name)
    multiline: list[str] = field(default_factory=list)
    fixups: list[Fixup] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    keys: dict[str, list[str]] = field(default_factory=lambda: {kind: [] for kind in KINDS})
    bytes: int = 0

    def importer_args(self) -> list[str]:
        """The importer's input options; file names are relative to :attr:`folder` (run it there).

        Relative names keep the data folder's path out of them: the importer reads a file name that does
        not exist as a regular expression.
        """
        args = [f"--nodes={labels}={name}" for labels, name in self.nodes]
        args += [f"--relationships={rtype}={name}" for rtype, name in self.relationships]
        args += [
            f"--array-delimiter={IMPORTER_ARRAY_DELIMITER}",
            "--id-type=string",
            "--ignore-empty-strings=false",
            "--trim-strings=false",
            "--legacy-style-quoting=false",
            "--bad-tolerance=0",
        ]
        if self.multiline:
            args += ["--multiline-fields-format=v2", "--multiline-fields=" + ",".join(self.multiline)]
        return args

    def merge(self, other: ImportFiles, keep: int | None) -> None:
        """Add what another writer (a shard) wrote."""
        self.nodes += other.nodes
        self.relationships += other.relationships
        self.multiline += other.multiline
        self.fixups += other.fixups
        self.bytes += other.bytes
        for kind in KINDS:
            self.counts[kind] += other.counts[kind]
            room = None if keep is None else max(0, keep - len(self.keys[kind]))
            self.keys[kind] += other.keys[kind][:room]


KINDS = ("sources", "entities", "relations")
_NONE = type(None)
_FLUSH_ROWS = 4096


class _Unfit(Exception):
    """A property value the importer cannot hold."""


def _list_converter(element: type) -> Callable[[Any], str]:
    if element is str:

        def strings(value: list) -> str:
            joined = ARRAY_DELIMITER.join(value)  # TypeError for a non-string element: caught as unfit
            if not joined or joined.count(ARRAY_DELIMITER) != len(value) - 1:
                raise _Unfit  # [] or [""] (an empty field), or an element holding the delimiter
            return joined

        return strings
    fmt = _ELEMENTS[element][1]

    def others(value: list) -> str:
        if not value or any(type(v) is not element for v in value):
            raise _Unfit
        if element is float and not all(math.isfinite(v) for v in value):
            raise _Unfit
        return ARRAY_DELIMITER.join(map(fmt, value))

    return others


def _finite(value: float) -> float:
    if not math.isfinite(value):
        raise _Unfit
    return value


def _unquoted(render: Callable[[Any], str]) -> Callable[[Any], str]:
    # csv quotes every field itself: the encoders' own quotes come off.
    return lambda value: render(value)[1:-1]


_CONVERTERS: dict[type, Callable[[Any], Any]] = {
    bool: _boolean,
    float: _finite,
    WGS84Point: _unquoted(_point),
    datetime: _moment,
}


@dataclass
class _Plan:
    """How rows of one shape (property names and value types) are written: their file and converters."""

    file: _File
    convert: list[tuple[int, Callable[[Any], Any]]]


def _plan_columns(props: dict[str, Any]) -> tuple[list[str], list[tuple[int, Callable[[Any], Any]]]]:
    """Header columns and converters for a row's properties; _Unfit if one of them cannot be imported."""
    header, convert = [], []
    for i, (name, value) in enumerate(props.items()):
        encoded = encode(value)
        if encoded is None:
            raise _Unfit
        header.append(f"{name}:{encoded[0]}")
        kind = type(value)
        if kind is list:
            convert.append((i, _list_converter(type(value[0]))))
        elif kind in _CONVERTERS:
            convert.append((i, _CONVERTERS[kind]))
    return header, convert


@dataclass
class _File:
    name: str
    handle: Any
    buffer: io.StringIO
    writer: Any
    pending: int = 0
    multiline: bool = False


class _Writer:
    """CSV files for one writer (the whole load, or one shard of it): one per (kind, group, shape).

    Every file holds rows of one shape, so no field is ever missing: csv quotes every field
    (QUOTE_ALL), and a quoted empty field is the empty string to the importer.
    """

    def __init__(self, folder: Path, prefix: str, result: ImportFiles):
        self.folder, self.prefix, self.result = folder, prefix, result
        self.plans: dict[tuple, _Plan] = {}
        self.files: list[_File] = []

    def row(self, kind: str, group: str, ids: tuple[str, ...], id_values: list[str], props: dict[str, Any]) -> None:
        """Write one row: ``ids`` are the ID columns' headers, ``id_values`` their values, then ``props``.

        Raises :class:`_Unfit` (nothing written) when a value cannot be imported.
        """
        types = tuple(map(type, props.values()))
        if _NONE in types:  # the mapping leaves None out; should it ever not, so does the importer
            props = {k: v for k, v in props.items() if v is not None}
            types = tuple(map(type, props.values()))
        shape = (kind, group, ids, tuple(props), types)
        plan = self.plans.get(shape)
        if plan is None:
            header, convert = _plan_columns(props)
            plan = self.plans[shape] = _Plan(self._open(kind, group, [*ids, *header]), convert)
        values = [*id_values, *props.values()]
        skip = len(id_values)
        try:
            for i, fn in plan.convert:
                values[skip + i] = fn(values[skip + i])
        except (TypeError, AttributeError):
            raise _Unfit from None
        f = plan.file
        f.writer.writerow(values)
        f.pending += 1
        if f.pending >= _FLUSH_ROWS:
            self._flush(f)

    def _open(self, kind: str, group: str, header: list[str]) -> _File:
        name = f"{self.prefix}{'n' if kind == 'nodes' else 'r'}{len(self.files):04d}.csv"
        handle = open(self.folder / name, "w", encoding="utf-8", newline="")  # noqa: SIM115 (closed in close)
        handle.write(",".join(header) + "\n")  # names and types from the registry: nothing to quote
        buffer = io.StringIO()
        f = _File(name, handle, buffer, csv.writer(buffer, quoting=csv.QUOTE_ALL, lineterminator="\n"))
        self.files.append(f)
        (self.result.nodes if kind == "nodes" else self.result.relationships).append((group, name))
        return f

    def _flush(self, f: _File) -> None:
        text = f.buffer.getvalue()
        # A line break inside a value shows as more lines than rows (or a CR): the importer must be told.
        if not f.multiline and (text.count("\n") != f.pending or "\r" in text):
            f.multiline = True
            self.result.multiline.append(f.name)
        f.handle.write(text)
        f.buffer.seek(0)
        f.buffer.truncate()
        f.pending = 0

    def close(self) -> None:
        for f in self.files:
            try:
                if f.pending:
                    self._flush(f)
            finally:
                f.handle.close()
            self.result.bytes += (self.folder / f.name).stat().st_size


def _split(props: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """``props`` as (what the CSV holds, fix-ups); a row with fix-ups is imported with hash PENDING."""
    later = {k: v for k, v in props.items() if v is not None and encode(v) is None}
    now = {k: v for k, v in props.items() if k not in later}
    later[HASH] = props[HASH]
    now[HASH] = PENDING
    return now, later


_NODE_IDS = {space: (f"id:ID({space})",) for space in (ENTITY_SPACE, SOURCE_SPACE)}
_RELATION_IDS = (f":START_ID({ENTITY_SPACE})", f":END_ID({ENTITY_SPACE})")


def _write_nodes(out: _Writer, source: RowSource, result: ImportFiles, keep: int | None, sources: bool = True) -> None:
    def node(kind: str, labels: str, space: str, row: dict) -> None:
        rid, props = row["id"], dict(row["props"])
        del props["id"]  # the ID column stores it as the property `id`
        try:
            out.row("nodes", labels, _NODE_IDS[space], [rid], props)
        except _Unfit:
            now, later = _split(props)
            out.row("nodes", labels, _NODE_IDS[space], [rid], now)
            result.fixups.append(Fixup("nodes", space, {"id": rid}, later))
        result.counts[kind] += 1
        if keep is None or len(result.keys[kind]) < keep:
            result.keys[kind].append(rid)

    if sources:
        for row in source.sources():
            node("sources", SOURCE_LABEL, SOURCE_SPACE, row)
    for label, row in source.entities():
        node("entities", f"{ENTITY_SPACE}:{check_label(label)}", ENTITY_SPACE, row)


def _write_relations(out: _Writer, source: RowSource, result: ImportFiles, keep: int | None) -> None:
    keys = result.keys["relations"]
    n = 0
    for rtype, row in source.relations():
        check_type(rtype)
        ends = [row["from"], row["to"]]
        try:
            out.row("relations", rtype, _RELATION_IDS, ends, row["props"])
        except _Unfit:
            now, later = _split(row["props"])
            out.row("relations", rtype, _RELATION_IDS, ends, now)
            result.fixups.append(Fixup("relations", rtype, {"from": row["from"], "to": row["to"]}, later))
        n += 1
        if keep is None or len(keys) < keep:
            keys.append(edge_id(row["from"], rtype, row["to"]))
    result.counts["relations"] += n


def _shards(source: RowSource, n: int) -> list[RowSource] | None:
    """``source`` as ``n`` row sources holding about equal shares of its entities and relations, when it can
    be split (a FactRows; every shard keeps all sources, which rows refer to, and the first writes them)."""
    facts = getattr(source, "facts", None)
    if n < 2 or not isinstance(source, FactRows) or facts is None or len(facts.edges) + len(facts.entities) < 100 * n:
        return None
    entities, edges = list(facts.entities.items()), list(facts.edges.items())

    def part(items: list, i: int) -> dict:
        size = -(-len(items) // n)
        return dict(items[i * size : (i + 1) * size])

    return [
        FactRows(dataclasses.replace(facts, entities=part(entities, i), edges=part(edges, i)), source.dataset)
        for i in range(n)
    ]


def die_with_parent() -> None:
    """Linux: have this process killed when the one that started it dies (a killed `kg load` leaves no writer
    behind to race its re-run); elsewhere nothing."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


_SHARDS: list[RowSource] = []  # set before the worker processes fork: they read their shard from here


def _write_shard(index: int, folder: str, keep: int | None) -> ImportFiles:
    result = ImportFiles(Path(folder))
    out = _Writer(Path(folder), f"s{index}-", result)
    try:
        _write_nodes(out, _SHARDS[index], result, keep, sources=index == 0)
        _write_relations(out, _SHARDS[index], result, keep)
    finally:
        out.close()
    return result


def write_import_files(
    source: RowSource,
    folder: str | Path,
    *,
    dataset_node: dict[str, Any] | None = None,
    keep: int | None = 20,
    workers: int = 1,
) -> ImportFiles:
    """Write ``source``'s rows into ``folder`` (existing, empty) as the importer's CSV files.

    ``dataset_node``: properties of a ``(:Dataset)`` node to import with them (the load state, see
    :mod:`graph.neo4j.writer`; its ``name`` is its ID). ``keep``: how many keys of each kind the result
    lists (None: all; relationship keys are :func:`graph.facts.edge_id`). ``workers`` > 1 splits a
    :class:`~graph.neo4j.mapping.FactRows` into that many forked processes: computing the rows is most of
    the time, and it is pure Python (one core each).

    >>> import tempfile
    >>> class Rows:
    ...     dataset = "d"
    ...     def sources(self):
    ...         yield {"id": "s1", "props": {"id": "s1", "title": "A, B", "hash": "h0", "dataset": "d"}}
    ...     def entities(self):
    ...         yield "Person", {"id": "p", "props": {"id": "p", "aliases": [], "hash": "h1", "dataset": "d"}}
    ...     def relations(self):
    ...         return iter(())
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     files = write_import_files(Rows(), tmp)
    ...     print(open(Path(tmp) / files.nodes[1][1]).read())
    id:ID(Entity),hash:string,dataset:string
    "p","pending-bulk-fixup","d"
    <BLANKLINE>
    >>> files.nodes, files.fixups[0].props, files.counts
    ([('Source', 'n0000.csv'), ('Entity:Person', 'n0001.csv')], {'aliases': [], 'hash': 'h1'}, \
{'sources': 1, 'entities': 1, 'relations': 0})
    """
    folder = Path(folder)
    result = ImportFiles(folder)
    shards = _shards(source, workers)
    pool = None
    futures = []
    if shards:
        _SHARDS[:] = shards
        pool = ProcessPoolExecutor(
            len(shards), mp_context=multiprocessing.get_context("fork"), initializer=die_with_parent
        )
        futures = [pool.submit(_write_shard, i, str(folder), keep) for i in range(len(shards))]
    try:
        out = _Writer(folder, "", result)
        try:
            if not shards:
                _write_nodes(out, source, result, keep)
                _write_relations(out, source, result, keep)
            if dataset_node is not None:
                out.row("nodes", "Dataset", (f":ID({DATASET_SPACE})",), [dataset_node["name"]], dataset_node)
        finally:
            out.close()
        for future in futures:
            result.merge(future.result(), keep)
    finally:
        _SHARDS.clear()
        if pool is not None:
            pool.shutdown(cancel_futures=True)
    return result


def fixup_batches(fixups: list[Fixup], size: int) -> Iterator[tuple[str, list[dict]]]:
    """``(cypher, rows)`` for the fix-ups, grouped by kind and label or type, ``size`` rows at a time.

    >>> list(fixup_batches([Fixup("nodes", "Entity", {"id": "p"}, {"aliases": []})], 10))[0][1]
    [{'id': 'p', 'props': {'aliases': []}}]
    """
    groups: dict[tuple[str, str], list[dict]] = {}
    for f in fixups:
        groups.setdefault((f.kind, f.group), []).append({**f.key, "props": f.props})
    for (kind, group), rows in groups.items():
        if kind == "nodes":
            if group not in NODE_KINDS:
                raise ValueError(f"fix-ups of {group!r} nodes: only {', '.join(NODE_KINDS)}")
            cypher = FIXUP_NODES.format(label=group)
        else:
            cypher = FIXUP_RELATIONS.format(type=check_type(group))
        for i in range(0, len(rows), size):
            yield cypher, rows[i : i + size]


__all__ = [
    "ARRAY_DELIMITER",
    "FIXUP_NODES",
    "FIXUP_RELATIONS",
    "Fixup",
    "ImportFiles",
    "PENDING",
    "die_with_parent",
    "encode",
    "fixup_batches",
    "write_import_files",
]
