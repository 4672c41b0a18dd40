"""`kg viz`: one self-contained HTML file, hostile text kept inert, filters and focus from the CLI."""

import base64
import hashlib
import json
import math
import os
import re
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from graph.build import build_graph
from kg.cli import app
from loaders import load_facts
from tests.paths import DATA, FLORENTINE, ROOT
from viz.layout import layout
from viz.snapshot import EDGE_KEYS, EVIDENCE_KEYS, NODE_KEYS, SCRIPTS, View, render_html, script_json, snapshot_data

HOSTILE = ROOT / "tests" / "fixtures" / "hostile"
PROVENANCE = ROOT / "tests" / "fixtures" / "provenance"
IMG = "<img src=x onerror=alert(1)>"
SCRIPT = "</script><script>window.__pwned=1</script>"
runner = CliRunner()


def viz(tmp_path, *args, paths=(FLORENTINE,)) -> tuple[str, dict]:
    out = tmp_path / "snap.html"
    r = runner.invoke(app, ["viz", *map(str, paths), "--out", str(out), *args])
    assert r.exit_code == 0, r.output
    html = out.read_text(encoding="utf-8")
    return html, page_data(html)


def page_data(html: str) -> dict:
    m = re.search(r'<script type="application/json" id="graph-data">(.*?)</script>', html, re.S)
    assert m, "no data block"
    return json.loads(m.group(1))


def names(data) -> set[str]:
    return {n["name"] for n in data["nodes"]}


def ids(data) -> set[str]:
    return {n["id"] for n in data["nodes"]}


def edge_keys(data) -> set[tuple[str, str, str]]:
    nodes = data["nodes"]
    return {(nodes[e["from"]]["id"], data["relations"][e["type"]], nodes[e["to"]]["id"]) for e in data["edges"]}


def test_self_contained(tmp_path):
    html, data = viz(tmp_path)
    # Nothing is fetched: no src/href/url() pointing anywhere, no <link>, no @import. The vendored libraries
    # (npm's files, checked by sha256 in tests/test_vendor_assets.py) hold one link in their code, Leaflet's
    # attribution prefix, which map.js turns off: the page's own markup and code hold none.
    own = html
    for _, name in SCRIPTS:
        if name.startswith("vendor/"):
            own = own.replace((ROOT / "viz" / "assets" / name).read_text(encoding="utf-8"), "")
    assert not re.search(r"""(?:src|href|action)\s*=\s*["']?\s*(?:https?:)?//""", own, re.I)
    assert not re.search(r"url\(\s*['\"]?\s*(?:https?:)?//", html, re.I)
    assert "<link" not in html and "@import" not in html
    assert re.findall(r"<script[^>]*\bsrc\s*=", html, re.I) == []
    # Everything vis-network needs is inline, and so are the helpers shared with the explorer.
    assert "vis-network" in html and html.count("<style>") == 3  # vis-network's, the map's and timeline's, the page's
    assert (ROOT / "viz" / "assets" / "common.js").read_text(encoding="utf-8") in html
    assert len(data["nodes"]) == 11 and len(data["edges"]) == 13 and len(data["sources"]) == 2


def test_content_security_policy_allows_exactly_the_inline_scripts(tmp_path):
    html, _ = viz(tmp_path)
    head = html[: html.index("</head>")]
    csp = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)">', head).group(1)
    assert html.index("Content-Security-Policy") < min(html.index("<script"), html.index("<style"))
    policy = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    assert policy["default-src"] == "'none'" and policy["img-src"] == "data:"
    assert policy["connect-src"] == "'none'" and "unsafe-eval" not in csp and "http" not in csp
    scripts = re.findall(r"<script>(.*?)</script>", html, re.S)
    # vis-network, the shared helpers, the page script, the map's and the timeline's (and what they share with
    # the explorer's: geo_common.js); data blocks are not code
    assert len(scripts) == len(SCRIPTS) == 9
    hashes = {"'sha256-" + base64.b64encode(hashlib.sha256(s.encode()).digest()).decode() + "'" for s in scripts}
    assert set(policy["script-src"].split()) == hashes


