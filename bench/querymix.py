"""The fixed query mix, and what each engine runs for it.

Each query is what a user would type in the search box plus the filters a user
would pick in the sidebar (as URL parameters, by slug). The baselines get the same
query in their own terms: an FTS5 MATCH expression and a Django ORM ``icontains``
condition. Entities, sources and tags for the filters are picked from the built
archive by rule (the most mentioned person, the largest source, …), so the mix is
the same for every run on the same corpus.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db.models import Count, Q
from django.http import QueryDict

from archive.filters import ArticleFilter
from archive.models import Article, Entity, EntityKind, Source, Tag


def _words(*words: str) -> Q:
    """Every word somewhere in the title or the body, as an ORM search would do it."""
    condition = Q()
    for word in words:
        condition &= Q(title__icontains=word) | Q(body__icontains=word)
    return condition


@dataclass(frozen=True)
class BenchQuery:
    name: str
    q: str  # what the user types
    params: dict[str, list[str]] = field(default_factory=dict)  # sidebar filters, as URL parameters
    fts_match: str = ""  # FTS5 MATCH expression over the default columns (title, body, entities)
    fts_period: tuple[dt.date, dt.date] | None = None  # a date range written inside the query
    fts_fuzzy: str = ""  # FTS5 has no fuzzy search: the baseline expands this word over the vocabulary
    orm: Q = field(default_factory=Q)  # the Django ORM condition (filters are added by the FilterSet)
    orm_note: str = ""

    def querydict(self) -> QueryDict:
        data = QueryDict(mutable=True)
        data["q"] = self.q
        for key, values in self.params.items():
            data.setlist(key, values)
        return data

    def filter_params(self) -> QueryDict:
        data = QueryDict(mutable=True)
        for key, values in self.params.items():
            data.setlist(key, values)
        return data

    def url(self) -> str:
        pairs = [("q", self.q)] + [(key, value) for key, values in self.params.items() for value in values]
        return "/search/?" + urlencode(pairs)


def _most_mentioned(kind: str) -> Entity:
    return (
        Entity.objects.filter(kind=kind).annotate(n=Count("mentions")).order_by("-n", "id").first()
    )


def build_mix() -> list[BenchQuery]:
    """The twelve query types of the benchmark, on whatever archive the database holds."""
    person = _most_mentioned(EntityKind.PERSON)
    org = _most_mentioned(EntityKind.ORGANISATION)
    place = _most_mentioned(EntityKind.PLACE)
    source = Source.objects.annotate(n=Count("articles")).order_by("-n", "id").first()
    tag = Tag.objects.annotate(n=Count("articles")).order_by("-n", "id").first()
    busiest_year = (
        Article.objects.filter(source=source).values_list("published__year").annotate(n=Count("id"))
        .order_by("-n").first()
    )
    year = str(busiest_year[0]) if busiest_year else "2020"
    several = {"source": [source.slug], "year": [year], "tag": [tag.slug], "entity": [place.slug]}
    if not ArticleFilter(QueryDict(urlencode(several, doseq=True)), queryset=Article.objects.all()).qs.exists():
        several.pop("entity")
    org_name = org.name.lower()
    period = (dt.date(2015, 1, 1), dt.date(2018, 12, 31))
    return [
        BenchQuery("common term", "energy", fts_match="energy", orm=_words("energy")),
        BenchQuery("rare term", "geothermal", fts_match="geothermal", orm=_words("geothermal")),
        BenchQuery("two-term AND", "wind turbines", fts_match="wind turbines", orm=_words("wind", "turbines")),
        BenchQuery("phrase", '"solar farm"', fts_match='"solar farm"', orm=_words("solar farm")),
        BenchQuery("OR", "hydrogen OR nuclear", fts_match="hydrogen OR nuclear",
                   orm=_words("hydrogen") | _words("nuclear")),
        BenchQuery("NOT", "wind -coal", fts_match="wind NOT coal", orm=_words("wind") & ~_words("coal")),
        BenchQuery("prefix", "turb*", fts_match="turb*", orm=_words("turb")),
        BenchQuery("fuzzy", "goverment~", fts_fuzzy="goverment", orm=_words("goverment"),
                   orm_note="no fuzzy search in the ORM: the misspelling is matched literally"),
        BenchQuery("field query", f'org:"{org_name}"', fts_match=f'org : "{org_name}"',
                   orm=Q(id__in=Article.objects.filter(mentions__entity__kind=EntityKind.ORGANISATION,
                                                       mentions__entity__name__iexact=org.name).values("id")),
                   orm_note="articles mentioning the organisation (the ORM has no name field to search)"),
        BenchQuery("date range", "solar date:[2015 to 2018]", fts_match="solar", fts_period=period,
                   orm=_words("solar") & Q(published__range=period)),
        BenchQuery("entity filter", "energy", params={"entity": [person.slug]}, fts_match="energy",
                   orm=_words("energy")),
        BenchQuery("several filters", "wind", params=several, fts_match="wind", orm=_words("wind")),
    ]


def cleaned_filters(query: BenchQuery) -> dict:
    """The sidebar filters, validated by the one FilterSet (as the search view does)."""
    filterset = ArticleFilter(query.querydict(), queryset=Article.objects.all())
    return filterset.form.cleaned_data if filterset.is_bound and filterset.form.is_valid() else {}
