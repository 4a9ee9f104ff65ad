"""Query evaluation over whole arrays: matches, BM25F scores, phrases and sort keys.

Whoosh remains the index: it writes the segments, stores the documents, parses the
queries and expands wildcards. What it does slowly at archive scale is *reading*:
its matchers walk every posting of every term in Python, so a common word over
100,000 articles cost hundreds of milliseconds before any counting or ranking.

Here a term's postings are decoded once per segment (a block is one zlib-compressed
pickle; NumPy takes the ids and weights whole) and kept in a bounded cache. A query
then becomes array operations over every document of the searcher: a boolean array
of matches and a float array of scores. The scores are Whoosh's own BM25F (same
formula, same statistics: document frequency, field lengths, field boosts), so the
ranking is the one Whoosh would give; phrases are checked on cached word positions.

Segments never change once written, so everything here is keyed by segment id and
survives commits that add or delete documents elsewhere; deletions are applied
through the searcher's ``live`` array.
"""

from __future__ import annotations

import math
import threading
import weakref
from dataclasses import dataclass

import numpy as np
from whoosh import query as wq
from whoosh.classify import Bo1Model
from whoosh.formats import Positions

from search import whoosh_adapter as adapter
from search.cache import segment_cache
from search.whoosh_adapter import POSITION_SPAN

K1, B = 1.2, 0.75  # Whoosh's BM25F defaults, which the index was searched with before


# --- What one searcher sees ----------------------------------------------------------

@dataclass
class _Leaf:
    reader: object
    offset: int
    size: int
    key: tuple[str, str]  # (index directory, segment id)


