"""The query service: syntax, analysis, ranking, highlights, suggestions, related articles."""

import datetime as dt

import numpy as np
import pytest
from django.core.paginator import Paginator
from hypothesis import given, settings
from hypothesis import strategies as st

from archive.models import NEWEST_FIRST, OLDEST_FIRST, EntityKind
from search.explain import readable
from search.query import QueryError, parse_query
from search.related import related_articles
from search.service import run_search
from search.suggest import suggest
from tests.factories import make_article, make_entity, make_source, make_tag


def titles(q: str, **options) -> list[str]:
    return [hit.article.title for hit in run_search(parse_query(q), per_page=50, **options).hits]


@pytest.fixture
def archive(reindex):
    spic = make_entity("State Power Investment Corporation", kind=EntityKind.ORGANISATION, aliases=["SPIC"])
    tokayev = make_entity("Kassym-Jomart Tokayev", kind=EntityKind.PERSON, aliases=["Tokayev", "Токаев"])
    almaty = make_entity("Almaty", kind=EntityKind.PLACE)
    zhanatas = make_entity("Zhanatas Wind Farm", kind=EntityKind.PROJECT)
    forum = make_entity("Astana International Forum", kind=EntityKind.EVENT)
    wire = make_source("Caspian Wire")
    review = make_source("Steppe Energy Review")
    wind = make_tag("wind power")
    make_article(
        "Wind farm opens near Zhanatas",
        "State Power Investment Corporation finished the wind farm. Its turbines turn in steady winds.",
        published="2021-05-04", source=wire, tags=[wind], mentions=[spic, zhanatas],
    )
    make_article(
        "Solar plant planned for Almaty region",
        "A solar plant with panels from China will be built near Almaty. The region also has wind farms.",
        published="2023-02-10", source=review, mentions=[almaty],
    )
    make_article(
        "President speaks at forum",
        "Президент Токаев выступил на форуме. Kassym-Jomart Tokayev spoke about energy and the economy.",
        published="2024-06-15", source=review, mentions=[tokayev, forum],
    )
    make_article(
        "Coal output steady",
        "Coal mines kept their output steady while the café in Ekibastuz stayed open.",
        published="2024-11-20", source=wire,
    )
    make_article(
        "Grid operator upgrades lines",
        "The grid operator upgraded lines to carry power from wind and solar plants to the cities.",
        published="2022-08-01", source=wire,
    )
    reindex()


pytestmark = pytest.mark.django_db


def test_stemming_finds_other_forms_of_a_word(archive):
    assert "Wind farm opens near Zhanatas" in titles("wind farms")
    assert "Solar plant planned for Almaty region" in titles("wind farm")


def test_case_and_accents_are_folded(archive):
    assert titles("CAFE") == ["Coal output steady"]
    assert titles("café") == ["Coal output steady"]


def test_an_alias_finds_articles_that_use_the_full_name(archive):
    assert titles("SPIC") == ["Wind farm opens near Zhanatas"]


def test_cyrillic_text_and_aliases_are_searchable(archive):
    assert titles("Токаев") == ["President speaks at forum"]
    assert titles("токаев") == ["President speaks at forum"]
    assert titles("Tokayev") == ["President speaks at forum"]


def test_title_match_ranks_above_body_match(archive):
    found = titles("solar")
    assert found[0] == "Solar plant planned for Almaty region"
    assert "Grid operator upgrades lines" in found[1:]


def test_or_means_either(archive):
    assert set(titles("coal OR solar")) == {
        "Coal output steady", "Solar plant planned for Almaty region", "Grid operator upgrades lines"
    }


def test_and_is_the_default_and_explicit(archive):
    assert titles("wind solar") == titles("wind AND solar")
    assert set(titles("wind solar")) == {"Solar plant planned for Almaty region", "Grid operator upgrades lines"}


@pytest.mark.parametrize("q", ["wind NOT solar", "wind -solar", "wind AND NOT solar"])
def test_not_excludes(archive, q):
    assert titles(q) == ["Wind farm opens near Zhanatas"]


