"""A PNG of a `kg viz` snapshot as headless Chromium draws it (for the README).

    python bench/screenshot.py                       # data/ if it validates, else the Florentine fixture
    python bench/screenshot.py data --select "Brigade 9" --out docs/snapshot.png

Writes the snapshot HTML beside the PNG's name in a temporary folder, opens it from
file:// in /usr/bin/chromium and saves the page (heading, legend, filters, drawing and,
with --select, the details panel of that entity).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from graph.build import build_graph  # noqa: E402
from loaders import ValidationFailed, load_facts  # noqa: E402
from viz.snapshot import screenshot, write_snapshot  # noqa: E402

DATA = ROOT / "data"
FIXTURE = ROOT / "tests" / "fixtures" / "florentine"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("paths", nargs="*", type=Path, help="fact files or folders (default: data/, else the fixture)")
    ap.add_argument("--out", type=Path, default=ROOT / "docs" / "snapshot.png")
    ap.add_argument("--title", default=None)
    ap.add_argument("--select", default=None, help="an entity to select and show in the details panel")
    ap.add_argument("--width", type=int, default=1400)
    ap.add_argument("--height", type=int, default=860)
    args = ap.parse_args(argv)
    candidates = [args.paths] if args.paths else [[DATA], [FIXTURE]]
    for paths in candidates:
        try:
            facts = load_facts(paths)
            break
        except ValidationFailed as e:
            print(f"{', '.join(map(str, paths))}: {len(e.problems)} problem(s), e.g. {e.problems[0]}", file=sys.stderr)
    else:
        return 1
    G = build_graph(facts)
    title = args.title or f"actorgraph: {', '.join(p.name for p in paths)}"
    with tempfile.TemporaryDirectory() as tmp:
        html = write_snapshot(G, Path(tmp) / "snapshot.html", title=title)
        screenshot(html, args.out, width=args.width, height=args.height, select=args.select)
    print(f"wrote {args.out} from {', '.join(map(str, paths))} "
          f"({G.number_of_nodes()} entities, {G.number_of_edges()} relations)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
