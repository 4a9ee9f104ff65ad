"""Undated stories, once imported: stored, shown as undated, counted, found by every filter but the dates.

Both answerers are checked: the database (browse without the index) and the index.
"""

from __future__ import annotations

import json
import re
from html import unescape

import pytest
from django.core.paginator import Paginator
from django.http import QueryDict

from archive.facets import count_facets, facet_display, timeline
from archive.filters import ArticleFilter
from archive.ingest.importer import import_articles
from archive.listing import IndexedArticles
from archive.models import Article
from archive.search_backend import get_search_backend
from search.filters import filter_query
from search.query import parse_query
from search.service import run_search
from tests.factories import make_source

pytestmark = pytest.mark.django_db


@pytest.fixture
def archive(tmp_path, reindex):
    make_source("Caspian Wire")
    rows = [
        {"title": "Dated wind story", "body": "Wind farms in Zhambyl grow.", "date": "2023-01-15"},
        {"title": "Later wind story", "body": "Wind auctions in Turkestan.", "date": "2023-04-02"},
        {"title": "Undated wind story", "body": "Wind turbines arrive by rail.", "source": "Caspian Wire",
         "dateline": "Taraz", "tags": ["wind power"]},
        {"title": "Undated coal story", "body": "Coal trains from Ekibastuz.", "language": "ru"},
    ]
    path = tmp_path / "mixed.jsonl"
    path.write_text("\n".join(json.dumps(row) for row in rows), "utf-8")
    report = import_articles(paths=[path])
    assert report.failures == [] and report.undated == 2
    reindex()
    return {a.title: a.id for a in Article.objects.all()}


def browse(query: str) -> set[int]:
    filterset = ArticleFilter(QueryDict(query), queryset=Article.objects.all())
    assert filterset.is_valid(), filterset.errors
    return set(filterset.qs.values_list("id", flat=True))


def search(query: str, q: str | None = None) -> set[int]:
    filterset = ArticleFilter(QueryDict(query), queryset=Article.objects.all())
    assert filterset.is_valid(), filterset.errors
    results = run_search(parse_query(q) if q else None, per_page=100,
                         filter_query=filter_query(filterset.form.cleaned_data))
    return {hit.article.id for hit in results.hits}


@pytest.mark.parametrize(("query", "expected"), [
    ("source=caspian-wire", {"Undated wind story"}),
    ("tag=wind-power", {"Undated wind story"}),
    ("place=Taraz", {"Undated wind story"}),
    ("language=ru", {"Undated coal story"}),
    ("year=2023", {"Dated wind story", "Later wind story"}),
    ("date_from=1900-01-01", {"Dated wind story", "Later wind story"}),
    ("undated=1", {"Undated wind story", "Undated coal story"}),
    ("undated=1&language=ru", {"Undated coal story"}),
    ("undated=0", {"Dated wind story", "Later wind story"}),
    ("undated=1&year=2023", set()),
])
def test_undated_stories_answer_every_filter_but_the_dates_on_both_paths(archive, query, expected):
    assert browse(query) == search(query) == {archive[title] for title in expected}


def test_search_finds_undated_stories(archive):
    assert search("", q="wind") == {archive["Dated wind story"], archive["Later wind story"],
                                    archive["Undated wind story"]}


@pytest.mark.parametrize("sort", ["newest", "oldest"])
def test_undated_stories_sort_as_the_oldest_in_the_database_and_the_index(archive, sort):
    counts, articles = get_search_backend().list_filtered(Article.objects.all(), {}, sort)
    assert isinstance(articles, IndexedArticles)
    paginator = Paginator(articles, 3)
    listed = [a.id for n in paginator.page_range for a in paginator.page(n).object_list]
    database = list(Article.objects.in_date_order(sort).values_list("id", flat=True))
    assert listed == database
    undated = {archive["Undated wind story"], archive["Undated coal story"]}
    assert set(database[-2:] if sort == "newest" else database[:2]) == undated
    assert counts.undated == 2


def test_undated_stories_are_counted_beside_the_timeline_and_the_years(archive):
    counts = count_facets(Article.objects.all())
    assert (counts.total, counts.undated, dict(counts.years)) == (4, 2, {2023: 2})
    chart = timeline(counts, QueryDict(""))
    assert chart.undated == 2 and chart.total == 2
    years = next(group for group in facet_display(counts, QueryDict("")) if group.title == "Years")
    assert years.note == "2 undated"


def test_pages_show_undated_and_the_count(archive, client):
    article = Article.objects.get(title="Undated wind story")
    page = client.get(article.get_absolute_url()).content.decode()
    assert '<span class="undated">undated</span>' in page
    listing = client.get("/articles/").content.decode()
    assert listing.count('<span class="undated">undated</span>') == 2
    assert "2 undated" in listing
    results = client.get("/search/", {"q": "wind"}).content.decode()
    assert '<span class="undated">undated</span>' in results and "1 undated" in results


def test_an_undated_story_needs_no_date_in_the_index_document(archive):
    from search.schema import documents

    (_, document), = documents([archive["Undated coal story"]])
    assert "date" not in document
    assert document["facet_row"].decode().split("|")[1:3] == ["0", "0"]


UNDATED_LIST = "/articles/?undated=1"


def links_to(html: str, text: str) -> list[str]:
    """The addresses of the links that read ``text``."""
    return [unescape(href) for href, inner in re.findall(r'<a [^>]*href="([^"]*)"[^>]*>(.*?)</a>', html, re.S)
            if " ".join(re.sub(r"<[^>]+>", "", inner).split()) == text]


def test_the_undated_count_beside_the_dates_links_to_the_undated_articles(archive, client):
    pages = {
        "/archive/": [UNDATED_LIST],  # the date archive
        "/": [UNDATED_LIST],  # beside the years on the home page
        "/articles/": ["?undated=1", "?undated=1"],  # the timeline and the years facet
        "/articles/?language=ru&year=2023": [],  # a year holds no undated story
    }
    for url, expected in pages.items():
        assert links_to(client.get(url).content.decode(), "2 undated") == expected, url
    # Other filters stay in force; a date filter would find none, so it goes.
    assert links_to(client.get("/articles/?language=ru").content.decode(), "1 undated") == ["?language=ru&undated=1"]
    listing = client.get(UNDATED_LIST).content.decode()
    titles = set(re.findall(r'class="item__title"><a href="[^"]+">([^<]+)</a>', listing))
    assert titles == {"Undated wind story", "Undated coal story"}
    assert links_to(listing, "Undated only × (remove)") == ["?"]


def test_search_narrows_to_its_undated_matches(archive, client):
    html = client.get("/search/", {"q": "wind"}).content.decode()
    assert links_to(html, "1 undated") == ["?q=wind&undated=1"] * 2  # the timeline and the years facet
    narrowed = client.get("/search/", {"q": "wind", "undated": "1"})
    assert [hit.article.title for hit in narrowed.context["results"].hits] == ["Undated wind story"]


def test_an_entitys_timeline_links_its_undated_articles(archive, client):
    from tests.factories import make_entity

    wind = make_entity("Wind Power Association")
    for article in Article.objects.filter(title__contains="wind"):
        article.mentions.create(entity=wind, count=1)
    html = client.get(wind.get_absolute_url()).content.decode()
    assert links_to(html, "1 undated") == ["/articles/?entity=wind-power-association&undated=1"]


def test_a_bad_undated_value_is_reported_and_ignored(archive, client):
    response = client.get("/articles/", {"undated": "maybe"})
    assert response.status_code == 200
    assert "Undated: Select a valid choice." in response.content.decode()
    assert response.context["total"] == 4
