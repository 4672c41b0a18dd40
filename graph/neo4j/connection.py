"""The Neo4j driver built from :mod:`graph.neo4j.settings`, reads through it, and readable errors for it.

:func:`describe` is the one place that words a Neo4j failure for people: the CLI, the query
library and the explorer all show its line.

A server that is down or hung is told within ``NEO4J_CONNECT_TIMEOUT`` seconds (by default 1.5 for a
server on this machine, 3 for another: :attr:`Settings.connect_seconds`): :func:`driver` bounds opening
a connection (TCP, Bolt handshake, login) and acquiring one from the pool by it, where the driver's own
defaults wait 30 s to connect and 60 s for the handshake, and the driver's log (its retries and dropped
connections) stays quiet unless the application configured it: the caller reports the failure in one
line.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import neo4j
from neo4j import exceptions as nx

from .credentials import PasswordFileError, read_password
from .settings import Settings, check_uri, get_settings


class Neo4jError(Exception):
    """A Neo4j failure told in one line, fit for a CLI message."""


def quiet_driver_log() -> None:
    """Keep the driver's warnings (retries, dropped connections) off stderr unless logging was configured.

    Python prints an unhandled logger's warnings on stderr; a ``NullHandler`` on the ``neo4j`` logger
    stops that and changes nothing for an application that set up logging (its handlers still get them).
    """
    log = logging.getLogger("neo4j")
    if not any(isinstance(h, logging.NullHandler) for h in log.handlers):
        log.addHandler(logging.NullHandler())


def driver(settings: Settings | None = None, **config) -> neo4j.Driver:
    """A driver for ``settings`` (default: the environment); close it when done.

    ``config`` goes to the driver as is (e.g. ``max_transaction_retry_time=5``); unless given,
    ``connection_timeout`` and ``connection_acquisition_timeout`` are ``settings.connect_seconds``, so
    an unreachable or hung server fails within seconds (the acquisition bounds the handshake and the
    login, and the liveness check of a pooled connection that ``liveness_check_timeout`` asks for). The
    URI is checked again (settings copied with a new URI skip validation): the driver takes malformed
    ones silently. Settings without a password (made before the local server's first start generated
    it) look in the password file once more; still none: the driver connects without credentials, which
    a server with authentication refuses in words :func:`describe` explains.
    """
    s = settings or get_settings()
    if s.password is None:
        try:
            found = read_password(s.password_path)
        except PasswordFileError as exc:
            raise Neo4jError(str(exc)) from None
        if found is not None:
            s = s.with_password(found, "file")
    try:
        check_uri(s.uri)
    except ValueError as exc:
        shown = "" if "@" in s.uri else f" {s.uri!r}"
        raise Neo4jError(f"NEO4J_URI{shown}: {exc}") from None
    quiet_driver_log()
    config.setdefault("connection_timeout", s.connect_seconds)
    config.setdefault("connection_acquisition_timeout", max(s.connect_seconds, config["connection_timeout"]))
    auth = (s.user, s.password) if s.password is not None else None
    try:
        return neo4j.GraphDatabase.driver(s.uri, auth=auth, **config)
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
        return f"Neo4j at {s.uri} rejected user {s.user!r}: {_password_hint(s)}"
    if isinstance(exc, nx.ServiceUnavailable | nx.ConnectionAcquisitionTimeoutError):
        # The acquisition times out when a pooled connection fails its liveness check for want of an answer.
        return f"cannot reach Neo4j at {s.uri} ({_reason(first_line)}); is it running? start it with `kg neo4j start`"
    if isinstance(exc, nx.Neo4jError):  # raised by the server: ClientError, TransientError...
        return _server_error(exc, first_line)
    if isinstance(exc, nx.ConfigurationError | ValueError):
        return f"bad Neo4j settings (NEO4J_URI={s.uri}): {first_line}"
    return f"Neo4j driver error: {first_line}"


def _password_hint(s: Settings) -> str:
    if s.password is None and s.password_path.exists():
        s = s.with_password("", "file")  # the driver read it (see driver())
    if s.password is None:
        return (
            f"no password is known: set NEO4J_PASSWORD, or start the local server with `kg neo4j start` "
            f"(its first start writes one to {s.password_path})"
        )
    if s.password_source == "file":
        return f"check NEO4J_USER; the password came from {s.password_path} (set NEO4J_PASSWORD for another server)"
    return "check NEO4J_USER / NEO4J_PASSWORD"


def _reason(first_line: str) -> str:
    """The driver's connection failure in plain words, without its repetitions.

    >>> _reason("Couldn't connect to 127.0.0.1:7999 (resolved to ('127.0.0.1:7999',))")
    'connection refused or no answer at 127.0.0.1:7999'
    >>> _reason("Failed to read from defunct connection IPv4Address(('127.0.0.1', 7687)) (ResolvedIPv4Address(...))")
    'the connection to 127.0.0.1:7687 went silent or was cut'
    >>> _reason("failed to obtain a connection from the pool within 1.5s (timeout)")
    'no answer within 1.5 s'
    """
    if first_line.startswith("Couldn't connect to "):
        where = first_line[len("Couldn't connect to ") :].split(" (resolved", 1)[0]
        return f"connection refused or no answer at {where}"
    waited = _ACQUISITION.match(first_line)
    if waited:
        return f"no answer within {float(waited.group(1)):g} s"
    defunct = _DEFUNCT.match(first_line)
    if defunct:
        host, port = defunct.groups()
        return f"the connection to {f'[{host}]' if ':' in host else host}:{port} went silent or was cut"
    return first_line


_ACQUISITION = re.compile(r"failed to obtain a connection from the pool within ([\d.]+)s")
_DEFUNCT = re.compile(r"Failed to (?:read from|write to) (?:defunct|closed) connection \w*Address\(\('([^']+)', (\d+)")


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
