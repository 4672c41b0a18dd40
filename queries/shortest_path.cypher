// name: shortest_path
// answers: How are two entities connected?
// param: from (entity) — id, name or alias of the first entity
// param: to (entity) — id, name or alias of the second entity
// example: kg query shortest_path -p from="Fog 47" -p to="Husam Luqa"
// The shortest path between them, one row per step. Relations are followed in
// either direction; at most 10 steps. A path never passes through a place or
// uses a relation about location (LOCATED_IN, NEAR): everyone seen in a town
// would be "connected" through it; a place may still be where it starts or
// ends. Of several equally short paths, the first by entity ids; for the
// best-sourced one, see credible_path.
MATCH (a:Entity {id: $from}), (b:Entity {id: $to})
MATCH p = ALL SHORTEST (a) ((x)-[r]-(y) WHERE NOT type(r) IN ['LOCATED_IN', 'NEAR'] AND (y = b OR NOT y:Place)){1,10} (b)
// Equally short paths: the first by entity ids, then by relationship, so every run shows the same one.
WITH p, [n IN nodes(p) | n.id] AS ids, [r IN relationships(p) | type(r)] AS types
ORDER BY ids, types
LIMIT 1
WITH p, nodes(p) AS ns, relationships(p) AS rels
UNWIND range(0, size(rels) - 1) AS i
WITH i, ns[i] AS x, rels[i] AS r, ns[i + 1] AS y
RETURN i + 1 AS step, x.name AS from,
       CASE WHEN startNode(r) = x THEN '-' + type(r) + '->' ELSE '<-' + type(r) + '-' END AS relation,
       y.name AS to, r.credibility AS credibility, r.reliability AS reliability, r.time_basis AS time_basis,
       r.sources AS sources
ORDER BY step
