"""Where new nodes go on the explorer's view: the snapshot's layout engine, around what is on screen.

The page sends the positions of the nodes on screen and the nodes it is about to add
(:class:`~viz.explorer.models.PlaceRequest`); :func:`place` holds the first exactly where they are
and places the others with :func:`viz.layout.layout_around` (Fruchterman-Reingold with the held
nodes fixed, then the same overlap removal, moving only the new ones). Nothing is read from the
store: the answer depends on the request alone, and the same request gets the same answer.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence

from viz import look
from viz.layout import Box, layout_around

DEFAULT_SIZE = 14.0  # half the width of a node whose size the page did not send
LABEL_FONT = 13.0  # drawing units a label line takes at 1:1 (the label grid draws 12 to 14.5 px)
FIRST_FRAME = look.FRAME  # a fresh layout is fitted to the snapshot's frame


def box(label: str | None, size: float) -> Box:
    """The room a node gets: its shape (a circle of ``size``) and its label beneath, as the snapshot's.

    >>> box("Fog 47", 10).bottom > box(None, 10).bottom == 10
    True
    """
    text = look.label(label) if label else ""
    return look.box(text, "dot", size, LABEL_FONT, full=bool(text))


def place(
    positions: Mapping[str, tuple[float, float]],
    nodes: Sequence[str],
    ties: Sequence[tuple[str, str]],
    *,
    labels: Mapping[str, str] | None = None,
    sizes: Mapping[str, float] | None = None,
) -> dict:
    """Positions for ``nodes``, every node of ``positions`` held where it is (ties naming neither left out).

    >>> out = place({"a": (0.0, 0.0)}, ["b", "c"], [("a", "b"), ("b", "c")], labels={"b": "Bee"})
    >>> sorted(out["positions"]), out["held"], out["overlaps"]
    (['b', 'c'], 1, 0)
    >>> out["positions"] == place({"a": (0.0, 0.0)}, ["b", "c"], [("b", "a"), ("c", "b")], labels={"b": "Bee"})[
    ...     "positions"
    ... ]
    True
    >>> out["positions"] == place({"a": (0.0, 0.0)}, ["c", "b"], [("a", "b"), ("b", "c")], labels={"b": "Bee"})[
    ...     "positions"
    ... ]
    True
    """
    started = time.perf_counter()
    labels = labels or {}
    sizes = sizes or {}
    # Each once (one on screen stays there), sorted as the held ones are: the same nodes in any order (the API
    # and Neo4j give no order) get the same answer.
    fresh = sorted({n for n in nodes if n not in positions})
    ids = sorted(positions) + fresh  # held first, in a fixed order: the same request, the same answer
    index = {n: i for i, n in enumerate(ids)}
    pairs = sorted(
        {(min(index[a], index[b]), max(index[a], index[b])) for a, b in ties if a != b and a in index and b in index}
    )
    boxes = [box(labels.get(n), sizes.get(n, DEFAULT_SIZE)) for n in ids]
    held = {index[n]: (float(x), float(y)) for n, (x, y) in positions.items()}
    out = layout_around(len(ids), pairs, held, boxes=boxes, frame=None if held else FIRST_FRAME)
    placed = {n: list(out.positions[index[n]]) for n in nodes}
    return {
        "positions": placed,
        "held": len(held),
        "overlaps": max(out.overlaps, 0),
        "elapsed_ms": round((time.perf_counter() - started) * 1000, 1),
    }
