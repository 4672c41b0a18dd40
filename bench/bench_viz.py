"""Benchmark of `kg viz` against the naive pyvis way, in one run.

    python bench/bench_viz.py                 # 10k entities / 50k relations (+ 1k / 5k for the page comparison)
    python bench/bench_viz.py --quick         # 2k / 10k and 500 / 2.5k: a smoke run
    python bench/bench_viz.py --baseline DIR  # also DIR's kg viz (another checkout), runs alternating

(a) ours: `kg viz DATA --out FILE` end to end (a fresh process: imports, validation, graph,
    layout, HTML), best and median of --repeat runs; plus, in one process, the part that
    starts from the in-memory graph (layout + HTML + write).
(b) the naive baseline from the same in-memory graph: a loop of pyvis Network.add_node /
    add_edge (directed) then write_html. add_edge checks both ends with `in get_nodes()`,
    a list scan, so the loop is quadratic. Ratio = (b) / (a, from the graph).
(c) headless Chromium (/usr/bin/chromium) opening our snapshot from file://: time to the
    first frame (the page sets window.actorgraph.firstFrame on vis-network's first
    `afterDrawing`), then responsiveness: round trip of a trivial page.evaluate, a real
    click on a node until the details panel shows it, long tasks after the first frame.
(d) pyvis's default output (physics on, stabilisation) for the small graph: its CDN URLs
    (vis-network JS/CSS on cdnjs) are routed with page.route to pyvis's own local copies,
    Bootstrap (jsdelivr; pyvis ships no copy) gets an empty 200 response, and the page's
    subresource-integrity hashes are dropped (pyvis's copy of vis-network is not
    byte-identical to cdnjs's, so the browser would refuse it). Chromium does not
    route the subresources of a file:// page, so the page itself is served from disk through
    the same route under a fake http origin. Measured: the first `afterDrawing`, the end of
    stabilisation, and long tasks.
    Our snapshot of the same small graph is measured alongside.

(e) with --baseline DIR (a checkout of an earlier version, e.g. ``git worktree add /tmp/old HEAD``):
    DIR's `kg viz` on the same data and its page in the same Chromium, each run alternating
    with ours, so both see the same load; CPU time (user + sys) of the CLI is reported too,
    as the wall time of a loaded machine says more about its neighbours than about us.

Datasets come from bench/generate.py (deterministic; cached under bench/data/).
Prints a table and writes bench/results/viz.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
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
from graph.schema import REGISTRY  # noqa: E402
from loaders import load_facts  # noqa: E402
from tests.browser import launch_chromium, wait_until  # noqa: E402
from viz.snapshot import write_snapshot  # noqa: E402

RESULTS = ROOT / "bench" / "results"
DATA = ROOT / "bench" / "data"


def pyvis_lib() -> Path:
    """pyvis's own copies of its front-end files (imported when needed: bench_geo uses this module without it)."""
    return Path(__import__("pyvis").__file__).parent / "templates" / "lib"


# In every page: long tasks and CSP violations, recorded from the start.
OBSERVE = """
window.__longtasks = [];
try {
  new PerformanceObserver(l => { for (const e of l.getEntries()) window.__longtasks.push([e.startTime, e.duration]); })
    .observe({type: 'longtask', buffered: true});
} catch (e) {}
"""
# pyvis's page keeps its network in a global `var network`: catch the assignment.
HOOK_PYVIS = (
    OBSERVE
    + """
window.__marks = {};
let __net;
Object.defineProperty(window, 'network', { configurable: true,
  get() { return __net; },
  set(v) {
    __net = v; window.__marks.created = performance.now();
    v.once('afterDrawing', () => { window.__marks.firstFrame = performance.now(); });
    v.once('stabilizationIterationsDone', () => { window.__marks.stabilizationDone = performance.now(); });
    v.once('stabilized', () => { window.__marks.stabilized = performance.now(); });
  } });
"""
)


def dataset(n_entities: int, n_relations: int) -> Path:
    folder = DATA / f"viz-{n_entities}-{n_relations}"
    if not (folder / "bench.relations.jsonl").exists():
        generate(n_entities, n_relations, folder, seed=0)
    return folder


def timed(fn, *args, **kwargs):
    t = time.perf_counter()
    out = fn(*args, **kwargs)
    return out, time.perf_counter() - t


# -- (a) ours ------------------------------------------------------------------------------


