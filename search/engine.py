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
import time
import weakref
from dataclasses import dataclass

import numpy as np
from whoosh import query as wq
from whoosh.classify import Bo1Model
from whoosh.formats import Positions

from search import whoosh_adapter as adapter
from search.cache import segment_cache
from search.query import QueryError
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
        # With the segment ids, names the documents this searcher sees: a segment's
        # deleted documents only ever grow.
        self.live_count = int(np.count_nonzero(self.live))
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
        field = self.searcher.schema["date"]
        column = field.column_type

        def load(leaf: _Leaf) -> np.ndarray:
            values = adapter.fixed_column(leaf.reader, "date", column, np.dtype(">u8"), leaf.size)
            # An undated document reads as the column's default in a segment that holds dated
            # ones, and as 0 in a segment that holds none: both are "no date", or undated
            # stories of different segments would sort apart instead of by id.
            values[values == field.default] = 0
            return values.astype(np.int64)

        return self._column("date", load)

    def article_ids(self) -> np.ndarray:
        """Each document's article id (0 in an index written before the column existed)."""

        def load(leaf: _Leaf) -> np.ndarray:
            column = self.searcher.schema["article_id"].column_type
            return adapter.fixed_column(leaf.reader, "article_id", column, np.dtype(">u4"), leaf.size).astype(np.int64)

        return self._column("article-id", load)

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

    def expand(self, node: wq.Query, *, limit: int | None = None, deadline=None, error=None) -> list[tuple[str, bytes]]:
        """The index terms a wildcard, prefix or fuzzy word stands for (read from the lexicon once).

        With ``limit``, more terms than that raise ``error(node)``; ``deadline`` is checked
        while the lexicon is read.
        """
        key = repr(node)
        terms = self._expansions.get(key)
        if terms is None:
            terms = []
            for fieldname, text in node.expanded_terms(self.searcher.reader()):
                if limit is not None and len(terms) >= limit:
                    raise error(node)
                if deadline is not None and not len(terms) % 64:
                    deadline.check()
                terms.append((fieldname, text if isinstance(text, bytes) else text.encode("utf-8")))
            if len(self._expansions) >= _EXPANSIONS_KEPT:
                self._expansions.clear()
            self._expansions[key] = terms
        return terms

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
        term_counts = getattr(field, "term_counts", None)
        if term_counts is not None:  # the same weights as field.index gives, without positions
            boost = field.format.field_boost
            for word, count in term_counts(text).items():
                weight = float(count) * boost
                top_total += weight
                weights[word] = weight
        else:
            for btext, _, weight, _ in field.index(text):
                word = field.from_bytes(btext)
                top_total += weight
                weights[word] = weights.get(word, 0.0) + weight
        model = Bo1Model(self.size, self.searcher.reader().field_length(fieldname))
        scored, best = [], 0.0
        frequencies = self._frequencies(fieldname, [field.to_bytes(word) for word in weights])
        for (word, weight), frequency in zip(weights.items(), frequencies, strict=True):
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

    def _frequencies(self, fieldname: str, words: list[bytes]) -> list[int | None]:
        """Each word's collection frequency in the field (None when the index lacks it), looked up
        in the cache in one pass (an article has some hundreds of distinct words)."""
        reader = self.searcher.reader()

        leaves = [leaf for leaf, _ in reader.leaf_readers()]

        def frequency(word: bytes) -> int | None:
            # One look-up of the word per segment (``word in reader`` before ``reader.frequency``
            # looked it up twice). A word the index holds occurs at least once, so 0 means absent.
            return sum(leaf.frequency(fieldname, word) for leaf in leaves) or None

        def read(keys: list[tuple]) -> list[int | None]:
            return [frequency(key[-1]) for key in keys]

        prefix = (self.storage_key, self.segment_ids, "freq", fieldname)
        return segment_cache.get_many([(*prefix, word) for word in words], read)

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


