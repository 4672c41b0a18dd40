"""loaders.versions: two versions validated side by side (forked processes) give the same diff as in one process
(where the lines they share are checked once: tests/test_diff_shared.py)."""

from __future__ import annotations

import json
import shutil

import pytest
from typer.testing import CliRunner

from graph.diff import diff_facts
from kg.cli import app
from loaders import load_facts
from loaders import versions as versions_module
from loaders.versions import ReadFailed, diff_paths
from tests.paths import FLORENTINE
from tests.test_diff import change_new_version


@pytest.fixture()
def two(tmp_path):
    old, new = tmp_path / "old", tmp_path / "new"
    shutil.copytree(FLORENTINE, old)
    shutil.copytree(FLORENTINE, new)
    change_new_version(new)
    return old, new


def _keys(changes):
    return [(c.kind, c.id, c.change, sorted(c.fields)) for c in changes]


def test_parallel_equals_one_process_equals_diff_facts(two):
    old, new = two
    expected = _keys(diff_facts(load_facts([old]), load_facts([new])))
    told: list[int] = []
    changes, a, b = diff_paths(old, new, parallel=True, progress=told.append)
    assert _keys(changes) == expected and len(expected) == 5
    assert (a.files, b.files, a.problems, b.problems) == (3, 3, [], [])
    assert sum(told) == sum(f.stat().st_size for p in (old, new) for f in p.iterdir())
    changes, *_ = diff_paths(old, new, parallel=False)
    assert _keys(changes) == expected
    assert diff_paths(old, old, parallel=True)[0] == []


def test_problems_of_both_versions_are_told_and_nothing_is_compared(tmp_path):
    sides = []
    for name in ("old", "new"):
        shutil.copytree(FLORENTINE, tmp_path / name)
        (tmp_path / name / "extra.yaml").write_text(
            "relations:\n  - type: LEADZ\n    from: abu-test\n    to: brigade-9\n", encoding="utf-8"
        )
        sides.append(tmp_path / name)
    changes, a, b = diff_paths(*sides, parallel=True)
    assert changes is None
    assert [p.file for p in a.problems] == [str(sides[0] / "extra.yaml")]
    assert [p.file for p in b.problems] == [str(sides[1] / "extra.yaml")]


def test_a_reader_that_fails_is_one_error(two, monkeypatch):
    def broken(*args, **kwargs):
        raise MemoryError("no room")

    monkeypatch.setattr(versions_module, "check_files", broken)  # forked children inherit the patch
    with pytest.raises(ReadFailed, match=r"reading .*old failed: MemoryError: no room"):
        diff_paths(*two, parallel=True)


def test_kg_diff_reads_the_versions_in_one_process_sharing_their_lines(two, monkeypatch):
    runner = CliRunner()
    calls = []
    real = versions_module._shared
    monkeypatch.setattr(versions_module, "_shared", lambda *a: calls.append(a) or real(*a))
    shared = runner.invoke(app, ["diff", *map(str, two), "--format", "json"])
    assert calls and shared.exit_code == 0
    changes, *_ = diff_paths(*two, parallel=True)
    assert json.loads(shared.stdout)["changes"] == [c.as_dict() for c in changes]
