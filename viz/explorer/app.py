"""The explorer's web app: the JSON API under /api, the page and its assets from static/.

Every asset is served by the app itself. On a loopback address the API accepts
only loopback Host headers and same-origin requests; anywhere else (and whenever
a token is configured) every /api request must carry the token in the
``X-Actorgraph-Token`` header (or ``Authorization: Bearer``), else 401.
"""

from __future__ import annotations

import hmac
from contextlib import asynccontextmanager
from pathlib import Path
from urllib.parse import urlsplit

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles

from graph.neo4j.connection import driver as make_driver

from .api import router
from .config import TOKEN_HEADER, ExplorerConfig
from .documents import Documents
from .store import Store

STATIC = Path(__file__).with_name("static")
# vis-network, vendored once for the whole project (viz/assets/README.md).
VENDOR = Path(__file__).resolve().parent.parent / "assets"
VENDORED = {"vis-network.min.js": "text/javascript", "vis-network.css": "text/css"}

CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
       "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; "
       "frame-ancestors 'none'")
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
}


def _validation_message(exc: RequestValidationError) -> str:
    parts = []
    for err in exc.errors()[:3]:
        loc = ".".join(str(p) for p in err.get("loc", ()) if p not in ("body", "query", "path"))
        msg = str(err.get("msg", "invalid")).removeprefix("Value error, ")
        parts.append(f"{loc}: {msg}" if loc else msg)
    return "; ".join(parts) or "invalid request"


def create_app(config: ExplorerConfig | None = None, *, driver=None) -> FastAPI:
    """The explorer app. ``driver``: an open Neo4j driver to use (and not close); default: one
    made from ``config.settings`` at startup and closed at shutdown."""
    config = config or ExplorerConfig()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        own = driver is None
        drv = make_driver(config.settings, notifications_min_severity="OFF") if own else driver
        app.state.store = Store(drv, config.settings.database, timeout=config.request_timeout,
                                row_limit=config.row_limit, settings=config.settings)
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
            f"non-loopback address, every request needs the access token in the `{TOKEN_HEADER}` header."
        ),
        docs_url=None, redoc_url=None,  # their pages load scripts from a CDN; the schema is at /api/openapi.json
        openapi_url="/api/openapi.json",
        lifespan=lifespan,
    )
    app.state.config = config
    app.state.documents = Documents(config.documents) if config.documents else None
    allowed_hosts = config.allowed_hosts()
    token = config.token.encode() if config.token else None

    @app.middleware("http")
    async def guard(request: Request, call_next):
        path = request.url.path
        if allowed_hosts is not None:
            host = (request.headers.get("host") or "").rsplit(":", 1)[0] if not (request.headers.get("host") or "").startswith("[") \
                else (request.headers.get("host") or "")[1:].split("]")[0]
            if host not in allowed_hosts:
                return _secure(JSONResponse({"detail": f"host {host!r} not served: use 127.0.0.1 or localhost"},
                                            status_code=421))
        if path.startswith("/api/"):
            origin = request.headers.get("origin")
            if origin and origin != "null":
                o = urlsplit(origin)
                if o.netloc != request.headers.get("host"):
                    return _secure(JSONResponse({"detail": "cross-origin requests are not allowed"}, status_code=403))
            if token is not None:
                given = request.headers.get(TOKEN_HEADER.lower(), "")
                auth = request.headers.get("authorization", "")
                if not given and auth.lower().startswith("bearer "):
                    given = auth[7:].strip()
                if not given or not hmac.compare_digest(given.encode(), token):
                    return _secure(JSONResponse(
                        {"detail": f"missing or wrong access token (send it in the {TOKEN_HEADER} header)"},
                        status_code=401, headers={"WWW-Authenticate": "Bearer"}))
        return _secure(await call_next(request))

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError):
        return JSONResponse({"detail": _validation_message(exc)}, status_code=422)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception):
        # Never a traceback on the wire; the server log keeps it.
        import logging

        logging.getLogger("actorgraph.explorer").exception("unexpected error on %s", request.url.path)
        first = (str(exc).strip().splitlines() or [""])[0]
        return _secure(JSONResponse({"detail": f"internal error ({type(exc).__name__}): {first}"[:300]},
                                    status_code=500))

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
        return FileResponse(VENDOR / name, media_type=VENDORED[name])

    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    return app


def _secure(response: Response) -> Response:
    for k, v in SECURITY_HEADERS.items():
        response.headers.setdefault(k, v)
    return response
