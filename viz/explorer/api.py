"""The explorer's JSON API. Every endpoint reads; none can change the graph.

Routes only read and answer: the store comes from :func:`get_store`, access is
checked by :func:`check_access` (a dependency of the whole router), and errors
are exceptions (:mod:`viz.explorer.errors`) that the app's handlers turn into
:class:`~viz.explorer.models.ErrorOut` responses. Each route declares the
errors it may answer with (:func:`responses`).
"""

from __future__ import annotations

import hmac
import re
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from graph.schema import REGISTRY

from . import named, placement
from .config import TOKEN_HEADER, ExplorerConfig
from .documents import Documents
from .errors import ALWAYS, KINDS, NEO4J, Forbidden, Unauthorized
from .models import (
    CypherRequest,
    EdgeDetailsOut,
    EntityDetailsOut,
    EntityTypeOut,
    ErrorOut,
    ExpandOut,
    ExpandRequest,
    ExportRequest,
    GeoOut,
    GeoRequest,
    GradesOut,
    HorizonOut,
    MetaOut,
    NamedQueryOut,
    NamedQueryRequest,
    PlaceOut,
    PlaceRequest,
    QueryResultOut,
    RelationTypeName,
    RelationTypeOut,
    SearchOut,
    ViewOut,
    ViewRequest,
)
from .readonly import check_console_query
from .store import Store, console, evidence, neighbourhood
from .store import geo as geo_store
from .store import meta as meta_store
from .store import search as search_store


def responses(*kinds: str, validated: bool = True) -> dict[int | str, dict]:
    """The OpenAPI ``responses`` of a route that may fail with ``kinds``, besides those of every route
    (:data:`~viz.explorer.errors.ALWAYS`) and, when it validates parameters or a body, ``invalid``
    (422): each status with :class:`~viz.explorer.models.ErrorOut` and the kinds it stands for.

    >>> sorted(responses("not_found", validated=False))
    [401, 403, 404, 421, 500]
    """
    wanted = set(kinds) | set(ALWAYS) | ({"invalid"} if validated else set())
    out: dict[int | str, dict] = {}
    for kind, (status, meaning) in KINDS.items():
        if kind in wanted:
            entry = out.setdefault(status, {"model": ErrorOut, "description": ""})
            entry["description"] += ("\n\n" if entry["description"] else "") + f"`{kind}`: {meaning}"
    return out


# --------------------------------------------------------------------------- dependencies


def get_store(request: Request) -> Store:
    """The app's store (made at startup)."""
    return request.app.state.store


def get_config(request: Request) -> ExplorerConfig:
    return request.app.state.config


def get_documents(request: Request) -> Documents | None:
    return request.app.state.documents


def check_access(request: Request) -> None:
    """Refuse cross-origin requests (:class:`~viz.explorer.errors.Forbidden`) and, when the app has a
    token, requests without it in the ``X-Actorgraph-Token`` header or as ``Authorization: Bearer``
    (:class:`~viz.explorer.errors.Unauthorized`)."""
    origin = request.headers.get("origin")
    if origin and origin != "null" and urlsplit(origin).netloc != request.headers.get("host"):
        raise Forbidden("cross-origin requests are not allowed")
    token = request.app.state.config.token
    if token is None:
        return
    given = request.headers.get(TOKEN_HEADER.lower(), "")
    auth = request.headers.get("authorization", "")
    if not given and auth.lower().startswith("bearer "):
        given = auth[7:].strip()
    if not given or not hmac.compare_digest(given.encode(), token.encode()):
        raise Unauthorized(f"missing or wrong access token (send it in the {TOKEN_HEADER} header)")


StoreDep = Annotated[Store, Depends(get_store)]
ConfigDep = Annotated[ExplorerConfig, Depends(get_config)]

router = APIRouter(dependencies=[Depends(check_access)])


# --------------------------------------------------------------------------- meta


@router.get("/openapi.json", include_in_schema=False)
def openapi(request: Request) -> JSONResponse:
    """The OpenAPI schema, behind the same access check as the API."""
    return JSONResponse(request.app.openapi())


@router.get(
    "/meta",
    response_model=MetaOut,
    summary="Types, colours, grades, dates and limits",
    responses=responses(*NEO4J, validated=False),
)
def meta(request: Request, store: StoreDep, config: ConfigDep) -> MetaOut:
    """The schema registry's entity and relation types (with colours and shapes), its grading scales,
    the as-of horizon, the days of the as-of slider (where relations start or stop holding, and the report
    days; which are stated and which are reports), counts and the server's limits."""
    m = meta_store.meta(store)
    return MetaOut(
        entity_types=[
            EntityTypeOut(
                type=t.name, color=t.color, shape=t.shape, description=t.description, attributes=list(t.attributes)
            )
            for t in REGISTRY.entities.values()
        ],
        relation_types=[
            RelationTypeOut(type=t.name, description=t.description, attributes=list(t.attributes))
            for t in REGISTRY.relations.values()
        ],
        grades=GradesOut(reliability=REGISTRY.reliability.as_dict(), credibility=REGISTRY.credibility.as_dict()),
        horizon=HorizonOut(**config.horizon.as_dict(), description=config.horizon.describe()),
        dates=m["dates"],
        stated_dates=m["stated_dates"],
        report_dates=m["report_dates"],
        entities=m["entities"],
        relations=m["relations"],
        datasets=m["datasets"],
        documents=get_documents(request) is not None,
        row_limit=config.row_limit,
        byte_limit=config.byte_limit,
        query_timeout=config.query_timeout,
    )


