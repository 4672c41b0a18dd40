"""The analysts' Cypher library: ``queries/*.cypher``, their headers, and running them read-only.

Each file is one named query. It starts with a header of ``//`` comment lines::

    // name: leaders
    // answers: Who leads a group?
    // param: group (entity) — id, name or alias of the group
    // param: limit (integer, default 200) — at most this many rows
    // example: kg query leaders -p group="Fog 47"
    // Any other comment line of the header is a note for the analyst, shown by `kg query --list`.

``name`` must be the file's stem; ``answers`` is the question it answers, in
one line; there is one ``param`` line per parameter and at least one
``example``. A query whose optional parameters are alternatives says so with
``// requires: entity or publisher``: at least one of them must be given.
Comments after the first line of Cypher are notes for whoever edits the
query, and shown to no one.
A parameter is ``NAME (KIND[ LO..HI][, default VALUE][, optional]) — description``
with KIND one of:

* ``entity``: an id, name or alias, matched by the one name matcher
  (:mod:`graph.names`, through :mod:`graph.neo4j.lookup`: spelling variants,
  Arabic script, fuzzy) and resolved to the entity's id before the query runs:
  the Cypher sees an id; a name several entities match about as well is an
  error listing them;
* ``source``: a source id, or a source's title or publisher (matched alike),
  resolved to the id;
* ``publisher``: a publisher as the sources write it (case, accents and
  punctuation ignored, as :mod:`graph.attribution` counts publishers), checked
  to exist: the Cypher gets the list of its spellings in the sources, to test
  with ``s.publisher IN $name``;
* ``text``: a name or words of one (at most 1000 characters, with a letter or a
  digit); the Cypher also gets ``$<name>_key``, its name key
  (:func:`graph.names.name_key`), for exact lookups in the ``entity_keys`` index,
  and ``$<name>_keys``, its spelling-variant keys as one Lucene query on that
  index (:func:`graph.names.lucene_keys`);
* ``integer`` (optionally bounded ``LO..HI``) and ``date`` (``YYYY``,
  ``YYYY-MM`` or ``YYYY-MM-DD``, passed as a Neo4j date: its first day).

Values only ever reach Neo4j as parameters, and every query runs in a READ
transaction (:func:`graph.neo4j.connection.run_read`): Neo4j itself refuses any
write.

When a file is read, every label and relationship type its Cypher names
(``(:Label)``, ``x:Label``, ``[:TYPE]``, ``[r:A|B]``, ``type(r) = 'X'``) must be
one of the schema registry's (or the store's own ``Entity`` and ``Source``),
and a query that filters on ``valid_from_date`` / ``valid_to_date`` must do it
with :data:`graph.neo4j.cypher.HOLDS_ON`, the one as-of rule, written out as
``HOLDS_ON.format(r="r", day="$date")`` gives it.
"""

from __future__ import annotations

import difflib
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import neo4j
from neo4j import exceptions as nx
from neo4j import graph as ng

from graph.asof import DEFAULT_HORIZON, Horizon
from graph.dates import first_day
from graph.names import AmbiguousName, NameIndex, NameProblem, UnknownName, check_name, lucene_keys, name_key
from graph.neo4j.connection import describe, run_read
from graph.neo4j.cypher import EXISTS_ON, HOLDS_ON, horizon_params
from graph.neo4j.lookup import name_index
from graph.neo4j.values import to_plain
from graph.schema import REGISTRY
from loaders.problems import did_you_mean

QUERIES_DIR = Path(__file__).resolve().parent
KINDS = ("entity", "source", "publisher", "text", "integer", "date")
MAX_CHOICES = 8  # candidates listed when a name is ambiguous

_HEADER = re.compile(r"^//\s?(?:(name|answers|param|example|requires):\s*(.*?)\s*$|(.*)$)")
_PARAM = re.compile(r"^(?P<name>[a-z][a-z0-9_]*)\s*\((?P<spec>[^)]*)\)\s*(?:[—–-]+\s*(?P<description>.*))?$")
_KIND = re.compile(r"^(?P<kind>[a-z]+)(?:\s+(?P<lo>-?\d+)\.\.(?P<hi>-?\d+))?$")
_USED = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")


class QueryError(Exception):
    """A query that cannot run as asked; the message is one line, fit for a CLI or an API."""


