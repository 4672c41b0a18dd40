"""Benchmark the bulk first load (Neo4j's offline importer) against the online first load.

    python bench/bench_bulk.py                                          # 100k entities, 1M relations
    python bench/bench_bulk.py --entities 10000 --relations 100000      # a quick run
    python bench/bench_bulk.py --data /work/bd/100k                     # a dataset generate.py made already
    python bench/bench_bulk.py --data /work/bd/100k --rounds 2          # two pairs of first loads: the median

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

``--rounds N`` runs steps 1 and 2 N times, each time on two new servers, and gives the ratios of each
round (a bulk load and the online load right after it) and their median: on a shared two-core machine
whose speed varies by up to 2x within an hour, one pair of runs can land on either side of a target.
The reloads (step 3) run once, after the last round.

CPU seconds per phase (the machine is shared: wall times lie when other work runs): while a step runs,
/proc is sampled every 0.2 s for the CPU time of `kg` with its children (the CSV writers, the importer)
and of the Neo4j server (every pid the data folder's neo4j.json names during the step, so the server the
bulk load restarts counts too). Phase boundaries come from the phases `kg load` prints, counted back
from the moment its "loaded in" line appears; ``validate`` is what comes before the first phase.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_diff import make_changed  # noqa: E402
from generate import generate  # noqa: E402
from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402
from signals import stop_cleanly_on_sigterm  # noqa: E402

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


def dataset(entities: int, relations: int, seed: int, data: Path | None = None) -> tuple[Path, Path]:
    """The dataset (``data``, else generated into bench/data once) and its copy with 1% of facts changed (beside
    a generated one; for ``data``, which may be read-only, in the temporary folder)."""
    if data is not None:
        base = data.resolve()
        tag = hashlib.blake2b(str(base).encode(), digest_size=4).hexdigest()
        changed = Path(tempfile.gettempdir()) / f"bench-bulk-{base.name}-{tag}-changed-0.01"
    else:
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


TICK = os.sysconf("SC_CLK_TCK")


def _stat(pid: int) -> tuple[int, float] | None:
    """(parent pid, CPU seconds of the process and of its children it has waited for)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return int(fields[1]), sum(int(x) for x in fields[11:15]) / TICK


def _tree_cpu(root: int, exclude: set[int]) -> float:
    """CPU seconds of ``root`` and its live descendants, leaving out ``exclude`` and theirs."""
    stats = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit() and (st := _stat(int(entry.name))) is not None:
            stats[int(entry.name)] = st
    kids: dict[int, list[int]] = {}
    for pid, (ppid, _cpu) in stats.items():
        kids.setdefault(ppid, []).append(pid)
    total, todo = 0.0, [root]
    while todo:
        pid = todo.pop()
        if pid in exclude or pid not in stats:
            continue
        total += stats[pid][1]
        todo += kids.get(pid, [])
    return total


class CpuSampler:
    """Samples (seconds since start, kg CPU, server CPU) while a `kg load` runs."""

    def __init__(self, kg_pid: int, data_dir: Path, began: float):
        self.kg_pid, self.state, self.began = kg_pid, Path(data_dir) / "neo4j.json", began
        self.server: dict[int, float] = {}  # pid -> last CPU seconds seen (a stopped server keeps its last)
        self.base: dict[int, float] = {}
        self.samples: list[tuple[float, float, float]] = []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _server_pids(self) -> None:
        try:
            pid = json.loads(self.state.read_text()).get("pid")
        except (OSError, ValueError):
            return
        if pid and pid not in self.server and (st := _stat(pid)) is not None:
            # A server already running counts from now; one the load starts, from its start.
            self.base[pid] = st[1] if not self.samples or st[0] != self.kg_pid else 0.0
            self.server[pid] = st[1]

    def sample(self) -> None:
        self._server_pids()
        for pid in self.server:
            if (st := _stat(pid)) is not None:
                self.server[pid] = st[1]
        kg = _tree_cpu(self.kg_pid, set(self.server))
        srv = sum(self.server[p] - self.base[p] for p in self.server)
        self.samples.append((time.perf_counter() - self.began, kg, srv))

    def _run(self) -> None:
        while not self.stop.wait(0.2):
            self.sample()

    def finish(self) -> None:
        self.stop.set()
        self.thread.join()

    def at(self, t: float) -> tuple[float, float]:
        """(kg, server) CPU seconds at ``t``: the last sample at or before it (never decreasing)."""
        kg = srv = 0.0
        for ts, k, s in self.samples:
            if ts > t:
                break
            kg, srv = max(kg, k), max(srv, s)
        return kg, srv

    def per_phase(self, phases: dict[str, float], anchor: float | None) -> dict[str, dict[str, float]]:
        """CPU seconds per phase, ``{"kg", "server"}``; ``anchor``: when the phases ended (the summary line)."""
        end = anchor if anchor is not None else (self.samples[-1][0] if self.samples else 0.0)
        bounds = [end]
        for seconds in reversed(list(phases.values())):
            bounds.insert(0, bounds[0] - seconds)
        names = ["validate", *phases, "exit"]
        bounds = [0.0, *bounds, self.samples[-1][0] if self.samples else end]
        out = {}
        for name, a, b in zip(names, bounds, bounds[1:], strict=False):
            (k0, s0), (k1, s1) = self.at(a), self.at(b)
            out[name] = {"kg": round(max(k1 - k0, 0.0), 1), "server": round(max(s1 - s0, 0.0), 1)}
        return out


