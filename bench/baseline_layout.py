"""The previous home-made layout (viz/layout.py before issue 11), kept as bench/bench_layout.py's baseline.

Copied unchanged from git; not used by actorgraph.
"""

_ORIGINAL_DOC = """Node positions computed once, in Python, so the page never runs a physics simulation.

Pure Python (no numpy) and deterministic: the same graph always gets the same
positions. Each connected component starts from a radial layout of a
breadth-first tree around its best-connected node (every subtree gets a wedge
in proportion to its size, every ring is wide enough for the nodes on it), then
a Fruchterman-Reingold refinement with grid-bucketed repulsion runs for as many
iterations as a fixed work budget allows: hundreds on a curated dataset, a few
on 10,000 entities. Components are then packed in rows, largest first.
"""


import math
from collections.abc import Iterable

# Refinement iterations: MAX_ITERATIONS on small graphs, then SCALE / cost**1.5 (cost = work
# units of one iteration), so the time spent peaks near a second for a few hundred
# entities and falls to about one iteration for 10,000 entities and 50,000 relations.
SCALE = 5e7
MAX_ITERATIONS = 300
SMALL_COMPONENT = 30  # components this small always get a proper refinement
# A component too big for enough refinement iterations is drawn as a galaxy instead.
GALAXY_BELOW = 40
GALAXY_NODES = 200
GOLDEN_ANGLE = math.pi * (3 - math.sqrt(5))


def layout(
    n: int, pairs: Iterable[tuple[int, int]], edge_length: float = 150.0, scale: float = SCALE
) -> list[tuple[float, float]]:
    """Positions of nodes ``0..n-1`` linked by ``pairs`` (direction, loops and repeats ignored)."""
    nbrs: list[set[int]] = [set() for _ in range(n)]
    for a, b in pairs:
        if a != b:
            nbrs[a].add(b)
            nbrs[b].add(a)
    adj = [sorted(s) for s in nbrs]
    comps = _components(adj)
    total_cost = sum(_cost(c, adj) for c in comps if len(c) > 3) or 1
    shared_iters = min(MAX_ITERATIONS, int(scale / total_cost**1.5))
    placed = []
    for comp in comps:
        iters = shared_iters if len(comp) > SMALL_COMPONENT else max(shared_iters, 60)
        if len(comp) > GALAXY_NODES and iters < GALAXY_BELOW:
            xs, ys = _galaxy(comp, adj, edge_length)
        else:
            xs, ys = _radial(comp, adj, edge_length)
            if len(comp) > 3:
                _refine(comp, adj, xs, ys, edge_length, iters)
        placed.append((comp, xs, ys))
    return _pack(n, placed, edge_length)


def _cost(comp: list[int], adj: list[list[int]]) -> int:
    # One refinement iteration: a few neighbour-cell visits per node plus every edge.
    return 6 * len(comp) + sum(len(adj[i]) for i in comp) // 2


def _components(adj: list[list[int]]) -> list[list[int]]:
    seen = [False] * len(adj)
    comps = []
    for start in range(len(adj)):
        if seen[start]:
            continue
        seen[start] = True
        comp = [start]
        for i in comp:  # grows while iterating: a breadth-first search
            for j in adj[i]:
                if not seen[j]:
                    seen[j] = True
                    comp.append(j)
        comps.append(comp)
    comps.sort(key=lambda c: (-len(c), c[0]))
    return comps


def _radial(comp: list[int], adj: list[list[int]], L: float) -> tuple[list[float], list[float]]:
    """Breadth-first tree from the best-connected node, subtrees in wedges, rings sized to fit."""
    m = len(comp)
    local = {g: i for i, g in enumerate(comp)}
    root = min(range(m), key=lambda i: (-len(adj[comp[i]]), comp[i]))
    parent = [-1] * m
    depth = [0] * m
    seen = [False] * m
    seen[root] = True
    order = [root]
    children: list[list[int]] = [[] for _ in range(m)]
    for i in order:
        for g in adj[comp[i]]:
            j = local[g]
            if not seen[j]:
                seen[j] = True
                parent[j] = i
                depth[j] = depth[i] + 1
                children[i].append(j)
                order.append(j)
    size = [1] * m
    for i in reversed(order):
        if parent[i] >= 0:
            size[parent[i]] += size[i]
    # Ring radii: at least one edge length apart, and long enough for the ring's nodes.
    per_ring: dict[int, int] = {}
    for d in depth:
        per_ring[d] = per_ring.get(d, 0) + 1
    radius = [0.0] * (max(per_ring) + 1)
    for d in range(1, len(radius)):
        radius[d] = max(radius[d - 1] + L, per_ring[d] * L * 0.5 / (2 * math.pi))
    start = [0.0] * m
    span = [0.0] * m
    span[root] = 2 * math.pi
    xs = [0.0] * m
    ys = [0.0] * m
    for i in order:
        a = start[i]
        for j in children[i]:
            start[j] = a
            span[j] = span[i] * size[j] / (size[i] - 1)
            a += span[j]
        if i != root:
            theta = start[i] + span[i] / 2
            r = radius[depth[i]]
            xs[i] = r * math.cos(theta)
            ys[i] = r * math.sin(theta)
    return xs, ys


