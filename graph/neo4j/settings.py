"""Connection and local-server settings, read from ``NEO4J_*`` environment variables.

The client side (URI, user, password, database) works for any Neo4j: the local
server of :mod:`graph.neo4j.server`, the Docker one, or Aura (``neo4j+s://``);
the URI is handed to the driver untouched. The server side only matters to
``kg neo4j start``. A ``.env`` file at the project root is read too.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_PASSWORD = "actorgraph-local"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="NEO4J_",
        env_file=PROJECT_ROOT / ".env",
        extra="ignore",  # .env also holds settings that are not ours
    )

    # --- client ---
    uri: str = "bolt://127.0.0.1:7687"
    user: str = "neo4j"
    password: str = Field(DEFAULT_PASSWORD, repr=False)  # kept out of reprs and logs
    database: str = "neo4j"

    # --- local server (graph.neo4j.server) ---
    data_dir: Path = PROJECT_ROOT / ".neo4j" / "data"
    runtime_dir: Path = PROJECT_ROOT / ".neo4j" / "runtime"  # compiled launcher + classpath
    server_host: str = "127.0.0.1"  # loopback only unless asked otherwise
    server_port: int | None = None  # None: the port of ``uri``, so both agree by default
    heap_initial: str = "512m"
    heap_max: str = "4g"
    pagecache: str = "2g"
    # Memory one transaction, and all transactions together, may take (Neo4j's
    # db.memory.transaction.max / dbms.memory.transaction.total.max): a runaway
    # query fails alone instead of exhausting the heap. A load chunk needs ~100 MB.
    transaction_memory_max: str = "1g"
    transaction_memory_total: str = "2g"
    start_timeout: float = 120.0  # seconds; the first start also creates the system database

    @property
    def bolt_port(self) -> int:
        """Port the local server listens on."""
        if self.server_port is not None:
            return self.server_port
        return urlsplit(self.uri).port or 7687


def get_settings(**overrides) -> Settings:
    """Fresh settings from the environment (not cached, so tests and CLI options apply at once)."""
    return Settings(**overrides)
