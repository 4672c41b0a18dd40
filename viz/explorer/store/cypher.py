"""The explorer's Cypher, one named constant per read, each with why it is so.

The model is the writer's (:mod:`graph.neo4j.mapping`): entities ``:Entity:<Type>``,
``:Source`` nodes, one relationship of its registry type per fact, with what
the as-of rule reads stored beside it (:data:`graph.neo4j.cypher.HOLDS_ON`,
:data:`graph.neo4j.cypher.EXISTS_ON`).

Every value is a ``$parameter``. A view's filters are named fragments
(:data:`RELATION_FILTERS`, :data:`NEIGHBOUR_FILTERS`), each testing its own
``$f_*`` parameters (:mod:`viz.explorer.store.filters`); the neighbourhood reads
are composed of the fragments of the filters that are on (:func:`expand`,
:func:`edges_among`), so a filter that is off costs nothing. The only names
written into the text are the schema registry's: relation types
(:data:`ENTITY`'s degrees) and relation attribute names (:data:`DRAWN_RELATION`).
"""

from __future__ import annotations

from graph.neo4j.cypher import EXISTS_ON, HOLDS_ON
from graph.schema import REGISTRY

# The writer's full-text indexes (graph.neo4j.cypher.SCHEMA_STATEMENTS): words of names and aliases
# with accents folded, and whole name keys (graph.names.name_key) under the keyword analyzer.
TEXT_INDEX = "entity_text"
KEYS_INDEX = "entity_keys"

# --------------------------------------------------------------------------- projections


def node(v: str) -> str:
    """What the page draws of entity ``v`` (one of this module's own variable names), with the window
    in which it exists (events from their date, campaigns inside [start, end]: graph.asof.entity_window)."""
    return (
        f"{{id: {v}.id, name: {v}.name, aliases: {v}.aliases, labels: labels({v}), "
        f"valid_from_date: {v}.valid_from_date, valid_to_date: {v}.valid_to_date}}"
    )


# Relation attributes of every registry type: the page labels edges with them.
_RELATION_ATTRIBUTES = sorted({a for t in REGISTRY.relations.values() for a in t.attributes})

# What the page draws of relation `r`: its grades, what its as-of window is made of (graph.asof.fact_window:
# stated validity, else the observations), its number of pieces of evidence and its attributes; not its
# quotes and source lists, which can be long.
DRAWN_RELATION = (
    "{type: type(r), source: startNode(r).id, target: endNode(r).id, props: {"
    "credibility: r.credibility, reliability: r.reliability, valid_from: r.valid_from, valid_to: r.valid_to, "
    "first_observed: r.first_observed, last_observed: r.last_observed, evidence: size(r.sources)"
    + "".join(f", {a}: r.{a}" for a in _RELATION_ATTRIBUTES)
    + "}}"
)

# The whole of relation `r`, evidence lists included: for its details and for exports.
WHOLE_RELATION = "{type: type(r), source: startNode(r).id, target: endNode(r).id, props: properties(r)}"

# --------------------------------------------------------------------------- filters

# Relation `r` passes a view's filters (viz.explorer.models.Filters): one fragment per filter, keyed by
# the parameter that turns it on (viz.explorer.store.filters makes the parameters).
RELATION_FILTERS = {
    "f_types": "type(r) IN $f_types",
    # On day $f_day the relation holds (the as-of rule, its horizon in $look_back/$look_ahead) and both
    # its ends exist, as graph.views.filter_graph has it.
    "f_day": (
        HOLDS_ON.format(r="r", day="$f_day")
        + " AND "
        + EXISTS_ON.format(n="startNode(r)", day="$f_day")
        + " AND "
        + EXISTS_ON.format(n="endNode(r)", day="$f_day")
    ),
    # Grades accepted, as lists the registry's scales give (viz.explorer.store.filters.accepted).
    "f_credibilities": "any(c IN r.credibilities WHERE c IN $f_credibilities)",
    "f_reliabilities": "r.reliability IN $f_reliabilities",
    # With both grades, one piece of evidence must meet both: its credibility, and its source among
    # $f_sources (those whose reliability passes).
    "f_sources": (
        "any(i IN range(0, size(r.sources) - 1) "
        "WHERE r.credibilities[i] IN $f_credibilities AND r.sources[i] IN $f_sources)"
    ),
}

# Neighbour `m` passes: of a type shown (compared with its labels, so no label is written into the
# text), and not removed by the user.
NEIGHBOUR_FILTERS = {
    "f_entity_types": "any(l IN labels(m) WHERE l IN $f_entity_types)",
    "removed": "NOT m.id IN $removed",
}


def passes(filters: dict[str, str], params: dict) -> str:
    """The fragments of ``filters`` whose parameter is given (not None), joined by AND.

    >>> passes(RELATION_FILTERS, {"f_types": ["LEADS"], "f_day": None}), passes(NEIGHBOUR_FILTERS, {})
    ('(type(r) IN $f_types)', 'true')
    """
    return " AND ".join(f"({fragment})" for name, fragment in filters.items() if params.get(name) is not None) or "true"


# --------------------------------------------------------------------------- meta

