"""run_search (search/service.py): what the search page gets for a query and the sidebar filters."""

import pytest

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
