"""Saved searches, run by the search page's own service (through ``search.backend.WhooshBackend``)."""

from __future__ import annotations

import datetime as dt

from django.http import QueryDict
from whoosh import query as wq

from archive.filters import ArticleFilter
from archive.listing import cleaned_filters
from archive.models import Article
from archive.saved import NewMatches
from search.filters import filter_query
from search.index import IndexUnavailable
from search.query import QueryError, parse_query
from search.service import run_search

# At most this many of the newest articles are checked; past it the count is "at least".
MAX_NEW_CHECKED = 1000


def new_matches(params: QueryDict, since: dt.datetime, limit: int) -> NewMatches:
    """What the saved search (``params``: the search page's query string) matches among
    the articles added after ``since``, newest first; the count is exact up to
    ``MAX_NEW_CHECKED`` new articles in the whole archive."""
    new_ids = list(
        Article.objects.filter(created__gt=since)
        .order_by("-created", "-id")
        .values_list("id", flat=True)[: MAX_NEW_CHECKED + 1]
    )
    if not new_ids:
        return NewMatches()
    at_least = len(new_ids) > MAX_NEW_CHECKED
    only_new = wq.Or([wq.Term("id", str(article_id)) for article_id in new_ids[:MAX_NEW_CHECKED]])
    filters = filter_query(cleaned_filters(ArticleFilter(params, queryset=Article.objects.all())))
    q = params.get("q", "").strip()
    try:
        parsed = parse_query(q) if q else None
        results = run_search(
            parsed,
            sort="newest",
            per_page=max(limit, 1),
            filter_query=only_new if filters is None else wq.And([filters, only_new]),
        )
    except (QueryError, IndexUnavailable) as error:
        return NewMatches(error=str(error))
    return NewMatches(count=results.total, at_least=at_least, articles=[hit.article for hit in results.hits][:limit])
