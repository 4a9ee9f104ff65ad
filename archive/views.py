"""Browse pages: thin views over the models' QuerySet methods."""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import replace
from itertools import groupby

from django.db.models import Count
from django.db.models.functions import ExtractMonth
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse

from archive.facets import timeline
from archive.filters import ArticleFilter
from archive.listing import cleaned_filters, filter_context, page_response, paginate, without_empty_fields
from archive.models import KIND_PLURALS, Alias, Article, Entity, EntityKind, FormerSlug, Mention, Source, Tag
from archive.profiles import co_mentioned, mention_sentences
from archive.search_backend import get_search_backend
from archive.text import fold


def home(request: HttpRequest) -> HttpResponse:
    # Facet counts over the whole archive (from the index when it is in step) give the
    # most mentioned entities of every kind at once.
    counts = get_search_backend().count_facets(Article.objects.all(), {})
    top_entities = []
    for kind in EntityKind.values:
        top = counts.entities[kind].most_common(6)
        entities = Entity.objects.in_bulk([entity_id for entity_id, _ in top])
        listed = []
        for entity_id, n in top:
            if entity_id in entities:
                entities[entity_id].article_count = n
                listed.append(entities[entity_id])
        top_entities.append((EntityKind(kind), KIND_PLURALS[kind], listed))
    context = {
        "latest": Article.objects.newest_first().for_listing()[:10],
        "counts": {
            "articles": Article.objects.count(),
            "entities": Entity.objects.count(),
            "sources": Source.objects.count(),
            "tags": Tag.objects.count(),
        },
        "top_entities": [group for group in top_entities if group[2]],
        "years": sorted(counts.years.items(), reverse=True),
    }
    return TemplateResponse(request, "archive/home.html", context)


BROWSE_SORTS = {"newest": "Newest first", "oldest": "Oldest first"}


def article_list(request: HttpRequest) -> HttpResponse:
    """Every article, narrowed by the filters in the URL, with facets and a timeline."""
    if redirect_to := without_empty_fields(request):
        return redirect_to
    filterset = ArticleFilter(request.GET or None, queryset=Article.objects.all())
    sort = request.GET.get("sort") if request.GET.get("sort") in BROWSE_SORTS else "newest"
    counts, articles = get_search_backend().list_filtered(filterset.qs, cleaned_filters(filterset), sort)
    page = paginate(request, articles)
    context = {
        "page": page,
        "filterset": filterset,
        "sort": sort,
        "sorts": BROWSE_SORTS,
        **filter_context(request, filterset, counts),
    }
    # The page is named by the filters in force, so a bookmark or a tab says what it holds.
    chips = context["chips"]
    context["heading"] = "Articles — " + ", ".join(chip.label for chip in chips) if chips else "All articles"
    return page_response(request, "archive/article_list.html", context)


def _moved(request: HttpRequest, *, slug: str, field: str) -> HttpResponse:
    """An address that used to be an article's or entity's leads to where it is now; else the 404."""
    former = FormerSlug.objects.filter(**{f"{field}__isnull": False, "slug": slug}).select_related(field).first()
    if former is None:
        raise Http404(f"No {field} at this address.")
    target = getattr(former, field).get_absolute_url()
    query = request.META.get("QUERY_STRING", "")
    return redirect(target + (f"?{query}" if query else ""), permanent=True)


def article_detail(request: HttpRequest, slug: str) -> HttpResponse:
    article = Article.objects.select_related("source").prefetch_related("tags").filter(slug=slug).first()
    if article is None:
        return _moved(request, slug=slug, field="article")
    mentions = (
        Mention.objects.filter(article=article)
        .select_related("entity")
        .order_by("entity__kind", "-count", "entity__name")
    )
    by_kind = {kind: [] for kind in EntityKind.values}
    for mention in mentions:
        by_kind[mention.entity.kind].append(mention)
    groups = [(KIND_PLURALS[kind], items) for kind, items in by_kind.items() if items]
    context = {"article": article, "mention_groups": groups, "related": get_search_backend().related(article)}
    return TemplateResponse(request, "archive/article_detail.html", context)


def entity_index(request: HttpRequest) -> HttpResponse:
    counts = dict(Entity.objects.values_list("kind").annotate(n=Count("id")))
    kinds = [(kind, KIND_PLURALS[kind], counts.get(kind, 0)) for kind in EntityKind.values]
    return TemplateResponse(request, "archive/entity_index.html", {"kinds": kinds, "top": _most_mentioned(30)})


def _most_mentioned(limit: int) -> list[Entity]:
    """The entities in the most articles (ties by name), counted by the index when it is in step."""
    counts = get_search_backend().count_facets(Article.objects.all(), {})
    found = sorted(((n, entity_id) for by_kind in counts.entities.values() for entity_id, n in by_kind.items()),
                   reverse=True)
    if not found:
        return []
    # Everything tied with the last place is fetched, so the names can break the tie.
    least = found[min(limit, len(found)) - 1][0]
    entities = Entity.objects.in_bulk([entity_id for n, entity_id in found if n >= least])
    for n, entity_id in found:
        if entity_id in entities:
            entities[entity_id].article_count = n
    return sorted(entities.values(), key=lambda e: (-e.article_count, e.name))[:limit]


def _letter(name: str) -> str:
    first = fold(name[:1]).upper()
    return first if first.isalpha() else "#"


