"""`kg dedupe`: candidate duplicates as a table or JSON; decisions in resolutions.yaml; bad decisions."""

from __future__ import annotations

import json
import shutil

import pytest
from typer.testing import CliRunner

from kg.cli import app
from tests.paths import DATA

runner = CliRunner()

PLANTED = """\
entities:
  - id: abou-kamal
    type: Place
    name: Abou Kamal
"""


@pytest.fixture
def seed(tmp_path):
    folder = tmp_path / "data"
    shutil.copytree(DATA, folder)
    (folder / "entities" / "planted.yaml").write_text(PLANTED, encoding="utf-8")
    return folder


def test_the_planted_duplicate_is_the_first_row(seed):
    r = runner.invoke(app, ["dedupe", str(seed), "--format", "json"])
    assert r.exit_code == 0, r.output
    body = json.loads(r.stdout)
    first = body["pairs"][0]
    assert {first["a"]["id"], first["b"]["id"]} == {"al-bukamal", "abou-kamal"}
    assert first["reasons"] and body["stats"]["entities"] > 90
    table = runner.invoke(app, ["dedupe", str(seed)])
    assert table.exit_code == 0
    rows = [line for line in table.stdout.splitlines() if "(abou-kamal)" in line]
    assert rows and "Al-Bukamal (al-bukamal)" in rows[0]
    assert "candidate pair(s) scoring at least 50" in table.stderr


def test_against_a_dataset_proposes_new_against_known(tmp_path):
    new = tmp_path / "new.yaml"
    new.write_text(PLANTED, encoding="utf-8")
    r = runner.invoke(app, ["dedupe", str(new), "--against", str(DATA), "-f", "json"])
    assert r.exit_code == 0, r.output
    pairs = json.loads(r.stdout)["pairs"]
    assert pairs and all(p["a"]["dataset"] == "new" and p["a"]["id"] == "abou-kamal" for p in pairs)
    assert pairs[0]["b"]["id"] == "al-bukamal"


def test_a_different_decision_is_never_proposed_again(seed):
    (seed / "resolutions.yaml").write_text(
        "resolutions:\n  - different: [abou-kamal, al-bukamal]\n    by: jdoe\n    on: 2026-11-30\n"
        "    why: another town of that name\n",
        encoding="utf-8",
    )
    r = runner.invoke(app, ["dedupe", str(seed), "-f", "json", "--min-score", "0", "--limit", "0"])
    assert r.exit_code == 0, r.output
    body = json.loads(r.stdout)
    assert not [p for p in body["pairs"] if {p["a"]["id"], p["b"]["id"]} == {"al-bukamal", "abou-kamal"}]
    assert body["stats"]["decided"] == 1


def test_bad_decisions_are_problems_with_file_and_line(seed):
    (seed / "resolutions.yaml").write_text(
        "resolutions:\n"
        "  - same: [al-bukamal, abou-kamal]\n    by: jdoe\n    on: 2026-11-30\n    why: a\n"
        "  - different: [abou-kamal, al-bukamal]\n    by: jdoe\n    on: 2026-11-30\n    why: b\n"
        "  - same: [al-bukamal, al-bukamall]\n    by: jdoe\n    on: 2026-11-30\n    why: c\n",
        encoding="utf-8",
    )
    for command in (["validate", str(seed)], ["dedupe", str(seed)]):
        r = runner.invoke(app, command)
        assert r.exit_code == 1
        assert "resolutions.yaml:6: different: 'abou-kamal' and 'al-bukamal' are decided the same at" in r.stdout
        assert "resolutions.yaml:10: same: unknown entity 'al-bukamall' (did you mean 'al-bukamal'?)" in r.stdout
        assert "Traceback" not in r.output


def test_usage_errors_exit_2(tmp_path):
    assert runner.invoke(app, ["dedupe", str(DATA), "--min-score", "101"]).exit_code == 2
    assert runner.invoke(app, ["dedupe", str(tmp_path / "missing")]).exit_code == 2