def _galaxy(comp: list[int], adj: list[list[int]], L: float) -> tuple[list[float], list[float]]:
    """Clusters around the best-connected nodes, the clusters laid out by force, members in spirals.

    The hubs (about sqrt(n)/2 best-connected nodes) share the component by a breadth-first
    search from all of them at once; each cluster is a sunflower spiral around its hub, the
    nearest members innermost, and the hubs are placed by a small force layout where
    clusters that share many relations attract and every two clusters repel by their size.
    Linear in nodes and edges, plus a force layout on a few dozen hubs.
    """
    m = len(comp)
    local = {g: i for i, g in enumerate(comp)}
    ladj = [[local[g] for g in adj[gi]] for gi in comp]
    deg = [len(a) for a in ladj]
    k = max(8, min(50, int(math.sqrt(m) / 2)))
    hubs = sorted(range(m), key=lambda i: (-deg[i], comp[i]))[:k]
    owner = [-1] * m
    dist = [0] * m
    queue = []
    for h, i in enumerate(hubs):
        owner[i] = h
        queue.append(i)
    for i in queue:  # multi-source breadth-first search, bigger hubs first on ties
        for j in ladj[i]:
            if owner[j] < 0:
                owner[j] = owner[i]
                dist[j] = dist[i] + 1
                queue.append(j)
    members: list[list[int]] = [[] for _ in hubs]
    for i in queue:  # breadth-first order: nearest members first
        members[owner[i]].append(i)
    links: dict[tuple[int, int], int] = {}
    for i in range(m):
        oi = owner[i]
        for j in ladj[i]:
            oj = owner[j]
            if oi < oj:
                links[(oi, oj)] = links.get((oi, oj), 0) + 1
    spacing = 0.35 * L
    radius = [spacing * math.sqrt(len(ms)) + L for ms in members]
    # Hubs: start on a spiral (biggest at the centre), then a few rounds of forces.
    hx = [0.0] * k
    hy = [0.0] * k
    for h in range(k):
        r = 2 * radius[0] * math.sqrt(h)
        hx[h], hy[h] = r * math.cos(h * GOLDEN_ANGLE), r * math.sin(h * GOLDEN_ANGLE)
    top = max(links.values(), default=1)
    weighted = [(a, b, 0.2 + math.log1p(w) / math.log1p(top)) for (a, b), w in sorted(links.items())]
    iters = 60
    t0 = radius[0]
    for it in range(iters):
        t = t0 * (1 - it / iters) + 1.0
        dx = [0.0] * k
        dy = [0.0] * k
        for a in range(k):
            for b in range(a + 1, k):
                ddx = hx[a] - hx[b]
                ddy = hy[a] - hy[b]
                d2 = ddx * ddx + ddy * ddy + 1.0
                want = radius[a] + radius[b]
                f = want * want / d2
                dx[a] += ddx * f
                dy[a] += ddy * f
                dx[b] -= ddx * f
                dy[b] -= ddy * f
        for a, b, w in weighted:
            ddx = hx[a] - hx[b]
            ddy = hy[a] - hy[b]
            f = w * math.sqrt(ddx * ddx + ddy * ddy) / (radius[a] + radius[b])
            dx[a] -= ddx * f
            dy[a] -= ddy * f
            dx[b] += ddx * f
            dy[b] += ddy * f
        for a in range(k):  # a little gravity keeps unlinked clusters close
            dx[a] -= hx[a] * 0.05
            dy[a] -= hy[a] * 0.05
            d = math.sqrt(dx[a] * dx[a] + dy[a] * dy[a])
            s = min(d, t) / d if d > 0 else 0.0
            hx[a] += dx[a] * s
            hy[a] += dy[a] * s
    xs = [0.0] * m
    ys = [0.0] * m
    for h, ms in enumerate(members):
        for q, i in enumerate(ms):  # q = 0 is the hub itself, at the centre
            r = spacing * math.sqrt(q)
            xs[i] = hx[h] + r * math.cos(q * GOLDEN_ANGLE)
            ys[i] = hy[h] + r * math.sin(q * GOLDEN_ANGLE)
    return xs, ys