def test_a_query_that_only_excludes_returns_everything_else(archive):
    assert set(titles("-wind")) == {"President speaks at forum", "Coal output steady"}


def test_exact_phrase(archive):
    assert titles('"steady winds"') == ["Wind farm opens near Zhanatas"]
    assert titles('"winds steady"') == []


def test_phrase_proximity(archive):
    assert titles('"finished farm"') == []
    assert titles('"finished farm"~3') == ["Wind farm opens near Zhanatas"]


def test_prefix_wildcard(archive):
    assert titles("turb*") == ["Wind farm opens near Zhanatas"]


def test_fuzzy_term(archive):
    assert titles("ekibastus") == []
    assert titles("ekibastus~") == ["Coal output steady"]


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("person:tokayev", ["President speaks at forum"]),
        ("person:Токаев", ["President speaks at forum"]),
        ("org:SPIC", ["Wind farm opens near Zhanatas"]),
        ("place:almaty", ["Solar plant planned for Almaty region"]),
        ("project:zhanatas", ["Wind farm opens near Zhanatas"]),
        ('event:"astana international forum"', ["President speaks at forum"]),
        ('source:"steppe energy review"', ["President speaks at forum", "Solar plant planned for Almaty region"]),
        ('tag:"wind power"', ["Wind farm opens near Zhanatas"]),
        ("title:wind", ["Wind farm opens near Zhanatas"]),
    ],
)
def test_field_queries(archive, q, expected):
    assert sorted(titles(q)) == sorted(expected)


def test_a_field_query_does_not_match_other_fields(archive):
    # "Almaty" is in the body of one article but is a place only there; no person is called Almaty.
    assert titles("person:almaty") == []


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("date:2024", {"President speaks at forum", "Coal output steady"}),
        ("date:2024-06", {"President speaks at forum"}),
        ("date:2021-05-04", {"Wind farm opens near Zhanatas"}),
        ("date:[2022-08 to 2023-02]", {"Grid operator upgrades lines", "Solar plant planned for Almaty region"}),
        ("date:[2024 to]", {"President speaks at forum", "Coal output steady"}),
        ("date:[to 2021]", {"Wind farm opens near Zhanatas"}),
        ("wind date:[2022 to 2023]", {"Grid operator upgrades lines", "Solar plant planned for Almaty region"}),
    ],
)
def test_date_ranges(archive, q, expected):
    assert set(titles(q)) == expected


def test_sort_by_date(archive):
    assert titles("wind OR coal OR energy", sort="newest")[0] == "Coal output steady"
    assert titles("wind OR coal OR energy", sort="oldest")[0] == "Wind farm opens near Zhanatas"


def test_total_is_exact_and_pages_split_the_hits(reindex):
    for n in range(25):
        make_article(f"Report {n}", f"Steppe wind report number {n}.", published=dt.date(2020, 1, 1) + dt.timedelta(n))
    reindex()
    parsed = parse_query("steppe")
    first = run_search(parsed, page=1, per_page=10)
    last = run_search(parsed, page=3, per_page=10)
    assert first.total == 25
    assert len(first.hits) == 10 and len(last.hits) == 5
    assert not {h.article.id for h in first.hits} & {h.article.id for h in last.hits}
    assert run_search(parsed, page=99, per_page=10).page == 3
    # Django's Paginator pages the results as it pages the lists: same page count, same hits.
    page = Paginator(last, 10).page(last.page)
    assert page.paginator.num_pages == 3 and (page.start_index(), page.end_index()) == (21, 25)
    assert list(page.object_list) == last.hits and page.has_previous() and not page.has_next()
    with pytest.raises(IndexError):
        last[0:10]  # only the page searched for can be read


def test_highlights_mark_matches_and_escape_everything_else(reindex):
    make_article("Markup test", 'The <script>alert("x")</script> turbine & <b>blade</b> factory.')
    reindex()
    (hit,) = run_search(parse_query("turbine")).hits
    assert "<mark>turbine</mark>" in hit.snippet_html
    assert "<script>" not in hit.snippet_html and "&lt;script&gt;" in hit.snippet_html
    assert "<b>" not in hit.snippet_html and "&amp;" in hit.snippet_html


