"""A researcher narrows a search with facets, chips and a date range, in real Chromium."""

import re

import pytest

from archive.models import EntityKind
from search.index import create_index, reset_searcher
from search.sync import rebuild_index
from tests.factories import make_article, make_entity, make_source

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def archive():
    create_index()
    wire, review = make_source("Caspian Wire"), make_source("Steppe Review")
    tokayev = make_entity("Kassym-Jomart Tokayev", kind=EntityKind.PERSON)
    for n in range(6):
        make_article(
            f"Wind report {n}", f"Wind news number {n} from the steppe.", published=f"202{n % 3 + 1}-0{n + 1}-10",
            source=wire if n % 2 else review, mentions=[tokayev] if n < 2 else [],
        )
    rebuild_index()
    reset_searcher()
    yield
    reset_searcher()


def status(page) -> str:
    return page.get_by_role("status").inner_text()


def test_facet_chip_and_date_range(browser, live_server, archive):
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    page.goto(live_server.url + "/search/?q=wind")
    assert status(page).startswith("6 articles")

    page.locator(".filters").get_by_role("link", name="Caspian Wire").click()
    page.wait_for_url(re.compile(r"source=caspian-wire"))
    assert status(page).startswith("3 articles")
    chip = page.locator(".chips").get_by_role("link", name=re.compile("Source: Caspian Wire"))
    assert chip.is_visible()

    page.locator(".filters").get_by_role("link", name="Kassym-Jomart Tokayev").click()
    assert status(page).startswith("1 article")
    assert page.locator(".chip").count() == 2

    page.locator(".chips").get_by_role("link", name=re.compile("Source: Caspian Wire")).click()
    assert status(page).startswith("2 articles")
    assert page.locator(".chip").count() == 1

    page.get_by_label("From", exact=True).fill("2022-01-01")
    page.get_by_label("To", exact=True).fill("2022-12-31")
    page.get_by_role("button", name="Apply").click()
    page.wait_for_url(re.compile(r"date_from=2022-01-01"))
    assert status(page).startswith("1 article")
    assert page.get_by_role("link", name=re.compile("From 1 Jan 2022")).is_visible()
    assert "Wind report 1" in page.locator(".search-results").inner_text()

    # Reloading the same URL gives the same page.
    url = page.url
    page.reload()
    assert page.url == url and status(page).startswith("1 article")


def test_timeline_bar_narrows_to_its_period(browser, live_server, archive):
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    page.goto(live_server.url + "/articles/")
    assert status(page).startswith("6 articles")
    bars = page.locator(".timeline a")
    assert bars.count() == 6
    page.locator('.timeline a[aria-label^="January 2021"]').click()
    assert status(page).startswith("1 article")
    assert page.get_by_role("link", name=re.compile("Year: 2021")).is_visible()
