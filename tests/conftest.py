"""Shared fixtures.

``neo4j_server`` runs a real Neo4j 5.26 (graph.neo4j.server) once per session,
on a free loopback port with a throw-away data directory. Without Java or
Maven it errors out: these tests must fail, not skip, when Neo4j cannot run.
Each session's server has a password of its own (no shared default exists).
"""

import socket

import pytest

from graph.neo4j import server
from graph.neo4j.connection import driver
from graph.neo4j.credentials import new_password
from graph.neo4j.settings import Settings, get_settings


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def neo4j_server(tmp_path_factory) -> Settings:
    """Settings (``.uri``, ``.user``, ``.password``, ``.data_dir``...) of a running test server.

    NEO4J_URI, NEO4J_USER and NEO4J_PASSWORD point at it for the whole session,
    so code that calls ``get_settings()`` on its own (the CLI) uses it too.
    """
    port = free_port()
    settings = get_settings(
        uri=f"bolt://127.0.0.1:{port}",
        server_port=port,
        data_dir=tmp_path_factory.mktemp("neo4j"),
        password=new_password(),
    )
    server.start(settings=settings)
    with pytest.MonkeyPatch.context() as mp:
        for name, value in (
            ("NEO4J_URI", settings.uri),
            ("NEO4J_USER", settings.user),
            ("NEO4J_PASSWORD", settings.password),
        ):
            mp.setenv(name, value)
        try:
            yield settings
        finally:
            server.stop(settings.data_dir, settings=settings)


@pytest.fixture(scope="session")
def neo4j_driver(neo4j_server):
    """A driver connected to the session's test server."""
    with driver(neo4j_server) as drv:
        yield drv