# Two subqueries, so the two counts do not multiply into a cartesian product.
COUNTS = (
    "CALL () { MATCH (n:Entity) RETURN count(n) AS entities } "
    "CALL () { MATCH ()-[r]->() RETURN count(r) AS relations } "
    "RETURN entities, relations"
)

DATASETS = (
    "MATCH (n:Entity) WHERE n.dataset IS NOT NULL RETURN DISTINCT n.dataset AS dataset ORDER BY dataset LIMIT 100"
)

# What the windows of facts are made of (graph.asof.fact_window: stated validity, else observations),
# each distinct combination once: the days at which facts start or stop holding, for the slider. Scans
# every relation: the caller keeps the answer a while.
FACT_TIMES = (
    "MATCH ()-[r]->() RETURN DISTINCT r.valid_from AS valid_from, r.valid_to AS valid_to, "
    "r.first_observed AS first_observed, r.last_observed AS last_observed"
)
# The stored windows in which entities exist (events, campaigns: graph.asof.entity_window).
ENTITY_WINDOWS = (
    "MATCH (n:Entity) WHERE n.valid_from_date IS NOT NULL OR n.valid_to_date IS NOT NULL "
    "RETURN DISTINCT n.valid_from_date AS first, n.valid_to_date AS last"
)

# The days reports observed something (partial dates as written): each piece of evidence's observation
# (of relations and of entities) and every source's publication and retrieval. Scans every relation too.
REPORT_DATES = (
    "CALL () { MATCH ()-[r]->() UNWIND r.observed AS d RETURN d "
    "UNION MATCH (n:Entity) WHERE n.evidence_observed IS NOT NULL UNWIND n.evidence_observed AS d RETURN d "
    "UNION MATCH (s:Source) UNWIND [s.published, s.retrieved] AS d RETURN d } "
    "WITH d WHERE d IS NOT NULL AND d <> '' RETURN DISTINCT d AS day"
)

# For the grade filters: which sources have which reliability.
SOURCE_RELIABILITY = "MATCH (s:Source) WHERE s.reliability IS NOT NULL RETURN s.id AS id, s.reliability AS reliability"

# --------------------------------------------------------------------------- search

_SUGGESTION = "YIELD node RETURN node.id AS id, node.name AS name, node.aliases AS aliases, labels(node) AS labels"

# One round trip for the likely matches: whole names and aliases (their name keys) equal to what was
# typed or starting with it, and names with a word starting with it. Index names and Lucene queries
# are parameters ($keys, $text; $exact, $prefix, $words).
SUGGEST_KEYS = (
    "CALL () { "
    f"CALL db.index.fulltext.queryNodes($keys, $exact, {{limit: $n}}) {_SUGGESTION} UNION "
    f"CALL db.index.fulltext.queryNodes($keys, $prefix, {{limit: $n}}) {_SUGGESTION} "
    "} RETURN id, name, aliases, labels"
)
SUGGEST_KEYS_AND_WORDS = (
    "CALL () { "
    f"CALL db.index.fulltext.queryNodes($keys, $exact, {{limit: $n}}) {_SUGGESTION} UNION "
    f"CALL db.index.fulltext.queryNodes($keys, $prefix, {{limit: $n}}) {_SUGGESTION} UNION "
    f"CALL db.index.fulltext.queryNodes($text, $words, {{limit: $n}}) {_SUGGESTION} "
    "} RETURN id, name, aliases, labels"
)
# Names containing what was typed anywhere: a leading wildcard walks the whole index, so this runs
# only when the likely matches are few.
SUGGEST_INSIDE = f"CALL db.index.fulltext.queryNodes($keys, $inside, {{limit: $n}}) {_SUGGESTION}"

# --------------------------------------------------------------------------- entities and evidence

# An entity with its number of relations by type, counted from Neo4j's degree store (a COUNT of a
# typed pattern): constant time even for a hub.
ENTITY = (
    "MATCH (n:Entity {id: $id}) RETURN n, labels(n) AS labels, {"
    + ", ".join(f"{t}: COUNT {{ (n)-[:{t}]-() }}" for t in REGISTRY.relations)
    + "} AS degrees"
)

# One relation by its edge id's parts; the type is a parameter compared, never written into the text.
RELATION = (
    "MATCH (a:Entity {id: $from})-[r]->(b:Entity {id: $to}) WHERE type(r) = $type "
    f"RETURN a.name AS from_name, b.name AS to_name, {WHOLE_RELATION} AS rel LIMIT 1"
)

SOURCES = "MATCH (s:Source) WHERE s.id IN $ids RETURN s"

# The quotes of every relation from or to an entity, each once: which of its names a report says
# (viz.provenance).
ENTITY_QUOTES = "MATCH (n:Entity {id: $id})-[r]-() UNWIND r.quotes AS q RETURN collect(DISTINCT q) AS quotes"

# Entity names by id (who evidence is according to, or relayed via).
NAMES = "MATCH (n:Entity) WHERE n.id IN $ids RETURN n.id AS id, n.name AS name"

# --------------------------------------------------------------------------- neighbourhoods