def cli_run(data: Path, out: Path, tree: Path = ROOT) -> tuple[float, float]:
    """One `kg viz` of ``tree`` (its packages first on the path: it runs from there): wall and CPU seconds."""
    before = os.times()
    t = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "kg", "viz", str(data.resolve()), "--out", str(out.resolve())],
        check=True,
        capture_output=True,
        cwd=tree,
    )
    wall = time.perf_counter() - t
    after = os.times()
    return wall, (after.children_user - before.children_user) + (after.children_system - before.children_system)


def ours_cli(data: Path, out: Path, repeat: int, baseline: Path | None = None) -> tuple[dict, dict | None]:
    """`kg viz` end to end, ``repeat`` times; with ``baseline``, that tree's too (into ``out``-baseline), each run
    right after ours, so both see the same load."""
    base_out = out.with_name(f"{out.stem}-baseline{out.suffix}")
    runs: dict[Path, list[tuple[float, float]]] = {ROOT: [], **({baseline: []} if baseline else {})}
    for _ in range(repeat):
        for tree in runs:
            runs[tree].append(cli_run(data, out if tree == ROOT else base_out, tree))

    def summary(rs: list[tuple[float, float]], html: Path) -> dict:
        walls, cpus = [w for w, _ in rs], [c for _, c in rs]
        return {
            "best_s": round(min(walls), 3),
            "median_s": round(statistics.median(walls), 3),
            "runs_s": [round(t, 3) for t in walls],
            "cpu_best_s": round(min(cpus), 3),
            "cpu_median_s": round(statistics.median(cpus), 3),
            "file_mb": round(html.stat().st_size / 1e6, 2),
        }

    return summary(runs[ROOT], out), (summary(runs[baseline], base_out) if baseline else None)


def ours_in_process(data: Path, out: Path, repeat: int):
    facts, t_load = timed(load_facts, [data])
    G, t_build = timed(build_graph, facts)
    renders = [timed(write_snapshot, G, out, title=f"actorgraph: synthetic {data.name}")[1] for _ in range(repeat)]
    return G, {
        "load_validate_s": round(t_load, 3),
        "build_graph_s": round(t_build, 3),
        "graph_to_file_best_s": round(min(renders), 3),
        "graph_to_file_median_s": round(statistics.median(renders), 3),
    }


# -- (b) the naive pyvis baseline ------------------------------------------------------------


def pyvis_network(G, **kwargs):
    """The obvious pyvis code: one add_node / add_edge call per item, title strings, colour by type."""
    from pyvis.network import Network

    net = Network(height="800px", width="100%", directed=True, **kwargs)
    style = {t["type"]: t for t in REGISTRY.legend()}
    sources = G.graph["sources"]
    for n, d in G.nodes(data=True):
        t = style[d["type"]]
        net.add_node(
            n,
            label=d["name"],
            color=t["color"],
            shape=t["shape"],
            title=f"{d['name']} ({d['type']})\nAlso: {', '.join(d['aliases'])}",
        )
    for u, v, k, d in G.edges(keys=True, data=True):
        title = "\n".join(
            f"{ev['quote']} ({sources[ev['source']]['title']}, {ev['credibility']})" for ev in d["evidence"]
        )
        net.add_edge(u, v, label=k, title=title)
    return net


def pyvis_write(G, folder: Path) -> tuple[Path, float]:
    """Build and write pyvis's default page in ``folder``.

    Its default cdn_resources='local' copies lib/ into the cwd.
    """
    folder.mkdir(parents=True, exist_ok=True)
    cwd = os.getcwd()
    os.chdir(folder)
    try:
        t = time.perf_counter()
        net = pyvis_network(G)
        net.write_html("pyvis.html")
        return folder / "pyvis.html", time.perf_counter() - t
    finally:
        os.chdir(cwd)


# -- (c), (d) in Chromium --------------------------------------------------------------------


def poll(page, expr: str, timeout: float = 60.0):
    """page.evaluate until truthy (wait_for_function needs eval, which our page's CSP forbids)."""
    return wait_until(page, expr, timeout)


def long_tasks(page, after: float) -> dict:
    tasks = page.evaluate("window.__longtasks")
    later = [d for s, d in tasks if s + d > after]
    return {
        "long_tasks_after_first_frame": len(later),
        "longest_task_after_first_frame_ms": round(max(later, default=0.0)),
        "longest_task_before_first_frame_ms": round(max((d for s, d in tasks if s + d <= after), default=0.0)),
    }