class LibraryError(QueryError):
    """A .cypher file of the library is malformed: ``FILE:LINE: message``."""


class UsageError(QueryError):
    """A query asked for wrongly, told before anything runs: an unknown query, a missing or malformed parameter."""


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
        return {
            "name": self.name,
            "type": self.kind,
            "default": self.default,
            "description": self.description,
            "required": self.required,
        }

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
    requires: tuple[str, ...] = ()  # optional parameters of which at least one must be given
    path: Path | None = field(default=None, compare=False)

    def param(self, name: str) -> Param | None:
        return next((p for p in self.params if p.name == name), None)

    @property
    def uses_horizon(self) -> bool:
        """Whether the query applies the as-of rule, and so takes the horizon (``$look_back``, ``$look_ahead``)."""
        return any(f"${name}" in self.cypher for name in HORIZON_PARAMS)

    def as_dict(self) -> dict[str, Any]:
        """``title`` is the one-line question (``answers``); ``description`` the analyst's notes."""
        return {
            "name": self.name,
            "title": self.answers,
            "description": self.notes,
            "params": [p.as_dict() for p in self.params],
            "requires": list(self.requires),
            "examples": list(self.examples),
        }


# --------------------------------------------------------------------------- parsing


def shown_path(path: Path) -> str:
    """``queries/leaders.cypher`` for a file of the library, else the path as given."""
    try:
        return str(path.resolve().relative_to(QUERIES_DIR.parent))
    except ValueError:
        return str(path)


def parse(text: str, path: Path | str = "<query>") -> NamedQuery:
    """A named query from the text of its .cypher file; :class:`LibraryError` if the header is wrong,
    a label or relationship type is not the registry's, or the as-of rule is written by hand."""
    path = Path(path)
    where = shown_path(path)
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
            params.append(_param(value, where, n))
            param_lines.setdefault(params[-1].name, n)
        elif key == "example":
            examples.append(value)
        elif key:
            if key in fields:
                raise LibraryError(f"{where}:{n}: {key!r} given twice")
            fields[key] = value
        elif note.strip():
            notes.append(note.strip())

    def fail(message: str, line: int = 1) -> LibraryError:
        return LibraryError(f"{where}:{line}: {message}")

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
    requires = tuple(w for w in re.split(r"\s+or\s+|\s*,\s*", fields.get("requires", "")) if w)
    for r in requires:
        declared = next((p for p in params if p.name == r), None)
        if declared is None or declared.required or declared.default is not None:
            raise fail(f"'// requires:' names {r!r}, which is no optional parameter without a default")
    body = "\n".join(line for line in text.splitlines()[body_start - 1 :] if not line.strip().startswith("//"))
    used = set(_USED.findall(body))
    derived = {f"{p.name}_{d}" for p in params if p.kind == "text" for d in ("key", "keys")} | set(HORIZON_PARAMS)
    for u in sorted(used - set(names) - derived):
        raise fail(f"the query uses ${u}, which no '// param:' line declares", body_start)
    for p in params:
        if p.name not in used:
            raise fail(f"parameter ${p.name} is declared but the query never uses it", param_lines[p.name])
    for line, message in check_cypher(text):
        raise fail(message, line)
    return NamedQuery(
        name=fields["name"],
        answers=fields["answers"],
        params=tuple(params),
        examples=tuple(examples),
        cypher=text.strip() + "\n",
        notes=" ".join(notes),
        path=path,
        requires=requires,
    )


# --------------------------------------------------------------------------- what the Cypher names

LABELS = frozenset(REGISTRY.entities) | {"Entity", "Source"}  # the store's own labels besides the types
RELATION_TYPES = frozenset(REGISTRY.relations)

