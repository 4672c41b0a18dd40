"""The writer's Cypher, one named constant per statement, each with why it is so.

Labels and relationship types are interpolated only through the ``*_cypher``
functions, which accept names declared in the schema registry; every value is
a ``$parameter``.
"""

from __future__ import annotations

from neo4j.time import Duration

from ..asof import DEFAULT_HORIZON, Horizon
from ..schema import REGISTRY
from .mapping import check_label, check_type

# (name, statement): created only when no index or constraint of that name exists.
SCHEMA_STATEMENTS = (
    ("entity_id", "CREATE CONSTRAINT entity_id IF NOT EXISTS FOR (n:Entity) REQUIRE n.id IS UNIQUE"),
    ("source_id", "CREATE CONSTRAINT source_id IF NOT EXISTS FOR (s:Source) REQUIRE s.id IS UNIQUE"),
    # One load (or unload) per dataset at a time: see GUARD.
    ("loading_dataset", "CREATE CONSTRAINT loading_dataset IF NOT EXISTS FOR (l:Loading) REQUIRE l.dataset IS UNIQUE"),
    # One load state per dataset: see DATASET_LOADING.
    ("dataset_name", "CREATE CONSTRAINT dataset_name IF NOT EXISTS FOR (d:Dataset) REQUIRE d.name IS UNIQUE"),
    ("entity_name", "CREATE INDEX entity_name IF NOT EXISTS FOR (n:Entity) ON (n.name)"),
    ("entity_dataset", "CREATE INDEX entity_dataset IF NOT EXISTS FOR (n:Entity) ON (n.dataset)"),
    ("source_dataset", "CREATE INDEX source_dataset IF NOT EXISTS FOR (s:Source) ON (s.dataset)"),
    ("entity_location", "CREATE POINT INDEX entity_location IF NOT EXISTS FOR (n:Entity) ON (n.location)"),
    # Words of names and aliases, accents folded: `kg query find`.
    (
        "entity_text",
        """CREATE FULLTEXT INDEX entity_text IF NOT EXISTS
FOR (n:Entity) ON EACH [n.name, n.aliases]
OPTIONS {indexConfig: {`fulltext.analyzer`: 'standard-folding', `fulltext.eventually_consistent`: true}}""",
    ),
    # The keys of id, name and aliases (graph.names.stored_keys): exact name keys for exact lookups, and
    # the matcher's folded/phonetic/skeleton keys that graph.neo4j.lookup blocks candidates with.
    (
        "entity_keys",
        """CREATE FULLTEXT INDEX entity_keys IF NOT EXISTS
FOR (n:Entity) ON EACH [n.names]
OPTIONS {indexConfig: {`fulltext.analyzer`: 'keyword', `fulltext.eventually_consistent`: true}}""",
    ),
    # The name keys of id, name and aliases in one string (graph.names.key_text): a trigram TEXT index
    # answers the explorer's "names containing what was typed" by a seek (a leading-wildcard Lucene
    # query walks every term of entity_keys instead: most of a search's time at 100k entities).
    ("entity_name_keys", "CREATE TEXT INDEX entity_name_keys IF NOT EXISTS FOR (n:Entity) ON (n.name_keys)"),
    # Who the evidence of a fact cites (the parallel lists according_to / via, on facts of every type):
    # queries/claims_of.cypher finds one originator's claims by it instead of reading every fact. A
    # full-text index (keyword analyzer: each list member one exact term) is the only Neo4j 5 index over
    # list members and over many relationship types at once (range and text indexes take one type and
    # compare whole values). Relationship types are the registry's.
    (
        "relation_attribution",
        "CREATE FULLTEXT INDEX relation_attribution IF NOT EXISTS\n"
        f"FOR ()-[r:{'|'.join(REGISTRY.relations)}]-() ON EACH [r.according_to, r.via]\n"
        "OPTIONS {indexConfig: {`fulltext.analyzer`: 'keyword', `fulltext.eventually_consistent`: true}}",
    ),
)

# Full-text indexes are eventually consistent: Lucene is updated by a background
# thread instead of inside every commit (about a sixth of a big load's time,
# and on a second core). A load waits for them at its end (AWAIT_FULLTEXT), so
# what `kg load` leaves behind is searchable the moment it returns.
EVENTUALLY_CONSISTENT = "fulltext.eventually_consistent"

SHOW_SCHEMA = """SHOW INDEXES YIELD name, type, labelsOrTypes, options
RETURN name, type, labelsOrTypes, options.indexConfig AS config"""

