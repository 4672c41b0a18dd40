"""The explorer's web app: the JSON API under /api, the page and its assets from static/.

Every asset is served by the app itself. On a loopback address the app answers
only loopback Host headers, and the API only same-origin requests; anywhere
else (and whenever a token is configured) every /api request must carry the
token in the ``X-Actorgraph-Token`` header (or ``Authorization: Bearer``), else
401 (:func:`viz.explorer.api.check_access`).

Every error is answered by the handlers here, with one body
(:class:`viz.explorer.models.ErrorOut`): ``{"error": KIND, "detail": "one line"}``.
"""

from __future__ import annotations

import logging
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from graph.neo4j.connection import driver as make_driver

from .api import router
from .config import TOKEN_HEADER, ExplorerConfig
from .documents import Documents
from .errors import KIND_OF_STATUS, ExplorerError, WrongHost
from .models import ErrorOut
from .store import Store

STATIC = Path(__file__).with_name("static")
# viz/assets/ (README.md there): the front-end packages vendored once for the whole project (vendor/, with
# their versions and sha256 in vendor/README.md), and the page helpers the explorer shares with the snapshot.
VENDOR = Path(__file__).resolve().parent.parent / "assets"
VENDORED = {
    "vis-network.min.js": ("vendor/vis-network.min.js", "text/javascript"),
    "vis-network.css": ("vendor/vis-network.css", "text/css"),
    "common.js": ("common.js", "text/javascript"),
    "common.css": ("common.css", "text/css"),
    # The map and the timeline (viz/explorer/static/map.js, timeline.js), offline like the snapshot's.
    "geo_common.js": ("geo_common.js", "text/javascript"),
    "leaflet.js": ("vendor/leaflet.js", "text/javascript"),
    "leaflet.css": ("vendor/leaflet.css", "text/css"),
    "leaflet.markercluster.js": ("vendor/leaflet.markercluster.js", "text/javascript"),
    "MarkerCluster.css": ("vendor/MarkerCluster.css", "text/css"),
    "MarkerCluster.Default.css": ("vendor/MarkerCluster.Default.css", "text/css"),
    "vis-timeline-graph2d.min.js": ("vendor/vis-timeline-graph2d.min.js", "text/javascript"),
    "vis-timeline-graph2d.min.css": ("vendor/vis-timeline-graph2d.min.css", "text/css"),
    "world-110m.geojson": ("vendor/world-110m.geojson", "application/geo+json"),
}

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; "
    "frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
}

log = logging.getLogger("actorgraph.explorer")

# What FastAPI says of a request body it cannot even decode.
BODY_NOT_PARSED = "There was an error parsing the body"


def error_response(kind: str, detail: str, status: int, headers: dict | None = None) -> JSONResponse:
    """The one error body, :class:`~viz.explorer.models.ErrorOut`, with the security headers."""
    body = ErrorOut(error=kind, detail=" ".join(detail.split())[:500] or kind)
    return _secure(JSONResponse(body.model_dump(), status_code=status, headers=headers))


def validation_message(exc: RequestValidationError) -> str:
    """The first problems of a request that does not match its model, in one line (``field: what``)."""
    parts = []
    for err in exc.errors()[:3]:
        loc = ".".join(str(p) for p in err.get("loc", ()) if p not in ("body", "query", "path"))
        msg = str(err.get("msg", "invalid")).removeprefix("Value error, ")
        parts.append(f"{loc}: {msg}" if loc else msg)
    return "; ".join(parts) or "invalid request"


def _host(header: str) -> str:
    """The host name of a Host header (``[::1]:8000`` -> ``::1``)."""
    if header.startswith("["):
        return header[1:].split("]")[0]
    return header.rsplit(":", 1)[0]


