"""RSS and Atom feeds: each entry an article.

feedparser reads every dialect (RSS 0.9x to 2.0, Atom), decodes entities and tells
which links are relative; links are made absolute against the feed's own address
or its site link. With a ``fetch`` function (``--fetch``), each entry's page is
fetched and extracted like a saved page; the entry's own text is the fallback.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from urllib.parse import urljoin, urlsplit

from archive.ingest.base import InvalidArticle, ParsedArticle, ParseFailure, ParseResult, build_article
from archive.ingest.html import fragment_text, parse_html

# fetch(url) -> the page's bytes; raises OSError (or a subclass) when it cannot.
Fetch = Callable[[str], bytes]


def _entry_date(entry) -> dt.date | None:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        value = entry.get(key)
        if value:
            return dt.date(*value[:3])
    return None


def _entry_text(entry) -> str:
    contents = entry.get("content") or []
    for content in contents:
        if content.get("value", "").strip():
            return fragment_text(content["value"])
    return fragment_text(entry.get("summary", "") or "")


def _absolute(link: str, base: str) -> str:
    link = (link or "").strip()
    if not link:
        return ""
    if base and not urlsplit(link).scheme:
        link = urljoin(base, link)
    return link if urlsplit(link).scheme in ("http", "https") else ""


def iter_feed(data: bytes, *, fetch: Fetch | None = None, base_url: str = "") -> Iterator[ParseResult]:
    import feedparser

    parsed = feedparser.parse(data, response_headers={"content-location": base_url} if base_url else None)
    if not parsed.entries:
        if parsed.bozo:
            yield ParseFailure(f"not a readable RSS or Atom feed ({parsed.get('bozo_exception')})")
        else:
            yield ParseFailure("the feed holds no entries")
        return
    feed = parsed.feed
    site = _absolute(feed.get("link", ""), base_url)
    base = base_url or site
    source = fragment_text(feed.get("title", "") or "").strip() or (urlsplit(site).hostname or "").removeprefix("www.")
    language = (feed.get("language") or "en")[:2].lower()
    for number, entry in enumerate(parsed.entries, start=1):
        yield _entry_article(entry, number, fetch=fetch, base=base, source=source, language=language)


def _entry_article(entry, number: int, *, fetch: Fetch | None, base: str, source: str, language: str) -> ParseResult:
    link = _absolute(entry.get("link", ""), base)
    date = _entry_date(entry)
    title = fragment_text(entry.get("title", "") or "")
    if fetch and link:
        try:
            page = parse_html(fetch(link), url=link, fallback_date=date, line=number, unit="entry")
        except OSError as error:
            page = ParseFailure(f"could not fetch {link} ({error})", number, "entry")
        if isinstance(page, ParsedArticle):
            page.source = page.source if page.source and page.source != urlsplit(link).hostname else source
            page.published = page.published or date
            return page
        text = _entry_text(entry)
        if not text:
            return page  # nothing to fall back on: the reason the page failed
    else:
        text = _entry_text(entry)
    try:
        return build_article(
            title=title,
            body=text,
            date=date,
            detect_headings=False,
            line=number,
            unit="entry",
            source=source,
            url=link,
            language=language if len(language) == 2 and language.isalpha() else "en",
            author=entry.get("author", ""),
            tags=[t.get("term", "") for t in entry.get("tags", []) if t.get("term")][:20] or None,
        )
    except InvalidArticle as error:
        return ParseFailure(str(error), number, "entry")
