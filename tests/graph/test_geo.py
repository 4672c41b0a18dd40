"""graph.geo and the coordinates of graph.models: where entities are, inherited through LOCATED_IN, the
actors placed there, KML, a user's overlay; and bad coordinates refused as FILE:LINE problems."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import networkx as nx
import pytest

from graph.build import build_graph
from graph.geo import (
    KML_NS,
    PLACING,
    Location,
    OverlayError,
    check_overlay,
    geojson,
    kml,
    locate,
    placements,
    read_overlay,
)
from graph.schema import REGISTRY
from graph.views import View, select
from loaders import check_files, load_facts
from tests.paths import ROOT

GEO = ROOT / "tests" / "fixtures" / "geo"


@pytest.fixture(scope="module")
def G():
    return build_graph(load_facts([GEO]))


def test_the_precision_scale_comes_from_the_registry():
    scale = REGISTRY.geo_precision
    assert scale.grades == ("exact", "site", "town", "district", "region", "country")
    assert Location(0, 0, "exact").radius_m == 0 and Location(0, 0, "town").radius_m == scale.radius_m["town"] > 0


def test_own_and_inherited_locations(G):
    found = locate(G)
    assert found["river-town"] == Location(34.45, 40.92, "town", None)
    assert found["bridge"] == Location(34.4612, 40.9401, "exact", None)
    # Two levels up (depot -> old quarter -> town): the town's point and precision, marked inherited.
    assert found["old-quarter"] == Location(34.45, 40.92, "town", "river-town")
    assert found["depot"] == Location(34.45, 40.92, "town", "river-town")
    # Nothing to inherit from, and actors or events never inherit.
    assert "nowhere" not in found and "brigade" not in found and "raid" not in found


def test_inheritance_takes_the_nearest_then_finest_and_never_loops():
    G = nx.MultiDiGraph()
    G.add_node("a", type="Site", name="A")
    G.add_node("b", type="Place", name="B")
    G.add_node("c", type="Place", name="C", lat=1.0, lon=1.0, geo_precision="region")
    G.add_node("d", type="Place", name="D", lat=2.0, lon=2.0, geo_precision="country")
    G.add_node("e", type="Place", name="E", lat=3.0, lon=3.0, geo_precision="district")
    for u, v in (("a", "b"), ("b", "a"), ("b", "c"), ("a", "d"), ("b", "e")):
        G.add_edge(u, v, "LOCATED_IN")
    # d is one step away: nearest wins even when coarser.
    assert locate(G)["a"] == Location(2.0, 2.0, "country", "d")
    # From b, c and e are equally near: the finer precision (district) wins; a and b loop harmlessly.
    assert locate(G)["b"] == Location(3.0, 3.0, "district", "e")
    G.remove_node("d")
    G.remove_node("e")
    G.remove_node("c")
    assert locate(G) == {}


def test_actors_are_placed_by_the_placing_relations_with_grades_and_evidence(G):
    placed = placements(G, locate(G))
    assert set(PLACING) == {"OCCUPIES", "CONTROLS", "OPERATES_IN", "PRESENT_AT", "RECRUITS_IN"}
    (occ,) = placed["depot"]
    assert occ["id"] == "brigade|OCCUPIES|depot" and occ["relation"] == "OCCUPIES"
    assert (occ["credibility"], occ["reliability"], occ["valid_from"]) == (2, "B", "2021-11")
    assert occ["evidence"][0]["quote"].startswith("the brigade holds the depot")
    assert [p["relation"] for p in placed["river-town"]] == ["OPERATES_IN"]
    assert "bridge" not in placed  # nobody placed there


def test_geojson_is_what_the_view_shows_and_keeps_inherited_coordinates(G):
    fc = geojson(G)
    assert [f["id"] for f in fc["features"]] == ["bridge", "depot", "old-quarter", "river-town"]
    depot = next(f for f in fc["features"] if f["id"] == "depot")
    assert depot["geometry"] == {"type": "Point", "coordinates": [40.92, 34.45]}
    assert depot["properties"]["inherited_from"] == "river-town"
    assert depot["properties"]["inherited_from_name"] == "<img src=x onerror=window.__pwned=1>"
    # A view without the town keeps the depot where the town is (context), without the town's feature.
    view = View(focus=["depot"], depth=1)
    H = select(G, view)
    ids = [f["id"] for f in geojson(H, context=G)["features"]]
    assert "depot" in ids and "river-town" not in ids


def test_kml_shows_hostile_text_as_text(G):
    root = ET.fromstring(kml(G))
    marks = root.findall(f".//{{{KML_NS}}}Placemark")
    assert len(marks) == 4
    town = next(m for m in marks if m.get("id") == "river-town")
    assert town.find(f"{{{KML_NS}}}name").text == "<img src=x onerror=window.__pwned=1>"
    # Google Earth reads a description as HTML: the text is escaped once more, so it shows literally.
    description = town.find(f"{{{KML_NS}}}description").text
    assert "&lt;/script&gt;&lt;script&gt;" in description and "<script>" not in description
    lon_lat = town.find(f".//{{{KML_NS}}}coordinates").text
    assert lon_lat == "40.92,34.45"


# -- bad coordinates, as kg validate reports them ------------------------------------------


@pytest.mark.parametrize(
    ("record", "line", "message"),
    [
        ("lat: 91\n    lon: 40\n    geo_precision: town", 5, "lat must be at most 90 (got '91')"),
        ("lat: 34\n    lon: 181\n    geo_precision: town", 6, "lon must be at most 180 (got '181')"),
        (
            'lat: "34,45"\n    lon: 40\n    geo_precision: town',
            5,
            "lat: '34,45' has a comma as its decimal mark: write 34.45 (decimal degrees, with a point)",
        ),
        # Whole-record rules are reported at the record's first line.
        ("geo_precision: town", 2, "geo_precision without coordinates: give lat and lon too"),
        ("lat: 34\n    lon: 40", 2, "coordinates need geo_precision: how precisely lat/lon place it (one of exact, "),
        ("lat: 34\n    lon: 40\n    geo_precision: city", 7, "geo_precision must be one of exact, site, town"),
    ],
)
def test_bad_coordinates_are_file_line_problems(tmp_path, record, line, message):
    f = tmp_path / "places.yaml"
    f.write_text(f"entities:\n  - id: p\n    type: Place\n    name: P\n    {record}\n", encoding="utf-8")
    checked = check_files([f])
    assert [(p.file, p.line) for p in checked.problems] == [(str(f), line)], checked.problems
    assert message in checked.problems[0].message, checked.problems[0].message


def test_csv_coordinates_are_numbers_with_a_point(tmp_path):
    f = tmp_path / "x.entities.csv"
    f.write_text('id,type,name,lat,lon,geo_precision\na,Place,A,34.5,40.9,town\nb,Place,B,"34,5",40.9,town\n')
    checked = check_files([f])
    assert [p.line for p in checked.problems] == [3]
    assert "comma as its decimal mark" in checked.problems[0].message


def test_an_unparseable_event_date_is_a_problem(tmp_path):
    f = tmp_path / "events.yaml"
    f.write_text("entities:\n  - id: e\n    type: Event\n    name: E\n    date: 10/02/2022\n", encoding="utf-8")
    checked = check_files([f])
    assert len(checked.problems) == 1 and checked.problems[0].line == 5
    assert "date" in checked.problems[0].message


# -- a user's overlay ----------------------------------------------------------------------


def test_a_good_overlay_is_read(tmp_path):
    f = tmp_path / "gov.geojson"
    poly = {"type": "Polygon", "coordinates": [[[40, 34], [41, 34], [41, 35], [40, 34]]]}
    f.write_text(
        json.dumps({"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {}, "geometry": poly}]})
    )
    assert read_overlay(f)["features"][0]["geometry"] == poly


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"type": "FeatureCollection",\n "features": [}', ":2: not GeoJSON: "),
        ('{"layers": []}', ":1: not GeoJSON: the top level needs a type"),
        ("[1, 2]", ":1: not GeoJSON: the top level needs a type"),
        ('{"type": "Point", "coordinates": [40, 95]}', ":1: geometry.coordinates: latitude 95 is outside -90..90"),
        ('{"type": "Point", "coordinates": [NaN, 1]}', ":1: not GeoJSON: NaN is not a JSON number"),
        ('{"type": "Blob", "coordinates": []}', ":1: geometry: unknown geometry type 'Blob'"),
        (
            '{"type": "FeatureCollection", "features": [{"type": "Feature", "geometry": '
            '{"type": "LineString", "coordinates": [[200, 1], [1, 1]]}}]}',
            ":1: features[0].geometry.coordinates: longitude 200 is outside -180..180",
        ),
    ],
)
def test_a_bad_overlay_says_what_is_wrong(tmp_path, text, message):
    f = tmp_path / "bad.geojson"
    f.write_text(text, encoding="utf-8")
    with pytest.raises(OverlayError) as err:
        read_overlay(f)
    assert str(err.value).startswith(str(f) + message), str(err.value)


def test_a_huge_overlay_is_refused_before_it_is_read(tmp_path):
    f = tmp_path / "huge.geojson"
    with open(f, "wb") as fh:
        fh.truncate(200 * 1024 * 1024)  # sparse: 200 MB that take no disk
    with pytest.raises(OverlayError) as err:
        read_overlay(f)
    assert str(err.value).startswith(f"{f}:1: the overlay is 200 MB; at most 20 MB fits in a page")


def test_check_overlay_accepts_every_geometry():
    geoms = [
        {"type": "Point", "coordinates": [1, 2]},
        {"type": "MultiPoint", "coordinates": [[1, 2]]},
        {"type": "MultiLineString", "coordinates": [[[1, 2], [3, 4]]]},
        {"type": "MultiPolygon", "coordinates": [[[[1, 2], [3, 4], [5, 6], [1, 2]]]]},
        {"type": "GeometryCollection", "geometries": [{"type": "Point", "coordinates": [1, 2, 3]}]},
    ]
    for g in geoms:
        assert check_overlay(g) == [], g
    assert check_overlay({"type": "Feature", "geometry": None, "properties": {}}) == []
