// name: present_in
// answers: Which actors are present in a place?
// param: place (entity) — id, name or alias of the place (or site)
// param: limit (integer, default 200) — at most this many actors, most sites first
// example: kg query present_in -p place="Abu Kamal"
// Actors occupying, controlling, operating, recruiting or seen in the place or in
// the sites and places located in it. Places nest through LOCATED_IN (up to 4
// levels): a group holding a hospital in a neighbourhood of a city is present in
// the city. `site_count` counts the distinct sites within the place that the
// actor occupies, uses or was seen at.
MATCH (pl:Entity {id: $place})
MATCH (x:Entity)-[:LOCATED_IN*0..4]->(pl)
WITH DISTINCT x
MATCH (a:Entity)-[r:OCCUPIES|CONTROLS|OPERATES_IN|RECRUITS_IN|PRESENT_AT]->(x)
WITH a, r, x ORDER BY x.name
WITH a, collect(DISTINCT type(r)) AS relations,
     collect(DISTINCT CASE WHEN x:Site THEN x.name END) AS sites,
     min(r.credibility) AS best_credibility
RETURN a.id AS id, a.name AS actor, a.type AS type,
       [t IN ['OCCUPIES', 'CONTROLS', 'OPERATES_IN', 'RECRUITS_IN', 'PRESENT_AT'] WHERE t IN relations] AS relations,
       size(sites) AS site_count, sites,
       best_credibility
ORDER BY site_count DESC, actor
LIMIT $limit
