"""The other side of the hostile corpus: values at the very limits validation allows load into the real Neo4j.

Validation's limits (graph.models) exist so that whatever validates can be written and indexed: a name of
1,000 characters of 4 bytes each is 4 KB, half of Neo4j's 8 KB range-index key; years run from 0001 to
9999. A dataset made only of such values must validate, load, check as up to date, export and draw; if
Neo4j ever refused one of them, validation would be letting through something a load cannot hold.
"""

from __future__ import annotations

import json

import pytest
import yaml
from typer.testing import CliRunner

from graph.models import MAX_NAME_CHARS, MAX_QUOTE_CHARS, MAX_QUOTE_WORDS, MAX_TEXT_CHARS
from kg.cli import app
from tests.hostile.support import clear

runner = CliRunner()
WIDE = "\U0001d54f"  # 𝕏: 4 bytes of UTF-8, 2 UTF-16 units
LONGEST_ID = "a" * 200
WORD = WIDE * ((MAX_QUOTE_CHARS - (MAX_QUOTE_WORDS - 1)) // MAX_QUOTE_WORDS)


def longest_quote() -> str:
    quote = " ".join([WORD] * MAX_QUOTE_WORDS)
    assert len(quote) <= MAX_QUOTE_CHARS
    return quote


def extremes() -> dict:
    name = WIDE * MAX_NAME_CHARS
    text = WIDE * MAX_TEXT_CHARS
    quote = longest_quote()
    return {
        "sources": [
            {
                "id": LONGEST_ID,
                "title": text,
                "publisher": text,
                "author": name,
                "published": "0001-01-01",
                "retrieved": "9999-12-31",
                "reliability": "F",
                "url": name,
                "document": name,
            },
            {"id": "last-day", "title": "T", "publisher": "P", "published": "9999-12-31", "reliability": "A"},
        ],
        "entities": [
            {
                "id": LONGEST_ID,
                "type": "Person",
                "name": name,
                "aliases": [chr(0x10000 + i) * MAX_NAME_CHARS for i in range(20)],
                "description": text,
                "rank": text,
                "nationality": text,
                "inferred": text,
                "evidence": [
                    {
                        "source": LONGEST_ID,
                        "quote": quote,
                        "observed": "0001",
                        "credibility": 6,
                        "according_to": "a source " + WIDE * (MAX_NAME_CHARS - 9),
                    }
                ],
            },
            {"id": "north-pole", "type": "Place", "name": "North", "lat": 90, "lon": 180, "geo_precision": "exact"},
            {"id": "south-pole", "type": "Place", "name": "South", "lat": -90, "lon": -180, "geo_precision": "exact"},
            {
                "id": "forever",
                "type": "Campaign",
                "name": "Forever",
                "start": "0001",
                "end": "9999-12-31",
                "goal": text,
                "outcome": text,
            },
            {"id": "last-event", "type": "Event", "name": "Last", "date": "9999-12-31", "casualties": text},
        ],
        "relations": [
            {
                "type": "OPERATES_IN",
                "from": LONGEST_ID,
                "to": "north-pole",
                "credibility": 1,
                "valid_from": "0001-01-01",
                "valid_to": "9999-12-31",
                "evidence": [
                    {
                        "source": LONGEST_ID,
                        "quote": quote,
                        "observed": "0001-01-01",
                        "via": "north-pole",
                        "according_to": LONGEST_ID,
                    }
                ],
            },
            # No stated validity: it holds around its observations, the last on 9999-12-31.
            {
                "type": "OPERATES_IN",
                "from": LONGEST_ID,
                "to": "south-pole",
                "credibility": 6,
                "evidence": [{"source": "last-day", "quote": quote}, {"source": LONGEST_ID, "quote": "q"}],
            },
            {
                "type": "TAKES_PLACE_IN",
                "from": "forever",
                "to": "south-pole",
                "credibility": 3,
                "evidence": [{"source": "last-day", "quote": quote, "observed": "0001"}],
            },
            {
                "type": "TAKES_PLACE_IN",
                "from": "last-event",
                "to": "north-pole",
                "credibility": 2,
                "evidence": [{"source": "last-day", "quote": "q", "observed": "9999-12-31"}],
            },
        ],
    }


def kg(*args: str):
    r = runner.invoke(app, list(args))
    assert "Traceback" not in r.output
    return r


@pytest.fixture()
def limits(neo4j_driver, tmp_path):
    clear(neo4j_driver)
    folder = tmp_path / "limits"
    folder.mkdir()
    (folder / "facts.yaml").write_text(
        yaml.safe_dump(extremes(), allow_unicode=True, sort_keys=False), encoding="utf-8"
    )
    return folder


def test_values_at_the_limits_validate_load_export_and_draw(limits, neo4j_driver, tmp_path):
    r = kg("validate", str(limits))
    assert r.exit_code == 0, r.output
    r = kg("load", str(limits))
    assert r.exit_code == 0, r.output
    assert kg("load", str(limits), "--check").exit_code == 0
    rec = neo4j_driver.execute_query(
        "MATCH (n:Entity {id: $id}) RETURN n.name AS name, size(n.names) AS keys, n.description AS description",
        id=LONGEST_ID,
    ).records[0]
    assert rec["name"] == WIDE * MAX_NAME_CHARS and rec["keys"] > 20  # the id's, the name's, the aliases' keys
    assert len(rec["description"]) == MAX_TEXT_CHARS
    r = kg("query", "find", "-p", f"name={WIDE * MAX_NAME_CHARS}", "--format", "json")
    assert r.exit_code == 0 and LONGEST_ID in r.stdout, r.output
    for fmt in ("json", "csv", "graphml", "gexf"):
        r = kg("export", str(limits), "--format", fmt, "--out", str(tmp_path / f"g.{fmt}"))
        assert r.exit_code == 0, (fmt, r.output)
    assert json.loads((tmp_path / "g.json").read_text(encoding="utf-8"))["nodes"]
    r = kg("viz", str(limits), "--out", str(tmp_path / "g.html"))
    assert r.exit_code == 0, r.output


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_as_of_queries_at_the_ends_of_the_calendar(limits, day):
    """The as-of rule widens observations by the horizon: on the calendar's first and last days it must
    not reach past them (Neo4j dates stop at 9999-12-31 as Python's do)."""
    assert kg("load", str(limits)).exit_code == 0
    r = kg("query", "network_as_of", "-p", f"date={day}", "--format", "json")
    assert r.exit_code == 0, r.output
