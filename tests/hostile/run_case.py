"""Run `kg` commands one after the other in this process, as the hostile suite's child (support.run_case).

    python -m tests.hostile.run_case SPEC.json

SPEC holds ``{"commands": [[name, [arg, ...]], ...], "result": PATH}``. Each command runs as the `kg`
entry point runs it (the KgGroup, its error handling and exit codes), with its stdout and stderr caught;
an exception that escapes it is caught here and its traceback becomes its stderr, so the test sees it.
After each command the results so far are written to PATH as JSON: a command that never returns still
leaves those of the commands before it. One process for all five commands spares four interpreter starts
(seconds each on a busy machine). Each result carries the process's peak memory so far (``peak_mb``: VmHWM,
the high-water mark of this program's own memory; the ``ru_maxrss`` a parent gets from wait4 also counts
the memory of the process it was forked from).
"""

from __future__ import annotations

import io
import json
import sys
import time
import traceback
from contextlib import redirect_stderr, redirect_stdout


def peak_mb() -> float:
    """This process's peak resident memory (VmHWM), in MB."""
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def main(spec_path: str) -> int:
    with open(spec_path, encoding="utf-8") as fh:
        spec = json.load(fh)
    from typer.main import get_command

    from kg.cli import app

    results = []
    for name, args in spec["commands"]:
        out, err = io.StringIO(), io.StringIO()
        began = time.monotonic()
        with redirect_stdout(out), redirect_stderr(err):
            try:
                code = get_command(app).main(args=[name, *args], prog_name="kg", standalone_mode=False)
            except SystemExit as exc:
                code = exc.code
            except BaseException:  # noqa: BLE001 - what escaped the CLI is what the test must see
                traceback.print_exc()
                code = -1
        results.append(
            {
                "command": name,
                "args": [name, *args],
                "code": code if isinstance(code, int) else 0,
                "stdout": out.getvalue(),
                "stderr": err.getvalue(),
                "seconds": round(time.monotonic() - began, 2),
                "peak_mb": peak_mb(),
            }
        )
        with open(spec["result"], "w", encoding="utf-8") as fh:
            json.dump(results, fh)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
