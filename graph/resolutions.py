"""Curators' decisions that two entities are, or are not, the same: kept as data, applied at load.

A fact file may hold a ``resolutions:`` section (by convention ``data/resolutions.yaml``)::

    resolutions:
      - same: [al-bukamal, abou-kamal]   # the first id is kept; the others merge into it
        by: jdoe
        on: 2026-11-30
        why: Abou Kamal is the French romanisation of Al-Bukamal
      - different: [hezbollah, kataib-hezbollah]
        by: jdoe
        on: 2026-11-30
        why: Lebanese Hezbollah is not the Iraqi Kata'ib Hezbollah

A "same" decision makes one entity of them all (:func:`apply_same`): the kept one, which gains every other
id and name as aliases (so a name or an old id given anywhere still finds it) and all their evidence; the
relations of the others move to it, and a reference to them in evidence (``according_to``, ``via``) too.
``kg dedupe`` never proposes a decided pair again (:class:`Decisions`).

:func:`contradictions` finds what cannot hold together: an id merged into two different ids, a chain (an
id kept by one decision is merged into another by another: the file names the id finally kept, so that
reading it says what happens), and A = B (directly or through other "same" decisions) beside A != B.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Annotated, Any

from pydantic import Field, TypeAdapter, model_validator

from .facts import Edge, EvidenceItem, Facts
from .models import EntityBase, Evidence, Name, PartialDate, Slug, Strict, Text, is_slug

SAME, DIFFERENT = "same", "different"
# A decision names a handful of ids; a list of hundreds is a mistake, not a decision.
MAX_IDS = 50


class Resolution(Strict):
    """One decision: ``same`` (the first id kept) or ``different``, by whom, when and why."""

    same: Annotated[list[Slug], Field(max_length=MAX_IDS)] | None = None
    different: Annotated[list[Slug], Field(max_length=MAX_IDS)] | None = None
    by: Name
    on: PartialDate
    why: Text

    @model_validator(mode="after")
    def _one_decision(self):
        if (self.same is None) == (self.different is None):
            raise ValueError("give either same: [kept-id, other-id] or different: [id, other-id]")
        ids = self.ids
        if len(ids) < 2:
            first = ids[0] if ids else "an-id"
            raise ValueError(f"{self.decision}: name at least two entity ids, such as [{first}, other-id]")
        repeated = sorted({i for i in ids if ids.count(i) > 1})
        if repeated:
            raise ValueError(f"{self.decision}: {', '.join(map(repr, repeated))} named twice")
        return self

    @property
    def decision(self) -> str:
        return SAME if self.same is not None else DIFFERENT

    @property
    def ids(self) -> list[str]:
        return list(self.same if self.same is not None else self.different or [])

    def pairs(self) -> list[tuple[str, str]]:
        """The unordered pairs the decision covers, each sorted.

        >>> Resolution(different=["b", "a"], by="x", on="2026", why="y").pairs()
        [('a', 'b')]
        """
        ids = self.ids
        return [tuple(sorted((a, b))) for i, a in enumerate(ids) for b in ids[i + 1 :]]  # type: ignore[misc]


ResolutionAdapter: TypeAdapter = TypeAdapter(Resolution)


def pair(a: str, b: str) -> tuple[str, str]:
    """The key of an unordered pair of ids.

    >>> pair("b", "a")
    ('a', 'b')
    """
    return (a, b) if a <= b else (b, a)


@dataclass(frozen=True)
class Problem:
    """What is wrong with decision ``index`` (its position in the list given), in words; ``at`` is the
    position of the id in its ``same``/``different`` list the problem is about (None: the whole decision)."""

    index: int
    message: str
    at: int | None = None


def contradictions(decisions: Sequence[Resolution], where: Sequence[str] | None = None) -> list[Problem]:
    """Decisions that cannot hold together; ``where[i]`` names decision i in messages (``FILE:LINE``).

    >>> d = lambda kind, ids: Resolution(**{kind: ids}, by="x", on="2026", why="y")
    >>> [p.message for p in contradictions([d("same", ["a", "b"]), d("different", ["b", "a"])], ["f:1", "f:5"])]
    ["different: 'a' and 'b' are decided the same at f:1"]
    >>> [p.message for p in contradictions([d("same", ["a", "b"]), d("same", ["c", "a"])], ["f:1", "f:5"])]
    ["a chain: 'a' is kept at f:1; write one decision that keeps 'c' and names them all"]
    """
    where = list(where) if where is not None else [f"decision {i + 1}" for i in range(len(decisions))]
    problems: list[Problem] = []
    kept_by: dict[str, int] = {}  # kept id -> first decision keeping it
    merged_into: dict[str, tuple[str, int]] = {}  # merged id -> (kept id, decision)
    for i, res in enumerate(decisions):
        if res.same is None:
            continue
        kept, others = res.same[0], res.same[1:]
        if kept in merged_into:
            into, j = merged_into[kept]
            problems.append(
                Problem(i, f"a chain: {kept!r} is merged into {into!r} at {where[j]}; keep {into!r} here", 0)
            )
            continue
        kept_by.setdefault(kept, i)
        for n, other in enumerate(others, start=1):
            if other in merged_into and merged_into[other][0] != kept:
                into, j = merged_into[other]
                message = f"{other!r} is merged into {into!r} at {where[j]} and into {kept!r} here"
                problems.append(Problem(i, message, n))
            elif other in kept_by and kept_by[other] != i:
                problems.append(
                    Problem(
                        i,
                        f"a chain: {other!r} is kept at {where[kept_by[other]]}; write one decision that keeps "
                        f"{kept!r} and names them all",
                        n,
                    )
                )
            else:
                merged_into.setdefault(other, (kept, i))
    # The merges that hold (those of the decisions above without a problem) make the groups.
    group = {other: kept for other, (kept, _) in merged_into.items()}
    for i, res in enumerate(decisions):
        if res.different is None:
            continue
        for a, b in res.pairs():
            if group.get(a, a) == group.get(b, b):
                same_at = merged_into.get(a, merged_into.get(b, (None, kept_by.get(a, 0))))[1]
                problems.append(
                    Problem(i, f"different: {a!r} and {b!r} are decided the same at {where[same_at]}", None)
                )
    return problems


@dataclass(frozen=True)
class Decisions:
    """What the curators decided, to look up by pair: ``same`` pairs (every pair inside a merged group)
    and ``different`` pairs.

    >>> d = Decisions.of([Resolution(different=["a", "b"], by="x", on="2026", why="y")])
    >>> d.decided("b", "a"), d.decided("a", "c")
    ('different', None)
    """

    same: frozenset[tuple[str, str]]
    different: frozenset[tuple[str, str]]

    @classmethod
    def of(cls, decisions: Iterable[Resolution]) -> Decisions:
        same: set[tuple[str, str]] = set()
        different: set[tuple[str, str]] = set()
        for res in decisions:
            (same if res.decision == SAME else different).update(res.pairs())
        return cls(frozenset(same), frozenset(different))

    def decided(self, a: str, b: str) -> str | None:
        key = pair(a, b)
        if key in self.different:
            return DIFFERENT
        return SAME if key in self.same else None


def merge_map(decisions: Iterable[Resolution]) -> dict[str, str]:
    """Each merged id -> the id kept (decisions without :func:`contradictions`).

    >>> merge_map([Resolution(same=["a", "b", "c"], by="x", on="2026", why="y")])
    {'b': 'a', 'c': 'a'}
    """
    return {other: res.same[0] for res in decisions if res.same is not None for other in res.same[1:]}


def _unique(items: Iterable[Any], key=lambda x: x) -> list:
    seen: set = set()
    out = []
    for item in items:
        k = key(item)
        if k not in seen:
            seen.add(k)
            out.append(item)
    return out


def _evidence(evidence: list[Evidence], moved: Mapping[str, str]) -> list[Evidence]:
    out = []
    for ev in evidence:
        update = {}
        if ev.according_to is not None and is_slug(ev.according_to) and ev.according_to in moved:
            update["according_to"] = moved[ev.according_to]
        if ev.via is not None and ev.via in moved:
            update["via"] = moved[ev.via]
        out.append(ev.model_copy(update=update) if update else ev)
    return out


def _item(ev: EvidenceItem, moved: Mapping[str, str]) -> EvidenceItem:
    according = ev.according_to
    if according is not None and according in moved and is_slug(according):
        ev = replace(ev, according_to=moved[according])
    if ev.via is not None and ev.via in moved:
        ev = replace(ev, via=moved[ev.via])
    return ev


def merged_entity(kept: EntityBase, others: list[EntityBase]) -> EntityBase:
    """``kept`` with every id and name of ``others`` as aliases, their evidence, and what it lacks of theirs
    (description, coordinates, attributes, the curator's note).

    >>> from graph.models import ENTITY_MODELS
    >>> P = ENTITY_MODELS["Place"]
    >>> m = merged_entity(
    ...     P(id="al-bukamal", type="Place", name="Al-Bukamal"),
    ...     [P(id="abou-kamal", type="Place", name="Abou Kamal", aliases=["Boukamal"])],
    ... )
    >>> m.id, m.aliases
    ('al-bukamal', ['Abou Kamal', 'Boukamal', 'abou-kamal'])
    """
    names = [kept.name]
    for o in others:
        names += [o.name, *o.aliases, o.id]
    aliases = [a for a in _unique([*kept.aliases, *names[1:]]) if a != kept.name]
    update: dict[str, Any] = {"aliases": aliases}
    evidence = _unique([*kept.evidence, *(ev for o in others for ev in o.evidence)], key=lambda e: (e.source, e.quote))
    if evidence:
        update["evidence"] = evidence
    for o in others:
        if kept.description is None and o.description is not None:
            update.setdefault("description", o.description)
        if kept.lat is None and o.lat is not None:
            update.setdefault("lat", o.lat)
            update.setdefault("lon", o.lon)
        if kept.inferred is None and o.inferred is not None:
            update.setdefault("inferred", o.inferred)
        for k, v in o.attributes().items():
            if getattr(kept, k, None) in (None, []):
                update.setdefault(k, v)
    return kept.model_copy(update=update)


@dataclass(frozen=True)
class Clash:
    """Two statements of one relation that disagree once their ends are merged: ``merged`` is the id whose
    merge made them meet."""

    merged: str
    message: str


def apply_same(facts: Facts, decisions: Sequence[Resolution]) -> tuple[Facts, list[Clash]]:
    """The facts with every "same" decision applied (see the module docstring), and the relations that
    disagree once merged (an attribute stated two ways: the load must fail, as for any one edge stated twice
    with two values). ``decisions`` must be free of :func:`contradictions` and name known ids of one type.
    """
    moved = merge_map(decisions)
    if not moved:
        return facts, []
    groups: dict[str, list[str]] = {}
    for other, kept in moved.items():
        groups.setdefault(kept, []).append(other)
    entities: dict[str, EntityBase] = {}
    for eid, ent in facts.entities.items():
        if eid in moved:
            continue
        if eid in groups:
            ent = merged_entity(ent, [facts.entities[o] for o in groups[eid]])
        if ent.evidence:
            evidence = _evidence(ent.evidence, moved)
            if any(a is not b for a, b in zip(evidence, ent.evidence, strict=True)):
                ent = ent.model_copy(update={"evidence": evidence})
        entities[eid] = ent
    edges: dict[tuple[str, str, str], Edge] = {}
    mine: set[int] = set()  # the edges made here, which may be merged into (the caller's are never changed)
    clashes: list[Clash] = []
    for e in facts.edges.values():
        source, target = moved.get(e.source, e.source), moved.get(e.target, e.target)
        evidence = [_item(ev, moved) for ev in e.evidence]
        if source == e.source and target == e.target and all(a is b for a, b in zip(evidence, e.evidence, strict=True)):
            moved_edge = e
        else:
            moved_edge = Edge(source, e.type, target, evidence, e.valid_from, e.valid_to, dict(e.attributes))
        known = edges.get(moved_edge.key)
        if known is None:
            edges[moved_edge.key] = moved_edge
            continue
        if id(known) not in mine:
            known = edges[moved_edge.key] = replace(
                known, evidence=list(known.evidence), attributes=dict(known.attributes)
            )
            mine.add(id(known))
        clash = known.merge(moved_edge)
        if clash:
            culprit = next((i for i in (e.source, e.target) if i in moved), e.source)
            clashes.append(Clash(culprit, f"merging {culprit!r} into {moved[culprit]!r}: {clash}"))
    merged = Facts(facts.sources, entities, edges, list(facts.resolutions), {**facts.merged, **moved})
    return merged, clashes
