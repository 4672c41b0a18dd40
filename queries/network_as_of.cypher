// name: network_as_of
// answers: What did the network look like on a date: the facts valid that day?
// param: date (date) — YYYY, YYYY-MM or YYYY-MM-DD (a partial date means its first day)
// param: limit (integer, default 100) — at most this many facts
// example: kg query network_as_of -p date=2021-12 -p limit=20
// A fact holds on the day unless its valid_from starts later or its valid_to
// ended earlier; facts without dates always hold. With more facts than the
// limit, the first ones found are shown (sorted); raise the limit to see all.
MATCH (a:Entity)-[r]->(b:Entity)
WHERE (r.valid_from_date IS NULL OR r.valid_from_date <= $date) AND (r.valid_to_date IS NULL OR r.valid_to_date >= $date)
WITH a, r, b LIMIT $limit
RETURN a.name AS from, type(r) AS relation, b.name AS to, r.valid_from AS valid_from, r.valid_to AS valid_to,
       r.credibility AS credibility, r.reliability AS reliability
ORDER BY relation, from, to
