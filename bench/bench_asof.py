"""Benchmark the as-of rule in memory: `filter_graph(G, as_of=DAY)` on the 100k / 1M graph, against baselines.

    python bench/bench_asof.py                                         # 100k entities, 1M relations
    python bench/bench_asof.py --entities 10000 --relations 100000     # a 10% run

The graph is built once (bench/generate.py's dataset, generated when missing); then, each timed
``--repeat`` times, median reported:

* ``copy``    -- ``filter_graph(G)`` with no filter: what producing any view costs (the floor);
* ``grades``  -- ``filter_graph(G, credibility_at_least=3)``: the filter every page had before the as-of rule;
* ``as-of``   -- ``filter_graph(G, as_of=DAY)`` for ``--days`` days spread over the data's years (the rule of
  graph/asof.py: stated validity, else observations widened by the default horizon);
* ``as-of+grades`` -- both at once, as `kg viz --as-of 2021-12 --credibility-at-least 3` runs.

Then, unless ``--no-neo4j``, the same facts in a Neo4j 5.26 started for the run (own port and folder,
removed afterwards), each query warm, p50 over ``--repeat`` runs per parameter value:

* ``network_as_of`` (the named query: stops at its limit of 100) against ``network_any``, the same query
  without the as-of predicate (the baseline), and the whole day counted (``as_of_count``: every fact read)
  against a grade filter counted (``grades_count``);
* ``claims_of -p entity=ID`` against ``claims_of_scan``, the query as it was before the relation_attribution
  index (every fact read): p50, Neo4j's db hits (PROFILE) and the answers, which must be the same.

Attribution: the generated facts name nobody, so ``--attributed`` of the relations (5% by default) get an
``according_to`` (one of 20 organizations) and a fifth of those also a ``via`` (one of 10 others), in memory,
before anything is measured.
Prints a table and writes bench/results/asof.json, with the load average and this process's CPU seconds
(2 shared cores: compare ratios).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import socket
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

from generate import generate  # noqa: E402
from signals import stop_cleanly_on_sigterm  # noqa: E402

from graph.build import build_graph  # noqa: E402
from graph.views import filter_graph  # noqa: E402
from loaders import load_facts  # noqa: E402

RESULTS = HERE / "results" / "asof.json"

# The baselines of the Neo4j side. network_any: network_as_of without its as-of predicate.
NETWORK_ANY = """MATCH (a:Entity)-[r]->(b:Entity)
WITH a, r, b LIMIT $limit
RETURN a.id + '|' + type(r) + '|' + b.id AS id, a.name AS from, type(r) AS relation, b.name AS to,
       r.time_basis AS time_basis, r.valid_from AS valid_from, r.valid_to AS valid_to,
       r.first_observed AS first_observed, r.last_observed AS last_observed,
       r.credibility AS credibility, r.reliability AS reliability
ORDER BY relation, from, to"""
GRADES_COUNT = "MATCH (a:Entity)-[r]->(b:Entity) WHERE r.credibility <= 3 RETURN count(*) AS n"
# claims_of's entity branch as it was before the relation_attribution index: every fact read.
CLAIMS_SCAN = """  UNWIND CASE WHEN $entity IS NULL THEN [] ELSE [$entity] END AS cited
  MATCH (a:Entity)-[r]->(b:Entity)
  WHERE cited IN r.according_to OR cited IN r.via
  RETURN a, r, b
