"""What changed between two versions of a dataset: sources, entities and relations added, removed, changed.

Pure functions over :class:`graph.facts.Facts`: records are matched by their
identity (source and entity ids, :func:`graph.facts.edge_id` for relations) and
compared field by field, so a change says which fields changed and how
(grades, dates, evidence, attributes).

>>> from graph.facts import Edge, EvidenceItem, Facts
>>> old, new = Facts(), Facts()
>>> old.edges[("a", "LEADS", "b")] = Edge("a", "LEADS", "b", [EvidenceItem("s", "q", 2)], None, None)
>>> new.edges[("a", "LEADS", "b")] = Edge("a", "LEADS", "b", [EvidenceItem("s", "q", 3)], "2021", None)
>>> [(c.kind, c.id, c.change, sorted(c.fields)) for c in diff_facts(old, new)]
[('relation', 'a|LEADS|b', 'changed', ['credibility', 'evidence', 'valid_from'])]
"""

from __future__ import annotations

import dataclasses
from array import array
from collections.abc import Iterable
from dataclasses import dataclass, field
from operator import attrgetter
from typing import Any

from pydantic import BaseModel

from .facts import Edge, EvidenceItem, Facts, edge_id

KINDS = ("source", "entity", "relation")
ADDED, REMOVED, CHANGED = "added", "removed", "changed"


@dataclass
class Change:
    """One record added, removed or changed; ``fields`` maps a changed field to (old, new)."""

    kind: str  # source, entity or relation
    id: str
    change: str  # added, removed or changed
    fields: dict[str, tuple[Any, Any]] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "id": self.id,
            "change": self.change,
            "fields": {k: {"old": o, "new": n} for k, (o, n) in self.fields.items()},
        }


def _model_fields(record) -> dict[str, Any]:
    return record.model_dump(exclude_none=True, by_alias=True, exclude_defaults=True)


def _edge_fields(e: Edge) -> dict[str, Any]:
    out: dict[str, Any] = {"credibility": e.credibility, "evidence": [ev.as_dict() for ev in e.evidence]}
    if e.valid_from:
        out["valid_from"] = e.valid_from
    if e.valid_to:
        out["valid_to"] = e.valid_to
    out.update(e.attributes)
    return out


def _compare(kind: str, key: str, old: dict[str, Any], new: dict[str, Any]) -> Change | None:
    fields = {k: (old.get(k), new.get(k)) for k in sorted(old.keys() | new.keys()) if old.get(k) != new.get(k)}
    return Change(kind, key, CHANGED, fields) if fields else None


def _diff(kind: str, old: dict, new: dict, ident, fields) -> Iterable[Change]:
    # One pass over each version, one lookup per record; only what differs is sorted (a million unchanged
    # relations cost no set operations and no sort).
    removed, differ = [], []
    for key, a in old.items():
        b = new.get(key)
        if b is None:
            removed.append(key)
        elif a is not b and a != b:  # one record shared by both versions (loaders.versions) is unchanged
            differ.append(key)
    added = [key for key in new if key not in old]
    for key in sorted(removed):
        yield Change(kind, ident(key), REMOVED, {k: (v, None) for k, v in fields(old[key]).items()})
    for key in sorted(added):
        yield Change(kind, ident(key), ADDED, {k: (None, v) for k, v in fields(new[key]).items()})
    for key in sorted(differ):
        change = _compare(kind, ident(key), fields(old[key]), fields(new[key]))
        if change is not None:
            yield change


def diff_facts(old: Facts, new: Facts) -> list[Change]:
    """Every difference between two versions, sources first, then entities, then relations (each sorted)."""
    changes = list(_diff("source", old.sources, new.sources, str, _model_fields))
    changes += _diff("entity", old.entities, new.entities, str, _model_fields)
    changes += _diff("relation", old.edges, new.edges, lambda k: edge_id(*k), _edge_fields)
    return changes


def summary(changes: Iterable[Change]) -> dict[str, dict[str, int]]:
    """Counts by kind and change: ``{"relation": {"added": 3, "removed": 0, "changed": 1}, ...}``."""
    out = {k: {ADDED: 0, REMOVED: 0, CHANGED: 0} for k in KINDS}
    for c in changes:
        out[c.kind][c.change] += 1
    return out


# -- fingerprints: which records may differ, without holding both versions in one process ------------------

