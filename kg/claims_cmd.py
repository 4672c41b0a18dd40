"""`kg claims`: who the facts rest on, from the files (no Neo4j): originators, their claims, single-originator facts.

The originator of a piece of evidence is decided by :func:`graph.attribution.originator` (its
``according_to``, else its ``via``, else its source's publisher) and a fact rests on the distinct
originators of its evidence. The named Cypher queries ``single_originator`` and ``claims_of`` answer the
same questions in Neo4j.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

import networkx as nx
import typer

from graph.asof import fact_window
from graph.attribution import ANONYMOUS, ENTITY, PUBLISHER, attribution_text, originator
from graph.build import build_graph
from graph.facts import edge_id
from graph.names import AmbiguousName, BadName, Candidate, NameIndex, UnknownName, check_name, name_key
from kg.common import EXIT_USAGE, KgError, PathsArg, err, out, read_facts
from kg.tables import print_rows


class ClaimsFormat(StrEnum):
    table = "table"
    json = "json"


@dataclass(frozen=True)
class Originator:
    """One originator: ``key`` as :func:`graph.attribution.originator` gives it, and how to show it."""

    key: str
    kind: str  # entity, anonymous or publisher
    label: str  # the entity's name, the anonymous originator's words (and the source they are in), the publisher

    def as_dict(self) -> dict[str, str]:
        return {"originator": self.label, "kind": self.kind, "key": self.key}


def originator_of(ev: dict[str, Any], G: nx.MultiDiGraph) -> Originator:
    """The originator of a piece of evidence (an edge's evidence dict), labelled for people.

    >>> G = nx.MultiDiGraph(sources={"lv": {"publisher": "Levant"}})
    >>> G.add_node("sohr", name="SOHR")
    >>> originator_of({"source": "lv", "via": "sohr"}, G).label, originator_of({"source": "lv"}, G).label
    ('SOHR', 'Levant')
    >>> originator_of({"source": "lv", "according_to": "local sources"}, G).label
    'local sources (in lv)'
    """
    key, kind, label = originator(ev, G.graph.get("sources", {}))
    if kind == ENTITY:
        label = G.nodes[label].get("name", label) if label in G else label
    elif kind == ANONYMOUS:
        label = f"{label} (in {ev['source']})"
    return Originator(key, kind, label)


def fact_originators(G: nx.MultiDiGraph) -> dict[tuple[str, str, str], list[Originator]]:
    """Every fact (from, type, to) with its distinct originators, in the order its evidence names them."""
    found: dict[tuple[str, str, str], list[Originator]] = {}
    for u, v, k, d in G.edges(keys=True, data=True):
        seen: dict[str, Originator] = {}
        for ev in d["evidence"]:
            o = originator_of(ev, G)
            seen.setdefault(o.key, o)
        found[u, k, v] = list(seen.values())
    return found


def originator_rows(G: nx.MultiDiGraph) -> list[dict[str, Any]]:
    """Each originator with how many facts rest on it (``facts``) and on it alone (``alone``): most facts first.

    >>> G = nx.MultiDiGraph(sources={"a": {"publisher": "Alma"}, "n": {"publisher": "NPA"}})
    >>> G.add_edge("x", "y", "LEADS", evidence=[{"source": "a"}, {"source": "n"}])
    'LEADS'
    >>> G.add_edge("x", "z", "LEADS", evidence=[{"source": "a"}])
    'LEADS'
    >>> [(r["originator"], r["facts"], r["alone"]) for r in originator_rows(G)]
    [('Alma', 2, 1), ('NPA', 1, 0)]
    """
    counts: dict[str, dict[str, Any]] = {}
    for originators in fact_originators(G).values():
        for o in originators:
            row = counts.setdefault(o.key, {**o.as_dict(), "facts": 0, "alone": 0})
            row["facts"] += 1
            row["alone"] += len(originators) == 1
    return sorted(counts.values(), key=lambda r: (-r["facts"], -r["alone"], name_key(r["originator"]), r["key"]))


def _publishers(G: nx.MultiDiGraph) -> NameIndex:
    """The publishers of the sources as a name index (``publisher:<key>`` -> the publisher as written)."""
    found: dict[str, str] = {}
    for meta in G.graph.get("sources", {}).values():
        if meta.get("publisher"):
            found.setdefault(f"{PUBLISHER}:{name_key(str(meta['publisher']))}", str(meta["publisher"]))
    return NameIndex((key, text, PUBLISHER) for key, text in sorted(found.items()))


def find_originator(G: nx.MultiDiGraph, text: str, *, notes: list[str] | None = None) -> tuple[str, set[str]]:
    """What ``text`` names: ``(kind, keys)``, by the one name matcher (:class:`graph.names.NameIndex`).

    An entity's exact spelling (id, name or alias) first, else a publisher's, else the words of
    anonymous originators (one key per source that cites them); then spelling variants of an
    entity's or a publisher's name (Arabic script, transliterations, fuzzy). How a name that was
    not an exact spelling was taken is appended to ``notes``. :class:`KgError` when nothing, or
    several entities about equally, match.

    >>> G = nx.MultiDiGraph(sources={"lv": {"publisher": "Levant"}})
    >>> G.add_node("sohr", type="Organization", name="SOHR", aliases=[])
    >>> find_originator(G, "sohr"), find_originator(G, "LEVANT")
    (('entity', {'entity:sohr'}), ('publisher', {'publisher:levant'}))
    >>> notes = []
    >>> find_originator(G, "Levent", notes=notes), notes
    (('publisher', {'publisher:levant'}), ["'Levent' -> 'Levant' (publisher), sounds like 'Levant'"])
    """
    try:
        check_name(text)
    except BadName as e:
        raise KgError(f"--originator: {e}", EXIT_USAGE) from None
    entity: Candidate | None = None
    ambiguous: AmbiguousName | None = None
    close: list[Candidate] = []
    try:
        entity = NameIndex.from_graph(G).resolve(text, what="originator")
    except AmbiguousName as e:
        ambiguous = e
    except UnknownName as e:
        close += e.suggestions
    exact = entity is not None and (entity.id == text or entity.reason == "alias")
    publishers = _publishers(G)
    if not exact:
        key = name_key(text)
        if f"{PUBLISHER}:{key}" in publishers:
            return PUBLISHER, {f"{PUBLISHER}:{key}"}
        anonymous = {
            o.key
            for originators in fact_originators(G).values()
            for o in originators
            if o.kind == ANONYMOUS and o.key.rsplit(":", 1)[-1] == key
        }
        if key and anonymous:
            return ANONYMOUS, anonymous
    if ambiguous is not None:
        raise KgError(f"--originator: {ambiguous}", EXIT_USAGE)
    if entity is None:
        try:
            found = publishers.resolve(text, what="publisher")
        except AmbiguousName as e:
            raise KgError(f"--originator: {e}", EXIT_USAGE) from None
        except UnknownName as e:
            close += e.suggestions
            shown = list(dict.fromkeys(c.name for c in sorted(close, key=lambda c: -c.score)))[:3]
            hint = f" (did you mean {', '.join(map(repr, shown))}?)" if shown else ""
            raise KgError(f"no entity, publisher or anonymous originator is named {text!r}{hint}", EXIT_USAGE) from None
        kind, entity = PUBLISHER, found
    else:
        kind = ENTITY
    if notes is not None and (entity.reason != "alias" or entity.also):
        said = entity.said(text)
        notes.append(said.replace(f"({entity.id})", f"({PUBLISHER})", 1) if kind == PUBLISHER else said)
    return kind, {entity.id if kind == PUBLISHER else f"{ENTITY}:{entity.id}"}


def _cites(ev: dict[str, Any], kind: str, keys: set[str], G: nx.MultiDiGraph) -> bool:
    """Whether a piece of evidence cites the originator: "according to" or "via" it, or published by it."""
    if kind == ENTITY:
        ids = {k.split(":", 1)[1] for k in keys}
        return ev.get("according_to") in ids or ev.get("via") in ids
    if kind == PUBLISHER:
        publisher = G.graph.get("sources", {}).get(ev["source"], {}).get("publisher") or ev["source"]
        return f"{PUBLISHER}:{name_key(str(publisher))}" in keys
    return originator(ev, G.graph.get("sources", {}))[0] in keys


def claim_rows(G: nx.MultiDiGraph, kind: str, keys: set[str]) -> list[dict[str, Any]]:
    """Every piece of evidence citing the originator, by fact id: ``role`` "originator" when the claim is its
    own, "relays" when it passes someone else's on; ``attribution`` as :func:`graph.attribution.attribution_text`."""
    sources = G.graph.get("sources", {})
    names = {n: d.get("name", n) for n, d in G.nodes(data=True)}
    rows = []
    for u, v, k, d in sorted(G.edges(keys=True, data=True), key=lambda e: edge_id(e[0], e[2], e[1])):
        basis = fact_window(d)[1]
        for ev in d["evidence"]:
            if not _cites(ev, kind, keys, G):
                continue
            rows.append(
                {
                    "id": edge_id(u, k, v),
                    "from": names.get(u, u),
                    "relation": k,
                    "to": names.get(v, v),
                    "role": "originator" if originator(ev, sources)[0] in keys else "relays",
                    "attribution": attribution_text(ev, sources, names),
                    "quote": ev["quote"],
                    "source": ev["source"],
                    "observed": ev.get("observed"),
                    "credibility": ev.get("credibility"),
                    "time_basis": basis,
                }
            )
    return rows


def single_rows(G: nx.MultiDiGraph, keys: set[str] | None = None) -> list[dict[str, Any]]:
    """The facts resting on one originator (only ``keys``' when given), by id, with who it is."""
    names = {n: d.get("name", n) for n, d in G.nodes(data=True)}
    rows = []
    for (u, k, v), originators in fact_originators(G).items():
        if len(originators) != 1 or (keys is not None and originators[0].key not in keys):
            continue
        d = G.edges[u, v, k]
        rows.append(
            {
                "id": edge_id(u, k, v),
                "from": names.get(u, u),
                "relation": k,
                "to": names.get(v, v),
                "originator": originators[0].label,
                "kind": originators[0].kind,
                "reports": len(d["evidence"]),
                "credibility": d.get("credibility"),
                "reliability": d.get("reliability"),
                "time_basis": fact_window(d)[1],
                "sources": list(dict.fromkeys(ev["source"] for ev in d["evidence"])),
            }
        )
    return sorted(rows, key=lambda r: r["id"])


def _show(rows: list[dict[str, Any]], fmt: ClaimsFormat, *, right: tuple[str, ...] = ()) -> None:
    if fmt is ClaimsFormat.json:
        out.print(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    if not rows:
        out.print("(no rows)")
        return
    columns = [c for c in rows[0] if c != "key"]
    print_rows(out, columns, [[r[c] for c in columns] for r in rows], right=list(right))


def _plural(n: int, word: str, many: str | None = None) -> str:
    return f"{n} {word if n == 1 else many or word + 's'}"


def _verb(n: int, one: str, many: str) -> str:
    return one if n == 1 else many


def claims(
    paths: list[Path] = PathsArg,
    originator_: str | None = typer.Option(
        None,
        "--originator",
        metavar="NAME_OR_ID",
        show_default=False,
        help="List what this originator claims: an entity the reports cite (id, name or alias; spelling variants "
        "and Arabic script are matched, the match is said), a publisher, or the words of an anonymous originator.",
    ),
    single: bool = typer.Option(
        False,
        "--single",
        help="List the facts that rest on a single originator (with --originator: on that one alone).",
    ),
    fmt: ClaimsFormat = typer.Option(ClaimsFormat.table, "--format", "-f", help="Output format."),
):
    """Who the facts rest on: originators, what each claims, and what rests on one alone.

    A claim's originator is who the report says made it ("according to" an entity, or anonymous
    sources in the report's words), else the outlet it relays ("via"), else the report's publisher.
    Two reports of one publisher, or two outlets relaying one originator, are one voice.

    Without options: every originator with how many facts rest on it (facts) and how many on it
    alone (alone), most first. --originator lists every piece of evidence citing it (role
    "originator": its own claim; "relays": someone else's it passes on). --single lists the facts
    with a single originator.

    Example: kg claims data

    Example: kg claims data --originator "Alma Research and Education Center"

    Example: kg claims data --single --format json
    """
    G = build_graph(read_facts(paths))
    n_facts = G.number_of_edges()
    if originator_ is not None:
        notes: list[str] = []
        kind, keys = find_originator(G, originator_, notes=notes)
        for note in notes:
            err.print(f"--originator {note}")
        if single:
            rows = single_rows(G, keys)
            _show(rows, fmt, right=("reports",))
            err.print(
                f"{_plural(len(rows), 'fact')} of {n_facts} {_verb(len(rows), 'rests', 'rest')} on "
                f"{originator_!r} alone"
            )
            return
        rows = claim_rows(G, kind, keys)
        _show(rows, fmt)
        facts = len({r["id"] for r in rows})
        own = sum(r["role"] == "originator" for r in rows)
        err.print(
            f"{_plural(len(rows), 'piece')} of evidence in {_plural(facts, 'fact')} "
            f"{_verb(len(rows), 'cites', 'cite')} {originator_!r}: {own} as originator, "
            f"{len(rows) - own} relayed"
        )
        return
    if single:
        rows = single_rows(G)
        _show(rows, fmt, right=("reports",))
        err.print(
            f"{_plural(len(rows), 'fact')} of {n_facts} {_verb(len(rows), 'rests', 'rest')} on a single originator"
        )
        return
    rows = originator_rows(G)
    _show(rows, fmt, right=("facts", "alone"))
    alone = sum(r["alone"] for r in rows)
    err.print(
        f"{_plural(len(rows), 'originator')}; {_plural(n_facts, 'fact')}, {alone} of them resting on "
        "a single originator"
    )


def register(app: typer.Typer) -> None:
    app.command("claims")(claims)
