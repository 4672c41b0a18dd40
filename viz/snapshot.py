"""A self-contained interactive HTML snapshot of the graph.

One file, opened from disk with no network at all: vis-network's JS and CSS are
inlined, and so are the page helpers shared with the explorer (``assets/common.js``)
and the page logic (``assets/snapshot.js``). The graph travels as JSON in a
``<script type="application/json">`` block (``<``, ``>``, ``&``, U+2028 and U+2029
escaped, so no text can close the block), with named fields (the table below) and
the registry's grading scales; the page script puts every piece of text on screen
with ``textContent``. A Content-Security-Policy allows exactly the three inline
scripts (by hash), inline styles and ``data:`` images, and nothing else: no request
can leave the page.

Node positions are computed here (:mod:`viz.layout`), so the page draws at once,
with physics off, even for tens of thousands of relations.
"""

from __future__ import annotations

import base64
import gc
import hashlib
import json
import re
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

import networkx as nx
import orjson

from graph.analysis import AnalysisError, measure
from graph.asof import INFERRED, Horizon, entity_window, fact_window, iso_days
from graph.attribution import attribution_text
from graph.dates import first_day
from graph.schema import REGISTRY
from graph.views import (  # noqa: F401 (moved to graph.views: kg export uses them)
    UnknownEntity,
    View,
    resolve_focus,
    select,
    suggest,
)

from . import look
from .geo_view import geo_payload, world_json
from .layout import Layout, layout
from .provenance import reported_names_of

ASSETS = Path(__file__).with_name("assets")
TEMPLATE = Path(__file__).with_name("templates") / "snapshot.html"
DATA_VERSION = 3
KEY_PLAYERS = 15  # entities in the page's "key players" panel
COLOUR_BY = ("community",)  # what --colour-by takes (the default colours by entity type)

# The data block, field by field: the one place its names are written down (snapshot.js reads them by name).
# Keys are short because a big snapshot repeats them hundreds of thousands of times.
#
#   version, title, generated   format version, heading, UTC time of writing
#   filters                     the view's filters in words (View.describe)
#   grades                      {"reliability", "credibility"}: the registry's scales (graph.schema.Scale.as_dict)
#   at_least                    {"reliability", "credibility"}: the grades the snapshot was cut at, or null
#   horizon                     the as-of horizon: {look_back, look_ahead, description} (graph.asof.Horizon)
#   days                        the as-of slider's days: where something starts or stops holding, and the
#                               report days
#   stated_days                 the days where a stated window (a fact's valid_from / valid_to, an event's
#                               date, a campaign's start / end) starts or stops: marked on the slider
#   report_days                 the days a report observed something (its evidence's observation dates, its
#                               publication or retrieval; partial dates at their first day): marked too
#   types                       entity types with colour and shape (REGISTRY.legend())
#   relations                   relation type names
#   sources[s]                  a source's fields (id, title, publisher, author?, published, reliability, url?...)
#   size_by                     the importance measure nodes are sized by: {name, summary} (graph.analysis)
#   colour_by                   "community" when nodes are coloured by their community, else null
#   communities                 how many communities (with colour_by), else 0
#   key_players                 node indices, most important first (the page's "key players" panel)
#   focus                       node indices of the --focus entities (marked on the page)
#   detached                    {x, y, count}: where the block of entities tied to nothing else starts
#                               (the page captions it), or null
#   nodes[i]  id, name          entity id and name
#             type              index into types
#             x, y              position (viz.layout: no two boxes of shape and label overlap)
#             size, font        node size and label font size, drawing units (viz.look.scaled)
#             value             its importance (the size_by measure)
#             label             the label when the name is too long to draw whole (viz.look.label)
#             group             its community number (with colour_by), from 0, largest first
#             aka               aliases
#             first, last       when it exists, as ISO days (graph.asof.entity_window: events, campaigns)
#             ev                the evidence for the entity itself
#             rep               its names (name, aliases) that a quote about it says (viz.provenance); the
#                               others are the curator's
#             inferred          the curator's note when the identification is theirs
#             more              the other fields: description, lat, lon, geo_precision, attributes
#   geo                         where entities are, for the map: see viz.geo_view (added by render_html)
#   edges[j]  from, to          indices into nodes
#             type              index into relations
#             cred, reli        the best credibility and reliability of its evidence
#             first, last       the first and last day it holds, as ISO days (graph.asof.fact_window)
#             basis             "inferred" when the window comes from its observations and the horizon
#                               (graph.asof.fact_window; left out when stated by valid_from / valid_to)
#             more              the other fields: valid_from, valid_to as written, originators (when more
#                               than one), attributes; the observation dates are left out (first and last
#                               hold what follows from them)
#             ev                its evidence
#   ev[k]     src               index into sources
#             cred              credibility of this piece of evidence
#             quote             the quote
#             observed          its observation date, when the evidence states one (else the source's date)
#             according_to, via who the source relays, as the evidence says
#             by                who said it, when not simply the publisher: "Levant, according to local
#                               sources, via SOHR" (graph.attribution.attribution_text)
# Every key after value (nodes), reli (edges) or quote (evidence) is left out when it has nothing to say.
NODE_KEYS = (
    "id",
    "name",
    "type",
    "x",
    "y",
    "size",
    "font",
    "value",
    "label",
    "group",
    "aka",
    "first",
    "last",
    "ev",
    "rep",
    "inferred",
    "more",
)
EDGE_KEYS = ("from", "to", "type", "cred", "reli", "first", "last", "basis", "more", "ev")
EVIDENCE_KEYS = ("src", "cred", "quote", "observed", "according_to", "via", "by")
# Node and edge fields that have their own key.
_NODE_FIELDS = frozenset(("type", "name", "aliases", "evidence", "inferred"))
_EDGE_FIELDS = frozenset(("type", "evidence", "credibility", "reliability", "first_observed", "last_observed"))


