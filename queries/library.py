"""The analysts' Cypher library: ``queries/*.cypher``, their headers, and running them read-only.

Each file is one named query. It starts with a header of ``//`` comment lines::

    // name: leaders
    // answers: Who leads a group?
    // param: group (entity) — id, name or alias of the group
    // param: limit (integer, default 200) — at most this many rows
    // example: kg query leaders -p group="Fog 47"
    // Any other comment line is a note, shown by `kg query --list`.

``name`` must be the file's stem; ``answers`` is the question it answers;
there is one ``param`` line per parameter and at least one ``example``.
A parameter is ``NAME (KIND[ LO..HI][, default VALUE][, optional]) — description``
with KIND one of:

* ``entity``: an id, name or alias (case, accents and punctuation ignored),
  resolved to the entity's id before the query runs: the Cypher sees an id;
* ``source``: a source id, checked to exist;
* ``text``: any string; the Cypher also gets ``$<name>_key``, its name key
  (:func:`graph.names.name_key`), for exact lookups in the ``entity_keys`` index;
* ``integer`` (optionally bounded ``LO..HI``) and ``date`` (``YYYY``,
  ``YYYY-MM`` or ``YYYY-MM-DD``, passed as a Neo4j date: its first day).

Values only ever reach Neo4j as parameters, and every query runs in a READ
transaction: Neo4j itself refuses any write.
"""

from __future__ import annotations

import difflib
import re
import time
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping

import neo4j
from neo4j import exceptions as nx
from neo4j import graph as ng
from neo4j import spatial, time as ntime

from graph.dates import first_day
from graph.names import name_key

QUERIES_DIR = Path(__file__).resolve().parent
KINDS = ("entity", "source", "text", "integer", "date")
MAX_CHOICES = 8  # candidates listed when a name is ambiguous

_HEADER = re.compile(r"^//\s?(?:(name|answers|param|example):\s*(.*?)\s*$|(.*)$)")
_PARAM = re.compile(r"^(?P<name>[a-z][a-z0-9_]*)\s*\((?P<spec>[^)]*)\)\s*(?:[—–-]+\s*(?P<description>.*))?$")
_KIND = re.compile(r"^(?P<kind>[a-z]+)(?:\s+(?P<lo>-?\d+)\.\.(?P<hi>-?\d+))?$")
_USED = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")


class QueryError(Exception):
    """A query that cannot run as asked; the message is one line, fit for a CLI or an API."""


class LibraryError(QueryError):
    """A .cypher file of the library is malformed: ``FILE:LINE: message``."""


@dataclass(frozen=True)
class Param:
    name: str
    kind: str
    description: str = ""
    required: bool = True
    default: Any = None
    minimum: int | None = None
    maximum: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "type": self.kind, "default": self.default, "description": self.description,
                "required": self.required}

    def signature(self) -> str:
        bounds = f" {self.minimum}..{self.maximum}" if self.minimum is not None else ""
        extra = "" if self.required else (f", default {self.default}" if self.default is not None else ", optional")
        return f"{self.name} ({self.kind}{bounds}{extra})"


@dataclass(frozen=True)
class NamedQuery:
    name: str
    answers: str
    params: tuple[Param, ...]
    examples: tuple[str, ...]
    cypher: str  # the whole file, header included (comments are Cypher comments)
    notes: str = ""
    path: Path | None = field(default=None, compare=False)

    def param(self, name: str) -> Param | None:
        return next((p for p in self.params if p.name == name), None)

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "title": self.answers, "description": self.notes,
                "params": [p.as_dict() for p in self.params], "examples": list(self.examples)}


# --------------------------------------------------------------------------- parsing


