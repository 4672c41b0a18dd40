"""`kg export`: the graph as node-link JSON, GraphML, GEXF or CSV."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import List, NoReturn, Optional

import typer

from graph.build import build_graph
from graph.export import write_csv, write_gexf, write_graphml, write_json
from kg.common import DocumentsOpt, PathsArg, console, out, read_facts


class ExportFormat(str, Enum):
    json = "json"
    graphml = "graphml"
    gexf = "gexf"
    csv = "csv"


_SUFFIXES = {".json": ExportFormat.json, ".graphml": ExportFormat.graphml, ".gexf": ExportFormat.gexf,
             ".csv": ExportFormat.csv}


def _fail(message: str, code: int) -> NoReturn:
    console.print(f"error: {message}", markup=False, highlight=False, soft_wrap=True)
    raise typer.Exit(code)


def export(
    paths: List[Path] = PathsArg,
    out_path: Path = typer.Option(
        ..., "--out", "-o", show_default=False, metavar="FILE",
        help="Where to write. For csv: graph.csv writes graph.nodes.csv and graph.edges.csv; "
             "a folder (or a name without .csv) gets nodes.csv and edges.csv."),
    format: Optional[ExportFormat] = typer.Option(
        None, "--format", "-f", case_sensitive=False, show_default=False,
        help="json, graphml, gexf or csv (default: from the --out extension)."),
    documents: Optional[Path] = DocumentsOpt,
):
    """Write the graph for other tools: json (networkx node-link, lossless), graphml (Gephi,
    Cytoscape, yEd), gexf (Gephi, with time intervals from validity dates) or csv (two tables).

    \b
    json     nodes: id, type, name, aliases, attributes; edges: source, target, type, sources,
             quotes, credibility, reliability, valid_from, valid_to, evidence, attributes;
             graph.sources: the sources' metadata. Read back: nx.node_link_graph(json.load(f)).
    graphml  scalar attributes only: lists joined with "|", evidence as a JSON string, label =
    gexf     name (nodes) or relation type (edges). GEXF names the relation type "relation";
             an edge lives from the first day of valid_from to the last day of valid_to.
    csv      FILE.nodes.csv (id, type, name, aliases, description, lat, lon, attributes...) and
             FILE.edges.csv (type, from, to, credibility, reliability, valid_from, valid_to,
             sources, quotes, attributes...), lists joined with "|"; a text cell starting with
             = + - @ gets a leading ' so spreadsheets show it rather than run it.

    Everything is sorted (nodes by id, edges by from, type, to): the same facts give the same file.

    Example: kg export data --format gexf --out out/graph.gexf
    """
    fmt = format or _SUFFIXES.get(out_path.suffix.lower())
    if fmt is None:
        _fail(f"cannot tell the format from {out_path}: give --format json, graphml, gexf or csv", 2)
    if fmt is not ExportFormat.csv and out_path.is_dir():
        _fail(f"{out_path} is a folder: give a file name", 2)
    G = build_graph(read_facts(paths, documents))
    try:
        if fmt is ExportFormat.csv:
            written = list(write_csv(G, out_path))
        else:
            {"json": write_json, "graphml": write_graphml, "gexf": write_gexf}[fmt.value](G, out_path)
            written = [out_path]
    except OSError as e:
        _fail(f"cannot write {out_path}: {e.strerror or e}", 1)
    n, m = G.number_of_nodes(), G.number_of_edges()
    out.print(f"wrote {' and '.join(map(str, written))} ({fmt.value}): {n} entit{'y' if n == 1 else 'ies'}, "
              f"{m} relation{'' if m == 1 else 's'}", markup=False, highlight=False, soft_wrap=True)


def register(app: typer.Typer) -> None:
    app.command("export")(export)
