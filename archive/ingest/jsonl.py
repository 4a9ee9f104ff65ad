"""JSON Lines: one article per line (see DESIGN.md for the keys).

The file is read as a stream, one line at a time, so its size does not matter; the
size limit applies to one line (one article). A line the parser cannot take is
reported with its number and the others are read on.

Exports from other tools name the same things differently: a news API writes
``publishedAt`` and ``content``, a scraper ``published`` and ``text``, schema.org
``datePublished`` and ``articleBody``, a Media Cloud style export ``publish_date`` and
``media_name``. Each of Dossier's keys is looked for under those names too (its own
name first), so such a file is taken as it is instead of losing every date or being
refused line by line.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import BinaryIO

from archive.ingest.base import InvalidArticle, ParseFailure, ParseResult, build_article

_BOM = b"\xef\xbb\xbf"

# Dossier's key, then the names other exports give the same thing; the first one present counts.
KEYS: dict[str, tuple[str, ...]] = {
    "body": ("body", "text", "content", "articleBody", "article_text", "maintext", "full_text", "fulltext"),
    "title": ("title", "headline"),
    "date": ("date", "published", "publishedAt", "published_at", "datePublished", "date_published",
             "publish_date", "publication_date", "pub_date", "pubDate", "pubdate"),
    "source": ("source", "publisher", "media_name", "source_name", "site_name", "sitename", "outlet"),
    "url": ("url", "link", "canonical_url", "canonical"),
    "language": ("language", "lang", "language_code", "inLanguage"),
    "dateline": ("dateline",),
    "author": ("author", "authors", "byline", "creator"),
    "summary": ("summary", "description", "lede", "abstract", "excerpt"),
    "tags": ("tags", "keywords", "topics", "categories"),
    "entities": ("entities",),
}
# Seconds since 1970 as dates: from 1970 to 2100; larger numbers are read as milliseconds.
_LATEST_SECONDS = 4_102_444_800


def bounded_lines(handle: BinaryIO, *, max_bytes: int) -> Iterator[tuple[int, bytes | None]]:
    """(line number, bytes) for each line; None for a line longer than ``max_bytes``, which is skipped unread."""
    number = 0
    while True:
        line = handle.readline(max_bytes + 1)
        if not line:
            return
        number += 1
        if len(line) > max_bytes and not line.endswith(b"\n"):
            # Skip to the end of the line a megabyte at a time, never holding it whole.
            while True:
                more = handle.readline(1 << 20)
                if not more or more.endswith(b"\n"):
                    break
            yield number, None
            continue
        yield number, line


def iter_jsonl(handle: BinaryIO, *, max_line_bytes: int) -> Iterator[ParseResult]:
    """Every line of a JSON Lines file, parsed: an article or the reason it is not one."""
    found = False
    for number, raw in bounded_lines(handle, max_bytes=max_line_bytes):
        found = True
        if raw is None:
            yield ParseFailure(
                f"the line is longer than the limit for one article ({max_line_bytes / 1e6:.1f} MB)", number
            )
            continue
        if number == 1 and raw.startswith(_BOM):
            raw = raw[len(_BOM) :]
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError as error:
            yield ParseFailure(
                f"not UTF-8 text (byte 0x{raw[error.start]:02x} at column {error.start + 1}); save the file as UTF-8",
                number,
            )
            continue
        if line.strip():
            yield parse_jsonl_line(line, number)
    if not found:
        yield ParseFailure("the file holds no articles", None)


def parse_jsonl(text: str) -> list[ParseResult]:
    """The whole of a small JSON Lines text at once (tests and the benchmark's corpus checks)."""
    results = [parse_jsonl_line(line, number) for number, line in enumerate(text.split("\n"), start=1) if line.strip()]
    return results or [ParseFailure("the file holds no articles", None)]


def parse_jsonl_line(line: str, number: int) -> ParseResult:
    try:
        # strict=False: a raw control character inside a string is cleaned later, not a reason to lose the line.
        record = json.loads(line, strict=False)
    except (json.JSONDecodeError, RecursionError) as error:
        reason = error.msg if isinstance(error, json.JSONDecodeError) else "nested too deeply"
        return ParseFailure(f"not valid JSON ({reason})", number)
    if not isinstance(record, dict):
        return ParseFailure("not a JSON object", number)
    fields = _fields(record)
    if "body" not in fields:
        return ParseFailure(f"missing body (the article's text, under any of: {', '.join(KEYS['body'])})", number)
    title = fields.get("title", "")
    if title is not None and not isinstance(title, str):
        return ParseFailure("the title must be text", number)
    try:
        return build_article(
            title=title or "",
            body=fields["body"],
            date=_date(fields.get("date")),
            detect_headings=True,
            line=number,
            source=_name(fields.get("source", "")),
            url=fields.get("url", ""),
            language=fields.get("language") or "en",
            dateline=fields.get("dateline", ""),
            lede=fields.get("summary", ""),
            tags=fields.get("tags"),
            entities=fields.get("entities"),
            author=_names(fields.get("author", "")),
        )
    except InvalidArticle as error:
        return ParseFailure(str(error), number)


def _fields(record: dict) -> dict[str, object]:
    """Dossier's keys with their values, each taken from the first of its names the record fills
    (an empty one counts only when no other name is filled: ``"body": ""`` is an empty body)."""
    fields = {}
    for key, names in KEYS.items():
        present = [record[name] for name in names if name in record and record[name] is not None]
        if present:
            fields[key] = next((value for value in present if value != ""), present[0])
    return fields


def _name(value: object) -> object:
    """A publisher given as an object (``{"id": "bbc-news", "name": "BBC News"}``) is its name."""
    if isinstance(value, dict):
        return value.get("name") or value.get("title") or ""
    return value


def _names(value: object) -> object:
    """Authors given as a list (of names or of objects with a name) are written as one byline."""
    if isinstance(value, list):
        names = [_name(item) for item in value]
        if all(isinstance(name, str) for name in names):
            return ", ".join(name.strip() for name in names if name.strip())
    return _name(value)


def _date(value: object) -> object:
    """A number is a Unix time (seconds, or milliseconds when too large for seconds): its UTC day."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return value
    seconds = value / 1000 if value > _LATEST_SECONDS else value
    if not 0 <= seconds <= _LATEST_SECONDS:
        raise InvalidArticle(f"the date {value!r} is not a time this archive can hold")
    return dt.datetime.fromtimestamp(seconds, tz=dt.UTC).date()
