"""`kg`: validate curated facts, inspect and export the graph, draw snapshots, load and ask Neo4j."""

from __future__ import annotations

import importlib
import json
import sys
from enum import StrEnum
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import typer

from graph.build import build_graph, graph_stats
from kg.common import (
    DEFAULT_MAX_PROBLEMS,
    EXIT_FAILED,
    DocumentsOpt,
    KgGroup,
    PathsArg,
    check_facts,
    err,
    finish_help,
    out,
    print_problems,
    problems_summary,
    read_facts,
)
from kg.tables import print_rows

# The commands of their own modules, in the order `kg --help` lists them. Registered explicitly, but a run
# imports only the module of the command it runs (see main): `kg viz` need not load the Neo4j driver, and
# `kg query` need not load the layout engine; a command's start-up is part of what a user waits for.
COMMANDS = {
    "viz": "viz_cmd",
    "export": "export_cmd",
    "diff": "diff_cmd",
    "claims": "claims_cmd",
    "load": "load_cmd",
    "query": "query_cmd",
    "serve": "serve_cmd",
    "analyze": "analyze_cmd",
    "dedupe": "dedupe_cmd",
    "schema": "schema_cmd",
    "scan": "scan_cmd",
    "neo4j": "neo4j_cmd",
}


def _new_app() -> typer.Typer:
    return typer.Typer(
        name="kg",
        cls=KgGroup,
        rich_markup_mode=None,  # plain help: never truncated, never read as markup
        help="actorgraph: curated facts about armed actors -> a graph you can trust and explore.\n\n"
        "\b\nExample: kg validate data && kg viz data --out out/graph.html\n\n"
        "Exit codes: 0 ok, 1 invalid data or a failed operation, 2 usage error, "
        "3 kg neo4j status: the server is not running.",
        no_args_is_help=True,
        add_completion=False,
        pretty_exceptions_enable=False,
    )


_base = _new_app()  # `kg` with the commands of this module; the others are added by _register


def _version(value: bool) -> None:
    if value:
        try:
            number = version("actorgraph")
        except PackageNotFoundError:  # run from a checkout that was never installed
            number = "unknown"
        out.print(f"kg (actorgraph) {number}")
        raise typer.Exit()


@_base.callback()
def _main(
    _: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Show the version and exit."),
) -> None:
    pass


class StatsFormat(StrEnum):
    table = "table"
    json = "json"


@_base.command()
def validate(
    paths: list[Path] = PathsArg,
    documents: Path | None = DocumentsOpt,
    with_: list[Path] = typer.Option(
        [],
        "--with",
        exists=True,
        metavar="PATH",
        show_default=False,
        help="Other files or folders of the dataset (repeatable): their sources, entities and relations are "
        "the context the files are checked in; only the files' own problems are reported.",
    ),
    max_problems: int = typer.Option(
        DEFAULT_MAX_PROBLEMS,
        "--max-problems",
        min=0,
        metavar="N",
        help="Print at most this many problems (and as many warnings), then how many more there are (0: all).",
    ),
    strict: bool = typer.Option(
        False,
        "--strict",
        help="Count warnings (grades stronger than the grading policy in graph/hedging.yaml allows) as "
        "problems: exit 1 when there are any.",
    ),
):
    """Check fact files; report every problem as FILE:LINE: message (exit 1), else a summary.

    Warnings (FILE:LINE: warning: message) follow the problems and do not change the exit code, unless
    --strict. Validation never writes anything. With --with, the files are checked against the rest of the
    dataset, as when one file changed.

    Example: kg validate data --documents ../shared/seeds

    Example: kg validate data/relations/new-report.yaml --with data
    """
    checked = check_facts(paths, documents, context=with_, strict=strict)
    hint = " (--max-problems 0 lists them all)"
    print_problems(checked.problems, max_problems=max_problems, hint=hint)
    print_problems(checked.warnings, max_problems=max_problems, hint=hint, noun="warning")
    if checked.problems:
        err.print(
            problems_summary(checked.problems, len(checked.files) + checked.not_read, warnings=len(checked.warnings))
        )
        raise typer.Exit(EXIT_FAILED)
    facts = checked.facts
    evidence = sum(len(e.evidence) for e in facts.edges.values())
    quotes = " (quotes checked against documents)" if documents else ""
    counts = (
        f"{len(facts.sources)} sources, {len(facts.entities)} entities, "
        f"{len(facts.edges)} relations, {evidence} pieces of evidence{quotes}"
    )
    warned = f"; {len(checked.warnings)} warning(s) (--strict makes them problems)" if checked.warnings else ""
    if not checked.context:
        out.print(f"ok: {counts}{warned}")
        return
    n = len(checked.files)
    out.print(
        f"ok: {n} file{'' if n == 1 else 's'} checked with {len(checked.context)} other file(s) of --with; "
        f"in all {counts}{warned}"
    )
    if checked.context_problems:
        err.print(
            f"note: the --with files have {checked.context_problems} problem(s) of their own (kg validate them to see)"
        )


@_base.command()
def stats(paths: list[Path] = PathsArg, format: StatsFormat = typer.Option(StatsFormat.table, "--format", "-f")):
    """Counts of entities by type and relations by type.

    Example: kg stats data --format json
    """
    s = graph_stats(build_graph(read_facts(paths)))
    if format is StatsFormat.json:
        out.print(json.dumps(s, indent=2))
        return
    for title, counts in (("entity type", s["entity_types"]), ("relation type", s["relation_types"])):
        print_rows(out, [title, "count"], list(counts.items()), right=["count"])
    out.print(
        f"{s['entities']} entities, {s['relations']} relations, {s['evidence']} pieces of evidence, "
        f"{s['sources']} sources"
    )


def _register(target: typer.Typer, names) -> typer.Typer:
    for name in names:
        module = importlib.import_module(f"kg.{COMMANDS[name]}")
        if name == "neo4j":
            target.add_typer(module.app, name="neo4j", short_help=module.SUMMARY)
        else:
            module.register(target)
    finish_help(target)
    return target


_whole: typer.Typer | None = None


def __getattr__(name: str):
    """``kg.cli.app``: the whole CLI (every command registered), made on first use."""
    global _whole
    if name != "app":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    if _whole is None:
        _whole = _register(_base, COMMANDS)
    return _whole


def _lean(name: str) -> typer.Typer:
    """``kg`` with the one command ``name`` of COMMANDS (and --version): what ``kg NAME ...`` runs."""
    lean = _new_app()
    lean.callback()(_main)
    return _register(lean, [name])


def main() -> None:
    first = sys.argv[1] if len(sys.argv) > 1 else ""
    if first in COMMANDS:
        _lean(first)()
    elif first in {info.name or info.callback.__name__ for info in _base.registered_commands}:
        finish_help(_base)
        _base()  # validate, stats: none of the other modules
    else:  # --help, --version, a mistyped command (its suggestions need every name)
        __getattr__("app")()
