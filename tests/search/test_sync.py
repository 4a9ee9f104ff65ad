"""The index follows every committed change, survives failed writes, and reports drift."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from whoosh.index import LockError

from archive.ingest.importer import import_articles
from archive.models import Alias, Article, EntityKind, Mention, MentionOrigin
from search import index as search_index
from search import sync
from search.check import find_drift
from search.models import PendingIndexUpdate
from search.query import parse_query
from search.service import run_search
from tests.factories import make_article, make_entity, make_source, make_tag

pytestmark = pytest.mark.django_db


def ids(q: str) -> set[int]:
    return {hit.article.id for hit in run_search(parse_query(q), per_page=100).hits}


def test_a_saved_article_is_searchable_after_commit(index, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        article = make_article("Hydropower dam", "A new hydropower dam on the Ili river.")
    assert ids("hydropower") == {article.id}
    assert PendingIndexUpdate.objects.count() == 0


def test_nothing_reaches_the_index_before_commit(index, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        make_article("Hydropower dam", "A new hydropower dam on the Ili river.")
    assert ids("hydropower") == set()
    assert PendingIndexUpdate.objects.count() == 1
    assert len(callbacks) == 1  # one drain for the whole transaction


def test_edits_deletes_and_related_changes_reach_the_index(index, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        article = make_article("Steppe wind", "Turbines on the steppe.")
    with django_capture_on_commit_callbacks(execute=True):
        article.title = "Steppe solar"
        article.body = "Panels on the steppe."
        article.save()
    assert ids("turbines") == set() and ids("panels") == {article.id}

    with django_capture_on_commit_callbacks(execute=True):
        article.tags.add(make_tag("solar power"))
    assert ids('tag:"solar power"') == {article.id}

    with django_capture_on_commit_callbacks(execute=True):
        source = make_source("Caspian Wire")
        article.source = source
        article.save()
    with django_capture_on_commit_callbacks(execute=True):
        source.name = "Caspian Daily"
        source.save()
    assert ids('source:"caspian daily"') == {article.id}

    with django_capture_on_commit_callbacks(execute=True):
        entity = make_entity("Samruk-Energy", kind=EntityKind.ORGANISATION)
        Mention.objects.create(article=article, entity=entity, origin=MentionOrigin.EDITOR)
    assert ids("org:samruk") == {article.id}
    with django_capture_on_commit_callbacks(execute=True):
        Alias.objects.create(entity=entity, name="Самрук-Энерго")
    assert ids("Самрук-Энерго") == {article.id}
    with django_capture_on_commit_callbacks(execute=True):
        entity.delete()
    assert ids("org:samruk") == set()

    with django_capture_on_commit_callbacks(execute=True):
        article.delete()
    assert ids("panels") == set()
    assert find_drift().clean


def test_an_import_is_indexed_once_at_the_end_not_per_article(index, tmp_path, monkeypatch,
                                                                 django_capture_on_commit_callbacks):
    lines = [
        f'{{"title": "Report {n}", "body": "Grid report number {n} about Ekibastuz.", "date": "2021-01-0{n}"}}'
        for n in range(1, 8)
    ]
    (tmp_path / "feed.jsonl").write_text("\n".join(lines))
    writers = []
    real_writer = sync.index_writer

    def counting_writer(*args, **kwargs):
        writers.append(kwargs)
        return real_writer(*args, **kwargs)

    monkeypatch.setattr(sync, "index_writer", counting_writer)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        report = import_articles(paths=[tmp_path], batch_size=3)
    assert len(report.created) == 7
    # No drain per batch (three batches of 3, 3 and 1), only the hand-overs to a writer
    # that opens once 2,000 articles have been committed...
    assert [callback.__qualname__ for callback in callbacks] == ["queue_articles.<locals>.<lambda>"] * 3
    assert len(writers) == 1  # ...so one writer for the whole import
    assert ids("ekibastuz") == set(report.created)
    assert PendingIndexUpdate.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_a_long_import_is_indexed_while_it_runs(index, tmp_path, monkeypatch):
    """Past PARALLEL_DRAIN_FROM articles, each committed batch goes to one open two-process writer."""
    monkeypatch.setattr(sync, "PARALLEL_DRAIN_FROM", 3)
    monkeypatch.setattr(sync, "STREAM_SEGMENT_DOCS", 2)  # its processes close segments as they go
    lines = [
        f'{{"title": "Report {n}", "body": "Grid report number {n} about Ekibastuz.", "date": "2021-01-0{n}"}}'
        for n in range(1, 8)
    ]
    (tmp_path / "feed.jsonl").write_text("\n".join(lines))
    writers, handed_over = [], []
    real_writer, real_write = sync.index_writer, sync._Stream._write

    def counting_writer(*args, **kwargs):
        writers.append(kwargs)
        return real_writer(*args, **kwargs)

    def counting_write(stream, ids):
        handed_over.append(sorted(ids))
        assert PendingIndexUpdate.objects.filter(article_id__in=ids).count() == len(ids)  # committed, queued
        return real_write(stream, ids)

    monkeypatch.setattr(sync, "index_writer", counting_writer)
    monkeypatch.setattr(sync._Stream, "_write", counting_write)
    report = import_articles(paths=[tmp_path], batch_size=3)
    assert len(report.created) == 7
    assert [len(batch) for batch in handed_over] == [3, 3, 1]  # batch by batch, as each commits
    assert writers == [{"timeout": 2.0, "segment_docs": 2, **sync._parallel_options()}]  # and no drain after it
    assert ids("ekibastuz") == set(report.created)
    assert PendingIndexUpdate.objects.count() == 0
    assert find_drift().clean


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("stream_from", [2000, 3])  # indexed at its end, or while it runs
def test_an_import_into_an_archive_without_an_index_builds_it(tmp_path, monkeypatch, stream_from):
    """The upload job, load_sample and feeds import through the service, not the command: no 503 after them."""
    monkeypatch.setattr(sync, "PARALLEL_DRAIN_FROM", stream_from)
    with monkeypatch.context() as no_worker:  # queued before, and no job has applied it
        no_worker.setattr(sync, "apply_queue_soon", lambda: None)
        before = make_article("Older story", "Ekibastuz coal from before the first import.")
    (tmp_path / "feed.jsonl").write_text("\n".join(
        f'{{"title": "Report {n}", "body": "Grid report number {n} about Ekibastuz.", "date": "2021-01-0{n}"}}'
        for n in range(1, 8)
    ))
    assert search_index.index_state() == "missing"
    report = import_articles(paths=[tmp_path], batch_size=3)
    assert search_index.index_state() == "ok"
    assert ids("ekibastuz") == {before.id, *report.created}
    assert find_drift().clean


@pytest.mark.django_db(transaction=True)
def test_an_edit_in_an_archive_without_an_index_builds_it():
    """The job that applies an edit (admin, API) builds a missing index rather than skipping it."""
    article = make_article("Steppe wind", "Turbines on the steppe.")  # the tests' job backend runs the job at once
    assert search_index.index_state() == "ok"
    assert ids("turbines") == {article.id}


def test_a_follower_never_builds_a_missing_index():
    """A web server's follower does no bulk work: building the index is for jobs and imports."""
    make_article("Steppe wind", "Turbines on the steppe.")
    with pytest.raises(search_index.IndexUnavailable):
        sync.drain_queue(limit=500)
    assert search_index.index_state() == "missing"


