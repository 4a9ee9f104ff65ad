"""Places on the browse pages: only the places the articles name (or that hold one) are listed,
a city or region is shown with the place it lies in, and a country's page holds the articles
of the places inside it, each saying which place it names."""

from __future__ import annotations

import re

import pytest

from archive.models import EntityKind, PlaceType
from archive.place_lists import listed_entity_count, place_label, places_in_use
from tests.archive.test_views import read
from tests.factories import make_article, make_entity, make_kazakh_places

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(reindex):
    asia, kazakhstan, region, almaty, kapshagay = make_kazakh_places()
    # The gazetteer's many places that nothing names.
    europe = make_entity("Europe", kind=EntityKind.PLACE, place_type=PlaceType.CONTINENT)
    germany = make_entity("Germany", kind=EntityKind.PLACE, place_type=PlaceType.COUNTRY, parent=europe)
    make_entity("Bonn", kind=EntityKind.PLACE, place_type=PlaceType.CITY, parent=germany)
    make_entity("Aktobe", kind=EntityKind.PLACE, place_type=PlaceType.CITY, parent=kazakhstan)
    # An editor's new entry, before any article names it.
    make_entity("Nurlan Nogayev", kind=EntityKind.PERSON)
    samruk = make_entity("Samruk-Energy", kind=EntityKind.ORGANISATION)
    articles = {
        "country": make_article("Tariffs rise", "Kazakhstan raised tariffs.", "2024-01-10", mentions=[kazakhstan]),
        "city": make_article("Metro opens", "The Almaty metro opened.", "2024-02-10", mentions=[almaty, samruk]),
        "town": make_article("Solar plant", "A plant near Kapshagay.", "2024-03-10", mentions=[kapshagay]),
        "both": make_article("Grid works", "Kazakhstan and Almaty plan a grid.", "2024-04-10",
                             mentions=[kazakhstan, almaty]),
    }
    reindex()
    return {"articles": articles, "asia": asia, "kazakhstan": kazakhstan, "region": region, "almaty": almaty,
            "kapshagay": kapshagay, "germany": germany}


def listed_places(client) -> list[str]:
    response = client.get("/entities/kind/place/")
    return [entity.name for _, group in response.context["letters"] for entity in group]


def test_places_in_use_are_those_named_and_those_holding_a_named_place(world):
    in_use = places_in_use()
    names = {world[key].id: key for key in ("asia", "kazakhstan", "region", "almaty", "kapshagay")}
    assert set(in_use) == set(names)
    # How many named places lie inside each: Almaty and Kapshagay (and its region) for Kazakhstan.
    assert {names[i]: n for i, n in in_use.items()} == {
        "asia": 3, "kazakhstan": 2, "region": 1, "almaty": 0, "kapshagay": 0,
    }


def test_places_nothing_names_stay_out_of_the_a_to_z_list_and_every_count(client, world):
    assert listed_places(client) == ["Almaty", "Almaty Region", "Asia", "Kapshagay", "Kazakhstan"]
    page = read(client, "/entities/kind/place/")
    assert "5 places" in page.text
    for unnamed in ("Germany", "Bonn", "Aktobe", "Europe"):
        assert unnamed not in page.text
    kinds = {href: text for text, href in read(client, "/entities/").links() if href.startswith("/entities/kind/")}
    assert kinds["/entities/kind/place/"] == "Places 5"
    # Two people and organisations (one not named yet) and five places.
    assert listed_entity_count() == 7
    assert "7 entities" in read(client, "/").text


def test_an_editors_entity_of_another_kind_is_listed_before_any_article_names_it(client, world):
    page = read(client, "/entities/kind/person/")
    assert ("Nurlan Nogayev", "/entities/nurlan-nogayev/") in page.links()
    assert "People 1" in [text for text, _ in read(client, "/entities/").links()]


def test_a_place_without_articles_still_has_its_page_for_links_from_elsewhere(client, world):
    page = read(client, world["germany"].get_absolute_url())
    assert "No article mentions this entity yet." in page.text


def test_a_city_or_region_is_named_with_the_place_it_lies_in_a_country_is_not(world):
    assert place_label(world["almaty"]) == "Almaty, in Kazakhstan"
    assert place_label(world["kapshagay"]) == "Kapshagay, in Almaty Region"
    assert place_label(world["kazakhstan"]) == "Kazakhstan"  # not "Kazakhstan, in Asia"
    assert place_label(world["asia"]) == "Asia"


