"""What the page asks once: counts, datasets and the days of the as-of slider."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from graph.asof import STATED, fact_window
from graph.dates import first_day

from . import cypher
from .base import Store

# Most dates offered on the as-of slider.
MAX_SLIDER_DATES = 400
# The dates scan every relation: kept for a few minutes (a reload shows up then).
META_SECONDS = 300


def slider_days(
    firsts: Iterable[date], lasts: Iterable[date], most: int | None = MAX_SLIDER_DATES, marks: Iterable[date] = ()
) -> list[str]:
    """The days at which some fact starts or stops holding, and the days ``marks`` (the report days),
    as ISO days (at most ``most``, evenly picked; None: all).

    A window's last day holds, so the day after it is where it stops:

    >>> slider_days([date(2021, 6, 1)], [date(2021, 12, 31)], marks=[date(2021, 12, 24)])
    ['2021-06-01', '2021-12-24', '2021-12-31', '2022-01-01']
    """
    days = set(firsts) | set(marks)
    for last in lasts:
        days.add(last)
        if last < date.max:
            days.add(last + timedelta(days=1))
    ordered = sorted(days)
    if most is not None and len(ordered) > most:
        step = (len(ordered) - 1) / (most - 1)
        ordered = sorted({ordered[round(i * step)] for i in range(most)})
    return [d.isoformat() for d in ordered]


def meta(store: Store) -> dict:
    """``{entities, relations, datasets, dates, stated_dates, report_dates}`` (cached for :data:`META_SECONDS`)."""
    return store.cached("meta", lambda: _meta(store), seconds=META_SECONDS)


def _meta(store: Store) -> dict:
    counts = store.read(cypher.COUNTS)[0]
    datasets = [r["dataset"] for r in store.read(cypher.DATASETS)]
    slow = max(store.timeout, 60)
    windows, stated = [], []  # stated: the windows a curator wrote (facts' validity, events, campaigns)
    for r in store.read(cypher.FACT_TIMES, timeout_=slow):
        try:
            w, basis = fact_window(dict(r), store.horizon)
        except ValueError:  # a date the loader would not have written: no window to offer
            continue
        windows.append(w)
        if basis == STATED:
            stated.append(w)
    for r in store.read(cypher.ENTITY_WINDOWS, timeout_=slow):  # Neo4j dates, as the mapping stored them
        w = tuple(d.to_native() if d is not None else None for d in (r["first"], r["last"]))
        windows.append(w)
        stated.append(w)
    reports = set()
    for r in store.read(cypher.REPORT_DATES, timeout_=slow):
        try:
            reports.add(first_day(str(r["day"])))
        except ValueError:
            pass
    dates = slider_days((first for first, _ in windows if first), (last for _, last in windows if last), marks=reports)
    offered = set(dates)
    stated_dates = [
        d for d in slider_days((f for f, _ in stated if f), (t for _, t in stated if t), most=None) if d in offered
    ]
    return {
        "entities": counts["entities"],
        "relations": counts["relations"],
        "datasets": datasets,
        "dates": dates,
        "stated_dates": stated_dates,
        "report_dates": [d for d in (day.isoformat() for day in sorted(reports)) if d in offered],
    }
