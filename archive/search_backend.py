"""The one door from the archive's pages to search: the backend named in settings.

As wagtail's search backends: ``settings.SEARCH_BACKEND`` is the dotted path of a
class, loaded on first use with ``import_string`` (never at start-up, never by
filling globals); ``get_search_backend()`` gives the instance. ``DatabaseBackend``
answers every question from the database and is what the interface means: a faster
backend (``search.backend.WhooshBackend``) must give the same answers, or fall back
to these when it cannot (a test runs the same checks on both).
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

from django.conf import settings
from django.db.models import QuerySet
from django.http import QueryDict
from django.utils.module_loading import import_string

from archive.facets import FacetCounts, count_facets
from archive.models import Article


class SearchUnavailable(Exception):
    """This backend cannot search text; the message is for the user."""


class DatabaseBackend:
    """Facet counts and date-ordered lists from the database; no full-text search."""

    def count_facets(self, articles: QuerySet[Article], cleaned_filters: dict) -> FacetCounts:
        """Exact facet counts of ``articles``, the articles the cleaned filters select."""
        return count_facets(articles)

    def list_filtered(self, articles: QuerySet[Article], cleaned_filters: dict, sort: str = "newest"):
        """(facet counts, the articles newest or oldest first, ready for a Paginator).

        On the same day the higher id comes first when newest first, the lower when oldest first.
        """
        return count_facets(articles), articles.in_date_order(sort).for_listing()

    def search(self, text: str, *, cleaned_filters: dict, sort: str = "relevance", page: int = 1,
               per_page: int = 20):
        raise SearchUnavailable("Full-text search is not available on this site.")

    def related(self, article: Article, *, limit: int = 5) -> list[Article]:
        """Articles most like this one, best first (none from the database)."""
        return []

    def new_matches(self, params: QueryDict, since: dt.datetime, limit: int):
        """``archive.saved.NewMatches``: what a saved search (``params``, the search page's
        query string) matches among the articles added after ``since``, newest first."""
        from archive.saved import NewMatches  # archive.saved reaches search through this module

        return NewMatches(error="Search is not available.")


@lru_cache(maxsize=4)
def _backend(path: str) -> DatabaseBackend:
    return import_string(path)()


def get_search_backend() -> DatabaseBackend:
    """The instance of ``settings.SEARCH_BACKEND`` (read at each call, so tests can override it)."""
    return _backend(settings.SEARCH_BACKEND)
