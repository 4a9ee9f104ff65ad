"""The pages this part adds (sign-in, account, saved searches, unsubscribe, API docs) work under
the Content-Security-Policy, and the API docs render from the app's own files."""

import pytest

from archive.accounts import assign_role
from archive.models import SavedSearch
from archive.saved import unsubscribe_token
from search.index import create_index, reset_searcher
from tests.factories import make_article

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a long reader password"


def _violations(page) -> list[str]:
    found: list[str] = []
    page.on("console", lambda message: found.append(message.text) if "Content Security Policy" in message.text
            else None)
    return found


def test_account_pages_and_api_docs_under_the_policy(browser, live_server, django_user_model, tmp_path):
    create_index()
    make_article("Wind farm story", "A wind farm story written for this test.")
    reader = django_user_model.objects.create_user("dana", email="dana@example.org", password=PASSWORD)
    assign_role(user=reader, role="reader")
    saved = SavedSearch.objects.create(user=reader, name="Wind", params="q=wind", digest=True)
    outside = []
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.on("request", lambda request: outside.append(request.url)
            if not request.url.startswith(live_server.url) else None)
    violations = _violations(page)

    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Username").fill("dana")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/saved/")
    assert page.get_by_role("link", name="Wind").is_visible()
    page.goto(live_server.url + "/accounts/")
    assert page.get_by_role("heading", level=1).inner_text() == "dana"
    page.get_by_role("button", name="Make a token").click()
    page.wait_for_url("**/accounts/")
    assert len(page.locator("#api-token").inner_text()) == 40

    page.goto(live_server.url + "/api/docs/")
    page.locator(".opblock").first.wait_for()
    assert page.locator(".opblock").count() >= 9
    assert page.get_by_text("/api/search/").first.is_visible()
    page.screenshot(path=str(tmp_path / "docs.png"))

    page.goto(live_server.url + f"/saved/unsubscribe/{unsubscribe_token(saved)}/")
    page.get_by_role("button", name="Unsubscribe").click()
    assert "Unsubscribed" in page.get_by_role("status").inner_text()
    saved.refresh_from_db()
    assert not saved.digest

    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(live_server.url + "/")
    assert page.get_by_role("link", name="Sign in").is_visible()
    assert violations == []
    assert outside == []
    reset_searcher()
