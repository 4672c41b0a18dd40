// name: key_players
// answers: Who are the key players of the network?
// param: limit (integer 1..10000, default 20) — at most this many entities, the most central first
// example: kg query key_players -p limit=10
// The entities ranked by PageRank (tied to entities that are themselves well tied),
// with their betweenness (the share of shortest paths between others that pass
// through them: who bridges), degree (how many entities they are tied to), k-core
// (how deep in the dense core) and community. The values are those `kg analyze
// PATH --write` computed (on the scope it was given) and stored on the entities;
// empty until it has run.
MATCH (n:Entity)
WHERE n.measure_pagerank IS NOT NULL
// Sort, then limit: a top-k sort keeps only $limit rows, whatever the size of the graph.
WITH n
ORDER BY n.measure_pagerank DESC, n.id
LIMIT $limit
RETURN n.id AS id, n.name AS name, n.type AS type, round(n.measure_pagerank, 4) AS pagerank,
       round(n.measure_betweenness, 4) AS betweenness, n.measure_degree AS degree, n.measure_k_core AS k_core,
       n.measure_community AS community
