"""The view options of the commands that write what you see (`kg export`; `kg viz` takes the same ones):
focus and depth, an as-of date with its horizon, the grade filters, turned into a :class:`graph.views.View`."""

from __future__ import annotations

import networkx as nx
import typer

from graph.asof import DEFAULT_HORIZON, Horizon, Span
from graph.schema import REGISTRY
from graph.views import UnknownEntity, View, parse_day, select
from kg.common import EXIT_USAGE, CredibilityOpt, KgError, ReliabilityOpt, err, parse_grade

FocusOpt = typer.Option(
    None,
    "--focus",
    metavar="NAME_OR_ID",
    help="Keep only the neighbourhood of this entity (id, name or alias; spelling variants and Arabic script "
    "are matched, the match is said). Repeatable.",
)
DepthOpt = typer.Option(None, "--depth", min=0, help="Hops around --focus (default 1).")
AsOfOpt = typer.Option(
    None,
    "--as-of",
    metavar="DATE",
    help="Only facts valid on this date (YYYY, YYYY-MM or YYYY-MM-DD), by the as-of rule.",
)


def look_back_option(when: str = "With --as-of"):
    """``--look-back`` (the horizon of graph.asof), its help starting with ``when`` it applies."""
    return typer.Option(
        None,
        "--look-back",
        metavar="SPAN",
        show_default=str(DEFAULT_HORIZON.look_back),
        help=f"{when}: a fact without stated dates holds from this long before its first report (90d, 6m, 1y).",
    )


def look_ahead_option(when: str = "With --as-of"):
    """``--look-ahead``: see :func:`look_back_option`."""
    return typer.Option(
        None,
        "--look-ahead",
        metavar="SPAN",
        show_default=str(DEFAULT_HORIZON.look_ahead),
        help=f"{when}: ... and until this long after its last report.",
    )


LookBackOpt, LookAheadOpt = look_back_option(), look_ahead_option()


def parse_horizon(look_back: str | None, look_ahead: str | None) -> Horizon:
    """The horizon the two options ask for (defaults where not given); a usage error (exit 2) if malformed."""
    try:
        return Horizon.parse(look_back, look_ahead)
    except ValueError as exc:
        raise KgError(f"--look-back / --look-ahead: {exc}", EXIT_USAGE) from None


__all__ = [
    "AsOfOpt",
    "CredibilityOpt",
    "DepthOpt",
    "FocusOpt",
    "LookAheadOpt",
    "LookBackOpt",
    "ReliabilityOpt",
    "look_ahead_option",
    "look_back_option",
    "make_view",
    "parse_horizon",
    "select_view",
]


def _span(value: str | None, option: str) -> Span | None:
    if value is None:
        return None
    try:
        return Span.parse(value)
    except ValueError as e:
        raise typer.BadParameter(str(e), param_hint=option) from None


def make_view(
    *,
    focus: list[str] | None = None,
    depth: int | None = None,
    as_of: str | None = None,
    look_back: str | None = None,
    look_ahead: str | None = None,
    credibility_at_least: str | None = None,
    reliability_at_least: str | None = None,
) -> View:
    """The view the options ask for; a usage error (exit 2) for an option given wrongly."""
    if depth is not None and not focus:
        raise typer.BadParameter("--depth needs --focus", param_hint="--depth")
    day = None
    if as_of is not None:
        try:
            day = parse_day(as_of)
        except ValueError as e:
            raise typer.BadParameter(str(e), param_hint="--as-of") from None
    back, ahead = _span(look_back, "--look-back"), _span(look_ahead, "--look-ahead")
    if (back or ahead) and day is None:
        raise typer.BadParameter(
            "--look-back and --look-ahead need --as-of", param_hint="--look-back" if back else "--look-ahead"
        )
    horizon = Horizon(back or DEFAULT_HORIZON.look_back, ahead or DEFAULT_HORIZON.look_ahead)
    return View(
        as_of=day,
        horizon=horizon,
        credibility_at_least=parse_grade(REGISTRY.credibility, credibility_at_least, "--credibility-at-least"),
        reliability_at_least=parse_grade(REGISTRY.reliability, reliability_at_least, "--reliability-at-least"),
        focus=list(focus or []),
        depth=1 if depth is None else depth,
    )


def select_view(G: nx.MultiDiGraph, view: View) -> nx.MultiDiGraph:
    """:func:`graph.views.select`, a focus that names nothing (or several) told as one error line (exit 1);
    how a focus name that was not an exact spelling was matched is said on stderr."""
    try:
        H = select(G, view)
    except UnknownEntity as e:
        raise KgError(str(e)) from None
    for line in H.graph.get("focus_matched", ()):
        err.print(f"--focus {line}")
    return H
