"""Benchmark the one name matcher (graph.names) at 100k entities: in memory and through the explorer's API,
each against the naive way (every name compared) on a sample in the same run.

    python bench/bench_names.py                                # 100k entities, memory and explorer
    python bench/bench_names.py --entities 10000 --parts memory

The names are those of bench/generate.py (a few hundred given names, family names and words, so that
names repeat a lot: a hard case for blocking). The queries are spelling variants of sampled names and
aliases, made deterministically the way romanisations differ (ou/u, e/i, doubled letters, a dropped
letter, case and hyphens).

* ``memory``   -- :class:`graph.names.NameIndex` over every id, name and alias: build time, then
  ``candidates()`` latency (p50/p95) and how often the varied name's entity spelling is among the
  candidates; the naive way on ``--naive`` of the queries: every spelling scored by rapidfuzz
  (``NameIndex.naive``), and by the standard library (difflib ``get_close_matches``) on ``--difflib``
  queries; and the scorer itself, rapidfuzz against difflib's SequenceMatcher on the same blocked
  candidate sets (microseconds per pair): the measurement that chose rapidfuzz.
* ``explorer`` -- a Neo4j of its own (bench/data/neo4j-names-<size>) holding the dataset (loaded once, as
  `kg load` does), `kg serve` in a child process, GET /api/search for every query, one at a time on one
  keep-alive connection; the naive way on a sample: every entity's names read from Neo4j and compared.
  Then where the time goes (``stages``): the explorer's search function in this process, its Neo4j
  read apart from its Python (ranking), with names containing what was typed found by the TEXT index
  seek (as now) and by the leading-wildcard walk of the full-text keys (as before), alternately.

Writes bench/results/names.json.
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import platform
import random
import resource
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))

from bench_explorer import Explorer, free_port, log, summary  # noqa: E402

TARGET_P95_MS = 100.0  # as the explorer's search (bench/bench_explorer.py)


# -- the data and the queries --------------------------------------------------------------------------


def entities(n: int, relations: int, seed: int) -> list[dict]:
    from generate import iter_records

    return [r for section, r in iter_records(n, relations, seed=seed) if section == "entities"]


def vary(name: str, rng: random.Random) -> str:
    """A spelling variant of ``name`` as another report would write it."""
    s = name
    for a, b in (("u", "ou"), ("i", "e"), ("a", "aa"), ("-", " "), ("k", "q"), ("ss", "s")):
        if a in s and rng.random() < 0.35:
            s = s.replace(a, b, 1)
    if len(s) > 6 and rng.random() < 0.25:  # a letter lost
        i = rng.randrange(1, len(s) - 1)
        s = s[:i] + s[i + 1 :]
    return s.lower() if rng.random() < 0.3 else s


def queries(ents: list[dict], n: int, rng: random.Random) -> list[tuple[str, str]]:
    """(variant, the spelling it varies)."""
    out = []
    for e in rng.sample(ents, n):
        spelling = rng.choice([e["name"], *e.get("aliases", [])])
        out.append((vary(spelling, rng), spelling))
    return out


def ms(f, *args) -> tuple[float, object]:
    t = time.perf_counter()
    out = f(*args)
    return (time.perf_counter() - t) * 1000, out


# -- in memory -------------------------------------------------------------------------------------


def bench_memory(ents: list[dict], qs: list[tuple[str, str]], n_naive: int, n_difflib: int) -> dict:
    from rapidfuzz import fuzz, process

    from graph.names import NameIndex, fold

    t = time.perf_counter()
    index = NameIndex((e["id"], text, e["type"]) for e in ents for text in (e["name"], *e.get("aliases", [])))
    build_s = time.perf_counter() - t
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    log(f"index: {len(index._spellings):,} spellings, {len(index._forms):,} forms in {build_s:.1f} s")

    for q, _ in qs[:20]:  # warm-up
        index.candidates(q)
    times, found = [], 0
    for q, spelling in qs:
        took, cands = ms(index.candidates, q)
        times.append(took)
        found += any(fold(c.matched) == fold(spelling) for c in cands)
    ours = summary(times, TARGET_P95_MS)
    ours["found_share"] = round(found / len(qs), 3)
    log(f"ours: {ours}")

    naive_times, agree = [], 0
    for q, _ in qs[:n_naive]:
        took, best = ms(lambda x: index.naive(x, limit=1), q)
        naive_times.append(took)
        agree += bool(best) and best[0][0] == index.candidates(q, limit=1)[0].id
    naive = summary(naive_times)
    naive["top_agrees_with_ours"] = f"{agree}/{n_naive}"
    log(f"naive rapidfuzz (every spelling): {naive}")

    folded_all = [index._forms[form] for _, _, form in index._spellings]
    difflib_times = []
    for q, _ in qs[:n_difflib]:
        took, _ = ms(difflib.get_close_matches, fold(q), folded_all, 10, 0.6)
        difflib_times.append(took)
    naive_difflib = summary(difflib_times)
    log(f"naive difflib (every spelling): {naive_difflib}")

    # The scorer alone, on the same blocked sets: rapidfuzz (three C scorers, as NameIndex._fuzzy) or difflib.
    pairs = rf_s = dl_s = 0.0
    for q, _ in qs[:50]:
        f = fold(q)
        choices = [index._forms[form] for form in index._block(f)]
        pairs += len(choices)
        t = time.perf_counter()
        for scorer in (fuzz.ratio, fuzz.token_sort_ratio, fuzz.token_set_ratio):
            process.extract(f, choices, scorer=scorer, limit=None, score_cutoff=60)
        rf_s += time.perf_counter() - t
        t = time.perf_counter()
        for c in choices:
            sm = difflib.SequenceMatcher(None, f, c)
            if sm.real_quick_ratio() >= 0.6 and sm.quick_ratio() >= 0.6:
                sm.ratio()
            difflib.SequenceMatcher(None, " ".join(sorted(f.split())), " ".join(sorted(c.split()))).ratio()
        dl_s += time.perf_counter() - t
    scorer = {
        "pairs": int(pairs),
        "rapidfuzz_us_per_pair": round(rf_s / pairs * 1e6, 3) if pairs else None,
        "difflib_us_per_pair": round(dl_s / pairs * 1e6, 3) if pairs else None,
        "note": "rapidfuzz: ratio + token_sort + token_set over the block; difflib: ratio (with its quick "
        "bounds) + token-sorted ratio, no token_set at all",
    }
    log(f"scorer on the blocked sets: {scorer}")
    return {
        "spellings": len(index._spellings),
        "forms": len(index._forms),
        "build_s": round(build_s, 2),
        "rss_mb": round(rss_mb),
        "ours": ours,
        "naive_rapidfuzz": naive,
        "naive_difflib": naive_difflib,
        "scorer": scorer,
        "speedup_p95_vs_naive": round(naive["p95_ms"] / ours["p95_ms"], 1) if ours["p95_ms"] else None,
    }


# -- through the explorer --------------------------------------------------------------------------


def bench_explorer(args, qs: list[tuple[str, str]]) -> dict:
    import httpx
    from bench_explorer import ensure_data, ensure_loaded
    from rapidfuzz import process

    from graph.names import fold, similarity
    from graph.neo4j import server as neo4j_server
    from graph.neo4j.connection import driver
    from graph.neo4j.settings import get_settings

    size = f"{args.entities // 1000}k-{args.relations // 1000}k"
    data = HERE / "data" / f"names-{size}"
    ensure_data(data, args.entities, args.relations, args.seed)
    port = free_port()
    folder = HERE / "data" / f"neo4j-names-{size}"
    settings = get_settings(uri=f"bolt://127.0.0.1:{port}", server_port=port, data_dir=folder)
    log(f"starting Neo4j on {settings.uri} (data {settings.data_dir}) ...")
    info = neo4j_server.start(settings=settings)
    settings = get_settings(uri=info["uri"], data_dir=settings.data_dir)
    explorer = None
    try:
        load = ensure_loaded(settings, data, args.relations)
        explorer = Explorer(settings, free_port())
        times, found = [], 0
        with httpx.Client(base_url=explorer.url, timeout=60) as c:
            for q, _ in qs[:20]:
                c.get("/api/search", params={"q": q})
            for q, spelling in qs:
                t = time.perf_counter()
                r = c.get("/api/search", params={"q": q, "limit": 12})
                times.append((time.perf_counter() - t) * 1000)
                r.raise_for_status()
                found += any(
                    fold(s["name"]) == fold(spelling) or fold(s.get("matched") or "") == fold(spelling)
                    for s in r.json()["suggestions"]
                )
        ours = summary(times, TARGET_P95_MS)
        ours["found_share"] = round(found / len(qs), 3)
        log(f"explorer search: {ours}")
        # The naive way: every entity's names from Neo4j, each compared with the query.
        naive_times = []
        with driver(settings) as drv:
            for q, _ in qs[: args.naive_explorer]:
                t = time.perf_counter()
                rows = drv.execute_query("MATCH (n:Entity) RETURN n.id AS id, n.name AS name, n.aliases AS aliases")
                names = [fold(t) for r in rows.records for t in (r["name"], *(r["aliases"] or []))]
                process.extract(fold(q), names, scorer=similarity, limit=12)
                naive_times.append((time.perf_counter() - t) * 1000)
        naive = summary(naive_times)
        log(f"explorer naive (every name read and compared): {naive}")
        stages = explorer_stages(settings, qs)
        log(f"explorer stages: {stages}")
        return {"load": load, "ours": ours, "naive": naive, "stages": stages}
    finally:
        if explorer:
            explorer.close()
        if not info["already_running"]:
            neo4j_server.stop(settings.data_dir, settings=settings)


def explorer_stages(settings, qs: list[tuple[str, str]]) -> dict:
    """The search in this process: Neo4j reads and Python apart, inside-by-seek against inside-by-walk."""
    from graph.neo4j.connection import driver
    from viz.explorer.store import search
    from viz.explorer.store.base import Store

    seek_of = search.inside_by_seek
    out: dict = {}
    try:
        with driver(settings) as drv:
            store = Store(drv, settings=settings)
            read, reads = store.read, []

            def timed_read(cypher, **params):
                t = time.perf_counter()
                try:
                    return read(cypher, **params)
                finally:
                    reads.append((time.perf_counter() - t) * 1000)

            store.read = timed_read  # type: ignore[method-assign]
            totals: dict[str, list[float]] = {"seek": [], "walk": []}
            in_reads: dict[str, list[float]] = {"seek": [], "walk": []}
            same = 0
            for i, (q, _) in enumerate(qs):
                got = {}
                for way in ("seek", "walk") if i % 2 else ("walk", "seek"):
                    search.inside_by_seek = lambda _store, seek=(way == "seek"): seek  # type: ignore[assignment]
                    reads.clear()
                    t = time.perf_counter()
                    got[way] = search.suggestions(store, q, limit=12)
                    totals[way].append((time.perf_counter() - t) * 1000)
                    in_reads[way].append(sum(reads))
                same += [s["id"] for s in got["seek"]] == [s["id"] for s in got["walk"]]
            for way in ("seek", "walk"):
                out[way] = {
                    "total": summary(totals[way]),
                    "neo4j_reads": summary(in_reads[way]),
                    "python": summary([a - b for a, b in zip(totals[way], in_reads[way], strict=True)]),
                }
            out["same_suggestions"] = f"{same}/{len(qs)}"
    finally:
        search.inside_by_seek = seek_of
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="The name matcher's latency at scale, against the naive way.")
    ap.add_argument("--entities", type=int, default=100_000)
    ap.add_argument("--relations", type=int, default=20_000, help="relations of the explorer's dataset")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--queries", type=int, default=300)
    ap.add_argument("--naive", type=int, default=20, help="queries the naive rapidfuzz way also answers")
    ap.add_argument("--difflib", type=int, default=3, help="queries the naive difflib way also answers")
    ap.add_argument("--naive-explorer", type=int, default=5)
    ap.add_argument("--parts", default="memory,explorer")
    ap.add_argument("--results", type=Path, default=HERE / "results" / "names.json")
    args = ap.parse_args(argv)
    load_start = os.getloadavg()[0]
    rng = random.Random(args.seed)
    ents = entities(args.entities, 1_000, args.seed)
    qs = queries(ents, args.queries, rng)
    result: dict = {}
    parts = set(args.parts.split(","))
    if "memory" in parts:
        result["memory"] = bench_memory(ents, qs, args.naive, args.difflib)
    if "explorer" in parts:
        result["explorer"] = bench_explorer(args, qs)
    out = {
        "benchmark": "names",
        "when": time.strftime("%Y-%m-%dT%H:%M:%S"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "load_average_at_start": round(load_start, 1),
        "entities": args.entities,
        "queries": args.queries,
        "examples": [q for q, _ in qs[:8]],
        **result,
    }
    args.results.parent.mkdir(parents=True, exist_ok=True)
    args.results.write_text(json.dumps(out, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    log(f"wrote {args.results}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
