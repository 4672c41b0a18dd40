"""The rows of a load as CSV files for Neo4j's offline importer (``neo4j-admin database import full``).

The importer reads the SAME rows the online writer writes (:mod:`graph.neo4j.mapping`): this module only
changes their encoding, so a bulk load and an online load end as the same graph (tests/test_neo4j_bulk.py
compares checksums of both).

Encoding, as the importer reads it (all tried on Neo4j 5.26):

* one data file of entities and one of relationships per writer, whatever their labels and types: a
  node's labels are a ``:LABEL`` column, a relationship's type a ``:TYPE`` column, and the file has a
  column for every property its rows have. Few files matter: before importing, the importer parses the
  first MiB of every file on one thread, to estimate the store's size (with a file per label and type,
  ~30 files at 1M relations, that took ~2.5 s of a ~19 s import, the other core idle). A column's type is
  fixed by its header (``name:long``, ``quotes:string[]``...), so rows whose value for a property has
  another type go to another file. The header is a file of its own, written once every column is known,
  and handed to the importer first (``--nodes=h.csv,d.csv`` reads as one file);
* a missing property is an empty unquoted field, or left off the end of its line; a string column of a
  batch of rows is quoted throughout when one of its strings needs it: a comma, a quote, a line break, a
  carriage return, or the empty string (``""`` is the empty string, kept as such:
  ``--ignore-empty-strings=false``); quotes are doubled, backslashes are plain characters;
* the importer's node IDs are numbers (``--id-type=integer``), the ``id`` property a column of its own;
* list elements are joined with U+001F (unit separator, ``--array-delimiter``), never seen in facts;
* dates as ``YYYY-MM-DD``, WGS-84 points as ``{longitude: x, latitude: y, crs: 'WGS-84'}``;
* a row with a line break inside a value goes to a file of its own (the same header), named in
  ``--multiline-fields``: slower parsing, so only for such rows.

What the importer cannot express -- an empty list, a list of one empty string (both would be an empty
field), an element holding U+001F, a float that is not finite, a type it has no column type for -- is
left out of the CSV and kept as a :class:`Fixup`, written with Cypher once the server is up
(:data:`FIXUP_NODES`). The mapping stores no empty list at all (a missing list reads as none), so the
common case has none. Such a row is imported with the hash :data:`PENDING` instead of its own: if the
bulk load dies before the fix-ups are written, the next ordinary ``kg load`` sees those rows as changed
and rewrites them whole.
"""

from __future__ import annotations

import ctypes
import dataclasses
import itertools
import math
import multiprocessing
import os
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


class _Unfit(Exception):
    """A property value the importer cannot hold."""


# --------------------------------------------------------------------------- column encoders
#
# A batch of rows of one shape (the same property names, each value of the same exact type) is encoded a
# column at a time: each encoder takes one property's values in the batch and gives their CSV fields, or
# raises _Unfit (or the TypeError of a join) when one of them cannot be imported. Whole columns through
# C-level map and join are about twice as fast as a row at a time through the csv module (measured at 100k
# relation rows: 1.30 s -> 0.63 s). What is unfit is rare: its batch is then written row by row, a batch
# of one each, and only the unfit rows become fix-ups. encode() applies the same rule to one value.

_BOOLEANS = {True: "true", False: "false"}
_CSV_SPECIAL = ('"', ",", "\n", "\r")


def _strings(values: tuple) -> Any:
    """Strings, every one quoted when one of them needs it: a comma, a quote, a line break, a carriage return
    (which the importer would take for a line end), or the empty string (an empty unquoted field is a missing
    property; ``""`` is the empty string, with --ignore-empty-strings=false)."""
    text = "".join(values)  # TypeError for anything but strings
    if "" in values or any(map(text.__contains__, _CSV_SPECIAL)):
        return ['"' + v.replace('"', '""') + '"' for v in values]
    return values


def _string_lists(values: tuple) -> Any:
    joined = list(map(ARRAY_DELIMITER.join, values))
    # [] or [""] would be an empty field; an element holding the delimiter would split in two.
    if "" in joined or "".join(joined).count(ARRAY_DELIMITER) != sum(map(len, values)) - len(values):
        raise _Unfit
    return _strings(joined)


def _longs(values: tuple) -> Any:
    if min(values) < LONG_MIN or max(values) > LONG_MAX:
        raise _Unfit
    return list(map(str, values))


