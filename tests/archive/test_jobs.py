"""Background jobs (archive/jobs.py): delivered by the database or Redis backend, retried, recovered, shown."""

from __future__ import annotations

import datetime as dt
import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from archive import jobs
from archive.models import EntityKind, Job, JobStatus, Mention
from search.models import PendingIndexUpdate
from tests.factories import make_article, make_entity

REPO_ROOT = Path(__file__).resolve().parents[2]
DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# Test-only handlers, registered by name like the real ones.
_calls: list[str] = []


@jobs.handler("test_flaky")
def _flaky(*, progress, fail_times: int) -> dict:
    _calls.append("flaky")
    if len(_calls) <= fail_times:
        raise RuntimeError(f"flaky failure number {len(_calls)}")
    progress(3, 3, "all done")
    return {"calls": len(_calls)}


@pytest.fixture(autouse=True)
def _fresh_calls():
    _calls.clear()


@pytest.fixture
def database_tasks():
    with override_settings(TASKS=DATABASE_TASKS):
        yield


def run_worker_batch():
    call_command("run_worker", batch=True, verbosity=0)


@pytest.mark.django_db(transaction=True)
def test_with_the_database_backend_a_retag_waits_for_the_worker_and_then_is_done(database_tasks):
    goldwind = make_entity("Goldwind", kind=EntityKind.ORGANISATION, aliases=["Xinjiang Goldwind"])
    article = make_article(body="Xinjiang Goldwind delivered turbines.")

    job = jobs.retag_entity_later(entity=goldwind)

    # Enqueued, not run: nothing is tagged until a worker takes it.
    assert Job.objects.get(pk=job.pk).status == JobStatus.QUEUED
    assert not Mention.objects.filter(article=article).exists()
    run_worker_batch()
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED
    assert job.result == {"articles": 1}
    assert job.duration is not None and job.attempts == 1
    assert Mention.objects.filter(article=article, entity=goldwind).exists()


@pytest.mark.django_db(transaction=True)
def test_a_failed_job_is_retried_and_then_succeeds(database_tasks, monkeypatch):
    monkeypatch.setattr(jobs, "RETRY_DELAY", dt.timedelta(0))
    job = jobs.enqueue("test_flaky", fail_times=1)
    run_worker_batch()
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED
    assert job.attempts == 2
    assert "flaky failure number 1" in job.error  # the earlier failure stays visible
    assert job.result == {"calls": 2}
    assert (job.progress_done, job.progress_total, job.progress_note) == (3, 3, "all done")


@pytest.mark.django_db(transaction=True)
def test_a_retry_waits_before_it_runs(database_tasks):
    job = jobs.enqueue("test_flaky", fail_times=1)
    run_worker_batch()
    job.refresh_from_db()
    # The first attempt failed; the second is due in RETRY_DELAY, so this worker run left it alone.
    assert job.status == JobStatus.QUEUED and job.attempts == 1
    assert job.run_after > timezone.now()
    assert _calls == ["flaky"]


@pytest.mark.django_db(transaction=True)
def test_a_job_that_keeps_failing_is_shown_as_failed_with_its_error(database_tasks, monkeypatch, client):
    monkeypatch.setattr(jobs, "RETRY_DELAY", dt.timedelta(0))
    job = jobs.enqueue("test_flaky", fail_times=99)
    run_worker_batch()
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.attempts == job.max_attempts == 3
    assert _calls == ["flaky"] * 3
    admin = get_user_model().objects.create_superuser("admin", "", "pw-for-tests-only")
    client.force_login(admin)
    listing = client.get("/admin/archive/job/?status=failed").content.decode()
    assert "Test flaky" in listing and "Failed" in listing
    page = client.get(f"/admin/archive/job/{job.pk}/change/").content.decode()
    assert "RuntimeError: flaky failure number 3" in page
    assert "3 of 3" in page

    # An editor can run it again, with fresh attempts.
    client.post("/admin/archive/job/", {"action": "run_again", "_selected_action": [job.pk]})
    job.refresh_from_db()
    assert job.status == JobStatus.QUEUED and job.attempts == 0


