"""Benchmark `kg dedupe` and `kg scan` on 100k entities, each against the naive way on a sample.

    python bench/bench_dedupe.py                       # 100k entities, 1M relations (generated when missing)
    python bench/bench_dedupe.py --entities 10000 --relations 100000

Targets (issue 14): ``kg dedupe`` on 100k entities within 60 s and 4 GB; ``kg scan`` of a 5,000-word report
against 100k entities within 2 s. Every variant runs alone in a fresh child process; wall time is measured
around it, CPU time and peak RSS come from ``wait4``. The machine is shared: compare CPU seconds when the load
average (printed before each run) is high.

* ``kg-dedupe``      -- ``kg dedupe DATA --format json`` as a user runs it (validation of the dataset included);
* ``dedupe-stages``  -- the same in one process, timed by stage: load (validation), then ``find_duplicates``;
* ``dedupe-sample``  -- the naive way, every compatible pair scored (``graph.dedupe.naive_pairs``), against
  blocking on a random sample of ``--sample`` entities: time of each, the naive time extrapolated to the
  whole dataset (n^2/2 pairs), and the share of the naive pairs that blocking finds (recall);
* ``kg-scan``        -- ``kg scan REPORT DATA --source ID --format json`` as a user runs it (loading included);
* ``scan-stages``    -- in one process: load, then the scan's own work (index of every spelling, mentions,
  unknown names, sentences and coverage) of a 5,000-word report;
* ``scan-naive``     -- mentions per sentence three ways on a sample of the report's sentences: ours (a
  dictionary of word sequences), a plain loop (every spelling looked for in the sentence) and, when installed,
  pyahocorasick (an automaton of every spelling): microseconds per sentence, extrapolated to the report.

The report is synthetic and deterministic: sentences naming entities of the dataset (by name or alias),
capitalised names the dataset lacks, and a third of them quotes of one source's evidence (so that coverage
has something to count). Writes bench/results/dedupe.json.
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
sys.path.insert(0, str(ROOT))

DEDUPE_SECONDS, DEDUPE_BYTES = 60.0, 4 * 1024**3
SCAN_SECONDS = 2.0
REPORT_WORDS = 5_000
VARIANTS = ("kg-dedupe", "dedupe-stages", "dedupe-sample", "kg-scan", "scan-stages", "scan-naive")
TEMPLATES = (
    "Fighters of {a} moved to {b} last week, according to local sources.",
    "{a} set up a new checkpoint near {b}, residents said on Monday.",
    "A commander of {a} was seen in {b} with members of the Hawks Brigade.",
    "Sources close to {a} denied any presence in {b} or in Tall Abyad.",
    "The report says {a} recruits young men in {b} for a monthly salary.",
)


# -- the data ------------------------------------------------------------------------------------------


def ensure_data(data: Path, entities: int, relations: int, seed: int) -> None:
    if all(list(data.glob(f"*.{s}.jsonl")) for s in ("sources", "entities", "relations")):
        return
    from generate import generate

    generate(entities, relations, data, seed=seed)


def make_report(data: Path, seed: int) -> tuple[str, str]:
    """(text, source id): a deterministic report of REPORT_WORDS words about the dataset's entities."""
    rnd = random.Random(seed)
    names = []
    for line in next(data.glob("*.entities.jsonl")).open(encoding="utf-8"):
        e = json.loads(line)
        names.append(rnd.choice([e["name"], *e.get("aliases", [])]))
    quotes: dict[str, list[str]] = {}
    with next(data.glob("*.relations.jsonl")).open(encoding="utf-8") as fh:
        for n, line in enumerate(fh):
            for ev in json.loads(line)["evidence"]:
                quotes.setdefault(ev["source"], []).append(ev["quote"])
            if n > 200_000:
                break
    source = max(sorted(quotes), key=lambda s: len(quotes[s]))
    sentences, words = [], 0
    while words < REPORT_WORDS:
        if len(sentences) % 3 == 2:
            s = rnd.choice(quotes[source]).rstrip(".") + "."
        else:
            s = rnd.choice(TEMPLATES).format(a=rnd.choice(names), b=rnd.choice(names))
        sentences.append(s)
        words += len(s.split())
    paragraphs = [" ".join(sentences[i : i + 5]) for i in range(0, len(sentences), 5)]
    return "\n\n".join(paragraphs) + "\n", source


# -- the children ----------------------------------------------------------------------------------------


def _load(data: Path):
    from loaders import load_facts

    t = time.process_time()
    facts = load_facts([data])
    return facts, time.process_time() - t


