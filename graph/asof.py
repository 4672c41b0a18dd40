"""The as-of rule, written once: whether a fact holds on a given day.

A fact's time is a *window*: the first and the last day it holds, either end
open (``None``). Today the window is the stated validity, a partial date
standing for a span (``valid_from: 2021-06`` from 1 June 2021,
``valid_to: 2021`` through 31 December 2021). Every place that filters by
date asks this module, never the raw strings:

* Python views: :func:`holds_on` on :func:`window`;
* Neo4j: the writer stores the window as ``valid_from_date`` /
  ``valid_to_date`` (:mod:`graph.neo4j.mapping`) and every query tests it
  with the predicate :data:`graph.neo4j.cypher.HOLDS_ON`;
* the pages: each edge carries its window as ISO days (:func:`window_iso`),
  and the shared page helper ``holdsOn`` compares them to the chosen day.
"""

from __future__ import annotations

from datetime import date

from .dates import first_day, last_day

Window = tuple[date | None, date | None]


def window(valid_from: str | None, valid_to: str | None) -> Window:
    """The first and last day a fact stated valid over [valid_from, valid_to] holds.

    >>> window("2021-06", "2021")
    (datetime.date(2021, 6, 1), datetime.date(2021, 12, 31))
    >>> window(None, None)
    (None, None)
    """
    return (first_day(valid_from) if valid_from else None, last_day(valid_to) if valid_to else None)


def holds_on(w: Window, day: date) -> bool:
    """Whether a fact with window ``w`` holds on ``day`` (open ends hold).

    >>> holds_on(window("2021-06", "2021"), date(2021, 12, 31)), holds_on(window("2021-06", None), date(2021, 5, 31))
    (True, False)
    """
    first, last = w
    return (first is None or first <= day) and (last is None or day <= last)


def window_iso(valid_from: str | None, valid_to: str | None) -> tuple[str | None, str | None]:
    """The window as ISO days, for pages (which compare ISO strings: they sort as dates).

    >>> window_iso("2021", None)
    ('2021-01-01', None)
    """
    first, last = window(valid_from, valid_to)
    return (first.isoformat() if first else None, last.isoformat() if last else None)


def parse_day(value: str) -> date:
    """An as-of date as given by a user; a partial date means its first day.

    >>> parse_day("2021-12")
    datetime.date(2021, 12, 1)
    """
    return first_day(value)
