// name: leaders
// answers: Who leads a group (or an organization, a government, a campaign)?
// param: group (entity) — id, name or alias of the group
// example: kg query leaders -p group="Syrian Army Intelligence"
MATCH (g:Entity {id: $group})<-[r:LEADS]-(p:Entity)
RETURN p.id AS id, p.name AS leader, p.rank AS rank, r.title AS title,
       r.valid_from AS valid_from, r.valid_to AS valid_to, r.time_basis AS time_basis,
       r.credibility AS credibility, r.reliability AS reliability, r.sources AS sources
ORDER BY r.valid_from_date DESC, leader
