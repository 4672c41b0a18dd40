"""Which Cypher typed by a person is read, and which is refused before it reaches Neo4j.

Neo4j is the real guard: such Cypher runs in a READ transaction (rolled back, under a
time limit), where any write fails. What a READ transaction still allows but an
analyst's console has no business doing is refused here, in plain words and before
anything runs:

* reading files or URLs (``LOAD CSV``);
* administration: ``SHOW SETTINGS``, ``SHOW TRANSACTIONS`` (other sessions' query texts),
  ``SHOW USERS`` / ``ROLES`` / ``PRIVILEGES`` / ``DATABASES`` / ``SERVERS`` / ``ALIASES``,
  ``TERMINATE``, ``GRANT``, ``ALTER``, ``CREATE USER``, ``STOP DATABASE``, ``USE`` ...
  (the schema listings an analyst wants stay: ``SHOW INDEXES``, ``SHOW CONSTRAINTS``,
  ``SHOW FUNCTIONS``, ``SHOW PROCEDURES``);
* procedures other than the read-only few of :data:`ALLOWED_PROCEDURES` (so ``dbms.*``
  but ``dbms.components``, ``db.clearQueryCaches``, ``db.createLabel`` ... are refused).

:func:`refusal` is the one rule, for the explorer's console (:mod:`viz.explorer.readonly`)
and ``kg query --cypher`` alike: each words the refusal its own way around the reason.
Keywords inside string literals, comments and backquoted names do not count.
"""

from __future__ import annotations

import re

# String literals, comments and backquoted names, so keywords inside them are ignored.
_LEXEME = re.compile(
    r"""'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|//[^\n]*|/\*.*?\*/|`(?:[^`]|``)*`""",
    re.DOTALL,
)
_NAME = r"(?:[A-Za-z_][\w$]*|`(?:[^`]|``)*`)"
_CALL = re.compile(rf"\bCALL\s+({_NAME}(?:\s*\.\s*{_NAME})*)", re.IGNORECASE)
_LOAD_CSV = re.compile(r"\bLOAD\s+CSV\b", re.IGNORECASE)
# Words that only ever start an administration command (not a property or parameter: `n.alter`, `$deny`).
_ADMIN_WORDS = re.compile(
    r"(?<![.$])\b(TERMINATE|GRANT|DENY|REVOKE|ALTER|RENAME|ENABLE|DISABLE|DEALLOCATE|REALLOCATE)\b", re.IGNORECASE
)
# Where a command starts: the query's beginning, after EXPLAIN / PROFILE / CYPHER options (`CYPHER 5`,
# `CYPHER runtime=slotted`), or after UNION.
_START = r"(?:^|\bUNION(?:\s+ALL)?)\s*(?:(?:EXPLAIN|PROFILE|CYPHER(?:\s+(?:\d+|\w+\s*=\s*\w+))*)\s+)*"
_ADMIN_START = re.compile(
    _START + r"(START|STOP|DROP|USE|CREATE\s+(?:OR\s+REPLACE\s+)?(?:COMPOSITE\s+)?(?:USER|ROLE|DATABASE|ALIAS))\b",
    re.IGNORECASE,
)
_SHOW = re.compile(_START + r"SHOW((?:\s+\w+)+)", re.IGNORECASE)
# Where the name of what SHOW lists ends.
_SHOW_END = re.compile(r"\b(?:YIELD|WHERE|RETURN|EXECUTABLE)\b.*", re.IGNORECASE | re.DOTALL)
# What SHOW may list: the schema and what can be called, never settings, transactions, users or servers.
_HARMLESS_SHOW = re.compile(
    r"(?:(?:ALL|FULLTEXT|LOOKUP|POINT|RANGE|TEXT|VECTOR|BTREE|UNIQUE|UNIQUENESS|NODE|REL|RELATIONSHIP|KEY|EXIST"
    r"|EXISTS|EXISTENCE|PROPERTY|TYPE|BUILT|IN|USER|DEFINED)\s+)*"
    r"(?:INDEX|INDEXES|CONSTRAINT|CONSTRAINTS|FUNCTION|FUNCTIONS|PROCEDURE|PROCEDURES)",
    re.IGNORECASE,
)

# Read-only procedures an analyst may want from a console.
ALLOWED_PROCEDURES = re.compile(
    r"^(db\.(labels|relationshipTypes|propertyKeys|schema\.(visualization|nodeTypeProperties|relTypeProperties)"
    r"|index\.fulltext\.(queryNodes|queryRelationships|listAvailableAnalyzers))|dbms\.components)$"
)
# The allowed procedures Neo4j's plan counts as DBMS commands (query type "s") although they only read.
DBMS_READS = frozenset({"dbms.components"})
ALLOWED_PROCEDURES_IN_WORDS = (
    "db.labels, db.relationshipTypes, db.propertyKeys, db.schema.*, db.index.fulltext.query* and dbms.components"
)


def mask(text: str) -> str:
    """The query with string literals and comments blanked (backquoted names kept), lengths unchanged.

    >>> mask("RETURN 'LOAD CSV' // SHOW USERS")
    'RETURN                         '
    """

    def blank(m: re.Match) -> str:
        s = m.group(0)
        return s if s.startswith("`") else " " * len(s)

    return _LEXEME.sub(blank, text)


def _procedure_name(raw: str) -> str:
    parts = re.findall(r"`((?:[^`]|``)*)`|([A-Za-z_][\w$]*)", raw)
    return ".".join(quoted.replace("``", "`") if quoted else plain for quoted, plain in parts)


def procedures(text: str) -> list[str]:
    """The procedures a query calls, by name (backquotes resolved), in order.

    >>> procedures("CALL db.labels() YIELD label CALL `dbms`.components() RETURN label // CALL x.y()")
    ['db.labels', 'dbms.components']
    """
    return [_procedure_name(call.group(1)) for call in _CALL.finditer(mask(text))]


def refusal(text: str) -> str | None:
    """Why Cypher typed by a person is not run (one line, without a subject), or None when it may be.

    >>> refusal("MATCH (n) RETURN n.name // LOAD CSV in a comment is fine") is None
    True
    >>> refusal("SHOW INDEXES YIELD name RETURN name") is None
    True
    >>> refusal("LOAD CSV FROM 'file:///etc/passwd' AS line RETURN line")
    'LOAD CSV (reading files or URLs) is not run'
    >>> refusal("show transactions")
    'SHOW TRANSACTIONS (administration) is not run; SHOW may list indexes, constraints, functions and procedures'
    >>> refusal("CALL dbms.listConfig()")
    'procedure dbms.listConfig is not run; the procedures run are db.labels, db.relationshipTypes, \
db.propertyKeys, db.schema.*, db.index.fulltext.query* and dbms.components'
    """
    masked = mask(text)
    if _LOAD_CSV.search(masked):
        return "LOAD CSV (reading files or URLs) is not run"
    for show in _SHOW.finditer(masked):
        what = " ".join(_SHOW_END.sub("", show.group(1)).split()).upper()
        if not _HARMLESS_SHOW.fullmatch(what):
            return (
                f"SHOW {what} (administration) is not run; SHOW may list indexes, constraints, functions and procedures"
            )
    m = _ADMIN_WORDS.search(masked) or _ADMIN_START.search(masked)
    if m:
        return f"{' '.join(m.group(1).split()).upper()} (administration) is not run"
    for name in procedures(text):
        if not ALLOWED_PROCEDURES.match(name):
            return f"procedure {name} is not run; the procedures run are {ALLOWED_PROCEDURES_IN_WORDS}"
    return None