# Every field of a piece of evidence and the scalar fields of an edge, read in one C call; derived from the
# dataclasses so that a field added later is part of the fingerprint without anyone remembering to add it.
_EVIDENCE = attrgetter(*(f.name for f in dataclasses.fields(EvidenceItem)))
_EDGE_SCALARS = attrgetter(*(f.name for f in dataclasses.fields(Edge) if f.name not in ("evidence", "attributes")))


def _frozen(value: Any) -> Any:
    if isinstance(value, (list, tuple)):
        return tuple(_frozen(v) for v in value)
    if isinstance(value, dict):
        return tuple((k, _frozen(v)) for k, v in value.items())
    if isinstance(value, BaseModel):
        return (type(value).__name__, _frozen(value.__dict__))
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return _frozen([getattr(value, f.name) for f in dataclasses.fields(value)])
    return value


def _edge_print(e: Edge) -> int:
    return hash((_EDGE_SCALARS(e), tuple(map(_EVIDENCE, e.evidence)), _frozen(e.attributes)))


def _prints(records: dict, prints) -> tuple[array, array]:
    # Two arrays of 64-bit numbers (the key's hash, the record's): sent between processes as two buffers,
    # where a dict of a million tuple keys took 0.8 s to pickle and 2.7 s to unpickle.
    return array("q", map(hash, records)), array("q", map(prints, records.values()))


def fingerprints(facts: Facts) -> dict[str, tuple[array, array]]:
    """Two numbers per record, by kind: the hash of its key and one that changes when the record does.

    Python's ``hash``: equal for equal records within one interpreter and the processes it forks (which
    share its hash seed), never across interpreters. Two versions read in two forked processes send
    these instead of their records; only the records whose numbers differ travel and are compared field by
    field (:func:`differing`, :func:`restrict`). Equal numbers for different records would need a 64-bit
    collision on the same key; different numbers for equal records (attributes in another order), or two
    keys with one hash, only cost an exact comparison that finds nothing.

    >>> from graph.facts import Edge, EvidenceItem, Facts
    >>> f = Facts()
    >>> f.edges[("a", "LEADS", "b")] = Edge("a", "LEADS", "b", [EvidenceItem("s", "q", 2)], None, None)
    >>> g = Facts()
    >>> g.edges[("a", "LEADS", "b")] = Edge("a", "LEADS", "b", [EvidenceItem("s", "q", 2)], None, None)
    >>> fingerprints(f) == fingerprints(g)
    True
    >>> g.edges[("a", "LEADS", "b")].evidence[0].credibility = 3
    >>> fingerprints(f) == fingerprints(g)
    False
    """
    return {
        "source": _prints(facts.sources, lambda v: hash(_frozen(v))),
        "entity": _prints(facts.entities, lambda v: hash(_frozen(v))),
        "relation": _prints(facts.edges, _edge_print),
    }


def differing(old: dict[str, tuple[array, array]], new: dict[str, tuple[array, array]]) -> dict[str, set[int]]:
    """The key hashes, by kind, of the records added, removed or possibly changed between two fingerprint
    sets: every (key, record) pair found in one version and not in the other."""
    out: dict[str, set[int]] = {}
    for kind in KINDS:
        a, b = old.get(kind), new.get(kind)
        pairs_a = set(zip(*a, strict=True)) if a else set()
        pairs_b = set(zip(*b, strict=True)) if b else set()
        out[kind] = {key for key, _ in pairs_a.symmetric_difference(pairs_b)}
    return out


def restrict(facts: Facts, keys: dict[str, set[int]]) -> Facts:
    """The records of ``facts`` whose key hashes are under ``keys`` (by kind), nothing else.

    ``diff_facts(restrict(old, d), restrict(new, d))`` equals ``diff_facts(old, new)`` when ``d`` holds
    every key hash :func:`differing` found: unchanged records are absent from both sides and so from the diff
    (a record that only shares its key's hash with a changed one is on both sides, and equal).
    """

    def some(records: dict, wanted: set[int]) -> dict:
        return {k: v for k, v in records.items() if hash(k) in wanted} if wanted else {}

    return Facts(
        sources=some(facts.sources, keys.get("source", set())),
        entities=some(facts.entities, keys.get("entity", set())),
        edges=some(facts.edges, keys.get("relation", set())),
    )
