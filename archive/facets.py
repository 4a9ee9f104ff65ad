"""Facet counts (entities, sources, tags, years) and the timeline, for a set of articles.

``FacetCounts`` holds plain ids and numbers, so the database listing and the search
index can both fill it; ``facet_display`` turns it into what the page shows.
"""

from __future__ import annotations

import calendar
from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Count, QuerySet
from django.db.models.functions import ExtractMonth, ExtractYear
from django.http import QueryDict

from archive.filters import UNDATED_ONLY, query_adder, query_string
from archive.models import KIND_PLURALS, Article, Entity, EntityKind, Mention, Source, Tag
from archive.place_lists import attach_parents, place_label

TOP_PER_KIND = 8
TOP_SOURCES = 12
TOP_TAGS = 15
DATE_FILTERS = ("year", "month", "date_from", "date_to")
LABEL_FIELDS = ("id", "kind", "name", "slug", "parent_id", "place_type")
ENTITY_KINDS = tuple(EntityKind.values)  # EntityKind.values makes its list anew at each use


@dataclass
class FacetCounts:
    total: int = 0
    sources: Counter[int] = field(default_factory=Counter)
    tags: Counter[int] = field(default_factory=Counter)
    entities: dict[str, Counter[int]] = field(default_factory=lambda: {k: Counter() for k in ENTITY_KINDS})
    months: Counter[tuple[int, int]] = field(default_factory=Counter)

    @property
    def undated(self) -> int:
        """Articles without a date: counted in the total, in no month."""
        return max(self.total - sum(self.months.values()), 0)

    @property
    def years(self) -> Counter[int]:
        years: Counter[int] = Counter()
        for (year, _), n in self.months.items():
            years[year] += n
        return years


def count_facets(articles: QuerySet[Article]) -> FacetCounts:
    """Exact counts over the given (filtered) articles, from the database."""
    ids = articles.order_by().values("id")
    counts = FacetCounts(total=articles.count())
    rows = articles.order_by().values("source_id").annotate(n=Count("id", distinct=True))
    counts.sources = Counter({row["source_id"]: row["n"] for row in rows if row["source_id"]})
    rows = Article.tags.through.objects.filter(article_id__in=ids).values("tag_id").annotate(n=Count("id"))
    counts.tags = Counter({row["tag_id"]: row["n"] for row in rows})
    rows = (
        Mention.objects.filter(article_id__in=ids)
        .values("entity_id", "entity__kind")
        .annotate(n=Count("article_id", distinct=True))
    )
    for row in rows:
        counts.entities[row["entity__kind"]][row["entity_id"]] = row["n"]
    counts.months = month_counts(Article.objects.filter(id__in=ids))
    return counts


def month_counts(articles: QuerySet[Article]) -> Counter[tuple[int, int]]:
    """Articles per (year, month)."""
    rows = (
        articles.order_by()
        .filter(published__isnull=False)
        .annotate(y=ExtractYear("published"), m=ExtractMonth("published"))
        .values("y", "m")
        .annotate(n=Count("id", distinct=True))
    )
    return Counter({(row["y"], row["m"]): row["n"] for row in rows})


@dataclass(frozen=True)
class FacetItem:
    label: str
    count: int
    add_url: str
    active: bool = False


@dataclass
class FacetGroup:
    title: str
    param: str
    items: list[FacetItem]
    note: str = ""  # shown under the items, such as "12 undated"
    note_url: str = ""  # where the note leads: the same list narrowed to those articles


