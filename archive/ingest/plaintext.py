"""The archive's plain-text format (see DESIGN.md).

    title Optional title
    source Steppe Energy Review
     date 2024-03-29 ASTANA – On March 29, 2024, the first paragraph …

    A subheading without final punctuation

    Another paragraph …
"""

from __future__ import annotations

import re

from archive.ingest.base import InvalidArticle, ParseFailure, ParseResult, build_article

HEADER_KEYS = {"title", "source", "url", "language", "lang", "date", "dateline", "summary"}
_HEADER = re.compile(r"^\s*([A-Za-z]+)(?:[ \t]+(.*))?$")
_DATE_LINE = re.compile(r"^(\S+)(?:[ \t]+(.*))?$")
# A place in capitals ("ASTANA", "NUR-SULTAN", "ST. PETERSBURG"), optionally with a
# country in ordinary case ("ALMATY, Kazakhstan"), then a dash with spaces around it.
_DATELINE = re.compile(
    r"^(?P<place>[A-ZÀ-ÞА-ЯЁ][A-ZÀ-ÞА-ЯЁ.'’ -]*?[A-ZÀ-ÞА-ЯЁ.])"
    r"(?:,\s*[A-Z][\w .'-]{1,40}?)?\s*[–—-]{1,2}\s+(?P<rest>\S.*)$"
)


def split_dateline(text: str) -> tuple[str, str]:
    """('ASTANA', rest of the paragraph) or ('', text) when the story has no dateline."""
    match = _DATELINE.match(text)
    if not match:
        return "", text
    return match.group("place").strip(), match.group("rest")


def parse_plaintext(text: str) -> list[ParseResult]:
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
            if date_line_no is None:
                return [ParseFailure("no 'date YYYY-MM-DD' line before the text begins", number)]
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
    if date_line_no is None:
        return [ParseFailure("no 'date YYYY-MM-DD' line at the top of the file", 1)]

    dateline = headers.get("dateline", "")
    rest = "\n".join(lines[body_start:])
    if first_body_text:
        place, first_body_text = split_dateline(first_body_text)
        dateline = dateline or place
        rest = first_body_text + "\n" + rest
    else:
        stripped = rest.lstrip("\n")
        place, remainder = split_dateline(stripped)
        if place:
            dateline = dateline or place
            rest = remainder
    try:
        article = build_article(
            title=headers.get("title", ""),
            body=rest,
            date=headers["date"],
            detect_headings=True,
            line=1,
            source=headers.get("source", ""),
            url=headers.get("url", ""),
            language=headers.get("language", "en"),
            dateline=dateline,
            lede=headers.get("summary", ""),
        )
    except InvalidArticle as error:
        return [ParseFailure(str(error), date_line_no)]
    return [article]
