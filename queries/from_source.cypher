// name: from_source
// answers: Every fact one source supports, with its quote.
// param: source (source) — id of the source
// param: limit (integer, default 100) — at most this many pieces of evidence
// example: kg query from_source -p source=alma-2022-01-x-force
// The first pieces by relation type, then by the names of the two entities.
CALL db.index.fulltext.queryRelationships('relation_sources',
       '"' + replace(replace($source, '\\', '\\\\'), '"', '\\"') + '"') YIELD relationship AS r
WITH r, startNode(r) AS a, endNode(r) AS b
UNWIND range(0, size(r.sources) - 1) AS i
WITH a, r, b, i WHERE r.sources[i] = $source
// Sorted, then limited (a top-k sort over one source's facts: a few thousand at most), so the same rows
// come back every time.
WITH a, r, b, i ORDER BY type(r), a.name, b.name, i LIMIT $limit
RETURN a.name AS from, type(r) AS relation, b.name AS to, r.quotes[i] AS quote,
       r.credibilities[i] AS credibility, r.observed[i] AS observed,
       r.valid_from AS valid_from, r.valid_to AS valid_to, r.time_basis AS time_basis
ORDER BY relation, from, to
