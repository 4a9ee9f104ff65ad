"""A reader signs in, saves a search from the search page, and later sees how many articles are new."""

import datetime as dt

import pytest
from django.utils import timezone

from archive.accounts import assign_role
from archive.models import Article, SavedSearch
from search.index import create_index, reset_searcher
from search.sync import rebuild_index
from tests.factories import make_article, make_source

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a long reader password"


@pytest.fixture
def archive(django_user_model):
    create_index()
    wire = make_source("Caspian Wire")
    make_article("Zhanatas wind farm reaches full output", "The wind farm near Zhanatas reached full output.",
                 published="2024-03-29", source=wire)
    make_article("Coal prices fall", "Coal prices fell in Ekibastuz.", published="2023-01-10")
    Article.objects.update(created=timezone.now() - dt.timedelta(days=2))
    rebuild_index()
    reset_searcher()
    reader = django_user_model.objects.create_user("aigerim", email="aigerim@example.org", password=PASSWORD)
    assign_role(user=reader, role="reader")
    yield wire
    reset_searcher()


def test_sign_in_save_a_search_and_see_what_is_new(browser, live_server, archive, tmp_path):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(live_server.url + "/search/?q=wind")
    page.locator(".save-search").get_by_role("link", name="Sign in").click()
    page.get_by_label("Username").fill("aigerim")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/search/?q=wind")

    form = page.locator("form.save-search")
    assert form.get_by_label("Save this search as").input_value() == "wind"
    form.get_by_label("Save this search as").fill("Wind in Zhanatas")
    form.get_by_label("daily e-mail").check()
    page.screenshot(path=str(tmp_path / "save.png"), full_page=True)
    form.get_by_role("button", name="Save").click()
    page.wait_for_url("**/saved/")
    assert "Saved as “Wind in Zhanatas”." in page.locator(".messages").inner_text()
    item = page.locator(".saved-list > li")
    assert item.count() == 1
    assert item.get_by_role("link", name="Wind in Zhanatas").is_visible()
    assert item.locator(".new-count").count() == 0
    assert item.get_by_role("button", name="Stop the daily e-mail").is_visible()
    saved = SavedSearch.objects.get()
    assert saved.params == "q=wind" and saved.digest

    # Two articles arrive; one matches the saved search.
    make_article("Second wind farm planned near Zhanatas", "Developers plan a second wind farm.",
                 published="2024-05-02", source=archive)
    make_article("Grid tariffs rise", "Tariffs rose in Almaty.", published="2024-05-03")
    rebuild_index()
    reset_searcher()
    page.reload()
    assert item.locator(".new-count").inner_text() == "1 new"
    page.screenshot(path=str(tmp_path / "saved.png"), full_page=True)

    item.get_by_role("link", name="Wind in Zhanatas").click()
    page.wait_for_url("**/search/?q=wind")
    assert page.get_by_role("status").first.inner_text().startswith("2 articles")
    page.goto(live_server.url + "/saved/")
    assert page.locator(".saved-list .new-count").count() == 0
