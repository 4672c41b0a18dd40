"""graph/names.py: the exact name key, the folded form, the cross-script skeleton and the matcher."""

from __future__ import annotations

import re

import networkx as nx
import pytest

from graph.build import build_graph
from graph.names import (
    AmbiguousName,
    BadName,
    NameIndex,
    UnknownName,
    fold,
    lucene_keys,
    match_keys,
    name_key,
    skeleton,
    stored_keys,
)
from loaders import load_facts
from tests import names_cases as T
from tests.paths import DATA

# --------------------------------------------------------------------------- name_key: the exact spelling


@pytest.mark.parametrize(
    "spellings,key",
    [
        (["Fog 47", "fog 47", "FOG-47", "Fog’ 47", "Fog.47", " fog_47 ", "ＦＯＧ４７"], "fog47"),  # fullwidth folds too
        (["Abu Tést", "abu test", "ABU-TEST", "Abū Test"], "abutest"),
        (["Deir ez-Zor", "Déir ez Zor", "DEIR EZ-ZOR"], "deirezzor"),
        (["Straße", "STRASSE", "strasse"], "strasse"),  # case folding, not just lower()
        (["البوكمال", "البُوكمال", "ال-بوكمال"], "البوكمال"),  # Arabic diacritics and punctuation dropped
    ],
)
def test_spellings_that_differ_only_in_case_accents_or_punctuation_share_a_key(spellings, key):
    assert {name_key(s) for s in spellings} == {key}


def test_spelling_variants_do_not_share_the_exact_key():
    assert name_key("Albukamal") != name_key("Abu Kamal")
    assert name_key("Brigade 9") != name_key("Brigade 19")


@pytest.mark.parametrize("text", ["", " ", "-", "’…!?"])
def test_nothing_to_compare_is_the_empty_key(text):
    assert name_key(text) == ""


@pytest.mark.parametrize("text", ["Fog’ 47", "Abū Tést", "البُوكمال", "Straße"])
def test_a_key_is_its_own_key(text):
    assert name_key(name_key(text)) == name_key(text)


# --------------------------------------------------------------------------- fold and the keys


@pytest.mark.parametrize(
    "spellings",
    [
        ["Abu Kamal", "Abou Kamal", "ABOU-KAMAL", "Abū Kamāl"],  # ou/u, accents, case, punctuation
        ["Al-Bukamal", "Boukamal", "al Bukamal", "El-Boukamal", "ul-Bukamal"],  # articles dropped
        ["Deir ez-Zor", "Deir al-Zor", "Dair ez Zour", "Deir el Zor"],  # ei/ai, sun-letter article
        ["Hezbollah", "Hizbollah", "Hezbolla", "Hizbullah"],  # e/i, o/u, doubled letters, final h
        ["Hasakah", "Hasakeh", "Hasaka", "Hassakah"],  # ta marbuta
        ["Qamishli", "Kamishli", "QAMISHLI"],  # k/q
        ["Husam Luqa", "Hossam Louka", "Hussam Louqa"],
        ["أبو عيسى", "ابو عيسي", "آبو عيسى", "ٱبو عيسى"],  # alef forms, alef maqsura
        ["الحسكة", "الحسكه", "حسكة"],  # ta marbuta, the Arabic article
        ["جامع الرحمن", "جـامع الرحمـن", "جامِع الرَّحمن"],  # tatweel, diacritics
        ["سؤال", "سوال"],  # hamza seats
        ["مسئول", "مسيول"],
    ],
)
def test_transliteration_variants_fold_alike(spellings):
    assert len({fold(s) for s in spellings}) == 1, {s: fold(s) for s in spellings}


def test_fold_keeps_words_and_numbers_apart():
    assert fold("  Fog’   47 ") == "fug 47"
    assert fold("Brigade 9") != fold("Brigade 19")
    assert fold("US-led coalition").startswith("us ")  # "us-" is no article: the next word is not an s-word
    assert fold("as-Suwayda") == fold("Suwayda")  # ...while a sun-letter article before its own letter is


@pytest.mark.parametrize(
    "latin,arabic",
    [
        ("Al-Bukamal", "البوكمال"),
        ("Abu Kamal", "البوكمال"),
        ("Hezbollah", "حزب الله"),
        ("Husam Luqa", "حسام لوقا"),
        ("Deir ez-Zor", "دير الزور"),
        ("Fog 47", "فوج 47"),
        ("Qamishli", "القامشلي"),
    ],
)
def test_the_skeleton_is_the_same_in_both_scripts(latin, arabic):
    assert skeleton(latin) == skeleton(arabic)


def test_match_keys_hold_the_layers():
    keys = match_keys("Al-Bukamal")
    assert {k[:2] for k in keys} == {"f:", "p:", "s:"}
    assert match_keys("Albukamal") & match_keys("البوكمال") == {"s:bkml"}  # the article written onto the word
    assert match_keys("") == match_keys("?!") == frozenset()


@pytest.mark.parametrize("text", ["Abou Kamal", "Kata'ib (Hezbollah) OR x:y*", "البوكمال AND", "a\\b/c~"])
def test_lucene_keys_hold_no_lucene_syntax(text):
    for key in lucene_keys(text).split(" OR "):
        assert re.fullmatch(r"\w+", key) and key not in ("AND", "OR", "NOT")
    assert set(lucene_keys(text).split(" OR ")) <= set(stored_keys(text))


