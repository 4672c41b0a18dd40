"""Name suggestions as a person types, from the writer's full-text indexes.

Exact matches come first, then spelling variants the one name matcher takes
(:mod:`graph.names` through :mod:`graph.neo4j.lookup`: Abou Kamal, Boukamal,
البوكمال for Al-Bukamal), then names starting with what was typed, then names
with a word starting with it, then names containing it, then what the matcher
only suggests; names and aliases match alike.
"""

from __future__ import annotations

import re
import unicodedata

from graph.names import RESOLVE_AT_LEAST, NameIndex, NameProblem, name_key
from graph.neo4j.lookup import name_index

from ..errors import QueryFailed
from . import cypher
from .base import Store
from .drawn import entity_type

SUGGEST_AT_LEAST = 30  # a matcher candidate this good is listed (last): a word in common, in either script

_LUCENE_SPECIAL = re.compile(r'([+\-&|!(){}\[\]^"~*?:\\/])')


def _fold(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def lucene_escape(text: str) -> str:
    r"""``text`` with Lucene's special characters escaped.

    >>> lucene_escape("a:b*")
    'a\\:b\\*'
    """
    return _LUCENE_SPECIAL.sub(r"\\\1", text)


def lucene_prefix_query(text: str) -> str | None:
    """Every word of ``text`` as a prefix, all required (for the accent-folded word index).

    >>> lucene_prefix_query("Al-Bukâmal"), lucene_prefix_query("--")
    ('al* AND bukamal*', None)
    """
    words = [_fold(w) for w in re.findall(r"\w+", text.casefold())]
    parts = [lucene_escape(w) + "*" for w in words[:8] if w]
    return " AND ".join(parts) or None


def match_rank(key: str, text: str) -> int:
    """How well ``text`` matches the name key ``key``: 0 exact, 1 prefix, 2 a word starts with it,
    3 inside, 4 none (smaller is better).

    >>> [match_rank("bukamal", t) for t in ("Bukamal", "Bukamal city", "Al-Bukamal", "xbukamalx", "Mayadin")]
    [0, 1, 2, 3, 4]
    """
    k = name_key(text)
    if k == key:
        return 0
    if k.startswith(key):
        return 1
    for m in re.finditer(r"\w+", text):
        if name_key(text[m.start() :]).startswith(key):
            return 2
    return 3 if key in k else 4


def _read_quietly(store: Store, query: str, **params) -> list:
    try:
        return store.read(query, **params)
    except QueryFailed:  # a query Lucene cannot parse: the other searches still answer
        return []


def _matched(store: Store, text: str) -> NameIndex:
    """The one name matcher's candidates for ``text``, fetched from the store."""
    try:
        return name_index(lambda cypher, params: _read_quietly(store, cypher, **params), text)
    except NameProblem:  # nothing to match: the other searches still answer
        return NameIndex()


def suggestions(store: Store, text: str, *, limit: int = 10) -> list[dict]:
    """Up to ``limit`` entities ``{id, name, type, matched}`` for what was typed, best first
    (``matched``: the alias that matched, when it was not the name)."""
    key = name_key(text)
    if not key:
        return []
    want = limit * 3
    escaped = lucene_escape(key)
    words = lucene_prefix_query(text)
    found: dict[str, dict] = {}
    rows = _read_quietly(
        store,
        cypher.SUGGEST_KEYS_AND_WORDS if words else cypher.SUGGEST_KEYS,
        keys=cypher.KEYS_INDEX,
        text=cypher.TEXT_INDEX,
        exact=escaped,
        prefix=escaped + "*",
        words=words,
        n=want,
    )
    for r in rows:
        found.setdefault(r["id"], dict(r))
    if len(found) < limit:
        for r in _read_quietly(store, cypher.SUGGEST_INSIDE, keys=cypher.KEYS_INDEX, inside=f"*{escaped}*", n=want):
            found.setdefault(r["id"], dict(r))
    index = _matched(store, text)
    variants = {c.id: c for c in index.candidates(text, limit=want)} if len(index) else {}
    ranked = []
    for eid, c in variants.items():
        if eid not in found and c.score >= SUGGEST_AT_LEAST:
            found[eid] = {"id": eid, "name": c.name, "aliases": [], "labels": [], "type": c.type}
    for r in found.values():
        name, aliases = r["name"] or r["id"], list(r["aliases"] or [])
        best = (match_rank(key, name), 0, len(name))
        matched = None
        for a in aliases:
            cand = (match_rank(key, a), 1, len(a))
            if cand < best:
                best, matched = cand, a
        if best[0] == 4 and match_rank(key, r["id"]) < 4:
            best = (3, 2, len(name))
        variant = variants.get(r["id"])
        if variant is not None and variant.score >= SUGGEST_AT_LEAST:
            # A spelling variant comes right after the exact matches, a weak one after every other match;
            # the better the match, the higher.
            tier = (0.5 if variant.score >= RESOLVE_AT_LEAST else 4) + (100 - variant.score) / 1000
            if tier < best[0]:
                best = (tier, 1, len(name))
                matched = variant.matched if name_key(variant.matched) != name_key(name) else None
        ranked.append(
            (
                (best[0], best[2], name.casefold()),
                {
                    "id": r["id"],
                    "name": name,
                    "type": entity_type(r["labels"]) or r.get("type") or "Entity",
                    "matched": matched if best[0] < match_rank(key, name) and matched != r["id"] else None,
                },
            )
        )
    ranked.sort(key=lambda x: x[0])
    return [s for _, s in ranked[:limit]]
