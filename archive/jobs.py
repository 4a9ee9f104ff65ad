"""Background jobs: heavy work that no web request waits for.

A ``Job`` row is what people see and what survives a worker's restart (its progress,
attempts, last error and result); the Django tasks API carries "run job N" to a
worker, through the backend chosen in settings (``django_tasks_db`` by default, RQ
with Redis for larger installations). Handlers are plain functions registered by
name with ``@handler``; ``enqueue(name, **params)`` is how the admin, the services
and the index queue ask for work.

Failures are retried ``max_attempts`` times in all, with a growing pause, then the job
is shown as failed with its traceback. A worker that dies mid-job leaves the job
"running"; the next worker to look (``recover_jobs``, at start and every few
seconds) sees that its process is gone or silent and queues it again.
"""

from __future__ import annotations

import datetime as dt
import importlib
import logging
import os
import socket
import tempfile
import threading
import time
import traceback
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django_tasks import task
from django_tasks.exceptions import TaskResultDoesNotExist

from archive.models import Entity, Job, JobStatus, UploadedFile

logger = logging.getLogger(__name__)

Handler = Callable[..., "dict | None"]
HANDLERS: dict[str, Handler] = {}

# The first retry waits this long, the next twice as long, and so on.
RETRY_DELAY = dt.timedelta(seconds=10)
# A running job whose worker has not been heard of for this long is taken as lost.
STALE_AFTER = dt.timedelta(minutes=2)
# A queued job that no task carries (an enqueue lost between commit and delivery) is sent again after this.
UNDELIVERED_AFTER = dt.timedelta(minutes=1)
# Finished jobs of these kinds are many and dull; they are pruned after a day.
ROUTINE_JOBS = {"apply_index_queue", "queue_index_updates"}
ROUTINE_KEPT = dt.timedelta(days=1)


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def handler(name: str) -> Callable[[Handler], Handler]:
    """Register ``func(*, progress, **params)`` as the job called ``name``."""

    def register(func: Handler) -> Handler:
        HANDLERS[name] = func
        return func

    return register


def enqueue(name: str, *, label: str = "", dedupe: bool = False, **params) -> Job:
    """Record a job and hand it to the task backend; returns at once.

    With ``dedupe``, a job of the same name that is queued and not yet started is
    reused: it will see this request's changes too (it reads them when it starts).
    """
    if name not in HANDLERS:
        raise ValueError(f"No job called {name!r}")
    if dedupe:
        waiting = Job.objects.filter(name=name, status=JobStatus.QUEUED, attempts=0).first()
        if waiting is not None:
            return waiting
    job = Job.objects.create(
        name=name, label=label[:300] or name.replace("_", " ").capitalize(), params=params,
        max_attempts=max(1, settings.JOB_MAX_ATTEMPTS),
    )
    _deliver(job.pk)
    return job


def _deliver(job_id: int, run_after: dt.datetime | None = None) -> None:
    """Send "run job N" to the backend: inside the caller's transaction when the backend
    keeps its queue in the same database (both commit or neither), after the commit otherwise
    (a Redis worker must not start before the job's row is visible)."""
    if _joins_transaction():
        _send(job_id, run_after)
    else:
        transaction.on_commit(lambda: _send(job_id, run_after))


def _joins_transaction() -> bool:
    from django_tasks.backends.immediate import ImmediateBackend
    from django_tasks_db import DatabaseBackend

    return isinstance(run_job.get_backend(), DatabaseBackend | ImmediateBackend)


def _send(job_id: int, run_after: dt.datetime | None) -> None:
    chosen = run_job
    if run_after is not None and run_job.get_backend().supports_defer:
        chosen = run_job.using(run_after=run_after)
    try:
        result = chosen.enqueue(job_id)
    except Exception:  # noqa: BLE001 - the job row stays queued; recover_jobs sends it again
        logger.warning("Could not hand job %s to the task backend; a worker will pick it up later.", job_id,
                       exc_info=True)
        return
    Job.objects.filter(pk=job_id).update(task_id=str(result.id)[:64])


@task()
def run_job(job_id: int) -> dict | None:
    """The one task the backend carries: run the job's handler, record the outcome."""
    return execute(job_id)


def execute(job_id: int) -> dict | None:
    now = timezone.now()
    claimed = Job.objects.filter(pk=job_id, status=JobStatus.QUEUED).update(
        status=JobStatus.RUNNING, started=now, heartbeat=now, finished=None, worker=worker_name(),
        attempts=F("attempts") + 1, run_after=None,
    )
    if not claimed:
        return None  # delivered twice, or already finished: nothing to do
    job = Job.objects.get(pk=job_id)
    func = HANDLERS.get(job.name)
    try:
        if func is None:
            raise LookupError(f"No job called {job.name!r} in this version of Dossier.")
        result = func(progress=Progress(job), **job.params)
    except Exception as error:
        _failed(job, error)
        raise
    Job.objects.filter(pk=job_id).update(
        status=JobStatus.SUCCEEDED, result=result, finished=timezone.now(), heartbeat=timezone.now(),
    )
    return result


