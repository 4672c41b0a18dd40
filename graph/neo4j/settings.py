"""Connection and local-server settings, read from ``NEO4J_*`` environment variables.

The client side (URI, user, password, database) works for any Neo4j: the local
server of :mod:`graph.neo4j.server`, the Docker one, or Aura (``neo4j+s://``).
The URI is checked here (:func:`check_uri`) and then handed to the driver
untouched: the driver itself accepts ``bolt://host:7687x``, wraps port 99999
round to 34463 and fails on ``http://`` with an import error, so a malformed
URI must be refused before anything is attempted. The server side only
matters to ``kg neo4j start``. A ``.env`` file at the project root is read too.

There is no default password: without ``NEO4J_PASSWORD`` the password is the one
the local server generated at its first start, read from its password file
(:mod:`graph.neo4j.credentials`).

:func:`get_settings` is how every command reads them: a malformed value, or a
password file others may read, is a :class:`SettingsError` whose message is one
line naming the variable or the file.
"""

from __future__ import annotations

import ipaddress
import re
from pathlib import Path
from urllib.parse import urlsplit

from pydantic import Field, PrivateAttr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from .credentials import PASSWORD_FILE, PasswordFileError, read_password

PROJECT_ROOT = Path(__file__).resolve().parents[2]
ENV_PREFIX = "NEO4J_"

# What the driver speaks: Bolt to one server, neo4j:// with routing (a cluster, Aura);
# +s verifies the server's certificate, +ssc accepts a self-signed one.
URI_SCHEMES = ("bolt", "bolt+s", "bolt+ssc", "neo4j", "neo4j+s", "neo4j+ssc")
_ROUTING_SCHEMES = ("neo4j", "neo4j+s", "neo4j+ssc")
_UNPRINTABLE = re.compile(r"[\x00-\x20\x7f]")


# Default seconds to open a connection (NEO4J_CONNECT_TIMEOUT unset). On this machine a Bolt handshake and
# login take milliseconds, and stayed under 0.3 s at a load average of 20 on two cores (a live server is not
# taken for a dead one); so 1.5 s, which leaves `kg query`, `kg load` and the explorer room to tell a hung
# server within 3 s with Python's own start-up. A remote server adds TLS and, for neo4j://, a routing table
# across a network: 3 s.
LOCAL_CONNECT_TIMEOUT = 1.5
REMOTE_CONNECT_TIMEOUT = 3.0


def is_loopback(host: str) -> bool:
    """Whether ``host`` (a URI's host name, brackets off) is this machine.

    >>> is_loopback("127.0.0.1"), is_loopback("localhost"), is_loopback("::1"), is_loopback("10.0.0.5")
    (True, True, True, False)
    """
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class SettingsError(ValueError):
    """A ``NEO4J_*`` setting is malformed; the message is one line naming the variable."""


