"""Read fact files, check them completely, and return merged :class:`Facts`.

Every problem in every file is collected before anything is returned; if
there is one, :class:`ValidationFailed` carries them all and no facts escape.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from graph.facts import Edge, Facts, edge_from_relation, gc_paused
from graph.models import (
    ENTITY_MODELS,
    RELATION_MODELS,
    EntityAdapter,
    Evidence,
    RelationAdapter,
    Source,
    SourceAdapter,
)
from graph.schema import REGISTRY

from .problems import Problem, ValidationFailed, did_you_mean
from .records import SECTIONS, Record
from .tabular import read_csv, read_jsonl, section_of
from .yaml_reader import read_yaml

YAML_SUFFIXES = (".yaml", ".yml")
TABULAR_SUFFIXES = (".csv", ".jsonl")
FACT_SUFFIXES = YAML_SUFFIXES + TABULAR_SUFFIXES
# Suggestions scan every id; past this many, a run full of typos would crawl.
MAX_SUGGESTIONS = 200

Progress = Callable[[int], None]


CREDIBILITY, RELIABILITY = REGISTRY.credibility, REGISTRY.reliability


def discover(paths: Iterable[Path]) -> list[Path]:
    """Fact files named by ``paths`` (folders are searched recursively), sorted, once each."""
    found: dict[Path, None] = {}
    for p in paths:
        p = Path(p)
        if p.is_dir():
            for f in sorted(p.rglob("*")):
                if f.is_file() and f.suffix in FACT_SUFFIXES and not f.name.startswith("."):
                    found[f] = None
        else:
            found[p] = None
    return list(found)


def _label(path: Path) -> str:
    # Relative to where the user stands, unless that means climbing out of it.
    try:
        rel = os.path.relpath(path)
    except ValueError:
        return str(path)
    return str(path.resolve()) if rel.startswith("..") else rel


_QUOTES = re.compile(r"[\"'`\u2018\u2019\u201a\u201b\u201c\u201d\u201e\u201f\u2032\u2033\u00ab\u00bb\u2039\u203a]")
_SPACE = re.compile(r"\s+")


def normalize_text(text: str) -> str:
    """Text as quotes are compared: whitespace and quote-mark style ignored."""
    return _SPACE.sub(" ", _QUOTES.sub('"', text)).strip()


# The adapters' core validators: the same checks, without a Python wrapper around each of a million calls.
_VALIDATORS = {"sources": SourceAdapter.validator, "entities": EntityAdapter.validator,
               "relations": RelationAdapter.validator}


# -- pydantic's errors in our words --------------------------------------------------------------------


def _field(loc: tuple) -> str:
    """``evidence.0.quote``: a location as the file spells it."""
    return ".".join("from" if p == "from_" else str(p) for p in loc)


def _got(value) -> str:
    """`` (got 'x')`` for a short scalar, `` (got a list)`` for the rest."""
    if isinstance(value, bool) or value is None:
        return f" (got {str(value).lower() if value is not None else 'nothing'})"
    if isinstance(value, (str, int, float)):
        text = repr(value)
        return f" (got {text})" if len(text) <= 60 else f" (got {text[:57]}...)"
    kind = "a list" if isinstance(value, (list, tuple)) else "a mapping" if isinstance(value, dict) else "another kind"
    return f" (got {kind})"


def _grade(name: str, scale, value) -> str:
    return f"{name} must be {scale.span()} ({scale.title}), got {value!r}"


def explain(err: dict, loc: tuple, what: str, model, models: dict) -> str:
    """One pydantic error (``err``, at ``loc`` inside ``model``) as a message in our own words.

    >>> explain({"type": "string_too_short", "input": "", "ctx": {"min_length": 1}}, ("name",), "entity", None, {})
    'name must not be empty'
    """
    kind, ctx, value = err["type"], err.get("ctx") or {}, err.get("input")
    name = _field(loc)
    last = str(loc[-1]) if loc else ""
    if kind == "json_invalid":
        return f"JSON syntax error: {ctx.get('error', 'not valid JSON')}"
    if kind == "union_tag_invalid":
        tag = value.get("type") if isinstance(value, dict) else ctx.get("tag")
        if not isinstance(tag, str):
            return f"type must be the name of one {what} type (one of: {', '.join(models)}){_got(tag)}"
        return f"unknown {what} type {tag!r}{did_you_mean(tag, models)}"
    if kind == "union_tag_not_found":
        return f"missing field 'type' (one of: {', '.join(models)})"
    if not loc and (kind in ("model_attributes_type", "model_type", "dict_type") or kind.endswith("_type")):
        return f"each {what} must be a mapping of fields{_got(value)}"
    if kind == "extra_forbidden":
        fields = [f.alias or n for n, f in model.model_fields.items()] if model and len(loc) == 1 else []
        if len(loc) > 1 and loc[0] == "evidence":
            fields = list(Evidence.model_fields)
        typ = ""
        if model is not None and model is not Source and len(loc) == 1:
            typ = f" of a {model.__name__.removesuffix('Entity').removesuffix('Relation')}"
        return f"unknown field {last!r}{typ}{did_you_mean(last, fields)}"
    if kind == "missing":
        return f"missing field {name!r}"
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return f"{name} must be a mapping of fields{_got(value)}" + (
            " such as {source: ..., quote: ...}" if loc[:1] == ("evidence",) else "")
    if last == "credibility" and kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than",
                                          "int_parsing", "int_type", "int_from_float", "finite_number",
                                          "float_parsing", "float_type", "int_parsing_size"):
        return _grade(name, CREDIBILITY, value)
    if last == "reliability" and kind in ("literal_error", "string_type"):
        return f"{name} must be one of {RELIABILITY.span()} ({RELIABILITY.title}), got {value!r}"
    if kind == "string_pattern_mismatch":
        return f"{name}: {value!r} is not a valid id: use lowercase letters, digits and - _ ."
    if kind in ("string_too_short", "too_short"):
        if loc == ("evidence",):
            return "evidence is empty: a relation needs at least one {source, quote}"
        return f"{name} must not be empty"
    if kind in ("string_too_long", "too_long"):
        limit = ctx.get("max_length")
        unit = "characters" if kind == "string_too_long" else "items"
        return f"{name} is too long" + (f": at most {limit} {unit}" if limit is not None else "")
    if kind == "string_type":
        return f"{name} must be text{_got(value)}"
    if kind in ("list_type", "tuple_type", "set_type"):
        return f"{name} must be a list, such as [a, b]{_got(value)}"
    if kind in ("int_parsing", "int_type", "int_from_float", "int_parsing_size"):
        return f"{name} must be a whole number{_got(value)}"
    if kind in ("float_parsing", "float_type", "finite_number"):
        return f"{name} must be a number{_got(value)}"
    if kind in ("bool_parsing", "bool_type"):
        return f"{name} must be true or false{_got(value)}"
    if kind in ("greater_than_equal", "greater_than", "less_than_equal", "less_than"):
        bound = {"greater_than_equal": ("at least", "ge"), "greater_than": ("more than", "gt"),
                 "less_than_equal": ("at most", "le"), "less_than": ("less than", "lt")}[kind]
        limit = ctx.get(bound[1])
        if isinstance(limit, float) and limit.is_integer():
            limit = int(limit)
        return f"{name} must be {bound[0]} {limit}{_got(value)}"
    if kind in ("literal_error", "enum"):
        return f"{name} must be one of {ctx.get('expected', '?').replace(chr(39), '')}{_got(value)}"
    if kind in ("value_error", "assertion_error"):
        # Raised by our own validators (graph.models, graph.dates): their text is already ours.
        cause = ctx.get("error")
        text = str(cause) if cause is not None else str(err.get("msg", "")).split(", ", 1)[-1]
        return f"{name}: {text}" if name else text
    return f"{name or 'this record'}: not a valid value{_got(value)}"


class _Checker:
    def __init__(self, documents: Path | None):
        self.problems: list[Problem] = []
        self.facts = Facts()
        self.documents = documents
        self._doc_text: dict[str, str | None] = {}
        self._where: dict[tuple[str, str], tuple[str, int]] = {}  # (kind, id) -> first definition
        self._edge_where: dict[tuple[str, str, str], tuple[str, int]] = {}
        self._suggestions = 0
        # Ids of records rejected for other reasons: references to them are not dangling.
        self._rejected: set[tuple[str, str]] = set()
        # Entity id -> type: one small lookup per relation end instead of a model's attribute chain.
        self._types: dict[str, str] = {}

    def add(self, file: str, line: int, message: str) -> None:
        self.problems.append(Problem(file, line, message))

    def hint(self, word: str, choices) -> str:
        self._suggestions += 1
        return did_you_mean(word, choices) if self._suggestions <= MAX_SUGGESTIONS else ""

    # -- one record -------------------------------------------------------

    def parse(self, rec: Record):
        adapter = _VALIDATORS[rec.section]
        try:
            if isinstance(rec.data, (bytes, str)):
                return adapter.validate_json(rec.data)
            return adapter.validate_python(rec.data)
        except ValidationError as e:
            if isinstance(rec.data, dict) and isinstance(rec.data.get("id"), str):
                self._rejected.add((rec.section, rec.data["id"]))
            for err in e.errors(include_url=False):
                self._report(rec, err)
        return None

    def _report(self, rec: Record, err: dict) -> None:
        loc, kind = tuple(err["loc"]), err["type"]
        models = ENTITY_MODELS if rec.section == "entities" else RELATION_MODELS
        model = Source if rec.section == "sources" else None
        if rec.section != "sources" and loc and loc[0] in models:
            model, loc = models[loc[0]], loc[1:]
        what = "entity" if rec.section == "entities" else "relation"
        line = rec.line_of(loc)
        if kind == "union_tag_invalid":
            line = rec.line_of(("type",))
        self.add(rec.file, line, explain(err, loc, what, model, models))

    # -- sections ---------------------------------------------------------

    def source(self, rec: Record) -> None:
        src = self.parse(rec)
        if src is None:
            return
        if self._defined("source", src.id, rec):
            self.facts.sources[src.id] = src
            if self.documents is not None and src.document:
                if self._document(src.document) is None:
                    names = [p.name for p in self.documents.iterdir()] if self.documents.is_dir() else []
                    self.add(rec.file, rec.line_of(("document",)),
                             f"document {src.document!r} not found in {self.documents}"
                             f"{did_you_mean(src.document, names)}")

    def entity(self, rec: Record) -> None:
        ent = self.parse(rec)
        if ent is not None and self._defined("entity", ent.id, rec):
            self.facts.entities[ent.id] = ent
            self._types[ent.id] = ent.type

    def relation(self, rec: Record) -> None:
        rel = self.parse(rec)
        if rel is None:
            self._raw_references(rec)
            return
        ok = True
        rtype = REGISTRY.relations[rel.type]
        for end, eid, allowed in (("from", rel.from_, rtype.sources), ("to", rel.to, rtype.targets)):
            etype = self._types.get(eid)
            if etype is None:
                self._unknown_entity(rec, end, eid)
                ok = False
            elif etype not in allowed:
                self.add(rec.file, rec.line_of((end,)),
                         f"{rel.type} cannot {'start at' if end == 'from' else 'end at'} {eid!r}, a {etype} "
                         f"(allowed: {', '.join(sorted(allowed))})")
                ok = False
        for i, ev in enumerate(rel.evidence):
            src = self.facts.sources.get(ev.source)
            if src is None:
                self._unknown_source(rec, i, ev.source)
                ok = False
            elif self.documents is not None and src.document:
                doc = self._document(src.document)
                if doc is not None and normalize_text(ev.quote) not in doc:
                    self.add(rec.file, rec.line_of(("evidence", i, "quote")),
                             f"quote not found in {src.document}: {ev.quote!r}")
                    ok = False
        if ok:
            self._merge(edge_from_relation(rel, self.facts.sources), rec)

    def _unknown_entity(self, rec: Record, end: str, eid: str) -> None:
        if ("entities", eid) in self._rejected:
            return
        self.add(rec.file, rec.line_of((end,)), f"{end}: unknown entity {eid!r}{self.hint(eid, self.facts.entities)}")

    def _unknown_source(self, rec: Record, i: int, sid: str) -> None:
        if ("sources", sid) in self._rejected:
            return
        self.add(rec.file, rec.line_of(("evidence", i, "source")),
                 f"evidence cites unknown source {sid!r}{self.hint(sid, self.facts.sources)}")

    def _raw_references(self, rec: Record) -> None:
        # A relation the model rejected may also dangle; say so in the same run.
        data = rec.data
        if not isinstance(data, dict):
            return
        for end in ("from", "to"):
            eid = data.get(end)
            if isinstance(eid, str) and eid and eid not in self.facts.entities:
                self._unknown_entity(rec, end, eid)
        evidence = data.get("evidence")
        for i, ev in enumerate(evidence if isinstance(evidence, list) else []):
            sid = ev.get("source") if isinstance(ev, dict) else None
            if isinstance(sid, str) and sid and sid not in self.facts.sources:
                self._unknown_source(rec, i, sid)

    def _merge(self, edge: Edge, rec: Record) -> None:
        key = edge.key
        known = self.facts.edges.get(key)
        if known is None:
            self.facts.edges[key] = edge
            self._edge_where[key] = (rec.file, rec.line)
            return
        conflict = known.merge(edge)
        if conflict:
            where, line = self._edge_where[key]
            self.add(rec.file, rec.line, f"{conflict} ({where}:{line}); one edge has one value")

    def _defined(self, kind: str, ident: str, rec: Record) -> bool:
        first = self._where.get((kind, ident))
        if first:
            self.add(rec.file, rec.line_of(("id",)),
                     f"duplicate {kind} id {ident!r} (first defined at {first[0]}:{first[1]})")
            return False
        self._where[(kind, ident)] = (rec.file, rec.line)
        return True

    def _document(self, name: str) -> str | None:
        if name not in self._doc_text:
            path = self.documents / name
            try:
                self._doc_text[name] = normalize_text(path.read_text(encoding="utf-8")) if path.is_file() else None
            except (OSError, UnicodeDecodeError):
                self._doc_text[name] = None
        return self._doc_text[name]


def _records(files: list[Path], progress: Progress | None, problems: list[Problem]) -> dict[str, list[Iterator]]:
    """Per section, the record streams of every file (YAML read now, tables lazily)."""
    streams: dict[str, list[Iterator]] = {s: [] for s in SECTIONS}
    for path in files:
        label = _label(path)
        if path.suffix in YAML_SUFFIXES:
            records, found = read_yaml(path, label)
            problems.extend(found)
            if progress:
                progress(path.stat().st_size)
            for s in SECTIONS:
                streams[s].append(iter([r for r in records if r.section == s]))
        elif path.suffix in TABULAR_SUFFIXES:
            section = section_of(path)
            if section is None:
                problems.append(Problem(label, 1, "cannot tell what this file holds: name it "
                                        f"*.sources{path.suffix}, *.entities{path.suffix} or *.relations{path.suffix}"))
                continue
            reader = read_csv if path.suffix == ".csv" else read_jsonl
            streams[section].append(reader(path, label, section, progress))
        else:
            problems.append(Problem(label, 1, f"not a fact file: expected {', '.join(FACT_SUFFIXES)}"))
    return streams


@dataclass
class Checked:
    """What :func:`check_files` found: the facts of every file read, and the problems of the checked ones."""

    facts: Facts
    problems: list[Problem]  # of the checked files only, sorted
    files: list[Path]  # the checked files
    context: list[Path] = field(default_factory=list)  # the files read as the rest of the dataset
    context_problems: int = 0  # problems of the context files (not reported)


def check_files(paths: Iterable[Path], documents: Path | None = None, progress: Progress | None = None, *,
                context: Iterable[Path] = ()) -> Checked:
    """Validate every fact file under ``paths``, with the files under ``context`` as the rest of the dataset.

    The context supplies the sources, entities and relations the checked files refer to (and may
    collide with); only the checked files' problems are reported. A file under both is checked.
    """
    files = discover(paths)
    checked = set(files)
    others = [f for f in discover(context) if f not in checked]
    checker = _Checker(documents)
    # The context first: a duplicate or a conflict is then reported where the checked files state it.
    streams = _records(others + files, progress, checker.problems)
    # Sources before entities before relations, so references resolve in one pass.
    with gc_paused():
        sections = (("sources", checker.source), ("entities", checker.entity), ("relations", checker.relation))
        for section, handle in sections:
            for stream in streams[section]:
                for item in stream:
                    if isinstance(item, Problem):
                        checker.problems.append(item)
                    else:
                        handle(item)
    problems = checker.problems
    context_problems = 0
    if others:
        labels = {_label(f) for f in files}
        mine = [p for p in problems if p.file in labels]
        context_problems, problems = len(problems) - len(mine), mine
    return Checked(checker.facts, sorted(problems), files, others, context_problems)


def load_facts(paths: Iterable[Path], documents: Path | None = None, progress: Progress | None = None, *,
               context: Iterable[Path] = ()) -> Facts:
    """Validate every fact file under ``paths``; return the merged facts or raise ValidationFailed.

    With ``context``, see :func:`check_files`: the facts then include the context's.
    """
    checked = check_files(paths, documents, progress, context=context)
    if checked.problems:
        raise ValidationFailed(checked.problems)
    return checked.facts
