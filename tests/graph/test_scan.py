"""graph/scan.py: mentions in any script with line and column, unknown names, sentence coverage, drafts."""

from __future__ import annotations

from pathlib import Path

import pytest

from graph.names import NameIndex
from graph.scan import (
    MentionFinder,
    coverage,
    draft_yaml,
    line_starts,
    position,
    scan,
    sentences,
    slug,
    unknown_names,
)
from loaders import check_files, load_facts, normalize_text
from tests.paths import DATA, SEEDS

LEVANT = SEEDS / "001_d6830effbbd6e08f.txt"

FINDER = MentionFinder(
    [
        ("al-bukamal", "Al-Bukamal"),
        ("al-bukamal", "البوكمال"),
        ("lebanese-hezbollah", "Lebanese Hezbollah"),
        ("lebanese-hezbollah", "Hezbollah"),
        ("kataib-hezbollah", "Kata'ib Hezbollah"),
        ("isis", "IS"),
        ("fog-47", "فوج 47"),
        ("deir-ez-zor", "Deir ez-Zor"),
    ]
)


def found(text: str) -> list[tuple[int, int, str, tuple[str, ...]]]:
    return [(m.line, m.column, m.text, m.ids) for m in FINDER.find(text)]


def test_mentions_have_line_and_column_in_any_script():
    text = "Report.\nIn AL-BUKAMAL and   البُوكمال,\nعناصر فوج 47 في البوكمال"
    assert found(text) == [
        (2, 4, "AL-BUKAMAL", ("al-bukamal",)),
        (2, 21, "البُوكمال", ("al-bukamal",)),
        (3, 7, "فوج 47", ("fog-47",)),
        (3, 17, "البوكمال", ("al-bukamal",)),
    ]


def test_the_longest_name_wins_and_words_must_be_whole():
    assert found("Kata'ib Hezbollah, not Lebanese Hezbollah; Hezbollahs; Deir ez-Zorian") == [
        (1, 1, "Kata'ib Hezbollah", ("kataib-hezbollah",)),
        (1, 24, "Lebanese Hezbollah", ("lebanese-hezbollah",)),
    ]


def test_acronyms_match_in_capitals_only():
    assert found("IS fighters, as it is said") == [(1, 1, "IS", ("isis",))]


def test_an_arabic_conjunction_written_onto_a_name():
    assert found("والبوكمال وبالبوكمال") == [(1, 2, "البوكمال", ("al-bukamal",))]


def test_a_spelling_shared_by_two_entities_names_both():
    finder = MentionFinder([("a", "Hawks"), ("b", "Hawks")])
    assert [m.ids for m in finder.find("the Hawks")] == [("a", "b")]


def test_positions_count_characters_from_one():
    starts = line_starts("ab\r\ncd\nef")
    assert [position(starts, i) for i in (0, 4, 7)] == [(1, 1), (2, 1), (3, 1)]


def test_unknown_names_look_like_actors_sites_or_places():
    text = (
        "Fighters of the Hawks Brigade moved to Tall Abyad on Monday. "
        "They set up a base at the Jihad al-Bana Compound, near Al-Bukamal. "
        "The Hawks Brigade denied it. Despite this, nothing changed."
    )
    unknown = unknown_names(text, FINDER.find(text))
    assert [(u.text, u.kind, u.count) for u in unknown] == [
        ("Hawks Brigade", "actor", 2),
        ("Tall Abyad", "place", 1),
        ("Jihad al-Bana Compound", "site", 1),
    ]


def test_unknown_names_are_matched_against_the_graph():
    index = NameIndex([("al-bukamal", "Al-Bukamal", "Place"), ("al-bukamal", "Abu Kamal", "Place")])
    result = scan("Militias moved into Abou Kamal overnight.", FINDER, index=index)
    (u,) = result.unknown
    assert u.text == "Abou Kamal" and [c.id for c in u.maybe] == ["al-bukamal"]


def test_sentences_skip_headings_and_keep_positions():
    text = "Logo\nTuesday, 24 December\nMilitias left the town. They came back later on!\n• A list item of words"
    got = [(s.line, s.column, s.text) for s in sentences(text)]
    assert got == [
        (3, 1, "Militias left the town."),
        (3, 25, "They came back later on!"),
        (4, 1, "• A list item of words"),
    ]


