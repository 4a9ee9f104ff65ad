"""A reader in real Chromium among places and dates: the places list holds only places the articles
name, a city is shown with its country, a country's page holds its cities' stories marked as such,
and the undated stories are one click away from the date archive."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from archive.models import EntityKind, PlaceType
from tests.factories import make_article, make_entity

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def archive(transactional_db):
    asia = make_entity("Asia", kind=EntityKind.PLACE, place_type=PlaceType.CONTINENT)
    kazakhstan = make_entity("Kazakhstan", kind=EntityKind.PLACE, place_type=PlaceType.COUNTRY, parent=asia)
    almaty = make_entity("Almaty", kind=EntityKind.PLACE, place_type=PlaceType.CITY, parent=kazakhstan)
    make_entity("Bonn", kind=EntityKind.PLACE, place_type=PlaceType.CITY)  # from the gazetteer, never named
    make_article("Tariffs rise across Kazakhstan", "Kazakhstan raised tariffs.", "2024-01-10", mentions=[kazakhstan])
    make_article("Almaty metro opens two stations", "The Almaty metro opened.", "2024-02-10", mentions=[almaty])
    make_article("Turbines arrive by rail", "Blades for the wind farm arrived.", published=None)
    make_article("Coal trains leave Ekibastuz", "Coal trains left on time.", published=None)


def test_reader_finds_a_city_under_its_country_and_the_undated_stories(live_server, browser, archive):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.set_default_timeout(5000)

    page.goto(f"{live_server.url}/entities/kind/place/")
    expect(page.get_by_role("link", name="Almaty, in Kazakhstan", exact=True)).to_be_visible()
    expect(page.get_by_text("Bonn")).to_have_count(0)
    page.get_by_role("link", name="Kazakhstan", exact=True).click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Kazakhstan")
    counts = "2 articles name Kazakhstan or a place inside it (1 name Kazakhstan itself)"
    expect(page.get_by_text(counts)).to_be_visible()
    city_story = page.locator("li", has=page.get_by_role("link", name="Almaty metro opens two stations"))
    expect(city_story.locator(".through-place")).to_have_text("Names Almaty, in Kazakhstan")
    country_story = page.locator("li", has=page.get_by_role("link", name="Tariffs rise across Kazakhstan"))
    expect(country_story.locator(".through-place")).to_have_count(0)

    page.get_by_role("link", name="By date", exact=True).click()
    page.get_by_role("link", name="2 undated", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Articles — Undated only")
    titles = page.locator(".item__title a")
    expect(titles).to_have_text(["Coal trains leave Ekibastuz", "Turbines arrive by rail"], ignore_case=False)
