"""Bulk first loads (graph.neo4j.bulk, `kg load --bulk`) on a real local server of their own.

The server of this module is restarted by every bulk load, so it is not the session's: that one
(tests/conftest.py) takes the online loads the bulk ones are compared with.
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import time

import pytest
import yaml
from neo4j.spatial import Point
from neo4j.time import Date, DateTime
from typer.testing import CliRunner

from graph.neo4j import bulk, import_csv, server
from graph.neo4j.connection import driver
from graph.neo4j.cypher import RELATION_SOURCES_INDEX, SCHEMA_STATEMENTS
from graph.neo4j.import_csv import PENDING, write_import_files
from graph.neo4j.mapping import FactRows
from graph.neo4j.settings import get_settings
from kg.cli import app
from loaders import load_facts
from tests.conftest import free_port
from tests.paths import DATA, FLORENTINE, FLORENTINE_DOCS, ROOT, SEEDS

sys.path.insert(0, str(ROOT / "bench"))
from generate import generate  # noqa: E402

runner = CliRunner()
PASSWORD = "bulk-test-password-1"


# --------------------------------------------------------------------------- helpers


def typed(value):
    """A value with its Neo4j type spelt out, so that "2021-01-01" and date(2021, 1, 1) differ."""
    if isinstance(value, list):
        return ["list", [typed(v) for v in value]]
    if isinstance(value, bool):
        return ["boolean", value]
    if isinstance(value, int):
        return ["integer", value]
    if isinstance(value, float):
        return ["float", repr(value)]
    if isinstance(value, str):
        return ["string", value]
    if isinstance(value, Date):
        return ["date", value.iso_format()]
    if isinstance(value, DateTime):
        return ["datetime", "(time of the load)"]
    if isinstance(value, Point):
        return ["point", value.srid, [repr(c) for c in value]]
    raise AssertionError(f"unexpected value {value!r}")


def graph_dump(drv) -> tuple[list[str], list[str]]:
    """Every node (labels, properties) and relationship (type, ends, properties) with types, sorted."""
    canon = lambda x: json.dumps(x, sort_keys=True, ensure_ascii=False)  # noqa: E731
    nodes = drv.execute_query("MATCH (n) RETURN labels(n) AS labels, properties(n) AS props").records
    rels = drv.execute_query(
        "MATCH (a)-[r]->(b) RETURN type(r) AS type, a.id AS a, b.id AS b, properties(r) AS props"
    ).records
    return (
        sorted(canon([sorted(r["labels"]), {k: typed(v) for k, v in r["props"].items()}]) for r in nodes),
        sorted(canon([r["type"], r["a"], r["b"], {k: typed(v) for k, v in r["props"].items()}]) for r in rels),
    )


def checksum(dumped) -> str:
    return hashlib.sha256(json.dumps(dumped).encode()).hexdigest()


WRITER_SCHEMA = {name for name, _ in SCHEMA_STATEMENTS} | {RELATION_SOURCES_INDEX}


def schema(drv) -> list[tuple]:
    """The writer's constraints and indexes (others, e.g. `kg analyze --write`'s, are not the loaders')."""
    return sorted(
        (r["name"], r["type"], tuple(sorted(r["labelsOrTypes"] or [])), tuple(r["properties"] or []))
        for r in drv.execute_query("SHOW INDEXES YIELD name, type, labelsOrTypes, properties").records
        if r["name"] in WRITER_SCHEMA
    )


def clear(drv) -> None:
    with drv.session() as session:
        session.run("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS").consume()


def kg(*args: str):
    r = runner.invoke(app, list(args))
    assert "Traceback" not in r.output, r.output
    return r


def pid_of(settings) -> int:
    return server.status(settings.data_dir, settings)["pid"]


@pytest.fixture(scope="module")
def bulk_server(tmp_path_factory):
    """Settings of this module's own running server (its data folder is what bulk loads replace)."""
    port = free_port()
    settings = get_settings(
        uri=f"bolt://127.0.0.1:{port}",
        server_port=port,
        data_dir=tmp_path_factory.mktemp("neo4j-bulk"),
        password=PASSWORD,
    )
    server.start(settings=settings)
    try:
        yield settings
    finally:
        server.stop(settings.data_dir, settings=settings)


