"""Bulk first load: a whole database written by Neo4j's offline importer, then served by the local server.

The importer (``neo4j-admin database import full``, run as ``org.neo4j.cli.AdminTool`` from the jars the
launcher's pom already resolves) writes a store several times faster than any transaction can, but only
into a database that no server has open, only whole (no incremental import in Community), with no
schema (Community takes constraints and indexes only afterwards) and failing on a relationship to a
missing node (validation rules that out first). So :func:`bulk_load`:

1. checks that ``NEO4J_URI`` is the local server ``kg neo4j start`` runs (:func:`local_target`) and
   that its database is empty (or ``replace``);
2. writes the importer's CSV files from the same rows the online writer writes
   (:mod:`graph.neo4j.import_csv`), plus the dataset's (:Dataset) node in state ``loading``;
3. stops the server (in a thread: it shuts down while the importer starts) and runs the importer into a
   staging Neo4j home ``<data_dir>/bulk/home``: a failure here (a full disk, Ctrl+C) leaves the old
   database untouched and the server is started again on it;
4. swaps the staged store in for the old one (Neo4j 5 keeps a database in ``data/databases/<name>`` and
   its transaction logs in ``data/transactions/<name>``; the users live in the ``system`` database,
   which stays), two renames per folder on one file system;
5. starts the server again (same address, Browser as before), creates the constraints and indexes with
   the writer's own statements (:func:`graph.neo4j.writer.ensure_schema`), writes the values the importer
   cannot hold (:data:`graph.neo4j.import_csv.PENDING`), and marks the dataset ``complete``, as an online
   load does. The next ``kg load`` of changed files is an ordinary incremental load.

The importer's output of the last run is kept in ``<data_dir>/bulk-import.log``.

**Killed at any step.** A journal ``<data_dir>/bulk/swap.json`` is written before the server stops and
updated around the swap; :func:`recover` (run by every ``kg load`` and ``kg load --bulk``) finishes the
story: before the swap it restarts the server on the old database; during the swap it puts the old
database back; after it, it keeps the new one, whose dataset is marked ``loading`` (``kg load --check``
shows it) and whose rows still missing their fix-ups carry the hash ``PENDING``, so the next ``kg load``
rewrites exactly those and marks the dataset complete.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import neo4j

from . import server
from .connection import driver
from .cypher import AWAIT_FULLTEXT, DATASET_COMPLETE
from .import_csv import ImportFiles, die_with_parent, fixup_batches, write_import_files
from .mapping import RowSource
from .settings import Settings
from .writer import (
    DEFAULT_CHUNK,
    KINDS,
    LOADING,
    DatasetState,
    LoadReport,
    Progress,
    dataset_state,
    datasets,
    ensure_schema,
    phase_timer,
)

ADMIN_TOOL = "org.neo4j.cli.AdminTool"
STAGING, JOURNAL = "bulk", "swap.json"
# Below this many rows an online load is quicker than restarting the server (measured: bench/bench_bulk.py).
AUTO_MIN_ROWS = 200_000
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
# Importer lines worth showing when it fails (the rest is its progress and resource table).
_IMPORTER_ERROR = re.compile(r"(ERROR|Exception|No space|File too large|Caused by|raw field|original error)")
# "File size limit exceeded" (SIGXFSZ, 25): how a process writing past RLIMIT_FSIZE ends.
_SIZE_LIMIT = (-25, 128 + 25)
IMPORT_LOG = "bulk-import.log"  # the last importer run's output, in the data folder
# Seconds the restart on a freshly imported store may take (at least; NEO4J_START_TIMEOUT if longer). Its
# first start opens millions of records: measured over 120 s (the default start timeout) for 1M relations on
# a busy two-core machine, and giving up there would leave the server stopped and the dataset incomplete.
RESTART_TIMEOUT = 900.0


class BulkError(Exception):
    """A bulk load was refused or failed; the message says why and what the database holds now."""


class NotLocal(BulkError):
    """NEO4J_URI is not the local server kg manages: bulk loading cannot reach its files."""


class NotEmpty(BulkError):
    """The database holds data and ``replace`` was not given."""


@dataclass(frozen=True)
class Target:
    """The local server a bulk load writes to: its data folder, address and database."""

    data_dir: Path
    host: str
    port: int
    http_port: int | None
    database: str

    @property
    def staging(self) -> Path:
        return self.data_dir / STAGING

    def parts(self) -> list[tuple[Path, Path, Path]]:
        """(live, aside, staged) folders of the database's store and of its transaction logs."""
        home = self.staging / "home" / "data"
        return [
            (self.data_dir / "data" / part / self.database, self.staging / "old" / part, home / part / self.database)
            for part in ("databases", "transactions")
        ]


