"""Entities that may be one and the same: candidate pairs, blocked so that 100k entities stay fast, scored
with their reasons.

A curator who does not know the graph already holds an actor creates it twice, under another romanisation
(Abou Kamal / Al-Bukamal / البوكمال) or another wording (Iranian Cultural Center / Iranian cultural
centres). :func:`find_duplicates` proposes such pairs, best first, within a dataset or between two.

How (and why so):

* **Blocking.** Comparing every pair is 5 billion comparisons at 100k entities. Entities are put in blocks
  by what duplicates share: a spelling's keys of :mod:`graph.names` (exact name, folded form, phonetic key,
  consonant skeleton, which meets across scripts), the first letters of each folded word (a different ending:
  centre / centres), a map cell, a neighbour. Only entities that share a block are compared; a block larger
  than its cap (a very common word, a hub) is too unspecific to say anything and is skipped (and counted).
* **Scoring**, 0-100, with the reasons said: the strongest name evidence (a shared spelling, then folded,
  phonetic, skeleton keys, then fuzzy similarity of the folded spellings), plus shared neighbours and
  coordinates on the same spot; minus coordinates far apart, a relation between the two (an entity is
  rarely related to itself) and different types.
* **Decisions.** Pairs decided in ``resolutions`` (:mod:`graph.resolutions`) are never proposed again;
  "same" ones are already one entity when the facts are loaded.

Types are compatible when they are the same or share a group of the registry (a Site and a Place may be
one location; a Person is never a Place).
"""

from __future__ import annotations

import heapq
import math
from collections import defaultdict
from collections.abc import Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from rapidfuzz import fuzz, process

from .facts import Facts, gc_paused
from .names import fold, match_keys, name_key, skeleton
from .resolutions import Decisions
from .schema import REGISTRY

# Points of each kind of evidence (see the module docstring). A name alone can reach NAME_MAX; the rest
# comes from what else the two share.
NAME_POINTS = {"same name": 80, "folded alike": 76, "sound alike": 70, "same consonants": 62}
SHORT_SKELETON = 4  # a skeleton of fewer consonants (Homs/Hamas: hms) says little: SHORT_POINTS
SHORT_PHONETIC = 4  # nor a phonetic key this short (IS/US: as), nor fuzzy similarity of names this short
SHORT_POINTS = 40
WORD_GAP_POINTS = -30  # the names differ by a whole word (Northern / Southern Syria)
SAME_WORD_RATIO = 85  # two words this similar (or with the same start) are one word spelled twice
FUZZY_WEIGHT = 0.8  # a fuzzy similarity of 100 is worth 80 points, as a shared spelling
FUZZY_CUTOFF = 80  # below this, fuzzy similarity of names is noise
NEIGHBOUR_POINTS, NEIGHBOUR_MAX = 5, 15
NEAR_KM, NEAR_POINTS = 2.0, 10
FAR_KM, FAR_POINTS = 50.0, -25
RELATED_POINTS = -10
OTHER_TYPE_POINTS = -10
DEFAULT_MIN_SCORE = 50
# The most a pair can score without any name evidence: below it, pairs are looked for by context too.
CONTEXT_MAX = NEIGHBOUR_MAX + NEAR_POINTS
# Blocks larger than this are skipped: they are too common to mean anything, and cost n^2 comparisons.
BLOCK_CAPS = {"n": 100, "f": 100, "p": 60, "s": 40, "w": 30, "g": 30, "e": 25}
PREFIX = 4  # letters of a folded word that make its block key
MAP_CELL = 0.02  # degrees (about 2 km)


def compatible(a: str, b: str) -> bool:
    """Whether entities of types ``a`` and ``b`` may be the same: the same type, or one group of the registry.

    >>> compatible("Site", "Place"), compatible("Person", "Place"), compatible("Event", "Event")
    (True, False, True)
    """
    return a == b or any(a in members and b in members for members in REGISTRY.groups.values())


_COMPATIBLE = frozenset((a, b) for a in REGISTRY.entities for b in REGISTRY.entities if compatible(a, b))


