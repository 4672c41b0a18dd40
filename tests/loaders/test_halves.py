"""loaders.halves: a big relations file checked in two halves at once gives what reading it whole gives."""

from __future__ import annotations

import json
import os
import sys

import pytest

import loaders.halves as halves
import loaders.validate as validate
from loaders import check_files
from tests.paths import ROOT

sys.path.insert(0, str(ROOT / "bench"))
from generate import generate  # noqa: E402


@pytest.fixture()
def data(tmp_path, monkeypatch):
    """A generated dataset whose relations file counts as big (every file does here)."""
    monkeypatch.setattr(halves, "SPLIT_BYTES", 1)
    generate(300, 3000, tmp_path / "d", seed=3)
    return tmp_path / "d"


def both(path, monkeypatch):
    """check_files in halves, then reading every file whole."""
    split = check_files([path])
    with monkeypatch.context() as m:
        m.setattr(validate, "worth_splitting", lambda _stream: False)
        whole = check_files([path])
    return split, whole


def same(split, whole) -> None:
    assert list(split.facts.edges.items()) == list(whole.facts.edges.items())
    assert split.problems == whole.problems
    assert split.warnings == whole.warnings


def relations(path):
    return path / "bench.relations.jsonl"


def test_valid_file_gives_the_same_facts(data, monkeypatch):
    stream = validate.JsonlFile(relations(data), "bench.relations.jsonl", "relations")
    assert halves.worth_splitting(stream) and halves.split_point(relations(data)) is not None
    split, whole = both(data, monkeypatch)
    assert not whole.problems and len(whole.facts.edges) > 2000
    same(split, whole)


def test_problems_and_merges_across_the_halves_are_those_of_one_read(data, monkeypatch):
    lines = relations(data).read_text(encoding="utf-8").splitlines()
    half = len(lines) // 2
    first = json.loads(next(line for line in lines[:half] if '"title"' in line))
    plain = lines[3]
    late = [
        json.dumps({**first, "title": "chief"}),  # the same edge, another title: a conflict with the first half
        plain,  # the same statement again: one edge
        json.dumps({**json.loads(plain), "evidence": [{"source": "src-0001", "quote": "said again"}]}),  # more evidence
        json.dumps({**json.loads(plain), "to": "nobody-at-all"}),  # an unknown entity, with a suggestion
        '{"type": "LEADS", "from": ',  # not JSON
        json.dumps({**first, "type": "LEEDS"}),  # an unknown type
    ]
    early = [json.dumps({**json.loads(plain), "from": "nobody-else"}), json.dumps({**first, "title": "deputy"})]
    lines = lines[:10] + early + lines[10 : half + 50] + late + lines[half + 50 :] + [late[0]]
    relations(data).write_text("\n".join(lines) + "\n", encoding="utf-8")
    split, whole = both(data, monkeypatch)
    told = "\n".join(f"{p.line} {p.message}" for p in whole.problems)
    assert len(whole.problems) == 7 and told.count("where first stated") == 3, told
    same(split, whole)


@pytest.mark.parametrize("where", ["first half", "second half"])
def test_binary_data_ends_the_file_where_it_is(data, monkeypatch, where):
    raw = relations(data).read_bytes().splitlines(keepends=True)
    at = len(raw) // 4 if where == "first half" else 3 * len(raw) // 4
    raw[at] = raw[at][:5] + b"\x00" + raw[at][5:]
    raw[at + 3] = b'{"broken": \n'  # after the NUL: never read
    relations(data).write_bytes(b"".join(raw))
    split, whole = both(data, monkeypatch)
    assert [p.message.split(":")[0] for p in whole.problems] == ["binary data, not text"]
    same(split, whole)


def test_a_child_that_dies_leaves_its_half_to_this_process(data, monkeypatch):
    lines = relations(data).read_text(encoding="utf-8").splitlines()
    lines[-5] = lines[-5].replace('"from":"', '"from":"x-')
    relations(data).write_text("\n".join(lines) + "\n", encoding="utf-8")
    monkeypatch.setattr(halves, "_second_half", lambda *args: os._exit(3))
    split, whole = both(data, monkeypatch)
    assert len(whole.problems) == 1
    same(split, whole)
