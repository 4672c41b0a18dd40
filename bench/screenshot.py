"""The README's pictures, as headless Chromium draws them: docs/snapshot.png and docs/explorer.png.

    python3 bench/screenshot.py                  # both, at 1366x768
    python3 bench/screenshot.py snapshot         # only the `kg viz` snapshot (no Neo4j needed)
    python3 bench/screenshot.py explorer         # only the explorer (starts a throw-away Neo4j)
    python3 bench/screenshot.py snapshot --data tests/fixtures/florentine --select "Brigade 9" --out-dir /tmp/shots

The one command that refreshes the tracked screenshots: the tests write theirs to
pytest's temporary folders and never touch docs/.

* snapshot: `data/` (else the Florentine fixture) written with :func:`viz.snapshot.write_snapshot`
  to a temporary folder, opened from file:// in /usr/bin/chromium, one entity selected
  (``--select``, default "Fog 47") so the details panel shows.
* explorer: a Neo4j server of its own (graph.neo4j.server, on a free loopback port, with a
  temporary data folder, stopped at the end), the same data loaded as dataset "seed", the
  explorer app served on a free loopback port, then the analyst's path: Al-Bukamal chosen,
  Badr Hospital expanded, the evidence of Fog 47 OCCUPIES Badr Hospital open (with the
  source documents of ../shared/seeds when they are there).
"""

from __future__ import annotations

import argparse
import socket
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from graph.build import build_graph  # noqa: E402
from loaders import ValidationFailed, load_facts  # noqa: E402
from tests.browser import launch_chromium, screenshot  # noqa: E402
from viz.snapshot import write_snapshot  # noqa: E402

DATA = ROOT / "data"
FIXTURE = ROOT / "tests" / "fixtures" / "florentine"
DOCUMENTS = ROOT.parent / "shared" / "seeds"
DOCS = ROOT / "docs"
# The explorer's path: chosen entity, expanded entity, the relation whose evidence shows.
CHOOSE, EXPAND, RELATION = "al-bukamal", "badr-hospital", "fog-47|OCCUPIES|badr-hospital"


def _facts(paths: list[Path] | None):
    """The facts of ``paths``, else of data/ if it validates, else of the fixture; and the paths used."""
    for candidate in [paths] if paths else [[DATA], [FIXTURE]]:
        try:
            return load_facts(candidate), candidate
        except ValidationFailed as e:
            print(
                f"{', '.join(map(str, candidate))}: {len(e.problems)} problem(s), e.g. {e.problems[0]}", file=sys.stderr
            )
    raise SystemExit(1)


def snapshot_png(
    out: Path, *, paths: list[Path] | None = None, select: str | None = "Fog 47", width: int = 1366, height: int = 768
) -> Path:
    """docs/snapshot.png: the `kg viz` page of the data with ``select`` chosen."""
    facts, used = _facts(paths)
    G = build_graph(facts)
    title = f"actorgraph: {', '.join(p.name for p in used)}"
    with tempfile.TemporaryDirectory() as tmp:
        html = write_snapshot(G, Path(tmp) / "snapshot.html", title=title)
        screenshot(html, out, width=width, height=height, select=select)
    print(
        f"wrote {out} from {', '.join(map(str, used))} ({G.number_of_nodes()} entities, "
        f"{G.number_of_edges()} relations)"
    )
    return out


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _poll(page, expression: str, timeout: float = 60.0):
    # The explorer's Content-Security-Policy forbids the eval behind Playwright's wait_for_function.
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        if time.monotonic() > deadline:
            raise TimeoutError(f"still false after {timeout:g} s: {expression}")
        time.sleep(0.05)


def _settled(page):
    _poll(page, "window.explorer.idle()")
    page.wait_for_timeout(200)
    _poll(page, "window.explorer.idle()")


def explorer_png(out: Path, *, paths: list[Path] | None = None, width: int = 1366, height: int = 768) -> Path:
    """docs/explorer.png: the explorer over a Neo4j of its own, on the evidence of one relation."""
    import uvicorn
    from playwright.sync_api import sync_playwright

    from graph.neo4j import server
    from graph.neo4j.connection import driver
    from graph.neo4j.mapping import FactRows
    from graph.neo4j.settings import get_settings
    from graph.neo4j.writer import load_rows
    from viz.explorer.app import create_app
    from viz.explorer.config import ExplorerConfig

    facts, used = _facts(paths)
    with tempfile.TemporaryDirectory(prefix="actorgraph-screenshot-") as tmp:
        bolt = _free_port()
        settings = get_settings(uri=f"bolt://127.0.0.1:{bolt}", server_port=bolt, data_dir=Path(tmp) / "neo4j")
        print(f"starting a throw-away Neo4j on 127.0.0.1:{bolt} ...", file=sys.stderr)
        server.start(settings=settings)
        try:
            with driver(settings) as drv:
                load_rows(drv, FactRows(facts, "seed"))
            # A busy machine must not turn the picture into a timeout toast: reads may take their time here.
            config = ExplorerConfig(
                settings=settings, documents=DOCUMENTS if DOCUMENTS.is_dir() else None, request_timeout=60.0
            )
            web = uvicorn.Server(
                uvicorn.Config(
                    create_app(config), host="127.0.0.1", port=_free_port(), log_level="warning", access_log=False
                )
            )
            thread = threading.Thread(target=web.run, daemon=True)
            thread.start()
            try:
                while not web.started:
                    if not thread.is_alive():
                        raise SystemExit("the explorer did not start")
                    time.sleep(0.05)
                url = f"http://127.0.0.1:{web.config.port}/"
                with sync_playwright() as p:
                    browser = launch_chromium(p)
                    try:
                        page = browser.new_page(viewport={"width": width, "height": height})
                        page.goto(url)
                        _poll(page, "window.explorer && window.explorer.ready")
                        page.evaluate("id => window.explorer.choose(id)", CHOOSE)
                        _settled(page)
                        page.evaluate("id => window.explorer.choose(id)", EXPAND)
                        _settled(page)
                        page.click(f"[data-edge='{RELATION}']")
                        _poll(page, f"document.querySelector('#details').dataset.edge === '{RELATION}'")
                        page.evaluate("window.explorer.network.fit({animation: false})")
                        page.mouse.move(5, 5)
                        page.wait_for_timeout(400)
                        out.parent.mkdir(parents=True, exist_ok=True)
                        page.screenshot(path=str(out))
                    finally:
                        browser.close()
            finally:
                web.should_exit = True
                thread.join(timeout=15)
        finally:
            server.stop(settings.data_dir, settings=settings)
    print(f"wrote {out} from {', '.join(map(str, used))} through the explorer")
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("which", nargs="?", choices=("both", "snapshot", "explorer"), default="both")
    ap.add_argument(
        "--data", type=Path, action="append", help="fact files or folders (default: data/, else the fixture)"
    )
    ap.add_argument("--out-dir", type=Path, default=DOCS, help="where snapshot.png and explorer.png go (default docs/)")
    ap.add_argument("--select", default="Fog 47", help="the entity selected in the snapshot (default Fog 47)")
    ap.add_argument("--width", type=int, default=1366)
    ap.add_argument("--height", type=int, default=768)
    args = ap.parse_args(argv)
    size = {"width": args.width, "height": args.height}
    if args.which in ("both", "snapshot"):
        snapshot_png(args.out_dir / "snapshot.png", paths=args.data, select=args.select or None, **size)
    if args.which in ("both", "explorer"):
        explorer_png(args.out_dir / "explorer.png", paths=args.data, **size)
    return 0


if __name__ == "__main__":
    sys.exit(main())
