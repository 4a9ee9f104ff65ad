"""Exact facet counts and the timeline for a search, straight from the index.

Each document carries one ``facet_row`` column value (source, year, month,
entities, tags). Rows are decoded once per index segment and kept while the
segment lives (segments never change once written; see ``search.cache``), as NumPy
arrays: one value per document for the source and the month, and (document, value)
pairs for entities and tags. For a searcher the segments are laid end to end and every value gets a
small code, so counting the matches of a query is ``bincount`` over the codes of
the matching documents: a few milliseconds for 100,000 articles.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from whoosh.searching import Searcher

from archive.facets import FacetCounts
from archive.models import EntityKind
from search.cache import segment_cache
from search.schema import CODE_KINDS

KIND_NUMBERS = {kind: number for number, kind in enumerate(EntityKind.values)}
KINDS_BY_NUMBER = dict(enumerate(EntityKind.values))
_KIND_BITS = 3  # six kinds fit in three bits of an entity key
_FEW = 8  # codes are few when they number under an eighth of the values (_Codes.count)


@dataclass(frozen=True)
class _Segment:
    sources: np.ndarray  # per document; 0 when the article has no source
    months: np.ndarray  # per document; year * 100 + month, 0 when unknown
    entity_docs: np.ndarray  # local document number of each (document, entity) pair
    entity_keys: np.ndarray  # entity id << 3 | kind number
    tag_docs: np.ndarray
    tag_ids: np.ndarray


@dataclass(frozen=True)
class _Codes:
    """The values of one facet over a searcher's documents, as codes into ``values``."""

    values: np.ndarray
    codes: np.ndarray  # one per document, or for pairs one per pair in document order
    totals: np.ndarray  # how many times each code occurs in all
    starts: np.ndarray | None  # for pairs: where each document's codes begin (one more entry than documents)

    @classmethod
    def build(cls, keys: np.ndarray, docs: np.ndarray | None = None, size: int = 0) -> _Codes:
        """``docs``: for pairs, the document of each key, ascending."""
        values, codes = np.unique(keys, return_inverse=True)
        codes = codes.astype(np.int32)
        starts = None if docs is None else np.searchsorted(docs, np.arange(size + 1)).astype(np.int64)
        return cls(values=values, codes=codes, totals=np.bincount(codes, minlength=len(values)), starts=starts)

    def count(self, docs: np.ndarray, *, others: bool = False) -> tuple[np.ndarray, np.ndarray]:
        """(values, how many of ``docs`` have each), for the values counted at least once;
        with ``others``, how many of the documents not in ``docs`` have each."""
        if self.starts is None:
            selected = self.codes[docs]
        else:
            begins = self.starts[docs]
            lengths = self.starts[docs + 1] - begins
            # Every position begins[i] .. begins[i] + lengths[i] - 1, in one array.
            firsts = np.cumsum(lengths) - lengths  # where each document's run starts in it
            selected = self.codes[np.arange(int(lengths.sum()), dtype=np.int64) + np.repeat(begins - firsts, lengths)]
        if not others and len(selected) * _FEW < len(self.values):
            # Few codes (a rare word's matches): sorting them costs less than a count per value.
            present, counts = np.unique(selected, return_counts=True)
            return self.values[present], counts
        counts = np.bincount(selected, minlength=len(self.values))
        if others:
            counts = self.totals - counts
        present = np.flatnonzero(counts)
        return self.values[present], counts[present]


@dataclass(frozen=True)
class _Columns:
    size: int
    sources: _Codes
    months: _Codes
    entities: _Codes
    tags: _Codes


def _decode(raw: bytes | str | None) -> tuple:
    if not raw:
        return 0, 0, (), ()
    text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
    source, year, month, entities, tags = text.split("|")
    return (
        int(source) if source else 0,
        int(year) * 100 + int(month),
        [int(key[1:]) << _KIND_BITS | KIND_NUMBERS[CODE_KINDS[key[0]]] for key in entities.split(",") if key],
        [int(tag) for tag in tags.split(",") if tag],
    )


def _segment_id(reader) -> str:
    segment = reader.segment()
    return segment.segment_id() if segment is not None else "empty"


def _pairs(lists: list[list[int]]) -> tuple[np.ndarray, np.ndarray]:
    counts = np.fromiter(map(len, lists), dtype=np.int64, count=len(lists))
    docs = np.repeat(np.arange(len(lists), dtype=np.int64), counts)
    values = np.fromiter((v for values in lists for v in values), dtype=np.int64, count=int(counts.sum()))
    return docs, values


def _segment(storage_key: str, reader) -> _Segment:
    return segment_cache.get((storage_key, _segment_id(reader), "facets"), lambda: _read_segment(reader))


def _read_segment(reader) -> _Segment:
    size = reader.doc_count_all()
    if reader.has_column("facet_row"):
        column = reader.column_reader("facet_row")
        rows = [_decode(column[docnum]) for docnum in range(size)]
    else:
        rows = [(0, 0, (), ())] * size
    entity_docs, entity_keys = _pairs([row[2] for row in rows])
    tag_docs, tag_ids = _pairs([row[3] for row in rows])
    return _Segment(
        sources=np.fromiter((row[0] for row in rows), dtype=np.int64, count=size),
        months=np.fromiter((row[1] for row in rows), dtype=np.int64, count=size),
        entity_docs=entity_docs, entity_keys=entity_keys, tag_docs=tag_docs, tag_ids=tag_ids,
    )


