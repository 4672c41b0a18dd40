"""`kg viz` snapshots in a real headless Chromium, opened from file:// like an analyst would.

For any dataset (:func:`check_snapshot`): every entity and relation is drawn, the page asks
the network for nothing, no Content-Security-Policy violation, no error, and every entity's
name shows as text. On the hostile fixture, markup and script in names and quotes show
literally and nothing runs. On the Florentine fixture: search, filters, a real click on a
node and on an edge, a hover tooltip. A graph big enough for the page's big-graph mode
draws with physics off and edge labels only once zoomed in.

Chromium is the system one (/usr/bin/chromium); if it or Playwright is missing these
tests fail, they never skip.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright
from typer.testing import CliRunner

from graph.build import build_graph
from graph.facts import edge_id
from graph.schema import REGISTRY
from graph.views import filter_graph
from kg.cli import app
from loaders import load_facts
from tests.asof_cases import ASOF, CASES, edges_on
from tests.browser import launch_chromium, wait_until
from tests.paths import DATA, FLORENTINE, ROOT
from viz.readability import readability
from viz.snapshot import SCRIPTS

HOSTILE = ROOT / "tests" / "fixtures" / "hostile"
PROVENANCE = ROOT / "tests" / "fixtures" / "provenance"
IMG = "<img src=x onerror=alert(1)>"
SCRIPT = "</script><script>window.__pwned=1</script>"
runner = CliRunner()

# Datasets every snapshot check runs on: the fixtures and the seed dataset.
DATASETS = [FLORENTINE, HOSTILE, DATA]

WATCH = """
window.__violations = [];
document.addEventListener('securitypolicyviolation',
  e => window.__violations.push(e.violatedDirective + ' ' + e.blockedURI));
"""


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as p:
        b = launch_chromium(p)
        try:
            yield b
        finally:
            b.close()


@dataclass
class Opened:
    page: object
    url: str
    requests: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def js(self, expr: str, arg=None):
        return self.page.evaluate(expr, arg)

    def wait(self, expr: str, timeout: float = 10.0):
        """Poll ``expr`` until truthy (wait_for_function would need eval, which the page's CSP forbids)."""
        return wait_until(self.page, expr, timeout)

    def assert_clean(self):
        """No request but the file itself (and data: URLs), no dialog, no error, no CSP violation."""
        assert all(u == self.url or u.startswith("data:") for u in self.requests), self.requests
        assert self.url in self.requests
        assert self.dialogs == [] and self.errors == []
        assert self.js("window.__violations") == []
        assert self.js("typeof window.__pwned") == "undefined"
        assert self.js("[...document.querySelectorAll('img, iframe, svg, object, embed')].length") == 0
        # The data and the world's outlines, then the inlined scripts (viz.snapshot.SCRIPTS).
        assert self.js("document.querySelectorAll('script').length") == 2 + len(SCRIPTS)

    def node_point(self, index: int) -> tuple[float, float]:
        """Page coordinates of a node's centre."""
        return tuple(
            self.js(
                """i => {
            const n = window.actorgraph.network, p = n.canvasToDOM(n.getPositions([i])[i]);
            const r = document.getElementById('network').getBoundingClientRect();
            return [r.left + p.x, r.top + p.y]; }""",
                index,
            )
        )


def open_snapshot(browser, html: Path, viewport=(1400, 860)) -> Opened:
    context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]})
    page = context.new_page()
    o = Opened(page, html.resolve().as_uri())
    page.on("request", lambda r: o.requests.append(r.url))
    page.on("dialog", lambda d: (o.dialogs.append(d.message), d.dismiss()))
    page.on("pageerror", lambda e: o.errors.append(str(e)))
    page.on("console", lambda m: m.type in ("error", "warning") and o.errors.append(m.text))
    page.add_init_script(WATCH)
    page.goto(o.url)
    o.wait("window.actorgraph && window.actorgraph.firstFrame", 30)
    return o


def write(dataset: Path, out: Path, *args: str) -> Path:
    r = runner.invoke(app, ["viz", str(dataset), "--out", str(out), *args])
    assert r.exit_code == 0, r.output
    return out