# --------------------------------------------------------------------------- search / entities


@router.get("/search", response_model=SearchOut, summary="Suggestions for a name", responses=responses(*NEO4J))
def search(
    store: StoreDep,
    q: Annotated[
        str,
        Query(
            max_length=200,
            examples=["Bukamal"],
            description="What the user typed (name or alias, any case, with or without accents or punctuation).",
        ),
    ],
    limit: Annotated[int, Query(ge=1, le=50)] = 10,
) -> SearchOut:
    """Entities whose name or alias matches what was typed: exact matches first, then names starting
    with it, then names with a word starting with it, then names containing it."""
    return SearchOut(query=q, suggestions=search_store.suggestions(store, q, limit=limit))


@router.get(
    "/entities/{entity_id}",
    response_model=EntityDetailsOut,
    summary="One entity",
    responses=responses("not_found", *NEO4J),
)
def entity(store: StoreDep, entity_id: Annotated[str, Path(max_length=200, examples=["fog-47"])]) -> EntityDetailsOut:
    """An entity's details: type, name, aliases, description, attributes, location and its number of
    relations by type."""
    return EntityDetailsOut(**evidence.entity(store, entity_id))


@router.post(
    "/expand", response_model=ExpandOut, summary="An entity's neighbourhood", responses=responses("not_found", *NEO4J)
)
def expand(store: StoreDep, body: ExpandRequest) -> ExpandOut:
    """The entity with up to `limit` neighbours and the relations passing the filters, plus the relations
    between the new neighbours and the entities already on screen (`known`)."""
    return ExpandOut(
        **neighbourhood.expand(
            store, body.id, filters=body.filters, removed=body.removed, known=body.known, limit=body.limit
        )
    )


@router.post("/view", response_model=ViewOut, summary="Rebuild a view from its state", responses=responses(*NEO4J))
def view(store: StoreDep, body: ViewRequest) -> ViewOut:
    """What a link to the explorer shows: the chosen entities with their neighbours, the neighbours of
    every expanded entity (in order), minus removed ones, under the filters."""
    return ViewOut(
        **neighbourhood.view(
            store,
            roots=body.roots,
            expanded=body.expanded,
            removed=body.removed,
            filters=body.filters,
            limit=body.limit,
            shown=body.shown,
        )
    )


@router.post(
    "/place", response_model=PlaceOut, summary="Where new nodes go on the view", responses=responses(validated=True)
)
def place(body: PlaceRequest) -> PlaceOut:
    """Positions for `nodes` around the nodes on screen (`positions`), which stay exactly where they are:
    the snapshot's layout engine (Fruchterman-Reingold, held nodes fixed, then overlap removal moving only
    the new nodes; viz.layout.layout_around). New nodes tied to nothing on screen are laid out on their own
    beside the view; with no positions, the nodes get a fresh layout. The same request gets the same answer;
    nothing is read from the database."""
    return PlaceOut(
        **placement.place(
            {n: (x, y) for n, (x, y) in body.positions.items()},
            body.nodes,
            body.ties,
            labels=body.labels,
            sizes=body.sizes,
        )
    )


@router.get(
    "/edges/{source}/{rtype}/{target}",
    response_model=EdgeDetailsOut,
    summary="A relation's evidence",
    responses=responses("not_found", *NEO4J),
)
def edge(
    request: Request,
    store: StoreDep,
    source: Annotated[str, Path(max_length=200, examples=["fog-47"])],
    rtype: Annotated[
        RelationTypeName, Path(description="A relation type of the registry, e.g. OCCUPIES", examples=["OCCUPIES"])
    ],
    target: Annotated[str, Path(max_length=200, examples=["badr-hospital"])],
) -> EdgeDetailsOut:
    """Every piece of evidence for the relation: source title, publisher, date, reliability, the quote
    and its credibility, and the source document's text around the quote when documents are served."""
    details = evidence.relation(store, source, rtype, target)
    docs = get_documents(request)
    if docs is not None:
        for ev in details["evidence"]:
            ev["context"] = docs.context(ev["source"].get("document"), ev["quote"])
    return EdgeDetailsOut(**details)


@router.post("/geo", response_model=GeoOut, summary="Where the entities on screen are", responses=responses(*NEO4J))
def geo(store: StoreDep, body: GeoRequest) -> GeoOut:
    """The entities of `nodes` that have coordinates, their own or (a site or place without) those of the
    nearest place it lies in, marked inherited with that place's precision, each with the relations of
    `edges` that place an actor there (OCCUPIES, CONTROLS, ...) with their grades and first quotes."""
    return GeoOut(**geo_store.located(store, body.nodes, body.edges))


