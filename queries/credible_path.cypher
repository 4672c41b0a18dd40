// name: credible_path
// answers: What is the best-sourced chain between two entities, and its weakest link?
// param: from (entity) — id, name or alias of the first entity
// param: to (entity) — id, name or alias of the second entity
// param: k (integer 1..10, default 1) — the k best chains
// example: kg query credible_path -p from="Fog 47" -p to="Husam Luqa"
// Each link costs 1 + the rank of its best evidence's credibility + the rank of that source's
// reliability (1A costs 1, each grade worse on either scale adds 1); a chain costs the sum, and
// the cheapest comes first: solid links beat a short cut through a doubtful claim. The weakest
// link (the costliest; the first such) is marked. A chain never passes through a place or uses a
// relation about location (LOCATED_IN, NEAR): everyone seen in a town would be "connected" by it;
// a place may still be where it starts or ends. Chains are looked for among the shortest ones
// and those one step longer, up to 10 steps (kg analyze --path --credible searches them all).
// Ties: by entity ids.
MATCH (a:Entity {id: $from}), (b:Entity {id: $to})
// Neo4j 5 has no weighted search without the GDS plugin: take every chain of the two shortest
// lengths (SHORTEST 2 GROUPS, a breadth-first search), then weigh and sort them. A third length
// would multiply the chains by the average number of ties: on 10,000 entities with 100,000
// relations, up to 33,000 chains of two lengths took 15 s, three lengths did not end in a minute.
MATCH p = SHORTEST 2 GROUPS (a) ((x)-[r]-(y) WHERE NOT type(r) IN ['LOCATED_IN', 'NEAR'] AND (y = b OR NOT y:Place)){1,10} (b)
WITH nodes(p) AS ns, relationships(p) AS rels
// Chains visit each entity once (the search allows walks that come back).
WHERE all(i IN range(1, size(ns) - 1) WHERE NOT ns[i] IN ns[..i])
CALL (ns, rels) {
  UNWIND range(0, size(rels) - 1) AS i
  WITH i, ns[i] AS x, rels[i] AS r, ns[i + 1] AS y
  // The link's best piece of evidence: graph.neo4j.cypher.EVIDENCE_COST.format(c="c", r="rel"),
  // the cost rule of graph.analysis.paths.evidence_cost, verbatim (tests check).
  CALL (r) {
    UNWIND range(0, size(r.sources) - 1) AS j
    OPTIONAL MATCH (s:Source {id: r.sources[j]})
    WITH r.credibilities[j] AS c, s.reliability AS rel, r.sources[j] AS source, r.quotes[j] AS quote
    RETURN (CASE WHEN c IN [1, 2, 3, 4, 5, 6] AND rel IN ['A', 'B', 'C', 'D', 'E', 'F'] THEN 1 + CASE c WHEN 1 THEN 0 WHEN 2 THEN 1 WHEN 3 THEN 2 WHEN 4 THEN 3 WHEN 5 THEN 4 WHEN 6 THEN 5 END + CASE rel WHEN 'A' THEN 0 WHEN 'B' THEN 1 WHEN 'C' THEN 2 WHEN 'D' THEN 3 WHEN 'E' THEN 4 WHEN 'F' THEN 5 END ELSE 11 END) AS cost, c, rel, source, quote
    ORDER BY cost, c, source, quote
    LIMIT 1
  }
  WITH i, x, r, y, cost, c, rel, source, quote
  ORDER BY i
  RETURN collect({
    from: x.name,
    relation: CASE WHEN startNode(r) = x THEN '-' + type(r) + '->' ELSE '<-' + type(r) + '-' END,
    to: y.name, credibility: c, reliability: rel, source: source, quote: quote, cost: cost,
    id: startNode(r).id + '|' + type(r) + '|' + endNode(r).id
  }) AS steps, sum(cost) AS cost
}
WITH [n IN ns | n.id] AS ids, steps, cost
// Parallel relations give several chains through the same entities: keep the cheapest of each.
ORDER BY cost, ids, [s IN steps | s.id]
WITH ids, head(collect({steps: steps, cost: cost})) AS best
ORDER BY best.cost, ids
LIMIT $k
WITH collect(best) AS chains
UNWIND range(0, size(chains) - 1) AS n
WITH n + 1 AS chain, chains[n].cost AS cost, chains[n].steps AS steps
WITH chain, cost, steps,
     reduce(w = 0, i IN range(0, size(steps) - 1) | CASE WHEN steps[i].cost > steps[w].cost THEN i ELSE w END) AS weakest
UNWIND range(0, size(steps) - 1) AS i
RETURN chain, cost AS chain_cost, i + 1 AS step, steps[i].from AS from, steps[i].relation AS relation,
       steps[i].to AS to, steps[i].credibility AS credibility, steps[i].reliability AS reliability,
       steps[i].cost AS cost, CASE WHEN i = weakest THEN 'weakest' ELSE '' END AS weakest,
       steps[i].source AS source, steps[i].quote AS quote
ORDER BY chain, step