def _doubles(values: tuple) -> Any:
    if not all(map(math.isfinite, values)):
        raise _Unfit
    return list(map(repr, values))


def _node_ids(values: tuple) -> Any:
    return values  # the importer's node numbers, already as text


def _booleans(values: tuple) -> Any:
    return list(map(_BOOLEANS.__getitem__, values))


class _Texts(dict):
    """value -> its CSV text, made once by ``make``: a million facts hold a few thousand distinct days and a
    few distinct credibility lists ([2], [3], [2, 3]...). Looked up through ``map``, all in C."""

    def __init__(self, make: Callable[[Any], str]):
        super().__init__()
        self.make = make

    def __missing__(self, value: Any) -> str:
        if len(self) >= 1 << 16:
            self.clear()
        text = self[value] = self.make(value)
        return text


_DAY_TEXTS = _Texts(date.isoformat)


def _days(values: tuple) -> Any:
    return list(map(_DAY_TEXTS.__getitem__, values))


def _moments(values: tuple) -> Any:
    if any(v.tzinfo is None for v in values):
        raise _Unfit  # a time without a zone: left to Cypher, which keeps it as it is
    return list(map(datetime.isoformat, values))


def _points(values: tuple) -> Any:
    if any(len(v) != 2 for v in values) or not all(map(math.isfinite, itertools.chain.from_iterable(values))):
        raise _Unfit
    return [f"\"{{longitude: {v[0]!r}, latitude: {v[1]!r}, crs: 'WGS-84'}}\"" for v in values]


def _element_lists(element: type, check: Callable[[tuple], Any]) -> Callable[[tuple], Any]:
    """Lists of numbers or booleans: the elements are checked all at once, then each list's text made once."""
    fmt = _BOOLEANS.__getitem__ if element is bool else repr if element is float else str
    # One per element type: True == 1, but [True] is no [1].
    texts = _Texts(lambda key: ARRAY_DELIMITER.join(map(fmt, key)))

    def lists(values: tuple) -> Any:
        items = tuple(itertools.chain.from_iterable(values))
        if not all(values) or set(map(type, items)) != {element}:
            raise _Unfit  # an empty list, or an element of another type (True is no long)
        check(items)  # the elements' own rule: range, finiteness
        return list(map(texts.__getitem__, map(tuple, values)))

    return lists


# The column type and encoder of a value of each type, and of a list by its first element's type.
_COLUMNS: dict[type, tuple[str, Callable[[tuple], Any]]] = {
    str: ("string", _strings),
    bool: ("boolean", _booleans),
    int: ("long", _longs),
    float: ("double", _doubles),
    date: ("date", _days),
    datetime: ("datetime", _moments),
    WGS84Point: ("point", _points),
}
_LISTS: dict[type, tuple[str, Callable[[tuple], Any]]] = {
    str: ("string[]", _string_lists),
    bool: ("boolean[]", _element_lists(bool, _booleans)),
    int: ("long[]", _element_lists(int, _longs)),
    float: ("double[]", _element_lists(float, _doubles)),
}
_ENCODING_ERRORS = (_Unfit, TypeError, AttributeError, KeyError)


def _column(value: Any) -> tuple[str, Callable[[tuple], Any]] | None:
    """The column type and encoder for ``value``'s type, or None when the importer has none."""
    if type(value) is list:
        return _LISTS.get(type(value[0])) if value else None
    return _COLUMNS.get(type(value))


