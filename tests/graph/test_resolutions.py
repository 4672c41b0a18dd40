"""graph/resolutions.py and its loader side: same/different decisions, their checks, and "same" applied at load."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from pydantic import ValidationError

from graph.build import build_graph
from graph.facts import Facts
from graph.models import ENTITY_MODELS
from graph.resolutions import (
    DIFFERENT,
    SAME,
    Decisions,
    Resolution,
    apply_same,
    contradictions,
    merge_map,
    merged_entity,
)
from loaders import check_files, load_facts

SOURCES = """\
sources:
  - id: wire
    title: Wire report
    publisher: Wire
    published: 2024-01
    reliability: B
"""
ENTITIES = """\
entities:
  - id: al-bukamal
    type: Place
    name: Al-Bukamal
    aliases: [Abu Kamal]
    kind: city
  - id: bou-kamal
    type: Place
    name: Bou Kamal
    description: Border town.
    evidence:
      - {source: wire, quote: "the border town of Bou Kamal"}
  - id: deir-ez-zor
    type: Place
    name: Deir ez-Zor
  - id: brigade
    type: ArmedGroup
    name: The Brigade
  - id: other-brigade
    type: ArmedGroup
    name: The Other Brigade
  - id: spokesman
    type: Person
    name: A Spokesman
"""
RELATIONS = """\
relations:
  - type: LOCATED_IN
    from: al-bukamal
    to: deir-ez-zor
    credibility: 2
    evidence:
      - {source: wire, quote: "Al-Bukamal in Deir ez-Zor"}
  - type: LOCATED_IN
    from: bou-kamal
    to: deir-ez-zor
    credibility: 3
    evidence:
      - {source: wire, quote: "Bou Kamal, Deir ez-Zor"}
  - type: OPERATES_IN
    from: brigade
    to: bou-kamal
    credibility: 2
    evidence:
      - {source: wire, quote: "the Brigade operates in Bou Kamal", according_to: bou-kamal}
"""
SAME_DECISION = """\
resolutions:
  - same: [al-bukamal, bou-kamal]
    by: jdoe
    on: 2026-11-30
    why: Bou Kamal is a romanisation of Al-Bukamal
