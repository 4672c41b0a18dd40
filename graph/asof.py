"""The as-of rule, written once: whether a fact holds on a given day, and why we think so.

A fact's time is a *window*, the first and the last day it holds (either end
open: ``None``), with a *basis*:

* **stated**: the curator gave ``valid_from`` / ``valid_to`` from the report's
  words. Partial dates stand for spans (``valid_from: 2021-06`` from 1 June
  2021, ``valid_to: 2021`` through 31 December 2021). An end the report does
  not give is not open: it is bounded as an inferred end is (below), from the
  stated date as well as the observations. "Chief took command in March 2022",
  reported then and never again, says nothing of 2025: the fact holds from
  March 2022 until the look-ahead after the later of that start and its last
  report. Likewise "held the town until 2020" holds from the look-back before
  the earlier of that end and its first report.
* **inferred**: nothing was stated, so the fact is held true around the days
  it was *observed* (each piece of evidence is observed when its source
  published it, unless the evidence says ``observed:``): from the earliest
  observation minus the :class:`Horizon`'s look-back to the latest observation
  plus its look-ahead.

Facts without observations (graphs made by hand, not from sources) have open
ends where nothing is stated.

Entities have windows too: an Event exists from its ``date`` on, a Campaign
inside [``start``, ``end``] (open ends as stated); other entities always.

Why the default horizon (look back 6 months, look ahead 12 months): a report
describes a state of affairs that usually began before it was written, and
who holds a town, a base or a command changes over months rather than days.
Half a year before the first report and a year after the last keeps a fact
in view for the period an analyst would still cite that report for it,
without carrying a 2021 observation into 2024. Both are settings
(``--look-back``, ``--look-ahead``) and every as-of output prints them.

Every place that filters by date asks this module, never the raw strings:

* Python views: :func:`fact_window` / :func:`entity_window` and :func:`holds_on`;
* Neo4j: the writer stores the stated window (``valid_from_date`` /
  ``valid_to_date``), the observations (``observed_from_date`` /
  ``observed_to_date``) and ``time_basis`` (:mod:`graph.neo4j.mapping`), and
  queries test them with :data:`graph.neo4j.cypher.HOLDS_ON`, the horizon
  passed as Cypher durations (:func:`graph.neo4j.cypher.horizon_params`);
* the pages: each edge and entity carries its window as ISO days, computed
  here with the page's horizon (:func:`iso_days`), and the shared page
  helper ``holdsOn`` compares them to the chosen day.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from .dates import first_day, last_day

Window = tuple[date | None, date | None]
STATED, INFERRED = "stated", "inferred"  # the time bases, as shown to users
TIME_BASES = (STATED, INFERRED)

_DURATION = re.compile(r"^\s*(\d{1,4})\s*([dmy])\s*$", re.IGNORECASE)


def add_months(day: date, months: int) -> date:
    """``day`` moved by whole calendar months, clamped to the month's end (as Neo4j does).

    >>> add_months(date(2021, 3, 31), -1), add_months(date(2021, 12, 15), 12)
    (datetime.date(2021, 2, 28), datetime.date(2022, 12, 15))
    """
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    year = min(max(year, 1), 9999)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


@dataclass(frozen=True)
class Span:
    """A length of time in calendar months and days (``6m``, ``1y``, ``90d``)."""

    months: int = 0
    days: int = 0

    @classmethod
    def parse(cls, text: str) -> Span:
        """``6m`` (months), ``1y`` (twelve months), ``90d`` (days); ValueError otherwise.

        >>> Span.parse("6m"), Span.parse("1y"), Span.parse("90d")
        (Span(months=6, days=0), Span(months=12, days=0), Span(months=0, days=90))
        """
        m = _DURATION.match(str(text))
        if not m:
            raise ValueError(f"{text!r} is not a length of time: use e.g. 90d, 6m or 1y (days, months, years)")
        n, unit = int(m[1]), m[2].lower()
        return cls(days=n) if unit == "d" else cls(months=n * (12 if unit == "y" else 1))

    def __str__(self) -> str:
        if self.days:
            return f"{self.days}d"
        return f"{self.months // 12}y" if self.months and self.months % 12 == 0 else f"{self.months}m"

    def before(self, day: date) -> date:
        return date.fromordinal(max(add_months(day, -self.months).toordinal() - self.days, 1))

    def after(self, day: date) -> date:
        return date.fromordinal(min(add_months(day, self.months).toordinal() + self.days, date.max.toordinal()))


@dataclass(frozen=True)
class Horizon:
    """How far around its observations a fact without stated validity is held true."""

    look_back: Span = Span(months=6)
    look_ahead: Span = Span(months=12)

    @classmethod
    def parse(cls, look_back: str | None = None, look_ahead: str | None = None) -> Horizon:
        d = cls()
        return cls(
            Span.parse(look_back) if look_back else d.look_back, Span.parse(look_ahead) if look_ahead else d.look_ahead
        )

    def describe(self) -> str:
        """What every as-of output prints.

        >>> Horizon().describe()
        'facts without stated dates held from 6m before their first report to 1y after their last'
        """
        return (
            f"facts without stated dates held from {self.look_back} before their first report "
            f"to {self.look_ahead} after their last"
        )

    def as_dict(self) -> dict[str, str]:
        return {"look_back": str(self.look_back), "look_ahead": str(self.look_ahead)}


DEFAULT_HORIZON = Horizon()


def window(valid_from: str | None, valid_to: str | None) -> Window:
    """The first and last day of a stated validity [valid_from, valid_to].

    >>> window("2021-06", "2021")
    (datetime.date(2021, 6, 1), datetime.date(2021, 12, 31))
    >>> window(None, None)
    (None, None)
    """
    return (first_day(valid_from) if valid_from else None, last_day(valid_to) if valid_to else None)


def fact_window(data: Mapping[str, Any], horizon: Horizon = DEFAULT_HORIZON) -> tuple[Window, str]:
    """The window and time basis of an edge (its data as :func:`graph.build.build_graph` gives it).

    A stated end is used as stated; an end not stated is the horizon's reach beyond the evidence that the
    fact held: its observations and, on the stated side, the other stated end.

    >>> fact_window({"valid_from": "2021-06", "valid_to": "2021"})
    ((datetime.date(2021, 6, 1), datetime.date(2021, 12, 31)), 'stated')
    >>> fact_window({"valid_from": "2021-12", "first_observed": "2021-12-21", "last_observed": "2021-12-21"})
    ((datetime.date(2021, 12, 1), datetime.date(2022, 12, 21)), 'stated')
    >>> fact_window({"valid_to": "2020", "first_observed": "2021-12", "last_observed": "2021-12"})
    ((datetime.date(2020, 6, 30), datetime.date(2020, 12, 31)), 'stated')
    >>> fact_window({"first_observed": "2021-12", "last_observed": "2022-01-03"})
    ((datetime.date(2021, 6, 1), datetime.date(2023, 1, 3)), 'inferred')
    """
    (start, end), first, last = window(data.get("valid_from"), data.get("valid_to")), None, None
    if data.get("first_observed"):
        first = first_day(data["first_observed"])
        last = last_day(data.get("last_observed") or data["first_observed"])
    basis = STATED if start or end else INFERRED
    if first is None:  # facts not built from sources (hand-made graphs): what is not stated is open
        return (start, end), basis
    if start is None:
        start = horizon.look_back.before(min(first, end) if end else first)
    if end is None:
        end = horizon.look_ahead.after(max(last, start) if data.get("valid_from") else last)
    return (start, end), basis


def entity_window(data: Mapping[str, Any]) -> Window:
    """When an entity exists: an Event from its date on, a Campaign inside [start, end], others always.

    >>> entity_window({"type": "Event", "date": "2023-10"}), entity_window({"type": "Campaign", "end": "2022"})
    ((datetime.date(2023, 10, 1), None), (None, datetime.date(2022, 12, 31)))
    """
    kind = data.get("type")
    if kind == "Event":
        return window(data.get("date"), None)
    if kind == "Campaign":
        return window(data.get("start"), data.get("end"))
    return (None, None)


def holds_on(w: Window, day: date) -> bool:
    """Whether something with window ``w`` holds on ``day`` (open ends hold).

    >>> holds_on(window("2021-06", "2021"), date(2021, 12, 31)), holds_on(window("2021-06", None), date(2021, 5, 31))
    (True, False)
    """
    first, last = w
    return (first is None or first <= day) and (last is None or day <= last)


def iso_days(w: Window) -> tuple[str | None, str | None]:
    """A window as ISO days, for pages (ISO day strings sort as the days do).

    >>> iso_days(window("2021", None))
    ('2021-01-01', None)
    """
    first, last = w
    return (first.isoformat() if first else None, last.isoformat() if last else None)


def window_iso(valid_from: str | None, valid_to: str | None) -> tuple[str | None, str | None]:
    """The stated window [valid_from, valid_to] as ISO days.

    >>> window_iso("2021", None)
    ('2021-01-01', None)
    """
    return iso_days(window(valid_from, valid_to))


def parse_day(value: str) -> date:
    """An as-of date as given by a user; a partial date means its first day.

    >>> parse_day("2021-12")
    datetime.date(2021, 12, 1)
    """
    return first_day(value)