def _columns(searcher: Searcher, storage_key: str) -> _Columns:
    """The facet columns of every document this searcher sees, by document number."""
    reader = searcher.reader()
    leaves = reader.leaf_readers()
    # Segment ids are random and never reused: the same ids mean the same documents.
    key = (storage_key, tuple(_segment_id(leaf) for leaf, _ in leaves), "facet-codes")
    return segment_cache.get(key, lambda: _join_columns(storage_key, reader, leaves))


def _join_columns(storage_key: str, reader, leaves) -> _Columns:
    parts = [(offset, _segment(storage_key, leaf)) for leaf, offset in leaves]

    def joined(name: str) -> np.ndarray:
        arrays = [getattr(part, name) for _, part in parts]
        return np.concatenate(arrays) if arrays else np.zeros(0, dtype=np.int64)

    def shifted(name: str) -> np.ndarray:
        arrays = [getattr(part, name) + offset for offset, part in parts]
        return np.concatenate(arrays) if arrays else np.zeros(0, dtype=np.int64)

    size = reader.doc_count_all()
    return _Columns(
        size=size,
        sources=_Codes.build(joined("sources")),
        months=_Codes.build(joined("months")),
        entities=_Codes.build(joined("entity_keys"), shifted("entity_docs"), size),
        tags=_Codes.build(joined("tag_ids"), shifted("tag_docs"), size),
    )


def load_columns(searcher: Searcher, *, storage_key: str) -> None:
    """Decode this searcher's facet columns now rather than on the first search."""
    _columns(searcher, storage_key)


def count_facets(searcher: Searcher, matches, *, storage_key: str) -> FacetCounts:
    """Counts over the matching documents: a boolean array by document number, or document numbers."""
    columns = _columns(searcher, storage_key)
    if isinstance(matches, np.ndarray) and matches.dtype == bool:
        mask = matches
    else:
        mask = np.zeros(columns.size, dtype=bool)
        mask[np.fromiter(matches, dtype=np.int64)] = True
    total = int(np.count_nonzero(mask))
    counts = FacetCounts(total=total)
    # Only the codes of the matching documents are read (or, when most match, those of
    # the others, subtracted from the totals): the cost follows the matches, not the archive.
    others = total * 2 > columns.size
    docs = np.flatnonzero(~mask if others else mask)

    def counted(codes: _Codes) -> dict[int, int]:
        values, numbers = codes.count(docs, others=others)
        return dict(zip(values.tolist(), numbers.tolist(), strict=True))

    sources = counted(columns.sources)
    sources.pop(0, None)
    counts.sources.update(sources)
    counts.months.update({(key // 100, key % 100): n for key, n in counted(columns.months).items() if key})
    counts.tags.update(counted(columns.tags))
    values, numbers = columns.entities.count(docs, others=others)
    kinds = values & ((1 << _KIND_BITS) - 1)
    ids = values >> _KIND_BITS
    for number, kind in KINDS_BY_NUMBER.items():
        here = kinds == number
        if here.any():
            counts.entities[kind].update(dict(zip(ids[here].tolist(), numbers[here].tolist(), strict=True)))
    return counts


def _allowed(snap, cleaned_filters: dict) -> np.ndarray:
    """The documents the cleaned filters allow, as a boolean array."""
    from search.engine import Evaluator
    from search.filters import filter_query

    query = filter_query(cleaned_filters)
    return Evaluator(snap, scored=False).run(query).mask if query is not None else snap.live.copy()


def index_counts(cleaned_filters: dict) -> FacetCounts | None:
    """Facet counts for the browse pages, from the index; None when the index cannot answer.

    It cannot when it is missing or outdated, or while changes wait in the queue
    (then the database is the only exact answer).
    """
    found = index_listing(cleaned_filters)
    return found[0] if found is not None else None


def index_listing(cleaned_filters: dict, sort: str = "newest"):
    """(facet counts, fetch) for the filtered articles, from the index; None when it cannot answer.

    ``fetch(start, stop)`` gives the ids of the articles at those ranks, newest or
    oldest first (on the same day the later indexed first, or the earlier: the
    database's order puts the higher id first, or the lower).
    """
    from search.engine import Matches, rank, snapshot
    from search.index import IndexUnavailable, index_dir, searcher
    from search.queue import in_step

    if not in_step():  # changes this index has not applied yet: the database answers
        return None
    try:
        with searcher() as s:
            counts = count_facets(s, _allowed(snapshot(s, str(index_dir())), cleaned_filters),
                                  storage_key=str(index_dir()))
    except IndexUnavailable:
        return None

    def fetch(start: int, stop: int) -> list[int]:
        try:
            with searcher() as s:
                snap = snapshot(s, str(index_dir()))
                ranked = rank(snap, Matches(_allowed(snap, cleaned_filters), None),
                              sort="oldest" if sort == "oldest" else "newest", start=start, stop=stop)
                return [int(s.stored_fields(docnum)["id"]) for docnum, _ in ranked]
        except IndexUnavailable:
            return []

    return counts, fetch