"""


def dataset(tmp_path: Path, resolutions: str = "", **files: str) -> Path:
    """A small dataset folder; ``resolutions`` becomes resolutions.yaml, ``files`` more files by name."""
    folder = tmp_path / "data"
    folder.mkdir(exist_ok=True)
    for name, text in {"sources.yaml": SOURCES, "entities.yaml": ENTITIES, "relations.yaml": RELATIONS}.items():
        (folder / name).write_text(text, encoding="utf-8")
    if resolutions:
        (folder / "resolutions.yaml").write_text(textwrap.dedent(resolutions), encoding="utf-8")
    for name, text in files.items():
        (folder / name).write_text(textwrap.dedent(text), encoding="utf-8")
    return folder


def decision(kind: str, ids: list[str]) -> Resolution:
    return Resolution(**{kind: ids}, by="jdoe", on="2026-11-30", why="checked")


# --------------------------------------------------------------------------- the model


def test_a_decision_is_same_or_different_with_who_when_why():
    d = decision(SAME, ["a", "b", "c"])
    assert d.decision == SAME and d.ids == ["a", "b", "c"]
    assert d.pairs() == [("a", "b"), ("a", "c"), ("b", "c")]
    assert decision(DIFFERENT, ["b", "a"]).pairs() == [("a", "b")]


@pytest.mark.parametrize(
    "data,message",
    [
        ({"by": "x", "on": "2026", "why": "y"}, "give either same"),
        ({"same": ["a"], "different": ["a", "b"], "by": "x", "on": "2026", "why": "y"}, "give either same"),
        ({"same": ["a"], "by": "x", "on": "2026", "why": "y"}, "name at least two entity ids"),
        ({"different": ["a", "b", "a"], "by": "x", "on": "2026", "why": "y"}, "'a' named twice"),
        ({"same": ["a", "b"], "on": "2026", "why": "y"}, "by"),
        ({"same": ["a", "b"], "by": "x", "on": "2026-13", "why": "y"}, "month 13"),
        ({"same": ["a", "Not An Id"], "by": "x", "on": "2026", "why": "y"}, "pattern"),
    ],
)
def test_bad_decisions_are_refused(data, message):
    with pytest.raises(ValidationError, match=message):
        Resolution.model_validate(data)


# --------------------------------------------------------------------------- contradictions


def test_consistent_decisions_have_no_contradiction():
    ds = [decision(SAME, ["a", "b"]), decision(SAME, ["a", "c"]), decision(DIFFERENT, ["a", "d"])]
    assert contradictions(ds) == []
    assert merge_map(ds) == {"b": "a", "c": "a"}


def test_same_and_different_contradict_directly_and_through_a_group():
    ds = [decision(SAME, ["a", "b"]), decision(SAME, ["a", "c"]), decision(DIFFERENT, ["c", "b"])]
    (p,) = contradictions(ds, ["r.yaml:1", "r.yaml:5", "r.yaml:9"])
    assert p.index == 2 and "'b' and 'c' are decided the same at r.yaml:1" in p.message


def test_an_id_merged_into_two_ids_is_a_contradiction():
    ds = [decision(SAME, ["a", "b"]), decision(SAME, ["c", "b"])]
    (p,) = contradictions(ds, ["r.yaml:1", "r.yaml:5"])
    assert (p.index, p.at) == (1, 1)
    assert p.message == "'b' is merged into 'a' at r.yaml:1 and into 'c' here"


@pytest.mark.parametrize(
    "ds,at",
    [
        ([decision(SAME, ["a", "b"]), decision(SAME, ["b", "c"])], 0),  # b kept after being merged
        ([decision(SAME, ["b", "c"]), decision(SAME, ["a", "b"])], 1),  # b merged after being kept
    ],
)
def test_chains_are_refused(ds, at):
    (p,) = contradictions(ds, ["r.yaml:1", "r.yaml:5"])
    assert p.index == 1 and p.at == at and "a chain" in p.message


def test_decisions_look_up_pairs_in_either_order():
    d = Decisions.of([decision(SAME, ["a", "b", "c"]), decision(DIFFERENT, ["x", "a"])])
    assert d.decided("c", "b") == SAME and d.decided("a", "x") == DIFFERENT and d.decided("a", "y") is None


# --------------------------------------------------------------------------- applying "same"


def test_merged_entity_keeps_every_id_and_name_as_aliases_and_fills_what_it_lacks():
    P = ENTITY_MODELS["Place"]
    kept = P(id="al-bukamal", type="Place", name="Al-Bukamal", aliases=["Abu Kamal"], kind="city")
    other = P(id="bou-kamal", type="Place", name="Bou Kamal", aliases=["Abu Kamal", "البوكمال"], description="x")
    m = merged_entity(kept, [other])
    assert m.id == "al-bukamal" and m.name == "Al-Bukamal" and m.kind == "city"
    assert m.aliases == ["Abu Kamal", "Bou Kamal", "البوكمال", "bou-kamal"]
    assert m.description == "x"


def test_loading_merges_same_entities_with_their_relations_and_evidence(tmp_path):
    before = load_facts([dataset(tmp_path)])
    facts = load_facts([dataset(tmp_path, SAME_DECISION)])
    assert "bou-kamal" not in facts.entities and facts.merged == {"bou-kamal": "al-bukamal"}
    assert len(facts.entities) == len(before.entities) - 1
    place = facts.entities["al-bukamal"]
    assert "Bou Kamal" in place.aliases and "bou-kamal" in place.aliases
    assert [e.quote for e in place.evidence] == ["the border town of Bou Kamal"]
    assert place.description == "Border town."
    # Two statements of LOCATED_IN meet on one edge, with both pieces of evidence.
    edge = facts.edges["al-bukamal", "LOCATED_IN", "deir-ez-zor"]
    assert sorted(e.quote for e in edge.evidence) == ["Al-Bukamal in Deir ez-Zor", "Bou Kamal, Deir ez-Zor"]
    assert ("bou-kamal", "LOCATED_IN", "deir-ez-zor") not in facts.edges
    # Relations into it move, and so do references to it in evidence.
    (ev,) = facts.edges["brigade", "OPERATES_IN", "al-bukamal"].evidence
    assert ev.according_to == "al-bukamal"
    assert [d.decision for d in facts.resolutions] == [SAME]
    G = build_graph(facts)
    assert "bou-kamal" not in G and "bou-kamal" in G.nodes["al-bukamal"]["aliases"]


def test_applying_leaves_the_facts_given_untouched(tmp_path):
    facts = load_facts([dataset(tmp_path)])
    edges = {k: (list(e.evidence), dict(e.attributes)) for k, e in facts.edges.items()}
    merged, clashes = apply_same(facts, [decision(SAME, ["al-bukamal", "bou-kamal"])])
    assert clashes == [] and merged is not facts
    assert "bou-kamal" in facts.entities
    assert {k: (list(e.evidence), dict(e.attributes)) for k, e in facts.edges.items()} == edges


def test_without_decisions_the_facts_are_the_same_object():
    facts = Facts()
    assert apply_same(facts, [decision(DIFFERENT, ["a", "b"])]) == (facts, [])


# --------------------------------------------------------------------------- the loader's checks


def test_unknown_ids_are_named_with_the_closest_id(tmp_path):
    folder = dataset(
        tmp_path,
        """\
        resolutions:
          - same: [al-bukamal, bou-kamall]
            by: jdoe
            on: 2026-11-30
            why: typo
        """,
    )
    checked = check_files([folder])
    assert [str(p) for p in checked.problems] == [
        f"{checked.problems[0].file}:2: same: unknown entity 'bou-kamall' (did you mean 'bou-kamal'?)"
    ]
    assert checked.problems[0].file.endswith("resolutions.yaml")


def test_every_problem_of_the_decisions_in_one_run(tmp_path):
    folder = dataset(
        tmp_path,
        """\
        resolutions:
          - same: [al-bukamal, bou-kamal]
            by: jdoe
            on: 2026-11-30
            why: romanisations
          - different: [bou-kamal, al-bukamal]
            by: jdoe
            on: 2026-11-30
            why: changed my mind
          - same: [brigade, spokesman]
            by: jdoe
            on: 2026-11-30
            why: wrong
          - same: [deir-ez-zor, al-bukamal]
            by: jdoe
            on: 2026-11-30
            why: a chain
          - same: [brigade, other-brigade]
            by: jdoe
            on: 2026
            why: fine
            who: me
        """,
    )
    problems = {(p.line, p.message) for p in check_files([folder]).problems}
    assert {line for line, _ in problems} == {6, 10, 14, 22}
    messages = dict(problems)
    first = _label(folder / "resolutions.yaml")
    assert messages[6] == f"different: 'al-bukamal' and 'bou-kamal' are decided the same at {first}:2"
    assert messages[10] == (
        "same: 'spokesman' (Person) and 'brigade' (ArmedGroup) differ in type; only entities of one type merge "
        "(correct the type first)"
    )
    assert "a chain: 'al-bukamal' is kept at" in messages[14]
    assert messages[22] == "unknown field 'who' (did you mean 'why'?)"


def _label(path: Path) -> str:
    from loaders.discovery import label

    return label(path)


def test_a_merge_that_makes_one_relation_disagree_is_a_problem(tmp_path):
    folder = dataset(
        tmp_path,
        SAME_DECISION,
        **{
            "more.yaml": """\
            relations:
              - type: OCCUPIES
                from: brigade
                to: al-bukamal
                use: base
                credibility: 2
                evidence:
                  - {source: wire, quote: "a base in Al-Bukamal"}
              - type: OCCUPIES
                from: brigade
                to: bou-kamal
                use: headquarters
                credibility: 2
                evidence:
                  - {source: wire, quote: "headquarters in Bou Kamal"}
            """
        },
    )
    (p,) = check_files([folder]).problems
    assert p.file.endswith("resolutions.yaml") and p.line == 2
    assert p.message.startswith("merging 'bou-kamal' into 'al-bukamal': OCCUPIES brigade -> al-bukamal: use is")


def test_resolutions_are_a_section_of_yaml_files_only(tmp_path):
    (tmp_path / "x.resolutions.csv").write_text("same,by,on,why\n", encoding="utf-8")
    (p,) = check_files([tmp_path / "x.resolutions.csv"]).problems
    assert "cannot tell what this file holds" in p.message


def test_a_resolutions_section_may_sit_in_any_fact_file(tmp_path):
    folder = dataset(tmp_path)
    text = (folder / "entities.yaml").read_text(encoding="utf-8") + SAME_DECISION
    (folder / "entities.yaml").write_text(text, encoding="utf-8")
    assert load_facts([folder]).merged == {"bou-kamal": "al-bukamal"}
