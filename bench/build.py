"""Stage 1: build the archive through the real import path, and time it.

The articles go through ``archive.ingest.importer.import_articles``, exactly as
``manage.py import_articles`` runs it: parse the JSON Lines files, validate, dedupe,
store with tags, tag entities with the gazetteer, and index each batch after its
commit (the index exists first, so the on-commit drain has somewhere to write).
Then ``search.sync.rebuild_index`` rebuilds the index from the database, timed with
one and with two processes.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from django.db import OperationalError, transaction
from django.utils.text import slugify

from archive.ingest.importer import import_articles
from archive.models import Alias, Article, Entity, Mention, MentionOrigin, Source, Tag
from archive.signals import bulk_changes
from bench.measure import rate
from search.index import create_index, open_index
from search.models import PendingIndexUpdate
from search.sync import drain_queue, rebuild_index

IMPORT_BATCH_SIZE = 200  # the import_articles command's default


def load_entities(records: list[dict]) -> dict:
    """Create entities (``{"name", "kind", "aliases"}``) and their aliases in bulk, before an import.

    The importer's tagger finds them in the text. Bulk creation skips ``save()``, so
    slugs are made here the way ``unique_slug`` makes them.
    """
    taken = set(Entity.objects.values_list("slug", flat=True))
    entities = []
    for record in records:
        base = slugify(record["name"])[:200].strip("-") or record["kind"]
        slug, n = base, 1
        while slug in taken:
            n += 1
            slug = f"{base}-{n}"
        taken.add(slug)
        entities.append(Entity(name=record["name"], kind=record["kind"], slug=slug))
    with transaction.atomic(), bulk_changes():
        created = Entity.objects.bulk_create(entities, batch_size=500)
        aliases = [
            Alias(entity=entity, name=alias)
            for entity, record in zip(created, records, strict=True)
            for alias in record["aliases"]
        ]
        Alias.objects.bulk_create(aliases, batch_size=1000)
    return {"entities": len(created), "aliases": len(aliases)}


def index_segments() -> int:
    with open_index().reader() as reader:
        return len(list(reader.leaf_readers()))


def _progress(started: float, expected: int):
    shown = {"files": -1}

    def report(state) -> None:  # archive.ingest.importer.Progress
        if state.files_done == shown["files"] or not (state.files_done % 10 == 0 or state.finished):
            return
        shown["files"] = state.files_done
        elapsed = time.perf_counter() - started
        print(f"  import: {state.files_done}/{state.files_total} files, {state.articles} of ~{expected} articles, "
              f"{elapsed:.0f} s, ~{state.articles / max(elapsed, 1e-9):.0f} articles/s", file=sys.stderr, flush=True)

    return report


def import_corpus(corpus_dir: Path, *, expected: int, progress: bool = True) -> dict:
    """Import every file of the corpus with the real importer into an empty archive; the figures."""
    create_index()
    started = time.perf_counter()
    report = import_articles(
        paths=[corpus_dir], batch_size=IMPORT_BATCH_SIZE,
        progress=_progress(started, expected) if progress else None,
    )
    seconds = time.perf_counter() - started
    # Every batch is indexed after its commit; anything left means a drain failed.
    left_queued = PendingIndexUpdate.objects.count()
    if left_queued:
        drain_queue(timeout=60.0)
    return {
        "articles": len(report.created),
        "unchanged": len(report.unchanged),
        "failures": [str(failure) for failure in report.failures[:20]],
        "failure_count": len(report.failures),
        "files": report.files,
        "seconds": round(seconds, 2),
        "articles_per_s": rate(len(report.created), seconds),
        "left_queued_after_import": left_queued,
        "index_segments": index_segments(),
    }


# Smaller batches keep the documents query under SQLite's expression depth limit (see below).
FALLBACK_REBUILD_BATCH = 150


def time_rebuild(procs: int) -> dict:
    """Time ``rebuild_index(procs=...)`` with its default batch size.

    On SQLite, Django (5.2) prefetches ``mentions__entity`` with one ``id = ? OR …`` term
    per distinct entity, and SQLite refuses an expression deeper than 1,000: a batch of
    500 articles that names more than ~1,000 distinct entities fails. When that happens
    the failure is recorded and the rebuild is timed again with smaller batches.
    """
    failure = None
    started = time.perf_counter()
    try:
        done = rebuild_index(procs=procs)
    except OperationalError as error:
        if "too large" not in str(error):
            raise
        failure = f"rebuild_index(procs={procs}) with its default batch size failed: {error}"
        print(f"  {failure}; timing it again with batch_size={FALLBACK_REBUILD_BATCH}", file=sys.stderr, flush=True)
        started = time.perf_counter()
        done = rebuild_index(procs=procs, batch_size=FALLBACK_REBUILD_BATCH)
    seconds = time.perf_counter() - started
    figures = {"procs": procs, "articles": done, "seconds": round(seconds, 2),
               "articles_per_s": rate(done, seconds), "index_segments": index_segments()}
    if failure:
        figures.update(batch_size=FALLBACK_REBUILD_BATCH, default_batch_failure=failure)
    return figures


def archive_counts() -> dict:
    return {
        "articles": Article.objects.count(),
        "sources": Source.objects.count(),
        "tags": Tag.objects.count(),
        "entities": Entity.objects.count(),
        "aliases": Alias.objects.count(),
        "mentions": Mention.objects.count(),
        "automatic_mentions": Mention.objects.filter(origin=MentionOrigin.AUTOMATIC).count(),
        "mentioned_entities": Mention.objects.values("entity_id").distinct().count(),
    }


def build_archive(corpus_dir: Path, *, expected: int, rebuild_procs: tuple[int, ...] = (1, 2),
                  progress: bool = True) -> dict:
    """Entities first, then the whole import path, then the timed rebuilds (the last one stays)."""
    corpus_dir = Path(corpus_dir)
    entities = load_entities(json.loads((corpus_dir / "entities.json").read_text("utf-8")))
    imported = import_corpus(corpus_dir, expected=expected, progress=progress)
    rebuilds = []
    for procs in rebuild_procs:
        if progress:
            print(f"  rebuild_index(procs={procs}) …", file=sys.stderr, flush=True)
        rebuilds.append(time_rebuild(procs))
    return {"loaded": entities, "import": imported, "rebuild": rebuilds, "archive": archive_counts()}
