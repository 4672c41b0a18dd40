"""Rows read from Neo4j as the page draws them: entities as nodes, relations as edges.

A node: ``{id, type, name, aliases, valid_from_day, valid_to_day}``; an edge:
``{id, source, target, type, credibility, reliability, valid_from, valid_to,
valid_from_day, valid_to_day, time_basis, evidence, originators, attributes}``, where ``id``
is :func:`graph.facts.edge_id` and the ``*_day`` pair is the as-of window as ISO
days (:mod:`graph.asof`: an entity's existence, a fact's stated validity or, if
none, its observations widened by the horizon), open ends None.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from graph.asof import DEFAULT_HORIZON, Horizon, fact_window, iso_days
from graph.facts import edge_id
from graph.neo4j.values import INTERNAL_PROPERTIES, to_plain
from graph.schema import ENTITY_FIELDS, REGISTRY, RELATION_RESERVED

# Node properties that are not attributes of an entity whose type the registry does not know.
_ENTITY_NON_ATTRIBUTES = frozenset(ENTITY_FIELDS) | INTERNAL_PROPERTIES
# Relationship properties that are not attributes of a relation whose type the registry does not know
# (the writer never writes one: such a relationship comes from elsewhere).
_RELATION_NON_ATTRIBUTES = frozenset(RELATION_RESERVED) | INTERNAL_PROPERTIES


def entity_type(labels: Iterable[str]) -> str | None:
    """The registry's entity type among a node's labels.

    >>> entity_type(["Entity", "ArmedGroup"]), entity_type(["Source"])
    ('ArmedGroup', None)
    """
    return next((label for label in labels if label in REGISTRY.entities), None)


def entity_attributes(etype: str | None, props: dict[str, Any]) -> dict[str, Any]:
    """The attributes among an entity node's properties: its type's, or (type unknown) what is not a field."""
    declared = REGISTRY.entities[etype].attributes if etype in REGISTRY.entities else None
    return {
        k: to_plain(v)
        for k, v in props.items()
        if v is not None and (k in declared if declared is not None else k not in _ENTITY_NON_ATTRIBUTES)
    }


def relation_attributes(rtype: str, props: dict[str, Any]) -> dict[str, Any]:
    """The attributes among a relationship's properties: its type's, or (type unknown) what is not a field."""
    declared = REGISTRY.relations[rtype].attributes if rtype in REGISTRY.relations else None
    return {
        k: to_plain(v)
        for k, v in props.items()
        if v is not None and (k in declared if declared is not None else k not in _RELATION_NON_ATTRIBUTES)
    }


def node(row: dict) -> dict:
    """A node from :func:`viz.explorer.store.cypher.node`'s projection."""
    first, last = (to_plain(row.get(k)) for k in ("valid_from_date", "valid_to_date"))
    return {
        "id": row["id"],
        "type": entity_type(row.get("labels") or ()) or "Entity",
        "name": row.get("name") or row["id"],
        "aliases": list(row.get("aliases") or []),
        "valid_from_day": first,
        "valid_to_day": last,
    }


def fact_days(props: dict[str, Any], horizon: Horizon = DEFAULT_HORIZON) -> tuple[str | None, str | None, str | None]:
    """A relation's as-of window as ISO days and its time basis (:func:`graph.asof.fact_window`); no
    window for dates the loader would not have written.

    >>> fact_days({"valid_from": "2021-06", "valid_to": "2021"}), fact_days({"valid_to": "garbage"})
    (('2021-06-01', '2021-12-31', 'stated'), (None, None, None))
    """
    try:
        w, basis = fact_window(props, horizon)
    except (ValueError, TypeError):
        return None, None, None
    return (*iso_days(w), basis)


def edge(row: dict, horizon: Horizon = DEFAULT_HORIZON) -> dict:
    """An edge from :data:`~viz.explorer.store.cypher.DRAWN_RELATION` or
    :data:`~viz.explorer.store.cypher.WHOLE_RELATION` (``{type, source, target, props}``)."""
    props = row.get("props") or {}
    rtype = row["type"]
    first, last, basis = fact_days(props, horizon)
    evidence = props.get("evidence")
    return {
        "id": edge_id(row["source"], rtype, row["target"]),
        "source": row["source"],
        "target": row["target"],
        "type": rtype,
        "credibility": props.get("credibility"),
        "reliability": props.get("reliability"),
        "valid_from": props.get("valid_from"),
        "valid_to": props.get("valid_to"),
        "valid_from_day": first,
        "valid_to_day": last,
        "time_basis": basis,
        "evidence": evidence if isinstance(evidence, int) else len(props.get("sources") or props.get("quotes") or []),
        "originators": props.get("originators") if isinstance(props.get("originators"), int) else None,
        "attributes": relation_attributes(rtype, props),
    }
