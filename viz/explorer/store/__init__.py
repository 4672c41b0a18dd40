"""What the explorer reads from Neo4j, always in READ transactions with a time limit.

One module per job, each a set of functions taking the shared :class:`Store`
(driver, database, time limits, cache):

* :mod:`.search`: name suggestions as a person types;
* :mod:`.neighbourhood`: expanding an entity, rebuilding a view, a view as a graph to export;
* :mod:`.evidence`: an entity's details, a relation's evidence and sources;
* :mod:`.console`: read-only Cypher with limits, and its result as a graph;
* :mod:`.meta`: counts, datasets and the days of the as-of slider.

Their Cypher is in :mod:`.cypher` (named constants), a view's filters become
its parameters in :mod:`.filters`, and rows become what the page draws in
:mod:`.drawn`.
"""

from .base import HUB_DEGREE, Store, error_for

__all__ = ["HUB_DEGREE", "Store", "error_for"]
