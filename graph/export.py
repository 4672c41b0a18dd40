"""Exports of the in-memory graph: node-link JSON, GraphML, GEXF and CSV.

Pure functions of the graph that :func:`graph.build.build_graph` returns: they
read it, never change it, and order everything the same way every time (nodes
by id, edges by (from, type, to)), so two exports of the same facts are equal.

* JSON (:func:`node_link_data`, :func:`write_json`): networkx node-link data,
  lossless. Nodes: ``id, type, name, aliases`` then the set optional fields and
  attributes. Edges: ``source, target, key`` (= type), ``type, sources`` (distinct
  source ids, in evidence order), ``quotes`` (one per piece of evidence),
  ``credibility, reliability, valid_from, valid_to`` (null when open),
  ``evidence`` (list of {source, quote, credibility}) and the relation's
  attributes. ``graph.sources`` maps source ids to their metadata.
  ``nx.node_link_graph(json.load(f))`` gives the graph back.
* GraphML and GEXF (:func:`write_graphml`, :func:`write_gexf`), for Gephi and
  Cytoscape: scalar attributes only (lists joined with ``|``, evidence as a JSON
  string), one type per attribute, no empty values, ``label`` = name for nodes
  and relation type for edges, unique edge ids ``from:TYPE:to``. GEXF calls the
  relation type ``relation`` (its ``type`` means directed/undirected), gives
  edges a time interval from their validity (a partial date starts on its first
  day and ends on its last) and nodes their registry colour.
* CSV (:func:`csv_tables`, :func:`write_csv`): a nodes table and an edges table
  with the column names of the CSV input format (``id, type, name, aliases,
  description, lat, lon, geo_precision`` ...; ``type, from, to, credibility, valid_from,
  valid_to`` ...), lists joined with ``|``; a text cell that a spreadsheet would
  run as a formula (starting with = + - @) is prefixed with ``'``.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import networkx as nx

from .dates import first_day, last_day
from .facts import edge_id
from .files import atomic_output
from .schema import REGISTRY

LIST_SEPARATOR = "|"
NODE_FIELDS = ("id", "type", "name", "aliases", "description", "lat", "lon", "geo_precision")
EDGE_FIELDS = (
    "source",
    "target",
    "key",
    "type",
    "sources",
    "quotes",
    "credibility",
    "reliability",
    "valid_from",
    "valid_to",
    "evidence",
)
# Names GEXF (or networkx's GEXF writer) gives a meaning of its own on a node or an edge.
_GEXF_NODE_RESERVED = {"id", "label", "start", "end", "pid", "viz", "parents", "spells", "slices"}
_GEXF_EDGE_RESERVED = {
    "id",
    "label",
    "start",
    "end",
    "weight",
    "type",
    "key",
    "networkx_key",
    "viz",
    "spells",
    "slices",
}


def _ordered_names(kind: str) -> list[str]:
    """Attribute names declared in the registry, first declaration first."""
    types = REGISTRY.entities if kind == "entities" else REGISTRY.relations
    names: dict[str, None] = {}
    for t in types.values():
        names.update(dict.fromkeys(t.attributes))
    return list(names)


NODE_ATTRIBUTES = _ordered_names("entities")
EDGE_ATTRIBUTES = _ordered_names("relations")


def _ordered(record: dict[str, Any], data: dict[str, Any], first: tuple[str, ...], attrs: list[str]) -> dict:
    """``record`` followed by ``data``'s attributes: declared ones in registry order, others by name."""
    for k in attrs:
        if k in data and k not in record:
            record[k] = data[k]
    for k in sorted(data):
        if k not in record and k not in first:
            record[k] = data[k]
    return record


def sorted_nodes(G: nx.MultiDiGraph) -> list[tuple[str, dict]]:
    return sorted(G.nodes(data=True), key=lambda nd: nd[0])


def sorted_edges(G: nx.MultiDiGraph) -> list[tuple[str, str, str, dict]]:
    return sorted(G.edges(keys=True, data=True), key=lambda e: (e[0], e[2], e[1]))


def node_record(node: str, data: dict[str, Any]) -> dict[str, Any]:
    rec: dict[str, Any] = {
        "id": node,
        "type": data["type"],
        "name": data["name"],
        "aliases": list(data.get("aliases", [])),
    }
    for k in ("description", "lat", "lon", "geo_precision"):
        if data.get(k) is not None:
            rec[k] = data[k]
    return _ordered(rec, data, NODE_FIELDS, NODE_ATTRIBUTES)


