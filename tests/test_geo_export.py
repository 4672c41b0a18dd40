"""`kg export --format geojson|kml` and `kg viz --overlay`: what GIS tools read, checked by a reference
validator (geojson-pydantic, RFC 7946), coordinates round-tripped; bad input refused with nothing written."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest
from geojson_pydantic import FeatureCollection
from typer.testing import CliRunner

from graph.build import build_graph
from graph.geo import KML_NS, locate
from graph.schema import REGISTRY
from kg.cli import app
from loaders import load_facts
from tests.paths import DATA, ROOT

GEO = ROOT / "tests" / "fixtures" / "geo"
runner = CliRunner()


@pytest.mark.parametrize("dataset", [GEO, DATA], ids=["geo", "seed"])
def test_geojson_validates_and_round_trips_its_coordinates(tmp_path, dataset):
    out = tmp_path / "places.geojson"
    r = runner.invoke(app, ["export", str(dataset), "--format", "geojson", "--out", str(out)])
    assert r.exit_code == 0, r.output
    doc = json.loads(out.read_text(encoding="utf-8"))
    FeatureCollection.model_validate(doc)  # the reference validator: raises on anything off the spec
    located = locate(build_graph(load_facts([dataset])))
    assert f"{len(located)} located" in r.stdout
    assert {f["id"]: tuple(f["geometry"]["coordinates"]) for f in doc["features"]} == {
        n: (round(loc.lon, 6), round(loc.lat, 6)) for n, loc in located.items()
    }
    for f in doc["features"]:
        p = f["properties"]
        assert p["type"] in ("Site", "Place") and p["geo_precision"] in REGISTRY.geo_precision.grades


def test_seed_geojson_places_actors_with_their_grades(tmp_path):
    out = tmp_path / "seed.geojson"
    assert runner.invoke(app, ["export", str(DATA), "--out", str(out)]).exit_code == 0  # format from the suffix
    features = {f["id"]: f["properties"] for f in json.loads(out.read_text(encoding="utf-8"))["features"]}
    town = features["al-bukamal"]
    assert town["inherited_from"] is None and town["geo_precision"] == "town"
    assert {p["relation"] for p in town["placed"]} <= {
        "OCCUPIES",
        "CONTROLS",
        "OPERATES_IN",
        "PRESENT_AT",
        "RECRUITS_IN",
    }
    assert all(p["credibility"] and p["reliability"] and p["evidence"] for p in town["placed"])
    # A site known only by its town carries the town's point with the town's precision (the curator's).
    hospital = features["badr-hospital"]
    assert hospital["geo_precision"] == "town" and hospital["inherited_from"] is None


def test_kml_opens_as_kml(tmp_path):
    out = tmp_path / "places.kml"
    r = runner.invoke(app, ["export", str(GEO), "--format", "kml", "--out", str(out)])
    assert r.exit_code == 0, r.output
    root = ET.parse(out).getroot()
    assert root.tag == f"{{{KML_NS}}}kml"
    marks = {m.get("id"): m for m in root.iter(f"{{{KML_NS}}}Placemark")}
    assert set(marks) == {"bridge", "depot", "old-quarter", "river-town"}
    assert marks["bridge"].find(f".//{{{KML_NS}}}coordinates").text == "40.9401,34.4612"


def test_the_view_options_apply(tmp_path):
    out = tmp_path / "focus.geojson"
    r = runner.invoke(app, ["export", str(GEO), "--out", str(out), "--focus", "Bridge", "--depth", "0"])
    assert r.exit_code == 0, r.output
    assert [f["id"] for f in json.loads(out.read_text())["features"]] == ["bridge"]


def test_bad_coordinates_write_nothing(tmp_path):
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "places.yaml").write_text(
        "entities:\n"
        "  - {id: a, type: Place, name: A, lat: 91, lon: 181, geo_precision: town}\n"
        "  - {id: b, type: Place, name: B, geo_precision: town}\n"
        '  - {id: c, type: Site, name: C, lat: "34,5", lon: 40, geo_precision: site}\n',
        encoding="utf-8",
    )
    out = tmp_path / "x.geojson"
    r = runner.invoke(app, ["export", str(bad), "--format", "geojson", "--out", str(out)])
    assert r.exit_code == 1 and not out.exists()
    f = str(bad / "places.yaml")
    for line, text in (
        (2, "lat must be at most 90"),
        (2, "lon must be at most 180"),
        (3, "geo_precision without coordinates"),
        (4, "has a comma as its decimal mark"),
    ):
        assert f"{f}:{line}: " in r.stdout and text in r.stdout, r.stdout
    assert "Traceback" not in r.output


# -- kg viz --overlay --------------------------------------------------------------------------


def test_an_overlay_goes_into_the_page(tmp_path):
    overlay = tmp_path / "gov.geojson"
    name = "<img src=x onerror=window.__pwned=1>"
    overlay.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "properties": {"name": name},
                        "geometry": {"type": "Polygon", "coordinates": [[[40, 34], [41, 34], [41, 35], [40, 34]]]},
                    }
                ],
            }
        ),
        encoding="utf-8",
    )
    out = tmp_path / "snap.html"
    r = runner.invoke(app, ["viz", str(GEO), "--out", str(out), "--overlay", str(overlay)])
    assert r.exit_code == 0, r.output
    html = out.read_text(encoding="utf-8")
    assert name not in html and "\\u003cimg src=x onerror=window.__pwned=1\\u003e" in html


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            '{"type": "Feature",\n "geometry": {"type": "Point", "coordinates": [40, 91]}}',
            ":1: geometry.coordinates: latitude 91",
        ),
        ("not json at all", ":1: not GeoJSON: "),
        ('{"features": []}', ":1: not GeoJSON: the top level needs a type"),
    ],
)
def test_a_bad_overlay_is_refused_and_nothing_written(tmp_path, content, message):
    overlay = tmp_path / "bad.geojson"
    overlay.write_text(content, encoding="utf-8")
    out = tmp_path / "snap.html"
    r = runner.invoke(app, ["viz", str(GEO), "--out", str(out), "--overlay", str(overlay)])
    assert r.exit_code == 1 and not out.exists()
    assert f"{overlay}{message}" in r.stdout, r.output
    assert "nothing written" in r.output and "Traceback" not in r.output


def test_a_200_mb_overlay_is_refused_unread(tmp_path):
    overlay = tmp_path / "huge.geojson"
    with open(overlay, "wb") as fh:
        fh.truncate(200 * 1024 * 1024)
    out = tmp_path / "snap.html"
    r = runner.invoke(app, ["viz", str(GEO), "--out", str(out), "--overlay", str(overlay)])
    assert r.exit_code == 1 and not out.exists()
    assert f"{overlay}:1: the overlay is 200 MB" in r.stdout
