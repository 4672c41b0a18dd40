"""The hostile suite's summary: its slowest command and its largest peak memory (tests/hostile/support.py)."""

import os

from tests.hostile.support import RUNS, worst, write_report


def pytest_terminal_summary(terminalreporter):
    if not RUNS:
        return
    (slow_case, slowest), largest = worst(RUNS)
    terminalreporter.write_sep("-", f"hostile input: worst time and peak memory of {len(RUNS)} cases")
    terminalreporter.write_line(
        f"slowest command: {slow_case.case}: kg {slowest.command} -> exit {slowest.code} in {slowest.seconds:.2f} s"
    )
    terminalreporter.write_line(
        f"largest case: {largest.case}: {largest.max_rss_mb:.0f} MB peak (its five commands "
        f"in one process, {largest.seconds:.1f} s)"
    )
    if os.environ.get("HOSTILE_REPORT"):
        write_report(os.environ["HOSTILE_REPORT"])
        terminalreporter.write_line(f"every case: {os.environ['HOSTILE_REPORT']}")
