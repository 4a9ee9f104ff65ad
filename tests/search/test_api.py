"""GET /api/search/: the search page's own service, as JSON."""

from urllib.parse import urlencode

import pytest
from django.core.cache import cache
from django.http import QueryDict

from archive.filters import ArticleFilter
from archive.models import Article
from search.filters import filter_query
from search.query import parse_query
from search.service import run_search
from tests.archive.test_filters import FILTER_CASES, ids, world  # noqa: F401 - world is a fixture
from tests.search.test_views import NASTY_QUERIES, indexed  # noqa: F401 - indexed is a fixture

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_throttles():
    cache.clear()


def api_search(client, query: str = "", **params):
    """GET /api/search/ with a query string of filters plus keyword parameters."""
    return client.get("/api/search/?" + "&".join(part for part in (query, urlencode(params)) if part))


@pytest.mark.parametrize(("query", "expected"), FILTER_CASES)
def test_filters_give_the_same_articles_as_the_pages(client, world, query, expected):  # noqa: F811
    body = api_search(client, query, page_size=100).json()
    got = {hit["article"]["id"] for hit in body["results"]}
    filterset = ArticleFilter(QueryDict(query), queryset=Article.objects.all())
    assert got == set(filterset.qs.values_list("id", flat=True)) == ids(world, *expected)
    assert body["total"] == len(expected)


@pytest.mark.parametrize("q", ["wind", "solar OR coal", '"wind farms"', "wind -solar", "grid~"])
def test_query_results_total_and_order_are_the_search_services(client, world, q):  # noqa: F811
    body = api_search(client, "source=caspian-wire&source=steppe-review", q=q, page_size=100).json()
    filterset = ArticleFilter(QueryDict("source=caspian-wire&source=steppe-review"), queryset=Article.objects.all())
    filterset.is_valid()
    expected = run_search(parse_query(q), per_page=100, filter_query=filter_query(filterset.form.cleaned_data))
    assert body["total"] == expected.total
    assert [hit["article"]["id"] for hit in body["results"]] == [hit.article.id for hit in expected.hits]
    assert [hit["score"] for hit in body["results"]] == pytest.approx([hit.score for hit in expected.hits])


def test_facets_are_exact_counts_with_names(client, world):  # noqa: F811
    facets = api_search(client, q="wind").json()["facets"]
    # "wind" is in a, b, c, d and f (e is about coal).
    assert {row["slug"]: row["count"] for row in facets["sources"]} == {"caspian-wire": 3, "steppe-review": 2}
    assert {row["slug"]: row["count"] for row in facets["entities"]["person"]} == {"tokayev": 3, "xi-jinping": 3}
    assert {row["year"]: row["count"] for row in facets["years"]} == {2023: 3, 2024: 2}
    assert {row["slug"]: row["count"] for row in facets["tags"]} == {"wind-power": 2, "solar-power": 2}


def test_highlights_mark_the_words_and_escape_the_text(client, indexed):  # noqa: F811
    hit = api_search(client, q="wind").json()["results"][0]
    assert hit["title_html"] == "<mark>Wind</mark> farm &lt;opens&gt;"
    assert "<mark>wind</mark>" in hit["snippet_html"]
    assert "<b>" not in hit["snippet_html"] and "&lt;b&gt;now" in hit["snippet_html"]
    assert hit["article"]["title"] == "Wind farm <opens>"


def test_pages_and_page_size(client, world):  # noqa: F811
    first = api_search(client, q="wind", page_size=2).json()
    second = api_search(client, q="wind", page_size=2, page=2).json()
    assert first["total"] == second["total"] == 5 and first["num_pages"] == 3
    assert not {h["article"]["id"] for h in first["results"]} & {h["article"]["id"] for h in second["results"]}
    assert api_search(client, q="wind", page_size=101).status_code == 400


def test_without_a_query_every_filtered_article_newest_first(client, world):  # noqa: F811
    body = api_search(client, "tag=wind-power").json()
    assert [hit["article"]["id"] for hit in body["results"]] == [world["b"].id, world["a"].id, world["e"].id]


@pytest.mark.parametrize(
    ("q", "message"),
    [("date:2024-13", "“2024-13” is not a real date."), ("x" * 400, "That query is too long")],
)
def test_bad_queries_answer_400_with_the_search_pages_message(client, indexed, q, message):  # noqa: F811
    response = api_search(client, q=q)
    assert response.status_code == 400
    assert message in response.json()["detail"]
    assert message in client.get("/search/", {"q": q}).content.decode().replace("&quot;", '"')


def test_bad_filters_answer_400(client, indexed):  # noqa: F811
    response = api_search(client, "month=3")
    assert response.status_code == 400
    assert "Choose a year as well as a month." in response.json()["detail"]


@pytest.mark.parametrize("q", NASTY_QUERIES)
def test_nasty_queries_never_give_a_server_error(client, indexed, q):  # noqa: F811
    assert api_search(client, q=q).status_code in (200, 400)


@pytest.mark.parametrize("q", ['"wind farm"', "wind", "SPIC", "org:SPIC"])
def test_titles_snippets_and_reading_are_the_ones_the_page_shows(client, indexed, q):  # noqa: F811
    body = api_search(client, q=q).json()
    page = client.get("/search/", {"q": q}).content.decode()
    assert body["results"]
    for hit in body["results"]:
        assert hit["title_html"] in page
        assert hit["snippet_html"] in page
    if body["interpretation"] and "Searched for" in page:
        assert body["interpretation"] in page.replace("&quot;", '"')
