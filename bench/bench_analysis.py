"""Benchmark: graph.analysis (igraph) against networkx on the synthetic 100k-entity / 1M-relation graph.

    python bench/bench_analysis.py                          # 100k entities, 1M relations (generated if missing)
    python bench/bench_analysis.py --entities 10000 --relations 100000
    /path/to/python bench/bench_analysis.py --candidates    # also networkit, where it is installed

Builds the graph once (as every ``kg`` command does), then times, in this process, one after another:

* ``ties``: the MultiDiGraph -> igraph conversion every measure starts from (done once per command);
* the measures on ready ties: PageRank, sampled betweenness (``graph.analysis.SAMPLES`` sources,
  its stated error), Leiden communities, degree, k-core;
* networkx on the same graph in the same run: PageRank (``nx.pagerank`` when scipy is installed,
  else networkx's pure-Python one), betweenness from a few sampled sources extrapolated linearly
  to the same number of sources (each source costs the same search), Louvain communities;
* ``--candidates``: networkit on the same ties (PageRank, EstimateBetweenness with the same number
  of sources, PLM and ParallelLeiden), how the backend was chosen;
* ``--neo4j``: on a Neo4j 5.26 started for the run (own port and data folder, removed after), the
  dataset's sources and entities loaded as ``kg load`` loads them (not timed against a target;
  ``--neo4j-relations`` loads the relations too, which takes minutes at 1M and changes nothing for
  the write: it matches each entity by id in the unique index and sets properties of the node
  alone), then the measures ``kg analyze --write`` stores by default written back to every entity
  (:func:`graph.neo4j.measures.write_measures`), and the ``key_players`` query over them.

Targets on the project's 2-core machine at 100k / 1M: PageRank <= 2 s, sampled betweenness
<= 20 s, communities <= 10 s (the measure on ready ties), writing the measures to Neo4j <= 20 s.
The machine is shared: every row records the 1-minute load average before it, and CPU seconds
next to wall seconds (for the Neo4j write, CPU seconds are this process's only: the server works
in its own).
Prints a table and writes bench/results/analysis.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from signals import stop_cleanly_on_sigterm  # noqa: E402

TARGETS = {"pagerank": 2.0, "betweenness": 20.0, "communities": 10.0, "neo4j: write measures": 20.0}
NX_BETWEENNESS_SOURCES = 4  # networkx sources actually searched; extrapolated to SAMPLES


def clock(results: list, name: str, fn, **info):
    """Run fn, record wall and CPU seconds and the load average before it; return fn's result."""
    load = os.getloadavg()[0]
    t, c = time.perf_counter(), time.process_time()
    value = fn()
    row = {
        "name": name,
        "wall_s": round(time.perf_counter() - t, 3),
        "cpu_s": round(time.process_time() - c, 3),
        "loadavg_before": round(load, 2),
        **info,
    }
    results.append(row)
    print(
        f"{name:<42} {row['wall_s']:>9.2f} s wall {row['cpu_s']:>9.2f} s CPU  (load {load:.1f})"
        + (f"  {info['note']}" if info.get("note") else ""),
        flush=True,
    )
    return value


def ensure_data(data: Path, entities: int, relations: int) -> None:
    if any(data.glob("*.relations.jsonl")):
        return
    from generate import generate

    print(f"generating {entities} entities / {relations} relations into {data}", flush=True)
    generate(entities, relations, data)


def networkx_part(results: list, G, T, samples: int, seed: int) -> None:
    import random

    import networkx as nx

    U = clock(results, "networkx: simple undirected graph", lambda: _nx_graph(T))
    try:
        import scipy  # noqa: F401

        clock(results, "networkx: pagerank (scipy)", lambda: nx.pagerank(U))
    except ImportError:
        from networkx.algorithms.link_analysis.pagerank_alg import _pagerank_python

        clock(results, "networkx: pagerank (pure Python)", lambda: _pagerank_python(U))
    few = random.Random(seed).sample(list(U), NX_BETWEENNESS_SOURCES)
    from networkx.algorithms.centrality.betweenness import _single_source_shortest_path_basic

    def some_sources():
        for s in few:
            _single_source_shortest_path_basic(U, s)

    clock(results, f"networkx: betweenness, {NX_BETWEENNESS_SOURCES} sources", some_sources)
    per_source = results[-1]["wall_s"] / NX_BETWEENNESS_SOURCES
    results.append(
        {
            "name": f"networkx: betweenness, {samples} sources (extrapolated)",
            "wall_s": round(per_source * samples, 1),
            "cpu_s": round(results[-1]["cpu_s"] / len(few) * samples, 1),
            "loadavg_before": results[-1]["loadavg_before"],
            "note": f"{NX_BETWEENNESS_SOURCES} sources measured x {samples / NX_BETWEENNESS_SOURCES:g}",
        }
    )
    print(f"{results[-1]['name']:<42} {results[-1]['wall_s']:>9.1f} s wall (extrapolated)", flush=True)
    clock(results, "networkx: louvain communities", lambda: nx.community.louvain_communities(U, seed=seed))


