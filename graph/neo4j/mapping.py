"""The Neo4j graph model: facts mapped to rows for the writer.

The same model as the JSON export, in Neo4j's terms:

* every entity is a node ``:Entity:<Type>`` (the type's label comes from the
  schema registry) with ``id``, ``type``, ``name``, ``aliases`` (left out when
  there are none: no empty list is ever stored, see :func:`_put`), the optional
  ``description``, its type's attributes, ``location`` (a WGS-84 point) when
  lat/lon are given, and ``names``: the keys of its id, name and every alias
  (:func:`graph.names.stored_keys`: each exact name key, for case/accent/
  punctuation-insensitive lookups, and the matcher's folded, phonetic and
  skeleton keys, for :mod:`graph.neo4j.lookup`);
* every source is a node ``:Source`` with its metadata, its ``reliability``
  grade and ``published_date`` (a date: the first day of ``published``);
* every fact is one relationship of its registry type carrying ``sources``,
  ``quotes`` and ``credibilities`` (parallel lists, one item per piece of
  evidence), ``credibility`` (best grade), ``reliability`` (best source grade),
  ``valid_from``/``valid_to`` as written (partial ISO strings) and
  ``valid_from_date``/``valid_to_date`` (Neo4j dates: first day of the start,
  last day of the end) for range filters, and the relation's attributes.

Every node and relationship also carries ``dataset`` (which load owns it) and
``hash``: a digest of all its other properties (and, for a node, its type),
which lets a reload skip what did not change and find what did.

A row is a plain dict: ``{"id", "props"}`` for a node, ``{"from", "to",
"props"}`` for a relationship. Two row sources give the same rows:
:class:`Rows` (materialized from the in-memory graph of
:func:`graph.build.build_graph`) and :class:`FactRows` (computed on the fly
from :class:`graph.facts.Facts`, which a big load streams without building
the networkx graph first).
"""

from __future__ import annotations

import functools
import hashlib
import marshal
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, Protocol

from neo4j.spatial import WGS84Point

from ..asof import INFERRED, STATED, entity_window, window
from ..dates import first_day, last_day
from ..names import key_text, stored_keys
from ..schema import REGISTRY

if TYPE_CHECKING:
    from ..facts import Facts

# graph.build, graph.facts and graph.attribution (networkx, the pydantic models) are imported where
# FactRows computes rows: `kg query` imports this module for check_label/check_type only, and a CLI
# that fails fast when Neo4j is down must not spend its first second importing them.

SOURCE_LABEL = "Source"
# Properties every row gets; not part of any type's data.
DATASET, HASH = "dataset", "hash"


def _digest(kind: str, props: dict[str, Any]) -> str:
    # Only str/int/float/bool/None and lists of them reach here. marshal format 2
    # has no back-references, so equal values give equal bytes in every run (a
    # new Python may change the format: that only costs one full rewrite).
    data = marshal.dumps((kind, sorted(props.items())), 2)
    return hashlib.blake2b(data, digest_size=10).hexdigest()


def check_label(label: str) -> str:
    if label not in REGISTRY.entities:  # the models make this impossible; never trust it in Cypher
        raise ValueError(f"entity type {label!r} is not declared in the schema registry")
    return label


def check_type(rtype: str) -> str:
    if rtype not in REGISTRY.relations:
        raise ValueError(f"relation type {rtype!r} is not declared in the schema registry")
    return rtype


# --------------------------------------------------------------------------- properties


def _put(props: dict[str, Any], name: str, value: Any) -> None:
    """Set ``props[name]`` unless ``value`` is None or an empty list: neither is stored.

    An entity without aliases has no ``aliases`` property (readers take a missing list as none:
    ``coalesce(n.aliases, [])`` in Cypher, ``or ()`` in Python). Why: Neo4j's offline importer cannot write
    an empty list (an empty CSV field is a missing property), so storing ``[]`` would cost a bulk load a
    Cypher pass over most entities afterwards; not storing it keeps both loaders' graphs identical for free.

    >>> props = {}
    >>> for k, v in (("aliases", []), ("description", None), ("members", ("a", "b")), ("size", 0)):
    ...     _put(props, k, v)
    >>> props
    {'members': ['a', 'b'], 'size': 0}
    """
    if value is None:
        return
    if isinstance(value, (list, tuple)):
        if not value:
            return
        value = list(value)
    props[name] = value


