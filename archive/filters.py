"""The one declaration of every article filter.

Browsing runs ``ArticleFilter(...).qs`` on the database; search hands the same
``form.cleaned_data`` to the search service, which turns it into index terms.
"""

from __future__ import annotations

import calendar
import copy
import datetime as dt
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

import django_filters
from django import forms
from django.core.cache import cache
from django.db import connections
from django.db.models import QuerySet
from django.http import QueryDict

from archive.models import Article, Entity, EntityKind, Source, Tag
from archive.place_lists import attach_parents, place_label
from archive.widgets import PlainSelect

MAX_VALUES_PER_FILTER = 20
MULTI_VALUE_FILTERS = ("source", "entity", "tag", "place")
UNDATED_ONLY, DATED_ONLY = "1", "0"
UNDATED_CHOICES = [(UNDATED_ONLY, "Only undated articles"), (DATED_ONLY, "Only dated articles")]


# A number in a URL is ASCII digits and nothing else: no sign, exponent, spaces,
# underscores or other scripts' digits (str.isdigit() accepts "⁴", int() accepts "٤"
# and "1_000", Django's DecimalField accepts "1e309"). Nine digits bound int()'s cost.
_WHOLE_NUMBER = re.compile(r"[0-9]{1,9}")


def parse_number(raw: object, *, low: int, high: int) -> int | None:
    """A whole number from the URL, read strictly; None when it is malformed or outside low..high."""
    if not isinstance(raw, str) or not _WHOLE_NUMBER.fullmatch(raw):
        return None
    value = int(raw)
    return value if low <= value <= high else None


class WholeNumberField(forms.Field):
    """A bounded whole number, parsed by ``parse_number``; anything else is a clear form error."""

    widget = forms.NumberInput

    def __init__(self, *, low: int, high: int, noun: str = "number", **kwargs):
        self.low, self.high, self.noun = low, high, noun
        super().__init__(**kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        number = parse_number(value, low=self.low, high=self.high)
        if number is None:
            raise forms.ValidationError(f"Enter a {self.noun} from {self.low} to {self.high}.", code="invalid")
        return number

    def widget_attrs(self, widget):
        return {**super().widget_attrs(widget), "min": self.low, "max": self.high, "step": 1}


class WholeNumberFilter(django_filters.Filter):
    field_class = WholeNumberField


class ArticleFilterForm(forms.Form):
    def clean(self):
        cleaned = super().clean()
        for name in MULTI_VALUE_FILTERS:
            values = self.data.getlist(name) if hasattr(self.data, "getlist") else []
            if len(values) > MAX_VALUES_PER_FILTER:
                self.add_error(name, f"Choose at most {MAX_VALUES_PER_FILTER} values.")
        if cleaned.get("month") and not cleaned.get("year"):
            self.add_error("month", "Choose a year as well as a month.")
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "The end date is before the start date.")
        return cleaned


def _language_choices() -> list[tuple[str, str]]:
    """The languages in the archive, for the menu; looked up at most once a minute.

    The menu starts with "any": without it a browser submits the first language with
    every Apply, and other languages silently drop out of the results.
    """
    choices = cache.get("dossier:language-choices")
    if choices is None:
        codes = Article.objects.values_list("language", flat=True).distinct().order_by("language")
        choices = [("", "Any language")] + [(code, code) for code in codes]
        cache.set("dossier:language-choices", choices, 60)
    return choices


class _InArchive:
    """A choice is valid when some article has it: checked for the values sent, not by listing all."""

    lookup = ""

    def valid_value(self, value) -> bool:
        return isinstance(value, str) and len(value) <= 100 and Article.objects.filter(**{self.lookup: value}).exists()


class PlaceField(_InArchive, forms.MultipleChoiceField):
    lookup = "dateline"


class LanguageField(_InArchive, forms.ChoiceField):
    lookup = "language"