def parse(text: str, path: Path | str = "<query>") -> NamedQuery:
    """A named query from the text of its .cypher file; :class:`LibraryError` if the header is wrong."""
    path = Path(path)
    fields: dict[str, str] = {}
    params: list[Param] = []
    param_lines: dict[str, int] = {}
    examples: list[str] = []
    notes: list[str] = []
    body_start = None
    for n, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped.startswith("//"):
            if stripped:
                body_start = n
                break
            continue
        m = _HEADER.match(stripped)
        key, value, note = m.group(1), m.group(2), m.group(3)
        if key == "param":
            params.append(_param(value, path, n))
            param_lines.setdefault(params[-1].name, n)
        elif key == "example":
            examples.append(value)
        elif key:
            if key in fields:
                raise LibraryError(f"{path}:{n}: {key!r} given twice")
            fields[key] = value
        elif note.strip():
            notes.append(note.strip())

    def fail(message: str, line: int = 1) -> LibraryError:
        return LibraryError(f"{path}:{line}: {message}")

    if body_start is None:
        raise fail("no Cypher after the header")
    for key in ("name", "answers"):
        if not fields.get(key):
            raise fail(f"the header needs a '// {key}:' line")
    if fields["name"] != path.stem and path.suffix == ".cypher":
        raise fail(f"name {fields['name']!r} differs from the file name {path.stem!r}")
    if not examples:
        raise fail("the header needs at least one '// example:' line")
    names = [p.name for p in params]
    if len(set(names)) != len(names):
        raise fail("a parameter is declared twice")
    body = "\n".join(line for line in text.splitlines()[body_start - 1:] if not line.strip().startswith("//"))
    used = set(_USED.findall(body))
    derived = {f"{p.name}_key" for p in params if p.kind == "text"}
    for u in sorted(used - set(names) - derived):
        raise fail(f"the query uses ${u}, which no '// param:' line declares", body_start)
    for p in params:
        if p.name not in used:
            raise fail(f"parameter ${p.name} is declared but the query never uses it", param_lines[p.name])
    return NamedQuery(name=fields["name"], answers=fields["answers"], params=tuple(params),
                      examples=tuple(examples), cypher=text.strip() + "\n", notes=" ".join(notes), path=path)


def _param(value: str, path: Path, line: int) -> Param:
    m = _PARAM.match(value)
    if not m:
        raise LibraryError(f"{path}:{line}: write a parameter as 'NAME (KIND[, default VALUE]) — description'")
    parts = [s.strip() for s in m["spec"].split(",") if s.strip()]
    km = _KIND.match(parts[0]) if parts else None
    if not km or km["kind"] not in KINDS:
        raise LibraryError(f"{path}:{line}: parameter kind must be one of {', '.join(KINDS)}")
    kind = km["kind"]
    lo = int(km["lo"]) if km["lo"] is not None else None
    hi = int(km["hi"]) if km["hi"] is not None else None
    if lo is not None and kind != "integer":
        raise LibraryError(f"{path}:{line}: only integer parameters take bounds")
    required, default = True, None
    for opt in parts[1:]:
        if opt == "optional":
            required = False
        elif opt.startswith("default "):
            required = False
            try:
                default = _convert(kind, opt[len("default "):].strip().strip('"'), m["name"], lo, hi)
            except QueryError as e:
                raise LibraryError(f"{path}:{line}: default: {e}") from None
        else:
            raise LibraryError(f"{path}:{line}: unknown parameter option {opt!r} (default VALUE, optional)")
    if kind in ("entity", "source") and default is not None:
        raise LibraryError(f"{path}:{line}: an {kind} parameter cannot have a default")
    return Param(m["name"], kind, (m["description"] or "").strip(), required, default, lo, hi)


@lru_cache(maxsize=4)
def _load(folder: str, stamp: tuple) -> dict[str, NamedQuery]:
    out = {}
    for path in sorted(Path(folder).glob("*.cypher")):
        q = parse(path.read_text(encoding="utf-8"), path)
        out[q.name] = q
    return out


def load_library(folder: Path | str = QUERIES_DIR) -> dict[str, NamedQuery]:
    """Every named query in ``folder`` by name (re-read when a file changes)."""
    files = sorted(Path(folder).glob("*.cypher"))
    stamp = tuple((f.name, f.stat().st_mtime_ns, f.stat().st_size) for f in files)
    return _load(str(folder), stamp)


