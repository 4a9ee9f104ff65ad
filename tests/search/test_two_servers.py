"""Two web servers, each with its own index folder, on one database (PostgreSQL in the
PostgreSQL run of the suite, a SQLite file otherwise): an edit made on one host is found
through the other within seconds, and a server that was down catches up when it returns.

The servers are real gunicorn processes; the edits are made by a third process (an
editor on the first server's host), as the admin would make them.
"""

from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings

REPO_ROOT = Path(__file__).resolve().parents[2]
PROJECT_PREFIXES = ("DJANGO_", "DOSSIER_", "DATABASE_", "SEARCH_", "WEB_")
SAMPLE = [
    {"title": "Zhanatas wind farm reaches full output", "date": "2024-03-01",
     "body": "The Zhanatas wind farm in Zhambyl Region reached its full output of 100 MW."},
    {"title": "Almaty grid operator plans new substation", "date": "2024-03-04",
     "body": "A substation north of Almaty will connect the new solar parks."},
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def database_url():
    """A database of this test's own, of the kind the suite runs on."""
    engine = settings.DATABASES["default"]["ENGINE"]
    if "postgresql" not in engine:
        yield None  # a SQLite file in the data folder
        return
    import psycopg

    params = settings.DATABASES["default"]
    name = f"dossier_two_servers_{uuid.uuid4().hex[:8]}"
    conninfo = {"host": params.get("HOST") or "127.0.0.1", "port": params.get("PORT") or 5432,
                "user": params.get("USER") or "postgres", "dbname": "postgres", "autocommit": True}
    if params.get("PASSWORD"):
        conninfo["password"] = params["PASSWORD"]
    with psycopg.connect(**conninfo) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    auth = f"{conninfo['user']}:{params['PASSWORD']}" if params.get("PASSWORD") else conninfo["user"]
    yield f"postgres://{auth}@{conninfo['host']}:{conninfo['port']}/{name}"
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
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr[-3000:]
        return done.stdout

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


def test_an_edit_on_one_server_is_found_on_the_other_and_a_returning_server_catches_up(tmp_path, database_url):
    data = tmp_path / "data"
    one = Host(data, tmp_path / "index-one", database_url)
    two = Host(data, tmp_path / "index-two", database_url)
    corpus = tmp_path / "sample.jsonl"
    corpus.write_text("".join(json.dumps(article) + "\n" for article in SAMPLE))
    one.manage("migrate", "--noinput", "-v0")
    one.manage("import_articles", str(corpus))
    one.manage("rebuild_index")
    two.manage("rebuild_index")
    one.start()
    two.start()
    try:
        assert two.finds("zhanatas") and one.finds("zhanatas")
        assert not two.finds("quokkaword", within=0.5)

        edit = ("from archive.models import Article\n"
                "a = Article.objects.get(title__startswith='Zhanatas')\n"
                "a.body += ' WORD was spotted near the turbines.'\n"
                "a.save()\n")
        one.manage("shell", stdin=edit.replace("WORD", "quokkaword"))  # an editor on host one
        assert two.finds("quokkaword"), "server two did not follow the edit"
        assert one.finds("quokkaword")

        two.stop()
        one.manage("shell", stdin=edit.replace("WORD", "wombatword"))
        assert one.finds("wombatword")
        two.start()
        assert two.finds("wombatword"), "server two did not catch up after its restart"
        assert two.manage("check_index").strip()
    finally:
        one.stop()
        two.stop()