def add_error_handlers(app: FastAPI) -> None:
    """Answer every error with :class:`~viz.explorer.models.ErrorOut`: the explorer's own errors with
    their status, malformed requests with 422, unknown paths and methods with theirs, anything
    unexpected with 500 (its traceback goes to the server log, never on the wire)."""

    @app.exception_handler(ExplorerError)
    async def _explorer_error(request: Request, exc: ExplorerError):
        headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
        return error_response(exc.kind, exc.detail, exc.status, headers)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError):
        return error_response("invalid", validation_message(exc), 422)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException):
        if exc.status_code == 400 and exc.detail == BODY_NOT_PARSED:
            # A body that is not JSON text matches its model no more than malformed JSON does.
            return error_response(
                "invalid", "the body cannot be read as JSON (not UTF-8 text, or nested too deep)", 422
            )
        kind = KIND_OF_STATUS.get(exc.status_code, "internal" if exc.status_code >= 500 else "bad_request")
        return error_response(kind, str(exc.detail), exc.status_code, getattr(exc, "headers", None))

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception):
        log.exception("unexpected error on %s", request.url.path)
        first = (str(exc).strip().splitlines() or [""])[0]
        return error_response("internal", f"internal error ({type(exc).__name__}): {first}"[:300], 500)


def create_app(config: ExplorerConfig | None = None, *, driver=None) -> FastAPI:
    """The explorer app. ``driver``: an open Neo4j driver to use (and not close); default: one
    made from ``config.settings`` at startup and closed at shutdown."""
    config = config or ExplorerConfig()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        own = driver is None
        # A read the page waits for is not retried for longer than its own time limit (the driver's
        # default retries for 30 s, e.g. while Neo4j is down). A pooled connection is checked (one RESET
        # round trip, well under a millisecond on this machine) before each use, within the connect
        # timeout: a server that hung since gets its one-line error within seconds, where a request sent
        # down the pooled connection would wait for the server's keep-alive limit first.
        drv = (
            make_driver(
                config.settings,
                notifications_min_severity="OFF",
                max_transaction_retry_time=config.request_timeout,
                liveness_check_timeout=0,
            )
            if own
            else driver
        )
        app.state.store = Store(
            drv,
            config.settings.database,
            timeout=config.request_timeout,
            row_limit=config.row_limit,
            byte_limit=config.byte_limit,
            max_running=config.max_running,
            settings=config.settings,
            horizon=config.horizon,
        )
        try:
            yield
        finally:
            if own:
                drv.close()

    app = FastAPI(
        title="actorgraph explorer",
        version="1",
        description=(
            "Browse the actorgraph knowledge graph stored in Neo4j: search entities, expand neighbourhoods, "
            "read the evidence of every relation, run named queries and read-only Cypher, export views.\n\n"
            "All reads run in READ transactions with a time limit. When the server is bound to a "
            f"non-loopback address, every request needs the access token in the `{TOKEN_HEADER}` header.\n\n"
            'Every error is answered with the same body: `{"error": KIND, "detail": "one line"}` '
            "(schema `ErrorOut`)."
        ),
        # Their pages load scripts from a CDN; the schema is served by the API router at /api/openapi.json,
        # behind the same access check as the API.
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        lifespan=lifespan,
    )
    app.state.config = config
    app.state.documents = Documents(config.documents) if config.documents else None
    allowed_hosts = config.allowed_hosts()
    add_error_handlers(app)

    @app.middleware("http")
    async def guard(request: Request, call_next):
        # Before any route: a page elsewhere cannot reach a loopback explorer by pointing its own
        # domain at 127.0.0.1 (DNS rebinding).
        if allowed_hosts is not None:
            host = _host(request.headers.get("host") or "")
            if host not in allowed_hosts:
                exc = WrongHost(f"host {host!r} not served: use 127.0.0.1 or localhost")
                return error_response(exc.kind, exc.detail, exc.status)
        return _secure(await call_next(request))

    app.include_router(router, prefix="/api")

    @app.get("/", include_in_schema=False)
    def index():
        return FileResponse(STATIC / "index.html", media_type="text/html")

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon():
        return Response(status_code=204)

    @app.get("/vendor/{name}", include_in_schema=False)
    def vendored(name: str):
        if name not in VENDORED:
            return Response(status_code=404)
        path, media_type = VENDORED[name]
        return FileResponse(VENDOR / path, media_type=media_type)

    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    return app


def _secure(response: Response) -> Response:
    for k, v in SECURITY_HEADERS.items():
        response.headers.setdefault(k, v)
    return response
