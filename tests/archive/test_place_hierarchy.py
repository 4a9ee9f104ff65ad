"""Places inside places: filtering and searching by a place finds the places inside it, in the
database and in the index alike; Russian words are searched by their stem."""

import pytest
from django.http import QueryDict

from archive.filters import ArticleFilter
from archive.models import Article, Entity, EntityKind, PlaceType
from search.filters import filter_query
from search.query import parse_query
from search.service import run_search
from tests.factories import make_article, make_entity, make_kazakh_places

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(reindex):
    asia, kazakhstan, region, almaty, kapshagay = make_kazakh_places()
    china = make_entity("China", kind=EntityKind.PLACE, place_type=PlaceType.COUNTRY, parent=asia)
    articles = {
        "city": make_article("Metro opens", "The Almaty metro opened.", mentions=[almaty]),
        "town": make_article("Solar plant", "A plant near Kapshagay.", mentions=[kapshagay]),
        "country": make_article("Tariffs", "Kazakhstan raised tariffs.", mentions=[kazakhstan]),
        "other": make_article("Exports", "China exported more.", mentions=[china]),
        "both": make_article("Trains", "Trains from China reach Almaty.", mentions=[china, almaty]),
        "ru": make_article("Станция", "Строительство станции в Жамбылской области продолжается.", language="ru"),
    }
    reindex()
    return {"articles": articles, "kazakhstan": kazakhstan, "almaty": almaty, "china": china, "asia": asia}


def browse(query: str) -> set[int]:
    filterset = ArticleFilter(QueryDict(query), queryset=Article.objects.all())
    assert filterset.is_valid(), filterset.errors
    return set(filterset.qs.values_list("id", flat=True))


def search(query: str, q: str | None = None) -> set[int]:
    filterset = ArticleFilter(QueryDict(query), queryset=Article.objects.all())
    assert filterset.is_valid(), filterset.errors
    results = run_search(parse_query(q) if q else None, per_page=100,
                         filter_query=filter_query(filterset.form.cleaned_data))
    return {hit.article.id for hit in results.hits}


def ids(world, *names) -> set[int]:
    return {world["articles"][name].id for name in names}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("entity=kazakhstan", ("city", "town", "country", "both")),
        ("entity=almaty", ("city", "both")),
        ("entity=asia", ("city", "town", "country", "other", "both")),
        ("entity=kazakhstan&entity=china", ("both",)),
    ],
)
def test_a_place_filter_finds_the_places_inside_it_in_the_database_and_the_index(world, query, expected):
    assert browse(query) == search(query) == ids(world, *expected)


def test_a_place_query_finds_the_places_inside_it(world):
    assert search("", q="place:Kazakhstan") == ids(world, "city", "town", "country", "both")
    assert search("", q="place:Kapshagay") == ids(world, "town")


def test_the_index_document_lists_the_places_around_but_counts_only_the_place_named(world):
    from search.schema import documents

    (_, doc), = documents([world["articles"]["city"].id])
    almaty, kazakhstan, asia = world["almaty"], world["kazakhstan"], world["asia"]
    assert set(doc["entity_ids"].split(",")) == {str(almaty.id), str(kazakhstan.id), str(asia.id)}
    assert f"l{almaty.id}" in doc["facet_row"].decode() and f"l{kazakhstan.id}" not in doc["facet_row"].decode()


def test_a_place_is_shown_with_the_place_it_lies_in(world):
    assert world["almaty"].located_label == "Almaty, in Kazakhstan"
    assert Entity.objects.get(name="Asia").located_label == "Asia"


@pytest.mark.parametrize("q", ["станция", "Жамбылская область", "\"жамбылская область\""])
def test_russian_words_are_searched_by_their_stem(world, q):
    assert search("", q=q) == ids(world, "ru")

