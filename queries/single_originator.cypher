// name: single_originator
// answers: What rests on a single originator?
// param: limit (integer, default 100) — at most this many facts, by id
// example: kg query single_originator -p limit=20
// Facts whose every report comes from one originator, and who that is: the person or
// outlet the reports cite ("according to ..."; "via ..." when they relay an outlet),
// an anonymous originator in the report's words (and which report: two reports'
// "local sources" are not known to be the same people), or else the publisher of
// the sources. Two reports of one publisher are one voice, and so are two outlets
// relaying the same originator.
MATCH (a:Entity)-[r]->(b:Entity)
// r.originators counts the distinct originators of the evidence (graph.attribution.originator_keys).
WHERE r.originators = 1
WITH a, r, b, a.id + '|' + type(r) + '|' + b.id AS id
ORDER BY id
LIMIT $limit
// One originator: every piece of evidence names the same one, so the first piece says who it is, by the
// rule of graph.attribution.originator: according_to, else via, else the source's publisher.
WITH a, r, b, id, coalesce(r.according_to[0], '') AS said_by, coalesce(r.via[0], '') AS via
OPTIONAL MATCH (s:Source {id: r.sources[0]})
OPTIONAL MATCH (who:Entity {id: CASE WHEN said_by <> '' THEN said_by ELSE via END})
RETURN id, a.name AS from, type(r) AS relation, b.name AS to,
       CASE WHEN said_by <> '' THEN coalesce(who.name, said_by + ' (in ' + r.sources[0] + ')')
            WHEN via <> '' THEN coalesce(who.name, via)
            ELSE coalesce(s.publisher, r.sources[0]) END AS originator,
       CASE WHEN said_by <> '' AND who IS NULL THEN 'anonymous'
            WHEN said_by <> '' OR via <> '' THEN 'entity'
            ELSE 'publisher' END AS kind,
       size(r.sources) AS reports, r.credibility AS credibility, r.reliability AS reliability,
       r.time_basis AS time_basis, r.sources AS sources
ORDER BY id
