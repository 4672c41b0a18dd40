"""Validated facts with deterministic identity.

An entity is identified by its id; an edge by (from, type, to). The same edge
stated twice (by two sources, or two files) is one :class:`Edge` carrying
every piece of evidence.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from .dates import first_day, last_day
from .models import EntityBase, Evidence, RelationBase, Source

# Past this many new container objects, a pause ends by freezing them (see gc_paused).
FREEZE_OVER = 200_000


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while many containers are created.

    Facts hold no reference cycles, yet each million new dicts and objects set
    off full collections that scan everything and free nothing: a third of the
    time of loading and building a million relations.

    Past FREEZE_OVER new objects, the pause ends with ``gc.freeze()``: later
    collections skip what exists then, which spares a full scan of the heap
    (seconds at a million relations) each time one runs, at exit too. Frozen
    objects are still freed by reference counting as usual; only garbage cycles
    among them stay. A graph whose views were used is such a cycle (networkx
    caches views that point back at it), so a long-running process that drops
    big graphs and builds new ones should call ``gc.unfreeze()`` when it drops
    one. Small loads (tests, curated files) leave the collector as it was.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            if gc.get_count()[0] > FREEZE_OVER:
                gc.freeze()
            gc.enable()


EDGE_ID_SEPARATOR = "|"  # never in an id (a slug) nor in a relation type


def edge_id(source: str, rtype: str, target: str) -> str:
    """The one string that names an edge everywhere (exports, Neo4j state, pages, the API).

    >>> edge_id("fog-47", "OCCUPIES", "badr-hospital")
    'fog-47|OCCUPIES|badr-hospital'
    """
    return f"{source}{EDGE_ID_SEPARATOR}{rtype}{EDGE_ID_SEPARATOR}{target}"


def parse_edge_id(value: str) -> tuple[str, str, str]:
    """(from, type, to) of an :func:`edge_id`; ValueError when it is not one.

    >>> parse_edge_id("fog-47|OCCUPIES|badr-hospital")
    ('fog-47', 'OCCUPIES', 'badr-hospital')
    """
    parts = value.split(EDGE_ID_SEPARATOR)
    if len(parts) != 3 or not all(parts):
        raise ValueError(f"not an edge id: {value!r} (expected FROM|TYPE|TO)")
    return parts[0], parts[1], parts[2]


@dataclass(slots=True)
class EvidenceItem:
    """One piece of evidence of an edge, with its grade, when it was observed and who made the claim."""

    source: str
    quote: str
    credibility: int
    # When the source saw it: the evidence's own `observed`, else the source's publication (partial date).
    observed: str | None = None
    observed_stated: bool = False  # the evidence said `observed:` itself
    according_to: str | None = None  # an entity id, or an anonymous originator in words
    via: str | None = None  # the entity id of the outlet the source relays

    def as_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"source": self.source, "quote": self.quote, "credibility": self.credibility}
        if self.observed is not None:
            d["observed"] = self.observed
        if self.observed_stated:
            d["observed_stated"] = True
        if self.according_to is not None:
            d["according_to"] = self.according_to
        if self.via is not None:
            d["via"] = self.via
        return d


@dataclass(slots=True)
class Edge:
    source: str  # "from" entity id
    type: str
    target: str  # "to" entity id
    evidence: list[EvidenceItem]
    valid_from: str | None
    valid_to: str | None
    attributes: dict[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.source, self.type, self.target)

    @property
    def credibility(self) -> int:
        """The best (lowest) grade among the edge's evidence."""
        return min(e.credibility for e in self.evidence)

    def merge(self, other: Edge) -> str | None:
        """Fold another statement of the same edge into this one.

        Returns a message when the two disagree on an attribute; the stated
        validity bounds widen to cover both statements.
        """
        for k, v in other.attributes.items():
            mine = self.attributes.get(k)
            if mine is not None and mine != v:
                return f"{self.type} {self.source} -> {self.target}: {k} is {v!r} here but {mine!r} where first stated"
        self.attributes.update(other.attributes)
        seen = {(e.source, e.quote) for e in self.evidence}
        self.evidence.extend(e for e in other.evidence if (e.source, e.quote) not in seen)
        self.valid_from = _widen(self.valid_from, other.valid_from, first_day, min)
        self.valid_to = _widen(self.valid_to, other.valid_to, last_day, max)
        return None


def _widen(a, b, to_day, pick):
    # A statement without a bound says nothing about it; the bounds that were stated widen.
    if a is None or b is None:
        return a or b
    return a if pick(to_day(a), to_day(b)) == to_day(a) else b


def evidence_item(ev: Evidence, credibility: int, sources: Mapping[str, Source] | None = None) -> EvidenceItem:
    """A model's piece of evidence as the graph keeps it (its observation date resolved from its source)."""
    src = sources.get(ev.source) if sources is not None else None
    observed = ev.observed or (src.observed if src is not None else None)
    return EvidenceItem(
        ev.source, ev.quote, ev.credibility or credibility, observed, ev.observed is not None, ev.according_to, ev.via
    )


def _no_source(_sid: str) -> None:
    return None


def edge_from_relation(rel: RelationBase, sources: Mapping[str, Source] | None = None) -> Edge:
    """The edge a relation states; ``sources`` (id -> Source) give the evidence its observation dates."""
    credibility, get = rel.credibility, (sources.get if sources is not None else _no_source)
    return Edge(
        source=rel.from_,
        type=rel.type,
        target=rel.to,
        # evidence_item() inlined: a call per piece of evidence is a noticeable share of a million-relation load.
        evidence=[
            EvidenceItem(
                e.source,
                e.quote,
                e.credibility or credibility,
                e.observed or ((src.published or src.retrieved) if (src := get(e.source)) else None),
                e.observed is not None,
                e.according_to,
                e.via,
            )
            for e in rel.evidence
        ],
        valid_from=rel.valid_from,
        valid_to=rel.valid_to,
        attributes=rel.attributes(),
    )


@dataclass
class Facts:
    """Everything a set of fact files states, checked and merged."""

    sources: dict[str, Source] = field(default_factory=dict)
    entities: dict[str, EntityBase] = field(default_factory=dict)
    edges: dict[tuple[str, str, str], Edge] = field(default_factory=dict)
    # The curators' same/different decisions (graph.resolutions.Resolution), and each id a "same" decision
    # merged away -> the id kept (graph.resolutions.apply_same).
    resolutions: list[Any] = field(default_factory=list)
    merged: dict[str, str] = field(default_factory=dict)

    def reliability(self, edge: Edge) -> str:
        """The best Admiralty reliability among the edge's sources (A is best)."""
        return min(self.sources[e.source].reliability for e in edge.evidence)