def entity_kind(request: HttpRequest, kind: str) -> HttpResponse:
    if kind not in EntityKind.values:
        raise Http404("No such kind of entity.")
    mentioned = get_search_backend().count_facets(Article.objects.all(), {}).entities[kind]
    # Aliases in one query, joined here: a page may list thousands of entities.
    aliases: dict[int, list[str]] = {}
    for entity_id, name in Alias.objects.filter(entity__kind=kind).order_by("name").values_list("entity_id", "name"):
        aliases.setdefault(entity_id, []).append(name)
    entities = sorted(Entity.objects.of_kind(kind).only("id", "name", "slug", "kind"), key=lambda e: fold(e.name))
    for entity in entities:
        entity.article_count = mentioned.get(entity.id, 0)
        entity.alias_names = ", ".join(aliases.get(entity.id, ()))
    letters = [(letter, list(group)) for letter, group in groupby(entities, key=lambda e: _letter(e.name))]
    context = {
        "kind": kind,
        "kind_label": KIND_PLURALS[kind],
        "letters": letters,
        "total": len(entities),
        "kinds": [(k, KIND_PLURALS[k]) for k in EntityKind.values],
    }
    return TemplateResponse(request, "archive/entity_kind.html", context)


def entity_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """An entity's profile: names, mentions over time, who and what comes up with it, latest articles."""
    entity = Entity.objects.prefetch_related("aliases").filter(slug=slug).first()
    if entity is None:
        return _moved(request, slug=slug, field="entity")
    # The list, the timeline and the co-mentions all come from "articles naming this
    # entity": from the index when it is in step, else from the database.
    backend = get_search_backend()
    counts, articles = backend.list_filtered(Article.objects.mentioning(entity), {"entity": [entity]})
    page = paginate(request, articles)
    filter_params = QueryDict(mutable=True)
    filter_params["entity"] = entity.slug
    chart = timeline(counts, filter_params)
    if chart:
        # Bars open the article list narrowed to the entity and the period.
        chart.bars = [replace(bar, url=reverse("archive:article_list") + bar.url) for bar in chart.bars]
    context = {
        "entity": entity,
        "page": page,
        "timeline": chart,
        "total": counts.total,
        "co_mentioned": co_mentioned(entity, counts),
        "sentences": mention_sentences(entity, page.object_list),
    }
    return page_response(request, "archive/entity_detail.html", context)


def source_list(request: HttpRequest) -> HttpResponse:
    sources = Source.objects.annotate(article_count=Count("articles")).order_by("name")
    return TemplateResponse(request, "archive/source_list.html", {"sources": sources})


def source_detail(request: HttpRequest, slug: str) -> HttpResponse:
    source = get_object_or_404(Source, slug=slug)
    page = paginate(request, source.articles.newest_first().for_listing())
    return page_response(request, "archive/source_detail.html", {"source": source, "page": page})


def tag_list(request: HttpRequest) -> HttpResponse:
    counts = get_search_backend().count_facets(Article.objects.all(), {})
    tags = list(Tag.objects.order_by("name"))
    for tag in tags:
        tag.article_count = counts.tags.get(tag.id, 0)
    return TemplateResponse(request, "archive/tag_list.html", {"tags": tags})


def tag_detail(request: HttpRequest, slug: str) -> HttpResponse:
    tag = get_object_or_404(Tag, slug=slug)
    page = paginate(request, tag.articles.newest_first().for_listing())
    return page_response(request, "archive/tag_detail.html", {"tag": tag, "page": page})


def date_archive(request: HttpRequest) -> HttpResponse:
    # Articles per month: from the index when it is in step, else from the database.
    months = get_search_backend().count_facets(Article.objects.all(), {}).months
    rows = [{"year": year, "month": month, "n": n} for (year, month), n in sorted(months.items(), key=_year_desc)]
    years = []
    for year, group in groupby(rows, key=lambda row: row["year"]):
        by_month = {row["month"]: row["n"] for row in group}
        months = [(m, calendar.month_abbr[m], by_month.get(m, 0)) for m in range(1, 13)]
        years.append((year, sum(by_month.values()), months))
    return TemplateResponse(request, "archive/date_archive.html", {"years": years})


def _year_desc(item) -> tuple[int, int]:
    (year, month), _ = item
    return -year, month


def year_archive(request: HttpRequest, year: int) -> HttpResponse:
    if not 1 <= year <= 9999:
        raise Http404("No such year.")
    articles = Article.objects.filter(published__year=year)
    if not articles.exists():
        raise Http404("No articles from that year.")
    by_month = dict(
        articles.annotate(month=ExtractMonth("published")).values_list("month").annotate(n=Count("id"))
    )
    months = [(m, calendar.month_name[m], by_month.get(m, 0)) for m in range(1, 13)]
    page = paginate(request, articles.newest_first().for_listing())
    context = {"year": year, "months": months, "page": page, "total": sum(by_month.values())}
    return page_response(request, "archive/year_archive.html", context)


def month_archive(request: HttpRequest, year: int, month: int) -> HttpResponse:
    if not (1 <= year <= 9999 and 1 <= month <= 12):
        raise Http404("No such month.")
    articles = Article.objects.in_month(year, month)
    page = paginate(request, articles.newest_first().for_listing())
    first_day = dt.date(year, month, 1)
    context = {
        "year": year,
        "month": month,
        "month_start": first_day,
        "page": page,
        "previous": _neighbour_month(year, month, before=True),
        "next": _neighbour_month(year, month, before=False),
    }
    return page_response(request, "archive/month_archive.html", context)


def _neighbour_month(year: int, month: int, *, before: bool) -> dt.date | None:
    first_day = dt.date(year, month, 1)
    if before:
        article = Article.objects.filter(published__lt=first_day).order_by("-published").first()
    else:
        last_day = dt.date(year, month, calendar.monthrange(year, month)[1])
        article = Article.objects.filter(published__gt=last_day).order_by("published").first()
    return article.published.replace(day=1) if article else None