# -- the data block ----------------------------------------------------------------------


def _extra(data: dict, skip: frozenset[str]) -> dict | None:
    """The fields without a key of their own (in the graph's order, which is the input's), or None."""
    if len(data) <= len(skip) and data.keys() <= skip:
        return None
    return {k: v for k, v in data.items() if k not in skip} or None


def _put_window(row: dict[str, Any], window) -> None:
    first, last = iso_days(window)
    if first:
        row["first"] = first
    if last:
        row["last"] = last


class _Citations:
    """Sources numbered in order of first citation, and the days their evidence observed something."""

    def __init__(self, sources: dict[str, dict], names: dict[str, str]):
        self.sources = sources
        self.names = names  # entity id -> name, for attributions
        self.index: dict[str, int] = {}
        self.observed: set[str] = set()  # partial dates, as written

    def cite(self, source: str) -> int:
        return self.index.setdefault(source, len(self.index))

    def evidence(self, items: list[dict]) -> list[dict[str, Any]]:
        rows = []
        index = self.index
        for ev in items:
            source = ev["source"]
            src = index.get(source)
            if src is None:
                src = self.cite(source)
            cred = ev.get("credibility")
            row = {"src": src, "cred": cred, "quote": ev["quote"]} if cred else {"src": src, "quote": ev["quote"]}
            observed = ev.get("observed")
            if observed:
                self.observed.add(observed)
                if ev.get("observed_stated"):
                    row["observed"] = observed
            if ev.get("according_to") or ev.get("via"):
                for k in ("according_to", "via"):
                    if ev.get(k):
                        row[k] = ev[k]
                row["by"] = attribution_text(ev, self.sources, self.names)
            rows.append(row)
        return rows

    def report_days(self) -> set[str]:
        """The first days of every observation and of every cited source's publication and retrieval."""
        dates = set(self.observed)
        for s in self.index:
            meta = self.sources.get(s, {})
            dates.update(str(meta[k]) for k in ("published", "retrieved") if meta.get(k))
        return {first_day(d).isoformat() for d in dates}


