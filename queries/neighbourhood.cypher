// name: neighbourhood
// answers: What is within N hops of an entity, in either direction?
// param: entity (entity) — id, name or alias of the entity at the centre
// param: hops (integer 1..3, default 2) — how many relations away to look
// param: limit (integer, default 200) — at most this many entities, nearest first
// example: kg query neighbourhood -p entity="Fog 47" -p hops=2
// Each entity comes with one shortest path to it from the centre.
MATCH (e:Entity {id: $entity})
CALL (e) {
  MATCH p = ANY SHORTEST (e)-[]-{1,1}(x:Entity) WHERE $hops = 1 RETURN x, p
  UNION
  MATCH p = ANY SHORTEST (e)-[]-{1,2}(x:Entity) WHERE $hops = 2 RETURN x, p
  UNION
  MATCH p = ANY SHORTEST (e)-[]-{1,3}(x:Entity) WHERE $hops = 3 RETURN x, p
}
WITH x, p WHERE x <> e
WITH x, p, relationships(p) AS rels, nodes(p) AS ns
ORDER BY length(p), x.name
LIMIT $limit
RETURN length(p) AS hops, x.id AS id, x.name AS name, x.type AS type,
       reduce(s = ns[0].name, i IN range(0, size(rels) - 1) |
         s + CASE WHEN startNode(rels[i]) = ns[i] THEN ' -' + type(rels[i]) + '-> ' ELSE ' <-' + type(rels[i]) + '- ' END
           + ns[i + 1].name) AS path