def run_dedupe_stages(data: Path, args) -> dict:
    from graph.dedupe import Stats, find_duplicates

    facts, load_s = _load(data)
    stats = Stats()
    t = time.process_time()
    pairs = find_duplicates(facts, stats=stats)
    return {
        "load_cpu_s": round(load_s, 2),
        "dedupe_cpu_s": round(time.process_time() - t, 2),
        "pairs": len(pairs),
        "stats": stats.as_dict(),
    }


def run_dedupe_sample(data: Path, args) -> dict:
    from graph.dedupe import find_duplicates, naive_pairs
    from graph.facts import Facts

    facts, _ = _load(data)
    rnd = random.Random(args.seed)
    keep = set(rnd.sample(sorted(facts.entities), args.sample))
    sample = Facts(
        sources=facts.sources,
        entities={k: v for k, v in facts.entities.items() if k in keep},
        edges={k: e for k, e in facts.edges.items() if k[0] in keep and k[2] in keep},
    )
    t = time.process_time()
    naive = naive_pairs(sample)
    naive_s = time.process_time() - t
    t = time.process_time()
    ours = find_duplicates(sample)
    ours_s = time.process_time() - t
    want = {(p.a.id, p.b.id) for p in naive}
    got = {(p.a.id, p.b.id) for p in ours}
    n, total = len(sample.entities), len(facts.entities)
    return {
        "sample": n,
        "naive_cpu_s": round(naive_s, 2),
        "blocked_cpu_s": round(ours_s, 3),
        "naive_pairs": len(want),
        "blocked_pairs": len(got),
        "recall": round(len(want & got) / len(want), 4) if want else 1.0,
        "naive_extrapolated_cpu_s": round(naive_s * (total * (total - 1)) / (n * (n - 1)), 0),
    }


def run_scan_stages(data: Path, args) -> dict:
    from graph.scan import MentionFinder, scan
    from loaders import normalize_text

    facts, load_s = _load(data)
    text, source = make_report(data, args.seed)
    quotes = [ev.quote for e in facts.edges.values() for ev in e.evidence if ev.source == source]
    t0 = time.perf_counter()
    c0 = time.process_time()
    finder = MentionFinder.of_entities(facts.entities, text=text)  # as kg scan builds it
    index_s = time.process_time() - c0
    result = scan(text, finder, quotes=quotes, normalize=normalize_text)
    return {
        "load_cpu_s": round(load_s, 2),
        "words": len(text.split()),
        "index_cpu_s": round(index_s, 3),
        "scan_cpu_s": round(time.process_time() - c0, 3),
        "scan_wall_s": round(time.perf_counter() - t0, 3),
        "mentions": len(result.mentions),
        "unknown": len(result.unknown),
        "sentences": len(result.sentences),
        "coverage_percent": result.percent,
    }


def run_scan_naive(data: Path, args) -> dict:
    from graph.scan import MentionFinder, sentences

    facts, _ = _load(data)
    text, _ = make_report(data, args.seed)
    found = sentences(text)
    sample = [s.text for s in random.Random(args.seed).sample(found, min(40, len(found)))]
    finder = MentionFinder.of_entities(facts.entities)
    spellings = sorted({t.casefold() for e in facts.entities.values() for t in (e.name, *e.aliases)})
    out: dict = {"sentences": len(found), "sample_sentences": len(sample), "spellings": len(spellings)}

    def per_sentence(fn, reps: int = 1) -> float:
        t = time.process_time()
        for _ in range(reps):
            for s in sample:
                fn(s)
        return (time.process_time() - t) / (reps * len(sample)) * 1e6

    out["ours_us_per_sentence"] = round(per_sentence(finder.find, reps=20), 1)

    def plain(s: str) -> list:
        low = s.casefold()
        return [w for w in spellings if w in low]

    out["plain_loop_us_per_sentence"] = round(per_sentence(plain), 1)
    try:
        import ahocorasick  # type: ignore[import-not-found]
    except ImportError:
        out["pyahocorasick_us_per_sentence"] = None
    else:
        automaton = ahocorasick.Automaton()
        for w in spellings:
            automaton.add_word(w, w)
        automaton.make_automaton()
        out["pyahocorasick_us_per_sentence"] = round(
            per_sentence(lambda s: list(automaton.iter(s.casefold())), reps=20), 1
        )
    for k in ("ours", "plain_loop", "pyahocorasick"):
        us = out.get(f"{k}_us_per_sentence")
        out[f"{k}_report_s"] = round(us * len(found) / 1e6, 3) if us is not None else None
    return out


def child(variant: str, data: Path, args) -> None:
    print(json.dumps(globals()[f"run_{variant.replace('-', '_')}"](data, args)))


