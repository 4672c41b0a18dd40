#!/usr/bin/env python3
"""Fetch the front-end packages the pages inline, at exact versions, into viz/assets/vendor/.

Each package comes from the npm registry as its published tarball, which must match the sha512
integrity pinned below (the hash npm itself records in a lockfile) before a byte of it is used.
The files the pages need and each package's licence are copied unchanged, except the world map:
world-atlas ships TopoJSON, which this script converts to GeoJSON (coordinates rounded to 0.01
degree, about 1 km: finer than the 1:110m outlines are) so the page needs no TopoJSON decoder.
viz/assets/vendor/README.md is rewritten with every version, integrity and sha256;
tests/test_vendor_assets.py checks the committed files against it.

The vendored files are committed: setup and CI never run this script and never need npm or the
network. Run it only to change a version (edit PACKAGES, then ``python3 scripts/vendor_assets.py``).

    python3 scripts/vendor_assets.py            # fetch, check, write viz/assets/vendor/
    python3 scripts/vendor_assets.py --check    # only check the files against README.md (no network)
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import io
import json
import re
import sys
import tarfile
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENDOR = ROOT / "viz" / "assets" / "vendor"
REGISTRY = "https://registry.npmjs.org"

# name, version, sha512 integrity of the tarball (npm's), files to copy {path in the package: path in VENDOR}.
PACKAGES = [
    {
        "name": "vis-network",
        "version": "9.1.2",
        "integrity": "sha512-BdapguKg7sk3NvdZaDsM7T6rNhOBFz0/F4ZScxctK4klRzQPLQPTEcmbioXaZhMkkgWymzBR3lFCxL1q+eYyAw==",
        "license": "Apache-2.0 OR MIT",
        # The legacy bundle (vis.DataSet, vis.Network) with its CSS: what pyvis 0.3.2 shipped before.
        "files": {
            "dist/vis-network.min.js": "vis-network.min.js",
            "dist/dist/vis-network.min.css": "vis-network.css",
            "LICENSE-APACHE-2.0": "licenses/vis-network-LICENSE-APACHE-2.0",
            "LICENSE-MIT": "licenses/vis-network-LICENSE-MIT",
        },
    },
    {
        "name": "vis-timeline",
        "version": "7.7.3",
        "integrity": "sha512-hGMzTttdOFWaw1PPlJuCXU2/4UjnsIxT684Thg9fV6YU1JuKZJs3s3BrJgZ4hO3gu5i1hsMe1YIi96o+eNT0jg==",
        "license": "Apache-2.0 OR MIT",
        # The standalone build: its own DataSet and moment inside, no other script needed.
        "files": {
            "standalone/umd/vis-timeline-graph2d.min.js": "vis-timeline-graph2d.min.js",
            "styles/vis-timeline-graph2d.min.css": "vis-timeline-graph2d.min.css",
            "LICENSE.Apache-2.0.txt": "licenses/vis-timeline-LICENSE-APACHE-2.0",
            "LICENSE.MIT.txt": "licenses/vis-timeline-LICENSE-MIT",
        },
    },
    {
        "name": "leaflet",
        "version": "1.9.4",
        "integrity": "sha512-nxS1ynzJOmOlHp+iL3FyWqK89GtNL8U8rvlMOsQdTTssxZwCXh8N2NB3GDQOL+YR3XnWyZAxwQixURb+FA74PA==",
        "license": "BSD-2-Clause",
        "files": {
            "dist/leaflet.js": "leaflet.js",
            "dist/leaflet.css": "leaflet.css",
            "LICENSE": "licenses/leaflet-LICENSE",
        },
    },
    {
        "name": "leaflet.markercluster",
        "version": "1.5.3",
        "integrity": "sha512-vPTw/Bndq7eQHjLBVlWpnGeLa3t+3zGiuM7fJwCkiMFq+nmRuG3RI3f7f4N4TDX7T4NpbAXpR2+NTRSEGfCSeA==",
        "license": "MIT",
        "files": {
            "dist/leaflet.markercluster.js": "leaflet.markercluster.js",
            "dist/MarkerCluster.css": "MarkerCluster.css",
            "dist/MarkerCluster.Default.css": "MarkerCluster.Default.css",
            "MIT-LICENCE.txt": "licenses/leaflet.markercluster-LICENSE",
        },
    },
    {
        "name": "world-atlas",
        "version": "2.0.2",
        "integrity": "sha512-IXfV0qwlKXpckz1FhwXVwKRjiIhOnWttOskm5CtxMsjgE/MXAYRHWJqgXOpM8IkcPBoXnyTU5lFHcYa5ChG0LQ==",
        "license": "ISC (data: Natural Earth, public domain)",
        "files": {"LICENSE": "licenses/world-atlas-LICENSE"},
        "convert": {"countries-110m.json": "world-110m.geojson"},
    },
]


# -- TopoJSON to GeoJSON ----------------------------------------------------------------------------


def _arcs(topology: dict) -> list[list[tuple[float, float]]]:
    """The topology's arcs as absolute positions (quantized arcs are delta-encoded)."""
    transform = topology.get("transform")
    out = []
    for arc in topology["arcs"]:
        if transform:
            (sx, sy), (tx, ty) = transform["scale"], transform["translate"]
            x = y = 0
            pts = []
            for dx, dy, *_ in arc:
                x, y = x + dx, y + dy
                pts.append((x * sx + tx, y * sy + ty))
        else:
            pts = [(p[0], p[1]) for p in arc]
        out.append(pts)
    return out


