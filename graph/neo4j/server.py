"""A real Neo4j 5.26 Community server on this machine, without Docker.

The engine comes from Maven Central (``graph/neo4j/launcher/pom.xml``) and runs
embedded in a one-file Java launcher (``ActorgraphNeo4j.java``) that opens a
Bolt connector. :func:`ensure_runtime` resolves the jars into ``~/.m2`` and
compiles the launcher into ``<runtime_dir>`` once; later starts reuse both.

A data directory is a Neo4j home and holds, besides ``data/`` and ``logs/``:

* ``neo4j.pid``  - written by the Java process, removed on clean shutdown;
* ``neo4j.json`` - pid, host and ports, written here so status/stop can find it;
* ``neo4j.log``  - the launcher's stdout/stderr (Neo4j's user log), appended;
* ``password``   - the password generated at the first start, mode 0600 (:mod:`.credentials`);
* ``.start.lock`` - taken while starting, so concurrent starts do not race.

Authentication is on: the server makes the password (``NEO4J_PASSWORD`` if set, else
the generated one) the password of ``NEO4J_USER`` at every start (see
``ActorgraphNeo4j.ensureUser``). With ``browser`` the server also serves Neo4j Browser
over HTTP on the same address (:func:`browser_url`).

:func:`status` is about one data folder's server (its pid file, then a login);
:func:`probe` asks whatever answers at ``NEO4J_URI`` (version, databases, Browser,
home folder), local or not.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from neo4j import exceptions as nx

from .connection import Neo4jError, describe, driver
from .credentials import PASSWORD_FILE, PasswordFileError, ensure_password, new_password, read_password, write_password
from .settings import Settings, SettingsError, get_settings

SOURCE_DIR = Path(__file__).with_name("launcher")
POM = SOURCE_DIR / "pom.xml"
JAVA_SOURCE = SOURCE_DIR / "src" / "main" / "java" / "actorgraph" / "neo4j" / "ActorgraphNeo4j.java"
MAIN_CLASS = "actorgraph.neo4j.ActorgraphNeo4j"
READY_MARKER = b"actorgraph-neo4j: ready"  # printed by the launcher once logins work
FAILED_MARKER = "actorgraph-neo4j: failed to start:"
PID_FILE, STATE_FILE, LOG_FILE = "neo4j.pid", "neo4j.json", "neo4j.log"
_STACK_FRAME = re.compile(r"^\s+(at |\.\.\. \d+ more)")

# A subset of the flags Neo4j's own neo4j.conf passes to its JVM: without the
# add-opens the page cache falls back to a slower buffer mode (it warns so).
JVM_FLAGS = (
    "-XX:+UseG1GC",
    "-XX:-OmitStackTraceInFastThrow",
    "-XX:+DisableExplicitGC",
    # A query that exhausts the heap (Neo4j does not track every allocation) ends the server at
    # once instead of leaving it unresponsive: `kg neo4j status` then says so and a start recovers.
    "-XX:+ExitOnOutOfMemoryError",
    "-Djdk.nio.maxCachedBufferSize=1024",
    "-Dio.netty.tryReflectionSetAccessible=true",
    "-Dlog4j2.disable.jmx=true",
    "--add-opens=java.base/java.nio=ALL-UNNAMED",
    "--add-opens=java.base/java.io=ALL-UNNAMED",
    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
)

Progress = Callable[[str], None]

# Servers started by this Python process: polling their Popen reaps them, so a
# stopped server is not mistaken for a live one while it is a zombie.
_children: dict[int, subprocess.Popen] = {}


class ServerError(Exception):
    """The local server could not be set up, started or stopped; the message says why."""


@dataclass(frozen=True)
class Runtime:
    classes: Path  # the compiled launcher, as a jar (class data sharing archives classes from jars only)
    classpath: str  # the Neo4j jars in ~/.m2, os.pathsep-separated

    @property
    def full_classpath(self) -> str:
        return f"{self.classes}{os.pathsep}{self.classpath}"

    def archive_flags(self) -> list[str]:
        """JVM flags that map the server's class archive when there is one.

        A JVM start spends seconds loading and verifying Neo4j's classes; an archive made by a training
        run at setup (:func:`_train_archive`) maps them ready-made instead: measured here, a server start
        8.4 s -> 5.6 s (and 3.9 s once the launcher checked the password without Cypher). An archive the
        JVM cannot use (another JDK, a jar changed in ~/.m2) is ignored quietly (``-Xshare:auto``), which
        costs only that time again.
        """
        archive = self.classes.parent / SERVER_ARCHIVE
        if not archive.is_file():
            return []
        return ["-Xshare:auto", f"-XX:SharedArchiveFile={archive}", "-Xlog:cds=off", "-Xlog:cds+dynamic=off"]


# --------------------------------------------------------------------------- runtime


def ensure_runtime(settings: Settings | None = None, progress: Progress | None = None) -> Runtime:
    """Fetch Neo4j from Maven Central and compile the launcher, unless already done.

    Redone automatically when pom.xml or the Java source change, or when jars
    went missing from ~/.m2. Safe to call from concurrent processes (file lock).
    """
    s = settings or get_settings()
    say = progress or (lambda _msg: None)
    runtime_dir = Path(s.runtime_dir).resolve()
    runtime_dir.mkdir(parents=True, exist_ok=True)
    mvn, javac = _tool("mvn"), _tool("javac")
    _tool("java")  # checked now so that CI setup fails early, not at the first start
    stamp = hashlib.sha256(POM.read_bytes() + b"\0" + JAVA_SOURCE.read_bytes()).hexdigest()

    with open(runtime_dir / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        cached = _cached_runtime(runtime_dir, stamp)
        if cached:
            return cached
        (runtime_dir / "stamp").unlink(missing_ok=True)
        cp_file = runtime_dir / "classpath.txt"
        say("Resolving the Neo4j jars with Maven (downloaded into ~/.m2 the first time)...")
        _run(
            [mvn, "-B", "-q", "-f", str(POM), "dependency:build-classpath", f"-Dmdep.outputFile={cp_file}"],
            "resolving the Neo4j artifacts with Maven",
        )
        classpath = cp_file.read_text().strip()
        say("Compiling the launcher...")
        classes = runtime_dir / "classes"
        shutil.rmtree(classes, ignore_errors=True)
        _run(
            [javac, "--release", "17", "-nowarn", "-d", str(classes), "-cp", classpath, str(JAVA_SOURCE)],
            "compiling ActorgraphNeo4j.java (Neo4j 5.26 needs JDK 17 or 21)",
        )
        runtime = Runtime(_jar(classes, runtime_dir / LAUNCHER_JAR), classpath)
        say("Training the server's class archive (quicker starts)...")
        _train_archive(runtime, runtime_dir, say)
        (runtime_dir / "stamp").write_text(stamp)  # last, so a half-built runtime is redone
        return runtime


def _cached_runtime(runtime_dir: Path, stamp: str) -> Runtime | None:
    stamp_file, cp_file = runtime_dir / "stamp", runtime_dir / "classpath.txt"
    launcher = runtime_dir / LAUNCHER_JAR
    if not (stamp_file.is_file() and stamp_file.read_text() == stamp and cp_file.is_file()):
        return None
    classpath = cp_file.read_text().strip()
    if not launcher.is_file():
        return None
    if not all(Path(jar).is_file() for jar in classpath.split(os.pathsep)):
        return None  # ~/.m2 was cleaned
    return Runtime(launcher, classpath)


def _jar(classes: Path, jar: Path) -> Path:
    """The compiled classes as a jar (a zip: the classpath needs no manifest), written whole or not at all."""
    tmp = jar.with_suffix(".tmp")
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(classes.rglob("*.class")):
            zf.write(path, path.relative_to(classes).as_posix())
    os.replace(tmp, jar)
    return jar


# --------------------------------------------------------------------------- class data sharing

LAUNCHER_JAR = "launcher.jar"
SERVER_ARCHIVE = "server.jsa"
_TRAINING_SECONDS = 300.0


def _train_archive(runtime: Runtime, runtime_dir: Path, say: Progress) -> None:
    """Run the server once with ``-XX:ArchiveClassesAtExit`` (JDK 13+): the JVM writes the classes it loaded
    into an archive as it exits, which later starts map (:meth:`Runtime.archive_flags`).

    Only the server's: the offline importer's start is a small part of its fixed cost (an archive made the
    same way measured no gain). Best effort: a run that fails leaves no archive, and starts only take their
    usual time.
    """
    archive = runtime_dir / SERVER_ARCHIVE
    archive.unlink(missing_ok=True)
    tmp = archive.with_suffix(".tmp")
    tmp.unlink(missing_ok=True)
    with tempfile.TemporaryDirectory(prefix="actorgraph-training-") as home:
        try:
            _train_server(runtime, Path(home), f"-XX:ArchiveClassesAtExit={tmp}")
        except (OSError, subprocess.SubprocessError, ServerError, Neo4jError, nx.Neo4jError) as exc:
            say(f"note: no class archive ({exc}); the server starts, a few seconds slower")
            tmp.unlink(missing_ok=True)
            return
    if tmp.is_file():
        os.replace(tmp, archive)


def _train_server(runtime: Runtime, home: Path, archive_flag: str) -> None:
    """Start the launcher on a throwaway home, log in and run a few statements, stop it cleanly."""
    s = get_settings(password=new_password(), data_dir=home)
    port = _free_port()
    cmd, env = _launcher(runtime, home, "127.0.0.1", port, s, [archive_flag], pagecache="64m")
    log_path = home / LOG_FILE
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(cmd, cwd=home, env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)
    try:
        _wait_until_ready(proc, log_path, 0, "127.0.0.1", port, s, _TRAINING_SECONDS)
        client = _client_settings("127.0.0.1", port, s)
        with driver(client, connection_timeout=30) as drv:
            for statement in _TRAINING_STATEMENTS:
                drv.execute_query(statement)
        proc.send_signal(signal.SIGTERM)  # the archive is written as the JVM exits
        code = proc.wait(_TRAINING_SECONDS)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    if code not in (0, 128 + signal.SIGTERM):  # how a JVM ends on SIGTERM once its shutdown hooks ran
        raise ServerError(f"the training server exited with code {code}")


# What every load and query does first: schema, a write batch, a read.
_TRAINING_STATEMENTS = (
    "CREATE CONSTRAINT training_id IF NOT EXISTS FOR (n:Training) REQUIRE n.id IS UNIQUE",
    "CREATE FULLTEXT INDEX training_text IF NOT EXISTS FOR (n:Training) ON EACH [n.name]",
    "CALL db.awaitIndexes(60)",
    "UNWIND range(1, 100) AS i MERGE (n:Training {id: i}) SET n.name = 'n' + i",
    "MATCH (a:Training {id: 1}), (b:Training {id: 2}) MERGE (a)-[r:KNOWS]->(b) SET r.since = date()",
    "MATCH (n:Training)-[r]->(m) RETURN n.id, type(r), m.id LIMIT 10",
    "SHOW INDEXES YIELD name, type RETURN name, type",
)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _tool(name: str) -> str:
    # JAVA_HOME wins for the JDK tools, as it does for Maven itself.
    java_home = os.environ.get("JAVA_HOME")
    if name in ("java", "javac") and java_home and (Path(java_home) / "bin" / name).is_file():
        return str(Path(java_home) / "bin" / name)
    found = shutil.which(name)
    if not found:
        need = "Maven 3.6+" if name == "mvn" else "a JDK 17 or 21"
        raise ServerError(
            f"`{name}` not found on PATH: the local Neo4j server needs {need} "
            "(e.g. apt-get install openjdk-17-jdk-headless maven)"
        )
    return found


def java() -> str:
    """The ``java`` that runs the server, for Neo4j's own tools too (the offline importer: graph.neo4j.bulk)."""
    return _tool("java")


