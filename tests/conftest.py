import os
import shutil
from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def _own_data_dirs(settings, tmp_path):
    """Every test gets its own search index folder, so no test sees another's index."""
    settings.SEARCH_INDEX_DIR = tmp_path / "index"


@pytest.fixture(autouse=True)
def _empty_cache():
    """Nothing one test cached (menus, counts) is seen by the next, whatever the order."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def chromium_path() -> str:
    """Debian's Chromium. Outside CI a machine without it skips browser tests; in CI that is a failure."""
    path = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
    if path is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("Chromium is required in CI (apt-get install chromium)")
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    return path


@pytest.fixture
def index(db):
    """An empty search index in this test's own folder."""
    from search.index import create_index, reset_searcher

    create_index()
    yield
    reset_searcher()


@pytest.fixture
def reindex(index):
    """Call to rebuild the index from what the test put in the database."""
    from search.sync import rebuild_index

    return rebuild_index


@pytest.fixture
def database_url():
    """A database of this test's own for real processes (PostgreSQL in the PostgreSQL run)."""
    from tests.processes import own_database_url

    with own_database_url() as url:
        yield url


@pytest.fixture(scope="session", autouse=True)
def _no_session_left_on_the_test_database(django_db_setup, django_db_blocker):
    """PostgreSQL refuses to drop a database another session uses. Threads of some tests (a live
    server, searching threads, workers) hold connections of their own that nobody closes at
    the end; they are ended here, before pytest-django drops the test database."""
    yield
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
