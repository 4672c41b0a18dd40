"""`kg viz`: a self-contained interactive HTML snapshot of the graph."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import List, Optional

import typer

from graph.build import build_graph
from graph.views import parse_day
from kg.common import PathsArg, console, out, read_facts


class Reliability(str, Enum):
    A = "A"
    B = "B"
    C = "C"
    D = "D"
    E = "E"
    F = "F"


def _day(value: Optional[str]):
    if value is None:
        return None
    try:
        return parse_day(value)
    except ValueError as e:
        raise typer.BadParameter(str(e), param_hint="--as-of") from None


def viz(
    paths: List[Path] = PathsArg,
    out_file: Path = typer.Option(..., "--out", "-o", dir_okay=False, help="The HTML file to write.",
                                  show_default=False),
    focus: Optional[List[str]] = typer.Option(
        None, "--focus", metavar="NAME_OR_ID",
        help="Show only the neighbourhood of this entity (name, alias or id; case and accents ignored). Repeatable."),
    depth: Optional[int] = typer.Option(None, "--depth", min=0, help="Hops around --focus (default 1)."),
    as_of: Optional[str] = typer.Option(None, "--as-of", metavar="DATE",
                                        help="Only facts valid on this date (YYYY, YYYY-MM or YYYY-MM-DD)."),
    credibility_at_least: Optional[int] = typer.Option(
        None, "--min-credibility", min=1, max=6, metavar="N",
        help="Keep evidence graded 1..N (Admiralty credibility, 1 = confirmed)."),
    reliability_at_least: Optional[Reliability] = typer.Option(
        None, "--min-reliability", case_sensitive=False, metavar="X",
        help="Keep evidence from sources graded A..X (Admiralty reliability, A = best)."),
    title: Optional[str] = typer.Option(None, "--title", help="Heading of the page (default: the input names)."),
):
    """Write ONE self-contained HTML file to explore the graph offline: no network, no server.

    Entities are coloured and shaped by type (with a legend you can filter by), relations are
    labelled by type; click anything for its evidence. Search by name or alias in the page.

    Example: kg viz data --out out/graph.html --focus "Fog 47" --depth 2 --min-credibility 3
    """
    from viz.snapshot import UnknownEntity, View, select, write_snapshot

    if depth is not None and not focus:
        raise typer.BadParameter("--depth needs --focus", param_hint="--depth")
    view = View(as_of=_day(as_of), credibility_at_least=credibility_at_least,
                reliability_at_least=reliability_at_least.value if reliability_at_least else None,
                focus=list(focus or []), depth=1 if depth is None else depth)
    G = build_graph(read_facts(paths))
    try:
        H = select(G, view)
    except UnknownEntity as e:
        console.print("error: " + str(e), markup=False, highlight=False)
        raise typer.Exit(1)
    heading = title if title is not None else "actorgraph: " + ", ".join(p.name or str(p) for p in paths)
    try:
        write_snapshot(H, out_file, title=heading, view=view)
    except OSError as e:
        console.print(f"error: cannot write {out_file}: {e.strerror or e}", markup=False, highlight=False)
        raise typer.Exit(1)
    size = out_file.stat().st_size / 1e6
    n, m = H.number_of_nodes(), H.number_of_edges()
    out.print(f"wrote {out_file}: {n} entit{'y' if n == 1 else 'ies'}, {m} relation{'' if m == 1 else 's'} "
              f"({size:.1f} MB, self-contained)", markup=False)


def register(app: typer.Typer) -> None:
    app.command("viz")(viz)