def get(name: str, folder: Path | str = QUERIES_DIR) -> NamedQuery:
    library = load_library(folder)
    if name not in library:
        close = difflib.get_close_matches(name, list(library), n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise QueryError(f"no named query {name!r}{hint}; `kg query --list` lists them")
    return library[name]


# --------------------------------------------------------------------------- parameters


def _convert(kind: str, value: Any, name: str, lo: int | None = None, hi: int | None = None) -> Any:
    if kind == "integer":
        try:
            n = int(value) if not isinstance(value, bool) else None
        except (TypeError, ValueError):
            n = None
        if n is None or (isinstance(value, float) and value != n):
            raise QueryError(f"parameter {name} must be a whole number, got {value!r}")
        if (lo is not None and n < lo) or (hi is not None and n > hi):
            raise QueryError(f"parameter {name} must be between {lo} and {hi}, got {n}")
        return n
    if kind == "date":
        try:
            return first_day(str(value).strip())
        except ValueError as e:
            raise QueryError(f"parameter {name}: {e}") from None
    if not isinstance(value, str) or not value.strip():
        raise QueryError(f"parameter {name} must be a non-empty text")
    return value.strip()


def coerce(query: NamedQuery, raw: Mapping[str, Any]) -> dict[str, Any]:
    """Checked parameter values (defaults filled in, types converted); entities not resolved yet."""
    unknown = [k for k in raw if query.param(k) is None]
    if unknown:
        known = ", ".join(p.name for p in query.params) or "none"
        raise QueryError(f"{query.name} has no parameter {unknown[0]!r} (parameters: {known})")
    params: dict[str, Any] = {}
    for p in query.params:
        value = raw.get(p.name)
        if value is None or (isinstance(value, str) and not value.strip() and not p.required):
            if p.required:
                raise QueryError(f"{query.name} needs -p {p.name}=...: {p.description or p.kind}")
            params[p.name] = p.default
            continue
        params[p.name] = _convert(p.kind, value, p.name, p.minimum, p.maximum)
    for p in query.params:
        if p.kind == "text":
            params[f"{p.name}_key"] = name_key(params[p.name]) if params[p.name] is not None else ""
    return params


ENTITY_EXISTS = "MATCH (n:Entity {id: $value}) RETURN n.id AS id"

RESOLVE_ENTITY = """CALL db.index.fulltext.queryNodes('entity_keys', $key) YIELD node
RETURN node.id AS id, node.type AS type, node.name AS name
ORDER BY id
LIMIT $limit"""

SUGGEST_ENTITY = """CALL db.index.fulltext.queryNodes('entity_text', $words, {limit: 5}) YIELD node
RETURN node.id AS id, node.type AS type, node.name AS name"""

SOURCE_EXISTS = "MATCH (s:Source {id: $value}) RETURN s.id AS id"
SOURCE_IDS = "MATCH (s:Source) RETURN s.id AS id"


def _read(drv: neo4j.Driver, cypher: str, params: dict, database: str | None) -> list[neo4j.Record]:
    return drv.execute_query(cypher, params, database_=database, routing_=neo4j.RoutingControl.READ).records


def resolve_entity(drv: neo4j.Driver, value: str, database: str | None = None, what: str = "entity") -> str:
    """The id of the one entity whose id, name or alias is ``value`` (case/accent/punctuation-insensitive)."""
    if _read(drv, ENTITY_EXISTS, {"value": value}, database):  # an id always wins
        return value
    key = name_key(value)
    found = _read(drv, RESOLVE_ENTITY, {"key": key, "limit": MAX_CHOICES + 1}, database) if key else []
    if len(found) == 1:
        return found[0]["id"]
    if found:
        listed = "; ".join(f"{r['id']} ({r['type']} {r['name']})" for r in found[:MAX_CHOICES])
        more = ", ..." if len(found) > MAX_CHOICES else ""
        raise QueryError(f"{what} {value!r} could be any of: {listed}{more}; give the id")
    words = " ".join(f"{w}~" for w in re.findall(r"\w+", value.lower())[:8])
    hint = ""
    if words:
        try:
            close = _read(drv, SUGGEST_ENTITY, {"words": words}, database)
        except nx.ClientError:
            close = []
        if close:
            hint = " (did you mean " + ", ".join(f"{r['name']!r} [{r['id']}]" for r in close) + "?)"
    raise QueryError(f"no entity has the id, name or alias {value!r}{hint}")


def resolve_source(drv: neo4j.Driver, value: str, database: str | None = None) -> str:
    if _read(drv, SOURCE_EXISTS, {"value": value}, database):
        return value
    ids = [r["id"] for r in _read(drv, SOURCE_IDS, {}, database)]
    close = difflib.get_close_matches(value, ids, n=3)
    hint = f" (did you mean {', '.join(map(repr, close))}?)" if close else ""
    raise QueryError(f"no source with id {value!r}{hint}")


def resolve(drv: neo4j.Driver, query: NamedQuery, params: dict[str, Any], database: str | None = None) -> dict:
    """``params`` with entity parameters replaced by ids and source parameters checked."""
    out = dict(params)
    for p in query.params:
        value = out.get(p.name)
        if value is None:
            continue
        if p.kind == "entity":
            out[p.name] = resolve_entity(drv, value, database, what=p.name)
        elif p.kind == "source":
            out[p.name] = resolve_source(drv, value, database)
    return out


def prepare(drv: neo4j.Driver, name: str | NamedQuery, raw: Mapping[str, Any],
            database: str | None = None) -> tuple[NamedQuery, dict[str, Any]]:
    """The named query and its final parameters (checked, entity names resolved to ids)."""
    query = name if isinstance(name, NamedQuery) else get(name)
    return query, resolve(drv, query, coerce(query, raw), database)


# --------------------------------------------------------------------------- running


@dataclass
class Result:
    columns: list[str]
    rows: list[list[Any]]  # plain values: str, int, float, bool, None, lists, dicts
    elapsed_ms: float


def plain(value: Any) -> Any:
    """A Neo4j value as plain JSON-able Python."""
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, spatial.WGS84Point):  # points are tuples: test them first
        return {"latitude": value.latitude, "longitude": value.longitude}
    if isinstance(value, spatial.Point):
        return list(value)
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, (ntime.Date, ntime.DateTime, ntime.Time, ntime.Duration)):
        return value.iso_format()
    if isinstance(value, ng.Node):
        return {"labels": sorted(value.labels), **{k: plain(v) for k, v in value.items()}}
    if isinstance(value, ng.Relationship):
        ends = {"from": value.start_node.get("id") if value.start_node else None,
                "to": value.end_node.get("id") if value.end_node else None}
        return {"type": value.type, **ends, **{k: plain(v) for k, v in value.items()}}
    if isinstance(value, ng.Path):
        return {"nodes": [plain(n) for n in value.nodes], "relationships": [plain(r) for r in value.relationships]}
    return str(value)


