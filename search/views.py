"""The search page: parse the form, run the query service, render."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from search.forms import SearchForm
from search.index import IndexUnavailable
from search.query import SORTS, QueryError, parse_query, run_search, suggest

PER_PAGE = 20


def search(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET)
    context: dict = {"form": form, "sorts": SORTS, "query": "", "sort": "relevance"}
    if not form.is_valid():
        # Only a bad page or sort can fail here; fall back to their defaults.
        form = SearchForm({"q": request.GET.get("q", "")[:1000]})
        form.is_valid()
        context["form"] = form
    q = form.cleaned_data.get("q", "")
    sort = form.cleaned_data.get("sort", "relevance")
    context.update(query=q, sort=sort)
    if not q:
        return TemplateResponse(request, "search/search.html", context)
    status = 200
    try:
        parsed = parse_query(q)
        results = run_search(parsed, sort=sort, page=form.cleaned_data.get("page", 1), per_page=PER_PAGE)
    except QueryError as error:
        context["error"] = str(error)
        status = 200
    except IndexUnavailable as error:
        context["error"] = f"{error} Search is unavailable until an administrator runs `manage.py rebuild_index`."
        status = 503
    else:
        context.update(results=results, parsed=parsed)
        description = parsed.description
        if _worth_explaining(q, description):
            context["interpretation"] = description
        if results.total == 0:
            context["suggestion"] = suggest(q)
    return TemplateResponse(request, "search/search.html", context, status=status)


def _worth_explaining(q: str, description: str) -> bool:
    """Say how the query was read when it uses syntax, or when reading changed it."""
    plain = " AND ".join(q.lower().split())
    return description.lower() != plain and description != "everything"


def search_help(request: HttpRequest) -> HttpResponse:
    return TemplateResponse(request, "search/help.html", {})
