// name: weak_facts
// answers: Which facts are weakly supported?
// param: limit (integer, default 100) — at most this many facts, the weakest first
// example: kg query weak_facts -p limit=20
// What makes a fact weak, listed in `why`: it rests on one originator (every
// report of it comes from the same publisher, or relays the same outlet or
// person), its best credibility is worse than 3 (4-6), its best source reliability
// is worse than C (D-F), or its time is inferred from when it was reported rather
// than stated. Sorted by how many of these it has, most first, then by id.
MATCH (a:Entity)-[r]->(b:Entity)
// r.originators: distinct originators of the evidence (graph.attribution); grades best first,
// so "worse than" is "greater than" on both Admiralty scales (REGISTRY.credibility / .reliability).
WITH a, r, b,
     [w IN [CASE WHEN r.originators = 1 THEN 'one originator' END,
            CASE WHEN r.credibility > 3 THEN 'credibility ' + toString(r.credibility) END,
            CASE WHEN r.reliability > 'C' THEN 'reliability ' + r.reliability END,
            CASE WHEN r.time_basis = 'inferred' THEN 'time inferred' END] WHERE w IS NOT NULL] AS why
WHERE size(why) > 0
// Sort, then limit: ORDER BY ... LIMIT runs as a top-k sort (Neo4j's Top operator keeps only
// $limit rows), so a million facts cost one pass and no more memory than the answer.
WITH a, r, b, why, a.id + '|' + type(r) + '|' + b.id AS id
ORDER BY size(why) DESC, id
LIMIT $limit
RETURN id, a.name AS from, type(r) AS relation, b.name AS to, why,
       r.originators AS originators, r.credibility AS credibility, r.reliability AS reliability,
       r.time_basis AS time_basis, r.sources AS sources
