"""Run the README's console examples again and write their output back into README.md.

    python3 scripts/refresh_readme.py            # every `$ kg ...` example
    python3 scripts/refresh_readme.py --offline  # only those that need no Neo4j

After a change of the seed data or of an output format, the README's examples no longer match
(tests/test_readme.py says which). This script reruns each `$ kg ...` line of a ```console block
as tests/test_readme.py runs it (from the project folder, 200 columns) and puts what it printed
in place of the old output: stdout and stderr for commands without Neo4j, stdout alone for
`kg load`, `kg query` and `kg neo4j` (their timings go to stderr). Those need the seed data in
the server `NEO4J_URI` names, loaded as the README loads it: `kg neo4j start && kg load data`.
Read the diff before committing: an example whose output changed may need new words around it.
"""

from __future__ import annotations

import argparse
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
FENCE = re.compile(r"^```console\n(.*?)^```", re.S | re.M)
NEEDS_NEO4J = re.compile(r"kg (load|query|neo4j)\b|kg analyze .*--write\b")


def run(cmd: str) -> str:
    args = shlex.split(cmd)
    done = subprocess.run(
        [sys.executable, "-m", "kg", *args[1:]],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "200"},
        timeout=600,
    )
    if "Traceback" in done.stderr:
        raise SystemExit(f"{cmd} raised:\n{done.stderr[-2000:]}")
    text = done.stdout if NEEDS_NEO4J.match(cmd) and done.returncode == 0 else done.stdout + done.stderr
    return "\n".join(line.rstrip() for line in text.splitlines() if line.strip())


def refresh(body: str, offline: bool) -> tuple[str, int]:
    out, changed = [], 0
    for chunk in re.split(r"^\$ ", body, flags=re.M)[1:]:
        cmd, *old = chunk.rstrip("\n").split("\n")
        new = "\n".join(line.rstrip() for line in old if line.strip())
        if not (offline and NEEDS_NEO4J.match(cmd)):
            got = run(cmd)
            changed += got != new
            new = got
        gap = "\n" if chunk.endswith("\n\n") else ""  # the blank line between examples stays
        out.append((f"$ {cmd}\n{new}\n" if new else f"$ {cmd}\n") + gap)
    return "".join(out), changed


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--offline", action="store_true", help="leave the examples that need Neo4j as they are")
    args = ap.parse_args()
    text = README.read_text(encoding="utf-8")
    pieces, last, total = [], 0, 0
    for m in FENCE.finditer(text):
        body, changed = refresh(m.group(1), args.offline)
        pieces += [text[last : m.start(1)], body]
        last, total = m.end(1), total + changed
    pieces.append(text[last:])
    README.write_text("".join(pieces), encoding="utf-8")
    print(f"{total} example(s) changed")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
