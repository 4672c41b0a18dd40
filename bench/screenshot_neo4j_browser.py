"""The README's picture of Neo4j Browser on the local server: docs/neo4j-browser.png, at 1366x768.

    python3 bench/screenshot_neo4j_browser.py [--out docs/neo4j-browser.png]

A throw-away Neo4j of its own (`kg neo4j start --browser` as a user runs it: a generated
password, the Browser on a free loopback port), data/ loaded as dataset "seed", then
/usr/bin/chromium opens the address the server prints, logs in with the generated password,
closes the welcome guide and runs a query whose paths the Browser draws as a graph.
"""

from __future__ import annotations

import argparse
import socket
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.browser import CHROMIUM, CHROMIUM_ARGS  # noqa: E402

QUERY = "MATCH p = (g:ArmedGroup)-[r:LEADS|PART_OF|BACKED_BY|OCCUPIES|OPERATES_IN]-(x:Entity) RETURN p LIMIT 40"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "neo4j-browser.png")
    args = parser.parse_args()

    from playwright.sync_api import sync_playwright

    from graph.neo4j import server
    from graph.neo4j.connection import driver
    from graph.neo4j.credentials import read_password
    from graph.neo4j.mapping import FactRows
    from graph.neo4j.settings import get_settings
    from graph.neo4j.writer import load_rows
    from loaders import load_facts

    with tempfile.TemporaryDirectory(prefix="actorgraph-browser-shot-") as tmp:
        bolt = free_port()
        home = Path(tmp) / "neo4j"
        settings = get_settings(
            uri=f"bolt://127.0.0.1:{bolt}", server_port=bolt, data_dir=home, password=None, heap_max="1g"
        )
        print(f"starting a throw-away Neo4j with its Browser on 127.0.0.1:{bolt} ...", file=sys.stderr)
        info = server.start(settings=settings, browser=True, http_port=free_port())
        try:
            with driver(settings) as drv:
                load_rows(drv, FactRows(load_facts([ROOT / "data"]), "seed"))
            with sync_playwright() as p:
                chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
                try:
                    page = chromium.new_page(viewport={"width": 1366, "height": 768})
                    page.goto(info["browser"])
                    page.get_by_test_id("password").fill(read_password(home / "password"))
                    page.get_by_test_id("connect").click()
                    page.get_by_text("You are connected as user neo4j").wait_for(timeout=60_000)
                    page.locator("[data-testid='frame']", has_text="Getting started").get_by_title("Close").click()
                    page.locator(".monaco-editor textarea").first.click()
                    page.keyboard.type(QUERY)
                    page.keyboard.press("Control+Enter")
                    page.locator("[data-testid='frame'] svg .node").first.wait_for(timeout=60_000)
                    page.wait_for_timeout(6000)  # the force layout settles
                    page.screenshot(path=str(args.out))
                finally:
                    chromium.close()
        finally:
            server.stop(settings=settings)
    print(f"wrote {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
