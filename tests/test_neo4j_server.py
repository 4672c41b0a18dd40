"""The local Neo4j server: a real Neo4j 5.26 started from Maven Central artifacts.

Besides the session's server (tests/conftest.py), this module starts one of its own the way a
user does: no NEO4J_PASSWORD (so it generates its password) and Neo4j Browser on, which a real
Chromium logs in to. Its tests run in file order: the password rotation and the restart come last.
"""

import functools
import http.server
import json
import socket
import socketserver
import stat
import subprocess
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import sync_playwright
from typer.testing import CliRunner

from graph.neo4j import server
from graph.neo4j.connection import Neo4jError, driver, neo4j_errors, run_read
from graph.neo4j.credentials import read_password
from graph.neo4j.settings import get_settings
from kg.neo4j_cmd import app
from tests.browser import CHROMIUM, CHROMIUM_ARGS

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


def test_the_server_starts_from_a_class_archive_that_fits_its_classpath(neo4j_server):
    # The setup trains an archive of the classes a start loads; -Xshare:on makes the JVM refuse it, instead
    # of quietly starting slower, unless it was made for this JDK and exactly this classpath.
    runtime = server.ensure_runtime()
    flags = runtime.archive_flags()
    assert any(f.startswith("-XX:SharedArchiveFile=") for f in flags)
    strict = [f for f in flags if not f.startswith("-Xshare")]
    done = subprocess.run(
        [server.java(), "-Xshare:on", *strict, "-cp", runtime.full_classpath, "-version"],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "sharing" in done.stderr
    pid = json.loads((neo4j_server.data_dir / "neo4j.json").read_text())["pid"]  # the session's server
    assert b"-XX:SharedArchiveFile=" in Path(f"/proc/{pid}/cmdline").read_bytes()


def test_wrong_password_is_rejected_with_a_readable_error(neo4j_server):
    wrong = neo4j_server.model_copy(update={"password": "not-the-password"})
    with driver(wrong) as drv, pytest.raises(Neo4jError, match="rejected user 'neo4j'"):
        with neo4j_errors(wrong):
            drv.verify_connectivity()


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


# --------------------------------------------------------------------------- a server as a user starts it


@pytest.fixture(scope="module")
def own(tmp_path_factory, neo4j_server):
    """A second server started as `kg neo4j start --browser` does on a fresh machine: no NEO4J_PASSWORD.

    Small memory: it runs next to the session's server. Its settings carry no password: every use
    finds it in the data folder's password file, as kg does.
    """
    port, http_port = free_port(), free_port()
    home = tmp_path_factory.mktemp("own-neo4j") / "data"  # not there yet: the start creates it
    settings = get_settings(
        uri=f"bolt://127.0.0.1:{port}",
        server_port=port,
        data_dir=home,
        password=None,  # the session exports NEO4J_PASSWORD; this server must make its own
        heap_max="1g",
        pagecache="256m",
    )
    assert settings.password is None
    info = server.start(settings=settings, browser=True, http_port=http_port)
    try:
        yield settings, info
    finally:
        server.stop(settings=settings)


def own_env(settings) -> dict:
    """The environment of a kg command aimed at the ``own`` server, finding its password by itself."""
    return {"NEO4J_URI": settings.uri, "NEO4J_DATA_DIR": str(settings.data_dir), "NEO4J_PASSWORD": None}


def test_first_start_generates_a_password_only_its_owner_can_read(own):
    settings, info = own
    assert info["password_created"] and not info["already_running"]
    path = settings.data_dir / "password"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(settings.data_dir.stat().st_mode) == 0o700
    password = read_password(path)
    assert len(password) == 32
    with driver(settings) as drv:  # no password in the settings: the driver finds the file
        assert drv.execute_query("RETURN 1 AS one").records[0]["one"] == 1
    shown = runner.invoke(app, ["password"], env=own_env(settings))
    assert shown.exit_code == 0 and shown.stdout == password + "\n"
    # Nothing else gets in: not the old shared default, not an empty password.
    for wrong in ("actorgraph" + "-local", "neo4j", "password"):
        with pytest.raises(Neo4jError, match="rejected user 'neo4j'"):
            with driver(settings.with_password(wrong, "NEO4J_PASSWORD")) as drv, neo4j_errors():
                drv.verify_connectivity()


def test_the_browser_is_served_and_nothing_else(own):
    settings, info = own
    browser = info["browser"]
    assert browser.startswith("http://127.0.0.1:") and f"?dbms=bolt://neo4j@127.0.0.1:{settings.bolt_port}" in browser
    root = browser.split("/browser/")[0]
    with urllib.request.urlopen(root + "/") as r:  # the discovery document: where the page finds Bolt
        assert json.load(r)["bolt_direct"] == settings.uri
    with urllib.request.urlopen(root + "/browser/") as r:
        csp = r.headers["Content-Security-Policy"]
        assert r.status == 200 and "<html" in r.read().decode().lower()
    assert "connect-src 'self' ws: wss:" in csp and "segment" not in csp and "googleapis" not in csp
    for path in ("/db/neo4j/tx/commit", "/db/neo4j/query/v2"):  # no HTTP query endpoints
        request = urllib.request.Request(root + path, data=b'{"statements": []}', method="POST")
        request.add_header("Content-Type", "application/json")
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(request)
        assert refused.value.code == 404, path


def test_chromium_logs_in_to_the_browser_and_runs_a_query(own):
    settings, info = own
    local = ("http://127.", "ws://127.", "data:")
    reached, refused = [], []  # requests for other addresses: answered / how they failed
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            page = chromium.new_page(viewport={"width": 1366, "height": 768})
            page.on("requestfinished", lambda r: None if r.url.startswith(local) else reached.append(r.url))
            page.on("requestfailed", lambda r: None if r.url.startswith(local) else refused.append(r.failure))
            page.goto(info["browser"])
            assert page.get_by_test_id("boltaddress").input_value() == f"127.0.0.1:{settings.bolt_port}"
            assert page.get_by_test_id("username").input_value() == "neo4j"
            page.get_by_test_id("password").fill(read_password(settings.data_dir / "password"))
            page.get_by_test_id("connect").click()
            connected = page.get_by_text("You are connected as user neo4j")
            try:
                connected.wait_for(timeout=30_000)
            except PlaywrightTimeout:  # seen once in CI: the form came back unconnected; connect again, as a user would
                if page.get_by_test_id("connect").is_visible():
                    page.get_by_test_id("connect").click()
                connected.wait_for(timeout=60_000)
            page.locator(".monaco-editor textarea").first.click()
            page.keyboard.type("UNWIND [20, 21] AS n RETURN n * 2 AS doubled")
            page.keyboard.press("Control+Enter")
            table = page.locator("[data-testid='frame'] table").first
            table.wait_for(timeout=60_000)
            cells = table.inner_text()
            assert "doubled" in cells and "40" in cells and "42" in cells
        finally:
            chromium.close()
    # The page asks for usage statistics and web fonts elsewhere; its Content-Security-Policy stops
    # every such request in the browser itself (offline or not), so nothing leaves the machine.
    assert reached == [] and set(refused) <= {"csp"}, (reached, refused)


def test_status_asks_the_server_at_neo4j_uri_from_another_folder(own, tmp_path):
    settings, _ = own
    env = {
        "NEO4J_URI": settings.uri,
        "NEO4J_DATA_DIR": str(tmp_path),
        "NEO4J_PASSWORD": read_password(settings.data_dir / "password"),
    }
    r = runner.invoke(app, ["status"], env=env)
    assert r.exit_code == 0, r.output
    fields = dict(line.strip().split(None, 1) for line in r.stdout.splitlines()[1:7])
    assert fields["version"].startswith("5.26.") and fields["edition"] == "community"
    assert fields["databases"] == "neo4j (default, online), system (online)"
    assert fields["browser"].startswith("http://127.0.0.1:") and fields["home"] == str(settings.data_dir)
    assert "pid" not in r.stdout  # not this folder's server: no pid file to speak of

    nothing = {**env, "NEO4J_URI": f"bolt://127.0.0.1:{free_port()}"}
    began = time.monotonic()
    r = runner.invoke(app, ["status"], env=nothing)
    assert r.exit_code == 3 and "not running (nothing answers at bolt://127.0.0.1:" in r.stdout
    assert time.monotonic() - began < 5


def test_a_browser_port_in_use_stops_the_start_with_one_line(own, tmp_path):
    settings, info = own
    taken = int(info["browser"].split(":")[2].split("/")[0])
    r = runner.invoke(
        app,
        ["start", "--browser", "--http-port", str(taken), "--port", str(free_port()), "--data-dir", str(tmp_path)],
        env={"NEO4J_PASSWORD": None},
    )
    assert r.exit_code == 1
    assert r.stderr == (
        f"error: Neo4j Browser cannot listen on 127.0.0.1:{taken}: Address already in use "
        "(another server uses it? pick a free port with --http-port)\n"
    )
    assert server.status(tmp_path)["running"] is False


def test_rotating_the_password_of_a_running_server(own):
    settings, _ = own
    path = settings.data_dir / "password"
    old = read_password(path)
    r = runner.invoke(app, ["password", "--rotate"], env=own_env(settings))
    assert r.exit_code == 0, r.output
    assert f"New password set on the server at {settings.uri}" in r.stderr
    new = read_password(path)
    assert new != old and stat.S_IMODE(path.stat().st_mode) == 0o600
    with driver(settings.with_password(new, "file")) as drv:
        drv.verify_connectivity()
    with pytest.raises(Neo4jError, match="rejected user"):
        with driver(settings.with_password(old, "file")) as drv, neo4j_errors():
            drv.verify_connectivity()


def test_stop_restart_keeps_data_and_password(own):
    settings, first = own
    password = read_password(settings.data_dir / "password")
    with driver(settings) as drv:
        drv.execute_query("CREATE (:Actor {name: 'Kept'})")

    again = server.start(settings=settings)  # already running: a no-op
    assert again["already_running"] and again["pid"] == first["pid"]

    stopped = server.stop(settings=settings)
    assert stopped["stopped"] and not stopped["killed"]
    assert server.status(settings=settings)["running"] is False
    assert not (settings.data_dir / "neo4j.pid").exists()  # removed by the clean shutdown
    assert server.stop(settings=settings)["stopped"] is False  # nothing left to stop
    r = runner.invoke(app, ["status"], env=own_env(settings))
    assert r.exit_code == 3 and "not running" in r.stdout

    second = server.start(settings=settings)
    assert second["pid"] != first["pid"] and not second["password_created"] and second["browser"] is None
    assert read_password(settings.data_dir / "password") == password
    with driver(settings) as drv:
        records, _, _ = drv.execute_query("MATCH (a:Actor) RETURN a.name AS name")
    assert [r["name"] for r in records] == ["Kept"]


def test_a_start_makes_neo4j_password_the_password_again(tmp_path):
    """The launcher checks the password with the server's own login first (milliseconds) and sets it with
    Cypher only when it does not work: a changed NEO4J_PASSWORD still wins at the next start."""
    port = free_port()
    first = get_settings(
        uri=f"bolt://127.0.0.1:{port}", server_port=port, data_dir=tmp_path / "data", password="first-password-1",
        heap_max="1g", pagecache="256m",
    )  # fmt: skip
    server.start(settings=first)
    server.stop(settings=first)
    second = first.model_copy(update={"password": "second-password-2"})
    try:
        server.start(settings=second)
        with driver(second) as drv:
            drv.verify_connectivity()
        with pytest.raises(Neo4jError, match="rejected user"):
            with driver(first) as drv, neo4j_errors():
                drv.verify_connectivity()
        server.stop(settings=second)
        server.start(settings=second)  # unchanged: no Cypher
        assert "set the password" not in (tmp_path / "data" / "neo4j.log").read_text().split("=== start")[-1]
    finally:
        server.stop(settings=second)
