"""The Atom feed of a search: the newest articles matching the query and the filters."""

from __future__ import annotations

from django.http import Http404, HttpRequest
from django.urls import reverse

from archive.feeds import ArticleFeed, _query, feed_size
from archive.filters import ArticleFilter
from archive.listing import cleaned_filters
from archive.models import Article
from search.exports import ranked_ids
from search.filters import filter_query
from search.forms import SearchForm
from search.index import IndexUnavailable
from search.query import QueryError, parse_query


class SearchFeed(ArticleFeed):
    """/search/feed/?q=…&<filters>: what a saved query would bring, newest first."""

    def get_object(self, request: HttpRequest, *args, **kwargs) -> dict:
        form = SearchForm({"q": request.GET.get("q", "")[:1000]})
        form.is_valid()
        q = form.cleaned_data.get("q", "")
        filterset = ArticleFilter(request.GET or None, queryset=Article.objects.all())
        return {"q": q, "filterset": filterset, "query": _query(request, ("q", *filterset.filters))}

    def items(self, obj: dict) -> list[Article]:
        if not obj["q"]:
            return super().items(obj)
        try:
            ids = ranked_ids(parse_query(obj["q"]).query, filters=filter_query(cleaned_filters(obj["filterset"])),
                             sort="newest", limit=feed_size())
        except (QueryError, IndexUnavailable) as error:
            raise Http404(str(error)) from error
        found = Article.objects.select_related("source").prefetch_related("tags").in_bulk(ids)
        return [found[i] for i in ids if i in found]

    def articles(self, obj: dict):
        return obj["filterset"].qs

    def title(self, obj: dict) -> str:
        return f"Dossier search: {obj['q']}" if obj["q"] else "Dossier: articles"

    def link(self, obj: dict) -> str:
        return reverse("search:search") + obj["query"]

    def description(self, obj: dict) -> str:
        return "The newest articles matching this search."
