"""Benchmark of the snapshot's map and timeline (issue 13), against the page without them, in one run.

    python bench/bench_geo.py            # 10k entities / 50k relations, 5k located, 20k with stated dates
    python bench/bench_geo.py --quick    # 2k / 10k, 1k located, 4k dated: a smoke run

Targets (the issue's): `kg viz` writes the file in at most 3 s and the graph's first frame stays within
3 s; opening the map and opening the timeline each take at most 2 s, in headless Chromium.

(a) `kg viz DATA --out FILE` end to end (a fresh process), best of --repeat (wall and CPU); and, in one process,
    from the in-memory graph to the file, with the map and timeline and without them (the page's
    geo field left out: viz.snapshot.geo_payload replaced by a stub for that run).
(b) headless Chromium (/usr/bin/chromium) from file://: the graph's first frame of the page, and of
    the same page with the map and timeline taken out (their scripts, styles and the world's
    outlines removed from the HTML); then, on the full page, a click on the Map tab until the map
    is built and has drawn (two animation frames after api.map.ready), and the same for the
    Timeline tab. Requests other than the file are recorded (there must be none).

(e) with --baseline DIR (a checkout of an earlier version, e.g. ``git worktree add /tmp/old HEAD``): DIR's
    `kg viz` on the same data, each run right after ours, and its page in the same Chromium, alternating with
    ours (the best of two each), so both see the same load.

Data: bench/generate.py (deterministic), then coordinates given to exactly --located entities
(sites and places first, then events) and stated dates (valid_from) to exactly --dated relations.
Prints a table and writes bench/results/geo.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_viz import ours_cli  # noqa: E402
from generate import generate  # noqa: E402

import viz.snapshot as snapshot  # noqa: E402
from graph.build import build_graph  # noqa: E402
from loaders import load_facts  # noqa: E402
from tests.browser import launch_chromium, wait_until  # noqa: E402

RESULTS = ROOT / "bench" / "results"
DATA = ROOT / "bench" / "data"
TARGETS = {"write_s": 3.0, "first_frame_s": 3.0, "open_map_s": 2.0, "open_timeline_s": 2.0}
GEO_SLOTS = ("TIMELINE_LIB", "LEAFLET_LIB", "CLUSTER_LIB", "MAP_JS", "TIMELINE_JS")


def dataset(n_entities: int, n_relations: int, located: int, dated: int) -> Path:
    """The generated dataset with exactly ``located`` entities placed and ``dated`` relations dated."""
    folder = DATA / f"geo-{n_entities}-{n_relations}-{located}-{dated}"
    if (folder / "bench.relations.jsonl").exists():
        return folder
    generate(n_entities, n_relations, folder, seed=0)
    dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    ents = [json.loads(line) for line in (folder / "bench.entities.jsonl").read_text(encoding="utf-8").splitlines()]
    order = sorted(range(len(ents)), key=lambda i: ({"Site": 0, "Place": 0, "Event": 1}.get(ents[i]["type"], 2), i))
    chosen = set(order[:located])
    for i, e in enumerate(ents):
        if i in chosen:
            # Spread over the Levant, deterministic; keep the generator's own coordinates where given.
            e.setdefault("lat", round(29.0 + (i * 7919 % 8500) / 1000, 5))
            e.setdefault("lon", round(35.0 + (i * 104729 % 13000) / 1000, 5))
            e.setdefault("geo_precision", "exact" if e["type"] == "Site" else "town")
        else:
            for k in ("lat", "lon", "geo_precision"):
                e.pop(k, None)
    (folder / "bench.entities.jsonl").write_text("".join(dumps(e) + "\n" for e in ents), encoding="utf-8")
    rels = [json.loads(line) for line in (folder / "bench.relations.jsonl").read_text(encoding="utf-8").splitlines()]
    for j, r in enumerate(rels):
        if j < dated:
            r.setdefault("valid_from", f"{2012 + j % 12}-{1 + j % 12:02d}")
            if r.get("valid_to") and r["valid_to"] < r["valid_from"]:
                del r["valid_to"]
        else:
            r.pop("valid_from", None)
            r.pop("valid_to", None)
    (folder / "bench.relations.jsonl").write_text("".join(dumps(r) + "\n" for r in rels), encoding="utf-8")
    return folder


def best(times: list[float]) -> float:
    return round(min(times), 3)


def in_process(G, out: Path, repeat: int, *, geo: bool) -> dict:
    real = snapshot.geo_payload
    if not geo:
        snapshot.geo_payload = lambda *a, **k: None
    try:
        times = []
        for _ in range(repeat):
            t = time.perf_counter()
            snapshot.write_snapshot(G, out, title="bench", context=G)
            times.append(time.perf_counter() - t)
    finally:
        snapshot.geo_payload = real
    return {"best_s": best(times), "mb": round(out.stat().st_size / 1e6, 2)}


def without_geo(html: str) -> str:
    """The same page minus the map and the timeline: their scripts, styles and the world's outlines."""
    parts, _ = snapshot._page_parts()
    for slot in GEO_SLOTS:
        html = html.replace(f"<script>{parts[slot]}</script>", "<script></script>", 1)
    for name in snapshot.STYLES:  # the map's and the timeline's styles (inlined with the page's own)
        if name != "common.css":
            html = html.replace((snapshot.ASSETS / name).read_text(encoding="utf-8"), "", 1)
    html = re.sub(r'<script type="application/json" id="world-data">.*?</script>', "", html, count=1, flags=re.S)
    return html