@pytest.fixture()
def bulk_env(bulk_server, monkeypatch):
    """The CLI talks to the bulk server; returns a driver on it (re-made after each restart by the driver)."""
    for name, value in (
        ("NEO4J_URI", bulk_server.uri),
        ("NEO4J_PASSWORD", PASSWORD),
        ("NEO4J_DATA_DIR", str(bulk_server.data_dir)),
        ("NEO4J_SERVER_PORT", str(bulk_server.bolt_port)),
    ):
        monkeypatch.setenv(name, value)
    with driver(bulk_server) as drv:
        yield drv


def env_for(settings) -> dict[str, str]:
    return {
        **os.environ,
        "NEO4J_URI": settings.uri,
        "NEO4J_PASSWORD": PASSWORD,
        "NEO4J_DATA_DIR": str(settings.data_dir),
        "NEO4J_SERVER_PORT": str(settings.bolt_port),
        "PYTHONPATH": str(ROOT),
    }


def states(drv) -> dict[str, str]:
    return {
        r["name"]: r["state"]
        for r in drv.execute_query("MATCH (d:Dataset) RETURN d.name AS name, d.state AS state").records
    }


HOSTILE = {
    "sources": [
        {
            "id": "odd-source",
            "title": 'A "quoted", comma\'d title; with a semicolon \\ and a backslash',
            "publisher": "Ünïcode Monitor",
            "published": "2021-12",
            "reliability": "B",
        },
        {
            "id": "undated",
            "title": "Retrieved only",
            "publisher": "Wire",
            "retrieved": "2022-04-02",
            "reliability": "C",
        },
    ],
    "entities": [
        {"id": "odd-person", "type": "Person", "name": 'Abu "the, quoted" Test', "aliases": ["A;B", "x,y", '"q"']},
        {"id": "plain-group", "type": "ArmedGroup", "name": "Plain Group"},
        {
            "id": "odd-place",
            "type": "Place",
            "name": "Ḥamā",
            "kind": "city",
            "lat": 35.13179,
            "lon": 36.75783,
            "geo_precision": "town",
        },
    ],
    "relations": [
        {
            "type": "MEMBER_OF",
            "from": "odd-person",
            "to": "plain-group",
            "credibility": 2,
            "valid_from": "2020",
            "evidence": [
                {"source": "odd-source", "quote": 'line one\nline two, with a "quote"\r\nand a CR'},
                {"source": "undated", "quote": "   padded   ", "according_to": "local sources"},
            ],
        },
        {
            "type": "OPERATES_IN",
            "from": "plain-group",
            "to": "odd-place",
            "credibility": 3,
            "evidence": [{"source": "undated", "quote": "they operate in Ḥamā", "observed": "2019"}],
        },
    ],
}


def hostile_dataset(tmp_path):
    folder = tmp_path / "hostile"
    folder.mkdir()
    (folder / "facts.yaml").write_text(yaml.safe_dump(HOSTILE, allow_unicode=True, sort_keys=False), "utf-8")
    return folder


# --------------------------------------------------------------------------- the CSV files


def test_import_files_hold_the_rows_the_writer_writes(tmp_path):
    facts = load_facts([FLORENTINE], FLORENTINE_DOCS)
    rows = FactRows(facts, "florentine")
    one = write_import_files(rows, _empty(tmp_path / "one"), keep=None)
    two = write_import_files(rows, _empty(tmp_path / "two"), keep=None, workers=2)
    assert one.counts == two.counts == {"sources": 2, "entities": 11, "relations": 13}
    assert sorted(one.keys["relations"]) == sorted(two.keys["relations"])
    # The mapping stores no empty list (which the importer cannot write): nothing is left to fix up.
    assert one.fixups == two.fixups == []
    text = "".join(p.read_text() for p in (tmp_path / "one").glob("*.csv"))
    assert PENDING not in text
    # One file of entities and one of relationships per writer, whatever their labels and types.
    assert len(one.nodes) == len(two.nodes) == 2 and len(one.relationships) == len(two.relationships) == 1
    headers = {p.read_text().splitlines()[0] for p in (tmp_path / "one").glob("r*-header.csv")}
    assert len(headers) == 1
    assert all(h.startswith(":START_ID(Entity),:END_ID(Entity),:TYPE,") for h in headers)
    assert any("quotes:string[]" in h and "credibilities:long[]" in h for h in headers)


def _empty(folder):
    folder.mkdir()
    return folder


# --------------------------------------------------------------------------- same graph both ways


