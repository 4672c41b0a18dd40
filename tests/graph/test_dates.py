"""graph/dates.py: partial ISO dates and the days they span."""

from __future__ import annotations

from datetime import date

import pytest

from graph.dates import first_day, last_day, parse_partial


@pytest.mark.parametrize(
    "value,parts",
    [
        ("2021", (2021, None, None)),
        ("2021-12", (2021, 12, None)),
        ("2021-12-05", (2021, 12, 5)),
        ("2024-02-29", (2024, 2, 29)),  # a leap day
        ("0001-01-01", (1, 1, 1)),
        ("9999-12-31", (9999, 12, 31)),
    ],
)
def test_partial_dates(value, parts):
    assert parse_partial(value) == parts


@pytest.mark.parametrize(
    "value,message",
    [
        ("21", "'21' is not a date: use YYYY, YYYY-MM or YYYY-MM-DD"),
        ("2021-1", "'2021-1' is not a date: use YYYY, YYYY-MM or YYYY-MM-DD"),
        ("2021/12", "'2021/12' is not a date: use YYYY, YYYY-MM or YYYY-MM-DD"),
        ("5 December 2021", "'5 December 2021' is not a date: use YYYY, YYYY-MM or YYYY-MM-DD"),
        ("", "'' is not a date: use YYYY, YYYY-MM or YYYY-MM-DD"),
        ("2021-13", "'2021-13' has month 13, not 1-12"),
        ("2021-00", "'2021-00' has month 0, not 1-12"),
        ("2021-02-29", "'2021-02-29' is not a day of the calendar"),
        ("2021-04-31", "'2021-04-31' is not a day of the calendar"),
        ("2021-12-00", "'2021-12-00' is not a day of the calendar"),
    ],
)
def test_malformed_dates_say_why(value, message):
    with pytest.raises(ValueError) as err:
        parse_partial(value)
    assert str(err.value) == message


@pytest.mark.parametrize(
    "value,first,last",
    [
        ("2021", date(2021, 1, 1), date(2021, 12, 31)),
        ("2021-12", date(2021, 12, 1), date(2021, 12, 31)),
        ("2021-04", date(2021, 4, 1), date(2021, 4, 30)),
        ("2021-02", date(2021, 2, 1), date(2021, 2, 28)),
        ("2024-02", date(2024, 2, 1), date(2024, 2, 29)),
        ("1900-02", date(1900, 2, 1), date(1900, 2, 28)),  # not a leap year (a century)
        ("2000-02", date(2000, 2, 1), date(2000, 2, 29)),  # a leap year (divisible by 400)
        ("2021-12-05", date(2021, 12, 5), date(2021, 12, 5)),
    ],
)
def test_a_partial_date_spans_from_its_first_to_its_last_day(value, first, last):
    assert (first_day(value), last_day(value)) == (first, last)


def test_first_and_last_day_check_the_date_too():
    with pytest.raises(ValueError, match="has month 13"):
        first_day("2021-13")
    with pytest.raises(ValueError, match="is not a date"):
        last_day("Dec 2021")
