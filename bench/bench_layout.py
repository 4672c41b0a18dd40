"""Benchmark of the snapshot's layout and labels (issue 11) against the previous layout, in one run.

    python bench/bench_layout.py            # seed data, 1k / 5k and 10k / 50k
    python bench/bench_layout.py --quick    # seed data and 1k / 5k only

The baseline is the code of the last commit (``git archive HEAD``, unpacked in a temporary
folder: the home-made layout of viz/layout.py and the page as it was), run on the same data in
the same run. For each of them:

(a) the seed snapshot opened in headless Chromium at 1366x768 and fitted to the window, measured
    by vis-network itself (viz.readability): pairs of node bounding boxes (shape plus drawn label)
    that overlap, the share of nodes overlapping another, entities labelled, median label size in
    px, distinct node sizes;
(b) the same on 1k entities / 5k relations, plus the layout alone (Python);
(c) 10k entities / 50k relations: `kg viz` end to end (a fresh process), the first frame in
    Chromium, and frame times while panning (p95 of requestAnimationFrame intervals during a
    scripted drag).

Candidate layout engines, measured side by side on the 10k / 50k graph (placement only): igraph's
Fruchterman-Reingold (grid) as used, Graphviz sfdp (when `sfdp` is installed: Debian's graphviz),
and the previous home-made layout.

Prints a table and writes bench/results/layout.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from generate import generate  # noqa: E402

from graph.build import build_graph  # noqa: E402
from loaders import load_facts  # noqa: E402
from tests.browser import launch_chromium, wait_until  # noqa: E402
from viz.readability import READABILITY_JS  # noqa: E402

RESULTS = ROOT / "bench" / "results"
DATA = ROOT / "bench" / "data"

# Frame times while dragging the drawing: requestAnimationFrame intervals during a scripted pan.
PAN = """
async () => {
  const box = document.getElementById('network').getBoundingClientRect();
  const times = [];
  let last = performance.now();
  let running = true;
  function tick(t) { times.push(t - last); last = t; if (running) requestAnimationFrame(tick); }
  requestAnimationFrame(tick);
  const n = window.actorgraph.network;
  const start = n.getViewPosition();
  for (let i = 0; i < 60; i++) {
    n.moveTo({ position: { x: start.x + i * 8, y: start.y + i * 4 } });
    await new Promise((r) => setTimeout(r, 16));
  }
  running = false;
  times.sort((a, b) => a - b);
  const at = (q) => times[Math.floor(times.length * q)];
  return { frames: times.length, p95_ms: at(0.95), median_ms: at(0.5) };
}
"""


def dataset(n_entities: int, n_relations: int) -> Path:
    folder = DATA / f"viz-{n_entities}-{n_relations}"
    if not (folder / "bench.relations.jsonl").exists():
        generate(n_entities, n_relations, folder, seed=0)
    return folder


def data_for(tree: Path, work: Path, name: str, size: tuple[int, int] | None) -> Path:
    """The dataset as ``tree``'s own code reads it: its seed data, or synthetic data from its own generator
    (the format may have moved on since the last commit)."""
    if size is None:
        return tree / "data"
    if tree == ROOT:
        return dataset(*size)
    folder = work / f"{tree.name}-{name}"
    code = f"from generate import generate; generate({size[0]}, {size[1]}, {str(folder)!r}, seed=0)"
    subprocess.run(
        [sys.executable, "-c", code], cwd=tree / "bench", env=dict(os.environ, PYTHONPATH=str(tree)), check=True
    )
    return folder


def baseline_tree(work: Path) -> Path:
    """The last commit's tree, unpacked (read-only for git: `git archive`)."""
    tree = work / "baseline"
    tree.mkdir()
    archive = subprocess.run(["git", "archive", "HEAD"], cwd=ROOT, check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(tree)], input=archive, check=True)
    return tree


def kg_viz(tree: Path, data: Path, out: Path) -> float:
    """`kg viz DATA --out OUT` from ``tree`` (a fresh process); seconds."""
    env = dict(os.environ, PYTHONPATH=str(tree))
    t = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "kg", "viz", str(data), "--out", str(out)],
        cwd=tree,
        env=env,
        check=True,
        capture_output=True,
    )
    return time.perf_counter() - t