def encode(value: Any) -> tuple[str, str] | None:
    r'''``(column type, CSV field)`` for a property value, or None when the importer cannot hold it exactly.

    >>> print(*encode('Al-Bukamal, "the gate"'))
    string "Al-Bukamal, ""the gate"""
    >>> encode(3), encode(2.5), encode(True), encode(date(2021, 2, 1))
    (('long', '3'), ('double', '2.5'), ('boolean', 'true'), ('date', '2021-02-01'))
    >>> encode([1]), encode([True]), encode([1.0])  # each list encoder keeps its own texts: True == 1 == 1.0
    (('long[]', '1'), ('boolean[]', 'true'), ('double[]', '1.0'))
    >>> encode(["a", ""]), encode([1, 2]), encode("")
    (('string[]', 'a\x1f'), ('long[]', '1\x1f2'), ('string', '""'))
    >>> encode([]), encode([""]), encode(["a\x1fb"]), encode([1, True]), encode(float("nan")), encode(2**70)
    (None, None, None, None, None, None)
    '''
    column = _column(value)
    if column is None:
        return None
    try:
        (text,) = column[1]((value,))
    except _ENCODING_ERRORS:
        return None
    return column[0], text


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
    # "header.csv,data.csv" (the importer reads the two as one file); labels and types are columns
    nodes: list[str] = field(default_factory=list)
    relationships: list[str] = field(default_factory=list)
    multiline: list[str] = field(default_factory=list)
    fixups: list[Fixup] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    keys: dict[str, list[str]] = field(default_factory=lambda: {kind: [] for kind in KINDS})
    bytes: int = 0
    longest: int = 0  # characters of the longest line

    def importer_args(self) -> list[str]:
        """The importer's input options; file names are relative to :attr:`folder` (run it there).

        Relative names keep the data folder's path out of them: the importer reads a file name that does
        not exist as a regular expression.
        """
        args = [f"--nodes={names}" for names in self.nodes]
        args += [f"--relationships={names}" for names in self.relationships]
        args += [
            f"--array-delimiter={IMPORTER_ARRAY_DELIMITER}",
            "--id-type=integer",
            "--ignore-empty-strings=false",
            "--trim-strings=false",
            "--legacy-style-quoting=false",
            "--bad-tolerance=0",
            f"--read-buffer-size={self.read_buffer()}",
            # Its default is a thread per core; two more keep its stages busy while others wait for
            # input or for each other (measured on two cores: relationships 20% quicker, less CPU).
            f"--threads={(os.cpu_count() or 1) + 2}",
        ]
        if self.multiline:
            args += ["--multiline-fields-format=v2", "--multiline-fields=" + ",".join(self.multiline)]
        return args

    def read_buffer(self) -> int:
        """Bytes the importer reads a file by: 1 MiB, or more for a longer line (a line must fit in one).
        Less than its 4 MiB default: before importing it parses a buffer of every file, on one thread, to
        estimate the store.

        >>> ImportFiles(Path()).read_buffer(), ImportFiles(Path(), longest=600_000).read_buffer()
        (1048576, 2400256)
        """
        return max(READ_BUFFER, (self.longest * 4 + 4096) // 4096 * 4096)  # 4: UTF-8 bytes of a character at most

    def merge(self, other: ImportFiles, keep: int | None) -> None:
        """Add what another writer (a shard) wrote."""
        self.longest = max(self.longest, other.longest)
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
_FLUSH_ROWS = 4096  # rows of one shape encoded together
_PENDING_ROWS = 65536  # rows waiting in all shapes together: past it, every shape's are written
READ_BUFFER = 1 << 20


@dataclass
class _File:
    """One data file (of nodes of an ID space, or of relationships) and the columns its header will name."""

    kind: str
    name: str
    header: str  # the header's own file, written by close()
    handle: Any
    ids: tuple[str, ...]  # the ID columns' headers, first
    columns: dict[str, str] = field(default_factory=dict)  # property name -> column type, in column order
    # Where this file's rows with a line break inside a value go: the same columns (the same dict), read with
    # multiline fields, which the importer parses more slowly; made when the first such row comes.
    twin: _File | None = None


@dataclass
class _Plan:
    """Rows of one shape (kind, ID columns, property names, value types): their file (which knows the kind),
    an encoder per value (the ID columns' first), and for each column of the file which encoded value fills
    it (-1: the row has no such property). Holds the rows not written yet, as tuples of their values."""

    ids: tuple[str, ...]
    names: tuple[str, ...]
    file: _File
    encoders: list[Callable[[tuple], Any]]
    order: list[int]
    rows: list[tuple] = field(default_factory=list)


class _Writer:
    """CSV files for one writer (the whole load, or one shard of it): one per ID space for nodes and one for
    relationships, or more when rows give a property values of different types.

    Rows wait by shape and are encoded a batch at a time, a column at a time (see the column encoders). A
    property a row does not have is an empty unquoted field, or left off the end of its line. A row holding a
    value the importer cannot hold is written without it, with hash PENDING, and the value kept as a
    :class:`Fixup`.
    """

    def __init__(self, folder: Path, prefix: str, result: ImportFiles):
        self.folder, self.prefix, self.result = folder, prefix, result
        self.plans: dict[tuple, _Plan] = {}
        self.groups: dict[tuple, list[_File]] = {}
        self.files: list[_File] = []
        self.pending = 0

    def row(self, kind: str, ids: tuple[str, ...], id_values: list[str], props: dict[str, Any]) -> None:
        """Write one row: ``ids`` are the ID columns' headers (:data:`_NODE_IDS`, :data:`_RELATION_IDS`),
        ``id_values`` their values (the importer's numbers as text, then the labels or the type), then
        ``props``."""
        values = props.values()
        types = tuple(map(type, values))
        if _NONE in types:  # the mapping leaves None out; should it ever not, so does the importer
            props = {k: v for k, v in props.items() if v is not None}
            values = props.values()
            types = tuple(map(type, values))
        shape = (kind, ids, tuple(props), types)
        plan = self.plans.get(shape)
        if plan is None:
            plan = self._plan(kind, ids, props)
            if plan is None:  # a value of a type the importer has no column for
                self._unfit(kind, ids, id_values, props)
                return
            self.plans[shape] = plan
        plan.rows.append((*id_values, *values))
        self.pending += 1
        if len(plan.rows) >= _FLUSH_ROWS:
            self._flush(plan)
        elif self.pending >= _PENDING_ROWS:
            self._flush_all()

    def _plan(self, kind: str, ids: tuple[str, ...], props: dict[str, Any]) -> _Plan | None:
        columns = list(map(_column, props.values()))
        if None in columns:
            return None
        types = {name: column[0] for name, column in zip(props, columns, strict=True)}
        files = self.groups.setdefault((kind, ids), [])
        f = next((f for f in files if all(f.columns.get(k, v) == v for k, v in types.items())), None)
        if f is None:
            f = self._open(kind, ids)
            files.append(f)
        for name, column_type in types.items():
            f.columns.setdefault(name, column_type)
        names = tuple(props)
        order = [*range(len(ids)), *(len(ids) + names.index(c) if c in props else -1 for c in f.columns)]
        while order[-1] == -1:  # properties the row lacks at the end of the line: left off
            order.pop()
        encoders = [_node_ids] * len(ids) + [column[1] for column in columns]
        return _Plan(ids, names, f, encoders, order)

    def _open(self, kind: str, ids: tuple[str, ...], columns: dict[str, str] | None = None) -> _File:
        stem = f"{self.prefix}{'n' if kind == 'nodes' else 'r'}{len(self.files):04d}"
        name, header = f"{stem}.csv", f"{stem}-header.csv"
        handle = open(self.folder / name, "w", encoding="utf-8", newline="")  # noqa: SIM115 (closed in close)
        f = _File(kind, name, header, handle, ids, {} if columns is None else columns)
        self.files.append(f)
        (self.result.nodes if kind == "nodes" else self.result.relationships).append(f"{header},{name}")
        return f

    def _twin(self, f: _File) -> _File:
        if f.twin is None:
            f.twin = self._open(f.kind, f.ids, f.columns)
            self.result.multiline.append(f.twin.name)
        return f.twin

    def _flush_all(self) -> None:
        # Until none waits: a row left unfit is written again without what is unfit, as another shape.
        while waiting := [plan for plan in self.plans.values() if plan.rows]:
            for plan in waiting:
                self._flush(plan)

    def _flush(self, plan: _Plan) -> None:
        rows, plan.rows = plan.rows, []
        self.pending -= len(rows)
        try:
            self._put(plan, rows, _encode(plan, rows))
        except _ENCODING_ERRORS:  # a value in the batch the importer cannot hold: find it, one row at a time
            for row in rows:
                try:
                    self._put(plan, [row], _encode(plan, [row]))
                except _ENCODING_ERRORS:
                    n = len(plan.ids)
                    props = dict(zip(plan.names, row[n:], strict=True))
                    self._unfit(plan.file.kind, plan.ids, list(row[:n]), props)

    def _put(self, plan: _Plan, rows: list[tuple], text: str) -> None:
        """Write encoded rows; a row with a line break inside a value (more lines than rows, or a CR) goes to
        the file's twin, so that only such rows are parsed as multiline fields."""
        if text.count("\n") == len(rows) and "\r" not in text:
            self._write(plan.file, text)
        elif len(rows) == 1:
            self._write(self._twin(plan.file), text)
        else:
            for row in rows:
                self._put(plan, [row], _encode(plan, [row]))

    def _unfit(self, kind: str, ids: tuple[str, ...], id_values: list, props: dict[str, Any]) -> None:
        """Write the row without what the importer cannot hold, which becomes a fix-up."""
        group = id_values[-1].replace(ARRAY_DELIMITER, ":")  # the labels or the type
        if props.get(HASH) == PENDING:
            raise ValueError(f"a {group} row cannot be imported even without its unfit values: {props!r}")
        if kind == "nodes":
            space = ids[0][len(":ID(") : -1]
            if space not in NODE_KINDS:
                raise ValueError(f"a {space} node with a value the importer cannot hold: {props!r}")
            fixup = Fixup(kind, space, {"id": props["id"]}, {})
        else:
            fixup = Fixup(kind, group, {"from": _IDS[int(id_values[0])], "to": _IDS[int(id_values[1])]}, {})
        now, fixup.props = _split(props)
        self.result.fixups.append(fixup)
        self.row(kind, ids, id_values, now)

    def _write(self, f: _File, text: str) -> None:
        if len(text) > self.result.longest:  # else no line can be longer
            self.result.longest = max(self.result.longest, *map(len, text.split("\n")))
        f.handle.write(text)

    def close(self) -> None:
        try:
            self._flush_all()
        finally:
            for f in self.files:
                f.handle.close()
        for f in self.files:
            # Names and types from the registry and the mapping: nothing to quote.
            (self.folder / f.header).write_text(
                ",".join([*f.ids, *(f"{k}:{v}" for k, v in f.columns.items())]) + "\n", encoding="utf-8"
            )
            self.result.bytes += (self.folder / f.name).stat().st_size


def _encode(plan: _Plan, rows: list[tuple]) -> str:
    """The lines of ``rows`` (of ``plan``'s shape), encoded a column at a time."""
    fields = [encoder(values) for encoder, values in zip(plan.encoders, zip(*rows, strict=True), strict=True)]
    missing = ("",) * len(rows)
    columns = [fields[i] if i >= 0 else missing for i in plan.order]
    return "\n".join(map(",".join, zip(*columns, strict=True))) + "\n"


def _split(props: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """``props`` as (what the CSV holds, fix-ups); a row with fix-ups is imported with hash PENDING."""
    later = {k: v for k, v in props.items() if v is not None and encode(v) is None}
    now = {k: v for k, v in props.items() if k not in later}
    later[HASH] = props[HASH]
    now[HASH] = PENDING
    return now, later


# The importer's node IDs are numbers (--id-type=integer: its ID map is several times cheaper than for
# strings): an entity's is its place among the source's entity ids (the same in every shard), and the `id`
# property is an ordinary column. A source's or the dataset node's is its place among its own, which no
# relationship refers to.
_NODE_IDS = {space: (f":ID({space})", ":LABEL") for space in (ENTITY_SPACE, SOURCE_SPACE, DATASET_SPACE)}
_RELATION_IDS = (f":START_ID({ENTITY_SPACE})", f":END_ID({ENTITY_SPACE})", ":TYPE")
# Set before the worker processes fork: entity id -> its node ID (as its CSV text: a million relationships
# need two each), and the ids in node ID order.
_NUMBERS: dict[str, str] = {}
_IDS: list[str] = []


def _write_nodes(out: _Writer, source: RowSource, result: ImportFiles, keep: int | None, sources: bool = True) -> None:
    def node(kind: str, labels: str, space: str, number: str, row: dict) -> None:
        out.row("nodes", _NODE_IDS[space], [number, labels], row["props"])
        result.counts[kind] += 1
        if keep is None or len(result.keys[kind]) < keep:
            result.keys[kind].append(row["id"])

    if sources:
        for number, row in enumerate(source.sources()):
            node("sources", SOURCE_LABEL, SOURCE_SPACE, str(number), row)
    for label, row in source.entities():
        labels = f"{ENTITY_SPACE}{ARRAY_DELIMITER}{check_label(label)}"  # from the registry: nothing to quote
        node("entities", labels, ENTITY_SPACE, _NUMBERS[row["id"]], row)


def _write_relations(out: _Writer, source: RowSource, result: ImportFiles, keep: int | None) -> None:
    keys = result.keys["relations"]
    numbers = _NUMBERS
    n = 0
    for rtype, row in source.relations():
        check_type(rtype)
        try:
            ends = [numbers[row["from"]], numbers[row["to"]], rtype]
        except KeyError as exc:  # validation rules it out; the importer would refuse the whole import
            raise ValueError(f"a {rtype} relation refers to entity {exc.args[0]!r}, which is not loaded") from None
        out.row("relations", _RELATION_IDS, ends, row["props"])
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
    entities, edges = _deal(facts.entities, n), _deal(facts.edges, n)
    return [
        FactRows(dataclasses.replace(facts, entities=entities[i], edges=edges[i]), source.dataset) for i in range(n)
    ]


def _deal(items: dict[Any, Any], n: int) -> list[dict[Any, Any]]:
    """``items`` (entities or edges) dealt round-robin into ``n`` parts: every part gets its share of each type
    (types differ in cost: an entity's names, a relation's attributes), so the writers end together. A
    writer's file count does not depend on its types (labels and types are columns).

    >>> [sorted(p) for p in _deal({i: None for i in range(7)}, 2)]
    [[0, 2, 4, 6], [1, 3, 5]]
    """
    return [dict(itertools.islice(items.items(), i, None, n)) for i in range(n)]


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
    :class:`~graph.neo4j.mapping.FactRows` into that many shards, the first written here and the others in
    forked processes: computing the rows is most of the time, and it is pure Python (one core each). This
    process takes a shard rather than waiting: a page of the facts that both it and a child touch (reference
    counts are writes) is then copied once, not once per child (measured at 1M relations on two cores:
    22.2 s -> 19.4 s, the system time 4.7 s -> 1.2 s).

    >>> import tempfile
    >>> class Rows:
    ...     dataset = "d"
    ...
    ...     def sources(self):
    ...         yield {"id": "s1", "props": {"id": "s1", "title": "A, B", "hash": "h0", "dataset": "d"}}
    ...
    ...     def entities(self):
    ...         yield "Person", {"id": "p", "props": {"id": "p", "aliases": [], "hash": "h1", "dataset": "d"}}
    ...         yield "Person", {"id": "q", "props": {"id": "q", "name": "", "hash": "h2", "dataset": "d"}}
    ...
    ...     def entity_ids(self):
    ...         return ["p", "q"]
    ...
    ...     def relations(self):
    ...         return iter(())
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     files = write_import_files(Rows(), tmp)
    ...     for names in files.nodes:  # (U+001F, between labels, shown as |)
    ...         text = "".join(open(Path(tmp) / name).read() for name in names.split(","))
    ...         print(text.replace(ARRAY_DELIMITER, "|"), end="")
    :ID(Source),:LABEL,id:string,title:string,hash:string,dataset:string
    0,Source,s1,"A, B",h0,d
    :ID(Entity),:LABEL,id:string,hash:string,dataset:string,name:string
    0,Entity|Person,p,pending-bulk-fixup,d
    1,Entity|Person,q,h2,d,""
    >>> files.nodes[1], files.fixups[0].props, files.counts
    ('n0001-header.csv,n0001.csv', {'aliases': [], 'hash': 'h1'}, {'sources': 1, 'entities': 2, 'relations': 0})
    """
    folder = Path(folder)
    result = ImportFiles(folder)
    _IDS[:] = source.entity_ids()
    _NUMBERS.clear()
    _NUMBERS.update(zip(_IDS, map(str, range(len(_IDS))), strict=True))
    shards = _shards(source, workers)
    pool = None
    futures = []
    if shards:
        _SHARDS[:] = shards
        pool = ProcessPoolExecutor(
            len(shards) - 1, mp_context=multiprocessing.get_context("fork"), initializer=die_with_parent
        )
        futures = [pool.submit(_write_shard, i, str(folder), keep) for i in range(1, len(shards))]
    try:
        out = _Writer(folder, "", result)
        try:
            if not shards:
                _write_nodes(out, source, result, keep)
                _write_relations(out, source, result, keep)
            if dataset_node is not None:
                out.row("nodes", _NODE_IDS[DATASET_SPACE], ["0", DATASET_SPACE], dataset_node)
        finally:
            out.close()
        if shards:
            result.merge(_write_shard(0, str(folder), keep), keep)
        for future in futures:
            result.merge(future.result(), keep)
    finally:
        _SHARDS.clear()
        _NUMBERS.clear()
        _IDS.clear()
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
