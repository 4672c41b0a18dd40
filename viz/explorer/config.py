"""How an explorer is served: address, access token, limits, documents."""

from __future__ import annotations

import ipaddress
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from graph.asof import DEFAULT_HORIZON, Horizon
from graph.neo4j.settings import Settings, get_settings

TOKEN_ENV = "ACTORGRAPH_TOKEN"
TOKEN_HEADER = "X-Actorgraph-Token"


def is_loopback(host: str) -> bool:
    """Whether ``host`` only accepts connections from this machine."""
    host = host.strip("[]")
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def new_token() -> str:
    return secrets.token_urlsafe(24)


@dataclass
class ExplorerConfig:
    host: str = "127.0.0.1"
    port: int = 8000
    # Required when the host is not a loopback address; optional (but then enforced) otherwise.
    token: str | None = None
    documents: Path | None = None
    settings: Settings = field(default_factory=get_settings)
    query_timeout: float = 10.0  # seconds, for console and named queries
    row_limit: int = 2000  # rows returned by console and named queries
    byte_limit: int = 10_000_000  # bytes of JSON rows returned by console and named queries
    max_running: int = 4  # console and named queries running at once (those past their time limit included)
    request_timeout: float = 5.0  # seconds, for the page's own reads (search, expand, ...)
    # How far around its observations a fact without stated validity holds, as of a day (graph.asof).
    horizon: Horizon = DEFAULT_HORIZON

    def __post_init__(self) -> None:
        if not self.loopback and not self.token:
            raise ValueError(f"serving on {self.host} (not a loopback address) needs an access token")

    @property
    def loopback(self) -> bool:
        return is_loopback(self.host)

    def allowed_hosts(self) -> set[str] | None:
        """Host header values accepted (None: any). On loopback, only loopback names:
        a web page cannot reach the API by pointing its own domain at 127.0.0.1."""
        if not self.loopback:
            return None
        return {"127.0.0.1", "localhost", "::1", self.host.strip("[]")}