def check_snapshot(browser, dataset: Path, tmp_path: Path) -> Opened:
    """Snapshot ``dataset`` with `kg viz`, open it in Chromium, check what any snapshot must satisfy."""
    facts = load_facts([dataset])
    o = open_snapshot(browser, write(dataset, tmp_path / "snapshot.html"))
    counts = o.js("""() => { const a = window.actorgraph;
        return [a.nodes.length, Object.keys(a.network.body.nodes).length,
                a.edges.length, Object.keys(a.network.body.edges).length]; }""")
    assert counts == [len(facts.entities)] * 2 + [len(facts.edges)] * 2
    # Physics is off: nothing moves after the first frame.
    before = o.js("JSON.stringify(window.actorgraph.network.getPositions())")
    o.page.wait_for_timeout(300)
    assert o.js("JSON.stringify(window.actorgraph.network.getPositions())") == before
    # Every node fits in the drawing.
    inside = o.js("""() => { const n = window.actorgraph.network, r = document.getElementById('network');
        return Object.values(n.getPositions()).every(p => { const d = n.canvasToDOM(p);
          return d.x >= 0 && d.y >= 0 && d.x <= r.clientWidth && d.y <= r.clientHeight; }); }""")
    assert inside
    # Every name reaches the details panel as text, character for character.
    shown = o.js("""() => { const a = window.actorgraph;
        return a.data.nodes.map((n, i) => { a.showNode(i, false);
          return document.querySelector('#details h3').textContent; }); }""")
    assert sorted(shown) == sorted(e.name for e in facts.entities.values())
    heading = o.js("document.getElementById('summary').textContent")
    assert heading.startswith(f"{len(facts.entities):,} entit")
    o.assert_clean()
    return o


@pytest.mark.parametrize("dataset", DATASETS, ids=lambda p: p.name)
def test_snapshot_in_chromium(browser, dataset, tmp_path):
    check_snapshot(browser, dataset, tmp_path).page.context.close()


def test_hostile_text_shows_literally_and_runs_nothing(browser, tmp_path):
    title = "<img src=x onerror=alert(6)></title></script>"
    o = open_snapshot(browser, write(HOSTILE, tmp_path / "h.html", "--title", title))
    page = o.page
    assert page.title() == title
    assert o.js("document.getElementById('title').textContent") == title
    names = o.js("window.actorgraph.data.nodes.map(n => n.name)")
    person, group = names.index(IMG), names.index(SCRIPT)

    # A real click on the node: the details panel shows its name, aliases and attributes as text.
    page.mouse.click(*o.node_point(person))
    details = page.inner_text("#details")
    assert IMG in details and SCRIPT in details and "<svg onload=alert(3)>" in details
    assert "<!-- not a comment --> &amp; <svg onload=alert(2)>" in details
    assert o.js("document.querySelector('#details h3').textContent") == IMG

    # Hovering shows a tooltip: a DOM element with the name as text.
    page.mouse.move(0, 0)
    page.mouse.move(*o.node_point(group))
    page.wait_for_selector("div.vis-tooltip", state="visible", timeout=5000)
    assert page.inner_text("div.vis-tooltip").startswith(SCRIPT)

    # The relation's evidence: every quote and the source, as text.
    o.js("window.actorgraph.showEdge(window.actorgraph.data.edges.findIndex(e => e.ev.length === 2))")
    details = page.inner_text("#details")
    assert IMG in details and SCRIPT in details and '<b>Bold</b> & "quoted" </script> title' in details
    assert "javascript:alert(1)" in details  # a URL is shown, never a link
    assert page.query_selector_all("#details a") == []

    # Search by a hostile alias: the result list shows the name as text.
    page.fill("#search", "window.__pwned=1")
    page.press("#search", "Enter")
    o.wait("document.querySelectorAll('#results li button').length > 0")
    results = page.inner_text("#results")
    assert IMG in results and SCRIPT in results
    assert o.js("window.actorgraph.network.getSelectedNodes()") == sorted([person, group])
    page.wait_for_timeout(300)
    o.assert_clean()
    page.context.close()


