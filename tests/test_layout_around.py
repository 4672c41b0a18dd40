"""viz.layout.layout_around: new nodes placed around a drawing that stays (the explorer's POST /api/place).

What the analyst arranged never moves, by a single unit; the new boxes overlap nothing; the same input
gives the same positions; and a placement beside 2,000 nodes on screen stays well under a second of work.
"""

from __future__ import annotations

import math
import random
import time

import pytest

from viz.layout import Box, _overlapping, layout, layout_around

BOX = Box(-45, -12, 45, 32)  # a dot with a two-word label beneath


def scale_free(n: int, seed: int = 3) -> list[tuple[int, int]]:
    """A hub-heavy graph like the data's: each new node ties to two earlier ones, the well tied likelier."""
    rnd = random.Random(seed)
    ends = [0, 1]
    pairs = [(0, 1)]
    for v in range(2, n):
        for _ in range(2):
            u = rnd.choice(ends)
            pairs.append((u, v))
            ends += [u, v]
    return pairs


def arranged(n: int):
    pairs = scale_free(n)
    base = layout(n, pairs, boxes=[BOX] * n)
    return pairs, {i: base.positions[i] for i in range(n)}


def new_overlaps(positions, boxes, first_new: int) -> list:
    xs = [p[0] for p in positions]
    ys = [p[1] for p in positions]
    return [p for p in _overlapping(xs, ys, boxes) if p[0] >= first_new or p[1] >= first_new]


@pytest.mark.parametrize("n", [30, 300])
def test_held_nodes_stay_and_new_ones_overlap_nothing(n):
    pairs, held = arranged(n)
    hub = max(range(n), key=lambda i: sum(i in p for p in pairs))
    new = [(hub, n + k) for k in range(40)] + [(n + k, n + k + 1) for k in range(0, 38, 5)] + [(3, n + 40)]
    boxes = [BOX] * (n + 41)
    out = layout_around(n + 41, pairs + new, held, boxes=boxes)
    assert out.positions[:n] == [held[i] for i in range(n)]
    assert out.overlaps == 0 and new_overlaps(out.positions, boxes, n) == []
    assert all(math.isfinite(c) for p in out.positions for c in p)
    # the new ones gather near what they are tied to, not across the drawing
    width = max(x for x, _ in held.values()) - min(x for x, _ in held.values())
    assert all(math.dist(out.positions[n + k], held[hub]) < max(width, 1500) for k in range(40))
    assert math.dist(out.positions[n + 40], held[3]) < math.dist(out.positions[n + 40], held[hub]) or hub == 3


def test_the_same_input_gives_the_same_positions():
    pairs, held = arranged(60)
    new = [(5, 60), (60, 61), (7, 62)]
    one = layout_around(63, pairs + new, held, boxes=[BOX] * 63).positions
    assert one == layout_around(63, [(b, a) for a, b in pairs + new], dict(held), boxes=[BOX] * 63).positions


def test_new_nodes_tied_to_nothing_on_screen_go_beside_the_drawing():
    pairs, held = arranged(20)
    out = layout_around(24, pairs + [(20, 21), (21, 22)], held, boxes=[BOX] * 24)
    right = max(x + BOX.right for x, _ in held.values())
    assert all(out.positions[i][0] + BOX.left > right for i in (20, 21, 22, 23))
    assert out.positions[:20] == [held[i] for i in range(20)] and out.overlaps == 0


def test_nothing_held_is_the_snapshot_layout_and_nothing_new_changes_nothing():
    pairs = scale_free(12)
    assert layout_around(12, pairs, {}, boxes=[BOX] * 12).positions == layout(12, pairs, boxes=[BOX] * 12).positions
    held = {i: (float(i * 100), 0.0) for i in range(3)}
    assert layout_around(3, [(0, 1)], held).positions == [held[0], held[1], held[2]]


def test_a_crowded_spot_still_gets_free_room():
    # 25 held nodes packed edge to edge in a block, 30 new ones tied to its middle one
    held = {5 * r + c: (c * (BOX.width + 6.0), r * (BOX.height + 6.0)) for r in range(5) for c in range(5)}
    boxes = [BOX] * 55
    out = layout_around(55, [(12, 25 + k) for k in range(30)], held, boxes=boxes)
    assert out.positions[:25] == [held[i] for i in range(25)]
    assert out.overlaps == 0 and new_overlaps(out.positions, boxes, 25) == []


def test_placing_beside_2000_nodes_is_quick():
    pairs, held = arranged(2000)
    new = [(7, 2000 + k) for k in range(100)]
    t = time.process_time()
    out = layout_around(2100, pairs + new, held, boxes=[BOX] * 2100)
    cpu = time.process_time() - t
    assert out.positions[:2000] == [held[i] for i in range(2000)] and out.overlaps == 0
    assert cpu < 3.0, f"placing 100 nodes beside 2,000 took {cpu:.2f} CPU-s"
