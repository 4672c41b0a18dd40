"""The explorer's JSON API. Every endpoint reads; none can change the graph."""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Query, Request
from fastapi.responses import HTMLResponse

from graph.schema import REGISTRY

from . import named
from .models import (
    CypherRequest,
    EdgeDetails,
    EntityDetails,
    EntityTypeInfo,
    ExpandRequest,
    ExpandResult,
    ExportRequest,
    Meta,
    NamedQuery,
    NamedQueryRequest,
    Problem,
    QueryResult,
    RelationTypeInfo,
    SearchResult,
    ViewRequest,
    ViewResult,
)
from .readonly import RefusedQuery, check_console_query
from .store import NotFound, QueryFailed, Store, StoreError, Unavailable

ERRORS = {400: {"model": Problem, "description": "The request or its query was refused; `detail` says why."},
          401: {"model": Problem, "description": "Missing or wrong access token."},
          404: {"model": Problem, "description": "No such entity, relation or query."},
          503: {"model": Problem, "description": "The database cannot be reached."}}

router = APIRouter(responses=ERRORS)


def _store(request: Request) -> Store:
    return request.app.state.store


def _fail(exc: Exception) -> HTTPException:
    if isinstance(exc, NotFound):
        return HTTPException(404, str(exc))
    if isinstance(exc, (QueryFailed, RefusedQuery, named.NamedQueryError, ValueError)):
        return HTTPException(400, str(exc))
    if isinstance(exc, Unavailable):
        return HTTPException(503, str(exc))
    return HTTPException(502, str(exc))


# --------------------------------------------------------------------------- meta


@router.get("/meta", response_model=Meta, summary="Types, colours, dates and limits")
def meta(request: Request) -> Meta:
    """The schema registry's entity and relation types (with colours and shapes), the days at which
    relations start or stop holding (for the as-of slider), counts and the server's limits."""
    config = request.app.state.config
    try:
        m = _store(request).meta()
    except StoreError as exc:
        raise _fail(exc)
    return Meta(
        entity_types=[EntityTypeInfo(type=t.name, color=t.color, shape=t.shape, description=t.description,
                                     attributes=list(t.attributes)) for t in REGISTRY.entities.values()],
        relation_types=[RelationTypeInfo(type=t.name, description=t.description, attributes=list(t.attributes))
                        for t in REGISTRY.relations.values()],
        dates=m["dates"], entities=m["entities"], relations=m["relations"], datasets=m["datasets"],
        documents=request.app.state.documents is not None,
        row_limit=config.row_limit, query_timeout=config.query_timeout,
    )


# --------------------------------------------------------------------------- search / entities


@router.get("/search", response_model=SearchResult, summary="Suggestions for a name")
def search(request: Request,
           q: Annotated[str, Query(max_length=200, description="What the user typed (name or alias, any case, "
                                                               "with or without accents or punctuation).")],
           limit: Annotated[int, Query(ge=1, le=50)] = 10) -> SearchResult:
    """Entities whose name or alias matches what was typed: exact matches first, then names starting
    with it, then names with a word starting with it, then names containing it."""
    try:
        found = _store(request).search(q, limit)
    except StoreError as exc:
        raise _fail(exc)
    return SearchResult(query=q, suggestions=found)


@router.get("/entities/{entity_id}", response_model=EntityDetails, summary="One entity")
def entity(request: Request, entity_id: Annotated[str, Path(max_length=200)]) -> EntityDetails:
    """An entity's details: type, name, aliases, description, attributes, location and its number of
    relations by type."""
    try:
        return EntityDetails(**_store(request).entity(entity_id))
    except StoreError as exc:
        raise _fail(exc)


@router.post("/expand", response_model=ExpandResult, summary="An entity's neighbourhood")
def expand(request: Request, body: ExpandRequest) -> ExpandResult:
    """The entity with up to `limit` neighbours and the relations passing the filters, plus the relations
    between the new neighbours and the entities already on screen (`known`)."""
    try:
        return ExpandResult(**_store(request).expand(body.id, filters=body.filters, removed=body.removed,
                                                     known=body.known, limit=body.limit))
    except StoreError as exc:
        raise _fail(exc)


