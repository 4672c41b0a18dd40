"""Name suggestions as a person types, from the writer's full-text indexes.

Exact matches come first, then spelling variants the one name matcher takes
(:mod:`graph.names` through :mod:`graph.neo4j.lookup`: Abou Kamal, Boukamal,
البوكمال for Al-Bukamal), then names starting with what was typed, then names
with a word starting with it, then names containing it, then what the matcher
only suggests; names and aliases match alike.

All of it is one round trip (:data:`SEARCH`): the likely matches, the
matcher's block (the id and the match keys), and, only when they are needed,
names containing what was typed and the matcher's fuzzy words. The matcher
ranks in Python; in the rare case its keys find only weak candidates while
the store found some, the fuzzy words are a second read.
"""

from __future__ import annotations

import re
import unicodedata

from graph.names import RESOLVE_AT_LEAST, NameIndex, NameProblem, name_key
from graph.neo4j.lookup import KEYS_BRANCHES, WORDS_BRANCH, lookup_params, name_index, needs_words, rows_index

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


_NODE = "n {.id, .name, .aliases, .type, labels: labels(n)}"

# One round trip for a search (p95 at 100k entities: bench/bench_names.py). ``likely``: whole names and
# aliases (their name keys) equal to what was typed or starting with it, names with a word starting with
# it; ``inside``: names containing it anywhere (only when the likely ones are fewer than asked: a seek of
# the trigram TEXT index over the name keys, see INSIDE); ``keyed``: the one name matcher's block (graph.neo4j.lookup);
# ``worded``: its fuzzy words (Lucene expands each to every term within two edits: only when the keys
# found nothing). Index names and Lucene queries are parameters; a branch whose query is "" is skipped.
_SEARCH = f"""CALL () {{
  CALL () {{
    CALL db.index.fulltext.queryNodes($keys_index, $exact, {{limit: $n}}) YIELD node RETURN node
    UNION
    CALL db.index.fulltext.queryNodes($keys_index, $prefix, {{limit: $n}}) YIELD node RETURN node
    UNION
    WITH 1 AS one WHERE $text_words <> ''
    CALL db.index.fulltext.queryNodes($text_index, $text_words, {{limit: $n}}) YIELD node RETURN node
  }}
  RETURN collect(node) AS likely
}}
CALL () {{
  CALL () {{
    {KEYS_BRANCHES}
  }}
  RETURN collect(node) AS keyed
}}
OPTIONAL CALL (likely) {{
  WITH likely WHERE size(likely) < $shown
  {{inside}}
}}
OPTIONAL CALL (keyed) {{
  WITH keyed WHERE size(keyed) = 0 AND $words <> ''
  {WORDS_BRANCH.replace("RETURN node", "RETURN collect(node) AS worded")}
}}
RETURN [n IN likely | {_NODE}] AS likely, [n IN coalesce(inside, []) | {_NODE}] AS inside,
       [n IN keyed | {_NODE}] AS keyed, [n IN coalesce(worded, []) | {_NODE}] AS worded,
       size(keyed) = 0 AS words_read"""

# Names containing what was typed: the name keys (graph.names.key_text, stored at load) with a trigram
# TEXT index, one seek (p50 3 ms at 100k entities). A store loaded before that property was written has
# no such index: the same names are then found by a leading-wildcard query over the full-text keys,
# which walks every term of the index (p50 20-50 ms, most of a search's time; bench/bench_names.py).
INSIDE_INDEX = "entity_name_keys"
INSIDE_SEEK = "MATCH (node:Entity) WHERE node.name_keys CONTAINS $contained WITH node LIMIT $n"
INSIDE_WALK = "CALL db.index.fulltext.queryNodes($keys_index, $inside, {limit: $n}) YIELD node"
SEARCH = _SEARCH.replace("{inside}", INSIDE_SEEK + " RETURN collect(node) AS inside")
SEARCH_WALK = _SEARCH.replace("{inside}", INSIDE_WALK + " RETURN collect(node) AS inside")
HAS_INSIDE_INDEX = "SHOW INDEXES YIELD name, state WHERE name = $name AND state = 'ONLINE' RETURN count(*) AS n"


