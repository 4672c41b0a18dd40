"""`kg scan`: a report read against the graph; drafts the validator refuses; reports that are not text."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from kg.cli import app
from tests.paths import DATA, SEEDS

runner = CliRunner()
LEVANT = SEEDS / "001_d6830effbbd6e08f.txt"
NEW = (
    "Fighters of the Hawks Brigade moved into Abou Kamal last week, local sources said.\n"
    "The Hawks Brigade set up a checkpoint near the Badr Hospital, according to residents.\n"
    "وقالت مصادر إن عناصر انتشروا في البوكمال.\n"
)


def test_a_seed_report_with_mentions_unknown_names_and_coverage():
    r = runner.invoke(app, ["scan", str(LEVANT), str(DATA), "--format", "json"])
    assert r.exit_code == 0, r.output
    body = json.loads(r.stdout)
    assert body["source"] == "levant-2024-12-24-albukamal-redeployment"  # found by its document
    at = {(m["line"], m["column"]): m["ids"] for m in body["mentions"]}
    assert at[(12, 115)] == ["al-bukamal"]
    assert 0 < body["coverage"]["percent"] < 100
    assert "is the document of source" in r.stderr and "sentence(s) quoted by" in r.stderr


def test_the_table_names_lines_columns_and_entities():
    r = runner.invoke(app, ["scan", str(LEVANT), str(DATA)])
    assert r.exit_code == 0, r.output
    assert "Al-Bukamal (al-bukamal)" in r.stdout and "sentence no fact quotes yet" in r.stdout


def test_a_new_report_drafted_and_refused_until_reviewed(tmp_path):
    report = tmp_path / "new-report.txt"
    report.write_text(NEW, encoding="utf-8")
    draft = tmp_path / "draft.yaml"
    r = runner.invoke(app, ["scan", str(report), str(DATA), "--source", "new-2025", "--draft", str(draft)])
    assert r.exit_code == 0, r.output
    assert "Abou Kamal" in r.stdout and "Al-Bukamal (al-bukamal" in r.stdout  # a variant of a known name
    assert "none quoted yet (new source new-2025)" in r.stderr
    text = draft.read_text(encoding="utf-8")
    assert 'id: "new-2025"' in text and 'name: "Hawks Brigade"' in text
    v = runner.invoke(app, ["validate", str(draft), "--with", str(DATA)])
    assert v.exit_code == 1
    assert "draft.yaml:6: drafted record to review" in v.stdout
    # A draft never replaces a file.
    again = runner.invoke(app, ["scan", str(report), str(DATA), "--draft", str(draft)])
    assert again.exit_code == 2 and "exists" in again.stderr


@pytest.mark.parametrize(
    "content,message",
    [
        (b"fine line\nbad \xff byte\n", "bad.txt:2: not UTF-8 text: invalid start byte at byte 15"),
        (b"abc\n\x00def", "bad.txt:2: binary data, not text: a NUL byte at byte 5"),
        (b"\xff\xfea\x00", "bad.txt:1: not UTF-8 text: the file is UTF-16; save it as UTF-8"),
    ],
)
def test_a_report_that_is_not_text(tmp_path, content, message):
    bad = tmp_path / "bad.txt"
    bad.write_bytes(content)
    r = runner.invoke(app, ["scan", str(bad), str(DATA)])
    assert r.exit_code == 1
    assert message in r.stderr and "Traceback" not in r.output


def test_usage_errors(tmp_path):
    assert runner.invoke(app, ["scan", str(tmp_path), str(DATA)]).exit_code == 2  # a folder
    r = runner.invoke(app, ["scan", str(LEVANT), str(DATA), "--source", "levant-2024"])
    assert r.exit_code == 2 and "unknown source 'levant-2024'" in r.stderr
    report = tmp_path / "r.txt"
    report.write_text("x", encoding="utf-8")
    r = runner.invoke(
        app, ["scan", str(report), str(DATA), "--source", "Not An Id", "--draft", str(tmp_path / "d.yaml")]
    )
    assert r.exit_code == 2 and "not a valid id" in r.stderr
