"""`kg load` and `kg unload`: write validated facts into Neo4j, in sync with the files.

A load tells what it changed (created, updated, deleted: kind and id), and every way it can fail says
whether Neo4j was left holding part of it: the dataset's load state (graph.neo4j.writer, "Load state")
is ``loading`` from before the first write to after the last deletion, and ``kg load --check`` and
``kg neo4j status`` show a dataset left so.
"""

from __future__ import annotations

import gc
import hashlib
import os
import signal
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from graph.neo4j.bulk import AUTO_MIN_ROWS, BulkError, NotEmpty, NotLocal, bulk_load, interrupted, recover
from graph.neo4j.connection import Neo4jError, driver, neo4j_errors
from graph.neo4j.mapping import FactRows
from graph.neo4j.server import ServerError
from graph.neo4j.settings import get_settings
from graph.neo4j.writer import (
    DEFAULT_CHUNK,
    DEFAULT_KEEP,
    SINGULAR,
    Changes,
    DatasetState,
    LoadError,
    LoadReport,
    datasets,
    load_rows,
    plan,
    unload,
)
from kg.common import (
    EXIT_FAILED,
    EXIT_INTERRUPTED,
    EXIT_USAGE,
    DocumentsOpt,
    KgError,
    PathsArg,
    err,
    fact_files,
    out,
    read_facts,
    say,
)
from kg.tables import print_rows

# How many changes `kg load` lists unless --changes asks for all.
SHOWN_CHANGES = 20
EXIT_TERMINATED = 143  # stopped with SIGTERM, as shells report it


def default_dataset(paths: list[Path]) -> str:
    """The name of the first path's folder: `kg load data` loads dataset "data"."""
    first = Path(paths[0]).resolve()
    folder = first if first.is_dir() else first.parent
    return folder.name or "default"


