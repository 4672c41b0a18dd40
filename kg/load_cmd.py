"""`kg load` and `kg unload`: write validated facts into Neo4j, in sync with the files."""

from __future__ import annotations

import gc
import time
from pathlib import Path

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from graph.neo4j.connection import Neo4jError, driver, neo4j_errors
from graph.neo4j.mapping import FactRows
from graph.neo4j.settings import get_settings
from graph.neo4j.writer import DEFAULT_CHUNK, LoadError, LoadReport, load_rows, unload
from kg.common import EXIT_INTERRUPTED, EXIT_USAGE, DocumentsOpt, KgError, PathsArg, err, out, read_facts
from kg.tables import print_rows


def default_dataset(paths: list[Path]) -> str:
    """The name of the first path's folder: `kg load data` loads dataset "data"."""
    first = Path(paths[0]).resolve()
    folder = first if first.is_dir() else first.parent
    return folder.name or "default"


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
    return Progress(SpinnerColumn(), TextColumn("{task.description:<42}"), BarColumn(), MofNCompleteColumn(),
                    TimeElapsedColumn(), console=err, transient=True)


_TALLIES = ("created", "updated", "deleted", "unchanged")


def _summary(report: LoadReport, target: str, seconds: float) -> None:
    out.print(f"dataset {report.dataset} -> {target}")
    rows = [[kind, *(getattr(report, kind).as_dict()[c] for c in _TALLIES)]
            for kind in ("sources", "entities", "relations")]
    print_rows(out, ["", *_TALLIES], rows, right=_TALLIES)
    phases = ", ".join(f"{k} {v:.1f}s" for k, v in report.seconds.items())
    verdict = "" if report.changed else "; the graph was already up to date"
    out.print(f"loaded in {seconds:.1f}s ({phases}){verdict}")


def load(
    paths: list[Path] = PathsArg,
    dataset: str | None = typer.Option(
        None, "--dataset", "-d", show_default="the name of the first path's folder",
        help="Name of the dataset: a reload replaces what this dataset held, other datasets stay."),
    documents: Path | None = DocumentsOpt,
    chunk_size: int = typer.Option(DEFAULT_CHUNK, "--chunk-size", min=1, max=100_000,
                                   help="Rows per transaction."),
) -> None:
    """Validate fact files, then load them into Neo4j as one dataset (idempotent).

    Nothing is written unless every file is valid. New and changed facts are
    written, unchanged ones skipped, and facts no longer in the files deleted
    (only within this dataset). Connection: NEO4J_URI, NEO4J_USER,
    NEO4J_PASSWORD, NEO4J_DATABASE.

    Example: kg load data --documents ../shared/seeds
    """
    name = dataset if dataset is not None else default_dataset(paths)
    if not name.strip():
        raise KgError("--dataset must not be empty", EXIT_USAGE)
    facts = read_facts(paths, documents, writes="Neo4j")
    began = time.perf_counter()
    # Rows are computed as they are written: millions of small objects and no
    # cycles, which the cyclic GC would only rescan again and again.
    gc.freeze()
    gc.disable()
    rows = FactRows(facts, name)
    settings = get_settings()
    target = f"{settings.uri} (database {settings.database})"
    try:
        with neo4j_errors(settings), driver(settings, notifications_min_severity="OFF") as drv:
            drv.verify_connectivity()
            with _progress() as progress:
                bar = _Bar(progress)
                report = load_rows(drv, rows, settings.database, chunk_size, progress=bar)
    except (Neo4jError, LoadError) as exc:
        raise KgError(str(exc)) from None
    except KeyboardInterrupt:
        raise KgError("nothing was deleted and every written row is complete; run the same command again "
                      "to finish the load", EXIT_INTERRUPTED, label="interrupted") from None
    finally:
        gc.enable()
    _summary(report, target, time.perf_counter() - began)


def unload_cmd(
    dataset: str = typer.Argument(..., help="Name of the dataset to delete.", show_default=False),
) -> None:
    """Delete every entity, source and fact of one dataset from Neo4j (other datasets stay).

    Example: kg unload florentine
    """
    settings = get_settings()
    try:
        with neo4j_errors(settings), driver(settings, notifications_min_severity="OFF") as drv:
            drv.verify_connectivity()
            with _progress() as progress:
                bar = _Bar(progress)
                report = unload(drv, dataset, settings.database, progress=bar)
    except Neo4jError as exc:
        raise KgError(str(exc)) from None
    if not (report.entities.deleted or report.sources.deleted):
        out.print(f"dataset {dataset} holds nothing in {settings.uri}; nothing to do")
        return
    out.print(f"deleted dataset {dataset}: {report.entities.deleted} entities, "
              f"{report.sources.deleted} sources, {report.relations.deleted} relations")


def register(app: typer.Typer) -> None:
    app.command("load")(load)
    app.command("unload")(unload_cmd)