def open_page(browser, html: Path, viewport=(1366, 768)):
    page = browser.new_page(viewport={"width": viewport[0], "height": viewport[1]})
    t = time.perf_counter()
    page.goto(html.resolve().as_uri())
    wait_until(page, "window.actorgraph && window.actorgraph.firstFrame", 120)
    return page, time.perf_counter() - t


def readable(browser, html: Path) -> dict:
    page, first = open_page(browser, html)
    page.evaluate("window.actorgraph.network.fit()")
    page.wait_for_timeout(300)
    if page.evaluate("typeof window.actorgraph.placeLabels === 'function'"):
        page.evaluate("window.actorgraph.placeLabels()")
    page.wait_for_timeout(200)
    r = page.evaluate(READABILITY_JS, "actorgraph.network")
    page.close()
    return {
        "overlapping_pairs": r["overlapping_pairs"],
        "overlapped_share": round(r["overlapped_share"], 3),
        "labelled": r["labelled"],
        "median_label_px": round(r["median_label_px"], 1),
        "node_sizes": r["node_sizes"],
        "fit_scale": round(r["scale"], 3),
        "first_frame_s": round(first, 2),
    }


def panning(browser, html: Path) -> dict:
    page, first = open_page(browser, html)
    out = page.evaluate(PAN)
    page.close()
    return {"first_frame_s": round(first, 2), **{k: round(v, 1) for k, v in out.items()}}


def engines(data: Path) -> dict:
    """Placement alone on one graph: igraph FR (as used), the previous layout, sfdp when installed."""
    import importlib.util
    import shutil

    from viz.layout import layout

    G = build_graph(load_facts([data]))
    ids = sorted(G)
    ix = {n: i for i, n in enumerate(ids)}
    pairs = [(ix[u], ix[v]) for u, v in G.edges()]
    out = {}
    t = time.perf_counter()
    layout(len(ids), pairs)
    out["igraph_fr_plus_overlap_removal_s"] = round(time.perf_counter() - t, 2)
    spec = importlib.util.spec_from_file_location("old_layout", Path(__file__).with_name("baseline_layout.py"))
    old = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(old)
    t = time.perf_counter()
    old.layout(len(ids), pairs)
    out["previous_home_made_s"] = round(time.perf_counter() - t, 2)
    if shutil.which("sfdp"):
        dot = "graph{" + ";".join(f"{a}--{b}" for a, b in sorted({tuple(sorted(p)) for p in pairs})) + "}"
        t = time.perf_counter()
        subprocess.run(["sfdp", "-Goverlap=prism", "-Tplain"], input=dot.encode(), capture_output=True, check=True)
        out["graphviz_sfdp_prism_s"] = round(time.perf_counter() - t, 2)
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="seed data and 1k / 5k only")
    args = ap.parse_args(argv)
    from playwright.sync_api import sync_playwright

    result: dict = {"machine": {"cpus": os.cpu_count(), "python": platform.python_version()}}
    with tempfile.TemporaryDirectory(prefix="bench-layout-") as tmp:
        work = Path(tmp)
        base = baseline_tree(work)
        sets = [("seed", None), ("1k_5k", (1000, 5000))]
        if not args.quick:
            sets.append(("10k_50k", (10_000, 50_000)))
        with sync_playwright() as p:
            browser = launch_chromium(p)
            try:
                for name, size in sets:
                    row = {}
                    for who, tree in (("previous", base), ("now", ROOT)):
                        data = data_for(tree, work, name, size)
                        html = work / f"{name}-{who}.html"
                        secs = [kg_viz(tree, data, html) for _ in range(1 if name != "10k_50k" else 3)]
                        entry = {"kg_viz_s": round(statistics.median(secs), 2)}
                        if name == "10k_50k":
                            entry.update(panning(browser, html))
                        else:
                            entry.update(readable(browser, html))
                        row[who] = entry
                    result[name] = row
                    print(name, json.dumps(row), flush=True)
            finally:
                browser.close()
        if not args.quick:
            result["engines_10k_50k"] = engines(dataset(10_000, 50_000))
            print("engines", json.dumps(result["engines_10k_50k"]))
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "layout.json").write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
