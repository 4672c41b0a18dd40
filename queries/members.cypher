// name: members
// answers: Who are the members of a group?
// param: group (entity) — id, name or alias of the group, organization or government
// param: limit (integer, default 200) — at most this many members, people first
// example: kg query members -p group="Shiite Axis"
// The people in it (MEMBER_OF) and the units part of it (PART_OF).
MATCH (g:Entity {id: $group})<-[r:MEMBER_OF|PART_OF]-(m:Entity)
RETURN m.id AS id, m.name AS member, m.type AS type, type(r) AS relation, r.role AS role,
       r.valid_from AS valid_from, r.valid_to AS valid_to, r.time_basis AS time_basis,
       r.credibility AS credibility, r.reliability AS reliability, r.sources AS sources
ORDER BY relation, member
LIMIT $limit
