"""JSON Lines: one article per line (see DESIGN.md for the keys).

The file is read as a stream, one line at a time, so its size does not matter; the
size limit applies to one line (one article). A line the parser cannot take is
reported with its number and the others are read on.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import BinaryIO

from archive.ingest.base import InvalidArticle, ParseFailure, ParseResult, build_article

REQUIRED_KEYS = ("body",)
_BOM = b"\xef\xbb\xbf"


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
    missing = [key for key in REQUIRED_KEYS if key not in record]
    if missing:
        return ParseFailure(f"missing {', '.join(missing)}", number)
    title = record.get("title", "")
    if title is not None and not isinstance(title, str):
        return ParseFailure("the title must be text", number)
    try:
        return build_article(
            title=title or "",
            body=record["body"],
            date=record.get("date"),
            detect_headings=True,
            line=number,
            source=record.get("source", ""),
            url=record.get("url", ""),
            language=record.get("language", "en"),
            dateline=record.get("dateline", ""),
            lede=record.get("summary", ""),
            tags=record.get("tags"),
            entities=record.get("entities"),
            author=record.get("author", ""),
        )
    except InvalidArticle as error:
        return ParseFailure(str(error), number)
