"""How readable a drawn graph is, measured in the page by vis-network itself (a real browser).

One measure for the tests (tests/test_viz_browser.py, tests/test_explorer_browser.py), the
benchmarks (bench/bench_layout.py) and the screenshots: for every node drawn, its bounding box
(shape plus drawn label) from vis-network's own ``getBoundingBox``, and the label's size on
screen. From them: pairs of nodes whose boxes overlap, the share of nodes that overlap another,
labels drawn and their sizes in px, and how node sizes vary.
"""

from __future__ import annotations

# Run in the page with page.evaluate(READABILITY_JS, "name of the global holding the network").
# A label counts as drawn when its font size on screen is at least vis-network's draw threshold.
READABILITY_JS = """
(where) => {
  const network = where.split('.').reduce((o, k) => o[k], window);
  const scale = network.getScale();
  const ids = network.body.nodeIndices.filter((id) => !network.body.nodes[id].options.hidden);
  const boxes = [];
  const labels = [];
  const sizes = new Set();
  for (const id of ids) {
    const node = network.body.nodes[id];
    const b = network.getBoundingBox(id);
    if (!b) continue;
    boxes.push([b.left, b.top, b.right, b.bottom, id]);
    sizes.add(Math.round(node.options.size * 100));
    const px = (node.options.font.size || 0) * scale;
    const threshold = node.options.scaling.label.drawThreshold;
    if (node.options.label && px >= threshold) labels.push({ id, px, name: node.options.label });
  }
  const pairs = [];
  const touched = new Set();
  for (let i = 0; i < boxes.length; i++) {
    const a = boxes[i];
    for (let j = i + 1; j < boxes.length; j++) {
      const b = boxes[j];
      if (a[0] < b[2] && b[0] < a[2] && a[1] < b[3] && b[1] < a[3]) {
        pairs.push([a[4], b[4]]);
        touched.add(a[4]);
        touched.add(b[4]);
      }
    }
  }
  const px = labels.map((l) => l.px).sort((x, y) => x - y);
  return {
    nodes: boxes.length, scale,
    overlapping_pairs: pairs.length, pairs: pairs.slice(0, 50),
    overlapped_share: boxes.length ? touched.size / boxes.length : 0,
    labelled: labels.length, labelled_ids: labels.map((l) => l.id),
    median_label_px: px.length ? px[Math.floor(px.length / 2)] : 0,
    min_label_px: px.length ? px[0] : 0,
    node_sizes: sizes.size,
  };
}
"""


def readability(page, where: str = "actorgraph.network") -> dict:
    """The readability figures of the graph drawn in ``page`` (a Playwright page), by the network at ``where``."""
    return page.evaluate(READABILITY_JS, where)
