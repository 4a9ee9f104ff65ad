"""The archive's pages reach search only through the backend named in ``settings.SEARCH_BACKEND``.

One set of checks runs against both backends: the database one (the meaning of the
interface) and the Whoosh one, which must give the same answers.
"""

from __future__ import annotations

import pytest
from django.core.paginator import Paginator

from archive.models import Article, EntityKind
from archive.search_backend import DatabaseBackend, SearchUnavailable, get_search_backend
from search.backend import WhooshBackend
from tests.factories import make_article, make_entity, make_source, make_tag

pytestmark = pytest.mark.django_db

CALLS: list[str] = []


class RecordingBackend(DatabaseBackend):
    """Answers from the database and notes which question each page asked."""

    def count_facets(self, articles, cleaned_filters):
        CALLS.append("count_facets")
        return super().count_facets(articles, cleaned_filters)

    def list_filtered(self, articles, cleaned_filters, sort="newest"):
        CALLS.append("list_filtered")
        return super().list_filtered(articles, cleaned_filters, sort)

    def related(self, article, *, limit=5):
        CALLS.append("related")
        return list(Article.objects.exclude(id=article.id)[:limit])


@pytest.fixture
def archive(reindex):
    wire, review = make_source("Steppe Wire"), make_source("Review")
    wind = make_tag("Wind power")
    tokayev = make_entity("Kassym-Jomart Tokayev", kind=EntityKind.PERSON)
    astana = make_entity("Astana", kind=EntityKind.PLACE)
    articles = [
        make_article("Wind farm opens", "A wind farm near Astana.", "2023-05-01", wire, [wind], [tokayev, astana]),
        make_article("Grid upgrade", "Grid lines for the wind farm.", "2023-05-01", review, [wind], [astana]),
        make_article("Coal plant", "Coal still heats Astana.", "2024-01-10", wire, [], [astana]),
        make_article("Summit", "Leaders met at a summit.", "2022-09-14", None, [], [tokayev]),
    ]
    reindex()
    return {"articles": articles, "wire": wire, "wind": wind, "tokayev": tokayev, "astana": astana}


def test_the_backend_is_the_class_named_in_settings_loaded_on_first_use(settings):
    assert isinstance(get_search_backend(), WhooshBackend)
    settings.SEARCH_BACKEND = "archive.search_backend.DatabaseBackend"
    assert type(get_search_backend()) is DatabaseBackend


def test_archive_pages_ask_the_configured_backend(client, settings, archive):
    settings.SEARCH_BACKEND = "tests.archive.test_search_backend.RecordingBackend"
    CALLS.clear()
    first = archive["articles"][0]
    pages = {"/": "count_facets", "/articles/": "list_filtered", first.get_absolute_url(): "related",
             archive["tokayev"].get_absolute_url(): "list_filtered", "/search/?source=steppe-wire": "list_filtered"}
    for url, question in pages.items():
        before = len(CALLS)
        response = client.get(url)
        assert response.status_code == 200, url
        assert question in CALLS[before:], url
    # The article page's related articles come from the view, not from a template tag.
    response = client.get(first.get_absolute_url())
    assert response.context["related"] and "Related articles" in response.content.decode()


@pytest.mark.parametrize("backend", [DatabaseBackend(), WhooshBackend()], ids=["database", "whoosh"])
@pytest.mark.parametrize("sort", ["newest", "oldest"])
def test_every_backend_counts_and_lists_the_same_articles(archive, backend, sort):
    cases = [
        (Article.objects.all(), {}),
        (Article.objects.filter(source=archive["wire"]), {"source": [archive["wire"]]}),
        (Article.objects.mentioning(archive["astana"]), {"entity": [archive["astana"]]}),
        (Article.objects.filter(tags=archive["wind"]), {"tag": [archive["wind"]]}),
    ]
    for articles, cleaned in cases:
        counts, listed = backend.list_filtered(articles, cleaned, sort)
        expected = list(articles.in_date_order(sort).values_list("id", flat=True))
        paginator = Paginator(listed, 2)
        assert [a.id for n in paginator.page_range for a in paginator.page(n).object_list] == expected
        counted = backend.count_facets(articles, cleaned)
        for found in (counts, counted):
            assert found.total == len(expected)
            assert found.sources[archive["wire"].id] == articles.filter(source=archive["wire"]).count()
            assert found.entities[EntityKind.PLACE][archive["astana"].id] == articles.mentioning(
                archive["astana"]).count()
            assert sum(found.months.values()) == len(expected)


def test_only_the_whoosh_backend_searches_and_finds_related_articles(archive):
    with pytest.raises(SearchUnavailable):
        DatabaseBackend().search("wind", cleaned_filters={})
    assert DatabaseBackend().related(archive["articles"][0]) == []
    results = WhooshBackend().search("wind", cleaned_filters={"source": [archive["wire"]]})
    assert [hit.article.title for hit in results.hits] == ["Wind farm opens"]
    assert archive["articles"][1] in WhooshBackend().related(archive["articles"][0])