@pytest.mark.django_db
def test_the_admin_shows_a_running_job_with_its_progress(client):
    job = Job.objects.create(name="retag_entity", label="Re-tag articles naming “Tokayev”",
                             status=JobStatus.RUNNING, progress_done=1500, progress_total=6000,
                             progress_note="Re-tagged 1500 articles", started=timezone.now())
    admin = get_user_model().objects.create_superuser("admin", "", "pw-for-tests-only")
    client.force_login(admin)
    listing = client.get("/admin/archive/job/").content.decode()
    assert "Re-tag articles naming “Tokayev”" in listing
    assert '<progress value="25" max="100">' in listing and "(1,500 of 6,000)" in listing
    assert 'http-equiv="refresh"' in listing  # the list follows running jobs by itself
    assert job.percent == 25


@pytest.mark.django_db(transaction=True)
def test_a_job_whose_worker_died_is_queued_again_and_run(database_tasks):
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    job = jobs.enqueue("test_flaky", fail_times=0)
    # As a worker leaves it when it is killed mid-job: running, claimed by a process that is gone.
    Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, attempts=1, heartbeat=timezone.now(),
                                         worker=f"{socket.gethostname()}:{dead.pid}", started=timezone.now())
    run_worker_batch()
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED
    assert job.attempts == 2
    assert "stopped while running" in job.error


@pytest.mark.django_db(transaction=True)
def test_a_running_job_on_another_host_is_recovered_only_when_it_falls_silent(database_tasks):
    job = jobs.enqueue("test_flaky", fail_times=0)
    Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, attempts=1, worker="elsewhere:123",
                                         heartbeat=timezone.now())
    assert jobs.recover_jobs() == 0
    Job.objects.filter(pk=job.pk).update(heartbeat=timezone.now() - jobs.STALE_AFTER - dt.timedelta(seconds=1))
    assert jobs.recover_jobs() == 1
    assert Job.objects.get(pk=job.pk).status == JobStatus.QUEUED


@pytest.mark.django_db(transaction=True)
def test_a_queued_job_no_task_carries_is_sent_again(database_tasks):
    from django_tasks_db.models import DBTaskResult

    job = jobs.enqueue("test_flaky", fail_times=0)
    DBTaskResult.objects.all().delete()  # the delivery was lost
    assert jobs.recover_jobs() == 0  # too young to call lost
    Job.objects.filter(pk=job.pk).update(created=timezone.now() - dt.timedelta(minutes=5))
    assert jobs.recover_jobs() == 1
    run_worker_batch()
    assert Job.objects.get(pk=job.pk).status == JobStatus.SUCCEEDED


@pytest.mark.django_db(transaction=True)
def test_a_save_queues_the_index_update_and_a_job_applies_it(database_tasks, index, monkeypatch):
    from search import sync
    from search.query import parse_query
    from search.service import run_search

    writers = []
    real_writer = sync.index_writer

    def counting_writer(*args, **kwargs):
        writers.append(kwargs)
        return real_writer(*args, **kwargs)

    monkeypatch.setattr(sync, "index_writer", counting_writer)
    article = make_article("Hydropower dam", "A new hydropower dam on the Ili river.")
    make_article("Hydropower plant", "Another hydropower plant.")
    # The saves returned without opening the index: their rows wait, with one job to apply them.
    assert writers == []
    assert PendingIndexUpdate.objects.count() == 2
    assert Job.objects.filter(name="apply_index_queue").count() == 1
    run_worker_batch()
    assert len(writers) == 1
    assert PendingIndexUpdate.objects.count() == 0
    hits = run_search(parse_query("hydropower"), sort="newest")
    assert article.id in {hit.article.id for hit in hits.hits}