def _ring(indexes: list[int], arcs: list[list[tuple[float, float]]], digits: int) -> list[list[float]]:
    pts: list[tuple[float, float]] = []
    for i in indexes:
        arc = arcs[i] if i >= 0 else arcs[~i][::-1]
        pts.extend(arc[1:] if pts else arc)  # consecutive arcs share their joining point
    ring: list[list[float]] = []
    for x, y in pts:
        p = [round(float(x), digits), round(float(y), digits)]
        if not ring or ring[-1] != p:
            ring.append(p)
    if ring and ring[0] != ring[-1]:
        ring.append(list(ring[0]))
    while len(ring) < 4:  # a ring rounded to nothing still has to be a ring
        ring.append(list(ring[0]))
    return ring


def topojson_to_geojson(topology: dict, obj: str = "countries", *, digits: int = 2) -> dict:
    """A TopoJSON object (of polygons) as a GeoJSON FeatureCollection, properties kept.

    >>> topo = {
    ...     "type": "Topology",
    ...     "arcs": [[[0, 0], [1, 0], [0, 1], [-1, 0], [0, -1]]],
    ...     "transform": {"scale": [1, 1], "translate": [10, 20]},
    ...     "objects": {
    ...         "countries": {
    ...             "type": "GeometryCollection",
    ...             "geometries": [{"type": "Polygon", "arcs": [[0]], "id": "1", "properties": {"name": "Square"}}],
    ...         }
    ...     },
    ... }
    >>> topojson_to_geojson(topo)["features"][0]["geometry"]["coordinates"]
    [[[10.0, 20.0], [11.0, 20.0], [11.0, 21.0], [10.0, 21.0], [10.0, 20.0]]]
    """
    arcs = _arcs(topology)
    features = []
    for g in topology["objects"][obj]["geometries"]:
        if g.get("type") == "Polygon":
            geometry = {"type": "Polygon", "coordinates": [_ring(r, arcs, digits) for r in g["arcs"]]}
        elif g.get("type") == "MultiPolygon":
            geometry = {
                "type": "MultiPolygon",
                "coordinates": [[_ring(r, arcs, digits) for r in poly] for poly in g["arcs"]],
            }
        else:
            continue  # no outline to draw
        features.append({"type": "Feature", "properties": dict(g.get("properties") or {}), "geometry": geometry})
    return {"type": "FeatureCollection", "features": features}


# -- fetching -----------------------------------------------------------------------------------------


