"""Read-only endpoints over the archive's models; article lists use the pages' own FilterSet."""

from __future__ import annotations

import datetime as dt

import django_filters
from django.db.models import Count, DateField, Prefetch, Q, Value
from django.db.models.functions import Coalesce
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import viewsets

from archive.api.pagination import ByNameCursorPagination, NewestFirstCursorPagination
from archive.api.serializers import (
    ArticleDetailSerializer,
    ArticleSerializer,
    EntitySerializer,
    SourceSerializer,
    TagSerializer,
)
from archive.filters import ArticleFilter
from archive.models import Article, Entity, EntityKind, Mention, Source, Tag

SLUG = "[-a-zA-Z0-9_]+"  # what archive.text.unique_slug makes, and Django's slug converter


class _ArticleCounts:
    """Adds ``article_count`` to the objects of the page being shown only: counting for
    every row of a large table to show 25 of them would cost a scan per request."""

    def count_articles(self, ids: list[int]) -> dict[int, int]:
        raise NotImplementedError

    def get_serializer(self, *args, **kwargs):
        if args and args[0] is not None:
            items = list(args[0]) if kwargs.get("many") else [args[0]]
            counts = self.count_articles([item.pk for item in items])
            for item in items:
                item.article_count = counts.get(item.pk, 0)
        return super().get_serializer(*args, **kwargs)


class ArticleViewSet(viewsets.ReadOnlyModelViewSet):
    """Articles, newest first, narrowed by the same filters as the article list page."""

    queryset = Article.objects.select_related("source").prefetch_related(
        "tags", Prefetch("mentions", queryset=Mention.objects.select_related("entity"))
    )
    lookup_field = "slug"
    lookup_value_regex = SLUG
    filter_backends = [DjangoFilterBackend]
    filterset_class = ArticleFilter
    pagination_class = NewestFirstCursorPagination

    def get_queryset(self):
        undated = Value(dt.date(1, 1, 1), output_field=DateField())
        return super().get_queryset().annotate(date_key=Coalesce("published", undated))

    def get_serializer_class(self):
        return ArticleDetailSerializer if self.action == "retrieve" else ArticleSerializer


class EntityFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=EntityKind.choices)
    name = django_filters.CharFilter(
        field_name="name", lookup_expr="istartswith", max_length=200, label="Name starts with"
    )

    class Meta:
        model = Entity
        fields: list[str] = []


class EntityViewSet(_ArticleCounts, viewsets.ReadOnlyModelViewSet):
    """People, organisations, places, projects, events: with their aliases and article counts."""

    queryset = Entity.objects.prefetch_related("aliases")
    serializer_class = EntitySerializer
    lookup_field = "slug"
    lookup_value_regex = SLUG
    filter_backends = [DjangoFilterBackend]
    filterset_class = EntityFilter
    pagination_class = ByNameCursorPagination

    def get_queryset(self):
        queryset = super().get_queryset()
        if self.action == "list":
            # As the pages list them: the gazetteer's places only once an article names them
            # or a place inside them (archive.place_lists).
            from archive.place_lists import places_in_use

            queryset = queryset.filter(~Q(kind=EntityKind.PLACE) | Q(id__in=list(places_in_use())))
        return queryset

    def count_articles(self, ids: list[int]) -> dict[int, int]:
        rows = Mention.objects.filter(entity_id__in=ids).values("entity_id").annotate(n=Count("article_id"))
        return {row["entity_id"]: row["n"] for row in rows}


class SourceViewSet(_ArticleCounts, viewsets.ReadOnlyModelViewSet):
    queryset = Source.objects.all()
    serializer_class = SourceSerializer
    lookup_field = "slug"
    lookup_value_regex = SLUG
    pagination_class = ByNameCursorPagination

    def count_articles(self, ids: list[int]) -> dict[int, int]:
        rows = Article.objects.filter(source_id__in=ids).values("source_id").annotate(n=Count("id"))
        return {row["source_id"]: row["n"] for row in rows}


class TagViewSet(_ArticleCounts, viewsets.ReadOnlyModelViewSet):
    queryset = Tag.objects.all()
    serializer_class = TagSerializer
    lookup_field = "slug"
    lookup_value_regex = SLUG
    pagination_class = ByNameCursorPagination

    def count_articles(self, ids: list[int]) -> dict[int, int]:
        through = Article.tags.through
        rows = through.objects.filter(tag_id__in=ids).values("tag_id").annotate(n=Count("article_id"))
        return {row["tag_id"]: row["n"] for row in rows}
