"""Where things are: coordinates with their precision, inherited through LOCATED_IN, and the actors
the graph places there; as GeoJSON (RFC 7946) and KML for GIS tools, and as rows for the pages' maps.

* An entity with ``lat``/``lon`` is located with its own ``geo_precision`` (the registry's scale,
  ``REGISTRY.geo_precision``: exact, site, town, district, region, country).
* A site or place without coordinates takes those of the nearest place it lies in (following
  LOCATED_IN outwards), *marked as inherited* from that place and with that place's precision: a
  checkpoint in Al-Bukamal is placed at the town's point, known only to the town's precision.
* Actors are placed where the graph puts them, by the relations of :data:`PLACING` (OCCUPIES,
  CONTROLS, OPERATES_IN, PRESENT_AT, RECRUITS_IN) to a located entity: each placement keeps its
  relation, grades, stated validity and evidence, and is shown with the place (never as a point of
  its own: the report says "in Al-Bukamal", not where in it).

Everything here is a pure function of the graph :func:`graph.build.build_graph` returns.

>>> import networkx as nx
>>> G = nx.MultiDiGraph()
>>> G.add_node("town", type="Place", name="Town", lat=34.45, lon=40.92, geo_precision="town")
>>> G.add_node("base", type="Site", name="Base")
>>> G.add_edge("base", "town", "LOCATED_IN", type="LOCATED_IN")
'LOCATED_IN'
>>> locate(G)["base"]
Location(lat=34.45, lon=40.92, precision='town', inherited_from='town')
"""

from __future__ import annotations

import json
import math
import os
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import Any

import networkx as nx

from .facts import edge_id
from .files import atomic_output
from .schema import REGISTRY

INSIDE = "LOCATED_IN"
# The relations that put an actor somewhere, and so on the map.
PLACING = ("OCCUPIES", "CONTROLS", "OPERATES_IN", "PRESENT_AT", "RECRUITS_IN")
COORDINATE_DECIMALS = 6  # about 11 cm: RFC 7946 advises no more
# A user's overlay is drawn inside one self-contained page: a governorate map is a few MB; more
# than this makes a page no browser opens comfortably.
MAX_OVERLAY_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True)
class Location:
    """Where an entity is drawn; ``inherited_from``: the place whose coordinates it took (None: its own)."""

    lat: float
    lon: float
    precision: str
    inherited_from: str | None = None

    @property
    def radius_m(self) -> int:
        """The radius maps draw around it: 0 for a point (exact, site), the precision's radius otherwise."""
        return REGISTRY.geo_precision.radius_m.get(self.precision, 0)


def own_location(data: Mapping[str, Any]) -> Location | None:
    """An entity's own coordinates (its node data), or None.

    >>> own_location({"lat": 1.5, "lon": 2.0, "geo_precision": "exact"})
    Location(lat=1.5, lon=2.0, precision='exact', inherited_from=None)
    """
    lat, lon = data.get("lat"), data.get("lon")
    if lat is None or lon is None:
        return None
    return Location(float(lat), float(lon), data.get("geo_precision") or REGISTRY.geo_precision.worst)


def locate(G: nx.MultiDiGraph, nodes: Iterable[str] | None = None) -> dict[str, Location]:
    """The location of every entity of ``nodes`` (default: all) that has one, own or inherited.

    Inheritance follows LOCATED_IN outwards, nearest located place first (breadth first; among
    places as near, the finer precision, then the smaller id), and never loops.
    """
    out: dict[str, Location] = {}
    for node in G.nodes if nodes is None else nodes:
        if node not in G:
            continue
        loc = own_location(G.nodes[node])
        if loc is None and G.nodes[node].get("type") in REGISTRY.groups.get("location", ("Site", "Place")):
            loc = _inherited(G, node)
        if loc is not None:
            out[node] = loc
    return out


def _inherited(G: nx.MultiDiGraph, node: str) -> Location | None:
    seen, level = {node}, [node]
    rank = REGISTRY.geo_precision.rank
    while level:
        found: list[tuple[int, str, Location]] = []
        following: list[str] = []
        for n in level:
            for _, parent, key in G.out_edges(n, keys=True):
                if key != INSIDE or parent in seen:
                    continue
                seen.add(parent)
                loc = own_location(G.nodes[parent])
                if loc is not None:
                    found.append((rank(loc.precision), parent, loc))
                else:
                    following.append(parent)
        if found:
            _, parent, loc = min(found, key=lambda f: (f[0], f[1]))
            return Location(loc.lat, loc.lon, loc.precision, parent)
        level = sorted(following)
    return None


