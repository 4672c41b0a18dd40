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

A conversion may be given a :class:`Budget` of bytes: it then stops with
:class:`TooLarge` as soon as the JSON it makes would pass it, so a 10-million-item
list costs what fits in the budget, not a copy of itself.
"""

from __future__ import annotations

import math
from json.encoder import encode_basestring
from typing import Any

from neo4j import graph as ng
from neo4j import spatial
from neo4j import time as ntime

from ..schema import STORE_FIELDS

# Written by the mapping for lookups and range filters; never facts to show.
INTERNAL_PROPERTIES = frozenset(STORE_FIELDS) | {
    "valid_from_date",
    "valid_to_date",
    "observed_from_date",
    "observed_to_date",
    "published_date",
    "retrieved_date",
}


class TooLarge(ValueError):
    """A value whose JSON would pass the :class:`Budget` it was converted under."""


# What the keys of a node's, relationship's, path's or point's JSON cost besides its values.
_WRAPPER_BYTES = 48


class Budget:
    """Bytes of compact JSON a conversion may still make, for :func:`to_plain`: a string's or a number's
    JSON and a separator, a list's or map's brackets (and keys), a node's, relationship's, path's or
    point's keys as a small fixed cost. A list that could not fit even if each item took one character
    is refused before any item is converted.

    >>> b = Budget(12)
    >>> to_plain(["ab", 100], budget=b), b.used
    (['ab', 100], 12)
    >>> to_plain(list(range(10**7)), budget=b)
    Traceback (most recent call last):
    ...
    graph.neo4j.values.TooLarge: the value passes the limit of 12 bytes
    """

    __slots__ = ("limit", "used")

    def __init__(self, limit: int):
        self.limit = limit
        self.used = 0

    def spend(self, n: int) -> None:
        self.used += n
        if self.used > self.limit:
            raise TooLarge(f"the value passes the limit of {self.limit} bytes")

    def scalar(self, value: None | bool | int | float | str) -> None:
        if isinstance(value, str):
            self.spend(len(value) + 3)  # at least its characters, the quotes and a separator: before encoding it
            self.spend(len(encode_basestring(value).encode()) - len(value) - 2)  # escapes and UTF-8
        else:
            self.spend(len(str(value)) + 1)

    def container(self, value: Any) -> None:
        if isinstance(value, dict):
            self._needs(5 * len(value))  # each entry at least `"":0,`
            self.spend(3)
            for k in value:
                self.scalar(str(k))
        elif isinstance(value, (list, tuple)) and not isinstance(value, (spatial.Point, ntime.Duration)):
            self._needs(2 * len(value))  # each item at least one character and a comma
            self.spend(3)
        elif isinstance(value, (bytes, bytearray)):
            self.spend(2 * len(value) + 3)
        else:
            self.spend(_WRAPPER_BYTES)

    def _needs(self, n: int) -> None:
        if self.used + n > self.limit:
            raise TooLarge(f"the value passes the limit of {self.limit} bytes")


def to_plain(value: Any, *, budget: Budget | None = None) -> Any:
    """A Neo4j value (as the driver returns it) as plain JSON-able Python; with a ``budget``,
    :class:`TooLarge` as soon as the JSON made passes it.

    >>> to_plain([1, 2.5, "x", None, float("nan")])
    [1, 2.5, 'x', None, 'nan']
    """
    if value is None or isinstance(value, (bool, int, str)):
        if budget is not None:
            budget.scalar(value)
        return value
    if isinstance(value, float):
        if budget is not None:
            budget.scalar(value)
        return value if math.isfinite(value) else str(value)
    if budget is not None:
        budget.container(value)
    if isinstance(value, spatial.Point):  # points are tuples: test them before lists
        if isinstance(value, spatial.WGS84Point):
            return {"lat": value.latitude, "lon": value.longitude}
        return [float(c) for c in value]
    if isinstance(value, ng.Node):
        return {
            "node": {
                "labels": to_plain(sorted(value.labels), budget=budget),
                "properties": properties(value, budget=budget),
            }
        }
    if isinstance(value, ng.Relationship):
        return {
            "relationship": {
                "type": value.type,
                "from": _endpoint(value.start_node),
                "to": _endpoint(value.end_node),
                "properties": properties(value, budget=budget),
            }
        }
    if isinstance(value, ng.Path):
        return {
            "path": {
                "nodes": [to_plain(n, budget=budget) for n in value.nodes],
                "relationships": [to_plain(r, budget=budget) for r in value.relationships],
            }
        }
    if isinstance(value, (ntime.Date, ntime.DateTime, ntime.Time, ntime.Duration)):  # a Duration is a tuple
        return value.iso_format()
    if isinstance(value, (list, tuple)):
        return [to_plain(v, budget=budget) for v in value]
    if isinstance(value, dict):
        return {str(k): to_plain(v, budget=budget) for k, v in value.items()}
    if isinstance(value, (bytes, bytearray)):
        return value.hex()
    if hasattr(value, "isoformat"):  # datetime.date and friends
        return value.isoformat()
    return str(value)


def properties(entity: ng.Node | ng.Relationship, *, budget: Budget | None = None) -> dict[str, Any]:
    """The properties of a node or relationship that are facts, as plain values."""
    kept = {k: v for k, v in entity.items() if k not in INTERNAL_PROPERTIES}
    if budget is not None:
        budget.container(kept)
    return {k: to_plain(v, budget=budget) for k, v in kept.items()}


def _endpoint(node: ng.Node | None) -> str | None:
    # A relationship returned without its nodes has endpoints the driver knows only by element id.
    if node is None:
        return None
    return node.get("id") or node.element_id