def check_uri(uri: str) -> str:
    """``uri`` if the driver can use it as written, else ValueError saying what is wrong.

    >>> check_uri("bolt://127.0.0.1:7687")
    'bolt://127.0.0.1:7687'
    >>> check_uri("bolt://127.0.0.1:99999")
    Traceback (most recent call last):
    ValueError: port 99999 is not a port number (1-65535)
    >>> check_uri("http://127.0.0.1:7474")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ValueError: scheme 'http' is not one Neo4j's driver speaks: use bolt://, bolt+s://, ... or neo4j+ssc://
    """
    m = _UNPRINTABLE.search(uri)
    if m:
        raise ValueError(
            f"contains {'a space' if m.group() == ' ' else f'the character U+{ord(m.group()):04X}'} "
            f"at position {m.start() + 1}"
        )
    scheme, sep, rest = uri.partition("://")
    schemes = ", ".join(f"{s}://" for s in URI_SCHEMES)
    if not sep:
        raise ValueError(f"not a URI such as bolt://127.0.0.1:7687 (one of {schemes})")
    if scheme not in URI_SCHEMES:
        raise ValueError(
            f"scheme {scheme!r} is not one Neo4j's driver speaks: use "
            f"{schemes.rsplit(', ', 1)[0]} or {URI_SCHEMES[-1]}://"
        )
    try:
        parts = urlsplit(uri)
    except ValueError as exc:  # "Invalid IPv6 URL"
        raise ValueError(f"not a valid address: {exc}") from None
    if "@" in parts.netloc:
        raise ValueError("holds a user name or password: put them in NEO4J_USER and NEO4J_PASSWORD")
    if not parts.hostname:
        raise ValueError("names no host, as in bolt://127.0.0.1:7687")
    port = parts.netloc.rpartition("]")[2].rpartition(":")
    if port[1]:
        digits = port[2]
        if not digits.isascii() or not digits.isdigit() or not 1 <= int(digits) <= 65535:
            if not digits:
                raise ValueError("has a ':' with no port after it")
            raise ValueError(
                f"port {digits!r} is not a port number (1-65535)"
                if not digits.isdigit()
                else f"port {digits} is not a port number (1-65535)"
            )
    if parts.path not in ("", "/"):
        raise ValueError(f"has a path ({parts.path!r}); a Neo4j URI is scheme://host:port")
    if parts.fragment:
        raise ValueError("has a #fragment; a Neo4j URI is scheme://host:port")
    if parts.query and scheme not in _ROUTING_SCHEMES:
        raise ValueError(f"has a query (?{parts.query}), which only neo4j:// URIs take (a routing context)")
    return uri


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="NEO4J_",
        env_file=PROJECT_ROOT / ".env",
        extra="ignore",  # .env also holds settings that are not ours
    )

    # --- client ---
    uri: str = "bolt://127.0.0.1:7687"
    user: str = "neo4j"
    # None: the local server's generated password, from ``password_path`` (filled in by get_settings).
    password: str | None = Field(None, repr=False)  # kept out of reprs and logs
    password_file: Path | None = None  # None: <data_dir>/password
    database: str = "neo4j"
    # Seconds to open a connection (TCP, TLS, Bolt handshake, login): a server that is down or hung is
    # told within this, instead of the driver's 30-60 s. None (the default): LOCAL_CONNECT_TIMEOUT for a
    # server on this machine, else REMOTE_CONNECT_TIMEOUT (see connect_seconds). Raise it for a slow link.
    connect_timeout: float | None = Field(None, gt=0, le=600)

    # --- local server (graph.neo4j.server) ---
    data_dir: Path = PROJECT_ROOT / ".neo4j" / "data"
    runtime_dir: Path = PROJECT_ROOT / ".neo4j" / "runtime"  # compiled launcher + classpath
    server_host: str = "127.0.0.1"  # loopback only unless asked otherwise
    server_port: int | None = Field(None, ge=1, le=65535)  # None: the port of ``uri``, so both agree by default
    heap_initial: str = "512m"
    heap_max: str = "4g"
    pagecache: str = "2g"
    # Memory one transaction, and all transactions together, may take (Neo4j's
    # db.memory.transaction.max / dbms.memory.transaction.total.max): a runaway
    # query fails alone instead of exhausting the heap. A load chunk needs ~100 MB.
    transaction_memory_max: str = "1g"
    transaction_memory_total: str = "2g"
    start_timeout: float = Field(120.0, gt=0)  # seconds; the first start also creates the system database
    # Neo4j Browser, served by the local server's HTTP connector on the same address as Bolt.
    browser: bool = False
    http_port: int = Field(7474, ge=1, le=65535)  # also docker compose's published Browser port

    # Where ``password`` came from: "NEO4J_PASSWORD" (explicit), "file" (password_path), "" (unknown).
    _password_source: str = PrivateAttr("")

    @field_validator("uri")
    @classmethod
    def _uri(cls, value: str) -> str:
        return check_uri(value)

    @field_validator("password")
    @classmethod
    def _password(cls, value: str | None) -> str | None:
        return value or None  # NEO4J_PASSWORD= (empty, as a blank .env line) means: not given

    @property
    def password_path(self) -> Path:
        """The file holding the local server's generated password."""
        return Path(self.password_file or Path(self.data_dir) / PASSWORD_FILE).expanduser()

    @property
    def password_source(self) -> str:
        """``"NEO4J_PASSWORD"`` when given explicitly, ``"file"`` when read from :attr:`password_path`, else ``""``."""
        return self._password_source

    def with_password(self, password: str, source: str) -> Settings:
        """A copy with ``password`` (from ``source``: see :attr:`password_source`)."""
        copy = self.model_copy(update={"password": password})
        copy._password_source = source
        return copy

    @property
    def connect_seconds(self) -> float:
        """``connect_timeout``, or its default for the host of ``uri``.

        >>> [Settings(uri=u, connect_timeout=None).connect_seconds for u in ("bolt://[::1]", "neo4j+s://db.example")]
        [1.5, 3.0]
        >>> Settings(uri="bolt://localhost", connect_timeout=10).connect_seconds
        10.0
        """
        if self.connect_timeout is not None:
            return self.connect_timeout
        return LOCAL_CONNECT_TIMEOUT if is_loopback(urlsplit(self.uri).hostname or "") else REMOTE_CONNECT_TIMEOUT

    @property
    def bolt_port(self) -> int:
        """Port the local server listens on."""
        if self.server_port is not None:
            return self.server_port
        return urlsplit(self.uri).port or 7687  # checked by check_uri


def get_settings(**overrides) -> Settings:
    """Fresh settings from the environment (not cached, so tests and CLI options apply at once).

    Without an explicit password (``NEO4J_PASSWORD`` or ``password=``), the one in the local server's
    password file is used if there is one (else ``password`` stays None: nothing was generated yet).

    Raises :class:`SettingsError` (one line per malformed variable, joined with "; "; or the password
    file's problem, e.g. a file others may read).
    """
    try:
        s = Settings(**overrides)
    except ValidationError as exc:
        raise SettingsError(settings_problems(exc)) from None
    if s.password is not None:
        s._password_source = "NEO4J_PASSWORD"
        return s
    try:
        stored = read_password(s.password_path)
    except PasswordFileError as exc:
        raise SettingsError(str(exc)) from None
    return s.with_password(stored, "file") if stored is not None else s


def settings_problems(exc: ValidationError) -> str:
    """The errors of :class:`Settings` in one line: ``NEO4J_URI 'bolt://x:1x': port '1x' is not ...``.

    A URI holding a password is not repeated.
    """
    told = []
    for err in exc.errors(include_url=False):
        name = ENV_PREFIX + "_".join(str(p) for p in err["loc"]).upper()
        cause = (err.get("ctx") or {}).get("error")
        message = str(cause) if cause is not None else err["msg"]
        value = err.get("input")
        shown = (
            f" {value!r}"
            if isinstance(value, str | int | float) and "@" not in str(value) and len(str(value)) <= 200
            else ""
        )
        told.append(f"{name}{shown}: {message}")
    return "; ".join(told)
