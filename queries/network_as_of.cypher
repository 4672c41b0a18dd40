// name: network_as_of
// answers: What did the network look like on a date?
// param: date (date) — YYYY, YYYY-MM or YYYY-MM-DD (a partial date means its first day)
// param: limit (integer, default 100) — at most this many facts
// example: kg query network_as_of -p date=2021-12 -p limit=20
// The facts that held that day, between entities that existed then (events from
// their date on, campaigns between their start and end). A fact with stated dates
// (time_basis "stated") holds between them, and a date not stated is inferred as
// for facts with none (time_basis "inferred": from first_observed minus the
// look-back to last_observed plus the look-ahead; the horizon used is printed
// with the answer). With more facts than the limit, the first ones found are shown
// (sorted); raise the limit to see all.
MATCH (a:Entity)-[r]->(b:Entity)
// The as-of rules, verbatim: graph.neo4j.cypher.HOLDS_ON.format(r="r", day="$date") and
// EXISTS_ON.format(n=..., day="$date"); queries/library.py checks it and passes $look_back / $look_ahead.
WHERE ((CASE WHEN r.valid_from_date IS NOT NULL THEN r.valid_from_date <= $date WHEN r.observed_from_date IS NULL THEN true ELSE r.observed_from_date - $look_back <= $date OR coalesce(r.valid_to_date - $look_back <= $date, false) END) AND (CASE WHEN r.valid_to_date IS NOT NULL THEN r.valid_to_date >= $date WHEN r.observed_to_date IS NULL THEN true ELSE r.observed_to_date + $look_ahead >= $date OR coalesce(r.valid_from_date + $look_ahead >= $date, false) END))
  AND ((a.valid_from_date IS NULL OR a.valid_from_date <= $date) AND (a.valid_to_date IS NULL OR a.valid_to_date >= $date))
  AND ((b.valid_from_date IS NULL OR b.valid_from_date <= $date) AND (b.valid_to_date IS NULL OR b.valid_to_date >= $date))
// Stop at the limit before sorting: a million facts may hold on a day, and sorting them all
// to show a hundred costs seconds (the README says so).
WITH a, r, b LIMIT $limit
RETURN a.id + '|' + type(r) + '|' + b.id AS id, a.name AS from, type(r) AS relation, b.name AS to,
       r.time_basis AS time_basis, r.valid_from AS valid_from, r.valid_to AS valid_to,
       r.first_observed AS first_observed, r.last_observed AS last_observed,
       r.credibility AS credibility, r.reliability AS reliability
ORDER BY relation, from, to
