"""`kg analyze`: network measures (who is central, who brokers, which communities) and defensible paths."""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Any

import networkx as nx
import typer
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn

from graph.analysis import (
    LOCATION_RELATIONS,
    MEASURES,
    AnalysisError,
    Scope,
    Scores,
    UnknownMeasure,
    UnknownType,
    credible_paths,
    measure,
    shortest_paths,
    ties,
)
from graph.build import build_graph
from graph.views import UnknownEntity, parse_day
from kg.common import EXIT_FAILED, EXIT_USAGE, KgError, PathsArg, err, out, read_facts
from kg.tables import csv_cell, print_rows
from kg.view_options import AsOfOpt, CredibilityOpt, LookAheadOpt, LookBackOpt, ReliabilityOpt, make_view

# From this many relations on, the work gets progress bars on stderr (below, they would only flicker).
BIG = 50_000
DEFAULT_TOP = 20


class Format(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


@contextmanager
def _stage(label: str, big: bool) -> Iterator[Callable[[int, int], None]]:
    """A transient progress bar on stderr for one stage of the work (nothing for small graphs);
    yields a ``(done, total)`` callback."""
    if not big:
        yield lambda done, total: None
        return
    with Progress(
        TextColumn(label),
        BarColumn(),
        TaskProgressColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    ) as bar:
        task = bar.add_task(label, total=None)

        def advance(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield advance


def _names(values: list[str] | None) -> list[str] | None:
    """Repeatable, comma-separated names: ``-t Person,ArmedGroup -t Place``."""
    if not values:
        return None
    return [v.strip() for value in values for v in value.split(",") if v.strip()]


def _day(value: str, option: str) -> date:
    try:
        return parse_day(value)
    except ValueError as e:
        raise typer.BadParameter(str(e), param_hint=option) from None


def _number(value: Any) -> str:
    """A value as the table shows it: integers whole, fractions to four significant digits.

    >>> _number(3), _number(0.52197802), _number(0.000012345), _number(None)
    ('3', '0.522', '1.234e-05', '')
    """
    if value is None:
        return ""
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float) and math.isnan(value):
        return "nan"
    return f"{value:.4g}"


def _entity(G: nx.MultiDiGraph, n: str) -> dict[str, Any]:
    data = G.nodes[n]
    return {"id": n, "name": data.get("name", n), "type": data.get("type", "")}


# -- measures -----------------------------------------------------------------------------------------------


def _rows(G: nx.MultiDiGraph, scores: Scores, top: int | None) -> list[dict[str, Any]]:
    stderr = scores.meta.get("stderr")
    rows = []
    for n, value in scores.ranked(top):
        row = {**_entity(G, n), "value": value}
        if stderr is not None:
            row["stderr"] = stderr[n]
        row.update(scores.details.get(n, {}))
        rows.append(row)
    return rows


def _summary(scores: Scores) -> str:
    m = scores.meta
    parts = [f"{m['measure']}: {m['entities']} entities, {m['ties']} ties", *m["scope"]]
    if m.get("modularity") is not None:
        parts.append(
            f"{m['communities']} communities, modularity {m['modularity']:.3f} ({m['method']}, seed {m['seed']})"
        )
    if m.get("note"):
        parts.append(m["note"])
    if m.get("between"):
        parts.append(f"between {m['between']}")
    if m["components"] > 1:
        parts.append(f"the ties fall into {m['components_text']}")
    return "; ".join(parts)


def _print_measure(rows: list[dict[str, Any]], fmt: Format) -> None:
    if fmt is Format.json:
        out.print(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    columns = list(rows[0]) if rows else ["id", "name", "type", "value"]
    if fmt is Format.csv:
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(columns)
        w.writerows([csv_cell(row.get(c)) for c in columns] for row in rows)
        out.file.write(buf.getvalue())
        out.file.flush()
        return
    heads = ["rank", *("±95%" if c == "stderr" else c for c in columns)]
    table = [
        [
            i,
            *(
                _number(1.96 * row[c])
                if c == "stderr"
                else _number(row[c])
                if isinstance(row[c], (int, float))
                else row[c]
                for c in columns
            ),
        ]
        for i, row in enumerate(rows, start=1)
    ]
    print_rows(out, heads, table, right=["rank", "value", "±95%"])


def _compare_rows(G: nx.MultiDiGraph, a: Scores, b: Scores, top: int | None, days: tuple[date, date]) -> list[dict]:
    """One row per entity measured on either date, in the order of the later measure (then the earlier)."""
    rank_a, rank_b = a.ranks(), b.ranks()
    order = [n for n, _ in b.ranked()] + [n for n, _ in a.ranked() if n not in b]
    rows = []
    for n in order[:top] if top else order:
        ra, rb = rank_a.get(n), rank_b.get(n)
        rows.append(
            {
                **_entity(G, n),
                "value": b.get(n),
                "rank": rb,
                "as_of": {"date": days[0].isoformat(), "value": a.get(n), "rank": ra},
                "compare": {"date": days[1].isoformat(), "value": b.get(n), "rank": rb},
                "rank_change": ra - rb if ra is not None and rb is not None else None,
            }
        )
    return rows


def _change(row: dict) -> str:
    if row["as_of"]["rank"] is None:
        return "new"
    if row["compare"]["rank"] is None:
        return "gone"
    change = row["rank_change"]
    return f"+{change}" if change > 0 else str(change) if change < 0 else "="


def _print_compare(rows: list[dict], fmt: Format, days: tuple[date, date]) -> None:
    a, b = (d.isoformat() for d in days)
    if fmt is Format.json:
        out.print(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    columns = ["id", "name", "type", f"value {a}", f"rank {a}", f"value {b}", f"rank {b}", "change"]
    table = [
        [
            r["id"],
            r["name"],
            r["type"],
            _number(r["as_of"]["value"]),
            r["as_of"]["rank"],
            _number(r["compare"]["value"]),
            r["compare"]["rank"],
            _change(r),
        ]
        for r in rows
    ]
    if fmt is Format.csv:
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(columns)
        w.writerows([csv_cell(v) for v in row] for row in table)
        out.file.write(buf.getvalue())
        out.file.flush()
        return
    print_rows(out, columns, table, right=[f"value {a}", f"rank {a}", f"value {b}", f"rank {b}", "change"])


def _movers(rows: list[dict]) -> str:
    moved = [r for r in rows if r["rank_change"]]
    if not moved:
        return "no rank changed among the rows shown"
    up = max(moved, key=lambda r: (r["rank_change"], r["id"]))
    down = min(moved, key=lambda r: (r["rank_change"], r["id"]))
    parts = []
    if up["rank_change"] > 0:
        parts.append(f"rose most: {up['name']} (+{up['rank_change']})")
    if down["rank_change"] < 0:
        parts.append(f"fell most: {down['name']} ({down['rank_change']})")
    return "; ".join(parts)


# -- paths --------------------------------------------------------------------------------------------------


def _print_paths(G: nx.MultiDiGraph, paths, fmt: Format, credible: bool) -> None:
    if fmt is Format.json:
        out.print(
            json.dumps([{"rank": i, **p.as_dict()} for i, p in enumerate(paths, start=1)], indent=2, ensure_ascii=False)
        )
        return
    columns = ["step", "from", "relation", "to", "credibility", "reliability", "source", "quote"]
    if fmt is Format.csv:
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(["path", *columns, "cost", "weakest"])
        for i, p in enumerate(paths, start=1):
            for j, s in enumerate(p.steps):
                w.writerow(
                    [
                        csv_cell(v)
                        for v in (
                            i,
                            j + 1,
                            s.start,
                            s.arrows(),
                            s.end,
                            s.credibility,
                            s.reliability,
                            s.best.evidence_source,
                            s.best.quote,
                            s.cost,
                            "yes" if j == p.weakest else "",
                        )
                    ]
                )
        out.file.write(buf.getvalue())
        out.file.flush()
        return
    for i, p in enumerate(paths, start=1):
        weak = p.steps[p.weakest]
        cost = f", cost {p.cost}" if credible else ""
        out.print(
            f"path {i} of {len(paths)}: {p.length} step{'' if p.length == 1 else 's'}{cost}; weakest link: "
            f"step {p.weakest + 1} (credibility {weak.credibility or '?'}, reliability {weak.reliability or '?'})"
        )
        name = {n: G.nodes[n].get("name", n) for n in p.entities}
        rows = [
            [
                f"{j + 1}{' (weakest)' if j == p.weakest else ''}",
                name[s.start],
                s.arrows(),
                name[s.end],
                s.credibility,
                s.reliability,
                s.best.evidence_source,
                s.best.quote,
            ]
            for j, s in enumerate(p.steps)
        ]
        print_rows(out, columns, rows)


def _paths_summary(paths, *, credible: bool, include_places: bool, options: dict[str, Any]) -> str:
    """What rules the paths followed, for stderr."""
    kind = (
        "best-sourced (each link: 1 + credibility rank + reliability rank of its best evidence)"
        if credible
        else "shortest"
    )
    places = (
        "through places and relations about location too"
        if include_places
        else f"never through a place or a relation about location ({', '.join(sorted(LOCATION_RELATIONS))}); "
        "--include-places allows them"
    )
    return "; ".join(
        [f"{len(paths)} {kind} path{'' if len(paths) == 1 else 's'}", places, *Scope(**options).describe()]
    )


# -- the command ----------------------------------------------------------------------------------------------


def analyze(
    paths: list[Path] = PathsArg,
    measure_name: str | None = typer.Option(
        None, "--measure", "-m", metavar="NAME", show_default=False, help="The measure: " + ", ".join(MEASURES) + "."
    ),
    path: tuple[str, str] | None = typer.Option(
        None,
        "--path",
        metavar="FROM TO",
        show_default=False,
        help="Paths between two entities (id, name or alias) instead of a measure.",
    ),
    top: int | None = typer.Option(
        None,
        "--top",
        "-n",
        min=0,
        metavar="N",
        show_default=False,
        help=f"Show the N highest (default {DEFAULT_TOP} in a table, all in json and csv; 0: all).",
    ),
    format: Format = typer.Option(Format.table, "--format", "-f", case_sensitive=False),
    entity_types: list[str] | None = typer.Option(
        None,
        "--entity-types",
        "-t",
        metavar="TYPE,...",
        show_default=False,
        help="Only entities of these types count (repeatable or comma-separated).",
    ),
    relation_types: list[str] | None = typer.Option(
        None,
        "--relation-types",
        "-r",
        metavar="TYPE,...",
        show_default=False,
        help="Only relations of these types count (repeatable or comma-separated).",
    ),
    exclude: list[str] | None = typer.Option(
        None,
        "--exclude",
        "-x",
        metavar="ID_OR_NAME",
        show_default=False,
        help="Leave this entity out, e.g. an umbrella group or a place hub (repeatable).",
    ),
    as_of: str | None = AsOfOpt,
    look_back: str | None = LookBackOpt,
    look_ahead: str | None = LookAheadOpt,
    credibility_at_least: str | None = CredibilityOpt,
    reliability_at_least: str | None = ReliabilityOpt,
    directed: bool = typer.Option(
        False,
        "--directed",
        help="Follow relations from -> to only (default: a relation ties both ends, "
        "since its direction is grammar: A MEMBER_OF B and B LEADS A both tie A to B).",
    ),
    largest_component: bool = typer.Option(
        False, "--largest-component", help="Measure only the largest connected component."
    ),
    compare: str | None = typer.Option(
        None,
        "--compare",
        metavar="DATE",
        show_default=False,
        help="With --as-of: the measure on both dates side by side, with each entity's rank change.",
    ),
    seed: int | None = typer.Option(
        None,
        "--seed",
        metavar="N",
        show_default=False,
        help="Random seed of communities, brokerage and sampled betweenness (default 0): same seed, same result.",
    ),
    samples: int | None = typer.Option(
        None,
        "--samples",
        min=1,
        metavar="N",
        show_default=False,
        help="Betweenness on large networks: how many source entities to sample (default 256).",
    ),
    between: list[str] | None = typer.Option(
        None,
        "--between",
        metavar="TYPE,...",
        show_default=False,
        help="type-brokerage: the two sides, given twice (e.g. --between Government,Organization "
        "--between ArmedGroup); default: any two types.",
    ),
    credible: bool = typer.Option(
        False,
        "--credible",
        help="With --path: the best-sourced path (each link weighted by the grades of its "
        "best evidence) rather than the shortest.",
    ),
    k: int = typer.Option(1, "--k", min=1, metavar="N", help="With --path: the N best paths."),
    include_places: bool = typer.Option(
        False,
        "--include-places",
        help="With --path: let paths pass through places and relations about location (LOCATED_IN, NEAR).",
    ),
):
    """Network measures over the facts (who is central, who brokers, which communities) or paths between two
    entities, each link with its evidence.

    Ties are undirected by default; several relations between two entities are one tie. The as-of date and
    grade filters follow the same view rules as every other command. Paths skip places and relations about
    location unless --include-places; --credible weighs each link by its best evidence (credibility and
    source reliability) and every path names its weakest link.

    Example: kg analyze data --measure betweenness --top 10

    Example: kg analyze data --measure pagerank --as-of 2021-12 --compare 2024-12

    Example: kg analyze data --path "Fog 47" "Husam Luqa" --credible --k 3
    """
    if (measure_name is None) == (path is None):
        raise KgError("give either --measure NAME or --path FROM TO", EXIT_USAGE)
    if path is None and (credible or k != 1 or include_places):
        raise KgError("--credible, --k and --include-places go with --path", EXIT_USAGE)
    if path is not None and (compare or largest_component or seed is not None or samples or between):
        raise KgError("--compare, --largest-component, --seed, --samples and --between go with --measure", EXIT_USAGE)
    try:
        chosen = measure(measure_name) if measure_name is not None else None
    except UnknownMeasure as e:
        raise KgError(str(e), EXIT_USAGE) from None
    if chosen is not None:
        given = {"seed": seed, "samples": samples, "between": between}
        wrong = [f"--{name}" for name, value in given.items() if value and name not in chosen.takes]
        if wrong:
            raise KgError(
                f"{' and '.join(wrong)} do{'es' if len(wrong) == 1 else ''} not apply to {chosen.name}", EXIT_USAGE
            )
    view = make_view(
        as_of=as_of,
        look_back=look_back,
        look_ahead=look_ahead,
        credibility_at_least=credibility_at_least,
        reliability_at_least=reliability_at_least,
    )
    if compare is not None and view.as_of is None:
        raise typer.BadParameter("--compare needs --as-of (the date to compare with)", param_hint="--compare")
    compare_day = _day(compare, "--compare") if compare is not None else None
    sides = _names(between)
    if sides is not None and len(between or []) != 2:
        raise KgError(
            "--between is given twice, once per side (e.g. --between Government --between ArmedGroup)", EXIT_USAGE
        )
    options: dict[str, Any] = {
        "entity_types": _names(entity_types),
        "relation_types": _names(relation_types),
        "exclude": list(exclude or []),
        "as_of": view.as_of,
        "horizon": view.horizon,
        "credibility_at_least": view.credibility_at_least,
        "reliability_at_least": view.reliability_at_least,
        "directed": directed or (chosen is not None and chosen.fixed.get("mode") in ("in", "out")),
    }
    if chosen is not None:
        options["largest_component"] = largest_component
    try:
        Scope(**options)  # unknown types are a usage error, found before any reading
    except UnknownType as e:
        raise KgError(str(e), EXIT_USAGE) from None

    facts = read_facts(paths)
    big = sum(len(e.evidence) for e in facts.edges.values()) >= BIG
    with _stage("building the graph", big):
        G = build_graph(facts)
    try:
        if path is not None:
            find = credible_paths if credible else shortest_paths
            with _stage("finding paths", big):
                found = find(G, path[0], path[1], k=k, include_places=include_places, **options)
            _print_paths(G, found, format, credible)
            err.print(_paths_summary(found, credible=credible, include_places=include_places, options=options))
            return
        tunables = {
            "seed": seed,
            "samples": samples,
            "between": (
                [s for s in between[0].split(",") if s.strip()],
                [s for s in between[1].split(",") if s.strip()],
            )
            if sides
            else None,
        }
        if compare_day is None:
            scores = _measure(G, chosen, options, tunables, big)
            err.print(_summary(scores))
            if top is None:
                top = DEFAULT_TOP if format is Format.table else 0
            _print_measure(_rows(G, scores, top or None), format)
            return
        a = _measure(G, chosen, options, tunables, big)
        b = _measure(G, chosen, {**options, "as_of": compare_day}, tunables, big)
        err.print(_summary(a))
        err.print(_summary(b))
        if top is None:
            top = DEFAULT_TOP if format is Format.table else 0
        rows = _compare_rows(G, a, b, top or None, (view.as_of, compare_day))
        _print_compare(rows, format, (view.as_of, compare_day))
        err.print(_movers(rows))
    except (UnknownEntity, AnalysisError) as e:
        raise KgError(str(e), EXIT_FAILED) from None


def _measure(G: nx.MultiDiGraph, chosen, options: dict, tunables: dict, big: bool) -> Scores:
    with _stage("preparing the ties", big):
        T = ties(G, **options)
    with _stage(chosen.name, big) as progress:
        extra = {"progress": progress} if chosen.name in ("betweenness", "type-brokerage") else {}
        return chosen.run(T, **{k: v for k, v in tunables.items() if k in chosen.takes}, **extra)


def register(app: typer.Typer) -> None:
    app.command("analyze")(analyze)
