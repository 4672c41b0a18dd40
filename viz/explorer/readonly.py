"""Checks on Cypher typed into the console, before it reaches the database.

The database is the real guard: console Cypher runs in a READ transaction that is
rolled back, under a time limit. The rule for what a READ transaction would still
allow but an explorer has no business doing (reading files, administration,
procedures other than a few reads) is :func:`graph.neo4j.readonly.refusal`, shared
with ``kg query --cypher``; here its reason becomes the console's refusal.
"""

from __future__ import annotations

from graph.neo4j.readonly import refusal

from .errors import RefusedQuery

# How every refusal of the console begins (the page and the tests look for it).
ONLY_READS = "the console only reads the graph"


def check_console_query(text: str) -> None:
    """Raise :class:`~viz.explorer.errors.RefusedQuery` for Cypher the console does not run.

    >>> check_console_query("MATCH (n) RETURN n.name // LOAD CSV in a comment is fine")
    >>> check_console_query("LOAD CSV FROM 'file:///etc/passwd' AS line RETURN line")
    Traceback (most recent call last):
    ...
    viz.explorer.errors.RefusedQuery: the console only reads the graph: LOAD CSV (reading files or URLs) is not run
    >>> check_console_query("SHOW SETTINGS")
    Traceback (most recent call last):
    ...
    viz.explorer.errors.RefusedQuery: the console only reads the graph: SHOW SETTINGS (administration) is not run; \
SHOW may list indexes, constraints, functions and procedures
    """
    reason = refusal(text)
    if reason is not None:
        raise RefusedQuery(f"{ONLY_READS}: {reason}")
