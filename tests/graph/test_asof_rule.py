"""The as-of rule of graph.views on the hand-checked table of tests/asof_cases.py."""

from datetime import date

import pytest

from graph.asof import Horizon, Span
from graph.build import build_graph
from graph.facts import edge_id
from graph.views import filter_graph
from loaders import load_facts
from tests.asof_cases import ASOF, CASES, edges_on


@pytest.fixture(scope="module")
def G():
    return build_graph(load_facts([ASOF]))


@pytest.mark.parametrize("day", [day for day, _ in CASES])
def test_python_view_holds_what_the_table_says(G, day):
    H = filter_graph(G, as_of=date.fromisoformat(day))
    assert {edge_id(u, k, v) for u, v, k in H.edges(keys=True)} == edges_on(day)


def test_events_and_campaigns_exist_only_inside_their_dates(G):
    assert "strike" not in filter_graph(G, as_of=date(2021, 2, 28))
    assert "drive" not in filter_graph(G, as_of=date(2021, 7, 1))
    assert "push" not in filter_graph(G, as_of=date(2022, 2, 9))


def test_a_wider_horizon_keeps_inferred_facts_longer(G):
    day = date(2023, 6, 1)
    assert "alpha|OPERATES_IN|town" not in {edge_id(u, k, v) for u, v, k in filter_graph(G, as_of=day).edges(keys=True)}
    wide = Horizon(look_back=Span(months=6), look_ahead=Span(months=24))
    assert "alpha|OPERATES_IN|town" in {
        edge_id(u, k, v) for u, v, k in filter_graph(G, as_of=day, horizon=wide).edges(keys=True)
    }
