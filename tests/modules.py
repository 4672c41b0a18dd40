"""The project's Python modules, found from the files (no import needed to list them)."""

from __future__ import annotations

from pathlib import Path

from tests.paths import ROOT

# The installed packages, each a room of ARCHITECTURE.md.
PACKAGES = ("graph", "loaders", "queries", "viz", "kg")


def package_files(package: str, *, root: Path = ROOT) -> list[Path]:
    """Every ``.py`` file of a package, sorted (``__main__.py`` included)."""
    return sorted(p for p in (root / package).rglob("*.py") if "__pycache__" not in p.parts)


def module_name(path: Path, *, root: Path = ROOT) -> str:
    """``graph/neo4j/values.py`` -> ``graph.neo4j.values``; ``viz/__init__.py`` -> ``viz``."""
    parts = path.relative_to(root).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules(*packages: str) -> list[str]:
    """Dotted names of the importable modules of ``packages`` (``__main__`` left out: it runs the CLI)."""
    return [
        module_name(p) for package in packages or PACKAGES for p in package_files(package) if p.name != "__main__.py"
    ]