@pytest.mark.django_db(transaction=True)
def test_the_worker_applies_queued_index_rows_nobody_asked_a_job_for(database_tasks, index):
    article = make_article("Coal plant", "A coal plant in Ekibastuz.")
    Job.objects.all().delete()  # as if the request died between its commit and asking for the job
    assert PendingIndexUpdate.objects.filter(article_id=article.id).exists()
    jobs.housekeeping()
    run_worker_batch()
    assert PendingIndexUpdate.objects.count() == 0
    # In step: the next rounds ask for nothing.
    asked = Job.objects.filter(name="apply_index_queue").count()
    jobs.housekeeping()
    assert Job.objects.filter(name="apply_index_queue").count() == asked == 1


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_job_leaves_it_for_the_next_worker(tmp_path):
    """The real thing: a worker process is killed with SIGKILL during a job; a new worker finishes it."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DOSSIER_", "DATABASE_", "SEARCH_"))}
    env.update(DJANGO_SETTINGS_MODULE="config.settings", DOSSIER_DATA_DIR=str(tmp_path),
               DOSSIER_TASKS_BACKEND="database", PYTHONPATH=str(REPO_ROOT))
    marker = tmp_path / "started"
    script = textwrap.dedent(f"""
        import sys, time
        from pathlib import Path
        import django
        django.setup()
        from django.core.management import call_command
        from archive import jobs

        @jobs.handler("slow_once")
        def slow_once(*, progress):
            marker = Path({str(marker)!r})
            if not marker.exists():
                marker.write_text("x")
                time.sleep(120)  # killed here
            return {{"finished": True}}

        if sys.argv[1] == "enqueue":
            print(jobs.enqueue("slow_once").pk)
        elif sys.argv[1] == "work":
            call_command("run_worker", interval=0.2, verbosity=0)
        else:
            call_command("run_worker", batch=True, verbosity=0)
            from archive.models import Job
            job = Job.objects.get(name="slow_once")
            print(job.status, job.attempts, job.result)
    """)
    (tmp_path / "script.py").write_text(script)

    def run(*args, **kwargs):
        return subprocess.run([sys.executable, str(tmp_path / "script.py"), *args], cwd=REPO_ROOT, env=env,
                              capture_output=True, text=True, timeout=120, **kwargs)

    migrate = subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=REPO_ROOT, env=env,
                             capture_output=True, text=True, timeout=120)
    assert migrate.returncode == 0, migrate.stderr
    assert run("enqueue").returncode == 0
    worker = subprocess.Popen([sys.executable, str(tmp_path / "script.py"), "work"], cwd=REPO_ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while not marker.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert marker.exists(), "the worker never started the job"
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=30)
    finished = run("finish")
    assert finished.returncode == 0, finished.stderr
    assert finished.stdout.strip().splitlines()[-1] == "succeeded 2 {'finished': True}"


def redis_available() -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(REDIS_TEST_URL, socket_connect_timeout=1).ping())
    except redis.exceptions.ConnectionError:
        return False


REDIS_TEST_URL = os.environ.get("DOSSIER_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


@pytest.fixture
def redis_tasks():
    if not redis_available():
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"Redis is required in CI at {REDIS_TEST_URL}")
        pytest.skip(f"no Redis at {REDIS_TEST_URL}")
    import django_rq
    import redis

    # The task's queue is "default"; the test's own Redis database keeps it apart from a running app.
    queue_name = "default"
    settings = {
        "TASKS": {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": [queue_name]}},
        "RQ_QUEUES": {queue_name: {"URL": REDIS_TEST_URL}},
    }
    with override_settings(**settings):
        yield queue_name
        django_rq.get_queue(queue_name).empty()
    redis.Redis.from_url(REDIS_TEST_URL).flushdb()


@pytest.mark.django_db
def test_with_the_redis_backend_a_job_is_queued_in_redis_after_the_commit_and_run_by_an_rq_worker(
    redis_tasks, django_capture_on_commit_callbacks
):
    import django_rq
    from django_tasks_rq import Job as RQJob
    from rq.worker import SimpleWorker

    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            job = jobs.enqueue("test_flaky", fail_times=0)
            queue = django_rq.get_queue(redis_tasks)
            assert queue.count == 0  # not before the commit: the worker could not see the row yet
    assert queue.count == 1
    assert Job.objects.get(pk=job.pk).task_id
    worker = SimpleWorker([django_rq.get_queue(redis_tasks, job_class=RQJob)], connection=queue.connection,
                          job_class=RQJob)
    worker.work(burst=True)
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED and job.result == {"calls": 1}


@pytest.mark.django_db
def test_feed_polling_and_digests_run_on_a_schedule_through_their_services(monkeypatch):
    class Report:
        def summary(self) -> str:
            return "2 feeds polled: 5 new articles, 0 feeds failing"

    monkeypatch.setattr(jobs, "_feeds_service", lambda: lambda: Report())
    monkeypatch.setattr(jobs, "_digests_service", lambda: lambda: 3)
    jobs.housekeeping()  # the tests' immediate backend runs what it queues at once
    assert Job.objects.get(name="poll_feeds").result == {"summary": "2 feeds polled: 5 new articles, 0 feeds failing"}
    assert Job.objects.get(name="send_digests").result == {"messages_sent": 3}
    jobs.housekeeping()  # not again before the next period
    assert Job.objects.filter(name__in=["poll_feeds", "send_digests"]).count() == 2
    Job.objects.filter(name="poll_feeds").update(created=timezone.now() - jobs.FEED_POLL_EVERY)
    jobs.housekeeping()
    assert Job.objects.filter(name="poll_feeds").count() == 2
    assert Job.objects.filter(name="send_digests").count() == 1


@pytest.mark.django_db
def test_without_the_services_nothing_is_scheduled(monkeypatch):
    monkeypatch.setattr(jobs, "_feeds_service", lambda: None)
    monkeypatch.setattr(jobs, "_digests_service", lambda: None)
    jobs.housekeeping()
    assert not Job.objects.filter(name__in=["poll_feeds", "send_digests"]).exists()


@pytest.mark.django_db(transaction=True)
def test_an_alias_of_an_entity_named_in_many_articles_is_indexed_by_jobs_not_by_the_request(database_tasks, index,
                                                                                           monkeypatch):
    from archive.models import Alias
    from search import sync
    from search.query import parse_query
    from search.service import run_search

    monkeypatch.setattr(sync, "INLINE_QUEUE_LIMIT", 2)
    samruk = make_entity("Samruk-Kazyna", kind=EntityKind.ORGANISATION)
    articles = [make_article(f"Fund report {n}", f"Samruk-Kazyna report number {n}.", mentions=[samruk])
                for n in range(3)]
    run_worker_batch()
    PendingIndexUpdate.objects.all().delete()
    Job.objects.all().delete()

    with transaction.atomic():
        Alias.objects.create(entity=samruk, name="National Welfare Fund")
    # The save wrote one job row, not a queue row per article.
    assert PendingIndexUpdate.objects.count() == 0
    assert list(Job.objects.values_list("name", flat=True)) == ["queue_index_updates"]
    run_worker_batch()
    assert PendingIndexUpdate.objects.count() == 0
    assert set(Job.objects.values_list("status", flat=True)) == {JobStatus.SUCCEEDED}
    found = run_search(parse_query('"national welfare fund"'), per_page=10)
    assert {hit.article.id for hit in found.hits} == {a.id for a in articles}


@pytest.mark.django_db
def test_the_poll_feeds_job_calls_the_feed_service_for_the_chosen_feeds(monkeypatch, client):
    from archive.models import Feed

    polled = []

    class Report:
        def summary(self) -> str:
            return "1 feed polled"

    def fake_fetch_feeds(*, feeds=None):
        polled.append(feeds)
        return Report()

    monkeypatch.setattr(jobs, "_feeds_service", lambda: fake_fetch_feeds)
    feed = Feed.objects.create(url="https://news.example/feed.xml")
    Feed.objects.create(url="https://other.example/feed.xml")
    admin = get_user_model().objects.create_superuser("admin", "", "pw-for-tests-only")
    client.force_login(admin)
    response = client.post("/admin/archive/feed/", {"action": "poll_now", "_selected_action": [feed.pk]}, follow=True)
    assert "Poll 1 feed runs in the background" in response.content.decode()
    assert [[f.pk for f in feeds] for feeds in polled] == [[feed.pk]]
    assert Job.objects.get(name="poll_feeds").result == {"summary": "1 feed polled"}


def test_the_real_feed_polling_service_is_the_one_the_job_calls():
    from archive.ingest.polling import fetch_feeds

    assert jobs._feeds_service() is fetch_feeds
