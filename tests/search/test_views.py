"""The search page as users reach it: through URLs, with whatever they type."""

import re
from html import unescape as html_unescape

import pytest

from archive.models import EntityKind
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


# The rough edges a new user hit (issue 14)


@pytest.fixture
def leaders(reindex):
    """Articles written for these tests: a president named by full name, an alias and a surname."""
    tokayev = make_entity("Kassym-Jomart Tokayev", kind=EntityKind.PERSON, aliases=["Tokayev"])
    make_article(
        "Energy ministers meet in Astana",
        "Energy ministers from five countries met in Astana on Monday to discuss grid links.\n\n"
        "The meeting ended with a joint statement. President Kassym-Jomart Tokayev welcomed the delegations "
        "at the Akorda. Officials said the next round would be in Tashkent.",
        mentions=[tokayev],
    )
    make_article(
        "Wind farm near Zhanatas grows",
        "The wind farm near Zhanatas added ten turbines. A farm of solar panels is planned. "
        "Wind speeds were high all spring.",
    )
    make_article("Solar plant opens", "A solar plant opened near Almaty; wind turbines may follow.")
    reindex()


def _interpretation(html: str) -> str | None:
    match = re.search(r'<p class="interpretation">Searched for: <code>(.*?)</code>', html)
    return match.group(1) if match else None


@pytest.mark.parametrize(
    ("q", "shown"),
    [
        ("kassym-jomart OR zhanatas -solar", "((kassym AND jomart) OR zhanatas) AND NOT solar"),
        ("kassym-jomart -solar", "kassym AND jomart AND NOT solar"),
        ("title:wind -solar", "title:wind AND NOT solar"),
        ("title:wind OR body:farm -solar", "(title:wind OR body:farm) AND NOT solar"),
        ("wind date:2024", "wind AND date:[2024-01-01 to 2024-12-31]"),
    ],
)
def test_searched_for_shows_the_query_in_the_readers_words(client, leaders, q, shown):
    html = client.get("/search/", {"q": q}).content.decode()
    assert _interpretation(html) == shown
    if "body:" not in q:  # field names appear only where the reader typed them
        assert "body:" not in shown and "entities:" not in shown


@pytest.mark.parametrize("q", ["kassym-jomart tokayev", "wind solar", "wind AND solar", "wind"])
def test_searched_for_is_not_shown_when_it_would_only_repeat_the_words(client, leaders, q):
    assert _interpretation(client.get("/search/", {"q": q}).content.decode()) is None


def test_lower_case_or_offers_the_query_with_a_capital_or(client, leaders):
    html = client.get("/search/", {"q": "wind or solar", "year": "2024"}).content.decode()
    match = re.search(r'Did you mean <a href="([^"]+)">wind OR solar</a>\?', html)
    assert match
    url = match.group(1).replace("&amp;", "&")
    assert "q=wind+OR+solar" in url and "year=2024" in url  # the filters are kept
    followed = client.get("/search/" + url).content.decode()
    assert "2 articles" in followed and "Did you mean" not in followed


@pytest.mark.parametrize("q", ["wind OR solar or", '"wind or solar"', "wind", "windor solar"])
def test_no_operator_suggestion_where_or_is_not_a_lone_lower_case_word(client, leaders, q):
    assert "OR in capitals finds either word" not in client.get("/search/", {"q": q}).content.decode()


@pytest.mark.parametrize(
    ("q", "note"),
    [
        ("title:", "“title:” has nothing after it"),
        ("title: wind", "“title:” has nothing after it"),
        ("person: tokayev", "“person:” has nothing after it"),
        ('"wind farm', "An unmatched quotation mark was ignored"),
    ],
)
def test_an_empty_field_or_an_unclosed_quote_gets_a_note(client, leaders, q, note):
    response = client.get("/search/", {"q": q})
    assert response.status_code == 200
    assert note in response.content.decode()