@pytest.mark.django_db(transaction=True)
def test_when_the_writer_cannot_be_had_during_an_import_the_drain_at_its_end_indexes_all(index, tmp_path,
                                                                                        monkeypatch):
    monkeypatch.setattr(sync, "PARALLEL_DRAIN_FROM", 3)
    (tmp_path / "feed.jsonl").write_text("\n".join(
        f'{{"title": "Report {n}", "body": "Grid report number {n} about Ekibastuz.", "date": "2021-01-0{n}"}}'
        for n in range(1, 8)
    ))
    calls = []
    real_writer = sync.index_writer

    def busy_then_free(*args, **kwargs):
        calls.append(kwargs.get("procs"))
        if len(calls) == 1:  # the stream's writer: another process holds the lock
            raise LockError("index is locked")
        return real_writer(*args, **kwargs)

    monkeypatch.setattr(sync, "index_writer", busy_then_free)
    report = import_articles(paths=[tmp_path], batch_size=3)
    assert len(report.created) == 7
    assert calls == [2, 2]  # the stream gave up at once; then one drain at the end (7 >= the threshold of 3)
    assert ids("ekibastuz") == set(report.created)
    assert PendingIndexUpdate.objects.count() == 0
    assert find_drift().clean


@pytest.mark.django_db(transaction=True)
def test_an_article_changed_twice_in_one_bulk_operation_is_indexed_once_as_it_ends(index, monkeypatch):
    from archive.signals import bulk_operation, notify_articles_changed

    monkeypatch.setattr(sync, "PARALLEL_DRAIN_FROM", 1)
    article = make_article("Wind report", "Wind turbines near Zhanatas.", "2022-05-01")
    sync.drain_queue()
    with bulk_operation():
        with transaction.atomic():
            notify_articles_changed([article.id])
        with transaction.atomic():
            Article.objects.filter(id=article.id).update(title="Coal report", body="Coal trains at Ekibastuz.")
            notify_articles_changed([article.id])
    assert ids("coal") == {article.id}
    assert ids("wind") == set()
    assert PendingIndexUpdate.objects.count() == 0
    assert find_drift().clean