_REL_PATTERN = re.compile(r"-\s*\[\s*(?:[A-Za-z_]\w*)?\s*:\s*([A-Za-z_]\w*(?:\s*\|\s*:?\s*[A-Za-z_]\w*)*)")
_NODE_LABELS = re.compile(r"\(\s*(?:[A-Za-z_]\w*)?\s*((?::\s*[A-Za-z_]\w*\s*)+)")
_LABEL_TEST = re.compile(r"\b[a-z_]\w*((?::[A-Z]\w*)+)\b")
_TYPE_TEST = re.compile(r"\btype\s*\(\s*\w+\s*\)\s*(?:=|<>|IN)\s*(\[[^\]]*\]|'[^']*'|\"[^\"]*\")", re.I)
_DATES = r"(?:valid|observed)_(?:from|to)_date"  # the stored windows of graph.neo4j.mapping
_DATE_FILTER = re.compile(
    rf"\b(\w+)\.{_DATES}\s*(?:<=|>=|<>|=|<|>|-|\+|IS\b)|"
    rf"(?:<=|>=|<>|=|<|>)\s*(\w+)\.{_DATES}\b",
    re.I,
)
# Derived parameters of a query that uses the as-of rule: the horizon (graph.neo4j.cypher.horizon_params).
HORIZON_PARAMS = ("look_back", "look_ahead")


def _blank(text: str, strings: bool) -> str:
    """``text`` with comments (and, if ``strings``, string literals) blanked out, lines kept in place."""
    out, i, n = [], 0, len(text)
    while i < n:
        c = text[i]
        if c == "/" and text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            out.append(" " * (j - i))
            i = j
        elif c in "'\"`":
            j = i + 1
            while j < n and text[j] != c:
                j += 2 if text[j] == "\\" else 1
            j = min(j + 1, n)
            lit = text[i:j]
            out.append(c + re.sub(r"[^\n]", " ", lit[1:-1]) + lit[-1:] if strings and c != "`" else lit)
            i = j
        else:
            out.append(c)
            i += 1
    return "".join(out)


def check_cypher(text: str) -> list[tuple[int, str]]:
    """``(line, message)`` for every label or relationship type the registry does not know, and for an
    as-of filter written other than as :data:`graph.neo4j.cypher.HOLDS_ON`.

    >>> for found in check_cypher("MATCH (a:Persn)-[:LEADS|MEMBR_OF]->(b)\\nWHERE type(r) = 'RUNZ' RETURN a"):
    ...     print(*found)
    1 unknown label 'Persn' (did you mean 'Person'?)
    1 unknown relation type 'MEMBR_OF' (did you mean 'MEMBER_OF'?)
    2 unknown relation type 'RUNZ' (did you mean 'RUNS'?)
    """
    code = _blank(text, strings=True)  # what Cypher reads, strings emptied
    with_strings = _blank(text, strings=False)  # comments gone, strings kept: type(r) = 'X'
    found: dict[tuple[int, str], None] = {}  # (position, message), in order of position once sorted

    def relation(pos: int, name: str) -> None:
        if name and name not in RELATION_TYPES:
            found[pos, f"unknown relation type {name!r}{did_you_mean(name, RELATION_TYPES)}"] = None

    rel_spans = []
    for m in _REL_PATTERN.finditer(code):
        rel_spans.append(m.span())
        for t in re.split(r"\s*\|\s*:?\s*", m.group(1).strip()):
            relation(m.start(1), t)
    for m in _TYPE_TEST.finditer(with_strings):
        for single, double in re.findall(r"'([^']*)'|\"([^\"]*)\"", m.group(1)):
            relation(m.start(1), single or double)
    for rx in (_NODE_LABELS, _LABEL_TEST):
        for m in rx.finditer(code):
            if any(a <= m.start(1) < b for a, b in rel_spans):
                continue
            for label in re.findall(r"[A-Za-z_]\w*", m.group(1)):
                if label not in LABELS:
                    found[m.start(1), f"unknown label {label!r}{did_you_mean(label, LABELS)}"] = None
    for pos, message in _check_as_of(code, with_strings):
        found[pos, message] = None
    return [(text.count("\n", 0, pos) + 1, message) for pos, message in sorted(found)]


def _rule(template: str, **names: str) -> re.Pattern:
    """``template`` (HOLDS_ON, EXISTS_ON) for these variables, as a pattern matching it with any one day parameter."""
    text = re.escape(template.format(day="DAYPARAM", **names))
    return re.compile(text.replace("DAYPARAM", r"(\$\w+)", 1).replace("DAYPARAM", r"\1"))


