"""Polling the feeds editors listed in the admin: ``fetch_feeds`` (the command and the jobs call it).

Each feed is fetched with a conditional request (its ETag and Last-Modified from
the last time), so an unchanged feed costs one short answer; its new entries are
imported like any file. One feed failing (unreachable, not a feed, a bug in its
content) is recorded on that feed and never stops the others.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.utils import timezone

from archive.ingest.feeds import iter_feed
from archive.ingest.fetch import FetchError, fetch, fetch_page
from archive.ingest.files import FEED_ARTICLES_PER_FILE
from archive.ingest.importer import ImportReport, import_results
from archive.models import Feed

logger = logging.getLogger(__name__)


@dataclass
class FeedResult:
    feed_id: int
    url: str
    status: str  # "fetched", "not modified" or "error"
    created: int = 0
    unchanged: int = 0
    failed: int = 0
    error: str = ""
    failures: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        if self.status == "error":
            return f"{self.url}: error: {self.error}"
        if self.status == "not modified":
            return f"{self.url}: not modified"
        return f"{self.url}: {self.created} new, {self.unchanged} already there, {self.failed} failed"


@dataclass
class FetchFeedsReport:
    feeds: list[FeedResult] = field(default_factory=list)

    @property
    def errors(self) -> list[FeedResult]:
        return [result for result in self.feeds if result.status == "error" or result.failed]

    @property
    def created(self) -> int:
        return sum(result.created for result in self.feeds)

    def summary(self) -> str:
        failing = sum(1 for result in self.feeds if result.status == "error")
        return (
            f"{len(self.feeds)} feed{'s' if len(self.feeds) != 1 else ''} polled: {self.created} new articles, "
            f"{failing} feed{'s' if failing != 1 else ''} failing"
        )


def fetch_feeds(*, feeds: Iterable[Feed] | None = None) -> FetchFeedsReport:
    """Fetch every active feed (or the given ones) and import their new entries."""
    report = FetchFeedsReport()
    chosen = Feed.objects.filter(active=True).select_related("source") if feeds is None else feeds
    for feed in chosen:
        report.feeds.append(_poll(feed))
    return report


def _poll(feed: Feed) -> FeedResult:
    result = FeedResult(feed_id=feed.pk, url=feed.url, status="fetched")
    try:
        fetched = fetch(
            feed.url,
            etag=feed.etag,
            last_modified=feed.last_modified,
            max_bytes=settings.IMPORT_MAX_ARTICLE_BYTES * FEED_ARTICLES_PER_FILE,
        )
        if fetched.status == 304:
            result.status = "not modified"
        else:
            imported = _import_feed(feed, fetched.content, base_url=fetched.url)
            result.created = len(imported.created)
            result.unchanged = imported.unchanged_count
            result.failed = imported.failed
            result.failures = [str(failure) for failure in imported.failures[:20]]
            if imported.failed and not imported.created and not imported.unchanged_count:
                result.status = "error"
                result.error = imported.failures[0].reason if imported.failures else "nothing could be read"
        feed.etag, feed.last_modified = fetched.etag[:500], fetched.last_modified[:100]
    except FetchError as error:
        result.status, result.error = "error", str(error)
    except Exception as error:  # noqa: BLE001 - one feed's trouble must not stop the others
        logger.exception("Polling %s failed", feed.url)
        result.status, result.error = "error", f"{type(error).__name__}: {error}"
    feed.last_fetched = timezone.now()
    feed.last_error = result.error[:2000]
    Feed.objects.filter(pk=feed.pk).update(
        last_fetched=feed.last_fetched, last_error=feed.last_error, etag=feed.etag, last_modified=feed.last_modified
    )
    return result


def _import_feed(feed: Feed, content: bytes, *, base_url: str) -> ImportReport:
    entries = iter_feed(content, fetch=fetch_page if feed.fetch_pages else None, base_url=base_url)
    if feed.source is not None:
        entries = (_with_source(entry, feed.source.name) for entry in entries)
    return import_results(results=entries, name=feed.url, default_source=feed.source)


def _with_source(entry, name: str):
    if hasattr(entry, "source"):
        entry.source = name
    return entry
