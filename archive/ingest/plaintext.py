"""The archive's plain-text format (see DESIGN.md).

    title Optional title
    source Steppe Energy Review
     date 2024-03-29 ASTANA – On March 29, 2024, the first paragraph …

    A subheading without final punctuation

    Another paragraph …
"""

from __future__ import annotations

import re

from archive.ingest.base import InvalidArticle, ParseFailure, ParseResult, build_article, split_dateline

__all__ = ["parse_plaintext", "split_dateline"]

HEADER_KEYS = {"title", "source", "url", "language", "lang", "date", "dateline", "summary", "author"}
_HEADER = re.compile(r"^\s*([A-Za-z]+)(?:[ \t]+(.*))?$")
_DATE_LINE = re.compile(r"^(\S+)(?:[ \t]+(.*))?$")


def parse_plaintext(text: str) -> list[ParseResult]:
    """One article; a file without a ``date`` line is an undated story."""
    lines = text.split("\n")
    headers: dict[str, str] = {}
    date_line_no = None
    body_start = len(lines)
    first_body_text = ""
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            if date_line_no is not None:
                body_start = number
                break
            continue
        match = _HEADER.match(line)
        key = match.group(1).lower() if match else ""
        if not match or key not in HEADER_KEYS:
            body_start = number - 1
            break
        value = (match.group(2) or "").strip()
        if key in headers:
            return [ParseFailure(f"the header {key!r} appears twice", number)]
        if key == "date":
            date_line_no = number
            parts = _DATE_LINE.match(value)
            if not parts:
                return [ParseFailure("the date line has no date", number)]
            headers["date"] = parts.group(1)
            first_body_text = (parts.group(2) or "").strip()
            if first_body_text:
                body_start = number
                break
        else:
            headers["language" if key == "lang" else key] = value

    rest = "\n".join(lines[body_start:])
    if first_body_text:
        rest = first_body_text + "\n" + rest
    try:
        article = build_article(
            title=headers.get("title", ""),
            body=rest,
            date=headers.get("date"),
            detect_headings=True,
            line=1,
            source=headers.get("source", ""),
            url=headers.get("url", ""),
            language=headers.get("language", "en"),
            dateline=headers.get("dateline", ""),
            lede=headers.get("summary", ""),
            author=headers.get("author", ""),
        )
    except InvalidArticle as error:
        return [ParseFailure(str(error), date_line_no or 1)]
    return [article]
