#!/usr/bin/env bash
# Fetch Neo4j 5.26 from Maven Central (into ~/.m2) and compile the launcher
# (into .neo4j/runtime) ahead of the tests, so that no test pays for it.
# Needs java + javac 17 or 21 and mvn on PATH. Re-running only checks the cache.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 - <<'PY'
import sys
import time

from graph.neo4j.server import ServerError, ensure_runtime

began = time.monotonic()
try:
    runtime = ensure_runtime(progress=print)
except ServerError as exc:
    sys.exit(f"neo4j-setup: {exc}")
print(f"Neo4j runtime ready in {time.monotonic() - began:.1f}s: {runtime.classes}")
PY