class PlaceFilter(django_filters.MultipleChoiceFilter):
    field_class = PlaceField


class LanguageFilter(django_filters.ChoiceFilter):
    field_class = LanguageField


class SlugChoiceField(django_filters.fields.ModelMultipleChoiceField):
    """Objects chosen by slug, checked and found as django-filter's field finds them (the same
    objects in the queryset's order, the same messages), with one query compiled once.

    Compiling ``queryset.filter(slug__in=...)`` cost twice as much as running it, and Django
    builds one more query per value only to see that it is a valid slug (any text is): a
    third of a millisecond per chosen source, tag or entity on every search page. The SQL
    differs only in the slugs, so it is compiled once per number of slugs, database and thread.
    """

    def _check_values(self, value):
        slugs = frozenset(value) if isinstance(value, (list, tuple)) else None
        plain = (slugs and self.to_field_name == "slug" and self.null_label is None
                 and all(isinstance(slug, str) and "\x00" not in slug for slug in slugs))
        query = _slug_query(self.queryset, len(slugs)) if plain else None
        if query is None:
            return super()._check_values(value)
        found = query.run(list(slugs))
        known = {obj.slug for obj in found}
        for slug in slugs:
            if slug not in known:
                raise forms.ValidationError(
                    self.error_messages["invalid_choice"], code="invalid_choice", params={"value": slug}
                )
        return found


@dataclass(frozen=True)
class _CompiledLookup:
    db: str
    sql: str
    compiler: object  # the SQLCompiler that compiled ``sql``: its connection and converters
    model: type
    attnames: list[str]
    converters: dict

    def run(self, params: list) -> list:
        with connections[self.db].cursor() as cursor:
            cursor.execute(self.sql, params)
            rows = cursor.fetchall()
        if self.converters:
            rows = self.compiler.apply_converters(rows, self.converters)
        return [self.model.from_db(self.db, self.attnames, row) for row in rows]


_compiled = threading.local()  # per thread, as Django's connections are


def _whole_table(queryset: QuerySet) -> bool:
    """Whether ``queryset`` is every row of its model in the model's order (``Model.objects.all()``),
    so that the model alone names its SQL."""
    query = queryset.query
    return (
        not query.where and not query.order_by and query.default_ordering and not query.select_related
        and not query.annotations and not query.extra and not query.distinct and not query.is_sliced
        and query.combinator is None and query.deferred_loading == (frozenset(), True)
    )


def _slug_query(queryset: QuerySet, count: int) -> _CompiledLookup | None:
    """``queryset.filter(slug__in=<count slugs>)`` compiled for this thread's connection; None
    when ``queryset`` is not a whole table, its parameters are not exactly the slugs or its
    rows are not plain objects of the model."""
    if not _whole_table(queryset):
        return None
    db = queryset.db
    key = (db, id(connections[db]), queryset.model, count)
    queries = _compiled.__dict__.setdefault("slug_queries", {})
    if key not in queries:
        placeholders = [f"\x00{n}" for n in range(count)]  # no slug holds a NUL
        compiler = queryset.filter(slug__in=placeholders).query.get_compiler(using=db)
        sql, params = compiler.as_sql()
        info = compiler.klass_info
        plain = (
            list(params) == placeholders and info["model"] is queryset.model and not info.get("related_klass_infos")
            and compiler.col_count == len(compiler.select) == len(info["select_fields"])
            and not compiler.annotation_col_map
        )
        if len(queries) > 64:  # numbers of slugs are bounded (MAX_VALUES_PER_FILTER); connections in tests are not
            queries.clear()
        queries[key] = _CompiledLookup(
            db=db, sql=sql, compiler=compiler, model=queryset.model,
            attnames=[column[0].target.attname for column in compiler.select],
            converters=compiler.get_converters([column[0] for column in compiler.select]),
        ) if plain else None
    return queries[key]


class SlugMultipleChoiceFilter(django_filters.ModelMultipleChoiceFilter):
    field_class = SlugChoiceField