@dataclass(frozen=True)
class Reason:
    """Why a pair is proposed (or held back): ``kind``, the points it adds or takes, and what it rests on
    (``detail``), said in words by ``text`` (made only when asked: most pairs scored are never shown)."""

    kind: str
    points: int
    matched: tuple[str, ...] = ()  # for a name reason: the spelling of each entity that matched
    detail: tuple[Any, ...] = ()

    @property
    def text(self) -> str:
        d, kind = self.detail, self.kind
        if kind in NAME_POINTS:
            ta, tb = self.matched
            head = f"same name {ta!r}" if kind == "same name" and ta == tb else f"{kind}: {ta!r} ~ {tb!r}"
            return head + (f" ({d[0]})" if d else "")
        if kind == "similar names":
            return f"similar names: {self.matched[0]!r} ~ {self.matched[1]!r} ({d[0]:.0f}%)"
        if kind == "other words":
            return f"the names differ by a word: {d[0]!r} / {d[1]!r}"
        if kind == "shared neighbours":
            shared = sorted(d[0])
            listed = ", ".join(shared[:3]) + (", ..." if len(shared) > 3 else "")
            return f"{len(shared)} shared neighbour{'s' if len(shared) > 1 else ''}: {listed}"
        if kind == "same coordinates":
            return f"same spot on the map ({d[0]:.1f} km apart)"
        if kind == "far apart":
            return f"{d[0]:,.0f} km apart on the map"
        if kind == "related":
            return "related to each other by a relation"
        return f"types differ: {d[0]} / {d[1]}"

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": self.kind, "text": self.text, "points": self.points}
        if self.matched:
            out["matched"] = list(self.matched)
        return out


@dataclass(frozen=True)
class Side:
    """One entity of a pair, and the dataset it is from (``""`` within one dataset, else "new" or "known")."""

    id: str
    name: str
    type: str
    dataset: str = ""

    def as_dict(self) -> dict[str, Any]:
        out = {"id": self.id, "name": self.name, "type": self.type}
        if self.dataset:
            out["dataset"] = self.dataset
        return out


@dataclass(frozen=True)
class Pair:
    """A candidate duplicate: two entities, a score 0-100 and its reasons (strongest first)."""

    score: int
    a: Side
    b: Side
    reasons: tuple[Reason, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "score": self.score,
            "a": self.a.as_dict(),
            "b": self.b.as_dict(),
            "reasons": [r.as_dict() for r in self.reasons],
        }

    def because(self) -> str:
        """The reasons in one line: ``folded alike: 'Abou Kamal' ~ 'Abu Kamal'; 1 shared neighbour``."""
        return "; ".join(r.text for r in self.reasons)


@dataclass
class Stats:
    """What blocking did: entities, blocks, blocks skipped as too common, pairs compared, pairs proposed."""

    entities: int = 0
    blocks: int = 0
    skipped_blocks: int = 0
    compared: int = 0
    proposed: int = 0
    decided: int = 0

    def as_dict(self) -> dict[str, int]:
        return dict(self.__dict__)


@dataclass(slots=True)
class _Entity:
    key: str  # the id
    name: str
    type: str
    spellings: list[str]  # the name and aliases, one per name key
    folded: list[str]  # graph.names.fold of each spelling
    keys: dict[str, int]  # each match key of a spelling ("n:" + its name key too) -> the first spelling with it
    keyset: frozenset[str]  # the same keys, to intersect
    lat: float | None
    lon: float | None
    neighbours: set[str] = field(default_factory=set)


@lru_cache(maxsize=1 << 18)
def _spelling(text: str) -> tuple[str, str, tuple[str, ...]]:
    """(name key, folded form, match keys) of a spelling: names recur (Ahmad, Hezbollah), keys cost."""
    exact = name_key(text)
    return exact, fold(text), ("n:" + exact, *sorted(match_keys(text))) if exact else ()


def _entity(eid: str, ent: Any) -> _Entity:
    spellings: list[str] = []
    folded: list[str] = []
    keys: dict[str, int] = {}
    for text in (ent.name, *ent.aliases):
        exact, fold_, spelling_keys = _spelling(text)
        if not exact or "n:" + exact in keys:
            continue
        i = len(spellings)
        spellings.append(text)
        folded.append(fold_)
        for k in spelling_keys:
            keys.setdefault(k, i)
    return _Entity(eid, ent.name, ent.type, spellings, folded, keys, frozenset(keys), ent.lat, ent.lon)