def test_search_filters_click_and_tooltip(browser, tmp_path):
    o = open_snapshot(browser, write(FLORENTINE, tmp_path / "f.html"))
    page = o.page
    ids = o.js("window.actorgraph.data.nodes.map(n => n.id)")
    summary = lambda: page.inner_text("#summary")  # noqa: E731
    assert summary() == "11 entities and 13 relations."

    # Search ignores case and accents, and finds aliases in any script.
    for query in ("abu test", "ABU TÉST", "أبو تست", "abu-test"):
        page.fill("#search", query)
        page.press("#search", "Enter")
        o.wait("document.querySelectorAll('#results li').length > 0")
        assert page.inner_text("#results li button") == "Abu Tést", query
        assert o.js("window.actorgraph.network.getSelectedNodes()") == [ids.index("abu-test")]
        assert o.js("document.querySelector('#details h3').textContent") == "Abu Tést"
    page.fill("#search", "river")
    page.press("#search", "Enter")
    o.wait("document.querySelectorAll('#results li').length === 2")
    assert sorted(o.js("window.actorgraph.network.getSelectedNodes()")) == sorted(
        [ids.index("river-town"), ids.index("river-province")]
    )
    page.fill("#search", "nobody at all")
    page.press("#search", "Enter")
    assert page.inner_text("#results") == "No entity matches."

    # Entity-type checkboxes and grade selects hide what they filter out, as `kg viz` would.
    G = build_graph(load_facts([FLORENTINE]))
    not_people = [t for t in REGISTRY.entities if t != "Person"]

    def shown(**kw):
        H = filter_graph(G, **kw)
        hidden = {ids.index(n) for n in G if n not in H}
        assert set(o.js("window.actorgraph.nodes.get({filter: n => n.hidden}).map(n => n.id)")) == hidden
        return f"Showing {H.number_of_nodes()} of 11 entities and {H.number_of_edges()} of 13 relations."

    page.click("#legend label:has-text('Person')")
    assert summary() == "Showing 9 of 11 entities and 11 of 13 relations." == shown(entity_types=not_people)
    page.select_option("#credibility", "1")
    assert (
        summary()
        == "Showing 5 of 11 entities and 3 of 13 relations."
        == shown(entity_types=not_people, credibility_at_least=1)
    )
    page.click("#legend label:has-text('Person')")
    page.select_option("#credibility", "")
    page.select_option("#reliability", "C")
    # Four relations rest on wire-2022 (D) alone; Jane Spokes and the strike lose all theirs.
    assert summary() == "Showing 9 of 11 entities and 9 of 13 relations." == shown(reliability_at_least="C")
    page.select_option("#reliability", "")
    assert summary() == "11 entities and 13 relations."

    # As of a day: the relations whose window holds on it, as `kg viz --as-of` keeps them.
    days = o.js("window.actorgraph.data.days")
    assert days and page.is_disabled("#asof")
    page.uncheck("#asof-any")
    page.focus("#asof")
    page.keyboard.press("Home")
    assert page.text_content("#asof-label") == days[0]
    for i, day in enumerate(days):
        o.js(
            "i => { const s = document.getElementById('asof'); s.value = String(i); "
            "s.dispatchEvent(new Event('change')); }",
            i,
        )
        assert page.text_content("#asof-label") == day
        expected = shown(as_of=date.fromisoformat(day))
        everything = "Showing 11 of 11 entities and 13 of 13 relations."
        assert summary() == ("11 entities and 13 relations." if expected == everything else expected), day
    page.check("#asof-any")
    assert summary() == "11 entities and 13 relations." and page.text_content("#asof-label") == "any date"

    # A real click on a node, then on an edge, fills the details panel.
    page.mouse.click(*o.node_point(ids.index("brigade-9")))
    assert o.js("document.querySelector('#details h3').textContent") == "Brigade 9"
    assert "Liwa 9" in page.inner_text("#details") and "militia" in page.inner_text("#details")
    a, b = o.node_point(ids.index("brigade-9")), o.node_point(ids.index("old-hospital"))
    page.mouse.click((a[0] + b[0]) / 2, (a[1] + b[1]) / 2)
    details = page.inner_text("#details")
    assert "Brigade 9 → OCCUPIES → Old Hospital" in details
    assert "the Old Hospital serves as the headquarters of Brigade 9" in details
    assert "Brigade' 9 still uses the “Old Hospital” as its headquarters" in details
    assert "Wire story on militia movements" in details and "reliability D" in details

    # Hovering an edge shows its evidence in a tooltip.
    page.mouse.move(0, 0)
    page.mouse.move((a[0] + b[0]) / 2, (a[1] + b[1]) / 2)
    page.wait_for_selector("div.vis-tooltip", state="visible", timeout=5000)
    tip = page.inner_text("div.vis-tooltip")
    assert tip.startswith("Brigade 9 → OCCUPIES → Old Hospital") and "Field report on the eastern border" in tip
    # The page's tooltip style, not the vendored one (verdana, nowrap: a long quote ran off the screen).
    style = o.js("(s => [s.whiteSpace, s.fontFamily])(getComputedStyle(document.querySelector('div.vis-tooltip')))")
    assert style[0] == "normal" and "verdana" not in style[1].lower(), style
    o.assert_clean()
    page.context.close()


