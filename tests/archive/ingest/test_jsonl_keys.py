"""JSON Lines written by other tools: the same article under the key names they use.

The records below are written for this project in the shape of common exports (a news
API, a scraper, schema.org NewsArticle, a Media Cloud style export); the stories are invented.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest

from archive.ingest.base import ParsedArticle, ParseFailure
from archive.ingest.jsonl import parse_jsonl

BODY = "ASTANA – The grid operator said on Tuesday that a new wind farm near Ereymentau had joined the network."


def _one(record: dict) -> ParsedArticle | ParseFailure:
    [result] = parse_jsonl(json.dumps(record))
    return result


def test_a_news_api_export_keeps_its_date_source_and_author():
    article = _one({"source": {"id": "steppe-wire", "name": "Steppe Wire"}, "author": "A. Writer",
                    "title": "Ereymentau wind farm joins the grid", "description": "A new farm joins.",
                    "url": "https://example.org/news/ereymentau", "publishedAt": "2024-05-07T09:30:00Z",
                    "content": BODY})
    assert isinstance(article, ParsedArticle)
    assert article.published == dt.date(2024, 5, 7)
    assert article.source == "Steppe Wire" and article.author == "A. Writer"
    assert article.lede == "A new farm joins." and article.url == "https://example.org/news/ereymentau"


def test_a_scraper_export_with_text_published_and_a_list_of_authors():
    article = _one({"headline": "Wind farm joins the grid", "text": BODY, "published": "2024-05-07",
                    "authors": ["A. Writer", "B. Reporter"], "link": "https://example.org/a", "lang": "ru-RU",
                    "keywords": "wind, grid"})
    assert isinstance(article, ParsedArticle)
    assert article.title == "Wind farm joins the grid" and article.published == dt.date(2024, 5, 7)
    assert article.author == "A. Writer, B. Reporter" and article.language == "ru"
    assert article.tags == ["wind", "grid"] and article.url == "https://example.org/a"


def test_schema_org_and_media_cloud_style_keys():
    schema_org = _one({"@type": "NewsArticle", "headline": "Grid news", "articleBody": BODY,
                       "datePublished": "2024-05-07T12:00:00+05:00", "publisher": {"@type": "Organization",
                                                                                 "name": "Steppe Wire"},
                       "inLanguage": "en-GB"})
    assert isinstance(schema_org, ParsedArticle)
    assert (schema_org.published, schema_org.source, schema_org.language) == (dt.date(2024, 5, 7), "Steppe Wire",
                                                                              "en")
    media_cloud = _one({"title": "Grid news", "text": BODY, "publish_date": "2024-05-07 08:00:00",
                        "media_name": "Steppe Wire"})
    assert isinstance(media_cloud, ParsedArticle)
    assert (media_cloud.published, media_cloud.source) == (dt.date(2024, 5, 7), "Steppe Wire")


def test_dossiers_own_key_wins_over_another_name_for_it():
    article = _one({"body": BODY, "text": "Another text.", "date": "2024-05-07", "published": "2020-01-01"})
    assert article.published == dt.date(2024, 5, 7) and "Ereymentau" in article.body


@pytest.mark.parametrize(("value", "day"), [(1715074200, dt.date(2024, 5, 7)), (1715074200000, dt.date(2024, 5, 7))])
def test_a_unix_time_is_its_utc_day(value, day):
    assert _one({"body": BODY, "date": value}).published == day


@pytest.mark.parametrize("value", [-5, 10**20, True])
def test_a_number_that_is_no_time_is_reported(value):
    result = _one({"body": BODY, "date": value})
    assert isinstance(result, ParseFailure) and "date" in result.reason


def test_a_record_without_any_text_names_the_keys_it_looked_for():
    result = _one({"title": "Only a title", "date": "2024-05-07"})
    assert isinstance(result, ParseFailure)
    assert "missing body" in result.reason and "content" in result.reason


@pytest.mark.parametrize(("tag", "code"), [("en", "en"), ("EN", "en"), ("en-US", "en"), ("ru_RU", "ru"),
                                           ("zh-Hans-CN", "zh")])
def test_language_tags_keep_the_language(tag, code):
    assert _one({"body": BODY, "language": tag}).language == code


@pytest.mark.parametrize("tag", ["english", "e", "en--US", "12"])
def test_a_language_that_is_no_tag_is_reported(tag):
    result = _one({"body": BODY, "language": tag})
    assert isinstance(result, ParseFailure) and "language" in result.reason