class Snapshot:
    """The documents of one searcher as arrays indexed by document number."""

    def __init__(self, searcher, storage_key: str):
        self.searcher = searcher
        self.storage_key = storage_key
        self.size = searcher.doc_count_all()
        self.leaves: list[_Leaf] = []
        subs = searcher.reader().leaf_readers()
        for i, (reader, offset) in enumerate(subs):
            segment = reader.segment()
            if segment is None:
                continue
            end = subs[i + 1][1] if i + 1 < len(subs) else self.size
            self.leaves.append(_Leaf(reader, offset, end - offset, (storage_key, segment.segment_id())))
        self.live = np.ones(self.size, dtype=bool)
        for leaf in self.leaves:
            if leaf.reader.has_deletions():
                deleted = np.fromiter(leaf.reader.deleted_docs_set, dtype=np.int64)
                self.live[deleted + leaf.offset] = False
        self.segment_ids = tuple(leaf.key[1] for leaf in self.leaves)
        self._avg_lengths: dict[str, float] = {}
        self._expansions: dict[str, list] = {}
        self._joined: dict[str, np.ndarray] = {}  # columns laid end to end for this searcher

    # Columns --------------------------------------------------------------------

    def _column(self, name: str, load) -> np.ndarray:
        joined = self._joined.get(name)
        if joined is None:
            parts = [segment_cache.get((*leaf.key, "column", name), lambda leaf=leaf: load(leaf))
                     for leaf in self.leaves]
            if not parts:
                joined = np.zeros(0, dtype=np.float32)
            else:
                joined = parts[0] if len(parts) == 1 else np.concatenate(parts)
            self._joined[name] = joined
        return joined

    def lengths(self, fieldname: str) -> np.ndarray:
        """Each document's length of ``fieldname`` as Whoosh scores it (its one-byte approximation)."""

        def load(leaf: _Leaf) -> np.ndarray:
            return adapter.field_lengths(leaf.reader, fieldname, leaf.size)

        return self._column("len:" + fieldname, load)

    def dates(self) -> np.ndarray:
        """Each document's ``date`` column value (Whoosh's sortable integer; 0 when absent)."""
        column = self.searcher.schema["date"].column_type

        def load(leaf: _Leaf) -> np.ndarray:
            return adapter.fixed_column(leaf.reader, "date", column, np.dtype(">u8"), leaf.size).astype(np.int64)

        return self._column("date", load)

    def date_ranks(self) -> np.ndarray:
        """Each document's place among the distinct dates (0 for the earliest), for sorting."""
        if "date-ranks" not in self._joined:
            self._joined["date-ranks"] = np.unique(self.dates(), return_inverse=True)[1].astype(np.int64)
        return self._joined["date-ranks"]

    def avg_length(self, fieldname: str) -> float:
        if fieldname not in self._avg_lengths:
            self._avg_lengths[fieldname] = self.searcher.avg_field_length(fieldname) or 1.0
        return self._avg_lengths[fieldname]

    # Postings --------------------------------------------------------------------

    def postings(self, fieldname: str, btext: bytes) -> tuple[np.ndarray, np.ndarray]:
        """(document numbers, weights) of one term across the segments, deleted documents included."""
        parts = [
            segment_cache.get(
                (*leaf.key, "post", fieldname, btext),
                lambda leaf=leaf: adapter.read_postings(leaf.reader, fieldname, btext),
            )
            for leaf in self.leaves
        ]
        return _join(parts, self.leaves)

    def positions(self, fieldname: str, btext: bytes) -> np.ndarray:
        """Sorted keys ``document * POSITION_SPAN + position`` of every occurrence of one term."""
        parts = []
        for leaf in self.leaves:
            local = segment_cache.get(
                (*leaf.key, "pos", fieldname, btext),
                lambda leaf=leaf: adapter.read_positions(leaf.reader, fieldname, btext),
            )
            parts.append(local + np.int64(leaf.offset) * POSITION_SPAN if leaf.offset else local)
        if not parts:
            return np.zeros(0, dtype=np.int64)
        return parts[0] if len(parts) == 1 else np.concatenate(parts)

    def expand(self, node: wq.Query) -> list[tuple[str, bytes]]:
        """The index terms a wildcard, prefix or fuzzy word stands for (read from the lexicon once)."""
        key = repr(node)
        if key not in self._expansions:
            terms = []
            for fieldname, text in node.expanded_terms(self.searcher.reader()):
                terms.append((fieldname, text if isinstance(text, bytes) else text.encode("utf-8")))
            self._expansions[key] = terms
        return self._expansions[key]

    def key_terms(self, docnum: int, fieldname: str, numterms: int) -> list[tuple[str, float]]:
        """The document's most telling words, as ``Searcher.key_terms(normalize=False)`` finds them.

        Whoosh's Bo1 expansion model over the stored text, with the same scores and
        order; each word's collection frequency is looked up once per searcher rather
        than once per call (common words recur in every article).
        """
        field = self.searcher.schema[fieldname]
        text = self.searcher.stored_fields(docnum).get(fieldname)
        if not text:
            return []
        weights: dict[str, float] = {}
        top_total = 0.0
        for btext, _, weight, _ in field.index(text):
            word = field.from_bytes(btext)
            top_total += weight
            weights[word] = weights.get(word, 0.0) + weight
        model = Bo1Model(self.size, self.searcher.reader().field_length(fieldname))
        scored, best = [], 0.0
        for word, weight in weights.items():
            frequency = self._frequency(fieldname, field.to_bytes(word))
            if frequency is None:
                continue
            score = model.score(weight, frequency, top_total)
            best = max(best, score)
            scored.append((score, word))
        if not scored:
            return []
        scored = [(score / best, word) for score, word in scored]
        scored.sort(key=lambda item: (0 - item[0], item[1]))
        return [(word, score) for score, word in scored[:numterms]]

    def _frequency(self, fieldname: str, btext: bytes) -> int | None:
        reader = self.searcher.reader()
        key = (fieldname, btext)
        return segment_cache.get(
            (self.storage_key, self.segment_ids, "freq", fieldname, btext),
            lambda: reader.frequency(fieldname, btext) if key in reader else None,
        )

    def idf(self, fieldname: str, btext: bytes, frequency: int | None = None) -> float:
        if frequency is None:
            frequency = self.searcher.doc_frequency(fieldname, btext)
        return math.log(self.size / (frequency + 1)) + 1


def _join(parts, leaves) -> tuple[np.ndarray, np.ndarray]:
    if len(parts) == 1 and leaves[0].offset == 0:
        return parts[0]
    docs = [p[0] + np.int32(leaf.offset) for p, leaf in zip(parts, leaves, strict=True)]
    weights = [p[1] for p in parts]
    if not docs:
        return np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.float32)
    return np.concatenate(docs), np.concatenate(weights)


_snapshot_lock = threading.Lock()
# Each searcher's arrays view, for as long as the searcher lives (one per thread: see search.index).
_snapshots: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def snapshot(searcher, storage_key: str) -> Snapshot:
    """The arrays view of this searcher (made once per searcher; cheap after the first query)."""
    with _snapshot_lock:
        snap = _snapshots.get(searcher)
        if snap is not None and snap.storage_key == storage_key:
            return snap
    snap = Snapshot(searcher, storage_key)
    with _snapshot_lock:
        _snapshots[searcher] = snap
        live = {segment for other in list(_snapshots.values()) if other.storage_key == storage_key
                for segment in other.segment_ids}
    # What belongs to segments no searcher sees any more (merged away) is dropped.
    segment_cache.forget_segments(storage_key, live)
    return snap


