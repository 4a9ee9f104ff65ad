"""Finding import files on disk, recognising their format, and reading them as streams.

Nothing here holds a whole file in memory unless the file is one article: a JSON
Lines file is read line by line, a web archive record by record, a folder file by
file. The size limit applies to one article (a line, a record, a page), never to
a file.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from archive.ingest.base import ParseFailure, ParseResult
from archive.ingest.jsonl import iter_jsonl
from archive.ingest.markdown import parse_markdown
from archive.ingest.plaintext import parse_plaintext
from archive.text import is_binary

# Format names, as --format takes them, by file name ending (longest ending first wins).
SUFFIXES: dict[str, str] = {
    ".txt": "text",
    ".text": "text",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".md": "markdown",
    ".markdown": "markdown",
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".warc": "warc",
    ".warc.gz": "warc",
    ".rss": "feed",
    ".atom": "feed",
}
# Named on the command line, these are read too; inside a folder they could be anything.
NAMED_ONLY_SUFFIXES: dict[str, str] = {".xml": "feed"}
FORMATS = ("text", "jsonl", "markdown", "html", "warc", "feed")
# A feed is parsed whole (feedparser needs the document); it may hold this many articles' worth.
FEED_ARTICLES_PER_FILE = 20


class FileRejected(ValueError):
    """The whole file cannot be read; the message says why."""


@dataclass(frozen=True)
class Candidate:
    path: Path
    named: bool  # named on the command line, rather than found in a folder
    format: str | None  # None: not a format Dossier reads
    size: int = 0


def format_of(path: Path, *, named: bool) -> str | None:
    name = path.name.lower()
    table = {**SUFFIXES, **NAMED_ONLY_SUFFIXES} if named else SUFFIXES
    for suffix in sorted(table, key=len, reverse=True):
        if name.endswith(suffix):
            return table[suffix]
    return None


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _walk(folder: Path) -> Iterator[Path]:
    """Files under ``folder`` in a stable order, hidden files and folders left out, one folder at a time."""
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if not name.startswith("."):
                yield Path(root) / name


def find_files(paths: Iterable[str | Path], *, force_format: str | None = None) -> Iterator[Candidate]:
    """Files named directly, and the files of known formats inside folders."""
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for found in _walk(path):
                fmt = format_of(found, named=False)
                if fmt and found.is_file():
                    yield Candidate(found, named=False, format=force_format or fmt, size=_size(found))
        else:
            yield Candidate(path, named=True, format=force_format or format_of(path, named=True), size=_size(path))


def open_file(path: Path) -> BinaryIO:
    try:
        if not path.exists():
            raise FileRejected("no such file")
        if not path.is_file():
            raise FileRejected("not a regular file")
        return path.open("rb")
    except OSError as error:
        raise FileRejected(f"cannot read the file ({error.strerror})") from None


def read_whole(handle: BinaryIO, *, max_bytes: int, what: str = "one article") -> bytes:
    data = handle.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise FileRejected(f"the file is larger than the limit for {what} ({max_bytes / 1e6:.1f} MB)")
    if not data.strip():
        raise FileRejected("the file is empty")
    return data


def decode_text(data: bytes) -> str:
    if is_binary(data):
        raise FileRejected("a binary file, not text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise FileRejected(
            f"not UTF-8 text (byte 0x{data[error.start]:02x} on line {line}); save the file as UTF-8"
        ) from None


def _one_article_text(parser: Callable[[str], list[ParseResult]]):
    def parse(handle: BinaryIO, *, max_article_bytes: int, **_: object) -> Iterator[ParseResult]:
        yield from parser(decode_text(read_whole(handle, max_bytes=max_article_bytes)))

    return parse


def _jsonl(handle: BinaryIO, *, max_article_bytes: int, **_: object) -> Iterator[ParseResult]:
    if is_binary(handle.peek(8192)[:8192] if hasattr(handle, "peek") else b""):
        raise FileRejected("a binary file, not text")
    yield from iter_jsonl(handle, max_line_bytes=max_article_bytes)


def _html(handle: BinaryIO, *, max_article_bytes: int, **_: object) -> Iterator[ParseResult]:
    from archive.ingest.html import parse_html

    yield parse_html(read_whole(handle, max_bytes=max_article_bytes), line=None)


def _warc(handle: BinaryIO, *, max_article_bytes: int, **_: object) -> Iterator[ParseResult]:
    from archive.ingest.warc import iter_warc

    yield from iter_warc(handle, max_record_bytes=max_article_bytes)


def _feed(handle: BinaryIO, *, max_article_bytes: int, fetch=None, **_: object) -> Iterator[ParseResult]:
    from archive.ingest.feeds import iter_feed

    data = read_whole(handle, max_bytes=max_article_bytes * FEED_ARTICLES_PER_FILE, what="one feed")
    yield from iter_feed(data, fetch=fetch)


READERS = {
    "text": _one_article_text(parse_plaintext),
    "markdown": _one_article_text(parse_markdown),
    "jsonl": _jsonl,
    "html": _html,
    "warc": _warc,
    "feed": _feed,
}


def unsupported_reason(path: Path) -> str:
    known = ", ".join(sorted({*SUFFIXES, *NAMED_ONLY_SUFFIXES}))
    return f"unsupported file type {path.suffix or '(none)'!r}; use one of {known} (or --format)"


def parse_stream(
    handle: BinaryIO, fmt: str, *, max_article_bytes: int, fetch=None
) -> Iterator[ParseResult]:
    """The articles (and failures) of an open file, one at a time.

    A file that cannot be read at all gives one failure.
    """
    try:
        yield from READERS[fmt](handle, max_article_bytes=max_article_bytes, fetch=fetch)
    except FileRejected as error:
        yield ParseFailure(str(error))


def parse_file(path: Path, *, max_bytes: int, fmt: str | None = None) -> list[ParseResult]:
    """All results of one file at once: for tests and small files."""
    fmt = fmt or format_of(path, named=True)
    if fmt is None:
        return [ParseFailure(unsupported_reason(path))]
    try:
        handle = open_file(path)
    except FileRejected as error:
        return [ParseFailure(str(error))]
    with handle:
        return list(parse_stream(handle, fmt, max_article_bytes=max_bytes))
