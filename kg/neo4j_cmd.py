"""``kg neo4j start|stop|status|password``: the local Neo4j server of :mod:`graph.neo4j.server`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from graph.neo4j import server as neo4j_server
from graph.neo4j.connection import Neo4jError, driver, neo4j_errors
from graph.neo4j.measures import measures_state
from graph.neo4j.settings import Settings, get_settings
from graph.neo4j.writer import datasets
from kg.common import EXIT_NOT_RUNNING, KgError, KgGroup, err, out, say
from kg.load_cmd import print_datasets

SUMMARY = "Run a local Neo4j 5.26 Community server (no Docker needed; Java 17 and Maven are)."
app = typer.Typer(
    cls=KgGroup,
    rich_markup_mode=None,  # plain help: never truncated, never read as markup
    help=SUMMARY + "\n\n"
    "Connection settings come from NEO4J_URI, NEO4J_USER and NEO4J_PASSWORD. Without NEO4J_PASSWORD, "
    "the password is the one the first start generated (kg neo4j password shows it).\n\n"
    "\b\nExample: kg neo4j start --browser && kg load data && kg neo4j status",
    no_args_is_help=True,
)

DataDir = Annotated[
    Path | None,
    typer.Option(
        "--data-dir",
        help="Server home: databases, logs, pid file, password file.",
        show_default="NEO4J_DATA_DIR or ./.neo4j/data",
        file_okay=False,
    ),
]


def _warn(message: str) -> None:
    say(message, label="warning")


@app.command()
def start(
    port: Annotated[
        int | None,
        typer.Option(
            min=1, max=65535, help="Bolt port.", show_default="NEO4J_SERVER_PORT, else the port of NEO4J_URI: 7687"
        ),
    ] = None,
    data_dir: DataDir = None,
    host: Annotated[
        str | None,
        typer.Option(
            help="Address to listen on. Use 0.0.0.0 only to expose the database to the network on purpose.",
            show_default="NEO4J_SERVER_HOST or 127.0.0.1",
        ),
    ] = None,
    timeout: Annotated[
        float | None, typer.Option(min=1, help="Seconds to wait for Bolt.", show_default="NEO4J_START_TIMEOUT or 120")
    ] = None,
    browser: Annotated[
        bool | None,
        typer.Option(
            "--browser/--no-browser",
            help="Also serve Neo4j Browser over HTTP, on the same address as Bolt (login: user neo4j, "
            "the password of kg neo4j password).",
            show_default="NEO4J_BROWSER or off",
        ),
    ] = None,
    http_port: Annotated[
        int | None,
        typer.Option(min=1, max=65535, help="Port of Neo4j Browser.", show_default="NEO4J_HTTP_PORT or 7474"),
    ] = None,
) -> None:
    """Start the server in the background and wait until Bolt logins work.

    The first start fetches Neo4j from Maven Central (into ~/.m2) and compiles
    a small launcher; later starts reuse both. Does nothing if already running.
    The first start also generates the server's password (unless NEO4J_PASSWORD
    is set) into a file only you can read, where every kg command finds it.

    Exit code: 0 running; 1 it could not start (a port in use, a password file
    others may read, Java or Maven missing; the message says which).

    Example: kg neo4j start --browser

    Example: kg neo4j start --port 7688 --data-dir /tmp/kg-test
    """
    settings = get_settings()
    try:
        info = neo4j_server.start(
            port=port,
            data_dir=data_dir,
            host=host,
            timeout=timeout,
            settings=settings,
            progress=lambda msg: out.print(msg),
            browser=browser,
            http_port=http_port,
        )
    except (neo4j_server.ServerError, Neo4jError, OSError) as exc:
        raise KgError(str(exc)) from None
    where = f"{info['uri']} (pid {info['pid']}, data {info['data_dir']})"
    if info["already_running"]:
        out.print(f"Neo4j is already running at {where}; nothing to do.")
        if browser and not info["browser"]:
            _warn("it runs without Neo4j Browser: stop it and start it again with --browser")
    else:
        version = f"Neo4j {info['version']} {info['edition'] or ''}".strip()
        out.print(Text.assemble((f"{version} is running", "green"), f" at {where}, started in {info['seconds']:.1f}s."))
        out.print(f"Log: {info['log_file']}")
    if info["browser"]:
        out.print(f"Neo4j Browser: {info['browser']} (user {settings.user}; password: kg neo4j password)")
    if info.get("password_created"):
        shown = neo4j_server.password_info(info["data_dir"], settings)["path"]
        out.print(f"Generated the password of user {settings.user}, readable by you only: {shown}")
    if info["address"] and not info["address"].startswith(("127.", "[::1]", "localhost")):
        also = " (Bolt and Neo4j Browser)" if info["browser"] else ""
        _warn(f"listening on {info['address']}{also}: reachable from the network (password authentication is on).")
    _tell_how_to_reach(info, settings)


def _tell_how_to_reach(info: dict, settings: Settings) -> None:
    """What to export so that other kg commands use this server, when their settings point elsewhere."""
    exports = []
    if info["uri"] != settings.uri:
        exports.append(f"NEO4J_URI={info['uri']}")
    if settings.password_source != "NEO4J_PASSWORD" and Path(info["data_dir"]) != Path(settings.data_dir).resolve():
        exports.append(f"NEO4J_DATA_DIR={info['data_dir']}")  # where its password file is
    if exports:
        out.print(f"Other kg commands use NEO4J_URI={settings.uri}; to use this server: export {' '.join(exports)}")


@app.command()
def stop(
    data_dir: DataDir = None,
    timeout: Annotated[
        float, typer.Option(min=1, help="Seconds to wait for a clean shutdown before killing the server.")
    ] = 120.0,
) -> None:
    """Stop the server cleanly (SIGTERM; Neo4j checkpoints and closes its stores).

    Succeeds also when nothing is running.

    Example: kg neo4j stop --data-dir /tmp/kg-test
    """
    try:
        result = neo4j_server.stop(data_dir=data_dir, timeout=timeout)
    except (neo4j_server.ServerError, OSError) as exc:
        raise KgError(str(exc)) from None
    if not result["stopped"]:
        out.print(f"Neo4j is not running (data {result['data_dir']}); nothing to do.")
    elif result["killed"]:
        _warn(
            f"Neo4j (pid {result['pid']}) did not stop within {timeout:.0f}s and was killed; "
            "the next start will run recovery."
        )
    else:
        out.print(f"Stopped Neo4j (pid {result['pid']}) in {result['seconds']:.1f}s.")


@app.command()
def status(data_dir: DataDir = None) -> None:
    """Ask the server at NEO4J_URI what it is: version, edition, databases, Neo4j Browser's
    address, its folder (when local), and the datasets it holds.

    The answer comes from the server itself, wherever it runs (this folder's server, another
    folder's, Docker, a remote one); the local server's pid and log are added when it is this
    data folder's. With --data-dir: the server of that data folder, wherever it listens.

    Each dataset is shown with its load state: "complete", or "loading" / "unloading" when a
    load or unload stopped half-way (run it again to complete it). Measures stored by
    `kg analyze --write` are named, with a warning when they were computed on other files than
    those loaded since.

    Exit code: 0 running, 3 not running (nothing answers), 1 running but not answering queries
    (still starting, or it refused the login).

    Example: kg neo4j status

    Example: kg neo4j status --data-dir /tmp/kg-test
    """
    settings = get_settings()
    try:
        local = neo4j_server.status(data_dir=data_dir, settings=settings)
    except (neo4j_server.ServerError, OSError) as exc:
        raise KgError(str(exc)) from None
    if data_dir is not None:  # that folder's server, wherever it listens
        if not local["running"]:
            _not_running(f"data {local['data_dir']}")
        client = neo4j_server.password_settings(local["data_dir"], settings).model_copy(update={"uri": local["uri"]})
    else:
        client = settings
    info = neo4j_server.probe(client)
    if info["unreachable"] and not (local["running"] and local["uri"] == client.uri):
        if local["running"]:  # this folder's server listens elsewhere
            say(f"the server of data {local['data_dir']} runs at {local['uri']}: export NEO4J_URI={local['uri']}")
        _not_running(f"nothing answers at {client.uri}; data {local['data_dir']}")
    ours = local["running"] and local["uri"] == client.uri
    out.print(Text.assemble("Neo4j is ", ("running", "bold green")))
    rows = [
        ("uri", info["uri"]),
        ("version", info["version"]),
        ("edition", info["edition"]),
        ("databases", ", ".join(_database(d) for d in info["databases"]) or None),
        ("browser", info["browser"] or (local["browser"] if ours else None) or _no_browser(info, ours)),
        ("home", info["home"] or (local["data_dir"] if ours else None)),
    ]
    if ours:
        rows += [("pid", local["pid"]), ("log_file", local["log_file"])]
    grid = Table.grid(padding=(0, 2))
    for key, value in rows:
        grid.add_row(Text(key), Text("" if value is None else str(value)))
    out.print(grid)
    if info["error"]:
        raise KgError(f"the server does not answer queries: {info['error']}")
    try:
        with neo4j_errors(client), driver(client, connection_timeout=5, notifications_min_severity="OFF") as drv:
            states = datasets(drv, settings.database)
            stored = [measures_state(drv, d.name, settings.database) for d in states]
    except Neo4jError as exc:
        raise KgError(f"cannot list the datasets of database {settings.database}: {exc}") from None
    out.print(f"datasets in database {settings.database}:")
    print_datasets(states)
    for m in stored:  # measures written by `kg analyze --write`: said, and warned of when the files changed since
        line = m.describe()
        if line:
            say(line, label="warning") if m.stale else out.print(line)


def _no_browser(info: dict, ours: bool) -> str:
    if not info["settings_seen"]:
        return "unknown (the server does not show its settings)"
    return "off (kg neo4j start --browser)" if ours else "off"


def _not_running(where: str) -> None:
    out.print(Text.assemble("Neo4j is ", ("not running", "bold"), f" ({where}). Start it with: kg neo4j start"))
    raise typer.Exit(EXIT_NOT_RUNNING)


def _database(d: dict) -> str:
    """``neo4j (default, online)``."""
    notes = (["default"] if d.get("default") else []) + [str(d.get("status") or "unknown")]
    return f"{d['name']} ({', '.join(notes)})"


@app.command()
def password(
    data_dir: DataDir = None,
    rotate: Annotated[
        bool,
        typer.Option(
            "--rotate", help="Replace it with a new one: on the running server at once, and in the password file."
        ),
    ] = False,
) -> None:
    """Show the password kg uses for the local server (for Neo4j Browser, cypher-shell, a driver).

    Without NEO4J_PASSWORD it is the one the first `kg neo4j start` generated, kept in the data
    folder's password file (mode 0600); with NEO4J_PASSWORD set, that one. The password goes to
    stdout alone (export NEO4J_PASSWORD=$(kg neo4j password) works), where it came from to stderr.

    Exit code: 0 shown or rotated; 1 none generated yet, or the rotation failed (the old password
    stays); 2 a password file others may read (it is refused: chmod 600 it, then rotate).

    Example: kg neo4j password

    Example: kg neo4j password --rotate
    """
    settings = get_settings()
    try:
        if rotate:
            done = neo4j_server.rotate_password(data_dir=data_dir, settings=settings)
            if done["running"]:
                err.print(f"New password set on the server at {done['uri']} and stored in {done['path']}.")
            else:
                err.print(f"New password stored in {done['path']}; the server takes it at its next start.")
            return
        info = neo4j_server.password_info(data_dir=data_dir, settings=settings)
    except (neo4j_server.ServerError, OSError) as exc:
        raise KgError(str(exc)) from None
    if info["password"] is None:
        raise KgError(f"no password yet: the first `kg neo4j start` generates one into {info['path']}")
    out.print(info["password"])
    err.print("from NEO4J_PASSWORD" if info["source"] == "NEO4J_PASSWORD" else f"from {info['path']}")
