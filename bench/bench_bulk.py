"""Benchmark the bulk first load (Neo4j's offline importer) against the online first load.

    python bench/bench_bulk.py                                          # 100k entities, 1M relations
    python bench/bench_bulk.py --entities 10000 --relations 100000      # a quick run

On two fresh local Neo4j 5.26 servers started for the run (own ports, own data folders, removed
afterwards), as an analyst runs them:

1. ``kg load DATA --bulk`` on server A: validate, write the importer's CSV files, import, swap the
   database in and restart the server, constraints and indexes, load state;
2. ``kg load DATA --online`` on server B: the online first load (Bolt, batched);
3. ``kg load CHANGED`` on each: an incremental reload of the same files with 1% of the relation rows
   changed (bench/bench_diff.py makes them: a third regraded, removed, added).

Each step is the real CLI in a child process: wall time end to end, and the phases it prints. The
write phase is what turns rows into stored records: ``write`` for the online load, ``files`` +
``import`` for the bulk one. Targets: bulk >= 2x faster end to end, >= 4x in the write phase. The load
average is printed before each step (the machine is shared: compare with care when it is high).
Writes bench/results/bulk.json. Both graphs are compared by counts at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_diff import make_changed  # noqa: E402
from generate import generate  # noqa: E402
from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402

from graph.neo4j import server  # noqa: E402
from graph.neo4j.connection import driver  # noqa: E402
from graph.neo4j.settings import get_settings  # noqa: E402

console = Console()
RESULTS = ROOT / "bench" / "results" / "bulk.json"
PASSWORD = "bench-bulk-password"
PHASES = re.compile(r"loaded in ([\d.]+)s \(([^)]*)\)")
TALLIES = ("created", "updated", "deleted", "unchanged")
TALLY_ROW = re.compile(r"(sources|entities|relations)\D+?(\d+)\D+?(\d+)\D+?(\d+)\D+?(\d+)")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def dataset(entities: int, relations: int, seed: int) -> tuple[Path, Path]:
    base = ROOT / "bench" / "data" / f"bulk-{entities}-{relations}-s{seed}"
    if not (base / "complete").is_file():
        console.print(f"generating {entities} entities, {relations} relations into {base} ...")
        shutil.rmtree(base, ignore_errors=True)
        generate(entities, relations, base, seed=seed)
        (base / "complete").write_text("ok\n")
    changed = base.with_name(base.name + "-changed-0.01")
    make_changed(base, changed, 0.01, seed)
    return base, changed


def load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def kg_load(settings, args: list[str]) -> dict:
    """Run `kg load` against ``settings``' server; wall seconds and the phases it printed."""
    env = {
        **os.environ,
        "NEO4J_URI": settings.uri,
        "NEO4J_PASSWORD": PASSWORD,
        "NEO4J_DATA_DIR": str(settings.data_dir),
        "NEO4J_SERVER_PORT": str(settings.bolt_port),
        "PYTHONPATH": str(ROOT),
    }
    avg = load_average()
    began = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "kg", "load", *args], env=env, capture_output=True, text=True)
    wall = time.perf_counter() - began
    if done.returncode != 0:
        raise SystemExit(f"kg load {' '.join(args)} failed:\n{done.stderr[-3000:]}")
    m = PHASES.search(done.stdout)
    phases = {k: float(v.rstrip("s")) for k, v in (p.split() for p in m.group(2).split(", "))} if m else {}
    tallies = {k: dict(zip(TALLIES, map(int, v), strict=True)) for k, *v in TALLY_ROW.findall(done.stdout)}
    return {
        "wall_s": round(wall, 2),
        "load_s": float(m.group(1)) if m else None,
        "phases": phases,
        "tallies": tallies,
        "loadavg": avg,
    }


def counts(settings) -> tuple[int, int]:
    with driver(settings) as drv:
        rec = drv.execute_query(
            "CALL () { MATCH (n) RETURN count(n) AS n } CALL () { MATCH ()-[r]->() RETURN count(r) AS r } RETURN n, r"
        ).records[0]
    return rec["n"], rec["r"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--entities", type=int, default=100_000)
    ap.add_argument("--relations", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--keep", action="store_true", help="keep the servers' data folders")
    args = ap.parse_args()

    base, changed = dataset(args.entities, args.relations, args.seed)
    tmp = Path(tempfile.mkdtemp(prefix="bench-bulk-"))
    servers = {}
    try:
        for name in ("online", "bulk"):
            port = free_port()
            s = get_settings(uri=f"bolt://127.0.0.1:{port}", server_port=port, data_dir=tmp / name, password=PASSWORD)
            console.print(f"starting server {name} on port {port} (load average {load_average()}) ...")
            server.start(settings=s)
            servers[name] = s

        results: dict = {}
        console.print(f"bulk first load (load average {load_average()}) ...")
        results["bulk_first"] = kg_load(servers["bulk"], [str(base), "--dataset", "bench", "--bulk"])
        console.print(f"  {results['bulk_first']}")
        save(args, results)
        console.print(f"online first load (load average {load_average()}) ...")
        results["online_first"] = kg_load(servers["online"], [str(base), "--dataset", "bench", "--online"])
        console.print(f"  {results['online_first']}")
        save(args, results)
        for name in ("bulk", "online"):
            console.print(f"incremental reload of 1% changed facts on the {name}-loaded server ...")
            results[f"{name}_reload"] = kg_load(servers[name], [str(changed), "--dataset", "bench"])
            console.print(f"  {results[f'{name}_reload']}")
            save(args, results)
        same = counts(servers["online"]) == counts(servers["bulk"])
        report(args, results, same)
    finally:
        for s in servers.values():
            server.stop(s.data_dir, settings=s)
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)


def save(args, results: dict, **more) -> None:
    """Results so far (a run stopped half-way keeps what it measured)."""
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    machine = {"cpus": os.cpu_count(), "python": platform.python_version()}
    data = {"entities": args.entities, "relations": args.relations, "machine": machine, "results": results, **more}
    RESULTS.write_text(json.dumps(data, indent=2))


def report(args, results: dict, same: bool) -> None:
    online, bulk = results["online_first"], results["bulk_first"]
    write_online = online["phases"].get("write", 0.0)
    write_bulk = bulk["phases"].get("files", 0.0) + bulk["phases"].get("import", 0.0)
    ratios = {
        "end_to_end": round(online["wall_s"] / bulk["wall_s"], 2),
        "load": round(online["load_s"] / bulk["load_s"], 2),
        "write_phase": round(write_online / write_bulk, 2) if write_bulk else None,
    }
    table = Table(title=f"{args.entities:,} entities / {args.relations:,} relations")
    for col in ("step", "wall s (end to end)", "load s (after validation)", "phases", "load average before"):
        table.add_column(col)
    for key, r in results.items():
        phases = ", ".join(f"{k} {v:.1f}" for k, v in r["phases"].items())
        table.add_row(key, f"{r['wall_s']:.1f}", f"{r['load_s']:.1f}", phases, r["loadavg"])
    console.print(table)
    console.print(
        f"bulk vs online: {ratios['end_to_end']}x end to end (target 2x), {ratios['load']}x after validation, "
        f"{ratios['write_phase']}x in the write phase (target 4x); same counts on both servers: {same}"
    )
    save(args, results, ratios=ratios, same_counts=same)
    console.print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