def _node(
    n: str, d: dict, type_index: int, drawn: dict[str, Any], cited: _Citations, reported: list[str]
) -> dict[str, Any]:
    row = {"id": n, "name": d["name"], "type": type_index, **drawn}
    if d.get("aliases"):
        row["aka"] = d["aliases"]
    _put_window(row, entity_window(d))
    if d.get("evidence"):
        row["ev"] = cited.evidence(d["evidence"])
    if reported:
        row["rep"] = reported
    if d.get("inferred"):
        row["inferred"] = d["inferred"]
    more = _extra(d, _NODE_FIELDS)
    if more:
        row["more"] = more
    return row


# The edge fields graph.asof.fact_window reads: edges that agree on them have the same window.
_WINDOW_FIELDS = ("valid_from", "valid_to", "first_observed", "last_observed")


def _edge(
    a: int, b: int, r: int, d: dict, horizon: Horizon, cited: _Citations, windows: dict[tuple, tuple]
) -> dict[str, Any]:
    row = {"from": a, "to": b, "type": r, "cred": d["credibility"], "reli": d["reliability"]}
    get = d.get
    dates = (get("valid_from"), get("valid_to"), get("first_observed"), get("last_observed"))  # _WINDOW_FIELDS
    known = windows.get(dates)
    if known is None:
        window, basis = fact_window(d, horizon)
        known = windows[dates] = (iso_days(window), basis)
    (first, last), basis = known
    if first:
        row["first"] = first
    if last:
        row["last"] = last
    if basis == INFERRED:
        row["basis"] = basis
    # the other fields; one originator is the usual case, left out
    more = {k: v for k, v in d.items() if k not in _EDGE_FIELDS and (k != "originators" or v != 1)}
    if more:
        row["more"] = more
    row["ev"] = cited.evidence(d["evidence"])
    return row


def _next_day(iso: str) -> str:
    """The ISO day after ``iso`` (itself for the last representable day).

    >>> _next_day("2021-12-31")
    '2022-01-01'
    """
    d = date.fromisoformat(iso)
    return d.isoformat() if d == date.max else (d + timedelta(days=1)).isoformat()


def focus_ids(G: nx.MultiDiGraph, view: View) -> list[str]:
    """The ids of the entities a view's ``focus`` names in ``G`` (as :func:`graph.views.select` took them)."""
    ids: list[str] = []
    for _name, found in resolve_focus(G, view.focus):
        if found.id not in ids:
            ids.append(found.id)
    return ids


def _drawing(
    G: nx.MultiDiGraph,
    node_ids: list[str],
    edge_rows,
    *,
    size_by: str,
    colour_by: str | None,
    top: int,
    positions: dict[str, Any] | None = None,
) -> tuple[list[dict[str, Any]], dict[str, Any] | None, dict[str, Any]]:
    """Per node: position, size, label size, importance (and community); the detached block; the fields
    ``size_by``, ``colour_by``, ``communities`` and ``key_players`` of the data block."""
    chosen = measure(size_by)
    values: dict[str, float] = {}
    groups: dict[str, int] = {}
    try:
        values = chosen.run(G) if node_ids else {}
        if colour_by == "community" and node_ids:
            groups = {n: d["community"] for n, d in measure("communities").run(G).details.items()}
    except AnalysisError:  # nothing tied to anything (or not one network, for eigenvector): all alike
        pass
    sizes, fonts = look.scaled(values, node_ids)
    shapes = {t: REGISTRY.entities[t].shape for t in REGISTRY.entities}
    texts = [look.label(G.nodes[n]["name"]) for n in node_ids]
    ranked = sorted(range(len(node_ids)), key=lambda i: (-(values.get(node_ids[i], 0) or 0), node_ids[i]))
    full = set(ranked[: look.full_labels(len(node_ids))])
    boxes = [
        look.box(texts[i], shapes[G.nodes[n]["type"]], sizes[i], fonts[i], full=i in full)
        for i, n in enumerate(node_ids)
    ]
    if positions and any(n in positions for n in node_ids):
        placed = _kept(node_ids, positions, boxes)
    else:
        placed = layout(len(node_ids), [(a, b) for a, _, b, _ in edge_rows], boxes=boxes, frame=look.FRAME)
    rows = []
    for i, n in enumerate(node_ids):
        x, y = placed.positions[i]
        row: dict[str, Any] = {"x": x, "y": y, "size": sizes[i], "font": fonts[i], "value": _value(values.get(n, 0))}
        if texts[i] != G.nodes[n]["name"]:
            row["label"] = texts[i]
        if n in groups:
            row["group"] = groups[n]
        rows.append(row)
    detached = None
    if placed.caption_at is not None:
        detached = {"x": placed.caption_at[0], "y": placed.caption_at[1], "count": len(placed.detached)}
    extra = {
        "size_by": {"name": chosen.name, "summary": chosen.summary},
        "colour_by": colour_by,
        "communities": len(set(groups.values())),
        "key_players": ranked[:top],
    }
    return rows, detached, extra


