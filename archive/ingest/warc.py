"""Web archives (WARC, plain or gzipped), read record by record.

Every successful HTML response becomes an article (its URL, the crawl date when the
page gives none, the site as its source); requests, metadata, images, redirects and
errors are skipped and counted.
"""

from __future__ import annotations

import datetime as dt
import zlib
from collections.abc import Iterator
from typing import BinaryIO

from archive.ingest.base import ParseFailure, ParseResult, Skipped
from archive.ingest.html import parse_html

_HTML_TYPES = ("text/html", "application/xhtml+xml")


def _crawl_date(value: str | None) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.datetime.fromisoformat(value.replace("Z", "+00:00")).date()
    except ValueError:
        return None


def iter_warc(handle: BinaryIO, *, max_record_bytes: int) -> Iterator[ParseResult]:
    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed

    number = 0
    try:
        for record in ArchiveIterator(handle):
            number += 1
            if record.rec_type != "response":
                yield Skipped(f"{record.rec_type} records", number)
                continue
            headers = record.http_headers
            if headers is None:
                yield Skipped("responses that are not HTTP", number)
                continue
            status = headers.get_statuscode()
            if status != "200":
                yield Skipped(f"HTTP {status} responses", number)
                continue
            content_type = (headers.get_header("Content-Type") or "").split(";")[0].strip().lower()
            if content_type not in _HTML_TYPES:
                yield Skipped(f"{content_type or 'untyped'} responses (not HTML)", number)
                continue
            data = record.content_stream().read(max_record_bytes + 1)
            if len(data) > max_record_bytes:
                yield ParseFailure(
                    f"the page is larger than the limit for one article ({max_record_bytes / 1e6:.1f} MB)",
                    number, "record",
                )
                continue
            yield parse_html(
                data,
                url=record.rec_headers.get_header("WARC-Target-URI") or "",
                fallback_date=_crawl_date(record.rec_headers.get_header("WARC-Date")),
                line=number,
                unit="record",
            )
    except (ArchiveLoadFailed, OSError, EOFError, ValueError, zlib.error) as error:
        yield ParseFailure(f"the web archive is damaged after record {number} ({error})", number + 1, "record")