def test_title_highlight_is_escaped_too(reindex):
    make_article("<i>Turbine</i> news", "Body text about blades.")
    reindex()
    (hit,) = run_search(parse_query("turbine")).hits
    assert hit.title_html == "&lt;i&gt;<mark>Turbine</mark>&lt;/i&gt; news"


def test_did_you_mean_uses_the_archives_own_words(archive):
    assert suggest("turbnes") == "turbines"
    assert suggest("ekibastus coal") == "ekibastuz coal"
    assert suggest("wind") is None


def test_related_articles_are_the_most_similar(reindex):
    first = make_article("Wind turbines arrive", "Wind turbines and blades arrived for the wind farm near Zhanatas.")
    make_article("More wind turbines", "Blades and towers for wind turbines reached the Zhanatas wind farm.")
    make_article("Bank results", "The bank reported profits from lending to households.")
    reindex()
    related = related_articles(first)
    assert [a.title for a in related][:1] == ["More wind turbines"]
    assert first not in related


def test_related_articles_are_whooshs_more_like_this(archive):
    from archive.models import Article
    from search.engine import snapshot
    from search.index import index_dir, searcher

    with searcher() as s:
        snap = snapshot(s, str(index_dir()))
        for article in Article.objects.all():
            docnum = s.document_number(id=str(article.id))
            assert snap.key_terms(docnum, "body", 12) == s.key_terms([docnum], "body", numterms=12, normalize=False)
            theirs = [int(hit["id"]) for hit in s.more_like(docnum, "body", top=3, numterms=12)]
            assert [a.id for a in related_articles(article, limit=3)] == theirs


@pytest.mark.parametrize(
    ("q", "message"),
    [
        ("", "Type something"),
        ("   ", "Type something"),
        ("the", "nothing to search"),
        ("((((", "nothing to search"),
        ("a*", "two letters"),
        ("ab~", "three letters"),
        ("date:yesterday-ish", "not a date"),
        ("date:2024-13", "not a real date"),
        ("date:[2025 to 2020]", "ends before"),
        ("x" * 400, "too long"),
    ],
)
def test_unusable_queries_say_why(index, q, message):
    with pytest.raises(QueryError, match=message):
        parse_query(q)


def test_how_the_query_was_read_is_described(index):
    def read(q: str) -> str:
        return readable(parse_query(q).shown)

    assert read("wind -solar") == "wind AND NOT solar"
    assert read('person:tokayev date:[2023-01 to 2024-06]') == "person:tokayev AND date:[2023-01-01 to 2024-06-30]"
    assert read("wind OR solar") == "wind OR solar"
    assert read('"wind farm"~3') == "“wind farm”~3"


@pytest.mark.parametrize(
    "q", ["wind", "wind farms", "wind OR coal", "wind -solar", "-wind", "turb*", "ekibastus~", "SPIC",
          "person:tokayev OR place:almaty", "(wind OR solar) AND NOT coal", "zzzunknown", "wind zzzunknown",
          '"wind farm"', '"wind farms" OR coal', '"power plant"~3', "wind date:[2023 to]", "title:wind^2 OR body:grid",
          "wind ANDMAYBE solar", "wind ANDNOT solar", '"wind farm"~5', "tag:*", "person:*", "place:*",
          '"wind farm" OR "solar plant"~2', "title:[coal to wind]", "turb*^2 OR wind"],
)
def test_the_array_engine_finds_and_scores_what_whoosh_finds(archive, q, django_capture_on_commit_callbacks):
    """search.engine replaces Whoosh's matchers: same documents, and Whoosh's BM25F scores."""
    from archive.models import Article
    from search.engine import Evaluator, snapshot
    from search.index import index_dir, searcher

    # A deleted document is still in its segment; neither way may count it.
    with django_capture_on_commit_callbacks(execute=True):
        Article.objects.get(title="Grid operator upgrades lines").delete()
    query = parse_query(q).query
    with searcher() as s:
        matches = Evaluator(snapshot(s, str(index_dir()))).run(query)
        ours = {int(d): float(matches.scores[d]) for d in np.flatnonzero(matches.mask)}
        theirs = {hit.docnum: hit.score for hit in s.search(query, limit=None)}
    assert set(ours) == set(theirs)
    assert ours == pytest.approx(theirs, rel=1e-9)


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("tag:*", {"Wind farm opens near Zhanatas"}),
        ("person:*", {"President speaks at forum"}),
        ("place:*", {"Solar plant planned for Almaty region"}),
        ("org:* OR project:*", {"Wind farm opens near Zhanatas"}),
    ],
)
def test_a_field_wildcard_finds_the_articles_with_something_in_that_field(archive, q, expected):
    assert set(titles(q)) == expected