def _nx_graph(T):
    import networkx as nx

    U = nx.Graph()
    U.add_nodes_from(range(len(T)))
    U.add_edges_from(T.net.get_edgelist())
    return U


def candidates_part(results: list, T, samples: int, seed: int) -> None:
    try:
        import networkit as nk
    except ImportError:
        print(
            "networkit is not installed here: run with a Python that has it (pip install networkit==11.3)",
            file=sys.stderr,
        )
        return
    import numpy as np

    def build():
        g = nk.Graph(len(T), weighted=False, directed=False)
        edges = np.array(T.net.get_edgelist(), dtype=np.uint64)
        g.addEdges((edges[:, 0], edges[:, 1]))
        return g

    for threads in (1, 2):
        nk.setNumberOfThreads(threads)
        nk.setSeed(seed, False)
        g = clock(results, f"networkit {threads}t: build", build)
        clock(results, f"networkit {threads}t: pagerank", lambda g=g: nk.centrality.PageRank(g, damp=0.85).run())
        clock(
            results,
            f"networkit {threads}t: betweenness, {samples} sources",
            lambda g=g, par=threads > 1: nk.centrality.EstimateBetweenness(g, samples, True, par).run(),
        )
        clock(results, f"networkit {threads}t: PLM (Louvain)", lambda g=g: nk.community.PLM(g, refine=True).run())
        clock(results, f"networkit {threads}t: ParallelLeiden", lambda g=g: nk.community.ParallelLeiden(g).run())
        clock(results, f"networkit {threads}t: k-core", lambda g=g: nk.centrality.CoreDecomposition(g).run())


