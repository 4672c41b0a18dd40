"""Names looked up in Neo4j by the one matcher (:mod:`graph.names`).

The store blocks, the matcher ranks: Neo4j returns the few entities that share
a match key with the name (the ``entity_keys`` index over the keys the writer
stores, :func:`graph.names.stored_keys`) or a word close to one of its words
(Lucene fuzzy terms in ``entity_text``); a :class:`graph.names.NameIndex` of
those ranks them and resolves the name exactly as it would in memory. So
``kg query``, the explorer and ``kg viz --focus`` agree on what a name means.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from ..names import RESOLVE_AT_LEAST, NameIndex, check_name, lucene_keys

# Reads rows: (cypher, params) -> records (anything with [] by column name).
Read = Callable[[str, dict[str, Any]], Iterable[Mapping[str, Any]]]

BLOCK = 200  # entities fetched per index: the candidates of one name are far fewer

# Both Lucene queries are parameters; the keys hold letters, digits and _ only (graph.names.lucene_keys),
# the words letters and digits with a fuzzy ~.
# The entity whose id the name is, and those sharing a match key with it: one round trip.
NAME_KEYS = """CALL () {
  MATCH (node:Entity {id: $id}) RETURN node
  UNION
  CALL db.index.fulltext.queryNodes('entity_keys', $keys, {limit: $limit}) YIELD node RETURN node
}
RETURN node.id AS id, node.name AS name, node.type AS type, node.aliases AS aliases"""

NAME_WORDS = """CALL db.index.fulltext.queryNodes('entity_text', $words, {limit: $limit}) YIELD node
RETURN node.id AS id, node.name AS name, node.type AS type, node.aliases AS aliases"""


def fuzzy_words(text: str, *, at_most: int = 8) -> str:
    """The name's words as Lucene fuzzy terms, accents gone (three letters or more: shorter ones match anything).

    >>> fuzzy_words("Abou Kamal"), fuzzy_words("Al-Bukâmal (x)"), fuzzy_words("?!")
    ('abou~ kamal~', 'bukamal~', '')
    """
    plain = "".join(c for c in unicodedata.normalize("NFKD", text.casefold()) if not unicodedata.combining(c))
    words = dict.fromkeys(w for w in re.findall(r"[^\W_]+", plain) if len(w) >= 3)
    return " ".join(f"{w}~" for w in list(words)[:at_most])


# The same two lookups as branches of a caller's query (a UNION inside ``CALL () { ... }``), so that a caller
# with reads of its own (the explorer's search) makes one round trip: each branch yields ``node``.
KEYS_BRANCHES = """MATCH (node:Entity {id: $id}) RETURN node
  UNION
  CALL db.index.fulltext.queryNodes('entity_keys', $keys, {limit: $limit}) YIELD node RETURN node"""
WORDS_BRANCH = "CALL db.index.fulltext.queryNodes('entity_text', $words, {limit: $limit}) YIELD node RETURN node"


def lookup_params(text: str, *, limit: int = BLOCK) -> dict[str, Any]:
    """The parameters of :data:`KEYS_BRANCHES` and :data:`WORDS_BRANCH` for ``text`` (``words`` is ``""``
    when no word is long enough to look up fuzzily). Raises :class:`graph.names.BadName` for a name with
    nothing to match.

    >>> p = lookup_params("Abou Kamal", limit=5)
    >>> p["id"], p["keys"].split(" OR ")[0], p["words"], p["limit"]
    ('Abou Kamal', 'aboukamal', 'abou~ kamal~', 5)
    """
    check_name(text)
    return {"id": text, "keys": lucene_keys(text), "words": fuzzy_words(text), "limit": limit}


def needs_words(index: NameIndex, text: str) -> bool:
    """Whether the keys found nothing ``text`` could resolve to, so the fuzzy words must be looked up too."""
    found = index.candidates(text, limit=1) if len(index) else []
    return not found or found[0].score < RESOLVE_AT_LEAST


def rows_index(rows: Iterable[Mapping[str, Any]]) -> NameIndex:
    """A :class:`~graph.names.NameIndex` of entity rows ``{id, name, type, aliases}``."""
    return NameIndex((r["id"], t, r["type"] or "") for r in rows for t in (r["name"] or r["id"], *(r["aliases"] or ())))


def name_index(read: Read, text: str, *, limit: int = BLOCK) -> NameIndex:
    """A :class:`~graph.names.NameIndex` of the entities ``text`` may name, fetched from Neo4j.

    The id and the match keys first (one exact index lookup each); the fuzzy words (slower: Lucene
    expands each word to every term within two edits) only when those find nothing the name could
    resolve to, as for a typo. Raises :class:`graph.names.BadName` for a name with nothing to match
    (before any read).
    """
    params = lookup_params(text, limit=limit)
    rows = list(read(NAME_KEYS, {k: params[k] for k in ("id", "keys", "limit")}))
    index = rows_index(rows)
    if params["words"] and needs_words(index, text):
        rows += read(NAME_WORDS, {"words": params["words"], "limit": limit})
        index = rows_index(rows)
    return index
