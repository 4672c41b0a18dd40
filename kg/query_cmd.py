"""`kg query`: the analysts' named Cypher queries (queries/*.cypher) and read-only ad-hoc Cypher."""

from __future__ import annotations

import csv
import io
import json
from enum import StrEnum

import typer
from rich.text import Text

from graph.neo4j.connection import Neo4jError, driver, neo4j_errors
from graph.neo4j.settings import get_settings
from kg.common import EXIT_USAGE, KgError, err, out
from kg.tables import csv_cell, print_rows
from kg.view_options import look_ahead_option, look_back_option, parse_horizon
from queries import library


class Format(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


def _params(items: list[str]) -> dict[str, str]:
    params: dict[str, str] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise KgError(f"-p takes key=value, got {item!r}", EXIT_USAGE)
        if key.strip() in params:
            raise KgError(f"parameter {key.strip()!r} given twice", EXIT_USAGE)
        params[key.strip()] = value
    return params


def _print(result: library.Result, fmt: Format, limit_hint: int | None = None) -> None:
    if fmt is Format.json:
        rows = [dict(zip(result.columns, row, strict=True)) for row in result.rows]
        out.print(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    if fmt is Format.csv:
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(result.columns)
        w.writerows([csv_cell(v) for v in row] for row in result.rows)
        out.file.write(buf.getvalue())
        out.file.flush()
        return
    if not result.rows:
        out.print("(no rows)")
        return
    print_rows(out, result.columns, result.rows)
    more = ""
    if limit_hint is not None and len(result.rows) >= limit_hint:
        more = f"; the limit of {limit_hint} was reached: raise it with -p limit=N"
    n = len(result.rows)
    err.print(f"{n} row{'' if n == 1 else 's'}{more}")


def _list(fmt: Format) -> None:
    lib = library.load_library()
    if fmt is Format.json:
        out.print(json.dumps([q.as_dict() for q in lib.values()], indent=2, ensure_ascii=False))
        return
    for q in lib.values():
        entry = Text()
        entry.append(q.name, style="bold")
        entry.append(f" — {q.answers}\n")
        if q.notes:
            entry.append(f"    {q.notes}\n")
        for p in q.params:
            entry.append(f"    {p.signature()}: {p.description}\n")
        if q.requires:
            entry.append("    give " + " or ".join(f"-p {r}=..." for r in q.requires) + "\n")
        for example in q.examples:
            entry.append(f"    e.g. {example}\n", style="dim")
        out.print(entry)


def query(
    name: str | None = typer.Argument(
        None, metavar="NAME", help="Named query to run (see --list).", show_default=False
    ),
    param: list[str] = typer.Option(
        [], "--param", "-p", metavar="KEY=VALUE", show_default=False, help="Parameter as key=value (repeatable)."
    ),
    fmt: Format = typer.Option(Format.table, "--format", "-f", help="Output format."),
    list_: bool = typer.Option(False, "--list", "-l", help="List the named queries and their parameters."),
    cypher: str | None = typer.Option(
        None, "--cypher", "-c", show_default=False, help="Ad-hoc Cypher to read with (-p values are passed as strings)."
    ),
    look_back: str | None = look_back_option("For queries by date"),
    look_ahead: str | None = look_ahead_option("For queries by date"),
) -> None:
    """Ask the graph in Neo4j a question: a named query, or read-only Cypher.

    Entity parameters take an id, a name or an alias (spelling variants and Arabic script are matched, and
    the match is said; several close matches are an error listing them); sources an id, title or publisher.
    Every query runs in a READ transaction: writes are refused. Nodes and relationships are shown as records
    without the store's bookkeeping; a table too wide for the terminal is shown one record per row.

    Example: kg query sites -p group="Fog 47"

    Example: kg query --cypher "MATCH (n:ArmedGroup) RETURN n.name ORDER BY n.name"

    Example: kg query --list
    """
    try:
        if list_:
            if name or cypher:
                raise KgError("--list takes no query name and no --cypher", EXIT_USAGE)
            _list(fmt)
            return
        if bool(name) == bool(cypher):
            raise KgError(
                "give a query name (see kg query --list) or --cypher, not both"
                if name
                else 'give a query name (see kg query --list) or --cypher "..."',
                EXIT_USAGE,
            )
        horizon = parse_horizon(look_back, look_ahead)
        raw = _params(param)
        named = library.get(name) if name else None
        if named is not None:
            library.coerce(named, raw, horizon)  # parameter mistakes are told before connecting
        settings = get_settings()
        with neo4j_errors(settings), driver(settings, notifications_min_severity="OFF") as drv:
            drv.verify_connectivity()  # an unreachable server is told at once, not after the driver's retries
            if named is not None:
                notes: list[str] = []  # how names were matched, when not by their exact spelling
                named, params = library.prepare(drv, named, raw, settings.database, horizon, notes)
                for note in notes:
                    err.print(note)
                result = library.run(drv, named.cypher, params, settings.database)
                limit = params.get("limit") if named.param("limit") else None
            else:
                result = library.run(drv, cypher, raw, settings.database)
                limit = None
    except library.UsageError as exc:
        raise KgError(str(exc), EXIT_USAGE) from None
    except (library.QueryError, Neo4jError) as exc:
        raise KgError(str(exc)) from None
    _print(result, fmt, limit)
    if named is not None and named.uses_horizon:
        err.print(horizon.describe())


def register(app: typer.Typer) -> None:
    app.command("query")(query)