# -- the parent ------------------------------------------------------------------------------------------


def run_variant(variant: str, data: Path, args, tmp: Path) -> dict:
    report = tmp / "report.txt"
    if variant == "kg-dedupe":
        cmd = [sys.executable, "-m", "kg", "dedupe", str(data), "--format", "json", "--limit", "20"]
    elif variant == "kg-scan":
        text, source = make_report(data, args.seed)
        report.write_text(text, encoding="utf-8")
        cmd = [sys.executable, "-m", "kg", "scan", str(report), str(data), "--source", source, "--format", "json"]
    else:
        cmd = [sys.executable, __file__, "--child", variant, str(data), "--seed", str(args.seed)]
        cmd += ["--sample", str(args.sample)]
    out_file = tmp / f"{variant}.out"
    load = os.getloadavg()[0]
    t = time.perf_counter()
    with out_file.open("wb") as fh:
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=fh, stderr=subprocess.PIPE)
        _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t
    err = proc.stderr.read().decode("utf-8", "replace")  # type: ignore[union-attr]
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        raise SystemExit(f"{variant} failed ({code}):\n{err[-2000:]}")
    res = {
        "wall_s": round(wall, 2),
        "cpu_s": round(usage.ru_utime + usage.ru_stime, 2),
        "peak_bytes": usage.ru_maxrss * 1024,
        "loadavg_before": round(load, 2),
    }
    body = out_file.read_text(encoding="utf-8")
    if variant == "kg-dedupe":
        res["stats"] = json.loads(body)["stats"]
    elif variant == "kg-scan":
        parsed = json.loads(body)
        res["mentions"] = len(parsed["mentions"])
        res["coverage"] = parsed["coverage"]
    else:
        res.update(json.loads(body.strip().splitlines()[-1]))
    return res


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="kg dedupe and kg scan at 100k entities, against the naive ways.")
    ap.add_argument("--entities", type=int, default=100_000)
    ap.add_argument("--relations", type=int, default=1_000_000)
    ap.add_argument("--sample", type=int, default=1500, help="entities of the naive dedupe sample")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--variants", default=",".join(VARIANTS), help=f"comma-separated, of: {', '.join(VARIANTS)}")
    ap.add_argument("--results", type=Path, default=HERE / "results" / "dedupe.json")
    ap.add_argument(
        "--update", action="store_true", help="keep the results file's other variants (from an earlier run)"
    )
    ap.add_argument("--child", nargs=2, metavar=("VARIANT", "DATA"), help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        child(args.child[0], Path(args.child[1]), args)
        return 0
    variants = [v for v in args.variants.split(",") if v]
    bad = [v for v in variants if v not in VARIANTS]
    if bad:
        ap.error(f"unknown variant(s): {', '.join(bad)}")
    data = HERE / "data" / f"dedupe-{args.entities // 1000}k"
    ensure_data(data, args.entities, args.relations, args.seed)
    results: dict[str, dict] = {}
    if args.update and args.results.exists():
        results = json.loads(args.results.read_text())["variants"]
    with tempfile.TemporaryDirectory(prefix="bench-dedupe-") as tmp:
        for v in variants:
            results[v] = res = run_variant(v, data, args, Path(tmp))
            res["when"] = time.strftime("%Y-%m-%d %H:%M")
            extra = {k: res[k] for k in res if k not in ("wall_s", "cpu_s", "peak_bytes", "loadavg_before")}
            print(
                f"  {v:14} {res['wall_s']:7.2f} s wall {res['cpu_s']:7.2f} s cpu "
                f"{res['peak_bytes'] / 2**20:7.0f} MB peak (load avg before {res['loadavg_before']}) {extra}",
                flush=True,
            )
    report = {
        "when": time.strftime("%Y-%m-%d %H:%M"),
        "machine": platform.processor() or platform.machine(),
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "entities": args.entities,
        "relations": args.relations,
        "variants": results,
        "target": {"dedupe_seconds": DEDUPE_SECONDS, "dedupe_bytes": DEDUPE_BYTES, "scan_seconds": SCAN_SECONDS},
    }
    if "kg-dedupe" in results:
        d = results["kg-dedupe"]
        report["dedupe_ok"] = d["cpu_s"] <= DEDUPE_SECONDS and d["peak_bytes"] <= DEDUPE_BYTES
    if "scan-stages" in results:
        report["scan_ok"] = results["scan-stages"]["scan_cpu_s"] <= SCAN_SECONDS
    args.results.parent.mkdir(parents=True, exist_ok=True)
    args.results.write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps({k: report[k] for k in report if k.endswith("_ok")}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