# --- Limits and the time budget ------------------------------------------------------

class QueryTooExpensive(QueryError):
    """Evaluation stopped at a limit (the time budget, or too many words to look up)."""


TOO_EXPENSIVE = (
    "This query is too expensive to run. Make it more specific: fewer or longer prefixes and "
    "wildcards, fewer fuzzy words, or a filter."
)
MAX_EXPANSIONS = 1000  # index words one prefix, wildcard, fuzzy word or field wildcard may stand for
MAX_QUERY_EXPANSIONS = 4000  # the same, for all of them in one query together
_PRELOADED_OR_UP_TO = 5000  # whoosh.query.Or: segments up to this size preload an Or of 3+ clauses
_EXPANSIONS_KEPT = 2000  # expanded queries remembered per snapshot (highlighting reuses them)
# Terms combined by And and Or are evaluated over their own documents when their postings
# (inside the filters) hold at most this share of the index's documents (Evaluator._few).
FEW_DOCUMENTS = 1 / 16


class Deadline:
    """The moment a search must stop by; ``check()`` raises ``QueryTooExpensive`` after it."""

    __slots__ = ("at",)

    def __init__(self, seconds: float | None):
        self.at = None if seconds is None else time.monotonic() + seconds

    def check(self) -> None:
        if self.at is not None and time.monotonic() > self.at:
            raise QueryTooExpensive(TOO_EXPENSIVE)


NO_DEADLINE = Deadline(None)


def _too_many_words(node: wq.Query) -> QueryTooExpensive:
    fieldname = getattr(node, "fieldname", None) or ""
    if isinstance(node, wq.TermRange):
        shown = f"{fieldname}:[{node.start or ''} to {node.end or ''}]"
    elif isinstance(node, wq.Every):
        shown = f"{fieldname}:*"
    else:
        shown = str(getattr(node, "text", ""))
    return QueryTooExpensive(
        f"“{shown[:40]}” stands for more than {MAX_EXPANSIONS:,} different words in the archive. "
        "Make it more specific."
    )


# --- Evaluating a query ------------------------------------------------------------

class Matches:
    """The matching documents: ``mask``, a bool per document, and ``scores``, a float64 per
    document (meaningful where ``mask`` is true; None when not scored).

    Few matches (``Matches.few``) are kept as their document numbers and scores, and made
    into arrays over the whole index only when ``mask`` or ``scores`` is read: a rare word
    is counted and ranked from its forty documents, not from arrays of every document
    (allocating, filling and scanning those cost more than the rest of its evaluation).
    """

    __slots__ = ("_mask", "_scores", "_docs", "_doc_scores", "_size")

    def __init__(self, mask: np.ndarray | None, scores: np.ndarray | None):
        self._mask, self._scores = mask, scores
        self._docs = self._doc_scores = None
        self._size = 0 if mask is None else len(mask)

    @classmethod
    def few(cls, size: int, docs: np.ndarray, scores: np.ndarray | None) -> Matches:
        """``docs`` (ascending, distinct) of ``size`` documents, scoring ``scores`` (None: not scored)."""
        found = cls(None, None)
        found._size, found._docs = size, docs
        found._doc_scores = None if scores is None else scores.astype(np.float64, copy=False)
        return found

    def _dense(self) -> None:
        """Make the arrays over the whole index from the documents (from then on only they count:
        callers may change them in place)."""
        if self._docs is not None:
            self._mask = np.zeros(self._size, dtype=bool)
            self._mask[self._docs] = True
            if self._doc_scores is not None:
                self._scores = np.zeros(self._size, dtype=np.float64)
                self._scores[self._docs] = self._doc_scores
            self._docs = self._doc_scores = None

    @property
    def mask(self) -> np.ndarray:
        self._dense()
        return self._mask

    @mask.setter
    def mask(self, mask: np.ndarray) -> None:
        self._dense()
        self._mask = mask

    @property
    def scores(self) -> np.ndarray | None:
        self._dense()
        return self._scores

    @scores.setter
    def scores(self, scores: np.ndarray | None) -> None:
        self._dense()
        self._scores = scores

    @property
    def is_few(self) -> bool:
        """Whether the matches are kept as document numbers (``Matches.few``), not yet as arrays."""
        return self._docs is not None

    def documents(self) -> np.ndarray:
        """The matching document numbers, ascending."""
        return self._docs if self._docs is not None else np.flatnonzero(self._mask)

    def document_scores(self, docs: np.ndarray) -> np.ndarray | None:
        """The scores of ``docs`` (from ``documents()``), or None when not scored."""
        if self._docs is not None:
            return self._doc_scores if docs is self._docs else (
                None if self._doc_scores is None else self._doc_scores[np.searchsorted(self._docs, docs)])
        return None if self._scores is None else self._scores[docs]

    def restrict(self, allowed: np.ndarray) -> None:
        """Keep only the matches ``allowed`` (a bool per document) holds."""
        if self._docs is None:
            self._mask &= allowed
            return
        keep = allowed[self._docs]
        if not keep.all():
            self._docs = self._docs[keep]
            if self._doc_scores is not None:
                self._doc_scores = self._doc_scores[keep]