def test_an_interrupted_import_still_indexes_what_it_committed(index, tmp_path, monkeypatch):
    from archive.ingest import importer

    (tmp_path / "feed.jsonl").write_text("\n".join(
        f'{{"title": "Report {n}", "body": "Coal report {n}.", "date": "2021-01-0{n}"}}' for n in range(1, 5)
    ))
    real_store = importer._store_all

    def store_then_crash(batch, known, lookups):
        if any(parsed.title == "Report 4" for parsed in batch):
            raise KeyboardInterrupt
        return real_store(batch, known, lookups)

    monkeypatch.setattr(importer, "_store_all", store_then_crash)
    with pytest.raises(KeyboardInterrupt):
        import_articles(paths=[tmp_path], batch_size=2)
    assert ids("coal") == set(Article.objects.values_list("id", flat=True))
    assert Article.objects.count() == 2  # the first batch; the second rolled back whole


def test_a_failed_index_write_is_kept_and_applied_later(index, monkeypatch, django_capture_on_commit_callbacks):
    def locked(*args, **kwargs):
        raise LockError("index is locked by another process")

    monkeypatch.setattr(sync, "index_writer", locked)
    with django_capture_on_commit_callbacks(execute=True):
        article = make_article("Hydropower dam", "A new hydropower dam on the Ili river.")
    assert Article.objects.filter(id=article.id).exists()  # the change itself is committed
    assert PendingIndexUpdate.objects.filter(article_id=article.id).exists()
    monkeypatch.undo()
    assert ids("hydropower") == set()

    call_command("update_index", verbosity=0)
    assert ids("hydropower") == {article.id}
    assert PendingIndexUpdate.objects.count() == 0


