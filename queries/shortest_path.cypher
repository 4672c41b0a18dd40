// name: shortest_path
// answers: How are two entities connected?
// param: from (entity) — id, name or alias of the first entity
// param: to (entity) — id, name or alias of the second entity
// example: kg query shortest_path -p from="Fog 47" -p to="Husam Luqa"
// The shortest path between them, one row per step. Relations are followed in
// either direction; at most 10 steps.
MATCH (a:Entity {id: $from}), (b:Entity {id: $to})
MATCH p = shortestPath((a)-[*..10]-(b))
WITH p, nodes(p) AS ns, relationships(p) AS rels
UNWIND range(0, size(rels) - 1) AS i
WITH i, ns[i] AS x, rels[i] AS r, ns[i + 1] AS y
RETURN i + 1 AS step, x.name AS from,
       CASE WHEN startNode(r) = x THEN '-' + type(r) + '->' ELSE '<-' + type(r) + '-' END AS relation,
       y.name AS to, r.credibility AS credibility, r.reliability AS reliability, r.time_basis AS time_basis,
       r.sources AS sources
ORDER BY step
