// name: community
// answers: Which communities does the network fall into, and who is in each?
// param: entity (entity, optional) — id, name or alias: only the community of this entity
// param: limit (integer 1..10000, default 50) — at most this many communities, the largest first
// param: members (integer 1..10000, default 10) — list at most this many members of each
// example: kg query community -p entity="Fog 47"
// example: kg query community -p limit=5
// Communities found by the Leiden algorithm (modularity, seeded: the same files
// and seed give the same communities), numbered from 0, largest first. Each row
// lists its most central members (by PageRank) first; `size` counts them all. The communities are those
// `kg analyze PATH --write` stored; empty until it has run.
OPTIONAL MATCH (e:Entity {id: $entity})
WITH e
WHERE $entity IS NULL OR e.measure_community IS NOT NULL
MATCH (n:Entity)
WHERE n.measure_community IS NOT NULL
  AND ($entity IS NULL OR (n.dataset = e.dataset AND n.measure_community = e.measure_community))
WITH n
ORDER BY n.measure_pagerank DESC, n.id
WITH n.dataset AS dataset, n.measure_community AS community, collect(n.name) AS members
RETURN dataset, community, size(members) AS size, members[..$members] AS members
ORDER BY size DESC, dataset, community
LIMIT $limit
