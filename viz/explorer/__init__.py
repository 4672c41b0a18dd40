"""The browser explorer served by `kg serve`: a FastAPI app over the graph in Neo4j.

:func:`viz.explorer.app.create_app` builds it from an :class:`viz.explorer.config.ExplorerConfig`.
"""
