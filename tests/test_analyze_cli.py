"""`kg analyze`: measures and paths on the command line, their formats, and every bad input as one error line."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from typer.testing import CliRunner

from kg.cli import app
from tests.paths import DATA, ROOT

FAMILIES = str(ROOT / "tests" / "fixtures" / "florentine_families")
SEED = str(DATA)

runner = CliRunner()


def run(*args: str):
    return runner.invoke(app, ["analyze", *args])


def ok(*args: str):
    r = run(*args)
    assert r.exit_code == 0, r.output
    assert "Traceback" not in r.output
    return r


def fails(code: int, *args: str) -> str:
    r = run(*args)
    assert r.exit_code == code, r.output
    assert "Traceback" not in r.output and r.exception is None or isinstance(r.exception, SystemExit)
    lines = [line for line in r.stderr.splitlines() if line.startswith("error: ")]
    assert len(lines) == 1, r.stderr
    return lines[0]


def test_json_lists_entities_highest_first():
    rows = json.loads(ok(FAMILIES, "--measure", "betweenness", "--format", "json").stdout)
    assert len(rows) == 15 and set(rows[0]) == {"id", "name", "type", "value"}
    assert rows[0]["id"] == "medici" and rows[0]["name"] == "Medici" and rows[0]["type"] == "Organization"
    assert round(rows[0]["value"], 3) == 0.522
    values = [r["value"] for r in rows]
    assert values == sorted(values, reverse=True)


def test_table_and_summary():
    r = ok(FAMILIES, "--measure", "degree", "--top", "3")
    medici = next(line for line in r.stdout.splitlines() if "Medici" in line)
    assert [cell.strip() for cell in medici.split("│")[1:6]] == ["1", "medici", "Medici", "Organization", "6"]
    assert "Peruzzi" not in r.stdout  # only the top 3
    assert "degree: 15 entities, 20 ties; undirected ties" in r.stderr


def test_csv_has_a_header_and_every_row():
    r = ok(FAMILIES, "-m", "pagerank", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    assert list(rows[0]) == ["id", "name", "type", "value"] and len(rows) == 15 and rows[0]["id"] == "medici"


def test_communities_add_the_community():
    first = json.loads(ok(FAMILIES, "-m", "communities", "--seed", "3", "-f", "json").stdout)
    again = json.loads(ok(FAMILIES, "-m", "communities", "--seed", "3", "-f", "json").stdout)
    assert first == again and all(set(r) == {"id", "name", "type", "value", "community"} for r in first)
    r = ok(FAMILIES, "-m", "communities")
    assert "communities, modularity 0.399 (Leiden (modularity), seed 0)" in r.stderr


def test_sampled_betweenness_states_its_sample_in_the_output():
    # Not sampled below 5,000 entities: the option is accepted and the result is exact.
    r = ok(FAMILIES, "-m", "betweenness", "--samples", "8", "--seed", "2", "-f", "json")
    assert round(json.loads(r.stdout)[0]["value"], 3) == 0.522


def test_excluding_an_umbrella_group():
    before = [r["id"] for r in json.loads(ok(SEED, "-m", "betweenness", "-f", "json", "--top", "3").stdout)]
    after = json.loads(ok(SEED, "-m", "betweenness", "-f", "json", "--exclude", "Iranian-backed militias").stdout)
    assert before == ["al-bukamal", "iranian-backed-militias", "syrian-regime"]
    assert [r["id"] for r in after[:2]] == ["al-bukamal", "syrian-regime"]
    assert "iranian-backed-militias" not in {r["id"] for r in after}


def test_filters_and_types():
    rows = json.loads(ok(SEED, "-m", "degree", "-f", "json", "-t", "Person,ArmedGroup", "-t", "Government").stdout)
    assert {r["type"] for r in rows} <= {"Person", "ArmedGroup", "Government"}
    r = ok(SEED, "-m", "pagerank", "--as-of", "2024-12", "--look-back", "3m", "--credibility-at-least", "3")
    assert "as of 2024-12-01 (facts without stated dates held from 3m before" in r.stderr
    assert "credibility 1-3" in r.stderr


def test_compare_two_dates_shows_who_rose_and_fell():
    r = ok(SEED, "-m", "pagerank", "--as-of", "2021-12", "--compare", "2024-12", "-f", "json")
    rows = json.loads(r.stdout)
    first = rows[0]
    assert first["compare"]["date"] == "2024-12-01" and first["rank"] == first["compare"]["rank"] == 1
    assert first["as_of"]["date"] == "2021-12-01"
    for row in rows:
        a, b = row["as_of"]["rank"], row["compare"]["rank"]
        assert row["rank_change"] == (a - b if a is not None and b is not None else None), row
    militias = next(x for x in rows if x["id"] == "iranian-backed-militias")
    assert militias["rank_change"] > 0  # the umbrella group rose between the two dates
    up = max((x for x in rows if x["rank_change"]), key=lambda x: (x["rank_change"], x["id"]))
    assert f"rose most: {up['name']} (+{up['rank_change']})" in r.stderr
    table = ok(SEED, "-m", "pagerank", "--as-of", "2021-12", "--compare", "2024-12", "--top", "5").stdout
    assert "value 2021-12-01" in table and "rank 2024-12-01" in table and "new" in table


def test_paths_skip_places_by_default():
    for extra in ([], ["--credible"]):
        paths = json.loads(ok(SEED, "--path", "Fog 47", "Husam Luqa", "--k", "3", "-f", "json", *extra).stdout)
        assert len(paths) == 3 and [p["rank"] for p in paths] == [1, 2, 3]
        for p in paths:
            inner = p["entities"][1:-1]
            assert p["entities"][0]["id"] == "fog-47" and p["entities"][-1]["id"] == "husam-luqa"
            assert all(e["type"] != "Place" for e in inner)
            assert all(rel["type"] not in ("LOCATED_IN", "NEAR") for s in p["steps"] for rel in s["relations"])
            assert 1 <= p["weakest_step"] <= p["length"]
    wide = json.loads(ok(SEED, "--path", "Fog 47", "Husam Luqa", "--include-places", "-f", "json").stdout)[0]
    assert any(e["type"] == "Place" for e in wide["entities"][1:-1])


def test_path_table_names_the_weakest_link():
    r = ok(SEED, "--path", "Fog 47", "Husam Luqa", "--credible")
    head = re.match(
        r"path 1 of 1: (\d) steps, cost \d+; weakest link: step (\d) \(credibility \d, reliability [A-F]\)\n", r.stdout
    )
    assert head and int(head[2]) <= int(head[1]), r.stdout
    assert "(weakest)" in r.stdout and "Kata'ib Hezbollah" in r.stdout


def test_names_are_matched_as_everywhere_and_said():
    """--exclude and --path take spelling variants (graph.names, as kg query and --focus); the match is said."""
    r = ok(SEED, "--path", "Fog 47", "Hossam Louka", "-f", "json")
    assert json.loads(r.stdout)[0]["entities"][-1]["id"] == "husam-luqa"
    assert "--path 'Hossam Louka' -> 'Husam Luqa' (husam-luqa), folded like 'Husam Luqa'" in r.stderr
    r = ok(SEED, "-m", "degree", "-f", "json", "--exclude", "hezbollah")
    assert "lebanese-hezbollah" not in {x["id"] for x in json.loads(r.stdout)}
    assert 'also matches "Kata\'ib Hezbollah" (kataib-hezbollah)' in r.stderr
    line = fails(1, SEED, "-m", "degree", "--exclude", "Army")
    assert "'Syrian Army' (syrian-army)" in line and "give the id" in line


def test_path_csv():
    r = ok(SEED, "--path", "Fog 47", "Husam Luqa", "--k", "2", "-f", "csv")
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    assert {row["path"] for row in rows} == {"1", "2"} and rows[0]["from"] == "fog-47"
    assert sum(row["weakest"] == "yes" for row in rows) == 2


@pytest.mark.parametrize(
    ("args", "code", "says"),
    [
        (["-m", "pagerenk"], 2, "unknown measure 'pagerenk' (did you mean 'pagerank'?)"),
        ([], 2, "give either --measure NAME or --path FROM TO"),
        (["-m", "degree", "--path", "a", "b"], 2, "give either"),
        (["-m", "degree", "--credible"], 2, "--credible, --k and --include-places go with --path"),
        (["-m", "degree", "--seed", "3"], 2, "--seed does not apply to degree"),
        (["-m", "degree", "-t", "Persn"], 2, "unknown entity type 'Persn' (did you mean 'Person'?)"),
        (["-m", "degree", "-r", "allied_with"], 2, "unknown relation type 'allied_with' (did you mean 'ALLIED_WITH'?)"),
        (["-m", "pagerank", "--compare", "2024"], 2, "--compare needs --as-of"),
        (
            ["-m", "degree", "--exclude", "Medici family"],
            1,
            "no entity is named 'Medici family' (did you mean 'Medici' (medici)?)",
        ),
        (["-m", "pagerank", "-t", "Person"], 1, "pagerank: no entities left after the filters"),
        (
            ["-m", "eigenvector", "-x", "medici"],
            1,
            "ties fall into 3 components (11 and 2 entities, 1 entity on its own)",
        ),
        (["--path", "Medici", "Nobody"], 1, "no entity is named 'Nobody'"),
        (
            ["--path", "Medici", "Pazzi", "-x", "salviati"],
            1,
            "different components: Medici's has 13 entities, Pazzi's 1",
        ),
        (["-m", "type-brokerage", "--between", "Government"], 2, "--between is given twice"),
    ],
)
def test_bad_input_is_one_error_line(args, code, says):
    line = fails(code, FAMILIES, *args)
    assert says in line, line


def test_paths_between_unconnected_seed_entities():
    line = fails(1, SEED, "--path", "Pentagon", "Husam Luqa")
    assert "no path from Pentagon (pentagon) to Husam Luqa (husam-luqa)" in line and "different components" in line


def test_largest_component_makes_eigenvector_possible():
    rows = json.loads(ok(FAMILIES, "-m", "eigenvector", "-x", "medici", "--largest-component", "-f", "json").stdout)
    assert len(rows) == 11


def test_type_brokerage_between_regime_bodies_and_militias():
    r = ok(
        SEED,
        "-m",
        "type-brokerage",
        "--between",
        "Government,Organization",
        "--between",
        "ArmedGroup",
        "-t",
        "Person,Government,Organization,ArmedGroup",
        "-f",
        "json",
    )
    rows = json.loads(r.stdout)
    assert rows[0]["value"] > 0 and set(rows[0]) == {"id", "name", "type", "value", "pairs", "closed"}
    assert "between Government, Organization and ArmedGroup" in r.stderr


def test_names_are_printed_as_they_are(tmp_path):
    (tmp_path / "facts.yaml").write_text(
        "sources:\n  - id: s\n    title: T\n    publisher: P\n    published: 2022\n    reliability: B\n"
        'entities:\n  - id: a\n    type: ArmedGroup\n    name: "[bold]Fog[/bold] :100:"\n'
        "  - id: b\n    type: ArmedGroup\n    name: Other\n"
        "relations:\n  - type: ALLIED_WITH\n    from: a\n    to: b\n    credibility: 2\n"
        '    evidence:\n      - source: s\n        quote: "[red]allied[/red]"\n',
        encoding="utf-8",
    )
    assert "[bold]Fog[/bold] :100:" in ok(str(tmp_path), "-m", "degree").stdout
    r = ok(str(tmp_path), "--path", "[bold]Fog[/bold] :100:", "Other")
    assert "[bold]Fog[/bold] :100:" in r.stdout and "[red]allied[/red]" in r.stdout
