"""The search page on a phone, and every page (the admin too) working under the Content-Security-Policy."""

import pytest

from archive.models import EntityKind
from search.index import create_index, reset_searcher
from search.sync import rebuild_index
from tests.factories import make_article, make_entity, make_source, make_tag

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def archive():
    """Sixteen wind stories (written for this test) with sources, tags and entities, so every facet has items."""
    create_index()
    sources = [make_source("Caspian Wire"), make_source("Steppe Energy Review")]
    tag = make_tag("Wind power")
    spic = make_entity("State Power Investment Corporation", kind=EntityKind.ORGANISATION, aliases=["SPIC"])
    zhambyl = make_entity("Zhambyl Region", kind=EntityKind.PLACE)
    for n in range(16):
        make_article(
            f"Wind farm report {n:02d}",
            f"Report {n} on the wind farm near Zhanatas. " + "Turbines turned steadily through the season. " * 8,
            published=f"2024-{n % 12 + 1:02d}-10", source=sources[n % 2], tags=[tag], mentions=[spic, zhambyl],
        )
    rebuild_index()
    reset_searcher()
    yield
    reset_searcher()


def _csp_violations(page) -> list[str]:
    found: list[str] = []

    def note(message) -> None:
        if "Content Security Policy" in message.text:
            found.append(message.text)

    page.on("console", note)
    return found


def test_search_on_a_phone_puts_the_filters_in_a_closed_panel_above_the_results(browser, live_server, archive,
                                                                                  tmp_path):
    page = browser.new_page(viewport=PHONE)
    violations = _csp_violations(page)
    page.goto(live_server.url + "/search/?q=wind+farm")
    page.wait_for_load_state("load")
    path = tmp_path / "search-390.png"
    page.screenshot(path=str(path))
    assert path.stat().st_size > 10_000

    panel = page.locator("details.filters__panel")
    results = page.locator(".search-results")
    # Collapsed: the first result is on the first screen, below a one-line "Narrow down" bar.
    assert panel.get_attribute("open") is None
    assert panel.get_by_role("link", name="Caspian Wire").is_hidden()
    panel_box, results_box = panel.bounding_box(), results.bounding_box()
    assert panel_box["y"] + panel_box["height"] <= results_box["y"]
    assert panel_box["height"] < 80
    assert results_box["y"] < PHONE["height"]
    # Nothing is wider than the phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    # Opened, the facets work as on a wide screen.
    page.get_by_text("Narrow down").click()
    panel.get_by_role("link", name="Caspian Wire").click()
    page.wait_for_url("**source=caspian-wire*")
    assert page.get_by_role("status").first.inner_text().startswith("8 articles")
    assert violations == []


def test_on_a_wide_screen_the_panel_is_an_open_sidebar_beside_the_results(browser, live_server, archive):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    violations = _csp_violations(page)
    page.goto(live_server.url + "/articles/")
    panel = page.locator("details.filters__panel")
    assert panel.get_attribute("open") is not None
    assert panel.get_by_role("link", name="Caspian Wire").is_visible()
    panel_box, list_box = panel.bounding_box(), page.locator(".article-list").bounding_box()
    assert panel_box["x"] > list_box["x"] + list_box["width"]  # beside the list, on the right
    # Apply sends every field; the address keeps only those in use.
    page.get_by_label("Mentions").select_option("organisation")
    page.get_by_role("button", name="Apply").click()
    page.wait_for_url("**/articles/?kind=organisation")
    assert "language=" not in page.url and "date_from" not in page.url
    assert violations == []


def test_the_admin_works_under_the_content_security_policy(browser, live_server, archive, django_user_model):
    django_user_model.objects.create_superuser(username="editor", email="", password="a long test password")
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    violations = _csp_violations(page)
    page.goto(live_server.url + "/admin/")
    page.get_by_label("Username").fill("editor")
    page.get_by_label("Password").fill("a long test password")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/admin/")
    page.goto(live_server.url + "/admin/archive/article/")
    assert page.locator("#result_list tbody tr").count() == 16
    # The admin's own scripts run: the select-all box ticks every row and the action bar counts them.
    page.locator("#action-toggle").check()
    assert page.locator(".action-counter").inner_text().startswith("16 of 16")
    page.locator("#result_list tbody a").first.click()
    page.wait_for_url("**/change/")
    assert page.get_by_label("Title").input_value().startswith("Wind farm report")
    assert violations == []
