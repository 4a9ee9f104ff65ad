"""Filters, facets and the timeline: the same answers from the database and from the index."""

import datetime as dt
import re

import pytest
from django.http import QueryDict

from archive.facets import count_facets, timeline
from archive.filters import ArticleFilter
from archive.models import Article, EntityKind
from search.facets import count_facets as count_index_facets
from search.filters import filter_query
from search.index import index_dir, searcher
from search.query import parse_query
from search.service import run_search
from tests.factories import make_article, make_entity, make_source, make_tag

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(reindex):
    """Six articles, counted by hand in the tests below."""
    wire, review = make_source("Caspian Wire"), make_source("Steppe Review")
    wind, solar = make_tag("wind power"), make_tag("solar power")
    tokayev = make_entity("Tokayev", kind=EntityKind.PERSON)
    xi = make_entity("Xi Jinping", kind=EntityKind.PERSON)
    spic = make_entity("SPIC", kind=EntityKind.ORGANISATION)
    astana = make_entity("Astana", kind=EntityKind.PLACE)
    a = make_article("A wind", "Wind turbines in the steppe.", "2023-01-15", wire, [wind], [tokayev, spic],
                     dateline="Astana")
    b = make_article("B wind solar", "Wind and solar parks.", "2023-01-20", review, [wind, solar], [tokayev, xi],
                     dateline="Almaty")
    c = make_article("C solar", "Solar panels and wind.", "2023-03-02", wire, [solar], [xi, astana],
                     dateline="Astana", language="ru")
    d = make_article("D grid", "Grid lines for wind farms.", "2024-07-09", review, [], [spic],
                     dateline="Beijing")
    e = make_article("E coal", "Coal prices.", "2021-11-30", None, [wind], [], dateline="")
    f = make_article("F summit", "Leaders met; wind was on the agenda.", "2024-07-30", wire, [], [tokayev, xi, astana],
                     dateline="Astana")
    reindex()
    return {"a": a, "b": b, "c": c, "d": d, "e": e, "f": f, "wire": wire, "review": review, "wind": wind,
            "solar": solar, "tokayev": tokayev, "xi": xi, "spic": spic, "astana": astana}


def qd(query: str) -> QueryDict:
    return QueryDict(query)


def browse(query: str) -> set[int]:
    filterset = ArticleFilter(qd(query), queryset=Article.objects.all())
    assert filterset.is_valid(), filterset.errors
    return set(filterset.qs.values_list("id", flat=True))


def search(query: str, q: str | None = None) -> set[int]:
    filterset = ArticleFilter(qd(query), queryset=Article.objects.all())
    assert filterset.is_valid(), filterset.errors
    parsed = parse_query(q) if q else None
    results = run_search(parsed, per_page=100, filter_query=filter_query(filterset.form.cleaned_data))
    return {hit.article.id for hit in results.hits}


def ids(world, *names) -> set[int]:
    return {world[name].id for name in names}


FILTER_CASES = [
    ("", "abcdef"),
    ("date_from=2023-01-16", "bcdf"),
    ("date_to=2023-01-20", "abe"),
    ("date_from=2023-01-01&date_to=2023-12-31", "abc"),
    ("year=2024", "df"),
    ("year=2023&month=1", "ab"),
    ("source=caspian-wire", "acf"),
    ("source=caspian-wire&source=steppe-review", "abcdf"),
    ("entity=tokayev", "abf"),
    ("entity=tokayev&entity=xi-jinping", "bf"),
    ("kind=place", "cf"),
    ("kind=organisation", "ad"),
    ("tag=wind-power", "abe"),
    ("tag=wind-power&tag=solar-power", "b"),
    ("place=Astana", "acf"),
    ("place=Astana&place=Beijing", "acdf"),
    ("language=ru", "c"),
    ("source=caspian-wire&entity=xi-jinping&year=2024", "f"),
    ("tag=wind-power&date_to=2023-12-31&kind=person", "ab"),
]


@pytest.mark.parametrize(("query", "expected"), FILTER_CASES)
def test_each_filter_alone_and_combined_on_the_database(world, query, expected):
    assert browse(query) == ids(world, *expected)