def edge_record(u: str, v: str, key: str, data: dict[str, Any]) -> dict[str, Any]:
    evidence = [dict(ev) for ev in data.get("evidence", [])]
    rec: dict[str, Any] = {
        "source": u,
        "target": v,
        "key": key,
        "type": data.get("type", key),
        "sources": list(dict.fromkeys(ev["source"] for ev in evidence)),
        "quotes": [ev["quote"] for ev in evidence],
        "credibility": data.get("credibility"),
        "reliability": data.get("reliability"),
        "valid_from": data.get("valid_from"),
        "valid_to": data.get("valid_to"),
        "evidence": evidence,
    }
    return _ordered(rec, data, EDGE_FIELDS, EDGE_ATTRIBUTES)


def graph_sources(G: nx.MultiDiGraph) -> dict[str, dict]:
    return {sid: dict(meta) for sid, meta in sorted(G.graph.get("sources", {}).items())}


# -- JSON ------------------------------------------------------------------------


def node_link_data(G: nx.MultiDiGraph) -> dict[str, Any]:
    """The whole export as one dict (see :func:`write_json` for big graphs)."""
    return {
        "directed": True,
        "multigraph": True,
        "graph": {"sources": graph_sources(G)},
        "nodes": [node_record(n, d) for n, d in sorted_nodes(G)],
        "edges": [edge_record(u, v, k, d) for u, v, k, d in sorted_edges(G)],
    }


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, allow_nan=False)


def write_json(G: nx.MultiDiGraph, path: str | Path) -> None:
    """Node-link JSON, one node or edge a line; equal to ``json.dumps(node_link_data(G))`` once parsed."""
    with atomic_output(path, newline="\n") as fh:
        fh.write('{"directed": true, "multigraph": true,\n"graph": ')
        fh.write(_dumps({"sources": graph_sources(G)}))
        for name, records in (
            ("nodes", (node_record(n, d) for n, d in sorted_nodes(G))),
            ("edges", (edge_record(u, v, k, d) for u, v, k, d in sorted_edges(G))),
        ):
            fh.write(f',\n"{name}": [')
            for i, rec in enumerate(records):
                fh.write(("," if i else "") + "\n" + _dumps(rec))
            fh.write("\n]")
        fh.write("}\n")


# -- GraphML and GEXF --------------------------------------------------------------


def _scalar(value: Any) -> Any:
    if isinstance(value, (list, tuple)):
        if all(isinstance(x, str) for x in value):
            return LIST_SEPARATOR.join(value)
        return _dumps(list(value))
    if isinstance(value, dict):
        return _dumps(value)
    return value


def _unify(records: list[dict]) -> None:
    """One type per attribute: int and float mixed become float, anything else mixed becomes text."""
    types: dict[str, set[type]] = {}
    for rec in records:
        for k, v in rec.items():
            types.setdefault(k, set()).add(type(v))
    for k, ts in types.items():
        if len(ts) > 1:
            to = float if ts <= {int, float} else str
            for rec in records:
                if k in rec:
                    rec[k] = to(rec[k])


def _flat_node(node: str, data: dict, reserved: set[str] = frozenset()) -> dict:
    rec = node_record(node, data)
    del rec["id"]
    out: dict[str, Any] = {"label": rec["name"]}
    for k, v in rec.items():
        if v is None or v == [] or v == "":
            continue
        out[f"{rec['type'].lower()}_{k}" if k in reserved else k] = _scalar(v)
    return out


def _flat_edge(u: str, v: str, key: str, data: dict, reserved: set[str] = frozenset()) -> dict:
    rec = edge_record(u, v, key, data)
    for k in ("source", "target", "key"):
        del rec[k]
    out: dict[str, Any] = {"label": rec["type"]}
    for k, val in rec.items():
        if val is None or val == [] or val == "":
            continue
        if k == "type" and "type" in reserved:
            k = "relation"
        elif k in reserved:
            k = f"{rec['type'].lower()}_{k}"
        out[k] = _scalar(val)
    return out


def flat_graph(G: nx.MultiDiGraph, *, gexf: bool = False) -> nx.MultiDiGraph:
    """A copy of ``G`` with scalar attributes only, as GraphML and GEXF need them.

    Edge keys become :func:`edge_id`; for GEXF, edges get ``start``/``end`` dates
    from their validity, the relation type moves to ``relation``, attribute names
    GEXF reserves are prefixed with their type (``campaign_start``) and nodes get
    their registry colour.
    """
    H = nx.MultiDiGraph()
    nodes = [(n, _flat_node(n, d, _GEXF_NODE_RESERVED if gexf else {"label"})) for n, d in sorted_nodes(G)]
    edges = [
        (u, v, k, _flat_edge(u, v, k, d, _GEXF_EDGE_RESERVED if gexf else {"label"})) for u, v, k, d in sorted_edges(G)
    ]
    _unify([d for _, d in nodes])
    _unify([d for *_, d in edges])
    if gexf:
        for _n, d in nodes:
            color = REGISTRY.entities[d["type"]].color if d.get("type") in REGISTRY.entities else None
            if color and len(color) == 7 and color.startswith("#"):
                r, g, b = (int(color[i : i + 2], 16) for i in (1, 3, 5))
                d["viz"] = {"color": {"r": r, "g": g, "b": b, "a": 1.0}}
        for u, v, k, d in edges:
            data = G.edges[u, v, k]
            if data.get("valid_from"):
                d["start"] = first_day(data["valid_from"]).isoformat()
            if data.get("valid_to"):
                d["end"] = last_day(data["valid_to"]).isoformat()
            d["id"] = edge_id(u, k, v)
    else:
        H.graph["sources"] = _dumps(graph_sources(G))
    H.add_nodes_from(nodes)
    # GEXF keeps the key as the ``networkx_key`` attribute next to the id; GraphML uses the key as the id.
    H.add_edges_from((u, v, k if gexf else edge_id(u, k, v), d) for u, v, k, d in edges)
    return H