def _check_as_of(code: str, with_strings: str) -> list[tuple[int, str]]:
    # Every filter on the stored windows must sit inside the one as-of rule, spelled as graph.neo4j.cypher
    # spells it: HOLDS_ON for a relationship, EXISTS_ON for an entity. (The rules hold string literals,
    # so they are found in the text with its strings; both texts have the same positions.)
    kept = code
    for var in {a or b for a, b in _DATE_FILTER.findall(code)}:
        for rule in (_rule(HOLDS_ON, r=var), _rule(EXISTS_ON, n=var)):
            for m in rule.finditer(with_strings):
                kept = kept[: m.start()] + " " * (m.end() - m.start()) + kept[m.end() :]
    for m in _DATE_FILTER.finditer(kept):
        var = m.group(1) or m.group(2)
        return [
            (
                m.start(),
                "filter by date with the as-of rule exactly as graph.neo4j.cypher writes it: "
                f'HOLDS_ON.format(r={var!r}, day="$date") for a relationship, '
                f'EXISTS_ON.format(n={var!r}, day="$date") for an entity',
            )
        ]
    return []


def _param(value: str, path: str, line: int) -> Param:
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
                default = _convert(kind, opt[len("default ") :].strip().strip('"'), m["name"], lo, hi)
            except UsageError as e:
                raise LibraryError(f"{path}:{line}: default: {e}") from None
        else:
            raise LibraryError(f"{path}:{line}: unknown parameter option {opt!r} (default VALUE, optional)")
    if kind in ("entity", "source", "publisher") and default is not None:
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
        raise UsageError(f"no named query {name!r}{hint}; `kg query --list` lists them")
    return library[name]


# --------------------------------------------------------------------------- parameters


def _convert(kind: str, value: Any, name: str, lo: int | None = None, hi: int | None = None) -> Any:
    if kind == "integer":
        try:
            n = int(value) if not isinstance(value, bool) else None
        except (TypeError, ValueError):
            n = None
        if n is None or (isinstance(value, float) and value != n):
            raise UsageError(f"parameter {name} must be a whole number, got {value!r}")
        if (lo is not None and n < lo) or (hi is not None and n > hi):
            raise UsageError(f"parameter {name} must be between {lo} and {hi}, got {n}")
        return n
    if kind == "date":
        try:
            return first_day(str(value).strip())
        except ValueError as e:
            raise UsageError(f"parameter {name}: {e}") from None
    if not isinstance(value, str) or not value.strip():
        raise UsageError(f"parameter {name} must be a non-empty text")
    return value.strip()


def coerce(query: NamedQuery, raw: Mapping[str, Any], horizon: Horizon | None = None) -> dict[str, Any]:
    """Checked parameter values (defaults filled in, types converted); entities not resolved yet.

    A query that uses the as-of rule also gets ``$look_back`` / ``$look_ahead`` from ``horizon``
    (default :data:`graph.asof.DEFAULT_HORIZON`).
    """
    unknown = [k for k in raw if query.param(k) is None]
    if unknown:
        known = ", ".join(p.name for p in query.params) or "none"
        raise UsageError(f"{query.name} has no parameter {unknown[0]!r} (parameters: {known})")
    params: dict[str, Any] = {}
    for p in query.params:
        value = raw.get(p.name)
        if value is None or (isinstance(value, str) and not value.strip() and not p.required):
            if p.required:
                raise UsageError(f"{query.name} needs -p {p.name}=...: {p.description or p.kind}")
            params[p.name] = p.default
            continue
        params[p.name] = _convert(p.kind, value, p.name, p.minimum, p.maximum)
    if query.requires and all(params[r] is None for r in query.requires):
        raise UsageError(f"{query.name} needs " + " or ".join(f"-p {r}=..." for r in query.requires))
    for p in query.params:
        value = params[p.name]
        if p.kind in ("entity", "source", "text") and value is not None:
            try:  # told before connecting: an empty name, 10,000 characters, punctuation only
                check_name(value)
            except NameProblem as e:
                raise UsageError(f"parameter {p.name}: {e}") from None
        if p.kind == "text":
            params[f"{p.name}_key"] = name_key(value) if value is not None else ""
            params[f"{p.name}_keys"] = lucene_keys(value, words=False) if value is not None else ""
    if query.uses_horizon:
        params.update(horizon_params(horizon or DEFAULT_HORIZON))
    return params


ENTITY_EXISTS = "MATCH (n:Entity {id: $value}) RETURN n.id AS id"

SOURCE_EXISTS = "MATCH (s:Source {id: $value}) RETURN s.id AS id"
SOURCE_NAMES = "MATCH (s:Source) RETURN s.id AS id, s.title AS title, s.publisher AS publisher"
PUBLISHERS = "MATCH (s:Source) WHERE s.publisher IS NOT NULL RETURN DISTINCT s.publisher AS publisher"