def _failed(job: Job, error: BaseException) -> None:
    text = "".join(traceback.format_exception(error))[-20000:]
    now = timezone.now()
    if job.attempts < job.max_attempts:
        retry_at = now + RETRY_DELAY * 2 ** (job.attempts - 1)
        Job.objects.filter(pk=job.pk).update(status=JobStatus.QUEUED, error=text, worker="", run_after=retry_at)
        logger.warning("Job %s (%s) failed, attempt %s of %s; trying again.", job.pk, job.name, job.attempts,
                       job.max_attempts)
        _deliver(job.pk, run_after=retry_at)
    else:
        Job.objects.filter(pk=job.pk).update(status=JobStatus.FAILED, error=text, finished=now)
        logger.error("Job %s (%s) failed for good after %s attempts.", job.pk, job.name, job.attempts)


class Progress:
    """What a handler calls as it goes: ``progress(done, total, note)``; written at most twice a second."""

    def __init__(self, job: Job, interval: float = 0.5):
        self.job_id = job.pk
        self.interval = interval
        self.last = 0.0

    def __call__(self, done: int, total: int | None = None, note: str = "") -> None:
        now = time.monotonic()
        if now - self.last < self.interval and (total is None or done < total):
            return
        self.last = now
        fields = {"progress_done": max(0, done), "heartbeat": timezone.now()}
        if total is not None:
            fields["progress_total"] = max(0, total)
        if note:
            fields["progress_note"] = str(note)[:300]
        Job.objects.filter(pk=self.job_id).update(**fields)


def run_again(*, job: Job) -> bool:
    """A failed job is queued again with a fresh set of attempts; returns whether it was failed."""
    if not Job.objects.filter(pk=job.pk, status=JobStatus.FAILED).update(
        status=JobStatus.QUEUED, attempts=0, finished=None, run_after=None, worker=""
    ):
        return False
    _deliver(job.pk)
    return True


# ---- The worker's housekeeping ---------------------------------------------------------------

# Other apps add work the worker checks for every few seconds (search: the index queue).
PeriodicCheck = Callable[[], None]
_periodic_checks: list[PeriodicCheck] = []


def register_periodic_check(check: PeriodicCheck) -> None:
    if check not in _periodic_checks:
        _periodic_checks.append(check)


def recover_jobs(*, now: dt.datetime | None = None) -> int:
    """Queue again the jobs a dead worker left running, and send the queued jobs no task carries.

    Returns how many jobs were sent again.
    """
    now = now or timezone.now()
    host = socket.gethostname()
    sent = 0
    for job in Job.objects.filter(status=JobStatus.RUNNING):
        job_host, _, pid = job.worker.rpartition(":")
        gone = job.heartbeat is None or job.heartbeat < now - STALE_AFTER
        if job_host == host and pid.isdigit() and not _process_alive(int(pid)):
            gone = True
        if not gone:
            continue
        lost = RuntimeError(f"The worker {job.worker or '?'} stopped while running this job.")
        if not Job.objects.filter(pk=job.pk, status=JobStatus.RUNNING, worker=job.worker).update(
            status=JobStatus.QUEUED
        ):
            continue  # it finished meanwhile
        _forget_task(job.task_id, lost)
        if job.attempts < job.max_attempts:
            Job.objects.filter(pk=job.pk).update(error=str(lost), worker="")
            _deliver(job.pk)
            sent += 1
        else:
            Job.objects.filter(pk=job.pk).update(status=JobStatus.FAILED, error=str(lost), finished=now)
    waiting = Job.objects.filter(status=JobStatus.QUEUED, created__lt=now - UNDELIVERED_AFTER).filter(
        Q(run_after__isnull=True) | Q(run_after__lt=now - UNDELIVERED_AFTER)
    )
    for job in waiting:
        if not _task_alive(job.task_id):
            _deliver(job.pk)
            sent += 1
    return sent


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _task_alive(task_id: str) -> bool:
    """Whether the backend still holds an undelivered or running task for this job."""
    backend = run_job.get_backend()
    if not task_id or not backend.supports_get_result:
        return False
    try:
        result = backend.get_result(task_id)
    except (TaskResultDoesNotExist, ValueError):
        return False
    except Exception:  # noqa: BLE001 - the backend cannot tell (Redis down): do not send twice
        return True
    return result.status in ("READY", "RUNNING")


