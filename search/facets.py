"""Exact facet counts and the timeline for a search, straight from the index.

Each document carries one ``facet_row`` column value (source, year, month,
entities, tags). Rows are decoded once per index segment and kept while the
segment lives (segments never change once written; deleted documents never come
out of a matcher, so they are never counted), then laid end to end, one list per
facet, for the whole searcher. Counting is then ``Counter(map(column, docnums))``:
the loop runs in C, not in Python.
"""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass
from itertools import chain

from whoosh.searching import Searcher

from archive.facets import FacetCounts
from archive.models import EntityKind
from search.schema import CODE_KINDS

KIND_NUMBERS = {kind: number for number, kind in enumerate(EntityKind.values)}
KINDS_BY_NUMBER = dict(enumerate(EntityKind.values))
_KIND_BITS = 3  # six kinds fit in three bits of an entity key


@dataclass(frozen=True)
class _Columns:
    sources: list[int]  # 0 when the article has no source
    months: list[int]  # year * 100 + month
    entities: list[tuple[int, ...]]  # entity id << 3 | kind number
    tags: list[tuple[int, ...]]


_EMPTY = (0, 0, (), ())
_cache_lock = threading.Lock()
_segments: dict[tuple[str, str], list[tuple]] = {}
_searchers: dict[tuple[str, tuple[str, ...]], _Columns] = {}


def _decode(raw: bytes | str | None) -> tuple:
    if not raw:
        return _EMPTY
    text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
    source, year, month, entities, tags = text.split("|")
    return (
        int(source) if source else 0,
        int(year) * 100 + int(month),
        tuple(int(key[1:]) << _KIND_BITS | KIND_NUMBERS[CODE_KINDS[key[0]]] for key in entities.split(",") if key),
        tuple(int(tag) for tag in tags.split(",") if tag),
    )


def _segment_id(reader) -> str:
    segment = reader.segment()
    return segment.segment_id() if segment is not None else "empty"


def _segment_rows(storage_key: str, reader) -> list[tuple]:
    key = (storage_key, _segment_id(reader))
    rows = _segments.get(key)
    if rows is None:
        if reader.has_column("facet_row"):
            column = reader.column_reader("facet_row")
            rows = [_decode(column[docnum]) for docnum in range(reader.doc_count_all())]
        else:
            rows = [_EMPTY] * reader.doc_count_all()
        _segments[key] = rows
    return rows


def _columns(searcher: Searcher, storage_key: str) -> _Columns:
    """The facet columns of every document this searcher sees, by document number."""
    reader = searcher.reader()
    leaves = reader.leaf_readers()
    # Segment ids are random and never reused: the same ids mean the same documents.
    key = (storage_key, tuple(_segment_id(leaf) for leaf, _ in leaves))
    with _cache_lock:
        columns = _searchers.get(key)
        if columns is not None:
            return columns
        rows: list[tuple] = []
        live = set()
        for leaf, offset in leaves:
            assert offset == len(rows), "segments are laid end to end"
            rows.extend(_segment_rows(storage_key, leaf))
            live.add((storage_key, _segment_id(leaf)))
        # Forget segments merged away and searchers replaced since.
        for old in [k for k in _segments if k[0] == storage_key and k not in live]:
            del _segments[old]
        for old in [k for k in _searchers if k[0] == storage_key]:
            del _searchers[old]
        columns = _Columns(
            sources=[row[0] for row in rows],
            months=[row[1] for row in rows],
            entities=[row[2] for row in rows],
            tags=[row[3] for row in rows],
        )
        _searchers[key] = columns
        return columns


def load_columns(searcher: Searcher, *, storage_key: str) -> None:
    """Decode this searcher's facet columns now rather than on the first search."""
    _columns(searcher, storage_key)


def count_facets(searcher: Searcher, docnums, *, storage_key: str) -> FacetCounts:
    """Counts over the matching documents (``docnums`` from the query plus filters)."""
    columns = _columns(searcher, storage_key)
    docnums = docnums if isinstance(docnums, list) else list(docnums)
    counts = FacetCounts(total=len(docnums))
    sources = Counter(map(columns.sources.__getitem__, docnums))
    sources.pop(0, None)
    counts.sources = sources
    counts.months = Counter(
        {(key // 100, key % 100): n for key, n in Counter(map(columns.months.__getitem__, docnums)).items() if key}
    )
    counts.tags = Counter(chain.from_iterable(map(columns.tags.__getitem__, docnums)))
    mask = (1 << _KIND_BITS) - 1
    for key, n in Counter(chain.from_iterable(map(columns.entities.__getitem__, docnums))).items():
        counts.entities[KINDS_BY_NUMBER[key & mask]][key >> _KIND_BITS] = n
    return counts


def index_counts(cleaned_filters: dict) -> FacetCounts | None:
    """Facet counts for the browse pages, from the index; None when the index cannot answer.

    It cannot when it is missing or outdated, or while changes wait in the queue
    (then the database is the only exact answer).
    """
    from search.filters import filter_query
    from search.index import IndexUnavailable, index_dir, searcher
    from search.models import PendingIndexUpdate

    if PendingIndexUpdate.objects.exists():
        return None
    try:
        with searcher() as s:
            query = filter_query(cleaned_filters)
            docnums = list(query.docs(s)) if query is not None else list(s.document_numbers())
            return count_facets(s, docnums, storage_key=str(index_dir()))
    except IndexUnavailable:
        return None