def test_big_graph_draws_at_once_with_labels_on_zoom(browser, tmp_path):
    sys.path.insert(0, str(ROOT / "bench"))
    from generate import generate

    generate(2000, 6000, tmp_path / "data", seed=5)
    o = open_snapshot(browser, write(tmp_path / "data", tmp_path / "big.html"))
    assert o.js("window.actorgraph.network.physics.physicsEnabled") is False
    assert o.js("window.actorgraph.nodes.length") == 2000
    # Zoomed out, no edge carries a label; zoomed in on a node, those in view do.
    assert o.js("window.actorgraph.edges.get({filter: e => e.label}).length") == 0
    o.js("""() => { const n = window.actorgraph.network;
        n.moveTo({position: n.getPositions([0])[0], scale: 1.5}); }""")
    o.wait("window.actorgraph.edges.get({filter: e => e.label}).length > 0", 5)
    assert o.js("window.actorgraph.edges.get({filter: e => e.label}).length") <= 3000
    o.assert_clean()
    o.page.context.close()


def test_grades_and_helpers_come_from_one_place(browser, tmp_path):
    """The grade selects are built from the registry's scales in the data block; the page's name keys
    fold text as graph.names.name_key does, and its as-of test agrees with graph.asof."""
    from graph.asof import holds_on, window, window_iso
    from graph.names import name_key

    o = open_snapshot(browser, write(FLORENTINE, tmp_path / "g.html", "--credibility-at-least", "3"))
    page = o.page
    assert page.text_content("label[for=credibility]") == "Credibility at least"
    assert page.text_content("label[for=reliability]") == "Reliability at least"
    credibility = [[str(g["grade"]), f"{g['grade']} {g['meaning']}"] for g in REGISTRY.credibility.as_dict()["grades"]]
    reliability = [[g["grade"], f"{g['grade']} {g['meaning']}"] for g in REGISTRY.reliability.as_dict()["grades"]]
    options = "sel => [...document.querySelectorAll(sel + ' option')].map(o => [o.value, o.textContent])"
    # Cut at credibility 3: nothing worse is offered; reliability was not cut: any, then A to E.
    assert o.js(options, "#credibility") == credibility[:3]
    assert o.js("document.getElementById('credibility').value") == "3"
    assert o.js(options, "#reliability") == [["", "any (A-F)"]] + reliability[:-1]
    lines = page.inner_text("#lines").split("\n")
    assert lines == ["stated dates", "dates inferred from reports", "credibility 1-3", "credibility 4-6"]

    texts = [
        "Fog’ 47",
        "FOG-47",
        "ABU TÉST",
        "أبو تست",
        "Straße",
        "ΣΊΣΥΦΟΣ",
        "ﬁve ½",
        "İstanbul",
        "x\u00a0y",
        "Ǆemal",
        "ＡＢＣ１２３",
        "Ⅻ",
        "¹²³",
        "naïve café",
        "Dž",
        "ſt",
        "ς",
    ]
    assert o.js("ts => ts.map(t => window.actorgraph.nameKey(t))", texts) == [name_key(t) for t in texts]
    windows = [("2021", None), ("2021-06", "2021"), (None, "2022-02"), (None, None), ("2020-02-29", "2020-02-29")]
    days = [
        "2020-02-28",
        "2020-02-29",
        "2021-01-01",
        "2021-05-31",
        "2021-06-01",
        "2021-12-31",
        "2022-01-01",
        "2022-02-28",
        "2022-03-01",
    ]
    expected = [[holds_on(window(f, t), date.fromisoformat(d)) for d in days] for f, t in windows]
    got = o.js(
        """([ws, days]) => ws.map(w => days.map(d => window.actorgraph.holdsOn(w[0], w[1], d)))""",
        [[list(window_iso(f, t)) for f, t in windows], days],
    )
    assert got == expected
    o.assert_clean()
    page.context.close()