def placements(G: nx.MultiDiGraph, located: Mapping[str, Location]) -> dict[str, list[dict[str, Any]]]:
    """For each located entity, the relations of :data:`PLACING` that put an actor there.

    Each: ``{"id": edge_id, "actor", "actor_name", "actor_type", "relation", "credibility",
    "reliability", "valid_from"?, "valid_to"?, "evidence": [{"source", "quote", "credibility"}]}``,
    ordered by relation then actor.
    """
    out: dict[str, list[dict[str, Any]]] = {}
    for place in located:
        rows = []
        for actor, _, key, d in G.in_edges(place, keys=True, data=True):
            if key not in PLACING:
                continue
            row = {
                "id": edge_id(actor, key, place),
                "actor": actor,
                "actor_name": G.nodes[actor].get("name", actor),
                "actor_type": G.nodes[actor].get("type"),
                "relation": key,
                "credibility": d.get("credibility"),
                "reliability": d.get("reliability"),
            }
            for k in ("valid_from", "valid_to"):
                if d.get(k):
                    row[k] = d[k]
            row["evidence"] = [
                {"source": ev["source"], "quote": ev["quote"], "credibility": ev.get("credibility")}
                for ev in d.get("evidence", ())
            ]
            rows.append(row)
        if rows:
            out[place] = sorted(rows, key=lambda r: (r["relation"], r["actor"]))
    return out


# -- GeoJSON ------------------------------------------------------------------------------------


def _round(x: float) -> float:
    return round(x, COORDINATE_DECIMALS)


