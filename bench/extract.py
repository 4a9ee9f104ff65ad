"""Extraction speed of saved web pages and web archives, in articles per second.

Run on its own (``python -m bench.extract --corpus DIR``): it wraps articles of a
generated corpus in news pages with the usual clutter (menu, cookie banner, related
links, footer), then times

- ``archive.ingest.html.parse_html`` over every page (trafilatura's extraction plus
  the archive's checks): the ``.html`` import path without the database;
- ``archive.ingest.warc.iter_warc`` over a gzipped WARC holding those pages as
  responses, each after a request record, with an image response every ten pages.

The parsers are pure, so no database is involved: these are the figures the import
adds on top of storing and tagging (see the import figure of ``make bench``).
Prints one JSON object on the last line of its output.
"""

from __future__ import annotations

import argparse
import html
import io
import json
import os
import time
from pathlib import Path

PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title} | {source}</title>
<meta property="og:site_name" content="{source}"><meta property="og:title" content="{title}">
<meta property="article:published_time" content="{date}T08:00:00+05:00"></head>
<body><div class="cookie-banner">We use cookies to improve your experience. <button>Accept</button></div>
<header><nav><ul><li><a href="/">Home</a></li><li><a href="/wind">Wind</a></li><li><a href="/solar">Solar</a></li>
<li><a href="/grid">Grid</a></li><li><a href="/policy">Policy</a></li></ul></nav></header>
<main><article><h1>{title}</h1>{paragraphs}</article>
<aside class="related"><h3>Related stories</h3><ul><li><a href="/a">Grid upgrade enters second phase</a></li>
<li><a href="/b">Wind agreement signed</a></li><li><a href="/c">Tariffs rise across the south</a></li></ul>
</aside></main>
<footer><p>All rights reserved. <a href="/privacy">Privacy</a></p></footer></body></html>"""


def pages_from_corpus(corpus: Path, count: int) -> list[tuple[str, bytes]]:
    pages = []
    for path in sorted(corpus.rglob("*.jsonl")):
        for line in path.read_text("utf-8").splitlines():
            record = json.loads(line)
            paragraphs = "".join(
                f"<h2>{html.escape(block[3:])}</h2>" if block.startswith("## ") else f"<p>{html.escape(block)}</p>"
                for block in record["body"].split("\n\n")
            )
            page = PAGE.format(title=html.escape(record["title"]), source=html.escape(record.get("source", "")),
                               date=record["date"][:10], paragraphs=paragraphs)
            pages.append((record.get("url") or f"https://example.org/{len(pages)}", page.encode("utf-8")))
            if len(pages) == count:
                return pages
    return pages


def build_warc(pages: list[tuple[str, bytes]]) -> bytes:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    out = io.BytesIO()
    writer = WARCWriter(out, gzip=True)
    for number, (url, body) in enumerate(pages):
        request = io.BytesIO(b"GET / HTTP/1.1\r\n\r\n")
        writer.write_record(writer.create_warc_record(url, "request", payload=request))
        headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
        writer.write_record(writer.create_warc_record(url, "response", payload=io.BytesIO(body), http_headers=headers))
        if number % 10 == 0:
            image = StatusAndHeaders("200 OK", [("Content-Type", "image/png")], protocol="HTTP/1.1")
            png = io.BytesIO(b"\x89PNG" * 200)
            writer.write_record(writer.create_warc_record(url + ".png", "response", payload=png, http_headers=image))
    return out.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, required=True, help="a generated corpus folder (bench.generate)")
    parser.add_argument("--articles", type=int, default=500)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from archive.ingest.base import ParsedArticle
    from archive.ingest.html import parse_html
    from archive.ingest.warc import iter_warc

    pages = pages_from_corpus(args.corpus, args.articles)
    parse_html(pages[0][1], url=pages[0][0])  # imports and warms trafilatura outside the timing
    started = time.perf_counter()
    html_ok = sum(isinstance(parse_html(body, url=url), ParsedArticle) for url, body in pages)
    html_seconds = time.perf_counter() - started

    warc = build_warc(pages)
    started = time.perf_counter()
    results = list(iter_warc(io.BytesIO(warc), max_record_bytes=5_000_000))
    warc_seconds = time.perf_counter() - started
    warc_ok = sum(isinstance(result, ParsedArticle) for result in results)

    print(json.dumps({
        "pages": len(pages),
        "html": {"articles": html_ok, "seconds": round(html_seconds, 2),
                 "articles_per_s": round(html_ok / html_seconds, 1)},
        "warc": {"articles": warc_ok, "records": len(results), "megabytes": round(len(warc) / 1e6, 1),
                 "seconds": round(warc_seconds, 2), "articles_per_s": round(warc_ok / warc_seconds, 1)},
    }))


if __name__ == "__main__":
    main()