def _read(drv: neo4j.Driver, cypher: str, params: dict, database: str | None) -> list[neo4j.Record]:
    return run_read(drv, cypher, params, database).records


def _listed(e: AmbiguousName) -> str:
    shown = "; ".join(f"{c.id} ({c.type} {c.name})" for c in e.candidates[:MAX_CHOICES])
    return shown + (", ..." if len(e.candidates) > MAX_CHOICES else "")


def _hint(e: UnknownName) -> str:
    return " (did you mean " + ", ".join(c.label() for c in e.suggestions) + "?)" if e.suggestions else ""


def resolve_entity(
    drv: neo4j.Driver, value: str, database: str | None = None, what: str = "entity", notes: list[str] | None = None
) -> str:
    """The id of the one entity ``value`` names: an id, or a name or alias as the one name matcher
    (:mod:`graph.names`) takes it. How a name that was not an exact spelling was matched (and who
    else matches) is appended to ``notes``."""
    try:
        found = name_index(lambda c, p: _read(drv, c, p, database), value).resolve(value, what=what)
    except AmbiguousName as e:
        raise QueryError(f"{what} {value!r} could be any of: {_listed(e)}; give the id") from None
    except UnknownName as e:
        raise QueryError(f"no entity has the id, name or alias {value!r}{_hint(e)}") from None
    except NameProblem as e:
        raise QueryError(f"{what}: {e}") from None
    if notes is not None and (found.reason != "alias" or found.also):
        notes.append(f"{what}: {found.said(value)}")
    return found.id


def resolve_source(drv: neo4j.Driver, value: str, database: str | None = None, notes: list[str] | None = None) -> str:
    """The id of the one source ``value`` names: its id, or its title or publisher (matched as names are)."""
    if _read(drv, SOURCE_EXISTS, {"value": value}, database):
        return value
    rows = _read(drv, SOURCE_NAMES, {}, database)
    index = NameIndex(
        (r["id"], text, "Source") for r in rows for text in (r["title"] or r["id"], r["id"], r["publisher"]) if text
    )
    try:
        found = index.resolve(value, what="source")
    except AmbiguousName as e:
        listed = "; ".join(f"{c.id} ({c.name})" for c in e.candidates[:MAX_CHOICES])
        raise QueryError(f"source {value!r} could be any of: {listed}; give the id") from None
    except UnknownName as e:
        raise QueryError(f"no source has the id, title or publisher {value!r}{_hint(e)}") from None
    except NameProblem as e:
        raise QueryError(f"source: {e}") from None
    if notes is not None:
        notes.append(f"source: {found.said(value)}")
    return found.id


def resolve_publisher(drv: neo4j.Driver, value: str, database: str | None = None) -> list[str]:
    """Every spelling in the sources of the publisher ``value`` names (case, accents and punctuation ignored:
    :mod:`graph.attribution` counts them as one publisher)."""
    spellings = [r["publisher"] for r in _read(drv, PUBLISHERS, {}, database)]
    key = name_key(value)
    found = sorted(p for p in spellings if name_key(p) == key) if key else []
    if found:
        return found
    keys = {name_key(p): p for p in sorted(spellings)}
    close = [keys[k] for k in difflib.get_close_matches(key, list(keys), n=3, cutoff=0.6)]
    close += [keys[k] for k in sorted(keys) if key and key in k and keys[k] not in close][: 3 - len(close)]
    hint = f" (did you mean {', '.join(map(repr, close))}?)" if close else ""
    raise QueryError(f"no source has the publisher {value!r}{hint}")


def resolve(
    drv: neo4j.Driver,
    query: NamedQuery,
    params: dict[str, Any],
    database: str | None = None,
    notes: list[str] | None = None,
) -> dict:
    """``params`` with entity and source parameters replaced by ids, publishers by their spellings;
    ``notes`` gets how names were matched when it was not by their exact spelling."""
    out = dict(params)
    for p in query.params:
        value = out.get(p.name)
        if value is None:
            continue
        if p.kind == "entity":
            out[p.name] = resolve_entity(drv, value, database, what=p.name, notes=notes)
        elif p.kind == "source":
            out[p.name] = resolve_source(drv, value, database, notes=notes)
        elif p.kind == "publisher":
            out[p.name] = resolve_publisher(drv, value, database)
    return out


