"""Neo4j values as plain JSON-able Python: the one converter for the CLI, the queries and the explorer.

Nodes, relationships and paths become small tagged objects without the
store's bookkeeping (:data:`graph.schema.STORE_FIELDS`: ``names``, ``hash``,
``dataset``, and the derived ``*_date`` windows), and a relationship names its
endpoints by their entity ids:

* node: ``{"node": {"labels": [...], "properties": {...}}}``
* relationship: ``{"relationship": {"type", "from", "to", "properties"}}``
* path: ``{"path": {"nodes": [...], "relationships": [...]}}``

Points become ``{"lat", "lon"}``; temporal values ISO strings; bytes hex; a
float that JSON cannot hold (NaN, infinities) its text.
"""

from __future__ import annotations

import math
from typing import Any

from neo4j import graph as ng
from neo4j import spatial
from neo4j import time as ntime

from ..schema import STORE_FIELDS

# Written by the mapping for lookups and range filters; never facts to show.
INTERNAL_PROPERTIES = frozenset(STORE_FIELDS) | {"valid_from_date", "valid_to_date", "observed_from_date",
                                                 "observed_to_date", "published_date", "retrieved_date"}


def to_plain(value: Any) -> Any:
    """A Neo4j value (as the driver returns it) as plain JSON-able Python.

    >>> to_plain([1, 2.5, "x", None, float("nan")])
    [1, 2.5, 'x', None, 'nan']
    """
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, spatial.Point):  # points are tuples: test them before lists
        if isinstance(value, spatial.WGS84Point):
            return {"lat": value.latitude, "lon": value.longitude}
        return [float(c) for c in value]
    if isinstance(value, ng.Node):
        return {"node": {"labels": sorted(value.labels), "properties": properties(value)}}
    if isinstance(value, ng.Relationship):
        return {"relationship": {"type": value.type, "from": _endpoint(value.start_node),
                                 "to": _endpoint(value.end_node), "properties": properties(value)}}
    if isinstance(value, ng.Path):
        return {"path": {"nodes": [to_plain(n) for n in value.nodes],
                         "relationships": [to_plain(r) for r in value.relationships]}}
    if isinstance(value, (ntime.Date, ntime.DateTime, ntime.Time, ntime.Duration)):  # a Duration is a tuple
        return value.iso_format()
    if isinstance(value, (list, tuple)):
        return [to_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): to_plain(v) for k, v in value.items()}
    if isinstance(value, (bytes, bytearray)):
        return value.hex()
    if hasattr(value, "isoformat"):  # datetime.date and friends
        return value.isoformat()
    return str(value)


def properties(entity: ng.Node | ng.Relationship) -> dict[str, Any]:
    """The properties of a node or relationship that are facts, as plain values."""
    return {k: to_plain(v) for k, v in entity.items() if k not in INTERNAL_PROPERTIES}


def _endpoint(node: ng.Node | None) -> str | None:
    # A relationship returned without its nodes has endpoints the driver knows only by element id.
    if node is None:
        return None
    return node.get("id") or node.element_id
