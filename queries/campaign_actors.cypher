// name: campaign_actors
// answers: Who runs, supports, leads or carries out a campaign?
// param: campaign (entity) — id, name or alias of the campaign
// example: kg query campaign_actors -p campaign="Albukamal operation"
MATCH (c:Entity {id: $campaign})<-[r:RUNS|SUPPORTS|LEADS|CARRIES_OUT]-(a:Entity)
RETURN a.id AS id, a.name AS actor, a.type AS type, type(r) AS relation,
       r.valid_from AS valid_from, r.valid_to AS valid_to, r.time_basis AS time_basis,
       r.credibility AS credibility, r.reliability AS reliability, r.sources AS sources
ORDER BY relation DESC, actor