# --------------------------------------------------------------------------- where


def _host_port(address: str) -> tuple[str, int]:
    """``("::1", 7687)`` from ``[::1]:7687``.

    >>> _host_port("127.0.0.1:7687"), _host_port("[::1]:7688")
    (('127.0.0.1', 7687), ('::1', 7688))
    """
    host, _, port = address.rpartition(":")
    return host.strip("[]"), int(port)


def local_target(settings: Settings) -> Target:
    """The local server (``settings.data_dir``) if it is running and ``NEO4J_URI`` points at it, else NotLocal."""
    status = server.status(settings.data_dir, settings)
    uri = urlsplit(settings.uri)
    if not status["running"]:
        raise NotLocal(
            f"the local Neo4j server (data in {status['data_dir']}) is not running: start it with `kg neo4j start`"
        )
    host, port = _host_port(status["address"])
    reached = {host} | (LOOPBACK if host in LOOPBACK | {"0.0.0.0", "::"} else set())
    if uri.hostname not in reached or (uri.port or 7687) != port or "+" in uri.scheme:
        raise NotLocal(
            f"NEO4J_URI {settings.uri} is not the local server kg runs (bolt://{status['address']}, data in "
            f"{status['data_dir']}); bulk loading writes the database's files, so it needs that server"
        )
    browser = status.get("browser")
    http_port = urlsplit(browser).port if browser else None
    target = Target(Path(status["data_dir"]), host, port, http_port, settings.database)
    if not target.parts()[0][0].is_dir():
        raise NotLocal(f"the local server has no database {settings.database!r} in {target.data_dir / 'data'}")
    return target


def is_empty(drv: neo4j.Driver, database: str | None) -> bool:
    """Whether the database holds no node at all."""
    records = drv.execute_query("MATCH (n) RETURN n LIMIT 1", database_=database, routing_=neo4j.RoutingControl.READ)
    return not records.records


def _contents(drv: neo4j.Driver, database: str | None) -> str:
    names = [d.name for d in datasets(drv, database)]
    return f"datasets {', '.join(names)}" if names else "nodes that belong to no dataset"


# --------------------------------------------------------------------------- the journal


def _journal(target: Target) -> Path:
    return target.staging / JOURNAL


def _write_journal(target: Target, state: str, **more) -> None:
    """Durably: a rename over the old journal, then the folder synced."""
    path = _journal(target)
    tmp = path.with_suffix(".tmp")
    data = {
        "state": state,
        "host": target.host,
        "port": target.port,
        "http_port": target.http_port,
        "database": target.database,
        **more,
    }
    with open(tmp, "w") as fh:
        json.dump(data, fh)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    _sync_dir(path.parent)


def _sync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _read_journal(staging: Path) -> dict | None:
    try:
        return json.loads((staging / JOURNAL).read_text())
    except FileNotFoundError:
        return None
    except (OSError, ValueError):
        return {"state": "unreadable"}


def interrupted(settings: Settings) -> bool:
    """Whether a bulk load of the local server stopped around its swap (:func:`recover` finishes it)."""
    return (Path(settings.data_dir).expanduser().resolve() / STAGING / JOURNAL).exists()


