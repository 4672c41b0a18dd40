"""``kg neo4j start|stop|status``: the local Neo4j server of :mod:`graph.neo4j.server`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from graph.neo4j import server as neo4j_server
from graph.neo4j.connection import Neo4jError, driver, neo4j_errors
from graph.neo4j.settings import get_settings
from graph.neo4j.writer import datasets
from kg.common import EXIT_NOT_RUNNING, KgError, KgGroup, out, say
from kg.load_cmd import print_datasets

SUMMARY = "Run a local Neo4j 5.26 Community server (no Docker needed; Java 17 and Maven are)."
app = typer.Typer(
    cls=KgGroup,
    rich_markup_mode=None,  # plain help: never truncated, never read as markup
    help=SUMMARY + "\n\n"
    "Connection settings come from NEO4J_URI, NEO4J_USER and NEO4J_PASSWORD.\n\n"
    "\b\nExample: kg neo4j start && kg load data && kg neo4j status",
    no_args_is_help=True,
)

DataDir = Annotated[
    Path | None,
    typer.Option(
        "--data-dir",
        help="Server home: databases, logs, pid file.",
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
) -> None:
    """Start the server in the background and wait until Bolt logins work.

    The first start fetches Neo4j from Maven Central (into ~/.m2) and compiles
    a small launcher; later starts reuse both. Does nothing if already running.

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
        )
    except (neo4j_server.ServerError, Neo4jError, OSError) as exc:
        raise KgError(str(exc)) from None
    where = f"{info['uri']} (pid {info['pid']}, data {info['data_dir']})"
    if info["already_running"]:
        out.print(f"Neo4j is already running at {where}; nothing to do.")
    else:
        version = f"Neo4j {info['version']} {info['edition'] or ''}".strip()
        out.print(Text.assemble((f"{version} is running", "green"), f" at {where}, started in {info['seconds']:.1f}s."))
        out.print(f"Log: {info['log_file']}")
    if info["address"] and not info["address"].startswith(("127.", "[::1]", "localhost")):
        _warn(f"listening on {info['address']}: reachable from the network (password authentication is on).")
    if info["uri"] != settings.uri:
        out.print(f"Other kg commands use NEO4J_URI={settings.uri}; to use this server: export NEO4J_URI={info['uri']}")


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
    """Show whether the server runs, where it listens, its version, and the datasets it holds.

    Each dataset is shown with its load state: "complete", or "loading" / "unloading" when a
    load or unload stopped half-way (run it again to complete it).

    Exit code: 0 running, 3 not running, 1 running but not answering.

    Example: kg neo4j status --data-dir /tmp/kg-test
    """
    settings = get_settings()
    try:
        info = neo4j_server.status(data_dir=data_dir, settings=settings)
    except (neo4j_server.ServerError, OSError) as exc:
        raise KgError(str(exc)) from None
    if not info["running"]:
        out.print(
            Text.assemble(
                "Neo4j is ", ("not running", "bold"), f" (data {info['data_dir']}). Start it with: kg neo4j start"
            )
        )
        raise typer.Exit(EXIT_NOT_RUNNING)
    out.print(Text.assemble("Neo4j is ", ("running", "bold green")))
    grid = Table.grid(padding=(0, 2))
    for key in ("address", "uri", "version", "edition", "pid", "data_dir", "log_file"):
        grid.add_row(Text(key), Text(str(info[key])))
    out.print(grid)
    if "error" in info:
        raise KgError(f"the server does not answer queries: {info['error']}")
    client = settings.model_copy(update={"uri": info["uri"]})
    try:
        with neo4j_errors(client), driver(client, connection_timeout=5, notifications_min_severity="OFF") as drv:
            states = datasets(drv, settings.database)
    except Neo4jError as exc:
        raise KgError(f"cannot list the datasets of database {settings.database}: {exc}") from None
    out.print(f"datasets in database {settings.database}:")
    print_datasets(states)
