"""Read fact files, check them completely, and return merged :class:`Facts`.

Every problem in every file is collected before anything is returned; if
there is one, :class:`ValidationFailed` carries them all and no facts escape.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Callable, Iterable, Iterator

from pydantic import ValidationError

from graph.facts import Edge, Facts, edge_from_relation, gc_paused
from graph.models import (
    ENTITY_MODELS,
    RELATION_MODELS,
    EntityAdapter,
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
        name = ".".join("from" if p == "from_" else str(p) for p in loc)
        line = rec.line_of(loc)
        if kind == "json_invalid":
            msg = f"JSON syntax error: {err['ctx'].get('error', err['msg'])}"
        elif kind == "union_tag_invalid":
            tag = err["ctx"]["tag"]
            msg = f"unknown {what} type {tag!r}{did_you_mean(tag, models)}"
            line = rec.line_of(("type",))
        elif kind == "union_tag_not_found":
            msg = f"missing field 'type' (one of: {', '.join(models)})"
        elif kind == "model_attributes_type" or (kind.endswith("_type") and not loc and kind != "string_type"):
            msg = f"each {what} must be a mapping of fields"
        elif kind == "extra_forbidden":
            fields = [f.alias or n for n, f in model.model_fields.items()] if model and len(loc) == 1 else []
            if len(loc) > 1 and loc[0] == "evidence":
                fields = ["source", "quote", "credibility"]
            typ = f" of a {model.__name__.removesuffix('Entity').removesuffix('Relation')}" if model and model is not Source and len(loc) == 1 else ""
            msg = f"unknown field {loc[-1]!r}{typ}{did_you_mean(str(loc[-1]), fields)}"
        elif kind == "missing":
            msg = f"missing field {name!r}"
        elif kind == "string_pattern_mismatch":
            msg = f"{name}: {err['input']!r} is not a valid id: use lowercase letters, digits and - _ ."
        elif kind in ("greater_than_equal", "less_than_equal") and loc and loc[-1] == "credibility":
            msg = f"{name} must be {CREDIBILITY.span()} ({CREDIBILITY.title}), got {err['input']!r}"
        elif kind == "literal_error" and loc == ("reliability",):
            msg = f"reliability must be one of {RELIABILITY.span()} ({RELIABILITY.title}), got {err['input']!r}"
        elif kind == "too_short" and loc == ("evidence",):
            msg = "evidence is empty: a relation needs at least one {source, quote}"
        elif kind == "value_error":
            text = err["msg"].removeprefix("Value error, ")
            msg = f"{name}: {text}" if name else text
        else:
            got = err.get("input")
            shown = f" (got {got!r})" if isinstance(got, (str, int, float)) and len(str(got)) < 60 else ""
            msg = f"{name}: {err['msg']}{shown}" if name else err["msg"]
        self.add(rec.file, line, msg)

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
                             f"document {src.document!r} not found in {self.documents}{did_you_mean(src.document, names)}")

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
            self._merge(edge_from_relation(rel), rec)

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
            f, l = self._edge_where[key]
            self.add(rec.file, rec.line, f"{conflict} ({f}:{l}); one edge has one value")

    def _defined(self, kind: str, ident: str, rec: Record) -> bool:
        first = self._where.get((kind, ident))
        if first:
            self.add(rec.file, rec.line_of(("id",)), f"duplicate {kind} id {ident!r} (first defined at {first[0]}:{first[1]})")
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


def load_facts(paths: Iterable[Path], documents: Path | None = None, progress: Progress | None = None) -> Facts:
    """Validate every fact file under ``paths``; return the merged facts or raise ValidationFailed."""
    files = discover(paths)
    checker = _Checker(documents)
    streams = _records(files, progress, checker.problems)
    # Sources before entities before relations, so references resolve in one pass.
    with gc_paused():
        for section, handle in (("sources", checker.source), ("entities", checker.entity), ("relations", checker.relation)):
            for stream in streams[section]:
                for item in stream:
                    if isinstance(item, Problem):
                        checker.problems.append(item)
                    else:
                        handle(item)
    if checker.problems:
        raise ValidationFailed(checker.problems)
    return checker.facts
