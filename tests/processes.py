"""Real processes for tests: a database of the test's own, and hosts running manage.py and gunicorn."""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings

REPO_ROOT = Path(__file__).resolve().parents[1]
PROJECT_PREFIXES = ("DJANGO_", "DOSSIER_", "DATABASE_", "SEARCH_", "WEB_")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def own_database_url() -> Iterator[str | None]:
    """A database of the caller's own, of the kind the suite runs on (None: a SQLite file in the data folder)."""
    engine = settings.DATABASES["default"]["ENGINE"]
    if "postgresql" not in engine:
        yield None  # a SQLite file in the data folder
        return
    import psycopg

    params = settings.DATABASES["default"]
    name = f"dossier_test_{uuid.uuid4().hex[:8]}"
    conninfo = {"host": params.get("HOST") or "127.0.0.1", "port": params.get("PORT") or 5432,
                "user": params.get("USER") or "postgres", "dbname": "postgres", "autocommit": True}
    if params.get("PASSWORD"):
        conninfo["password"] = params["PASSWORD"]
    with psycopg.connect(**conninfo) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    auth = f"{conninfo['user']}:{params['PASSWORD']}" if params.get("PASSWORD") else conninfo["user"]
    try:
        yield f"postgres://{auth}@{conninfo['host']}:{conninfo['port']}/{name}"
    finally:
        with psycopg.connect(**conninfo) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class Host:
    """One server host: its own index folder, its gunicorn, its manage.py."""

    def __init__(self, data: Path, index: Path, database_url: str | None):
        base = {k: v for k, v in os.environ.items() if not k.startswith(PROJECT_PREFIXES)}
        self.port = _free_port()
        self.env = {**base, "DJANGO_SETTINGS_MODULE": "config.settings", "DOSSIER_DATA_DIR": str(data),
                    "SEARCH_INDEX_DIR": str(index), "SEARCH_FOLLOW_SECONDS": "0.3",
                    "HOST": "127.0.0.1", "PORT": str(self.port), "WEB_CONCURRENCY": "1", "WEB_THREADS": "2"}
        if database_url:
            self.env["DATABASE_URL"] = database_url
        self.server: subprocess.Popen | None = None

    def manage(self, *args: str, stdin: str | None = None) -> str:
        done = subprocess.run([sys.executable, "manage.py", *args], cwd=REPO_ROOT, env=self.env, input=stdin,
                              capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr[-3000:]
        return done.stdout

    def spawn(self, *args: str) -> subprocess.Popen:
        """manage.py in the background; its output is read when it ends."""
        return subprocess.Popen([sys.executable, "manage.py", *args], cwd=REPO_ROOT, env=self.env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def start(self) -> None:
        gunicorn = Path(sys.executable).with_name("gunicorn")
        self.server = subprocess.Popen([str(gunicorn), "config.wsgi", "--config", "config/gunicorn.conf.py"],
                                       cwd=REPO_ROOT, env=self.env, stdout=subprocess.DEVNULL,
                                       stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 30
        while self.get("/")[0] != 200:
            assert self.server.poll() is None and time.monotonic() < deadline, "the server did not start"
            time.sleep(0.2)

    def stop(self) -> None:
        if self.server is not None:
            self.server.terminate()
            self.server.wait(timeout=20)
            self.server = None

    def get(self, path: str) -> tuple[int, str]:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
            conn.request("GET", path)
            response = conn.getresponse()
            return response.status, response.read().decode()
        except OSError:
            return 0, ""

    def finds(self, word: str, within: float = 10.0) -> bool:
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            status, page = self.get(f"/search/?q={word}")
            if status == 200 and "<mark>" in page:
                return True
            time.sleep(0.2)
        return False


