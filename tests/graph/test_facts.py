"""graph/facts.py: edge identity and how two statements of one edge merge."""

from __future__ import annotations

import gc

import pytest
from pydantic import ValidationError

from graph.facts import (
    EDGE_ID_SEPARATOR,
    Edge,
    EvidenceItem,
    Facts,
    edge_from_relation,
    edge_id,
    gc_paused,
    parse_edge_id,
)
from graph.models import RELATION_MODELS, Source
from graph.schema import REGISTRY

# --------------------------------------------------------------------------- edge identity


@pytest.mark.parametrize(
    "key",
    [
        ("fog-47", "OCCUPIES", "badr-hospital"),
        ("a", "PART_OF", "b"),
        ("x.1_2", "LEADS", "x.1_2"),  # a loop; dots and underscores are slug characters
    ],
)
def test_edge_id_round_trip(key):
    assert edge_id(*key) == "|".join(key)
    assert parse_edge_id(edge_id(*key)) == key


@pytest.mark.parametrize(
    "value",
    [
        "",
        "fog-47",
        "fog-47|OCCUPIES",
        "fog-47||badr",
        "|OCCUPIES|badr",
        "fog-47|OCCUPIES|",
        "a|B|c|d",
        "fog-47:OCCUPIES:badr-hospital",
    ],
)
def test_what_is_not_an_edge_id(value):
    with pytest.raises(ValueError) as err:
        parse_edge_id(value)
    assert str(err.value) == f"not an edge id: {value!r} (expected FROM|TYPE|TO)"


def test_the_separator_is_in_no_id_and_no_relation_type():
    assert not any(EDGE_ID_SEPARATOR in t for t in REGISTRY.relations)
    with pytest.raises(ValidationError):
        Source(id="a|b", title="t", publisher="p", published="2021", reliability="B")


# --------------------------------------------------------------------------- merging


def occupies(evidence, valid_from=None, valid_to=None, **attributes) -> Edge:
    return Edge(
        "fog-47", "OCCUPIES", "badr-hospital", [EvidenceItem(*e) for e in evidence], valid_from, valid_to, attributes
    )


def test_a_merged_edge_carries_every_piece_of_evidence_once():
    edge = occupies([("alma", "its headquarters", 3)], use="headquarters")
    other = occupies([("wire", "the militia's base", 2), ("alma", "its headquarters", 3)], use="headquarters")
    assert edge.merge(other) is None
    assert [(e.source, e.quote, e.credibility) for e in edge.evidence] == [
        ("alma", "its headquarters", 3),
        ("wire", "the militia's base", 2),
    ]
    assert edge.credibility == 2  # the best grade of the evidence
    assert edge.key == ("fog-47", "OCCUPIES", "badr-hospital")


def test_the_same_quote_from_two_sources_is_two_pieces():
    edge = occupies([("alma", "its headquarters", 3)])
    edge.merge(occupies([("wire", "its headquarters", 3)]))
    assert [e.source for e in edge.evidence] == ["alma", "wire"]


@pytest.mark.parametrize(
    "mine,theirs,merged",
    [
        # The stated bounds widen to cover both statements, compared as days.
        (("2021-06", "2021-08"), ("2021", "2021-07"), ("2021", "2021-08")),
        (("2021-06", "2022"), ("2021-06-15", "2022-03"), ("2021-06", "2022")),
        (("2021-06-15", "2021-12-31"), ("2021-06", "2021"), ("2021-06", "2021-12-31")),
        # A statement without a bound says nothing about it: the stated one stays.
        ((None, None), ("2021", "2022"), ("2021", "2022")),
        (("2021", None), (None, "2022"), ("2021", "2022")),
        ((None, None), (None, None), (None, None)),
    ],
)
def test_validity_bounds_widen(mine, theirs, merged):
    edge = occupies([("alma", "q", 2)], *mine)
    assert edge.merge(occupies([("wire", "q", 2)], *theirs)) is None
    assert (edge.valid_from, edge.valid_to) == merged


def test_attributes_add_up():
    edge = occupies([("alma", "q", 2)])
    assert edge.merge(occupies([("wire", "r", 2)], use="warehouse")) is None
    assert edge.attributes == {"use": "warehouse"}
    assert edge.merge(occupies([("wire", "s", 2)])) is None
    assert edge.attributes == {"use": "warehouse"}


def test_two_statements_that_disagree_are_refused_and_change_nothing():
    edge = occupies([("alma", "q", 2)], "2021", None, use="headquarters")
    message = edge.merge(occupies([("wire", "r", 1)], "2019", "2023", use="warehouse"))
    assert message == (
        "OCCUPIES fog-47 -> badr-hospital: use is 'warehouse' here but 'headquarters' where first stated"
    )
    assert [e.source for e in edge.evidence] == ["alma"]
    assert (edge.valid_from, edge.valid_to, edge.attributes) == ("2021", None, {"use": "headquarters"})


# --------------------------------------------------------------------------- from a relation record


def test_an_edge_from_a_relation_record():
    rel = RELATION_MODELS["OCCUPIES"].model_validate(
        {
            "type": "OCCUPIES",
            "from": "fog-47",
            "to": "badr-hospital",
            "credibility": 3,
            "valid_from": 2021,
            "use": "headquarters",
            "evidence": [
                {"source": "alma", "quote": "its headquarters"},
                {"source": "wire", "quote": "the base", "credibility": 1},
            ],
        }
    )
    edge = edge_from_relation(rel)
    assert edge.key == rel.key == ("fog-47", "OCCUPIES", "badr-hospital")
    # A piece of evidence without its own grade takes the relation's.
    assert [e.as_dict() for e in edge.evidence] == [
        {"source": "alma", "quote": "its headquarters", "credibility": 3},
        {"source": "wire", "quote": "the base", "credibility": 1},
    ]
    assert (edge.valid_from, edge.valid_to, edge.attributes, edge.credibility) == (
        "2021",
        None,
        {"use": "headquarters"},
        1,
    )


def test_the_reliability_of_an_edge_is_its_best_source():
    sources = {
        sid: Source(id=sid, title="t", publisher="p", published="2021", reliability=grade)
        for sid, grade in (("alma", "B"), ("wire", "D"))
    }
    facts = Facts(sources=sources)
    assert facts.reliability(occupies([("wire", "q", 2)])) == "D"
    assert facts.reliability(occupies([("wire", "q", 2), ("alma", "r", 4)])) == "B"


def test_gc_paused_restores_the_collector():
    assert gc.isenabled()
    with gc_paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    try:
        with gc_paused():
            pass
        assert not gc.isenabled()  # it was off before: it stays off
    finally:
        gc.enable()
