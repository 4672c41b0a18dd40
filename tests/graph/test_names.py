"""graph/names.py: the one key names are compared by."""

from __future__ import annotations

import pytest

from graph.names import name_key


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


def test_spelling_variants_stay_apart_they_need_aliases():
    assert name_key("Albukamal") != name_key("Abu Kamal")
    assert name_key("Brigade 9") != name_key("Brigade 19")


@pytest.mark.parametrize("text", ["", " ", "-", "’…!?"])
def test_nothing_to_compare_is_the_empty_key(text):
    assert name_key(text) == ""


@pytest.mark.parametrize("text", ["Fog’ 47", "Abū Tést", "البُوكمال", "Straße"])
def test_a_key_is_its_own_key(text):
    assert name_key(name_key(text)) == name_key(text)