def measure_ours(browser, html: Path) -> dict:
    context = browser.new_context(viewport={"width": 1400, "height": 860})
    page = context.new_page()
    requests = []
    page.on("request", lambda r: requests.append(r.url))
    page.add_init_script(OBSERVE)
    # CPU time of the page's main thread (Chromium's ThreadTime metric): what a loaded machine does not disturb.
    cdp = context.new_cdp_session(page)
    cdp.send("Performance.enable")
    t0 = time.perf_counter()
    page.goto(html.resolve().as_uri(), wait_until="commit")
    poll(page, "window.actorgraph && window.actorgraph.firstFrame")
    wall = time.perf_counter() - t0
    metrics = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
    timings = page.evaluate("window.actorgraph.timings")
    _, rtt = timed(page.evaluate, "1")
    # A real click on the best-connected node, until the details panel shows an entity.
    target = page.evaluate("""() => { const a = window.actorgraph, n = a.network,
        deg = new Array(a.data.nodes.length).fill(0);
        a.data.edges.forEach(e => { deg[e.from]++; deg[e.to]++; });
        const order = deg.map((d, i) => i).sort((x, y) => deg[y] - deg[x] || x - y);
        const r = document.getElementById('network').getBoundingClientRect();
        for (const i of order) {
          const p = n.canvasToDOM(n.getPositions([i])[i]);
          if (n.getNodeAt(p) === i) return {i, name: a.data.nodes[i].name, x: r.left + p.x, y: r.top + p.y};
        } }""")
    t = time.perf_counter()
    page.mouse.click(target["x"], target["y"])
    # (vis-network picks the topmost node under the pointer, which may be a neighbour drawn over it)
    poll(page, "!!document.querySelector('#details h3')")
    click = time.perf_counter() - t
    page.wait_for_timeout(500)
    out = {
        "first_frame_wall_s": round(wall, 3),
        "first_frame_in_page_ms": round(timings["firstFrame"]),
        # (read as the first frame is seen: may include a little of the work deferred until after it)
        "main_thread_cpu_to_first_frame_ms": round(metrics.get("ThreadTime", 0) * 1000),
        "page_phases_ms": {k: round(v) for k, v in timings.items()},
        "evaluate_round_trip_after_first_frame_ms": round(rtt * 1000, 1),
        "click_to_details_ms": round(click * 1000),
        "requests_other_than_the_file": [
            u for u in requests if u != html.resolve().as_uri() and not u.startswith("data:")
        ],
        "physics": page.evaluate("window.actorgraph.network.physics.physicsEnabled"),
    }
    out.update(long_tasks(page, timings["firstFrame"]))
    context.close()
    return out


def measure_pyvis(browser, html: Path, settle: float = 20.0, timeout: float = 900.0) -> dict:
    context = browser.new_context(viewport={"width": 1400, "height": 860})
    page = context.new_page()
    routed = []
    origin = "http://pyvis.invalid/"

    def route(r):
        url = r.request.url
        if url.startswith(origin):  # the page and its lib/ folder, from disk
            path = html.parent / url[len(origin) :]
            if path.suffix == ".html":
                # pyvis's local vis-network is not byte-identical to cdnjs's: drop the SRI hashes.
                r.fulfill(
                    body=re.sub(r'\s+integrity="[^"]*"', "", path.read_text(encoding="utf-8")), content_type="text/html"
                )
            else:
                r.fulfill(path=str(path), content_type="text/javascript")
            return
        routed.append(url)
        if "vis-network" in url and url.endswith(".js"):
            r.fulfill(path=str(pyvis_lib() / "vis-9.1.2" / "vis-network.min.js"), content_type="text/javascript")
        elif "vis-network" in url and url.endswith(".css"):
            r.fulfill(path=str(pyvis_lib() / "vis-9.1.2" / "vis-network.css"), content_type="text/css")
        else:  # Bootstrap: not shipped with pyvis; an empty stylesheet / script
            r.fulfill(status=200, body="", content_type="text/css" if url.endswith(".css") else "text/javascript")

    # Chromium does not route subresources of a file:// page, so the page comes from a routed
    # origin instead; every byte is served from disk, nothing leaves the machine.
    page.route("**/*", route)
    page.add_init_script(HOOK_PYVIS)
    t0 = time.perf_counter()
    page.goto(origin + html.name, wait_until="commit")
    try:
        poll(page, "window.__marks && window.__marks.firstFrame", timeout=timeout)
    except TimeoutError:  # (a loaded machine): said, and the rest of the run kept
        context.close()
        return {
            "first_frame_wall_s": None,
            "not_drawn_within_s": timeout,
            "physics": True,
            "routed_cdn_requests": routed,
        }
    wall = time.perf_counter() - t0
    _, rtt = timed(page.evaluate, "1")
    deadline = time.monotonic() + settle
    while time.monotonic() < deadline and not page.evaluate("window.__marks.stabilized"):
        time.sleep(0.05)
    marks = page.evaluate("window.__marks")
    out = {
        "first_frame_wall_s": round(wall, 3),
        "first_frame_in_page_ms": round(marks["firstFrame"]),
        "stabilization_iterations_done_ms": round(marks.get("stabilizationDone", 0)) or None,
        "stabilized_ms": round(marks["stabilized"]) if marks.get("stabilized") else f"not within {settle:g} s",
        "loading_overlay": page.evaluate("!!document.getElementById('loadingBar')"),
        "evaluate_round_trip_after_first_frame_ms": round(rtt * 1000, 1),
        "physics": True,
        "routed_cdn_requests": routed,
    }
    out.update(long_tasks(page, marks["firstFrame"]))
    context.close()
    return out


