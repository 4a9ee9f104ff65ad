"""Exact facet counts and the timeline for a search, straight from the index.

Each document carries one ``facet_row`` column value (source, year, month,
entities, tags). Rows are decoded once per index segment and kept while the
segment lives; segments never change once written (deletions are handled by the
matcher, which never yields a deleted document), so the cache is always right.
Counting is then a loop over the matching document numbers.
"""

from __future__ import annotations

import threading
from bisect import bisect_right
from collections import Counter

from whoosh.searching import Searcher

from archive.facets import FacetCounts
from search.schema import CODE_KINDS

Row = tuple[int, int, int, tuple[tuple[str, int], ...], tuple[int, ...]]

_cache_lock = threading.Lock()
_rows_by_segment: dict[tuple[str, str], list[Row | None]] = {}


def _decode(raw: bytes | str | None) -> Row | None:
    if not raw:
        return None
    text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
    source, year, month, entities, tags = text.split("|")
    return (
        int(source) if source else 0,
        int(year),
        int(month),
        tuple((CODE_KINDS[key[0]], int(key[1:])) for key in entities.split(",") if key),
        tuple(int(tag) for tag in tags.split(",") if tag),
    )


def _segment_rows(storage_key: str, reader) -> list[Row | None]:
    segment = reader.segment()
    key = (storage_key, segment.segment_id() if segment is not None else "")
    rows = _rows_by_segment.get(key)
    if rows is None:
        if reader.has_column("facet_row"):
            column = reader.column_reader("facet_row")
            rows = [_decode(column[docnum]) for docnum in range(reader.doc_count_all())]
        else:
            rows = [None] * reader.doc_count_all()
        _rows_by_segment[key] = rows
    return rows


def _leaves(searcher: Searcher, storage_key: str) -> tuple[list[int], list[list[Row | None]]]:
    with _cache_lock:
        offsets, tables, live = [], [], set()
        for reader, offset in searcher.reader().leaf_readers():
            offsets.append(offset)
            tables.append(_segment_rows(storage_key, reader))
            segment = reader.segment()
            live.add((storage_key, segment.segment_id() if segment is not None else ""))
        # Forget merged-away segments of this index.
        for key in [k for k in _rows_by_segment if k[0] == storage_key and k not in live]:
            del _rows_by_segment[key]
    return offsets, tables


def count_facets(searcher: Searcher, docnums, *, storage_key: str) -> FacetCounts:
    """Counts over the matching documents (``docnums`` from the query plus filters)."""
    offsets, tables = _leaves(searcher, storage_key)
    counts = FacetCounts()
    sources, tags, months = Counter(), Counter(), Counter()
    entities = counts.entities
    total = 0
    single = len(offsets) == 1
    table = tables[0] if single else None
    for docnum in docnums:
        if single:
            row = table[docnum]
        else:
            leaf = bisect_right(offsets, docnum) - 1
            row = tables[leaf][docnum - offsets[leaf]]
        total += 1
        if row is None:
            continue
        source, year, month, mentioned, tag_ids = row
        if source:
            sources[source] += 1
        months[(year, month)] += 1
        for kind, entity_id in mentioned:
            entities[kind][entity_id] += 1
        for tag_id in tag_ids:
            tags[tag_id] += 1
    counts.total = total
    counts.sources, counts.tags, counts.months = sources, tags, months
    return counts