def facet_display(counts: FacetCounts, params: QueryDict) -> list[FacetGroup]:
    """Facet groups with links that add each value as a filter (top values first)."""
    groups: list[FacetGroup] = []
    add = query_adder(params)
    active_entities = set(params.getlist("entity"))
    tops = {kind: counts.entities[kind].most_common(TOP_PER_KIND) for kind in EntityKind.values}
    # Only what a label and a link need: descriptions and the rest stay in the database.
    entities = Entity.objects.only(*LABEL_FIELDS).in_bulk([entity_id for top in tops.values() for entity_id, _ in top])
    attach_parents(entities.values())
    for kind, top in tops.items():
        if not top:
            continue
        items = [
            FacetItem(place_label(entities[eid]), n, add("entity", entities[eid].slug),
                      entities[eid].slug in active_entities)
            for eid, n in top
            if eid in entities
        ]
        groups.append(FacetGroup(KIND_PLURALS[kind], "entity", items))
    top_sources = counts.sources.most_common(TOP_SOURCES)
    sources = Source.objects.only("id", "name", "slug").in_bulk([sid for sid, _ in top_sources])
    active_sources = set(params.getlist("source"))
    items = [
        FacetItem(sources[sid].name, n, add("source", sources[sid].slug),
                  sources[sid].slug in active_sources)
        for sid, n in top_sources
        if sid in sources
    ]
    if items:
        groups.append(FacetGroup("Sources", "source", items))
    top_tags = counts.tags.most_common(TOP_TAGS)
    tags = Tag.objects.only("id", "name", "slug").in_bulk([tid for tid, _ in top_tags])
    active_tags = set(params.getlist("tag"))
    items = [
        FacetItem(tags[tid].name, n, add("tag", tags[tid].slug), tags[tid].slug in active_tags)
        for tid, n in top_tags
        if tid in tags
    ]
    if items:
        groups.append(FacetGroup("Tags", "tag", items))
    years = sorted(counts.years.items(), reverse=True)
    if years or counts.undated:
        active_year = params.get("year", "")
        add_year = query_adder(params, drop=("year", "month", "undated"))
        items = [
            FacetItem(str(year), n, add_year("year", str(year)),
                      str(year) == active_year)
            for year, n in years
        ]
        group = FacetGroup("Years", "year", items)
        if counts.undated:
            group.note, group.note_url = f"{counts.undated:,} undated", undated_url(params)
        groups.append(group)
    return groups


@dataclass(frozen=True)
class Bar:
    label: str  # "March 2024" or "2024"
    count: int
    url: str
    x: float
    y: float
    width: float
    height: float


@dataclass
class Timeline:
    bars: list[Bar]
    by_year: bool
    max_count: int
    first_label: str
    last_label: str
    width: int = 720
    height: int = 120
    undated: int = 0  # articles the chart cannot place, said beside it
    undated_url: str = ""  # the same list narrowed to them

    @property
    def total(self) -> int:
        return sum(bar.count for bar in self.bars)


def timeline(counts: FacetCounts, params: QueryDict, *, max_months: int = 48) -> Timeline | None:
    """Articles per month (per year when the span is longer than ``max_months``), as SVG bars.

    Months without articles get an empty slot, so the gaps are visible; each bar
    links to the same query narrowed to its period.
    """
    if not counts.months:
        return None
    first = min(counts.months)
    last = max(counts.months)
    span = (last[0] - first[0]) * 12 + last[1] - first[1] + 1
    by_year = span > max_months
    if by_year:
        years = counts.years
        slots = [((year,), years.get(year, 0)) for year in range(first[0], last[0] + 1)]
    else:
        slots = []
        year, month = first
        while (year, month) <= last:
            slots.append(((year, month), counts.months.get((year, month), 0)))
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    width, height, top = 720, 120, 6
    max_count = max(n for _, n in slots) or 1
    slot_width = width / len(slots)
    gap = min(2.0, slot_width * 0.2)
    # Each bar's link is the other parameters with its period added: those are the same
    # for every bar, so they are encoded once; a year and a month are plain digits.
    others = query_string(params, drop=(*DATE_FILTERS, "undated"))
    others += "&" if others != "?" else ""
    bars = []
    for index, (key, n) in enumerate(slots):
        if by_year:
            label = str(key[0])
            url = f"{others}year={key[0]:d}"
        else:
            label = f"{calendar.month_name[key[1]]} {key[0]}"
            url = f"{others}year={key[0]:d}&month={key[1]:d}"
        bar_height = (height - top) * n / max_count
        bars.append(Bar(label, n, url, round(index * slot_width + gap / 2, 2), round(height - bar_height, 2),
                        round(max(slot_width - gap, 1.0), 2), round(bar_height, 2)))
    return Timeline(bars=bars, by_year=by_year, max_count=max_count,
                    first_label=bars[0].label, last_label=bars[-1].label, width=width, height=height,
                    undated=counts.undated, undated_url=undated_url(params) if counts.undated else "")


def undated_url(params: QueryDict) -> str:
    """The same query narrowed to the articles without a date (no date filter can find them)."""
    return query_string(params, add={"undated": UNDATED_ONLY}, drop=("undated", *DATE_FILTERS))