def _kept(node_ids: list[str], positions: dict[str, Any], boxes) -> Layout:
    """The positions an analyst arranged (the explorer's view), those missing in a row beneath the others."""
    have = [positions[n] for n in node_ids if n in positions]
    x0 = min(float(p[0]) for p in have)
    y = max(float(p[1]) for p in have) + 80.0
    out = []
    x = x0
    for i, n in enumerate(node_ids):
        if n in positions:
            out.append((float(positions[n][0]), float(positions[n][1])))
        else:
            out.append((x - boxes[i].left, y))
            x += boxes[i].width + 20.0
    return Layout(out)


def _value(v: Any) -> float | int:
    """A measure's value as the page shows it: integers stay, fractions to 4 significant digits.

    >>> _value(3), _value(0.123456), _value(None)
    (3, 0.1235, 0)
    """
    if v is None:
        return 0
    if isinstance(v, int) or float(v).is_integer():
        return int(v)
    return float(f"{v:.4g}")


def snapshot_data(
    G: nx.MultiDiGraph,
    *,
    title: str,
    generated: str,
    view: View | None = None,
    context: nx.MultiDiGraph | None = None,
    size_by: str = "degree",
    colour_by: str | None = None,
    top: int = KEY_PLAYERS,
    positions: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Everything the page shows, as named fields (see the table at the top of this module).

    Nodes and relation types are referred to by index, so no id is repeated. ``context``: the
    graph ``G`` was selected from (by :func:`graph.views.select`); an entity's names count as
    reported when any quote about it there says them (:mod:`viz.provenance`), not only the
    quotes of the relations the view kept.
    """
    view = view or View()
    legend = REGISTRY.legend()
    type_index = {t["type"]: i for i, t in enumerate(legend)}
    relation_types = list(REGISTRY.relations)
    rel_index = {r: i for i, r in enumerate(relation_types)}
    node_ids = sorted(G.nodes)
    index = {n: i for i, n in enumerate(node_ids)}
    edge_rows = sorted((index[u], rel_index[k], index[v], d) for u, v, k, d in G.edges(keys=True, data=True))
    whole = context if context is not None else G
    drawn, placed, extra = _drawing(
        G, node_ids, edge_rows, size_by=size_by, colour_by=colour_by, top=top, positions=positions
    )
    centres = [index[c] for c in focus_ids(whole, view) if c in index]
    names = {n: name for n, name in whole.nodes(data="name") if name}
    cited = _Citations(G.graph.get("sources", {}), names)
    horizon = view.horizon
    windows: dict[tuple, tuple] = {}  # many relations share their dates: the as-of rule once per set of dates
    edges = [_edge(a, b, r, d, horizon, cited, windows) for a, r, b, d in edge_rows]
    reported = reported_names_of(whole, [n for n in node_ids if n in whole])
    if len(reported) < len(node_ids):
        reported.update(reported_names_of(G, [n for n in node_ids if n not in reported]))
    nodes = [
        _node(n, G.nodes[n], type_index[G.nodes[n]["type"]], drawn[i], cited, reported[n])
        for i, n in enumerate(node_ids)
    ]
    sources = [{k: v for k, v in sorted(cited.sources[s].items()) if k != "document"} for s in cited.index]
    # the first day, the last day, and the first day it no longer holds (many rows share them: each set once)
    firsts: tuple[set[str], set[str]] = (set(), set())  # (stated, inferred)
    lasts: tuple[set[str], set[str]] = (set(), set())
    for row in (*nodes, *edges):
        k = row.get("basis") == INFERRED
        if "first" in row:
            firsts[k].add(row["first"])
        if "last" in row:
            lasts[k].add(row["last"])
    stated_days = firsts[0] | lasts[0] | {_next_day(d) for d in lasts[0]}
    days = stated_days | firsts[1] | lasts[1] | {_next_day(d) for d in lasts[1]}
    report_days = cited.report_days()
    days |= report_days
    return {
        "version": DATA_VERSION,
        "title": title,
        "generated": generated,
        "filters": view.describe(),
        "grades": {"reliability": REGISTRY.reliability.as_dict(), "credibility": REGISTRY.credibility.as_dict()},
        "at_least": {"reliability": view.reliability_at_least, "credibility": view.credibility_at_least},
        "horizon": {**horizon.as_dict(), "description": horizon.describe()},
        "days": sorted(days),
        "stated_days": sorted(stated_days),
        "report_days": sorted(report_days),
        "types": legend,
        "relations": relation_types,
        **extra,
        "focus": centres,
        "detached": placed,
        "sources": sources,
        "nodes": nodes,
        "edges": edges,
    }


_SCRIPT_UNSAFE_PAIRS = (
    ("<", "\\u003c"),
    (">", "\\u003e"),
    ("&", "\\u0026"),
    ("\u2028", "\\u2028"),
    ("\u2029", "\\u2029"),
)
_SCRIPT_UNSAFE = str.maketrans(dict(_SCRIPT_UNSAFE_PAIRS))
_SCRIPT_UNSAFE_BYTES = tuple((ch.encode("utf-8"), escaped.encode("ascii")) for ch, escaped in _SCRIPT_UNSAFE_PAIRS)


def script_json(obj: Any) -> str:
    """JSON that is inert inside a <script> element: no character of it can end or comment the block.

    The escaped characters only ever occur inside JSON strings, where ``\\uXXXX`` means the same.

    >>> script_json({"a": "</script>", "b": [1, 0.5, None]})
    '{"a":"\\\\u003c/script\\\\u003e","b":[1,0.5,null]}'
    """
    try:
        # orjson writes what json.dumps(ensure_ascii=False, separators=(",", ":")) writes, in a fifth of the
        # time (a 10k-entity snapshot's 15 MB: 0.04 s instead of 0.2), but for the spelling of some numbers
        # (0.0000957 for 9.57e-05, 1e-7 for 1e-07: the same numbers to every JSON reader) and NaN (null where
        # json refused; validation lets none in).
        data = orjson.dumps(obj)
    except orjson.JSONEncodeError:  # what orjson refuses (an integer beyond 64 bits...): json says it as before
        text = json.dumps(obj, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
        data = text.encode("utf-8", "surrogatepass")
    # (five bytes.replace passes run in C, on the UTF-8 bytes: no scan of a wide str)
    for ch, escaped in _SCRIPT_UNSAFE_BYTES:
        if ch in data:
            data = data.replace(ch, escaped)
    return data.decode("utf-8", "surrogatepass")


# -- the page ----------------------------------------------------------------------------


def _csp_hash(script: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii") + "'"


# The page's scripts, inlined in this order: vis-network, the helpers shared with the explorer, the page logic,
# then the map and the timeline (viz/assets/vendor/: Leaflet, its marker clusters, vis-timeline; map.js and
# timeline.js hook into the page logic). vis-timeline comes after the page logic has made its vis-network
# DataSets: both libraries fill the same global `vis`.
SCRIPTS = (
    ("VIS_JS", "vendor/vis-network.min.js"),
    ("COMMON_JS", "common.js"),
    ("APP_JS", "snapshot.js"),
    ("TIMELINE_LIB", "vendor/vis-timeline-graph2d.min.js"),
    ("LEAFLET_LIB", "vendor/leaflet.js"),
    ("CLUSTER_LIB", "vendor/leaflet.markercluster.js"),
    ("GEO_JS", "geo_common.js"),  # what the map and timeline share with the explorer's
    ("MAP_JS", "map.js"),
    ("TIMELINE_JS", "timeline.js"),
)
STYLES = (
    "common.css",
    "vendor/leaflet.css",
    "vendor/MarkerCluster.css",
    "vendor/MarkerCluster.Default.css",
    "vendor/vis-timeline-graph2d.min.css",
)


@lru_cache(maxsize=1)
def _page_parts() -> tuple[dict[str, str], str]:
    scripts = {slot: (ASSETS / name).read_text(encoding="utf-8") for slot, name in SCRIPTS}
    for slot, name in SCRIPTS:
        if re.search(r"</script|<!--", scripts[slot], re.IGNORECASE):
            raise RuntimeError(f"{name} cannot be inlined: it contains '</script' or '<!--'")
    csp = "; ".join(
        (
            "default-src 'none'",
            "script-src " + " ".join(_csp_hash(scripts[slot]) for slot, _ in SCRIPTS),
            "style-src 'unsafe-inline'",
            "img-src data:",
            "font-src 'none'",
            "connect-src 'none'",
            "base-uri 'none'",
            "form-action 'none'",
        )
    )
    parts = {
        "CSP": csp,
        "VIS_CSS": (ASSETS / "vendor" / "vis-network.css").read_text(encoding="utf-8"),
        "SHARED_CSS": "\n".join((ASSETS / name).read_text(encoding="utf-8") for name in STYLES),
        "WORLD": world_json().translate(_SCRIPT_UNSAFE),
        **scripts,
    }
    return parts, TEMPLATE.read_text(encoding="utf-8")


_SLOT = re.compile(r"@@([A-Z_]+)@@")


def render_html(
    G: nx.MultiDiGraph,
    *,
    title: str = "actorgraph snapshot",
    view: View | None = None,
    generated: str | None = None,
    context: nx.MultiDiGraph | None = None,
    size_by: str = "degree",
    colour_by: str | None = None,
    positions: dict[str, Any] | None = None,
    overlay: dict | None = None,
) -> str:
    """The snapshot page for ``G`` (already selected with :func:`select` from ``context``).

    ``overlay``: a GeoJSON object for the map (checked with :func:`graph.geo.read_overlay`).

    ``size_by``: the measure of :mod:`graph.analysis` nodes are sized by; ``colour_by``: "community"
    to colour nodes by their community instead of their type; ``positions``: ``{entity id: (x, y)}`` to keep
    (an explorer view's arrangement) instead of laying the graph out."""
    if generated is None:
        generated = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    parts, template = _page_parts()
    data = snapshot_data(
        G,
        title=title,
        generated=generated,
        view=view,
        context=context,
        size_by=size_by,
        colour_by=colour_by,
        positions=positions,
    )
    # The map's field (viz.geo_view), by the page's node order.
    data["geo"] = geo_payload(G, [n["id"] for n in data["nodes"]], context=context, overlay=overlay)
    values = dict(parts, DATA=script_json(data))
    # One pass: inserted text is never scanned for slots again.
    return _SLOT.sub(lambda m: values[m.group(1)], template)


def write_snapshot(G: nx.MultiDiGraph, out: Path, **kwargs) -> Path:
    """Render the snapshot of ``G`` to ``out`` (see :func:`render_html` for the options)."""
    out = Path(out)
    # Rendering allocates a few hundred thousand small objects and frees none of them
    # until the end: the cyclic collector would only rescan the whole graph again and again.
    collecting = gc.isenabled()
    gc.disable()
    try:
        html = render_html(G, **kwargs)
    finally:
        if collecting:
            gc.enable()
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(html, encoding="utf-8")
    return out


__all__ = [
    "EDGE_KEYS",
    "EVIDENCE_KEYS",
    "NODE_KEYS",
    "UnknownEntity",
    "View",
    "render_html",
    "script_json",
    "select",
    "snapshot_data",
    "suggest",
    "write_snapshot",
]
