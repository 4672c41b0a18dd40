"""Headless Chromium as the tests, the benchmarks and the screenshots run it (never part of the product).

The system's Debian ``chromium`` through Playwright, never a browser Playwright downloads; the flags keep it
offline and quiet (no first-run, sync, component updates or background requests).
"""

from __future__ import annotations

import time
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def launch_chromium(playwright):
    """Headless Chromium as this project runs it (the system binary, never a download)."""
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)


def wait_until(page, expr: str, timeout: float = 30.0):
    """Poll a page expression until truthy.

    Playwright's wait_for_function evaluates strings with eval, which the snapshot's
    Content-Security-Policy forbids; page.evaluate is not subject to it.
    """
    deadline = time.monotonic() + timeout
    while True:
        value = page.evaluate(expr)
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"still false after {timeout:g} s: {expr}")
        page.wait_for_timeout(20)


def screenshot(
    html_path: Path,
    png_path: Path,
    *,
    width: int = 1400,
    height: int = 860,
    select: str | None = None,
    timeout_ms: int = 30_000,
) -> Path:
    """A PNG of a snapshot as headless Chromium draws it (optionally with one entity selected)."""
    from playwright.sync_api import sync_playwright

    html_path, png_path = Path(html_path).resolve(), Path(png_path)
    png_path.parent.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = launch_chromium(p)
        try:
            page = browser.new_page(viewport={"width": width, "height": height})
            page.goto(html_path.as_uri())
            wait_until(page, "window.actorgraph && window.actorgraph.firstFrame", timeout_ms / 1000)
            if select:
                page.evaluate("q => window.actorgraph.search(q, true)", select)
                page.wait_for_timeout(500)
            page.screenshot(path=str(png_path))
        finally:
            browser.close()
    return png_path
