"""`make run`'s production server: gunicorn with config/gunicorn.conf.py, static files by WhiteNoise.

Each test starts the real server in a fresh process on a free loopback port, on an archive
of its own, and reads what a browser would get.
"""

from __future__ import annotations

import http.client
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
PROJECT_PREFIXES = ("DJANGO_", "DOSSIER_", "DATABASE_", "SEARCH_", "WEB_")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(port: int, path: str) -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", path, headers={"Accept-Encoding": "gzip"})
        response = conn.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        conn.close()


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    data = tmp_path_factory.mktemp("served")
    port = _free_port()
    base = {k: v for k, v in os.environ.items() if not k.startswith(PROJECT_PREFIXES)}
    env = {**base, "DJANGO_SETTINGS_MODULE": "config.settings", "DOSSIER_DATA_DIR": str(data),
           "HOST": "127.0.0.1", "PORT": str(port), "WEB_CONCURRENCY": "1", "WEB_THREADS": "2"}
    python = sys.executable
    for command in (["migrate", "--noinput", "-v0"], ["collectstatic", "--noinput", "-v0"]):
        subprocess.run([python, "manage.py", *command], cwd=REPO_ROOT, env=env, check=True, timeout=120)
    gunicorn = Path(python).with_name("gunicorn")
    server = subprocess.Popen([str(gunicorn), "config.wsgi", "--config", "config/gunicorn.conf.py"],
                              cwd=REPO_ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                _get(port, "/")
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(f"gunicorn did not start: {server.stderr.read().decode()[-2000:]}") from None
                time.sleep(0.2)
        yield port
    finally:
        server.terminate()
        server.wait(timeout=20)


def test_pages_are_served_by_the_production_server_without_naming_it(served):
    status, headers, body = _get(served, "/")
    assert status == 200
    assert b"Dossier" in body
    assert "gunicorn" not in headers.get("server", "").lower()
    assert not re.search(r"python|\d+\.\d+", headers.get("server", ""), re.I)


def test_static_files_have_hashed_names_are_compressed_and_cached_for_long(served):
    _, _, body = _get(served, "/")
    stylesheets = re.findall(rb'href="(/static/[^"]+\.css)"', body)
    assert stylesheets, "the page links no stylesheet"
    url = stylesheets[0].decode()
    assert re.search(r"\.[0-9a-f]{12}\.css$", url), f"not a content-hashed name: {url}"
    status, headers, _ = _get(served, url)
    assert status == 200
    assert headers.get("content-encoding") == "gzip"
    assert "max-age=315360000" in headers.get("cache-control", "")