"""


def _timed(fn, repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        began = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - began)
    return statistics.median(times), result


def cpu_s() -> float:
    t = os.times()
    return t.user + t.system


def attribute(facts, share: float) -> tuple[list[str], list[str]]:
    """Name originators in ``share`` of the facts (in memory): ``according_to`` one of 20 organizations, and
    for a fifth of those ``via`` one of 10 others. Returns (originators, relays)."""
    orgs = [eid for eid, e in facts.entities.items() if e.type == "Organization"][:30]
    if len(orgs) < 30:
        orgs = list(facts.entities)[:30]
    originators, relays = orgs[:20], orgs[20:30]
    step = max(1, round(1 / share)) if share > 0 else 0
    for i, edge in enumerate(facts.edges.values()):
        if step and i % step == 0:
            ev = edge.evidence[0]
            ev.according_to = originators[(i // step) % 20]
            if (i // step) % 5 == 0:
                ev.via = relays[(i // step // 5) % 10]
    return originators, relays


def _hits(plan) -> int:
    return (plan.get("dbHits") or 0) + sum(_hits(c) for c in plan.get("children", []))


def db_hits(drv, cypher: str, params: dict) -> int:
    with drv.session() as session:
        summary = session.run("PROFILE " + cypher, params).consume()
    return _hits(summary.profile or {})


def _p50(drv, cypher: str, cases: list[dict], repeat: int, run) -> tuple[float, list]:
    times, answers = [], []
    for params in cases:
        answers.append(run(drv, cypher, params).rows)  # warm: plan cache, page cache
        for _ in range(repeat):
            began = time.perf_counter()
            run(drv, cypher, params)
            times.append((time.perf_counter() - began) * 1000)
    return round(statistics.median(times), 2), answers


def bench_neo4j(facts, days: list[date], originators: list[str], args) -> dict:
    """The Neo4j side: load ``facts`` into a fresh server, then the as-of and claims queries, each beside
    its baseline (see the module docstring)."""
    from graph.neo4j import server as neo4j_server
    from graph.neo4j.connection import driver
    from graph.neo4j.mapping import FactRows
    from graph.neo4j.settings import get_settings
    from graph.neo4j.writer import ensure_schema, load_rows
    from queries import library

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    home = Path(tempfile.mkdtemp(prefix="actorgraph-bench-asof-"))
    settings = get_settings(
        uri=f"bolt://127.0.0.1:{port}", server_port=port, data_dir=home, heap_initial="2g", heap_max="4g"
    )
    out: dict = {}
    neo4j_server.start(settings=settings)
    try:
        with driver(settings, notifications_min_severity="OFF") as drv:
            ensure_schema(drv)
            began, cpu = time.perf_counter(), cpu_s()
            load_rows(drv, FactRows(facts, "bench"))
            drv.execute_query("CALL db.awaitIndexes(600)")
            drv.execute_query("CALL db.index.fulltext.awaitEventuallyConsistentIndexRefresh()")
            out["load_s"] = round(time.perf_counter() - began, 1)
            out["load_cpu_s_client"] = round(cpu_s() - cpu, 1)
            print(f"loaded into Neo4j in {out['load_s']}s", flush=True)

            def named(name: str, raw: dict) -> tuple[str, dict]:
                query, params = library.prepare(drv, name, raw)
                return query.cypher, params

            rows: dict[str, dict] = {}
            as_of = [named("network_as_of", {"date": d.isoformat(), "limit": 100}) for d in days]
            cypher = as_of[0][0]
            t, _ = _p50(drv, cypher, [p for _, p in as_of], args.repeat, library.run)
            rows["network_as_of"] = {"p50_ms": t, "days": len(days)}
            t, _ = _p50(drv, NETWORK_ANY, [{"limit": 100}], args.repeat, library.run)
            rows["network_any"] = {"p50_ms": t}
            counting = cypher[: cypher.index("WITH a, r, b LIMIT $limit")] + "RETURN count(*) AS n"
            t, counts = _p50(drv, counting, [p for _, p in as_of], args.repeat, library.run)
            rows["as_of_count"] = {"p50_ms": t, "facts": [c[0][0] for c in counts]}
            t, counts = _p50(drv, GRADES_COUNT, [{}], args.repeat, library.run)
            rows["grades_count"] = {"p50_ms": t, "facts": counts[0][0][0]}
            rows["network_as_of"]["db_hits"] = db_hits(drv, cypher, as_of[0][1])
            rows["network_any"]["db_hits"] = db_hits(drv, NETWORK_ANY, {"limit": 100})
            rows["as_of_count"]["db_hits"] = db_hits(drv, counting, as_of[0][1])
            rows["grades_count"]["db_hits"] = db_hits(drv, GRADES_COUNT, {})

            claims = [named("claims_of", {"entity": eid}) for eid in originators[: args.claims_samples]]
            indexed = claims[0][0]
            start = indexed.index("  UNWIND CASE WHEN $entity IS NULL")
            scan = indexed[:start] + CLAIMS_SCAN + indexed[indexed.index("  UNION", start) :]
            t_new, new = _p50(drv, indexed, [p for _, p in claims], args.repeat, library.run)
            t_old, old = _p50(drv, scan, [p for _, p in claims], args.repeat, library.run)
            rows["claims_of"] = {
                "p50_ms": t_new,
                "db_hits": db_hits(drv, indexed, claims[0][1]),
                "rows": [len(a) for a in new],
            }
            rows["claims_of_scan"] = {
                "p50_ms": t_old,
                "db_hits": db_hits(drv, scan, claims[0][1]),
                "rows": [len(a) for a in old],
            }
            rows["claims_of"]["same_answers"] = new == old
            out["queries"] = rows
    finally:
        neo4j_server.stop(home, settings=settings)
        shutil.rmtree(home, ignore_errors=True)
    return out


def main() -> None:
    stop_cleanly_on_sigterm()
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--entities", type=int, default=100_000)
    ap.add_argument("--relations", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--days", type=int, default=5, help="as-of days spread over the data's years")
    ap.add_argument("--out", type=Path, default=RESULTS)
    ap.add_argument("--no-neo4j", dest="neo4j", action="store_false", help="only the in-memory figures")
    ap.add_argument("--attributed", type=float, default=0.05, help="share of facts given an originator")
    ap.add_argument("--claims-samples", type=int, default=5, help="originators asked about (claims_of)")
    args = ap.parse_args()
    cpu_began = cpu_s()

    name = f"{args.entities // 1000}k" if args.entities % 1000 == 0 else str(args.entities)
    data = HERE / "data" / name
    if not (data / "bench.relations.jsonl").exists():
        generate(args.entities, args.relations, data, seed=args.seed)
    began = time.perf_counter()
    facts = load_facts([data])
    originators, _relays = attribute(facts, args.attributed)
    G = build_graph(facts)
    built = time.perf_counter() - began
    print(f"built {G.number_of_nodes():,} nodes / {G.number_of_edges():,} edges in {built:.1f}s", flush=True)

    years = sorted({d["first_observed"][:4] for *_, d in G.edges(data=True) if d.get("first_observed")})
    step = max(1, len(years) // args.days)
    days = [date(int(y), 6, 30) for y in years[::step]][: args.days] or [date(2021, 12, 1)]

    rows: dict[str, dict] = {}
    load_before = os.getloadavg()[0]
    t, H = _timed(lambda: filter_graph(G), args.repeat)
    rows["copy"] = {"median_s": round(t, 3), "edges": H.number_of_edges()}
    t, H = _timed(lambda: filter_graph(G, credibility_at_least=3), args.repeat)
    rows["grades"] = {"median_s": round(t, 3), "edges": H.number_of_edges()}
    per_day, kept = [], []
    for day in days:
        t, H = _timed(lambda day=day: filter_graph(G, as_of=day), args.repeat)
        per_day.append(t)
        kept.append(H.number_of_edges())
    rows["as-of"] = {
        "median_s": round(statistics.median(per_day), 3),
        "max_s": round(max(per_day), 3),
        "days": [d.isoformat() for d in days],
        "edges": kept,
    }
    t, H = _timed(lambda: filter_graph(G, as_of=days[len(days) // 2], credibility_at_least=3), args.repeat)
    rows["as-of+grades"] = {"median_s": round(t, 3), "edges": H.number_of_edges()}
    floor = rows["copy"]["median_s"] or 1e-9
    for row in rows.values():
        row["vs_copy"] = round(row["median_s"] / floor, 2)

    result = {
        "when": time.strftime("%Y-%m-%d %H:%M"),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "entities": G.number_of_nodes(),
        "relations": G.number_of_edges(),
        "build_s": round(built, 1),
        "loadavg_before": round(load_before, 2),
        "loadavg_after": round(os.getloadavg()[0], 2),
        "variants": rows,
        "cpu_s_in_memory": round(cpu_s() - cpu_began, 1),
        "neo4j": None,
    }
    print(f"{'variant':<14} {'median s':>9} {'x copy':>7}  edges kept")
    for key, row in rows.items():
        print(f"{key:<14} {row['median_s']:>9.3f} {row['vs_copy']:>7.2f}  {row['edges']}")
    print(f"load average {result['loadavg_before']} before, {result['loadavg_after']} after (2 shared cores)")
    print(f"CPU seconds of this process in memory: {result['cpu_s_in_memory']}", flush=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")  # kept if Neo4j fails
    if not args.neo4j:
        return
    del H
    neo = result["neo4j"] = bench_neo4j(facts, days, originators, args)
    result["cpu_s_client_total"] = round(cpu_s() - cpu_began, 1)
    result["loadavg_after_neo4j"] = round(os.getloadavg()[0], 2)
    print(f"{'neo4j query':<16} {'p50 ms':>9} {'db hits':>12}  notes")
    for key, row in neo["queries"].items():
        hits = row.get("db_hits", "")
        notes = {k: v for k, v in row.items() if k not in ("p50_ms", "db_hits")}
        print(f"{key:<16} {row['p50_ms']:>9.2f} {hits!s:>12}  {notes}")
    print(f"load average {result['loadavg_after_neo4j']} after; CPU s of this process: {result['cpu_s_client_total']}")
    args.out.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
