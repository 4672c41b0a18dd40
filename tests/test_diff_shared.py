"""loaders.versions: the later version reuses the relation lines it shares with the earlier one, and every check
still answers as a full read of each version would (references against its own entities and sources, edges stated
twice, FILE:LINE of its own files), with the same diff."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from graph.diff import diff_facts
from loaders import check_files
from loaders import versions as versions_module
from loaders.versions import diff_paths

SOURCES = [
    {"id": "src-a", "title": "A report", "publisher": "Wire A", "published": "2020-05", "reliability": "B"},
    {"id": "src-b", "title": "B report", "publisher": "Wire B", "published": "2021-02", "reliability": "C"},
]
ENTITIES = [
    {"id": "p-1", "type": "Person", "name": "One"},
    {"id": "p-2", "type": "Person", "name": "Two"},
    {"id": "p-3", "type": "Person", "name": "Three"},
    {"id": "g-1", "type": "ArmedGroup", "name": "Group One"},
    {"id": "g-2", "type": "ArmedGroup", "name": "Group Two"},
]


def _rel(frm: str, to: str, source: str = "src-a", credibility: int = 3, **extra) -> dict:
    return {
        "type": "LEADS",
        "from": frm,
        "to": to,
        "credibility": credibility,
        "evidence": [{"source": source, "quote": f"{frm} leads {to}"}],
        **extra,
    }


# g-1 is now a Person (LEADS cannot end at it) and p-3 is gone.
RETYPED = [dict(ENTITIES[3], type="Person") if e["id"] == "g-1" else e for e in ENTITIES if e["id"] != "p-3"]
RELATIONS = [_rel("p-1", "g-1"), _rel("p-2", "g-1", "src-b"), _rel("p-3", "g-2"), _rel("p-1", "g-2", "src-b")]


def _write(folder: Path, sources=SOURCES, entities=ENTITIES, relations=RELATIONS) -> Path:
    folder.mkdir()
    for name, rows in (("sources", sources), ("entities", entities), ("relations", relations)):
        text = "".join(json.dumps(r) + "\n" for r in rows)
        (folder / f"d.{name}.jsonl").write_text(text, encoding="utf-8")
    return folder


def _as_full(old: Path, new: Path):
    """What reading each version in full gives: (changes as dicts or None, problems of old, problems of new)."""
    a, b = check_files([old]), check_files([new])
    changes = None if a.problems or b.problems else [c.as_dict() for c in diff_facts(a.facts, b.facts)]
    return changes, a.problems, b.problems


def _shared(old: Path, new: Path):
    changes, a, b = diff_paths(old, new)
    return (None if changes is None else [c.as_dict() for c in changes]), a.problems, b.problems


@pytest.fixture()
def reused(monkeypatch):
    """How many lines each later version took from the earlier one."""
    counts: list[int] = []
    real = versions_module._Reusing.__init__

    def init(self, *args, **kwargs):
        real(self, *args, **kwargs)
        counts.append(self)

    monkeypatch.setattr(versions_module._Reusing, "__init__", init)
    return counts


def test_shared_lines_are_reused_and_the_diff_is_the_full_one(tmp_path, reused):
    old = _write(tmp_path / "old")
    new = _write(tmp_path / "new", relations=[RELATIONS[0], _rel("p-2", "g-1", "src-b", 2), RELATIONS[2]])
    assert _shared(old, new) == _as_full(old, new)
    assert reused[-1].reused == 2
    changes = _shared(old, new)[0]
    assert [(c["id"], c["change"]) for c in changes] == [("p-1|LEADS|g-2", "removed"), ("p-2|LEADS|g-1", "changed")]


def test_a_shared_line_is_checked_against_the_later_entities_and_sources(tmp_path, reused):
    old = _write(tmp_path / "old")
    # g-1 is now a Person (LEADS cannot end at it) and p-3 is gone: the shared lines naming them fail, at the
    # later version's lines (moved down by one: a new line comes first).
    entities = RETYPED
    new = _write(tmp_path / "new", entities=entities, relations=[_rel("p-2", "g-2"), *RELATIONS])
    expected = _as_full(old, new)
    assert _shared(old, new) == expected
    assert [(Path(p.file).parent.name, p.line) for p in expected[2]] == [("new", 2), ("new", 3), ("new", 4)]
    assert reused[-1].reused == 1  # p-1 -> g-2 only


def test_a_changed_source_gives_the_later_observation_dates(tmp_path, reused):
    old = _write(tmp_path / "old")
    new = _write(tmp_path / "new", sources=[SOURCES[0], dict(SOURCES[1], published="2022-07")])
    changes = _shared(old, new)[0]
    assert changes == _as_full(old, new)[0]
    assert {c["id"] for c in changes} == {"src-b", "p-2|LEADS|g-1", "p-1|LEADS|g-2"}
    assert reused[-1].reused == 2  # the facts citing src-a


def test_an_edge_stated_again_is_merged_into_a_copy(tmp_path):
    old = _write(tmp_path / "old")
    again = _rel("p-1", "g-1", "src-b", valid_from="2019")
    new = _write(tmp_path / "new", relations=[*RELATIONS, again])
    before = check_files([old]).facts.edges[("p-1", "LEADS", "g-1")]
    kept = (list(before.evidence), before.valid_from)
    assert _shared(old, new) == _as_full(old, new)
    # The earlier version's edge is untouched by the merge (diffs of it stay right).
    past = versions_module._Recording(None)
    facts = check_files([old], checker=lambda _d: past).facts
    check_files([new], checker=lambda _d: versions_module._Reusing(_d, past))
    edge = facts.edges[("p-1", "LEADS", "g-1")]
    assert (list(edge.evidence), edge.valid_from) == kept


def test_a_conflict_with_a_shared_line_names_the_later_lines(tmp_path):
    old = _write(tmp_path / "old", relations=[_rel("p-1", "g-1", title="emir")])
    new = _write(
        tmp_path / "new", relations=[_rel("p-1", "g-1", title="emir"), _rel("p-1", "g-1", "src-b", title="head")]
    )
    changes, a, b = _shared(old, new)
    assert (changes, a) == (None, []) and b == _as_full(old, new)[2]
    assert [(p.line, "d.relations.jsonl:1" in p.message) for p in b] == [(2, True)]


def test_lines_merged_in_the_earlier_version_are_read_again(tmp_path, reused):
    twice = [RELATIONS[0], _rel("p-1", "g-1", "src-b"), *RELATIONS[1:]]
    old = _write(tmp_path / "old", relations=twice)
    new = _write(tmp_path / "new", relations=twice[:1] + twice[2:])
    assert _shared(old, new) == _as_full(old, new)
    assert reused[-1].reused == 3  # not the line of the edge the earlier version stated twice


# The versions of the tests above, as (old, new) keyword arguments of _write; each way of diffing answers alike.
CASES = {
    "a line changed, one removed": ({}, {"relations": [RELATIONS[0], _rel("p-2", "g-1", "src-b", 2), RELATIONS[2]]}),
    "entity retyped and gone (problems)": (
        {},
        {
            "entities": RETYPED,
            "relations": [_rel("p-2", "g-2"), *RELATIONS],
        },
    ),
    "a source changed": ({}, {"sources": [SOURCES[0], dict(SOURCES[1], published="2022-07")]}),
    "an edge stated again": ({}, {"relations": [*RELATIONS, _rel("p-1", "g-1", "src-b", valid_from="2019")]}),
    "the earlier version fails": ({"relations": [_rel("p-1", "nobody")]}, {}),
    "nothing changed": ({}, {}),
}


@pytest.mark.parametrize("case", CASES)
def test_each_way_gives_the_full_answer(tmp_path, case):
    before, after = CASES[case]
    old, new = _write(tmp_path / "old", **before), _write(tmp_path / "new", **after)
    expected = _as_full(old, new)
    for parallel in (False, True):
        changes, a, b = diff_paths(old, new, parallel=parallel)
        got = (None if changes is None else [c.as_dict() for c in changes]), a.problems, b.problems
        assert got == expected, f"parallel={parallel}"
