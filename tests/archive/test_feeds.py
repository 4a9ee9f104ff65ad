"""Atom feeds (archive/feeds.py, search/feeds.py) and their autodiscovery links.

The articles here were written for these tests.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from django.test import override_settings

from archive.models import EntityKind
from tests.factories import make_article, make_entity, make_source, make_tag

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"


def entries(response) -> list[dict]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.content)
    return [
        {
            "title": entry.findtext(f"{ATOM}title"),
            "link": entry.find(f"{ATOM}link").get("href"),
            "published": entry.findtext(f"{ATOM}published"),
            "author": entry.findtext(f"{ATOM}author/{ATOM}name"),
            "categories": sorted(c.get("term") for c in entry.findall(f"{ATOM}category")),
        }
        for entry in feed.findall(f"{ATOM}entry")
    ]


def feed_title(response) -> str:
    return ET.fromstring(response.content).findtext(f"{ATOM}title")


@pytest.fixture
def archive():
    tengri = make_source("Tengri Wire (test)")
    energy = make_tag("Energy")
    tokayev = make_entity("Kassym-Jomart Tokayev", kind=EntityKind.PERSON)
    make_article("Wind farm opens near Astana", "Tokayev opened a wind farm.", "2024-03-29", source=tengri,
                 tags=[energy], mentions=[tokayev])
    make_article("Solar park <in> the south", "A solar park opened in Turkestan.", "2024-05-02", tags=[energy])
    make_article("Coal report", "Coal output fell in Ekibastuz.", "2022-01-15", source=tengri)
    return {"tengri": tengri, "energy": energy, "tokayev": tokayev}


def test_the_article_feed_lists_the_newest_first_with_source_and_tags(client, archive):
    items = entries(client.get("/articles/feed.atom"))
    assert [i["title"] for i in items] == ["Solar park <in> the south", "Wind farm opens near Astana", "Coal report"]
    wind = items[1]
    assert wind["published"].startswith("2024-03-29")
    assert wind["author"] == "Tengri Wire (test)"
    assert wind["categories"] == ["Energy"]
    assert wind["link"].startswith("http://testserver/articles/")


def test_the_article_feed_takes_the_lists_filters(client, archive):
    response = client.get("/articles/feed.atom", {"source": "tengri-wire-test", "year": "2024"})
    assert [i["title"] for i in entries(response)] == ["Wind farm opens near Astana"]
    assert "Tengri Wire (test)" in feed_title(response)


def test_entity_source_and_tag_feeds_follow_their_articles(client, archive):
    assert [i["title"] for i in entries(client.get("/entities/kassym-jomart-tokayev/feed/"))] == [
        "Wind farm opens near Astana"]
    assert [i["title"] for i in entries(client.get("/sources/tengri-wire-test/feed/"))] == [
        "Wind farm opens near Astana", "Coal report"]
    tag_feed = client.get("/tags/energy/feed/")
    assert [i["title"] for i in entries(tag_feed)] == ["Solar park <in> the south", "Wind farm opens near Astana"]
    assert feed_title(tag_feed) == "Dossier: Energy"
    assert client.get("/entities/nobody/feed/").status_code == 404


@override_settings(FEED_ITEMS=2)
def test_a_feed_has_at_most_the_number_of_items_set_in_settings(client, archive):
    assert len(entries(client.get("/articles/feed.atom"))) == 2


def test_the_search_feed_has_the_newest_matches_of_the_query_and_filters(client, archive, reindex):
    reindex()
    response = client.get("/search/feed.atom", {"q": "opened"})
    assert [i["title"] for i in entries(response)] == ["Solar park <in> the south", "Wind farm opens near Astana"]
    assert feed_title(response) == "Dossier search: opened"
    filtered = client.get("/search/feed.atom", {"q": "opened", "source": "tengri-wire-test"})
    assert [i["title"] for i in entries(filtered)] == ["Wind farm opens near Astana"]


def test_an_unreadable_search_feed_query_is_not_found_rather_than_a_server_error(client, archive, reindex):
    reindex()
    for q in ("date:[2025 to 2020]", "(((", "x" * 5000):
        assert client.get("/search/feed.atom", {"q": q}).status_code in (200, 404)


@pytest.mark.parametrize(
    ("page", "feed"),
    [
        ("/articles/?tag=energy", "/articles/feed.atom?tag=energy"),
        ("/search/?q=wind&amp;tag=energy".replace("&amp;", "&"), "/search/feed.atom?q=wind&amp;tag=energy"),
        ("/entities/kassym-jomart-tokayev/", "/entities/kassym-jomart-tokayev/feed/"),
        ("/sources/tengri-wire-test/", "/sources/tengri-wire-test/feed/"),
        ("/tags/energy/", "/tags/energy/feed/"),
        ("/", "/articles/feed.atom"),
    ],
)
def test_pages_name_their_feed_in_the_head_for_feed_readers(client, archive, reindex, page, feed):
    reindex()
    html = client.get(page).content.decode()
    head = html.split("</head>", 1)[0]
    assert '<link rel="alternate" type="application/atom+xml"' in head
    assert f'href="{feed}"' in head


def test_an_undated_story_is_an_entry_without_a_publication_date(client, archive):
    make_article("Turbines arrive by rail", "Blades arrived for the wind farm.", published=None,
                 mentions=[archive["tokayev"]])
    for url in ("/articles/feed.atom?undated=1", "/entities/kassym-jomart-tokayev/feed/"):
        undated = [entry for entry in entries(client.get(url)) if entry["title"] == "Turbines arrive by rail"]
        assert len(undated) == 1 and undated[0]["published"] is None, url


@pytest.mark.parametrize("url", ["/articles/feed.atom", "/entities/kassym-jomart-tokayev/feed/",
                                 "/articles/feed.atom?tag=energy"])
def test_a_feed_reader_polling_an_unchanged_feed_gets_304_until_an_article_is_edited(client, archive, url):
    from archive.models import Article

    first = client.get(url)
    last_modified, etag = first["Last-Modified"], first["ETag"]
    for validator in ({"HTTP_IF_MODIFIED_SINCE": last_modified}, {"HTTP_IF_NONE_MATCH": etag}):
        again = client.get(url, **validator)
        assert again.status_code == 304 and again.content == b""
    # An editor changes a story of the feed, in the same second even: the feed is new again.
    article = Article.objects.get(title="Wind farm opens near Astana")
    article.title = "Wind farm opens near Astana, officials say"
    article.save()
    changed = client.get(url, HTTP_IF_MODIFIED_SINCE=last_modified)
    assert changed.status_code == 200
    assert changed["Last-Modified"] != last_modified and changed["ETag"] != etag
    assert "Wind farm opens near Astana, officials say" in [entry["title"] for entry in entries(changed)]


def test_a_feed_that_gains_an_older_story_is_not_answered_304(client, archive):
    """Tagging an older story changes no date of the feed's newest items; the feed has still changed."""
    from archive.models import Article, Mention

    url = "/entities/kassym-jomart-tokayev/feed/"
    last_modified = client.get(url)["Last-Modified"]
    older = Article.objects.get(title="Coal report")
    Mention.objects.create(article=older, entity=archive["tokayev"], count=1)  # as a re-tagging run adds it
    changed = client.get(url, HTTP_IF_MODIFIED_SINCE=last_modified)
    assert changed.status_code == 200
    assert "Coal report" in [entry["title"] for entry in entries(changed)]
