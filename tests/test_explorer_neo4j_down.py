"""The explorer while Neo4j cannot be reached: the page says so at once, keeps asking quietly, carries on.

Real parts: the session's Neo4j, reached through a small TCP relay the test opens and closes (so
the session's server never stops), the explorer app on a real HTTP server, and Chromium.
"""

from __future__ import annotations

import socket
import threading
import time

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import sync_playwright

from tests.browser import CHROMIUM, CHROMIUM_ARGS
from tests.explorer_support import ServerThread, free_port
from viz.explorer.app import create_app
from viz.explorer.config import ExplorerConfig


class Relay:
    """Bytes from 127.0.0.1:``port`` to ``target`` and back, while open; closed: the port refuses
    connections and the connections it carried are cut, as when a server goes away."""

    def __init__(self, port: int, target: tuple[str, int]):
        self.port, self.target = port, target
        self.listener: socket.socket | None = None
        self.sockets: list[socket.socket] = []
        self.lock = threading.Lock()

    def open(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(16)
        self.listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def close(self) -> None:
        if self.listener is not None:
            try:  # wakes the thread blocked in accept(): a bare close() would leave the port listening
                self.listener.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            self.listener.close()
            self.listener = None
        with self.lock:
            for s in self.sockets:
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                s.close()
            self.sockets.clear()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return  # closed
            upstream = socket.create_connection(self.target)
            with self.lock:
                self.sockets += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for s in (source, sink):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass


@pytest.fixture()
def relay(neo4j_server):
    r = Relay(free_port(), ("127.0.0.1", neo4j_server.bolt_port))
    yield r
    r.close()


@pytest.fixture(scope="module")
def chromium():
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield b
        finally:
            b.close()


def explorer_through(relay, settings):
    through = settings.model_copy(update={"uri": f"bolt://127.0.0.1:{relay.port}"})
    return ServerThread(create_app(ExplorerConfig(settings=through, request_timeout=30.0)))


def wait(page, expression: str, timeout: float = 30.0):
    """Poll ``expression`` in the page (its CSP forbids the eval wait_for_function needs); a poll that
    meets the page reloading itself is simply tried again."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            value = page.evaluate(expression)
        except PlaywrightError as exc:
            if "context was destroyed" not in str(exc) and "navigat" not in str(exc):
                raise
            value = None
        if value:
            return value
        assert time.monotonic() < deadline, f"timed out waiting for: {expression}"
        time.sleep(0.05)


NOTICE = "(() => { const n = document.getElementById('neo4j-down'); return n && !n.hidden && n.textContent; })()"


def test_opened_while_neo4j_is_down_the_page_says_so_then_starts_by_itself(neo4j_server, relay, chromium):
    with explorer_through(relay, neo4j_server) as web:
        page = chromium.new_page(viewport={"width": 1366, "height": 768})
        began = time.monotonic()
        page.goto(web.url)
        notice = wait(page, NOTICE, timeout=10)
        assert time.monotonic() - began < 5
        assert notice.startswith(f"cannot reach Neo4j at bolt://127.0.0.1:{relay.port}")
        assert notice.endswith("trying again in the background…")

        page.evaluate("window.beforeReload = true")
        relay.open()  # Neo4j is back: the page starts on its own (it reloads itself once)
        # On the reloaded page (the first one may look ready for a moment before it reloads).
        wait(page, f"!window.beforeReload && window.explorer && window.explorer.ready && !{NOTICE}", timeout=45)
        assert "cannot reach" not in page.locator("#empty").inner_text()
        assert page.evaluate("window.explorer.lastError") is None
        page.close()


def test_neo4j_going_away_is_told_at_once_and_its_return_noticed(neo4j_server, relay, chromium):
    relay.open()
    with explorer_through(relay, neo4j_server) as web:
        page = chromium.new_page(viewport={"width": 1366, "height": 768})
        page.goto(web.url)
        wait(page, "window.explorer && window.explorer.ready")
        assert page.evaluate(NOTICE) in (None, False, "")

        relay.close()  # Neo4j goes away under the open page
        began = time.monotonic()
        page.click("#search")
        page.keyboard.type("Fog")
        notice = wait(page, NOTICE, timeout=10)
        assert time.monotonic() - began < 3.5
        assert "cannot reach Neo4j" in notice

        relay.open()
        wait(page, f"!{NOTICE}", timeout=45)  # noticed by the quiet retries, without a reload
        assert "Neo4j answers again." in page.locator("#toast").inner_text()
        page.close()
