"""The benchmarks stay runnable: every script under bench/ imports (the code it measures moves; a stale import
would only show the day someone measures) and answers --help."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.paths import ROOT

# The runnable ones (a module such as baseline_layout.py is imported by a benchmark, not run).
SCRIPTS = sorted(p for p in (ROOT / "bench").glob("*.py") if '__name__ == "__main__"' in p.read_text(encoding="utf-8"))


def test_there_are_benchmarks():
    assert len(SCRIPTS) >= 8


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.name)
def test_benchmark_imports_and_answers_help(script):
    r = subprocess.run([sys.executable, str(script), "--help"], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert r.returncode == 0, r.stderr[-2000:]
    assert "Traceback" not in r.stderr
    assert "usage:" in r.stdout.lower()
