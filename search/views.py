"""The search page: validate the form and the filters, run the query service, render."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from archive.filters import ArticleFilter
from archive.listing import (
    cleaned_filters,
    filter_context,
    page_number,
    page_of,
    page_response,
    paginate,
    without_empty_fields,
)
from archive.models import Article
from archive.search_backend import get_search_backend
from search.filters import filter_query
from search.forms import SearchForm
from search.index import IndexUnavailable
from search.query import SORTS, QueryError, parse_query, run_search, suggest

PER_PAGE = 20


def search(request: HttpRequest) -> HttpResponse:
    if redirect_to := without_empty_fields(request):
        return redirect_to
    # The page number is read by the one helper every list uses, not by the form.
    form = SearchForm({"q": request.GET.get("q", ""), "sort": request.GET.get("sort", "")})
    if not form.is_valid():
        # Only a bad sort (or an over-long query) can fail here; fall back to the defaults.
        form = SearchForm({"q": request.GET.get("q", "")[:1000]})
        form.is_valid()
    q = form.cleaned_data.get("q", "")
    sort = form.cleaned_data.get("sort", "relevance")
    page = page_number(request)
    filterset = ArticleFilter(request.GET or None, queryset=Article.objects.all())
    cleaned = cleaned_filters(filterset)
    context: dict = {"form": form, "sorts": SORTS, "query": q, "sort": sort, "filterset": filterset}
    status = 200
    if not q:
        # No keyword: the same filters, listed by date (from the index when it is in step).
        counts, articles = get_search_backend().list_filtered(filterset.qs, cleaned,
                                                              "oldest" if sort == "oldest" else "newest")
        context.update(page=paginate(request, articles, PER_PAGE), browsing=True)
        context.update(filter_context(request, filterset, counts))
        return page_response(request, "search/search.html", context)
    try:
        parsed = parse_query(q)
        results = run_search(parsed, sort=sort, page=page, per_page=PER_PAGE, filter_query=filter_query(cleaned))
    except QueryError as error:
        context["error"] = str(error)
    except IndexUnavailable as error:
        context["error"] = f"{error} Search is unavailable until an administrator runs `manage.py rebuild_index`."
        status = 503
    else:
        # Paged as the lists are; past the last page (run_search answered with the last one),
        # an empty page that says so instead of showing the last page as page N.
        context.update(results=results, parsed=parsed, page=page_of(Paginator(results, PER_PAGE), page))
        context.update(filter_context(request, filterset, results.facets))
        if _worth_explaining(q, parsed.description):
            context["interpretation"] = parsed.description
        if results.total == 0:
            context["suggestion"] = suggest(q)
    return page_response(request, "search/search.html", context, status=status)


def _worth_explaining(q: str, description: str) -> bool:
    """Say how the query was read when it uses syntax, or when reading changed it."""
    plain = " AND ".join(q.lower().split())
    return description.lower() != plain and description != "everything"


def search_help(request: HttpRequest) -> HttpResponse:
    return TemplateResponse(request, "search/help.html", {})
