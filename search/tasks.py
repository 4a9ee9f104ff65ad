"""The index's background job: apply the queue of pending index updates.

Saves write their pending row in the same transaction (search/sync.py) and, after the
commit, ask for this job; no web request waits for the index lock. The worker also
looks for queued rows every few seconds, so a change whose request died before asking
is applied all the same.
"""

from __future__ import annotations

from django.db import transaction

from archive.jobs import Progress, enqueue, handler, register_periodic_check
from archive.models import Job, JobStatus, Mention
from search.index import IndexUnavailable, index_state
from search.queue import in_step
from search.sync import drain_queue, queue_articles

# How long the job waits for the index's write lock before it fails (and is retried).
LOCK_TIMEOUT = 10.0


@handler("apply_index_queue")
def apply_index_queue(*, progress: Progress) -> dict:
    progress(0, None, "Updating the search index")
    try:
        done = drain_queue(timeout=LOCK_TIMEOUT)
    except IndexUnavailable:
        return {"skipped": "no search index yet: run rebuild_index"}
    progress(done, done)
    return {"articles": done}


def apply_index_queue_later() -> Job:
    """Ask for the queue to be applied; a request that is already waiting to run is reused."""
    return enqueue("apply_index_queue", label="Apply queued changes to the search index", dedupe=True)


RELATED_ARTICLES = {
    "entity": lambda pk: Mention.objects.filter(entity_id=pk).values_list("article_id", flat=True),
}


@handler("queue_index_updates")
def queue_related(*, progress: Progress, kind: str, pk: int) -> dict:
    """Queue for reindexing every article an edited entity is named in (their documents hold its names)."""
    ids = list(RELATED_ARTICLES[kind](pk))
    with transaction.atomic():
        queue_articles(ids)  # the apply job is asked for after this commits
    return {"articles": len(ids)}


def queue_related_later(*, kind: str, pk: int) -> Job:
    waiting = Job.objects.filter(name="queue_index_updates", status=JobStatus.QUEUED, attempts=0,
                                 params__kind=kind, params__pk=pk).first()
    if waiting is not None:
        return waiting  # several edits of one entity in one save share one job
    return enqueue("queue_index_updates", label=f"Queue the articles of {kind} #{pk} for the search index",
                   kind=kind, pk=pk)


def _queue_waiting() -> None:
    # The queue is a log each index follows from its own position: what counts is whether
    # this index is behind, not whether rows exist.
    if index_state() == "ok" and not in_step():
        apply_index_queue_later()


register_periodic_check(_queue_waiting)