# --- Evaluating a query ------------------------------------------------------------

@dataclass
class Matches:
    mask: np.ndarray  # bool per document
    scores: np.ndarray | None  # float per document (meaningful where mask is true); None when not scored


class Evaluator:
    """Turns a Whoosh query into ``Matches``; ``scored=False`` for filters (no scores computed)."""

    def __init__(self, snap: Snapshot, *, scored: bool = True):
        self.snap = snap
        self.scored = scored

    def run(self, node: wq.Query) -> Matches:
        if not adapter.private_reads():  # an unverified Whoosh: its own matchers and scores answer
            return Matches(*adapter.whoosh_matches(self.snap.searcher, node, scored=self.scored))
        found = self._eval(node)
        found.mask &= self.snap.live
        return found

    def _empty(self, score: float = 0.0) -> Matches:
        """No documents yet; each that the caller adds scores ``score`` (Whoosh scores Every,
        Not and ranges by the query's boost)."""
        size = self.snap.size
        return Matches(np.zeros(size, dtype=bool), np.full(size, score, dtype=np.float32) if self.scored else None)

    def _eval(self, node: wq.Query) -> Matches:  # noqa: PLR0911 - one branch per query type
        if node is wq.NullQuery or isinstance(node, type(wq.NullQuery)):
            return self._empty()
        if isinstance(node, wq.Every):
            found = self._empty(node.boost)
            found.mask[:] = True
            return found
        if isinstance(node, wq.Term):
            return self._terms(node, [(node.fieldname, _bytes(self.snap, node.fieldname, node.text))], constant=False)
        if isinstance(node, wq.Phrase):
            return self._phrase(node)
        if isinstance(node, wq.DateRange) and node.fieldname == "date":
            return self._date_range(node)
        if isinstance(node, (wq.Prefix, wq.Wildcard, wq.FuzzyTerm)):
            terms = self.snap.expand(node)
            # As Whoosh does: a single expansion scores as that word; several score the
            # query's boost each when the query asks for constant scores, else their sum.
            return self._terms(node, terms, constant=len(terms) > 1 and getattr(node, "constantscore", False))
        if isinstance(node, wq.Not):
            inner = self._eval(node.query)
            found = self._empty(node.boost)
            found.mask = ~inner.mask
            return found
        if isinstance(node, wq.AndNot):
            positive, negative = self._eval(node.a), self._eval(node.b)
            positive.mask &= ~negative.mask
            return positive
        if isinstance(node, wq.AndMaybe):
            required, optional = self._eval(node.a), self._eval(node.b)
            if self.scored:
                required.scores += np.where(optional.mask, optional.scores, 0) * node.boost
            return required
        if isinstance(node, wq.And) and not isinstance(node, (wq.Ordered, wq.Sequence)):
            return self._combine(node, all_of=True)
        if isinstance(node, wq.Or) and not isinstance(node, wq.DisjunctionMax):
            return self._combine(node, all_of=False)
        return self._with_whoosh(node)

    def _combine(self, node, *, all_of: bool) -> Matches:
        children = [self._eval(child) for child in node.subqueries]
        if not children:
            return self._empty()
        found = children[0]
        if self.scored and not all_of:
            # Scores outside a child's matches are meaningless (an And sums its parts
            # everywhere); an Or must only add the scores of the children that match.
            found.scores = np.where(found.mask, found.scores, 0).astype(np.float32)
        for child in children[1:]:
            if all_of:
                found.mask &= child.mask
            else:
                found.mask |= child.mask
            if self.scored:
                found.scores += child.scores if all_of else np.where(child.mask, child.scores, 0)
        if self.scored and node.boost != 1:
            found.scores *= node.boost
        return found

    def _terms(self, node, terms: list[tuple[str, bytes]], *, constant: bool) -> Matches:
        """Documents holding any of the terms, scored by BM25F (or by the query's boost alone)."""
        found = self._empty()
        snap = self.snap
        for fieldname, btext in terms:
            docs, weights = snap.postings(fieldname, btext)
            if not len(docs):
                continue
            found.mask[docs] = True
            if not self.scored:
                continue
            field = snap.searcher.schema[fieldname]
            if constant or not field.scorable:
                found.scores[docs] = node.boost
                continue
            idf = snap.idf(fieldname, btext, len(docs))
            found.scores[docs] += node.boost * _bm25(idf, weights, snap.lengths(fieldname)[docs],
                                                     snap.avg_length(fieldname))
        return found

    def _phrase(self, node: wq.Phrase) -> Matches:
        snap = self.snap
        field = snap.searcher.schema[node.fieldname] if node.fieldname in snap.searcher.schema else None
        if field is None or not isinstance(field.format, Positions):
            return self._with_whoosh(node)
        words = [_bytes(snap, node.fieldname, word) for word in node.words]
        found = self._empty()
        if not words:
            return found
        slop = max(1, node.slop)
        frontier = snap.positions(node.fieldname, words[0])
        for word in words[1:]:
            following = snap.positions(node.fieldname, word)
            if not len(frontier) or not len(following):
                return found
            # The next word may come 1..slop positions after the previous one.
            reached = [frontier + step for step in range(1, slop + 1)]
            candidates = np.unique(np.concatenate(reached)) if slop > 1 else reached[0]
            at = np.searchsorted(following, candidates)
            at[at == len(following)] = 0
            frontier = candidates[following[at] == candidates]
        if not len(frontier):
            return found
        docs, occurrences = np.unique(frontier // POSITION_SPAN, return_counts=True)
        found.mask[docs] = True
        if self.scored:
            weight = occurrences.astype(np.float32) * field.format.field_boost
            idf = snap.idf(node.fieldname, b"", len(docs))
            found.scores[docs] = node.boost * _bm25(idf, weight, snap.lengths(node.fieldname)[docs],
                                                    snap.avg_length(node.fieldname))
        return found

    def _date_range(self, node: wq.DateRange) -> Matches:
        field = self.snap.searcher.schema["date"]
        dates = self.snap.dates()
        found = self._empty(node.boost)
        found.mask = dates > 0
        if node.startdate is not None:
            found.mask &= dates >= field.to_column_value(node.startdate)
        if node.enddate is not None:
            found.mask &= dates <= field.to_column_value(node.enddate)
        return found

    def _with_whoosh(self, node: wq.Query) -> Matches:
        """Any other query type (ranges over words, spans): Whoosh finds the documents, each scores its boost."""
        found = self._empty(getattr(node, "boost", 1.0))
        found.mask[np.fromiter(node.docs(self.snap.searcher), dtype=np.int64)] = True
        return found


def _bytes(snap: Snapshot, fieldname: str, text) -> bytes:
    if isinstance(text, bytes):
        return text
    if fieldname in snap.searcher.schema:
        return snap.searcher.schema[fieldname].to_bytes(text)
    return str(text).encode("utf-8")


def _bm25(idf: float, weights: np.ndarray, lengths: np.ndarray, avg_length: float) -> np.ndarray:
    """Whoosh's ``scoring.bm25`` over arrays (weights are term frequency times the field boost)."""
    return idf * (weights * (K1 + 1)) / (weights + K1 * ((1 - B) + B * lengths / avg_length))


# --- Ranking -----------------------------------------------------------------------

def rank(snap: Snapshot, matches: Matches, *, sort: str, start: int, stop: int) -> list[tuple[int, float]]:
    """(document number, score) for ranks ``start``..``stop`` among the matches.

    Relevance: best score first, ties by document number (the order of indexing).
    Dates: newest first with the last indexed first on the same day, or oldest first
    with the first indexed first (as the database orders by date and id).
    """
    docs = np.flatnonzero(matches.mask)
    if start >= len(docs):
        return []
    if sort in ("newest", "oldest"):
        # One integer key per match (date rank, then document number) lets the page be
        # picked with a partial sort instead of sorting every match.
        keys = snap.date_ranks()[docs] * np.int64(1 << 32) + docs
        if sort == "newest":
            keys = -keys
        if len(keys) > stop:
            top = np.argpartition(keys, stop - 1)[:stop]
            order = top[np.argsort(keys[top])][start:stop]
        else:
            order = np.argsort(keys)[start:stop]
        return [(int(docnum), 0.0) for docnum in docs[order]]
    scores = matches.scores[docs] if matches.scores is not None else np.zeros(len(docs), dtype=np.float32)
    wanted = stop
    if len(docs) > wanted:
        # Only the scores at or above the wanted-th best can be on the page; ties are kept
        # so that the tie-break by document number stays exact.
        threshold = np.partition(scores, len(docs) - wanted)[len(docs) - wanted]
        keep = scores >= threshold
        docs, scores = docs[keep], scores[keep]
    order = np.lexsort((docs, -scores))[start:stop]
    return list(zip(docs[order].tolist(), scores[order].tolist(), strict=True))
