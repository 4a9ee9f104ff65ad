"""A reader in real Chromium: from the front page to an article to an entity, and the article on a phone.

The ``browser`` fixture (tests/browser/conftest.py) launches /usr/bin/chromium through Playwright's sync API
and allows the ORM beside its event loop.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from archive.models import EntityKind
from tests.factories import make_article, make_entity, make_source, make_tag

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE_WIDTH = 390


@pytest.fixture
def archive(transactional_db):
    source = make_source("Kazinform", country="KZ")
    tokayev = make_entity(
        "Kassym-Jomart Tokayev", kind=EntityKind.PERSON, aliases=["Tokayev", "Токаев"],
        description="President of Kazakhstan.",
    )
    goldwind = make_entity("Goldwind", kind=EntityKind.ORGANISATION, aliases=["金风科技"])
    zhanatas = make_entity("Zhanatas", kind=EntityKind.PLACE, aliases=["Жанатас"])
    older = make_article(
        "Tokayev visits Beijing",
        body="President Tokayev arrived in Beijing for talks on trade and energy.",
        published="2019-09-12",
        source=source,
        mentions=[tokayev],
    )
    latest = make_article(
        "Zhanatas wind farm expansion doubles capacity in the Zhambyl region of southern Kazakhstan",
        body=(
            "Goldwind will add turbines at Zhanatas, officials said on Friday.\n\n"
            "## Next steps\n\n"
            "Construction starts in the spring; President Tokayev welcomed the plan."
        ),
        published="2024-03-29",
        dateline="ASTANA",
        source=source,
        tags=[make_tag("Wind power")],
        mentions=[tokayev, goldwind, zhanatas],
    )
    return {"latest": latest, "older": older, "tokayev": tokayev}


def test_reader_goes_from_the_front_page_to_an_article_and_on_to_an_entity(live_server, browser, archive, tmp_path):
    latest, older = archive["latest"], archive["older"]
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.set_default_timeout(5000)

    page.goto(f"{live_server.url}/")
    latest_link = page.get_by_role("link", name=latest.title, exact=True)
    expect(latest_link).to_be_visible()
    latest_link.click()

    expect(page).to_have_url(f"{live_server.url}{latest.get_absolute_url()}")
    expect(page.get_by_role("heading", level=1)).to_have_text(latest.title)
    expect(page.get_by_role("heading", level=2, name="Next steps")).to_be_visible()
    expect(page.get_by_text("29 March 2024")).to_be_visible()
    panel = page.get_by_role("complementary", name="In this article")
    expect(panel.get_by_role("heading", level=3)).to_have_text(["People", "Organisations", "Places"])
    expect(panel.get_by_role("link")).to_have_text(["Kassym-Jomart Tokayev", "Goldwind", "Zhanatas"])

    panel.get_by_role("link", name="Kassym-Jomart Tokayev").click()

    expect(page).to_have_url(f"{live_server.url}{archive['tokayev'].get_absolute_url()}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Kassym-Jomart Tokayev")
    expect(page.get_by_role("link", name="Person", exact=True)).to_be_visible()
    expect(page.get_by_text("Токаев", exact=True)).to_be_visible()
    expect(page.get_by_text("President of Kazakhstan.")).to_be_visible()
    listed = page.get_by_role("region", name="Articles mentioning Kassym-Jomart Tokayev")
    expect(listed.get_by_role("heading", level=3)).to_have_text([latest.title, older.title])

    screenshot = tmp_path / "entity.png"
    page.screenshot(path=screenshot, full_page=True)
    assert screenshot.read_bytes().startswith(b"\x89PNG")
    assert screenshot.stat().st_size > 5_000  # a blank page compresses to far less


def test_pages_fit_a_phone_screen_without_sideways_scrolling(live_server, browser, archive):
    context = browser.new_context(viewport={"width": PHONE_WIDTH, "height": 844}, device_scale_factor=2)
    page = context.new_page()
    page.set_default_timeout(5000)
    paths = [archive["latest"].get_absolute_url(), "/", "/articles/", archive["tokayev"].get_absolute_url(),
             "/entities/kind/person/", "/archive/"]

    widths = {}
    for path in paths:
        page.goto(f"{live_server.url}{path}")
        expect(page.get_by_role("heading", level=1)).to_have_count(1)
        widths[path] = page.evaluate("document.documentElement.scrollWidth")
    context.close()

    too_wide = {path: width for path, width in widths.items() if width > PHONE_WIDTH + 1}
    assert too_wide == {}, f"wider than a {PHONE_WIDTH}px phone screen"
