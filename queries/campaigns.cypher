// name: campaigns
// answers: Which campaigns does an actor run, support, lead or carry out?
// param: actor (entity) — id, name or alias of the person, group, organization or government
// example: kg query campaigns -p actor="Assad regime"
MATCH (a:Entity {id: $actor})-[r:RUNS|SUPPORTS|LEADS|CARRIES_OUT]->(c:Campaign)
RETURN c.id AS id, c.name AS campaign, c.kind AS kind, type(r) AS relation,
       c.start AS start, c.end AS end, r.valid_from AS valid_from, r.valid_to AS valid_to, r.time_basis AS time_basis,
       r.credibility AS credibility, r.reliability AS reliability, r.sources AS sources
ORDER BY relation DESC, campaign