def shown_edge_ids(o: Opened) -> set[str]:
    """The edge ids (graph.facts.edge_id) of the relations the page shows."""
    data = o.js("window.actorgraph.data")
    nodes, rels = data["nodes"], data["relations"]
    return {
        edge_id(nodes[e["from"]]["id"], rels[e["type"]], nodes[e["to"]]["id"])
        for e in (data["edges"][j] for j in o.js("window.actorgraph.shownEdges()"))
    }


def set_day(o: Opened, day: str) -> None:
    """Type a day into the page's as-of date field, as a user would."""
    o.page.fill("#asof-date", day)
    assert o.page.text_content("#asof-label") == day
    assert not o.page.is_checked("#asof-any")


def test_asof_table_on_the_page(browser, tmp_path):
    """The hand-checked table of the as-of rule (tests/asof_cases.py), day by day, through the page's own
    as-of control: exactly the relations of each day are shown."""
    o = open_snapshot(browser, write(ASOF, tmp_path / "asof.html"))
    page = o.page
    assert len(shown_edge_ids(o)) == 9
    for day, _ in CASES:
        set_day(o, day)
        assert shown_edge_ids(o) == edges_on(day), day
        # The heading counts what is shown by time basis, and says the horizon.
        stated = sum(1 for e in edges_on(day) if e.split("|")[1] in ("OCCUPIES", "CONTROLS", "LEADS"))
        time_line = page.text_content("#time")
        assert f"{stated} with stated dates, {len(edges_on(day)) - stated} inferred from their reports" in time_line
        assert f"as of {day}" in time_line and "held from 6m before their first report" in time_line
    # The slider lands on the last of its days on or before the typed day.
    days = o.js("window.actorgraph.data.days")
    assert days[int(page.input_value("#asof"))] <= CASES[-1][0]
    page.check("#asof-any")
    assert len(shown_edge_ids(o)) == 9 and page.text_content("#asof-label") == "any date"
    o.assert_clean()
    page.context.close()


def test_seed_as_of_2019_shows_no_later_event(browser, tmp_path):
    o = open_snapshot(browser, write(DATA, tmp_path / "seed.html"))
    data = o.js("window.actorgraph.data")
    event = next(i for i, t in enumerate(data["types"]) if t["type"] == "Event")
    events = [i for i, n in enumerate(data["nodes"]) if n["type"] == event]
    assert any(data["nodes"][i].get("first", "") > "2019-12-31" for i in events)
    set_day(o, "2019-01-01")
    hidden = set(o.js("window.actorgraph.nodes.get({filter: n => n.hidden}).map(n => n.id)"))
    shown_events = [data["nodes"][i] for i in events if i not in hidden]
    assert all(n.get("first", "") <= "2019-01-01" for n in shown_events), shown_events
    # The slider reaches the December 2024 report and the 2017 events; its marks tell stated dates from reports.
    assert data["days"][0] <= "2017-01-01" and "2024-12-24" in data["report_days"]
    assert o.js("document.querySelectorAll('#asof-ticks .tick.stated').length") == len(data["stated_days"])
    assert o.js("document.querySelectorAll('#asof-ticks .tick.report').length") == len(data["report_days"])
    o.assert_clean()
    o.page.context.close()


