// name: find
// answers: Which entity goes by a name?
// param: name (text) — a name, alias, id, or words of one
// param: limit (integer, default 20) — at most this many entities
// example: kg query find -p name=bukamal
// Exact matches on id, name or alias first (case, accents and punctuation ignored), then
// spelling variants (Abou Kamal, Boukamal, البوكمال: the name matcher's keys), then entities
// whose names or aliases share words with it.
CALL () {
  // $name_key is the name key of $name (graph.names.name_key), added by the library for a text parameter.
  CALL db.index.fulltext.queryNodes('entity_keys', $name_key) YIELD node
  WHERE $name_key <> ''
  RETURN node, 2000.0 AS score
  UNION
  // $name_keys: its folded, phonetic and skeleton keys as one Lucene query (graph.names.lucene_keys);
  // the more keys an entity shares, the higher its Lucene score.
  CALL db.index.fulltext.queryNodes('entity_keys', $name_keys) YIELD node, score
  RETURN node, 1000.0 + score AS score
  UNION
  CALL db.index.fulltext.queryNodes('entity_text',
         '"' + replace(replace($name, '\\', '\\\\'), '"', '\\"') + '"') YIELD node, score
  RETURN node, score
}
WITH node, max(score) AS score
ORDER BY score DESC, node.name
LIMIT $limit
RETURN node.id AS id, node.type AS type, node.name AS name, coalesce(node.aliases, []) AS aliases,
       CASE WHEN score >= 2000.0 THEN 'exact' WHEN score >= 1000.0 THEN 'variant' ELSE 'words' END AS match