class ArticleFilter(django_filters.FilterSet):
    date_from = django_filters.DateFilter(
        field_name="published", lookup_expr="gte", label="From", widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = django_filters.DateFilter(
        field_name="published", lookup_expr="lte", label="To", widget=forms.DateInput(attrs={"type": "date"})
    )
    year = WholeNumberFilter(field_name="published", lookup_expr="year", low=1800, high=2999, noun="year")
    month = WholeNumberFilter(field_name="published", lookup_expr="month", low=1, high=12, noun="month")
    source = SlugMultipleChoiceFilter(
        field_name="source__slug", to_field_name="slug", queryset=Source.objects.all(), label="Sources"
    )
    # An article must mention every entity chosen; a place is mentioned by the places inside it too.
    # Any entity is accepted (a place nothing names gives an empty list, not an error); the
    # pages offer only entities with articles (facets count what the filtered articles name).
    entity = SlugMultipleChoiceFilter(
        field_name="mentions__entity__slug", to_field_name="slug", queryset=Entity.objects.all(),
        conjoined=True, label="Entities", method="filter_entities",
    )
    kind = django_filters.ChoiceFilter(
        choices=EntityKind.choices, method="filter_kind", label="Mentions a kind of entity", empty_label="Any entity",
        widget=PlainSelect,
    )
    # Topics narrow: every tag chosen must be on the article.
    tag = SlugMultipleChoiceFilter(
        field_name="tags__slug", to_field_name="slug", queryset=Tag.objects.all(), conjoined=True, label="Tags"
    )
    place = PlaceFilter(field_name="dateline", choices=[], label="Dateline")
    # Stories that carry no date are in no year or month: this is how a user finds them.
    undated = django_filters.ChoiceFilter(
        choices=UNDATED_CHOICES, method="filter_undated", label="Undated", empty_label="Dated or not",
        widget=PlainSelect,
    )
    language = LanguageFilter(field_name="language", choices=_language_choices, label="Language", widget=PlainSelect)

    class Meta:
        model = Article
        fields: list[str] = []
        form = ArticleFilterForm

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None):
        # As django-filter's FilterSet.__init__, but each declared filter is copied on its
        # own instead of deep-copied with its querysets and widgets (a fifth of a millisecond
        # on every search and list page): a FilterSet sets only a filter's model and parent,
        # and a filter with a method gets its own FilterMethod, which calls the parent's.
        if queryset is None:
            queryset = self._meta.model._default_manager.all()
        self.is_bound = data is not None
        self.data = data or QueryDict()
        self.queryset = queryset
        self.request = request
        self.form_prefix = prefix
        self.filters = {name: copy.copy(declared) for name, declared in self.base_filters.items()}
        for filter_ in self.filters.values():
            filter_.extra = filter_.extra.copy()
            filter_.model = queryset.model
            filter_.parent = self
            if filter_.method is not None:
                filter_.method = filter_.method  # a FilterMethod of its own (the setter makes it)

    def filter_entities(self, queryset: QuerySet, name: str, value) -> QuerySet:
        for entity in value:
            queryset = queryset.filter(mentions__entity__in=Entity.objects.with_places_inside(entity))
        return queryset.distinct() if value else queryset

    def get_form_class(self):
        # django-filter builds a new form class for every request; the class depends only on
        # the declared filters (choices stay lazy), so it is built once per process.
        cls = type(self)
        if "_form_class" not in cls.__dict__:
            cls._form_class = super().get_form_class()
        return cls._form_class

    def filter_kind(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(mentions__entity__kind=value).distinct()

    def filter_undated(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.undated() if value == UNDATED_ONLY else queryset.dated()


FILTER_NAMES = list(ArticleFilter.base_filters)


def period_bounds(cleaned: dict) -> tuple[dt.date | None, dt.date | None]:
    """The date range all date filters allow together (None for an open end)."""
    start, end = cleaned.get("date_from"), cleaned.get("date_to")
    year, month = cleaned.get("year"), cleaned.get("month")
    if year:
        year = int(year)
        if month:
            month = int(month)
            first, last = dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1])
        else:
            first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
        start = max(start, first) if start else first
        end = min(end, last) if end else last
    return start, end


