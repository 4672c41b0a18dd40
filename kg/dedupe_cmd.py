"""`kg dedupe`: entities that may be one and the same, scored with their reasons (graph.dedupe).

The curator decides in a ``resolutions:`` section (graph.resolutions): "same" pairs are merged at load,
and decided pairs are never proposed again.
"""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path

import typer

from graph.dedupe import DEFAULT_MIN_SCORE, Stats, find_duplicates
from graph.facts import Facts
from kg.common import EXIT_FAILED, PathsArg, check_facts, err, out, print_problems, problems_summary, read_facts
from kg.tables import print_rows


class DedupeFormat(StrEnum):
    table = "table"
    json = "json"


def dedupe(
    paths: list[Path] = PathsArg,
    against: list[Path] = typer.Option(
        [],
        "--against",
        exists=True,
        metavar="PATH",
        show_default=False,
        help="The dataset the files add to (repeatable): they are checked with it as their context (as kg "
        "validate --with), and only pairs of a new entity and a known one are proposed.",
    ),
    min_score: int = typer.Option(
        DEFAULT_MIN_SCORE, "--min-score", min=0, max=100, metavar="N", help="Propose pairs scoring at least N (0-100)."
    ),
    limit: int = typer.Option(50, "--limit", min=0, metavar="N", help="Show at most N pairs, best first (0: all)."),
    fmt: DedupeFormat = typer.Option(DedupeFormat.table, "--format", "-f", help="Output format."),
):
    """Entities that may be duplicates, best first, with the reasons of their score (0-100).

    Names are compared as graph.names matches them (spellings, folded forms, sounds and consonants, in
    Latin and Arabic script alike, then fuzzy similarity), with shared neighbours and coordinates; only
    entities of compatible types are paired. Decide each pair in a resolutions: section (see the README,
    "Duplicates"): "same" merges them at load, and a decided pair is never proposed again.

    Example: kg dedupe data

    Example: kg dedupe new-report.yaml --against data --format json
    """
    facts, new = _facts(paths, against)
    stats = Stats()
    shown = find_duplicates(facts, new=new, min_score=min_score, limit=limit or None, stats=stats)
    if fmt is DedupeFormat.json:
        out.print(json.dumps({"pairs": [p.as_dict() for p in shown], "stats": stats.as_dict()}, ensure_ascii=False))
    else:
        rows = [[p.score, f"{p.a.name} ({p.a.id})", f"{p.b.name} ({p.b.id})", _type(p), p.because()] for p in shown]
        first = "new entity" if against else "entity"
        print_rows(out, ["score", first, "may be", "type", "because"], rows, right=["score"])
    more = f" (showing {len(shown)}; --limit 0 shows all)" if len(shown) < stats.proposed else ""
    skipped = f"; {stats.skipped_blocks} block(s) too common to compare were skipped" if stats.skipped_blocks else ""
    decided = f"; {stats.decided} decided pair(s) left out" if stats.decided else ""
    err.print(
        f"{stats.proposed} candidate pair(s) scoring at least {min_score}{more}, among {stats.entities} entities "
        f"({stats.compared} pair(s) compared{decided}{skipped})"
    )


def _type(p) -> str:
    return p.a.type if p.a.type == p.b.type else f"{p.a.type} / {p.b.type}"


def _facts(paths: list[Path], against: list[Path]) -> tuple[Facts, set[str] | None]:
    """The facts of ``paths`` (with ``against`` as their context), and then the ids of the new entities."""
    if not against:
        return read_facts(paths), None
    checked = check_facts(paths, context=against)
    if checked.problems:
        print_problems(checked.problems, hint="; kg validate --max-problems 0 lists them all")
        err.print(problems_summary(checked.problems, len(checked.files) + checked.not_read))
        raise typer.Exit(EXIT_FAILED)
    known = read_facts(against).entities
    return checked.facts, {eid for eid in checked.facts.entities if eid not in known}


def register(app: typer.Typer) -> None:
    app.command("dedupe")(dedupe)