def kg_load(settings, args: list[str]) -> dict:
    """Run `kg load` against ``settings``' server; wall seconds, the phases it printed, CPU seconds per phase."""
    env = {
        **os.environ,
        "NEO4J_URI": settings.uri,
        "NEO4J_PASSWORD": PASSWORD,
        "NEO4J_DATA_DIR": str(settings.data_dir),
        "NEO4J_SERVER_PORT": str(settings.bolt_port),
        "PYTHONPATH": str(ROOT),
        "PYTHONUNBUFFERED": "1",  # the summary line arrives when printed: the phases' end
    }
    avg = load_average()
    began = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "kg", "load", *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    sampler = CpuSampler(proc.pid, settings.data_dir, began)
    errors: list[str] = []
    reader = threading.Thread(target=lambda: errors.append(proc.stderr.read()), daemon=True)
    reader.start()
    lines, anchor = [], None
    for line in proc.stdout:
        if anchor is None and PHASES.search(line):
            anchor = time.perf_counter() - began
        lines.append(line)
    code = proc.wait()
    wall = time.perf_counter() - began
    sampler.sample()
    sampler.finish()
    reader.join()
    stdout = "".join(lines)
    if code != 0:
        raise SystemExit(f"kg load {' '.join(args)} failed:\n{''.join(errors)[-3000:]}")
    m = PHASES.search(stdout)
    phases = {k: float(v.rstrip("s")) for k, v in (p.split() for p in m.group(2).split(", "))} if m else {}
    tallies = {k: dict(zip(TALLIES, map(int, v), strict=True)) for k, *v in TALLY_ROW.findall(stdout)}
    cpu = sampler.per_phase(phases, anchor)
    return {
        "wall_s": round(wall, 2),
        "load_s": float(m.group(1)) if m else None,
        "phases": phases,
        "cpu_s": cpu,
        "cpu_total_s": round(sum(c["kg"] + c["server"] for c in cpu.values()), 1),
        "tallies": tallies,
        "loadavg": avg,
        "loadavg_after": load_average(),
    }


def counts(settings) -> tuple[int, int]:
    with driver(settings) as drv:
        rec = drv.execute_query(
            "CALL () { MATCH (n) RETURN count(n) AS n } CALL () { MATCH ()-[r]->() RETURN count(r) AS r } RETURN n, r"
        ).records[0]
    return rec["n"], rec["r"]


def main() -> None:
    stop_cleanly_on_sigterm()
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--entities", type=int, default=100_000)
    ap.add_argument("--relations", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument(
        "--data", type=Path, help="an existing dataset (bench/generate.py's output) instead of generating one"
    )
    ap.add_argument("--keep", action="store_true", help="keep the servers' data folders")
    ap.add_argument("--bulk-only", action="store_true", help="only the bulk first load (its phases, no ratios)")
    ap.add_argument("--online-only", action="store_true", help="only the online first load (its phases, no ratios)")
    ap.add_argument("--rounds", type=int, default=1, help="pairs of first loads, each on new servers (the median)")
    args = ap.parse_args()

    base, changed = dataset(args.entities, args.relations, args.seed, args.data)
    tmp = Path(tempfile.mkdtemp(prefix="bench-bulk-"))
    servers: dict = {}
    only = ("bulk",) if args.bulk_only else ("online",) if args.online_only else ()

    def fresh_servers(round_: int) -> None:
        for s in servers.values():
            server.stop(s.data_dir, settings=s)
        servers.clear()
        for name in only or ("online", "bulk"):
            port = free_port()
            folder = tmp / (name if round_ == 0 else f"{name}-{round_ + 1}")
            s = get_settings(uri=f"bolt://127.0.0.1:{port}", server_port=port, data_dir=folder, password=PASSWORD)
            console.print(f"starting server {name} on port {port} (load average {load_average()}) ...")
            server.start(settings=s, timeout=600)  # a busy shared machine: the first start creates `system`
            servers[name] = s

    try:
        results: dict = {}
        rounds: list[dict] = []
        for round_ in range(1 if only else max(args.rounds, 1)):
            fresh_servers(round_)
            if "bulk" in servers:
                console.print(f"bulk first load (load average {load_average()}) ...")
                results["bulk_first"] = kg_load(servers["bulk"], [str(base), "--dataset", "bench", "--bulk"])
                console.print(f"  {results['bulk_first']}")
                save(args, results, rounds=rounds)
            if "online" in servers:
                console.print(f"online first load (load average {load_average()}) ...")
                results["online_first"] = kg_load(servers["online"], [str(base), "--dataset", "bench", "--online"])
                console.print(f"  {results['online_first']}")
                save(args, results, rounds=rounds)
            if only:
                return
            rounds.append({"bulk_first": results["bulk_first"], "online_first": results["online_first"]})
            rounds[-1]["ratios"] = ratios_of(results)
            console.print(f"round {round_ + 1}: {rounds[-1]['ratios']}")
        for name in ("bulk", "online"):
            console.print(f"incremental reload of 1% changed facts on the {name}-loaded server ...")
            results[f"{name}_reload"] = kg_load(servers[name], [str(changed), "--dataset", "bench"])
            console.print(f"  {results[f'{name}_reload']}")
            save(args, results, rounds=rounds)
        same = counts(servers["online"]) == counts(servers["bulk"])
        report(args, results, rounds, same)
    finally:
        for s in servers.values():
            server.stop(s.data_dir, settings=s)
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)