def recover(settings: Settings, progress: Callable[[str], None] | None = None) -> str | None:
    """Finish a bulk load that was killed around the swap (see the module docstring); None if there was none.

    Returns one line saying what the database holds now.
    """
    data_dir = Path(settings.data_dir).expanduser().resolve()
    staging = data_dir / STAGING
    journal = _read_journal(staging)
    if journal is None:
        return None
    state = journal.get("state")
    if state not in ("stopping", "swapping", "swapped"):
        raise BulkError(
            f"{staging / JOURNAL} is unreadable: a bulk load stopped in an unknown state; check "
            f"{data_dir / 'data' / 'databases'} and remove {staging} by hand"
        )
    target = Target(data_dir, journal["host"], journal["port"], journal.get("http_port"), journal["database"])
    say = progress or (lambda _msg: None)
    # Whatever the state, the server may be half-way through the shutdown the killed load asked for (its pid
    # still alive, so a start would take it for running and return, and then it exits): stop it for good,
    # which waits for that shutdown, and start it again below.
    server.stop(data_dir, settings=settings)
    if state == "swapping":
        say("an interrupted bulk load was swapping databases: putting the previous one back")
        _rollback(target, journal.get("had", [True, True]))
        told = "an interrupted bulk load was undone: the previous database is back"
    elif state == "stopping":
        told = "an interrupted bulk load had not touched the database: it is as before"
    else:
        told = (
            "an interrupted bulk load had replaced the database: its dataset stays marked incomplete until "
            "`kg load` of its files runs to the end"
        )
    _start(target, settings)
    shutil.rmtree(staging, ignore_errors=True)
    return told


def _rollback(target: Target, had: list[bool]) -> None:
    for (live, aside, _staged), existed in zip(target.parts(), had, strict=True):
        if aside.exists():
            if live.exists():
                shutil.rmtree(live)  # the staged store, half moved in (or one a start made meanwhile)
            aside.rename(live)
        elif not existed and live.exists():
            shutil.rmtree(live)


def _swap(target: Target) -> None:
    had = [live.exists() for live, _aside, _staged in target.parts()]
    (target.staging / "old").mkdir(exist_ok=True)
    _write_journal(target, "swapping", had=had)
    for live, aside, _staged in target.parts():
        if live.exists():
            live.rename(aside)
    for live, _aside, staged in target.parts():
        live.parent.mkdir(parents=True, exist_ok=True)
        staged.rename(live)
    _sync_dir(target.parts()[0][0].parent)
    _write_journal(target, "swapped")


def _start(target: Target, settings: Settings) -> None:
    server.start(
        port=target.port,
        data_dir=target.data_dir,
        host=target.host,
        timeout=max(settings.start_timeout, RESTART_TIMEOUT),
        settings=settings,
        browser=target.http_port is not None,
        http_port=target.http_port,
    )


# --------------------------------------------------------------------------- the importer


def run_importer(
    target: Target, files: ImportFiles, settings: Settings, *, preexec: Callable[[], None] | None = None
) -> float:
    """Import ``files`` into the staging home's database; BulkError with the importer's own words if it fails.

    ``preexec`` runs in the importer's process before Java starts (tests limit its file size with it).
    Returns the seconds it took. The importer dies with this process: a killed load leaves none behind.
    """

    def prepare() -> None:
        die_with_parent()
        if preexec is not None:
            preexec()

    runtime = server.ensure_runtime(settings)
    home = target.staging / "home"
    (home / "conf").mkdir(parents=True, exist_ok=True)
    cmd = [
        server.java(),
        f"-Xmx{settings.heap_max}",
        "-XX:+UseG1GC",
        "-cp",
        runtime.classpath,
        ADMIN_TOOL,
        "database",
        "import",
        "full",
        *files.importer_args(),
        f"--report-file={target.staging / 'import.report'}",
        "--overwrite-destination=true",
        "--verbose",  # else a failure says only "Error importing csv file", not why
        target.database,
    ]
    env = {**os.environ, "NEO4J_HOME": str(home), "NEO4J_CONF": str(home / "conf")}
    began = time.perf_counter()
    # Kept in memory, then written next to (not into) the staging folder: a full disk must not lose the
    # reason, and staging is removed after a failure.
    done = subprocess.run(
        cmd, cwd=files.folder, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        preexec_fn=prepare,
    )  # fmt: skip
    output = done.stdout.decode(errors="replace")
    log_path: Path | None = target.data_dir / IMPORT_LOG
    try:
        log_path.write_text(output)
    except OSError:
        log_path = None
    if done.returncode != 0:
        raise BulkError(_importer_failure(done.returncode, output, log_path, target.staging))
    return time.perf_counter() - began