def test_the_located_name_is_shown_where_places_are_listed_or_chosen(client, world):
    almaty = world["almaty"]
    located = ("Almaty, in Kazakhstan", almaty.get_absolute_url())
    assert located in read(client, "/entities/kind/place/").links()
    assert located in read(client, "/entities/").links()  # most mentioned
    assert ("Kazakhstan", world["kazakhstan"].get_absolute_url()) in read(client, "/entities/kind/place/").links()
    assert located in read(client, world["articles"]["city"].get_absolute_url()).links()  # "In this article"
    assert located in read(client, "/").links()
    # The facets offer the place to filter by; the chip says which place is in force.
    facet = ("Almaty, in Kazakhstan", "?entity=almaty")
    assert facet in read(client, "/articles/").links()
    assert ("Almaty, in Kazakhstan", "?q=metro&entity=almaty") in read(client, "/search/?q=metro").links()
    for url in ("/articles/?entity=almaty", "/search/?entity=almaty", "/search/?q=metro&entity=almaty"):
        chips = [text for text, href in read(client, url).links() if text.endswith("(remove)")]
        assert chips == ["Place: Almaty, in Kazakhstan × (remove)"], url
    # "Often mentioned with" on another entity's page.
    assert ("Almaty, in Kazakhstan", "/articles/?entity=samruk-energy&entity=almaty") in read(
        client, "/entities/samruk-energy/").links()


@pytest.mark.parametrize("backend", ["search.backend.WhooshBackend", "archive.search_backend.DatabaseBackend"])
def test_a_countrys_page_holds_the_articles_of_the_places_inside_it_marked_as_such(client, settings, world,
                                                                                     backend):
    settings.SEARCH_BACKEND = backend
    articles = world["articles"]
    page = read(client, world["kazakhstan"].get_absolute_url())
    assert page.article_links() == ["Grid works", "Solar plant", "Metro opens", "Tariffs rise"]
    assert "4 articles name Kazakhstan or a place inside it (2 name Kazakhstan itself)" in page.text
    html = client.get(world["kazakhstan"].get_absolute_url()).content.decode()
    marks = {title: _mark_after(html, title) for title in ("Grid works", "Solar plant", "Metro opens", "Tariffs rise")}
    assert marks == {
        "Grid works": None,  # names Kazakhstan itself
        "Solar plant": "Names Kapshagay, in Almaty Region",
        "Metro opens": "Names Almaty, in Kazakhstan",
        "Tariffs rise": None,
    }
    assert page.links_under("Places in Kazakhstan", "h2") == [
        ("Almaty", world["almaty"].get_absolute_url()),
        ("Kapshagay, in Almaty Region", world["kapshagay"].get_absolute_url()),
    ]
    # Places inside are not "company" the country keeps.
    assert page.links_under("Often mentioned with", "h2") == [
        ("Samruk-Energy", "/articles/?entity=kazakhstan&entity=samruk-energy"),
    ]
    assert articles["city"].title in read(client, world["asia"].get_absolute_url()).article_links()


def test_a_citys_page_says_where_it_lies_and_marks_nothing(client, world):
    page = read(client, world["almaty"].get_absolute_url())
    assert ("Kazakhstan", world["kazakhstan"].get_absolute_url()) in page.links()
    assert "Place in Kazakhstan" in page.text
    assert "Mentioned in 2 articles" in page.text
    assert "Names " not in page.text


def _mark_after(html: str, title: str) -> str | None:
    """The "Names …" line of the list item whose title is ``title``, as text."""
    item = html.split(f">{title}</a>", 1)[1].split("</li>", 1)[0]
    found = re.search(r'<p class="through-place"[^>]*>(.*?)</p>', item, re.S)
    return " ".join(re.sub(r"<[^>]+>", "", found.group(1)).split()) if found else None


def test_a_countrys_feed_and_downloads_hold_the_same_articles_as_its_page(client, world):
    kazakhstan = world["kazakhstan"]
    feed = client.get(f"/entities/{kazakhstan.slug}/feed/").content.decode()
    assert all(f"<title>{article.title}</title>" in feed for article in world["articles"].values())
    csv = b"".join(client.get(f"/articles/export.csv?entity={kazakhstan.slug}").streaming_content).decode()
    assert all(article.title in csv for article in world["articles"].values())