class Evaluator:
    """Turns a Whoosh query into ``Matches`` as Whoosh would; ``scored=False`` for filters.

    The contract: the query types in ``NATIVE`` are evaluated here over arrays, each
    giving Whoosh's matches and Whoosh's scores (``tests/search/test_differential.py``
    compares them on random query trees). Any other type, or a native type in a form
    not covered (a phrase in a field without positions, an Or with ``minmatch``), is
    answered by Whoosh's own matcher with Whoosh's own scores.

    ``deadline`` bounds the work: it is checked at every query node, every looked-up
    word and every few hundred documents of Whoosh's matcher, and expansions of
    prefixes, wildcards and fuzzy words are capped.
    """

    def __init__(self, snap: Snapshot, *, scored: bool = True, deadline: Deadline | None = None):
        self.snap = snap
        self.scored = scored
        self.deadline = deadline or NO_DEADLINE
        self.expanded = 0  # words looked up for prefixes, wildcards and fuzzy words so far

    def run(self, node: wq.Query, *, within: np.ndarray | None = None) -> Matches:
        """The matches of ``node``. ``within``: a boolean array of the only documents the
        caller keeps (the sidebar filters); outside it the matches may be left out."""
        if not adapter.private_reads():
            # An unverified Whoosh: its own matchers and scores answer. The query's limits
            # still hold (parsing bounds slop and fuzziness; expansions are counted first);
            # its search is not stopped at the deadline.
            self._bound_expansions(node)
            return Matches(*adapter.whoosh_matches(self.snap.searcher, node, scored=self.scored))
        found = self._few(node, within)
        if found is None:
            found = self._eval(node)
        found.restrict(self.snap.live)
        return found

    # Few documents ----------------------------------------------------------------

    def _few(self, node: wq.Query, within: np.ndarray | None) -> Matches | None:
        """Terms combined by And and Or whose postings (inside ``within``) hold few documents,
        evaluated over those documents only; None for any other query.

        Every array of ``_eval`` spans the index: for a rare word, or a common one narrowed
        by filters, allocating and combining them costs more than the matches. Here each
        node is (document numbers, scores) and the sums are made in the same order, so the
        matches and scores are exactly ``_eval``'s (a test compares the two).
        """
        postings: dict[int, tuple] = {}
        if not self._few_postings(node, within, postings):
            return None
        if sum(len(docs) for docs, *_ in postings.values()) > self.snap.size * FEW_DOCUMENTS:
            return None
        docs, scores = self._few_eval(node, postings)
        return Matches.few(self.snap.size, docs, scores if self.scored else None)

    def _few_postings(self, node: wq.Query, within: np.ndarray | None, postings: dict) -> bool:
        """Look up the postings of every term of the tree (kept inside ``within``) into ``postings``
        by node; False when the tree holds another kind of node."""
        kind = type(node)
        if kind is wq.And or (kind is wq.Or and not node.minmatch and not node.scale):
            return all(self._few_postings(child, within, postings) for child in node.subqueries)
        if kind is not wq.Term:
            return False
        self.deadline.check()
        try:
            btext = _bytes(self.snap, node.fieldname, node.text)
        except ValueError:  # not a value of this field (Whoosh matches nothing)
            postings[id(node)] = (np.zeros(0, dtype=np.int64), None, b"", 0)
            return True
        docs, weights = self.snap.postings(node.fieldname, btext)
        frequency = len(docs)  # for the term's idf: every document holding it, in or out
        if within is not None and frequency:
            keep = within[docs]
            docs, weights = docs[keep], weights[keep]
        postings[id(node)] = (docs, weights, btext, frequency)
        return True

    def _few_eval(self, node: wq.Query, postings: dict) -> tuple[np.ndarray, np.ndarray | None]:
        """(ascending document numbers, their scores) of a node ``_few_postings`` accepted."""
        self.deadline.check()
        if type(node) is wq.Term:
            docs, weights, btext, frequency = postings[id(node)]
            if not self.scored or not len(docs):
                return docs, None if not self.scored else np.zeros(0, dtype=np.float64)
            scores = self._term_scores(node.fieldname, btext, docs, weights, frequency)
            return docs, scores * node.boost if node.boost != 1 else scores
        children = [self._few_eval(child, postings) for child in node.subqueries]
        if not children:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64) if self.scored else None
        if len(children) == 1:
            return children[0]  # Whoosh uses the child's matcher as it is (no boost)
        if type(node) is wq.And:
            docs = children[0][0]
            for child_docs, _ in children[1:]:
                docs = np.intersect1d(docs, child_docs, assume_unique=True)
            if not self.scored:
                return docs, None
            scores = np.zeros(len(docs), dtype=np.float64)
            for child_docs, child_scores in children:  # the children's scores added in order, as _combine does
                scores += child_scores[np.searchsorted(child_docs, docs)]
        else:
            docs = np.unique(np.concatenate([child_docs for child_docs, _ in children]))
            if not self.scored:
                return docs, None
            scores = np.zeros(len(docs), dtype=np.float64)
            for child_docs, child_scores in children:  # a child that does not match adds nothing
                scores[np.searchsorted(docs, child_docs)] += child_scores
        if node.boost != 1:
            scores *= node.boost
        return docs, scores

    def term_docs(self, fieldname: str, text: str, *, boost: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
        """The live documents holding one word, with the scores ``run(Term(fieldname, text, boost=boost))``
        gives them (ones when unscored), as two short arrays instead of arrays the size of the index.

        For callers that combine many words and entities themselves (related articles): each
        costs what its postings cost, not a pass over every document of the index.
        """
        if not adapter.private_reads():
            found = self.run(wq.Term(fieldname, text, boost=boost))
            docs = np.flatnonzero(found.mask)
            return docs, found.scores[docs] if self.scored else np.ones(len(docs))
        self.deadline.check()
        try:
            btext = _bytes(self.snap, fieldname, text)
        except ValueError:  # not a value of this field (Whoosh matches nothing)
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64)
        docs, weights = self.snap.postings(fieldname, btext)
        keep = self.snap.live[docs]
        if not self.scored:
            return docs[keep], np.ones(int(np.count_nonzero(keep)))
        scores = self._term_scores(fieldname, btext, docs, weights, len(docs))
        if boost != 1:
            scores = scores * boost
        return docs[keep], scores[keep]

    def _empty(self, score: float = 0.0) -> Matches:
        """No documents yet; each that the caller adds scores ``score``."""
        size = self.snap.size
        return Matches(np.zeros(size, dtype=bool), np.full(size, score, dtype=np.float64) if self.scored else None)

    def _eval(self, node: wq.Query) -> Matches:
        self.deadline.check()
        method = NATIVE.get(type(node))  # the exact type: a subclass (Ordered, DisjunctionMax) means otherwise
        return method(self, node) if method is not None else self._with_whoosh(node)

    def _unscored(self, node: wq.Query) -> np.ndarray:
        scored, self.scored = self.scored, False
        try:
            return self._eval(node).mask
        finally:
            self.scored = scored

    # Leaves ------------------------------------------------------------------------

    def _null(self, node) -> Matches:
        return self._empty()

    def _every(self, node: wq.Every) -> Matches:
        # Whoosh's ListMatcher scores its weight, the boost (1.0 when the boost is 0).
        found = self._empty(node.boost or 1.0)
        if node.fieldname in (None, "", "*"):
            found.mask[:] = True
            return found
        field = self.snap.searcher.schema[node.fieldname] if node.fieldname in self.snap.searcher.schema else None
        if field is None or not field.scorable:
            return self._with_whoosh(node)
        # A document has a word in the field exactly when its length there is not 0
        # (Whoosh unites the postings of every word of the field: the same documents).
        found.mask = self.snap.lengths(node.fieldname) > 0
        return found

    def _term(self, node: wq.Term) -> Matches:
        try:
            btext = _bytes(self.snap, node.fieldname, node.text)
        except ValueError:  # not a value of this field (Whoosh matches nothing)
            return self._empty()
        return self._terms([(node.fieldname, btext)], boost=node.boost)

    def _terms(self, terms: list[tuple[str, bytes]], *, boost: float) -> Matches:
        """Documents holding any of the terms; the score sums each term's (Whoosh's Or)."""
        found = self._empty()
        first = True
        for fieldname, btext in terms:
            self.deadline.check()
            docs, weights = self.snap.postings(fieldname, btext)
            if not len(docs):
                continue
            found.mask[docs] = True
            if self.scored:
                scores = self._term_scores(fieldname, btext, docs, weights, len(docs))
                if first:  # the scores are all 0 still: a plain store is the same sum, cheaper
                    found.scores[docs] = scores
                else:
                    found.scores[docs] += scores
                first = False
        if self.scored and boost != 1:
            found.scores *= boost
        return found

    def _term_scores(self, fieldname: str, btext: bytes, docs: np.ndarray, weights: np.ndarray,
                     frequency: int) -> np.ndarray:
        """Whoosh's score of one term (boost 1) in each of ``docs`` (where it occurs with ``weights``);
        ``frequency`` is the number of documents holding the term, deleted ones included."""
        snap = self.snap
        if not snap.searcher.schema[fieldname].scorable:
            return weights.astype(np.float64)  # Whoosh's WeightScorer
        idf = snap.idf(fieldname, btext, frequency)
        weights = weights.astype(np.float64)
        # Whoosh's scoring.bm25, in its order of operations.
        return idf * ((weights * (K1 + 1)) / (weights + _length_norms(snap, fieldname)[docs]))

    def _expanding(self, node: wq.Query) -> Matches:
        """Prefix, Wildcard, FuzzyTerm: Whoosh's MultiTerm matcher, segment by segment.

        In each segment Whoosh looks up the words that segment holds. One word scores as
        a plain term (no boost). Several are an Or of their terms without a weighting
        (the query asks for constant scores), and Whoosh's Or then picks its matcher by
        the segment: two words, or a segment of more than 5,000 documents, give a tree of
        unions that still sums the words' BM25F scores (times the boost); otherwise the
        preloaded Or scores each matching document 1.
        """
        if isinstance(node, wq.Wildcard) and node.text == "*":
            return self._every(wq.Every(node.fieldname, boost=node.boost))  # as Wildcard.matcher does
        terms = self.snap.expand(node, limit=MAX_EXPANSIONS, deadline=self.deadline, error=_too_many_words)
        self.expanded += len(terms)
        if self.expanded > MAX_QUERY_EXPANSIONS:
            raise QueryTooExpensive(TOO_EXPENSIVE)
        found = self._terms(terms, boost=1.0)
        if not self.scored or len(terms) < 2:
            return found
        if (node.boost == 1 and len(terms) < wq.Or.TOO_MANY_CLAUSES
                and all(leaf.size > _PRELOADED_OR_UP_TO for leaf in self.snap.leaves)):
            return found  # every segment sums the words' scores: nothing to adjust
        for leaf, present in zip(self.snap.leaves, self._terms_per_leaf(terms), strict=True):
            here = slice(leaf.offset, leaf.offset + leaf.size)
            if present < 2:
                continue
            if present == 2 or (leaf.size > _PRELOADED_OR_UP_TO and present < wq.Or.TOO_MANY_CLAUSES):
                if node.boost != 1:
                    found.scores[here] *= node.boost
            else:
                found.scores[here] = 1.0
        return found

    def _terms_per_leaf(self, terms: list[tuple[str, bytes]]) -> np.ndarray:
        """How many of the terms each segment holds (deleted documents count: Whoosh's lexicon)."""
        leaves = self.snap.leaves
        if len(leaves) == 1:
            return np.array([len(terms)])
        bounds = np.array([leaf.offset for leaf in leaves] + [self.snap.size], dtype=np.int64)
        present = np.zeros(len(leaves), dtype=np.int64)
        for fieldname, btext in terms:
            docs, _ = self.snap.postings(fieldname, btext)
            # Documents are in segment order: a segment holds the term when some fall in its range.
            present += np.diff(np.searchsorted(docs, bounds)) > 0
        return present

    def _phrase(self, node: wq.Phrase) -> Matches:
        """Whoosh's Phrase: SpanNear2 over the words (each next word 1..slop positions after
        the one before), scored as the sum of the words' term scores."""
        snap = self.snap
        field = snap.searcher.schema[node.fieldname] if node.fieldname in snap.searcher.schema else None
        if field is None or not isinstance(field.format, Positions) or not node.words:
            return self._with_whoosh(node)
        try:
            words = [_bytes(snap, node.fieldname, word) for word in node.words]
        except ValueError:
            return self._empty()
        found = self._empty()
        # Keys are document * SPAN + position: a gap across two documents is at least
        # SPAN minus a position, more than this slop for any document under 8 million words.
        slop = min(node.slop, POSITION_SPAN // 2)
        frontier = snap.positions(node.fieldname, words[0])
        for word in words[1:]:
            self.deadline.check()
            following = snap.positions(node.fieldname, word)
            if not len(frontier) or not len(following):
                return found
            if slop == 1:  # the next word right after: look each reached place up once
                candidates = frontier + 1
                at = np.searchsorted(following, candidates)
                at[at == len(following)] = 0
                frontier = candidates[following[at] == candidates]
                continue
            # The closest occurrence of the phrase so far before each occurrence of the
            # next word decides it: cost grows with the occurrences, never with the slop.
            before = np.searchsorted(frontier, following, side="left") - 1
            gap = following - frontier[before]  # before == -1 reads the last: excluded below
            reached = (gap >= 1) & (gap <= slop) & (before >= 0)
            frontier = following[reached]
        if not len(frontier):
            return found
        docs = np.unique(frontier // POSITION_SPAN)
        found.mask[docs] = True
        if self.scored:
            parts = []
            for btext in words:
                term_docs, weights = snap.postings(node.fieldname, btext)
                spread = np.zeros(snap.size, dtype=weights.dtype)  # a scatter beats a search here
                spread[term_docs] = weights
                parts.append(self._term_scores(node.fieldname, btext, docs, spread[docs], len(term_docs)))
            found.scores[docs] = _tree_sum(parts)
            if node.boost != 1:
                found.scores[docs] *= node.boost
        return found

    def _date_range(self, node: wq.DateRange) -> Matches:
        if node.fieldname != "date" or not node.constantscore:
            return self._with_whoosh(node)
        field = self.snap.searcher.schema["date"]
        dates = self.snap.dates()
        found = self._empty(node.boost)  # Whoosh's ConstantScoreQuery
        found.mask = dates > 0
        if node.startdate is not None:
            found.mask &= dates >= field.to_column_value(node.startdate)
        if node.enddate is not None:
            found.mask &= dates <= field.to_column_value(node.enddate)
        return found

    # Combinations ------------------------------------------------------------------

    def _not(self, node: wq.Not) -> Matches:
        found = self._empty(1.0)  # Whoosh's InverseMatcher scores 1, whatever the boost
        found.mask = ~self._unscored(node.query)
        return found

    def _and_not(self, node: wq.AndNot) -> Matches:
        positive = self._eval(node.a)
        positive.mask &= ~self._unscored(node.b)
        return positive

    def _and_maybe(self, node: wq.AndMaybe) -> Matches:
        required = self._eval(node.a)
        if not self.scored:
            return required
        optional = self._eval(node.b)
        required.scores += np.where(optional.mask, optional.scores, 0)
        return required

    def _and(self, node: wq.And) -> Matches:
        return self._combine(node, all_of=True)

    def _or(self, node: wq.Or) -> Matches:
        if node.minmatch or node.scale:
            return self._with_whoosh(node)
        return self._combine(node, all_of=False)

    def _combine(self, node, *, all_of: bool) -> Matches:
        children = [self._eval(child) for child in node.subqueries]
        if not children:
            return self._empty()
        found = children[0]
        if len(children) == 1:
            return found  # Whoosh uses the child's matcher as it is (no boost)
        if self.scored and not all_of:
            # An Or only adds the scores of the children that match.
            found.scores = np.where(found.mask, found.scores, 0)
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

    # Everything else ---------------------------------------------------------------

    def _with_whoosh(self, node: wq.Query) -> Matches:
        """Whoosh's own matcher and scores, segment by segment, within the deadline."""
        searcher = self.snap.searcher
        self._bound_expansions(node)
        context = searcher.context() if self.scored else searcher.boolean_context()
        docs: list[int] = []
        scores: list[float] = []
        try:
            for sub, offset in searcher.leaf_searchers():
                matcher = node.matcher(sub, context)
                seen = 0
                while matcher.is_active():
                    docs.append(offset + matcher.id())
                    if self.scored:
                        scores.append(matcher.score())
                    matcher.next()
                    seen += 1
                    if not seen % 256:
                        self.deadline.check()
                self.deadline.check()
        except wq.QueryError as error:
            raise QueryError(f"That query cannot be run: {error}") from None
        found = self._empty()
        at = np.array(docs, dtype=np.int64)
        found.mask[at] = True
        if self.scored:
            found.scores[at] = np.array(scores, dtype=np.float64)
        return found

    def _bound_expansions(self, node: wq.Query) -> None:
        """Count what Whoosh would expand (word ranges, field wildcards) before it does."""
        reader = self.snap.searcher.reader()
        for leaf in node.leaves():
            if isinstance(leaf, wq.Every) and leaf.fieldname not in (None, "", "*"):
                words = reader.lexicon(leaf.fieldname) if leaf.fieldname in reader.schema else ()
            elif isinstance(leaf, wq.MultiTerm):
                words = leaf.expanded_terms(reader)  # the words Whoosh's MultiTerm.matcher will look up
            else:
                continue
            count = 0
            for _ in words:
                count += 1
                if count > MAX_EXPANSIONS:
                    raise _too_many_words(leaf)
                if not count % 64:
                    self.deadline.check()
            self.expanded += count
            if self.expanded > MAX_QUERY_EXPANSIONS:
                raise QueryTooExpensive(TOO_EXPENSIVE)


NATIVE = {
    type(wq.NullQuery): Evaluator._null,
    wq.Every: Evaluator._every,
    wq.Term: Evaluator._term,
    wq.Phrase: Evaluator._phrase,
    wq.Prefix: Evaluator._expanding,
    wq.Wildcard: Evaluator._expanding,
    wq.FuzzyTerm: Evaluator._expanding,
    wq.DateRange: Evaluator._date_range,
    wq.Not: Evaluator._not,
    wq.AndNot: Evaluator._and_not,
    wq.AndMaybe: Evaluator._and_maybe,
    wq.And: Evaluator._and,
    wq.Or: Evaluator._or,
}
"""The query types the engine evaluates itself, each proven equal to Whoosh (matches and scores)."""


def _bytes(snap: Snapshot, fieldname: str, text) -> bytes:
    if isinstance(text, bytes):
        return text
    if fieldname in snap.searcher.schema:
        return snap.searcher.schema[fieldname].to_bytes(text)
    return str(text).encode("utf-8")


_norms: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # per snapshot: field -> norms


def _length_norms(snap: Snapshot, fieldname: str) -> np.ndarray:
    """BM25's length part ``K1 * ((1 - B) + B * length / average length)`` of every document,
    in float64 and in Whoosh's order of operations; made once per snapshot and field."""
    fields = _norms.get(snap)
    if fields is None:
        fields = _norms.setdefault(snap, {})
    norms = fields.get(fieldname)
    if norms is None:
        lengths = snap.lengths(fieldname).astype(np.float64)
        norms = fields[fieldname] = K1 * ((1 - B) + B * lengths / snap.avg_length(fieldname))
    return norms


def _tree_sum(parts: list[np.ndarray]) -> np.ndarray:
    """Sum as ``whoosh.util.make_binary_tree`` nests Whoosh's matchers (same rounding)."""
    if len(parts) == 1:
        return parts[0]
    half = len(parts) // 2
    return _tree_sum(parts[:half]) + _tree_sum(parts[half:])


# --- Ranking -----------------------------------------------------------------------

def rank(snap: Snapshot, matches: Matches, *, sort: str, start: int, stop: int) -> list[tuple[int, float]]:
    """(document number, score) for ranks ``start``..``stop`` among the matches.

    Relevance: best score first, ties by document number (the order of indexing).
    Dates: newest first with the highest article id first on the same day, or oldest
    first with the lowest first, as the database orders by date and id (an article
    re-indexed after an edit keeps its place).
    """
    docs = matches.documents()
    if start >= len(docs):
        return []
    if sort in ("newest", "oldest"):
        # One integer key per match (date rank, then article id) lets the page be picked
        # with a partial sort instead of sorting every match.
        keys = snap.date_ranks()[docs] * np.int64(1 << 32) + snap.article_ids()[docs]
        if sort == "newest":
            keys = -keys
        if len(keys) > stop:
            top = np.argpartition(keys, stop - 1)[:stop]
            order = top[np.argsort(keys[top])][start:stop]
        else:
            order = np.argsort(keys)[start:stop]
        return [(int(docnum), 0.0) for docnum in docs[order]]
    scores = matches.document_scores(docs)
    if scores is None:
        scores = np.zeros(len(docs), dtype=np.float32)
    wanted = stop
    if len(docs) > wanted:
        # Only the scores at or above the wanted-th best can be on the page; ties are kept
        # so that the tie-break by document number stays exact.
        threshold = np.partition(scores, len(docs) - wanted)[len(docs) - wanted]
        keep = scores >= threshold
        docs, scores = docs[keep], scores[keep]
    order = np.lexsort((docs, -scores))[start:stop]
    return list(zip(docs[order].tolist(), scores[order].tolist(), strict=True))
