"""Benchmark: seconds from "Neo4j down" to the one-line error, for `kg query`, `kg load` and the explorer.

    python bench/bench_unreachable.py

1. A throw-away Neo4j of its own (graph.neo4j.server, generated password) and `kg serve`
   in a child process, started while Neo4j is up; one search warms the explorer's pool.
2. Neo4j hung: the JVM stopped with SIGSTOP (the port accepts connections, nothing answers;
   the driver's own defaults waited 60 s here). Then Neo4j stopped: nothing listens.
3. In each state, timed from the moment it is down: `kg query --cypher "RETURN 1"` and
   `kg load data` (child processes, to their exit, Python's start included), and the
   explorer's first request (GET /api/search). Each must end with one error line within
   the target (3 s), without driver chatter. For scale, the same commands' start-up
   without any Neo4j (`kg query --list`, `kg validate data`) is measured too: on a busy
   machine Python's own start takes a good part of the figures.
4. Neo4j started again: seconds until the explorer (never restarted) answers again.

Prints the figures and writes bench/results/unreachable.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

from signals import stop_cleanly_on_sigterm  # noqa: E402

TARGET_S = 3.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def timed_command(args: list[str], env: dict) -> dict:
    began = time.monotonic()
    r = subprocess.run([sys.executable, "-m", "kg", *args], cwd=ROOT, env=env, capture_output=True, text=True)
    seconds = time.monotonic() - began
    lines = [line for line in (r.stdout + r.stderr).splitlines() if line.strip()]
    return {"seconds": round(seconds, 2), "exit": r.returncode, "lines": len(lines), "last": lines[-1] if lines else ""}


def timed_request(url: str, headers: dict) -> dict:
    began = time.monotonic()
    try:
        r = httpx.get(url, headers=headers, timeout=120)
    except httpx.TimeoutException:
        return {"seconds": round(time.monotonic() - began, 2), "status": None, "last": "no answer within 120 s"}
    seconds = time.monotonic() - began
    body = r.json() if r.headers.get("content-type", "").startswith("application/json") else {}
    return {"seconds": round(seconds, 2), "status": r.status_code, "last": str(body.get("detail", ""))[:200]}


def wait_until(check, timeout: float) -> float | None:
    began = time.monotonic()
    while time.monotonic() - began < timeout:
        if check():
            return time.monotonic() - began
        time.sleep(0.1)
    return None


def main() -> int:
    stop_cleanly_on_sigterm()
    argparse.ArgumentParser(description=__doc__.split("\n\n")[0]).parse_args()
    from graph.neo4j import server as neo4j_server
    from graph.neo4j.settings import get_settings

    home = Path(tempfile.mkdtemp(prefix="actorgraph-bench-unreachable-"))
    bolt = free_port()
    settings = get_settings(
        uri=f"bolt://127.0.0.1:{bolt}", server_port=bolt, data_dir=home, heap_max="1g", pagecache="256m"
    )
    env = {k: v for k, v in os.environ.items() if k != "NEO4J_PASSWORD"}
    env.update(NEO4J_URI=settings.uri, NEO4J_DATA_DIR=str(home), COLUMNS="200")
    log(f"starting Neo4j on {settings.uri} (data {home}) ...")
    info = neo4j_server.start(settings=settings)
    pid = info["pid"]
    web_port = free_port()
    token = "bench-token"
    explorer = subprocess.Popen(
        [sys.executable, "-m", "kg", "serve", "--port", str(web_port)],
        cwd=ROOT,
        env={**env, "ACTORGRAPH_TOKEN": token},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{web_port}/api/search?q=fog"
    headers = {"X-Actorgraph-Token": token}
    results: dict = {
        "target_seconds": TARGET_S,
        "connect_timeout_s": settings.connect_seconds,  # NEO4J_CONNECT_TIMEOUT, or its default for this host
        "machine": platform.platform(),
        "cpus": os.cpu_count(),
        "loadavg": " ".join(f"{x:.2f}" for x in os.getloadavg()),
    }
    results["no neo4j needed"] = {
        "kg query --list": timed_command(["query", "--list"], env),
        "kg validate data": timed_command(["validate", "data"], env),
    }
    try:
        ok = wait_until(lambda: _answers(url, headers), 120)
        if ok is None:
            raise SystemExit("the explorer did not come up")
        log("explorer up; Neo4j hung (SIGSTOP) ...")
        os.kill(pid, signal.SIGSTOP)
        try:
            results["hung"] = {
                "explorer first request": timed_request(url, headers),
                "kg query": timed_command(["query", "--cypher", "RETURN 1"], env),
                "kg load": timed_command(["load", "data"], env),
            }
        finally:
            os.kill(pid, signal.SIGCONT)
        log("Neo4j stopped ...")
        neo4j_server.stop(settings=settings)
        results["stopped"] = {
            "explorer first request": timed_request(url, headers),
            "kg query": timed_command(["query", "--cypher", "RETURN 1"], env),
            "kg load": timed_command(["load", "data"], env),
        }
        log("Neo4j started again ...")
        began = time.monotonic()
        neo4j_server.start(settings=settings)
        restarted = time.monotonic() - began
        back = wait_until(lambda: _answers(url, headers), 60)
        results["explorer answers again after the restart (s)"] = None if back is None else round(back, 2)
        results["restart (s)"] = round(restarted, 1)
    finally:
        explorer.terminate()
        explorer.wait(30)
        neo4j_server.stop(settings=settings)

    print(f"{'state':15} {'what':24} {'seconds':>8}  {'within':6}  result")
    for state in ("no neo4j needed", "hung", "stopped"):
        for what, r in results[state].items():
            within = "-" if state == "no neo4j needed" else "yes" if r["seconds"] <= TARGET_S else "NO"
            shown = (
                f"HTTP {r['status']}: {r['last']}"
                if "status" in r
                else f"exit {r['exit']}, {r['lines']} line(s): {r['last']}"
            )
            print(f"{state:15} {what:24} {r['seconds']:8.2f}  {within:6}  {shown[:150]}")
    print(f"explorer answers again {results['explorer answers again after the restart (s)']} s after Neo4j is back")
    out = HERE / "results"
    out.mkdir(exist_ok=True)
    (out / "unreachable.json").write_text(json.dumps(results, indent=2) + "\n")
    return 0


def _answers(url: str, headers: dict) -> bool:
    try:
        return httpx.get(url, headers=headers, timeout=10).status_code == 200
    except httpx.HTTPError:
        return False


if __name__ == "__main__":
    sys.exit(main())
