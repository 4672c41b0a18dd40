"""The details panel: one entity, one relation with every piece of its evidence and their sources."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from graph.attribution import attribution_text
from graph.facts import EvidenceItem
from graph.models import Source, is_slug
from graph.neo4j.values import to_plain
from viz.provenance import reported_names

from ..errors import NotFound
from . import cypher, drawn
from .base import Store

# A source's metadata as the loader's model declares it (the node also holds the writer's bookkeeping).
SOURCE_FIELDS = tuple(Source.model_fields)


def source_info(props: dict[str, Any]) -> dict[str, Any]:
    """A source node's metadata as plain values, without the writer's bookkeeping.

    >>> source_info({"id": "r1", "title": "Report", "hash": "x1", "published": "2021-06"})
    {'id': 'r1', 'title': 'Report', 'published': '2021-06'}
    """
    return {k: to_plain(props[k]) for k in SOURCE_FIELDS if props.get(k) is not None}


def sources(store: Store, ids: Iterable[str]) -> dict[str, dict]:
    """Source id -> :func:`source_info`, for the sources of ``ids`` that exist."""
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    return {r["s"]["id"]: source_info(dict(r["s"])) for r in store.read(cypher.SOURCES, ids=wanted)}


def evidence_items(props: dict[str, Any]) -> list[dict]:
    """A relationship's evidence, stored as parallel lists (``sources``, ``quotes``, ``credibilities``,
    ``observed``, ... : :func:`graph.neo4j.mapping.evidence_props`), as
    :meth:`graph.facts.EvidenceItem.as_dict` gives each piece (a piece without a grade of its own has
    the relation's).

    >>> one, two = evidence_items(
    ...     {
    ...         "sources": ["r1", "r2"],
    ...         "quotes": ["a", "b"],
    ...         "credibilities": [2, 3],
    ...         "observed": ["2021-06", ""],
    ...         "credibility": 2,
    ...     }
    ... )
    >>> one
    {'source': 'r1', 'quote': 'a', 'credibility': 2, 'observed': '2021-06'}
    >>> two
    {'source': 'r2', 'quote': 'b', 'credibility': 3}
    """

    def nth(name: str, i: int, default: Any = None) -> Any:
        values = props.get(name) or []
        return values[i] if i < len(values) and values[i] not in ("", None) else default

    return [
        EvidenceItem(
            sid,
            nth("quotes", i, ""),
            nth("credibilities", i) or props.get("credibility"),
            nth("observed", i),
            bool(nth("observed_stated", i, False)),
            nth("according_to", i),
            nth("via", i),
        ).as_dict()
        for i, sid in enumerate(props.get("sources") or [])
    ]


def attributed(store: Store, items: list[dict]) -> list[dict]:
    """``items`` (:func:`evidence_items`) with each ``source`` id replaced by its :func:`source_info` and
    ``attribution``: who said it, by name (:func:`graph.attribution.attribution_text`)."""
    known = sources(store, (item["source"] for item in items))
    ids = {item[k] for item in items for k in ("according_to", "via") if item.get(k) and is_slug(item[k])}
    names = {r["id"]: r["name"] for r in store.read(cypher.NAMES, ids=sorted(ids))} if ids else {}
    for item in items:
        item["attribution"] = attribution_text(item, known, names)
        item["source"] = known.get(item["source"], {"id": item["source"]})
    return items


def entity(store: Store, eid: str) -> dict:
    """An entity's details: type, name, aliases (``reported_names``: those a quote about it says,
    :mod:`viz.provenance`), description, location, attributes, the evidence of its identification
    and the curator's ``inferred`` note, and its number of relations by type;
    :class:`~viz.explorer.errors.NotFound` when there is none."""
    rows = store.read(cypher.ENTITY, id=eid)
    if not rows:
        raise NotFound(f"no entity with id {eid!r}")
    props, labels = dict(rows[0]["n"]), rows[0]["labels"]
    etype = drawn.entity_type(labels)
    location = to_plain(props.get("location"))
    lat, lon = (location["lat"], location["lon"]) if isinstance(location, dict) else (None, None)
    # The entity's own evidence: the relation's lists, prefixed (graph.neo4j.mapping.evidence_props).
    own = evidence_items({k.removeprefix("evidence_"): v for k, v in props.items() if k.startswith("evidence_")})
    quotes = [item["quote"] for item in own] + list(store.read(cypher.ENTITY_QUOTES, id=eid)[0]["quotes"])
    name, aliases = props.get("name") or eid, list(props.get("aliases") or [])
    return {
        "id": props.get("id"),
        "type": etype or "Entity",
        "name": name,
        "aliases": aliases,
        "reported_names": reported_names([name, *aliases], quotes),
        "description": props.get("description"),
        "lat": lat,
        "lon": lon,
        "dataset": props.get("dataset"),
        "attributes": drawn.entity_attributes(etype, props),
        "valid_from_day": to_plain(props.get("valid_from_date")),
        "valid_to_day": to_plain(props.get("valid_to_date")),
        "evidence": attributed(store, own),
        "inferred": props.get("inferred") or None,
        "relations": {t: n for t, n in sorted(rows[0]["degrees"].items()) if n},
    }


def relation(store: Store, source: str, rtype: str, target: str) -> dict:
    """One relation with its evidence: ``{edge, source_name, target_name, evidence: [{source: {...},
    quote, credibility, observed, observed_stated, according_to, via, attribution}]}``;
    :class:`~viz.explorer.errors.NotFound` when there is none."""
    rows = store.read(cypher.RELATION, **{"from": source, "type": rtype, "to": target})
    if not rows:
        raise NotFound(f"no {rtype} relation from {source!r} to {target!r}")
    rel = rows[0]["rel"]
    items = attributed(store, evidence_items(rel["props"]))
    return {
        "edge": drawn.edge(rel, store.horizon),
        "source_name": rows[0]["from_name"] or source,
        "target_name": rows[0]["to_name"] or target,
        "evidence": items,
    }
