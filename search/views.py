"""The search page: validate the form and the filters, run the query service, render."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from archive.facets import list_filtered
from archive.filters import ArticleFilter
from archive.models import Article
from archive.views import cleaned_filters, filter_context, page_number, page_response, paginate, without_empty_fields
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
        counts, articles = list_filtered(filterset.qs, cleaned, "oldest" if sort == "oldest" else "newest")
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
        context.update(results=results, parsed=parsed)
        context.update(filter_context(request, filterset, results.facets))
        if page > results.num_pages:
            # run_search answered with the last page; say so instead of showing it as page N.
            context["past_end"] = {"number": page, "num_pages": results.num_pages}
            status = 404
        if _worth_explaining(q, parsed.description):
            context["interpretation"] = parsed.description
        if results.total == 0:
            context["suggestion"] = suggest(q)
    return TemplateResponse(request, "search/search.html", context, status=status)


def _worth_explaining(q: str, description: str) -> bool:
    """Say how the query was read when it uses syntax, or when reading changed it."""
    plain = " AND ".join(q.lower().split())
    return description.lower() != plain and description != "everything"


def search_help(request: HttpRequest) -> HttpResponse:
    return TemplateResponse(request, "search/help.html", {})
