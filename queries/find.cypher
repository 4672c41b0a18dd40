// name: find
// answers: Which entity goes by a name?
// param: name (text) — a name, alias, id, or words of one
// param: limit (integer, default 20) — at most this many entities
// example: kg query find -p name=bukamal
// Exact matches on id, name or alias first (case, accents and punctuation ignored),
// then entities whose names or aliases share words with it.
CALL () {
  // $name_key is the name key of $name (graph.names.name_key), added by the library for a text parameter.
  CALL db.index.fulltext.queryNodes('entity_keys', $name_key) YIELD node
  WHERE $name_key <> ''
  RETURN node, 'exact' AS match, 1000.0 AS score
  UNION
  CALL db.index.fulltext.queryNodes('entity_text',
         '"' + replace(replace($name, '\\', '\\\\'), '"', '\\"') + '"') YIELD node, score
  RETURN node, 'words' AS match, score
}
WITH node, collect(match)[0] AS match, max(score) AS score
ORDER BY score DESC, node.name
LIMIT $limit
RETURN node.id AS id, node.type AS type, node.name AS name, node.aliases AS aliases, match