def test_hostile_text_is_escaped_and_kept_exactly(tmp_path):
    title = "<img src=x onerror=alert(6)></title></script>"
    html, data = viz(tmp_path, "--title", title, paths=(HOSTILE,))
    block = re.search(r'<script type="application/json" id="graph-data">(.*?)</script>', html, re.S).group(1)
    for ch in "<>&\u2028\u2029":
        assert ch not in block
    # Nowhere in the page does hostile markup appear raw.
    for raw in (IMG, SCRIPT, "<svg onload", "<iframe", "<!-- not a comment", title):
        assert raw not in html
    # ...yet the page receives every character of it.
    assert data["title"] == title
    assert names(data) == {IMG, SCRIPT, "Plain Town"}
    person = next(n for n in data["nodes"] if n["id"] == "hostile-img")
    assert person["aka"] == [SCRIPT, "@@DATA@@ {{7*7}}"]
    assert person["more"] == {
        "description": "<!-- not a comment --> &amp; <svg onload=alert(2)>",
        "rank": "<svg onload=alert(3)>",
        "nationality": "line\u2028separator\u2029end",
    }
    quotes = {ev["quote"] for e in data["edges"] for ev in e["ev"]}
    assert quotes == {IMG, SCRIPT, "{{7*7}} ${alert(5)} \u2028 @@DATA@@"}
    assert data["sources"][0]["publisher"] == SCRIPT
    assert "document" not in data["sources"][0]
    # The page puts text on screen with textContent only.
    for name in ("snapshot.js", "common.js"):
        js = (ROOT / "viz" / "assets" / name).read_text(encoding="utf-8")
        assert not re.search(r"innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(|new Function", js), name


def test_script_json_escapes_what_could_end_a_script():
    text = script_json({"a": "</script><!--\u2028\u2029&"})
    assert text == '{"a":"\\u003c/script\\u003e\\u003c!--\\u2028\\u2029\\u0026"}'
    assert json.loads(text) == {"a": "</script><!--\u2028\u2029&"}


def test_script_json_says_what_orjson_refuses_as_json_did():
    # beyond 64 bits, and a lone surrogate (validation lets neither in): the text json.dumps gave before
    assert script_json({"n": 2**70, "s": "\ud800<"}) == '{"n":1180591620717411303424,"s":"\ud800\\u003c"}'
    data = {"x": 9.57e-05, "big": 1e16, "name": "Ṣāliḥ\u2028", "list": [True, None, -0.5]}
    assert json.loads(script_json(data)) == data


def test_legend_and_types_come_from_the_registry(tmp_path):
    from graph.schema import REGISTRY

    _, data = viz(tmp_path)
    assert data["types"] == REGISTRY.legend()
    assert data["relations"] == list(REGISTRY.relations)
    abu = next(n for n in data["nodes"] if n["id"] == "abu-test")
    assert data["types"][abu["type"]]["type"] == "Person" and abu["aka"] == ["Abu Test", "أبو تست"]


