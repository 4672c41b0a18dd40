// name: neighbourhood
// answers: What is within N hops of an entity, in either direction?
// param: entity (entity) — id, name or alias of the entity at the centre
// param: hops (integer 1..3, default 2) — how many relations away to look
// param: limit (integer, default 100) — at most this many entities, nearest first
// example: kg query neighbourhood -p entity="Fog 47" -p hops=1
// Entities are found breadth-first (each visited once), then each comes with
// one shortest path to it from the centre. Beyond the limit, the nearest are kept.
MATCH (e:Entity {id: $entity})
CALL (e) {
  WITH e WHERE $hops = 1 MATCH (e)-[*1..1]-(x:Entity) RETURN DISTINCT x LIMIT $limit
  UNION
  WITH e WHERE $hops = 2 MATCH (e)-[*1..2]-(x:Entity) RETURN DISTINCT x LIMIT $limit
  UNION
  WITH e WHERE $hops = 3 MATCH (e)-[*1..3]-(x:Entity) RETURN DISTINCT x LIMIT $limit
}
WITH e, x WHERE x <> e
MATCH p = shortestPath((e)-[*..3]-(x))
WITH x, p, relationships(p) AS rels, nodes(p) AS ns
RETURN length(p) AS hops, x.id AS id, x.name AS name, x.type AS type,
       reduce(s = ns[0].name, i IN range(0, size(rels) - 1) |
         s + CASE WHEN startNode(rels[i]) = ns[i] THEN ' -' + type(rels[i]) + '-> ' ELSE ' <-' + type(rels[i]) + '- ' END
           + ns[i + 1].name) AS path
ORDER BY hops, name
