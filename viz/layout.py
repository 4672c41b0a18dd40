"""Node positions computed once, in Python, so the page never runs a physics simulation.

Two steps, each what a well-kept tool does best (bench/bench_layout.py measured the candidates
side by side: README "Pictures a reader can read"):

1. **Placement**: igraph's Fruchterman-Reingold (its grid variant on big components, with
   as many iterations as a work budget allows), drawn from a ``random.Random`` we seed, so
   the same graph always gets the same positions. Graphviz's sfdp gave similar pictures but
   took 19 s on 10,000 entities (igraph: under a second), and igraph is already the
   analysis backend: no new dependency.
2. **Overlap removal on what the page draws**: every node is a box (its shape plus its label,
   :class:`Box`). The drawing is first scaled until the boxes take a fixed share of its area
   (Graphviz's ``overlap=scale``), then pairs still overlapping are pushed apart along their
   shallower axis, half each way (Gephi's Noverlap), until none is left or the work budget
   runs out (10,000 entities: the page then draws labels only when zoomed in).

Connected components are packed in rows, largest first; entities tied to nothing (and pairs
tied only to each other) go in a block beneath them, which :class:`Layout` reports so the
page can caption it.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from graph.analysis.backend import seeded, simple_graph

# Placement: Fruchterman-Reingold iterations, as many as fit WORK (iterations x (nodes + ties)),
# between MIN_ITERATIONS and MAX_ITERATIONS.
WORK = 2_000_000
MIN_ITERATIONS = 60
MAX_ITERATIONS = 500
GRID_ABOVE = 300  # igraph's grid approximation above this many nodes (exact repulsion below)
# Overlap removal: the boxes take at most DENSITY of the drawing's area before the pushing starts;
# pushing stops when no pair overlaps or after PUSH_WORK box-pair checks.
DENSITY = 0.22
PUSH_WORK = 600_000
PUSH_BELOW = 3000  # components bigger than this are only spread, never pushed
LARGE_DENSITY = 0.08  # the density of components bigger than FIT_BELOW
MAX_PUSHES = 150
PAD = 5.0  # space kept between two boxes, in drawing units (the label grid needs a little)
DETACHED = 2  # components this small go in the block beneath, under a caption
# Fitting the frame: the largest component is stretched at most STRETCH times towards the frame's shape,
# then, up to FIT_BELOW nodes, drawn closer and pushed apart again up to FIT_ROUNDS times.
STRETCH = 1.6
FIT_BELOW = 400
FIT_ROUNDS = 80
CHECKS = 0  # box pairs compared so far (the work budget counts them: the same work on any machine)
SWEEP_BELOW = 2000  # overlap tests by a sweep along x up to this many boxes, by a grid above


@dataclass(frozen=True)
class Box:
    """What a node covers around its position (drawing units): its shape plus its drawn label.

    >>> Box.around(10).right, Box(-50, -10, 50, 30).width
    (10, 100)
    """

    left: float
    top: float
    right: float
    bottom: float

    @classmethod
    def around(cls, r: float) -> Box:
        return cls(-r, -r, r, r)

    @property
    def width(self) -> float:
        return self.right - self.left

    @property
    def height(self) -> float:
        return self.bottom - self.top


@dataclass
class Layout:
    """Positions of nodes ``0..n-1``, where the block of detached entities starts, and what is left over.

    ``detached``: the nodes placed in the block beneath the rest (their own components of at most
    DETACHED nodes), ``caption_at``: the top left corner of that block (None when there is none or
    nothing else), ``overlaps``: pairs of boxes still overlapping (0 unless the work budget ran out; -1: not
    measured, for a component of more than PUSH_BELOW nodes, which is spread out but never pushed apart).
    """

    positions: list[tuple[float, float]]
    detached: list[int] = field(default_factory=list)
    caption_at: tuple[float, float] | None = None
    overlaps: int = 0


def layout(
    n: int,
    pairs: Iterable[tuple[int, int]],
    *,
    boxes: Sequence[Box] | None = None,
    frame: tuple[float, float] | None = None,
    seed: int = 1,
    density: float = DENSITY,
    push_work: int = PUSH_WORK,
) -> Layout:
    """Positions of nodes ``0..n-1`` tied by ``pairs`` (direction, loops and repeats ignored), no boxes overlapping.

    ``boxes``: what each node covers (default: a circle of radius 12 each). ``frame``: (width, height)
    of the screen area the drawing should fit at 1:1: the largest component is stretched to its
    shape and, up to FIT_BELOW nodes, drawn as tightly as its boxes allow to come close to its size.

    >>> out = layout(3, [(0, 1), (1, 2)], boxes=[Box(-60, -10, 60, 30)] * 3)
    >>> len(out.positions), out.overlaps, out.detached
    (3, 0, [])
    >>> out.positions == layout(3, [(1, 0), (2, 1)], boxes=[Box(-60, -10, 60, 30)] * 3).positions
    True

    Entities tied to nothing else go beneath the rest (when there is a rest):

    >>> layout(5, [(0, 1), (1, 2)]).detached, layout(2, []).detached
    ([3, 4], [])
    """
    boxes = list(boxes) if boxes is not None else [Box.around(12)] * n
    if len(boxes) != n:
        raise ValueError(f"{len(boxes)} boxes for {n} nodes")
    g = simple_graph(n, [(a, b) for a, b in pairs], directed=False)
    comps = sorted((sorted(c) for c in g.connected_components()), key=lambda c: (-len(c), c[0]))
    main = [c for c in comps if len(c) > DETACHED]
    rest = [c for c in comps if len(c) <= DETACHED]
    placed = []
    overlaps = 0
    unmeasured = False
    budget = [push_work]  # shared by every component, in box and pair visits: the same work whatever the machine
    if frame and rest and main:  # the block beneath takes its share of the frame
        scratch: list[tuple[float, float]] = [(0.0, 0.0)] * n
        below = _grid(rest, boxes, scratch, top=0.0, width=frame[0]) + 14 * PAD
        frame = (frame[0], max(frame[1] - below, frame[1] / 2))
    for k, comp in enumerate(main):
        xs, ys = _place(g, comp, seed)
        cb = [boxes[i] for i in comp]
        if frame and k == 0:
            _stretch(xs, ys, frame[0] / frame[1])
        big = len(comp) > PUSH_BELOW
        # A drawing too big for the screen is spread more thinly: the pushing then converges within its budget.
        _scale_to_density(xs, ys, cb, density if len(comp) <= FIT_BELOW else LARGE_DENSITY)
        if big:  # no pushing: a single overlap test of 10,000 boxes takes most of a second
            unmeasured = True
        else:
            overlaps += _push_apart(xs, ys, cb, budget=budget)
        if frame and k == 0 and len(comp) <= FIT_BELOW:
            overlaps = _fit(xs, ys, cb, frame, budget=budget)
        placed.append((comp, xs, ys))
    pos: list[tuple[float, float]] = [(0.0, 0.0)] * n
    bottom = _pack(placed, boxes, pos)
    width = max(_extent(pos, main), frame[0] if frame else 600.0)
    caption_at = (0.0, bottom + 6 * PAD) if placed and rest else None
    _grid(rest, boxes, pos, top=bottom + 14 * PAD if placed else 0.0, width=width)
    detached = [i for c in rest for i in c] if placed else []
    return Layout([(round(x, 1), round(y, 1)) for x, y in pos], detached, caption_at, -1 if unmeasured else overlaps)


# -- 1. placement --------------------------------------------------------------------------


def _place(g, comp: list[int], seed: int) -> tuple[list[float], list[float]]:
    """igraph's Fruchterman-Reingold on one component, seeded; unit-free coordinates."""
    m = len(comp)
    if m == 1:
        return [0.0], [0.0]
    sub = g.induced_subgraph(comp)  # vertex k of sub is comp[k]: induced_subgraph keeps the order
    iters = max(MIN_ITERATIONS, min(MAX_ITERATIONS, WORK // (m + sub.ecount())))
    # A start on a sunflower spiral, best-connected first: a fixed start whatever the random draws.
    start = None
    if m <= GRID_ABOVE:  # big ones start at random (seeded): igraph's grid settles that quicker
        order = sorted(range(m), key=lambda k: (-sub.degree(k), k))
        start = [(0.0, 0.0)] * m
        golden = math.pi * (3 - math.sqrt(5))
        for q, k in enumerate(order):
            r = math.sqrt(q + 0.5)
            start[k] = (r * math.cos(q * golden), r * math.sin(q * golden))
    with seeded(seed):
        coords = sub.layout_fruchterman_reingold(seed=start, niter=iters, grid=m > GRID_ABOVE)
    return [c[0] for c in coords], [c[1] for c in coords]


def _stretch(xs: list[float], ys: list[float], aspect: float) -> None:
    """Stretch the drawing along one axis, at most STRETCH times, towards the width/height ``aspect``."""
    w = max(xs) - min(xs)
    h = max(ys) - min(ys)
    if w <= 0 or h <= 0:
        return
    f = min(STRETCH, max(1 / STRETCH, aspect / (w / h)))
    if f >= 1:
        xs[:] = [x * f for x in xs]
    else:
        ys[:] = [y / f for y in ys]


def _fit(xs: list[float], ys: list[float], boxes: list[Box], frame: tuple[float, float], *, budget: list[int]) -> int:
    """Draw the boxes closer together until the drawing fits ``frame`` (or can come no closer), none overlapping.

    Each round pulls every node a little towards the centre, each axis on its own (the pushing
    tends to stack wide labels: this brings back the frame's shape), then pushes overlapping
    boxes apart once; a last pushing removes what overlaps. Returns the pairs still overlapping.
    """
    m = len(xs)
    for _ in range(FIT_ROUNDS):
        if budget[0] < PUSH_WORK / 4:  # keep a quarter for the last pushing
            break
        x0 = min(xs[i] + boxes[i].left for i in range(m))
        x1 = max(xs[i] + boxes[i].right for i in range(m))
        y0 = min(ys[i] + boxes[i].top for i in range(m))
        y1 = max(ys[i] + boxes[i].bottom for i in range(m))
        sx, sy = min(1.0, frame[0] / (x1 - x0)), min(1.0, frame[1] / (y1 - y0))
        if min(sx, sy) >= 0.99:
            break
        sx, sy = max(sx, 0.97), max(sy, 0.97)
        cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
        for i in range(m):
            xs[i] = cx + (xs[i] - cx) * sx
            ys[i] = cy + (ys[i] - cy) * sy
        _push_apart(xs, ys, boxes, budget=budget, rounds=2)
    return _push_apart(xs, ys, boxes, budget=budget)


# -- 2. overlap removal --------------------------------------------------------------------


def _scale_to_density(xs: list[float], ys: list[float], boxes: list[Box], density: float) -> None:
    """Scale about the centre so the boxes cover ``density`` of the drawing's bounding area (shape kept)."""
    m = len(xs)
    if m < 2:
        return
    cx, cy = sum(xs) / m, sum(ys) / m
    # a drawing in a line (a path of three) counts as a third as tall as it is long: its scale stays sane
    d = max(max(xs) - min(xs), max(ys) - min(ys), 1e-9)
    w = max(max(xs) - min(xs), d / 3)
    h = max(max(ys) - min(ys), d / 3)
    need = sum((b.width + PAD) * (b.height + PAD) for b in boxes) / density
    s = math.sqrt(need / (w * h))
    for i in range(m):
        xs[i] = cx + (xs[i] - cx) * s
        ys[i] = cy + (ys[i] - cy) * s


def _overlapping(xs, ys, boxes: list[Box]) -> list[tuple[int, int, float, float]]:
    """Pairs of boxes that overlap (with PAD between them), with their overlap along x and y.

    Boxes are bucketed in a grid of cells about one median box wide, so the cost is about
    linear in the number of boxes.
    """
    m = len(xs)
    if m <= SWEEP_BELOW:
        return _overlapping_sweep(xs, ys, boxes)
    ws = sorted(b.width for b in boxes)
    hs = sorted(b.height for b in boxes)
    cw = ws[m // 2] + PAD
    ch = hs[m // 2] + PAD
    cells: dict[tuple[int, int], list[int]] = {}
    for i in range(m):
        b = boxes[i]
        x0, x1 = int((xs[i] + b.left) // cw), int((xs[i] + b.right + PAD) // cw)
        y0, y1 = int((ys[i] + b.top) // ch), int((ys[i] + b.bottom + PAD) // ch)
        for cx in range(x0, x1 + 1):
            for cy in range(y0, y1 + 1):
                cells.setdefault((cx, cy), []).append(i)
    seen: set[tuple[int, int]] = set()
    out = []
    global CHECKS
    for members in cells.values():
        if len(members) < 2:
            continue
        CHECKS += len(members) * (len(members) - 1) // 2
        for p in range(len(members)):
            i = members[p]
            bi = boxes[i]
            li, ri, ti, di = xs[i] + bi.left, xs[i] + bi.right, ys[i] + bi.top, ys[i] + bi.bottom
            for q in range(p + 1, len(members)):
                j = members[q]
                bj = boxes[j]
                ox = min(ri, xs[j] + bj.right) - max(li, xs[j] + bj.left) + PAD
                if ox <= 0:
                    continue
                oy = min(di, ys[j] + bj.bottom) - max(ti, ys[j] + bj.top) + PAD
                if oy <= 0:
                    continue
                key = (i, j) if i < j else (j, i)
                if key not in seen:
                    seen.add(key)
                    out.append((key[0], key[1], ox, oy))
    out.sort()  # the same order whatever the buckets' order
    return out


def _overlapping_sweep(xs, ys, boxes: list[Box]) -> list[tuple[int, int, float, float]]:
    """As :func:`_overlapping`, by a sweep along x: quicker for a few hundred boxes."""
    m = len(xs)
    L = [xs[i] + boxes[i].left for i in range(m)]
    R = [xs[i] + boxes[i].right + PAD for i in range(m)]
    T = [ys[i] + boxes[i].top for i in range(m)]
    B = [ys[i] + boxes[i].bottom + PAD for i in range(m)]
    order = sorted(range(m), key=L.__getitem__)
    out = []
    active: list[int] = []
    global CHECKS
    for i in order:
        li = L[i]
        active = [j for j in active if R[j] > li]
        CHECKS += len(active)
        ti, bi, ri = T[i], B[i], R[i]
        for j in active:
            oy = min(bi, B[j]) - max(ti, T[j])
            if oy > 0:
                ox = min(ri, R[j]) - li
                out.append((i, j, ox, oy) if i < j else (j, i, ox, oy))
        active.append(i)
    out.sort()
    return out


def _push_apart(
    xs: list[float],
    ys: list[float],
    boxes: list[Box],
    *,
    budget: list[int],
    rounds: int = MAX_PUSHES,
    held: Sequence[bool] | None = None,
) -> int:
    """Push overlapping boxes apart until none overlap (Noverlap); returns the pairs still overlapping.

    ``held``: boxes that never move (a pair of them is left as it is; the other box of a pair with one
    takes the whole way out).
    """
    m = len(xs)
    if m < 2:
        return 0
    for _ in range(rounds):
        before = CHECKS
        pairs = _overlapping(xs, ys, boxes)
        if held is not None:
            pairs = [p for p in pairs if not (held[p[0]] and held[p[1]])]
        budget[0] -= m + CHECKS - before
        if not pairs or budget[0] <= 0:
            return len(pairs)
        dx = [0.0] * m
        dy = [0.0] * m
        for i, j, ox, oy in pairs:
            # box centres, not node positions: a label hanging below counts
            bi, bj = boxes[i], boxes[j]
            ddx = (xs[j] + (bj.left + bj.right) / 2) - (xs[i] + (bi.left + bi.right) / 2)
            ddy = (ys[j] + (bj.top + bj.bottom) / 2) - (ys[i] + (bi.top + bi.bottom) / 2)
            # each moves half the way out; one held still leaves the whole way to the other
            fi, fj = (
                (1.0, 1.0)
                if held is None
                else (0.0 if held[i] else 2.0 if held[j] else 1.0, 0.0 if held[j] else 2.0 if held[i] else 1.0)
            )
            if ox < oy:  # the shallower way out
                s = (1 if ddx > 0 or (ddx == 0 and i < j) else -1) * (ox / 2 + 2.0)
                dx[i] -= s * fi
                dx[j] += s * fj
            else:
                s = (1 if ddy > 0 or (ddy == 0 and i < j) else -1) * (oy / 2 + 2.0)
                dy[i] -= s * fi
                dy[j] += s * fj
        for i in range(m):
            xs[i] += dx[i]
            ys[i] += dy[i]
    pairs = _overlapping(xs, ys, boxes)
    return len(pairs if held is None else [p for p in pairs if not (held[p[0]] and held[p[1]])])


# -- 3. packing ----------------------------------------------------------------------------


def _bounds(comp, xs, ys, boxes) -> tuple[float, float, float, float]:
    return (
        min(xs[k] + boxes[i].left for k, i in enumerate(comp)),
        min(ys[k] + boxes[i].top for k, i in enumerate(comp)),
        max(xs[k] + boxes[i].right for k, i in enumerate(comp)),
        max(ys[k] + boxes[i].bottom for k, i in enumerate(comp)),
    )


def _pack(placed, boxes: list[Box], pos: list[tuple[float, float]]) -> float:
    """Components in rows, largest first, rows about as wide as the largest; returns the bottom edge."""
    gap = 10 * PAD
    frames = [_bounds(comp, xs, ys, boxes) for comp, xs, ys in placed]
    if not frames:
        return 0.0
    area = sum((x1 - x0 + gap) * (y1 - y0 + gap) for x0, y0, x1, y1 in frames)
    row_width = max(frames[0][2] - frames[0][0], math.sqrt(area))
    cx = cy = row_h = 0.0
    for (comp, xs, ys), (x0, y0, x1, y1) in zip(placed, frames, strict=True):
        w, h = x1 - x0, y1 - y0
        if cx > 0 and cx + w > row_width:
            cx, cy, row_h = 0.0, cy + row_h + gap, 0.0
        for k, i in enumerate(comp):
            pos[i] = (cx + xs[k] - x0, cy + ys[k] - y0)
        cx += w + gap
        row_h = max(row_h, h)
    return cy + row_h


def _extent(pos, comps) -> float:
    xs = [pos[i][0] for c in comps for i in c]
    return max(xs) - min(xs) if xs else 0.0


def _grid(
    comps: list[list[int]], boxes: list[Box], pos: list[tuple[float, float]], *, top: float, width: float
) -> float:
    """Small components side by side in rows, each pair's second node beneath its first; returns the height."""
    x = 0.0
    y = top
    row_h = 0.0
    for comp in comps:
        w = max(boxes[i].width for i in comp) + 3 * PAD
        h = sum(boxes[i].height + 3 * PAD for i in comp)
        if x > 0 and x + w > width:
            x, y, row_h = 0.0, y + row_h, 0.0
        yy = y
        for i in comp:
            b = boxes[i]
            pos[i] = (x - b.left, yy - b.top)
            yy += b.height + 3 * PAD
        x += w
        row_h = max(row_h, h)
    return y + row_h - top


# -- 4. placing new nodes around a drawing that stays ---------------------------------------

# The explorer adds nodes to what the analyst arranged: those on screen are held where they are, the
# new ones placed by the same Fruchterman-Reingold (held vertices get equal lower and upper bounds:
# igraph's per-vertex minx/maxx/miny/maxy) and the same overlap removal, moving only the new ones.
AROUND_ITERATIONS = 150
AROUND_WORK = 600_000  # iterations x (nodes + ties) of one placement, at most
AROUND_REACH = 4.0  # held nodes farther than this many units from every new node's start take no part
DEFAULT_UNIT = 150.0  # drawing units between tied nodes when nothing held tells
UNIT_RANGE = (60.0, 400.0)
AROUND_PUSHES = 12  # rounds of pushing; what still overlaps then goes to the nearest free spot


def layout_around(
    n: int,
    pairs: Iterable[tuple[int, int]],
    held: Mapping[int, tuple[float, float]],
    *,
    boxes: Sequence[Box] | None = None,
    seed: int = 1,
    push_work: int = PUSH_WORK,
    frame: tuple[float, float] | None = None,
) -> Layout:
    """Positions of nodes ``0..n-1``: those in ``held`` exactly where they are, the others placed around them.

    Nodes tied (directly or through other new ones) to a held node are placed by Fruchterman-Reingold
    with every held node nearby fixed, starting beside their placed neighbours; the others are laid out
    by :func:`layout` and set beside the drawing. Then new boxes are pushed off every box, held ones
    staying put. The same input gives the same positions. With nothing held, it is :func:`layout`.

    >>> held = {0: (0.0, 0.0), 1: (300.0, 0.0)}
    >>> out = layout_around(4, [(0, 1), (1, 2), (2, 3)], held, boxes=[Box(-40, -12, 40, 30)] * 4)
    >>> out.positions[:2], out.overlaps
    ([(0.0, 0.0), (300.0, 0.0)], 0)
    >>> out.positions == layout_around(4, [(1, 0), (2, 1), (3, 2)], held, boxes=[Box(-40, -12, 40, 30)] * 4).positions
    True
    """
    boxes = list(boxes) if boxes is not None else [Box.around(12)] * n
    if len(boxes) != n:
        raise ValueError(f"{len(boxes)} boxes for {n} nodes")
    held = {i: (float(x), float(y)) for i, (x, y) in held.items() if 0 <= i < n}
    if not held:
        return layout(n, pairs, boxes=boxes, frame=frame, seed=seed, push_work=push_work)
    g = simple_graph(n, [(a, b) for a, b in pairs], directed=False)
    fresh = [i for i in range(n) if i not in held]
    pos: dict[int, tuple[float, float]] = dict(held)
    if not fresh:
        return Layout([pos[i] for i in range(n)])
    unit = _unit(g, held)
    attached, loose = _attached(g, fresh, held)
    overlaps = 0
    if attached:
        start = _starts(g, attached, held, unit)
        _settle(g, start, held, unit, seed=seed)
        pos.update(start)
    if loose:
        pos.update(_beside(g, loose, pos, boxes, seed=seed, push_work=push_work))
    overlaps = _push_off(pos, fresh, held, boxes, unit, budget=[push_work])
    if overlaps:  # boxes boxed in by held ones: each to the nearest free spot on a spiral around it
        overlaps = _free_spots(pos, fresh, held, boxes)
    out = [pos[i] if i in held else (round(pos[i][0], 1), round(pos[i][1], 1)) for i in range(n)]
    return Layout(out, overlaps=overlaps)


def _unit(g, held: Mapping[int, tuple[float, float]]) -> float:
    """The drawing's length of a tie: the median tie between held nodes, else the median distance to the
    nearest held node (of the first 400), else DEFAULT_UNIT; within UNIT_RANGE."""
    lengths = sorted(
        math.dist(held[a], held[b]) for a, b in g.get_edgelist() if a in held and b in held and held[a] != held[b]
    )
    if len(lengths) < 3:
        some = sorted(held)[:400]
        lengths = sorted(
            min(math.dist(held[a], held[b]) for b in some if b != a and held[a] != held[b])
            for a in some
            if any(held[a] != held[b] for b in some if b != a)
        )
    u = lengths[len(lengths) // 2] if lengths else DEFAULT_UNIT
    return min(UNIT_RANGE[1], max(UNIT_RANGE[0], u))


def _attached(g, fresh: list[int], held) -> tuple[list[int], list[int]]:
    """The new nodes tied to a held node (directly or through new ones), and the others."""
    seen = set(held)
    frontier = sorted({j for i in held for j in g.neighbors(i) if j not in seen})
    seen.update(frontier)
    reached = list(frontier)
    while frontier:
        nxt = sorted({j for i in frontier for j in g.neighbors(i) if j not in seen})
        seen.update(nxt)
        reached.extend(nxt)
        frontier = nxt
    got = set(reached)
    return sorted(got), [i for i in fresh if i not in got]


def _starts(g, attached: list[int], held, unit: float) -> dict[int, tuple[float, float]]:
    """Where each new tied node starts: beside its placed neighbours, outwards from the held drawing's
    centre, neighbours of one node spread around it on a sunflower spiral."""
    cx = sum(x for x, _ in held.values()) / len(held)
    cy = sum(y for _, y in held.values()) / len(held)
    golden = math.pi * (3 - math.sqrt(5))
    placed = dict(held)
    todo = set(attached)
    around: dict[int, int] = {}  # anchor -> children started around it so far
    start: dict[int, tuple[float, float]] = {}
    while todo:
        wave = sorted(i for i in todo if any(j in placed for j in g.neighbors(i)))
        for i in wave:
            nbrs = sorted(j for j in g.neighbors(i) if j in placed)
            # the best-connected placed neighbour is the anchor; the others pull the start towards them
            anchor = max(nbrs, key=lambda j: (g.degree(j), -j))
            ax, ay = placed[anchor]
            q = around.get(anchor, 0)
            around[anchor] = q + 1
            away = math.atan2(ay - cy, ax - cx) if (ax, ay) != (cx, cy) else 0.0
            a = away + q * golden
            r = unit * (1.0 + 0.25 * math.sqrt(q))
            x, y = ax + r * math.cos(a), ay + r * math.sin(a)
            if len(nbrs) > 1:
                mx = sum(placed[j][0] for j in nbrs) / len(nbrs)
                my = sum(placed[j][1] for j in nbrs) / len(nbrs)
                x, y = (x + mx) / 2, (y + my) / 2
            start[i] = placed[i] = (x, y)
        todo.difference_update(wave)
    return start


def _settle(g, start: dict[int, tuple[float, float]], held, unit: float, *, seed: int) -> None:
    """Fruchterman-Reingold on the new nodes and the held ones near them (held fixed), in place on ``start``."""
    xs = [p[0] for p in start.values()]
    ys = [p[1] for p in start.values()]
    reach = AROUND_REACH * unit
    x0, x1, y0, y1 = min(xs) - reach, max(xs) + reach, min(ys) - reach, max(ys) + reach
    near = {i for i, (x, y) in held.items() if x0 <= x <= x1 and y0 <= y <= y1}
    near.update(j for i in start for j in g.neighbors(i) if j in held)
    verts = sorted(start) + sorted(near)
    sub = g.induced_subgraph(verts)  # vertex k of sub is verts[k]
    at = {**start, **{i: held[i] for i in near}}
    seed_xy = [(at[v][0] / unit, at[v][1] / unit) for v in verts]
    inf = math.inf
    lo_x = [-inf if v in start else seed_xy[k][0] for k, v in enumerate(verts)]
    lo_y = [-inf if v in start else seed_xy[k][1] for k, v in enumerate(verts)]
    iters = max(MIN_ITERATIONS, min(AROUND_ITERATIONS, AROUND_WORK // (len(verts) + sub.ecount())))
    with seeded(seed):
        coords = sub.layout_fruchterman_reingold(
            seed=seed_xy,
            niter=iters,
            start_temp=1.0,
            grid=True,  # repulsion within two units only: the held drawing far away does not push
            minx=lo_x,
            maxx=[inf if v in start else lo_x[k] for k, v in enumerate(verts)],
            miny=lo_y,
            maxy=[inf if v in start else lo_y[k] for k, v in enumerate(verts)],
        )
    for k, v in enumerate(verts):
        if v in start:
            start[v] = (coords[k][0] * unit, coords[k][1] * unit)


def _beside(g, loose: list[int], pos, boxes: list[Box], *, seed: int, push_work: int) -> dict[int, tuple[float, float]]:
    """The new nodes tied to nothing placed, laid out on their own and set to the right of the drawing."""
    index = {v: k for k, v in enumerate(loose)}
    ties = [(index[a], index[b]) for a, b in g.get_edgelist() if a in index and b in index]
    own = layout(len(loose), ties, boxes=[boxes[v] for v in loose], seed=seed, push_work=push_work)
    right = max(pos[i][0] + boxes[i].right for i in pos)
    top = min(pos[i][1] + boxes[i].top for i in pos)
    ox = right + 10 * PAD - min(own.positions[k][0] + boxes[v].left for k, v in enumerate(loose))
    oy = top - min(own.positions[k][1] + boxes[v].top for k, v in enumerate(loose))
    return {v: (own.positions[k][0] + ox, own.positions[k][1] + oy) for k, v in enumerate(loose)}


def _push_off(pos, fresh: list[int], held, boxes: list[Box], unit: float, *, budget: list[int]) -> int:
    """Push the new boxes off every other box (held ones stay put); returns the pairs still overlapping.

    Only held boxes near the new ones take part; when the pushing carries new boxes towards others,
    those are taken in and the pushing goes on (at most three times).
    """
    reach = 2 * unit + max(b.width for b in boxes)
    left = 0
    before: list[int] | None = None
    for _ in range(3):
        fx = [pos[i][0] for i in fresh]
        fy = [pos[i][1] for i in fresh]
        x0, x1, y0, y1 = min(fx) - reach, max(fx) + reach, min(fy) - reach, max(fy) + reach
        near = sorted(i for i, (x, y) in held.items() if x0 <= x <= x1 and y0 <= y <= y1)
        if near == before:
            break
        verts = fresh + near
        xs = [pos[v][0] for v in verts]
        ys = [pos[v][1] for v in verts]
        still = [False] * len(fresh) + [True] * len(near)
        left = _push_apart(xs, ys, [boxes[v] for v in verts], budget=budget, held=still, rounds=AROUND_PUSHES)
        for k, v in enumerate(fresh):
            pos[v] = (xs[k], ys[k])
        before = near
    return left


def _free_spots(pos, fresh: list[int], held, boxes: list[Box]) -> int:
    """Move each new box that still overlaps another to the nearest spot on a spiral around it where it
    overlaps nothing (held boxes, and new ones already checked); returns the boxes no spot was found for."""
    cell = max(40.0, sorted(b.width for b in boxes)[len(boxes) // 2] + PAD)
    cells: dict[tuple[int, int], list[int]] = {}

    def span(i: int, x: float, y: float):
        b = boxes[i]
        return (
            range(int((x + b.left) // cell), int((x + b.right + PAD) // cell) + 1),
            range(int((y + b.top) // cell), int((y + b.bottom + PAD) // cell) + 1),
        )

    def add(i: int) -> None:
        cx, cy = span(i, *pos[i])
        for a in cx:
            for b in cy:
                cells.setdefault((a, b), []).append(i)

    def free(i: int, x: float, y: float) -> bool:
        b = boxes[i]
        cx, cy = span(i, x, y)
        for a in cx:
            for c in cy:
                for j in cells.get((a, c), ()):
                    bj = boxes[j]
                    xj, yj = pos[j]
                    if (
                        x + b.left < xj + bj.right + PAD
                        and xj + bj.left < x + b.right + PAD
                        and y + b.top < yj + bj.bottom + PAD
                        and yj + bj.top < y + b.bottom + PAD
                    ):
                        return False
        return True

    for i in held:
        add(i)
    golden = math.pi * (3 - math.sqrt(5))
    left = 0
    for i in fresh:
        x, y = pos[i]
        if not free(i, x, y):
            step = max(boxes[i].height, 12.0) / 2
            for q in range(1, 4000):
                r = step * math.sqrt(q) * 1.5
                nx, ny = x + r * math.cos(q * golden), y + r * math.sin(q * golden)
                if free(i, nx, ny):
                    pos[i] = (nx, ny)
                    break
            else:
                left += 1
        add(i)
    return left