def test_fields_are_named_and_grades_come_from_the_registry(tmp_path):
    """Every row is an object whose keys are in the one table of viz/snapshot.py; the grading scales
    travel in the data, so the page holds no list of grades of its own."""
    from graph.schema import REGISTRY

    _, data = viz(tmp_path, "--credibility-at-least", "3")
    assert data["grades"] == {
        "reliability": REGISTRY.reliability.as_dict(),
        "credibility": REGISTRY.credibility.as_dict(),
    }
    assert data["at_least"] == {"credibility": 3, "reliability": None}
    assert all(set(n) <= set(NODE_KEYS) and {"id", "name", "type", "x", "y"} <= set(n) for n in data["nodes"])
    assert all(
        set(e) <= set(EDGE_KEYS) and {"from", "to", "type", "cred", "reli", "ev"} <= set(e) for e in data["edges"]
    )
    assert all({"src", "cred", "quote"} <= set(ev) <= set(EVIDENCE_KEYS) for e in data["edges"] for ev in e["ev"])
    assert all(n.get("aka") != [] and n.get("more") != {} for n in data["nodes"])  # empty fields are left out
    # No grade letter list or meaning is written in the page's own code or template.
    for name in ("viz/assets/snapshot.js", "viz/assets/common.js", "viz/templates/snapshot.html"):
        text = (ROOT / name).read_text(encoding="utf-8")
        for scale in (REGISTRY.reliability, REGISTRY.credibility):
            for meaning in scale.meanings.values():
                assert not re.search(f"[\"'>]{re.escape(meaning)}|{re.escape(meaning)}[\"'<]", text), (name, meaning)
        assert not re.search(r"ABCDEF|A-F|1-6|[\"'][A-F][\"']", text), name


def test_edges_and_entities_carry_their_window_as_iso_days():
    """The windows are graph.asof's (stated validity, else observations widened by the horizon; events
    from their date on), as ISO days: the page compares them, never the dates as written."""
    from graph.asof import DEFAULT_HORIZON, Horizon, entity_window, fact_window, iso_days

    G = build_graph(load_facts([DATA]))
    for horizon in (DEFAULT_HORIZON, Horizon.parse("30d", "2m")):
        data = snapshot_data(G, title="t", generated="x", view=View(horizon=horizon))
        assert data["horizon"] == {**horizon.as_dict(), "description": horizon.describe()}
        nodes = data["nodes"]
        bases = set()
        for e in data["edges"]:
            d = G.edges[nodes[e["from"]]["id"], nodes[e["to"]]["id"], data["relations"][e["type"]]]
            window, basis = fact_window(d, horizon)
            assert (e.get("first"), e.get("last")) == iso_days(window)
            assert e.get("basis") == ("inferred" if basis == "inferred" else None)
            bases.add(e.get("basis"))
            # The dates as written stay, for display only.
            assert {k: v for k, v in (e.get("more") or {}).items() if k.startswith("valid_")} == {
                k: d[k] for k in ("valid_from", "valid_to") if k in d
            }
        assert {None, "inferred"} <= bases
        for n in nodes:
            assert (n.get("first"), n.get("last")) == iso_days(entity_window(G.nodes[n["id"]]))
        assert any("first" in n for n in nodes)  # events and campaigns
        # The as-of slider's days: each window's first day, last day and the day after it.
        assert data["days"] == sorted(set(data["days"]))
        for row in (*nodes, *data["edges"]):
            assert {row.get("first"), row.get("last")} - {None} <= set(data["days"])


def test_edges_carry_every_piece_of_evidence_with_its_source(tmp_path):
    _, data = viz(tmp_path)
    nodes = data["nodes"]
    occ = next(
        e for e in data["edges"] if nodes[e["from"]]["id"] == "brigade-9" and nodes[e["to"]]["id"] == "old-hospital"
    )
    assert data["relations"][occ["type"]] == "OCCUPIES" and (occ["cred"], occ["reli"]) == (2, "B")
    assert occ["more"]["valid_from"] == "2021-06" and occ["more"]["use"] == "headquarters"
    # stated start; the end a year after its last report (wire-2022, 15 March 2022): graph.asof
    assert occ["first"] == "2021-06-01" and occ["last"] == "2023-03-15"
    cited = [(data["sources"][ev["src"]]["id"], ev["cred"], ev["quote"]) for ev in occ["ev"]]
    assert cited == [
        ("field-report-2021", 2, "the Old Hospital serves as the headquarters of Brigade 9"),
        ("wire-2022", 3, "Brigade' 9 still uses the “Old Hospital” as its headquarters"),
    ]
    wire = next(s for s in data["sources"] if s["id"] == "wire-2022")
    assert wire == {
        "id": "wire-2022",
        "published": "2022-03-15",
        "publisher": "Example Wire",
        "reliability": "D",
        "title": "Wire story on militia movements",
    }


