"""Atom feeds of the newest articles of a list, an entity, a source or a tag (Django's syndication framework).

The page each feed follows names it in its head (``feed_and_export_links``), so feed
readers find it from the page's address. The search's own feed lives in search/feeds.py.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.http import urlencode

from archive.conditional import answer_if_changed
from archive.exports import FORMATS
from archive.filters import FILTER_NAMES, ArticleFilter, active_chips
from archive.models import Article, Entity, Source, Tag
from archive.place_lists import articles_about


def feed_size() -> int:
    return max(1, min(settings.FEED_ITEMS, 500))


class ArticleFeed(Feed):
    """The newest articles of something; subclasses say which and what it is called."""

    feed_type = Atom1Feed

    def items(self, obj) -> list[Article]:
        articles = self.articles(obj).newest_first().select_related("source").prefetch_related("tags")
        return list(articles[: feed_size()])

    def articles(self, obj) -> QuerySet[Article]:
        raise NotImplementedError

    def item_title(self, item: Article) -> str:
        return item.title

    def item_description(self, item: Article) -> str:
        return item.summary

    def __call__(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        response = super().__call__(request, *args, **kwargs)
        return answer_if_changed(request, response)

    def item_pubdate(self, item: Article) -> dt.datetime | None:
        # An undated story has no publication date; its entry still has its last edit ("updated").
        if item.published is None:
            return None
        return dt.datetime.combine(item.published, dt.time.min, tzinfo=dt.UTC)

    def item_updateddate(self, item: Article) -> dt.datetime:
        return item.updated

    def item_author_name(self, item: Article) -> str | None:
        return item.source.name if item.source else None

    def item_categories(self, item: Article) -> list[str]:
        return sorted(tag.name for tag in item.tags.all())


class ListFeed(ArticleFeed):
    """/articles/feed/?<filters>: the article list with the same filters."""

    def get_object(self, request: HttpRequest, *args, **kwargs) -> ArticleFilter:
        self.request = request
        return ArticleFilter(_filter_params(request), queryset=Article.objects.all())

    def articles(self, filterset: ArticleFilter) -> QuerySet[Article]:
        return filterset.qs

    def title(self, filterset: ArticleFilter) -> str:
        chips = [chip.label for chip in active_chips(filterset)] if filterset.is_bound else []
        return "Dossier: articles" + (f" ({'; '.join(chips)})" if chips else "")

    def link(self, filterset: ArticleFilter) -> str:
        return reverse("archive:article_list") + _query(self.request)

    def description(self, filterset: ArticleFilter) -> str:
        return "The newest articles in the archive that match these filters."


class EntityFeed(ArticleFeed):
    def get_object(self, request: HttpRequest, slug: str) -> Entity:
        return get_object_or_404(Entity, slug=slug)

    def articles(self, entity: Entity) -> QuerySet[Article]:
        return articles_about(entity)  # a place's feed has the stories of the places inside it, as its page

    def title(self, entity: Entity) -> str:
        return f"Dossier: {entity.name}"

    def link(self, entity: Entity) -> str:
        return entity.get_absolute_url()

    def description(self, entity: Entity) -> str:
        return f"The newest articles that mention {entity.name}."


class SourceFeed(ArticleFeed):
    def get_object(self, request: HttpRequest, slug: str) -> Source:
        return get_object_or_404(Source, slug=slug)

    def articles(self, source: Source) -> QuerySet[Article]:
        return source.articles.all()

    def title(self, source: Source) -> str:
        return f"Dossier: {source.name}"

    def link(self, source: Source) -> str:
        return reverse("archive:source_detail", args=[source.slug])

    def description(self, source: Source) -> str:
        return f"The newest articles from {source.name}."


class TagFeed(ArticleFeed):
    def get_object(self, request: HttpRequest, slug: str) -> Tag:
        return get_object_or_404(Tag, slug=slug)

    def articles(self, tag: Tag) -> QuerySet[Article]:
        return tag.articles.all()

    def title(self, tag: Tag) -> str:
        return f"Dossier: {tag.name}"

    def link(self, tag: Tag) -> str:
        return reverse("archive:tag_detail", args=[tag.slug])

    def description(self, tag: Tag) -> str:
        return f"The newest articles tagged {tag.name}."


def _filter_params(request: HttpRequest):
    params = request.GET.copy()
    for name in list(params):
        if name not in FILTER_NAMES:
            del params[name]
    return params or None


def _query(request: HttpRequest, keep=("q", "sort", *FILTER_NAMES)) -> str:
    pairs = [(name, value) for name in keep for value in request.GET.getlist(name)[:20]]
    return "?" + urlencode(pairs) if pairs else ""


# ---- Links in the pages ----------------------------------------------------------------------

def feed_and_export_links(request: HttpRequest) -> dict:
    """Context processor: the feed (for the head's autodiscovery link) and the exports of the page shown.

    Worked out from the page's URL name and parameters, so the views stay as they are.
    """
    match = getattr(request, "resolver_match", None)
    if match is None or match.namespace not in ("archive", "search"):
        return {}
    name, kwargs = match.url_name, match.kwargs
    feed = export = None
    title = "Dossier"
    if name == "article_list" or name == "home":
        feed = reverse("archive:article_feed") + (_query(request, FILTER_NAMES) if name == "article_list" else "")
        title = "Newest articles"
        if name == "article_list":
            export = (reverse("archive:article_export", args=["csv"])[: -len("csv")], _query(request))
    elif name == "search" and match.namespace == "search":
        feed = reverse("search:feed") + _query(request, ("q", *FILTER_NAMES))
        title = "Newest articles matching this search"
        export = (reverse("search:export", args=["csv"])[: -len("csv")], _query(request))
    elif name in ("entity_detail", "source_detail", "tag_detail") and "slug" in kwargs:
        kind = name.split("_")[0]
        feed = reverse(f"archive:{kind}_feed", args=[kwargs["slug"]])
        title = f"Newest articles of this {kind}"
        export = (reverse("archive:article_export", args=["csv"])[: -len("csv")],
                  "?" + urlencode({kind: kwargs["slug"]}))
    elif name in ("year_archive", "month_archive"):
        period = urlencode({key: kwargs[key] for key in ("year", "month") if key in kwargs})
        feed = reverse("archive:article_feed") + "?" + period
        title = "Newest articles of this period"
        export = (reverse("archive:article_export", args=["csv"])[: -len("csv")], "?" + period)
    links: dict = {}
    if feed:
        links["feed_link"] = {"url": feed, "title": title}
    if export:
        base, query = export
        links["export_links"] = [
            {"url": f"{base}{fmt}{query}", "label": label, "format": fmt}
            for fmt, label in (("csv", "CSV"), ("jsonl", "JSON Lines"), ("ris", "RIS (Zotero)"))
            if fmt in FORMATS
        ]
    return links
