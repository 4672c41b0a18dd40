"""Benchmark `kg diff`: two versions of a 1M-relation dataset that differ by 1%, against baselines.

    python bench/bench_diff.py                                        # 100k entities, 1M relations
    python bench/bench_diff.py --entities 10000 --relations 100000    # a 10% run

The earlier version is bench/generate.py's dataset (generated when missing); the later one is a copy
(bench/data/<name>-changed-<pct>) in which ``--change`` of the relation rows are touched, a third each:
regraded (credibility moved by one, and a validity start given), removed, or added (a copy of a row
pointing at another entity of the same type, so the copy stays valid). Deterministic for a ``--seed``.

Every variant runs alone in a fresh child process, one after the other; wall time is measured around
the child, CPU time comes from ``wait4`` (the child's rusage, with the processes it waited for), peak memory
is the larger of the child's own peak and the sum over it and its descendants sampled every 0.1 s (kg diff
reads the two versions in two forked processes):

* ``load``    -- ``loaders.load_facts`` of both versions, nothing else: what any validated diff must pay;
* ``raw``     -- the naive diff: ``json.loads`` of every row of both versions, relations keyed by
  (from, type, to) with their evidence merged, the two dicts compared; no validation at all;
* ``kg-json`` -- ``kg diff OLD NEW --format json`` as a user runs it (stdout into a file);
* ``kg-table`` -- ``kg diff OLD NEW`` (the table, into a file: no terminal to fit);
* ``shared``   -- ``loaders.versions.diff_paths(parallel=False)``: the earlier version read in full and, of
  the later one, only the relation lines that are not byte for byte in the earlier one;
* ``parallel`` -- ``loaders.versions.diff_paths(parallel=True)``: each version read in full in a forked
  process of its own, at the same time.

``kg diff`` takes the parallel way when the load average leaves two cores idle, the shared one otherwise
(loaders/versions.py): compare the load average printed before the ``kg-json`` run.

Target: ``kg diff`` under 30 s and under 3 GB peak at 1M relations on this project's 2-core machine.
Prints a table and writes bench/results/diff.json (with the load average before each run: the machine
is shared, so compare CPU seconds when it is high).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

TARGET_SECONDS = 30.0
TARGET_BYTES = 3 * 1024**3
VARIANTS = ("load", "raw", "kg-json", "kg-table", "shared", "parallel")
SECTIONS = ("sources", "entities", "relations")


def _files(data: Path) -> dict[str, list[Path]]:
    return {s: sorted(data.glob(f"*.{s}.jsonl")) for s in SECTIONS}


# -- the data ------------------------------------------------------------------------------------------


def ensure_base(data: Path, entities: int, relations: int, seed: int) -> None:
    if all(_files(data)[s] for s in SECTIONS):
        return
    from generate import generate

    generate(entities, relations, data, seed=seed)


def make_changed(base: Path, out: Path, share: float, seed: int) -> dict[str, int]:
    """A copy of ``base`` with ``share`` of its relation rows regraded, removed or added (a third each)."""
    done = out / "changes.json"
    if done.exists():
        return json.loads(done.read_text())
    out.mkdir(parents=True, exist_ok=True)
    for section in ("sources", "entities"):
        for p in _files(base)[section]:
            (out / p.name).write_bytes(p.read_bytes())
    by_type: dict[str, list[str]] = {}
    type_of: dict[str, str] = {}
    for p in _files(base)["entities"]:
        for line in p.open("rb"):
            e = json.loads(line)
            by_type.setdefault(e["type"], []).append(e["id"])
            type_of[e["id"]] = e["type"]
    rnd = random.Random(seed)
    counts = {"regraded": 0, "removed": 0, "added": 0}
    keys: set[tuple[str, str, str]] = set()
    for p in _files(base)["relations"]:
        for line in p.open("rb"):
            r = json.loads(line)
            keys.add((r["from"], r["type"], r["to"]))
    for p in _files(base)["relations"]:
        with p.open("rb") as src, (out / p.name).open("w", encoding="utf-8") as dst:
            for line in src:
                if rnd.random() >= share:
                    dst.write(line.decode("utf-8"))
                    continue
                r = json.loads(line)
                what = rnd.choice(("regraded", "removed", "added"))
                if what == "removed":
                    counts[what] += 1
                    continue
                if what == "regraded":
                    r["credibility"] = r["credibility"] % 6 + 1
                    r.setdefault("valid_from", "2016")
                    dst.write(json.dumps(r, ensure_ascii=False) + "\n")
                    counts[what] += 1
                    continue
                dst.write(line.decode("utf-8"))  # kept, and a new fact next to it
                new = dict(r, to=rnd.choice(by_type[type_of[r["to"]]]))
                key = (new["from"], new["type"], new["to"])
                if key in keys or new["to"] == new["from"]:
                    continue
                keys.add(key)
                dst.write(json.dumps(new, ensure_ascii=False) + "\n")
                counts[what] += 1
    done.write_text(json.dumps(counts))
    return counts


# -- the variants (in a child process) ------------------------------------------------------------------


def run_load(old: Path, new: Path) -> dict:
    from loaders import load_facts

    a, b = load_facts([old]), load_facts([new])
    return {"relations_old": len(a.edges), "relations_new": len(b.edges)}


def _raw(data: Path) -> dict[tuple, dict]:
    facts: dict[tuple, dict] = {}
    for section, paths in _files(data).items():
        for p in paths:
            for line in p.open("rb"):
                d = json.loads(line)
                if section != "relations":
                    facts[section, d["id"]] = d
                    continue
                key = (d.pop("from"), d.pop("type"), d.pop("to"))
                seen = facts.get(key)
                if seen is None:
                    facts[key] = d
                else:
                    seen["evidence"] = seen["evidence"] + d["evidence"]
    return facts


def run_raw(old: Path, new: Path) -> dict:
    a, b = _raw(old), _raw(new)
    changed = sum(1 for k in a.keys() & b.keys() if a[k] != b[k])
    return {"changes": len(a.keys() - b.keys()) + len(b.keys() - a.keys()) + changed}


def _run_way(old: Path, new: Path, parallel: bool) -> dict:
    from loaders.versions import diff_paths

    changes, *_ = diff_paths(old, new, parallel=parallel)
    return {"changes": len(changes)}


def run_shared(old: Path, new: Path) -> dict:
    return _run_way(old, new, parallel=False)


def run_parallel(old: Path, new: Path) -> dict:
    return _run_way(old, new, parallel=True)


def child(variant: str, old: Path, new: Path) -> None:
    info = globals()[f"run_{variant}"](old, new)
    print(json.dumps(info))


# -- the parent ------------------------------------------------------------------------------------------


def tree_rss(pid: int) -> int:
    """Bytes resident in ``pid`` and all its descendants now (Linux /proc; 0 where it cannot be read)."""
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
                    break
            for task in Path(f"/proc/{p}/task").iterdir():
                todo.extend(int(c) for c in (task / "children").read_text().split())
        except (OSError, ValueError):
            continue
    return total


def run_variant(variant: str, old: Path, new: Path, out_dir: Path) -> dict:
    if variant.startswith("kg-"):
        fmt = variant.split("-", 1)[1]
        cmd = [sys.executable, "-m", "kg", "diff", str(old), str(new), "--format", fmt]
    else:
        cmd = [sys.executable, __file__, "--child", variant, str(old), str(new)]
    out_file = out_dir / f"diff-{variant}.out"
    load = os.getloadavg()[0]
    t = time.perf_counter()
    tree_peak = 0
    with out_file.open("wb") as fh:
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=fh, stderr=subprocess.PIPE)
        while True:  # wait, sampling the memory of the whole process tree (kg diff forks two readers)
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            tree_peak = max(tree_peak, tree_rss(proc.pid))
            time.sleep(0.1)
    wall = time.perf_counter() - t
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode("utf-8", "replace")
    proc.stderr.close()
    if proc.returncode != 0:
        raise SystemExit(f"{variant} failed ({proc.returncode}):\n{err[-2000:]}")
    res = {
        "wall_s": round(wall, 2),
        "cpu_s": round(usage.ru_utime + usage.ru_stime, 2),
        # The largest of: the child's own peak, and the sampled sum over it and its descendants.
        "peak_bytes": max(usage.ru_maxrss * 1024, tree_peak),
        "loadavg_before": round(load, 2),
        "output_bytes": out_file.stat().st_size,
    }
    if variant == "kg-json":
        data = json.loads(out_file.read_text(encoding="utf-8"))
        res["changes"] = len(data["changes"])
        res["summary"] = data["summary"]
    elif not variant.startswith("kg-"):
        res.update(json.loads(out_file.read_text().strip().splitlines()[-1]))
    out_file.unlink()
    return res


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="kg diff of two 1%-apart versions, vs loading them and a naive diff.")
    ap.add_argument("--entities", type=int, default=100_000)
    ap.add_argument("--relations", type=int, default=1_000_000)
    ap.add_argument("--change", type=float, default=0.01, help="share of relation rows changed (default 0.01)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--variants", default=",".join(VARIANTS), help=f"comma-separated, of: {', '.join(VARIANTS)}")
    ap.add_argument("--results", type=Path, default=HERE / "results" / "diff.json")
    ap.add_argument("--child", nargs=3, metavar=("VARIANT", "OLD", "NEW"), help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        child(args.child[0], Path(args.child[1]), Path(args.child[2]))
        return 0

    variants = [v for v in args.variants.split(",") if v]
    bad = [v for v in variants if v not in VARIANTS]
    if bad:
        ap.error(f"unknown variant(s): {', '.join(bad)}")
    old = HERE / "data" / f"{args.entities // 1000}k"
    ensure_base(old, args.entities, args.relations, args.seed)
    new = HERE / "data" / f"{old.name}-changed-{args.change:g}"
    counts = make_changed(old, new, args.change, args.seed)
    print(f"versions {old} and {new}: {counts}", flush=True)

    results: dict[str, dict] = {}
    with tempfile.TemporaryDirectory(prefix="bench-diff-") as tmp:  # each variant's output, read then dropped
        for v in variants:
            results[v] = res = run_variant(v, old, new, Path(tmp))
            print(
                f"  {v:8} {res['wall_s']:7.2f} s wall {res['cpu_s']:7.2f} s cpu "
                f"{res['peak_bytes'] / 2**20:7.0f} MB peak (load avg before {res['loadavg_before']})",
                flush=True,
            )
    ours = results.get("kg-json")
    report = {
        "when": time.strftime("%Y-%m-%d %H:%M"),
        "machine": platform.processor() or platform.machine(),
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "entities": args.entities,
        "relations": args.relations,
        "change": args.change,
        "changed_rows": counts,
        "variants": results,
        "target": {"seconds": TARGET_SECONDS, "bytes": TARGET_BYTES},
    }
    if ours:
        report["ok"] = ours["wall_s"] <= TARGET_SECONDS and ours["peak_bytes"] <= TARGET_BYTES
        for base in ("load", "raw"):
            if base in results:
                report[f"kg_vs_{base}"] = round(ours["wall_s"] / results[base]["wall_s"], 2)
        print(
            f"kg diff: {ours['wall_s']} s, {ours['peak_bytes'] / 2**30:.2f} GB peak, {ours['changes']} changes; "
            f"target {TARGET_SECONDS:g} s and {TARGET_BYTES / 2**30:g} GB: {'met' if report['ok'] else 'MISSED'}"
        )
    args.results.parent.mkdir(parents=True, exist_ok=True)
    args.results.write_text(json.dumps(report, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