def server_cpu(pid: int) -> float:
    """CPU seconds (user + system, every thread) the process ``pid`` has used so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def neo4j_part(results: list, facts, G, T, computed: dict, seed: int, relations: bool) -> None:
    """Load the dataset into a Neo4j of its own, then time writing the default measures back."""
    import shutil
    import socket
    import tempfile

    from graph import analysis as A
    from graph.neo4j import server
    from graph.neo4j.connection import driver
    from graph.neo4j.mapping import FactRows
    from graph.neo4j.measures import DEFAULT_MEASURES, write_measures
    from graph.neo4j.settings import get_settings
    from graph.neo4j.writer import load_rows
    from queries import library

    class EntitiesOnly(FactRows):
        """The rows of the sources and entities only: all that writing measures touches."""

        def counts(self) -> dict[str, int]:
            return {**super().counts(), "relations": 0}

        def relations(self):
            return iter(())

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    home = Path(tempfile.mkdtemp(prefix="bench-analysis-neo4j-"))
    settings = get_settings(uri=f"bolt://127.0.0.1:{port}", server_port=port, data_dir=home)
    pid = clock(results, "neo4j: start", lambda: server.start(settings=settings))["pid"]
    try:
        with driver(settings, notifications_min_severity="OFF") as drv:
            rows = FactRows(facts, "bench") if relations else EntitiesOnly(facts, "bench")
            what = "the dataset" if relations else "sources and entities"
            clock(results, f"neo4j: load {what} (kg load)", lambda: load_rows(drv, rows))
            # Timed above already; brokerage reuses the communities' partition (cached on the ties).
            scores = {name: computed.get(name) or A.measure(name).run(T, seed=seed) for name in DEFAULT_MEASURES}
            before = server_cpu(pid)
            report = clock(
                results,
                "neo4j: write measures",
                lambda: write_measures(drv, "bench", scores, list(G), scope=T.scope.describe()),
                note=f"{len(DEFAULT_MEASURES)} properties on each of {len(G)} entities",
            )
            spent = round(server_cpu(pid) - before, 3)
            results[-1].update(
                chunks=report.chunks, written=report.written, properties=report.properties, server_cpu_s=spent
            )
            print(f"  the server spent {spent:.2f} s CPU on it (all its threads)", flush=True)
            clock(
                results,
                "neo4j: key_players query (limit 20)",
                lambda: library.run_named(drv, "key_players", {"limit": "20"}),
            )
    finally:
        server.stop(home, settings=settings)
        shutil.rmtree(home, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    stop_cleanly_on_sigterm()
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--entities", type=int, default=100_000)
    p.add_argument("--relations", type=int, default=1_000_000)
    p.add_argument("--data", type=Path, default=None, help="dataset folder (default bench/data/<entities/1000>k)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--no-networkx", action="store_true", help="skip the networkx baseline")
    p.add_argument("--candidates", action="store_true", help="also time networkit (the other candidate backend)")
    p.add_argument("--neo4j", action="store_true", help="also time writing the measures to a Neo4j started for it")
    p.add_argument("--neo4j-relations", action="store_true", help="with --neo4j: load the relations into it too")
    p.add_argument("--out", type=Path, default=HERE / "results" / "analysis.json")
    args = p.parse_args(argv)
    data = args.data or HERE / "data" / f"{args.entities // 1000}k"
    ensure_data(data, args.entities, args.relations)

    from graph import analysis as A
    from graph.analysis import backend
    from graph.build import build_graph
    from loaders import discover, load_facts

    results: list[dict] = []
    facts = clock(results, "load facts", lambda: load_facts(discover([data])))
    G = clock(results, "build graph", lambda: build_graph(facts))
    if not args.neo4j:
        facts = None  # the graph holds what the measures need
    T = clock(results, "ties (MultiDiGraph -> igraph)", lambda: A.ties(G))
    print(f"  {len(T)} entities, {T.n_ties} ties, {len(T.components)} components", flush=True)
    computed = {"pagerank": clock(results, "pagerank", lambda: A.pagerank(T))}
    b = computed["betweenness"] = clock(results, "betweenness", lambda: A.betweenness(T, seed=args.seed))
    results[-1].update(
        method=b.meta["method"], samples=b.meta.get("samples"), error=b.meta.get("error"), note=b.meta.get("note", "")
    )
    c = computed["communities"] = clock(results, "communities", lambda: A.communities(T, seed=args.seed))
    results[-1].update(
        modularity=round(c.meta["modularity"], 4),
        communities=c.meta["communities"],
        iterations=c.meta["iterations"],
        note=f"{c.meta['communities']} communities, modularity {c.meta['modularity']:.3f}, "
        f"{c.meta['iterations']} passes",
    )
    computed["degree"] = clock(results, "degree", lambda: A.degree(T))
    computed["k-core"] = clock(results, "k-core", lambda: A.kcore(T))
    clock(results, "ego", lambda: A.ego(T))
    if not args.no_networkx:
        networkx_part(results, G, T, A.SAMPLES, args.seed)
    if args.candidates:
        candidates_part(results, T, A.SAMPLES, args.seed)
    if args.neo4j:
        neo4j_part(results, facts, G, T, computed, args.seed, args.neo4j_relations)

    by_name = {r["name"]: r for r in results}
    verdict = {
        m: {
            "wall_s": by_name[m]["wall_s"],
            "cpu_s": by_name[m]["cpu_s"],
            "target_s": t,
            "met": by_name[m]["wall_s"] <= t,
        }
        for m, t in TARGETS.items()
        if m in by_name
    }
    report = {
        "entities": len(T),
        "relations": G.number_of_edges(),
        "ties": T.n_ties,
        "backend": backend.NAME,
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "loadavg_end": [round(x, 2) for x in os.getloadavg()],
        "targets": verdict,
        "runs": results,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    for m, v in verdict.items():
        print(
            f"target {m}: {v['wall_s']:.2f} s wall ({v['cpu_s']:.2f} s CPU) <= {v['target_s']} s: "
            f"{'met' if v['met'] else 'MISSED'}"
        )
    print(f"wrote {args.out}")
    return 0 if all(v["met"] for v in verdict.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