def save(args, results: dict, **more) -> None:
    """Results so far (a run stopped half-way keeps what it measured)."""
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    machine = {"cpus": os.cpu_count(), "python": platform.python_version()}
    data = {
        "entities": args.entities,
        "relations": args.relations,
        "data": str(args.data) if args.data else None,
        "machine": machine,
        "results": results,
        **more,
    }
    RESULTS.write_text(json.dumps(data, indent=2))


def ratios_of(results: dict) -> dict:
    """How many times faster the bulk first load was than the online one: wall and CPU seconds."""
    online, bulk = results["online_first"], results["bulk_first"]
    write_online = online["phases"].get("write", 0.0)
    write_bulk = bulk["phases"].get("files", 0.0) + bulk["phases"].get("import", 0.0)

    def cpu(r: dict, *names: str) -> float:
        return sum(r["cpu_s"].get(n, {}).get("kg", 0.0) + r["cpu_s"].get(n, {}).get("server", 0.0) for n in names)

    cpu_write_online, cpu_write_bulk = cpu(online, "write"), cpu(bulk, "files", "import")
    return {
        "end_to_end": round(online["wall_s"] / bulk["wall_s"], 2),
        "load": round(online["load_s"] / bulk["load_s"], 2),
        "write_phase": round(write_online / write_bulk, 2) if write_bulk else None,
        "end_to_end_cpu": round(online["cpu_total_s"] / bulk["cpu_total_s"], 2) if bulk["cpu_total_s"] else None,
        "write_phase_cpu": round(cpu_write_online / cpu_write_bulk, 2) if cpu_write_bulk else None,
    }


def report(args, results: dict, rounds: list[dict], same: bool) -> None:
    ratios = {
        key: round(statistics.median(r["ratios"][key] for r in rounds), 2)
        for key in rounds[-1]["ratios"]
        if all(r["ratios"][key] is not None for r in rounds)
    }
    table = Table(title=f"{args.entities:,} entities / {args.relations:,} relations")
    for col in ("step", "wall s", "load s", "phases: wall s", "phases: CPU s kg+server", "CPU s", "load avg"):
        table.add_column(col)
    for key, r in results.items():
        phases = ", ".join(f"{k} {v:.1f}" for k, v in r["phases"].items())
        cpus = ", ".join(f"{k} {c['kg']:.0f}+{c['server']:.0f}" for k, c in r["cpu_s"].items())
        table.add_row(
            key, f"{r['wall_s']:.1f}", f"{r['load_s']:.1f}", phases, cpus, f"{r['cpu_total_s']:.0f}",
            f"{r['loadavg']} / {r['loadavg_after']}",
        )  # fmt: skip
    console.print(table)
    for i, r in enumerate(rounds, 1):
        console.print(f"round {i}: write phase {r['ratios']['write_phase']}x, end to end {r['ratios']['end_to_end']}x")
    median = f"the median of {len(rounds)} rounds: " if len(rounds) > 1 else ""
    console.print(
        f"bulk vs online, {median}{ratios['end_to_end']}x end to end (target 2x), {ratios['load']}x after validation, "
        f"{ratios['write_phase']}x in the write phase (target 4x); in CPU seconds: {ratios['end_to_end_cpu']}x "
        f"end to end, {ratios['write_phase_cpu']}x in the write phase; same counts on both servers: {same}"
    )
    save(args, results, rounds=rounds, ratios=ratios, same_counts=same)
    console.print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
