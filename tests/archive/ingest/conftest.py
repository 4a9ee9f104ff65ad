"""A local web server for the feed and page tests: 127.0.0.1 only, no network."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"


class Site:
    """Pages by path, each (status, content type, body, ETag); every request is recorded."""

    def __init__(self):
        self.pages: dict[str, tuple[int, str, bytes, str]] = {}
        self.requests: list[dict] = []
        self.base = ""

    def add(self, path: str, body: bytes | str, *, content_type: str = "text/html; charset=utf-8",
            status: int = 200, etag: str = "") -> str:
        self.pages[path] = (status, content_type, body.encode() if isinstance(body, str) else body, etag)
        return self.base + path


@pytest.fixture
def site():
    state = Site()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - the name http.server calls
            state.requests.append({"path": self.path, **{k.lower(): v for k, v in self.headers.items()}})
            status, content_type, body, etag = state.pages.get(self.path, (404, "text/plain", b"not here", ""))
            if etag and self.headers.get("If-None-Match") == etag:
                self.send_response(304)
                self.end_headers()
                return
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            if etag:
                self.send_header("ETag", etag)
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.base = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()