def source_props(sid: str, meta: dict[str, Any], dataset: str) -> dict[str, Any]:
    props: dict[str, Any] = {}
    for k, v in meta.items():
        _put(props, k, v)
    props["id"] = sid
    props[HASH] = _digest(SOURCE_LABEL, props)
    if meta.get("published"):
        props["published_date"] = first_day(str(meta["published"]))
    if meta.get("retrieved"):
        props["retrieved_date"] = first_day(str(meta["retrieved"]))
    props[DATASET] = dataset
    return props


def entity_props(eid: str, data: dict[str, Any], dataset: str, evidence: list | None = None) -> dict[str, Any]:
    """Node properties of an entity (``data`` as :func:`graph.build.entity_data` gives it)."""
    props: dict[str, Any] = {"id": eid}
    for k, v in data.items():
        if k != "evidence":
            _put(props, k, v)
    if evidence:
        props.update(evidence_props(evidence, prefix="evidence_"))
    props["names"] = stored_keys(eid, data["name"], *props.get("aliases", ()))
    props["name_keys"] = key_text(eid, data["name"], *props.get("aliases", ()))  # the explorer's "containing"
    props[HASH] = _digest(data["type"], props)  # lat/lon still plain numbers here
    # When the entity exists (graph.asof.entity_window): events from their date, campaigns in [start, end].
    first, last = entity_window(data)
    if first is not None:
        props["valid_from_date"] = first
    if last is not None:
        props["valid_to_date"] = last
    lat, lon = props.pop("lat", None), props.pop("lon", None)
    if lat is not None and lon is not None:
        props["location"] = WGS84Point((float(lon), float(lat)))
    props[DATASET] = dataset
    return props


def evidence_props(evidence: list, prefix: str = "") -> dict[str, Any]:
    """Evidence as parallel lists (Neo4j holds no list of maps): one item per piece of evidence.

    ``sources``, ``quotes``, ``credibilities``, ``observed`` (partial dates), ``observed_stated``,
    ``according_to`` and ``via`` ("" where a piece has none); an entity's lists are prefixed ``evidence_``.
    """
    sources, quotes, credibilities, observed, stated, according_to, via = _evidence_names(prefix)
    if len(evidence) == 1:  # most facts: the same lists, built without seven passes (a million rows: ~1 s)
        (x,) = evidence
        props = {
            sources: [x.source],
            quotes: [x.quote],
            credibilities: [x.credibility or 0],
            observed: [x.observed or ""],
            stated: [x.observed_stated],
        }
        if x.according_to:
            props[according_to] = [x.according_to]
        if x.via:
            props[via] = [x.via]
        return props
    props = {
        sources: [x.source for x in evidence],
        quotes: [x.quote for x in evidence],
        credibilities: [x.credibility or 0 for x in evidence],
        observed: [x.observed or "" for x in evidence],
        stated: [x.observed_stated for x in evidence],
    }
    # Attribution lists only where someone is named: most facts have none, and a million
    # relationships of empty lists cost space for nothing.
    if any(x.according_to for x in evidence):
        props[according_to] = [x.according_to or "" for x in evidence]
    if any(x.via for x in evidence):
        props[via] = [x.via or "" for x in evidence]
    return props


@functools.cache
def _evidence_names(prefix: str) -> tuple[str, ...]:
    names = ("sources", "quotes", "credibilities", "observed", "observed_stated", "according_to", "via")
    return tuple(prefix + name for name in names)


# A million facts hold a few thousand distinct partial dates: each is parsed once (dates are immutable).
_window = functools.lru_cache(maxsize=1 << 16)(window)
_first_day = functools.lru_cache(maxsize=1 << 16)(first_day)
_last_day = functools.lru_cache(maxsize=1 << 16)(last_day)


