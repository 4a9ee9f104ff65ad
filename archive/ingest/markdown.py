"""Markdown articles with a small front matter of ``key: value`` lines.

    ---
    title: Goldwind turbines arrive for Zhambyl wind project
    date: 2021-09-14
    source: Caspian Wire
    tags: wind power, manufacturing
    ---

    First paragraph …

    ## A subheading
"""

from __future__ import annotations

import re

from archive.ingest.base import InvalidArticle, ParseFailure, ParseResult, build_article

FRONT_MATTER_KEYS = {"title", "date", "source", "url", "language", "lang", "dateline", "summary", "tags", "author"}
_KEY_VALUE = re.compile(r"^([A-Za-z_]+)\s*:\s*(.*)$")
_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_EMPHASIS = re.compile(r"(\*\*|__|\*|_|`)(?=\S)(.+?)(?<=\S)\1")


def plain_inline(text: str) -> str:
    """Markdown inline markup reduced to its words: links keep their text, emphasis its content."""
    text = _LINK.sub(r"\1", text)
    previous = None
    while previous != text:
        previous, text = text, _EMPHASIS.sub(r"\2", text)
    return text


def _unquote(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1]
    return value


def _tag_list(value: str) -> list[str]:
    value = value.strip()
    if value.startswith("[") and value.endswith("]"):
        value = value[1:-1]
    return [_unquote(tag) for tag in value.split(",") if tag.strip()]


def parse_markdown(text: str) -> list[ParseResult]:
    lines = text.split("\n")
    start = 0
    while start < len(lines) and not lines[start].strip():
        start += 1
    if start >= len(lines) or lines[start].strip() != "---":
        return [ParseFailure("no front matter: the file must start with a '---' line", start + 1)]
    end = next((n for n in range(start + 1, len(lines)) if lines[n].strip() == "---"), None)
    if end is None:
        return [ParseFailure("the front matter is not closed with a '---' line", start + 1)]
    meta: dict[str, str] = {}
    for number in range(start + 1, end):
        line = lines[number]
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        match = _KEY_VALUE.match(line.strip())
        if not match:
            return [ParseFailure(f"front matter line is not 'key: value': {line.strip()[:60]!r}", number + 1)]
        key = match.group(1).lower()
        if key in FRONT_MATTER_KEYS:
            meta["language" if key == "lang" else key] = match.group(2)
    body = plain_inline("\n".join(lines[end + 1 :]))
    try:
        article = build_article(
            title=plain_inline(_unquote(meta.get("title", ""))),
            body=body,
            date=_unquote(meta.get("date", "")),
            detect_headings=False,
            line=1,
            source=_unquote(meta.get("source", "")),
            url=_unquote(meta.get("url", "")),
            language=_unquote(meta.get("language", "en")),
            dateline=_unquote(meta.get("dateline", "")),
            lede=_unquote(meta.get("summary", "")),
            tags=_tag_list(meta.get("tags", "")),
            author=_unquote(meta.get("author", "")),
        )
    except InvalidArticle as error:
        return [ParseFailure(str(error), start + 1)]
    return [article]