def files_digest(files: list[Path]) -> str:
    """A digest of the fact files' names (relative to the folder they share) and contents, in order.

    Recorded as the dataset's ``files_hash``: ``kg load --check`` tells whether the files changed
    since the last load.
    """
    h = hashlib.blake2b(digest_size=16)
    resolved = [Path(f).resolve() for f in files]
    root = os.path.commonpath([str(f.parent) for f in resolved]) if resolved else ""
    for f in resolved:
        h.update(os.path.relpath(f, root).encode("utf-8", "surrogateescape") + b"\0")
        with open(f, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                h.update(block)
        h.update(b"\0")
    return h.hexdigest()


class _Bar:
    """The writer's progress, drawn by rich: one bar, relabelled at each phase."""

    def __init__(self, progress: Progress):
        self.progress = progress
        self.task = progress.add_task("connecting", total=None)

    def phase(self, description: str, total: int | None) -> None:
        self.progress.reset(self.task, description=description, total=total or None, completed=0)

    def advance(self, n: int) -> None:
        self.progress.advance(self.task, n)


def _progress() -> Progress:
    # Drawn on a terminal only: into a pipe or a log it would leave blank lines before the result.
    return Progress(
        SpinnerColumn(),
        TextColumn("{task.description:<42}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
        disable=not err.is_terminal,
    )


_TALLIES = ("created", "updated", "deleted", "unchanged")


def _tallies(report: LoadReport) -> None:
    rows = [
        [kind, *(getattr(report, kind).as_dict()[c] for c in _TALLIES)] for kind in ("sources", "entities", "relations")
    ]
    print_rows(out, ["", *_TALLIES], rows, right=_TALLIES)


def print_changes(changes: Changes, *, limit: int | None = SHOWN_CHANGES) -> None:
    """``created entity   brigade-9`` lines, at most ``limit`` (None: every key kept), then how many more."""
    shown, more = changes.lines(limit)
    for change, kind, key in shown:
        out.print(f"{change} {SINGULAR[kind]:<8} {key}")
    if more:
        out.print(f"... and {more} more; --changes for all")


def _summary(report: LoadReport, target: str, seconds: float, all_changes: bool) -> None:
    out.print(f"dataset {report.dataset} -> {target}")
    _tallies(report)
    print_changes(report.changes, limit=None if all_changes else SHOWN_CHANGES)
    phases = ", ".join(f"{k} {v:.1f}s" for k, v in report.seconds.items())
    verdict = "" if report.changed else "; the graph was already up to date"
    out.print(f"loaded in {seconds:.1f}s ({phases}){verdict}")
    before = report.before
    if before is not None and before.incomplete:
        what = "a load" if before.state == "loading" else f"`kg unload {before.name}`"
        say(
            f"dataset {before.name} was incomplete ({what} started {before.when_started} did not finish); "
            "this load completed it",
            label="note",
        )


def print_datasets(states: list[DatasetState]) -> None:
    """The datasets Neo4j holds and their load state; a warning line for each incomplete one."""
    if not states:
        out.print("no dataset has a load state in Neo4j")
        return
    rows = [[d.name, d.state or "", (d.as_dict()["started"] or ""), (d.as_dict()["finished"] or "")] for d in states]
    print_rows(out, ["dataset", "state", "started", "finished"], rows)
    for d in states:
        if d.incomplete:
            say(d.describe(), label="warning")


def _after_failure(report: LoadReport, command: str) -> str:
    """What Neo4j holds after a failed load, for the end of its error message."""
    if report.incomplete:
        return (
            f"; part of this load may have been written: dataset {report.dataset} is marked incomplete in "
            f"Neo4j until `{command}` runs to the end (kg load --check shows its state)"
        )
    if report.marked or report.complete:
        return ""
    return "; nothing was written to Neo4j"


@contextmanager
def _sigterm_as_interrupt() -> Iterator[list[int]]:
    """SIGTERM (a plain `kill`) stops a load as Ctrl+C does: chunks in flight finish, the message is told."""
    got: list[int] = []

    def stop(signum, _frame):
        got.append(signum)
        raise KeyboardInterrupt

    try:
        previous = signal.signal(signal.SIGTERM, stop)
    except ValueError:  # not the main thread: leave signals alone
        yield got
        return
    try:
        yield got
    finally:
        signal.signal(signal.SIGTERM, previous)


def _interrupted(exc: BaseException) -> bool:
    """Whether Ctrl+C or SIGTERM is behind ``exc``: raised inside a library, the interrupt can surface as
    another error of its cleanup (the driver's buffers: ``BufferError``), with the interrupt as its context."""
    seen: set[int] = set()
    e: BaseException | None = exc
    while e is not None and id(e) not in seen:
        if isinstance(e, KeyboardInterrupt):
            return True
        seen.add(id(e))
        e = e.__cause__ or e.__context__
    return False


def _stopped(report: LoadReport, name: str, again: str, signals: list[int]) -> KgError:
    """The one line for a load stopped by Ctrl+C or SIGTERM: what Neo4j holds now, and the exit code."""
    if report.incomplete:
        told = (
            f"nothing was deleted and every written row is complete, but dataset {name} is marked "
            f"incomplete in Neo4j until `{again}` runs to the end"
        )
    else:
        told = "nothing was written to Neo4j" if not report.complete else "the load had finished"
    code, label = (EXIT_TERMINATED, "terminated") if signals else (EXIT_INTERRUPTED, "interrupted")
    return KgError(told, code, label=label)


def _command_line(paths: list[Path], dataset: str | None) -> str:
    words = ["kg load", *(str(p) for p in paths)]
    if dataset is not None:
        words += ["--dataset", dataset]
    return " ".join(words)


def load(
    paths: list[Path] = PathsArg,
    dataset: str | None = typer.Option(
        None,
        "--dataset",
        "-d",
        show_default="the name of the first path's folder",
        help="Name of the dataset: a reload replaces what this dataset held, other datasets stay.",
    ),
    documents: Path | None = DocumentsOpt,
    chunk_size: int = typer.Option(DEFAULT_CHUNK, "--chunk-size", min=1, max=100_000, help="Rows per transaction."),
    changes: bool = typer.Option(
        False, "--changes", help=f"List every change (kind and id); without it, the first {SHOWN_CHANGES}."
    ),
    check: bool = typer.Option(
        False,
        "--check",
        help="Write nothing: show what a load would change and the datasets' load states; exit 1 when the "
        "dataset is incomplete or a load would change it.",
    ),
    bulk: bool | None = typer.Option(
        None,
        "--bulk/--online",
        show_default=f"bulk when the local server's database is empty and the files hold {AUTO_MIN_ROWS:,}+ rows",
        help="--bulk: load with Neo4j's offline importer (the local server of `kg neo4j start` only; it restarts "
        "it); refuses a database that is not empty unless --replace. --online: always through Bolt.",
    ),
    replace: bool = typer.Option(
        False, "--replace", help="With --bulk: replace the whole database, whatever datasets it holds."
    ),
) -> None:
    """Validate fact files, then load them into Neo4j as one dataset (idempotent).

    Nothing is written unless every file is valid. New and changed facts are
    written, unchanged ones skipped, and facts no longer in the files deleted
    (only within this dataset); the summary lists what changed. A load that
    stops half-way leaves the dataset marked incomplete in Neo4j until a load
    runs to the end. Connection: NEO4J_URI, NEO4J_USER, NEO4J_PASSWORD,
    NEO4J_DATABASE.

    A first load of a big dataset into the empty database of the local
    server (`kg neo4j start`) goes through Neo4j's offline importer instead
    of Bolt; the server is restarted once. Later loads are incremental.

    Example: kg load data --documents ../shared/seeds

    Example: kg load data --check

    Example: kg load data --bulk --replace
    """
    settings = get_settings()  # a malformed NEO4J_* setting is told before anything is read
    name = dataset if dataset is not None else default_dataset(paths)
    if not name.strip():
        raise KgError("--dataset must not be empty", EXIT_USAGE)
    if replace and not bulk:
        raise KgError("--replace goes with --bulk (it replaces the whole database)", EXIT_USAGE)
    if check and bulk is not None:
        raise KgError(f"--check writes nothing: --{'bulk' if bulk else 'online'} does not apply", EXIT_USAGE)
    facts = read_facts(paths, documents, writes="" if check else "Neo4j")
    files_hash = files_digest(fact_files(paths))
    keep = None if changes else DEFAULT_KEEP
    target = f"{settings.uri} (database {settings.database})"
    if check:
        _check(FactRows(facts, name), settings, target, files_hash, keep)
        return
    began = time.perf_counter()
    # Rows are computed as they are written: millions of small objects and no
    # cycles, which the cyclic GC would only rescan again and again.
    gc.freeze()
    gc.disable()
    rows = FactRows(facts, name)
    report = LoadReport(name, changes=Changes(keep))
    again = _command_line(paths, dataset)
    _recover(settings)
    if bulk or (bulk is None and sum(rows.counts().values()) >= AUTO_MIN_ROWS):
        if _bulk(rows, settings, report, files_hash, replace, keep, again, asked=bool(bulk)):
            _summary(report, f"{target}, bulk import", time.perf_counter() - began, changes)
            return
        report = LoadReport(name, changes=Changes(keep))
    try:
        with (
            _sigterm_as_interrupt() as signals,
            neo4j_errors(settings),
            driver(settings, notifications_min_severity="OFF") as drv,
        ):
            drv.verify_connectivity()
            with _progress() as progress:
                load_rows(
                    drv,
                    rows,
                    settings.database,
                    chunk_size,
                    progress=_Bar(progress),
                    files_hash=files_hash,
                    report=report,
                )
            from graph.neo4j.measures import measures_state  # here: the analysis stack only when loading

            measures = measures_state(drv, name, settings.database)
    except (Neo4jError, LoadError) as exc:
        raise KgError(str(exc) + _after_failure(report, again)) from None
    except KeyboardInterrupt:
        raise _stopped(report, name, again, signals) from None
    except Exception as exc:  # a bug or a resource running out: still say what Neo4j holds
        if signals or _interrupted(exc):  # the stop landed inside a library's cleanup (a BufferError...)
            raise _stopped(report, name, again, signals) from None
        raise KgError(
            f"the load failed: {type(exc).__name__}: {exc}{_after_failure(report, again)}", EXIT_FAILED
        ) from None
    finally:
        gc.enable()
    _summary(report, target, time.perf_counter() - began, changes)
    if measures.stale:  # `kg analyze --write` ran on the files before this load: its values no longer fit
        say(measures.describe(), label="warning")


def _recover(settings) -> None:
    """Finish a bulk load that was killed (graph.neo4j.bulk.recover) before anything else."""
    try:
        told = recover(settings, progress=lambda msg: say(msg, label="note"))
    except (BulkError, ServerError) as exc:
        raise KgError(str(exc)) from None
    if told:
        say(told, label="note")


def _bulk(
    rows: FactRows, settings, report: LoadReport, files_hash: str, replace: bool, keep, again: str, *, asked: bool
) -> bool:
    """A bulk load; False when it does not apply (a remote server, a database with data and no --bulk)."""
    try:
        with _sigterm_as_interrupt() as signals, neo4j_errors(settings), _progress() as progress:
            bulk_load(settings, rows, files_hash=files_hash, replace=replace, keep=keep, progress=_Bar(progress),
                      report=report)  # fmt: skip
    except NotLocal as exc:
        if asked:
            say(f"{exc}: loading online instead", label="note")
        return False
    except NotEmpty as exc:
        if asked:
            raise KgError(str(exc)) from None
        return False
    except (BulkError, ServerError, Neo4jError, LoadError) as exc:
        raise KgError(str(exc) + _after_bulk(report, again, settings)) from None
    except KeyboardInterrupt:
        code, label = (EXIT_TERMINATED, "terminated") if signals else (EXIT_INTERRUPTED, "interrupted")
        raise KgError(_after_bulk(report, again, settings).removeprefix("; "), code, label=label) from None
    except Exception as exc:  # a bug or a resource running out: still say what Neo4j holds
        told = _after_bulk(report, again, settings)
        if signals or _interrupted(exc):  # the stop landed inside a library's cleanup (a BufferError...)
            code, label = (EXIT_TERMINATED, "terminated") if signals else (EXIT_INTERRUPTED, "interrupted")
            raise KgError(told.removeprefix("; "), code, label=label) from None
        raise KgError(f"the bulk load failed: {type(exc).__name__}: {exc}{told}") from None
    return True


def _after_bulk(report: LoadReport, command: str, settings) -> str:
    """What the database holds after a failed or interrupted bulk load, for the end of its message."""
    if report.complete:
        return "; the load had finished"
    if report.marked:
        return (
            f"; the new database is in place but dataset {report.dataset} is marked incomplete until "
            f"`{command}` runs to the end"
        )
    if interrupted(settings):
        return f"; the server was stopped to swap the database: `{command}` puts the old one back and restarts it"
    return "; the database was not touched"


def _check(rows: FactRows, settings, target: str, files_hash: str, keep: int | None) -> None:
    try:
        with neo4j_errors(settings), driver(settings, notifications_min_severity="OFF") as drv:
            drv.verify_connectivity()
            with _progress() as progress:
                report = plan(drv, rows, settings.database, _Bar(progress), keep=keep)
            states = datasets(drv, settings.database)
    except (Neo4jError, LoadError) as exc:
        raise KgError(f"{exc}; nothing was written") from None
    before = report.before
    out.print(f"dataset {rows.dataset} in {target}: what a load of these files would change")
    _tallies(report)
    print_changes(report.changes, limit=None if keep is None else SHOWN_CHANGES)
    out.print("datasets in Neo4j:")
    print_datasets(states)
    if before is not None and before.files_hash is not None and before.state is not None:
        same = before.files_hash == files_hash
        out.print(f"the files are {'the same as' if same else 'not those of'} the last load of {rows.dataset}")
    if before is not None and before.incomplete:
        raise KgError(before.describe())
    pending = report.changes.total()
    if pending:
        raise KgError(
            f"dataset {rows.dataset} is not up to date: a load would change {pending} "
            f"{'row' if pending == 1 else 'rows'}"
        )
    out.print(f"dataset {rows.dataset} is up to date")


def unload_cmd(
    dataset: str = typer.Argument(..., help="Name of the dataset to delete.", show_default=False),
) -> None:
    """Delete every entity, source and fact of one dataset from Neo4j (other datasets stay).

    Example: kg unload florentine
    """
    settings = get_settings()
    report = LoadReport(dataset)
    try:
        with neo4j_errors(settings), driver(settings, notifications_min_severity="OFF") as drv:
            drv.verify_connectivity()
            with _progress() as progress:
                unload(drv, dataset, settings.database, progress=_Bar(progress), report=report)
    except Neo4jError as exc:
        more = (
            f"; dataset {dataset} is marked incomplete in Neo4j until `kg unload {dataset}` runs to the end"
            if report.incomplete
            else ""
        )
        raise KgError(f"{exc}{more}") from None
    if not (report.entities.deleted or report.sources.deleted):
        out.print(f"dataset {dataset} holds nothing in {settings.uri}; nothing to do")
        return
    out.print(
        f"deleted dataset {dataset}: {report.entities.deleted} entities, "
        f"{report.sources.deleted} sources, {report.relations.deleted} relations"
    )


def register(app: typer.Typer) -> None:
    app.command("load")(load)
    app.command("unload")(unload_cmd)
