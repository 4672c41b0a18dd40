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
from tests.paths import FLORENTINE, ROOT
from viz.layout import layout
from viz.snapshot import render_html, script_json

HOSTILE = ROOT / "tests" / "fixtures" / "hostile"
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
    return {n[1] for n in data["nodes"]}


def ids(data) -> set[str]:
    return {n[0] for n in data["nodes"]}


def edge_keys(data) -> set[tuple[str, str, str]]:
    return {(data["nodes"][e[0]][0], data["relations"][e[2]], data["nodes"][e[1]][0]) for e in data["edges"]}


def test_self_contained(tmp_path):
    html, data = viz(tmp_path)
    # Nothing is fetched: no src/href/url() pointing anywhere, no <link>, no @import.
    assert not re.search(r"""(?:src|href|action)\s*=\s*["']?\s*(?:https?:)?//""", html, re.I)
    assert not re.search(r"url\(\s*['\"]?\s*(?:https?:)?//", html, re.I)
    assert "<link" not in html and "@import" not in html
    assert re.findall(r"<script[^>]*\bsrc\s*=", html, re.I) == []
    # Everything vis-network needs is inline.
    assert "vis-network" in html and html.count("<style>") == 2
    assert len(data["nodes"]) == 11 and len(data["edges"]) == 13 and len(data["sources"]) == 2


def test_content_security_policy_allows_exactly_the_inline_scripts(tmp_path):
    html, _ = viz(tmp_path)
    head = html[: html.index("</head>")]
    csp = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)">', head).group(1)
    assert html.index("Content-Security-Policy") < html.index("<script") and html.index("Content-Security-Policy") < html.index("<style")
    policy = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    assert policy["default-src"] == "'none'" and policy["img-src"] == "data:"
    assert policy["connect-src"] == "'none'" and "unsafe-eval" not in csp and "http" not in csp
    scripts = re.findall(r"<script>(.*?)</script>", html, re.S)
    assert len(scripts) == 2  # vis-network and the page script; the data block is not code
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
    person = next(n for n in data["nodes"] if n[0] == "hostile-img")
    assert person[5] == [SCRIPT, "line\u2028separator\u2029end"]
    assert person[6] == {"description": "<!-- not a comment --> &amp; <svg onload=alert(2)>", "rank": "<svg onload=alert(3)>"}
    quotes = {ev[2] for e in data["edges"] for ev in e[6]}
    assert quotes == {IMG, SCRIPT, "{{7*7}} ${alert(5)} \u2028 @@DATA@@"}
    assert data["sources"][0]["publisher"] == SCRIPT
    assert "document" not in data["sources"][0]
    # The page puts text on screen with textContent only.
    js = (ROOT / "viz" / "assets" / "snapshot.js").read_text(encoding="utf-8")
    assert not re.search(r"innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(|new Function", js)


def test_script_json_escapes_what_could_end_a_script():
    text = script_json({"a": "</script><!--\u2028\u2029&"})
    assert text == '{"a":"\\u003c/script\\u003e\\u003c!--\\u2028\\u2029\\u0026"}'
    assert json.loads(text) == {"a": "</script><!--\u2028\u2029&"}


def test_legend_and_types_come_from_the_registry(tmp_path):
    from graph.schema import REGISTRY

    _, data = viz(tmp_path)
    assert data["types"] == REGISTRY.legend()
    assert data["relations"] == list(REGISTRY.relations)
    abu = next(n for n in data["nodes"] if n[0] == "abu-test")
    assert data["types"][abu[2]]["type"] == "Person" and abu[5] == ["Abu Test", "أبو تست"]


def test_edges_carry_every_piece_of_evidence_with_its_source(tmp_path):
    _, data = viz(tmp_path)
    nodes = data["nodes"]
    occ = next(e for e in data["edges"] if nodes[e[0]][0] == "brigade-9" and nodes[e[1]][0] == "old-hospital")
    assert data["relations"][occ[2]] == "OCCUPIES" and occ[3:5] == [2, "B"]
    assert occ[5] == {"valid_from": "2021-06", "use": "headquarters"}
    cited = [(data["sources"][s]["id"], cred, quote) for s, cred, quote in occ[6]]
    assert cited == [("field-report-2021", 2, "the Old Hospital serves as the headquarters of Brigade 9"),
                     ("wire-2022", 3, "Brigade' 9 still uses the “Old Hospital” as its headquarters")]
    wire = next(s for s in data["sources"] if s["id"] == "wire-2022")
    assert wire == {"id": "wire-2022", "published": "2022-03-15", "publisher": "Example Wire",
                    "reliability": "D", "title": "Wire story on militia movements"}


