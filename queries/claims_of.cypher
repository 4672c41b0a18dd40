// name: claims_of
// answers: What does an originator claim?
// param: entity (entity, optional) — id, name or alias of a person, group or outlet the reports cite
// param: publisher (publisher, optional) — a publisher of sources (case and accents ignored)
// param: limit (integer, default 200) — at most this many pieces of evidence
// requires: entity or publisher
// example: kg query claims_of -p publisher="Alma Research and Education Center" -p limit=5
// example: kg query claims_of -p entity=sohr
// Every piece of evidence citing the entity ("according to" it, or "via" it) or
// published by the publisher, with its quote and who said it ("Levant, according
// to local sources, via SOHR"). `role` is "originator" when the claim is its own,
// "relays" when it passes on someone else's.
CALL () {
  // An entity: the facts whose evidence names it in according_to or via, found in the
  // relation_attribution index (keyword analyzer: one exact term per list member; the id is
  // quoted as one Lucene phrase). Nothing is read without $entity.
  UNWIND CASE WHEN $entity IS NULL THEN [] ELSE [$entity] END AS cited
  CALL db.index.fulltext.queryRelationships('relation_attribution',
         '"' + replace(replace(cited, '\\', '\\\\'), '"', '\\"') + '"') YIELD relationship AS r
  WITH cited, r
  WHERE cited IN r.according_to OR cited IN r.via
  RETURN startNode(r) AS a, r, endNode(r) AS b
  UNION
  // A publisher: its sources, then the facts citing each (the relation_sources index).
  MATCH (s:Source)
  WHERE s.publisher IN $publisher
  CALL db.index.fulltext.queryRelationships('relation_sources',
         '"' + replace(replace(s.id, '\\', '\\\\'), '"', '\\"') + '"') YIELD relationship AS r
  RETURN startNode(r) AS a, r, endNode(r) AS b
}
WITH DISTINCT a, r, b
UNWIND range(0, size(r.sources) - 1) AS i
WITH a, r, b, i, coalesce(r.according_to[i], '') AS said_by, coalesce(r.via[i], '') AS via
MATCH (s:Source {id: r.sources[i]})
WHERE said_by = $entity OR via = $entity OR s.publisher IN $publisher
WITH a, r, b, i, s, said_by, via, a.id + '|' + type(r) + '|' + b.id AS id
ORDER BY id, i
LIMIT $limit
OPTIONAL MATCH (who:Entity {id: said_by})
OPTIONAL MATCH (relay:Entity {id: via})
// Whose claim it is (graph.attribution.originator: according_to, else via, else the publisher),
// and how it is said (graph.attribution.attribution_text); tests/test_claims.py holds both to Python.
RETURN id, a.name AS from, type(r) AS relation, b.name AS to,
       CASE WHEN said_by <> '' THEN CASE WHEN said_by = $entity THEN 'originator' ELSE 'relays' END
            WHEN via <> '' THEN CASE WHEN via = $entity THEN 'originator' ELSE 'relays' END
            ELSE 'originator' END AS role,
       coalesce(s.publisher, s.id)
         + CASE WHEN said_by <> '' THEN ', according to ' + coalesce(who.name, said_by) ELSE '' END
         + CASE WHEN via <> '' THEN ', via ' + coalesce(relay.name, via) ELSE '' END AS attribution,
       r.quotes[i] AS quote, s.id AS source, r.observed[i] AS observed, r.credibilities[i] AS credibility,
       r.time_basis AS time_basis
ORDER BY id
