"""Benchmark the Neo4j loader and the named queries on a synthetic graph.

    python bench/bench_neo4j.py                       # 100k entities, 1M relations
    python bench/bench_neo4j.py --entities 20000 --relations 200000 --query-samples 5   # a quick run

What it measures, on a fresh local Neo4j 5.26 started for the run (own port,
own data directory, removed afterwards unless --keep):

1. a one-query-per-fact loader (MERGE on id, one managed transaction per
   entity and per relation) on a 10k-relation sample, and the batched loader
   (`kg load`'s code) on the same sample;
2. the batched loader on the full dataset, end to end after validation
   (rows, hashes, state read, writes, deletions): relations per second;
3. a reload of the same unchanged files (must not take longer than the first load);
4. every named query of queries/ with parameters drawn from the data (entities
   of the right type, existing relations, sources, dates), each run warm,
   median / p90 / max over all runs;
5. the first load again on a second server started just for it, as an analyst
   runs `kg neo4j start` then `kg load` (the JVM still compiling; the main
   server had run the sample loads before); --skip-fresh leaves it out.

Prints a table and writes bench/results/neo4j.json. The dataset comes from
bench/generate.py (deterministic) and is cached under bench/data/.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import random
import shutil
import socket
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import neo4j  # noqa: E402
from generate import generate  # noqa: E402
from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402
from signals import stop_cleanly_on_sigterm  # noqa: E402

from graph.neo4j import server as neo4j_server  # noqa: E402
from graph.neo4j.connection import driver  # noqa: E402
from graph.neo4j.cypher import create_relations_cypher, merge_entities_cypher  # noqa: E402
from graph.neo4j.mapping import FactRows  # noqa: E402
from graph.neo4j.settings import get_settings  # noqa: E402
from graph.neo4j.writer import ensure_schema, load_rows, unload  # noqa: E402
from loaders import load_facts  # noqa: E402
from queries import library  # noqa: E402

console = Console()
RESULTS = ROOT / "bench" / "results" / "neo4j.json"
QUERY_BUDGET_MS = 50.0
EXEMPT = {"shortest_path"}  # the requirement leaves shortest path aside


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def dataset(entities: int, relations: int, seed: int) -> Path:
    out = ROOT / "bench" / "data" / f"neo4j-{entities}-{relations}-s{seed}"
    files = [out / f"bench.{s}.jsonl" for s in ("sources", "entities", "relations")]
    if not all(f.is_file() for f in files) or not (out / "complete").is_file():
        console.print(f"generating {entities} entities, {relations} relations into {out} ...")
        generate(entities, relations, out, seed=seed)
        (out / "complete").write_text("ok\n")
    return out


def timed(fn):
    began = time.perf_counter()
    value = fn()
    return value, time.perf_counter() - began


# --------------------------------------------------------------------------- loaders


NAIVE_RELATION = """MATCH (a:Entity {{id: $row.from}})
MATCH (b:Entity {{id: $row.to}})
MERGE (a)-[r:{type}]->(b)
SET r = $row.props"""


def naive_load(drv: neo4j.Driver, rows: FactRows) -> None:
    """One query per source, entity and relation: the batched loader's Cypher one row at a time
    (a relation finds its endpoints by id, as a loader without the batched one's element ids does)."""
    for row in rows.sources():
        drv.execute_query("MERGE (s:Source {id: $id}) SET s = $props", id=row["id"], props=row["props"])
    for label, row in rows.entities():
        cypher = merge_entities_cypher(label).replace("UNWIND $rows AS row\n", "WITH $row AS row\n")
        drv.execute_query(cypher, row=row)
    for rtype, row in rows.relations():
        create_relations_cypher(rtype)  # checks the type against the registry
        drv.execute_query(NAIVE_RELATION.format(type=rtype), row=row)


def count(drv: neo4j.Driver) -> tuple[int, int]:
    rec = drv.execute_query(
        "CALL () { MATCH (n) RETURN count(n) AS n } CALL () { MATCH ()-[r]->() RETURN count(r) AS r } RETURN n, r"
    ).records[0]
    return rec["n"], rec["r"]


# --------------------------------------------------------------------------- queries


def query_params(drv: neo4j.Driver, samples: int, seed: int) -> dict[str, list[dict]]:
    rnd = random.Random(seed)

    def ids(cypher: str) -> list[str]:
        found = [r[0] for r in drv.execute_query(cypher).records]
        return rnd.sample(found, min(samples, len(found)))

    groups = ids("MATCH (g:ArmedGroup) RETURN g.id")
    sites = ids("MATCH (s:Site) RETURN s.id")
    actors = ids("MATCH (a:Entity) WHERE a:ArmedGroup OR a:Government OR a:Organization RETURN a.id")
    campaigns = ids("MATCH (c:Campaign) RETURN c.id")
    people = ids("MATCH (p:Person) RETURN p.id")
    places = ids("MATCH (p:Place) RETURN p.id")
    anything = ids("MATCH (n:Entity) RETURN n.id")
    sources = ids("MATCH (s:Source) RETURN s.id")
    names = [
        r[0]
        for r in drv.execute_query(
            "MATCH (n:Entity) WHERE n.id IN $ids RETURN n.name", ids=ids("MATCH (n:Entity) RETURN n.id")
        ).records
    ]
    pairs = []
    for a in ids("MATCH (a:Entity) WHERE EXISTS { (a)-->() } RETURN a.id"):
        b = drv.execute_query("MATCH (:Entity {id: $a})-->(b:Entity) RETURN b.id LIMIT 1", a=a).records[0][0]
        pairs.append((a, b))
    dates = [f"{rnd.randint(2012, 2024)}-{rnd.randint(1, 12):02d}" for _ in range(samples)]

    def named(eid: str) -> str:
        # Analysts type names: pass the entity's name when it names only this entity, else its id.
        name = drv.execute_query("MATCH (n:Entity {id: $id}) RETURN n.name", id=eid).records[0][0]
        try:
            return name if library.resolve_entity(drv, name) == eid else eid
        except library.QueryError:
            return eid

    groups, sites, actors, campaigns, people, places, anything = (
        [named(i) for i in pool] for pool in (groups, sites, actors, campaigns, people, places, anything)
    )
    pairs = [(named(a), named(b)) for a, b in pairs]
    return {
        "leaders": [{"group": g} for g in groups],
        "members": [{"group": g} for g in groups],
        "sites": [{"group": g} for g in groups],
        "occupants": [{"site": s} for s in sites],
        "campaigns": [{"actor": a} for a in actors],
        "campaign_actors": [{"campaign": c} for c in campaigns],
        "backers": [{"actor": p} for p in people],
        "neighbourhood": [{"entity": e} for e in anything],
        "shortest_path": [{"from": a, "to": b} for a, b in zip(anything, people, strict=False)],
        "present_in": [{"place": p} for p in places],
        "network_as_of": [{"date": d} for d in dates],
        "from_source": [{"source": s} for s in sources],
        "evidence": [{"a": a, "b": b} for a, b in pairs],
        "weak_facts": [{} for _ in range(samples)],
        "find": [{"name": n} for n in names],
    }


def bench_queries(drv: neo4j.Driver, samples: int, repeat: int, seed: int) -> dict[str, dict]:
    params = query_params(drv, samples, seed)
    results = {}
    for name, query in library.load_library().items():
        cases = params.get(name)
        if not cases:
            console.print(f"[yellow]no parameters for {name}: not measured[/]")
            continue
        times, rows = [], []
        for raw in cases:
            library.run_named(drv, query, raw)  # warm: plan cache, page cache
            for _ in range(repeat):
                began = time.perf_counter()
                res = library.run_named(drv, query, raw)
                times.append((time.perf_counter() - began) * 1000)
                rows.append(len(res.rows))
        times.sort()
        results[name] = {
            "runs": len(times),
            "median_ms": round(statistics.median(times), 2),
            "p90_ms": round(times[int(0.9 * (len(times) - 1))], 2),
            "max_ms": round(times[-1], 2),
            "rows_median": statistics.median(rows),
            "rows_max": max(rows),
            "example_params": cases[0],
            "budget_ms": None if name in EXEMPT else QUERY_BUDGET_MS,
            "ok": name in EXEMPT or statistics.median(times) < QUERY_BUDGET_MS,
        }
        console.print(
            f"  {name:16} median {results[name]['median_ms']:7.1f} ms  p90 {results[name]['p90_ms']:7.1f}"
            f"  rows ~{results[name]['rows_median']}"
        )
    return results


# --------------------------------------------------------------------------- main


def main() -> None:
    stop_cleanly_on_sigterm()
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--entities", type=int, default=100_000)
    ap.add_argument("--relations", type=int, default=1_000_000)
    ap.add_argument("--sample", type=int, default=10_000, help="relations in the naive-vs-batched sample")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--chunk-size", type=int, default=10_000)
    ap.add_argument("--heap", default="4g", help="JVM heap of the benchmark server (initial = max)")
    ap.add_argument("--pagecache", default="2g")
    ap.add_argument("--query-samples", type=int, default=15, help="parameter values per named query")
    ap.add_argument("--repeat", type=int, default=3, help="timed runs per parameter value")
    ap.add_argument("--skip-naive", action="store_true")
    ap.add_argument(
        "--skip-fresh",
        action="store_true",
        help="skip the last step: the first load again, on a server started just for it",
    )
    ap.add_argument("--keep", action="store_true", help="leave the server running and its data in place")
    ap.add_argument("--out", type=Path, default=RESULTS)
    args = ap.parse_args()

    big = dataset(args.entities, args.relations, args.seed)
    sample = dataset(max(2, args.sample // 10), args.sample, args.seed + 1)
    port = free_port()
    home = Path(tempfile.mkdtemp(prefix="actorgraph-bench-neo4j-"))
    settings = get_settings(
        uri=f"bolt://127.0.0.1:{port}",
        server_port=port,
        data_dir=home,
        heap_initial=args.heap,
        heap_max=args.heap,
        pagecache=args.pagecache,
    )
    out: dict = {
        "dataset": {"entities": args.entities, "relations": args.relations, "seed": args.seed, "path": str(big)},
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "server": {"heap": args.heap, "pagecache": args.pagecache, "chunk_size": args.chunk_size},
    }
    console.print(f"starting Neo4j on port {port} (data {home}) ...")
    info = neo4j_server.start(settings=settings)
    out["server"]["version"] = f"{info['version']} {info['edition']}"
    try:
        with driver(settings, notifications_min_severity="OFF") as drv:
            ensure_schema(drv)
            gc.freeze()
            gc.disable()  # as `kg load` does

            # 1. naive vs batched on the sample
            facts, validate_s = timed(lambda: load_facts([sample]))
            rels = len(facts.edges)
            if not args.skip_naive:
                console.print(f"one query per fact: {rels} relations ...")
                _, naive_s = timed(lambda: naive_load(drv, FactRows(facts, "naive")))
                assert count(drv)[1] == rels
                unload(drv, "naive")
                # Cold: the first batched load on this server (its ~25 statements planned, the JVM
                # compiling them); warm: the same load again, as any later load sees it.
                batched = []
                for _ in range(2):
                    report, seconds = timed(
                        lambda: load_rows(drv, FactRows(facts, "sample"), chunk_size=args.chunk_size)
                    )
                    assert report.relations.created == rels
                    unload(drv, "sample")
                    batched.append(seconds)
                out["naive_vs_batched"] = {
                    "relations": rels,
                    "entities": len(facts.entities),
                    "naive_seconds": round(naive_s, 2),
                    "naive_relations_per_s": round(rels / naive_s),
                    "batched_cold_seconds": round(batched[0], 3),
                    "batched_warm_seconds": round(batched[1], 3),
                    "batched_warm_relations_per_s": round(rels / batched[1]),
                    "speedup_on_sample_cold": round(naive_s / batched[0], 1),
                    "speedup_on_sample_warm": round(naive_s / batched[1], 1),
                }

            # 2. the full dataset
            console.print(f"validating {big} ...")
            facts, validate_s = timed(lambda: load_facts([big]))
            rels = len(facts.edges)
            console.print(f"first load: {len(facts.entities)} entities, {rels} relations ...")
            load_avg_before = os.getloadavg()
            first, first_s = timed(lambda: load_rows(drv, FactRows(facts, "bench"), chunk_size=args.chunk_size))
            assert first.relations.created == rels and count(drv)[1] == rels
            console.print(f"  {first_s:.1f}s = {rels / first_s:,.0f} relations/s; reloading unchanged ...")
            again, again_s = timed(lambda: load_rows(drv, FactRows(facts, "bench"), chunk_size=args.chunk_size))
            assert again.relations.unchanged == rels and not again.changed
            out["load"] = {
                "validate_seconds": round(validate_s, 1),
                "first_seconds": round(first_s, 1),
                "first_relations_per_s": round(rels / first_s),
                "first_phases": first.seconds,
                "first_report": first.as_dict(),
                "reload_seconds": round(again_s, 1),
                "reload_phases": again.seconds,
                "reload_over_first": round(again_s / first_s, 3),
                "load_average_before": [round(x, 2) for x in load_avg_before],
                "load_average_after": [round(x, 2) for x in os.getloadavg()],
            }
            if "naive_vs_batched" in out:
                nb = out["naive_vs_batched"]
                nb["speedup_full_load_vs_naive"] = round(
                    out["load"]["first_relations_per_s"] / nb["naive_relations_per_s"], 1
                )
            gc.enable()

            # 3. queries
            console.print("named queries (warm; median over every run) ...")
            out["queries"] = bench_queries(drv, args.query_samples, args.repeat, args.seed)
        store = home / "data" / "databases" / "neo4j"
        out["server"]["store_mb"] = round(sum(f.stat().st_size for f in store.rglob("*") if f.is_file()) / 1e6)
    finally:
        if args.keep:
            console.print(
                f"server left running: {settings.uri} (data {home}); stop it with kg neo4j stop --data-dir {home}"
            )
        else:
            neo4j_server.stop(home, settings=settings)
            shutil.rmtree(home, ignore_errors=True)

    if not args.skip_fresh and not args.keep and "load" in out:
        fresh_server_load(facts, args, out)
    report_table(out)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(out, indent=2) + "\n")
    console.print(f"wrote {args.out}")


def fresh_server_load(facts, args, out: dict) -> None:
    """4. The first load as an analyst runs it: `kg neo4j start`, then `kg load` at once, the JVM
    still compiling (the main measurement's server had already run the sample loads)."""
    port = free_port()
    home = Path(tempfile.mkdtemp(prefix="actorgraph-bench-neo4j-fresh-"))
    settings = get_settings(
        uri=f"bolt://127.0.0.1:{port}",
        server_port=port,
        data_dir=home,
        heap_initial=args.heap,
        heap_max=args.heap,
        pagecache=args.pagecache,
    )
    console.print("first load again, on a server started just for it ...")
    neo4j_server.start(settings=settings)
    try:
        with driver(settings, notifications_min_severity="OFF") as drv:
            gc.disable()
            report, seconds = timed(lambda: load_rows(drv, FactRows(facts, "bench"), chunk_size=args.chunk_size))
            gc.enable()
            assert report.relations.created == len(facts.edges)
    finally:
        neo4j_server.stop(home, settings=settings)
        shutil.rmtree(home, ignore_errors=True)
    out["load"]["fresh_server_seconds"] = round(seconds, 1)
    out["load"]["fresh_server_relations_per_s"] = round(len(facts.edges) / seconds)
    out["load"]["fresh_server_phases"] = report.seconds


def report_table(out: dict) -> None:
    t = Table(title="Neo4j loader", title_justify="left")
    for col in ("measure", "value", "target", "ok"):
        t.add_column(col)
    load = out["load"]
    t.add_row(
        "first load, end to end after validation",
        f"{load['first_seconds']}s, {load['first_relations_per_s']:,} relations/s",
        ">= 20,000/s",
        "yes" if load["first_relations_per_s"] >= 20_000 else "NO",
    )
    if "fresh_server_seconds" in load:
        t.add_row(
            "the same on a server started just for it (JIT compiling)",
            f"{load['fresh_server_seconds']}s, {load['fresh_server_relations_per_s']:,} relations/s",
            "",
            "",
        )
    t.add_row(
        "reload of unchanged files",
        f"{load['reload_seconds']}s ({load['reload_over_first']:.2f} x first)",
        "<= first load",
        "yes" if load["reload_over_first"] <= 1 else "NO",
    )
    nb = out.get("naive_vs_batched")
    if nb:
        t.add_row(
            f"one query per fact ({nb['relations']} relations)",
            f"{nb['naive_seconds']}s, {nb['naive_relations_per_s']:,} relations/s",
            "",
            "",
        )
        t.add_row(
            "batched on the same sample, first load on the server",
            f"{nb['batched_cold_seconds']}s ({nb['speedup_on_sample_cold']}x)",
            "",
            "",
        )
        t.add_row(
            "batched on the same sample, again",
            f"{nb['batched_warm_seconds']}s ({nb['speedup_on_sample_warm']}x)",
            ">= 50x",
            "yes" if nb["speedup_on_sample_warm"] >= 50 else "NO",
        )
        t.add_row(
            "full batched load vs one query per fact",
            f"{nb['speedup_full_load_vs_naive']}x",
            ">= 50x",
            "yes" if nb["speedup_full_load_vs_naive"] >= 50 else "NO",
        )
    console.print(t)
    q = Table(title="Named queries on the loaded graph (ms)", title_justify="left")
    for col in ("query", "median", "p90", "max", "rows (median)", "target", "ok"):
        q.add_column(col, justify="right" if col not in ("query", "ok") else "left")
    for name, r in out["queries"].items():
        q.add_row(
            name,
            f"{r['median_ms']:.1f}",
            f"{r['p90_ms']:.1f}",
            f"{r['max_ms']:.1f}",
            str(r["rows_median"]),
            "-" if r["budget_ms"] is None else f"< {r['budget_ms']:.0f}",
            "yes" if r["ok"] else "NO",
        )
    console.print(q)


if __name__ == "__main__":
    main()
