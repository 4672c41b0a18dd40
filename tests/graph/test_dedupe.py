"""graph/dedupe.py: candidate duplicates, blocked and scored with reasons; decided pairs never come back."""

from __future__ import annotations

import shutil
import textwrap

import pytest

from graph.dedupe import (
    BLOCK_CAPS,
    Stats,
    compatible,
    find_duplicates,
    naive_pairs,
    word_gap,
)
from graph.facts import Facts
from graph.models import ENTITY_MODELS
from loaders import load_facts
from tests.paths import DATA

PLANTED = """\
entities:
  - id: abou-kamal
    type: Place
    name: Abou Kamal
    description: Border town on the Euphrates.
"""


def facts_of(*records: dict, edges=()) -> Facts:
    ents = [ENTITY_MODELS[r["type"]](**r) for r in records]
    return Facts(entities={e.id: e for e in ents}, edges={k: None for k in edges})  # type: ignore[misc]


def pairs(found) -> list[tuple[str, str]]:
    return [(p.a.id, p.b.id) for p in found]


@pytest.fixture
def seed(tmp_path):
    """A copy of the seed data with a planted duplicate of Al-Bukamal under another romanisation."""
    folder = tmp_path / "data"
    shutil.copytree(DATA, folder)
    (folder / "entities" / "planted.yaml").write_text(PLANTED, encoding="utf-8")
    return folder


def test_the_planted_duplicate_in_the_seed_data_comes_first(seed):
    found = find_duplicates(load_facts([seed]))
    assert found and {found[0].a.id, found[0].b.id} == {"al-bukamal", "abou-kamal"}
    assert found[0].score >= 70
    assert found[0].reasons[0].kind in ("same name", "folded alike", "sound alike")


def test_decided_pairs_never_come_back(seed):
    decide = textwrap.dedent(
        """\
        resolutions:
          - {kind}: [al-bukamal, abou-kamal]
            by: jdoe
            on: 2026-11-30
            why: checked on the map
        """
    )
    (seed / "resolutions.yaml").write_text(decide.format(kind="different"), encoding="utf-8")
    stats = Stats()
    found = find_duplicates(load_facts([seed]), stats=stats)
    assert ("abou-kamal", "al-bukamal") not in {tuple(sorted(p)) for p in pairs(found)}
    assert stats.decided == 1
    (seed / "resolutions.yaml").write_text(decide.format(kind="same"), encoding="utf-8")
    facts = load_facts([seed])
    assert "abou-kamal" not in facts.entities
    assert all("abou-kamal" not in p for p in pairs(find_duplicates(facts, min_score=0)))


def test_spellings_in_both_scripts_meet():
    facts = facts_of(
        {"id": "al-bukamal", "type": "Place", "name": "Al-Bukamal"},
        {"id": "bukamal-ar", "type": "Place", "name": "البوكمال"},
    )
    (p,) = find_duplicates(facts)
    assert p.reasons[0].kind == "same consonants" and "(bkml)" in p.reasons[0].text


def test_a_different_ending_is_found_by_fuzzy_similarity():
    facts = facts_of(
        {"id": "icc", "type": "Site", "name": "Iranian Cultural Center"},
        {"id": "icc2", "type": "Site", "name": "Iranian cultural centres"},
    )
    (p,) = find_duplicates(facts)
    assert p.reasons[0].kind == "similar names" and p.score >= 70


def test_names_that_differ_by_a_word_are_held_back():
    facts = facts_of(
        {"id": "northern-syria", "type": "Place", "name": "Northern Syria"},
        {"id": "southern-syria", "type": "Place", "name": "Southern Syria"},
    )
    assert find_duplicates(facts) == []
    (p,) = find_duplicates(facts, min_score=0)
    assert [r.kind for r in p.reasons] == ["similar names", "other words"]
    assert word_gap("nurthirn syria", "suthirn syria") == ("nurthirn", "suthirn")


