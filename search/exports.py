"""Export a search as the user sees it: the same query, filters and order, every match up to the cap.

Without a keyword the search page lists by date like the article list, and so does its export.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from whoosh import query as wq

from archive.exports import FORMATS, database_id_chunks, export_limit, export_response
from archive.filters import ArticleFilter
from archive.listing import cleaned_filters
from archive.models import Article
from search.engine import Evaluator, rank, snapshot
from search.filters import filter_query
from search.forms import SearchForm
from search.index import IndexUnavailable, index_dir, searcher
from search.query import QueryError, parse_query


def ranked_ids(query: wq.Query, *, filters: wq.Query | None, sort: str, limit: int) -> list[int]:
    """Article ids of the matches in the page's order, the first ``limit`` of them.

    Read in one go under the searcher: the ranking is over document numbers, which a
    later commit to the index would change. At the cap of 100,000 that is one int each.
    """
    with searcher() as s:
        snap = snapshot(s, str(index_dir()))
        matches = Evaluator(snap).run(query)
        if filters is not None:
            matches.mask &= Evaluator(snap, scored=False).run(filters).mask
        ranked = rank(snap, matches, sort=sort, start=0, stop=limit)
        return [int(s.stored_fields(docnum)["id"]) for docnum, _ in ranked]


def search_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """/search/export.<fmt>?q=…&<filters>&sort=…"""
    from archive.exports import chunked

    if fmt not in FORMATS:
        return HttpResponse("No such export format.", status=404, content_type="text/plain; charset=utf-8")
    form = SearchForm(request.GET)
    if not form.is_valid():
        form = SearchForm({"q": request.GET.get("q", "")[:1000]})
        form.is_valid()
    q = form.cleaned_data.get("q", "")
    sort = form.cleaned_data.get("sort", "relevance")
    filterset = ArticleFilter(request.GET or None, queryset=Article.objects.all())
    limit = export_limit()
    if not q:
        chunks = database_id_chunks(filterset.qs, sort="oldest" if sort == "oldest" else "newest", limit=limit)
        return export_response(request=request, fmt=fmt, id_chunks=chunks, filename="dossier-search")
    try:
        ids = ranked_ids(parse_query(q).query, filters=filter_query(cleaned_filters(filterset)), sort=sort,
                         limit=limit)
    except QueryError as error:
        return HttpResponse(f"The query could not be read: {error}", status=400,
                            content_type="text/plain; charset=utf-8")
    except IndexUnavailable as error:
        return HttpResponse(f"{error} Search is unavailable until an administrator runs rebuild_index.",
                            status=503, content_type="text/plain; charset=utf-8")
    return export_response(request=request, fmt=fmt, id_chunks=chunked(ids), filename="dossier-search")