def _forget_task(task_id: str, error: BaseException) -> None:
    """The database backend would show a dead worker's task as running for ever: mark it failed."""
    from django_tasks_db import DatabaseBackend
    from django_tasks_db.models import DBTaskResult

    if task_id and isinstance(run_job.get_backend(), DatabaseBackend):
        for row in DBTaskResult.objects.filter(id=task_id, status="RUNNING"):
            row.set_failed(error)


def housekeeping() -> None:
    """One round of the worker's chores: recover jobs, run the periodic checks, prune routine jobs."""
    Job.objects.filter(status=JobStatus.RUNNING, worker=worker_name()).update(heartbeat=timezone.now())
    recover_jobs()
    for check in list(_periodic_checks):
        try:
            check()
        except Exception:  # noqa: BLE001 - one failing check must not stop the others or the worker
            logger.warning("Periodic check %s failed", getattr(check, "__name__", check), exc_info=True)
    Job.objects.filter(
        name__in=ROUTINE_JOBS, status=JobStatus.SUCCEEDED, finished__lt=timezone.now() - ROUTINE_KEPT
    ).delete()


def start_housekeeping(interval: float = 5.0) -> threading.Event:
    """Run ``housekeeping`` every ``interval`` seconds in a daemon thread; set the event to stop it."""
    from django.db import close_old_connections, connection

    stop = threading.Event()

    def loop() -> None:
        while not stop.is_set():
            try:
                close_old_connections()
                housekeeping()
            except Exception:  # noqa: BLE001 - a locked database now is not a reason to stop for good
                logger.warning("Job housekeeping failed; trying again shortly.", exc_info=True)
            stop.wait(interval)
        connection.close()

    threading.Thread(target=loop, name="dossier-housekeeping", daemon=True).start()
    return stop


# ---- Schedules: feed polling and digests -------------------------------------------------------

def schedule_due(name: str, every: dt.timedelta, *, label: str = "") -> Job | None:
    """Queue ``name`` unless one was queued within ``every``; for the worker's periodic checks."""
    if name not in HANDLERS:
        return None
    if Job.objects.filter(name=name, created__gte=timezone.now() - every).exists():
        return None
    if Job.objects.active().filter(name=name).exists():
        return None
    return enqueue(name, label=label)


# ---- The archive's jobs ----------------------------------------------------------------------

RETAG_BATCH = 500


@handler("retag_entity")
def _retag_entity_job(*, progress: Progress, entity_id: int, also: list[int] | None = None) -> dict:
    from archive.services import retag_entity

    entity = Entity.objects.filter(pk=entity_id).first()
    if entity is None:
        return {"skipped": "the entity no longer exists"}
    done = retag_entity(entity=entity, also=also or (), progress=progress)
    return {"articles": done}


@handler("retag_articles")
def _retag_articles_job(*, progress: Progress, article_ids: list[int]) -> dict:
    from archive.services import retag_articles

    return {"articles": retag_articles(ids=article_ids, progress=progress)}


@handler("merge_entities")
def _merge_entities_job(*, progress: Progress, keep_id: int, duplicate_ids: list[int]) -> dict:
    from archive.services import merge_entities

    keep = Entity.objects.filter(pk=keep_id).first()
    if keep is None:
        return {"skipped": "the entity to keep no longer exists"}
    duplicates = list(Entity.objects.filter(pk__in=duplicate_ids))
    progress(0, None, f"Merging {len(duplicates)} entities into {keep}")
    return {"articles": merge_entities(keep=keep, duplicates=duplicates), "merged": len(duplicates)}


@handler("import_upload")
def _import_upload_job(*, progress: Progress, source_id: int | None = None) -> dict:
    """Import the files uploaded with this job (kept in the database until then)."""
    from archive.ingest.importer import import_articles
    from archive.models import Source

    job_id = progress.job_id
    source = Source.objects.filter(pk=source_id).first() if source_id else None
    with tempfile.TemporaryDirectory(prefix="dossier-upload-") as folder:
        root = Path(folder)
        paths = []
        for number, upload in enumerate(UploadedFile.objects.filter(job_id=job_id).iterator(), start=1):
            # A folder per file: two uploads with the same name stay two files.
            place = root / f"{number:04d}"
            place.mkdir()
            (place / upload.name).write_bytes(bytes(upload.content))
            paths.append(place / upload.name)

        def report(where) -> None:
            progress(where.bytes_done, where.bytes_total or None, f"Read {Path(where.current).name}" if where.current
                     else "")

        # Named one by one, as on the command line: each is read in the format its name says.
        result = import_articles(paths=paths, default_source=source, progress=report)

    def shown(name: str) -> str:
        # "/tmp/dossier-upload-x/0001/news.jsonl:3" -> "news.jsonl:3"
        relative = str(name).split(folder, 1)[-1].lstrip("/\\")
        return relative.split("/", 1)[-1] if "/" in relative else relative

    # The import is done: the files' text now lives in the articles; keep only the names.
    UploadedFile.objects.filter(job_id=job_id).update(content=b"")
    return {
        "summary": result.summary(),
        "created": len(result.created),
        "created_ids": list(result.created[:1000]),
        "unchanged": result.unchanged_count,
        "unchanged_examples": [shown(item) for item in result.unchanged],
        "failed": result.failed,
        "failures": [
            {"file": shown(failure.file), "line": failure.line, "reason": failure.reason}
            for failure in result.failures
        ],
        "files": result.files,
    }