def test_time_basis_attribution_and_provenance_shown(browser, tmp_path):
    """Inferred and stated times are drawn apart (and apart from doubtful credibility), with legend
    entries; evidence says who said it and when it was seen; entities say which names a report says."""
    o = open_snapshot(browser, write(PROVENANCE, tmp_path / "a.html"))
    page = o.page
    data = o.js("window.actorgraph.data")
    edges = {data["relations"][e["type"]]: j for j, e in enumerate(data["edges"])}
    nodes = {n["id"]: i for i, n in enumerate(data["nodes"])}
    assert page.text_content("#time").startswith("Time: 2 facts: 0 with stated dates, 2 inferred from their reports")

    o.js("j => window.actorgraph.showEdge(j)", edges["OCCUPIES"])
    details = page.inner_text("#details")
    assert "Levant, via ZZ Observatory for Human Rights" in details
    assert "North Press Agency, via ZZ Observatory for Human Rights" in details
    assert "2 sources, 1 originator: circular reporting?" in details
    assert "seen 2024-12-24 (when reported)" in details and "(inferred from when it was reported)" in details
    assert o.js("document.querySelectorAll('#details .src-seen.stated').length") == 0
    o.js("j => window.actorgraph.showEdge(j)", edges["OPERATES_IN"])
    details = page.inner_text("#details")
    assert "SY24, according to local sources" in details and "1 source, 1 originator" in details
    assert page.text_content("#details .src-seen.stated") == "seen 2019 (the evidence says when)"

    o.js("i => window.actorgraph.showNode(i, false)", nodes["zz-brigade"])
    marks = o.js("""[...document.querySelectorAll('#details ul.names li')].map(li =>
        [li.querySelector('.name').textContent, li.querySelector('.provenance').textContent])""")
    assert marks == [["ZZ Brigade", "curator\u2019s"], ["Liwa Zulu", "reported"], ["Zulu Battalion", "curator\u2019s"]]
    assert "seen 2017 (the evidence says when)" in page.inner_text("#details")
    o.js("i => window.actorgraph.showNode(i, false)", nodes["zz-depot"])
    assert page.text_content("#details .inferred-note") == (
        "Identification inferred by the curator: the report's 'depot by the river' matches the silo on "
        "satellite imagery"
    )
    o.assert_clean()
    page.context.close()

    # Lines: stated dark, inferred light, doubtful dashed, as the legend draws them.
    o = open_snapshot(browser, write(FLORENTINE, tmp_path / "f.html"))
    data = o.js("window.actorgraph.data")
    looks = o.js("window.actorgraph.edges.get().map(e => [e.id, e.color.color, e.dashes || false])")
    legend = o.js("""[...document.querySelectorAll('#lines .line-key')].map(k =>
        [k.textContent, getComputedStyle(k.querySelector('.stroke')).borderTopColor,
         getComputedStyle(k.querySelector('.stroke')).borderTopStyle])""")
    (_, stated_rgb, _), (_, inferred_rgb, _), _, (_, _, doubtful_style) = legend
    assert stated_rgb != inferred_rgb and doubtful_style == "dashed"
    to_rgb = (
        "c => { const d = document.createElement('div'); d.style.color = c; document.body.append(d); "
        "const v = getComputedStyle(d).color; d.remove(); return v; }"
    )
    seen = set()
    for j, color, dashes in looks:
        e = data["edges"][j]
        rgb = o.js(to_rgb, color)
        assert rgb == (inferred_rgb if e.get("basis") == "inferred" else stated_rgb), e
        assert bool(dashes) == (e["cred"] >= 4), e  # credibility 4-6 dashed, whatever the time basis
        seen.add((e.get("basis"), bool(dashes)))
    assert {(None, False), ("inferred", False)} <= seen and any(d for _, d in seen)
    o.assert_clean()
    o.page.context.close()