def test_context_adds_and_takes_points():
    near = facts_of(
        {"id": "a", "type": "Site", "name": "Badr Hospital", "lat": 34.45, "lon": 40.91, "geo_precision": "site"},
        {"id": "b", "type": "Site", "name": "Badr hospital", "lat": 34.451, "lon": 40.911, "geo_precision": "site"},
    )
    far = facts_of(
        {"id": "a", "type": "Site", "name": "Badr Hospital", "lat": 34.45, "lon": 40.91, "geo_precision": "site"},
        {"id": "b", "type": "Site", "name": "Badr hospital", "lat": 36.2, "lon": 37.1, "geo_precision": "site"},
    )
    (n,) = find_duplicates(near, min_score=0)
    (f,) = find_duplicates(far, min_score=0)
    assert n.score == 90 and [r.kind for r in n.reasons] == ["same name", "same coordinates"]
    assert f.score == 55 and "far apart" in [r.kind for r in f.reasons]


def test_only_compatible_types_are_paired():
    assert compatible("Site", "Place") and compatible("ArmedGroup", "Government")
    assert not compatible("Person", "Place") and not compatible("Event", "Site")
    facts = facts_of(
        {"id": "palmyra", "type": "Place", "name": "Palmyra"},
        {"id": "palmyra-op", "type": "Campaign", "name": "Palmyra"},
        {"id": "palmyra-site", "type": "Site", "name": "Palmyra"},
    )
    (p,) = find_duplicates(facts)
    assert pairs([p]) == [("palmyra", "palmyra-site")] and "types differ" in p.because()


def test_short_names_say_little():
    facts = facts_of(
        {"id": "isis", "type": "ArmedGroup", "name": "IS"},
        {"id": "us", "type": "Government", "name": "US"},
    )
    assert find_duplicates(facts) == []


def test_between_datasets_only_new_against_known():
    facts = facts_of(
        {"id": "al-bukamal", "type": "Place", "name": "Al-Bukamal"},
        {"id": "albukamal-2", "type": "Place", "name": "Al Bukamal"},
        {"id": "bou-kamal", "type": "Place", "name": "Al-Boukamal"},
    )
    found = find_duplicates(facts, new={"bou-kamal"})
    assert sorted(pairs(found)) == [("bou-kamal", "al-bukamal"), ("bou-kamal", "albukamal-2")]
    assert {p.a.dataset for p in found} == {"new"} and {p.b.dataset for p in found} == {"known"}


def test_blocks_too_common_are_skipped_and_counted():
    n = BLOCK_CAPS["n"] + 1
    facts = facts_of(*({"id": f"p{i}", "type": "Person", "name": "Ahmad"} for i in range(n)))
    stats = Stats()
    assert find_duplicates(facts, stats=stats) == []
    assert stats.skipped_blocks >= 1 and stats.compared == 0


def test_blocking_finds_what_comparing_every_pair_finds_on_the_seed_data(seed):
    facts = load_facts([seed])
    assert pairs(find_duplicates(facts)) == pairs(naive_pairs(facts))
    assert pairs(find_duplicates(facts, min_score=30)) == pairs(naive_pairs(facts, min_score=30))


def test_reasons_are_data():
    facts = facts_of(
        {"id": "a", "type": "Place", "name": "Abou Kamal"},
        {"id": "b", "type": "Place", "name": "Abu Kamal"},
    )
    (p,) = find_duplicates(facts)
    d = p.as_dict()
    assert d["a"] == {"id": "a", "name": "Abou Kamal", "type": "Place"}
    assert d["reasons"][0] == {
        "kind": "folded alike",
        "text": "folded alike: 'Abou Kamal' ~ 'Abu Kamal'",
        "points": 76,
        "matched": ["Abou Kamal", "Abu Kamal"],
    }


def test_names_with_nothing_to_match_long_names_and_mixed_scripts():
    facts = facts_of(
        {"id": "dots", "type": "Place", "name": "’…!?"},
        {"id": "marks", "type": "Place", "name": "\u064e\u064f"},  # Arabic diacritics only
        {"id": "long", "type": "Place", "name": "Kamal " * 166},
        {"id": "long2", "type": "Place", "name": "Kamal " * 165 + "Kamil"},
        {"id": "mixed", "type": "Place", "name": "Al-Bukamal البوكمال"},
        {"id": "al-bukamal", "type": "Place", "name": "Al-Bukamal"},
    )
    found = pairs(find_duplicates(facts, min_score=0))
    assert ("long", "long2") in found  # a mixed-script name is compared as any other, without failing
    assert not [p for p in found if "dots" in p or "marks" in p]
