"""GET /api/search/: the search page's service as JSON (query, filters, facets, highlights, exact total)."""

from __future__ import annotations

from django import forms
from django.core.paginator import Paginator
from django.db.models import Prefetch, prefetch_related_objects
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from archive.api.schema import ErrorSerializer
from archive.api.serializers import ArticleSerializer
from archive.facets import TOP_PER_KIND, TOP_SOURCES, TOP_TAGS, FacetCounts
from archive.filters import ArticleFilter
from archive.models import Article, Entity, Mention, Source, Tag
from search.explain import query_notes, readable
from search.filters import filter_query
from search.index import IndexUnavailable
from search.query import QueryError, parse_query
from search.service import SORTS, run_search

# The search page's finishing of the highlights lives in its view module; the API applies
# the same function so both show the same marks (it would sit better in a service module).
from search.views import _mark_what_was_asked as mark_what_was_asked  # noqa: E402

MAX_PAGE_SIZE = 100


class SearchParams(forms.Form):
    q = forms.CharField(required=False, max_length=1000, strip=True)
    sort = forms.ChoiceField(choices=list(SORTS.items()), required=False)
    page = forms.IntegerField(required=False, min_value=1, max_value=100_000)
    page_size = forms.IntegerField(required=False, min_value=1, max_value=MAX_PAGE_SIZE)


class HitSerializer(serializers.Serializer):
    article = ArticleSerializer()
    score = serializers.FloatField()
    title_html = serializers.CharField(help_text="The title, HTML-escaped, with matched words in <mark>.")
    snippet_html = serializers.CharField(help_text="A passage around the matches, HTML-escaped, words in <mark>.")


class FacetValueSerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()
    count = serializers.IntegerField()


class YearCountSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    count = serializers.IntegerField()


class FacetsSerializer(serializers.Serializer):
    sources = FacetValueSerializer(many=True)
    tags = FacetValueSerializer(many=True)
    entities = serializers.DictField(child=FacetValueSerializer(many=True), help_text="Top entities by kind.")
    years = YearCountSerializer(many=True)


class SearchResultsSerializer(serializers.Serializer):
    query = serializers.CharField()
    interpretation = serializers.CharField(help_text="How the query was read.")
    notes = serializers.ListField(child=serializers.CharField())
    total = serializers.IntegerField(help_text="Exact number of matching articles.")
    page = serializers.IntegerField()
    page_size = serializers.IntegerField()
    num_pages = serializers.IntegerField()
    results = HitSerializer(many=True)
    facets = FacetsSerializer()


def _facets(counts: FacetCounts) -> dict:
    def named(model, counter, top: int) -> list[dict]:
        pairs = counter.most_common(top)
        objects = model.objects.in_bulk([object_id for object_id, _ in pairs])
        return [
            {"slug": objects[object_id].slug, "name": objects[object_id].name, "count": n}
            for object_id, n in pairs
            if object_id in objects
        ]

    return {
        "sources": named(Source, counts.sources, TOP_SOURCES),
        "tags": named(Tag, counts.tags, TOP_TAGS),
        "entities": {kind: named(Entity, counter, TOP_PER_KIND) for kind, counter in counts.entities.items()},
        "years": [{"year": year, "count": n} for year, n in sorted(counts.years.items())],
    }


class SearchView(APIView):
    """Search the archive: the same query syntax, filters and ranking as the search page.

    Without ``q``, every article the filters allow, newest first. A query that cannot be
    read, or a bad filter value, answers 400 with the message the search page shows.
    """

    @extend_schema(
        parameters=[
            OpenApiParameter("q", str, description="The query, as typed in the search box (see /search/help/)."),
            OpenApiParameter("sort", str, enum=list(SORTS)),
            OpenApiParameter("page", int),
            OpenApiParameter("page_size", int, description=f"1 to {MAX_PAGE_SIZE}; 20 by default."),
            *[
                OpenApiParameter(name, str, many=name in ("source", "entity", "tag", "place"))
                for name in ArticleFilter.base_filters
            ],
        ],
        responses={200: SearchResultsSerializer, 503: ErrorSerializer},
    )
    def get(self, request: Request) -> Response:
        params = SearchParams(request.query_params)
        if not params.is_valid():
            return Response(_errors(params.errors), status=status.HTTP_400_BAD_REQUEST)
        filterset = ArticleFilter(request.query_params, queryset=Article.objects.all())
        if not filterset.form.is_valid():
            return Response(_errors(filterset.form.errors), status=status.HTTP_400_BAD_REQUEST)
        q = params.cleaned_data["q"]
        sort = params.cleaned_data["sort"] or ("relevance" if q else "newest")
        page_size = params.cleaned_data["page_size"] or 20
        try:
            parsed = parse_query(q) if q else None
            results = run_search(
                parsed,
                sort=sort,
                page=params.cleaned_data["page"] or 1,
                per_page=page_size,
                filter_query=filter_query(filterset.form.cleaned_data),
            )
        except QueryError as error:
            return Response({"detail": str(error)}, status=status.HTTP_400_BAD_REQUEST)
        except IndexUnavailable as error:
            return Response({"detail": str(error)}, status=status.HTTP_503_SERVICE_UNAVAILABLE)
        if parsed:
            # Phrases marked whole, the sentence naming an asked-for entity: as the page does.
            mark_what_was_asked(results, parsed)
        prefetch_related_objects(
            [hit.article for hit in results.hits],
            "tags",
            Prefetch("mentions", queryset=Mention.objects.select_related("entity")),
        )
        data = {
            "query": q,
            "interpretation": readable(parsed.shown) if parsed else "",
            "notes": parsed.notes + query_notes(q) if parsed else [],
            "total": results.total,
            "page": results.page,
            "page_size": page_size,
            "num_pages": Paginator(results, page_size).num_pages,
            "results": [
                {"article": hit.article, "score": hit.score, "title_html": hit.title_html,
                 "snippet_html": hit.snippet_html}
                for hit in results.hits
            ],
            "facets": _facets(results.facets),
        }
        return Response(SearchResultsSerializer(data, context={"request": request}).data)


def _errors(errors) -> dict:
    """Form errors as one readable message plus the errors by field."""
    messages = [f"{field}: {message}" if field != "__all__" else message
                for field, field_errors in errors.items() for message in field_errors]
    return {"detail": " ".join(messages), "errors": errors}