@pytest.mark.parametrize(("query", "expected"), FILTER_CASES)
def test_search_and_browse_return_the_same_articles_for_the_same_filters(world, query, expected):
    assert search(query) == browse(query) == ids(world, *expected)


@pytest.mark.parametrize(("query", "_"), FILTER_CASES)
def test_with_a_keyword_the_filters_narrow_the_keyword_matches(world, query, _):
    assert search(query, q="wind") == search("", q="wind") & browse(query)


def test_facet_counts_match_a_hand_count_from_both_paths(world):
    database = count_facets(Article.objects.all())
    with searcher() as s:
        index = count_index_facets(s, s.document_numbers(), storage_key=str(index_dir()))
    for counts in (database, index):
        assert counts.total == 6
        assert counts.sources == {world["wire"].id: 3, world["review"].id: 2}
        assert counts.tags == {world["wind"].id: 3, world["solar"].id: 2}
        assert counts.entities[EntityKind.PERSON] == {world["tokayev"].id: 3, world["xi"].id: 3}
        assert counts.entities[EntityKind.ORGANISATION] == {world["spic"].id: 2}
        assert counts.entities[EntityKind.PLACE] == {world["astana"].id: 2}
        assert counts.years == {2021: 1, 2023: 3, 2024: 2}
        assert counts.months == {(2021, 11): 1, (2023, 1): 2, (2023, 3): 1, (2024, 7): 2}


def test_facet_counts_follow_the_query_and_filters(world):
    parsed = parse_query("wind")
    filterset = ArticleFilter(qd("source=caspian-wire"), queryset=Article.objects.all())
    assert filterset.is_valid()
    results = run_search(parsed, filter_query=filter_query(filterset.form.cleaned_data))
    # "wind" is in a, b, c, d, f; of those, a, c and f are from Caspian Wire.
    assert results.total == 3
    assert results.facets.entities[EntityKind.PERSON] == {world["tokayev"].id: 2, world["xi"].id: 2}
    assert results.facets.years == {2023: 2, 2024: 1}
    assert count_facets(filterset.qs.filter(body__icontains="wind")).entities[EntityKind.PERSON] == {
        world["tokayev"].id: 2, world["xi"].id: 2
    }


def test_timeline_bars_match_the_counts_and_link_to_their_period(world):
    counts = count_facets(Article.objects.filter(published__year=2023))
    chart = timeline(counts, qd("tag=wind-power"))
    assert not chart.by_year
    assert [(bar.label, bar.count) for bar in chart.bars] == [
        ("January 2023", 2), ("February 2023", 0), ("March 2023", 1)
    ]
    january = chart.bars[0]
    assert january.url == "?tag=wind-power&year=2023&month=1"
    assert january.height > chart.bars[2].height > chart.bars[1].height == 0
    assert browse(january.url[1:]) == ids(world, "a", "b")


def test_timeline_switches_to_years_over_long_spans(world):
    counts = count_facets(Article.objects.all())
    assert not timeline(counts, qd("")).by_year  # 33 months: still monthly by default
    chart = timeline(counts, qd(""), max_months=24)
    assert chart.by_year
    assert [(bar.label, bar.count) for bar in chart.bars] == [("2021", 1), ("2022", 0), ("2023", 3), ("2024", 2)]
    assert chart.bars[2].url == "?year=2023"


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("entity=no-such-entity", "not one of the available choices"),
        ("source=nope", "not one of the available choices"),
        ("date_from=yesterday-ish", "Enter a valid date"),
        ("date_to=2024-02-30", "Enter a valid date"),
        ("year=20x4", "Enter a year from 1800 to 2999"),
        ("year=99999", "Enter a year from 1800 to 2999"),
        ("month=13&year=2024", "Enter a month from 1 to 12"),
        ("month=3", "Choose a year"),
        ("kind=planet", "Select a valid choice"),
        ("date_from=2024-05-01&date_to=2024-01-01", "before the start"),
        ("&".join(f"tag=t{n}" for n in range(25)), "at most 20"),
        ("place=" + "x" * 5000, "Select a valid choice"),
    ],
)
def test_bad_filter_values_are_reported_on_both_pages(client, world, query, message):
    for url in ("/articles/", "/search/", "/search/?q=wind&"):
        response = client.get(f"{url}{'&' if '?' in url else '?'}{query}".replace("?&", "?").replace("&&", "&"))
        assert response.status_code == 200, url
        html = response.content.decode()
        assert "could not be used" in html and message in html, url


