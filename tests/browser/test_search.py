"""A journalist types a query, reads highlighted results, opens one and sees related articles."""

import pytest

from archive.models import EntityKind
from search.index import create_index, reset_searcher
from search.sync import rebuild_index
from tests.factories import make_article, make_entity, make_source

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def archive():
    create_index()
    wire = make_source("Caspian Wire")
    spic = make_entity("State Power Investment Corporation", kind=EntityKind.ORGANISATION, aliases=["SPIC"])
    make_article(
        "Zhanatas wind farm reaches full output",
        "The wind farm near Zhanatas reached full output. State Power Investment Corporation runs the turbines."
        "\n\n## Next steps\n\nA second phase of the wind farm is being studied.",
        published="2024-03-29", source=wire, mentions=[spic], dateline="Astana",
    )
    make_article(
        "Second wind farm planned near Zhanatas",
        "Developers plan a second wind farm near Zhanatas with more turbines and a new substation.",
        published="2024-05-02", source=wire,
    )
    make_article("Coal prices fall", "Coal prices fell in Ekibastuz as demand weakened.", published="2023-01-10")
    rebuild_index()
    reset_searcher()
    yield
    reset_searcher()


def test_search_highlight_open_and_related(browser, live_server, archive, tmp_path):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(live_server.url + "/")
    page.get_by_role("searchbox", name="Search the archive").fill("wind farms")
    page.get_by_role("button", name="Search").click()
    page.wait_for_url("**/search/?q=wind+farms*")

    assert page.get_by_role("status").inner_text().startswith("2 articles")
    results = page.locator(".search-results > li")
    assert results.count() == 2
    marks = page.locator(".search-results mark")
    assert marks.count() >= 4
    assert {text.lower() for text in marks.all_inner_texts()} >= {"wind", "farm"}
    page.screenshot(path=str(tmp_path / "search.png"), full_page=True)

    page.get_by_role("link", name="Zhanatas wind farm reaches full output").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Zhanatas wind farm reaches full output"
    related = page.locator("section.related")
    assert related.get_by_role("heading", name="Related articles").is_visible()
    assert related.get_by_role("link", name="Second wind farm planned near Zhanatas").is_visible()
    assert related.get_by_role("link", name="Coal prices fall").count() == 0


def test_alias_search_and_suggestion(browser, live_server, archive):
    page = browser.new_page()
    page.goto(live_server.url + "/search/?q=SPIC")
    assert page.get_by_role("status").inner_text().startswith("1 article")
    page.goto(live_server.url + "/search/?q=turbnes")
    page.get_by_role("link", name="turbines").click()
    assert page.get_by_role("status").inner_text().startswith("2 articles")