def _relation_props(rtype: str, props: dict[str, Any], dataset: str) -> dict[str, Any]:
    props[HASH] = _digest(rtype, props)
    # The as-of rule's inputs (graph.asof, tested by cypher.HOLDS_ON), derived from what the hash covers:
    # the stated window, else the observations that the horizon widens at query time.
    first, last = _window(props.get("valid_from"), props.get("valid_to"))
    props["time_basis"] = STATED if props.get("valid_from") or props.get("valid_to") else INFERRED
    if first is not None:
        props["valid_from_date"] = first
    if last is not None:
        props["valid_to_date"] = last
    if props.get("first_observed"):
        props["observed_from_date"] = _first_day(props["first_observed"])
        props["observed_to_date"] = _last_day(props["last_observed"])
    props[DATASET] = dataset
    return props


# --------------------------------------------------------------------------- row sources


class RowSource(Protocol):
    """What the writer reads: ids up front, then rows in writing order."""

    dataset: str

    def counts(self) -> dict[str, int]: ...

    def source_ids(self) -> list[str]: ...

    def entity_ids(self) -> list[str]: ...

    def sources(self) -> Iterator[dict]: ...

    def entities(self) -> Iterator[tuple[str, dict]]: ...  # (label, row)

    def relations(self) -> Iterator[tuple[str, dict]]: ...  # (relationship type, row)


class FactRows:
    """The rows that write :class:`Facts` as dataset ``dataset``, computed as the writer asks for them.

    No networkx graph and no list of a million rows in memory.
    """

    def __init__(self, facts: Facts, dataset: str):
        self.facts = facts
        self.dataset = dataset

    def counts(self) -> dict[str, int]:
        return {
            "sources": len(self.facts.sources),
            "entities": len(self.facts.entities),
            "relations": len(self.facts.edges),
        }

    def source_ids(self) -> list[str]:
        return sorted(self.facts.sources)

    def entity_ids(self) -> list[str]:
        return list(self.facts.entities)

    def sources(self) -> Iterator[dict]:
        for sid in sorted(self.facts.sources):
            meta = self.facts.sources[sid].model_dump(exclude_none=True)
            yield {"id": sid, "props": source_props(sid, meta, self.dataset)}

    def entities(self) -> Iterator[tuple[str, dict]]:
        from ..build import entity_data

        for eid, ent in self.facts.entities.items():
            yield (
                check_label(ent.type),
                {
                    "id": eid,
                    "props": entity_props(eid, entity_data(ent), self.dataset, ent.evidence and self._evidence(ent)),
                },
            )

    def _evidence(self, ent) -> list:
        from ..facts import evidence_item

        return [evidence_item(ev, ev.credibility or 0, self.facts.sources) for ev in ent.evidence]

    def relations(self) -> Iterator[tuple[str, dict]]:
        from ..attribution import originator_keys
        from ..build import observed_span

        reliability = {sid: s.reliability for sid, s in self.facts.sources.items()}
        meta = {sid: {"publisher": s.publisher} for sid, s in self.facts.sources.items()}
        ds = self.dataset
        for e in self.facts.edges.values():
            ev = e.evidence
            props: dict[str, Any] = evidence_props(ev)
            props["credibility"] = min(props["credibilities"])
            props["reliability"] = reliability[ev[0].source] if len(ev) == 1 else min(reliability[x.source] for x in ev)
            first, last = observed_span(props["observed"])
            if first:
                props["first_observed"], props["last_observed"] = first, last
            keys = originator_keys([x.as_dict() for x in ev], meta) if len(ev) > 1 else None
            props["originators"] = len(keys) if keys else 1
            if e.valid_from:
                props["valid_from"] = e.valid_from
            if e.valid_to:
                props["valid_to"] = e.valid_to
            for k, v in e.attributes.items():
                _put(props, k, v)
            yield check_type(e.type), {"from": e.source, "to": e.target, "props": _relation_props(e.type, props, ds)}
