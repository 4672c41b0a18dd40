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

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from .facts import Edge, Facts, edge_id

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
        elif a != b:  # dataclass / model equality: the common case costs one comparison
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
