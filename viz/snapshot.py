"""A self-contained interactive HTML snapshot of the graph.

One file, opened from disk with no network at all: vis-network's JS and CSS are
inlined, the graph travels as JSON in a ``<script type="application/json">``
block (``<``, ``>``, ``&``, U+2028 and U+2029 escaped, so no text can close the
block) and the page script puts every piece of text on screen with
``textContent``. A Content-Security-Policy allows exactly the two inline scripts
(by hash), inline styles and ``data:`` images, and nothing else: no request can
leave the page.

Node positions are computed here (:mod:`viz.layout`), so the page draws at once,
with physics off, even for tens of thousands of relations.
"""

from __future__ import annotations

import base64
import difflib
import gc
import hashlib
import json
import re
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from functools import lru_cache
from pathlib import Path
from typing import Any

import networkx as nx

from graph.names import name_key
from graph.schema import REGISTRY
from graph.views import filter_graph, neighbourhood, resolve

from .layout import layout

ASSETS = Path(__file__).with_name("assets")
TEMPLATE = Path(__file__).with_name("templates") / "snapshot.html"
DATA_VERSION = 1
# Node fields that have their own place in the data rows.
_NODE_FIELDS = frozenset(("type", "name", "aliases"))
_EDGE_FIELDS = frozenset(("type", "evidence", "credibility", "reliability"))


class UnknownEntity(LookupError):
    """A focus name that matches no entity; ``suggestions`` holds the closest names."""

    def __init__(self, name: str, suggestions: list[str]):
        self.name = name
        self.suggestions = suggestions
        hint = f" (did you mean {', '.join(repr(s) for s in suggestions)}?)" if suggestions else ""
        super().__init__(f"no entity is named {name!r}{hint}")


@dataclass
class View:
    """What a snapshot shows: filters and focus, as given (for the heading)."""

    as_of: date | None = None
    credibility_at_least: int | None = None
    reliability_at_least: str | None = None
    focus: list[str] = field(default_factory=list)
    depth: int = 1

    def describe(self) -> list[str]:
        out = []
        if self.as_of:
            out.append(f"as of {self.as_of.isoformat()}")
        if self.credibility_at_least is not None:
            out.append("credibility 1" + (" only" if self.credibility_at_least == 1 else f"-{self.credibility_at_least}"))
        if self.reliability_at_least is not None:
            out.append("reliability A" + (" only" if self.reliability_at_least == "A" else f"-{self.reliability_at_least}"))
        if self.focus:
            out.append(f"within {self.depth} hop{'s' if self.depth != 1 else ''} of {', '.join(self.focus)}")
        return out


def suggest(G: nx.MultiDiGraph, text: str, n: int = 3) -> list[str]:
    """The entity names (or aliases) closest to ``text``."""
    shown: dict[str, str] = {}
    for node, data in sorted(G.nodes(data=True)):
        for t in (data.get("name", ""), *data.get("aliases", ()), node):
            shown.setdefault(name_key(t), t)
    close = difflib.get_close_matches(name_key(text), list(shown), n=n, cutoff=0.5)
    return [shown[k] for k in close]


def select(G: nx.MultiDiGraph, view: View) -> nx.MultiDiGraph:
    """The part of ``G`` a view shows: filtered by time and grade, then the focus neighbourhood.

    Raises :class:`UnknownEntity` for a focus that names nothing.
    """
    centres: list[str] = []
    for name in view.focus:
        found = resolve(G, name)
        if not found:
            raise UnknownEntity(name, suggest(G, name))
        centres.extend(c for c in found if c not in centres)
    H = G
    if view.as_of is not None or view.credibility_at_least is not None or view.reliability_at_least is not None:
        H = filter_graph(G, as_of=view.as_of, credibility_at_least=view.credibility_at_least,
                         reliability_at_least=view.reliability_at_least, keep=centres)
    if centres:
        H = neighbourhood(H, centres, view.depth)
    return H


# -- the data block ----------------------------------------------------------------------


def _extra(data: dict, skip: frozenset[str]) -> dict | int:
    """The fields without a column of their own (in the graph's order, which is the input's); else 0."""
    if len(data) <= len(skip) and data.keys() <= skip:
        return 0
    return {k: v for k, v in data.items() if k not in skip} or 0


