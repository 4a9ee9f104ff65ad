"""Several indexes follow one database's change queue, each from its own position (search/queue.py)."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection, connections, transaction
from django.utils import timezone

from search import queue, sync
from search.index import create_index, reset_searcher
from search.models import IndexReplica, PendingIndexUpdate
from search.query import parse_query
from search.service import run_search
from tests.factories import make_article

pytestmark = pytest.mark.django_db


def found(settings, folder, q: str) -> set[int]:
    settings.SEARCH_INDEX_DIR = folder
    reset_searcher()
    return {hit.article.id for hit in run_search(parse_query(q), per_page=100).hits}


@pytest.fixture
def two_indexes(settings, tmp_path):
    """Two index folders (two servers) built from the same database."""
    folders = [tmp_path / "server-a", tmp_path / "server-b"]
    for folder in folders:
        settings.SEARCH_INDEX_DIR = folder
        create_index()
        sync.rebuild_index()
    yield folders
    reset_searcher()


def use(settings, folder) -> None:
    settings.SEARCH_INDEX_DIR = folder
    reset_searcher()


def test_a_change_reaches_every_index_and_the_queue_forgets_it_only_then(settings, two_indexes):
    a, b = two_indexes
    use(settings, a)
    article = make_article("Balkhash hydropower", "A dam on the Ili river feeds Lake Balkhash.")
    assert sync.drain_queue() == 1
    assert found(settings, a, "balkhash") == {article.id}
    assert found(settings, b, "balkhash") == set()  # server b has not followed yet
    assert PendingIndexUpdate.objects.count() == 1  # kept for server b

    use(settings, b)
    assert not queue.in_step()
    assert sync.drain_queue() == 1
    assert queue.in_step()
    assert found(settings, b, "balkhash") == {article.id}
    assert PendingIndexUpdate.objects.count() == 0  # every index has it now
    assert sync.drain_queue() == 0


def test_an_index_that_was_away_catches_up_from_its_position(settings, two_indexes):
    a, b = two_indexes
    use(settings, a)
    first = make_article("Aktobe wind", "Turbines near Aktobe.")
    second = make_article("Aktobe solar", "Panels near Aktobe.")
    sync.drain_queue()
    first.body = "Turbines and a substation near Aktobe."
    first.save()
    sync.drain_queue()
    use(settings, b)  # b was down for all of it
    assert sync.drain_queue() == 2
    assert found(settings, b, "aktobe") == {first.id, second.id}
    assert found(settings, b, "substation") == {first.id}


def test_an_index_away_longer_than_the_queue_keeps_changes_rebuilds(settings, two_indexes):
    a, b = two_indexes
    IndexReplica.objects.filter(name__endswith=str(b.resolve())).update(seen=timezone.now() - timedelta(days=30))
    use(settings, a)
    article = make_article("Ekibastuz coal", "The Ekibastuz power station.")
    sync.drain_queue()  # forgets server b, and with it the rows b had not applied
    assert PendingIndexUpdate.objects.count() == 0
    use(settings, b)
    assert queue.was_forgotten(queue.Position.load())
    sync.drain_queue()
    assert found(settings, b, "ekibastuz") == {article.id}
    assert not queue.was_forgotten(queue.Position.load())


def test_ranges_of_missing_ids():
    assert queue._missing(1, 10, [2, 3, 7]) == [(1, 1), (4, 6), (8, 10)]
    assert queue._missing(5, 6, [5, 6]) == []
    assert queue._missing(5, 4, []) == []


@pytest.mark.django_db(transaction=True)
def test_a_change_committed_after_a_later_one_was_applied_is_not_lost(settings, tmp_path):
    """A transaction holding a lower queue id commits after the drain read a higher one."""
    settings.SEARCH_INDEX_DIR = tmp_path / "index"
    create_index()
    sync.rebuild_index()
    early = make_article("Kapshagay reservoir", "Water levels.")  # committed (autocommit)
    sync.drain_queue()

    if connection.vendor == "sqlite":
        # Writers take turns on SQLite: ids commit in order, so nothing is ever below the
        # position unapplied and no gap is kept (not even across an id deleted meanwhile).
        make_article("Shardara dam", "Shardara.")
        late = make_article("Kapshagay solar", "Kapshagay panels.")
        PendingIndexUpdate.objects.filter(article_id__in=[late.id]).delete()
        batch = queue.pending()
        assert batch.after.gaps == []
        return

    holding, release, done = threading.Event(), threading.Event(), threading.Event()
    slow: dict = {}

    def slow_writer():
        try:
            with transaction.atomic():
                slow["article"] = make_article("Kapshagay solar", "Panels by the Kapshagay reservoir.")
                holding.set()
                release.wait(20)
        finally:
            connections.close_all()
            done.set()

    thread = threading.Thread(target=slow_writer)
    thread.start()
    assert holding.wait(20)
    fast = make_article("Kapshagay wind", "Turbines by the Kapshagay reservoir.")  # a higher id, committed first
    sync.drain_queue()
    assert found(settings, settings.SEARCH_INDEX_DIR, "kapshagay") == {early.id, fast.id}
    assert queue.Position.load().gaps, "the uncommitted lower id is kept as a gap"
    release.set()
    assert done.wait(20)
    thread.join()
    sync.drain_queue()
    assert found(settings, settings.SEARCH_INDEX_DIR, "kapshagay") == {early.id, fast.id, slow["article"].id}
    assert queue.Position.load().gaps == []
    assert PendingIndexUpdate.objects.count() == 0


def test_a_limited_drain_applies_the_oldest_rows_and_leaves_the_rest(settings, two_indexes):
    a, _ = two_indexes
    use(settings, a)
    first = make_article("Taraz wind", "Turbines near Taraz.")
    second = make_article("Taraz solar", "Panels near Taraz.")
    assert sync.drain_queue(limit=1) == 1
    assert found(settings, a, "taraz") == {first.id}
    assert not queue.in_step()
    assert sync.drain_queue(limit=1) == 1
    assert found(settings, a, "taraz") == {first.id, second.id}
    assert queue.in_step()


def test_one_process_per_index_folder_follows(settings, tmp_path):
    import subprocess
    import sys

    from search.index import claim_following

    settings.SEARCH_INDEX_DIR = tmp_path / "index"
    assert claim_following() and claim_following()  # this process holds the claim
    other = subprocess.run(
        [sys.executable, "-c", (
            "import fcntl, os, sys; fd = os.open(sys.argv[1], os.O_RDWR)\n"
            "try: fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB); print('claimed')\n"
            "except BlockingIOError: print('refused')"
        ), str(tmp_path / "index" / "FOLLOWER.lock")],
        capture_output=True, text=True, timeout=30,
    )
    assert other.stdout.strip() == "refused"