def _integrity(data: bytes) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode("ascii")


def fetch(pkg: dict) -> tarfile.TarFile:
    """The package's tarball from the registry, checked against its pinned integrity."""
    url = f"{REGISTRY}/{pkg['name']}/-/{pkg['name'].split('/')[-1]}-{pkg['version']}.tgz"
    with urllib.request.urlopen(url, timeout=120) as resp:
        data = resp.read()
    got = _integrity(data)
    if got != pkg["integrity"]:
        raise SystemExit(
            f"error: {pkg['name']}@{pkg['version']}: the tarball's integrity is {got}, "
            f"not the pinned {pkg['integrity']}: refusing it"
        )
    return tarfile.open(fileobj=io.BytesIO(data), mode="r:gz")


def _member(tar: tarfile.TarFile, path: str) -> bytes:
    member = tar.getmember(f"package/{path}")
    if not member.isfile():
        raise SystemExit(f"error: package/{path} is not a regular file")
    fh = tar.extractfile(member)
    assert fh is not None
    return fh.read()


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def write_readme(rows: list[tuple[dict, list[str]]]) -> None:
    lines = [
        "# Vendored front-end packages",
        "",
        "Written by `python3 scripts/vendor_assets.py` (do not edit by hand): each package is the npm",
        "registry's tarball at the exact version below, checked against its sha512 integrity, and the",
        "files are copied unchanged, except `world-110m.geojson`, converted from world-atlas's",
        "`countries-110m.json` (TopoJSON; Natural Earth 1:110m, public domain) with coordinates",
        "rounded to 0.01 degree. The snapshot inlines them; the explorer serves them under `/vendor/`.",
        "`tests/test_vendor_assets.py` checks every file against the sha256 listed here.",
        "",
        "| package | version | licence | integrity (tarball) |",
        "|---|---|---|---|",
    ]
    for pkg, _ in rows:
        lines.append(f"| {pkg['name']} | {pkg['version']} | {pkg['license']} | `{pkg['integrity']}` |")
    lines += ["", "Files (sha256):", ""]
    for _pkg, files in rows:
        for f in files:
            lines.append(f"    {sha256(VENDOR / f)}  {f}")
    lines.append("")
    (VENDOR / "README.md").write_text("\n".join(lines), encoding="utf-8")


_LISTED = re.compile(r"^    ([0-9a-f]{64})  (\S+)$", re.MULTILINE)


def listed() -> dict[str, str]:
    """The README's list: file (relative to VENDOR) -> sha256."""
    text = (VENDOR / "README.md").read_text(encoding="utf-8")
    return {name: digest for digest, name in _LISTED.findall(text)}


def check() -> list[str]:
    """Files that are missing or differ from the README's list (empty: all good)."""
    problems = []
    for name, digest in listed().items():
        path = VENDOR / name
        if not path.is_file():
            problems.append(f"{name}: missing")
        elif sha256(path) != digest:
            problems.append(f"{name}: sha256 {sha256(path)}, README lists {digest}")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="only check the vendored files against README.md")
    args = parser.parse_args(argv)
    if args.check:
        problems = check()
        for p in problems:
            print(f"error: {p}", file=sys.stderr)
        return 1 if problems else 0
    (VENDOR / "licenses").mkdir(parents=True, exist_ok=True)
    rows = []
    for pkg in PACKAGES:
        tar = fetch(pkg)
        written = []
        for src, dest in pkg["files"].items():
            (VENDOR / dest).write_bytes(_member(tar, src))
            written.append(dest)
        for src, dest in pkg.get("convert", {}).items():
            collection = topojson_to_geojson(json.loads(_member(tar, src)))
            text = json.dumps(collection, ensure_ascii=False, separators=(",", ":"))
            (VENDOR / dest).write_text(text + "\n", encoding="utf-8")
            written.append(dest)
        rows.append((pkg, written))
        print(f"{pkg['name']}@{pkg['version']}: {', '.join(written)}")
    write_readme(rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