def inside_by_seek(store: Store) -> bool:
    """Whether the store has the TEXT index of name keys (kept a while: asked once per cache period)."""

    def ask() -> bool:
        try:
            return bool(store.read(HAS_INSIDE_INDEX, name=INSIDE_INDEX)[0]["n"])
        except QueryFailed:
            return False

    return store.cached("search:inside-index", ask)


def search_params(text: str, key: str, *, limit: int, want: int) -> dict:
    """The parameters of :data:`SEARCH` for ``text`` (folded to ``key``): at most ``want`` rows read,
    ``limit`` shown."""
    escaped = lucene_escape(key)
    try:
        params = lookup_params(text, limit=want)
    except NameProblem:  # nothing for the matcher: the store's searches still answer
        params = {"id": "", "keys": "", "words": "", "limit": want}
    return {
        "keys_index": cypher.KEYS_INDEX,
        "text_index": cypher.TEXT_INDEX,
        "exact": escaped,
        "prefix": escaped + "*",
        "inside": f"*{escaped}*",
        "contained": key,
        "text_words": lucene_prefix_query(text) or "",
        "n": want,
        "shown": limit,
        **params,
        "keys": params["keys"] or "_",  # no key matches "_" (keys are words): an empty Lucene query is an error
    }


def _search(store: Store, text: str, key: str, *, limit: int, want: int) -> tuple[list[dict], NameIndex]:
    """The store's rows for ``text`` (likely matches, then names containing it) and the matcher's block
    as an index, in one read (a second only when the matcher's keys found weak candidates alone)."""
    params = search_params(text, key, limit=limit, want=want)
    records = _read_quietly(store, SEARCH if inside_by_seek(store) else SEARCH_WALK, **params)
    if not records:  # a query Lucene could not parse: each search on its own
        return _search_apart(store, text, key, limit=limit, want=want)
    r = records[0]
    rows = list(r["likely"]) + list(r["inside"])
    block = list(r["keyed"]) + list(r["worded"])
    index = rows_index(block) if params["keys"] != "_" else NameIndex()
    if not r["words_read"] and params["words"] and needs_words(index, text):
        block += _read_quietly(store, name_words_query(), words=params["words"], limit=want)
        index = rows_index(block)
    return rows, index


def name_words_query() -> str:
    return WORDS_BRANCH.replace(
        "RETURN node", "RETURN node.id AS id, node.name AS name, node.type AS type, node.aliases AS aliases"
    )


def _search_apart(store: Store, text: str, key: str, *, limit: int, want: int) -> tuple[list[dict], NameIndex]:
    """:func:`_search` a read at a time, each failing alone (as Lucene may, on what a person typed)."""
    escaped = lucene_escape(key)
    words = lucene_prefix_query(text)
    rows = [
        dict(r)
        for r in _read_quietly(
            store,
            cypher.SUGGEST_KEYS_AND_WORDS if words else cypher.SUGGEST_KEYS,
            keys=cypher.KEYS_INDEX,
            text=cypher.TEXT_INDEX,
            exact=escaped,
            prefix=escaped + "*",
            words=words,
            n=want,
        )
    ]
    if len({r["id"] for r in rows}) < limit:
        rows += [
            dict(r)
            for r in _read_quietly(store, cypher.SUGGEST_INSIDE, keys=cypher.KEYS_INDEX, inside=f"*{escaped}*", n=want)
        ]
    return rows, _matched(store, text)


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
    found: dict[str, dict] = {}
    rows, index = _search(store, text, key, limit=limit, want=want)
    for r in rows:
        found.setdefault(r["id"], dict(r))
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