def describe_error(exc: nx.Neo4jError) -> str:
    """One line for a query Neo4j refused."""
    message = (exc.message or str(exc)).strip().splitlines()[0] if (exc.message or str(exc)).strip() else ""
    code = exc.code or ""
    if code == "Neo.ClientError.Statement.AccessMode" or "Writing in read access mode" in message:
        return f"kg query only reads: Neo4j refused to write ({message}); nothing was changed"
    if code.endswith("ProcedureNotFound") and "fulltext" in message:
        return f"{message}: load a dataset first (kg load creates the indexes the queries use)"
    if "There is no such fulltext schema index" in message:
        return "the full-text indexes are missing: load a dataset first (`kg load` creates them)"
    return f"Neo4j refused the query: {message} [{code}]"


def run(drv: neo4j.Driver, cypher: str, params: Mapping[str, Any] | None = None, database: str | None = None,
        timeout: float | None = None) -> Result:
    """Run Cypher in a READ transaction; any write is refused by Neo4j (:class:`QueryError`)."""
    began = time.perf_counter()
    try:
        res = drv.execute_query(neo4j.Query(cypher, timeout=timeout), dict(params or {}), database_=database,
                                routing_=neo4j.RoutingControl.READ)
    except nx.Neo4jError as exc:
        if isinstance(exc, (nx.AuthError, nx.ServiceUnavailable)):
            raise
        raise QueryError(describe_error(exc)) from None
    rows = [[plain(v) for v in record.values()] for record in res.records]
    return Result(list(res.keys), rows, (time.perf_counter() - began) * 1000)


def run_named(drv: neo4j.Driver, name: str | NamedQuery, raw: Mapping[str, Any], database: str | None = None,
              timeout: float | None = None) -> Result:
    query, params = prepare(drv, name, raw, database)
    return run(drv, query.cypher, params, database, timeout)


__all__ = ["KINDS", "LibraryError", "NamedQuery", "Param", "QUERIES_DIR", "QueryError", "Result", "coerce",
           "describe_error", "get", "load_library", "parse", "plain", "prepare", "resolve", "resolve_entity",
           "resolve_source", "run", "run_named"]
