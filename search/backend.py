"""The search backend the archive's pages use (``settings.SEARCH_BACKEND``), over the Whoosh index.

Facet counts and date-ordered lists come from the index's arrays while the index is
in step with the database; while changes wait in the queue, or when the index is
missing or damaged, the answers come from the database (``DatabaseBackend``), which
are the same by definition. Full-text search and related articles need the index.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet
from django.http import QueryDict

from archive.facets import FacetCounts
from archive.listing import IndexedArticles
from archive.models import Article
from archive.search_backend import DatabaseBackend
from search.facets import index_counts, index_listing
from search.filters import filter_query
from search.query import parse_query
from search.related import related_articles
from search.saved import new_matches as saved_search_matches
from search.service import run_search


class WhooshBackend(DatabaseBackend):
    def count_facets(self, articles: QuerySet[Article], cleaned_filters: dict) -> FacetCounts:
        counts = index_counts(cleaned_filters)
        return counts if counts is not None else super().count_facets(articles, cleaned_filters)

    def list_filtered(self, articles: QuerySet[Article], cleaned_filters: dict, sort: str = "newest"):
        found = index_listing(cleaned_filters, sort)
        if found is None:
            return super().list_filtered(articles, cleaned_filters, sort)
        counts, fetch = found
        return counts, IndexedArticles(counts.total, fetch)

    def search(self, text: str, *, cleaned_filters: dict, sort: str = "relevance", page: int = 1,
               per_page: int = 20):
        """Ranked, highlighted results with exact facet counts; ``QueryError`` or ``IndexUnavailable`` otherwise."""
        return run_search(parse_query(text), sort=sort, page=page, per_page=per_page,
                          filter_query=filter_query(cleaned_filters))

    def related(self, article: Article, *, limit: int = 5) -> list[Article]:
        return related_articles(article, limit=limit)

    def new_matches(self, params: QueryDict, since: dt.datetime, limit: int):
        return saved_search_matches(params, since, limit)