# -- report --------------------------------------------------------------------------------


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="smaller graphs, for a smoke run")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--baseline", type=Path, help="another checkout of the project to measure alongside (e)")
    ap.add_argument(
        "--pyvis-timeout", type=float, default=900.0, metavar="S", help="give up on pyvis's page after S seconds (d)"
    )
    args = ap.parse_args(argv)
    big = (2000, 10000) if args.quick else (10000, 50000)
    small = (500, 2500) if args.quick else (1000, 5000)
    RESULTS.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="bench-viz-"))
    res = {
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
        },
        "big": {"entities": big[0], "relations": big[1]},
        "small": {"entities": small[0], "relations": small[1]},
    }
    try:
        data_big, data_small = dataset(*big), dataset(*small)
        ours_html = work / "ours-big.html"
        print(f"(a) kg viz on {big[0]:,} entities / {big[1]:,} relations ...", flush=True)
        res["a_ours_cli"], baseline = ours_cli(data_big, ours_html, args.repeat, args.baseline)
        if baseline:
            res["e_baseline_cli"] = {"tree": str(args.baseline), **baseline}
        G, inproc = ours_in_process(data_big, ours_html, args.repeat)
        res["a_ours_in_process"] = inproc
        print("(b) naive pyvis loop on the same graph ...", flush=True)
        _, t_pyvis = pyvis_write(G, work / "pyvis-big")
        res["b_pyvis_loop_s"] = round(t_pyvis, 3)
        res["b_ratio_vs_graph_to_file"] = round(t_pyvis / inproc["graph_to_file_best_s"], 1)
        res["b_ratio_vs_cli_end_to_end"] = round(t_pyvis / res["a_ours_cli"]["best_s"], 1)

        G_small = build_graph(load_facts([data_small]))
        ours_small = write_snapshot(G_small, work / "ours-small.html", title="small")
        pyvis_small, t_small = pyvis_write(G_small, work / "pyvis-small")
        res["d_pyvis_small_write_s"] = round(t_small, 3)

        from playwright.sync_api import sync_playwright

        print("(c, d) headless Chromium ...", flush=True)
        with sync_playwright() as p:
            browser = launch_chromium(p)
            try:
                res["c_ours_big_page"] = measure_ours(browser, ours_html)
                if baseline:  # alternating, twice each: the best of each
                    base_html = ours_html.with_name(f"{ours_html.stem}-baseline{ours_html.suffix}")
                    pages = {"ours": [res["c_ours_big_page"]], "baseline": []}
                    for _ in range(2):
                        pages["baseline"].append(measure_ours(browser, base_html))
                        if len(pages["ours"]) < 2:
                            pages["ours"].append(measure_ours(browser, ours_html))
                    best = {k: min(v, key=lambda m: m["first_frame_wall_s"]) for k, v in pages.items()}
                    res["c_ours_big_page"] = best["ours"]
                    res["e_baseline_big_page"] = best["baseline"]
                res["c_ours_small_page"] = measure_ours(browser, ours_small)
                res["d_pyvis_small_page"] = measure_pyvis(browser, pyvis_small, timeout=args.pyvis_timeout)
            finally:
                browser.close()
    finally:
        res["machine"]["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
        shutil.rmtree(work, ignore_errors=True)
    (RESULTS / "viz.json").write_text(json.dumps(res, indent=2) + "\n", encoding="utf-8")
    print_table(res)
    print(f"\nwrote {RESULTS / 'viz.json'}")
    return 0


def print_table(r: dict) -> None:
    b, s = r["big"], r["small"]
    cb, cs, ps = r["c_ours_big_page"], r["c_ours_small_page"], r["d_pyvis_small_page"]
    rows = [
        (f"write the file, {b['entities']:,} / {b['relations']:,}", "", ""),
        (
            "  kg viz end to end (fresh process), best / median",
            f"{r['a_ours_cli']['best_s']:.2f} / {r['a_ours_cli']['median_s']:.2f} s",
            "",
        ),
        (
            "  from the in-memory graph (layout + HTML), best",
            f"{r['a_ours_in_process']['graph_to_file_best_s']:.2f} s",
            f"{r['b_pyvis_loop_s']:.2f} s",
        ),
        (
            "  ratio pyvis loop / ours (from the graph; end to end)",
            f"{r['b_ratio_vs_graph_to_file']:.0f}x; {r['b_ratio_vs_cli_end_to_end']:.1f}x",
            "",
        ),
        (
            f"first frame in Chromium, {b['entities']:,} / {b['relations']:,}",
            f"{cb['first_frame_wall_s']:.2f} s",
            "n/a",
        ),
        (
            "  then: evaluate round trip / click -> details",
            f"{cb['evaluate_round_trip_after_first_frame_ms']:.0f} ms / {cb['click_to_details_ms']} ms",
            "",
        ),
        ("  longest task after the first frame", f"{cb['longest_task_after_first_frame_ms']} ms", ""),
        (
            f"first frame in Chromium, {s['entities']:,} / {s['relations']:,}",
            f"{cs['first_frame_wall_s']:.2f} s",
            f"{ps['first_frame_wall_s']:.2f} s"
            if ps["first_frame_wall_s"] is not None
            else f"not within {ps['not_drawn_within_s']:g} s",
        ),
        (
            "  physics / stabilised at",
            "off / -",
            f"on / {ps.get('stabilized_ms')} ms"
            if isinstance(ps.get("stabilized_ms"), int)
            else f"on / {ps.get('stabilized_ms', '-')}",
        ),
        (
            "  longest task after the first frame",
            f"{cs['longest_task_after_first_frame_ms']} ms",
            f"{ps.get('longest_task_after_first_frame_ms', '-')} ms",
        ),
        (
            "  network requests",
            f"{len(cs['requests_other_than_the_file'])}",
            f"{len(ps['routed_cdn_requests'])} (CDN, routed locally)",
        ),
    ]
    w = max(len(a) for a, _, _ in rows)
    print(f"\n{'':{w}}  {'ours':>22}  {'pyvis':>26}")
    for a, o, p in rows:
        print(f"{a:{w}}  {o:>22}  {p:>26}")
    if "e_baseline_cli" in r:
        o, eb, ep = r["a_ours_cli"], r["e_baseline_cli"], r["e_baseline_big_page"]
        print(f"\nagainst {eb['tree']} in the same run ({b['entities']:,} / {b['relations']:,}):   ours  /  baseline")
        print(f"  kg viz end to end, best wall       {o['best_s']:6.2f} / {eb['best_s']:6.2f} s")
        print(f"  kg viz end to end, best CPU        {o['cpu_best_s']:6.2f} / {eb['cpu_best_s']:6.2f} s")
        print(
            f"  first frame in Chromium (wall)     {cb['first_frame_wall_s']:6.2f} / {ep['first_frame_wall_s']:6.2f} s"
        )
        print(
            f"  first frame, main-thread CPU       {cb['main_thread_cpu_to_first_frame_ms'] / 1000:6.2f} / "
            f"{ep['main_thread_cpu_to_first_frame_ms'] / 1000:6.2f} s"
        )
        print(
            f"  longest task before the 1st frame  {cb['longest_task_before_first_frame_ms']:6} / "
            f"{ep['longest_task_before_first_frame_ms']:6} ms"
        )
        print(
            f"  longest task after the 1st frame   {cb['longest_task_after_first_frame_ms']:6} / "
            f"{ep['longest_task_after_first_frame_ms']:6} ms"
        )
    m = r["machine"]
    print(
        f"({m['cpus']} CPUs; load average {m['load_average_at_start'][0]} at start, "
        f"{m['load_average_at_end'][0]} at end)"
    )


if __name__ == "__main__":
    sys.exit(main())