def unfit_string_lists(monkeypatch) -> None:
    """Have the importer's encoding refuse every list of two strings or more, as it refuses values it cannot
    hold (an element with U+001F, a list of one empty string...): real data seldom has them, and the
    fix-ups written after the import must still give the same graph."""
    column_type, real = import_csv._LISTS[str]

    def string_lists(values):
        if any(len(v) > 1 for v in values):
            raise import_csv._Unfit
        return real(values)

    monkeypatch.setitem(import_csv._LISTS, str, (column_type, string_lists))


@pytest.mark.parametrize("which", ["seed", "hostile", "hostile-fixups"])
def test_bulk_load_gives_the_online_graph(
    which, bulk_env, bulk_server, neo4j_server, neo4j_driver, tmp_path, monkeypatch
):
    folder, docs = (DATA, SEEDS) if which == "seed" else (hostile_dataset(tmp_path), None)
    if which == "hostile-fixups":
        unfit_string_lists(monkeypatch)
    extra = ["--documents", str(docs)] if docs else []
    clear(neo4j_driver)
    with monkeypatch.context() as online_env:  # the session's server, through Bolt
        online_env.setenv("NEO4J_URI", neo4j_server.uri)
        online_env.setenv("NEO4J_PASSWORD", neo4j_server.password)
        online_env.setenv("NEO4J_DATA_DIR", str(neo4j_server.data_dir))
        online_env.setenv("NEO4J_SERVER_PORT", str(neo4j_server.bolt_port))
        r = kg("load", str(folder), *extra, "--dataset", "d", "--online")
        assert r.exit_code == 0, r.output
    online = graph_dump(neo4j_driver)

    before = pid_of(bulk_server)
    r = kg("load", str(folder), *extra, "--dataset", "d", "--bulk", "--replace")
    assert r.exit_code == 0, r.output
    assert "bulk import" in r.stdout and "import" in r.stdout.splitlines()[-1]
    assert pid_of(bulk_server) != before  # restarted on the new database
    with driver(bulk_server) as drv:
        bulked = graph_dump(drv)
        assert bulked == online  # every node, relationship, label, type and typed property
        assert checksum(bulked) == checksum(online)
        assert schema(drv) == schema(neo4j_driver) and {i[0] for i in schema(drv)} == WRITER_SCHEMA
        assert states(drv) == {"d": "complete"}
        assert not (bulk_server.data_dir / "bulk").exists()  # staging cleaned up
    # What the files state is there: the next load is an ordinary, empty, incremental one.
    r = kg("load", str(folder), *extra, "--dataset", "d")
    assert r.exit_code == 0, r.output
    assert "already up to date" in r.stdout and "bulk" not in r.stdout


# --------------------------------------------------------------------------- when it applies


def test_empty_database_and_enough_rows_load_in_bulk_else_refused(bulk_env, bulk_server, monkeypatch):
    clear(bulk_env)
    monkeypatch.setattr("kg.load_cmd.AUTO_MIN_ROWS", 10)  # the seed-sized test data counts as big
    r = kg("load", str(FLORENTINE), "--documents", str(FLORENTINE_DOCS))
    assert r.exit_code == 0, r.output
    assert "bulk import" in r.stdout
    with driver(bulk_server) as drv:
        before, pid = graph_dump(drv), pid_of(bulk_server)

        # Not empty: --bulk refuses (exit 1, what it holds, what to do); nothing is touched.
        r = kg("load", str(DATA), "--documents", str(SEEDS), "--bulk")
        assert r.exit_code == 1
        assert "error: database neo4j is not empty (it holds datasets florentine)" in r.stderr
        assert "add --replace to replace it, or load without --bulk" in r.stderr
        assert graph_dump(drv) == before and pid_of(bulk_server) == pid

        # Without --bulk, a database with data gets an ordinary incremental load.
        r = kg("load", str(FLORENTINE), "--documents", str(FLORENTINE_DOCS))
        assert r.exit_code == 0 and "already up to date" in r.stdout and "bulk" not in r.stdout

    r = kg("load", str(DATA), "--replace")
    assert r.exit_code == 2 and "--replace goes with --bulk" in r.stderr


