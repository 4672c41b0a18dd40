"""`kg`: validate curated facts, inspect and export the graph, draw snapshots."""

from __future__ import annotations

import json
from enum import Enum
from pathlib import Path
from typing import Optional

import typer
from rich.table import Table

from graph.build import build_graph, graph_stats
from kg.common import DocumentsOpt, PathsArg, out, read_facts

app = typer.Typer(
    name="kg",
    help="actorgraph: curated facts about armed actors -> a graph you can trust and explore.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


class StatsFormat(str, Enum):
    table = "table"
    json = "json"


@app.command()
def validate(paths: list[Path] = PathsArg, documents: Optional[Path] = DocumentsOpt):
    """Check fact files; report every problem as FILE:LINE: message (exit 1), else a summary.

    Example: kg validate data --documents ../shared/seeds
    """
    facts = read_facts(paths, documents)
    evidence = sum(len(e.evidence) for e in facts.edges.values())
    quotes = " (quotes checked against documents)" if documents else ""
    out.print(f"ok: {len(facts.sources)} sources, {len(facts.entities)} entities, "
              f"{len(facts.edges)} relations, {evidence} pieces of evidence{quotes}")


@app.command()
def stats(paths: list[Path] = PathsArg, format: StatsFormat = typer.Option(StatsFormat.table, "--format", "-f")):
    """Counts of entities by type and relations by type.

    Example: kg stats data --format json
    """
    s = graph_stats(build_graph(read_facts(paths)))
    if format is StatsFormat.json:
        out.print(json.dumps(s, indent=2), markup=False)
        return
    for title, counts in (("entity type", s["entity_types"]), ("relation type", s["relation_types"])):
        t = Table(title_justify="left")
        t.add_column(title)
        t.add_column("count", justify="right")
        for k, v in counts.items():
            t.add_row(k, str(v))
        out.print(t)
    out.print(f"{s['entities']} entities, {s['relations']} relations, {s['evidence']} pieces of evidence, "
              f"{s['sources']} sources")


def _register() -> None:
    # Command groups live in their own modules; a missing optional one must not break the rest.
    import importlib

    for module, name in (("kg.viz_cmd", None), ("kg.export_cmd", None), ("kg.neo4j_cmd", "neo4j"),
                         ("kg.load_cmd", None), ("kg.query_cmd", None), ("kg.serve_cmd", None)):
        try:
            mod = importlib.import_module(module)
        except ModuleNotFoundError as e:
            if e.name == module:
                continue
            raise
        if name:
            app.add_typer(mod.app, name=name)
        else:
            mod.register(app)


_register()


def main() -> None:
    app()
