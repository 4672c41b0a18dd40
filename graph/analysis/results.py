"""What measures return, and the ways an analysis can fail (each with a message an analyst can act on)."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from typing import Any

__all__ = [
    "AmbiguousEntity",
    "AnalysisError",
    "Disconnected",
    "EmptyGraph",
    "NoPath",
    "OutOfScope",
    "Scores",
    "UnknownMeasure",
    "UnknownType",
    "closest",
    "components_text",
]


class Scores(dict):
    """``{entity_id: value}`` as networkx returns it, plus :attr:`meta`: what was computed, on what, how.

    ``meta`` always has ``measure``, ``entities``, ``ties``, ``directed``, ``components`` and ``scope``
    (the filters in words); measures add their own (a sampled betweenness its ``samples``, ``seed``
    and ``error``). :attr:`details` holds per-entity extras (a community number, an ego summary).

    >>> s = Scores({"b": 1.0, "a": 2.0, "c": 1.0}, {"measure": "degree"})
    >>> s["a"], s.ranked(), s.meta["measure"]
    (2.0, [('a', 2.0), ('b', 1.0), ('c', 1.0)], 'degree')
    """

    def __init__(
        self,
        values: Mapping[str, Any] | Iterable[tuple[str, Any]] = (),
        meta: dict | None = None,
        details: dict[str, dict] | None = None,
    ):
        super().__init__(values)
        self.meta: dict[str, Any] = dict(meta or {})
        self.details: dict[str, dict] = details or {}

    def ranked(self, top: int | None = None) -> list[tuple[str, Any]]:
        """``(id, value)`` highest first, equal values by id; the first ``top`` (None: all)."""
        rows = sorted(self.items(), key=lambda kv: (-kv[1], kv[0]))
        return rows if top is None else rows[:top]

    def ranks(self) -> dict[str, int]:
        """Each entity's place in :meth:`ranked`, from 1.

        >>> Scores({"a": 3, "b": 5}).ranks()
        {'b': 1, 'a': 2}
        """
        return {k: i for i, (k, _) in enumerate(self.ranked(), start=1)}


def closest(word: str, choices: Iterable[str]) -> str | None:
    """The valid choice nearest to ``word`` (case ignored), or None.

    >>> closest("pagerenk", ["pagerank", "degree"]), closest("xyz", ["degree"])
    ('pagerank', None)
    """
    choices = list(choices)
    by_lower = {c.lower(): c for c in choices}
    found = difflib.get_close_matches(word.lower(), list(by_lower), n=1, cutoff=0.6)
    return by_lower[found[0]] if found else None


def _hint(word: str, choices: Iterable[str]) -> str:
    near = closest(word, choices)
    return f" (did you mean {near!r}?)" if near else ""


class AnalysisError(Exception):
    """An analysis that cannot be done as asked; the message says why (plain text)."""


class UnknownMeasure(AnalysisError, LookupError):
    def __init__(self, name: str, choices: Iterable[str]):
        choices = list(choices)
        self.name, self.choices = name, choices
        super().__init__(f"unknown measure {name!r}{_hint(name, choices)}; measures: {', '.join(choices)}")


class UnknownType(AnalysisError, LookupError):
    """An entity or relation type the schema registry does not declare."""

    def __init__(self, kind: str, name: str, choices: Iterable[str]):
        self.kind, self.name = kind, name
        super().__init__(f"unknown {kind} type {name!r}{_hint(name, choices)}")


class AmbiguousEntity(AnalysisError, LookupError):
    def __init__(self, name: str, ids: list[str]):
        self.name, self.ids = name, ids
        super().__init__(f"{name!r} names {len(ids)} entities ({', '.join(ids)}): give the id")


class OutOfScope(AnalysisError, LookupError):
    """An entity of the dataset that the scope leaves out (excluded, or filtered away)."""

    def __init__(self, name: str, scope):
        self.name = name
        super().__init__(f"{name!r} is not in the network analysed ({'; '.join(scope.describe())})")


class EmptyGraph(AnalysisError):
    """Nothing left to measure after the filters."""


def components_text(sizes: list[int]) -> str:
    """Component sizes in words, largest first; entities without ties counted apart.

    >>> components_text([80, 5, 1, 1])
    '4 components (80 and 5 entities, 2 entities on their own)'
    >>> components_text([12, 3, 2, 2, 2, 2, 2, 1])
    '8 components (12, 3, 2, 2, 2, 2 and 1 more of 2 entities, 1 entity on its own)'
    >>> components_text([15])
    '1 component (15 entities)'
    """
    tied = [s for s in sizes if s > 1]
    alone = len(sizes) - len(tied)
    parts = []
    if tied:
        shown = [str(s) for s in tied[:6]]
        if len(tied) > 6:
            rest = tied[6:]
            span = f"{rest[0]}" if rest[0] == rest[-1] else f"{rest[-1]}-{rest[0]}"
            parts.append(", ".join(shown) + f" and {len(rest)} more of {span} entities")
        else:
            parts.append((", ".join(shown[:-1]) + " and " + shown[-1] if len(shown) > 1 else shown[0]) + " entities")
    if alone:
        parts.append(f"{alone} entit{'y' if alone == 1 else 'ies'} on {'its' if alone == 1 else 'their'} own")
    return f"{len(sizes)} component{'' if len(sizes) == 1 else 's'} ({', '.join(parts)})"


class Disconnected(AnalysisError):
    """A measure that needs one connected network got several; ``sizes`` lists the components."""

    def __init__(self, measure: str, sizes: list[int]):
        self.measure, self.sizes = measure, sizes
        super().__init__(
            f"{measure} needs one connected network, but the ties fall into {components_text(sizes)}: "
            "restrict it to the largest component (largest_component=True, --largest-component), "
            "or use pagerank, which any network has"
        )


class NoPath(AnalysisError, LookupError):
    """No path between two entities under the rules asked for."""