def test_an_empty_archive_answers_every_query_shape_with_nothing(index):
    from search.facets import index_counts

    for q in ['wind OR "solar farm"', "turb* -coal", "goverment~ date:2024", "person:tokayev"]:
        results = run_search(parse_query(q), sort="relevance")
        assert (results.total, results.hits, Paginator(results, 20).num_pages) == (0, [], 1)
    assert run_search(None, sort="newest").total == 0
    assert index_counts({}).total == 0


def test_same_day_articles_keep_the_databases_order_after_an_edit(reindex):
    from archive.models import Article
    from search.sync import drain_queue

    day = dt.date(2023, 5, 17)
    first, *_ = (make_article(f"Steppe note {n}", f"Steppe wind note {n}.", published=day)
                            for n in (1, 2, 3))
    reindex()
    first.body = "Steppe wind note 1, corrected."
    first.save()  # indexed again: a later document than the other two
    drain_queue()
    for sort, order in (("newest", ["-published", "-id"]), ("oldest", ["published", "id"])):
        expected = list(Article.objects.order_by(*order).values_list("title", flat=True))
        assert titles("steppe", sort=sort) == expected


def test_undated_articles_keep_the_databases_order_whatever_segment_holds_them(index):
    """An undated story indexed beside a dated one and one indexed alone sort alike (by id), as in the database."""
    from archive.models import Article
    from search.sync import drain_queue

    for batch in (("Steppe note 1", None),), (("Steppe note 2", None), ("Steppe note 3", dt.date(2023, 5, 17))):
        for title, day in batch:
            make_article(title, f"{title}: steppe wind.", published=day)
        drain_queue()  # one segment per batch: the first has no date column, the second has one
    for sort, order in (("newest", NEWEST_FIRST), ("oldest", OLDEST_FIRST)):
        expected = list(Article.objects.order_by(*order).values_list("title", flat=True))
        assert titles("steppe", sort=sort) == expected


# Plain words skip Whoosh's parser (search.query._words_query): it must build what the parser
# builds, for the query that runs and the one shown, whatever the words: stop words, capitals,
# digits, underscores, other scripts, words the parser reads as operators in other places.
_plain_word = st.one_of(
    st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_éжқ", min_size=1, max_size=8),
    st.sampled_from(["the", "a", "and", "or", "not", "to", "Wind", "TO", "IN", "OF", "ANDx", "NOTE", "ORE",
                     "Токаев", "станции", "energy", "wind", "turbines", "2024", "x1", "_"]),
)


@settings(max_examples=300, deadline=None)
@given(words=st.lists(_plain_word, min_size=1, max_size=5))
def test_plain_words_give_the_query_the_parser_gives(words):
    from search.query import _display_parser, _parser, _plain, _words_query

    text = " ".join(words)
    assert _plain(text)
    for parser in (_parser(), _display_parser()):
        assert _words_query(parser, text) == parser.parse(text)
    # parse_query does not normalize the query of plain words again: it is normalized already.
    query = _words_query(_parser(), text)
    assert query.normalize() == query


@pytest.mark.parametrize("text", ["wind OR solar", "wind AND solar", "NOT wind", "wind ANDNOT coal",
                                  "wind ANDMAYBE coal", "wind REQUIRE coal", "wind-farm", "wind  farm",
                                  "turb*", "org:spic", '"wind farm"', "wind~", "(wind)", "wind^2"])
def test_queries_with_syntax_go_to_the_parser(text):
    from search.query import _plain

    assert not _plain(text)