def _entities(facts: Facts) -> dict[str, _Entity]:
    out = {eid: _entity(eid, ent) for eid, ent in facts.entities.items()}
    for s, _t, o in facts.edges:
        a, b = out.get(s), out.get(o)
        if a is not None and b is not None and s != o:
            a.neighbours.add(o)
            b.neighbours.add(s)
    return out


def _block_keys(ent: _Entity, degree: Mapping[str, int], *, context: bool) -> set[str]:
    keys = set(ent.keys)
    for folded in ent.folded:
        keys.update("w:" + w[:PREFIX] for w in folded.split() if len(w) >= PREFIX)
    if context:
        if ent.lat is not None and ent.lon is not None:
            keys.add(f"g:{math.floor(ent.lat / MAP_CELL)}:{math.floor(ent.lon / MAP_CELL)}")
        keys.update("e:" + n for n in ent.neighbours if degree.get(n, 0) <= BLOCK_CAPS["e"])
    return keys


def km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance in km between two (lat, lon).

    >>> round(km((34.45, 40.92), (35.336, 40.14)))
    122
    """
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371.0 * math.asin(min(1.0, math.sqrt(h)))


_KINDS = {"n": "same name", "f": "folded alike", "p": "sound alike", "s": "same consonants"}
_SHORT = {"p": SHORT_PHONETIC, "s": SHORT_SKELETON}


@lru_cache(maxsize=1 << 18)
def _rank(key: str) -> tuple[int, int, str]:
    """How strong a shared key is: its points, then its layer (strict first), then the key (for the same
    reason in every run: sets are ordered by hashes that change between runs)."""
    return _key_points(key), -"nfps".index(key[0]), key


def _key_points(key: str) -> int:
    kind = key[0]
    return SHORT_POINTS if len(key) - 2 < _SHORT.get(kind, 0) else NAME_POINTS[_KINDS[kind]]


# A reason before it is a Reason: (kind, points, matched, detail). Scoring a pair builds these plain tuples;
# Reason objects (and their order) are made only for the pairs shown (most pairs scored never are).
_Evidence = tuple[str, int, tuple[str, ...], tuple[Any, ...]]
_FOLDED_POINTS = NAME_POINTS["folded alike"]


def _name_reason(a: _Entity, b: _Entity) -> tuple[int, str, int, int, tuple[Any, ...]] | None:
    """The strongest name evidence between two entities' spellings, a shared key else fuzzy similarity:
    (points, kind, the spelling of ``a`` and of ``b`` that matched (indexes), detail)."""
    best: tuple[int, str, int, int, tuple[Any, ...]] | None = None
    shared = a.keyset & b.keyset
    if shared:
        key = max(shared, key=_rank) if len(shared) > 1 else next(iter(shared))
        best = (_rank(key)[0], _KINDS[key[0]], a.keys[key], b.keys[key], (key[2:],) if key[0] == "s" else ())
        if best[0] >= _FOLDED_POINTS:
            return best  # fuzzy similarity cannot say more
    top = (0.0, 0, 0)
    for i, fa in enumerate(a.folded):
        if len(fa) < SHORT_PHONETIC:
            continue
        for j, fb in enumerate(b.folded):
            if len(fb) >= SHORT_PHONETIC:
                r = fuzz.token_sort_ratio(fa, fb, score_cutoff=max(FUZZY_CUTOFF, top[0]))
                if r > top[0]:
                    top = (r, i, j)
    if top[0]:
        points = round(top[0] * FUZZY_WEIGHT)
        if best is None or points > best[0]:
            best = (points, "similar names", top[1], top[2], (top[0],))
    return best


def word_gap(a: str, b: str) -> tuple[str, str] | None:
    """The words two names differ by, when they are other words rather than another spelling of one word
    (the names folded; None when they are spellings of each other or one adds words to the other).

    >>> word_gap("nurthirn syria", "suthirn syria"), word_gap("iranian cultural cintir", "iranian cultural cintris")
    (('nurthirn', 'suthirn'), None)
    >>> word_gap("bukamal", "abu kamal"), word_gap("syrian army", "syrian arab army")
    (None, None)
    """
    wa, wb = a.split(), b.split()
    only_a = " ".join(w for w in wa if w not in wb)
    only_b = " ".join(w for w in wb if w not in wa)
    if not only_a or not only_b:
        return None
    if only_a[:3] == only_b[:3]:
        return None
    if only_a.isascii() != only_b.isascii():  # two scripts: only the consonants compare
        return None if skeleton(only_a) == skeleton(only_b) else (only_a, only_b)
    return None if fuzz.ratio(only_a, only_b) >= SAME_WORD_RATIO else (only_a, only_b)


def _evidence(a: _Entity, b: _Entity) -> list[_Evidence]:
    """What speaks for and against a pair being one entity, as plain tuples (see :func:`score_pair`)."""
    out: list[_Evidence] = []
    name = _name_reason(a, b)
    if name is not None:
        points, kind, i, j, detail = name
        out.append((kind, points, (a.spellings[i], b.spellings[j]), detail))
        if kind != "same name" and kind != "folded alike":
            gap = word_gap(a.folded[i], b.folded[j])
            if gap is not None:
                out.append(("other words", WORD_GAP_POINTS, (), gap))
    shared = a.neighbours & b.neighbours
    if shared:
        points = min(NEIGHBOUR_MAX, NEIGHBOUR_POINTS * len(shared))
        out.append(("shared neighbours", points, (), (frozenset(shared),)))
    if a.lat is not None and b.lat is not None:
        d = km((a.lat, a.lon), (b.lat, b.lon))  # type: ignore[arg-type]
        if d <= NEAR_KM:
            out.append(("same coordinates", NEAR_POINTS, (), (d,)))
        elif d >= FAR_KM:
            out.append(("far apart", FAR_POINTS, (), (d,)))
    if b.key in a.neighbours:
        out.append(("related", RELATED_POINTS, (), ()))
    if a.type != b.type:
        out.append(("types differ", OTHER_TYPE_POINTS, (), (a.type, b.type)))
    return out


def _total(evidence: list[_Evidence]) -> int:
    return max(0, min(100, sum(e[1] for e in evidence)))


def score_pair(a: _Entity, b: _Entity) -> tuple[int, tuple[Reason, ...]]:
    """The score of a pair and its reasons, strongest first."""
    evidence = _evidence(a, b)
    return _total(evidence), _reasons(evidence)


def _reasons(evidence: list[_Evidence]) -> tuple[Reason, ...]:
    return tuple(sorted((Reason(*e) for e in evidence), key=lambda r: -r.points))


def candidate_pairs(
    entities: Mapping[str, _Entity], *, new: Collection[str] | None = None, min_score: int = 0, stats: Stats
) -> Iterable[tuple[str, str]]:
    """Every pair of compatible entities sharing a block not over its cap, once each (with ``new``: pairs of
    one of ``new`` and one other entity only).

    Blocks of a name key give their pairs as they are (the names share a key: evidence enough to score). A
    block of a word's first letters gives only the pairs whose spellings are similar enough for fuzzy
    points (told apart in rapidfuzz's C loop, not pair by pair in Python). Blocks of a map cell or a
    neighbour give pairs only when ``min_score`` is within reach of such context alone.
    """
    blocks: dict[str, list[str]] = defaultdict(list)
    degree = {k: len(e.neighbours) for k, e in entities.items()}
    context = min_score <= CONTEXT_MAX
    for key, ent in entities.items():
        for b in _block_keys(ent, degree, context=context):
            blocks[b].append(key)
    seen: set[tuple[str, str]] = set()
    for bkey, members in blocks.items():
        if len(members) < 2:
            continue
        stats.blocks += 1
        if len(members) > BLOCK_CAPS[bkey[0]]:
            stats.skipped_blocks += 1
            continue
        pairs = _similar(entities, members) if bkey[0] == "w" else _all(members)
        for x, y in pairs:
            if new is not None and (x in new) == (y in new):
                continue
            if (entities[x].type, entities[y].type) not in _COMPATIBLE:
                continue
            p = (x, y) if x < y else (y, x)
            if p not in seen:
                seen.add(p)
                yield p


def _all(members: list[str]) -> Iterator[tuple[str, str]]:
    for i, x in enumerate(members):
        for y in members[i + 1 :]:
            yield x, y


def _similar(entities: Mapping[str, _Entity], members: list[str]) -> Iterator[tuple[str, str]]:
    """The pairs of ``members`` with two spellings similar enough for fuzzy points."""
    owners = [m for m in members for _ in entities[m].folded]
    folded = [f for m in members for f in entities[m].folded]
    for i, text in enumerate(folded[:-1]):
        if len(text) < SHORT_PHONETIC:
            continue
        for _, _, j in process.extract_iter(
            text, folded[i + 1 :], scorer=fuzz.token_sort_ratio, score_cutoff=FUZZY_CUTOFF
        ):
            if owners[i] != owners[i + 1 + j]:
                yield owners[i], owners[i + 1 + j]


def find_duplicates(
    facts: Facts,
    *,
    new: Collection[str] | None = None,
    min_score: int = DEFAULT_MIN_SCORE,
    limit: int | None = None,
    stats: Stats | None = None,
) -> list[Pair]:
    """Candidate duplicate entities in ``facts``, best first (with ``new``, a set of ids: only pairs of one
    of them and an entity not in it, as when new files are checked against a dataset: ``dataset`` of each
    side then says "new" or "known").

    Pairs decided in the ``resolutions`` are left out; those scoring below ``min_score`` too.

    >>> from graph.models import ENTITY_MODELS
    >>> P = ENTITY_MODELS["Place"]
    >>> facts = Facts(
    ...     entities={
    ...         e.id: e
    ...         for e in (
    ...             P(id="al-bukamal", type="Place", name="Al-Bukamal", aliases=["Abu Kamal"]),
    ...             P(id="bou-kamal", type="Place", name="Abou Kamal"),
    ...             P(id="homs", type="Place", name="Homs"),
    ...         )
    ...     }
    ... )
    >>> [(p.a.id, p.b.id, p.score, p.because()) for p in find_duplicates(facts)]
    [('al-bukamal', 'bou-kamal', 76, "folded alike: 'Abu Kamal' ~ 'Abou Kamal'")]
    """
    with gc_paused():  # millions of sets, tuples and keys, no cycles: full collections would scan them for nothing
        return _find_duplicates(facts, new=new, min_score=min_score, limit=limit, stats=stats)


def _find_duplicates(
    facts: Facts, *, new: Collection[str] | None, min_score: int, limit: int | None, stats: Stats | None
) -> list[Pair]:
    stats = stats if stats is not None else Stats()
    entities = _entities(facts)
    decisions = Decisions.of(facts.resolutions)
    new = set(new) if new is not None else None
    stats.entities = len(entities)
    found: list[tuple[int, str, str, list[_Evidence]]] = []
    for x, y in candidate_pairs(entities, new=new, min_score=min_score, stats=stats):
        stats.compared += 1
        if decisions.decided(x, y):
            stats.decided += 1
            continue
        if new is not None and y in new:
            x, y = y, x  # the new entity first
        evidence = _evidence(entities[x], entities[y])
        score = _total(evidence)
        if score >= min_score:
            found.append((-score, x, y, evidence))
    stats.proposed = len(found)
    # Best first; only the pairs shown are ordered in full and get their Reasons.
    first = _first_three
    shown = heapq.nsmallest(limit, found, key=first) if limit is not None else sorted(found, key=first)
    label = ("new", "known") if new is not None else ("", "")
    return [
        Pair(
            -score,
            Side(x, entities[x].name, entities[x].type, label[0]),
            Side(y, entities[y].name, entities[y].type, label[1]),
            _reasons(evidence),
        )
        for score, x, y, evidence in shown
    ]


def _first_three(found: tuple) -> tuple:
    return found[:3]


def naive_pairs(facts: Facts, *, min_score: int = DEFAULT_MIN_SCORE) -> list[Pair]:
    """The baseline the benchmark compares with: every compatible pair scored, no blocking (n^2/2 pairs)."""
    entities = list(_entities(facts).values())
    found = []
    for i, a in enumerate(entities):
        for b in entities[i + 1 :]:
            if (a.type, b.type) not in _COMPATIBLE:
                continue
            x, y = (a, b) if a.key < b.key else (b, a)  # as find_duplicates orders a pair
            score, reasons = score_pair(x, y)
            if score >= min_score:
                found.append(Pair(score, Side(x.key, x.name, x.type), Side(y.key, y.name, y.type), reasons))
    found.sort(key=lambda p: (-p.score, p.a.id, p.b.id))
    return found
