"""Browse pages: thin views over the models' QuerySet methods."""

from __future__ import annotations

import calendar
import datetime as dt
from collections import Counter
from dataclasses import replace
from itertools import groupby

from django.db.models import Count
from django.db.models.functions import ExtractMonth
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse

from archive.facets import timeline, undated_url
from archive.filters import ArticleFilter
from archive.listing import cleaned_filters, filter_context, page_response, paginate, without_empty_fields
from archive.models import KIND_PLURALS, Alias, Article, Entity, EntityKind, FormerSlug, Mention, Source, Tag
from archive.place_lists import articles_about, attach_parents, listed_entity_count, places_in_use
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
    attach_parents(entity for _, _, listed in top_entities for entity in listed)
    context = {
        "latest": Article.objects.newest_first().for_listing()[:10],
        "counts": {
            "articles": Article.objects.count(),
            "entities": listed_entity_count(),
            "sources": Source.objects.count(),
            "tags": Tag.objects.count(),
        },
        "top_entities": [group for group in top_entities if group[2]],
        "years": sorted(counts.years.items(), reverse=True),
        "undated": counts.undated,
        "undated_url": _undated_list_url(),
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
        .select_related("entity", "entity__parent")
        .order_by("entity__kind", "-count", "entity__name")
    )
    by_kind = {kind: [] for kind in EntityKind.values}
    for mention in mentions:
        by_kind[mention.entity.kind].append(mention)
    groups = [(KIND_PLURALS[kind], items) for kind, items in by_kind.items() if items]
    context = {"article": article, "mention_groups": groups, "related": get_search_backend().related(article)}
    return TemplateResponse(request, "archive/article_detail.html", context)


def entity_index(request: HttpRequest) -> HttpResponse:
    counts = dict(Entity.objects.exclude(kind=EntityKind.PLACE).values_list("kind").annotate(n=Count("id")))
    counts[EntityKind.PLACE] = len(places_in_use())
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
    top = sorted(entities.values(), key=lambda e: (-e.article_count, e.name))[:limit]
    attach_parents(top)
    return top


def _letter(name: str) -> str:
    first = fold(name[:1]).upper()
    return first if first.isalpha() else "#"


def entity_kind(request: HttpRequest, kind: str) -> HttpResponse:
    if kind not in EntityKind.values:
        raise Http404("No such kind of entity.")
    mentioned = get_search_backend().count_facets(Article.objects.all(), {}).entities[kind]
    entities = Entity.objects.of_kind(kind)
    inside: dict[int, int] = {}
    if kind == EntityKind.PLACE:
        # Only the places some article names, or that hold one: not the whole gazetteer.
        inside = places_in_use()
        entities = entities.filter(id__in=list(inside)).select_related("parent").only(
            "id", "name", "slug", "kind", "parent__id", "parent__name", "parent__place_type"
        )
    else:
        entities = entities.only("id", "name", "slug", "kind")
    entities = sorted(entities, key=lambda e: fold(e.name))
    # Aliases in one query, joined here: a page may list thousands of entities.
    aliases: dict[int, list[str]] = {}
    if kind == EntityKind.PLACE:
        alias_rows = Alias.objects.filter(entity_id__in=[entity.id for entity in entities])
    else:
        alias_rows = Alias.objects.filter(entity__kind=kind)
    for entity_id, name in alias_rows.order_by("name").values_list("entity_id", "name"):
        aliases.setdefault(entity_id, []).append(name)
    for entity in entities:
        entity.article_count = mentioned.get(entity.id, 0)
        entity.alias_names = ", ".join(aliases.get(entity.id, ()))
        entity.places_inside = inside.get(entity.id, 0)
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
    """An entity's profile: names, mentions over time, who and what comes up with it, latest articles.

    A place's articles include those of the places inside it (Almaty's are Kazakhstan's too),
    as filtering by the place does; each of those says which place inside it names.
    """
    entity = Entity.objects.prefetch_related("aliases").select_related("parent").filter(slug=slug).first()
    if entity is None:
        return _moved(request, slug=slug, field="entity")
    inside = set(Entity.objects.with_places_inside(entity)) - {entity.pk}
    # The list, the timeline and the co-mentions all come from "articles naming this
    # entity": from the index when it is in step, else from the database.
    backend = get_search_backend()
    counts, articles = backend.list_filtered(articles_about(entity, inside), {"entity": [entity]})
    page = paginate(request, articles)
    filter_params = QueryDict(mutable=True)
    filter_params["entity"] = entity.slug
    chart = timeline(counts, filter_params)
    if chart:
        # Bars open the article list narrowed to the entity and the period.
        article_list = reverse("archive:article_list")
        chart.bars = [replace(bar, url=article_list + bar.url) for bar in chart.bars]
        chart.undated_url = article_list + chart.undated_url
    # Places inside are listed as such, not as company the place keeps.
    elsewhere = replace(counts, entities={
        kind: Counter({other: n for other, n in by_kind.items() if other not in inside})
        for kind, by_kind in counts.entities.items()
    })
    co = co_mentioned(entity, elsewhere)
    attach_parents(item.entity for item in co)
    context = {
        "entity": entity,
        "page": page,
        "timeline": chart,
        "total": counts.total,
        "named_itself": Article.objects.mentioning(entity).count() if inside else counts.total,
        "co_mentioned": co,
        "places_inside": _places_inside(counts, inside),
        "through": _through_places_inside(page.object_list, entity, inside),
        "sentences": mention_sentences(entity, page.object_list),
    }
    return page_response(request, "archive/entity_detail.html", context)


def _places_inside(counts, inside: set[int], limit: int = 12) -> list[Entity]:
    """The places inside a place that its articles name most, each with how many articles name it."""
    top = [(n, place_id) for place_id, n in counts.entities[EntityKind.PLACE].items() if place_id in inside]
    top = sorted(top, key=lambda item: (-item[0], item[1]))[:limit]
    places = Entity.objects.select_related("parent").in_bulk([place_id for _, place_id in top])
    listed = []
    for n, place_id in top:
        if place_id in places:
            places[place_id].article_count = n
            listed.append(places[place_id])
    return listed


def _through_places_inside(articles, entity: Entity, inside: set[int]) -> dict[int, list[Entity]]:
    """For the articles of a place's page that do not name it: the places inside it they name."""
    if not inside:
        return {}
    ids = [article.id for article in articles]
    mentions = Mention.objects.filter(article_id__in=ids, entity__kind=EntityKind.PLACE).select_related(
        "entity", "entity__parent").order_by("-count", "entity__name")
    naming_itself = {m.article_id for m in mentions if m.entity_id == entity.pk}
    through: dict[int, list[Entity]] = {}
    for mention in mentions:
        if mention.entity_id in inside and mention.article_id not in naming_itself:
            through.setdefault(mention.article_id, []).append(mention.entity)
    return through


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
    counts = get_search_backend().count_facets(Article.objects.all(), {})
    months = counts.months
    rows = [{"year": year, "month": month, "n": n} for (year, month), n in sorted(months.items(), key=_year_desc)]
    years = []
    for year, group in groupby(rows, key=lambda row: row["year"]):
        by_month = {row["month"]: row["n"] for row in group}
        months = [(m, calendar.month_abbr[m], by_month.get(m, 0)) for m in range(1, 13)]
        years.append((year, sum(by_month.values()), months))
    context = {"years": years, "undated": counts.undated, "undated_url": _undated_list_url()}
    return TemplateResponse(request, "archive/date_archive.html", context)


def _undated_list_url() -> str:
    return reverse("archive:article_list") + undated_url(QueryDict())


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