def test_dangling_relation_stops_before_anything_is_touched(bulk_env, bulk_server, tmp_path):
    bad = tmp_path / "bad"
    shutil.copytree(FLORENTINE, bad)
    rel = bad / "relations.yaml"
    text = rel.read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    data["relations"].append({**copy.deepcopy(data["relations"][0]), "to": "nobody-at-all"})
    rel.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    pid = pid_of(bulk_server)
    before = graph_dump(bulk_env)
    r = kg("load", str(bad), "--documents", str(FLORENTINE_DOCS), "--bulk", "--replace")
    assert r.exit_code == 1
    assert "relations.yaml:" in r.output and "nobody-at-all" in r.output
    assert "nothing was written to Neo4j" in r.stderr
    assert pid_of(bulk_server) == pid and graph_dump(bulk_env) == before
    assert not (bulk_server.data_dir / "bulk").exists()


def test_remote_server_falls_back_to_the_online_loader(neo4j_server, neo4j_driver, tmp_path, monkeypatch):
    clear(neo4j_driver)
    monkeypatch.setenv("NEO4J_DATA_DIR", str(tmp_path / "no-local-server"))
    r = kg("load", str(FLORENTINE), "--documents", str(FLORENTINE_DOCS), "--bulk")
    assert r.exit_code == 0, r.output
    assert "note: the local Neo4j server" in r.stderr and "loading online instead" in r.stderr
    assert "bulk import" not in r.stdout
    assert states(neo4j_driver) == {"florentine": "complete"}


# --------------------------------------------------------------------------- failures


def test_disk_full_during_import_leaves_the_database(bulk_env, bulk_server, tmp_path):
    """The importer's files limited to 2 MB (RLIMIT_FSIZE: what a full disk does to a write)."""
    data = tmp_path / "gen"
    generate(2000, 20_000, data, seed=3)
    rows = FactRows(load_facts([data]), "gen")
    clear(bulk_env)
    assert kg("load", str(FLORENTINE), "--documents", str(FLORENTINE_DOCS), "--online").exit_code == 0
    before, pid = graph_dump(bulk_env), pid_of(bulk_server)

    def small_disk():
        resource.setrlimit(resource.RLIMIT_FSIZE, (2 << 20, 2 << 20))

    settings = get_settings(
        uri=bulk_server.uri, server_port=bulk_server.bolt_port, data_dir=bulk_server.data_dir, password=PASSWORD
    )
    with pytest.raises(bulk.BulkError) as failed:
        bulk.bulk_load(settings, rows, replace=True, importer_preexec=small_disk)
    message = str(failed.value)
    assert message.startswith("Neo4j's importer stopped: the disk is full"), message
    # The server stopped for the import and was started again on the untouched database.
    assert pid_of(bulk_server) != pid and graph_dump(bulk_env) == before
    assert not (bulk_server.data_dir / "bulk").exists()


