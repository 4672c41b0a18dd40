"""The local Neo4j server: a real Neo4j 5.26 started from Maven Central artifacts."""

import functools
import http.server
import socket
import socketserver
import threading

import pytest
from typer.testing import CliRunner

from graph.neo4j import server
from graph.neo4j.connection import Neo4jError, driver, neo4j_errors, run_read
from graph.neo4j.settings import get_settings
from kg.neo4j_cmd import app

runner = CliRunner()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_session_server_answers_over_bolt(neo4j_server, neo4j_driver):
    info = server.status(neo4j_server.data_dir, settings=neo4j_server)
    assert info["running"] and "error" not in info
    assert info["version"].startswith("5.26.")
    assert info["edition"] == "community"
    assert info["address"] == f"127.0.0.1:{neo4j_server.bolt_port}"
    assert info["uri"] == neo4j_server.uri

    records, _, _ = neo4j_driver.execute_query("CREATE (a:ServerTest {name: $name}) RETURN a.name AS name", name="Ann")
    assert records[0]["name"] == "Ann"
    neo4j_driver.execute_query("MATCH (a:ServerTest) DELETE a")


def test_wrong_password_is_rejected_with_a_readable_error(neo4j_server):
    wrong = neo4j_server.model_copy(update={"password": "not-the-password"})
    with driver(wrong) as drv, pytest.raises(Neo4jError, match="rejected user 'neo4j'"):
        with neo4j_errors(wrong):
            drv.verify_connectivity()


def test_stop_restart_keeps_data(tmp_path):
    port = free_port()
    # Small memory: this server runs next to the session one.
    settings = get_settings(
        uri=f"bolt://127.0.0.1:{port}", server_port=port, data_dir=tmp_path, heap_max="1g", pagecache="256m"
    )
    try:
        first = server.start(settings=settings)
        assert first["running"] and not first["already_running"]
        assert first["address"] == f"127.0.0.1:{port}"
        assert first["version"].startswith("5.26.")
        assert (tmp_path / "neo4j.pid").read_text().strip() == str(first["pid"])
        with driver(settings) as drv:
            drv.execute_query("CREATE (:Actor {name: 'Kept'})")

        again = server.start(settings=settings)  # already running: a no-op
        assert again["already_running"] and again["pid"] == first["pid"]

        stopped = server.stop(settings=settings)
        assert stopped["stopped"] and not stopped["killed"]
        assert server.status(settings=settings)["running"] is False
        assert not (tmp_path / "neo4j.pid").exists()  # removed by the clean shutdown
        assert server.stop(settings=settings)["stopped"] is False  # nothing left to stop

        second = server.start(settings=settings)
        assert second["pid"] != first["pid"]
        with driver(settings) as drv:
            records, _, _ = drv.execute_query("MATCH (a:Actor) RETURN a.name AS name")
        assert [r["name"] for r in records] == ["Kept"]
    finally:
        server.stop(settings=settings)


def test_port_in_use_fails_clearly(neo4j_server, tmp_path):
    with pytest.raises(server.ServerError, match="cannot listen on 127.0.0.1"):
        server.start(port=neo4j_server.bolt_port, data_dir=tmp_path, settings=neo4j_server)


def test_cli_status(neo4j_server, tmp_path):
    running = runner.invoke(app, ["status", "--data-dir", str(neo4j_server.data_dir)])
    assert running.exit_code == 0, running.output
    assert "running" in running.output and "5.26." in running.output

    stopped = runner.invoke(app, ["status", "--data-dir", str(tmp_path)])
    assert stopped.exit_code == 3
    assert "not running" in stopped.output

    nothing = runner.invoke(app, ["stop", "--data-dir", str(tmp_path)])
    assert nothing.exit_code == 0 and "not running" in nothing.output


@pytest.fixture()
def csv_over_http(tmp_path):
    """A CSV file served over HTTP on loopback: what LOAD CSV must not be able to fetch."""
    (tmp_path / "x.csv").write_text("a,b\n1,2\n")
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path))
    with socketserver.TCPServer(("127.0.0.1", 0), handler) as httpd:
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
        yield f"http://127.0.0.1:{httpd.server_address[1]}/x.csv"
        httpd.shutdown()


def test_load_csv_reaches_neither_files_nor_addresses(neo4j_driver, tmp_path, csv_over_http):
    """A read-only query (kg query, the explorer's console) cannot read this machine's files or fetch URLs."""
    (tmp_path / "secret.csv").write_text("a,b\n1,2\n")
    cases = {(tmp_path / "secret.csv").as_uri(): "allow_csv_import_from_file_urls", csv_over_http: "is blocked"}
    for url, reason in cases.items():
        with pytest.raises(Exception, match=reason):
            neo4j_driver.execute_query("LOAD CSV FROM $url AS row RETURN row", url=url, routing_="r")


def test_transaction_log_retention_is_bounded(neo4j_driver):
    value = neo4j_driver.execute_query(
        "SHOW SETTINGS YIELD name, value WHERE name = 'db.tx_log.rotation.retention_policy' RETURN value"
    ).records[0]["value"]
    assert value == "256M size"


def test_a_query_past_the_transaction_memory_cap_fails_alone(neo4j_driver):
    # Memory Neo4j tracks (collecting, sorting, aggregating) is capped per transaction: such a
    # query fails alone with a memory error, and the server still answers. (A list built inside
    # one expression is not tracked by Neo4j; the explorer's own time limit covers those.)
    with pytest.raises(Neo4jError) as err, neo4j_errors():
        run_read(
            neo4j_driver,
            "WITH reduce(s = '', i IN range(1, 1000) | s + 'x') AS pad "
            "UNWIND range(1, 10000000) AS x RETURN collect(pad + x) AS xs",
        )
    assert "memory" in str(err.value).lower()
    assert neo4j_driver.execute_query("RETURN 1 AS one").records[0]["one"] == 1
    limits = dict(
        neo4j_driver.execute_query(
            "SHOW SETTINGS YIELD name, value WHERE name STARTS WITH 'db.memory.transaction' "
            "OR name STARTS WITH 'dbms.memory.transaction' RETURN name, value"
        ).records
    )
    assert limits["db.memory.transaction.max"] != "0B"
    assert limits["dbms.memory.transaction.total.max"] != "0B"
