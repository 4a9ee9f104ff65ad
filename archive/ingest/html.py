"""Saved web pages: the story's text and metadata, without the page around it.

trafilatura finds the main text (menus, cookie banners, related links and footers
left out) and reads the title, publication date, author and site name from the
page's metadata. The parser is pure: bytes in, an article or a failure out.
"""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import urlsplit

import lxml.html
from lxml import etree

from archive.ingest.base import InvalidArticle, ParseFailure, ParseResult, build_article
from archive.ingest.markdown import plain_inline

_LANG = re.compile(rb"<html\b[^>]*?\blang\s*=\s*[\"']?([A-Za-z]{2})\b", re.IGNORECASE)
_HEADING = re.compile(r"^(#{1,6})\s+")
# Fewer words than this is a menu or a teaser that the extractor fell back on, not a story.
MIN_WORDS = 15
# htmldate is told to trust the page's own metadata and URL, not to guess from any
# date that appears somewhere in the text (a story about 2019 published in 2024).
_DATE_OPTIONS = {"extensive_search": False, "original_date": True}


def parse_html(
    data: bytes | str,
    *,
    url: str = "",
    fallback_date: dt.date | None = None,
    line: int | None = None,
    unit: str = "record",
) -> ParseResult:
    """One web page as an article: its main text, title, date, author and site name."""
    import trafilatura  # imported when a page is read: it takes a while and most imports need none

    raw = data.encode("utf-8") if isinstance(data, str) else data
    try:
        document = trafilatura.bare_extraction(
            raw,
            url=url or None,
            with_metadata=True,
            include_comments=False,
            include_tables=True,
            include_formatting=True,
            date_extraction_params=_DATE_OPTIONS,
        )
    except (ValueError, TypeError, etree.LxmlError) as error:
        return ParseFailure(f"the page could not be read ({error})", line, unit)
    if document is None or len((document.text or "").split()) < MIN_WORDS:
        return ParseFailure("no article text found on the page", line, unit)
    title = document.title or ""
    body = _body_text(document.text, title)
    page_url = url or document.url or ""
    date = document.date or fallback_date
    language = _LANG.search(raw[:4096])
    try:
        return build_article(
            title=title,
            body=body,
            date=date,
            detect_headings=False,
            line=line,
            unit=unit,
            source=document.sitename or _site(page_url),
            url=page_url if urlsplit(page_url).scheme in ("http", "https") else "",
            language=language.group(1).decode().lower() if language else "en",
            author=document.author or "",
        )
    except InvalidArticle as error:
        return ParseFailure(str(error), line, unit)


def _body_text(text: str, title: str) -> str:
    """trafilatura's Markdown as the archive's body: '## ' subheadings, plain words, the title not repeated."""
    blocks = []
    for block in re.split(r"\n\s*\n", text.strip()):
        block = block.strip()
        heading = _HEADING.match(block)
        if heading:
            words = plain_inline(block[heading.end() :]).strip()
            if not blocks and words.casefold() == title.strip().casefold():
                continue  # the page's own headline above the text
            blocks.append("## " + words)
        elif block:
            blocks.append(plain_inline(block))
    return "\n\n".join(blocks)


def _site(url: str) -> str:
    host = urlsplit(url).hostname or ""
    return host.removeprefix("www.")


_BLOCKS = {"p", "div", "li", "blockquote", "pre", "tr", "section", "article", "ul", "ol", "table"}
_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}


def fragment_text(fragment: str) -> str:
    """An HTML fragment (a feed entry's content) as paragraphs; entities decoded, markup dropped."""
    if "<" not in fragment:
        return lxml.html.fromstring(f"<p>{fragment}</p>").text_content() if "&" in fragment else fragment
    try:
        root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    except (etree.ParserError, ValueError):
        return ""
    for bad in root.xpath("//script|//style"):
        bad.drop_tree()
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        if element.tag in _HEADINGS:
            element.text = "\n\n## " + (element.text or "")
            element.tail = "\n\n" + (element.tail or "")
        elif element.tag in _BLOCKS:
            element.tail = "\n\n" + (element.tail or "")
        elif element.tag == "br":
            element.tail = "\n" + (element.tail or "")
    return re.sub(r"\n\s*\n\s*", "\n\n", root.text_content()).strip()