# --------------------------------------------------------------------------- queries


def truncated_reason(res: console.ConsoleResult, *, row_limit: int, byte_limit: int) -> str | None:
    """Why a result's rows stop where they do, in one line (None when they are all there).

    >>> res = console.ConsoleResult(["xs"], [], [], True, 1.0, "bytes")
    >>> truncated_reason(res, row_limit=2000, byte_limit=10_000_000)
    'the first row alone passes the size limit (10 MB of JSON): return less, e.g. a slice or size() of a list'
    """
    if res.truncated_by == "rows":
        return f"only the first {row_limit:,} rows: the row limit"
    if res.truncated_by == "bytes":
        size = f"{byte_limit / 1e6:g} MB of JSON"
        if not res.rows:
            return f"the first row alone passes the size limit ({size}): return less, e.g. a slice or size() of a list"
        return f"only the first {len(res.rows):,} rows: the next would pass the size limit ({size})"
    return None


def _result(store: Store, res: console.ConsoleResult, matched: list[str] | None = None) -> QueryResultOut:
    return QueryResultOut(
        matched=matched or [],
        columns=res.columns,
        rows=res.rows,
        truncated=res.truncated,
        truncated_by=res.truncated_by,
        truncated_reason=truncated_reason(res, row_limit=store.row_limit, byte_limit=store.byte_limit),
        row_limit=store.row_limit,
        byte_limit=store.byte_limit,
        elapsed_ms=round(res.elapsed_ms, 1),
        graph=console.graph_of(store, res.raw),
    )


@router.get(
    "/queries", response_model=list[NamedQueryOut], summary="Named queries", responses=responses(validated=False)
)
def queries() -> list[NamedQueryOut]:
    """The named queries of the query library (queries/*.cypher): name, the question each answers,
    notes, parameters and examples."""
    return [NamedQueryOut(**q) for q in named.list_queries()]


@router.post(
    "/queries/{name}",
    response_model=QueryResultOut,
    summary="Run a named query",
    responses=responses("bad_request", "not_found", "query_error", *NEO4J),
)
def run_named(
    store: StoreDep,
    config: ConfigDep,
    name: Annotated[str, Path(max_length=100, examples=["occupants"])],
    body: NamedQueryRequest,
) -> QueryResultOut:
    """Run a named query with the given parameters (read-only, limited in time, rows and bytes like the
    console). Entity parameters take an id, a name or an alias (spelling variants and Arabic script are matched:
    `matched` says how, and who else matches); a parameter the query does not take, or a required one
    missing, is a `bad_request` (the parameters of each query: GET /api/queries)."""
    text, params, matched = named.prepare(store, name, body.params)
    res = console.run_read(store, text, params, timeout=config.query_timeout, check_plan=False)
    return _result(store, res, matched)


@router.post(
    "/cypher",
    response_model=QueryResultOut,
    summary="Read-only Cypher",
    responses=responses("refused", "query_error", *NEO4J),
)
def cypher(store: StoreDep, config: ConfigDep, body: CypherRequest) -> QueryResultOut:
    """Run Cypher for reading: in a READ transaction that is rolled back, with a time limit, a row limit
    and a size limit (`truncated_by`). Queries that would change the graph, load files, call
    administrative procedures or show the server's settings, transactions or users are refused, and
    nothing is run. Cypher Neo4j cannot run (a syntax error, a wrong type) is a `query_error`; a query
    needing more memory than one query may use is `too_big`; a query past the time limit is answered
    `timeout` when the limit passes, whether or not Neo4j has stopped it yet."""
    check_console_query(body.query)
    return _result(store, console.run_read(store, body.query, body.params, timeout=config.query_timeout))


# --------------------------------------------------------------------------- export


_FILENAME = re.compile(r"[^A-Za-z0-9_.-]+")


# The response class has no media type of its own: HTMLResponse's would be given to the error responses too.
@router.post(
    "/export/html",
    response_class=Response,
    summary="The view as a self-contained HTML snapshot",
    responses={
        200: {"content": {"text/html": {"schema": {"type": "string"}}}, "description": "A self-contained HTML page."},
        **responses("bad_request", *NEO4J),
    },
)
def export_html(store: StoreDep, body: ExportRequest) -> HTMLResponse:
    """The given entities and relations (with their evidence and sources) as the same kind of
    self-contained HTML page `kg viz` writes: no network needed to open it."""
    html = named.snapshot_html(
        neighbourhood.subgraph(store, body.nodes, body.edges),
        body.title,
        body.filters,
        horizon=store.horizon,
        positions=body.positions,
    )
    filename = (_FILENAME.sub("-", body.title).strip("-") or "actorgraph-view")[:80] + ".html"
    return HTMLResponse(html, headers={"Content-Disposition": f'attachment; filename="{filename}"'})