# Every fact citing a source, across all relationship types: a full-text index
# is the only Neo4j index that covers list properties and many types at once.
RELATION_SOURCES_INDEX = "relation_sources"
# The full-text indexes over every relationship type of the registry: made again when it gains or loses one.
EVERY_TYPE_INDEXES = (RELATION_SOURCES_INDEX, "relation_attribution")
RELATION_SOURCES_DDL = """CREATE FULLTEXT INDEX relation_sources IF NOT EXISTS
FOR ()-[r:{types}]-() ON EACH [r.sources]
OPTIONS {{indexConfig: {{`fulltext.analyzer`: 'keyword', `fulltext.eventually_consistent`: true}}}}"""

# Only names from SCHEMA_STATEMENTS or RELATION_SOURCES_INDEX are interpolated.
DROP_INDEX = "DROP INDEX {name} IF EXISTS"

AWAIT_INDEXES = "CALL db.awaitIndexes($seconds)"

AWAIT_FULLTEXT = "CALL db.index.fulltext.awaitEventuallyConsistentIndexRefresh()"

STATE_SOURCES = """MATCH (s:Source)
WHERE s.dataset = $dataset
RETURN s.id AS key, s.hash AS hash"""

# elementId: relationships find their endpoints by it (see CREATE_RELATIONS).
STATE_ENTITIES = """MATCH (n:Entity)
WHERE n.dataset = $dataset
RETURN n.id AS key, n.hash AS hash, elementId(n) AS element_id"""

# key: graph.facts.edge_id, built by Neo4j so the state read ships one string a relationship.
STATE_RELATIONS = """MATCH (a:Entity)-[r]->(b:Entity)
WHERE a.dataset = $dataset AND r.dataset = $dataset
RETURN a.id + '|' + type(r) + '|' + b.id AS key, r.hash AS hash"""

# Ids this load would write that exist in Neo4j under another dataset (or none).
FOREIGN_ENTITIES = """UNWIND $ids AS id
MATCH (n:Entity {id: id})
WHERE n.dataset IS NULL OR n.dataset <> $dataset
RETURN n.id AS id, n.dataset AS dataset
LIMIT 5"""

FOREIGN_SOURCES = """UNWIND $ids AS id
MATCH (s:Source {id: id})
WHERE s.dataset IS NULL OR s.dataset <> $dataset
RETURN s.id AS id, s.dataset AS dataset
LIMIT 5"""

MERGE_SOURCES = """UNWIND $rows AS row
MERGE (s:Source {id: row.id})
SET s = row.props"""

# {label}: the entity's type; {others}: every other registered type, removed in
# case the entity changed type. `SET n = row.props` (not +=) so that an
# attribute deleted from the files is deleted from the node too.
MERGE_ENTITIES = """UNWIND $rows AS row
MERGE (n:Entity {{id: row.id}})
SET n = row.props
SET n:{label}{remove}
RETURN n.id AS id, elementId(n) AS element_id"""

# A load holds this in a transaction it never commits, from before it reads the
# state until it is done: the uniqueness constraint makes a second load of the
# same dataset wait at this MERGE until the first ends (or dies: its connection
# closes and Neo4j rolls the guard back). Nothing of it is ever stored. This is
# what lets new relationships be CREATEd: nobody else adds to the dataset
# between the state read and the writes.
GUARD = """MERGE (l:Loading {dataset: $dataset})
SET l.since = datetime()"""

# A dataset's load state, one (:Dataset {name}) node per dataset (docs/neo4j-model.md):
# state 'loading' is committed before a load's first write and 'complete' after its
# last deletion, so a load that died half-way (killed, a refused value, a lost
# server) leaves its dataset marked incomplete until a later load completes it.
# 'unloading' likewise marks a `kg unload` until its last deletion, which removes
# the node. files_hash: the digest of the files the load read (kg load).
DATASET_STATE = """MATCH (d:Dataset {name: $dataset})
RETURN d.state AS state, d.started AS started, d.finished AS finished, d.files_hash AS files_hash"""

DATASET_LOADING = """MERGE (d:Dataset {name: $dataset})
SET d.state = 'loading', d.started = $started, d.finished = null, d.files_hash = $files_hash"""

DATASET_COMPLETE = """MERGE (d:Dataset {name: $dataset})
SET d.state = 'complete', d.started = $started, d.finished = datetime(), d.files_hash = $files_hash"""

DATASET_UNLOADING = """MERGE (d:Dataset {name: $dataset})
SET d.state = 'unloading', d.started = $started, d.finished = null"""

DATASET_DELETE = """MATCH (d:Dataset {name: $dataset})
DELETE d"""

DATASETS = """MATCH (d:Dataset)
RETURN d.name AS name, d.state AS state, d.started AS started, d.finished AS finished, d.files_hash AS files_hash
ORDER BY d.name"""