# --------------------------------------------------------------------------- the table, in memory


@pytest.fixture(scope="module")
def index() -> NameIndex:
    return NameIndex.from_graph(build_graph(load_facts([DATA])))


@pytest.fixture(scope="module")
def curated() -> set[str]:
    G = build_graph(load_facts([DATA]))
    return {t for _, d in G.nodes(data=True) for t in (d["name"], *d.get("aliases", ()))}


def test_the_table_spellings_are_not_curated_aliases(curated):
    for spelling, _ in T.RESOLVES:
        assert spelling not in curated


@pytest.mark.parametrize("spelling,eid", T.RESOLVES)
def test_variants_resolve_to_their_entity(index, spelling, eid):
    found = index.resolve(spelling)
    assert found.id == eid, found.said(spelling)
    assert found.said(spelling).startswith(f"{spelling!r} -> {found.name!r} ({eid})")


@pytest.mark.parametrize("spelling,eid,also", T.ALSO)
def test_a_resolved_name_says_who_else_matches(index, spelling, eid, also):
    found = index.resolve(spelling, types={"ArmedGroup"})
    assert found.id == eid and also <= {c.id for c in found.also}
    assert "also matches" in found.said(spelling)


@pytest.mark.parametrize("spelling,ids", T.AMBIGUOUS)
def test_ambiguous_names_list_their_candidates(index, spelling, ids):
    with pytest.raises(AmbiguousName) as e:
        index.resolve(spelling)
    assert ids <= {c.id for c in e.value.candidates}
    assert str(e.value).endswith("give the id") and all(i in str(e.value) for i in ids)


@pytest.mark.parametrize("spelling,eid", T.SUGGESTS)
def test_unknown_names_suggest_the_close_ones(index, spelling, eid):
    with pytest.raises(UnknownName) as e:
        index.resolve(spelling)
    assert eid in {c.id for c in e.value.suggestions} and "did you mean" in str(e.value)


@pytest.mark.parametrize("text,message", T.BAD)
def test_nothing_to_match_is_a_clear_error(index, text, message):
    with pytest.raises(BadName, match=re.escape(message)):
        index.candidates(text)


def test_candidates_are_ranked_with_their_reason(index):
    found = index.candidates("Abou Kamal")
    assert found[0].id == "al-bukamal" and found[0].reason == "folded" and found[0].matched == "Abu Kamal"
    assert [c.score for c in found] == sorted((c.score for c in found), reverse=True)
    assert len({c.id for c in found}) == len(found)  # one candidate an entity
    assert index.candidates("البوكمال")[0].reason == "alias"
    assert index.candidates("ابو كمال")[0].reason == "skeleton"
    assert all(0 <= c.score <= 100 for c in index.candidates("Hezbolah", limit=30))


def test_types_narrow_the_candidates(index):
    assert {c.type for c in index.candidates("Bukamal", limit=20, types={"Site"})} == {"Site"}
    with pytest.raises(UnknownName):
        index.resolve("Hezbollah", types={"Place"})


def test_an_id_always_names_its_entity():
    ix = NameIndex([("a", "Zed", "Person"), ("b", "A", "Person")])  # b's name is a's id
    assert ix.resolve("a").id == "a"


def test_numbers_are_never_guessed():
    ix = NameIndex([("b9", "Brigade 9", "ArmedGroup"), ("b19", "Brigade 19", "ArmedGroup")])
    assert ix.resolve("Brigade 9").id == "b9" and ix.resolve("Brigade 19").id == "b19"
    for other in ("Brigade 91", "Brigade 99", "Brigade 1"):
        with pytest.raises(UnknownName, match="did you mean"):
            ix.resolve(other)


def test_an_empty_index_knows_nothing():
    with pytest.raises(UnknownName):
        NameIndex().resolve("Abu Kamal")


def test_from_graph_indexes_ids_names_and_aliases():
    G = nx.MultiDiGraph()
    G.add_node("al-bukamal", type="Place", name="Al-Bukamal", aliases=["Abu Kamal", "البوكمال"])
    ix = NameIndex.from_graph(G)
    assert len(ix) == 1 and "al-bukamal" in ix
    assert {ix.resolve(t).matched for t in ("al-bukamal", "abu kamal", "البوكمال")} == {
        "Al-Bukamal",
        "Abu Kamal",
        "البوكمال",
    }


def test_blocking_finds_what_comparing_every_name_finds():
    """The trigram block loses no close match that scoring every spelling finds (on a mixed sample)."""
    names = [f"{a} {b}" for a in ("Abu", "Umm", "Bani", "Liwa", "Saraya") for b in ("Kamal", "Hassan", "Zor", "Omar")]
    ix = NameIndex((f"e{i}", n, "ArmedGroup") for i, n in enumerate(names))
    for q in ("Abou Kamel", "Liwaa Omer", "Saraia Hasan", "Um Zour"):
        naive = {eid for eid, score in ix.naive(q, limit=3) if score >= 75}
        assert naive <= {c.id for c in ix.candidates(q, limit=10)}
