// name: sites
// answers: Which sites (and places) does a group occupy, and what for?
// param: group (entity) — id, name or alias of the group, organization or government
// example: kg query sites -p group="Fog 47"
MATCH (g:Entity {id: $group})-[r:OCCUPIES]->(s:Entity)
OPTIONAL MATCH (s)-[:LOCATED_IN]->(p:Entity)
WITH s, r, collect(p.name) AS located_in
RETURN s.id AS id, s.name AS site, s.type AS type, s.kind AS kind, r.use AS use, located_in,
       r.valid_from AS valid_from, r.valid_to AS valid_to, r.time_basis AS time_basis,
       r.credibility AS credibility, r.reliability AS reliability, r.sources AS sources
ORDER BY site
