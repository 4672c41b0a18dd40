"""SIGTERM as an exception, so that a benchmark's ``finally`` stops the Neo4j server it started.

Python's default for SIGTERM ends the process at once, without unwinding: a benchmark killed by a timeout or
by ``kill`` left its server running on its port, holding gigabytes. Raising SystemExit instead runs every
``finally`` on the way out.
"""

from __future__ import annotations

import signal
import sys


def stop_cleanly_on_sigterm() -> None:
    """From now on SIGTERM raises SystemExit(143) in the main thread (143: 128 + SIGTERM, as a shell says)."""
    signal.signal(signal.SIGTERM, lambda signum, _frame: sys.exit(128 + signum))
