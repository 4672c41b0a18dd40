"""The rooms and their one-way doors (ARCHITECTURE.md), checked on the source.

* every module of graph, loaders, queries, viz and kg imports;
* graph imports none of loaders, queries, viz, kg;
* the domain part of graph (everything outside graph/neo4j/) imports nothing from
  graph.neo4j, nor the Neo4j driver itself;
* nothing outside kg imports kg (tests and bench aside: they drive the CLI).

Imports are read with ``ast``, so one made inside a function counts too.
"""

from __future__ import annotations

import ast
import importlib
import re
import textwrap
import tomllib
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.modules import PACKAGES, module_name, modules, package_files
from tests.paths import ROOT

# Where `nothing imports kg` does not apply: the CLI itself, and what drives it.
CLI_USERS = ("kg", "tests", "bench")
SKIP_DIRS = {".git", "__pycache__", "build", "out", "node_modules"}


@dataclass(frozen=True)
class Import:
    file: str  # relative to the root, with forward slashes
    line: int
    text: str  # the statement as written (first line)
    targets: tuple[str, ...]  # absolute dotted names it may bring in

    def within(self, package: str) -> bool:
        return any(t == package or t.startswith(package + ".") for t in self.targets)

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.text}"


def imports_of(path: Path, *, root: Path = ROOT) -> list[Import]:
    """Every import statement of a file, relative ones resolved against its package."""
    source = path.read_text(encoding="utf-8")
    tree = ast.parse(source, filename=str(path))
    name = module_name(path, root=root)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    rel = path.relative_to(root).as_posix()
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets = tuple(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".") if package else []
                base = ".".join(parts[: len(parts) - (node.level - 1)])
                module = ".".join(p for p in (base, node.module) if p)
            else:
                module = node.module or ""
            # `from graph import neo4j` brings in graph.neo4j: count the names too.
            targets = (module, *(f"{module}.{alias.name}" for alias in node.names))
        else:
            continue
        text = (ast.get_source_segment(source, node) or "").splitlines()[0].strip()
        found.append(Import(rel, node.lineno, text, targets))
    return found


def python_files(root: Path) -> list[Path]:
    """Every .py file of the checkout, build and hidden folders aside."""
    return sorted(
        p
        for p in root.rglob("*.py")
        if not SKIP_DIRS.intersection(p.relative_to(root).parts)
        and not any(part.startswith(".") for part in p.relative_to(root).parts[:-1])
    )


def door_violations(root: Path = ROOT) -> list[str]:
    """Each import that walks through a one-way door the wrong way, as ``FILE:LINE: import -- why``."""
    out = []
    for path in python_files(root):
        top = path.relative_to(root).parts[0]
        in_graph = top == "graph"
        in_domain = in_graph and path.relative_to(root).parts[1:2] != ("neo4j",)
        for imp in imports_of(path, root=root):
            if in_graph:
                out += [
                    f"{imp} -- graph must not import {p} ({p} uses graph, never the reverse)"
                    for p in ("loaders", "queries", "viz", "kg")
                    if imp.within(p)
                ]
            if in_domain:
                if imp.within("graph.neo4j"):
                    out.append(
                        f"{imp} -- the graph domain must not import graph.neo4j (the Neo4j room uses the "
                        "domain, never the reverse)"
                    )
                elif imp.within("neo4j"):
                    out.append(f"{imp} -- the graph domain must not import the Neo4j driver (it lives in graph/neo4j/)")
            if top not in CLI_USERS and imp.within("kg"):
                out.append(f"{imp} -- nothing imports kg (the CLI uses everything; nothing uses the CLI)")
    return out


@pytest.mark.parametrize("name", modules(*PACKAGES))
def test_every_module_imports(name):
    importlib.import_module(name)


def test_the_one_way_doors():
    problems = door_violations()
    assert not problems, "imports against the one-way doors (see ARCHITECTURE.md):\n" + "\n".join(problems)


