"""Keeps the index in step with the database.

Every change to an article (or to what its index document holds: tags, source,
mentioned entities and their aliases) queues the article in ``PendingIndexUpdate``
inside the same transaction. After the commit, the queue is drained with one
writer. If that fails (lock held, disk full, process killed) the rows stay and
are drained by the next commit or by ``update_index``; nothing is lost.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete
from whoosh.index import LockError

from archive.models import Alias, Article, Entity, Mention, Source, Tag
from archive.signals import articles_changed, bulk_finished, in_bulk, in_bulk_operation
from search import queue
from search.index import IndexUnavailable, index_state, index_writer, searcher
from search.models import PendingIndexUpdate
from search.schema import documents

logger = logging.getLogger(__name__)


def queue_articles(ids: Iterable[int]) -> None:
    """Record that these articles need reindexing, and drain the queue after commit."""
    rows = [PendingIndexUpdate(article_id=i) for i in dict.fromkeys(ids)]
    if not rows:
        return
    PendingIndexUpdate.objects.bulk_create(rows, batch_size=1000)
    if in_bulk_operation():
        # Indexed while the operation goes on (see _Stream), or once when it has finished.
        ids = [row.article_id for row in rows]
        transaction.on_commit(lambda: _stream().feed(ids))
        return
    # After the commit a background job applies the queue (no request waits for the index
    # lock); several changes in one commit, or while a job waits, share one job.
    transaction.on_commit(apply_queue_soon)


# From this many queued articles on, the drain writes with two processes.
PARALLEL_DRAIN_FROM = 2000


def drain_queue(*, timeout: float = 10.0, limit: int | None = None) -> int:
    """Apply every change this index has not applied yet, with one writer; returns how many articles were refreshed.

    The index follows the queue from its own recorded position (``search/queue.py``), so
    several indexes (one per server) can follow one database. With ``limit``, at most
    that many queue rows, in one process (a web server's follower: never bulk work).

    An archive that has no index yet gets one, built from the database: its first
    import, upload or edit makes search work without anyone running ``rebuild_index``.
    """
    if limit is None and index_state() == "missing":
        return rebuild_index()
    current = queue.Position.load()
    if queue.was_forgotten(current):
        logger.warning("This index was away longer than the queue keeps changes; rebuilding it.")
        return rebuild_index()
    batch = queue.pending(current, limit=limit)
    if not batch.rows and current is not None and batch.after == current:
        return 0
    # Rows this process's bulk stream has already written need no second write.
    ids = sorted({article_id for row_id, article_id in batch.rows if row_id not in _streamed_rows})
    if ids:
        options = _parallel_options() if len(ids) >= PARALLEL_DRAIN_FROM and not limit else {}
        with index_writer(timeout=timeout, **options) as writer:
            if queue.Position.load() != current:
                # Another process of this server applied changes while this one waited for
                # the lock: take only what is still left.
                batch = queue.pending(limit=limit)
                ids = sorted({article_id for row_id, article_id in batch.rows if row_id not in _streamed_rows})
            _write_articles(writer, ids)
    queue.commit(batch.after)
    _streamed_rows.difference_update(batch.row_ids)
    return len(ids)


# Queue rows whose articles the bulk stream wrote and committed in this process; the
# drain that follows the stream passes over them without writing them again.
_streamed_rows: set[int] = set()


def _write_articles(writer, ids: list[int]) -> None:
    """Give the writer the current document of each article; articles gone from the database leave the index."""
    with searcher() as current:
        indexed = {i for i in ids if current.document_number(id=str(i)) is not None}
    found = set()
    for article, document in documents(ids):  # a few queries per 500 articles
        # New articles (most of an import) need no delete first.
        if article.id in indexed:
            writer.update_document(**document)
        else:
            writer.add_document(**document)
        found.add(article.id)
    for gone in (set(ids) - found) & indexed:
        writer.delete_by_term("id", str(gone))


def _parallel_options(procs: int = 2) -> dict:
    # Two segments and no final merge: the merge is what makes Whoosh's parallel
    # writer barely faster than one process (see PERFORMANCE.md).
    return {"procs": procs, "limitmb": 256, "multisegment": True}


def apply_queue_soon() -> None:
    """Ask a background job to apply the queue (search/tasks.py); if even asking fails, the
    rows stay queued and the worker's periodic check finds them."""
    from search.tasks import apply_index_queue_later

    try:
        apply_index_queue_later()
    except Exception:  # noqa: BLE001 - the change is committed and queued; the index catches up later
        logger.warning("Could not queue the index update job; the worker will find the queued rows.",
                       exc_info=True)


def drain_queue_quietly(timeout: float = 2.0) -> None:
    """The after-commit drain: a failure is logged and the queue kept for later, never raised."""
    try:
        drain_queue(timeout=timeout)
    except IndexUnavailable as error:
        logger.info("Search index unavailable (%s); changes stay queued until rebuild_index.", error)
    except LockError:
        # Another process is writing the index (an import, a follower): an ordinary
        # moment, not a failure. The change is queued; the writer that holds the lock or
        # the next drain applies it.
        logger.info("Search index busy; changes stay queued for the next drain.")
    except Exception:  # noqa: BLE001 - the change is committed and queued; the index catches up later
        logger.warning("Search index update failed; changes stay queued for update_index.", exc_info=True)


# Per-row signals from edits made one at a time. Bulk work sends articles_changed.

def _article_saved(sender, instance, **kwargs):
    if not in_bulk() and not kwargs.get("raw"):
        queue_articles([instance.pk])


def _article_deleted(sender, instance, **kwargs):
    if not in_bulk():
        queue_articles([instance.pk])


def _mention_changed(sender, instance, **kwargs):
    if not in_bulk() and not kwargs.get("raw"):
        queue_articles([instance.article_id])


def _tags_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if in_bulk() or action not in {"post_add", "post_remove", "pre_clear"}:
        return
    if not reverse:
        queue_articles([instance.pk])
    elif action == "pre_clear":
        queue_articles(instance.articles.values_list("id", flat=True))
    else:
        queue_articles(pk_set or ())


# An edit that touches more articles than this (renaming an entity named in 36,000 of them)
# has them queued by a background job, recorded in the same transaction, instead of
# writing tens of thousands of queue rows inside the request.
INLINE_QUEUE_LIMIT = 500


def _queue_or_defer(ids, *, kind: str, pk: int) -> None:
    first = list(ids[: INLINE_QUEUE_LIMIT + 1])
    if len(first) <= INLINE_QUEUE_LIMIT:
        queue_articles(first)
        return
    from search.tasks import queue_related_later

    queue_related_later(kind=kind, pk=pk)


def _entity_changed(sender, instance, **kwargs):
    if not in_bulk() and not kwargs.get("raw") and instance.pk:
        queue_articles(Mention.objects.filter(entity_id=instance.pk).values_list("article_id", flat=True))


def _entity_saved(sender, instance, **kwargs):
    if not in_bulk() and not kwargs.get("raw") and instance.pk:
        _queue_or_defer(Mention.objects.filter(entity_id=instance.pk).values_list("article_id", flat=True),
                        kind="entity", pk=instance.pk)


def _alias_changed(sender, instance, **kwargs):
    if not in_bulk() and not kwargs.get("raw"):
        _queue_or_defer(Mention.objects.filter(entity_id=instance.entity_id).values_list("article_id", flat=True),
                        kind="entity", pk=instance.entity_id)


def _source_or_tag_changed(sender, instance, **kwargs):
    if not in_bulk() and not kwargs.get("raw"):
        queue_articles(instance.articles.values_list("id", flat=True))


def _bulk_articles_changed(sender, ids, **kwargs):
    queue_articles(ids)


def _bulk_finished(sender, **kwargs):
    _stream().finish()
    drain_queue_quietly(timeout=60.0)


# Each writer process of the stream closes a segment once it holds this many documents
# (later ones grow by half: six per process for 100,000 articles, 12 for a million), so
# most segments are written while the import goes on, and its end waits only for the
# last one instead of everything (over a minute and a half at 100,000 articles on two
# cores). Searches read a few more segments until the next rebuild.
STREAM_SEGMENT_DOCS = 5000


class _Stream:
    """Indexing that keeps pace with a long bulk operation, in two writer processes.

    An import stores a batch, commits it, and goes on to the next; indexing the whole
    import only at the end would leave the second core idle while the first stores.
    Once ``PARALLEL_DRAIN_FROM`` articles have been committed, a two-process writer is
    opened and every committed batch is handed to it, so the writer processes index
    while this one parses, stores and tags the next batches. The queue rows of the
    articles handed over are deleted only after the writer has committed; anything
    that fails leaves them for the ordinary drain, which runs after the stream in any
    case (a row queued again meanwhile is newer and stays).
    """

    def __init__(self):
        self.waiting: list[int] = []
        self.writer = None
        self.closing = None
        self.rows: list[int] = []
        self.fed: set[int] = set()
        self.failed = False

    def feed(self, ids: list[int]) -> None:
        if self.failed or not in_bulk_operation():
            return  # after the operation its drain has run; these rows wait for the next one
        self.waiting.extend(ids)
        if self.writer is None and len(self.waiting) < PARALLEL_DRAIN_FROM:
            return
        try:
            if self.writer is None:
                if index_state() == "missing":
                    rebuild_index()  # a new archive: what is committed so far, then the rest as it comes
                self.closing = index_writer(timeout=2.0, segment_docs=STREAM_SEGMENT_DOCS, **_parallel_options())
                self.writer = self.closing.__enter__()
            self._write(self.waiting)
        except Exception:  # noqa: BLE001 - the rows stay queued; the drain at the end retries
            logger.warning("Indexing during the bulk operation failed; the drain at its end will retry.",
                           exc_info=True)
            self._abandon()
        self.waiting = []

    def _write(self, ids: list[int]) -> None:
        # An article handed over twice stays queued the second time: a writer cannot
        # replace a document it has not committed yet. The drain afterwards updates it.
        ids = sorted(set(ids) - self.fed)
        self.fed.update(ids)
        # Read before writing: the rows these documents answer for (newer ones stay queued).
        self.rows.extend(PendingIndexUpdate.objects.filter(article_id__in=ids).values_list("id", flat=True))
        _write_articles(self.writer, ids)

    def _abandon(self) -> None:
        self.failed = True
        if self.closing is not None:
            try:
                self.closing.__exit__(RuntimeError, RuntimeError("abandoned"), None)  # cancels the writer
            except Exception:  # noqa: BLE001 - cancelling is best effort; the rows stay queued
                logger.debug("cancelling the bulk writer failed", exc_info=True)
        self.writer = self.closing = None
        self.rows = []

    def finish(self) -> None:
        """Commit what was handed over and forget those rows; reset for the next operation."""
        try:
            if self.writer is not None and not self.failed:
                if self.waiting:
                    self._write(self.waiting)
                self.closing.__exit__(None, None, None)  # commits
                _streamed_rows.update(self.rows)
        except Exception:  # noqa: BLE001 - the rows stay queued for the drain that follows
            logger.warning("Committing the bulk index writer failed; the drain will retry.", exc_info=True)
            self._abandon()
        finally:
            _local.stream = None


_local = threading.local()


def _stream() -> _Stream:
    if getattr(_local, "stream", None) is None:
        _local.stream = _Stream()
    return _local.stream


def connect_signals() -> None:
    post_save.connect(_article_saved, sender=Article, dispatch_uid="search.article_saved")
    post_delete.connect(_article_deleted, sender=Article, dispatch_uid="search.article_deleted")
    post_save.connect(_mention_changed, sender=Mention, dispatch_uid="search.mention_saved")
    post_delete.connect(_mention_changed, sender=Mention, dispatch_uid="search.mention_deleted")
    m2m_changed.connect(_tags_changed, sender=Article.tags.through, dispatch_uid="search.tags_changed")
    post_save.connect(_entity_saved, sender=Entity, dispatch_uid="search.entity_saved")
    # Before the delete, while the entity's mentions still say which articles it was in.
    pre_delete.connect(_entity_changed, sender=Entity, dispatch_uid="search.entity_deleted")
    post_save.connect(_alias_changed, sender=Alias, dispatch_uid="search.alias_saved")
    post_delete.connect(_alias_changed, sender=Alias, dispatch_uid="search.alias_deleted")
    post_save.connect(_source_or_tag_changed, sender=Source, dispatch_uid="search.source_saved")
    post_save.connect(_source_or_tag_changed, sender=Tag, dispatch_uid="search.tag_saved")
    pre_delete.connect(_source_or_tag_changed, sender=Tag, dispatch_uid="search.tag_deleted")
    articles_changed.connect(_bulk_articles_changed, dispatch_uid="search.articles_changed")
    bulk_finished.connect(_bulk_finished, dispatch_uid="search.bulk_finished")


def rebuild_index(*, batch_size: int = 500, progress=None, procs: int = 1) -> int:
    """Rebuild the whole index from the database; returns the number of articles indexed.

    The new index is built in a folder beside the live one and replaces it in one
    rename when complete, so searches keep working on the old index meanwhile, and a
    missing, outdated or damaged index is no obstacle. Queue rows written before the
    rebuild started are covered by it; the index's position is set after them.
    """
    from search.index import new_index_writer

    done = 0
    options = _parallel_options(procs) if procs > 1 else {}
    with new_index_writer(timeout=60.0, **options) as writer:
        # Where the new index will stand in the queue: taken before the database is read
        # (and under the writer lock: no drain runs between this and the swap).
        position = queue.start_position()
        ids = list(Article.objects.order_by("id").values_list("id", flat=True))
        total = len(ids)
        for start in range(0, len(ids), batch_size):
            for _, document in documents(ids[start : start + batch_size]):
                writer.add_document(**document)
                done += 1
            if progress:
                progress(done, total)
    queue.commit(position)
    return done