# -- readable pictures (issue 11): the seed snapshot at a laptop's 1366x768, fitted, as vis-network draws it ---------


def fitted(o: Opened) -> dict:
    """Fit the drawing to the window, let the label grid choose, and measure (viz.readability)."""
    o.js("window.actorgraph.network.fit()")
    o.page.wait_for_timeout(200)
    o.js("window.actorgraph.placeLabels()")
    o.page.wait_for_timeout(100)
    return readability(o.page)


def test_seed_snapshot_is_readable_at_1366x768(browser, tmp_path):
    o = open_snapshot(browser, write(DATA, tmp_path / "seed.html"), viewport=(1366, 768))
    r = fitted(o)
    # No two nodes' bounding boxes (shape plus drawn label, vis-network's getBoundingBox) overlap.
    assert r["overlapping_pairs"] == 0, r["pairs"]
    # The 30 most connected entities are labelled, at 11 px or more.
    G = build_graph(load_facts([DATA]))
    degree = {n: len(set(G.predecessors(n)) | set(G.successors(n))) for n in G}
    top = sorted(G, key=lambda n: (-degree[n], n))[:30]
    ids = o.js("window.actorgraph.data.nodes.map(n => n.id)")
    labelled = {ids[int(i)] for i in r["labelled_ids"]}
    assert set(top) <= labelled, sorted(set(top) - labelled)
    assert r["min_label_px"] >= 11
    # Node sizes vary (by degree), the hubs biggest.
    assert r["node_sizes"] >= 5
    sizes = o.js("Object.fromEntries(window.actorgraph.data.nodes.map(n => [n.id, n.size]))")
    assert sizes["al-bukamal"] == max(sizes.values())
    # Campaigns are compact symbols with the label outside, never a box with the label inside.
    shapes = o.js("""() => { const n = window.actorgraph.network.body.nodes;
        return [...new Set(Object.values(n).map(x => x.options.shape))]; }""")
    assert "box" not in shapes and "image" in shapes
    # Selected, a hub's label keeps its width (never bold), so it stays clear of its neighbours.
    width = "() => window.actorgraph.network.body.nodes['1'].labelModule.size.width"
    before = o.js(width)
    o.js("window.actorgraph.network.selectNodes(['1']); window.actorgraph.network.redraw()")
    assert o.js(width) == before and readability(o.page)["overlapping_pairs"] == 0
    o.js("window.actorgraph.network.unselectAll()")
    # The entities tied to nothing else are set apart under a caption; the key players are listed.
    assert o.js("window.actorgraph.data.detached.count") == 4
    players = o.page.inner_text("#key-players")
    assert players.index("Al-Bukamal") < players.index("Syria")
    # Zoomed in on a hub, every label near it shows: labels never collide, whatever the zoom.
    o.js("window.actorgraph.network.moveTo({scale: 3, position: window.actorgraph.network.getPositions(['1'])['1']})")
    o.js("window.actorgraph.placeLabels()")
    assert readability(o.page)["overlapping_pairs"] == 0
    o.assert_clean()


def test_key_player_focuses_and_focus_is_marked(browser, tmp_path):
    html = write(DATA, tmp_path / "fog.html", "--focus", "Fog 47", "--depth", "2", "--size-by", "pagerank")
    o = open_snapshot(browser, html, viewport=(1366, 768))
    assert o.page.title() == "Fog 47 and its neighbours, depth 2"
    assert "within 2 hops of Fog 47" in o.page.inner_text("header")
    data = o.js("window.actorgraph.data")
    fog = [n["id"] for n in data["nodes"]].index("fog-47")
    assert data["focus"] == [fog] and data["size_by"]["name"] == "pagerank"
    assert o.js(f"window.actorgraph.network.body.nodes[{fog}].options.borderWidth") == 4
    assert o.js("document.getElementById('key-players-title').textContent") == "Key players by pagerank"
    # Choosing a key player shows it and selects it.
    o.page.click("#key-players li:first-child button")
    first = data["nodes"][data["key_players"][0]]
    assert o.js("document.querySelector('#details h3').textContent") == first["name"]
    assert o.js("window.actorgraph.network.getSelectedNodes()") == [str(data["key_players"][0])] or o.js(
        "window.actorgraph.network.getSelectedNodes()"
    ) == [data["key_players"][0]]
    o.assert_clean()


