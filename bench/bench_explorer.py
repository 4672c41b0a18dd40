"""Benchmark: the browser explorer (`kg serve`) at benchmark scale, through HTTP and a real browser.

    python bench/bench_explorer.py                          # 100k entities, 1M relations
    python bench/bench_explorer.py --entities 10000 --relations 100000

1. A Neo4j server of its own (graph.neo4j.server) whose data stays in
   bench/data/neo4j-explorer-<size>, holding the dataset of bench/generate.py as
   dataset "bench" (loaded with the loader, as `kg load` does; later runs skip it).
2. `kg serve` in a child process on a free loopback port.
3. Search suggestions as a person types: every prefix (2+ characters) of sampled
   names and aliases, GET /api/search, one request at a time on one keep-alive
   connection. Target: p95 < 100 ms.
4. Neighbourhood expansion: POST /api/expand (limit 100, 50 entities already on
   screen) for sampled entities, a tenth of them the biggest hubs, every other one
   with filters (as-of date, reliability). Target: p95 < 200 ms.
5. Headless Chromium opens a link to a 2,000-node view (``#sel=HUB&lim=2000``):
   time to draw and place it, then how responsive the page stays (round trips of a
   trivial evaluate, frame intervals while zooming and panning and while dragging a
   node, time to select a node), and an expansion with those 2,000 nodes on screen
   (new nodes placed by the server around them: POST /api/place).
6. Placement (POST /api/place, viz.layout.layout_around): 100 new nodes placed around
   100, 500 and 2,000 nodes on screen (a scale-free view laid out as the snapshot does),
   the request's round trip and the server's own time. ``--parts place`` runs only this,
   on an explorer app in this process: no Neo4j needed (the route reads nothing).

Prints the figures and writes bench/results/explorer.json. Warm-up requests
(20 of each kind) are not counted.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))

from signals import stop_cleanly_on_sigterm  # noqa: E402

from tests.browser import CHROMIUM, CHROMIUM_ARGS  # noqa: E402

SEARCH_TARGET_MS = 100.0
EXPAND_TARGET_MS = 200.0
VIEW_NODES = 2000


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def pct(values: list[float], p: float) -> float:
    s = sorted(values)
    if not s:
        return float("nan")
    k = (len(s) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(s) - 1)
    return round(s[lo] + (s[hi] - s[lo]) * (k - lo), 2)


def summary(values: list[float], target: float | None = None) -> dict:
    out = {
        "n": len(values),
        "p50_ms": pct(values, 50),
        "p95_ms": pct(values, 95),
        "p99_ms": pct(values, 99),
        "max_ms": round(max(values), 2),
        "mean_ms": round(statistics.fmean(values), 2),
    }
    if target is not None:
        out["target_p95_ms"] = target
        out["met"] = out["p95_ms"] < target
    return out


def log(msg: str) -> None:
    print(msg, flush=True)


# -- data and database ------------------------------------------------------------------


def ensure_data(data: Path, entities: int, relations: int, seed: int) -> None:
    if all(list(data.glob(f"*.{s}.jsonl")) for s in ("sources", "entities", "relations")):
        return
    from generate import generate

    log(f"generating {entities:,} entities, {relations:,} relations into {data} ...")
    generate(entities, relations, data, seed=seed)


def ensure_loaded(settings, data: Path, relations: int) -> dict:
    """Load the dataset unless Neo4j already holds it; returns what was done."""
    from graph.neo4j.connection import driver

    with driver(settings) as drv:
        held = drv.execute_query("MATCH ()-[r]->() RETURN count(r) AS n").records[0]["n"]
    if held >= relations:
        return {"loaded_now": False, "relations_in_db": held}
    from graph.neo4j.mapping import FactRows
    from graph.neo4j.writer import load_rows
    from loaders import load_facts

    log(f"loading {data} into Neo4j (once; kept in {settings.data_dir}) ...")
    t = time.perf_counter()
    rows = FactRows(load_facts([data]), "bench")
    with driver(settings, notifications_min_severity="OFF") as drv:  # a first load reads properties not there yet
        report = load_rows(drv, rows)
        held = drv.execute_query("MATCH ()-[r]->() RETURN count(r) AS n").records[0]["n"]
    seconds = round(time.perf_counter() - t, 1)
    log(f"  loaded in {seconds} s: {report}")
    return {"loaded_now": True, "load_s": seconds, "relations_in_db": held}


def samples(data: Path, rng: random.Random, n_names: int) -> tuple[list[str], list[str]]:
    """Typed prefixes of sampled names and aliases, and a sample of entity ids."""
    ents = []
    for path in sorted(data.glob("*.entities.jsonl")):
        with path.open("rb") as fh:
            for line in fh:
                ents.append(json.loads(line))
    names = []
    for e in rng.sample(ents, n_names):
        names.append(rng.choice([e["name"], *e.get("aliases", [])]))
    typed = [name[:k] for name in names for k in range(2, min(len(name), 12) + 1)]
    ids = [e["id"] for e in ents]
    return typed, ids


# -- the explorer -----------------------------------------------------------------------


class Explorer:
    def __init__(self, settings, port: int):
        env = dict(os.environ, NEO4J_URI=settings.uri, NEO4J_USER=settings.user, NEO4J_PASSWORD=settings.password)
        self.url = f"http://127.0.0.1:{port}"
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "kg", "serve", "--port", str(port)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            cwd=ROOT,
        )
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(self.url + "/api/meta", timeout=120).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if self.proc.poll() is not None or time.monotonic() > deadline:
                out = self.proc.stdout.read().decode(errors="replace") if self.proc.stdout else ""
                raise RuntimeError(f"kg serve did not come up: {out[-2000:]}")
            time.sleep(0.2)

    def close(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(15)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def bench_search(url: str, typed: list[str]) -> list[float]:
    times = []
    with httpx.Client(base_url=url, timeout=30) as c:
        for q in typed[:20]:  # warm-up
            c.get("/api/search", params={"q": q})
        for q in typed:
            t = time.perf_counter()
            r = c.get("/api/search", params={"q": q, "limit": 12})
            times.append((time.perf_counter() - t) * 1000)
            r.raise_for_status()
    return times


def bench_expand(
    url: str, ids: list[str], hubs: list[str], dates: list[str], rng: random.Random, n: int
) -> tuple[list[float], list[float], dict]:
    plain, filtered = [], []
    shown = {"neighbours": []}
    picks = [rng.choice(hubs) if i % 10 == 0 else rng.choice(ids) for i in range(n + 20)]
    with httpx.Client(base_url=url, timeout=60) as c:
        for i, eid in enumerate(picks):
            body = {"id": eid, "known": rng.sample(ids, 50), "limit": 100}
            if i % 2:
                body["filters"] = {"as_of": rng.choice(dates) if dates else None, "reliability_at_least": "C"}
            t = time.perf_counter()
            r = c.post("/api/expand", json=body)
            ms = (time.perf_counter() - t) * 1000
            r.raise_for_status()
            if i < 20:
                continue  # warm-up
            (filtered if i % 2 else plain).append(ms)
            shown["neighbours"].append(r.json()["shown"])
    return (
        plain,
        filtered,
        {
            "mean_neighbours_shown": round(statistics.fmean(shown["neighbours"]), 1),
            "max_neighbours_shown": max(shown["neighbours"]),
        },
    )


def top_hubs(settings, n: int) -> list[str]:
    from graph.neo4j.connection import driver

    with driver(settings) as drv:
        return [
            r["id"]
            for r in drv.execute_query(
                "MATCH (n:Entity) WITH n, COUNT { (n)--() } AS d ORDER BY d DESC LIMIT $n RETURN n.id AS id", n=n
            ).records
        ]


def view_roots(settings, want: int) -> list[str]:
    from graph.neo4j.connection import driver

    with driver(settings) as drv:
        rows = drv.execute_query(
            "MATCH (n:Entity) WITH n, COUNT { (n)--() } AS d ORDER BY d DESC LIMIT 20 RETURN n.id AS id, d"
        ).records
    roots, total = [], 0
    for r in rows:
        roots.append(r["id"])
        total += r["d"]
        if total >= want:
            break
    return roots


def bench_page(url: str, roots: list[str]) -> dict:
    from playwright.sync_api import sync_playwright

    def wait(page, expr, timeout=300.0):
        deadline = time.monotonic() + timeout
        while not page.evaluate(expr):
            if time.monotonic() > deadline:
                raise TimeoutError(expr)
            time.sleep(0.05)

    out: dict = {"roots": roots}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 860})
            t = time.perf_counter()
            page.goto(f"{url}/#sel={','.join(roots)}&lim={VIEW_NODES}")
            wait(page, "window.explorer && window.explorer.ready && window.explorer.idle()")
            out["open_and_settle_ms"] = round((time.perf_counter() - t) * 1000, 1)
            out["nodes"] = page.evaluate("window.explorer.nodes.length")
            out["edges"] = page.evaluate("window.explorer.edges.length")
            # A trivial evaluate: how long the page's main thread takes to answer.
            rtt = []
            for _ in range(100):
                t = time.perf_counter()
                page.evaluate("1")
                rtt.append((time.perf_counter() - t) * 1000)
            out["evaluate_rtt"] = summary(rtt)
            # A full redraw of every node and relation (what each frame costs when nothing is hidden).
            out["full_redraw_ms"] = page.evaluate("""() => {
                const r = window.explorer.network.renderer, ts = [];
                for (let i = 0; i < 7; i++) {
                    const t = performance.now(); r._redraw(); ts.push(performance.now() - t); }
                ts.sort((a, b) => a - b); return Math.round(ts[3] * 10) / 10; }""")
            # Frame intervals while a person zooms with the wheel and drags the view (real input events).
            page.evaluate("""() => { window.__frames = []; let last = performance.now(); window.__framing = true;
                const tick = (now) => { window.__frames.push(now - last); last = now;
                                        if (window.__framing) requestAnimationFrame(tick); };
                requestAnimationFrame(tick); }""")
            box = page.evaluate(
                "(() => { const r = document.getElementById('graph').getBoundingClientRect();"
                " return {x: r.left + r.width / 2, y: r.top + r.height / 2}; })()"
            )
            page.mouse.move(box["x"], box["y"])
            for i in range(16):
                page.mouse.wheel(0, -120 if i < 8 else 120)
                page.wait_for_timeout(60)
            page.mouse.down()
            for i in range(20):
                page.mouse.move(box["x"] + 10 * i, box["y"] + 5 * i)
                page.wait_for_timeout(30)
            page.mouse.up()
            page.wait_for_timeout(300)
            frames = page.evaluate("window.__framing = false; window.__frames.slice(1)")
            out["frame_interval_while_zooming_and_dragging"] = summary(frames)
            out["frames_per_second"] = round(1000 / statistics.fmean(frames), 1)
            # Selecting a node with a real click: the click handler and the details panel (one API call).
            node = page.evaluate("window.explorer.state.sel[0]")
            page.evaluate("id => window.explorer.focus(id, 1.2)", node)
            page.wait_for_timeout(200)
            pos = page.evaluate("id => window.explorer.domPosition(id)", node)
            t = time.perf_counter()
            page.mouse.click(pos["x"], pos["y"])
            wait(page, f"document.querySelector('#details').dataset.entity === {json.dumps(node)}", timeout=60)
            out["select_node_to_details_ms"] = round((time.perf_counter() - t) * 1000, 1)
            # Frame intervals while a person drags a node (real input events), the view at the whole view.
            page.evaluate("window.explorer.network.fit({animation: false})")
            page.wait_for_timeout(300)
            out["nodes_after_select"] = page.evaluate("window.explorer.nodes.length")
            dragged = page.evaluate("window.explorer.nodes.getIds().sort()[0]")
            pos = page.evaluate("id => window.explorer.domPosition(id)", dragged)
            page.evaluate("""() => { window.__frames = []; let last = performance.now(); window.__framing = true;
                const tick = (now) => { window.__frames.push(now - last); last = now;
                                        if (window.__framing) requestAnimationFrame(tick); };
                requestAnimationFrame(tick); }""")
            page.mouse.move(pos["x"], pos["y"])
            page.mouse.down()
            for i in range(30):
                page.mouse.move(pos["x"] + 6 * i, pos["y"] + 3 * i)
                page.wait_for_timeout(30)
            page.mouse.up()
            page.wait_for_timeout(300)
            frames = page.evaluate("window.__framing = false; window.__frames.slice(1)")
            out["frame_interval_while_dragging_a_node"] = summary(frames)
            out["frames_per_second_dragging_a_node"] = round(1000 / statistics.fmean(frames), 1)
            # An expansion with the 2,000 nodes on screen: the server places the new ones around them.
            page.evaluate("window.explorer.network.unselectAll()")
            before = page.evaluate("window.explorer.nodes.length")
            target = page.evaluate("""() => { const e = window.explorer, s = new Set(e.state.sel);
                return e.nodes.getIds().filter((id) => !s.has(id)).sort()[0]; }""")
            t = time.perf_counter()
            page.evaluate("id => { window.explorer.expand(id); }", target)
            wait(page, f"window.explorer.state.exp.includes({json.dumps(target)}) && window.explorer.idle()")
            out["expand_on_full_view"] = {
                "ms": round((time.perf_counter() - t) * 1000, 1),
                "nodes_before": before,
                "nodes_after": page.evaluate("window.explorer.nodes.length"),
                "placement": page.evaluate("window.explorer.placement()"),
            }
        finally:
            browser.close()
    return out


def place_request(on_screen: int, new: int = 100, seed: int = 0) -> dict:
    """A POST /api/place body: ``on_screen`` nodes of a scale-free view laid out as the snapshot does
    (with their labels), and ``new`` nodes to place, tied to hubs on screen and to one another."""
    from viz.layout import Box, layout

    rng = random.Random(seed)
    ends = [0, 1]
    pairs = [(0, 1)]
    for v in range(2, on_screen):
        for _ in range(2):
            u = rng.choice(ends)
            pairs.append((u, v))
            ends += [u, v]
    laid = layout(on_screen, pairs, boxes=[Box(-45, -12, 45, 32)] * on_screen).positions
    ids = [f"e{i}" for i in range(on_screen)]
    fresh = [f"n{i}" for i in range(new)]
    ties = [[ids[a], ids[b]] for a, b in pairs]
    hubs = sorted(range(on_screen), key=lambda i: -ends.count(i))[:3]
    ties += [[ids[hubs[k % 3]], f] for k, f in enumerate(fresh)]
    ties += [[fresh[k], fresh[k + 1]] for k in range(0, new - 1, 6)]
    labels = {n: f"Entity {n} of the bench" for n in ids + fresh}
    return {
        "positions": {ids[i]: [x, y] for i, (x, y) in enumerate(laid)},
        "nodes": fresh,
        "ties": ties,
        "labels": labels,
    }


def bench_place(url: str, sizes=(100, 500, 2000), repeat: int = 5) -> dict:
    """Round trip and server time of POST /api/place, 100 new nodes around each number of nodes on screen."""
    out = {}
    with httpx.Client(base_url=url, timeout=120) as c:
        for n in sizes:
            body = place_request(n)
            c.post("/api/place", json=body).raise_for_status()  # warm-up
            trips, server, cpu = [], [], []
            for _ in range(repeat):
                c0 = time.process_time()
                t = time.perf_counter()
                r = c.post("/api/place", json=body)
                trips.append((time.perf_counter() - t) * 1000)
                cpu.append((time.process_time() - c0) * 1000)
                r.raise_for_status()
                server.append(r.json()["elapsed_ms"])
            res = r.json()
            out[str(n)] = {
                "on_screen": n,
                "placed": len(res["positions"]),
                "overlaps": res["overlaps"],
                "request_bytes": len(json.dumps(body)),
                "round_trip": summary(trips),
                "server_ms_p50": pct(server, 50),
                # CPU of this process during a request: the server's too when it runs in this process (--parts place)
                "process_cpu_ms_p50": pct(cpu, 50),
            }
            log(
                f"place 100 around {n}: round trip p50 {pct(trips, 50)} ms, server {pct(server, 50)} ms, "
                f"CPU {pct(cpu, 50)} ms (load {os.getloadavg()[0]:.1f})"
            )
    return out


class InProcessExplorer:
    """The explorer app served by uvicorn in a thread of this process, for routes that read no database."""

    def __init__(self):
        import threading

        import uvicorn

        from viz.explorer.app import create_app
        from viz.explorer.config import ExplorerConfig

        port = free_port()
        self.url = f"http://127.0.0.1:{port}"
        self.server = uvicorn.Server(uvicorn.Config(create_app(ExplorerConfig()), port=port, log_level="warning"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("the in-process explorer did not start")
            time.sleep(0.05)

    def close(self) -> None:
        self.server.should_exit = True
        self.thread.join(10)


# -- main -------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    stop_cleanly_on_sigterm()
    ap = argparse.ArgumentParser(description="The explorer's API latency and page responsiveness at scale.")
    ap.add_argument("--entities", type=int, default=100_000)
    ap.add_argument("--relations", type=int, default=1_000_000)
    ap.add_argument("--data", type=Path, help="dataset folder (default: bench/data/<entities/1000>k)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--names", type=int, default=80, help="names whose prefixes are typed (~8 requests each)")
    ap.add_argument("--expansions", type=int, default=400)
    ap.add_argument(
        "--parts",
        default="search,expand,page,place",
        help="which measurements (default: all four; place alone needs no Neo4j)",
    )
    ap.add_argument("--keep-server", action="store_true", help="leave the bench Neo4j running afterwards")
    ap.add_argument("--results", type=Path, default=HERE / "results" / "explorer.json")
    args = ap.parse_args(argv)
    load_start = os.getloadavg()[0]
    if set(args.parts.split(",")) == {"place"}:
        return place_only(args, load_start)

    from graph.neo4j import server as neo4j_server
    from graph.neo4j.settings import get_settings

    data = args.data or HERE / "data" / f"{args.entities // 1000}k"
    ensure_data(data, args.entities, args.relations, args.seed)
    port = free_port()
    size = f"{args.entities // 1000}k-{args.relations // 1000}k"
    settings = get_settings(
        uri=f"bolt://127.0.0.1:{port}", server_port=port, data_dir=HERE / "data" / f"neo4j-explorer-{size}"
    )
    log(f"starting Neo4j on {settings.uri} (data {settings.data_dir}) ...")
    info = neo4j_server.start(settings=settings)
    settings = get_settings(uri=info["uri"], data_dir=settings.data_dir)  # with the password its first start made
    ours = not info["already_running"]
    if not ours:  # someone runs this data directory already: use it, leave it running
        settings = get_settings(uri=info["uri"], data_dir=settings.data_dir)
        log(f"  already running at {info['uri']}: using it")
    rng = random.Random(args.seed)
    result: dict = {}
    explorer = None
    try:
        load = ensure_loaded(settings, data, args.relations)
        typed, ids = samples(data, rng, args.names)
        explorer = Explorer(settings, free_port())
        meta = httpx.get(explorer.url + "/api/meta", timeout=120).json()
        hubs = top_hubs(settings, 20)
        log(f"explorer up at {explorer.url}: {meta['entities']:,} entities, {meta['relations']:,} relations")

        parts = set(args.parts.split(","))
        if "search" in parts:
            s = bench_search(explorer.url, typed)
            result["search"] = summary(s, SEARCH_TARGET_MS)
            log(f"search suggestions: {result['search']}")
        if "expand" in parts:
            plain, filtered, info = bench_expand(explorer.url, ids, hubs, meta["dates"], rng, args.expansions)
            result["expand"] = summary(plain + filtered, EXPAND_TARGET_MS)
            result["expand"]["unfiltered"] = summary(plain)
            result["expand"]["filtered"] = summary(filtered)
            result["expand"].update(info)
            log(f"neighbourhood expansion: {result['expand']}")
        if "place" in parts:
            result["place"] = bench_place(explorer.url)
        if "page" in parts:
            roots = view_roots(settings, VIEW_NODES)
            result["page"] = bench_page(explorer.url, roots)
            log(f"page with {result['page']['nodes']} nodes: {result['page']}")
    finally:
        if explorer:
            explorer.close()
        if ours and not args.keep_server:
            neo4j_server.stop(settings.data_dir, settings=settings)

    out = {
        "benchmark": "explorer",
        "when": time.strftime("%Y-%m-%dT%H:%M:%S"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "dataset": {
            "path": str(data),
            "entities": meta["entities"],
            "relations": meta["relations"],
            "seed": args.seed,
            **load,
        },
        "method": {
            "search": f"{len(typed)} typed prefixes of {args.names} names/aliases, sequential, keep-alive",
            "expand": f"{args.expansions} expansions, limit 100, 50 known, 1 in 10 a top-20 hub, "
            "every other one filtered (as_of + reliability_at_least C)",
            "page": f"link to a {VIEW_NODES}-node view in headless Chromium ({CHROMIUM})",
            "warmup": "20 requests of each kind, not counted",
            "notes": [
                "the machine (2 cores) is shared: load average at the start "
                f"{load_start:.1f}; figures vary run to run by tens of percent",
                "select_node_to_details_ms includes vis-network's double-click window (~300 ms)",
                "an expansion brings at most 1,000 relations besides the centre's own; a relation "
                "between two hubs (> 2,000 relations each) shows when one of them is expanded",
            ],
        },
        **result,
    }
    args.results.parent.mkdir(parents=True, exist_ok=True)
    args.results.write_text(json.dumps(out, indent=2) + "\n", encoding="utf-8")
    log(f"wrote {args.results}")
    return 0


def place_only(args, load_start: float) -> int:
    """``--parts place``: the placement figures alone, on an in-process explorer (no Neo4j)."""
    explorer = InProcessExplorer()
    try:
        place = bench_place(explorer.url)
    finally:
        explorer.close()
    out = {
        "benchmark": "explorer-place",
        "when": time.strftime("%Y-%m-%dT%H:%M:%S"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "method": {
            "place": "POST /api/place: 100 new nodes (tied to the three biggest hubs, and in chains of six) "
            "around 100, 500 and 2,000 nodes on screen laid out by viz.layout.layout; 5 timed requests "
            "after one warm-up, uvicorn in this process",
            "notes": [
                "the machine (2 cores) is shared: load average at the start "
                f"{load_start:.1f}, at the end {os.getloadavg()[0]:.1f}; figures vary run to run by tens of percent"
            ],
        },
        "place": place,
    }
    path = args.results.with_name("explorer-place.json") if args.results.name == "explorer.json" else args.results
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(out, indent=2) + "\n", encoding="utf-8")
    log(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
