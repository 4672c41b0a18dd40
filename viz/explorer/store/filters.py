"""A view's filters as the ``$f_*`` parameters of the filter fragments of :mod:`viz.explorer.store.cypher`
(``RELATION_FILTERS``, ``NEIGHBOUR_FILTERS``): None turns a fragment off.

The rules are the project's own: grades through the registry's scales
(``Scale.at_least``), days through the as-of rule (:data:`graph.neo4j.cypher.HOLDS_ON`
and ``EXISTS_ON``, the horizon as ``$look_back``/``$look_ahead``: ``horizon_params``).
"""

from __future__ import annotations

from collections.abc import Callable

from graph.asof import DEFAULT_HORIZON, Horizon
from graph.neo4j.cypher import horizon_params
from graph.schema import REGISTRY, Scale

from ..models import Filters


def accepted(scale: Scale, threshold: str | int | None) -> list | None:
    """The grades of ``scale`` as good as ``threshold`` or better (None: no threshold, no filter).

    >>> accepted(REGISTRY.reliability, "B"), accepted(REGISTRY.credibility, 2), accepted(REGISTRY.credibility, None)
    (['A', 'B'], [1, 2], None)
    """
    if threshold is None:
        return None
    return [g for g in scale.grades if scale.at_least(g, threshold)]


def filter_parameters(
    filters: Filters, source_reliability: Callable[[], dict[str, str]], *, horizon: Horizon = DEFAULT_HORIZON
) -> dict:
    """The ``$f_*`` parameters for ``filters``, and the horizon's; ``source_reliability()`` (source id ->
    grade) is asked only when both grades are given, for the sources whose reliability passes.

    >>> p = filter_parameters(Filters(reliability_at_least="A", as_of="2021-12-31"), dict)
    >>> p["f_reliabilities"], p["f_day"], p["f_sources"], p["f_types"]
    (['A'], datetime.date(2021, 12, 31), None, None)
    """
    credibilities = accepted(REGISTRY.credibility, filters.credibility_at_least)
    reliabilities = accepted(REGISTRY.reliability, filters.reliability_at_least)
    sources = None
    if credibilities is not None and reliabilities is not None:
        sources = sorted(s for s, grade in source_reliability().items() if grade in reliabilities)
    return {
        "f_types": list(filters.relation_types) if filters.relation_types is not None else None,
        "f_entity_types": list(filters.entity_types) if filters.entity_types is not None else None,
        "f_day": filters.as_of,
        "f_credibilities": credibilities,
        "f_reliabilities": reliabilities,
        "f_sources": sources,
        **horizon_params(horizon),
    }
