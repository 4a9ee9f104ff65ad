"""Feeds over HTTP: import with --fetch, and fetch_feeds polling, against a local server (no network)."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from archive.ingest.fetch import USER_AGENT
from archive.ingest.polling import fetch_feeds
from archive.models import Article, Feed, Source
from tests.archive.ingest.conftest import FIXTURES

pytestmark = pytest.mark.django_db

RSS = (FIXTURES / "feeds" / "eastern-grid.rss").read_text("utf-8")
ATOM = (FIXTURES / "feeds" / "caspian-wire.atom").read_bytes()
TURKESTAN = (FIXTURES / "pages" / "turkestan-wind-auction.html").read_bytes()


def served_rss(site) -> str:
    """The RSS fixture with its site link pointing at the local server, so relative links resolve there."""
    return RSS.replace("https://eastern-grid.example/", site.base + "/")


def test_import_with_fetch_takes_each_entrys_full_page(site, tmp_path):
    site.add("/2024/05/turkestan-wind-auction?utm_source=rss&utm_medium=feed", TURKESTAN)
    feed = tmp_path / "eastern-grid.rss"
    feed.write_text(served_rss(site), "utf-8")
    call_command("import_articles", str(feed), "--fetch", stdout=StringIO(), stderr=StringIO())
    auction = Article.objects.get(title="Turkestan's wind auction draws record bids")
    assert "Developers from China, Turkey and the Gulf" in auction.body
    assert auction.url == site.base + "/2024/05/turkestan-wind-auction"  # tracking parameters dropped
    assert auction.source.name == "Eastern Grid Weekly"
    # The second entry's page is missing (404): its text comes from the feed.
    assert Article.objects.get(title="Grid operator publishes winter reserve plan").published is None
    assert all(request["user-agent"] == USER_AGENT for request in site.requests)


def test_fetch_feeds_imports_new_entries_and_asks_again_conditionally(site):
    url = site.add("/feed.atom", ATOM, content_type="application/atom+xml", etag='"v1"')
    feed = Feed.objects.create(url=url)
    first = fetch_feeds()
    assert [(r.status, r.created) for r in first.feeds] == [("fetched", 2)]
    feed.refresh_from_db()
    assert feed.etag == '"v1"' and feed.last_fetched is not None and feed.last_error == ""
    assert set(Article.objects.values_list("source__name", flat=True)) == {"Caspian Wire"}

    second = fetch_feeds()
    assert [r.status for r in second.feeds] == ["not modified"]
    assert site.requests[-1]["if-none-match"] == '"v1"'
    assert Article.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_fetching_feeds_into_a_new_archive_builds_its_index_and_search_finds_the_entries(site, client):
    """No 503 after migrate and a first fetch_feeds: the import builds the missing index."""
    from search.index import index_state

    Feed.objects.create(url=site.add("/feed.atom", ATOM, content_type="application/atom+xml"))
    assert index_state() == "missing"
    call_command("fetch_feeds", stdout=StringIO(), stderr=StringIO())
    article = Article.objects.order_by("id").first()
    response = client.get("/search/", {"q": article.title})
    assert response.status_code == 200
    assert f'href="{article.get_absolute_url()}"' in response.content.decode()


def test_one_failing_feed_never_stops_the_others(site):
    broken = Feed.objects.create(url=site.base + "/missing.rss")
    not_a_feed = Feed.objects.create(url=site.add("/page.html", "<html><body>Hello</body></html>"))
    good = Feed.objects.create(url=site.add("/feed.atom", ATOM, content_type="application/atom+xml"),
                               source=Source.objects.create(name="Caspian Wire (feed)"))
    Feed.objects.create(url=site.base + "/inactive.rss", active=False)
    report = fetch_feeds()
    by_url = {r.url: r for r in report.feeds}
    assert set(by_url) == {broken.url, not_a_feed.url, good.url}
    assert by_url[broken.url].status == "error" and "404" in by_url[broken.url].error
    assert by_url[not_a_feed.url].status == "error"
    assert by_url[good.url].created == 2
    assert set(Article.objects.values_list("source__name", flat=True)) == {"Caspian Wire (feed)"}
    broken.refresh_from_db()
    assert "404" in broken.last_error
    assert not any("/inactive.rss" in request["path"] for request in site.requests)


def test_fetch_feeds_command_reports_and_exits_1_when_a_feed_fails(site):
    Feed.objects.create(url=site.add("/feed.atom", ATOM, content_type="application/atom+xml"))
    Feed.objects.create(url=site.base + "/missing.rss")
    err = StringIO()
    with pytest.raises(CommandError) as raised:
        call_command("fetch_feeds", stdout=StringIO(), stderr=err)
    assert raised.value.returncode == 1
    assert "2 feeds polled: 2 new articles, 1 feed failing" in err.getvalue()


def test_a_feed_that_does_not_answer_in_time_is_an_error_not_a_hang(monkeypatch):
    import socket

    from archive.ingest import fetch

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)  # accepts the connection, never answers
    try:
        monkeypatch.setattr(fetch, "TIMEOUT_SECONDS", 0.5)
        monkeypatch.setattr(fetch.fetch, "__kwdefaults__", {**fetch.fetch.__kwdefaults__, "timeout": 0.5})
        Feed.objects.create(url=f"http://127.0.0.1:{listener.getsockname()[1]}/slow.rss")
        report = fetch_feeds()
    finally:
        listener.close()
    assert report.feeds[0].status == "error"
    assert "time" in report.feeds[0].error.lower()