def test_colour_by_community(browser, tmp_path):
    o = open_snapshot(browser, write(DATA, tmp_path / "c.html", "--colour-by", "community"))
    data = o.js("window.actorgraph.data")
    assert data["colour_by"] == "community" and data["communities"] >= 2
    assert o.js("document.querySelectorAll('#community-legend .row').length") >= 2
    colours = o.js("""() => new Set(Object.values(window.actorgraph.network.body.nodes)
        .map(n => n.options.color.background)).size""")
    assert colours >= 5
    o.assert_clean()


BAD = {
    "long": "A" * 250 + " " + "B" * 250,
    "arabic": "الحرس الثوري الإسلامي في البوكمال",
    "rlo": "Brigade \u202e9 edagirB\u202c end",
}


def facts_file(tmp_path: Path, names: dict[str, str], ties: list[tuple[str, str]]) -> Path:
    folder = tmp_path / "facts"
    folder.mkdir()
    ents = "\n".join(f"  - id: {i}\n    type: ArmedGroup\n    name: {json.dumps(n)}" for i, n in names.items())
    rels = "\n".join(
        f"  - type: ALLIED_WITH\n    from: {a}\n    to: {b}\n    credibility: 3\n    evidence:\n"
        f"      - source: s1\n        quote: {a} and {b} fight together"
        for a, b in ties
    )
    (folder / "facts.yaml").write_text(
        "sources:\n  - id: s1\n    title: A report\n    publisher: P\n    published: 2022-01\n    reliability: C\n"
        f"entities:\n{ents}\n" + (f"relations:\n{rels}\n" if ties else ""),
        encoding="utf-8",
    )
    return folder


@pytest.mark.parametrize(
    "case,names,ties",
    [
        (
            "bad names",
            {"a-long": BAD["long"], "b-arabic": BAD["arabic"], "c-rlo": BAD["rlo"]},
            [("a-long", "b-arabic"), ("b-arabic", "c-rlo")],
        ),
        ("isolated only", {f"g{i}": f"Group {i}" for i in range(6)}, []),
        ("one node", {"only": "The only group"}, []),
    ],
)
def test_bad_input_draws_something_sensible(browser, tmp_path, case, names, ties):
    folder = facts_file(tmp_path, names, ties)
    o = open_snapshot(browser, write(folder, tmp_path / "b.html"), viewport=(1366, 768))
    r = fitted(o)
    assert r["nodes"] == len(names) and r["overlapping_pairs"] == 0
    # Labels are cut (three lines at most), the full name stays in the data and the tooltip; nothing overflows.
    labels = o.js("Object.values(window.actorgraph.network.body.nodes).map(n => n.options.label)")
    assert all(len(label) <= 3 * 18 + 2 for label in labels)
    assert set(o.js("window.actorgraph.data.nodes.map(n => n.name)")) == set(names.values())
    assert o.js("document.documentElement.scrollWidth <= window.innerWidth")
    assert o.js("document.querySelectorAll('#network img, #key-players img').length") == 0
    o.assert_clean()


def test_empty_after_filters_says_nothing_to_show(browser, tmp_path):
    folder = facts_file(tmp_path, {"a": "Alpha", "b": "Beta"}, [("a", "b")])
    o = open_snapshot(browser, write(folder, tmp_path / "e.html", "--as-of", "1990"))
    assert "Nothing to show" in o.page.inner_text("#network")
    o2 = open_snapshot(browser, write(folder, tmp_path / "f.html"))
    o2.js("window.actorgraph.setAsOf('1990-01-01')")
    assert "Nothing to show" in o2.page.inner_text("#network")
    o2.js("window.actorgraph.setAsOf(null)")
    assert "Nothing to show" not in o2.page.inner_text("#network")
