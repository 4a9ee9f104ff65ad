"""Listing helpers shared by the archive pages and the search page.

Page numbers and pages, validated filter values, tidy URLs and what the filter
sidebar shows: both apps list articles the same way, so the helpers live here,
outside either app's views.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.core.paginator import Page, Paginator
from django.http import HttpRequest, HttpResponseRedirect
from django.shortcuts import redirect
from django.template.response import TemplateResponse

from archive.facets import FacetCounts, facet_display, timeline
from archive.filters import FILTER_NAMES, ArticleFilter, active_chips, parse_number, query_string
from archive.models import Article

PAGE_SIZE = 25
MAX_PAGE = 100_000


def page_number(request: HttpRequest) -> int:
    """The page asked for in the URL; a missing or malformed number (``⁴``, ``1e3``, 5,000 digits) means page 1."""
    return parse_number(request.GET.get("page"), low=1, high=MAX_PAGE) or 1


def paginate(request: HttpRequest, items, per_page: int = PAGE_SIZE) -> Page:
    """The requested page. Past the last page, an empty page with ``past_end`` set, so the
    template can say "there is no page N" and link back instead of showing another page."""
    return page_of(Paginator(items, per_page), page_number(request))


def page_of(paginator: Paginator, number: int) -> Page:
    """Page ``number`` of ``paginator``; past the last page, an empty page with ``past_end`` set."""
    if number > paginator.num_pages:
        page = Page([], number, paginator)
        page.past_end = True
        return page
    return paginator.page(number)


def page_response(request: HttpRequest, template: str, context: dict, status: int = 200) -> TemplateResponse:
    """A paginated page; a page number past the end is a 404 that still explains and links back."""
    page = context.get("page")
    if getattr(page, "past_end", False):
        status = 404
    return TemplateResponse(request, template, context, status=status)


def without_empty_fields(request: HttpRequest) -> HttpResponseRedirect | None:
    """A browser sends every field of the filter form, used or not (``kind=&language=``);
    redirect to the same address without the empty ones, so URLs say only what is in force."""
    pairs = [(key, value) for key, values in request.GET.lists() for value in values]
    droppable = {*FILTER_NAMES, "page", "sort"}
    kept = [(key, value) for key, value in pairs if value != "" or key not in droppable]
    if len(kept) == len(pairs):
        return None
    return redirect(request.path + ("?" + urlencode(kept) if kept else ""))


def cleaned_filters(filterset: ArticleFilter) -> dict:
    """The filter values that passed validation; bad ones are left out, as the database listing does."""
    if not filterset.is_bound:
        return {}
    filterset.form.is_valid()
    return {name: value for name, value in filterset.form.cleaned_data.items() if name not in filterset.form.errors}


def filter_context(request: HttpRequest, filterset: ArticleFilter, counts: FacetCounts) -> dict:
    """What the filter sidebar, the chips and the timeline need."""
    return {
        "total": counts.total,
        "facets": facet_display(counts, request.GET),
        "timeline": timeline(counts, request.GET),
        "chips": active_chips(filterset),
        "filter_errors": _filter_errors(filterset),
        "page_params": _params_prefix(query_string(request.GET)),
        "sort_params": _params_prefix(query_string(request.GET, drop=("sort",))),
        "clear_url": query_string(request.GET, drop=tuple(FILTER_NAMES)),
    }


def _params_prefix(qs: str) -> str:
    """'?a=1&b=2' -> 'a=1&b=2&', ready for another parameter; '?' -> ''."""
    return qs[1:] + "&" if len(qs) > 1 else ""


def _filter_errors(filterset: ArticleFilter) -> list[str]:
    if not filterset.is_bound or filterset.form.is_valid():
        return []
    labels = {name: f.label or name for name, f in filterset.filters.items()}
    return [
        f"{labels.get(field, field).capitalize()}: {message}" if field != "__all__" else message
        for field, messages in filterset.form.errors.items()
        for message in messages
    ]


class IndexedArticles:
    """Articles in a search backend's order, for a Paginator: only the page shown is read.

    ``fetch(start, stop)`` gives the ids of the articles at those ranks.
    """

    def __init__(self, total: int, fetch: Callable[[int, int], list[int]]):
        self.total = total
        self.fetch = fetch

    def count(self) -> int:
        return self.total

    def __len__(self) -> int:
        return self.total

    def __getitem__(self, key: slice) -> list[Article]:
        start, stop, _ = key.indices(self.total)
        ids = self.fetch(start, stop)
        articles = Article.objects.for_listing().in_bulk(ids)
        return [articles[i] for i in ids if i in articles]
