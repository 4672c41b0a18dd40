"""What every part of the store shares: the driver, the database, time limits, a small cache, and
driver errors told as the explorer's errors (:mod:`viz.explorer.errors`)."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import neo4j
from neo4j import exceptions as neo4j_exc

from graph.asof import DEFAULT_HORIZON, Horizon
from graph.neo4j.connection import describe, run_read

from ..errors import Busy, ExplorerError, Neo4jFailed, QueryFailed, RefusedQuery, TimedOut, TooBig, Unavailable

# Entities with more relations than this are never expanded to find relations among others.
HUB_DEGREE = 2000

# What the console says when Neo4j refuses a write in a READ transaction.
ONLY_READS = "the console only reads the graph: this query would change it, so nothing was run"
# ... and when Neo4j's plan says the query is not a read: what it would do, by query type.
NOT_A_READ = {
    "w": ONLY_READS,
    "rw": ONLY_READS,
    "s": "the console only reads the graph: this query would change the database's schema or run an "
    "administration command, so nothing was run",
}


class Store:
    """The explorer's access to Neo4j: every read goes through :meth:`read` (a READ transaction with a
    time limit), every driver error comes out as an :class:`~viz.explorer.errors.ExplorerError`.

    ``timeout``: seconds for the page's own reads; ``row_limit`` and ``byte_limit``: rows and bytes of JSON
    a console or named query returns; ``max_running``: console or named queries running at once;
    ``hub_degree``: entities with more relations are not expanded to find relations among others;
    ``horizon``: how far around its observations a fact without stated validity holds (:mod:`graph.asof`).
    """

    def __init__(
        self,
        driver: neo4j.Driver,
        database: str | None = None,
        *,
        timeout: float = 10.0,
        row_limit: int = 2000,
        byte_limit: int = 10_000_000,
        max_running: int = 4,
        cache_seconds: float = 30.0,
        settings=None,
        hub_degree: int = HUB_DEGREE,
        horizon: Horizon = DEFAULT_HORIZON,
    ):
        self.driver = driver
        self.horizon = horizon
        self.database = database
        self.settings = settings
        self.timeout = timeout
        self.row_limit = row_limit
        self.byte_limit = byte_limit
        # Console and named queries running at once, counting those abandoned at their time limit that
        # Neo4j has not stopped yet (viz.explorer.store.console).
        self.max_running = max_running
        self.running = threading.BoundedSemaphore(max_running)
        self.hub_degree = hub_degree
        self.cache_seconds = cache_seconds
        self._cache: dict[str, tuple[float, Any]] = {}
        self._lock = threading.Lock()

    def read(self, cypher: str, /, *, timeout_: float | None = None, **params) -> list[neo4j.Record]:
        """The records of ``cypher`` run with ``params`` in a READ transaction (``timeout_`` seconds at most)."""
        limit = timeout_ or self.timeout
        with self.failures(limit):
            return run_read(self.driver, cypher, params, self.database, timeout=limit).records

    @contextmanager
    def failures(self, limit: float | None = None) -> Iterator[None]:
        """Re-raise driver errors inside the block as explorer errors (``limit``: the time limit to name)."""
        try:
            yield
        except (neo4j_exc.Neo4jError, neo4j_exc.DriverError) as exc:
            raise error_for(exc, self.settings, limit) from exc

    def cached(self, key: str, make: Callable[[], Any], seconds: float | None = None) -> Any:
        """``make()``, kept ``seconds`` (default ``cache_seconds``) under ``key``."""
        now = time.monotonic()
        with self._lock:
            hit = self._cache.get(key)
            if hit and now - hit[0] < (seconds if seconds is not None else self.cache_seconds):
                return hit[1]
        value = make()
        with self._lock:
            self._cache[key] = (now, value)
        return value


def error_for(exc: BaseException, settings=None, limit: float | None = None) -> ExplorerError:
    """The explorer's error for a driver error, in one line (:func:`graph.neo4j.connection.describe`'s wording)."""
    code = getattr(exc, "code", None) or ""
    if "TimedOut" in code or code.endswith("Terminated"):
        return TimedOut(
            "the query was stopped: it ran longer than the time limit" + (f" ({limit:g} s)" if limit else "")
        )
    if code.endswith(("MemoryPoolOutOfMemoryError", "TransactionMemoryLimit")):
        return memory_error(getattr(exc, "message", None) or str(exc))
    message = describe(exc, settings)
    if isinstance(
        exc,
        # An acquisition times out when a pooled connection's liveness check gets no answer (a hung server).
        neo4j_exc.ServiceUnavailable
        | neo4j_exc.SessionExpired
        | neo4j_exc.AuthError
        | neo4j_exc.ConnectionAcquisitionTimeoutError,
    ):
        return Unavailable(message)
    if isinstance(exc, neo4j_exc.ClientError) or code.startswith("Neo.ClientError"):
        if "AccessMode" in code or "read access mode" in (getattr(exc, "message", None) or "").lower():
            return RefusedQuery(ONLY_READS)
        return QueryFailed(message)
    return Neo4jFailed(message)


def memory_error(message: str) -> ExplorerError:
    """Neo4j's refusal to give a query more memory: the query's own limit (db.memory.transaction.max),
    or the server's for all queries at once (dbms.memory.transaction.total.max), which others hold.

    >>> memory_error("... would use more than the limit 1.0 GiB. db.memory.transaction.max threshold reached")
    TooBig('the query needs more memory than one query may use (1.0 GiB): narrow it, e.g. fewer rows or \
smaller collections')
    """
    if "total.max" in message:
        return Busy("Neo4j is short of memory for queries right now (others hold it): try again shortly")
    found = re.search(r"limit ([\d.]+ \w+)", message)
    return TooBig(
        "the query needs more memory than one query may use"
        + (f" ({found[1]})" if found else "")
        + ": narrow it, e.g. fewer rows or smaller collections"
    )
