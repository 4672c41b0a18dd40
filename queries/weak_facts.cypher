// name: weak_facts
// answers: Which facts are weakly supported?
// param: limit (integer, default 100) — at most this many facts
// example: kg query weak_facts -p limit=20
// Weak: a single source, or best source reliability below C (D-F), or best
// credibility 4 or worse. With more weak facts than the limit, the first ones
// found are shown (sorted).
MATCH (a:Entity)-[r]->(b:Entity)
WITH a, r, b,
     all(s IN r.sources WHERE s = r.sources[0]) AS single,
     r.reliability > 'C' AS unreliable,
     r.credibility >= 4 AS doubtful
WHERE single OR unreliable OR doubtful
WITH a, r, b, single, unreliable, doubtful LIMIT $limit
RETURN a.name AS from, type(r) AS relation, b.name AS to,
       [w IN [CASE WHEN single THEN 'single source' END,
              CASE WHEN unreliable THEN 'reliability ' + r.reliability END,
              CASE WHEN doubtful THEN 'credibility ' + toString(r.credibility) END] WHERE w IS NOT NULL] AS why,
       r.credibility AS credibility, r.reliability AS reliability, r.sources AS sources
ORDER BY relation, from, to
