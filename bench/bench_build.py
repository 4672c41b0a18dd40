"""Benchmark: JSON Lines facts -> validated Facts -> networkx graph, against baselines.

    python bench/bench_build.py                       # 100k entities, 1M relations
    python bench/bench_build.py --entities 10000 --relations 100000 --repeat 3

Generates the dataset with bench/generate.py when it is missing, then runs each
variant in a fresh child process (one at a time) and reports wall and CPU time of
the work (imports excluded), peak RSS (``resource.getrusage`` in the child, so a
variant's memory is its own) and the wall time of the whole child process:

* ``floor``  -- ``json.loads`` of every line and nothing else: the least any loader can do;
* ``naive``  -- the textbook loader: ``json.loads`` per line, ``Model.model_validate(dict)``,
  references checked, evidence merged by hand, ``G.add_node`` / ``G.add_edge`` per row;
* ``ours``   -- ``loaders.load_facts`` + ``graph.build.build_graph`` (what every command runs);
* ``cli``    -- ``kg stats DATA --format json`` in-process: ours plus the progress bar and output.

Target (this project's 2-core machine): ``ours`` <= 20 s and <= 4 GB peak at 100k / 1M.
Prints a table and writes bench/results/build.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

TARGET_SECONDS = 20.0
TARGET_BYTES = 4 * 1024**3
VARIANTS = ("floor", "naive", "ours", "cli")
SECTIONS = ("sources", "entities", "relations")


def _files(data: Path) -> dict[str, list[Path]]:
    return {s: sorted(data.glob(f"*.{s}.jsonl")) for s in SECTIONS}


# -- the variants (run in a child process) -----------------------------------------


def run_floor(data: Path) -> dict:
    n = 0
    for paths in _files(data).values():
        for p in paths:
            with p.open("rb") as fh:
                for line in fh:
                    json.loads(line)
                    n += 1
    return {"rows": n}


def run_naive(data: Path) -> dict:
    import networkx as nx

    from graph.models import ENTITY_MODELS, RELATION_MODELS, Source

    files = _files(data)
    G = nx.MultiDiGraph()
    sources: dict[str, Source] = {}
    problems = 0
    for p in files["sources"]:
        for line in p.open("rb"):
            s = Source.model_validate(json.loads(line))
            sources[s.id] = s
    G.graph["sources"] = {k: s.model_dump(exclude_none=True) for k, s in sources.items()}
    for p in files["entities"]:
        for line in p.open("rb"):
            d = json.loads(line)
            m = ENTITY_MODELS[d["type"]].model_validate(d)
            G.add_node(m.id, **m.model_dump(exclude_none=True, exclude={"id"}))
    for p in files["relations"]:
        for line in p.open("rb"):
            d = json.loads(line)
            m = RELATION_MODELS[d["type"]].model_validate(d)
            if m.from_ not in G or m.to not in G or any(e.source not in sources for e in m.evidence):
                problems += 1
                continue
            data = m.model_dump(exclude_none=True, exclude={"from_", "to"})
            for ev in data["evidence"]:
                ev.setdefault("credibility", m.credibility)
            if G.has_edge(m.from_, m.to, m.type):
                G.edges[m.from_, m.to, m.type]["evidence"].extend(data["evidence"])
            else:
                G.add_edge(m.from_, m.to, key=m.type, **data)
    return {"entities": G.number_of_nodes(), "relations": G.number_of_edges(), "problems": problems}


def run_ours(data: Path) -> dict:
    from graph.build import build_graph
    from loaders import load_facts

    t = time.perf_counter()
    facts = load_facts([data])
    t_load = time.perf_counter() - t
    G = build_graph(facts)
    return {
        "entities": G.number_of_nodes(),
        "relations": G.number_of_edges(),
        "load_s": round(t_load, 2),
        "build_s": round(time.perf_counter() - t - t_load, 2),
    }


def run_cli(data: Path) -> dict:
    import contextlib
    import io

    from kg.cli import app

    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        app(["stats", str(data), "--format", "json"], standalone_mode=False)
    s = json.loads(buf.getvalue())
    return {"entities": s["entities"], "relations": s["relations"]}


def child(variant: str, data: Path) -> None:
    fn = globals()[f"run_{variant}"]
    # Imports are not what we measure; warm them so the timed part is the work.
    import networkx  # noqa: F401

    import graph.models  # noqa: F401

    if variant == "cli":
        import kg.cli  # noqa: F401
    c0, t0 = time.process_time(), time.perf_counter()
    info = fn(data)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # KB on Linux
    print(json.dumps({"wall_s": round(wall, 2), "cpu_s": round(cpu, 2), "peak_bytes": peak, **info}))


# -- the parent --------------------------------------------------------------------


def run_variant(variant: str, data: Path) -> dict:
    load = os.getloadavg()[0]
    t = time.perf_counter()
    proc = subprocess.run([sys.executable, __file__, "--child", variant, str(data)], capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"{variant} failed:\n{proc.stderr[-2000:]}")
    res = json.loads(proc.stdout.strip().splitlines()[-1])
    # The whole child, start-up and exit included (freeing a big heap at exit takes time too).
    res["process_s"] = round(time.perf_counter() - t, 2)
    res["loadavg_before"] = round(load, 2)
    return res


def ensure_data(data: Path, entities: int, relations: int, seed: int) -> float | None:
    if all(_files(data)[s] for s in SECTIONS):
        return None
    from generate import generate

    t = time.perf_counter()
    generate(entities, relations, data, seed=seed)
    return round(time.perf_counter() - t, 1)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="JSON Lines -> validated facts -> networkx graph, vs baselines.")
    ap.add_argument("--entities", type=int, default=100_000)
    ap.add_argument("--relations", type=int, default=1_000_000)
    ap.add_argument("--data", type=Path, help="dataset folder (default: bench/data/<entities/1000>k)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--repeat", type=int, default=1, help="runs per variant; the fastest counts")
    ap.add_argument("--variants", default=",".join(VARIANTS), help=f"comma-separated, of: {', '.join(VARIANTS)}")
    ap.add_argument("--results", type=Path, default=HERE / "results" / "build.json")
    ap.add_argument("--child", nargs=2, metavar=("VARIANT", "DATA"), help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        child(args.child[0], Path(args.child[1]))
        return 0

    variants = [v for v in args.variants.split(",") if v]
    bad = [v for v in variants if v not in VARIANTS]
    if bad:
        ap.error(f"unknown variant(s): {', '.join(bad)}")
    data = args.data or HERE / "data" / f"{args.entities // 1000}k"
    gen_s = ensure_data(data, args.entities, args.relations, args.seed)
    files = [p for ps in _files(data).values() for p in ps]
    size = sum(p.stat().st_size for p in files)
    rows = sum(1 for p in files for _ in p.open("rb"))
    print(
        f"dataset {data}: {rows:,} rows, {size / 1e6:.0f} MB"
        + (f" (generated in {gen_s} s)" if gen_s is not None else ""),
        flush=True,
    )

    runs: dict[str, list[dict]] = {}
    for v in variants:
        for _ in range(args.repeat):
            res = run_variant(v, data)
            runs.setdefault(v, []).append(res)
            print(
                f"  {v:6} {res['wall_s']:7.2f} s wall {res['cpu_s']:7.2f} s cpu "
                f"{res['peak_bytes'] / 2**20:7.0f} MB peak {res['process_s']:7.2f} s whole process "
                f"(load avg before {res['loadavg_before']})",
                flush=True,
            )
    best = {v: min(rs, key=lambda r: r["wall_s"]) for v, rs in runs.items()}

    summary: dict = {}
    if "ours" in best:
        ours = best["ours"]
        for v, r in best.items():
            if v != "ours":
                summary[f"{v}_over_ours_wall"] = round(r["wall_s"] / ours["wall_s"], 2)
                summary[f"{v}_over_ours_cpu"] = round(r["cpu_s"] / ours["cpu_s"], 2)
        summary["meets_time_target"] = ours["wall_s"] <= TARGET_SECONDS
        summary["meets_memory_target"] = ours["peak_bytes"] <= TARGET_BYTES
        if "naive" in best:
            n = best["naive"]
            if (n["entities"], n["relations"]) != (ours["entities"], ours["relations"]):
                summary["warning"] = "naive and ours disagree on counts"

    print()
    print(
        f"{'variant':8} {'wall s':>8} {'cpu s':>8} {'peak MB':>8} {'process s':>10} {'wall / ours':>12} "
        f"{'cpu / ours':>11}"
    )
    for v, r in best.items():
        o = best.get("ours")
        wr = r["wall_s"] / o["wall_s"] if o else float("nan")
        cr = r["cpu_s"] / o["cpu_s"] if o else float("nan")
        print(
            f"{v:8} {r['wall_s']:8.2f} {r['cpu_s']:8.2f} {r['peak_bytes'] / 2**20:8.0f} {r['process_s']:10.2f} "
            f"{wr:12.2f} {cr:11.2f}"
        )
    if "ours" in best:
        o = best["ours"]
        print(
            f"\nours: {o['entities']:,} entities, {o['relations']:,} relations "
            f"(load {o.get('load_s')} s + build {o.get('build_s')} s); target <= {TARGET_SECONDS:.0f} s and "
            f"<= {TARGET_BYTES / 2**30:.0f} GB: "
            f"time {'met' if summary['meets_time_target'] else 'MISSED'}, "
            f"memory {'met' if summary['meets_memory_target'] else 'MISSED'}"
        )

    import networkx
    import pydantic

    out = {
        "benchmark": "build",
        "when": time.strftime("%Y-%m-%dT%H:%M:%S"),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
            "networkx": networkx.__version__,
            "pydantic": pydantic.__version__,
        },
        "dataset": {
            "path": str(data),
            "entities": args.entities,
            "relations": args.relations,
            "seed": args.seed,
            "rows": rows,
            "bytes": size,
            "generated_s": gen_s,
        },
        "target": {"wall_s": TARGET_SECONDS, "peak_bytes": TARGET_BYTES},
        "best": best,
        "summary": summary,
        "runs": runs,
    }
    args.results.parent.mkdir(parents=True, exist_ok=True)
    args.results.write_text(json.dumps(out, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {args.results}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
