"""The explorer's bridges to the query library (queries/library.py) and the snapshot writer (viz/snapshot.py).

The library speaks to the CLI (``kg query NAME -p key=value``); here its
queries and errors are told in the API's terms: a query has a ``name``, the
``question`` it answers and ``notes``; a request names its parameters in
``params``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import networkx as nx

from queries import library

from .errors import BadRequest, ExplorerError, NotFound
from .store import Store


class LibraryBroken(ExplorerError):
    """A .cypher file of the query library is malformed (``FILE:LINE: message``): the server's to fix."""


def _library() -> dict[str, library.NamedQuery]:
    try:
        return library.load_library()
    except library.QueryError as exc:
        raise LibraryBroken(f"the query library cannot be read: {exc}") from None


def describe_query(query: library.NamedQuery) -> dict[str, Any]:
    """A named query as the API lists it: ``{name, question, notes, params, examples}``."""
    return {
        "name": query.name,
        "question": query.answers,
        "notes": query.notes,
        "params": [
            {
                "name": p.name,
                "type": p.kind,
                "default": p.default,
                "description": p.description,
                "required": p.required,
                "minimum": p.minimum,
                "maximum": p.maximum,
            }
            for p in query.params
        ],
        "examples": list(query.examples),
    }


def list_queries() -> list[dict]:
    """Every named query (:func:`describe_query`), by name."""
    return [describe_query(q) for q in sorted(_library().values(), key=lambda q: q.name)]


def check_params(query: library.NamedQuery, given: Mapping[str, Any]) -> None:
    """:class:`~viz.explorer.errors.BadRequest` naming the first parameter ``query`` does not take, or the
    first required one missing from ``given``, in the API's terms.

    >>> q = library.parse(
    ...     "// name: q\\n// answers: What?\\n// param: site (entity) — the site\\n"
    ...     "// example: kg query q -p site=x\\nMATCH (n {id: $site}) RETURN n"
    ... )
    >>> check_params(q, {})
    Traceback (most recent call last):
    ...
    viz.explorer.errors.BadRequest: query 'q' needs parameter 'site' in params (entity: the site)
    """
    unknown = [k for k in given if query.param(k) is None]
    if unknown:
        known = ", ".join(repr(p.name) for p in query.params) or "none"
        raise BadRequest(f"query {query.name!r} has no parameter {unknown[0]!r} (its parameters: {known})")
    for p in query.params:
        value = given.get(p.name)
        if p.required and (value is None or (isinstance(value, str) and not value.strip())):
            what = f"{p.kind}: {p.description}" if p.description else p.kind
            raise BadRequest(f"query {query.name!r} needs parameter {p.name!r} in params ({what})")


def prepare(store: Store, name: str, params: Mapping[str, Any]) -> tuple[str, dict[str, Any], list[str]]:
    """The Cypher, the checked parameters of a named query (entity and source names resolved to ids by the
    one name matcher) and how names that were not exact spellings were taken (``kg query``'s notes).

    :class:`~viz.explorer.errors.NotFound` when there is no such query,
    :class:`~viz.explorer.errors.BadRequest` for parameters it cannot take."""
    queries = _library()
    if name not in queries:
        raise NotFound(f"no named query {name!r}")
    query = queries[name]
    check_params(query, params)
    notes: list[str] = []
    with store.failures():
        try:
            query, final = library.prepare(store.driver, query, params, store.database, notes=notes)
        except library.QueryError as exc:
            raise BadRequest(str(exc)) from None
    return query.cypher, final, notes


def snapshot_html(G: nx.MultiDiGraph, title: str, filters=None, horizon=None, positions=None) -> str:
    """The self-contained HTML page `kg viz` writes, for ``G`` (its heading names the filters; its as-of
    windows use the explorer's ``horizon``; ``positions``: where each entity was on screen, kept)."""
    from graph.asof import DEFAULT_HORIZON
    from viz.snapshot import View, render_html

    view = View(horizon=horizon or DEFAULT_HORIZON)
    if filters is not None:
        view = View(
            as_of=filters.as_of,
            credibility_at_least=filters.credibility_at_least,
            reliability_at_least=filters.reliability_at_least,
            horizon=view.horizon,
        )
    return render_html(G, title=title, view=view, positions=positions)
