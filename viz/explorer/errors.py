"""What can go wrong behind the explorer's API, each kind with its HTTP status.

Every error the API answers with has the same body, :class:`viz.explorer.models.ErrorOut`:
``{"error": KIND, "detail": "one line"}``. The store, the console checks and the
named-query bridge raise these exceptions; the app's exception handlers
(:mod:`viz.explorer.app`) turn them into responses, and each route declares
the kinds it may answer with in its OpenAPI entry (:func:`viz.explorer.api.responses`).

>>> NotFound("no entity with id 'x'").status, TimedOut("too slow").kind
(404, 'timeout')
"""

from __future__ import annotations

# kind -> (HTTP status, what it means), in the order OpenAPI lists them. Several kinds may share a status.
KINDS: dict[str, tuple[int, str]] = {
    "bad_request": (400, "The request cannot be answered as asked (e.g. a named query's parameters)."),
    "refused": (400, "The console only reads: the query would change the graph or do what an explorer may not."),
    "query_error": (400, "Neo4j refused the query (syntax, unknown function, wrong types...)."),
    "too_big": (
        400,
        "The query needs more memory than one query may use on this server "
        "(db.memory.transaction.max): narrow it (fewer rows, smaller collections).",
    ),
    "unauthorized": (401, "Missing or wrong access token."),
    "forbidden": (403, "Cross-origin requests are not served."),
    "not_found": (404, "No such entity, relation, query or path."),
    "method_not_allowed": (405, "This path does not take that method."),
    "wrong_host": (421, "The Host header names another server (a loopback explorer answers only loopback names)."),
    "invalid": (422, "The request does not match its declared model; `detail` names the field."),
    "internal": (500, "An unexpected failure; the server log has the details."),
    "neo4j_failed": (502, "Neo4j failed while answering."),
    "unavailable": (503, "Neo4j cannot be reached (or rejected the explorer's credentials)."),
    "busy": (503, "Too many queries are still running (or Neo4j is short of memory for them): try again shortly."),
    "timeout": (
        504,
        "The query ran longer than the time limit: answered at the limit, and stopped in Neo4j as soon as it can be.",
    ),
}

# What a status means when only the status is known (a route that does not exist, a wrong method).
KIND_OF_STATUS = {
    404: "not_found",
    405: "method_not_allowed",
    401: "unauthorized",
    403: "forbidden",
    421: "wrong_host",
    422: "invalid",
    400: "bad_request",
    500: "internal",
    502: "neo4j_failed",
    503: "unavailable",
    504: "timeout",
}


class ExplorerError(Exception):
    """An error the API answers with: ``kind`` (a key of :data:`KINDS`) and a one-line ``detail``."""

    kind = "internal"

    def __init__(self, detail: str):
        detail = " ".join(str(detail).split()) or self.kind
        super().__init__(detail)
        self.detail = detail

    @property
    def status(self) -> int:
        return KINDS[self.kind][0]


class BadRequest(ExplorerError):
    kind = "bad_request"


class RefusedQuery(ExplorerError):
    """The console will not run this query; the message says why in plain words."""

    kind = "refused"


class QueryFailed(ExplorerError):
    """Neo4j refused the query: the asker's to fix."""

    kind = "query_error"


class TooBig(ExplorerError):
    """The query needs more memory than Neo4j lets one transaction use."""

    kind = "too_big"


class Unauthorized(ExplorerError):
    kind = "unauthorized"


class Forbidden(ExplorerError):
    kind = "forbidden"


class NotFound(ExplorerError):
    kind = "not_found"


class WrongHost(ExplorerError):
    kind = "wrong_host"


class Neo4jFailed(ExplorerError):
    kind = "neo4j_failed"


class Unavailable(ExplorerError):
    kind = "unavailable"


class Busy(ExplorerError):
    """Every console slot is taken by a query still running (or Neo4j's memory for queries is spent)."""

    kind = "busy"


class TimedOut(ExplorerError):
    kind = "timeout"


# What every API route may answer besides its own errors: the access checks and an unexpected failure.
ALWAYS = ("unauthorized", "forbidden", "wrong_host", "internal")
# What a route that reads Neo4j may answer besides.
NEO4J = ("neo4j_failed", "unavailable", "busy", "timeout", "too_big")
