"""The snapshot's map and timeline in a real headless Chromium, offline (file://, no request allowed out).

On the seed data: the map draws one marker (or cluster member) per located entity (graph.geo.locate),
the timeline one item per dated entity and per relation with a window (graph.asof), the page asks the
network for nothing, and choosing on any of graph, map and timeline chooses on the other two. The
as-of slider's play button steps through the days, and the map and the timeline follow the same
rule as the graph. On the geo fixture, hostile names, aliases and quotes show as text in popups and
timeline items and run nothing.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright
from typer.testing import CliRunner

from graph.asof import entity_window, fact_window
from graph.build import build_graph
from graph.geo import locate
from kg.cli import app
from loaders import load_facts
from tests.browser import launch_chromium, wait_until
from tests.paths import DATA, ROOT

GEO = ROOT / "tests" / "fixtures" / "geo"
runner = CliRunner()
WATCH = """
window.__violations = [];
document.addEventListener('securitypolicyviolation', e => window.__violations.push(e.violatedDirective));
"""


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as p:
        b = launch_chromium(p)
        try:
            yield b
        finally:
            b.close()


class Page:
    def __init__(self, browser, html: Path):
        self.context = browser.new_context(viewport={"width": 1366, "height": 768})
        self.page = self.context.new_page()
        self.url = html.resolve().as_uri()
        self.requests: list[str] = []
        self.errors: list[str] = []
        # Anything but the file itself is refused here as well as by the page's CSP: a request that
        # was even tried is recorded.
        self.page.route("**/*", lambda route: route.continue_() if route.request.url == self.url else route.abort())
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("console", lambda m: m.type in ("error", "warning") and self.errors.append(m.text))
        self.page.add_init_script(WATCH)
        self.page.goto(self.url)
        self.wait("window.actorgraph && window.actorgraph.firstFrame", 30)

    def js(self, expr: str, arg=None):
        return self.page.evaluate(expr, arg)

    def wait(self, expr: str, timeout: float = 10.0):
        return wait_until(self.page, expr, timeout)

    def open(self, view: str):
        self.page.click(f"#view-tabs [data-view={view}]")
        if view != "graph":
            self.wait(f"window.actorgraph.{view}.ready")

    def assert_clean(self):
        assert [u for u in self.requests if u != self.url and not u.startswith("data:")] == []
        assert self.errors == []
        assert self.js("window.__violations") == []
        assert self.js("typeof window.__pwned") == "undefined"


def snapshot(dataset: Path, out: Path) -> Path:
    r = runner.invoke(app, ["viz", str(dataset), "--out", str(out)])
    assert r.exit_code == 0, r.output
    return out


@pytest.fixture(scope="module")
def seed(browser, tmp_path_factory):
    html = snapshot(DATA, tmp_path_factory.mktemp("seed") / "seed.html")
    p = Page(browser, html)
    yield p
    p.context.close()


def index_of(page: Page, node_id: str) -> int:
    return page.js("id => window.actorgraph.data.nodes.findIndex(n => n.id === id)", node_id)


def test_one_marker_per_located_entity(seed):
    G = build_graph(load_facts([DATA]))
    located = locate(G)
    assert len(located) >= 9
    seed.open("map")
    shown = seed.js("window.actorgraph.map.markers().map(i => window.actorgraph.data.nodes[i].id)")
    assert sorted(shown) == sorted(located)
    # Clustered or not, each is one marker in Leaflet's cluster layer.
    assert seed.js("window.actorgraph.map.clustered()") == len(located)
    seed.assert_clean()


def test_one_timeline_item_per_dated_entity_and_relation(seed):
    G = build_graph(load_facts([DATA]))
    dated_entities = [n for n, d in G.nodes(data=True) if entity_window(d) != (None, None)]
    dated_edges = [e for *e, d in G.edges(keys=True, data=True) if fact_window(d)[0] != (None, None)]
    seed.open("timeline")
    shown = seed.js("window.actorgraph.timeline.shown()")
    assert len([i for i in shown if i[0] == "n"]) == len(dated_entities)
    assert len([i for i in shown if i[0] == "e"]) == len(dated_edges)
    assert seed.js("document.querySelectorAll('#timeline .vis-item').length") > 0
    # It opens on the data's span (vis-timeline's own default is today).
    assert seed.js("""() => { const w = window.actorgraph.timeline.vis().getWindow(), d = window.actorgraph.data.days;
        return w.start.valueOf() <= Date.parse(d[0]) && w.end.valueOf() >= Date.parse(d[d.length - 1])
          && w.end - w.start < 1.2 * (Date.parse(d[d.length - 1]) - Date.parse(d[0])) + 864e5 * 60; }""")
    seed.assert_clean()


def test_choosing_on_the_map_chooses_in_the_graph_and_the_timeline(seed):
    town = index_of(seed, "al-bukamal")
    seed.open("map")
    seed.js("i => window.actorgraph.map.click(i)", town)
    assert seed.js("window.actorgraph.network.getSelectedNodes()") == [town]
    assert seed.js("document.querySelector('#details h3').textContent") == "Al-Bukamal"
    assert town in seed.js("window.actorgraph.map.selected()")
    # The town has no date of its own: the timeline selects its relations.
    selected = seed.js("window.actorgraph.timeline.selected()")
    edges = seed.js(
        "i => window.actorgraph.data.edges.map((e, j) => e.from === i || e.to === i ? 'e' + j : null)", town
    )
    assert selected and set(selected) <= set(e for e in edges if e)
    # The map zooms in to the marker (out of its cluster) and opens its popup: the actors placed there.
    seed.wait("document.querySelector('.leaflet-popup-content h3')", 5)
    assert seed.js("document.querySelector('.leaflet-popup-content h3').textContent") == "Al-Bukamal"
    assert seed.js("document.querySelectorAll('.leaflet-popup-content ul.placed li').length") > 0
    seed.assert_clean()


def test_choosing_in_the_graph_chooses_on_the_map_and_the_timeline(seed):
    town = index_of(seed, "deir-ez-zor")
    seed.open("graph")
    # What a click on a node in the graph does (snapshot.js's click handler).
    seed.js("i => { window.actorgraph.network.selectNodes([i]); window.actorgraph.showNode(i, false); }", town)
    assert seed.js("window.actorgraph.map.selected()") == [town]
    assert seed.js("window.actorgraph.timeline.selected()")
    # An actor: the map highlights the places the graph puts it.
    actor = index_of(seed, "iranian-backed-militias")
    seed.js("i => window.actorgraph.showNode(i, false)", actor)
    places = seed.js("window.actorgraph.map.selected().map(i => window.actorgraph.data.nodes[i].id)")
    assert "al-bukamal" in places


def test_choosing_on_the_timeline_chooses_in_the_graph_and_on_the_map(seed):
    seed.open("timeline")
    j = seed.js("""() => { const d = window.actorgraph.data;
        return d.edges.findIndex(e => d.relations[e.type] === 'OCCUPIES' && d.nodes[e.to].id === 'badr-hospital'); }""")
    assert j >= 0
    seed.js("id => window.actorgraph.timeline.click(id)", f"e{j}")
    assert seed.js("window.actorgraph.network.getSelectedEdges()") == [j]
    assert "OCCUPIES" in seed.js("document.querySelector('#details h3').textContent")
    assert seed.js("window.actorgraph.map.selected().map(i => window.actorgraph.data.nodes[i].id)") == ["badr-hospital"]
    event = index_of(seed, seed.js("window.actorgraph.data.nodes.find(n => n.more && n.more.date).id"))
    seed.js("id => window.actorgraph.timeline.click(id)", f"n{event}")
    assert seed.js("window.actorgraph.network.getSelectedNodes()") == [event]
    seed.assert_clean()


def test_play_steps_through_the_days_and_every_view_follows(seed):
    days = seed.js("window.actorgraph.data.days")
    seed.open("timeline")
    seed.page.click("#asof-play")
    seed.wait("window.actorgraph.asOf() !== null")
    assert seed.js("window.actorgraph.asOf()") == days[0]
    seed.wait(f"window.actorgraph.asOf() === {days[1]!r}", 5)
    seed.page.click("#asof-play")  # pause
    assert not seed.js("window.actorgraph.play.playing()")
    # Any day: the three views show the same relations, by the same rule.
    day = days[len(days) // 2]
    seed.js("d => window.actorgraph.setAsOf(d)", day)
    shown_edges = seed.js("window.actorgraph.shownEdges()")
    on_timeline = seed.js("window.actorgraph.timeline.shown().filter(i => i[0] === 'e').map(i => Number(i.slice(1)))")
    with_window = set(seed.js("window.actorgraph.data.edges.map((e, j) => e.first || e.last ? j : -1)")) - {-1}
    assert sorted(on_timeline) == sorted(set(shown_edges) & with_window)
    hidden = seed.js("Array.from(window.actorgraph.nodeHidden)")
    assert all(not hidden[i] for i in seed.js("window.actorgraph.map.markers()"))
    assert seed.js("document.querySelector('.vis-custom-time.asof') !== null")
    seed.js("window.actorgraph.setAsOf(null)")
    seed.assert_clean()


def test_hostile_names_show_as_text_on_the_map_and_the_timeline(browser, tmp_path):
    p = Page(browser, snapshot(GEO, tmp_path / "geo.html"))
    try:
        town = index_of(p, "river-town")
        p.open("map")
        p.js("i => window.actorgraph.map.click(i)", town)
        p.wait("document.querySelector('.leaflet-popup-content h3')")
        popup = p.js("document.querySelector('.leaflet-popup-content').textContent")
        assert "<img src=x onerror=window.__pwned=1>" in popup
        assert "</script><script>window.__pwned=2</script>" in popup  # an alias
        assert "<svg onload=window.__pwned=3> Brigade" in popup  # the actor placed there
        depot = index_of(p, "depot")
        p.js("i => window.actorgraph.map.click(i)", depot)
        p.wait("document.querySelector('.leaflet-popup-content h3').textContent === 'Depot'")
        popup = p.js("document.querySelector('.leaflet-popup-content').textContent")
        assert "the brigade holds the depot <img src=x onerror=window.__pwned=5>" in popup
        assert "inherited" in popup
        p.open("timeline")
        texts = p.js("Array.from(document.querySelectorAll('#timeline .vis-item')).map(e => e.textContent)")
        assert any("Raid <iframe src=javascript:alert(1)>" in t for t in texts)
        assert (
            p.js("document.querySelectorAll('img, iframe, svg:not(.leaflet-zoom-animated), object, embed').length") == 0
        )
        p.assert_clean()
    finally:
        p.context.close()


def test_a_big_timeline_shows_events_and_the_relations_of_the_choice(browser, tmp_path):
    import sys

    sys.path.insert(0, str(ROOT / "bench"))
    from generate import generate

    data = tmp_path / "big"
    generate(600, 3200, data, seed=1)
    p = Page(browser, snapshot(data, tmp_path / "big.html"))
    try:
        assert p.js("window.actorgraph.timeline.items") > 3000
        p.open("timeline")
        shown = p.js("window.actorgraph.timeline.shown()")
        assert shown and all(i[0] == "n" for i in shown)  # events and campaigns only
        assert "choose an entity or a relation" in p.js("document.querySelector('.timeline-note').textContent")
        hub = p.js("""() => { const d = window.actorgraph.data, deg = d.nodes.map(() => 0);
            d.edges.forEach(e => { deg[e.from]++; deg[e.to]++; });
            return deg.indexOf(Math.max(...deg)); }""")
        p.js("i => window.actorgraph.showNode(i, false)", hub)
        edges = p.js(
            "i => window.actorgraph.data.edges.map((e, j) => e.from === i || e.to === i ? 'e' + j : null)", hub
        )
        theirs = {e for e in edges if e}
        relation_items = {i for i in p.js("window.actorgraph.timeline.shown()") if i[0] == "e"}
        assert relation_items and relation_items <= theirs
        p.assert_clean()
    finally:
        p.context.close()