def feature(
    node: str,
    data: Mapping[str, Any],
    loc: Location,
    placed: list[dict] | None = None,
    names: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """One located entity as a GeoJSON Feature (a Point; its precision and inheritance as properties).

    >>> f = feature("town", {"type": "Place", "name": "Town"}, Location(34.45, 40.92, "town"))
    >>> f["geometry"], f["properties"]["geo_precision"], f["properties"]["radius_m"]
    ({'type': 'Point', 'coordinates': [40.92, 34.45]}, 'town', 3000)
    """
    props: dict[str, Any] = {
        "id": node,
        "type": data.get("type"),
        "name": data.get("name", node),
        "aliases": list(data.get("aliases", ())),
        "geo_precision": loc.precision,
        "radius_m": loc.radius_m,
        "inherited_from": loc.inherited_from,
    }
    if loc.inherited_from:
        props["inherited_from_name"] = (names or {}).get(loc.inherited_from, loc.inherited_from)
    for k in ("kind", "description"):
        if data.get(k):
            props[k] = data[k]
    props["placed"] = placed or []
    return {
        "type": "Feature",
        "id": node,
        "geometry": {"type": "Point", "coordinates": [_round(loc.lon), _round(loc.lat)]},
        "properties": props,
    }


def geojson(G: nx.MultiDiGraph, *, context: nx.MultiDiGraph | None = None) -> dict[str, Any]:
    """A FeatureCollection of the located entities of ``G``, by id (``context``: the graph ``G`` was
    selected from, so a site keeps the coordinates of a place the view left out)."""
    whole = context if context is not None else G
    located = locate(whole, G.nodes)
    placed = placements(G, located)
    names = {n: d.get("name", n) for n, d in whole.nodes(data=True)}
    return {
        "type": "FeatureCollection",
        "features": [feature(n, G.nodes[n], located[n], placed.get(n), names) for n in sorted(located)],
    }


def write_geojson(G: nx.MultiDiGraph, path: str | Path, *, context: nx.MultiDiGraph | None = None) -> int:
    """Write :func:`geojson` to ``path``; return the number of features."""
    collection = geojson(G, context=context)
    with atomic_output(path, newline="\n") as fh:
        json.dump(collection, fh, ensure_ascii=False, allow_nan=False, indent=1)
        fh.write("\n")
    return len(collection["features"])


# -- KML ------------------------------------------------------------------------------------------

KML_NS = "http://www.opengis.net/kml/2.2"


def _kml_colour(hex_rgb: str) -> str:
    """KML writes colours aabbggrr.

    >>> _kml_colour("#e15759")
    'ff5957e1'
    """
    h = hex_rgb.lstrip("#")
    return "ff" + h[4:6] + h[2:4] + h[0:2] if len(h) == 6 else "ffffffff"


def _placed_text(row: Mapping[str, Any]) -> str:
    when = ""
    if row.get("valid_from") or row.get("valid_to"):
        when = f", {row.get('valid_from') or '…'} to {row.get('valid_to') or '…'}"
    quotes = "; ".join(f"“{ev['quote']}” ({ev['source']})" for ev in row["evidence"])
    return (
        f"{row['actor_name']} {row['relation']} (credibility {row['credibility']}, "
        f"reliability {row['reliability']}{when}): {quotes}"
    )


def kml(G: nx.MultiDiGraph, *, context: nx.MultiDiGraph | None = None) -> bytes:
    """The located entities as KML 2.2 placemarks (Google Earth), one style per entity type.

    Google Earth shows a description as HTML: it is escaped as text first, so a name like
    ``<b>x</b>`` shows literally.
    """
    collection = geojson(G, context=context)
    ET.register_namespace("", KML_NS)
    root = ET.Element(f"{{{KML_NS}}}kml")
    doc = ET.SubElement(root, f"{{{KML_NS}}}Document")
    ET.SubElement(doc, f"{{{KML_NS}}}name").text = "actorgraph"
    for t in REGISTRY.entities.values():
        style = ET.SubElement(doc, f"{{{KML_NS}}}Style", id=f"type-{t.name}")
        icon = ET.SubElement(style, f"{{{KML_NS}}}IconStyle")
        ET.SubElement(icon, f"{{{KML_NS}}}color").text = _kml_colour(t.color)
    for f in collection["features"]:
        p = f["properties"]
        mark = ET.SubElement(doc, f"{{{KML_NS}}}Placemark", id=p["id"])
        ET.SubElement(mark, f"{{{KML_NS}}}name").text = p["name"]
        lines = [f"{p['type']}; precision: {p['geo_precision']}"]
        if p["inherited_from"]:
            lines.append(f"coordinates inherited from {p.get('inherited_from_name', p['inherited_from'])}")
        if p["aliases"]:
            lines.append("also known as: " + "; ".join(p["aliases"]))
        lines.extend(_placed_text(r) for r in p["placed"])
        ET.SubElement(mark, f"{{{KML_NS}}}description").text = "<br>".join(escape(x) for x in lines)
        ET.SubElement(mark, f"{{{KML_NS}}}styleUrl").text = f"#type-{p['type']}"
        ext = ET.SubElement(mark, f"{{{KML_NS}}}ExtendedData")
        for key in ("id", "type", "geo_precision", "inherited_from"):
            if p.get(key) is not None:
                data = ET.SubElement(ext, f"{{{KML_NS}}}Data", name=key)
                ET.SubElement(data, f"{{{KML_NS}}}value").text = str(p[key])
        point = ET.SubElement(mark, f"{{{KML_NS}}}Point")
        lon, lat = f["geometry"]["coordinates"]
        ET.SubElement(point, f"{{{KML_NS}}}coordinates").text = f"{lon},{lat}"
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def write_kml(G: nx.MultiDiGraph, path: str | Path, *, context: nx.MultiDiGraph | None = None) -> int:
    """Write :func:`kml` to ``path``; return the number of placemarks."""
    text = kml(G, context=context)
    with atomic_output(path, binary=True) as fh:
        fh.write(text)
    return text.count(b"<Placemark ")


# -- a user's overlay -------------------------------------------------------------------------


class OverlayError(ValueError):
    """An overlay file that cannot be drawn; ``str()`` is ``FILE:LINE: what is wrong``."""


_GEOMETRIES = {
    "Point": 0,
    "MultiPoint": 1,
    "LineString": 1,
    "MultiLineString": 2,
    "Polygon": 2,
    "MultiPolygon": 3,
}


def _position_problem(pos: Any) -> str | None:
    if not isinstance(pos, list) or not 2 <= len(pos) <= 3:
        return "a position is [longitude, latitude]"
    if any(isinstance(x, bool) or not isinstance(x, (int, float)) or not math.isfinite(x) for x in pos):
        return "a position holds numbers"
    lon, lat = pos[0], pos[1]
    if not -180 <= lon <= 180:
        return f"longitude {lon} is outside -180..180"
    if not -90 <= lat <= 90:
        return f"latitude {lat} is outside -90..90 (GeoJSON puts longitude first)"
    return None


def _coordinates_problem(coords: Any, depth: int) -> str | None:
    if depth == 0:
        return _position_problem(coords)
    if not isinstance(coords, list):
        return "coordinates must be nested lists of positions"
    for c in coords:
        problem = _coordinates_problem(c, depth - 1)
        if problem:
            return problem
    return None


def _geometry_problem(g: Any, where: str) -> str | None:
    if g is None:
        return None  # a feature without geometry is allowed (RFC 7946 3.2)
    if not isinstance(g, dict) or not isinstance(g.get("type"), str):
        return f"{where}: a geometry is an object with a type"
    kind = g["type"]
    if kind == "GeometryCollection":
        for i, part in enumerate(g.get("geometries") or []):
            problem = _geometry_problem(part, f"{where}.geometries[{i}]")
            if problem:
                return problem
        return None
    if kind not in _GEOMETRIES:
        return f"{where}: unknown geometry type {kind!r} (one of {', '.join(_GEOMETRIES)}, GeometryCollection)"
    problem = _coordinates_problem(g.get("coordinates"), _GEOMETRIES[kind])
    return f"{where}.coordinates: {problem}" if problem else None


def check_overlay(obj: Any) -> list[str]:
    """What keeps ``obj`` from being a GeoJSON object a map can draw (empty: nothing).

    >>> check_overlay({"type": "FeatureCollection", "features": []})
    []
    >>> check_overlay({"type": "Feature", "geometry": {"type": "Point", "coordinates": [40, 95]}})
    ['geometry.coordinates: latitude 95 is outside -90..90 (GeoJSON puts longitude first)']
    >>> check_overlay({"layers": []})
    ["not GeoJSON: the top level needs a type (FeatureCollection, Feature or a geometry's), found keys 'layers'"]
    """
    if not isinstance(obj, dict) or not isinstance(obj.get("type"), str):
        keys = ", ".join(repr(k) for k in list(obj)[:5]) if isinstance(obj, dict) else type(obj).__name__
        return [
            f"not GeoJSON: the top level needs a type (FeatureCollection, Feature or a geometry's), found keys {keys}"
        ]
    problems: list[str] = []
    kind = obj["type"]
    if kind == "FeatureCollection":
        features = obj.get("features")
        if not isinstance(features, list):
            return ["not GeoJSON: a FeatureCollection needs a list of features"]
        for i, f in enumerate(features):
            if not isinstance(f, dict) or f.get("type") != "Feature":
                problems.append(f"features[{i}]: not a Feature")
                continue
            problem = _geometry_problem(f.get("geometry"), f"features[{i}].geometry")
            if problem:
                problems.append(problem)
            if len(problems) >= 20:
                break
    elif kind == "Feature":
        problem = _geometry_problem(obj.get("geometry"), "geometry")
        if problem:
            problems.append(problem)
    else:
        problem = _geometry_problem(obj, "geometry")
        if problem:
            problems.append(problem)
    return problems


def read_overlay(path: str | Path, *, max_bytes: int = MAX_OVERLAY_BYTES) -> dict[str, Any]:
    """A user's GeoJSON file, checked: raises :class:`OverlayError` (``FILE:LINE: ...``) when it is not
    GeoJSON, not UTF-8 JSON, or bigger than ``max_bytes`` (checked before reading a byte of it)."""
    path = Path(path)
    try:
        size = os.stat(path).st_size
    except OSError as exc:
        raise OverlayError(f"{path}:1: cannot read the overlay: {exc.strerror}") from None
    if size > max_bytes:
        raise OverlayError(
            f"{path}:1: the overlay is {size / 1048576:.0f} MB; at most {max_bytes // 1048576} MB fits in a page "
            "(simplify it, e.g. with mapshaper or QGIS, or keep only the area you need)"
        )
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise OverlayError(f"{path}:1: not GeoJSON: the file is not UTF-8 text") from None
    except OSError as exc:
        raise OverlayError(f"{path}:1: cannot read the overlay: {exc.strerror}") from None
    try:
        obj = json.loads(text, parse_constant=_no_constant)
    except json.JSONDecodeError as exc:
        raise OverlayError(f"{path}:{exc.lineno}: not GeoJSON: {exc.msg} (column {exc.colno})") from None
    except ValueError as exc:
        raise OverlayError(f"{path}:1: not GeoJSON: {exc}") from None
    problems = check_overlay(obj)
    if problems:
        raise OverlayError("\n".join(f"{path}:1: {p}" for p in problems))
    return obj


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")
