"""Hostile queries: every knob a user controls has a limit, and past it the page says which.

The list is ``bench.hostile.HOSTILE`` (the benchmark times the same queries at scale),
plus the limits that need a particular archive: expansions of one prefix, expansions
of a whole query, and the time budget. Each is asked through the search page, as a
user would: the answer is the search page with the message, never a 500. How fast the
answers come is measured by the benchmark, not here.
"""

from __future__ import annotations

import html
from itertools import product

import pytest

from bench.hostile import HOSTILE, HostileQuery
from search import engine
from search import query as search_query
from search.query import QueryError, parse_query
from search.service import run_search
from tests.factories import make_article

pytestmark = pytest.mark.django_db


def _made_up_words(prefix: str, count: int) -> list[str]:
    """Distinct words that share a prefix and that the stemmer leaves distinct (invented here)."""
    return [prefix + "".join(letters) + "x" for letters in product("bcdfghklmnprstvz", repeat=3)][:count]


@pytest.fixture
def archive(reindex):
    make_article("Wind farm opens", "The wind farm near Zhanatas opened; its turbines turn in steady winds.")
    make_article("Coal output steady", "Coal mines kept their output steady.")
    for n in range(45):  # three pages of wind
        make_article(f"Wind report {n}", f"Wind report number {n}.")
    # Word lists written for this test: one prefix that stands for more words than one
    # query word may, and five that each stay under that limit but together exceed
    # what a whole query may look up.
    make_article("Catalogue of codes", " ".join(_made_up_words("zq", engine.MAX_EXPANSIONS + 100)))
    for prefix in ("za", "zb", "zc", "zd", "ze"):
        make_article(f"Codes {prefix}", " ".join(_made_up_words(prefix, engine.MAX_EXPANSIONS - 50)))
    reindex()


def page_says(client, params: dict, message: str) -> None:
    response = client.get("/search/", params)
    assert response.status_code == 200
    text = html.unescape(response.content.decode())
    assert message.lower() in text.lower(), text[:2000]


def test_the_hostile_list_covers_every_limit_of_the_query_text():
    limits = {query.limit for query in HOSTILE}
    assert {"phrase slop", "fuzzy distance", "words in a query", "query length", "date value", "date span",
            "expansions of a word range", "expansions of a field wildcard", "page depth", "boost"} <= limits


@pytest.mark.parametrize("query", HOSTILE, ids=[f"{q.limit}: {q.q[:30]}" for q in HOSTILE])
def test_each_hostile_query_is_answered_with_its_message(client, archive, query: HostileQuery, monkeypatch):
    if query.large:
        # Past these limits only on a large archive (id:* stands for one word per article;
        # page 500 needs 10,000 matches); here the limit is lowered below this archive's size.
        if query.limit == "page depth":
            monkeypatch.setattr(search_query, "MAX_PAGE", 2)
        else:
            monkeypatch.setattr(engine, "MAX_EXPANSIONS", 5)
    page_says(client, {"q": query.q, **query.params}, query.message)


def test_a_prefix_that_stands_for_too_many_words_is_refused(client, archive):
    page_says(client, {"q": "zq*"}, f"more than {engine.MAX_EXPANSIONS:,} different words")
    # Under the limit the same kind of query runs.
    assert run_search(parse_query("za*")).total == 1


def test_a_query_whose_words_together_stand_for_too_many_is_refused(client, archive):
    page_says(client, {"q": "za* OR zb* OR zc* OR zd* OR ze*"}, "too expensive")
    assert run_search(parse_query("za* OR zb*")).total == 2


def test_a_fuzzy_word_past_the_limit_says_so_and_one_within_runs(client, archive):
    page_says(client, {"q": "turbines~3"}, "at most 2 letters different")
    assert run_search(parse_query("turbnes~2")).total == 1


def test_a_search_that_runs_out_of_its_time_budget_stops_with_a_message(client, archive, settings):
    settings.SEARCH_TIME_BUDGET_MS = 0
    page_says(client, {"q": "wind OR coal"}, "too expensive")
    settings.SEARCH_TIME_BUDGET_MS = 10_000
    page_says(client, {"q": "wind OR coal"}, "47 articles")


def test_the_time_budget_also_bounds_whooshs_own_matcher(archive, settings):
    """Query types the engine hands to Whoosh (here a word range) stop at the budget too."""
    settings.SEARCH_TIME_BUDGET_MS = 0
    with pytest.raises(engine.QueryTooExpensive):
        run_search(parse_query("title:[coal to code]"))
    settings.SEARCH_TIME_BUDGET_MS = 10_000
    # "Coal output steady" and the six titles with "codes" have a word from "coal" to "code".
    assert run_search(parse_query("title:[coal to code]")).total == 7


def test_a_page_past_the_last_is_the_last_page_not_a_refusal(archive):
    assert run_search(parse_query("wind"), page=400).page == 3


@pytest.mark.parametrize(
    ("q", "message"),
    [
        ('"wind farm"~51', "at most 50 words between"),
        ("date:1799", "use years from 1800"),
        ("date:[2024 to 2200-01]", "use years from"),
        ("wind^1001", "at most 1000"),
    ],
)
def test_just_past_each_limit_is_refused(archive, q, message):
    with pytest.raises(QueryError, match=message):
        parse_query(q)


@pytest.mark.parametrize("q", ['"wind farm"~50', "date:1800", "date:2199", "wind^1000", "turbnes~2"])
def test_at_each_limit_the_query_runs(archive, q):
    run_search(parse_query(q))


def test_a_phrase_with_slop_at_the_limit_finds_words_that_far_apart(reindex):
    make_article("Far apart", "wind " + "filler " * 48 + "farm")  # 49 words between
    make_article("Too far apart", "wind " + "filler " * 50 + "farm")
    reindex()
    assert [hit.article.title for hit in run_search(parse_query('"wind farm"~50')).hits] == ["Far apart"]
