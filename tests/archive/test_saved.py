"""Saved searches: saving from the search page, new-article counts, daily digests, unsubscribing."""

import datetime as dt
import re

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from archive.accounts import assign_role
from archive.models import Article, SavedSearch
from archive.saved import (
    SavedSearchError,
    new_matches,
    open_saved_search,
    save_search,
    send_digests,
    unsubscribe_token,
)
from tests.factories import make_article, make_source

pytestmark = pytest.mark.django_db

LONG_AGO = timezone.now() - dt.timedelta(days=30)


@pytest.fixture
def reader(django_user_model):
    user = django_user_model.objects.create_user("reader", email="reader@example.org", password="x")
    assign_role(user=user, role="reader")
    return user


def old_article(title, body, **fields):
    """An article that was in the archive long before any search was saved."""
    article = make_article(title, body, **fields)
    Article.objects.filter(pk=article.pk).update(created=LONG_AGO - dt.timedelta(days=1))
    return article


def saved(user, params, name="mine", digest=False) -> SavedSearch:
    search = SavedSearch.objects.create(user=user, name=name, params=params, digest=digest, last_opened=LONG_AGO)
    SavedSearch.objects.filter(pk=search.pk).update(created=LONG_AGO)  # created is set on save
    search.refresh_from_db()
    return search


@pytest.fixture
def archive(reindex):
    wire = make_source("Caspian Wire")
    old_article("Old wind farm", "An old wind farm story.", source=wire)
    new_wind = make_article("New wind farm opens", "A new wind farm near Astana.", source=wire)
    new_other = make_article("Coal prices fall", "Coal is cheaper this month.")
    make_article("Wind in another paper", "A wind story elsewhere.")
    reindex()
    return {"wire": wire, "new_wind": new_wind, "new_other": new_other}


def test_new_matches_counts_only_matching_articles_added_since_last_opened(reader, archive):
    search = saved(reader, "q=wind&source=caspian-wire")
    found = new_matches(search)
    assert found.count == 1 and not found.at_least and found.error == ""
    open_saved_search(search)
    assert new_matches(search).count == 0


def test_filter_only_saved_search_counts_too(reader, archive):
    assert new_matches(saved(reader, "source=caspian-wire")).count == 1
    assert new_matches(saved(reader, "q=wind", name="all wind")).count == 2


def test_count_is_a_lower_bound_past_the_cap(reader, archive, monkeypatch):
    monkeypatch.setattr("search.saved.MAX_NEW_CHECKED", 2)
    found = new_matches(saved(reader, "q=wind"))
    assert found.at_least and found.count >= 1


def test_unreadable_saved_query_reports_instead_of_failing(reader, archive, client):
    search = saved(reader, "q=date:2024-13")
    assert "not a real date" in new_matches(search).error
    client.force_login(reader)
    assert "cannot run now" in client.get("/saved/").content.decode()


def test_save_search_keeps_only_query_sort_and_filters(reader):
    from django.http import QueryDict

    params = QueryDict("q=wind&page=3&evil=1&source=a&sort=newest")
    search = save_search(user=reader, name="  Wind   farms ", params=params)
    assert search.name == "Wind farms"
    assert search.params == "q=wind&sort=newest&source=a"
    again = save_search(user=reader, name="wind FARMS", params=QueryDict("q=solar"))
    assert again.pk == search.pk and again.params == "q=solar"
    with pytest.raises(SavedSearchError, match="nothing to save"):
        save_search(user=reader, name="empty", params=QueryDict("page=2"))
    with pytest.raises(SavedSearchError, match="name"):
        save_search(user=reader, name="   ", params=QueryDict("q=wind"))


def test_saving_from_the_search_page_and_listing_with_new_counts(client, reader, archive):
    client.force_login(reader)
    page = client.get("/search/", {"q": "wind", "source": "caspian-wire"}).content.decode()
    assert 'action="/saved/new/"' in page
    params = re.search(r'name="params" value="([^"]*)"', page).group(1).replace("&amp;", "&")
    response = client.post("/saved/new/", {"name": "Wind at the Wire", "params": params, "digest": "on"})
    assert response.status_code == 302 and response["Location"] == "/saved/"
    search = SavedSearch.objects.get(user=reader)
    assert search.params == "q=wind&source=caspian-wire" and search.digest
    SavedSearch.objects.filter(pk=search.pk).update(last_opened=LONG_AGO)
    listing = client.get("/saved/").content.decode()
    assert "Wind at the Wire" in listing and 'data-new="1"' in listing
    opened = client.get(f"/saved/{search.pk}/")
    assert opened["Location"] == "/search/?q=wind&source=caspian-wire"
    assert 'data-new="' not in client.get("/saved/").content.decode()


