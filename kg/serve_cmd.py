"""``kg serve``: the browser explorer (viz/explorer) over the graph in Neo4j."""

from __future__ import annotations

import os
import socket
from pathlib import Path
from typing import Annotated

import typer

from graph.neo4j.connection import Neo4jError, describe, driver
from graph.neo4j.settings import get_settings
from kg.common import KgError, out, say
from kg.view_options import look_ahead_option, look_back_option, parse_horizon


def serve(
    host: Annotated[
        str, typer.Option(help="Address to listen on. Anything but a loopback address requires an access token.")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="HTTP port.")] = 8000,
    token: Annotated[
        str | None,
        typer.Option(
            help="Access token the page must send (default: ACTORGRAPH_TOKEN; generated and printed when "
            "binding to a non-loopback address without one).",
            show_default=False,
        ),
    ] = None,
    documents: Annotated[
        Path | None,
        typer.Option(
            "--documents",
            exists=True,
            file_okay=False,
            help="Folder of the source documents: the evidence panel shows the text around each quote.",
        ),
    ] = None,
    query_timeout: Annotated[
        float, typer.Option(min=0.1, max=600, help="Seconds a console or named query may run.")
    ] = 10.0,
    row_limit: Annotated[int, typer.Option(min=1, max=100_000, help="Rows a query may return.")] = 2000,
    look_back: str | None = look_back_option("As of a date"),
    look_ahead: str | None = look_ahead_option("As of a date"),
) -> None:
    """Explore the graph in a browser: search, neighbourhoods, evidence, filters, queries, exports.

    Reads the Neo4j database of NEO4J_URI (load it with `kg load` first); everything the page does is a read.

    Example: kg serve --documents ../shared/seeds

    Example: kg serve --look-back 3m --look-ahead 2y
    """
    import uvicorn

    from viz.explorer.app import create_app
    from viz.explorer.config import TOKEN_ENV, ExplorerConfig, is_loopback, new_token

    horizon = parse_horizon(look_back, look_ahead)
    token = token or os.environ.get(TOKEN_ENV) or None
    generated = False
    if not is_loopback(host) and not token:
        token, generated = new_token(), True
    settings = get_settings()
    try:
        with driver(settings, connection_timeout=5) as d:
            d.verify_connectivity()
    except Neo4jError as exc:
        raise KgError(str(exc)) from None
    except Exception as exc:  # driver errors not wrapped by driver()
        raise KgError(describe(exc, settings)) from None
    try:  # say so plainly when the port is taken (uvicorn would log a traceback-like line)
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind((host, port))
    except OSError as exc:
        raise KgError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    config = ExplorerConfig(
        host=host,
        port=port,
        token=token,
        documents=documents,
        settings=settings,
        query_timeout=query_timeout,
        row_limit=row_limit,
        horizon=horizon,
    )
    shown_host = f"[{host}]" if ":" in host else host
    url = f"http://{shown_host}:{port}/"
    if token:
        url += f"#token={token}"
    if generated:
        out.print(f"access token (generated; set {TOKEN_ENV} to choose one): {token}")
    if not config.loopback:
        say(f"listening on {host}: reachable from the network; every request needs the access token.", label="warning")
    out.print(f"actorgraph explorer on {url}  (Neo4j {settings.uri}; Ctrl+C stops)")
    out.print(f"as-of horizon: {horizon.describe()}")
    try:
        uvicorn.run(create_app(config), host=host, port=port, log_level="warning", access_log=False)
    except OSError as exc:
        raise KgError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