def test_coverage_counts_sentences_a_quote_falls_in():
    found_ = sentences("Militias left the town. They came back later on. Nobody saw them again.")
    assert coverage(found_, ["came back", "absent words"], normalize=normalize_text) == 1
    assert [s.covered for s in found_] == [False, True, False]
    # A quote across two sentences covers both.
    assert coverage(found_, ["later on. Nobody"], normalize=normalize_text) == 2


def test_the_levant_report_against_the_seed_data():
    facts = load_facts([DATA])
    (sid,) = [sid for sid, s in facts.sources.items() if s.document == LEVANT.name]
    quotes = [ev.quote for e in facts.edges.values() for ev in e.evidence if ev.source == sid]
    result = scan(
        LEVANT.read_text(encoding="utf-8"),
        MentionFinder.of_entities(facts.entities),
        quotes=quotes,
        normalize=normalize_text,
    )
    ids = {i for m in result.mentions for i in m.ids}
    assert {"al-bukamal", "deir-ez-zor", "sohr"} <= ids
    arabic = [m for m in result.mentions if "البوكمال" in m.text]
    assert arabic and arabic[0].line == 8
    assert 0 < result.covered < len(result.sentences)  # type: ignore[operator]
    assert 0 < result.percent < 100  # type: ignore[operator]


def test_slug():
    assert slug("Jihad al-Bana Compound") == "jihad-al-bana-compound" and slug("؟") == "entity"


@pytest.fixture
def draft(tmp_path) -> Path:
    text = (
        "Fighters of the Hawks Brigade moved into Al-Bukamal last week, local sources said.\n"
        'The "Hawks Brigade": a new group near Deir ez-Zor, residents said.\n'
    )
    result = scan(text, FINDER, index=NameIndex([("al-bukamal", "Al-Bukamal", "Place")]))
    path = tmp_path / "draft.yaml"
    path.write_text(
        draft_yaml(result, report="new.txt", source_id="new-report", new_source=True, when="2026-11-30"),
        encoding="utf-8",
    )
    return path


def test_a_draft_is_refused_until_every_record_is_reviewed(draft):
    problems = check_files([draft], context=[DATA]).problems
    review = [p for p in problems if p.message.startswith("drafted record to review")]
    assert len(review) == 2  # the source and the entity (the relation stubs' type comes first)
    assert any("unknown relation type 'RELATION_TYPE'" in p.message for p in problems)
    text = draft.read_text(encoding="utf-8")
    assert 'quote: "Fighters of the Hawks Brigade moved into Al-Bukamal last week, local sources said."' in text
    assert 'from: "hawks-brigade"' in text and 'to: "al-bukamal"' in text


def test_report_text_in_a_draft_stays_text(tmp_path):
    text = 'The Hawks Brigade: {a: [1]} & *x "quoted" #not-a-comment moved to Deir ez-Zor today.'
    result = scan(text, FINDER)
    out = draft_yaml(result, report="r.txt", source_id="r", new_source=False, when="2026-11-30")
    import yaml

    doc = yaml.safe_load(out)
    assert doc["relations"][0]["evidence"][0]["quote"] == text


def test_spellings_with_nothing_to_match_are_left_out():
    finder = MentionFinder([("dots", "’…!?"), ("marks", "\u064e\u064f"), ("long", "word " * 20)])
    assert len(finder) == 0 and finder.find("’…!? " + "word " * 20) == []
    assert scan("", finder).sentences == [] and scan("", finder, quotes=[]).percent == 100.0


def test_an_index_made_for_one_text_finds_what_the_whole_index_finds():
    facts = load_facts([DATA])
    text = LEVANT.read_text(encoding="utf-8")
    whole = MentionFinder.of_entities(facts.entities)
    small = MentionFinder.of_entities(facts.entities, text=text)
    assert len(small) < len(whole)
    assert small.find(text) == whole.find(text)
    assert found("وبالبوكمال") == [] and MentionFinder([("a", "البوكمال")], text="والبوكمال").find("والبوكمال")