# Relationships the state read did not find. Endpoints are found by element id:
# a direct record read, where a lookup in the Entity.id index took a sixth of
# the write time (and checking `a.id` here would cost as much again:
# VERIFY_ELEMENT_IDS checks them once at the end). CREATE instead of MERGE:
# the guard rules out that anyone else created them since; MERGE's check for
# an existing relationship took another sixth, and its node locks serialised
# concurrent writers. `count(*)`: how many rows found both endpoints.
CREATE_RELATIONS = """UNWIND $rows AS row
MATCH (a:Entity) WHERE elementId(a) = row.a
MATCH (b:Entity) WHERE elementId(b) = row.b
CREATE (a)-[r:{type}]->(b)
SET r = row.props
RETURN count(*) AS written"""

# Relationships of the dataset whose content changed.
UPDATE_RELATIONS = """UNWIND $rows AS row
MATCH (a:Entity)-[r:{type}]->(b:Entity)
WHERE elementId(a) = row.a AND elementId(b) = row.b AND r.dataset = $dataset
SET r = row.props
RETURN count(*) AS written"""

# The element ids relationships were written with still name the entities they
# were taken for: no node of the dataset was deleted and its id reused meanwhile.
VERIFY_ELEMENT_IDS = """UNWIND $pairs AS pair
OPTIONAL MATCH (n:Entity) WHERE elementId(n) = pair[0]
WITH pair, n
WHERE n IS NULL OR n.id <> pair[1]
RETURN pair[1] AS id
LIMIT 5"""

# Stale rows are matched by key; the type is a value here, so a type since
# dropped from the registry is deleted too.
DELETE_RELATIONS = """UNWIND $rows AS row
MATCH (a:Entity {id: row.from})-[r]->(b:Entity {id: row.to})
WHERE type(r) = row.type AND r.dataset = $dataset
DELETE r"""

DELETE_ENTITIES = """UNWIND $ids AS id
MATCH (n:Entity {id: id})
WHERE n.dataset = $dataset
DETACH DELETE n"""

DELETE_SOURCES = """UNWIND $ids AS id
MATCH (s:Source {id: id})
WHERE s.dataset = $dataset
DETACH DELETE s"""

# Unloading a whole dataset, a chunk per transaction until nothing is left.
UNLOAD_ENTITIES = """MATCH (n:Entity)
WHERE n.dataset = $dataset
WITH n LIMIT $chunk
DETACH DELETE n
RETURN count(*) AS n"""

UNLOAD_SOURCES = """MATCH (s:Source)
WHERE s.dataset = $dataset
WITH s LIMIT $chunk
DETACH DELETE s
RETURN count(*) AS n"""


def merge_entities_cypher(label: str) -> str:
    check_label(label)
    others = [t for t in REGISTRY.entities if t != label]
    remove = ("\nREMOVE n:" + ":".join(others)) if others else ""
    return MERGE_ENTITIES.format(label=label, remove=remove)


def create_relations_cypher(rtype: str) -> str:
    return CREATE_RELATIONS.format(type=check_type(rtype))


def update_relations_cypher(rtype: str) -> str:
    return UPDATE_RELATIONS.format(type=check_type(rtype))


def relation_sources_cypher() -> str:
    return RELATION_SOURCES_DDL.format(types="|".join(REGISTRY.relations))


# The as-of rule (graph.asof.fact_window) in Cypher. Each end of a relationship's
# window is its stated date when there is one; else it starts $look_back before
# the earlier of its first observation and its stated end, and ends $look_ahead
# after the later of its last observation and its stated start (Cypher
# durations: horizon_params below; min(a, b) - d <= day is tested as
# a - d <= day OR b - d <= day). Without observations, an end not stated is open.
# Use as HOLDS_ON.format(r="r", day="$as_of"); queries/*.cypher that filter by
# date must contain it verbatim (queries.library checks).
HOLDS_ON = (
    "((CASE WHEN {r}.valid_from_date IS NOT NULL THEN {r}.valid_from_date <= {day} "
    "WHEN {r}.observed_from_date IS NULL THEN true "
    "ELSE {r}.observed_from_date - $look_back <= {day} "
    "OR coalesce({r}.valid_to_date - $look_back <= {day}, false) END) "
    "AND (CASE WHEN {r}.valid_to_date IS NOT NULL THEN {r}.valid_to_date >= {day} "
    "WHEN {r}.observed_to_date IS NULL THEN true "
    "ELSE {r}.observed_to_date + $look_ahead >= {day} "
    "OR coalesce({r}.valid_from_date + $look_ahead >= {day}, false) END))"
)

# An entity exists on the day (graph.asof.entity_window): events from their
# date on, campaigns inside [start, end]; the mapping stores those as
# valid_from_date / valid_to_date on the node (null for everything else).
EXISTS_ON = (
    "(({n}.valid_from_date IS NULL OR {n}.valid_from_date <= {day}) "
    "AND ({n}.valid_to_date IS NULL OR {n}.valid_to_date >= {day}))"
)


