"""The cleaned values of archive.filters.ArticleFilter, as index terms.

Browsing applies the same values to the database; a test checks both give the
same articles.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet
from whoosh import query as wq

from archive.filters import UNDATED_ONLY, period_bounds


def filter_query(cleaned: dict) -> wq.Query | None:
    """A query that matches exactly the articles the filters allow (None: no filter)."""
    parts: list[wq.Query] = []
    start, end = period_bounds(cleaned)
    if start or end:
        parts.append(
            wq.DateRange(
                "date",
                dt.datetime.combine(start, dt.time.min) if start else None,
                dt.datetime.combine(end, dt.time.max) if end else None,
            )
        )
    sources = _chosen(cleaned, "source")
    if sources:
        parts.append(wq.Or([wq.Term("source_id", str(source.id)) for source in sources]))
    for entity in _chosen(cleaned, "entity"):
        parts.append(wq.Term("entity_ids", str(entity.id)))
    if cleaned.get("kind"):
        parts.append(wq.Term("kinds", cleaned["kind"]))
    for tag in _chosen(cleaned, "tag"):
        parts.append(wq.Term("tag_ids", str(tag.id)))
    places = _chosen(cleaned, "place")
    if places:
        parts.append(wq.Or([wq.Term("place_key", place.casefold()) for place in places]))
    if cleaned.get("language"):
        parts.append(wq.Term("language", cleaned["language"]))
    if cleaned.get("undated"):
        # An undated story's document has no date (search/schema.py): every date is "dated".
        any_date = wq.DateRange("date", None, None)
        parts.append(wq.Not(any_date) if cleaned["undated"] == UNDATED_ONLY else any_date)
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else wq.And(parts)


def _chosen(cleaned: dict, name: str) -> list:
    """The values chosen for a filter; a filter left empty gives ``queryset.none()``, which
    is not run (asking it whether it is empty costs a query compilation)."""
    value = cleaned.get(name)
    if value is None or (isinstance(value, QuerySet) and value.query.is_empty()):
        return []
    return list(value)