@router.post("/view", response_model=ViewResult, summary="Rebuild a view from its state")
def view(request: Request, body: ViewRequest) -> ViewResult:
    """What a link to the explorer shows: the chosen entities with their neighbours, the neighbours of
    every expanded entity (in order), minus removed ones, under the filters."""
    try:
        return ViewResult(**_store(request).view(roots=body.roots, expanded=body.expanded, removed=body.removed,
                                                 filters=body.filters, limit=body.limit, shown=body.shown))
    except StoreError as exc:
        raise _fail(exc)


@router.get("/edges/{source}/{rtype}/{target}", response_model=EdgeDetails, summary="A relation's evidence")
def edge(request: Request, source: Annotated[str, Path(max_length=200)],
         rtype: Annotated[str, Path(max_length=100, description="Relation type, e.g. OCCUPIES")],
         target: Annotated[str, Path(max_length=200)]) -> EdgeDetails:
    """Every piece of evidence for the relation: source title, publisher, date, reliability, the quote
    and its credibility, and the source document's text around the quote when documents are served."""
    if rtype not in REGISTRY.relations:
        raise HTTPException(404, f"unknown relation type {rtype!r}")
    try:
        details = _store(request).edge(source, rtype, target)
    except StoreError as exc:
        raise _fail(exc)
    docs = request.app.state.documents
    if docs is not None:
        for ev in details["evidence"]:
            ev["context"] = docs.context(ev["source"].get("document"), ev["quote"])
    return EdgeDetails(**details)


# --------------------------------------------------------------------------- queries


def _result(store: Store, res) -> QueryResult:
    graph = store.graph_of(res.raw)
    return QueryResult(columns=res.columns, rows=res.rows, truncated=res.truncated, row_limit=store.row_limit,
                       elapsed_ms=round(res.elapsed_ms, 1), graph=graph)


@router.get("/queries", response_model=list[NamedQuery], summary="Named queries")
def queries() -> list[NamedQuery]:
    """The named queries of the query library (queries/*.cypher) with their parameters."""
    try:
        return [NamedQuery(**q) for q in named.list_queries()]
    except named.NamedQueryError as exc:
        raise _fail(exc)


@router.post("/queries/{name}", response_model=QueryResult, summary="Run a named query")
def run_named(request: Request, name: Annotated[str, Path(max_length=100)], body: NamedQueryRequest) -> QueryResult:
    """Run a named query with the given parameters (read-only, time- and row-limited)."""
    store = _store(request)
    config = request.app.state.config
    try:
        text, params = named.prepare(store, name, body.params)
        res = store.run_read(text, params, timeout=config.query_timeout, check_plan=False)
        return _result(store, res)
    except KeyError:
        raise HTTPException(404, f"no named query {name!r}")
    except (StoreError, named.NamedQueryError) as exc:
        raise _fail(exc)
    except Exception as exc:  # the driver's own errors while resolving parameters
        if exc.__class__.__module__.startswith("neo4j"):
            from .store import error_for

            raise _fail(error_for(exc, config.settings))
        raise


@router.post("/cypher", response_model=QueryResult, summary="Read-only Cypher")
def cypher(request: Request, body: CypherRequest) -> QueryResult:
    """Run Cypher for reading: in a READ transaction that is rolled back, with a time limit and a row
    limit. Queries that write, load files or call administrative procedures are refused."""
    store = _store(request)
    config = request.app.state.config
    try:
        check_console_query(body.query)
        res = store.run_read(body.query, body.params, timeout=config.query_timeout)
        return _result(store, res)
    except (StoreError, RefusedQuery) as exc:
        raise _fail(exc)


# --------------------------------------------------------------------------- export


_FILENAME = re.compile(r"[^A-Za-z0-9_.-]+")


@router.post("/export/html", response_class=HTMLResponse, summary="The view as a self-contained HTML snapshot",
             responses={200: {"content": {"text/html": {}}, "description": "A self-contained HTML page."}})
def export_html(request: Request, body: ExportRequest) -> HTMLResponse:
    """The given entities and relations (with their evidence and sources) as the same kind of
    self-contained HTML page `kg viz` writes: no network needed to open it."""
    store = _store(request)
    try:
        G = store.subgraph(body.nodes, body.edges)
        html = named.snapshot_html(G, body.title, body.filters)
    except (StoreError, named.NamedQueryError) as exc:
        raise _fail(exc)
    filename = (_FILENAME.sub("-", body.title).strip("-") or "actorgraph-view")[:80] + ".html"
    return HTMLResponse(html, headers={"Content-Disposition": f'attachment; filename="{filename}"'})
