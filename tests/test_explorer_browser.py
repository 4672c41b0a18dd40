"""The explorer in a real headless Chromium, served by a real uvicorn, reading a real Neo4j.

The story an analyst follows: type "Bukamal", pick the city, choose Badr Hospital,
see Fog 47 using it as headquarters, read that relation's evidence, expand a node,
go back in time, step Back and Forward through the views, run a named query, export,
reopen the link. And a dataset whose names are markup: shown as text, nothing run.

Screenshots go to pytest's tmp_path; `python3 bench/screenshot.py` refreshes docs/*.png.
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import sync_playwright

from graph.build import build_graph
from graph.facts import edge_id
from graph.schema import REGISTRY
from loaders import load_facts
from tests.asof_cases import ASOF, CASES, edges_on
from tests.browser import CHROMIUM, CHROMIUM_ARGS
from tests.explorer_support import EXPLORER_DATA, EXPLORER_DOCS, HOSTILE, ServerThread, counts, reload
from tests.paths import ROOT
from viz.explorer.app import create_app
from viz.explorer.config import ExplorerConfig
from viz.readability import readability
from viz.snapshot import snapshot_data

PROVENANCE = ROOT / "tests" / "fixtures" / "provenance"


@pytest.fixture(scope="module")
def loaded(neo4j_server):
    reload(neo4j_server, {"seed": EXPLORER_DATA, "hostile": HOSTILE, "asof": ASOF, "provenance": PROVENANCE})
    return neo4j_server


@pytest.fixture(scope="module")
def server(loaded):
    # Reads get time to spare: the story checks what the page shows, not how fast a shared machine answers.
    config = ExplorerConfig(settings=loaded, documents=EXPLORER_DOCS, query_timeout=5.0, request_timeout=30.0)
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
    """A page of the explorer, with waits that poll (the page's CSP forbids eval, so
    Playwright's wait_for_function cannot run there) and its console errors collected."""

    def __init__(self, browser, url: str, downloads: bool = False):
        self.context = browser.new_context(viewport={"width": 1400, "height": 860}, accept_downloads=downloads)
        self.page = self.context.new_page()
        self.errors: list[str] = []
        # Script errors and CSP violations; refused requests (4xx the test provokes) are expected.
        self.page.on(
            "console",
            lambda m: (
                m.type == "error" and not m.text.startswith("Failed to load resource") and self.errors.append(m.text)
            ),
        )
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.goto(url)
        self.wait("window.explorer && window.explorer.ready")

    def js(self, expression: str, arg=None):
        return self.page.evaluate(expression, arg)

    def wait(self, expression: str, arg=None, timeout: float = 30.0):
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
        self.page.wait_for_timeout(100)
        self.wait("window.explorer.idle()")

    def node_ids(self) -> set[str]:
        return set(self.js("window.explorer.nodes.getIds()"))

    def edge_ids(self) -> set[str]:
        return set(self.js("window.explorer.edges.getIds()"))

    def click_node(self, node_id: str, double: bool = False):
        self.js("id => window.explorer.focus(id, 1.6)", node_id)
        self.page.wait_for_timeout(100)
        pos = self.js("id => window.explorer.domPosition(id)", node_id)
        if double:
            self.page.mouse.dblclick(pos["x"], pos["y"])
        else:
            self.page.mouse.click(pos["x"], pos["y"])

    def close(self):
        self.context.close()


def test_analyst_story(browser, server, loaded, tmp_path):
    before = counts(loaded)
    p = Page(browser, server.url, downloads=True)
    page = p.page

    # Suggestions as one types, with the type beside each.
    page.click("#search")
    page.keyboard.type("Bukamal", delay=60)
    page.wait_for_selector("#suggestions li[role=option]")
    first = page.locator("#suggestions li[role=option]").first
    assert first.locator(".name").text_content() == "Al-Bukamal"
    assert "Place" in first.locator(".type").text_content()
    assert "Bukamal" in first.locator(".alias").text_content()
    page.click("#suggestions li[data-id='al-bukamal']")
    p.wait("window.explorer.nodes.get('badr-hospital')")
    p.idle()
    assert page.text_content("#details h2") == "Al-Bukamal"

    # Choose Badr Hospital on the canvas; expand it: the group that uses it as headquarters appears.
    p.click_node("badr-hospital")
    p.wait("document.querySelector('#details').dataset.entity === 'badr-hospital'")
    assert page.text_content("#details h2") == "Badr Hospital"
    page.click("#btn-expand")
    p.wait("window.explorer.edges.get('fog-47|OCCUPIES|badr-hospital')")
    p.idle()
    link = page.locator("[data-edge='fog-47|OCCUPIES|badr-hospital']")
    link.wait_for()
    assert link.text_content() == "OCCUPIES ← Fog 47 (headquarters)"

    # That relation's evidence: source, grades, quote and the document around it.
    link.click()
    p.wait("document.querySelector('#details').dataset.edge === 'fog-47|OCCUPIES|badr-hospital'")
    details = page.locator("#details")
    assert details.locator(".relation-line").text_content() == "Fog 47 —OCCUPIES→ Badr Hospital"
    ev = details.locator(".evidence").first
    assert "Who is the Mysterious" in ev.locator(".src-title").text_content()
    assert "Alma Research and Education Center" in ev.locator(".src-meta").text_content()
    assert "2022-01-03" in ev.locator(".src-meta").text_content()
    assert "reliability B" in ev.text_content() and "credibility 2" in ev.text_content()
    assert "headquarters of the “Fog 47” militia" in ev.locator("blockquote").text_content()
    assert "headquarters of the “Fog 47” militia" in ev.locator(".context mark").text_content()
    assert "Badr Hospital" in ev.locator(".context").text_content()
    # The grades' meanings come from the registry; the document's name is shown as written.
    assert f"reliability B ({REGISTRY.reliability.meanings['B']})" in ev.locator(".grades").text_content()
    document = ev.locator(".context-label .document")
    assert document.text_content().strip() == document.inner_text().strip()  # not upper-cased by CSS
    p.js("window.explorer.fit()")
    page.screenshot(path=str(tmp_path / "explorer-evidence.png"))

    # Double-click expands a node.
    assert "fog-47" not in p.js("window.explorer.state.exp")
    n_before = len(p.node_ids())
    p.click_node("fog-47", double=True)
    p.wait("window.explorer.state.exp.includes('fog-47')")
    p.idle()
    assert len(p.node_ids()) > n_before
    assert "exp=badr-hospital,fog-47" in page.url

    # Back steps to the view before that expansion, Forward to it again.
    expanded = p.node_ids()
    p.js("history.back()")
    p.wait("!window.explorer.state.exp.includes('fog-47')")
    p.idle()
    assert "fog-47" in p.node_ids() and p.node_ids() < expanded and "exp=badr-hospital," not in page.url
    p.js("history.forward()")
    p.wait("window.explorer.state.exp.includes('fog-47')")
    p.idle()
    assert p.node_ids() == expanded and "exp=badr-hospital,fog-47" in page.url

    # Pin and remove.
    p.click_node("fog-47")
    p.wait("document.querySelector('#details').dataset.entity === 'fog-47'")
    page.click("#btn-pin")
    assert p.js("window.explorer.nodes.get('fog-47').fixed") is True and "pin=fog-47" in page.url
    removable = next(n for n in sorted(p.node_ids()) if n not in ("al-bukamal", "badr-hospital", "fog-47"))
    p.click_node(removable)
    p.wait("id => document.querySelector('#details').dataset.entity === id", removable)
    page.click("#btn-remove")
    assert removable not in p.node_ids() and f"rm={removable}" in page.url

    # As of an earlier day: relations that started later leave the view (and the address).
    assert "iranian-backed-militias|CONTROLS|al-bukamal" in p.edge_ids()
    page.uncheck("#asof-any")
    page.focus("#asof")
    page.keyboard.press("Home")
    p.wait("location.hash.includes('asof=')")
    p.idle()
    p.wait("!window.explorer.edges.get('iranian-backed-militias|CONTROLS|al-bukamal')")
    first_day = page.text_content("#asof-label")
    assert f"asof={first_day}" in page.url and f"as of {first_day}" in page.text_content("#status")
    assert "al-bukamal" in p.node_ids()  # the chosen entity stays, with what holds on that day
    # Every entity on screen exists on that day and every relation holds on it, by the windows the API sends.
    assert p.js(
        """day => window.explorer.edges.get().every(e =>
        window.actorgraphCommon.holdsOn(e._data.valid_from_day, e._data.valid_to_day, day))""",
        first_day,
    )
    assert p.js(
        "day => window.explorer.nodes.get().every(n => window.actorgraphCommon.holdsOn(n._from, n._to, day))", first_day
    )
    assert "before their first report" in page.text_content("#asof-note")
    # The grade filters offer the registry's grades, with their meanings.
    options = p.js("[...document.querySelectorAll('#min-credibility option')].map(o => [o.value, o.textContent])")
    graded = [[str(g), f"{g} {m}"] for g, m in REGISTRY.credibility.meanings.items()]
    assert options == [["", "any (1-6)"]] + graded[:-1]
    assert page.text_content("label:has(#min-credibility)").strip().startswith("Credibility at least")

    # A named query from the menu: each item shows the CLI name and its question; the form its notes.
    page.click("#queries-button")
    page.wait_for_selector("#queries-menu button[data-query]")
    assert page.locator("#queries-menu button[data-query]").count() >= 5
    item = page.locator("#queries-menu button[data-query='occupants']")
    assert item.locator(".query-name").text_content() == "occupants"
    assert "occupies" in item.locator(".query-question").text_content().lower()
    page.screenshot(path=str(tmp_path / "explorer-queries-menu.png"))
    item.click()
    page.wait_for_selector("#query-form:not([hidden])")
    assert "occupies" in page.text_content("#drawer-title").lower()
    assert page.text_content("#query-command") == "kg query occupants"
    page.fill("#query-params input[name='site']", "Badr Hospital")
    page.click("#query-form button[type=submit]")
    page.wait_for_selector("#result table")
    assert "error" not in page.get_attribute("#result-message", "class")
    rows = page.locator("#result tbody tr")
    assert any("Fog 47" in t and "headquarters" in t for t in rows.all_text_contents())
    assert "[" not in page.text_content("#result tbody") and "{" not in page.text_content("#result tbody")
    # A wrong name is a readable message, not a trace.
    page.fill("#query-params input[name='site']", "Nowhere at all")
    page.click("#query-form button[type=submit]")
    p.wait("document.querySelector('#result-message').className.includes('error')")
    assert "no entity has the id, name or alias 'Nowhere at all'" in page.text_content("#result-message")

    # The console refuses to write, in a readable message.
    page.click("#console-button")
    page.fill("#console-text", "MATCH (n:Entity {id: 'fog-47'}) SET n.name = 'changed' RETURN n")
    page.click("#console-form button[type=submit]")
    p.wait("!document.querySelector('#result-message').hidden")
    assert "only reads" in page.text_content("#result-message")
    assert "error" in page.get_attribute("#result-message", "class")

    # Exports: the HTML snapshot and a PNG of the canvas.
    page.click("#export-button")
    with page.expect_download() as dl:
        page.click("#export-html")
    html = Path(dl.value.path()).read_text(encoding="utf-8")
    # The snapshot holds the entities and relations on screen (its data block, read by name).
    block = re.search(r'<script type="application/json" id="graph-data">(.*?)</script>', html, re.S).group(1)
    block = json.loads(block)
    exported = block["nodes"]
    assert {n["id"] for n in exported} == set(p.js("window.explorer.nodes.getIds({filter: n => n._entity})"))
    assert {
        edge_id(exported[e["from"]]["id"], block["relations"][e["type"]], exported[e["to"]]["id"])
        for e in block["edges"]
    } == {e for e in p.edge_ids() if e.count("|") == 2}
    page.click("#export-button")
    with page.expect_download() as dl:
        page.click("#export-png")
    assert Path(dl.value.path()).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

    # The address bar holds the view: a new tab opened on it shows the same thing.
    url, nodes, edges = page.url, p.node_ids(), p.edge_ids()
    assert not p.errors, p.errors
    p2 = Page(browser, url)
    p2.wait("window.explorer.nodes.length > 0")
    p2.idle()
    assert p2.node_ids() == nodes and p2.edge_ids() == edges
    assert not p2.page.is_checked("#asof-any")
    assert p2.js("window.explorer.state.pin") == ["fog-47"]
    assert p2.js("(({state, nodes}) => state.pin.every(id => !nodes.get(id) || nodes.get(id).fixed))(window.explorer)")
    assert not p2.errors, p2.errors
    p2.close()
    p.close()
    assert counts(loaded) == before


def test_hostile_names_are_text_and_nothing_runs(browser, server, tmp_path):
    p = Page(browser, server.url)
    page = p.page
    hostile_name = "<img src=x onerror=\"window.__pwned = 'name'\">"
    page.click("#search")
    page.keyboard.type("zzhostile", delay=30)
    page.wait_for_selector("#suggestions li[data-id='hostile-group']")
    assert page.text_content("#suggestions li[data-id='hostile-group'] .name") == hostile_name
    assert page.locator("#suggestions img, #suggestions script, #suggestions svg").count() == 0
    page.click("#suggestions li[data-id='hostile-group']")
    p.wait("document.querySelector('#details').dataset.entity === 'hostile-group'")
    p.idle()
    assert page.text_content("#details h2") == hostile_name
    assert "<script>window.__pwned = 'alias'</script>" in page.text_content("#details .names")
    assert "<iframe" in page.text_content("#details")
    # Its relation's evidence: a quote, a source title and publisher that are markup; a javascript: URL.
    page.click("[data-edge='hostile-group|OCCUPIES|hostile-site']")
    p.wait("document.querySelector('#details').dataset.edge === 'hostile-group|OCCUPIES|hostile-site'")
    ev = page.locator("#details .evidence")
    assert ev.locator("blockquote").text_content().startswith("<img src=x onerror=")
    assert ev.locator(".src-title").text_content() == "</title><script>window.__pwned = 'title'</script>"
    assert "<b onmouseover=" in ev.locator(".src-meta").text_content()
    assert page.locator("#details a").count() == 0  # a javascript: URL is not a link
    # Hover the node (its tooltip) and show the names in a query table too.
    p.js("window.explorer.focus('hostile-group', 1.5)")
    pos = p.js("window.explorer.domPosition('hostile-group')")
    page.mouse.move(pos["x"], pos["y"])
    page.wait_for_selector("div.vis-tooltip", state="visible")
    assert hostile_name in page.text_content("div.vis-tooltip")
    page.click("#console-button")
    page.fill(
        "#console-text", "MATCH (n:Entity) WHERE n.dataset = 'hostile' RETURN n.name AS name, n.aliases AS aliases"
    )
    page.click("#console-form button[type=submit]")
    page.wait_for_selector("#result table")
    assert hostile_name in page.text_content("#result table")
    # Lists, nodes and relationships in a console result read as text, not JSON.
    page.click("#console-button")
    page.fill(
        "#console-text",
        "MATCH (g:Entity {id: 'fog-47'})-[r:OCCUPIES]->(s:Entity {id: 'badr-hospital'}) "
        "RETURN g AS group, r AS relation, s AS site, [g.name, s.name] AS names, "
        "{use: r.use} AS detail",
    )
    page.click("#console-form button[type=submit]")
    page.wait_for_selector("#show-table")
    said = page.text_content("#result-message")
    assert "1 row, in" in said and "Drawn on the graph" in said
    page.click("#show-table")
    cells = page.locator("#result tbody tr").first.locator("td").all_text_contents()
    assert cells == [
        "Fog 47 (ArmedGroup)",
        "fog-47 —OCCUPIES→ badr-hospital",
        "Badr Hospital (Site)",
        "Fog 47; Badr Hospital",
        "use: headquarters",
    ]
    page.wait_for_timeout(500)
    page.screenshot(path=str(tmp_path / "explorer-hostile.png"))
    assert page.locator("body img, body iframe, body svg, #details script, #result script").count() == 0
    assert p.js("window.__pwned === undefined")
    p.close()


def test_token_travels_in_the_fragment(browser, loaded):
    """Served with a token: the page takes it from the address's fragment, sends it with every request
    and drops it from the address (a copied link does not carry it); without it, a readable message."""
    config = ExplorerConfig(host="127.0.0.2", token="fragment-token", settings=loaded)
    with ServerThread(create_app(config), host="127.0.0.2") as s:
        p = Page(browser, s.url + "#token=fragment-token&sel=badr-hospital")
        p.wait("window.explorer.nodes.get('fog-47')")
        assert "token" not in p.page.url and "sel=badr-hospital" in p.page.url
        p.close()
        p = Page(browser, s.url + "#sel=badr-hospital")
        p.wait("document.querySelector('#toast') && !document.querySelector('#toast').hidden")
        assert "access token" in p.page.text_content("#toast")
        assert p.js("window.explorer.nodes.length") == 0
        p.close()


def test_page_code_shows_text_as_text_and_declares_no_grades():
    """The explorer's scripts (and the helpers it shares with the snapshot) never parse data as markup,
    and hold no grade list or meaning of their own: the filter options come from /api/meta."""
    static = Path(__file__).resolve().parent.parent / "viz" / "explorer" / "static"
    files = sorted(static.glob("*.js")) + [static.parent.parent / "assets" / "common.js", static / "index.html"]
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(|new Function", text), path
        assert not re.search(r"A-F|1-6|\[A-[EF]\]|\[1-[56]\]|<option", text), path
        for scale in (REGISTRY.reliability, REGISTRY.credibility):
            for meaning in scale.meanings.values():
                assert not re.search(f"[\"'`>]{re.escape(meaning)}|{re.escape(meaning)}[\"'`<]", text), (path, meaning)


# --------------------------------------------------------------------------- time and attribution


def api(server, path: str, body: dict | None = None) -> dict:
    r = (
        httpx.post(server.url + path, json=body, timeout=30)
        if body is not None
        else httpx.get(server.url + path, timeout=30)
    )
    assert r.status_code == 200, r.text
    return r.json()


def test_asof_table_through_the_api(server):
    """The hand-checked table of the as-of rule (tests/asof_cases.py): a view of every entity of the
    fixture, as of each day, holds exactly the relations of that day."""
    ids = sorted(load_facts([ASOF]).entities)
    for day, _ in CASES:
        view = api(server, "api/view", {"roots": ids, "expanded": ids, "filters": {"as_of": day}, "limit": 2000})
        assert {e["id"] for e in view["edges"]} == edges_on(day), day
        # Each says where its window comes from.
        assert {e["time_basis"] for e in view["edges"] if e["source"] in ("alpha", "bravo", "chief")} <= {
            "stated",
            "inferred",
        }
    everything = api(server, "api/view", {"roots": ids, "expanded": ids, "limit": 2000})
    assert len(everything["edges"]) == 9


def test_meta_dates_cover_every_date_in_the_data(server):
    """The slider's days reach the December 2024 report and the 2017 events, and hold every report day
    (observations, publications, retrievals) and every stated boundary, marked as such."""
    m = api(server, "api/meta")
    dates, stated, reports = m["dates"], m["stated_dates"], m["report_dates"]
    assert dates == sorted(set(dates)) and set(stated) <= set(dates) and set(reports) <= set(dates)
    assert "2024-12-24" in reports and dates[0] <= "2017-01-01" and "2017-12-31" in stated
    for day in ("2019-01-01", "2023-06-10", "2017-01-01"):  # observed 2019; a source only retrieved; observed 2017
        assert day in reports
    seed = snapshot_data(build_graph(load_facts([EXPLORER_DATA])), title="t", generated="x")
    assert set(seed["report_days"]) <= set(reports) and set(seed["stated_days"]) <= set(dates)
    assert (
        m["horizon"]["description"] == "facts without stated dates held from 6m before their first report "
        "to 1y after their last"
    )


def test_seed_as_of_2019_shows_no_later_event(browser, server):
    """Chosen or reached, an event dated after the as-of day is not on the view."""
    facts = load_facts([EXPLORER_DATA])
    events = [eid for eid, e in facts.entities.items() if e.type == "Event"]
    places = [eid for eid, e in facts.entities.items() if e.type == "Place"]
    p = Page(browser, server.url + f"#sel={','.join(places[:6] + events)}&asof=2019-01-01")
    p.wait("window.explorer.nodes.length > 0")
    p.idle()
    on_screen = p.js("window.explorer.nodes.get().map(n => [n.id, n._type, n._from])")
    assert on_screen and all(not f or f <= "2019-01-01" for _, t, f in on_screen if t == "Event"), on_screen
    assert p.page.input_value("#asof-date") == "2019-01-01" and not p.page.is_checked("#asof-any")
    assert "as of 2019-01-01" in p.page.text_content("#status")
    # Marks under the slider: stated dates above, reports below, as /api/meta says.
    m = api(server, "api/meta")
    assert p.js("document.querySelectorAll('#asof-ticks .tick.stated').length") == len(m["stated_dates"])
    assert p.js("document.querySelectorAll('#asof-ticks .tick.report').length") == len(m["report_dates"])
    assert not p.errors, p.errors
    p.close()


def test_attribution_and_provenance_in_the_explorer(browser, server):
    """The evidence panel says who said it and when it was seen, with the number of originators; entity
    details mark each name reported or the curator's, as the snapshot does."""
    p = Page(browser, server.url + "#sel=zz-brigade&pick=e:zz-brigade|OCCUPIES|zz-depot")
    page = p.page
    p.wait("document.querySelector('#details').dataset.edge === 'zz-brigade|OCCUPIES|zz-depot'")
    details = page.inner_text("#details")
    assert "Levant, via ZZ Observatory for Human Rights" in details
    assert "North Press Agency, via ZZ Observatory for Human Rights" in details
    assert "2 sources, 1 originator: circular reporting?" in details
    assert "seen 2024-12-24 (when reported)" in details
    p.js("window.location.hash = 'sel=zz-brigade&pick=e:zz-brigade|OPERATES_IN|zz-town'")
    p.wait("document.querySelector('#details').dataset.edge === 'zz-brigade|OPERATES_IN|zz-town'")
    assert "SY24, according to local sources" in page.inner_text("#details")
    assert page.text_content("#details .src-seen.stated") == "seen 2019 (the evidence says when)"
    # Stated and inferred counted on screen; the legend draws both.
    assert "0 with stated dates, 2 inferred" in page.text_content("#status")
    assert page.text_content("#basis-count") == (
        "On screen: 2 facts: 0 with stated dates, 2 inferred from their reports."
    )
    assert page.inner_text("#lines").split("\n")[:2] == ["stated dates", "dates inferred from reports"]

    p.click_node("zz-brigade")
    p.wait("document.querySelector('#details').dataset.entity === 'zz-brigade'")
    marks = p.js("""[...document.querySelectorAll('#details ul.names li')].map(li =>
        [li.querySelector('.name').textContent, li.querySelector('.provenance').textContent])""")
    assert marks == [["ZZ Brigade", "curator\u2019s"], ["Liwa Zulu", "reported"], ["Zulu Battalion", "curator\u2019s"]]
    assert "seen 2017 (the evidence says when)" in page.inner_text("#details")
    p.click_node("zz-depot")
    p.wait("document.querySelector('#details').dataset.entity === 'zz-depot'")
    assert page.text_content("#details .inferred-note").startswith("Identification inferred by the curator: the report")
    assert not p.errors, p.errors
    p.close()


def test_both_pages_mark_the_same_names_reported(server):
    """viz.provenance, once: the API's reported names are the snapshot's, entity by entity."""
    for path in (EXPLORER_DATA, PROVENANCE):
        data = snapshot_data(build_graph(load_facts([path])), title="t", generated="x")
        for n in data["nodes"]:
            ent = api(server, f"api/entities/{n['id']}")
            assert ent["reported_names"] == n.get("rep", []), n["id"]
            assert ent["inferred"] == n.get("inferred")
            assert len(ent["evidence"]) == len(n.get("ev", []))


def test_explorer_view_is_readable_and_exports_keep_it(browser, server, tmp_path):
    """Issue 11 on the explorer: after searching Al-Bukamal and expanding two nodes, no two nodes' bounding
    boxes (shape plus drawn label, vis-network's own) overlap, labels drawn are 11 px or more, sizes vary;
    Export -> HTML keeps the arrangement and Export -> PNG is a briefing figure (title, legend, filters)."""
    p = Page(browser, server.url, downloads=True)
    page = p.page
    page.set_viewport_size({"width": 1366, "height": 768})
    p.js("window.explorer.choose('al-bukamal')")
    p.wait("window.explorer.nodes.get('badr-hospital')")
    p.idle()
    for node in ("badr-hospital", "iranian-backed-militias"):
        p.js("id => window.explorer.expand(id)", node)
        p.wait("id => window.explorer.state.exp.includes(id)", node)
        p.idle()
    p.js("window.explorer.fit()")
    page.wait_for_timeout(200)
    p.js("window.explorer.placeLabels()")
    r = readability(page, "explorer.network")
    assert r["nodes"] >= 20
    assert r["overlapping_pairs"] == 0, r["pairs"]
    assert r["labelled"] >= 10 and r["min_label_px"] >= 11
    assert r["node_sizes"] >= 3
    # The whole view draws the labels that fit, most important first; zoomed in on the chosen entity, it is named.
    p.js(
        "id => window.explorer.network.moveTo({position: window.explorer.network.getPosition(id), scale: 1})",
        "al-bukamal",
    )
    p.js("window.explorer.placeLabels()")
    assert "al-bukamal" in readability(page, "explorer.network")["labelled_ids"]
    p.js("window.explorer.fit()")
    p.js("window.explorer.placeLabels()")
    # Selected (or hovered), a label keeps its width: no bold wider than the room the label grid kept.
    width = "id => window.explorer.network.body.nodes[id].labelModule.size.width"
    before = p.js(width, "al-bukamal")
    p.js("window.explorer.network.selectNodes(['al-bukamal']); window.explorer.network.redraw()")
    assert p.js(width, "al-bukamal") == before
    assert readability(page, "explorer.network")["overlapping_pairs"] == 0
    p.js("window.explorer.network.unselectAll()")
    # A tooltip closes when the view changes under it.
    pos = p.js("id => window.explorer.domPosition(id)", "al-bukamal")
    page.mouse.move(pos["x"], pos["y"])
    page.wait_for_timeout(600)
    p.js("window.explorer.network.moveTo({scale: window.explorer.network.getScale() * 1.2})")
    p.js("window.explorer.network.emit('zoom', {})")
    assert p.js("[...document.querySelectorAll('#graph div.vis-tooltip')].every(t => t.style.visibility !== 'visible')")

    # Export -> HTML: the snapshot keeps the positions on screen and names the view.
    on_screen = p.js("window.explorer.network.getPositions(window.explorer.nodes.getIds({filter: n => n._entity}))")
    page.click("#export-button")
    with page.expect_download() as dl:
        page.click("#export-html")
    html = Path(dl.value.path()).read_text(encoding="utf-8")
    block = json.loads(
        re.search(r'<script type="application/json" id="graph-data">(.*?)</script>', html, re.S).group(1)
    )
    assert block["title"] == "Al-Bukamal: explorer view"
    for n in block["nodes"]:
        assert abs(n["x"] - on_screen[n["id"]]["x"]) < 0.2 and abs(n["y"] - on_screen[n["id"]]["y"]) < 0.2
    # Export -> PNG: the canvas under a title and above a legend, so it is taller than the canvas.
    canvas_h = p.js("document.querySelector('#graph canvas').height")
    page.click("#export-button")
    with page.expect_download() as dl:
        page.click("#export-png")
    png = Path(dl.value.path()).read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    height = int.from_bytes(png[20:24], "big")
    assert height > canvas_h + 60
    # Export -> SVG: the same figure as vector drawing; names are text nodes, nothing runs in it.
    page.click("#export-button")
    with page.expect_download() as dl:
        page.click("#export-svg")
    svg = Path(dl.value.path()).read_text(encoding="utf-8")
    assert svg.startswith("<svg") and "<script" not in svg and "Al-Bukamal: explorer view" in svg
    assert svg.count("<line") >= 20 and svg.count("<circle") == r["nodes"] and ">Al-Bukamal<" in svg
    assert not p.errors, p.errors
    p.close()


def test_expanding_never_moves_what_the_analyst_arranged(browser, server):
    """Issue 11 part 5: new nodes are placed by the server's layout engine (POST /api/place) around what
    is on screen; a node the analyst dragged, and every other node already there, stays exactly where it is
    when a neighbour is expanded, and the new nodes overlap nothing."""
    p = Page(browser, server.url)
    page = p.page
    page.set_viewport_size({"width": 1366, "height": 768})
    p.js("window.explorer.choose('al-bukamal')")
    p.wait("window.explorer.nodes.get('badr-hospital')")
    p.idle()
    p.js("window.explorer.fit()")
    page.wait_for_timeout(150)
    # The analyst drags Badr Hospital aside, with the mouse.
    was = p.js("id => window.explorer.network.getPosition(id)", "badr-hospital")
    at = p.js("id => window.explorer.domPosition(id)", "badr-hospital")
    page.mouse.move(at["x"], at["y"])
    page.mouse.down()
    page.mouse.move(at["x"] + 90, at["y"] + 60, steps=10)
    page.mouse.up()
    p.idle()
    before = p.js("window.explorer.network.getPositions()")
    assert abs(before["badr-hospital"]["x"] - was["x"]) > 20, "the drag did not move the node"
    for node in ("badr-hospital", "iranian-backed-militias"):
        p.js("id => window.explorer.expand(id)", node)
        p.wait("id => window.explorer.state.exp.includes(id)", node)
        p.idle()
    after = p.js("window.explorer.network.getPositions()")
    assert set(after) > set(before)
    moved = {n: (before[n], after[n]) for n in before if before[n] != after[n]}
    assert not moved, moved
    report = p.js("window.explorer.placement()")
    assert report["server"] >= 3 and report["physics"] == 0, report
    p.js("window.explorer.fit()")
    page.wait_for_timeout(200)
    p.js("window.explorer.placeLabels()")
    r = readability(page, "explorer.network")
    new = set(after) - set(before)
    # the analyst may drop a node on another; the new ones overlap nothing
    assert not [pair for pair in r["pairs"] if new & set(pair)], r["pairs"]
    assert not p.errors, p.errors
    p.close()


def test_clear_drops_a_placement_still_on_its_way(browser, server):
    """The analyst clears the view while the server is still placing the nodes of a choice: the answer,
    when it comes, adds nothing to the cleared view."""
    p = Page(browser, server.url)
    held = []
    p.page.route("**/api/place", lambda route: held.append(route))  # waits here until the test lets it go
    p.js("() => { window.explorer.choose('al-bukamal'); }")  # not awaited: its placement is held
    deadline = time.monotonic() + 30
    while not held:
        assert time.monotonic() < deadline, "no placement was asked for"
        p.page.wait_for_timeout(50)
    p.page.click("#clear-button")
    assert p.node_ids() == set()
    held[0].continue_()
    p.page.unroute("**/api/place")
    p.idle()
    assert p.node_ids() == set() and p.js("window.explorer.state.sel") == []
    p.js("window.explorer.choose('fog-47')")  # the view still works after it
    p.wait("window.explorer.nodes.get('fog-47')")
    assert not p.errors, p.errors
    p.close()


def test_a_short_edge_hides_its_label_until_chosen(browser, server):
    """An edge whose nodes sit too close for its label draws none (the label would be squeezed between the
    two shapes) until it is hovered or selected; moved apart, it shows again."""
    p = Page(browser, server.url)
    p.js("window.explorer.choose('fog-47')")
    p.wait("window.explorer.nodes.get('badr-hospital')")
    p.idle()
    eid = "fog-47|OCCUPIES|badr-hospital"
    shown = "id => window.explorer.edges.get(id).font.color !== 'rgba(0,0,0,0)'"
    p.js("window.explorer.network.unselectAll()")  # choosing selected Fog 47, and so its edges
    p.js("window.explorer.network.emit('select', {})")
    fog = p.js("id => window.explorer.network.getPosition(id)", "fog-47")
    p.js("([id, x, y]) => window.explorer.network.moveNode(id, x, y)", ["badr-hospital", fog["x"] + 40, fog["y"]])
    p.js("window.explorer.network.emit('dragEnd', {nodes: []})")
    p.wait(f"id => !({shown})(id)", eid)
    p.js("id => window.explorer.network.selectEdges([id])", eid)
    p.js("window.explorer.network.emit('select', {})")
    p.wait(shown, eid)
    p.js("window.explorer.network.unselectAll()")
    p.js("window.explorer.network.emit('select', {})")
    p.wait(f"id => !({shown})(id)", eid)
    p.js("([id, x, y]) => window.explorer.network.moveNode(id, x, y)", ["badr-hospital", fog["x"] + 400, fog["y"]])
    p.js("window.explorer.network.emit('dragEnd', {nodes: []})")
    p.wait(shown, eid)
    assert not p.errors, p.errors
    p.close()
