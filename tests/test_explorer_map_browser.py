"""The explorer's map and timeline in a real headless Chromium, served by a real uvicorn, reading a real Neo4j.

What is on screen (an entity chosen, then expanded) appears on the map, one marker per located entity
(graph.geo.locate: own coordinates, or inherited through LOCATED_IN), and on the timeline, one item per
dated entity and per relation with a window (graph.asof); choosing on the map, the timeline or the graph
picks on the other two and in the details panel; names that are markup show as text; and no request
leaves the machine (the outlines and the libraries come from the explorer itself).
"""

from __future__ import annotations

import time
from urllib.parse import urlsplit

import httpx
import pytest
from playwright.sync_api import sync_playwright

from graph.asof import DEFAULT_HORIZON, entity_window, fact_window, iso_days
from graph.build import build_graph
from graph.geo import locate
from loaders import load_facts
from tests.browser import CHROMIUM, CHROMIUM_ARGS
from tests.explorer_support import EXPLORER_DATA, ServerThread, reload
from tests.paths import ROOT
from viz.explorer.app import create_app
from viz.explorer.config import ExplorerConfig

GEO_HOSTILE = ROOT / "tests" / "fixtures" / "explorer_geo_hostile"


@pytest.fixture(scope="module")
def loaded(neo4j_server):
    reload(neo4j_server, {"seed": EXPLORER_DATA, "geo-hostile": GEO_HOSTILE})
    return neo4j_server


@pytest.fixture(scope="module")
def facts_graph():
    return build_graph(load_facts([EXPLORER_DATA, GEO_HOSTILE]))


@pytest.fixture(scope="module")
def server(loaded):
    config = ExplorerConfig(settings=loaded, query_timeout=5.0, request_timeout=30.0)
    with ServerThread(create_app(config)) as s:
        yield s


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield b
        finally:
            b.close()


class Page:
    """An explorer page that records every request it makes and every script error."""

    def __init__(self, browser, url: str):
        self.context = browser.new_context(viewport={"width": 1366, "height": 768})
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.goto(url)
        self.wait("window.explorer && window.explorer.ready")

    def js(self, expression: str, arg=None):
        return self.page.evaluate(expression, arg)

    def wait(self, expression: str, arg=None, timeout: float = 30.0):
        # Polls: the page's CSP forbids eval, which Playwright's wait_for_function needs.
        deadline = time.monotonic() + timeout
        while True:
            value = self.page.evaluate(expression, arg)
            if value:
                return value
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for: {expression}")
            time.sleep(0.05)

    def idle(self):
        self.wait("window.explorer.idle()")
        self.page.wait_for_timeout(250)  # the map and timeline follow the view after a short pause
        self.wait("window.explorer.idle()")

    def on_screen(self) -> tuple[list[str], list[str]]:
        return (
            self.js("window.explorer.nodes.getIds({filter: n => n._entity})"),
            self.js("window.explorer.edges.getIds({filter: e => e.id.split('|').length === 3})"),
        )

    def picked(self) -> dict:
        return self.js(
            "({entity: document.querySelector('#details').dataset.entity || null, "
            "edge: document.querySelector('#details').dataset.edge || null})"
        )

    def close(self):
        self.context.close()


def expected_items(G, node_ids, edge_ids) -> set[str]:
    """The timeline's items for what is on screen, by graph.asof (the one rule)."""
    out = {f"n:{n}" for n in node_ids if any(iso_days(entity_window(G.nodes[n])))}
    for e in edge_ids:
        s, t, o = e.split("|")
        w, _ = fact_window(G.edges[s, o, t], DEFAULT_HORIZON)
        if any(iso_days(w)):
            out.add(f"e:{e}")
    return out


def basis(G, e: str) -> str:
    s, t, o = e.split("|")
    return fact_window(G.edges[s, o, t], DEFAULT_HORIZON)[1]


def local_only(p: Page, server) -> None:
    here = urlsplit(server.url).netloc
    away = [u for u in p.requests if urlsplit(u).scheme not in ("data", "blob") and urlsplit(u).netloc != here]
    assert away == [], away