@pytest.mark.parametrize("moment", ["importing", "swapping"])
def test_killed_bulk_load_then_rerun_completes(moment, bulk_env, bulk_server, neo4j_server, neo4j_driver, tmp_path):
    """SIGKILL while the importer runs (the server stopping meanwhile) or once the server is being swapped."""
    data = tmp_path / "gen"
    generate(1000, 10_000, data, seed=7)
    cmd = [sys.executable, "-m", "kg", "load", str(data), "--bulk", "--replace"]
    env = env_for(bulk_server)
    before, pid = graph_dump(bulk_env), pid_of(bulk_server)
    staging = bulk_server.data_dir / "bulk"
    sign = staging / ("home" if moment == "importing" else "swap.json")  # home: made as the importer starts

    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 600
        while not sign.exists():
            assert proc.poll() is None, "the load ended before it could be killed"
            assert time.monotonic() < deadline
            time.sleep(0.01)
        proc.send_signal(signal.SIGKILL)
        proc.wait(30)
    finally:
        if proc.poll() is None:
            proc.kill()
    if moment == "importing":  # the journal says the server was stopping: recovery starts it on the old database
        assert json.loads((staging / "swap.json").read_text())["state"] == "stopping"
        told = bulk.recover(bulk_server)
        assert told == "an interrupted bulk load had not touched the database: it is as before"
        assert pid_of(bulk_server) != pid and graph_dump(bulk_env) == before
        assert not staging.exists()

    again = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=900)
    assert again.returncode == 0, again.stderr
    if moment == "swapping":
        assert "note: an interrupted bulk load" in again.stderr

    clear(neo4j_driver)
    online = subprocess.run(
        [sys.executable, "-m", "kg", "load", str(data), "--online"],
        env={**env, "NEO4J_URI": neo4j_server.uri, "NEO4J_PASSWORD": neo4j_server.password,
             "NEO4J_DATA_DIR": str(neo4j_server.data_dir), "NEO4J_SERVER_PORT": str(neo4j_server.bolt_port)},
        capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    assert online.returncode == 0, online.stderr
    with driver(bulk_server) as drv:
        assert graph_dump(drv) == graph_dump(neo4j_driver)
        assert states(drv) == {"gen": "complete"}
    assert not staging.exists()


def test_interrupted_after_the_swap_the_next_load_completes(
    bulk_env, bulk_server, neo4j_server, neo4j_driver, monkeypatch
):
    """Stopped after the new database is in, before its fix-ups and state: marked incomplete, then completed
    by an ordinary `kg load` (the rows still missing values carry PENDING and are rewritten)."""

    def dies(*_args, **_kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(bulk, "_finish", dies)
    unfit_string_lists(monkeypatch)  # rows with fix-ups to write after the swap
    r = kg("load", str(FLORENTINE), "--documents", str(FLORENTINE_DOCS), "--bulk", "--replace")
    assert r.exit_code == 130
    assert "dataset florentine is marked incomplete until `kg load" in r.stderr
    monkeypatch.undo()
    for name, value in (
        ("NEO4J_URI", bulk_server.uri),
        ("NEO4J_PASSWORD", PASSWORD),
        ("NEO4J_DATA_DIR", str(bulk_server.data_dir)),
        ("NEO4J_SERVER_PORT", str(bulk_server.bolt_port)),
    ):
        monkeypatch.setenv(name, value)
    with driver(bulk_server) as drv:
        assert states(drv) == {"florentine": "loading"}
        pending = drv.execute_query("MATCH (n {hash: $p}) RETURN count(n) AS n", p=PENDING).records[0]["n"]
        assert pending > 0
    r = kg("load", str(FLORENTINE), "--check")
    assert r.exit_code == 1 and "dataset florentine is incomplete" in r.stderr

    r = kg("load", str(FLORENTINE), "--documents", str(FLORENTINE_DOCS))
    assert r.exit_code == 0, r.output
    assert "this load completed it" in r.stderr
    assert "updated" in r.stdout

    clear(neo4j_driver)
    monkeypatch.setenv("NEO4J_URI", neo4j_server.uri)
    monkeypatch.setenv("NEO4J_PASSWORD", neo4j_server.password)
    monkeypatch.setenv("NEO4J_DATA_DIR", str(neo4j_server.data_dir))
    monkeypatch.setenv("NEO4J_SERVER_PORT", str(neo4j_server.bolt_port))
    assert kg("load", str(FLORENTINE), "--documents", str(FLORENTINE_DOCS), "--online").exit_code == 0
    with driver(bulk_server) as drv:
        assert graph_dump(drv) == graph_dump(neo4j_driver)
        assert states(drv) == {"florentine": "complete"}


def test_swap_cut_short_is_rolled_back_by_the_next_load(bulk_env, bulk_server, monkeypatch):
    """A death between the two renames of the swap (the old store aside, the new one not yet in)."""
    clear(bulk_env)
    assert kg("load", str(FLORENTINE), "--documents", str(FLORENTINE_DOCS), "--online").exit_code == 0
    before = graph_dump(bulk_env)
    real_swap = bulk._swap

    def half_swap(target):
        had = [live.exists() for live, _aside, _staged in target.parts()]
        (target.staging / "old").mkdir(exist_ok=True)
        bulk._write_journal(target, "swapping", had=had)
        live, aside, _staged = target.parts()[0]
        live.rename(aside)
        raise KeyboardInterrupt  # as a kill would leave it: the store is gone from its place

    monkeypatch.setattr(bulk, "_swap", half_swap)
    r = kg("load", str(DATA), "--documents", str(SEEDS), "--bulk", "--replace")
    assert r.exit_code == 130
    monkeypatch.setattr(bulk, "_swap", real_swap)
    assert not server.status(bulk_server.data_dir, bulk_server)["running"]

    r = kg("load", str(FLORENTINE), "--documents", str(FLORENTINE_DOCS))
    assert r.exit_code == 0, r.output
    assert "note: an interrupted bulk load was undone: the previous database is back" in r.stderr
    assert "already up to date" in r.stdout
    with driver(bulk_server) as drv:
        assert graph_dump(drv) == before
    assert not (bulk_server.data_dir / "bulk").exists()
