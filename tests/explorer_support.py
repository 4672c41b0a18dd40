"""What the explorer tests share: the dataset they load and a real HTTP server for the browser."""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path

import uvicorn

from graph.neo4j.connection import driver
from graph.neo4j.mapping import FactRows
from graph.neo4j.settings import Settings
from graph.neo4j.writer import load_rows
from loaders import load_facts
from tests.paths import DATA, ROOT, SEEDS

# The dataset the explorer tests browse: the curated seed data (one line to change).
EXPLORER_DATA = DATA
EXPLORER_DOCS = SEEDS
HOSTILE = ROOT / "tests" / "fixtures" / "explorer_hostile"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def reload(settings: Settings, datasets: dict[str, Path]) -> None:
    """Empty the database, then load each fact folder as its own dataset (as `kg load` does)."""
    with driver(settings) as drv:
        with drv.session(database=settings.database) as session:  # IN TRANSACTIONS needs an auto-commit query
            session.run("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS").consume()
        for name, path in datasets.items():
            load_rows(drv, FactRows(load_facts([path]), name))


def counts(settings: Settings) -> tuple[int, int, int]:
    """Nodes, relationships and the sum of property counts: any write changes one of them."""
    with driver(settings) as drv:
        rec = drv.execute_query(
            "CALL () { MATCH (n) RETURN count(n) AS nodes, sum(size(keys(n))) AS np } "
            "CALL () { MATCH ()-[r]->() RETURN count(r) AS rels, sum(size(keys(r))) AS rp } "
            "RETURN nodes, rels, np + rp AS props"
        ).records[0]
        return rec["nodes"], rec["rels"], rec["props"]


class ServerThread:
    """A real uvicorn server for an app, on a loopback port, in a background thread."""

    def __init__(self, app, host: str = "127.0.0.1", port: int | None = None):
        self.host, self.port = host, port or free_port()
        self.server = uvicorn.Server(
            uvicorn.Config(app, host=self.host, port=self.port, log_level="warning", access_log=False, lifespan="on")
        )
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}/"

    def __enter__(self) -> ServerThread:
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"the explorer did not start on {self.url}")
            time.sleep(0.05)
        return self

    def __exit__(self, *exc) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=15)