def test_map_and_timeline_follow_the_view(browser, server, facts_graph, tmp_path):
    p = Page(browser, server.url)
    page = p.page
    p.js("window.explorer.choose('al-bukamal')")
    p.wait("window.explorer.nodes.get('badr-hospital')")
    p.idle()
    p.js("window.explorer.expand('badr-hospital')")
    p.wait("window.explorer.edges.get('fog-47|OCCUPIES|badr-hospital')")
    p.idle()
    node_ids, edge_ids = p.on_screen()

    # The map: one marker per located entity on screen, in or out of a cluster.
    p.js("window.explorer.show('map')")
    p.wait("window.explorer.map.ready")
    located = locate(facts_graph, node_ids)
    assert sorted(p.js("window.explorer.map.markers()")) == sorted(located)
    assert p.js("window.explorer.map.clustered()") == len(located)
    assert "badr-hospital" in located
    page.screenshot(path=str(tmp_path / "explorer-map.png"))

    # Choosing a marker picks the entity in the graph, the details panel and the timeline.
    p.js("window.explorer.map.click('al-bukamal')")
    p.wait("document.querySelector('#details').dataset.entity === 'al-bukamal'")
    assert p.js("window.explorer.network.getSelectedNodes()") == ["al-bukamal"]
    assert "al-bukamal" in p.js("window.explorer.map.selected()")
    # The popup: name, type and the actors placed there, as text.
    p.js("window.explorer.map.openPopup('badr-hospital')")
    p.wait("(document.querySelector('.leaflet-popup .map-popup h3') || {}).textContent === 'Badr Hospital'")
    popup = page.locator(".leaflet-popup .map-popup")
    assert "precision" in popup.locator(".where").text_content()
    assert "Fog 47" in popup.text_content() and "OCCUPIES" in popup.text_content()

    # The timeline: one item per dated entity and relation on screen, on the data's span.
    p.js("window.explorer.show('timeline')")
    p.wait("window.explorer.timeline.shown().length > 0")
    want = expected_items(facts_graph, node_ids, edge_ids)
    assert set(p.js("window.explorer.timeline.shown()")) == want
    assert page.locator("#timeline .vis-timeline").bounding_box()["height"] > 300  # fills the view
    page.locator("#timeline .vis-item").first.wait_for()
    items = p.js("window.explorer.timeline.all()")
    start, end = p.js("window.explorer.timeline.window()")
    assert start <= min(it["start"] for it in items) and end >= max(it.get("end") or it["start"] for it in items)
    assert end - start < 3 * (max(it.get("end") or it["start"] for it in items) - min(it["start"] for it in items))
    # Inferred relations drawn apart (light, dashed), stated ones dark.
    inferred = {f"e:{e}" for e in edge_ids if basis(facts_graph, e) == "inferred"} & want
    assert {it["id"] for it in items if "tl-inferred" in it["className"]} == inferred
    assert inferred, "the seed view has relations dated only by their reports"
    assert page.locator(".vis-item.tl-inferred").first.evaluate("e => getComputedStyle(e).borderStyle") == "dashed"
    page.screenshot(path=str(tmp_path / "explorer-timeline.png"))

    # Choosing an item picks the relation in the graph, the panel and the map.
    stated = sorted(i for i in want - inferred if i.startswith("e:") and i.endswith("|badr-hospital"))
    item = stated[0] if stated else sorted(i for i in want if i.startswith("e:"))[0]
    p.js("id => window.explorer.timeline.click(id)", item)
    p.wait("id => document.querySelector('#details').dataset.edge === id", item[2:])
    assert p.js("window.explorer.network.getSelectedEdges()") == [item[2:]]
    target = item[2:].split("|")[2]
    if target in located:
        assert target in p.js("window.explorer.map.selected()")

    # Choosing on the graph picks on the timeline and the map.
    p.js("window.explorer.show('graph')")
    p.js("window.explorer.network.selectNodes(['fog-47'])")
    p.js("window.explorer.network.body.emitter.emit('click', {nodes: ['fog-47'], edges: []})")
    p.wait("document.querySelector('#details').dataset.entity === 'fog-47'")
    fog = {i for i in want if i.startswith("e:") and "fog-47" in i.split(":", 1)[1].split("|")} | ({"n:fog-47"} & want)
    selected = set(p.js("window.explorer.timeline.selected()"))
    assert selected and selected <= fog
    places = {e.split("|")[2] for e in edge_ids if e.startswith("fog-47|OCCUPIES|")} & set(located)
    assert places and places <= set(p.js("window.explorer.map.selected()"))

    local_only(p, server)
    assert p.errors == []
    p.close()


