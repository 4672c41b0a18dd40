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

The Neo4j side (`network_as_of` p50 against the other named queries) is measured by bench/bench_neo4j.py.
Prints a table and writes bench/results/asof.json, with the load average (2 shared cores: compare ratios).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

from generate import generate  # noqa: E402

from graph.build import build_graph  # noqa: E402
from graph.views import filter_graph  # noqa: E402
from loaders import load_facts  # noqa: E402

RESULTS = HERE / "results" / "asof.json"


def _timed(fn, repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        began = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - began)
    return statistics.median(times), result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--entities", type=int, default=100_000)
    ap.add_argument("--relations", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--days", type=int, default=5, help="as-of days spread over the data's years")
    ap.add_argument("--out", type=Path, default=RESULTS)
    args = ap.parse_args()

    name = f"{args.entities // 1000}k" if args.entities % 1000 == 0 else str(args.entities)
    data = HERE / "data" / name
    if not (data / "bench.relations.jsonl").exists():
        generate(args.entities, args.relations, data, seed=args.seed)
    began = time.perf_counter()
    G = build_graph(load_facts([data]))
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
    }
    print(f"{'variant':<14} {'median s':>9} {'x copy':>7}  edges kept")
    for key, row in rows.items():
        print(f"{key:<14} {row['median_s']:>9.3f} {row['vs_copy']:>7.2f}  {row['edges']}")
    print(f"load average {result['loadavg_before']} before, {result['loadavg_after']} after (2 shared cores)")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