def test_repeated_values_and_pages_past_the_end_are_harmless(client, world):
    html = client.get("/articles/?source=caspian-wire&source=caspian-wire&page=999").content.decode()
    assert "3 articles" in html
    html = client.get("/search/?q=wind&source=caspian-wire&source=caspian-wire&page=999").content.decode()
    assert "3 articles" in html


def test_facet_links_add_a_filter_and_chips_remove_it(client, world):
    html = client.get("/search/?q=wind").content.decode()
    assert 'href="?q=wind&amp;source=caspian-wire"' in html
    html = client.get("/search/?q=wind&source=caspian-wire&tag=wind-power").content.decode()
    assert "Source: Caspian Wire" in html and "Tag: wind power" in html
    assert 'href="?q=wind&amp;tag=wind-power" title="Remove this filter"' in html
    # "wind" matches a, b, c, d, f; Caspian Wire has a, c, f; the wind power tag a, b, e.
    assert re.search(r'role="status">\s*1 article\s*<', html)


def test_the_whole_state_is_in_the_url(client, world):
    url = "/search/?q=wind&source=caspian-wire&sort=oldest&page=1"
    first = client.get(url).content.decode()
    second = client.get(url).content.decode()
    assert first == second
    urls = [world[name].get_absolute_url() for name in ("a", "c", "f")]
    assert all(url in first for url in urls)
    assert first.index(urls[0]) < first.index(urls[1]) < first.index(urls[2])
    assert world["b"].get_absolute_url() not in first


def test_filtered_browse_without_keyword_on_the_search_page(client, world):
    html = client.get("/search/?entity=tokayev&entity=xi-jinping").content.decode()
    assert "2 articles" in html and "B wind solar" in html and "F summit" in html


def test_dates_in_filters_are_inclusive(world):
    assert browse("date_from=2023-01-20&date_to=2023-01-20") == ids(world, "b")
    assert search("date_from=2023-01-20&date_to=2023-01-20") == ids(world, "b")
    assert dt.date(2023, 1, 20) == world["b"].published


def test_valid_filters_still_apply_when_another_value_is_bad(client, world):
    for url in ("/articles/?", "/search/?q=wind&"):
        html = client.get(url + "source=caspian-wire&date_from=yesterday-ish").content.decode()
        assert "could not be used" in html
        assert re.search(r'role="status">\s*3 articles', html), url


def test_browse_facets_come_from_the_index_and_match_the_database(world):
    from archive.facets import count_facets
    from archive.search_backend import get_search_backend
    from search.facets import index_counts

    filterset = ArticleFilter(qd("source=caspian-wire"), queryset=Article.objects.all())
    assert filterset.is_valid()
    from_index = index_counts(filterset.form.cleaned_data)
    from_database = count_facets(filterset.qs)
    assert from_index is not None
    assert (from_index.total, from_index.sources, from_index.tags, from_index.months, from_index.entities) == (
        from_database.total, from_database.sources, from_database.tags, from_database.months,
        from_database.entities,
    )
    assert get_search_backend().count_facets(filterset.qs, filterset.form.cleaned_data).total == 3


def test_browse_facets_fall_back_to_the_database_while_updates_are_queued(world):
    from search.facets import index_counts
    from search.models import PendingIndexUpdate

    PendingIndexUpdate.objects.create(article_id=world["a"].id)
    assert index_counts({}) is None


