"""The Neo4j driver built from :mod:`graph.neo4j.settings`, reads through it, and readable errors for it.

:func:`describe` is the one place that words a Neo4j failure for people: the CLI, the query
library and the explorer all show its line.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import neo4j
from neo4j import exceptions as nx

from .settings import Settings, check_uri, get_settings


class Neo4jError(Exception):
    """A Neo4j failure told in one line, fit for a CLI message."""


def driver(settings: Settings | None = None, **config) -> neo4j.Driver:
    """A driver for ``settings`` (default: the environment); close it when done.

    ``config`` goes to the driver as is (e.g. ``connection_timeout=5``). The URI is checked again
    (settings copied with a new URI skip validation): the driver takes malformed ones silently.
    """
    s = settings or get_settings()
    try:
        check_uri(s.uri)
    except ValueError as exc:
        shown = "" if "@" in s.uri else f" {s.uri!r}"
        raise Neo4jError(f"NEO4J_URI{shown}: {exc}") from None
    try:
        return neo4j.GraphDatabase.driver(s.uri, auth=(s.user, s.password), **config)
    except (nx.DriverError, ValueError) as exc:  # bad URI scheme or options
        raise Neo4jError(describe(exc, s)) from exc


def run_read(
    drv: neo4j.Driver,
    cypher: str,
    params: Mapping[str, Any] | None = None,
    database: str | None = None,
    timeout: float | None = None,
) -> neo4j.EagerResult:
    """Run ``cypher`` in a READ transaction and return every record (``.records``, ``.keys``).

    Neo4j itself refuses any write in a READ transaction. ``timeout`` (seconds) makes the server stop
    the query. Driver exceptions are raised as they are: :func:`describe` words them.

    One attempt, no retries: a read that hit a memory limit or a time limit fails the same way
    again, and the driver's retries would only make the user wait 30 s for the same error.
    """
    with drv.session(database=database, default_access_mode=neo4j.READ_ACCESS) as session:
        tx = session.begin_transaction(timeout=timeout)
        try:
            return tx.run(cypher, dict(params or {})).to_eager_result()
        finally:
            if not tx.closed():
                tx.rollback()  # a read has nothing to commit


def describe(exc: BaseException, settings: Settings | None = None) -> str:
    """One line saying what went wrong and, where we know it, what to do."""
    s = settings or get_settings()
    if isinstance(exc, Neo4jError):  # already told
        return str(exc)
    first_line = _first_line(str(exc)) or type(exc).__name__
    # AuthError is a ClientError, so it must be tested first.
    if isinstance(exc, nx.AuthError):
        return f"Neo4j at {s.uri} rejected user {s.user!r}: check NEO4J_USER / NEO4J_PASSWORD"
    if isinstance(exc, nx.ServiceUnavailable):
        return f"cannot reach Neo4j at {s.uri} ({first_line}); is it running? start it with `kg neo4j start`"
    if isinstance(exc, nx.Neo4jError):  # raised by the server: ClientError, TransientError...
        return _server_error(exc, first_line)
    if isinstance(exc, nx.ConfigurationError | ValueError):
        return f"bad Neo4j settings (NEO4J_URI={s.uri}): {first_line}"
    return f"Neo4j driver error: {first_line}"


def _server_error(exc: nx.Neo4jError, first_line: str) -> str:
    message, code = _first_line(exc.message or "") or first_line, exc.code or ""
    if code.endswith("AccessMode") or "read access mode" in message.lower():
        return f"this query may only read: Neo4j refused to write ({message}); nothing was changed"
    if code.endswith(("TransactionTimedOut", "TransactionTimedOutClientConfiguration")) or code.endswith("Terminated"):
        return f"the query was stopped: it ran longer than its time limit ({message})"
    if "fulltext" in message.lower() and (code.endswith("ProcedureNotFound") or "no such fulltext" in message.lower()):
        return f"the full-text indexes are missing: load a dataset first (`kg load` creates them) ({message})"
    if ".Statement." in code:
        return f"Neo4j refused the query: {message} [{code}]"
    what = "refused the request" if isinstance(exc, nx.ClientError) else "failed"
    return f"Neo4j {what}: {message} [{code}]"


def _first_line(text: str) -> str:
    # Cypher errors continue with the query and a caret on the next lines.
    return next((line.strip().rstrip(":") for line in text.splitlines() if line.strip()), "")


@contextmanager
def neo4j_errors(settings: Settings | None = None) -> Iterator[None]:
    """Re-raise driver exceptions inside the block as :class:`Neo4jError`."""
    try:
        yield
    except (nx.Neo4jError, nx.DriverError) as exc:
        raise Neo4jError(describe(exc, settings)) from exc
