"""`kg query`: the analysts' named Cypher queries (queries/*.cypher) and read-only ad-hoc Cypher."""

from __future__ import annotations

import csv
import io
import json
from enum import Enum
from typing import Any, Optional

import typer
from rich.console import Console
from rich.markup import escape
from rich.measure import Measurement
from rich.table import Table
from rich.text import Text

from graph.neo4j.connection import Neo4jError, driver, neo4j_errors
from graph.neo4j.settings import get_settings
from kg.common import console, out
from queries import library


class Format(str, Enum):
    table = "table"
    json = "json"
    csv = "csv"


def _fail(message: str) -> typer.Exit:
    console.print(f"[red]error:[/] {escape(message)}", soft_wrap=True)
    return typer.Exit(1)


def _params(items: list[str]) -> dict[str, str]:
    params: dict[str, str] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise _fail(f"-p takes key=value, got {item!r}")
        if key.strip() in params:
            raise _fail(f"parameter {key.strip()!r} given twice")
        params[key.strip()] = value
    return params


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return "; ".join(_cell(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _print(result: library.Result, fmt: Format, limit_hint: int | None = None) -> None:
    if fmt is Format.json:
        rows = [dict(zip(result.columns, row)) for row in result.rows]
        out.print(json.dumps(rows, indent=2, ensure_ascii=False), markup=False, highlight=False)
        return
    if fmt is Format.csv:
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(result.columns)
        w.writerows([_cell(v) for v in row] for row in result.rows)
        out.file.write(buf.getvalue())
        out.file.flush()
        return
    if not result.rows:
        out.print("(no rows)")
        return
    table = Table(title_justify="left")
    for col in result.columns:
        table.add_column(Text(col), overflow="fold")  # wrap, never cut data off with an ellipsis
    for row in result.rows:
        table.add_row(*(Text(_cell(v)) for v in row))  # data, never markup
    _print_table(table)
    more = ""
    if limit_hint is not None and len(result.rows) >= limit_hint:
        more = f"; the limit of {limit_hint} was reached: raise it with -p limit=N"
    n = len(result.rows)
    console.print(f"{n} row{'' if n == 1 else 's'}{more}", soft_wrap=True)


def _print_table(table: Table) -> None:
    # On a terminal the table folds to fit; into a pipe or a file it keeps its natural width.
    if out.is_terminal:
        out.print(table)
    else:
        width = Measurement.get(out, out.options.update(max_width=100_000), table).maximum
        Console(file=out.file, width=max(width, 20), highlight=False, color_system=None).print(table)
    out.file.flush()


def _list(fmt: Format) -> None:
    lib = library.load_library()
    if fmt is Format.json:
        out.print(json.dumps([q.as_dict() for q in lib.values()], indent=2, ensure_ascii=False), markup=False)
        return
    for q in lib.values():
        entry = Text()
        entry.append(q.name, style="bold")
        entry.append(f" — {q.answers}\n")
        for p in q.params:
            entry.append(f"    {p.signature()}: {p.description}\n")
        for example in q.examples:
            entry.append(f"    e.g. {example}\n", style="dim")
        out.print(entry)


def query(
    name: Optional[str] = typer.Argument(None, help="Named query to run (see --list).", show_default=False),
    param: list[str] = typer.Option([], "--param", "-p", help="Parameter as key=value (repeatable).",
                                    show_default=False),
    fmt: Format = typer.Option(Format.table, "--format", "-f", help="Output format."),
    list_: bool = typer.Option(False, "--list", "-l", help="List the named queries and their parameters."),
    cypher: Optional[str] = typer.Option(None, "--cypher", "-c", show_default=False,
                                         help="Ad-hoc Cypher to read with (-p values are passed as strings)."),
) -> None:
    """Ask the graph in Neo4j a question: a named query, or read-only Cypher.

    Entity parameters take an id, a name or an alias (case and accents
    ignored). Every query runs in a READ transaction: writes are refused.

    Examples: kg query --list;
    kg query sites -p group="Fog 47";
    kg query --cypher "MATCH (n:ArmedGroup) RETURN n.name ORDER BY n.name"
    """
    try:
        if list_:
            if name or cypher:
                raise _fail("--list takes no query name and no --cypher")
            _list(fmt)
            return
        if bool(name) == bool(cypher):
            raise _fail("give a query name (see kg query --list) or --cypher, not both" if name
                        else "give a query name (see kg query --list) or --cypher \"...\"")
        raw = _params(param)
        named = library.get(name) if name else None
        if named is not None:
            library.coerce(named, raw)  # parameter mistakes are told before connecting
        settings = get_settings()
        with neo4j_errors(settings), driver(settings, notifications_min_severity="OFF") as drv:
            if named is not None:
                named, params = library.prepare(drv, named, raw, settings.database)
                result = library.run(drv, named.cypher, params, settings.database)
                limit = params.get("limit") if named.param("limit") else None
            else:
                result = library.run(drv, cypher, raw, settings.database)
                limit = None
    except library.QueryError as exc:
        raise _fail(str(exc)) from None
    except Neo4jError as exc:
        raise _fail(str(exc)) from None
    _print(result, fmt, limit)


def register(app: typer.Typer) -> None:
    app.command("query")(query)