def test_the_next_commit_drains_what_an_earlier_one_left(index, monkeypatch, django_capture_on_commit_callbacks):
    real_writer = sync.index_writer
    calls = {"n": 0}

    def flaky(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 1:
            raise OSError(28, "No space left on device")
        return real_writer(*args, **kwargs)

    monkeypatch.setattr(sync, "index_writer", flaky)
    with django_capture_on_commit_callbacks(execute=True):
        first = make_article("Hydropower dam", "A new hydropower dam.")
    with django_capture_on_commit_callbacks(execute=True):
        second = make_article("Hydropower plant", "Another hydropower plant.")
    assert ids("hydropower") == {first.id, second.id}


def test_a_crash_mid_write_leaves_the_old_index_and_the_queue(index, monkeypatch, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        article = make_article("Coal plant", "A coal plant in Ekibastuz.")

    def explode(ids):
        raise RuntimeError("process killed")
        yield

    monkeypatch.setattr(sync, "documents", explode)
    with django_capture_on_commit_callbacks(execute=True):
        article.body = "A gas plant in Ekibastuz."
        article.save()
    # The writer was cancelled: the old document stands and the change stays queued.
    assert ids("coal") == {article.id} and ids("gas") == set()
    assert PendingIndexUpdate.objects.count() == 1
    monkeypatch.undo()
    sync.drain_queue()
    assert ids("gas") == {article.id}
    assert PendingIndexUpdate.objects.count() == 0


def test_check_index_reports_missing_stale_and_orphaned(reindex, capsys):
    kept = make_article("Kept", "Kept text.")
    changed = make_article("Changed", "Old text.")
    deleted = make_article("Deleted", "Gone text.")
    reindex()
    call_command("check_index")
    assert "matches the database" in capsys.readouterr().out

    # Changes made behind the index's back (as a crash between commit and drain would leave them).
    Article.objects.filter(id=changed.id).update(body="New text.")
    Article.objects.filter(id=deleted.id).delete()
    missing = make_article("Missing", "Never indexed.")
    PendingIndexUpdate.objects.all().delete()

    drift = find_drift()
    assert drift.missing == [missing.id]
    assert drift.stale == [changed.id]
    assert drift.orphaned == [deleted.id]
    with pytest.raises(CommandError, match="drifted"):
        call_command("check_index")
    out = capsys.readouterr().out
    assert f"1 missing: {missing.id}" in out and f"1 stale: {changed.id}" in out and f"1 orphaned: {deleted.id}" in out

    call_command("rebuild_index", verbosity=0)
    assert find_drift().clean
    assert kept.id in ids("kept")


def test_a_schema_version_change_is_detected_and_rebuilt(reindex, monkeypatch):
    article = make_article("Wind", "Wind text.")
    reindex()
    assert search_index.index_state() == "ok"
    monkeypatch.setattr(search_index, "SCHEMA_VERSION", 999)
    assert search_index.index_state() == "outdated"
    with pytest.raises(search_index.IndexUnavailable):
        run_search(parse_query("wind"))
    call_command("update_index", verbosity=0)
    assert search_index.index_state() == "ok"
    assert search_index.stored_version() == 999
    assert ids("wind") == {article.id}


def test_rebuild_with_two_processes_gives_the_same_index(reindex):
    for n in range(30):
        make_article(f"Article {n}", f"Text number {n} about the steppe.")
    sync.rebuild_index(procs=2, batch_size=7)
    assert len(ids("steppe")) == 30
    assert find_drift().clean


def test_a_held_writer_lock_keeps_the_change_queued_and_a_dead_holder_holds_nothing(
    index, tmp_path, django_capture_on_commit_callbacks, capsys
):
    """A real lock held by another process: the change waits in the queue, update_index says so, and
    once the holder has ended (here killed) the lock is free without anyone removing a file."""
    import signal
    import subprocess
    import sys

    from search.index import LOCK_FILE, lock_holder, root_dir

    holder = subprocess.Popen(
        [sys.executable, "-c", "import fcntl, os, sys, time; fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT);"
         "fcntl.flock(fd, fcntl.LOCK_EX); os.ftruncate(fd, 0); os.write(fd, str(os.getpid()).encode());"
         "print('held', flush=True);"
         "time.sleep(60)", str(root_dir() / LOCK_FILE)],
        stdout=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        assert lock_holder() == holder.pid
        with django_capture_on_commit_callbacks(execute=True):
            article = make_article("Hydropower dam", "A new hydropower dam on the Ili river.")
        assert PendingIndexUpdate.objects.filter(article_id=article.id).exists()
        with pytest.raises(CommandError, match="Nothing was changed"):
            call_command("update_index", verbosity=0, wait=0.3)
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait()
    assert lock_holder() is None
    call_command("update_index", verbosity=0)
    assert ids("hydropower") == {article.id}
