"""`kg viz`: a self-contained interactive HTML snapshot of the graph."""

from __future__ import annotations

from pathlib import Path

import typer

from graph.build import build_graph
from graph.files import OutputError
from graph.geo import MAX_OVERLAY_BYTES, OverlayError, read_overlay
from graph.schema import REGISTRY
from graph.views import parse_day
from kg.common import (
    EXIT_FAILED,
    CredibilityOpt,
    KgError,
    PathsArg,
    ReliabilityOpt,
    check_output,
    out,
    parse_grade,
    read_facts,
)
from kg.view_options import look_ahead_option, look_back_option, parse_horizon, select_view


def _day(value: str | None):
    if value is None:
        return None
    try:
        return parse_day(value)
    except ValueError as e:
        raise typer.BadParameter(str(e), param_hint="--as-of") from None


def viz(
    paths: list[Path] = PathsArg,
    out_file: Path = typer.Option(
        ...,
        "--out",
        "-o",
        metavar="FILE.html",
        show_default=False,
        help="The HTML file to write (its folder must exist).",
    ),
    focus: list[str] | None = typer.Option(
        None,
        "--focus",
        metavar="NAME_OR_ID",
        help="Show only the neighbourhood of this entity (id, name or alias; spelling variants and Arabic script "
        "are matched, the match is said). Repeatable.",
    ),
    depth: int | None = typer.Option(None, "--depth", min=0, help="Hops around --focus (default 1)."),
    as_of: str | None = typer.Option(
        None, "--as-of", metavar="DATE", help="Only facts valid on this date (YYYY, YYYY-MM or YYYY-MM-DD)."
    ),
    look_back: str | None = look_back_option("For --as-of and the page's as-of slider"),
    look_ahead: str | None = look_ahead_option("For --as-of and the page's as-of slider"),
    credibility_at_least: str | None = CredibilityOpt,
    reliability_at_least: str | None = ReliabilityOpt,
    title: str | None = typer.Option(
        None, "--title", help="Heading of the page (default: the focus and its depth, else the input names)."
    ),
    size_by: str = typer.Option(
        "degree",
        "--size-by",
        metavar="MEASURE",
        help="Size nodes by this measure (as kg analyze --measure: degree, pagerank, betweenness...); "
        "the page lists the key players by it.",
    ),
    colour_by: str = typer.Option(
        "type", "--colour-by", "--color-by", metavar="type|community", help="Colour nodes by entity type or community."
    ),
    overlay: Path | None = typer.Option(
        None,
        "--overlay",
        metavar="FILE.geojson",
        exists=True,
        dir_okay=False,
        help="A GeoJSON file drawn over the map (e.g. governorate boundaries), checked first; at most "
        f"{MAX_OVERLAY_BYTES // 1048576} MB.",
    ),
):
    """Write ONE self-contained HTML file to explore the graph offline: no network, no server.

    Entities are coloured and shaped by type (with a legend you can filter by), relations are
    labelled by type; click anything for its evidence. Search by name or alias in the page.

    Example: kg viz data --out out/graph.html --focus "Fog 47" --depth 2 --credibility-at-least 3

    Example: kg viz data --out out/2022.html --as-of 2022-06 --look-back 6m --look-ahead 1y

    The page also has a map (located sites and places, and the actors placed there) and a timeline,
    linked to the graph, and a play button that steps the as-of date through the data.
    """
    from viz.snapshot import View, write_snapshot

    if depth is not None and not focus:
        raise typer.BadParameter("--depth needs --focus", param_hint="--depth")
    _check_drawing(size_by, colour_by)
    horizon = parse_horizon(look_back, look_ahead)
    view = View(
        as_of=_day(as_of),
        credibility_at_least=parse_grade(REGISTRY.credibility, credibility_at_least, "--credibility-at-least"),
        reliability_at_least=parse_grade(REGISTRY.reliability, reliability_at_least, "--reliability-at-least"),
        focus=list(focus or []),
        depth=1 if depth is None else depth,
        horizon=horizon,
    )
    check_output(out_file)  # before the work, not after it
    shapes = None
    if overlay is not None:
        try:
            shapes = read_overlay(overlay)
        except OverlayError as e:
            for line in str(e).splitlines():
                out.print(line)
            raise KgError(f"{overlay} cannot be drawn on the map: nothing written", EXIT_FAILED) from None
    G = build_graph(read_facts(paths))
    H = select_view(G, view)  # the focus matched as everywhere, and said
    heading = title if title is not None else default_title(G, view, paths)
    try:
        write_snapshot(
            H,
            out_file,
            title=heading,
            view=view,
            context=G,
            overlay=shapes,
            size_by=size_by,
            colour_by=None if colour_by == "type" else colour_by,
        )
    except OutputError as e:  # e.g. the folder went missing meanwhile
        raise KgError(str(e), EXIT_FAILED) from None
    except OSError as e:
        raise KgError(f"cannot write {out_file}: {e.strerror or e}", EXIT_FAILED) from None
    size = out_file.stat().st_size / 1e6
    n, m = H.number_of_nodes(), H.number_of_edges()
    out.print(
        f"wrote {out_file}: {n} entit{'y' if n == 1 else 'ies'}, {m} relation{'' if m == 1 else 's'} "
        f"({size:.1f} MB, self-contained)"
    )
    # The horizon decides what an as-of date shows, here and on the page's slider: always said.
    out.print(
        f"as of {view.as_of.isoformat()}: {horizon.describe()}"
        if view.as_of
        else f"as-of horizon: {horizon.describe()}"
    )


def _check_drawing(size_by: str, colour_by: str) -> None:
    """Usage errors for --size-by and --colour-by, naming the closest valid choice."""
    from graph.analysis import UnknownMeasure, measure
    from graph.analysis.results import closest

    try:
        measure(size_by)
    except UnknownMeasure as e:
        raise typer.BadParameter(str(e), param_hint="--size-by") from None
    choices = ("type", "community")
    if colour_by not in choices:
        near = closest(colour_by, choices)
        hint = f" (did you mean {near!r}?)" if near else ""
        message = f"unknown colouring {colour_by!r}{hint}; one of: type, community"
        raise typer.BadParameter(message, param_hint="--colour-by")


def default_title(G, view, paths: list[Path]) -> str:
    """The page's heading: the focus and its depth ("Fog 47 and its neighbours, depth 2"), else the inputs."""
    from viz.snapshot import focus_ids

    ids = focus_ids(G, view) if view.focus else []
    if not ids:
        return "actorgraph: " + ", ".join(p.name or str(p) for p in paths)
    names = [G.nodes[i].get("name") or i for i in ids]
    said = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    if view.depth == 0:
        return said
    return f"{said} and {'its' if len(names) == 1 else 'their'} neighbours, depth {view.depth}"


def register(app: typer.Typer) -> None:
    app.command("viz")(viz)
