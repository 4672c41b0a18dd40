"""``kg serve``: the browser explorer (viz/explorer) over the graph in Neo4j."""

from __future__ import annotations

import os
import socket
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.markup import escape

from graph.neo4j.connection import Neo4jError, describe, driver
from graph.neo4j.settings import get_settings

out = Console(highlight=False)
err = Console(stderr=True, highlight=False)


def serve(
    host: Annotated[str, typer.Option(help="Address to listen on. Anything but a loopback address "
                                           "requires an access token.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="HTTP port.")] = 8000,
    token: Annotated[Optional[str], typer.Option(
        help="Access token the page must send (default: ACTORGRAPH_TOKEN; generated and printed when "
             "binding to a non-loopback address without one).", show_default=False)] = None,
    documents: Annotated[Optional[Path], typer.Option(
        "--documents", exists=True, file_okay=False,
        help="Folder of the source documents: the evidence panel shows the text around each quote.")] = None,
    query_timeout: Annotated[float, typer.Option(min=0.1, max=600, help="Seconds a console or named query "
                                                                        "may run.")] = 10.0,
    row_limit: Annotated[int, typer.Option(min=1, max=100_000, help="Rows a query may return.")] = 2000,
) -> None:
    """Explore the graph in a browser: search, neighbourhoods, evidence, filters, queries, exports.

    Reads the Neo4j database of NEO4J_URI (load it with `kg load` first); everything the page does is a read.

    Example: kg serve --documents ../shared/seeds
    """
    import uvicorn

    from viz.explorer.app import create_app
    from viz.explorer.config import TOKEN_ENV, ExplorerConfig, is_loopback, new_token

    token = token or os.environ.get(TOKEN_ENV) or None
    generated = False
    if not is_loopback(host) and not token:
        token, generated = new_token(), True
    settings = get_settings()
    try:
        with driver(settings, connection_timeout=5) as d:
            d.verify_connectivity()
    except Neo4jError as exc:
        err.print(f"[bold red]error:[/] {escape(str(exc))}")
        raise typer.Exit(1)
    except Exception as exc:  # driver errors not wrapped by driver()
        err.print(f"[bold red]error:[/] {escape(describe(exc, settings))}")
        raise typer.Exit(1)
    try:  # say so plainly when the port is taken (uvicorn would log a traceback-like line)
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind((host, port))
    except OSError as exc:
        err.print(f"[bold red]error:[/] cannot listen on {escape(host)}:{port}: {escape(exc.strerror or str(exc))}")
        raise typer.Exit(1)
    config = ExplorerConfig(host=host, port=port, token=token, documents=documents, settings=settings,
                            query_timeout=query_timeout, row_limit=row_limit)
    shown_host = f"[{host}]" if ":" in host else host
    url = f"http://{shown_host}:{port}/"
    if token:
        url += f"#token={token}"
    if generated:
        out.print(f"access token (generated; set {TOKEN_ENV} to choose one): {escape(token)}")
    if not config.loopback:
        out.print(f"[yellow]warning:[/] listening on {escape(host)}: reachable from the network; "
                  "every request needs the access token.")
    out.print(f"actorgraph explorer on {escape(url)}  (Neo4j {escape(settings.uri)}; Ctrl+C stops)")
    try:
        uvicorn.run(create_app(config), host=host, port=port, log_level="warning", access_log=False)
    except OSError as exc:
        err.print(f"[bold red]error:[/] cannot listen on {escape(host)}:{port}: {escape(exc.strerror or str(exc))}")
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
