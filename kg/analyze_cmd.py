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
from graph.analysis.scope import resolve_names
from graph.build import build_graph
from graph.neo4j.connection import Neo4jError, driver, neo4j_errors
from graph.neo4j.measures import (
    DEFAULT_MEASURES,
    MeasuresError,
    WriteReport,
    check_dataset,
    measures_state,
    property_name,
    write_measures,
)
from graph.neo4j.settings import get_settings
from graph.views import UnknownEntity, parse_day
from kg.common import EXIT_FAILED, EXIT_USAGE, KgError, PathsArg, err, fact_files, out, read_facts
from kg.load_cmd import default_dataset, files_digest
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


# -- writing measures to Neo4j -------------------------------------------------------------------------------


def _written_summary(G: nx.MultiDiGraph, name: str, scores: Scores) -> str:
    """One line on what was stored: the communities found, the sampling, or who came highest."""
    m = scores.meta
    if name == "communities":
        return f"{m['communities']} communities, modularity {m['modularity']:.3f} (seed {m['seed']})"
    ranked = scores.ranked(1)
    if not ranked:
        return ""
    n, value = ranked[0]
    line = f"highest: {G.nodes[n].get('name', n)} ({_number(value)})"
    if m.get("method") == "sampled":
        line += f"; {m['note']}"
    return line


def _write_rows(G: nx.MultiDiGraph, results: dict[str, Scores]) -> list[dict[str, Any]]:
    return [
        {
            "measure": name,
            "property": property_name(name),
            "entities": sum(1 for _ in scores),
            "summary": _written_summary(G, name, scores),
        }
        for name, scores in results.items()
    ]


def _can_write(paths: list[Path], dataset: str | None) -> None:
    """Fail before any work when the measures could not be written (no server, the files not loaded)."""
    settings = get_settings()
    name = dataset if dataset is not None else default_dataset(paths)
    try:
        with neo4j_errors(settings), driver(settings, notifications_min_severity="OFF") as drv:
            check_dataset(measures_state(drv, name, settings.database), files_digest(fact_files(paths)))
    except (Neo4jError, MeasuresError) as e:
        raise KgError(f"{e}; no measure was written") from None


def _write(
    G: nx.MultiDiGraph,
    paths: list[Path],
    dataset: str | None,
    results: dict[str, Scores],
    scope: list[str],
    fmt: Format,
    big: bool,
) -> None:
    """Store the measures on the dataset's entities in Neo4j, then say what was stored."""
    settings = get_settings()
    name = dataset if dataset is not None else default_dataset(paths)
    try:
        with (
            neo4j_errors(settings),
            driver(settings, notifications_min_severity="OFF") as drv,
            _stage("writing to Neo4j", big) as progress,
        ):
            drv.verify_connectivity()
            report = write_measures(
                drv,
                name,
                results,
                list(G),
                database=settings.database,
                files_hash=files_digest(fact_files(paths)),
                scope=scope,
                progress=progress,
            )
    except (Neo4jError, MeasuresError) as e:
        raise KgError(f"{e}; no measure was written") from None
    rows = _write_rows(G, results)
    if fmt is Format.json:
        out.print(json.dumps({**report.as_dict(), "written_measures": rows}, indent=2, ensure_ascii=False))
    elif fmt is Format.csv:
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(list(rows[0]))
        w.writerows([csv_cell(v) for v in row.values()] for row in rows)
        out.file.write(buf.getvalue())
        out.file.flush()
    else:
        print_rows(
            out,
            ["measure", "property", "entities", "summary"],
            [list(row.values()) for row in rows],
            right=["entities"],
        )
    err.print(_written_line(report, settings.uri))


