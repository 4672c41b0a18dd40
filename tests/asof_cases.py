"""The as-of rule, case by case, on tests/fixtures/asof (hand-checked; default horizon 6m back, 12m ahead).

Each case is a day and the edge ids (graph.facts.edge_id) and entity ids that hold on it. Every
implementation of the rule (Python views, Cypher, the explorer API, the snapshot page) is tested
against this one table.
"""

from tests.paths import ROOT

ASOF = ROOT / "tests" / "fixtures" / "asof"

E = {  # short names for the fixture's edges
    "occupies": "alpha|OCCUPIES|depot",  # stated 2021-06-01 .. 2021-12-31
    # stated end 2020-12-31, start 6m before the earlier of that end and its report (2021-12): 2020-06-30
    "controls": "bravo|CONTROLS|town",
    # stated start 2022-03-15, end 12m after the later of that start and its report (2022-03-15): 2023-03-15
    "leads": "chief|LEADS|alpha",
    "alpha_in_town": "alpha|OPERATES_IN|town",  # inferred 2021-06-01 .. 2022-12-31
    "opposes": "alpha|OPPOSES|bravo",  # inferred 2018-07-01 .. 2023-03-15
    "bravo_in_town": "bravo|OPERATES_IN|town",  # inferred 2022-12-10 .. 2024-06-10
    "strike": "alpha|CARRIES_OUT|strike",  # inferred 2021-06-01 .. 2022-12-31, event from 2021-03-01
    "drive": "bravo|RUNS|drive",  # inferred 2021-06-01 .. 2022-12-31, campaign 2020-01-01 .. 2021-06-30
    "push": "chief|RUNS|push",  # inferred 2021-09-15 .. 2023-03-15, campaign from 2022-02-10
}

CASES = [
    ("2018-06-30", set()),  # an end not stated is not open: nothing reaches this far back
    ("2018-07-01", {"opposes"}),
    ("2020-06-29", {"opposes"}),
    ("2020-06-30", {"controls", "opposes"}),
    ("2020-12-31", {"controls", "opposes"}),
    ("2021-01-01", {"opposes"}),
    ("2021-06-01", {"occupies", "alpha_in_town", "opposes", "strike", "drive"}),
    ("2021-06-30", {"occupies", "alpha_in_town", "opposes", "strike", "drive"}),
    ("2021-07-01", {"occupies", "alpha_in_town", "opposes", "strike"}),
    ("2021-12-31", {"occupies", "alpha_in_town", "opposes", "strike"}),
    ("2022-01-01", {"alpha_in_town", "opposes", "strike"}),
    ("2022-03-14", {"alpha_in_town", "opposes", "strike", "push"}),
    ("2022-03-15", {"leads", "alpha_in_town", "opposes", "strike", "push"}),
    ("2022-12-31", {"leads", "alpha_in_town", "opposes", "strike", "push", "bravo_in_town"}),
    ("2023-01-01", {"leads", "opposes", "push", "bravo_in_town"}),
    ("2023-03-15", {"leads", "opposes", "push", "bravo_in_town"}),
    ("2023-03-16", {"bravo_in_town"}),  # a stated start reported once is not carried on for ever
    ("2024-06-10", {"bravo_in_town"}),
    ("2024-06-11", set()),
]


def edges_on(day: str) -> set[str]:
    """The edge ids that hold on ``day``."""
    return {E[name] for name in dict(CASES)[day]}
