"""graph/asof.py: the as-of rule, the one place that says whether a fact holds on a day."""

from __future__ import annotations

from datetime import date

import pytest

from graph.asof import holds_on, parse_day, window, window_iso


@pytest.mark.parametrize(
    "valid_from,valid_to,expected",
    [
        (None, None, (None, None)),
        ("2021-06", "2021", (date(2021, 6, 1), date(2021, 12, 31))),
        ("2021", None, (date(2021, 1, 1), None)),
        (None, "2024-02", (None, date(2024, 2, 29))),
        ("2021-12-05", "2021-12-05", (date(2021, 12, 5), date(2021, 12, 5))),
    ],
)
def test_the_window_runs_from_the_first_day_of_the_start_to_the_last_day_of_the_end(valid_from, valid_to, expected):
    assert window(valid_from, valid_to) == expected


@pytest.mark.parametrize(
    "day,holds",
    [
        (date(2021, 5, 31), False),
        (date(2021, 6, 1), True),  # both ends count
        (date(2021, 7, 15), True),
        (date(2021, 8, 31), True),
        (date(2021, 9, 1), False),
    ],
)
def test_a_fact_holds_inside_its_window(day, holds):
    assert holds_on(window("2021-06", "2021-08"), day) is holds


def test_open_ends_hold_for_ever():
    assert holds_on(window(None, None), date(1, 1, 1)) and holds_on(window(None, None), date(9999, 12, 31))
    assert holds_on(window(None, "2021"), date(1900, 1, 1)) and not holds_on(window(None, "2021"), date(2022, 1, 1))
    assert holds_on(window("2021", None), date(9999, 12, 31)) and not holds_on(window("2021", None), date(2020, 12, 31))


def test_a_single_day_window():
    w = window("2021-12-05", "2021-12-05")
    assert [holds_on(w, date(2021, 12, d)) for d in (4, 5, 6)] == [False, True, False]


def test_the_window_as_iso_days_for_pages():
    assert window_iso("2024-02", "2024-02") == ("2024-02-01", "2024-02-29")
    assert window_iso(None, "2021") == (None, "2021-12-31")
    assert window_iso(None, None) == (None, None)


def test_iso_days_compare_as_the_days_do():
    # Pages compare the strings of window_iso; that is only right because ISO days sort as dates.
    days = [date(2021, 12, 31), date(2021, 2, 1), date(999, 1, 1), date(2021, 10, 9), date(2022, 1, 1)]
    assert sorted(d.isoformat() for d in days) == [d.isoformat() for d in sorted(days)]


@pytest.mark.parametrize(
    "value,day",
    [
        ("2021", date(2021, 1, 1)),
        ("2021-12", date(2021, 12, 1)),
        ("2021-12-05", date(2021, 12, 5)),
    ],
)
def test_an_as_of_date_given_by_a_user_means_its_first_day(value, day):
    assert parse_day(value) == day


@pytest.mark.parametrize("value", ["yesterday", "05/12/2021", "2021-13", "2021-02-30"])
def test_a_bad_as_of_date_is_a_value_error(value):
    with pytest.raises(ValueError):
        parse_day(value)
