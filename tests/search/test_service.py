"""run_search (search/service.py): what the search page gets for a query and the sidebar filters."""

import pytest
from django.db import connection

from archive.models import Article
from search.filters import filter_query
from search.query import parse_query
from search.service import run_search
from tests.factories import make_article, make_source

pytestmark = pytest.mark.django_db


def test_filters_kept_from_one_search_follow_the_index_as_it_changes(reindex, django_capture_on_commit_callbacks):
    wire, review = make_source("Caspian Wire"), make_source("Steppe Energy Review")
    for n in range(3):
        make_article(f"Wind report {n}", f"Wind turbines turn near Zhanatas ({n}).", source=wire)
    for n in range(2):
        make_article(f"Wind review {n}", f"Wind and solar power in the steppe ({n}).", source=review)
    reindex()

    def total(source) -> int:
        return run_search(parse_query("wind"), filter_query=filter_query({"source": [source]})).total

    # The same filters twice (the second from what the first kept), and other filters.
    assert (total(wire), total(wire), total(review), total(review)) == (3, 3, 2, 2)
    with django_capture_on_commit_callbacks(execute=True):
        make_article("Wind report late", "More wind turbines.", source=wire)  # a new segment
    assert (total(wire), total(review)) == (4, 2)
    with django_capture_on_commit_callbacks(execute=True):
        Article.objects.filter(title__in=["Wind report 0", "Wind review 1"]).delete()
    assert (total(wire), total(review)) == (3, 1)


def _fields(article: Article) -> tuple:
    own = tuple(getattr(article, field.attname) for field in Article._meta.concrete_fields)
    source = article.source
    state = (article._state.adding, article._state.db)
    return own, state, source and (
        tuple(getattr(source, field.attname) for field in source._meta.concrete_fields),
        (source._state.adding, source._state.db),
    )


def test_the_page_of_articles_is_what_the_orm_gives_with_sources_and_nothing_left_to_load(
    reindex, django_assert_num_queries, monkeypatch
):
    from search import service

    fetched_directly = []
    fetch = service._fetch_directly
    monkeypatch.setattr(service, "_fetch_directly", lambda *args: fetched_directly.append(1) or fetch(*args))
    wire = make_source("Caspian Wire")
    made = [make_article(f"Wind report {n}", f"Wind turbines turn near Zhanatas ({n}).",
                         source=wire if n % 2 else None, published="2021-05-04" if n % 3 else None)
            for n in range(7)]
    reindex()
    for _ in range(2):  # the second time the compiled query is reused
        with django_assert_num_queries(1):
            results = run_search(parse_query("wind"), per_page=5)
            pages = [_fields(hit.article) for hit in results.hits]  # no field is loaded later
        assert len(pages) == 5
        expected = Article.objects.select_related("source").in_bulk([hit.article.id for hit in results.hits])
        assert pages == [_fields(expected[hit.article.id]) for hit in results.hits]
        assert {hit.article.id for hit in results.hits} <= {article.id for article in made}
    # Outside a query capture (which makes Django log every query) the rows are read from the
    # database connection directly and converted column by column: the same articles.
    results = run_search(parse_query("wind"), per_page=5)
    expected = Article.objects.select_related("source").in_bulk([hit.article.id for hit in results.hits])
    assert [_fields(hit.article) for hit in results.hits] == [_fields(expected[hit.article.id]) for hit in results.hits]
    assert all(hit.article.created.tzinfo is not None for hit in results.hits)
    # Only SQLite's connection is read directly; other databases go through Django's cursor.
    assert bool(fetched_directly) == (connection.vendor == "sqlite")
    # Another number of ids, and a page that is all there is.
    last = run_search(parse_query("wind"), per_page=5, page=2)
    assert [_fields(hit.article) for hit in last.hits] == [
        _fields(Article.objects.select_related("source").get(id=hit.article.id)) for hit in last.hits
    ]
    assert len(last.hits) == 2


def test_titles_and_snippets_are_marked_in_the_text_the_index_holds(reindex):
    # Bodies in block form and not (subheadings, doubled spaces, line breaks inside a
    # paragraph, other spaces), with and without a lede: the page marks the text the index
    # stored for each, though it reads the article from the database.
    from search.index import searcher
    from search.snippets import highlight_all, snippet

    filler = " ".join(["Grid operators met in Astana."] * 12)
    bodies = [
        f"Wind turbines turn near Zhanatas. {filler}\n\nMore wind in the steppe.",
        f"## Wind  power\n\nWind turbines\nturn near Zhanatas.\u00a0{filler}\n\n\n  Wind again.  ",
        f"#wind is a tag\n\n{filler} Wind at the end.",
    ]
    for n, body in enumerate(bodies):
        make_article(f"Wind story {n}", body, lede="A windy lede." if n == 1 else "")
    reindex()
    results = run_search(parse_query("wind"), per_page=10)
    assert len(results.hits) == len(bodies)
    with searcher() as s:
        stored = {int(fields["id"]): fields for fields in s.all_stored_fields()}
    for hit in results.hits:
        fields = stored[hit.article.id]
        assert hit.title_html == highlight_all(fields["title"], {"wind"}) != ""
        assert hit.snippet_html == snippet(fields["body"], {"wind"}) != ""


def test_an_article_from_a_page_of_results_keeps_its_old_link_when_its_slug_is_changed(reindex):
    from archive.models import FormerSlug

    make_article("Wind report", "Wind turbines turn near Zhanatas.", source=make_source("Caspian Wire"))
    reindex()
    article = run_search(parse_query("wind")).hits[0].article
    old = article.slug
    article.slug = "wind-report-renamed"
    article.save()
    assert FormerSlug.objects.filter(article=article, slug=old).exists()


def test_receivers_of_model_signals_see_the_articles_and_sources_of_a_page(reindex):
    from django.db.models.signals import post_init

    from archive.models import Source

    make_article("Wind report", "Wind turbines turn near Zhanatas.", source=make_source("Caspian Wire"))
    reindex()
    seen = []

    def note(sender, instance, **kwargs):
        seen.append(instance)

    for model in (Article, Source):
        post_init.connect(note, sender=model, weak=False)
    try:
        hit = run_search(parse_query("wind")).hits[0]
    finally:
        for model in (Article, Source):
            post_init.disconnect(note, sender=model)
    assert any(instance is hit.article for instance in seen)
    assert any(instance is hit.article.source for instance in seen)


def test_a_searcher_trusting_unchanged_file_times_still_sees_each_commit_and_rebuild(
    reindex, django_capture_on_commit_callbacks, monkeypatch
):
    # Once the pointer and the live folder are older than a few seconds, each search checks
    # them with stat alone (search.index._current). Here they count as settled at once; the
    # pauses let the file system's clock move on past the times noted.
    import time

    from search import index

    monkeypatch.setattr(index, "_SETTLING_NS", 0)

    def total(word: str) -> int:
        return run_search(parse_query(word)).total

    make_article("Wind report", "Wind turbines turn near Zhanatas.")
    reindex()
    time.sleep(0.05)
    assert (total("wind"), total("solar")) == (1, 0)
    assert index._local.noted is not None  # the next search trusts the stats
    assert total("wind") == 1
    time.sleep(0.05)
    with django_capture_on_commit_callbacks(execute=True):
        make_article("Solar report", "Solar panels near Zhanatas.")  # a commit in the live folder
    assert total("solar") == 1
    time.sleep(0.05)
    assert total("zhanatas") == 2
    Article.objects.filter(title="Wind report").delete()
    time.sleep(0.05)
    reindex()  # a new folder and a new pointer
    assert (total("zhanatas"), total("wind")) == (1, 0)