# Feed polling and digests are services written with other parts of issue 13:
# ``archive.ingest.polling.fetch_feeds`` and ``archive.saved.send_digests``. These jobs
# call them once they are part of the code, and the worker runs them on a schedule.
FEED_POLL_EVERY = dt.timedelta(minutes=30)
DIGESTS_EVERY = dt.timedelta(days=1)


def _service(module: str, name: str) -> Callable | None:
    try:
        return getattr(importlib.import_module(module), name, None)
    except ModuleNotFoundError as error:
        if error.name == module:
            return None  # not part of this version; any other missing module is a real error
        raise


def _feeds_service() -> Callable | None:
    return _service("archive.ingest.polling", "fetch_feeds")


def _digests_service() -> Callable | None:
    return _service("archive.saved", "send_digests")


@handler("poll_feeds")
def _poll_feeds_job(*, progress: Progress, feed_ids: list[int] | None = None) -> dict:
    service = _feeds_service()
    if service is None:
        return {"skipped": "feed polling is not part of this version"}
    if feed_ids is not None:
        from archive.models import Feed

        report = service(feeds=list(Feed.objects.filter(pk__in=feed_ids).select_related("source")))
    else:
        report = service()
    summary = report.summary() if callable(getattr(report, "summary", None)) else str(report)
    return {"summary": summary}


@handler("send_digests")
def _send_digests_job(*, progress: Progress) -> dict:
    service = _digests_service()
    if service is None:
        return {"skipped": "digests are not part of this version"}
    return {"messages_sent": service()}


def _scheduled_jobs() -> None:
    if _feeds_service() is not None:
        schedule_due("poll_feeds", FEED_POLL_EVERY, label="Poll feeds")
    if _digests_service() is not None:
        schedule_due("send_digests", DIGESTS_EVERY, label="Send digests")


register_periodic_check(_scheduled_jobs)


# ---- What the admin and the services ask for ------------------------------------------------

def retag_entity_later(*, entity: Entity, also: list[int] | tuple = ()) -> Job:
    return enqueue("retag_entity", label=f"Re-tag articles naming “{entity.name}”", entity_id=entity.pk,
                   also=sorted(set(also)))


def retag_articles_later(*, ids: list[int]) -> Job:
    ids = sorted(set(ids))
    return enqueue("retag_articles", label=f"Re-tag {len(ids)} article{'s' if len(ids) != 1 else ''}",
                   article_ids=ids)


def merge_entities_later(*, keep: Entity, duplicates: list[Entity]) -> Job:
    names = ", ".join(d.name for d in duplicates)
    return enqueue("merge_entities", label=f"Merge {names} into “{keep.name}”", keep_id=keep.pk,
                   duplicate_ids=[d.pk for d in duplicates])


def poll_feeds_later(*, feed_ids: list[int]) -> Job:
    return enqueue("poll_feeds", label=f"Poll {len(feed_ids)} feed{'s' if len(feed_ids) != 1 else ''}",
                   feed_ids=sorted(feed_ids))


def import_upload_later(*, files: list, source=None, user: str = "") -> Job:
    """Store the uploaded files with a new import job; ``files`` are Django UploadedFile objects."""
    names = ", ".join(f.name for f in files[:3]) + (f" and {len(files) - 3} more" if len(files) > 3 else "")
    with transaction.atomic():
        job = Job.objects.create(
            name="import_upload", label=f"Import {names}"[:300] + (f" (uploaded by {user})" if user else ""),
            params={"source_id": source.pk if source else None}, max_attempts=max(1, settings.JOB_MAX_ATTEMPTS),
        )
        UploadedFile.objects.bulk_create(
            UploadedFile(job=job, name=Path(f.name).name[:255] or "upload", size=f.size, content=f.read())
            for f in files
        )
        _deliver(job.pk)
    return job