# The view's object may be made only when its tab is first opened (the map is): click, then wait for it
# to be ready, and give up after a minute rather than hang.
FRAME = """async (view) => {
  const a = window.actorgraph;
  // timeline.js holds the tabs' handlers and loads after the graph's first frame: a click before it is lost.
  while (!a.timeline) await new Promise(r => setTimeout(r, 5));
  const t = performance.now();
  document.querySelector('#view-tabs [data-view=' + view + ']').click();
  while (!(a[view] && a[view].ready)) {
    if (performance.now() - t > 60000) throw new Error(view + ' not ready within 60 s');
    await new Promise(r => setTimeout(r, 5));
  }
  await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
  return performance.now() - t;
}"""


def measure_page(browser, html: Path, *, views: bool) -> dict:
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    page = context.new_page()
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    t0 = time.perf_counter()
    page.goto(html.resolve().as_uri(), wait_until="commit")
    wait_until(page, "window.actorgraph && window.actorgraph.firstFrame", 60)
    out = {
        "first_frame_wall_s": round(time.perf_counter() - t0, 3),
        "first_frame_in_page_ms": round(page.evaluate("window.actorgraph.timings.firstFrame")),
    }
    if views:
        out["open_map_s"] = round(page.evaluate(FRAME, "map") / 1000, 3)
        out["markers"] = page.evaluate("window.actorgraph.map.clustered()")
        out["open_timeline_s"] = round(page.evaluate(FRAME, "timeline") / 1000, 3)
        out["timeline_items"] = page.evaluate("window.actorgraph.timeline.items")
    out["requests_other_than_the_file"] = [
        u for u in requests if u != html.resolve().as_uri() and not u.startswith("data:")
    ]
    context.close()
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="smaller graphs, for a smoke run")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--baseline", type=Path, help="another checkout of the project to measure alongside (e)")
    args = ap.parse_args(argv)
    size = (2000, 10000, 1000, 4000) if args.quick else (10000, 50000, 5000, 20000)
    RESULTS.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="bench-geo-"))
    res: dict = {
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
        },
        "data": dict(zip(("entities", "relations", "located", "dated_relations"), size, strict=True)),
        "targets": TARGETS,
    }
    try:
        data = dataset(*size)
        full = work / "with.html"
        print(f"(a) kg viz on {size[0]:,} entities / {size[1]:,} relations ...", flush=True)
        res["a_cli_with_map_and_timeline"], base = ours_cli(data, full, args.repeat, args.baseline)
        if base:
            res["e_baseline_cli"] = {"tree": str(args.baseline), **base}
        G = build_graph(load_facts([data]))
        res["a_in_process_with"] = in_process(G, work / "in.html", args.repeat, geo=True)
        res["a_in_process_without"] = in_process(G, work / "out.html", args.repeat, geo=False)
        bare = work / "without.html"
        bare.write_text(without_geo(full.read_text(encoding="utf-8")), encoding="utf-8")
        res["a_page_mb_without"] = round(bare.stat().st_size / 1e6, 2)

        from playwright.sync_api import sync_playwright

        print("(b) headless Chromium ...", flush=True)
        with sync_playwright() as p:
            browser = launch_chromium(p)
            try:
                res["b_without"] = measure_page(browser, bare, views=False)
                res["b_with"] = measure_page(browser, full, views=True)
                if base:  # alternating, twice each: the best of each
                    base_full = full.with_name(f"{full.stem}-baseline{full.suffix}")
                    pages = {"ours": [res["b_with"]], "baseline": []}
                    for _ in range(2):
                        pages["baseline"].append(measure_page(browser, base_full, views=True))
                        if len(pages["ours"]) < 2:
                            pages["ours"].append(measure_page(browser, full, views=True))
                    best = {k: min(v, key=lambda m: m["first_frame_wall_s"]) for k, v in pages.items()}
                    res["b_with"], res["e_baseline_with"] = best["ours"], best["baseline"]
            finally:
                browser.close()
    finally:
        res["machine"]["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
        shutil.rmtree(work, ignore_errors=True)
    res["met"] = {
        "write_s": res["a_cli_with_map_and_timeline"]["best_s"] <= TARGETS["write_s"],
        "first_frame_s": res["b_with"]["first_frame_wall_s"] <= TARGETS["first_frame_s"],
        "open_map_s": res["b_with"]["open_map_s"] <= TARGETS["open_map_s"],
        "open_timeline_s": res["b_with"]["open_timeline_s"] <= TARGETS["open_timeline_s"],
    }
    (RESULTS / "geo.json").write_text(json.dumps(res, indent=2) + "\n", encoding="utf-8")
    a, w, wo = res["a_cli_with_map_and_timeline"], res["b_with"], res["b_without"]
    print(
        f"kg viz end to end: {a['best_s']} s, {a['cpu_best_s']} s of CPU ({a['file_mb']} MB); from the graph: "
        f"{res['a_in_process_with']['best_s']} s with map and timeline, "
        f"{res['a_in_process_without']['best_s']} s without"
    )
    print(f"first frame: {w['first_frame_wall_s']} s with, {wo['first_frame_wall_s']} s without")
    print(
        f"open the map: {w['open_map_s']} s ({w['markers']:,} markers); "
        f"open the timeline: {w['open_timeline_s']} s ({w['timeline_items']:,} items)"
    )
    print("targets met: " + ", ".join(f"{k} {'yes' if v else 'NO'}" for k, v in res["met"].items()))
    if "e_baseline_cli" in res:
        e, ep = res["e_baseline_cli"], res["e_baseline_with"]
        print(
            f"baseline {e['tree']}: kg viz {e['best_s']} s, {e['cpu_best_s']} s of CPU; "
            f"first frame {ep['first_frame_wall_s']} s; open the map {ep['open_map_s']} s, "
            f"the timeline {ep['open_timeline_s']} s"
        )
    print(f"requests other than the file: {w['requests_other_than_the_file'] + wo['requests_other_than_the_file']}")
    print(f"wrote {RESULTS / 'geo.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
