"""Checks on Cypher typed into the console, before it reaches the database.

The database is the real guard: console Cypher runs in a READ transaction that is
rolled back, under a time limit. These checks add clear refusals for what a READ
transaction would still allow but an explorer has no business doing: reading
files or URLs (LOAD CSV), calling administrative procedures, terminating
transactions.
"""

from __future__ import annotations

import re

from .errors import RefusedQuery

# String literals, comments and backquoted names, so keywords inside them are ignored.
_LEXEME = re.compile(
    r"""'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|//[^\n]*|/\*.*?\*/|`(?:[^`]|``)*`""",
    re.DOTALL,
)
_CALL = re.compile(r"\bCALL\s+((?:[A-Za-z_][\w$]*|`(?:[^`]|``)*`)(?:\s*\.\s*(?:[A-Za-z_][\w$]*|`(?:[^`]|``)*`))*)",
                   re.IGNORECASE)
_LOAD_CSV = re.compile(r"\bLOAD\s+CSV\b", re.IGNORECASE)
_FORBIDDEN_WORDS = re.compile(
    r"(?<![.$])\b(TERMINATE|GRANT|DENY|REVOKE|ALTER|RENAME|ENABLE|DISABLE|DEALLOCATE|REALLOCATE)\b", re.IGNORECASE)
_ADMIN_START = re.compile(r"^\s*(?:(?:EXPLAIN|PROFILE|CYPHER(?:\s+\w+\s*=\s*\w+)*)\s+)*(START|STOP|DROP|USE)\b",
                          re.IGNORECASE)

# Read-only procedures an analyst may want from the console.
ALLOWED_PROCEDURES = re.compile(
    r"^(db\.(labels|relationshipTypes|propertyKeys|schema\.(visualization|nodeTypeProperties|relTypeProperties)"
    r"|index\.fulltext\.(queryNodes|queryRelationships|listAvailableAnalyzers))|dbms\.components)$"
)


def _mask(text: str) -> str:
    """The query with string literals and comments blanked (backquoted names kept)."""

    def blank(m: re.Match) -> str:
        s = m.group(0)
        return s if s.startswith("`") else " " * len(s)

    return _LEXEME.sub(blank, text)


def _procedure_name(raw: str) -> str:
    parts = re.findall(r"`((?:[^`]|``)*)`|([A-Za-z_][\w$]*)", raw)
    return ".".join(quoted.replace("``", "`") if quoted else plain for quoted, plain in parts)


def check_console_query(text: str) -> None:
    """Raise :class:`~viz.explorer.errors.RefusedQuery` for Cypher the console does not run.

    >>> check_console_query("MATCH (n) RETURN n.name // LOAD CSV in a comment is fine")
    >>> check_console_query("LOAD CSV FROM 'file:///etc/passwd' AS line RETURN line")
    Traceback (most recent call last):
    ...
    viz.explorer.errors.RefusedQuery: the console only reads the graph: LOAD CSV (reading files or URLs) is not run
    """
    masked = _mask(text)
    if _LOAD_CSV.search(masked):
        raise RefusedQuery("the console only reads the graph: LOAD CSV (reading files or URLs) is not run")
    m = _FORBIDDEN_WORDS.search(masked) or _ADMIN_START.search(masked)
    if m:
        raise RefusedQuery(f"the console only reads the graph: {m.group(1).upper()} (administration) is not run")
    for call in _CALL.finditer(masked):
        name = _procedure_name(call.group(1))
        if not ALLOWED_PROCEDURES.match(name):
            raise RefusedQuery(f"the console only reads the graph: procedure {name} is not run; it may call "
                               "db.labels, db.relationshipTypes, db.propertyKeys, db.schema.*, "
                               "db.index.fulltext.query* and dbms.components")