def test_entity_lists_from_the_index_page_through_the_database_order(world, reindex):
    from django.core.paginator import Paginator

    from archive.listing import IndexedArticles
    from archive.search_backend import get_search_backend

    list_filtered = get_search_backend().list_filtered
    # Two more on one day: the newest-first order breaks the tie by the later article.
    make_article("G same day", "Wind again.", "2024-07-30", world["wire"], [], [world["tokayev"]])
    make_article("H same day", "Wind once more.", "2024-07-30", world["review"], [], [world["tokayev"]])
    reindex()
    for entity in (world["tokayev"], world["xi"], world["spic"], world["astana"]):
        counts, articles = list_filtered(Article.objects.mentioning(entity), {"entity": [entity]})
        assert isinstance(articles, IndexedArticles)
        expected = list(Article.objects.mentioning(entity).newest_first().values_list("id", flat=True))
        paginator = Paginator(articles, 2)
        listed = [a.id for n in paginator.page_range for a in paginator.page(n).object_list]
        assert listed == expected
        assert counts.total == paginator.count == len(expected)


@pytest.mark.parametrize(("query", "_"), FILTER_CASES)
@pytest.mark.parametrize("sort", ["newest", "oldest"])
def test_filtered_lists_from_the_index_match_the_database_in_order(world, query, _, sort):
    from django.core.paginator import Paginator

    from archive.listing import IndexedArticles, cleaned_filters
    from archive.search_backend import get_search_backend

    filterset = ArticleFilter(qd(query), queryset=Article.objects.all())
    counts, articles = get_search_backend().list_filtered(filterset.qs, cleaned_filters(filterset), sort)
    assert isinstance(articles, IndexedArticles)
    paginator = Paginator(articles, 2)
    listed = [a.id for n in paginator.page_range for a in paginator.page(n).object_list]
    assert listed == list(filterset.qs.in_date_order(sort).values_list("id", flat=True))
    assert counts.total == len(listed)


def test_entity_lists_come_from_the_database_while_updates_are_queued(world):
    from archive.search_backend import get_search_backend
    from search.models import PendingIndexUpdate

    PendingIndexUpdate.objects.create(article_id=world["a"].id)
    counts, articles = get_search_backend().list_filtered(Article.objects.mentioning(world["xi"]),
                                                          {"entity": [world["xi"]]})
    assert list(articles) == list(Article.objects.mentioning(world["xi"]).newest_first())
    assert counts.total == 3