def snapshot_data(G: nx.MultiDiGraph, *, title: str, generated: str, view: View | None = None) -> dict[str, Any]:
    """Everything the page shows, in compact rows (indices instead of repeated ids)."""
    view = view or View()
    legend = REGISTRY.legend()
    type_index = {t["type"]: i for i, t in enumerate(legend)}
    relation_types = list(REGISTRY.relations)
    rel_index = {r: i for i, r in enumerate(relation_types)}
    sources_meta = G.graph.get("sources", {})
    node_ids = sorted(G.nodes)
    index = {n: i for i, n in enumerate(node_ids)}
    edge_rows = sorted((index[u], rel_index[k], index[v], d) for u, v, k, d in G.edges(keys=True, data=True))
    positions = layout(len(node_ids), [(a, b) for a, _, b, _ in edge_rows])
    nodes = []
    for i, n in enumerate(node_ids):
        d = G.nodes[n]
        x, y = positions[i]
        nodes.append([n, d["name"], type_index[d["type"]], x, y, d.get("aliases", []), _extra(d, _NODE_FIELDS)])
    source_index: dict[str, int] = {}  # numbered in order of first citation
    cite = source_index.setdefault
    edges = [
        [a, b, r, d["credibility"], d["reliability"], _extra(d, _EDGE_FIELDS),
         [[cite(ev["source"], len(source_index)), ev["credibility"], ev["quote"]] for ev in d["evidence"]]]
        for a, r, b, d in edge_rows
    ]
    sources = [{k: v for k, v in sorted(sources_meta[s].items()) if k != "document"} for s in source_index]
    return {
        "version": DATA_VERSION,
        "title": title,
        "generated": generated,
        "filters": view.describe(),
        "grades": {"credibility": view.credibility_at_least or 6, "reliability": view.reliability_at_least or "F"},
        "types": legend,
        "relations": relation_types,
        "sources": sources,
        "nodes": nodes,
        "edges": edges,
    }


_SCRIPT_UNSAFE = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026",
                                "\u2028": "\\u2028", "\u2029": "\\u2029"})


def script_json(obj: Any) -> str:
    """JSON that is inert inside a <script> element: no character of it can end or comment the block.

    The escaped characters only ever occur inside JSON strings, where ``\\uXXXX`` means the same.
    """
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"), allow_nan=False).translate(_SCRIPT_UNSAFE)


# -- the page ----------------------------------------------------------------------------


def _csp_hash(script: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii") + "'"


@lru_cache(maxsize=1)
def _page_parts() -> tuple[dict[str, str], str]:
    vis_js = (ASSETS / "vis-network.min.js").read_text(encoding="utf-8")
    app_js = (ASSETS / "snapshot.js").read_text(encoding="utf-8")
    for name, js in (("vis-network.min.js", vis_js), ("snapshot.js", app_js)):
        if re.search(r"</script|<!--", js, re.IGNORECASE):
            raise RuntimeError(f"{name} cannot be inlined: it contains '</script' or '<!--'")
    csp = "; ".join((
        "default-src 'none'",
        f"script-src {_csp_hash(vis_js)} {_csp_hash(app_js)}",
        "style-src 'unsafe-inline'",
        "img-src data:",
        "font-src 'none'",
        "connect-src 'none'",
        "base-uri 'none'",
        "form-action 'none'",
    ))
    parts = {
        "CSP": csp,
        "VIS_CSS": (ASSETS / "vis-network.css").read_text(encoding="utf-8"),
        "VIS_JS": vis_js,
        "APP_JS": app_js,
    }
    return parts, TEMPLATE.read_text(encoding="utf-8")


_SLOT = re.compile(r"@@([A-Z_]+)@@")


def render_html(G: nx.MultiDiGraph, *, title: str = "actorgraph snapshot", view: View | None = None,
                generated: str | None = None) -> str:
    """The snapshot page for ``G`` (already selected with :func:`select`)."""
    if generated is None:
        generated = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    parts, template = _page_parts()
    values = dict(parts, DATA=script_json(snapshot_data(G, title=title, generated=generated, view=view)))
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


# -- a real browser ----------------------------------------------------------------------

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def launch_chromium(playwright):
    """Headless Chromium as this project runs it (the system binary, never a download)."""
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)


def wait_until(page, expr: str, timeout: float = 30.0):
    """Poll a page expression until truthy.

    Playwright's wait_for_function evaluates strings with eval, which the snapshot's
    Content-Security-Policy forbids; page.evaluate is not subject to it.
    """
    deadline = time.monotonic() + timeout
    while True:
        value = page.evaluate(expr)
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"still false after {timeout:g} s: {expr}")
        page.wait_for_timeout(20)


def screenshot(html_path: Path, png_path: Path, *, width: int = 1400, height: int = 860,
               select: str | None = None, timeout_ms: int = 30_000) -> Path:
    """A PNG of a snapshot as headless Chromium draws it (optionally with one entity selected)."""
    from playwright.sync_api import sync_playwright

    html_path, png_path = Path(html_path).resolve(), Path(png_path)
    png_path.parent.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = launch_chromium(p)
        try:
            page = browser.new_page(viewport={"width": width, "height": height})
            page.goto(html_path.as_uri())
            wait_until(page, "window.actorgraph && window.actorgraph.firstFrame", timeout_ms / 1000)
            if select:
                page.evaluate("q => window.actorgraph.search(q, true)", select)
                page.wait_for_timeout(500)
            page.screenshot(path=str(png_path))
        finally:
            browser.close()
    return png_path


__all__ = ["UnknownEntity", "View", "launch_chromium", "render_html", "screenshot", "script_json", "select",
           "snapshot_data", "suggest", "wait_until", "write_snapshot"]