@dataclass(frozen=True)
class Chip:
    label: str
    remove_url: str


def _kept_pairs(params: QueryDict, *, drop: tuple[str, ...] = (),
                remove: tuple[str, str] | None = None) -> list[tuple[str, str]]:
    """The (key, value) pairs a link keeps: not the page, the dropped keys, the removed pair or empty values."""
    return [
        (key, value)
        for key in params
        for value in params.getlist(key)
        if key != "page" and key not in drop and (key, value) != remove and value != ""
    ]


def query_string(params: QueryDict, *, add: dict[str, str] | None = None, remove: tuple[str, str] | None = None,
                 drop: tuple[str, ...] = ()) -> str:
    """The current parameters with one value added or removed; the page number always goes."""
    pairs = _kept_pairs(params, drop=drop, remove=remove)
    for key, value in (add or {}).items():
        if (key, value) not in pairs:
            pairs.append((key, value))
    return "?" + urlencode(pairs) if pairs else "?"


def query_adder(params: QueryDict, *, drop: tuple[str, ...] = ()) -> Callable[[str, str], str]:
    """``add(key, value)`` gives ``query_string(params, add={key: value}, drop=drop)``, with the
    current parameters encoded once: a filter panel links some sixty values."""
    pairs = _kept_pairs(params, drop=drop)
    present = set(pairs)
    base = urlencode(pairs)

    def add(key: str, value: str) -> str:
        if (key, value) in present:
            return "?" + base
        extra = urlencode([(key, value)])
        return "?" + (f"{base}&{extra}" if base else extra)

    return add


def active_chips(filterset: ArticleFilter) -> list[Chip]:
    """A chip for each filter value in force; clicking it removes just that value."""
    if not filterset.is_bound or not filterset.form.is_valid():
        valid = {}
    else:
        valid = filterset.form.cleaned_data
    params = filterset.data
    chips = []
    kinds = dict(EntityKind.choices)
    for name in FILTER_NAMES:
        value = valid.get(name)
        if value in (None, "", []) or (hasattr(value, "exists") and not value.exists()):
            continue
        if name in ("source", "entity", "tag"):
            prefix = {"source": "Source", "entity": "", "tag": "Tag"}[name]
            if name == "entity":
                value = list(value)
                attach_parents(value)
            for obj in value:
                label = f"{prefix}: {obj}" if prefix else f"{obj.kind_label}: {place_label(obj)}"
                chips.append(Chip(label, query_string(params, remove=(name, obj.slug))))
        elif name == "place":
            for place in value:
                chips.append(Chip(f"Dateline: {place}", query_string(params, remove=(name, place))))
        elif name == "kind":
            chips.append(Chip(f"Mentions: {kinds[value]}", query_string(params, drop=("kind",))))
        elif name in ("date_from", "date_to"):
            label = "From" if name == "date_from" else "To"
            chips.append(Chip(f"{label} {value:%-d %b %Y}", query_string(params, drop=(name,))))
        elif name == "year":
            drop = ("year", "month")
            chips.append(Chip(f"Year: {int(value)}", query_string(params, drop=drop)))
        elif name == "month":
            chips.append(Chip(f"Month: {calendar.month_name[int(value)]}", query_string(params, drop=("month",))))
        elif name == "language":
            chips.append(Chip(f"Language: {value}", query_string(params, drop=("language",))))
        elif name == "undated":
            label = "Undated only" if value == UNDATED_ONLY else "Dated only"
            chips.append(Chip(label, query_string(params, drop=("undated",))))
    return chips