def _importer_failure(code: int, output: str, log_path: Path | None, staging: Path) -> str:
    """The importer's reason in one line: the disk is full, else its own error lines."""
    lines = [line.strip() for line in output.splitlines() if _IMPORTER_ERROR.search(line)]
    lines = [line for line in lines if not line.startswith("at ")]
    try:
        nearly_full = shutil.disk_usage(staging).free < 4 << 20
    except OSError:
        nearly_full = False
    full = nearly_full or any(s in output for s in ("No space left", "File too large")) or code in _SIZE_LIMIT
    # The innermost cause says it best ("java.io.IOException: No space left on device").
    causes = [x.removeprefix("Caused by: ") for x in lines if x.startswith("Caused by") and "CIRCULAR" not in x]
    shown = (causes or lines or [f"exit code {code}"])[-1]
    why = f"the disk is full ({staging} is on a file system with no room left, or a file size limit was reached)"
    where = f" (full log: {log_path})" if log_path else ""
    return f"Neo4j's importer stopped: {why if full else 'it failed'}: {shown}{where}"


# --------------------------------------------------------------------------- the load


def bulk_load(
    settings: Settings,
    source: RowSource,
    *,
    files_hash: str | None = None,
    replace: bool = False,
    keep: int | None = 20,
    workers: int | None = None,
    progress: Progress | None = None,
    report: LoadReport | None = None,
    importer_preexec: Callable[[], None] | None = None,
) -> LoadReport:
    """Load ``source`` as the whole content of the local server's database (see the module docstring).

    Raises :class:`NotLocal` (nothing done: load online instead), :class:`NotEmpty` (nothing done) or
    :class:`BulkError`. ``report`` (pass your own to read it when this raises): ``marked`` once the new
    database is in place (its dataset marked ``loading``), ``complete`` at the end; ``seconds`` per phase.
    """
    bar = progress or _NoProgress()
    ds = source.dataset
    report = report if report is not None else LoadReport(ds)
    report.before = DatasetState(ds)
    lap = phase_timer(report)

    bar.phase("checking the local server", None)
    recover(settings)
    target = local_target(settings)
    with driver(settings, notifications_min_severity="OFF") as drv:
        drv.verify_connectivity()
        if not is_empty(drv, target.database):
            if not replace:
                raise NotEmpty(_not_empty(drv, target.database))
            report.before = dataset_state(drv, ds, target.database)
    shutil.rmtree(target.staging, ignore_errors=True)  # what a run killed before its swap left
    csv_dir = target.staging / "csv"
    csv_dir.mkdir(parents=True)
    lap("check")

    started = datetime.now(UTC)
    total = sum(source.counts().values())
    bar.phase("writing the importer's files", total)
    try:
        files = write_import_files(
            source,
            csv_dir,
            dataset_node={"name": ds, "state": LOADING, "started": started, "files_hash": files_hash},
            keep=keep,
            workers=workers or os.cpu_count() or 1,
        )
        bar.advance(total)
        lap("files")
    except BaseException as exc:
        shutil.rmtree(target.staging, ignore_errors=True)
        if isinstance(exc, OSError):
            raise BulkError(f"writing the importer's files failed: {exc.strerror or exc}") from None
        raise

    bar.phase("importing (Neo4j's offline importer; the server stops meanwhile)", None)
    if not replace:
        with driver(settings, notifications_min_severity="OFF") as drv:  # nobody loaded meanwhile
            if not is_empty(drv, target.database):
                shutil.rmtree(target.staging, ignore_errors=True)
                raise NotEmpty(_not_empty(drv, target.database) + " (written while the files were written)")
    # The server stops while the importer runs (it shuts down in seconds, mostly waiting, beside an importer
    # that keeps both cores busy): from here the journal's "stopping" has recover() start it again should
    # this process die, and a failed import starts it again below; the old database is untouched either way.
    _write_journal(target, "stopping")
    with ThreadPoolExecutor(1, thread_name_prefix="stop-neo4j") as pool:
        stopping = pool.submit(server.stop, target.data_dir, settings=settings)
        try:
            run_importer(target, files, settings, preexec=importer_preexec)
            lap("import")
            stopping.result()
        except BaseException as exc:
            wait([stopping])  # what the importer raised is the news; a start below tells of a stop gone wrong
            raise _restarted(target, settings, exc) from None
    shutil.rmtree(csv_dir, ignore_errors=True)  # the store is built; give the disk back before the swap
    for kind in KINDS:
        getattr(report, kind).created = files.counts[kind]
        for key in files.keys[kind]:
            report.changes.add("created", kind, key)
        report.changes.counts[("created", kind)] = files.counts[kind]

    bar.phase("swapping the database in", None)
    _swap(target)
    report.marked = True
    bar.phase("starting the server", None)
    _start(target, settings)
    lap("swap")
    _finish(settings, target, files, ds, started, files_hash, bar, report, lap)
    shutil.rmtree(target.staging, ignore_errors=True)
    return report