def test_grade_and_date_filters(tmp_path):
    _, data = viz(tmp_path, "--credibility-at-least", "2")
    assert all(any(ev["cred"] <= 2 for ev in e["ev"]) for e in data["edges"])
    assert ("state-x", "ATTACKS", "northern-front") not in edge_keys(data)
    assert ("brigade-9", "PART_OF", "northern-front") not in edge_keys(data)
    assert data["filters"] == ["credibility 1-2"] and data["at_least"] == {"credibility": 2, "reliability": None}

    _, data = viz(tmp_path, "--reliability-at-least", "b")  # case-insensitive
    # An edge stays when one piece of evidence meets the grade, and keeps all of its evidence.
    assert all(any(data["sources"][ev["src"]]["reliability"] <= "B" for ev in e["ev"]) for e in data["edges"])
    assert ("brigade-9", "PART_OF", "northern-front") not in edge_keys(data)  # wire-2022 (D) only
    assert "jane-spokes" not in ids(data)  # her only relation rests on a D source

    _, data = viz(tmp_path, "--as-of", "2021-12-01")
    assert ("state-x", "RUNS", "recruitment-drive") in edge_keys(data)
    _, data = viz(tmp_path, "--as-of", "2022-06")
    assert ("state-x", "RUNS", "recruitment-drive") not in edge_keys(data)
    assert data["filters"] == [
        "as of 2022-06-01 (facts without stated dates held from 6m before their first report to 1y after their last)"
    ]


def test_horizon_is_an_option_and_is_always_said(tmp_path):
    """`kg viz --look-back/--look-ahead` set the horizon of --as-of and of the page's slider; the command's
    output and the data block (the page's heading) say it in words."""
    out = tmp_path / "h.html"
    r = runner.invoke(
        app,
        ["viz", str(FLORENTINE), "--out", str(out), "--as-of", "2022-06", "--look-back", "3m", "--look-ahead", "2y"],
    )
    assert r.exit_code == 0, r.output
    said = "facts without stated dates held from 3m before their first report to 2y after their last"
    assert f"as of 2022-06-01: {said}" in r.output
    data = page_data(out.read_text(encoding="utf-8"))
    assert data["horizon"] == {"look_back": "3m", "look_ahead": "2y", "description": said}
    assert data["filters"] == [f"as of 2022-06-01 ({said})"]
    r = runner.invoke(app, ["viz", str(FLORENTINE), "--out", str(out)])
    assert "as-of horizon: facts without stated dates held from 6m before their first report to 1y after" in r.output
    for bad in (["--look-back", "soon"], ["--look-ahead", "6 weeks"]):
        r = runner.invoke(app, ["viz", str(FLORENTINE), "--out", str(out), *bad])
        assert r.exit_code == 2 and "is not a length of time: use e.g. 90d, 6m or 1y" in r.output, r.output
        assert "Traceback" not in r.output
    # kg serve refuses a bad horizon before it connects to anything.
    r = runner.invoke(app, ["serve", "--look-back", "soon"])
    assert r.exit_code == 2 and "is not a length of time" in r.output


def test_time_bases_and_report_days_for_the_slider(tmp_path):
    """Edges say whether their time is inferred; the slider's days hold the report days (each observation,
    each cited source's publication) besides where windows start and stop, and mark which are which."""
    from graph.dates import first_day

    _, data = viz(tmp_path, paths=(DATA,))
    days, stated, reports = data["days"], data["stated_days"], data["report_days"]
    assert set(stated) <= set(days) and set(reports) <= set(days)
    # The December 2024 report and the 2017 events are on the slider.
    assert "2024-12-24" in reports and days[0] <= "2017-01-01" and "2017-12-31" in stated
    for s in data["sources"]:
        assert first_day(s.get("published") or s["retrieved"]).isoformat() in reports
    for e in data["edges"]:
        valid = e.get("more", {})
        assert (e.get("basis") == "inferred") == ("valid_from" not in valid and "valid_to" not in valid)
        if "basis" not in e:
            assert {e.get("first"), e.get("last")} - {None} <= set(stated)
    for n in data["nodes"]:
        assert {n.get("first"), n.get("last")} - {None} <= set(stated)  # events and campaigns are stated

    _, data = viz(tmp_path, paths=(ROOT / "tests" / "fixtures" / "asof",))
    # observed: "2019" counts from its first day; a source only retrieved counts from when it was read.
    assert {"2019-01-01", "2021-12-01", "2022-03-15", "2023-06-10"} == set(data["report_days"])


