"""The examples in docstrings run: every module of graph, loaders, queries and viz with a ``>>>``.

Modules are imported, never run: importing any of them starts no server and
opens no browser (tests/test_structure.py imports them all too).
"""

from __future__ import annotations

import doctest
import importlib
import io

import pytest

from tests.modules import module_name, package_files

DOCUMENTED = ("graph", "loaders", "queries", "viz")
# The pure modules whose functions show an example each: they must keep some.
PURE = ("graph.schema", "graph.asof", "graph.facts", "graph.dates", "graph.names", "graph.views", "graph.neo4j.values")


def with_examples() -> list[str]:
    return [
        module_name(p)
        for package in DOCUMENTED
        for p in package_files(package)
        if p.name != "__main__.py" and ">>>" in p.read_text(encoding="utf-8")
    ]


@pytest.mark.parametrize("name", with_examples())
def test_docstring_examples(name):
    module = importlib.import_module(name)
    out = io.StringIO()
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    for test in doctest.DocTestFinder(exclude_empty=True).find(module, name):
        runner.run(test, out=out.write)
    result = runner.summarize(verbose=False)
    assert result.attempted, f"{name}: no example ran"
    assert not result.failed, out.getvalue()


def test_the_pure_modules_keep_their_examples():
    assert set(PURE) <= set(with_examples())