@pytest.mark.parametrize(
    ("q", "query", "sort"),
    [
        ("wind", "source=caspian-wire", "relevance"),
        ("wind OR solar", "entity=tokayev", "relevance"),
        ('"wind and"', "year=2023", "relevance"),
        ("wind -solar", "kind=person", "newest"),
        ("turb*", "tag=wind-power", "oldest"),
        ("*", "place=Astana", "newest"),
        ("wind date:2023", "language=en", "relevance"),
    ],
)
def test_filtered_pages_rank_as_whooshs_own_collector_does(world, q, query, sort):
    """Search evaluates queries over arrays (search.engine); its pages must be what
    Whoosh's collector returns for the same query and filter."""
    from search.index import searcher

    filterset = ArticleFilter(qd(query), queryset=Article.objects.all())
    assert filterset.is_valid()
    fq = filter_query(filterset.form.cleaned_data)
    first = run_search(parse_query(q), sort=sort, per_page=2, page=1, filter_query=fq)
    pages = [first] + [
        run_search(parse_query(q), sort=sort, per_page=2, page=n, filter_query=fq)
        for n in range(2, -(-first.total // 2) + 1)
    ]
    ours = [hit.article.id for page in pages for hit in page.hits]
    with searcher() as s:
        results = s.search(
            parse_query(q).query, filter=set(fq.docs(s)), limit=None,
            sortedby="date" if sort != "relevance" else None, reverse=sort == "newest",
        )
        theirs = [int(hit["id"]) for hit in results]
    assert first.total == len(theirs) == len(ours)
    assert first.total > 0
    if sort == "relevance" and '"' not in q:  # Dossier scores a phrase by its own occurrences
        assert ours == theirs
    else:
        assert sorted(ours) == sorted(theirs)
    if sort != "relevance":
        dates = [Article.objects.get(id=i).published for i in ours]
        assert dates == sorted(dates, reverse=sort == "newest")


def test_the_language_menu_starts_with_any_language(client, world):
    """Without an empty first option a browser would send a language with every Apply."""
    page = client.get("/articles/").content.decode()
    menu = page[page.index('name="language"'):]
    menu = menu[: menu.index("</select>")]
    assert menu.index('value=""') < menu.index('value="en"') < menu.index('value="ru"')
    assert 'value="" selected' in menu


@pytest.mark.parametrize("queued", [False, True])
def test_most_mentioned_and_tag_counts_agree_from_index_and_database(client, world, queued):
    from archive.models import Entity, Tag
    from archive.views import _most_mentioned
    from search.models import PendingIndexUpdate

    if queued:  # the index may be behind: the database answers
        PendingIndexUpdate.objects.create(article_id=world["a"].id)
    expected = [(e.name, e.article_count) for e in Entity.objects.most_mentioned()]
    assert [(e.name, e.article_count) for e in _most_mentioned(3)] == expected[:3]
    assert [(e.name, e.article_count) for e in _most_mentioned(10)] == expected
    page = client.get("/tags/").content.decode()
    for tag in Tag.objects.all():
        n = tag.articles.count()
        assert re.search(rf">{re.escape(tag.name)}</a> <span class=\"count\">{n}</span>", page)
    response = client.get("/entities/kind/person/")
    listed = {entity.name: entity.article_count for _, group in response.context["letters"] for entity in group}
    assert listed == dict(Entity.objects.of_kind("person").with_article_counts().values_list("name", "article_count"))


def test_filtersets_used_in_turn_each_filter_with_their_own_values(world):
    # Each FilterSet has filters of its own: its entity and kind filters call its own
    # methods, and one FilterSet's values never reach another's.
    by_tokayev = ArticleFilter(QueryDict("entity=tokayev&kind=organisation"), queryset=Article.objects.all())
    by_xi = ArticleFilter(QueryDict("entity=xi-jinping"), queryset=Article.objects.all())
    unfiltered = ArticleFilter(QueryDict(""), queryset=Article.objects.all())
    assert by_tokayev.filters["entity"] is not by_xi.filters["entity"]
    assert by_tokayev.filters["entity"].parent is by_tokayev and by_xi.filters["entity"].parent is by_xi
    assert sorted(a.title for a in by_xi.qs) == ["B wind solar", "C solar", "F summit"]
    assert sorted(a.title for a in by_tokayev.qs) == ["A wind"]
    assert unfiltered.qs.count() == Article.objects.count()
    assert sorted(a.title for a in by_xi.qs) == ["B wind solar", "C solar", "F summit"]


@pytest.mark.parametrize("name", ["source", "tag", "entity"])
def test_chosen_sources_tags_and_entities_are_the_objects_and_messages_django_filter_gives(world, name):
    # The slug fields find objects with a query compiled once: the same objects, fields and
    # order as django-filter's own field, and the same messages for slugs that name nothing.
    from django.core.exceptions import ValidationError
    from django_filters.fields import ModelMultipleChoiceField

    from archive.filters import _slug_query

    field = ArticleFilter(QueryDict(""), queryset=Article.objects.all()).form.fields[name]
    reference = ModelMultipleChoiceField(queryset=field.queryset, to_field_name="slug")
    assert _slug_query(field.queryset, 2) is not None  # the compiled query is used, not Django's
    slugs = list(field.queryset.model.objects.values_list("slug", flat=True))
    cases = [[slug] for slug in slugs] + [slugs, slugs[::-1], slugs[:2] * 2, [slugs[0], "no-such"], ["no-such"]]

    def answer(f, values):
        try:
            return [(obj.pk, {k: v for k, v in vars(obj).items() if k != "_state"}) for obj in f.clean(values)]
        except ValidationError as error:
            return error.messages

    for values in cases:
        assert answer(field, values) == answer(reference, values), values
    assert answer(field, ["no-such"]) == ["Select a valid choice. no-such is not one of the available choices."]
