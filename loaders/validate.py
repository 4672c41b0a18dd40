"""Read fact files, check them completely, and return merged :class:`Facts`.

Every problem in every file is collected before anything is returned; if
there is an error, :class:`ValidationFailed` carries them all and no facts
escape. Warnings (grades stronger than the grading policy allows) are
collected beside the errors and block nothing, unless validation is strict.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from graph import hedging
from graph.dates import first_day, last_day
from graph.facts import Edge, Facts, edge_from_relation, gc_paused
from graph.models import (
    ENTITY_MODELS,
    NAME_PATTERN,
    RELATION_MODELS,
    TEXT_PATTERN,
    EntityAdapter,
    Evidence,
    RelationAdapter,
    Source,
    SourceAdapter,
    is_slug,
    text_problem,
)
from graph.resolutions import Resolution, ResolutionAdapter, apply_same, contradictions
from graph.scan import REVIEW
from graph.schema import REGISTRY

from .discovery import (
    FACT_SUFFIXES,
    TABULAR_SUFFIXES,
    YAML_SUFFIXES,
    discover,
    find_facts,
    label,
    read_problem,
    suffix,
)
from .documents import Document, normalize_text, read_document
from .halves import check_in_halves, worth_splitting
from .problems import WARNING, Problem, ValidationFailed, did_you_mean
from .records import SECTIONS, Record
from .tabular import JsonlFile, keys_given, read_csv, repeated_key, section_of
from .yaml_reader import read_yaml

__all__ = [
    "Checked",
    "FACT_SUFFIXES",
    "TABULAR_SUFFIXES",
    "YAML_SUFFIXES",
    "check_files",
    "discover",
    "explain",
    "find_facts",
    "load_facts",
    "normalize_text",
]

# Suggestions scan every id; past this many, a run full of typos would crawl.
MAX_SUGGESTIONS = 200

Progress = Callable[[int], None]


CREDIBILITY, RELIABILITY = REGISTRY.credibility, REGISTRY.reliability
ANONYMOUS_HINT = "to describe an anonymous originator, write it in words"

# The grading policy is applied by graph.hedging.check, at tens of microseconds a piece of evidence: a
# million pieces would wait seconds for it. Most break no rule, and are passed over at once: a grade no
# rule caps, or a quote without an anonymous originator that holds not even the longest word of any of
# the policy's phrases (every word of a phrase the policy finds is in the quote, in lower case).
_LOOSEST_CAP = max((rule.cap for rule in hedging.POLICY), default=CREDIBILITY.best)


def _any_word(words: Iterable[str]) -> re.Pattern:
    """A pattern that finds any of ``words``, grouped by first letter (twice as fast as a flat alternation).

    >>> _any_word(["likely", "apparently", "appears"]).pattern
    'a(?:pparently|ppears)|l(?:ikely)'
    """
    words = sorted(set(words))
    groups: dict[str, list[str]] = {}
    for w in filter(None, words):
        groups.setdefault(w[0], []).append(re.escape(w[1:]))
    return re.compile("|".join(f"{re.escape(k)}(?:{'|'.join(v)})" for k, v in groups.items()) or "(?!)")


_PHRASE_WORDS = _any_word(
    max(re.findall(r"\w+", phrase) or [phrase], key=len) for rule in hedging.POLICY for phrase in rule.phrases
)


# The adapters' core validators: the same checks, without a Python wrapper around each of a million calls.
_VALIDATORS = {
    "sources": SourceAdapter.validator,
    "entities": EntityAdapter.validator,
    "relations": RelationAdapter.validator,
    "resolutions": ResolutionAdapter.validator,
}


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
    if kind == "extra_forbidden" and loc == (REVIEW,):
        # A record drafted by `kg scan --draft`, not yet completed by the curator.
        return f"drafted record to review ({str(value)[:200]}): complete it, then delete its {REVIEW}: line"
    if kind == "extra_forbidden":
        fields = [f.alias or n for n, f in model.model_fields.items()] if model and len(loc) == 1 else []
        if len(loc) > 1 and loc[0] == "evidence":
            fields = list(Evidence.model_fields)
        typ = ""
        if model is not None and model not in (Source, Resolution) and len(loc) == 1:
            typ = f" of a {model.__name__.removesuffix('Entity').removesuffix('Relation')}"
        return f"unknown field {last!r}{typ}{did_you_mean(last, fields)}"
    if kind == "missing":
        return f"missing field {name!r}"
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return f"{name} must be a mapping of fields{_got(value)}" + (
            " such as {source: ..., quote: ...}" if loc[:1] == ("evidence",) else ""
        )
    if last == "credibility" and kind in (
        "greater_than_equal",
        "less_than_equal",
        "greater_than",
        "less_than",
        "int_parsing",
        "int_type",
        "int_from_float",
        "finite_number",
        "float_parsing",
        "float_type",
        "int_parsing_size",
    ):
        return _grade(name, CREDIBILITY, value)
    if last == "reliability" and kind in ("literal_error", "string_type"):
        return f"{name} must be one of {RELIABILITY.span()} ({RELIABILITY.title}), got {value!r}"
    if kind == "string_pattern_mismatch":
        if ctx.get("pattern") in (TEXT_PATTERN, NAME_PATTERN) and isinstance(value, str):
            return f"{name}: {text_problem(value)}"
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
        bound = {
            "greater_than_equal": ("at least", "ge"),
            "greater_than": ("more than", "gt"),
            "less_than_equal": ("at most", "le"),
            "less_than": ("less than", "lt"),
        }[kind]
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
        self.warnings: list[Problem] = []
        self.facts = Facts()
        self.documents = documents
        self._docs: dict[str, Document | str] = {}
        self._where: dict[tuple[str, str], tuple[str, int]] = {}  # (kind, id) -> first definition
        self._edge_where: dict[tuple[str, str, str], tuple[str, int]] = {}
        self._suggestions = 0
        # Ids of records rejected for other reasons: references to them are not dangling.
        self._rejected: set[tuple[str, str]] = set()
        # Entity id -> type: one small lookup per relation end instead of a model's attribute chain.
        self._types: dict[str, str] = {}
        # Entities with evidence, checked once every entity is known (their evidence names entities).
        self._entity_evidence: list[tuple[Record, object]] = []
        # The curators' same/different decisions whose ids are known, checked together at the end.
        self._resolutions: list[tuple[Record, Resolution]] = []
        # Set in the child that checks the second half of a big file (loaders.halves): each line's edge with
        # its FILE:LINE, merged by the parent after its own half.
        self._deferred: list[tuple[Edge, str, int]] | None = None

    def add(self, file: str, line: int, message: str) -> None:
        self.problems.append(Problem(file, line, message))

    def warn(self, file: str, line: int, message: str) -> None:
        self.warnings.append(Problem(file, line, message, WARNING))

    def hint(self, word: str, choices) -> str:
        self._suggestions += 1
        return did_you_mean(word, choices) if self._suggestions <= MAX_SUGGESTIONS else ""

    # -- one record -------------------------------------------------------

    def parse(self, rec: Record):
        adapter = _VALIDATORS[rec.section]
        try:
            if isinstance(rec.data, (bytes, str)):
                model = adapter.validate_json(rec.data)
                raw = rec.data if isinstance(rec.data, bytes) else rec.data.encode()
                # Fast path: as many `":` as keys kept means none was repeated (a quote holding `":`
                # takes the exact check).
                if raw.count(b'":') != keys_given(model) and (key := repeated_key(raw)) is not None:
                    self.add(rec.file, rec.line, f"the key {key!r} is given twice in one record: which value is meant?")
                    if isinstance(getattr(model, "id", None), str):
                        self._rejected.add((rec.section, model.id))
                    return None
                return model
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
        model = {"sources": Source, "resolutions": Resolution}.get(rec.section)
        if model is None and loc and loc[0] in models:
            model, loc = models[loc[0]], loc[1:]
        what = {"entities": "entity", "resolutions": "resolution"}.get(rec.section, "relation")
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
                doc = self._document(src.document)
                if isinstance(doc, str):
                    if not doc:
                        names = [p.name for p in self.documents.iterdir()] if self.documents.is_dir() else []
                        doc = (
                            f"document {src.document!r} not found in {self.documents}"
                            f"{did_you_mean(src.document, names)}"
                        )
                    self.add(rec.file, rec.line_of(("document",)), doc)

    def entity(self, rec: Record) -> None:
        ent = self.parse(rec)
        if ent is None:
            if isinstance(rec.data, dict) and rec.data.get("evidence"):
                self._entity_evidence.append((rec, None))
        elif self._defined("entity", ent.id, rec):
            self.facts.entities[ent.id] = ent
            self._types[ent.id] = ent.type
            if ent.evidence:
                self._entity_evidence.append((rec, ent))

    def entities_done(self) -> None:
        """Check the evidence of entities, now that every entity its ``according_to``/``via`` may name is known."""
        for rec, ent in self._entity_evidence:
            if ent is None:
                self._raw_evidence(rec)
            else:
                self._evidence(rec, ent.evidence, None)  # type: ignore[attr-defined]
        self._entity_evidence.clear()

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
                self.add(
                    rec.file,
                    rec.line_of((end,)),
                    f"{rel.type} cannot {'start at' if end == 'from' else 'end at'} {eid!r}, a {etype} "
                    f"(allowed: {', '.join(sorted(allowed))})",
                )
                ok = False
        if not self._evidence(rec, rel.evidence, rel.credibility):
            ok = False
        if ok:
            self._merge(edge_from_relation(rel, self.facts.sources), rec)

    def resolution(self, rec: Record) -> None:
        """A same/different decision: its ids known, and those said to be the same of one type."""
        res = self.parse(rec)
        if res is None:
            return
        key, ok = res.decision, True
        for i, eid in enumerate(res.ids):
            if eid not in self._types:
                if ("entities", eid) not in self._rejected:
                    hint = self.hint(eid, self._types)
                    self.add(rec.file, rec.line_of((key, i)), f"{key}: unknown entity {eid!r}{hint}")
                ok = False
        if ok and res.same is not None:
            kept = res.same[0]
            for i, eid in enumerate(res.same[1:], start=1):
                if self._types[eid] != self._types[kept]:
                    self.add(
                        rec.file,
                        rec.line_of((key, i)),
                        f"same: {eid!r} ({self._types[eid]}) and {kept!r} ({self._types[kept]}) differ in type; "
                        "only entities of one type merge (correct the type first)",
                    )
                    ok = False
        if ok:
            self._resolutions.append((rec, res))

    def resolutions_done(self) -> None:
        """Decisions that contradict each other; then, when the facts are valid, the "same" ones applied."""
        recs = [r for r, _ in self._resolutions]
        decisions = [d for _, d in self._resolutions]
        found = contradictions(decisions, [f"{r.file}:{r.line}" for r in recs])
        for p in found:
            rec, res = recs[p.index], decisions[p.index]
            self.add(rec.file, rec.line_of((res.decision, p.at)) if p.at is not None else rec.line, p.message)
        self.facts.resolutions = decisions
        if found or self.problems or not decisions:
            return
        merged, clashes = apply_same(self.facts, decisions)
        where = {
            other: (rec.file, rec.line_of(("same", i)))
            for rec, res in self._resolutions
            for i, other in enumerate(res.same or [])
        }
        for clash in clashes:
            self.add(*where[clash.merged], clash.message)
        if not clashes:
            self.facts = merged

    # -- evidence (of relations and of entities) ---------------------------

    def _evidence(self, rec: Record, evidence: list[Evidence], credibility: int | None) -> bool:
        """Check each piece of evidence: its source, when it was observed, who made the claim, its quote, and
        its grade (``credibility``: the record's, for pieces without their own; None for entities)."""
        ok = True
        for i, ev in enumerate(evidence):
            src = self.facts.sources.get(ev.source)
            sentence = None
            if src is None:
                self._unknown_source(rec, i, ev.source)
                ok = False
            else:
                if ev.observed is not None and first_day(ev.observed) > last_day(src.observed):
                    self.add(rec.file, rec.line_of(("evidence", i, "observed")), _observed_late(ev.observed, src))
                    ok = False
                if self.documents is not None and src.document:
                    doc = self._document(src.document)
                    if isinstance(doc, Document):
                        sentence = doc.sentence_of(ev.quote)
                        if sentence is None:
                            self.add(
                                rec.file,
                                rec.line_of(("evidence", i, "quote")),
                                f"quote not found in {src.document}: {ev.quote!r}",
                            )
                            ok = False
            if ev.according_to is not None and not ev.anonymous:
                ok = self._entity_reference(rec, i, "according_to", ev.according_to) and ok
            if ev.via is not None:
                ok = self._entity_reference(rec, i, "via", ev.via) and ok
            grade = ev.credibility if ev.credibility is not None else credibility
            if (
                grade is not None
                and grade < _LOOSEST_CAP
                and (sentence or ev.according_to is not None or _PHRASE_WORDS.search(ev.quote.lower()))
            ):
                self._grading(rec, i, ev, grade, sentence, src.document if src is not None else None)
        return ok

    def _grading(
        self, rec: Record, i: int, ev: Evidence, grade: int, sentence: str | None, document: str | None
    ) -> None:
        """A warning when the grade is stronger than the policy allows for the quote, who said it, or the
        sentence the quote was cut from (the strictest rule broken; one warning per piece of evidence)."""
        found = [(b, "") for b in hedging.check(ev.quote, grade, anonymous=ev.anonymous)]
        if sentence:
            rules = {b.rule for b, _ in found}
            found += [
                (b, f"; the words are in the quote's sentence in {document}")
                for b in hedging.check(sentence, grade)
                if b.rule not in rules
            ]
        if not found:
            return
        breach, where = max(found, key=lambda f: f[0].rule.cap)  # the first of equals: the quote's own words
        at = ("evidence", i, "credibility") if ev.credibility is not None else ("credibility",)
        self.warn(rec.file, rec.line_of(at), breach.message() + where)

    def _entity_reference(self, rec: Record, i: int, name: str, eid: str) -> bool:
        if eid in self._types:
            return True
        if ("entities", eid) not in self._rejected:
            hint = f"; {ANONYMOUS_HINT}" if name == "according_to" else ""
            self.add(
                rec.file,
                rec.line_of(("evidence", i, name)),
                f"{name}: unknown entity {eid!r}{self.hint(eid, self.facts.entities)}{hint}",
            )
        return False

    def _unknown_entity(self, rec: Record, end: str, eid: str) -> None:
        if ("entities", eid) in self._rejected:
            return
        self.add(rec.file, rec.line_of((end,)), f"{end}: unknown entity {eid!r}{self.hint(eid, self.facts.entities)}")

    def _unknown_source(self, rec: Record, i: int, sid: str) -> None:
        if ("sources", sid) in self._rejected:
            return
        self.add(
            rec.file,
            rec.line_of(("evidence", i, "source")),
            f"evidence cites unknown source {sid!r}{self.hint(sid, self.facts.sources)}",
        )

    def _raw_references(self, rec: Record) -> None:
        # A relation the model rejected may also dangle; say so in the same run.
        data = rec.data
        if not isinstance(data, dict):
            return
        for end in ("from", "to"):
            eid = data.get(end)
            if isinstance(eid, str) and eid and eid not in self.facts.entities:
                self._unknown_entity(rec, end, eid)
        self._raw_evidence(rec)

    def _raw_evidence(self, rec: Record) -> None:
        # The references of a rejected record's evidence, where they have the form of ids.
        evidence = rec.data.get("evidence") if isinstance(rec.data, dict) else None
        for i, ev in enumerate(evidence if isinstance(evidence, list) else []):
            if not isinstance(ev, dict):
                continue
            sid = ev.get("source")
            if isinstance(sid, str) and sid and sid not in self.facts.sources:
                self._unknown_source(rec, i, sid)
            for name in ("according_to", "via"):
                eid = ev.get(name)
                if isinstance(eid, str) and is_slug(eid.strip()):
                    self._entity_reference(rec, i, name, eid.strip())

    def _merge(self, edge: Edge, rec: Record) -> None:
        if self._deferred is not None:
            self._deferred.append((edge, rec.file, rec.line))
        else:
            self._merge_at(edge, rec.file, rec.line)

    def _merge_at(self, edge: Edge, file: str, line: int) -> None:
        key = edge.key
        known = self.facts.edges.get(key)
        if known is None:
            self.facts.edges[key] = edge
            self._edge_where[key] = (file, line)
            return
        conflict = known.merge(edge)
        if conflict:
            where, first = self._edge_where[key]
            self.add(file, line, f"{conflict} ({where}:{first}); one edge has one value")

    def _defined(self, kind: str, ident: str, rec: Record) -> bool:
        first = self._where.get((kind, ident))
        if first:
            self.add(
                rec.file,
                rec.line_of(("id",)),
                f"duplicate {kind} id {ident!r} (first defined at {first[0]}:{first[1]})",
            )
            return False
        self._where[(kind, ident)] = (rec.file, rec.line)
        return True

    def _document(self, name: str) -> Document | str:
        """The document, or why not ("" when it does not exist): read once, only inside --documents."""
        if name not in self._docs:
            self._docs[name] = read_document(self.documents, name)  # type: ignore[arg-type]
        return self._docs[name]


def _observed_late(observed: str, src: Source) -> str:
    """A piece of evidence cannot have been observed after its report came out (or, undated, was read)."""
    if src.published:
        return f"observed {observed} is after the source's publication {src.published}"
    return f"observed {observed} is after the source was retrieved {src.retrieved} (its publication date is unknown)"


def _records(files: list[Path], progress: Progress | None, problems: list[Problem]) -> dict[str, list[Iterator]]:
    """Per section, the record streams of every file (YAML read now, tables lazily)."""
    streams: dict[str, list[Iterator]] = {s: [] for s in SECTIONS}
    for path in files:
        where, kind = label(path), suffix(path)
        if kind not in FACT_SUFFIXES:
            problems.append(Problem(where, 1, f"not a fact file: expected {', '.join(FACT_SUFFIXES)}"))
            continue
        section = section_of(path) if kind in TABULAR_SUFFIXES else None
        if kind in TABULAR_SUFFIXES and section is None:
            problems.append(
                Problem(
                    where,
                    1,
                    "cannot tell what this file holds: name it "
                    f"*.sources{path.suffix}, *.entities{path.suffix} or *.relations{path.suffix}",
                )
            )
            continue
        unreadable = read_problem(path, where)
        if unreadable is not None:
            problems.append(unreadable)
            continue
        if section is None:  # YAML
            records, found = read_yaml(path, where)
            problems.extend(found)
            if progress:
                progress(_size(path))
            for s in SECTIONS:
                streams[s].append(iter([r for r in records if r.section == s]))
        else:
            if kind == ".csv":
                streams[section].append(read_csv(path, where, section, progress))
            else:
                streams[section].append(JsonlFile(path, where, section, progress))
    return streams


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


@dataclass
class Checked:
    """What :func:`check_files` found: the facts of every file read, and the problems of the checked ones.

    ``problems`` are errors (the facts are invalid); ``warnings`` block nothing (strict validation
    makes them errors, and then there are none).
    """

    facts: Facts
    problems: list[Problem]  # errors of the checked files only, sorted
    files: list[Path]  # the checked files
    context: list[Path] = field(default_factory=list)  # the files read as the rest of the dataset
    context_problems: int = 0  # problems of the context files (not reported)
    warnings: list[Problem] = field(default_factory=list)  # of the checked files only, sorted
    not_read: int = 0  # entries under the checked folders that could not be read (each has a problem)


def check_files(
    paths: Iterable[Path],
    documents: Path | None = None,
    progress: Progress | None = None,
    *,
    context: Iterable[Path] = (),
    strict: bool = False,
    checker: Callable[[Path | None], _Checker] | None = None,
    split: bool = True,
) -> Checked:
    """Validate every fact file under ``paths``, with the files under ``context`` as the rest of the dataset.

    The context supplies the sources, entities and relations the checked files refer to (and may
    collide with); only the checked files' problems are reported. A file under both is checked.
    With ``strict``, warnings are errors. ``checker(documents)`` makes the checker (a subclass of this
    module's, which loaders.versions uses to check the lines two versions share once). ``split``: a big
    JSON Lines relations file may be checked in two processes at once (:mod:`loaders.halves`).
    """
    found = find_facts(paths)
    files = found.files
    checked = set(files)
    around = find_facts(context)
    others = [f for f in around.files if f not in checked]
    checker = (checker or _Checker)(documents)
    checker.problems.extend(found.problems)
    checker.problems.extend(p for p in around.problems if p not in found.problems)
    # The context first: a duplicate or a conflict is then reported where the checked files state it.
    streams = _records(others + files, progress, checker.problems)
    # Sources before entities before relations, so references resolve in one pass (entities' own evidence,
    # which names entities, once they are all known).
    with gc_paused():
        sections = (
            ("sources", checker.source),
            ("entities", checker.entity),
            ("relations", checker.relation),
            ("resolutions", checker.resolution),
        )
        for section, handle in sections:
            for stream in streams[section]:
                if split and type(checker) is _Checker and worth_splitting(stream):  # subclasses keep their order
                    check_in_halves(checker, stream)
                    continue
                for item in stream:
                    if isinstance(item, Problem):
                        checker.problems.append(item)
                    else:
                        handle(item)
            if section == "entities":
                checker.entities_done()
        checker.resolutions_done()
    problems, warnings = checker.problems, checker.warnings
    if strict:
        problems, warnings = problems + [w.as_error() for w in warnings], []
    context_problems = 0
    if others or around.problems:
        labels = {label(f) for f in files} | {p.file for p in found.problems}
        mine = [p for p in problems if p.file in labels]
        context_problems, problems = len(problems) - len(mine), mine
        warnings = [w for w in warnings if w.file in labels]
    not_read = len({p.file for p in found.problems})
    return Checked(checker.facts, sorted(problems), files, others, context_problems, sorted(warnings), not_read)


def load_facts(
    paths: Iterable[Path],
    documents: Path | None = None,
    progress: Progress | None = None,
    *,
    context: Iterable[Path] = (),
    strict: bool = False,
) -> Facts:
    """Validate every fact file under ``paths``; return the merged facts or raise ValidationFailed.

    Warnings do not fail (with ``strict`` they do); :func:`check_files` returns them. With ``context``,
    see :func:`check_files`: the facts then include the context's.
    """
    checked = check_files(paths, documents, progress, context=context, strict=strict)
    if checked.problems:
        raise ValidationFailed(checked.problems)
    return checked.facts