def write_graphml(G: nx.MultiDiGraph, path: str | Path) -> None:
    H = flat_graph(G)
    with atomic_output(path, binary=True) as fh:
        nx.write_graphml(H, fh, encoding="utf-8", prettyprint=True, infer_numeric_types=True)


def write_gexf(G: nx.MultiDiGraph, path: str | Path) -> None:
    H = flat_graph(G, gexf=True)
    with atomic_output(path, binary=True) as fh:
        nx.write_gexf(H, fh, encoding="utf-8", prettyprint=True, version="1.2draft")


# -- CSV ---------------------------------------------------------------------------


# A spreadsheet runs a cell starting with one of these as a formula; facts are data, never code.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, (list, tuple)):
        text = LIST_SEPARATOR.join(str(x) for x in value)
    elif isinstance(value, dict):
        text = _dumps(value)
    else:
        text = str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


NODE_COLUMNS = list(NODE_FIELDS) + [a for a in NODE_ATTRIBUTES if a not in NODE_FIELDS]
EDGE_COLUMNS = [
    "type",
    "from",
    "to",
    "credibility",
    "reliability",
    "valid_from",
    "valid_to",
    "sources",
    "quotes",
] + EDGE_ATTRIBUTES


def csv_tables(G: nx.MultiDiGraph) -> tuple[list[str], list[list[str]], list[str], list[list[str]]]:
    """(node columns, node rows, edge columns, edge rows), every cell text."""
    node_rows, extra_n = [], {}
    records = [node_record(n, d) for n, d in sorted_nodes(G)]
    for rec in records:
        extra_n.update(dict.fromkeys(k for k in rec if k not in NODE_COLUMNS))
    ncols = NODE_COLUMNS + list(extra_n)
    node_rows = [[_cell(rec.get(c)) for c in ncols] for rec in records]
    erecs = []
    extra_e: dict[str, None] = {}
    for u, v, k, d in sorted_edges(G):
        rec = edge_record(u, v, k, d)
        rec["from"], rec["to"] = rec.pop("source"), rec.pop("target")
        del rec["key"], rec["evidence"]
        extra_e.update(dict.fromkeys(c for c in rec if c not in EDGE_COLUMNS))
        erecs.append(rec)
    ecols = EDGE_COLUMNS + list(extra_e)
    edge_rows = [[_cell(rec.get(c)) for c in ecols] for rec in erecs]
    return ncols, node_rows, ecols, edge_rows


def csv_paths(out: str | Path) -> tuple[Path, Path]:
    """``graph.csv`` -> ``graph.nodes.csv`` and ``graph.edges.csv``; anything else is a folder that gets
    ``nodes.csv`` and ``edges.csv``."""
    out = Path(out)
    if out.suffix.lower() == ".csv" and not out.is_dir():
        return out.with_name(f"{out.stem}.nodes.csv"), out.with_name(f"{out.stem}.edges.csv")
    return out / "nodes.csv", out / "edges.csv"


def write_csv(G: nx.MultiDiGraph, out: str | Path) -> tuple[Path, Path]:
    """Write the nodes and edges tables (see :func:`csv_paths`); return their paths."""
    nodes_path, edges_path = csv_paths(out)
    ncols, nrows, ecols, erows = csv_tables(G)
    for path, cols, rows in ((nodes_path, ncols, nrows), (edges_path, ecols, erows)):
        with atomic_output(path, newline="") as fh:
            w = csv.writer(fh, lineterminator="\n")
            # csv quotes a cell holding the line terminator ("\n") but not a lone "\r", which readers
            # take as a line end: a row with one is written with every cell quoted.
            quoted = csv.writer(fh, lineterminator="\n", quoting=csv.QUOTE_ALL)
            w.writerow(cols)
            for row in rows:
                (quoted if any("\r" in c for c in row) else w).writerow(row)
    return nodes_path, edges_path
