"""The search page as users reach it: through URLs, with whatever they type."""

import pytest

from search.index import reset_searcher
from tests.factories import make_article, make_entity

pytestmark = pytest.mark.django_db

NASTY_QUERIES = [
    "", " ", "\t\n", "*", "**", "?", "a*", "*wind", "wind*", "~", "wind~9", "ab~", '"', '""', '"unclosed phrase',
    "(", ")", "((((", "))))", "(wind", "wind)", "AND", "OR", "NOT", "AND OR NOT", "wind AND", "OR wind",
    "NOT NOT NOT", "-", "--wind", "- -", ":", "title:", ":wind", "nofield:wind", "date:", "date:yesterday-ish",
    "date:2024-13", "date:[", "date:[2024", "date:[2024 to", "date:[to]", "date:[2025 to 2020]", "date:99999",
    "[", "]", "{", "}", "^", "wind^", "wind^abc", "wind^999999999999", "\\", "\\\\wind", "'", "''", "wind'",
    "<script>alert(1)</script>", "&amp;", "%00", "\x00", "\x1b[31m", "🚀", "風力", "Токаев~", "x" * 5000,
    "wind " * 200, "a" * 300 + "*", "title:title:title:", "person:(wind OR", "*:*", "tag:\"", "id:__date0__",
    "place:[a to z]", "date:2024-02-30", "wind~0.5", '"wind farm"~abc', '"wind farm"~999',
]


@pytest.fixture
def indexed(reindex):
    spic = make_entity("State Power Investment Corporation", aliases=["SPIC"])
    make_article(
        "Wind farm <opens>",
        "The wind farm opened. State Power Investment Corporation runs it <b>now</b>.",
        mentions=[spic],
    )
    make_article("Solar plant", "A solar plant near Almaty.")
    reindex()


def test_at_least_thirty_nasty_queries():
    assert len(NASTY_QUERIES) >= 30


@pytest.mark.parametrize("q", NASTY_QUERIES)
def test_nasty_queries_never_give_a_server_error(client, indexed, q):
    response = client.get("/search/", {"q": q})
    assert response.status_code == 200
    assert b"Search" in response.content


@pytest.mark.parametrize(
    "params",
    [{"sort": "sideways"}, {"page": "abc"}, {"page": "-1"}, {"page": "99999999999999999999"}, {"page": "2.5"}],
)
def test_bad_sort_or_page_values_fall_back(client, indexed, params):
    response = client.get("/search/", {"q": "wind", **params})
    assert response.status_code == 200
    assert "1 article" in response.content.decode()


def test_results_show_count_title_source_and_escaped_highlight(client, indexed):
    html = client.get("/search/", {"q": "wind"}).content.decode()
    assert "1 article" in html
    assert "<mark>Wind</mark> farm &lt;opens&gt;" in html
    assert "<mark>wind</mark>" in html
    assert "<b>now" not in html and "&lt;b&gt;now" in html


def test_alias_query_from_the_page(client, indexed):
    html = client.get("/search/", {"q": "SPIC"}).content.decode()
    assert "1 article" in html and "Wind farm &lt;opens&gt;" in html


def test_an_unreadable_query_gets_a_message_not_an_error(client, indexed):
    html = client.get("/search/", {"q": "date:yesterday-ish"}).content.decode()
    assert "is not a date Dossier understands" in html


def test_the_page_says_how_it_read_the_query(client, indexed):
    html = client.get("/search/", {"q": "wind -solar"}).content.decode()
    assert "Searched for:" in html and "wind AND NOT solar" in html
    plain = client.get("/search/", {"q": "wind"}).content.decode()
    assert "Searched for:" not in plain


def test_no_results_offers_a_suggestion_that_works(client, indexed):
    html = client.get("/search/", {"q": "wnd"}).content.decode()
    assert "No articles match" in html
    assert 'Did you mean <a href="?q=wind">wind</a>' in html
    assert "1 article" in client.get("/search/", {"q": "wind"}).content.decode()


def test_missing_index_gives_a_clear_message(client, db, settings, tmp_path):
    settings.SEARCH_INDEX_DIR = tmp_path / "nowhere"
    reset_searcher()
    response = client.get("/search/", {"q": "wind"})
    assert response.status_code == 503
    assert "rebuild_index" in response.content.decode()


def test_search_box_and_help_link_on_every_page(client, indexed):
    html = client.get("/").content.decode()
    assert 'action="/search/"' in html and 'href="/search/help/"' in html
    help_page = client.get("/search/help/").content.decode()
    for form in ['OR', '"wind farm"~3', "turb*", "tokaev~", "person:", "date:[2023-01 to 2024-06]", "-coal"]:
        assert form in help_page.replace("&quot;", '"')


def test_related_articles_on_the_article_page(client, reindex):
    first = make_article("Wind turbines arrive", "Wind turbines and blades arrived for the wind farm near Zhanatas.")
    make_article("More wind turbines", "Blades and towers for wind turbines reached the Zhanatas wind farm.")
    reindex()
    html = client.get(first.get_absolute_url()).content.decode()
    assert "Related articles" in html and "More wind turbines" in html


def test_warm_up_opens_the_index_and_tolerates_a_missing_one(indexed, settings, tmp_path):
    from search.index import warm_up

    assert warm_up() is True
    settings.SEARCH_INDEX_DIR = tmp_path / "nowhere"
    reset_searcher()
    assert warm_up() is False
