"""Saved web pages, web archives and feeds: the parsers, on fixtures written for this project."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from archive.ingest.base import ParsedArticle, ParseFailure, Skipped
from archive.ingest.feeds import iter_feed
from archive.ingest.html import fragment_text, parse_html
from archive.ingest.jsonl import parse_jsonl
from archive.ingest.markdown import parse_markdown
from archive.ingest.warc import iter_warc
from tests.archive.ingest.conftest import FIXTURES

SHYMKENT = (FIXTURES / "pages" / "shymkent-solar-tender.html").read_bytes()
TURKESTAN = (FIXTURES / "pages" / "turkestan-wind-auction.html").read_bytes()
BOILERPLATE = ("cookie", "Subscribe", "Related stories", "Almaty grid upgrade", "All rights reserved",
               "Home", "newsletter", "Read next", "Front page")


# Web pages


def test_a_saved_page_gives_its_story_without_menus_banners_or_related_links():
    article = parse_html(SHYMKENT)
    assert isinstance(article, ParsedArticle)
    assert article.title == "Shymkent opens tender for rooftop solar on schools"
    assert article.published == dt.date(2024, 4, 11)
    assert article.author == "Aigerim Sadykova"
    assert article.source == "Steppe Energy Review"
    assert article.url == "https://www.steppe-energy.example/2024/04/shymkent-rooftop-solar"
    assert article.body.startswith("The city administration of Shymkent has opened a tender")
    assert "## Budget and timetable" in article.body
    assert article.body.endswith("fixed to them safely.")
    for words in BOILERPLATE:
        assert words not in article.body, words


def test_a_page_without_a_date_is_undated_unless_a_fallback_is_given():
    text = b"Herders in Mangystau pump water with solar panels. " * 8
    page = b"<html><body><article><p>" + text + b"</p></article></body></html>"
    assert parse_html(page).published is None
    assert parse_html(page, fallback_date=dt.date(2023, 7, 1)).published == dt.date(2023, 7, 1)


@pytest.mark.parametrize("page", [b"", b"<html><body><nav><a href='/'>Home</a></nav></body></html>", b"\x00\x01\x02"])
def test_a_page_without_a_story_is_a_failure_not_a_crash(page):
    result = parse_html(page, line=3)
    assert isinstance(result, ParseFailure)
    assert result.line == 3


def test_feed_fragments_keep_paragraphs_and_decode_entities():
    text = fragment_text("<p>One &amp; two&nbsp;three</p><h2>Next</h2><p>Four<br>five</p><script>x()</script>")
    assert text.split("\n\n") == ["One & two\xa0three", "## Next", "Four\nfive"]


# Web archives


def _record(writer, url, body, *, content_type="text/html; charset=utf-8", status="200 OK", date=None):
    headers = StatusAndHeaders(status, [("Content-Type", content_type)], protocol="HTTP/1.1")
    warc_headers = {"WARC-Date": date} if date else None
    return writer.create_warc_record(url, "response", payload=io.BytesIO(body), http_headers=headers,
                                     warc_headers_dict=warc_headers)


def build_warc(*, gzip: bool) -> bytes:
    """A small crawl, made here: two pages, an image, a 404, a redirect, a request and a metadata record."""
    out = io.BytesIO()
    writer = WARCWriter(out, gzip=gzip)
    writer.write_record(writer.create_warcinfo_record("crawl.warc", {"software": "Dossier tests"}))
    writer.write_record(writer.create_warc_record(
        "https://steppe-energy.example/a", "request", payload=io.BytesIO(b"GET /a HTTP/1.1\r\n\r\n")))
    writer.write_record(_record(writer, "https://www.steppe-energy.example/2024/04/shymkent-rooftop-solar",
                                SHYMKENT, date="2024-04-12T10:00:00Z"))
    undated = TURKESTAN.replace(b'<meta property="article:published_time" content="2024-05-14T09:00:00+05:00">', b"")
    writer.write_record(_record(writer, "https://eastern-grid.example/2024/05/turkestan", undated,
                                date="2024-05-20T06:00:00Z"))
    writer.write_record(_record(writer, "https://steppe-energy.example/logo.png", b"\x89PNG....",
                                content_type="image/png"))
    writer.write_record(_record(writer, "https://steppe-energy.example/gone", b"<html>gone</html>",
                                status="404 Not Found"))
    writer.write_record(_record(writer, "https://steppe-energy.example/old", b"",
                                status="301 Moved Permanently"))
    writer.write_record(writer.create_warc_record(
        "https://steppe-energy.example/a", "metadata", payload=io.BytesIO(b"outlinks: 3"),
        warc_content_type="application/warc-fields"))
    return out.getvalue()


@pytest.mark.parametrize("gzip", [False, True])
def test_a_web_archive_gives_each_html_page_and_counts_what_it_skips(gzip):
    results = list(iter_warc(io.BytesIO(build_warc(gzip=gzip)), max_record_bytes=1_000_000))
    articles = [r for r in results if isinstance(r, ParsedArticle)]
    skipped = sorted(r.reason for r in results if isinstance(r, Skipped))
    assert not [r for r in results if isinstance(r, ParseFailure)]
    assert [a.title for a in articles] == ["Shymkent opens tender for rooftop solar on schools",
                                           "Turkestan's wind auction draws record bids"]
    shymkent, turkestan = articles
    assert shymkent.url == "https://www.steppe-energy.example/2024/04/shymkent-rooftop-solar"
    assert shymkent.published == dt.date(2024, 4, 11)  # the page's own date comes first
    assert turkestan.published == dt.date(2024, 5, 20)  # no date on the page: the crawl date
    assert turkestan.source == "Eastern Grid Weekly"
    assert turkestan.unit == "record" and turkestan.line == 4
    assert skipped == ["HTTP 301 responses", "HTTP 404 responses", "image/png responses (not HTML)",
                       "metadata records", "request records", "warcinfo records"]


def test_a_damaged_web_archive_keeps_the_pages_before_the_damage():
    data = build_warc(gzip=True)
    results = list(iter_warc(io.BytesIO(data[: len(data) // 2] + b"garbage" * 50), max_record_bytes=1_000_000))
    assert [r.title for r in results if isinstance(r, ParsedArticle)] == [
        "Shymkent opens tender for rooftop solar on schools"]
    assert isinstance(results[-1], ParseFailure) and "damaged after record 3" in results[-1].reason


def test_a_page_in_a_web_archive_over_the_article_limit_is_reported_alone():
    assert len(TURKESTAN) < 2500 < len(SHYMKENT)
    results = list(iter_warc(io.BytesIO(build_warc(gzip=False)), max_record_bytes=2500))
    failures = [r for r in results if isinstance(r, ParseFailure)]
    assert [(f.line, f.unit) for f in failures] == [(3, "record")]
    assert "larger than the limit" in failures[0].reason
    assert [r.title for r in results if isinstance(r, ParsedArticle)] == ["Turkestan's wind auction draws record bids"]


# Feeds


def test_rss_entries_become_articles_with_absolute_links_decoded_entities_and_datelines():
    first, second = iter_feed((FIXTURES / "feeds" / "eastern-grid.rss").read_bytes())
    assert first.title == "Turkestan\u2019s wind auction draws \"record\" bids"
    assert first.url.startswith("https://eastern-grid.example/2024/05/turkestan-wind-auction")
    assert first.published == dt.date(2024, 5, 14)
    assert first.dateline == "Turkestan"
    assert first.body.startswith("Eleven developers bid")
    assert "kilowatt-hour & will be published" in first.body
    assert first.author == "Marat Ospanov" and first.tags == ["wind power"]
    assert first.source == "Eastern Grid Weekly & Partners"
    assert second.url == "https://eastern-grid.example/2024/05/winter-reserve-plan"
    assert second.published is None  # no date in the feed: an undated story


def test_atom_entries_resolve_links_against_xml_base():
    first, second = iter_feed((FIXTURES / "feeds" / "caspian-wire.atom").read_bytes())
    assert first.title == "Aktau port & rail link: volumes up a third"
    assert first.url == "https://caspian-wire.example/news/aktau-port-volumes"
    assert first.published == dt.date(2024, 6, 1)
    assert first.dateline == "Aktau"
    assert first.body.split("\n\n")[1] == "## Ferries"
    assert second.url == "https://caspian-wire.example/columns/notes-from-the-steppe"
    assert second.published is None


def test_fetching_an_entry_takes_the_page_text_and_falls_back_to_the_feed_when_it_fails():
    pages = {"https://eastern-grid.example/2024/05/turkestan-wind-auction?utm_source=rss&utm_medium=feed": TURKESTAN}

    def fetch(url: str) -> bytes:
        if url not in pages:
            raise OSError("HTTP 404 Not Found")
        return pages[url]

    first, second = iter_feed((FIXTURES / "feeds" / "eastern-grid.rss").read_bytes(), fetch=fetch)
    assert "Developers from China, Turkey and the Gulf" in first.body  # the page's full text
    assert "Read next" not in first.body
    assert first.published == dt.date(2024, 5, 14)
    assert second.body.startswith("The national grid operator")  # the feed's own text


@pytest.mark.parametrize("data", [b"", b"<html><body>not a feed</body></html>", b"\xff\xfe garbage", b"<rss><channel>"])
def test_something_that_is_not_a_feed_is_one_failure(data):
    results = list(iter_feed(data))
    assert len(results) == 1 and isinstance(results[0], ParseFailure)


# Datelines, whatever the format


def test_a_dateline_at_the_start_of_a_jsonl_body_leaves_the_text():
    line = json.dumps({"title": "Summit", "body": "SHYMKENT – The regional akimat met investors.",
                       "date": "2024-05-01"})
    (article,) = parse_jsonl(line)
    assert (article.dateline, article.body) == ("Shymkent", "The regional akimat met investors.")


def test_a_dateline_with_country_and_agency_is_read_too():
    line = json.dumps({"body": "ALMATY, Kazakhstan (Caspian Wire) — Tariffs rise in July.", "date": "2024-05-01"})
    (article,) = parse_jsonl(line)
    assert (article.dateline, article.body) == ("Almaty", "Tariffs rise in July.")


def test_a_dateline_in_a_markdown_body_leaves_the_text():
    (article,) = parse_markdown("---\ntitle: Grid\ndate: 2024-01-02\n---\n\nKARAGANDA - Coal output fell.\n")
    assert (article.dateline, article.body) == ("Karaganda", "Coal output fell.")


def test_a_given_dateline_that_names_another_place_leaves_the_body_alone():
    line = json.dumps({"body": "ASTANA – Text.", "dateline": "Almaty", "date": "2024-05-01"})
    (article,) = parse_jsonl(line)
    assert (article.dateline, article.body) == ("Almaty", "ASTANA – Text.")


def test_words_in_capitals_without_a_dash_are_not_a_dateline():
    (article,) = parse_jsonl(json.dumps({"body": "OPEC ministers met in Vienna.", "date": "2024-05-01"}))
    assert (article.dateline, article.body) == ("", "OPEC ministers met in Vienna.")
