"""The Neo4j room: everything that talks to Neo4j, and nothing the domain needs.

``settings`` (NEO4J_* environment), ``credentials`` (the local server's generated
password and its 0600 file), ``connection`` (driver, errors, the READ runner),
``values`` (Neo4j values as plain JSON), ``mapping`` (facts as rows), ``cypher``
(the writer's statements and the as-of predicate), ``writer`` (batched, idempotent
loads), ``import_csv`` and ``bulk`` (first loads through Neo4j's offline importer),
``lookup`` (names found through the stored keys, ranked by :mod:`graph.names`),
``measures`` (network measures written back), ``readonly`` (what a console may run),
``server`` and ``launcher/`` (a local Neo4j 5.26 from Maven Central). The domain part
of :mod:`graph` never imports this package.
"""