def test_hostile_names_show_as_text(browser, server, facts_graph, tmp_path):
    p = Page(browser, server.url)
    page = p.page
    p.js("window.explorer.choose('geo-hostile-town')")
    p.wait("window.explorer.nodes.get('geo-hostile-base')")
    p.idle()
    p.js("window.explorer.expand('geo-hostile-base')")
    p.wait("window.explorer.edges.get('geo-hostile-group|OCCUPIES|geo-hostile-base')")
    p.idle()
    node_ids, edge_ids = p.on_screen()

    p.js("window.explorer.show('map')")
    p.wait("window.explorer.map.ready")
    assert sorted(p.js("window.explorer.map.markers()")) == sorted(locate(facts_graph, node_ids))
    p.js("window.explorer.map.openPopup('geo-hostile-base')")
    p.wait(
        "id => (document.querySelector('.leaflet-popup .map-popup h3') || {}).textContent === id",
        facts_graph.nodes["geo-hostile-base"]["name"],
    )
    popup = page.locator(".leaflet-popup .map-popup")
    text = popup.text_content()
    assert facts_graph.nodes["geo-hostile-base"]["name"] in text
    assert facts_graph.nodes["geo-hostile-group"]["name"] in text
    assert "<img src=x onerror=\"window.__pwned = 'quote'\"> holds the base" in text
    assert "Geo Press" in text and "<img" in text
    assert facts_graph.nodes["geo-hostile-town"]["name"] in popup.locator(".where").text_content()
    assert popup.locator("img, b, svg, script").count() == 0
    page.screenshot(path=str(tmp_path / "explorer-map-hostile.png"))

    p.js("window.explorer.show('timeline')")
    p.wait("window.explorer.timeline.shown().length > 0")
    assert set(p.js("window.explorer.timeline.shown()")) == expected_items(facts_graph, node_ids, edge_ids)
    labels = page.locator("#timeline .tl-item").all_text_contents()
    assert any(facts_graph.nodes["geo-hostile-event"]["name"] in t for t in labels)
    assert any(facts_graph.nodes["geo-hostile-group"]["name"] in t for t in labels)
    assert page.locator("#timeline img, #timeline svg, #timeline b").count() == 0
    page.screenshot(path=str(tmp_path / "explorer-timeline-hostile.png"))

    # A marker's title and the timeline's tooltips are text too; nothing ran.
    page.locator("#timeline .vis-item").first.hover(force=True)
    page.wait_for_timeout(200)
    assert p.js("window.__pwned === undefined")
    local_only(p, server)
    assert p.errors == []
    p.close()


def test_geo_answers_only_located(loaded, server):
    """POST /api/geo on its own: the located among the ids asked, with inheritance and placements."""
    body = {
        "nodes": ["geo-hostile-base", "geo-hostile-group", "geo-hostile-event", "no-such-entity"],
        "edges": ["geo-hostile-group|OCCUPIES|geo-hostile-base"],
    }
    res = httpx.post(server.url + "api/geo", json=body, timeout=30)
    assert res.status_code == 200, res.text
    out = res.json()
    assert [r["id"] for r in out["located"]] == ["geo-hostile-base"]
    base = out["located"][0]
    assert (base["lat"], base["lon"], base["precision"], base["inherited_from"]) == (
        35.1,
        40.2,
        "town",
        "geo-hostile-town",
    )
    assert base["radius_m"] > 0
    [placed] = base["placed"]
    assert (placed["actor"], placed["relation"], placed["valid_from"]) == ("geo-hostile-group", "OCCUPIES", "2021-06")
    assert placed["evidence"][0]["quote"].endswith("holds the base")


def test_map_and_timeline_code_sets_no_markup():
    """The map and timeline code of both pages puts text on screen as text only."""
    import re

    for path in (
        ROOT / "viz" / "assets" / "geo_common.js",
        ROOT / "viz" / "assets" / "map.js",
        ROOT / "viz" / "assets" / "timeline.js",
        ROOT / "viz" / "explorer" / "static" / "map.js",
        ROOT / "viz" / "explorer" / "static" / "timeline.js",
    ):
        js = path.read_text(encoding="utf-8")
        assert not re.search(r"innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(|new Function", js), path
