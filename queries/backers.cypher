// name: backers
// answers: Which states stand behind a person or group?
// param: actor (entity) — id, name or alias of the person, group or organization
// example: kg query backers -p actor="Haji Askar"
// The chain up to each state backer through LEADS, MEMBER_OF, PART_OF and BACKED_BY:
// one shortest chain per state (Government) reached, up to 6 steps; the chain
// is only as strong as its weakest link, shown as weakest_credibility / _reliability.
MATCH (a:Entity {id: $actor})
// Which states are reachable at all (a breadth-first search that visits each entity once)...
MATCH (a)-[:LEADS|MEMBER_OF|PART_OF|BACKED_BY*1..6]->(g:Government)
WITH DISTINCT a, g
// ...then the shortest chain to each.
MATCH p = shortestPath((a)-[:LEADS|MEMBER_OF|PART_OF|BACKED_BY*1..6]->(g))
WITH g, p, relationships(p) AS rels, nodes(p) AS ns
RETURN g.id AS id, g.name AS state, length(p) AS steps,
       reduce(s = ns[0].name, i IN range(0, size(rels) - 1) | s + ' -' + type(rels[i]) + '-> ' + ns[i + 1].name) AS chain,
       reduce(w = 0, r IN rels | CASE WHEN r.credibility > w THEN r.credibility ELSE w END) AS weakest_credibility,
       reduce(w = 'A', r IN rels | CASE WHEN r.reliability > w THEN r.reliability ELSE w END) AS weakest_reliability
ORDER BY steps, state