def test_anonymous_visitors_are_invited_to_sign_in_to_save(client, archive):
    page = client.get("/search/", {"q": "wind"}).content.decode()
    assert "to save this search" in page and 'action="/saved/new/"' not in page


def test_digest_toggle_and_delete(client, reader, archive):
    client.force_login(reader)
    search = saved(reader, "q=wind")
    client.post(f"/saved/{search.pk}/digest/", {"digest": "on"})
    search.refresh_from_db()
    assert search.digest
    client.post(f"/saved/{search.pk}/digest/", {"digest": "off"})
    search.refresh_from_db()
    assert not search.digest
    client.post(f"/saved/{search.pk}/delete/")
    assert not SavedSearch.objects.filter(pk=search.pk).exists()


def test_daily_digest_lists_new_articles_with_unsubscribe_links(reader, archive, settings):
    settings.DOSSIER_SITE_URL = "https://dossier.example.org"
    saved(reader, "q=wind&source=caspian-wire", name="Wire wind", digest=True)
    saved(reader, "q=hydrogen", name="Nothing new", digest=True)
    assert send_digests() == 1
    (message,) = mail.outbox
    assert message.to == ["reader@example.org"]
    assert message.subject == "Dossier: 1 new article for your saved searches"
    assert "New wind farm opens" in message.body and "Coal prices" not in message.body
    assert f"https://dossier.example.org{archive['new_wind'].get_absolute_url()}" in message.body
    assert "Nothing new" not in message.body
    assert re.search(r"https://dossier\.example\.org/saved/unsubscribe/[^/\s]+/", message.body)
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    html = message.alternatives[0][0]
    assert "New wind farm opens" in html
    # Covered for today: running again sends nothing.
    assert send_digests() == 0
    # Tomorrow, only what was added since.
    assert send_digests(now=timezone.now() + dt.timedelta(days=1)) == 0
    assert len(mail.outbox) == 1


def test_digest_escapes_titles_in_html(reader, reindex):
    make_article("Wind <script>alert(1)</script> farm", "Wind body.")
    reindex()
    saved(reader, "q=wind", digest=True)
    send_digests()
    html = mail.outbox[0].alternatives[0][0]
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_no_digest_without_an_email_address_or_when_not_asked(reader, archive):
    saved(reader, "q=wind", digest=False)
    assert send_digests() == 0
    reader.email = ""
    reader.save()
    saved(reader, "q=wind", name="asked", digest=True)
    assert send_digests() == 0 and mail.outbox == []


def test_a_failed_send_is_tried_again_next_run(reader, archive, monkeypatch):
    search = saved(reader, "q=wind", digest=True)
    monkeypatch.setattr("django.core.mail.EmailMultiAlternatives.send", lambda self: 1 / 0)
    assert send_digests() == 0
    search.refresh_from_db()
    assert search.last_digest is None
    monkeypatch.undo()
    assert send_digests() == 1


def test_unsubscribe_link_shows_a_button_and_one_click_post_stops_the_digest(reader, archive):
    search = saved(reader, "q=wind", name="Wind", digest=True)
    other = saved(reader, "q=coal", name="Coal", digest=True)
    client = Client(enforce_csrf_checks=True)  # mail programs post without a CSRF token
    url = f"/saved/unsubscribe/{unsubscribe_token(search)}/"
    page = client.get(url)
    assert page.status_code == 200 and "“Wind”" in page.content.decode()
    search.refresh_from_db()
    assert search.digest  # a GET (a link checker) changes nothing
    assert client.post(url, {"List-Unsubscribe": "One-Click"}).status_code == 200
    search.refresh_from_db(), other.refresh_from_db()
    assert not search.digest and other.digest
    client.post(f"/saved/unsubscribe/{unsubscribe_token(user=reader)}/")
    other.refresh_from_db()
    assert not other.digest


@pytest.mark.parametrize("token", ["forged", "x" * 300, "eyJzIjoxfQ:1abc:def"])
def test_forged_unsubscribe_tokens_are_refused(client, token):
    assert client.get(f"/saved/unsubscribe/{token}/").status_code == 404
    assert client.post(f"/saved/unsubscribe/{token}/").status_code == 404


def test_send_digests_command(reader, archive, capsys):
    saved(reader, "q=wind", digest=True)
    call_command("send_digests")
    assert "Digests sent: 1." in capsys.readouterr().out
    assert len(mail.outbox) == 1
