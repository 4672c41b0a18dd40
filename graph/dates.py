"""Partial ISO dates: ``2021``, ``2021-12`` and ``2021-12-05``.

A partial date stands for a span; comparisons use its first day as a start
and its last day as an end, so ``valid_to: 2021`` is valid through 31 December.
"""

from __future__ import annotations

import calendar
import re
from datetime import date

_PARTIAL = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


def parse_partial(value: str) -> tuple[int, int | None, int | None]:
    """Split a partial date; raise ValueError with a readable message when malformed.

    >>> parse_partial("2021"), parse_partial("2021-12"), parse_partial("2021-12-05")
    ((2021, None, None), (2021, 12, None), (2021, 12, 5))
    >>> parse_partial("2021-02-30")
    Traceback (most recent call last):
    ValueError: '2021-02-30' is not a day of the calendar
    """
    m = _PARTIAL.fullmatch(value)
    if not m:
        raise ValueError(f"{value!r} is not a date: use YYYY, YYYY-MM or YYYY-MM-DD")
    y, mo, d = int(m[1]), m[2] and int(m[2]), m[3] and int(m[3])
    if y < 1:  # what Python's dates (and Neo4j's, via the driver) can hold: years 1-9999
        raise ValueError(f"{value!r} has year {m[1]}; years run from 0001 to 9999")
    if mo is not None and not 1 <= mo <= 12:
        raise ValueError(f"{value!r} has month {mo}, not 1-12")
    if d is not None:
        try:
            date(y, mo, d)
        except ValueError:
            raise ValueError(f"{value!r} is not a day of the calendar") from None
    return y, mo, d


def first_day(value: str) -> date:
    """The first day a partial date covers: where a span it starts begins.

    >>> first_day("2021"), first_day("2021-12"), first_day("2021-12-05")
    (datetime.date(2021, 1, 1), datetime.date(2021, 12, 1), datetime.date(2021, 12, 5))
    """
    y, mo, d = parse_partial(value)
    return date(y, mo or 1, d or 1)


def last_day(value: str) -> date:
    """The last day a partial date covers: where a span it ends ends (leap years counted).

    >>> last_day("2021"), last_day("2024-02"), last_day("2021-12-05")
    (datetime.date(2021, 12, 31), datetime.date(2024, 2, 29), datetime.date(2021, 12, 5))
    """
    y, mo, d = parse_partial(value)
    mo = mo or 12
    return date(y, mo, d or calendar.monthrange(y, mo)[1])