def test_a_phrase_is_marked_whole_not_word_by_word(client, leaders):
    html = client.get("/search/", {"q": '"wind farm"'}).content.decode()
    snippets = re.findall(r'<p class="item__summary snippet">(.*?)</p>', html, re.S)
    assert len(snippets) == 1
    assert "<mark>wind farm</mark>" in snippets[0]
    # "Wind speeds" and "A farm of solar panels" are not the phrase.
    assert "<mark>Wind</mark>" not in snippets[0] and "<mark>farm</mark>" not in snippets[0]
    assert "<mark>Wind farm</mark> near Zhanatas grows" in html


def test_a_phrase_with_other_words_marks_both(client, leaders):
    html = client.get("/search/", {"q": '"wind farm" turbines'}).content.decode()
    assert "<mark>wind farm</mark>" in html and "<mark>turbines</mark>" in html


def test_an_entity_query_shows_the_sentence_that_names_the_entity(client, leaders):
    html = client.get("/search/", {"q": "person:Tokayev"}).content.decode()
    snippets = re.findall(r'<p class="item__summary snippet">(.*?)</p>', html, re.S)
    assert snippets == [
        "President <mark>Kassym-Jomart Tokayev</mark> welcomed the delegations at the Akorda."
    ]


def test_related_articles_prefer_shared_entities_to_shared_common_words(client, reindex):
    """The seed names SPIC, Sany and Zhambyl; the forum stories share many of its words but none of its names."""
    spic = make_entity("State Power Investment Corporation", kind=EntityKind.ORGANISATION, aliases=["SPIC"])
    sany = make_entity("Sany", kind=EntityKind.ORGANISATION)
    zhambyl = make_entity("Zhambyl Region", kind=EntityKind.PLACE)
    kazakhstan = make_entity("Kazakhstan", kind=EntityKind.PLACE)
    seed = make_article(
        "SPIC and Sany agree on a wind farm in Zhambyl",
        "SPIC and Sany signed an agreement on Tuesday to build a wind farm in Zhambyl Region. "
        "The companies said the agreement would deepen investment cooperation and that officials "
        "at the signing welcomed the partnership between the companies.",
        mentions=[spic, sany, zhambyl, kazakhstan],
    )
    for n, topic in enumerate(["textiles", "tourism", "logistics"]):
        make_article(
            f"Investment forum day {n}",
            f"Officials at the investment forum discussed {topic}. Delegates said cooperation on {topic} "
            f"would deepen, and an agreement on {topic} training was signed on the closing day.",
            mentions=[kazakhstan],
        )
    make_article("State Power Investment Corporation expands turbines",
                 "State Power Investment Corporation will add turbines at its Zhanatas site.", mentions=[spic])
    make_article("Zhambyl Region wind output rises", "Turbines in Zhambyl Region produced more power this spring.",
                 mentions=[zhambyl])
    for n in range(6):  # enough other articles that naming Kazakhstan is common, as in the real archive
        make_article(f"Grain harvest {n}", f"Farmers in Kazakhstan brought in grain harvest number {n}.",
                     mentions=[kazakhstan])
    reindex()

    from search.related import related_articles

    related = [article.title for article in related_articles(seed, limit=5)]
    assert any(title.startswith("Investment forum") for title in related)  # they share words, and are related
    named_alike = {"State Power Investment Corporation expands turbines", "Zhambyl Region wind output rises"}
    assert set(related[:2]) == named_alike
    html = client.get(seed.get_absolute_url()).content.decode()
    assert "State Power Investment Corporation expands turbines" in html


def test_search_help_examples_are_links_that_run_them(client, leaders):
    html = client.get("/search/help/").content.decode()
    table = html[html.index("<tbody>") : html.index("</tbody>")]
    rows = table.split("<tr>")[1:]
    assert len(rows) >= 10
    for row in rows:
        example_cell = row.split("</td>")[0]
        examples = re.findall(r"<code>(.*?)</code>", example_cell)
        links = re.findall(r'<a href="(/search/\?q=[^"]+)"><code>(.*?)</code></a>', example_cell)
        assert examples and [text for _, text in links] == examples, row
        for href, text in links:
            response = client.get(href.replace("&amp;", "&"))
            assert response.status_code == 200
            typed = html_unescape(text)
            assert response.context["query"] == typed