def _refine(comp: list[int], adj: list[list[int]], xs: list[float], ys: list[float], k: float, iters: int) -> None:
    """Fruchterman-Reingold on a grid: repulsion from the nodes of the 3x3 cells around a node.

    A crowded cell repels as one mass at its centroid, so an iteration costs
    O(nodes + edges) however dense the drawing gets.
    """
    m = len(comp)
    if iters <= 0:
        return
    local = {g: i for i, g in enumerate(comp)}
    ea = []
    eb = []
    for i, gi in enumerate(comp):
        for g in adj[gi]:
            j = local[g]
            if j > i:
                ea.append(i)
                eb.append(j)
    edges = list(zip(ea, eb, strict=False))
    k2 = k * k
    cell = 2 * k
    reach2 = cell * cell
    sqrt = math.sqrt
    extent = max(max(xs) - min(xs), max(ys) - min(ys), k)
    t0 = max(extent / 10, k)
    for it in range(iters):
        t = t0 * (1 - it / iters) + k * 0.05
        dx = [0.0] * m
        dy = [0.0] * m
        keys = [(int(xs[i] // cell), int(ys[i] // cell)) for i in range(m)]
        members: dict[tuple[int, int], list[int]] = {}
        for i, key in enumerate(keys):
            members.setdefault(key, []).append(i)
        mass = {
            key: (len(ms), sum(xs[i] for i in ms) / len(ms), sum(ys[i] for i in ms) / len(ms))
            for key, ms in members.items()
        }
        for key, ms in members.items():
            cx, cy = key
            around = [
                mass[c]
                for c in (
                    (cx - 1, cy - 1),
                    (cx, cy - 1),
                    (cx + 1, cy - 1),
                    (cx - 1, cy),
                    (cx + 1, cy),
                    (cx - 1, cy + 1),
                    (cx, cy + 1),
                    (cx + 1, cy + 1),
                )
                if c in mass
            ]
            crowded = len(ms) > 12
            cnt, mx, my = mass[key]
            for i in ms:
                xi, yi = xs[i], ys[i]
                fx = fy = 0.0
                for c, ox, oy in around:
                    ddx = xi - ox
                    ddy = yi - oy
                    d2 = ddx * ddx + ddy * ddy
                    if d2 < reach2:
                        f = c * k2 / (d2 + 1.0)
                        fx += ddx * f
                        fy += ddy * f
                if crowded:
                    # The rest of the cell as one mass; the offset by index spreads coincident nodes.
                    ddx = xi - (mx * cnt - xi) / (cnt - 1) + 0.01 * (i % 13 - 6)
                    ddy = yi - (my * cnt - yi) / (cnt - 1) + 0.01 * (i % 11 - 5)
                    f = (cnt - 1) * k2 / (ddx * ddx + ddy * ddy + 1.0)
                    fx += ddx * f
                    fy += ddy * f
                else:
                    for j in ms:
                        if j != i:
                            ddx = xi - xs[j]
                            ddy = yi - ys[j]
                            d2 = ddx * ddx + ddy * ddy
                            if d2 < 1e-6:  # coincident: part along a direction fixed by the indices
                                ddx, ddy, d2 = (i - j) * 0.1, 0.1, 0.02 + (i - j) * (i - j) * 0.01
                            f = k2 / d2
                            fx += ddx * f
                            fy += ddy * f
                dx[i] += fx
                dy[i] += fy
        for a, b in edges:
            ddx = xs[a] - xs[b]
            ddy = ys[a] - ys[b]
            f = sqrt(ddx * ddx + ddy * ddy) / k
            ddx *= f
            ddy *= f
            dx[a] -= ddx
            dy[a] -= ddy
            dx[b] += ddx
            dy[b] += ddy
        for i in range(m):
            ddx, ddy = dx[i], dy[i]
            d = sqrt(ddx * ddx + ddy * ddy)
            if d > t:
                s = t / d
                xs[i] += ddx * s
                ys[i] += ddy * s
            else:
                xs[i] += ddx
                ys[i] += ddy


def _pack(n: int, placed, L: float) -> list[tuple[float, float]]:
    """The largest component first, then the others in rows beneath it, largest first."""
    boxes = []
    for _comp, xs, ys in placed:
        x0, y0 = min(xs), min(ys)
        boxes.append((max(xs) - x0 + 1.5 * L, max(ys) - y0 + 1.5 * L, x0, y0))
    area = sum(w * h for w, h, _, _ in boxes[1:])
    row_width = max(boxes[0][0] if boxes else 0.0, math.sqrt(area))
    pos: list[tuple[float, float]] = [(0.0, 0.0)] * n
    cx = cy = row_h = 0.0
    for (comp, xs, ys), (w, h, x0, y0) in zip(placed, boxes, strict=False):
        if cx > 0 and cx + w > row_width:
            cx, cy, row_h = 0.0, cy + row_h, 0.0
        for i, g in enumerate(comp):
            pos[g] = (round(cx + xs[i] - x0, 1), round(cy + ys[i] - y0, 1))
        cx += w
        row_h = max(row_h, h)
    return pos