def test_attribution_and_entity_provenance_in_the_data(tmp_path):
    """Who said it, as graph.attribution says it; which names a report says (viz.provenance); the
    curator's note; the number of originators when fewer than the sources."""
    _, data = viz(tmp_path, paths=(PROVENANCE,))
    nodes = {n["id"]: n for n in data["nodes"]}
    by_type = {data["relations"][e["type"]]: e for e in data["edges"]}
    occupies, operates = by_type["OCCUPIES"], by_type["OPERATES_IN"]
    assert [ev["by"] for ev in occupies["ev"]] == [
        "Levant, via ZZ Observatory for Human Rights",
        "North Press Agency, via ZZ Observatory for Human Rights",
    ]
    assert "originators" not in occupies.get("more", {})  # one originator, the page's default
    assert operates["ev"][0]["by"] == "SY24, according to local sources"
    assert operates["ev"][0]["observed"] == "2019"  # stated by the evidence
    assert "observed" not in occupies["ev"][0]  # the report's own date
    assert occupies["basis"] == operates["basis"] == "inferred"
    assert operates["first"] == "2018-07-01" and operates["last"] == "2020-12-31"  # 2019 -6m .. report +1y
    brigade, depot, town = nodes["zz-brigade"], nodes["zz-depot"], nodes["zz-town"]
    assert brigade["rep"] == ["Liwa Zulu"]  # "ZZ Brigade" and "Zulu Battalion" are the curator's
    assert brigade["ev"][0]["observed"] == "2017"
    assert "rep" not in depot and depot["inferred"].startswith("the report's 'depot by the river'")
    assert town["rep"] == ["ZZ Town"]
    assert "inferred" not in depot.get("more", {})

    # A focused snapshot judges names by every quote about the entity, not only the relations it kept.
    _, focused = viz(tmp_path, "--focus", "ZZ Depot", paths=(PROVENANCE,))
    assert {n["id"]: n.get("rep") for n in focused["nodes"]}["zz-brigade"] == ["Liwa Zulu"]
    _, focused = viz(tmp_path, "--focus", "ZZ Town", "--depth", "0", paths=(PROVENANCE,))
    assert focused["nodes"][0]["rep"] == ["ZZ Town"] and focused["edges"] == []


def test_focus_by_name_or_alias_any_case_and_accents(tmp_path):
    for name in ("abu-test", "ABU TÉST", "abu test", "أبو تست"):
        _, data = viz(tmp_path, "--focus", name)
        assert ids(data) == {"abu-test", "brigade-9"}, name
    _, data = viz(tmp_path, "--focus", "Abu Test", "--depth", "2")
    assert ids(data) == {"abu-test", "brigade-9", "old-hospital", "northern-front", "river-town"}
    assert data["filters"] == ["within 2 hops of Abu Test"]
    # Filters apply before the focus: the neighbourhood only follows relations that are kept.
    _, data = viz(tmp_path, "--focus", "northern front", "--credibility-at-least", "3")
    assert ids(data) == {"northern-front", "jane-spokes", "state-x"}
    # A focus that loses every relation to the filters is still shown.
    _, data = viz(tmp_path, "--focus", "jane spokes", "--reliability-at-least", "C")
    assert ids(data) == {"jane-spokes"} and data["edges"] == []


