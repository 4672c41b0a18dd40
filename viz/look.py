"""How an entity is drawn in the pages: its size and label size by importance, its label, the box it covers.

One place for the numbers both the layout (:mod:`viz.layout`, which keeps boxes apart) and the
pages (which draw them: the snapshot reads ``size`` and ``font`` from its data block, the
explorer from the API) rely on. Sizes are in drawing units (vis-network scales them with the zoom),
label sizes in px on screen.

Importance is a measure of :mod:`graph.analysis` (degree by default). A node's size grows with
the square root of its value (so its area grows with the value); its label's size with its rank,
so the most important labels are the largest and are read first at any zoom.

Shapes with the label inside (box, ellipse, circle, database, text) would cover their neighbours
with a wide filled box: the pages draw them as a compact symbol (:data:`COMPACT`) with the label
beneath, like every other shape.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from .layout import Box

LINE_CHARS = 18  # labels are wrapped at this many characters a line
LABEL_LINES = 3  # and cut after this many lines
SIZE_MIN, SIZE_MAX = 6.0, 18.0  # node radius, drawing units
FONT_MIN, FONT_MAX = 12.0, 14.5  # label font size, px on screen at any zoom
# Label width per character, as a share of the font size: a little over what system-ui needs for
# mixed-case Latin, Arabic or Cyrillic text, so a measured label never exceeds its box. (0.56 was too
# tight once fitted below 1:1: the grid then draws labels at 11 px, a little larger in drawing units than
# the room kept, and the seed data's "Syrian government recruiting campaign" touched Qamishli.)
CHAR_WIDTH = 0.6
LINE_HEIGHT = 1.25
# Room for the whole label (see box): the top FULL_LABELS_SHARE of the entities, at least
# FULL_LABELS_MIN and at most FULL_LABELS_MAX of them.
FULL_LABELS_SHARE = 0.33
FULL_LABELS_MIN = 30
FULL_LABELS_MAX = 120
# The drawing area of a snapshot on a 1366x768 laptop screen, px: layouts of up to a few hundred
# entities are made to fit it at about 1:1.
FRAME = (1040.0, 600.0)
LABEL_GAP = 2.0  # between a shape and the label beneath it (vis-network's label margin)
# Shapes drawn with their label inside, and the compact symbol the pages draw instead: an image of
# a rounded bar (COMPACT_RATIO wide for 1 high), half as tall as a dot of the same size.
COMPACT = frozenset(("box", "ellipse", "circle", "database", "text"))
COMPACT_RATIO = 1.6
COMPACT_SCALE = 0.7


def label(name: str, *, width: int = LINE_CHARS, lines: int = LABEL_LINES) -> str:
    """The label drawn for ``name``: wrapped at spaces into lines of at most ``width`` characters, at most
    ``lines`` of them, an ellipsis marking a cut (the full name is in the tooltip and the details).
    Wrapped labels keep the boxes the layout must keep apart compact.

    >>> label("Fog 47")
    'Fog 47'
    >>> print(label("Syrian government recruiting campaign (November 2023)"))
    Syrian government
    recruiting
    campaign (Novembe…
    >>> print(label("x" * 60))
    xxxxxxxxxxxxxxxxxx
    xxxxxxxxxxxxxxxxxx
    xxxxxxxxxxxxxxxxx…
    """
    words = name.split()
    out: list[str] = []
    line = ""
    for word in words:
        while len(word) > width:  # a word longer than a line is cut across lines
            if line:
                out.append(line)
                line = ""
            out.append(word[:width])
            word = word[width:]
        if line and len(line) + 1 + len(word) > width:
            out.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    if line:
        out.append(line)
    if len(out) > lines:
        out = out[:lines]
        out[-1] = out[-1][: width - 1] + "…"
    return "\n".join(out)


def scaled(values: Mapping[str, float], ids: Sequence[str]) -> tuple[list[float], list[float]]:
    """Node sizes and label font sizes for ``ids`` from their importance ``values`` (missing: 0).

    >>> sizes, fonts = scaled({"hub": 16, "a": 1, "b": 0}, ["hub", "a", "b"])
    >>> sizes
    [18.0, 9.0, 6.0]
    >>> fonts
    [14.5, 13.2, 12.0]
    """
    vals = [max(0.0, float(values.get(i, 0) or 0)) for i in ids]
    top = max(vals, default=0.0)
    order = sorted(set(vals))
    rank = {v: k / (len(order) - 1) if len(order) > 1 else 1.0 for k, v in enumerate(order)}
    sizes = [round(SIZE_MIN + (SIZE_MAX - SIZE_MIN) * ((v / top) ** 0.5 if top > 0 else 0.0), 1) for v in vals]
    fonts = [round(FONT_MIN + (FONT_MAX - FONT_MIN) * (rank[v] if top > 0 else 0.0), 1) for v in vals]
    return sizes, fonts


def half_extent(shape: str, size: float) -> tuple[float, float]:
    """Half the width and half the height of a shape of ``size`` as the pages draw it.

    >>> half_extent("dot", 10), half_extent("box", 10)
    ((10, 10), (11.2, 7.0))
    """
    if shape in COMPACT:
        h = size * COMPACT_SCALE
        return round(h * COMPACT_RATIO, 1), round(h, 1)
    return size, size


def box(text: str, shape: str, size: float, font: float, *, full: bool) -> Box:
    """The room a node gets around its position: its shape, and (``full``) its label centred beneath it.

    Labels are drawn at ``font`` px on screen whatever the zoom (the pages' label grid), and the
    drawing is made to fit :data:`FRAME` at about 1:1 (:func:`viz.layout.layout`). The most
    important entities (``full``: :func:`full_labels`) get room for their whole label; the others
    for their shape only: at the whole view the grid draws every label that fits, most important
    first, and zooming in spreads the nodes apart so the others appear.

    >>> b = box("Fog 47", "dot", 10, 14, full=True)
    >>> (b.left, b.top, b.right, b.bottom)
    (-25.2, -10, 25.2, 29.5)
    >>> box("Fog 47", "dot", 10, 14, full=False)
    Box(left=-10, top=-10, right=10, bottom=10)
    """
    hw, hh = half_extent(shape, size)
    if not (full and text):
        return Box(-hw, -hh, hw, hh)
    lines = text.split("\n")
    w = max(hw, max(len(t) for t in lines) * font * CHAR_WIDTH / 2)
    return Box(-round(w, 1), -hh, round(w, 1), round(hh + LABEL_GAP + len(lines) * font * LINE_HEIGHT, 1))


def full_labels(n: int) -> int:
    """How many of ``n`` entities (the most important) get room for their whole label.

    >>> full_labels(10), full_labels(91), full_labels(1000)
    (10, 30, 120)
    """
    return min(n, max(FULL_LABELS_MIN, min(FULL_LABELS_MAX, round(n * FULL_LABELS_SHARE))))
