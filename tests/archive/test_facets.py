"""The timeline's bars (archive/facets.py): counts per period and their links."""

import calendar
from collections import Counter

import pytest
from django.http import QueryDict
from hypothesis import given, settings
from hypothesis import strategies as st

from archive.facets import DATE_FILTERS, FacetCounts, timeline
from archive.filters import query_adder, query_string

PERIOD = (*DATE_FILTERS, "undated")  # what a bar replaces


@pytest.mark.parametrize("by_year", [False, True])
@pytest.mark.parametrize(
    "query",
    ["", "page=3", "q=wind+%26+sun&tag=a&tag=b&year=2020&month=2&page=2",
     "date_from=2020-01-01&date_to=&entity=x%2Fy&q=%22solar+farm%22&undated=only", "source=&q=caf%C3%A9"],
)
def test_each_bar_links_to_the_other_parameters_with_its_period(query, by_year):
    counts = FacetCounts(total=9, months=Counter({(2020, 11): 4, (2021, 2): 5}))
    params = QueryDict(query)
    chart = timeline(counts, params, max_months=2 if by_year else 48)
    assert chart.by_year == by_year
    for bar in chart.bars:
        period = {"year": bar.label} if by_year else dict(zip(("year", "month"), _year_month(bar.label), strict=True))
        assert bar.url == query_string(params, add=period, drop=PERIOD)


def _year_month(label: str) -> tuple[str, str]:
    name, year = label.split()
    return year, str(list(calendar.month_name).index(name))


_PARAM_KEYS = st.sampled_from(["q", "entity", "source", "tag", "year", "month", "undated", "page", "sort"])
_PARAM_VALUES = st.text(alphabet="ab &=?é+%1", max_size=4)


@settings(max_examples=200, deadline=None)
@given(pairs=st.lists(st.tuples(_PARAM_KEYS, _PARAM_VALUES), max_size=6), key=_PARAM_KEYS, value=_PARAM_VALUES,
       drop=st.sampled_from([(), ("year", "month", "undated")]))
def test_query_adder_links_what_query_string_links(pairs, key, value, drop):
    """Facet links are built by ``query_adder`` (the parameters encoded once); each must be the
    address ``query_string`` gives for the same value, whatever the parameters hold."""
    params = QueryDict(mutable=True)
    for k, v in pairs:
        params.appendlist(k, v)
    assert query_adder(params, drop=drop)(key, value) == query_string(params, add={key: value}, drop=drop)
