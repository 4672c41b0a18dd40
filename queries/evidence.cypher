// name: evidence
// answers: What is the evidence for the relations between two entities (either direction)?
// param: a (entity) — id, name or alias of one entity
// param: b (entity) — id, name or alias of the other
// example: kg query evidence -p a="Fog 47" -p b="Badr Hospital"
MATCH (x:Entity {id: $a})-[r]-(y:Entity {id: $b})
UNWIND range(0, size(r.sources) - 1) AS i
OPTIONAL MATCH (s:Source {id: r.sources[i]})
RETURN startNode(r).name AS from, type(r) AS relation, endNode(r).name AS to,
       r.sources[i] AS source, s.title AS title, s.publisher AS publisher, s.published AS published,
       s.reliability AS reliability, r.credibilities[i] AS credibility, r.quotes[i] AS quote,
       r.observed[i] AS observed, r.time_basis AS time_basis
ORDER BY relation, from, reliability, credibility, source