def test_grade_and_date_filters(tmp_path):
    _, data = viz(tmp_path, "--min-credibility", "2")
    assert all(any(ev[1] <= 2 for ev in e[6]) for e in data["edges"])
    assert ("state-x", "ATTACKS", "northern-front") not in edge_keys(data)
    assert ("brigade-9", "PART_OF", "northern-front") not in edge_keys(data)
    assert data["filters"] == ["credibility 1-2"] and data["grades"] == {"credibility": 2, "reliability": "F"}

    _, data = viz(tmp_path, "--min-reliability", "b")  # case-insensitive
    # An edge stays when one piece of evidence meets the grade, and keeps all of its evidence.
    assert all(any(data["sources"][ev[0]]["reliability"] <= "B" for ev in e[6]) for e in data["edges"])
    assert ("brigade-9", "PART_OF", "northern-front") not in edge_keys(data)  # wire-2022 (D) only
    assert "jane-spokes" not in ids(data)  # her only relation rests on a D source

    _, data = viz(tmp_path, "--as-of", "2021-12-01")
    assert ("state-x", "RUNS", "recruitment-drive") in edge_keys(data)
    _, data = viz(tmp_path, "--as-of", "2022-06")
    assert ("state-x", "RUNS", "recruitment-drive") not in edge_keys(data)
    assert data["filters"] == ["as of 2022-06-01"]


def test_focus_by_name_or_alias_any_case_and_accents(tmp_path):
    for name in ("abu-test", "ABU TÉST", "abu test", "أبو تست"):
        _, data = viz(tmp_path, "--focus", name)
        assert ids(data) == {"abu-test", "brigade-9"}, name
    _, data = viz(tmp_path, "--focus", "Abu Test", "--depth", "2")
    assert ids(data) == {"abu-test", "brigade-9", "old-hospital", "northern-front", "river-town"}
    assert data["filters"] == ["within 2 hops of Abu Test"]
    # Filters apply before the focus: the neighbourhood only follows relations that are kept.
    _, data = viz(tmp_path, "--focus", "northern front", "--min-credibility", "3")
    assert ids(data) == {"northern-front", "jane-spokes", "state-x"}
    # A focus that loses every relation to the filters is still shown.
    _, data = viz(tmp_path, "--focus", "jane spokes", "--min-reliability", "C")
    assert ids(data) == {"jane-spokes"} and data["edges"] == []


def test_unknown_focus_exits_1_with_suggestions(tmp_path):
    out = tmp_path / "x.html"
    r = runner.invoke(app, ["viz", str(FLORENTINE), "--out", str(out), "--focus", "Abu Tesst"])
    assert r.exit_code == 1
    assert "no entity is named 'Abu Tesst' (did you mean 'Abu Tést'" in r.output
    assert "Traceback" not in r.output and not out.exists()


def test_usage_errors_exit_2(tmp_path):
    out = str(tmp_path / "x.html")
    base = ["viz", str(FLORENTINE), "--out", out]
    assert runner.invoke(app, ["viz", str(FLORENTINE)]).exit_code == 2  # --out is required
    assert runner.invoke(app, base + ["--min-credibility", "7"]).exit_code == 2
    assert runner.invoke(app, base + ["--min-reliability", "G"]).exit_code == 2
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
        subprocess.run([sys.executable, "-m", "kg", "viz", str(FLORENTINE), str(HOSTILE), "--out", str(out)],
                       check=True, env=env, capture_output=True, cwd=ROOT)
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
    pts = [(n[3], n[4]) for n in data["nodes"]]
    assert all(math.isfinite(c) for p in pts for c in p)
    closest = min(math.dist(p, q) for i, p in enumerate(pts) for q in pts[i + 1:])
    assert closest > 40  # node size is 11, edges about 150


@pytest.mark.parametrize("n,pairs", [(0, []), (1, []), (3, [(0, 0), (0, 1), (1, 0)]), (5, [(0, 1), (2, 3)])])
def test_layout_edge_cases(n, pairs):
    pos = layout(n, pairs)
    assert len(pos) == n and len(set(pos)) == n


def test_big_component_layout_is_fast_and_deterministic():
    import random
    import time

    rnd = random.Random(3)
    n = 10_000
    pairs = [(rnd.randrange(n), min(n - 1, int(rnd.paretovariate(1.1)) - 1) if rnd.random() < 0.5 else rnd.randrange(n))
             for _ in range(50_000)]
    t = time.perf_counter()
    pos = layout(n, pairs)
    elapsed = time.perf_counter() - t
    assert pos == layout(n, pairs)
    assert len(set(pos)) > 0.99 * n
    assert elapsed < 2.0, f"layout of 10k nodes / 50k edges took {elapsed:.2f} s"