def test_every_package_folder_is_installed():
    """A folder of modules missing from [tool.setuptools] packages works editable and breaks in a wheel."""
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    declared = set(pyproject["tool"]["setuptools"]["packages"])
    folders = {module_name(p.parent / "__init__.py") for pkg in PACKAGES for p in package_files(pkg)}
    assert folders <= declared, f"add to [tool.setuptools] packages in pyproject.toml: {sorted(folders - declared)}"


def test_every_data_file_is_installed():
    """A file the code reads (schema, queries, page assets) missing from package-data is missing from a wheel."""
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    shipped: set[Path] = set()
    for package, patterns in pyproject["tool"]["setuptools"]["package-data"].items():
        folder = ROOT.joinpath(*package.split("."))
        for pattern in patterns:
            shipped.update(p for p in folder.glob(pattern) if p.is_file())
    data = {
        p
        for package in PACKAGES
        for p in (ROOT / package).rglob("*")
        if p.is_file() and p.suffix not in (".py", ".pyc") and "__pycache__" not in p.parts
    }
    missing = sorted(str(p.relative_to(ROOT)) for p in data - shipped)
    assert not missing, f"add to [tool.setuptools.package-data] in pyproject.toml: {missing}"


# --------------------------------------------------------------------------- the checker itself


def write(root: Path, rel: str, text: str) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")


def test_a_wrong_import_is_named_with_its_file_and_line(tmp_path):
    write(tmp_path, "graph/__init__.py", "")
    write(
        tmp_path,
        "graph/views.py",
        """\
        from .schema import REGISTRY

        def draw():
            from viz.snapshot import View
        """,
    )
    write(tmp_path, "graph/asof.py", "from . import neo4j\nimport neo4j.time\n")
    write(tmp_path, "graph/neo4j/writer.py", "from ..facts import edge_id\nimport neo4j\n")
    write(tmp_path, "graph/neo4j/bad.py", "from queries import library\n")
    write(tmp_path, "loaders/validate.py", "import json\nfrom kg.common import out\n")
    write(tmp_path, "kg/cli.py", "from loaders import load_facts\n")
    write(tmp_path, "tests/test_x.py", "from kg.cli import app\n")
    write(tmp_path, "bench/b.py", "import kg.cli\n")
    assert door_violations(tmp_path) == [
        "graph/asof.py:1: from . import neo4j -- the graph domain must not import graph.neo4j "
        "(the Neo4j room uses the domain, never the reverse)",
        "graph/asof.py:2: import neo4j.time -- the graph domain must not import the Neo4j driver "
        "(it lives in graph/neo4j/)",
        "graph/neo4j/bad.py:1: from queries import library -- graph must not import queries "
        "(queries uses graph, never the reverse)",
        "graph/views.py:4: from viz.snapshot import View -- graph must not import viz "
        "(viz uses graph, never the reverse)",
        "loaders/validate.py:2: from kg.common import out -- nothing imports kg "
        "(the CLI uses everything; nothing uses the CLI)",
    ]


def test_relative_imports_resolve_against_their_package(tmp_path):
    write(tmp_path, "viz/explorer/__init__.py", "from .app import create_app\n")
    write(tmp_path, "viz/explorer/api.py", "from . import named\nfrom ..snapshot import View\nfrom ...graph import x\n")
    targets = {imp.line: imp.targets for imp in imports_of(tmp_path / "viz/explorer/api.py", root=tmp_path)}
    assert targets[1] == ("viz.explorer", "viz.explorer.named")
    assert targets[2] == ("viz.snapshot", "viz.snapshot.View")
    assert targets[3] == ("graph", "graph.x")
    (init,) = imports_of(tmp_path / "viz/explorer/__init__.py", root=tmp_path)
    assert init.targets[0] == "viz.explorer.app"


def test_module_names_follow_the_files():
    names = modules("graph")
    assert "graph" in names and "graph.neo4j.values" in names and "graph.schema" in names
    assert "kg.__main__" not in modules("kg")
    assert all(re.fullmatch(r"[a-z_][a-z0-9_.]*", n) for n in modules(*PACKAGES))
