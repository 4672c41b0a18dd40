"""The vendored front-end files (viz/assets/vendor/) are exactly those scripts/vendor_assets.py fetched:
every file its README lists matches its sha256, every vendored file is listed, every package has its
licence, and the pages use the vendored vis-network (no other copy lies around)."""

from __future__ import annotations

import hashlib
import importlib.util
import json

from tests.paths import ROOT

VENDOR = ROOT / "viz" / "assets" / "vendor"


def _script():
    spec = importlib.util.spec_from_file_location("vendor_assets", ROOT / "scripts" / "vendor_assets.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_vendored_file_matches_the_readme():
    va = _script()
    listed = va.listed()
    on_disk = {str(p.relative_to(VENDOR)) for p in VENDOR.rglob("*") if p.is_file() and p.name != "README.md"}
    assert on_disk == set(listed), "run python3 scripts/vendor_assets.py, or list the file"
    for name, digest in listed.items():
        assert hashlib.sha256((VENDOR / name).read_bytes()).hexdigest() == digest, name
    assert va.check() == []


def test_every_package_is_pinned_with_its_licence():
    va = _script()
    readme = (VENDOR / "README.md").read_text(encoding="utf-8")
    for pkg in va.PACKAGES:
        assert f"| {pkg['name']} | {pkg['version']} |" in readme
        assert pkg["integrity"].startswith("sha512-") and pkg["integrity"] in readme
        assert any(dest.startswith("licenses/") for dest in pkg["files"].values()), pkg["name"]
    assert {p["name"]: p["version"] for p in va.PACKAGES}["vis-network"] == "9.1.2"


def test_the_world_outlines_are_geojson():
    world = json.loads((VENDOR / "world-110m.geojson").read_text(encoding="utf-8"))
    assert world["type"] == "FeatureCollection" and len(world["features"]) > 150
    names = {f["properties"].get("name") for f in world["features"]}
    assert {"Syria", "Iraq", "Lebanon"} <= names


def test_one_copy_of_vis_network():
    assert not (ROOT / "viz" / "assets" / "vis-network.min.js").exists()
    assert (VENDOR / "vis-network.min.js").read_bytes().startswith(b"/**\n * vis-network")