# --------------------------------------------------------------------------- network measures
# graph.neo4j.measures writes the measures of graph.analysis back as entity properties.

# One row per entity of the dataset, in fixed chunks. `SET n += row.props`: the property names are
# the keys of a parameter map, made from the measure registry (graph.neo4j.measures.property_name),
# so no name is ever interpolated into Cypher; a null value removes the property (an entity left
# out of the scope, or a measure computed on files since reloaded). Matched by id within the
# dataset: one seek in the entity_id constraint's index per row.
WRITE_MEASURES = """UNWIND $rows AS row
MATCH (n:Entity {id: row.id})
WHERE n.dataset = $dataset
SET n += row.props
RETURN count(*) AS written"""

# Range indexes on the measure properties the named queries sort or select by, created by
# graph.neo4j.measures before it writes (the properties exist only once `kg analyze --write` has run,
# so they are not among the writer's SCHEMA_STATEMENTS). Why: without them key_players
# (`WHERE n.measure_pagerank IS NOT NULL ORDER BY n.measure_pagerank DESC LIMIT $limit`) reads and sorts
# every entity; with one, Neo4j walks the index in descending order and stops after $limit rows (a
# PartialTop over an index scan: the id only breaks ties). brokers sorts by brokerage, community and
# brokers select by community number. Names and properties are fixed here, never from user text.
MEASURE_INDEXES = (
    (
        "entity_measure_pagerank",
        "CREATE RANGE INDEX entity_measure_pagerank IF NOT EXISTS FOR (n:Entity) ON (n.measure_pagerank)",
    ),
    (
        "entity_measure_brokerage",
        "CREATE RANGE INDEX entity_measure_brokerage IF NOT EXISTS FOR (n:Entity) ON (n.measure_brokerage)",
    ),
    (
        "entity_measure_betweenness",
        "CREATE RANGE INDEX entity_measure_betweenness IF NOT EXISTS FOR (n:Entity) ON (n.measure_betweenness)",
    ),
    (
        "entity_measure_community",
        "CREATE RANGE INDEX entity_measure_community IF NOT EXISTS FOR (n:Entity) ON (n.measure_community)",
    ),
)

# What the dataset's measures were computed from, kept on its (:Dataset) node next to the load
# state: the load's `SET d.state = ...` leaves these alone, so comparing measures_files_hash with
# files_hash tells whether a reload has made them stale.
MEASURES_STATE = """MATCH (d:Dataset {name: $dataset})
RETURN d.state AS state, d.files_hash AS files_hash, d.measures AS measures,
       d.measures_scope AS scope, d.measures_files_hash AS measures_files_hash, d.measures_written AS written"""

MEASURES_RECORD = """MATCH (d:Dataset {name: $dataset})
SET d.measures = $measures, d.measures_scope = $scope, d.measures_files_hash = $files_hash,
    d.measures_written = datetime()"""


def _rank_case(expr: str, scale) -> str:
    return f"CASE {expr} " + " ".join(f"WHEN {g!r} THEN {scale.rank(g)}" for g in scale.grades) + " END"


def _evidence_cost() -> str:
    # Imported here: graph.analysis brings networkx and igraph, which `kg query` and `kg load` never need.
    from ..analysis.paths import evidence_cost

    cred, rel = REGISTRY.credibility, REGISTRY.reliability
    grades = f"{{c}} IN {list(cred.grades)!r} AND {{r}} IN {list(rel.grades)!r}"
    worst = evidence_cost(cred.worst, rel.worst)
    return f"(CASE WHEN {grades} THEN 1 + {_rank_case('{c}', cred)} + {_rank_case('{r}', rel)} ELSE {worst} END)"


# What one link of a path costs when its best piece of evidence has credibility {c} and its source
# reliability {r}: graph.analysis.paths.evidence_cost (1 + the rank of each grade; a piece without
# both grades costs as much as the worst), written out from the registry's scales. Use as
# EVIDENCE_COST.format(c=..., r=...); queries/credible_path.cypher holds it verbatim (tests check).
# Made on first use (module __getattr__): see _evidence_cost.


def __getattr__(name: str) -> str:
    if name == "EVIDENCE_COST":
        globals()[name] = value = _evidence_cost()
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def horizon_params(horizon: Horizon = DEFAULT_HORIZON) -> dict[str, Duration]:
    """``$look_back`` and ``$look_ahead`` for :data:`HOLDS_ON`: the horizon as Cypher durations."""
    return {
        "look_back": Duration(months=horizon.look_back.months, days=horizon.look_back.days),
        "look_ahead": Duration(months=horizon.look_ahead.months, days=horizon.look_ahead.days),
    }
