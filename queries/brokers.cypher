// name: brokers
// answers: Who brokers between communities?
// param: limit (integer 1..10000, default 20) — at most this many entities, the strongest brokers first
// example: kg query brokers -p limit=10
// The entities whose ties reach the most communities other than their own
// (brokerage), then by betweenness: the go-betweens who tie groups together.
// `others` names the communities their ties reach, with the most central entity of each.
// The values are those `kg analyze PATH --write` stored; empty until it has run.
MATCH (n:Entity)
WHERE n.measure_brokerage > 0
WITH n
ORDER BY n.measure_brokerage DESC, n.measure_betweenness DESC, n.id
LIMIT $limit
// The communities reached, each named by its most central member (highest PageRank).
CALL (n) {
  MATCH (n)--(m:Entity)
  WHERE m.dataset = n.dataset AND m.measure_community IS NOT NULL AND m.measure_community <> n.measure_community
  WITH DISTINCT m.measure_community AS c
  MATCH (k:Entity)
  WHERE k.dataset = n.dataset AND k.measure_community = c
  WITH c, k
  ORDER BY k.measure_pagerank DESC, k.id
  WITH c, head(collect(k.name)) AS central
  ORDER BY c
  RETURN collect(toString(c) + ' (' + central + ')') AS others
}
RETURN n.id AS id, n.name AS name, n.type AS type, n.measure_community AS community,
       n.measure_brokerage AS brokerage, round(n.measure_betweenness, 4) AS betweenness, others
ORDER BY brokerage DESC, betweenness DESC, id
