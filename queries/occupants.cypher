// name: occupants
// answers: Who occupies a site (or a place), and what for?
// param: site (entity) — id, name or alias of the site or place
// example: kg query occupants -p site="Badr Hospital"
MATCH (s:Entity {id: $site})<-[r:OCCUPIES]-(a:Entity)
RETURN a.id AS id, a.name AS actor, a.type AS type, r.use AS use,
       r.valid_from AS valid_from, r.valid_to AS valid_to, r.time_basis AS time_basis,
       r.credibility AS credibility, r.reliability AS reliability, r.sources AS sources
ORDER BY r.valid_from_date DESC, actor