def test_unknown_focus_exits_1_with_suggestions(tmp_path):
    out = tmp_path / "x.html"
    # (Abu Tesst is a spelling variant, matched: graph.names; another number is another unit, never matched.)
    r = runner.invoke(app, ["viz", str(FLORENTINE), "--out", str(out), "--focus", "Brigade 99"])
    assert r.exit_code == 1
    assert "no entity is named 'Brigade 99' (did you mean 'Brigade 9'" in r.output
    assert "Traceback" not in r.output and not out.exists()


def test_usage_errors_exit_2(tmp_path):
    out = str(tmp_path / "x.html")
    base = ["viz", str(FLORENTINE), "--out", out]
    assert runner.invoke(app, ["viz", str(FLORENTINE)]).exit_code == 2  # --out is required
    assert runner.invoke(app, base + ["--credibility-at-least", "7"]).exit_code == 2
    assert runner.invoke(app, base + ["--reliability-at-least", "G"]).exit_code == 2
    r = runner.invoke(app, base + ["--as-of", "2021-13"])
    assert r.exit_code == 2 and "month 13" in r.output
    assert runner.invoke(app, base + ["--depth", "2"]).exit_code == 2  # --depth needs --focus


def test_invalid_facts_exit_1(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("entities:\n  - id: a\n    type: Persn\n    name: A\n", encoding="utf-8")
    r = runner.invoke(app, ["viz", str(bad), "--out", str(tmp_path / "x.html")])
    assert r.exit_code == 1 and "bad.yaml:3: unknown entity type 'Persn'" in r.output
    assert not (tmp_path / "x.html").exists()


def test_same_input_same_file_whatever_the_hash_seed(tmp_path):
    outs = []
    for seed in ("1", "2"):
        out = tmp_path / f"s{seed}.html"
        env = dict(os.environ, PYTHONHASHSEED=seed)
        subprocess.run(
            [sys.executable, "-m", "kg", "viz", str(FLORENTINE), str(HOSTILE), "--out", str(out)],
            check=True,
            env=env,
            capture_output=True,
            cwd=ROOT,
        )
        outs.append(re.sub(r'"generated":"[^"]+"', "", out.read_text(encoding="utf-8")))
    assert outs[0] == outs[1]
    G = build_graph(load_facts([FLORENTINE]))
    a = render_html(G, generated="2024-01-01T00:00:00Z")
    assert a == render_html(G, generated="2024-01-01T00:00:00Z")
    assert '"generated":"2024-01-01T00:00:00Z"' in a


def test_layout_is_spread_out_and_finite():
    G = build_graph(load_facts([FLORENTINE]))
    html = render_html(G, generated="x")
    data = page_data(html)
    pts = [(n["x"], n["y"]) for n in data["nodes"]]
    assert all(math.isfinite(c) for p in pts for c in p)
    closest = min(math.dist(p, q) for i, p in enumerate(pts) for q in pts[i + 1 :])
    assert closest > 40  # node size is 11, edges about 150


@pytest.mark.parametrize("n,pairs", [(0, []), (1, []), (3, [(0, 0), (0, 1), (1, 0)]), (5, [(0, 1), (2, 3)])])
def test_layout_edge_cases(n, pairs):
    out = layout(n, pairs)
    assert len(out.positions) == n and len(set(out.positions)) == n
    assert out.overlaps == 0


def test_big_component_layout_is_fast_and_deterministic():
    import random
    import time

    rnd = random.Random(3)
    n = 10_000
    pairs = [
        (rnd.randrange(n), min(n - 1, int(rnd.paretovariate(1.1)) - 1) if rnd.random() < 0.5 else rnd.randrange(n))
        for _ in range(50_000)
    ]
    t = time.perf_counter()
    pos = layout(n, pairs).positions
    elapsed = time.perf_counter() - t
    assert pos == layout(n, pairs).positions
    assert len(set(pos)) > 0.99 * n
    assert elapsed < 2.0, f"layout of 10k nodes / 50k edges took {elapsed:.2f} s"