def _run(cmd: list[str], what: str) -> None:
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode != 0:
        tail = "\n".join((done.stdout + done.stderr).strip().splitlines()[-15:])
        raise ServerError(f"failed {what} (exit code {done.returncode}):\n{tail}")


# --------------------------------------------------------------------------- start / stop / status


def start(
    port: int | None = None,
    data_dir: str | Path | None = None,
    host: str | None = None,
    wait: bool = True,
    timeout: float | None = None,
    settings: Settings | None = None,
    progress: Progress | None = None,
    *,
    browser: bool | None = None,
    http_port: int | None = None,
) -> dict:
    """Start the server in the background and, with ``wait``, return once Bolt logins work.

    ``browser`` (default ``NEO4J_BROWSER``): also serve Neo4j Browser on ``http_port`` (default
    ``NEO4J_HTTP_PORT``, 7474), same host as Bolt. Without an explicit password the first start
    generates one into the data folder's password file (``password_created`` in the result).

    Returns :func:`status` plus ``already_running`` (then nothing was done), ``seconds`` and
    ``password_created``. Raises :class:`ServerError` with the end of the log on failure.
    """
    s = settings or get_settings()
    d = _data_dir(data_dir, s)
    if not d.exists():
        d.mkdir(parents=True, mode=0o700)  # the databases and the password file are the user's alone
    # Serialises starts on one data dir: a second caller waits, then finds it running.
    with open(d / ".start.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        current = status(d, s)
        if current["running"]:
            return {**current, "already_running": True, "seconds": 0.0, "password_created": False}
        s, created = _own_password(d, s)
        browser = s.browser if browser is None else browser
        web = (http_port or s.http_port) if browser else None
        info = _start(d, host or s.server_host, port or s.bolt_port, wait, timeout, s, progress, web)
        return {**info, "password_created": created}


def _own_password(d: Path, s: Settings) -> tuple[Settings, bool]:
    """``s`` with the password the server of ``d`` is to use: NEO4J_PASSWORD if given, else the one in
    its password file, generated now if there is none yet."""
    if s.password_source == "NEO4J_PASSWORD":
        return s, False
    try:
        password, created = ensure_password(_password_path(d, s))
    except (PasswordFileError, OSError) as exc:
        raise ServerError(str(exc)) from None
    return s.with_password(password, "file"), created


def _password_path(d: Path, s: Settings) -> Path:
    return Path(s.password_file).expanduser() if s.password_file else d / PASSWORD_FILE


def password_settings(data_dir: str | Path | None = None, settings: Settings | None = None) -> Settings:
    """``settings`` with the password of ``data_dir``'s server (unless NEO4J_PASSWORD was given explicitly)."""
    s = settings or get_settings()
    return _settings_for(_data_dir(data_dir, s), s)


def _settings_for(d: Path, s: Settings) -> Settings:
    """``s`` with the password of the server of ``d`` (unless NEO4J_PASSWORD was given explicitly)."""
    if s.password_source == "NEO4J_PASSWORD":
        return s
    try:
        found = read_password(_password_path(d, s))
    except PasswordFileError as exc:
        raise SettingsError(str(exc)) from None
    return s.with_password(found, "file") if found is not None else s


def _start(
    d: Path,
    host: str,
    port: int,
    wait: bool,
    timeout: float | None,
    s: Settings,
    progress: Progress | None,
    http_port: int | None = None,
) -> dict:
    began = time.monotonic()
    _check_port_free(host, port)
    if http_port:
        if http_port == port:
            raise ServerError(f"the Browser's HTTP port and the Bolt port are both {port}: pick another --http-port")
        _check_port_free(host, http_port, what="Neo4j Browser", option="--http-port")
    runtime = ensure_runtime(s, progress)
    log_path = d / LOG_FILE
    cmd, env = _launcher(runtime, d, host, port, s, runtime.archive_flags(), http_port=http_port)
    with open(log_path, "ab") as log:
        log.write(f"\n=== start {time.strftime('%Y-%m-%d %H:%M:%S')} {host}:{port} ===\n".encode())
        log.flush()
        offset = log.tell()
        if progress:
            progress(f"Starting Neo4j on {_address(host, port)} (data in {d})...")
        # A session of its own: the server outlives the CLI and ignores its Ctrl-C.
        proc = subprocess.Popen(
            cmd, cwd=d, env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    _children[proc.pid] = proc
    (d / STATE_FILE).write_text(json.dumps({"pid": proc.pid, "host": host, "port": port, "http_port": http_port}))

    if not wait:
        described = _describe(d, proc.pid, host, port, s, http_port)
        return {**described, "already_running": False, "seconds": time.monotonic() - began}
    try:
        _wait_until_ready(proc, log_path, offset, host, port, s, timeout or s.start_timeout)
    except ServerError:
        _forget(d)  # the process is gone by now
        raise
    return {**status(d, s), "already_running": False, "seconds": time.monotonic() - began}


def stop(data_dir: str | Path | None = None, timeout: float = 120.0, settings: Settings | None = None) -> dict:
    """Stop the server of ``data_dir`` with SIGTERM (a clean shutdown), SIGKILL after ``timeout``.

    Returns ``{"stopped": bool, "pid", "killed", "seconds", "data_dir"}``; ``stopped``
    is False when nothing was running.
    """
    s = settings or get_settings()
    d = _data_dir(data_dir, s)
    pid = _read_state(d).get("pid")
    if not pid or not _alive(pid):
        _forget(d)
        return {"stopped": False, "pid": None, "killed": False, "seconds": 0.0, "data_dir": str(d)}
    began = time.monotonic()
    os.kill(pid, signal.SIGTERM)  # the launcher's shutdown hook checkpoints and closes the stores
    killed = not _wait_gone(pid, timeout)
    if killed:
        os.kill(pid, signal.SIGKILL)
        _wait_gone(pid, 10)
    _forget(d)
    return {"stopped": True, "pid": pid, "killed": killed, "seconds": time.monotonic() - began, "data_dir": str(d)}


def status(data_dir: str | Path | None = None, settings: Settings | None = None) -> dict:
    """What runs on ``data_dir``: ``running``, ``pid``, ``address``, ``uri``, ``browser`` (its URL or
    None) and ``http_port`` (``start(browser=True, http_port=...)`` starts it again as it was), ``version``,
    ``edition``, ``data_dir``, ``log_file`` (and ``error`` if the server did not answer).

    The version comes from the running server (``CALL dbms.components()``), asked with the password of
    ``data_dir``'s server.
    """
    s = settings or get_settings()
    d = _data_dir(data_dir, s)
    s = _settings_for(d, s)
    state = _read_state(d)
    pid = state.get("pid")
    if not pid or not _alive(pid):
        _forget(d)
        return {
            "running": False,
            "pid": None,
            "address": None,
            "uri": None,
            "browser": None,
            "http_port": None,
            "version": None,
            "edition": None,
            "data_dir": str(d),
            "log_file": str(d / LOG_FILE),
        }
    host, port = state.get("host", s.server_host), state.get("port", s.bolt_port)
    info = _describe(d, pid, host, port, s, state.get("http_port"))
    try:
        with driver(_client_settings(host, port, s), connection_timeout=5, connection_acquisition_timeout=5) as drv:
            records, _, _ = drv.execute_query(
                "CALL dbms.components() YIELD name, versions, edition RETURN versions[0] AS version, edition",
                database_="system",
            )
        info.update(version=records[0]["version"], edition=records[0]["edition"])
    except Exception as exc:  # still starting, or credentials that do not match
        info["error"] = describe(exc, _client_settings(host, port, s))
    return info


def password_info(data_dir: str | Path | None = None, settings: Settings | None = None) -> dict:
    """The password ``kg`` uses for the server of ``data_dir``: ``{"password", "source", "path"}``.

    ``source`` is ``"NEO4J_PASSWORD"`` (explicit, wins) or ``"file"``; ``password`` is None when neither
    exists yet (the first start generates the file). A file others may read raises :class:`SettingsError`.
    """
    s = settings or get_settings()
    d = _data_dir(data_dir, s)
    s = _settings_for(d, s)
    return {"password": s.password, "source": s.password_source or None, "path": _password_path(d, s)}


def rotate_password(data_dir: str | Path | None = None, settings: Settings | None = None) -> dict:
    """Replace the generated password of ``data_dir``'s server with a new one, on the server and in its file.

    A running server changes it at once (``ALTER CURRENT USER``, logged in with the old one; the file is
    only replaced once the server took the new one); a stopped one takes the new file at its next start.
    Returns ``{"path", "running", "uri"}``. Raises :class:`ServerError` when ``NEO4J_PASSWORD`` is set
    (then the password is that variable's to change), when there is no password file yet, or when the
    server refused.
    """
    s = settings or get_settings()
    d = _data_dir(data_dir, s)
    if s.password_source == "NEO4J_PASSWORD":
        raise ServerError(
            "NEO4J_PASSWORD is set, so it is the password: change it there (the local server takes it at its "
            "next start), or unset it to use the generated one"
        )
    path = _password_path(d, s)
    try:
        old = read_password(path)
    except PasswordFileError as exc:
        raise ServerError(str(exc)) from None
    if old is None:
        raise ServerError(f"no password file at {path} yet: `kg neo4j start` generates one")
    new = new_password()
    current = status(d, s.with_password(old, "file"))
    if not current["running"]:
        write_password(path, new)
        return {"path": path, "running": False, "uri": None}
    pending = path.with_name(f".{path.name}.pending")
    write_password(pending, new)  # kept if we die between the server's change and the file's replacement
    client = _client_settings(*_host_port(current["address"]), s.with_password(old, "file"))
    try:
        with driver(client) as drv:
            drv.execute_query("ALTER CURRENT USER SET PASSWORD FROM $old TO $new", old=old, new=new, database_="system")
    except Exception as exc:
        pending.unlink(missing_ok=True)
        raise ServerError(f"the server kept its password: {describe(exc, client)}") from None
    os.replace(pending, path)
    return {"path": path, "running": True, "uri": client.uri}


def _host_port(address: str) -> tuple[str, int]:
    host, _, port = address.rpartition(":")
    return host.strip("[]"), int(port)


def probe(settings: Settings | None = None) -> dict:
    """Ask the server at ``settings.uri`` (NEO4J_URI) what it is, local or not, whatever pid files say.

    Returns ``{"uri", "answering": bool, "version", "edition", "databases": [{"name", "status",
    "default"}], "browser": URL or None, "home": its folder or None, "error": one line or None,
    "unreachable": bool, "settings_seen": bool}`` (``unreachable``: nothing answered at all, as opposed
    to a refused login; ``settings_seen``: the server let us read its settings, so a None ``browser``
    means it serves none).
    ``browser`` and ``home`` come from the server's own settings (``SHOW SETTINGS``): the Browser's
    address when its HTTP connector serves it, the Neo4j home (for a local server: the data folder).
    Fails within ``connect_timeout`` seconds when nothing answers.
    """
    s = settings or get_settings()
    info: dict = {
        "uri": s.uri,
        "answering": False,
        "version": None,
        "edition": None,
        "databases": [],
        "browser": None,
        "home": None,
        "error": None,
        "unreachable": False,
        "settings_seen": False,
    }
    try:
        with driver(s, notifications_min_severity="OFF") as drv:
            drv.verify_connectivity()  # one attempt: the queries below would retry an unreachable server for 30 s
            records, _, _ = drv.execute_query(_COMPONENTS, database_="system")
            info.update(answering=True, version=records[0]["version"], edition=records[0]["edition"])
            records, _, _ = drv.execute_query(_DATABASES, database_="system")
            info["databases"] = [dict(r) for r in records]
            try:
                records, _, _ = drv.execute_query(_SETTINGS, names=list(_SERVER_SETTINGS), database_="system")
            except Exception:  # no right to see settings (Aura, a restricted user): leave them unknown
                records = None
            info["settings_seen"] = records is not None
            found = {r["name"]: r["value"] for r in records or []}
            info["browser"] = _browser_of(found, s)
            info["home"] = found.get("server.directories.neo4j_home")
    except Exception as exc:
        info["error"] = describe(exc, s)
        info["unreachable"] = isinstance(exc, nx.ServiceUnavailable) or (
            isinstance(exc, Neo4jError) and str(exc).startswith("cannot reach")
        )
    return info


_COMPONENTS = "CALL dbms.components() YIELD name, versions, edition RETURN versions[0] AS version, edition"
_DATABASES = (
    "SHOW DATABASES YIELD name, currentStatus, default "
    "RETURN name, currentStatus AS status, default ORDER BY default DESC, name"
)
_SETTINGS = "SHOW SETTINGS YIELD name, value WHERE name IN $names RETURN name, value"
_SERVER_SETTINGS = (
    "server.http.enabled",
    "server.http.advertised_address",
    "server.http.listen_address",
    "server.http_enabled_modules",
    "server.directories.neo4j_home",
)


def _browser_of(found: dict, s: Settings | None = None) -> str | None:
    """The Browser's URL from the server's settings (None if HTTP is off or the Browser not served),
    preselecting ``s.uri`` and ``s.user`` for a bolt:// URI.

    >>> _browser_of(
    ...     {
    ...         "server.http.enabled": "true",
    ...         "server.http.advertised_address": "127.0.0.1:7474",
    ...         "server.http_enabled_modules": "BROWSER",
    ...     }
    ... )
    'http://127.0.0.1:7474/browser/'
    >>> _browser_of({"server.http.enabled": "false"}) is None
    True
    """
    if str(found.get("server.http.enabled", "")).lower() != "true":
        return None
    if "BROWSER" not in str(found.get("server.http_enabled_modules", "BROWSER")).upper():
        return None
    where = found.get("server.http.advertised_address") or found.get("server.http.listen_address") or ""
    host, _, port = where.rpartition(":")
    if not port.isdigit():
        return None
    direct = s is not None and s.uri.startswith("bolt://")
    return browser_url(
        host.strip("[]") or "127.0.0.1",
        int(port),
        bolt_uri=s.uri if direct else None,
        user=s.user if direct else None,
    )


# --------------------------------------------------------------------------- helpers


def _data_dir(data_dir: str | Path | None, s: Settings) -> Path:
    return Path(data_dir or s.data_dir).expanduser().resolve()


def _address(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def _client_settings(host: str, port: int, s: Settings) -> Settings:
    # A wildcard listener is reached through loopback.
    connect = {"0.0.0.0": "127.0.0.1", "::": "::1"}.get(host, host)
    return s.model_copy(update={"uri": f"bolt://{_address(connect, port)}"})


def browser_url(
    host: str, http_port: int | None, *, bolt_uri: str | None = None, user: str | None = None
) -> str | None:
    """Where Neo4j Browser of a server listening on ``host`` answers (None without HTTP).

    With ``bolt_uri`` (and ``user``) the address preselects the connection: the login form then asks
    for the password only.

    >>> browser_url("127.0.0.1", 7474)
    'http://127.0.0.1:7474/browser/'
    >>> browser_url("127.0.0.1", 7474, bolt_uri="bolt://127.0.0.1:7687", user="neo4j")
    'http://127.0.0.1:7474/browser/?dbms=bolt://neo4j@127.0.0.1:7687'
    >>> browser_url("::", 7474), browser_url("127.0.0.1", None)
    ('http://[::1]:7474/browser/', None)
    """
    if not http_port:
        return None
    connect = {"0.0.0.0": "127.0.0.1", "::": "::1"}.get(host, host)
    url = f"http://{_address(connect, http_port)}/browser/"
    if bolt_uri:
        scheme, _, rest = bolt_uri.partition("://")
        url += f"?dbms={scheme}://{quote(user, safe='') + '@' if user else ''}{rest}"
    return url


def _describe(d: Path, pid: int, host: str, port: int, s: Settings, http_port: int | None = None) -> dict:
    return {
        "running": True,
        "pid": pid,
        "address": _address(host, port),
        "uri": _client_settings(host, port, s).uri,
        "browser": browser_url(host, http_port, bolt_uri=_client_settings(host, port, s).uri, user=s.user),
        "http_port": http_port,
        "version": None,
        "edition": None,
        "data_dir": str(d),
        "log_file": str(d / LOG_FILE),
    }


def _read_state(d: Path) -> dict:
    try:
        return json.loads((d / STATE_FILE).read_text())
    except (OSError, ValueError):
        pass
    try:  # started by hand, or neo4j.json lost: the launcher's own pid file
        return {"pid": int((d / PID_FILE).read_text().strip())}
    except (OSError, ValueError):
        return {}


def _forget(d: Path) -> None:
    for name in (STATE_FILE, PID_FILE):
        (d / name).unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    """True while ``pid`` is one of our launchers (not a reused pid, not a zombie)."""
    child = _children.get(pid)
    if child is not None:
        if child.poll() is None:
            return True
        del _children[pid]
        return False
    proc = Path(f"/proc/{pid}")
    if proc.is_dir():
        try:
            cmdline = (proc / "cmdline").read_bytes()
            state = (proc / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            return False
        return MAIN_CLASS.encode() in cmdline and state != "Z"
    try:  # no /proc (macOS): existence is all we can check
        os.kill(pid, 0)
        return True
    except OSError:
        return False


def _wait_gone(pid: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while _alive(pid):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.2)
    return True


def _launcher(
    runtime: Runtime,
    home: Path,
    host: str,
    port: int,
    s: Settings,
    jvm_extra: list[str],
    *,
    http_port: int | None = None,
    pagecache: str | None = None,
) -> tuple[list[str], dict[str, str]]:
    """The command line and environment that run the launcher on ``home``."""
    cmd = [
        _tool("java"), f"-Xms{s.heap_initial}", f"-Xmx{s.heap_max}", *JVM_FLAGS, *jvm_extra, MAIN_CLASS,
        "--home", str(home), "--host", host, "--port", str(port), "--pagecache", pagecache or s.pagecache,
        "--tx-memory", s.transaction_memory_max, "--tx-memory-total", s.transaction_memory_total,
        "--http-port", str(http_port or 0),
    ]  # fmt: skip
    # Credentials and the (long) classpath go through the environment, not argv, so `ps` shows neither.
    env = {**os.environ, "CLASSPATH": runtime.full_classpath, "NEO4J_USER": s.user, "NEO4J_PASSWORD": s.password}
    return cmd, env


def _check_port_free(host: str, port: int, *, what: str = "Neo4j", option: str = "--port") -> None:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # TIME_WAIT is fine for Neo4j too
        try:
            sock.bind((host, port))
        except OSError as exc:
            raise ServerError(
                f"{what} cannot listen on {_address(host, port)}: {exc.strerror} "
                f"(another server uses it? pick a free port with {option})"
            ) from None


def _wait_until_ready(
    proc: subprocess.Popen, log_path: Path, offset: int, host: str, port: int, s: Settings, timeout: float
) -> None:
    deadline = time.monotonic() + timeout
    while True:
        code = proc.poll()
        if code is not None:
            raise ServerError(f"Neo4j exited with code {code} while starting{_failure_summary(log_path, offset)}")
        with open(log_path, "rb") as log:
            log.seek(offset)
            if READY_MARKER in log.read():
                break
        if time.monotonic() > deadline:
            _give_up(proc)
            raise ServerError(
                f"Neo4j did not come up within {timeout:.0f}s (stopped it){_failure_summary(log_path, offset)}"
            )
        time.sleep(0.05)
    # The launcher says it is ready; a real Bolt login must agree.
    client = _client_settings(host, port, s)
    try:
        with driver(client, connection_timeout=10) as drv:
            drv.verify_connectivity()
    except Exception as exc:
        _give_up(proc)
        raise ServerError(
            f"Neo4j started but Bolt does not answer: {describe(exc, client)}"
            f" (stopped it){_failure_summary(log_path, offset)}"
        ) from None


def _give_up(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(60)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def _failure_summary(log_path: Path, offset: int, lines: int = 15) -> str:
    with open(log_path, "rb") as log:
        log.seek(offset)
        text = log.read().decode(errors="replace")
    # Java stack frames say little to a CLI user; the log file keeps them.
    kept = [line for line in text.splitlines() if line.strip() and not _STACK_FRAME.match(line)]
    reason = [line for line in kept if line.startswith(FAILED_MARKER)]
    head = f": {reason[-1][len(FAILED_MARKER) :].strip()}" if reason else ""
    return f"{head}\n--- last lines of {log_path} (stack frames left out) ---\n" + "\n".join(kept[-lines:])


__all__ = ["Runtime", "ServerError", "ensure_runtime", "java", "start", "status", "stop"]