def _written_line(report: WriteReport, uri: str) -> str:
    cleared = f"; removed {', '.join(report.cleared)} (computed before the last reload)" if report.cleared else ""
    return (
        f"wrote {len(report.measures)} measure{'' if len(report.measures) == 1 else 's'} on "
        f"{report.written} entities of dataset {report.dataset} in Neo4j at {uri} "
        f"in {report.seconds:.1f}s{cleared}"
    )


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
        help="Paths between two entities (id, name or alias; spelling variants and Arabic script are matched, "
        "the match is said) instead of a measure.",
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
        help="Leave this entity out, e.g. an umbrella group or a place hub (id, name or alias, matched as --path; "
        "repeatable).",
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
    write: bool = typer.Option(
        False,
        "--write",
        help="Store the measure (without --measure: " + ", ".join(DEFAULT_MEASURES) + ") as properties "
        "of the dataset's entities in Neo4j (measure_pagerank, measure_community...), for Cypher and the "
        "named queries; the files must be the ones last loaded (kg load).",
    ),
    dataset: str | None = typer.Option(
        None,
        "--dataset",
        "-d",
        show_default="the name of the first path's folder, as kg load names it",
        help="With --write: the dataset in Neo4j these files were loaded as.",
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

    Example: kg analyze data --write
    """
    if write and (path is not None or compare is not None):
        raise KgError("--write stores measures: it does not go with --path or --compare", EXIT_USAGE)
    if dataset is not None and not write:
        raise KgError("--dataset goes with --write", EXIT_USAGE)
    if dataset is not None and not dataset.strip():
        raise KgError("--dataset must not be empty", EXIT_USAGE)
    if (measure_name is None) == (path is None) and not (write and measure_name is None):
        raise KgError("give either --measure NAME or --path FROM TO", EXIT_USAGE)
    if path is None and (credible or k != 1 or include_places):
        raise KgError("--credible, --k and --include-places go with --path", EXIT_USAGE)
    if path is not None and (compare or largest_component or seed is not None or samples or between):
        raise KgError("--compare, --largest-component, --seed, --samples and --between go with --measure", EXIT_USAGE)
    try:
        chosen = measure(measure_name) if measure_name is not None else None
    except UnknownMeasure as e:
        raise KgError(str(e), EXIT_USAGE) from None
    several = [measure(m) for m in DEFAULT_MEASURES] if write and chosen is None else None
    if chosen is not None or several:
        given = {"seed": seed, "samples": samples, "between": between}
        takes = {t for m in (several or [chosen]) for t in m.takes}
        wrong = [f"--{name}" for name, value in given.items() if value is not None and name not in takes]
        if wrong:
            what = chosen.name if chosen is not None else ", ".join(DEFAULT_MEASURES)
            raise KgError(f"{' and '.join(wrong)} do{'es' if len(wrong) == 1 else ''} not apply to {what}", EXIT_USAGE)
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
    if chosen is not None or several:
        options["largest_component"] = largest_component
    try:
        Scope(**options)  # unknown types are a usage error, found before any reading
    except UnknownType as e:
        raise KgError(str(e), EXIT_USAGE) from None

    facts = read_facts(paths, writes="Neo4j" if write else "")
    if write:
        _can_write(paths, dataset)
    big = sum(len(e.evidence) for e in facts.edges.values()) >= BIG
    with _stage("building the graph", big):
        G = build_graph(facts)
    try:
        # Names are matched once, here, so that how a spelling was taken is said before the work starts;
        # the library gets ids (taken at once).
        if options["exclude"]:
            options["exclude"] = _matched(G, options["exclude"], "--exclude")
        if path is not None:
            path = tuple(_matched(G, list(path), "--path"))
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
        if write:
            with _stage("preparing the ties", big):
                T = ties(G, **options)
            results = {m.name: _measure(T, m, {}, tunables, big) for m in (several or [chosen])}
            _write(G, paths, dataset, results, T.scope.describe(), format, big)
            return
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


def _matched(G, names: list[str], option: str) -> list[str]:
    """The ids the names of an option name (:func:`graph.analysis.scope.resolve_names`), the matches
    that were not exact spellings said on stderr ("--exclude 'Abou Kamal' -> 'Al-Bukamal' (al-bukamal), ...")."""
    ids, notes = resolve_names(G, names)
    for note in notes:
        err.print(f"{option} {note}")
    return ids


def _measure(G, chosen, options: dict, tunables: dict, big: bool) -> Scores:
    """``chosen`` on ``G`` (a graph, or ready ties when ``options`` is empty)."""
    with _stage("preparing the ties", big):
        T = ties(G, **options)
    with _stage(chosen.name, big) as progress:
        extra = {"progress": progress} if chosen.name in ("betweenness", "type-brokerage") else {}
        return chosen.run(T, **{k: v for k, v in tunables.items() if k in chosen.takes}, **extra)


def register(app: typer.Typer) -> None:
    app.command("analyze")(analyze)
