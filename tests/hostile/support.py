"""Running `kg` on hostile input: a case's commands in a child process, timed and measured; Neo4j dumped.

A case's commands run one after the other in one child process (tests/hostile/run_case.py) under a
wall-clock limit and an address-space cap (a safety net: should a reader ever expand an alias bomb, the
test fails instead of the machine). Each command's time and the process's peak memory after it (VmHWM)
are measured inside it; the case's peak is the last. Every case is kept in :data:`RUNS`; the
hostile suite's summary prints the slowest command and the largest case (tests/hostile/conftest.py), and
writes them all as JSON to ``$HOSTILE_REPORT`` when that is set.
"""

from __future__ import annotations

import json
import os
import resource
import signal
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from graph.neo4j.values import to_plain
from tests.paths import ROOT

TIMEOUT = 300.0  # seconds the five commands of a case may take together on hostile input
ADDRESS_SPACE = 8 << 30  # bytes: the cap of the safety net (a normal run maps far less)


@dataclass
class Run:
    """One command of a case."""

    command: str
    args: list[str]
    code: int
    stdout: str
    stderr: str
    seconds: float
    peak_mb: float = 0.0  # the process's peak resident memory once this command was done

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


@dataclass
class CaseRun:
    """A case's commands, its wall time and its peak memory; ``timed_out`` when it had to be killed."""

    case: str
    runs: list[Run] = field(default_factory=list)
    seconds: float = 0.0
    max_rss_mb: float = 0.0
    timed_out: bool = False
    exit_status: int = 0

    def summary(self) -> dict:
        return {
            "case": self.case,
            "seconds": self.seconds,
            "max_rss_mb": self.max_rss_mb,
            "timed_out": self.timed_out,
            "commands": [{k: v for k, v in asdict(r).items() if k not in ("stdout", "stderr")} for r in self.runs],
        }


RUNS: list[CaseRun] = []


def _cap() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE, ADDRESS_SPACE))


def run_case(
    case: str,
    commands: dict[str, list[str]],
    *,
    cwd: Path,
    env: dict[str, str],
    timeout: float = TIMEOUT,
    record: bool = True,
) -> CaseRun:
    """Run ``kg NAME ARGS`` for each of ``commands`` (in order) in ``cwd``, in one child process."""
    spec, result = cwd / ".run-case.json", cwd / ".run-case-result.json"
    spec.write_text(
        json.dumps({"commands": [[k, v] for k, v in commands.items()], "result": str(result)}), encoding="utf-8"
    )
    began = time.monotonic()
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.hostile.run_case", str(spec)],
        cwd=cwd,
        env={**env, "PYTHONPATH": str(ROOT), "COLUMNS": "200"},
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
        preexec_fn=_cap,
    )
    timed_out = False
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        if time.monotonic() - began > timeout:
            timed_out = True
            os.killpg(proc.pid, signal.SIGKILL)
            pid, status, usage = os.wait4(proc.pid, 0)
            break
        time.sleep(0.02)
    proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
    done = json.loads(result.read_text(encoding="utf-8")) if result.exists() else []
    spec.unlink()
    result.unlink(missing_ok=True)
    runs = [Run(**r) for r in done]
    # ru_maxrss of a forked child also counts the parent it was forked from: the child's own VmHWM is the
    # measure; ru_maxrss is the fallback when the child died before telling it.
    peak = max((r.peak_mb for r in runs), default=0.0) or round(usage.ru_maxrss / 1024, 1)
    outcome = CaseRun(case, runs, round(time.monotonic() - began, 2), peak, timed_out, proc.returncode)
    if record:
        RUNS.append(outcome)
    return outcome


def worst(runs: list[CaseRun]) -> tuple[tuple[CaseRun, Run] | None, CaseRun | None]:
    """The slowest command (with its case) and the case with the largest peak memory."""
    commands = [(c, r) for c in runs for r in c.runs]
    if not commands:
        return None, None
    return max(commands, key=lambda cr: cr[1].seconds), max(runs, key=lambda c: c.max_rss_mb)


def write_report(path: str | os.PathLike) -> None:
    Path(path).write_text(json.dumps([c.summary() for c in RUNS], indent=1), encoding="utf-8")


def clear(drv) -> None:
    with drv.session() as session:  # CALL { } IN TRANSACTIONS needs an auto-commit transaction
        session.run("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS").consume()


def dump(drv, *, facts_only: bool = False) -> tuple[list[str], list[str]]:
    """Every node and relationship, canonical and sorted; with ``facts_only``, the datasets' load states
    (:Dataset nodes, which record when and from which files a load ran) are left out."""
    where = "WHERE NOT n:Dataset" if facts_only else ""
    nodes = drv.execute_query(f"MATCH (n) {where} RETURN labels(n) AS labels, properties(n) AS props").records
    rels = drv.execute_query(
        "MATCH (a)-[r]->(b) RETURN type(r) AS type, a.id AS a, b.id AS b, properties(r) AS props"
    ).records

    def canon(x) -> str:
        return json.dumps(to_plain(x), sort_keys=True, ensure_ascii=False)

    return (
        sorted(canon([sorted(r["labels"]), r["props"]]) for r in nodes),
        sorted(canon([r["type"], r["a"], r["b"], r["props"]]) for r in rels),
    )
