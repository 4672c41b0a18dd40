"""`kg export`: the graph as node-link JSON, GraphML, GEXF, CSV, or its located entities as GeoJSON or KML."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

import typer

from graph.build import build_graph
from graph.export import csv_paths, write_csv, write_gexf, write_graphml, write_json
from graph.files import OutputError
from graph.geo import write_geojson, write_kml
from kg.common import EXIT_FAILED, EXIT_USAGE, DocumentsOpt, KgError, PathsArg, check_output, out, read_facts
from kg.view_options import (
    AsOfOpt,
    CredibilityOpt,
    DepthOpt,
    FocusOpt,
    LookAheadOpt,
    LookBackOpt,
    ReliabilityOpt,
    make_view,
    select_view,
)


class ExportFormat(StrEnum):
    json = "json"
    graphml = "graphml"
    gexf = "gexf"
    csv = "csv"
    geojson = "geojson"
    kml = "kml"


_SUFFIXES = {
    ".json": ExportFormat.json,
    ".graphml": ExportFormat.graphml,
    ".gexf": ExportFormat.gexf,
    ".csv": ExportFormat.csv,
    ".geojson": ExportFormat.geojson,
    ".kml": ExportFormat.kml,
}


def _check_out(out_path: Path, fmt: ExportFormat) -> None:
    """Refuse a missing folder or a folder given for one file, before any work (exit 2)."""
    if fmt is not ExportFormat.csv:
        if out_path.is_dir():
            raise KgError(f"cannot write {out_path}: it is a folder: give a file name", EXIT_USAGE)
        check_output(out_path)
        return
    nodes_path, edges_path = csv_paths(out_path)
    if nodes_path.parent == out_path and not out_path.is_dir():
        # A folder of its own for the two tables (made when writing), in a folder that must exist.
        check_output(out_path)
        return
    check_output(nodes_path)
    check_output(edges_path)


def export(
    paths: list[Path] = PathsArg,
    out_path: Path = typer.Option(
        ...,
        "--out",
        "-o",
        show_default=False,
        metavar="FILE",
        help="Where to write (its folder must exist). For csv: graph.csv writes graph.nodes.csv and "
        "graph.edges.csv; a folder (or a name without .csv) gets nodes.csv and edges.csv.",
    ),
    format: ExportFormat | None = typer.Option(
        None,
        "--format",
        "-f",
        case_sensitive=False,
        show_default=False,
        help="json, graphml, gexf, csv, geojson or kml (default: from the --out extension).",
    ),
    documents: Path | None = DocumentsOpt,
    focus: list[str] | None = FocusOpt,
    depth: int | None = DepthOpt,
    as_of: str | None = AsOfOpt,
    look_back: str | None = LookBackOpt,
    look_ahead: str | None = LookAheadOpt,
    credibility_at_least: str | None = CredibilityOpt,
    reliability_at_least: str | None = ReliabilityOpt,
):
    """Write the graph for other tools: json, graphml, gexf, csv, geojson or kml.

    The view options are kg viz's, and select the same part of the graph: --focus and --depth a
    neighbourhood, --as-of the facts valid on a day (--look-back and --look-ahead: how long a fact
    without stated dates holds around its reports), --credibility-at-least and
    --reliability-at-least the facts with a piece of evidence graded at least that well. What you
    export is what the snapshot shows.

    json: networkx node-link, lossless. Nodes carry id, type, name, aliases and attributes; edges
    carry source, target, type, sources, quotes, credibility, reliability, valid_from, valid_to,
    evidence and attributes; graph.sources holds the sources. Read it back with
    nx.node_link_graph(json.load(f)).

    graphml (Gephi, Cytoscape, yEd) and gexf (Gephi): scalar attributes only, lists joined with |,
    evidence as a JSON string; the label is the name (nodes) or the relation type (edges). GEXF
    names the relation type "relation" and gives each edge a time interval, from the first day of
    valid_from to the last day of valid_to.

    csv: FILE.nodes.csv (id, type, name, aliases, description, lat, lon, attributes) and
    FILE.edges.csv (type, from, to, credibility, reliability, valid_from, valid_to, sources, quotes,
    attributes), lists joined with |. A text cell starting with = + - @ gets a leading ' so that
    spreadsheets show it rather than run it.

    geojson (QGIS, geojson.io) and kml (Google Earth): one point per located entity (its own
    lat/lon, or those of the place it is LOCATED_IN, marked inherited_from), with its type,
    geo_precision (and the radius_m it stands for) and the relations that place actors there
    (OCCUPIES, CONTROLS, OPERATES_IN, PRESENT_AT, RECRUITS_IN) with their grades and evidence.

    Everything is sorted (nodes by id, edges by from, type, to): the same facts give the same file.

    Example: kg export data --format gexf --out out/graph.gexf

    Example: kg export data --format geojson --out out/places.geojson

    Example: kg export data --out out/fog-47.json --focus "Fog 47" --depth 2 --as-of 2022-01
    """
    fmt = format or _SUFFIXES.get(out_path.suffix.lower())
    if fmt is None:
        raise KgError(
            f"cannot tell the format from {out_path}: give --format json, graphml, gexf, csv, geojson or kml",
            EXIT_USAGE,
        )
    view = make_view(
        focus=focus,
        depth=depth,
        as_of=as_of,
        look_back=look_back,
        look_ahead=look_ahead,
        credibility_at_least=credibility_at_least,
        reliability_at_least=reliability_at_least,
    )
    _check_out(out_path, fmt)
    whole = build_graph(read_facts(paths, documents))
    G = select_view(whole, view)
    located = None
    try:
        if fmt in (ExportFormat.geojson, ExportFormat.kml):
            located = (write_geojson if fmt is ExportFormat.geojson else write_kml)(G, out_path, context=whole)
            written = [out_path]
        elif fmt is ExportFormat.csv:
            if out_path.suffix.lower() != ".csv":
                out_path.mkdir(exist_ok=True)
            written = list(write_csv(G, out_path))
        else:
            {"json": write_json, "graphml": write_graphml, "gexf": write_gexf}[fmt.value](G, out_path)
            written = [out_path]
    except OutputError as e:
        raise KgError(str(e), EXIT_FAILED) from None
    except OSError as e:
        raise KgError(f"cannot write {out_path}: {e.strerror or e}", EXIT_FAILED) from None
    n, m = G.number_of_nodes(), G.number_of_edges()
    shown = view.describe()
    out.print(
        f"wrote {' and '.join(map(str, written))} ({fmt.value}): {n} entit{'y' if n == 1 else 'ies'}, "
        f"{m} relation{'' if m == 1 else 's'}"
        + (f", {located} located" if located is not None else "")
        + (f" ({'; '.join(shown)})" if shown else "")
    )


def register(app: typer.Typer) -> None:
    app.command("export")(export)