def prepare(
    drv: neo4j.Driver,
    name: str | NamedQuery,
    raw: Mapping[str, Any],
    database: str | None = None,
    horizon: Horizon | None = None,
    notes: list[str] | None = None,
) -> tuple[NamedQuery, dict[str, Any]]:
    """The named query and its final parameters (checked, entity names resolved to ids; how names
    were matched appended to ``notes``)."""
    query = name if isinstance(name, NamedQuery) else get(name)
    return query, resolve(drv, query, coerce(query, raw, horizon), database, notes)


# --------------------------------------------------------------------------- running


@dataclass
class Result:
    columns: list[str]
    rows: list[list[Any]]  # plain values: str, int, float, bool, None, lists, dicts
    elapsed_ms: float


def run(
    drv: neo4j.Driver,
    cypher: str,
    params: Mapping[str, Any] | None = None,
    database: str | None = None,
    timeout: float | None = None,
) -> Result:
    """Run Cypher in a READ transaction; any write is refused by Neo4j (:class:`QueryError`).

    Values come back plain (:func:`graph.neo4j.values.to_plain`). A refused query is a
    :class:`QueryError` worded by :func:`graph.neo4j.connection.describe`; a failed login or an
    unreachable server is raised as the driver raised it.
    """
    began = time.perf_counter()
    try:
        res = run_read(drv, cypher, params, database, timeout)
    except nx.Neo4jError as exc:
        if isinstance(exc, nx.AuthError):
            raise
        raise QueryError(describe(exc)) from None
    rows = [[to_plain(v) for v in record.values()] for record in res.records]
    _name_endpoints(drv, res.records, rows, database, timeout)
    return Result(list(res.keys), rows, (time.perf_counter() - began) * 1000)


def _name_endpoints(
    drv: neo4j.Driver, records: list[neo4j.Record], rows: list[list[Any]], database: str | None, timeout: float | None
) -> None:
    """Name by entity id the endpoints of relationships returned without their nodes (``RETURN r``).

    The driver knows such a node only by its element id; one more read asks for the ids.
    """
    unknown: set[str] = set()

    def visit(value: Any) -> None:
        if isinstance(value, ng.Relationship):
            unknown.update(n.element_id for n in (value.start_node, value.end_node) if n is not None and "id" not in n)
        elif isinstance(value, ng.Path):
            for r in value.relationships:
                visit(r)
        elif isinstance(value, (list, tuple)):
            for v in value:
                visit(v)
        elif isinstance(value, dict):
            for v in value.values():
                visit(v)

    for record in records:
        visit(list(record.values()))
    if not unknown:
        return
    found = run_read(
        drv,
        "MATCH (n) WHERE elementId(n) IN $ids RETURN elementId(n) AS e, n.id AS id",
        {"ids": sorted(unknown)},
        database,
        timeout,
    ).records
    ids = {r["e"]: r["id"] for r in found if r["id"] is not None}

    def rename(value: Any) -> None:
        if isinstance(value, dict):
            rel = value.get("relationship")
            if isinstance(rel, dict):
                for end in ("from", "to"):
                    rel[end] = ids.get(rel.get(end), rel.get(end))
            for v in value.values():
                rename(v)
        elif isinstance(value, list):
            for v in value:
                rename(v)

    rename(rows)


def run_named(
    drv: neo4j.Driver,
    name: str | NamedQuery,
    raw: Mapping[str, Any],
    database: str | None = None,
    timeout: float | None = None,
    horizon: Horizon | None = None,
) -> Result:
    query, params = prepare(drv, name, raw, database, horizon)
    return run(drv, query.cypher, params, database, timeout)


__all__ = [
    "KINDS",
    "LABELS",
    "RELATION_TYPES",
    "HORIZON_PARAMS",
    "LibraryError",
    "NamedQuery",
    "Param",
    "QUERIES_DIR",
    "QueryError",
    "Result",
    "UsageError",
    "check_cypher",
    "coerce",
    "get",
    "load_library",
    "parse",
    "prepare",
    "resolve",
    "resolve_entity",
    "resolve_publisher",
    "resolve_source",
    "run",
    "run_named",
]
