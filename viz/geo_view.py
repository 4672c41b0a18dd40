"""What the pages' maps and timelines need beyond the graph: where entities are, and the world's outlines.

The snapshot's data block gets a ``geo`` field (:func:`geo_payload`); the timeline needs nothing new
(the nodes and edges already carry their as-of windows as ISO days). The world's outlines
(Natural Earth 1:110m, vendored by scripts/vendor_assets.py) travel in a data block of their own.

    geo.precision   the registry's geo_precision scale (graph.schema.Scale.as_dict: grades best first,
                    each with its meaning and the radius_m maps draw around it)
    geo.placing     the relation types that place an actor at a location (graph.geo.PLACING)
    geo.located[k]  n              index into nodes
                    lat, lon       decimal degrees (graph.geo.locate: own, or inherited through LOCATED_IN)
                    p              its geo_precision grade
                    from           when inherited: the name of the place whose coordinates it took
    geo.overlay     the user's GeoJSON (kg viz --overlay, checked by graph.geo.read_overlay), or null
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import networkx as nx

from graph.geo import PLACING, locate
from graph.schema import REGISTRY

VENDOR = Path(__file__).with_name("assets") / "vendor"
WORLD = VENDOR / "world-110m.geojson"


def geo_payload(
    G: nx.MultiDiGraph,
    node_ids: list[str],
    *,
    context: nx.MultiDiGraph | None = None,
    overlay: dict | None = None,
) -> dict[str, Any]:
    """The ``geo`` field of a page's data for the nodes ``node_ids`` of ``G`` (in the page's order).

    ``context``: the graph ``G`` was selected from, so a site keeps the coordinates of the place it
    lies in when the view left that place out.

    >>> G = nx.MultiDiGraph()
    >>> G.add_node("town", type="Place", name="Town", lat=34.45, lon=40.92, geo_precision="town")
    >>> geo_payload(G, ["town"])["located"]
    [{'n': 0, 'lat': 34.45, 'lon': 40.92, 'p': 'town'}]
    """
    whole = context if context is not None else G
    found = locate(whole, node_ids)
    rows = []
    for i, n in enumerate(node_ids):
        loc = found.get(n)
        if loc is None:
            continue
        row: dict[str, Any] = {"n": i, "lat": loc.lat, "lon": loc.lon, "p": loc.precision}
        if loc.inherited_from:
            row["from"] = whole.nodes[loc.inherited_from].get("name", loc.inherited_from)
        rows.append(row)
    return {
        "precision": REGISTRY.geo_precision.as_dict(),
        "placing": list(PLACING),
        "located": rows,
        "overlay": overlay,
    }


@lru_cache(maxsize=1)
def world_json() -> str:
    """The world's outlines as GeoJSON text (vendored; plain ASCII JSON, safe inside a script block)."""
    return WORLD.read_text(encoding="utf-8").strip()