NODES = f"UNWIND $ids AS nid MATCH (n:Entity {{id: nid}}) RETURN {node('n')} AS n"

# The centre, and the entities already on screen as nodes (relations among them are matched by element id).
_EXPAND_START = (
    "MATCH (c:Entity {id: $id}) "
    "CALL () { UNWIND $known AS kid MATCH (b:Entity {id: kid}) RETURN collect(b) AS knownN } "
)
_NOTHING_AMONG = "WITH c, total, top, ns, rs, [] AS cross "
_EXPAND_RETURN = f"RETURN {node('c')} AS c, total, size(top) AS shown, ns, rs, cross"


def expand(params: dict, *, among_known: bool) -> str:
    """One round trip for an entity's neighbourhood under the filters of ``params``
    (:func:`viz.explorer.store.filters.filter_parameters`), with or without the relations among the
    new neighbours and the entities on screen. Parameters: ``$id``, ``$limit``, ``$known``, ``$cap``,
    ``$hub`` and the filters'."""
    rel, neighbour = passes(RELATION_FILTERS, params), passes(NEIGHBOUR_FILTERS, params)
    # Neighbours passing the filters, ranked by how many relations tie them to the centre; only the
    # first $limit are projected, with their relations to the centre.
    neighbours = (
        f"OPTIONAL MATCH (c)-[r]-(m:Entity) WHERE m <> c AND {neighbour} AND {rel} "
        "WITH c, knownN, m, count(r) AS k ORDER BY k DESC "
        "WITH c, knownN, collect(m) AS ms "
        "WITH c, knownN, size(ms) AS total, ms[..$limit] AS top "
        f"CALL (c, top) {{ UNWIND top AS m MATCH (c)-[r]-(m) WHERE {rel} "
        f"RETURN collect(DISTINCT {node('m')}) AS ns, collect({DRAWN_RELATION}) AS rs }} "
    )
    if not among_known:
        return _EXPAND_START + neighbours + _NOTHING_AMONG + _EXPAND_RETURN
    # Relations among the new neighbours and what is on screen, at most $cap. Endpoints are found by
    # element id (no property reads) and always from the end with fewer relations: a new hub (over $hub
    # relations) is reached from the small entities on screen, never expanded itself (so a relation
    # between two hubs shows when one of them is expanded).
    among = (
        "CALL (c, top, knownN) { "
        "WITH c, [x IN top WHERE NOT x IN knownN] AS fresh, knownN + top + [c] AS amongN "
        "WITH [x IN fresh WHERE COUNT { (x)--() } <= $hub] AS small, "
        "[x IN fresh WHERE COUNT { (x)--() } > $hub | elementId(x)] AS bigE, "
        "[x IN amongN | elementId(x)] AS among, amongN "
        "CALL (small, bigE, among, amongN) { "
        "UNWIND small AS a WITH a, among ORDER BY COUNT { (a)--() } "
        f"MATCH (a)-[r]-(b) WHERE elementId(b) IN among AND {rel} RETURN r "
        "UNION "
        "UNWIND (CASE WHEN size(bigE) = 0 THEN [] ELSE amongN END) AS x "
        "WITH x, bigE WHERE COUNT { (x)--() } <= $hub "
        f"MATCH (x)-[r]-(h) WHERE elementId(h) IN bigE AND {rel} RETURN r }} "
        f"WITH DISTINCT r LIMIT $cap RETURN collect({DRAWN_RELATION}) AS cross }} "
    )
    return _EXPAND_START + neighbours + among + _EXPAND_RETURN


def edges_among(params: dict) -> str:
    """Relations passing the filters of ``params`` between an entity of ``$ids`` and one of ``$among``,
    at most ``$cap``. Endpoints by element id, read with the relationship; the entities with the fewest
    relations are expanded first, hubs (over ``$hub``) never: when the cap is reached, hubs were spared."""
    return (
        "UNWIND $among AS bid MATCH (b:Entity {id: bid}) WITH collect(elementId(b)) AS among "
        "UNWIND $ids AS nid MATCH (a:Entity {id: nid}) WITH among, a, COUNT { (a)--() } AS degree "
        "WHERE degree <= $hub WITH among, a ORDER BY degree "
        f"MATCH (a)-[r]-(b) WHERE elementId(b) IN among AND {passes(RELATION_FILTERS, params)} "
        f"WITH DISTINCT r LIMIT $cap RETURN {DRAWN_RELATION} AS rel"
    )


# --------------------------------------------------------------------------- console and export

# Nodes a console result's relationships end at but the result did not return.
NODES_BY_ELEMENT_ID = "MATCH (n) WHERE elementId(n) IN $ids RETURN n"

SUBGRAPH_ENTITIES = "UNWIND $ids AS nid MATCH (n:Entity {id: nid}) RETURN n, labels(n) AS labels"

# Relations by their edge ids' parts ($triples: [{from, type, to}]), types compared as values.
SUBGRAPH_RELATIONS = (
    "UNWIND $triples AS e MATCH (a:Entity {id: e.from})-[r]->(b:Entity {id: e.to}) "
    f"WHERE type(r) = e.type RETURN {WHOLE_RELATION} AS rel"
)
