"""The explorer's bridges to the query library (queries/library.py) and the snapshot writer (viz/snapshot.py)."""

from __future__ import annotations

from typing import Any

import networkx as nx

from queries import library


class NamedQueryError(ValueError):
    """A named query that cannot run as asked (bad parameters, unknown entity, broken library file)."""


def list_queries() -> list[dict]:
    """Every named query: name, title (the question it answers), description and parameters."""
    try:
        queries = library.load_library()
    except library.QueryError as exc:
        raise NamedQueryError(str(exc)) from None
    return [q.as_dict() for q in sorted(queries.values(), key=lambda q: q.name)]


def prepare(store, name: str, params: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """The Cypher and the checked parameters of a named query (entity names resolved to ids).

    KeyError when there is no such query; NamedQueryError for parameters it cannot take.
    """
    try:
        queries = library.load_library()
    except library.QueryError as exc:
        raise NamedQueryError(str(exc)) from None
    if name not in queries:
        raise KeyError(name)
    try:
        query, final = library.prepare(store.driver, queries[name], params, store.database)
    except library.QueryError as exc:
        raise NamedQueryError(str(exc)) from None
    return query.cypher, final


def snapshot_html(G: nx.MultiDiGraph, title: str, filters=None) -> str:
    """The self-contained HTML page `kg viz` writes, for ``G`` (its heading names the filters)."""
    from viz.snapshot import View, render_html

    view = None
    if filters is not None:
        view = View(as_of=filters.as_of, credibility_at_least=filters.credibility_at_least,
                    reliability_at_least=filters.reliability_at_least)
    return render_html(G, title=title, view=view)