def _finish(settings, target, files, ds, started, files_hash, bar, report, lap) -> None:
    with driver(settings, notifications_min_severity="OFF") as drv:
        bar.phase("creating the constraints and indexes", None)
        ensure_schema(drv, target.database)
        lap("schema")
        if files.fixups:
            bar.phase("writing what the importer cannot hold", len(files.fixups))
            for cypher, rows in fixup_batches(files.fixups, DEFAULT_CHUNK):
                drv.execute_query(cypher, {"rows": rows}, database_=target.database)
                bar.advance(len(rows))
        drv.execute_query(
            DATASET_COMPLETE, {"dataset": ds, "started": started, "files_hash": files_hash}, database_=target.database
        )
        report.complete = True
        bar.phase("updating the full-text indexes", None)
        drv.execute_query(AWAIT_FULLTEXT, database_=target.database)
        lap("index")


def _restarted(target: Target, settings: Settings, exc: BaseException) -> BaseException:
    """After a failed import, with the server stopped: start it again on the untouched database and forget the
    load. Returns what to raise: ``exc`` itself (a KeyboardInterrupt stays one), or a BulkError when the server
    does not come back."""
    try:
        _start(target, settings)
    except server.ServerError as again:
        # The journal stays: the next `kg load` (recover) tries the start once more.
        why = exc if isinstance(exc, BulkError) else BulkError(f"the import stopped: {exc}")
        return BulkError(f"{why}; the server, stopped for the import, did not start again: {again}")
    shutil.rmtree(target.staging, ignore_errors=True)
    return exc


def _not_empty(drv: neo4j.Driver, database: str | None) -> str:
    return (
        f"database {database} is not empty (it holds {_contents(drv, database)}): a bulk load replaces the "
        "whole database; add --replace to replace it, or load without --bulk (an incremental online load)"
    )


class _NoProgress:
    def phase(self, description: str, total: int | None) -> None:
        pass

    def advance(self, n: int) -> None:
        pass


__all__ = [
    "AUTO_MIN_ROWS",
    "BulkError",
    "NotEmpty",
    "NotLocal",
    "Target",
    "bulk_load",
    "interrupted",
    "is_empty",
    "local_target",
    "recover",
    "run_importer",
]
