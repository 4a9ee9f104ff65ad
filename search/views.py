"""The search page: validate the form and the filters, run the query service, render."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.safestring import mark_safe

from archive.filters import ArticleFilter, query_string
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
from search.explain import (
    entity_words,
    operator_suggestion,
    query_notes,
    readable,
    worth_explaining,
)
from search.filters import filter_query
from search.forms import SearchForm
from search.index import IndexUnavailable
from search.query import ParsedQuery, QueryError, parse_query
from search.service import SORTS, SearchResults, run_search
from search.snippets import entity_sentences
from search.suggest import suggest

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
        reading = readable(parsed.shown)
        if worth_explaining(q, reading):
            context["interpretation"] = reading
        context["notes"] = parsed.notes + query_notes(q)
        if fixed := operator_suggestion(q):
            context["operator_suggestion"] = fixed
            context["operator_suggestion_url"] = query_string(request.GET, drop=("q",), add={"q": fixed})
        _mark_what_was_asked(results, parsed)
        if results.total == 0:
            context["suggestion"] = suggest(q)
    return page_response(request, "search/search.html", context, status=status)


def _mark_what_was_asked(results: SearchResults, parsed: ParsedQuery) -> None:
    """A query by entity shows the sentence that names the entity instead of the lead paragraph
    (phrases and words are marked by the search service)."""
    asked = entity_words(parsed.query)
    if not asked:
        return
    sentences = entity_sentences([hit.article for hit in results.hits], asked)
    for hit in results.hits:
        if hit.article.id in sentences and "<mark>" not in hit.snippet_html:
            hit.snippet_html = mark_safe(sentences[hit.article.id])


def search_help(request: HttpRequest) -> HttpResponse:
    return TemplateResponse(request, "search/help.html", {})
