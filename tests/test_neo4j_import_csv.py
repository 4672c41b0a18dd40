"""The importer's CSV files (graph/neo4j/import_csv.py), read back with Python's csv module.

What the importer makes of them is tested against a real server in test_neo4j_bulk.py (a bulk load gives the
online graph); here, fast and by hand: columns, quoting, and unfit values becoming fix-ups row by row.
"""

from __future__ import annotations

import csv
import io
import sys
from datetime import date
from pathlib import Path

from graph.neo4j.import_csv import ARRAY_DELIMITER, PENDING, write_import_files
from graph.neo4j.mapping import FactRows
from loaders import load_facts
from tests.paths import ROOT

sys.path.insert(0, str(ROOT / "bench"))
from generate import generate  # noqa: E402


class Rows:
    """A row source of entities only, each ``{"id", "props"}`` as the mapping gives them."""

    dataset = "d"

    def __init__(self, entities: list[dict]):
        self._entities = entities

    def sources(self):
        return iter(())

    def entities(self):
        for props in self._entities:
            yield "Person", {"id": props["id"], "props": props}

    def entity_ids(self):
        return [props["id"] for props in self._entities]

    def relations(self):
        return iter(())


def person(i: int, **extra) -> dict:
    return {"id": f"p{i}", "name": f"Person {i}", "hash": f"h{i}", "born": date(1970, 1, 1 + i), **extra}


def read_back(folder: Path, names: str) -> tuple[list[str], list[list[str]], str]:
    """The header, the rows as csv reads them, and the data file's text."""
    header_name, data_name = names.split(",")
    header = (folder / header_name).read_text(encoding="utf-8").rstrip("\n").split(",")
    with (folder / data_name).open(encoding="utf-8", newline="") as f:  # a CR in a value stays one
        text = f.read()
    return header, list(csv.reader(io.StringIO(text, newline=""))), text


def test_an_unfit_value_makes_a_fixup_of_its_row_only(tmp_path):
    people = [person(i, scores=[1.5, 2.0]) for i in range(10)]
    people[4]["scores"] = [1.0, float("nan")]  # no double[] field can hold it
    files = write_import_files(Rows(people), tmp_path, keep=None)

    assert [(f.kind, f.group, f.key) for f in files.fixups] == [("nodes", "Entity", {"id": "p4"})]
    assert str(files.fixups[0].props) == "{'scores': [1.0, nan], 'hash': 'h4'}"
    assert files.counts["entities"] == 10 and files.keys["entities"] == [f"p{i}" for i in range(10)]
    rows = {}
    for names in files.nodes:
        header, lines, _text = read_back(tmp_path, names)
        rows |= {line[2]: dict(zip(header, line, strict=False)) for line in lines}
    assert {row[":LABEL"] for row in rows.values()} == {f"Entity{ARRAY_DELIMITER}Person"}
    assert rows["p4"]["hash:string"] == PENDING and not rows["p4"].get("scores:double[]")
    assert rows["p3"]["scores:double[]"] == f"1.5{ARRAY_DELIMITER}2.0" and rows["p3"]["hash:string"] == "h3"
    assert rows["p3"]["born:date"] == "1970-01-04"


def test_a_column_is_quoted_throughout_where_one_value_needs_it(tmp_path):
    people = [person(i, title="plain", note="ok") for i in range(5)]
    people[1]["note"] = ""  # the empty string: quoted, unlike a missing property
    people[2]["note"] = 'a "quoted", word'
    del people[0]["note"]
    files = write_import_files(Rows(people), tmp_path, keep=None)
    assert files.fixups == [] and files.multiline == []
    data = (tmp_path / "n0000.csv").read_bytes().replace(ARRAY_DELIMITER.encode(), b"|")
    # A row's missing property at the end of the line is left off; nothing here needs quotes.
    assert data.startswith(b"0,Entity|Person,p0,Person 0,h0,1970-01-01,plain\n")
    # In the other batch a string column that needs quotes somewhere is quoted throughout; the others not.
    assert b'\n1,Entity|Person,p1,Person 1,h1,1970-01-02,plain,""\n' in data
    assert b'\n2,Entity|Person,p2,Person 2,h2,1970-01-03,plain,"a ""quoted"", word"\n' in data
    assert b'\n3,Entity|Person,p3,Person 3,h3,1970-01-04,plain,"ok"\n' in data


def test_rows_with_line_breaks_go_to_a_multiline_file_of_their_own(tmp_path):
    """The importer parses a file named in --multiline-fields more slowly: only rows that need it go there,
    under the same header."""
    people = [person(i, title="plain", note="ok") for i in range(6)]
    people[2]["title"] = "line\r\nbreak"
    people[4]["note"] = "cr\ronly"  # a CR alone ends a line for the importer too
    del people[5]["note"]
    files = write_import_files(Rows(people), tmp_path, keep=None)
    assert files.fixups == [] and files.multiline == ["n0001.csv"]
    assert files.nodes == ["n0000-header.csv,n0000.csv", "n0001-header.csv,n0001.csv"]
    assert (tmp_path / "n0000-header.csv").read_text() == (tmp_path / "n0001-header.csv").read_text()
    rows = {}
    for names in files.nodes:
        header, lines, _text = read_back(tmp_path, names)
        rows |= {names: [dict(zip(header, line, strict=False)) for line in lines]}
    plain, broken = rows.values()
    assert [r["id:string"] for r in plain] == ["p0", "p1", "p3", "p5"]
    assert [(r["id:string"], r["title:string"], r["note:string"]) for r in broken] == [
        ("p2", "line\r\nbreak", "ok"),
        ("p4", "plain", "cr\ronly"),
    ]
    assert b"\r" not in (tmp_path / "n0000.csv").read_bytes()


def rows_of(files, folder: Path) -> dict[str, list[tuple]]:
    """Every row of every file as sorted (header, field) pairs, by kind, without empty fields (files' headers
    differ by the properties their rows have): what the importer reads, whatever the files and column order."""
    out: dict[str, list[tuple]] = {}
    for kind in ("nodes", "relationships"):
        for names in getattr(files, kind):
            header, lines, _text = read_back(folder, names)
            out.setdefault(kind, []).extend(
                tuple(sorted((k, v) for k, v in zip(header, line, strict=False) if v)) for line in lines
            )
    return {kind: sorted(rows) for kind, rows in out.items()}


def test_shards_write_the_rows_of_one_writer(tmp_path):
    """Two writers (entities and relations dealt round-robin) write the same rows as one: labels and types are
    columns, so each writes one file of entities and one of relationships, whatever its share holds."""
    generate(300, 1_500, tmp_path / "gen", seed=5)
    rows = FactRows(load_facts([tmp_path / "gen"]), "gen")
    one = write_import_files(rows, _empty(tmp_path / "one"), keep=None)
    two = write_import_files(rows, _empty(tmp_path / "two"), keep=None, workers=2)
    assert one.counts == two.counts and one.counts["relations"] == 1_500
    assert len(one.nodes) == 2 and len(one.relationships) == 1  # sources, entities; relationships
    assert len(two.nodes) == 3 and len(two.relationships) == 2  # sources (first writer only), entities by each
    got = rows_of(two, tmp_path / "two")
    assert got == rows_of(one, tmp_path / "one")
    types = {dict(row)[":TYPE"] for row in got["relationships"]}
    labels = {dict(row)[":LABEL"] for row in got["nodes"]}
    assert len(types) > 5 and {"Source", f"Entity{ARRAY_DELIMITER}Person"} <= labels


def _empty(folder: Path) -> Path:
    folder.mkdir()
    return folder
