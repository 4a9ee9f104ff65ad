"""The one door to whoosh-reloaded's internals.

Dossier reads and writes the index faster than Whoosh's public API allows by using a
few of its private names: how the W3 codec lays out posting blocks, term infos and
fixed-width columns, what its per-document reader and posting pool keep, how the
Positions format encodes a posting. Every such access lives in this module, and only
here. Everything else in ``search/`` uses Whoosh's public API.

The private layout was verified against the versions in ``VERIFIED_VERSIONS``. On any
other version the private paths step aside: searches are answered by Whoosh's own
matchers and scorers, postings and columns are read through the public API, writers
are Whoosh's stock ones, and the ``search.W001`` system check says so. On a verified
version, the first searcher of a process also decodes a few words both ways
(privately and through ``reader.postings()``) and compares; any difference turns the
private read path off for the life of the process.

Nothing here replaces anything inside Whoosh: faster classes are subclasses, passed
explicitly to the calls that accept them.
"""

from __future__ import annotations

import ctypes
import functools
import heapq
import logging
import marshal
import os
import pickle
import queue as queue_module
import signal
import struct
import threading
import zlib
from array import array
from importlib.metadata import PackageNotFoundError, version
from itertools import chain, groupby
from operator import itemgetter, sub
from pickle import dumps, loads

import numpy as np
from whoosh import fields, query
from whoosh.codec import whoosh3
from whoosh.multiproc import MpWriter, SubWriterTask
from whoosh.reading import TermNotFound
from whoosh.system import pack_uint
from whoosh.util.numeric import byte_to_length
from whoosh.writing import PostingPool, SegmentWriter

logger = logging.getLogger(__name__)

# whoosh-reloaded versions whose private layout this module was checked against
# (tests/search/test_adapter.py runs the conformance check and the writer comparisons).
VERIFIED_VERSIONS = frozenset({"2.7.5"})

POSITION_SPAN = 1 << 24  # a document's word positions stay below this (16 million words)

# What reading a damaged segment raises (bad offsets, bad compressed blocks, bad pickles,
# files gone or cut short); callers turn these into "the index needs rebuilding".
READ_ERRORS: tuple[type[BaseException], ...] = (
    OSError, EOFError, struct.error, zlib.error, pickle.UnpicklingError, UnicodeDecodeError,
    TermNotFound, MemoryError,
)

_LENGTHS = np.array([byte_to_length(b) for b in range(256)], dtype=np.float32)


# --- The guard -------------------------------------------------------------------------

@functools.cache  # the package's metadata is read from disk; the imported module never changes under a process
def installed_version() -> str:
    try:
        return version("Whoosh-Reloaded")
    except PackageNotFoundError:  # an unpackaged checkout: ask the module
        import whoosh

        return whoosh.versionstring()


def version_verified() -> bool:
    return installed_version() in VERIFIED_VERSIONS


_conformance_lock = threading.Lock()
_conformance: dict[str, str | None] = {}  # "result": None when it passed, else why it failed


def private_reads() -> bool:
    """Whether postings, positions and columns may be decoded privately in this process."""
    return version_verified() and _conformance.get("result") is None


def private_writes() -> bool:
    """Whether writers may use the faster posting pool and per-document reader."""
    return version_verified()


def conformance_failure() -> str | None:
    """Why this process's conformance check failed, or None (passed or not run yet)."""
    return _conformance.get("result")


def reset_conformance() -> None:
    """Forget this process's conformance result (tests; a new index is checked afresh)."""
    with _conformance_lock:
        _conformance.clear()


def ensure_conformance(searcher, *, sample_terms: int = 6) -> None:
    """Once per process: compare private decoding with Whoosh's public postings API on a few words.

    Words are taken from the start of the title and body lexicons, preferring ones with
    more than one posting block, so block-to-block decoding is covered. An index with
    no words yet is checked at a later call.
    """
    if "result" in _conformance or not version_verified():
        return
    with _conformance_lock:
        if "result" in _conformance:
            return
        try:
            failure = _compare_both_ways(searcher, sample_terms)
        except READ_ERRORS:
            raise  # a damaged index, not a different Whoosh: the caller reports it
        except Exception as error:  # noqa: BLE001 - any surprise from the private path disables it
            failure = f"private decoding raised {error!r}"
        if failure == "empty":
            return
        _conformance["result"] = failure
    if failure:
        logger.warning("Whoosh conformance check failed (%s); searching through Whoosh's public API.", failure)


def _compare_both_ways(searcher, sample_terms: int) -> str | None:
    checked = 0
    for reader, _ in searcher.reader().leaf_readers():
        if reader.segment() is None or not reader.doc_count_all():
            continue  # an empty index has no segment to compare yet
        for fieldname in ("body", "title"):
            if fieldname not in reader.schema:
                continue
            # Whoosh's public postings leave deleted documents out; the private ones keep them.
            deleted = np.fromiter(reader.deleted_docs_set, dtype=np.int64) if reader.has_deletions() else None
            for btext in _sample_terms(reader, fieldname, sample_terms):
                ids, weights = _private_postings(reader, fieldname, btext)
                keys = _private_positions(reader, fieldname, btext)
                if deleted is not None:
                    live = ~np.isin(ids, deleted)
                    ids, weights = ids[live], weights[live]
                    keys = keys[~np.isin(keys // POSITION_SPAN, deleted)]
                public_ids, public_weights = _public_postings(reader, fieldname, btext)
                if not (np.array_equal(ids, public_ids) and np.allclose(weights, public_weights)):
                    return f"postings of {fieldname}:{btext!r} differ"
                if not np.array_equal(keys, _public_positions(reader, fieldname, btext)):
                    return f"positions of {fieldname}:{btext!r} differ"
                checked += 1
            size = min(reader.doc_count_all(), 2000)
            if not np.array_equal(_private_lengths(reader, fieldname, size), _public_lengths(reader, fieldname, size)):
                return f"field lengths of {fieldname} differ"
        if "date" in reader.schema:
            size = min(reader.doc_count_all(), 2000)
            column = reader.schema["date"].column_type
            if not np.array_equal(_private_column(reader, "date", column, np.dtype(">u8"), size),
                                  _public_column(reader, "date", column, np.dtype(">u8"), size)):
                return "date column differs"
        if checked:
            break  # one segment with words is enough: every segment has the same layout
    return None if checked else "empty"


def _sample_terms(reader, fieldname: str, wanted: int) -> list[bytes]:
    """A few words of the field: the most frequent of its first 300, and its first two."""
    first = []
    for btext in reader.lexicon(fieldname):
        first.append(btext)
        if len(first) >= 300:
            break
    if not first:
        return []
    # Frequent, but not so frequent that public decoding at start-up takes long.
    by_frequency = sorted(first, key=lambda b: -min(reader.doc_frequency(fieldname, b), 5000))
    return list(dict.fromkeys([*by_frequency[: wanted - 2], *first[:2]]))


# --- Reading postings, positions and columns ---------------------------------------------

def read_postings(reader, fieldname: str, btext: bytes) -> tuple[np.ndarray, np.ndarray]:
    """(document numbers in the segment, weights) of one term, deleted documents included."""
    if private_reads():
        return _private_postings(reader, fieldname, btext)
    return _public_postings(reader, fieldname, btext)


def read_positions(reader, fieldname: str, btext: bytes) -> np.ndarray:
    """Every occurrence of the term in the segment as ``local document * POSITION_SPAN + position``."""
    if private_reads():
        return _private_positions(reader, fieldname, btext)
    return _public_positions(reader, fieldname, btext)


def field_lengths(reader, fieldname: str, size: int) -> np.ndarray:
    """Each document's length of the field as Whoosh scores it (its one-byte approximation)."""
    if private_reads():
        return _private_lengths(reader, fieldname, size)
    return _public_lengths(reader, fieldname, size)


def fixed_column(reader, name: str, column, dtype, size: int) -> np.ndarray:
    """A fixed-width column of one segment as an array (missing values are 0)."""
    if private_reads():
        return _private_column(reader, name, column, np.dtype(dtype), size)
    return _public_column(reader, name, column, np.dtype(dtype), size)


def _private_column(reader, name: str, column, dtype, size: int) -> np.ndarray:
    perdoc = reader._perdoc
    out = np.zeros(size, dtype=dtype)
    if not perdoc.has_column(name):
        return out
    column_reader = perdoc.column_reader(name, column)
    count = min(column_reader._count, size)
    if count:
        raw = column_reader._dbfile.get(column_reader._basepos, count * column_reader._fixedlen)
        out[:count] = np.frombuffer(raw, dtype=dtype, count=count)
    return out


def _public_column(reader, name: str, column, dtype, size: int) -> np.ndarray:
    out = np.zeros(size, dtype=dtype)
    if not reader.has_column(name):
        return out
    values = reader.column_reader(name, column, translate=False)
    for docnum in range(min(size, len(values))):
        out[docnum] = values[docnum] or 0
    return out


def _private_lengths(reader, fieldname: str, size: int) -> np.ndarray:
    raw = _private_column(reader, whoosh3._lenfield(fieldname), whoosh3.LENGTHS_COLUMN, np.dtype(np.uint8), size)
    return _LENGTHS[raw]


def _public_lengths(reader, fieldname: str, size: int) -> np.ndarray:
    return np.array([reader.doc_field_length(docnum, fieldname) or 0 for docnum in range(size)], dtype=np.float32)


def _term_info(reader, fieldname: str, btext: bytes):
    try:
        return reader._terms.term_info(fieldname, btext)
    except (TermNotFound, KeyError):
        return None


def _blocks(reader, fieldname: str, btext: bytes):
    """(ids, weights, values) per posting block of one term in one segment, as stored."""
    info = _term_info(reader, fieldname, btext)
    if info is None:
        return
    if info.is_inlined():
        ids, weights, values = info.inlined_postings()
        yield np.asarray(ids, dtype=np.int64), np.asarray(weights, dtype=np.float32), values
        return
    terms = reader._terms
    matcher = terms._codec.postings_reader(terms._postfile, info, reader.schema[fieldname].format)
    if not isinstance(matcher, whoosh3.W3LeafMatcher):
        raise TypeError(f"unexpected posting reader {type(matcher).__name__}")
    while True:
        matcher._read_data()
        deltas, weights, values = matcher._data
        count = matcher._blocklength
        ids = np.cumsum(np.asarray(deltas, dtype=np.int64))  # each block's ids are deltas from 0
        if weights is None:
            block_weights = np.ones(count, dtype=np.float32)
        elif isinstance(weights, float):
            block_weights = np.full(count, weights, dtype=np.float32)
        else:
            block_weights = np.asarray(weights, dtype=np.float32)
        yield ids, block_weights, values
        if matcher._lastblock:
            return
        matcher._next_block()


def _private_postings(reader, fieldname: str, btext: bytes) -> tuple[np.ndarray, np.ndarray]:
    ids, weights = [], []
    for block_ids, block_weights, _ in _blocks(reader, fieldname, btext):
        ids.append(block_ids)
        weights.append(block_weights)
    if not ids:
        return np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.float32)
    return np.concatenate(ids).astype(np.int32), np.concatenate(weights)


def _public_postings(reader, fieldname: str, btext: bytes) -> tuple[np.ndarray, np.ndarray]:
    if (fieldname, btext) not in reader:
        return np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.float32)
    # The segment's raw postings: a leaf reader's own matcher, deletions not applied.
    matcher = reader.postings(fieldname, btext)
    ids, weights = [], []
    while matcher.is_active():
        ids.append(matcher.id())
        weights.append(matcher.weight())
        matcher.next()
    return np.array(ids, dtype=np.int32), np.array(weights, dtype=np.float32)


def _private_positions(reader, fieldname: str, btext: bytes) -> np.ndarray:
    ids, values = [], []
    for block_ids, _, block_values in _blocks(reader, fieldname, btext):
        ids.append(block_ids)
        values.extend(block_values)
    if not ids:
        return np.zeros(0, dtype=np.int64)
    # Whoosh's Positions format: a 4-byte count, then a pickled list of deltas.
    deltas = [loads(value[4:]) for value in values]
    counts = np.fromiter(map(len, deltas), dtype=np.int64, count=len(deltas))
    flat = np.fromiter(chain.from_iterable(deltas), dtype=np.int64, count=int(counts.sum()))
    running = np.cumsum(flat)
    before = np.concatenate(([0], running[np.cumsum(counts)[:-1] - 1])) if len(counts) else running[:0]
    before[counts == 0] = 0
    positions = running - np.repeat(before, counts)
    return np.repeat(np.concatenate(ids), counts) * POSITION_SPAN + positions


def _public_positions(reader, fieldname: str, btext: bytes) -> np.ndarray:
    if (fieldname, btext) not in reader:
        return np.zeros(0, dtype=np.int64)
    matcher = reader.postings(fieldname, btext)
    keys: list[int] = []
    while matcher.is_active():
        base = matcher.id() * POSITION_SPAN
        keys.extend(base + position for position in matcher.value_as("positions"))
        matcher.next()
    return np.array(keys, dtype=np.int64)


# --- Reading a whole segment (check_index) ------------------------------------------------

def read_whole_segment(reader, *, limit: int = 20) -> list[str]:
    """Read every stored field, column, field length and posting of one segment; the damage found.

    Each term's decoded postings must number what its term entry says and name
    documents of the segment. At most ``limit`` problems are reported.
    """
    problems: list[str] = []
    size = reader.doc_count_all()
    schema = reader.schema

    def note(what: str, error: BaseException | None = None) -> bool:
        problems.append(what + (f" ({type(error).__name__}: {error})"[:300] if error is not None else ""))
        return len(problems) >= limit

    try:
        for _ in reader.iter_docs():
            pass
    except Exception as error:  # noqa: BLE001 - anything a damaged file raises is the answer
        if note("stored fields unreadable", error):
            return problems
    for fieldname, field in schema.items():
        try:
            if field.column_type is not None and reader.has_column(fieldname):
                values = reader.column_reader(fieldname, field.column_type, translate=False)
                for docnum in range(min(size, len(values))):
                    values[docnum]
            if field.scorable:
                field_lengths(reader, fieldname, size)
        except Exception as error:  # noqa: BLE001
            if note(f"column or lengths of {fieldname} unreadable", error):
                return problems
    try:
        terms = list(reader.all_terms())
    except Exception as error:  # noqa: BLE001
        note("the term list is unreadable", error)
        return problems
    for fieldname, btext in terms:
        try:
            if private_reads():
                expected = reader.term_info(fieldname, btext).doc_frequency()
                ids, _ = _private_postings(reader, fieldname, btext)
                if len(ids) != expected or (len(ids) and (ids.min() < 0 or ids.max() >= size)):
                    if note(f"postings of {fieldname}:{btext!r} are inconsistent"):
                        return problems
            else:
                matcher = reader.postings(fieldname, btext)
                while matcher.is_active():
                    matcher.value()
                    matcher.next()
        except Exception as error:  # noqa: BLE001
            if note(f"postings of {fieldname}:{btext!r} unreadable", error):
                return problems
    return problems


# --- Answering through stock Whoosh --------------------------------------------------------

def whoosh_matches(searcher, node: query.Query, *, scored: bool) -> tuple[np.ndarray, np.ndarray | None]:
    """(match mask, scores) of a query as Whoosh's own matchers and BM25F scorer give them.

    The answer when the private path is off: every match is scored (``limit=None``),
    so totals, facets and ranking stay exact, only slower.
    """
    size = searcher.doc_count_all()
    mask = np.zeros(size, dtype=bool)
    if not scored:
        docs = np.fromiter(node.docs(searcher), dtype=np.int64)
        mask[docs] = True
        return mask, None
    scores = np.zeros(size, dtype=np.float32)
    results = searcher.search(node, limit=None, terms=False)
    for score, docnum in results.top_n:
        mask[docnum] = True
        scores[docnum] = score
    return mask, scores


# --- Indexing text fast -------------------------------------------------------------------

# Most words occur once in a field: their values are kept, one per position.
_SINGLE_POSITIONS: dict[int, bytes] = {}
_SINGLE_POSITIONS_UP_TO = 1 << 16


def positions_value(places: list[int]) -> bytes:
    """A posting's value in Whoosh's Positions format: a count, then the pickled gaps."""
    if len(places) == 1:
        place = places[0]
        value = _SINGLE_POSITIONS.get(place)
        if value is None:
            value = pack_uint(1) + dumps(places, 2)
            if place < _SINGLE_POSITIONS_UP_TO:
                _SINGLE_POSITIONS[place] = value
        return value
    deltas = list(map(sub, places, [0, *places[:-1]]))
    return pack_uint(len(deltas)) + dumps(deltas, 2)


_fast_fields: dict[type, bool] = {}


def fast_indexing(field: fields.FieldType, index_words) -> bool:
    """Whether ``index_words(text)`` gives the postings stock Whoosh writes for ``field`` (checked once per class).

    The check indexes a sample both ways (stock: the field's analyzer and format) and
    compares terms, frequencies, weights and encoded positions.
    """
    cls = type(field)
    if cls not in _fast_fields:
        ok = False
        if version_verified():
            sample = "The Wind farms, near Astana: wind FARM; café Café cafe. Токаев и Токаева the a of"
            try:
                fast = sorted(index_words(sample))
                stock = sorted(fields.TEXT.index(field, sample))
                ok = fast == stock
            except Exception:  # noqa: BLE001 - any surprise means: use the stock path
                logger.warning("Fast text indexing check failed; indexing through Whoosh.", exc_info=True)
        _fast_fields[cls] = ok
    return _fast_fields[cls]


# --- Writers ------------------------------------------------------------------------------

class _WholeLengthsReader(whoosh3.W3PerDocReader):
    """Whoosh's per-document reader that reads a segment's field lengths in one piece.

    Writing a segment's postings asks for the length of the field in the document of
    every posting (for the block statistics), one file read each, and asks the file
    system again for every field without a length column. The length column is a byte
    per document; it is read whole on first use and kept (a segment never changes).
    The answers are the ones Whoosh's own method gives.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._whole_lengths: dict[str, bytes] = {}

    def field_length_bytes(self, fieldname: str) -> bytes:
        """The field's length byte of every document (b"" when the field has no lengths)."""
        self.doc_field_length(0, fieldname)
        return self._whole_lengths[fieldname]

    def doc_field_length(self, docnum, fieldname, default=0):
        column = self._whole_lengths.get(fieldname)
        if column is None:
            name = whoosh3._lenfield(fieldname)
            if not self.has_column(name):
                column = b""
            else:
                reader = self.column_reader(name, whoosh3.LENGTHS_COLUMN)
                column = reader._dbfile.get(reader._basepos, reader._count) or b"\0"
            self._whole_lengths[fieldname] = column
        if not column:
            return default
        if docnum > self._doccount:
            raise IndexError(f"Asked for docnum {docnum!r} of {self._doccount}")
        length = column[docnum] if docnum < len(column) else 0
        return byte_to_length(length) if length else None


class GroupedPostingPool(PostingPool):
    """Whoosh's posting pool, collecting postings grouped by term instead of sorting them one by one.

    The stock pool keeps every posting as a (field, term, document, weight, positions)
    tuple, sorts them all at the end, and when its memory limit is reached writes sorted
    runs with one pickle call per posting and merges them back posting by posting: at
    archive scale most of a rebuild's time. Postings arrive in document order, so
    grouping them per term keeps each list sorted; only the terms need sorting. Runs
    hold one record per term. The stream the segment writer reads is the same (a test
    compares the postings of both ways).
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.groups: dict[tuple[str, bytes], list] = {}

    def add(self, item):
        fieldname, btext, docnum, weight, vbytes = item
        group = self.groups.get((fieldname, btext))
        if group is None:
            self.groups[(fieldname, btext)] = [(docnum, weight, vbytes)]
            self.fieldnames.add(fieldname)
            self.currentsize += 200 + len(btext)
        else:
            group.append((docnum, weight, vbytes))
        self.currentsize += 150 + (len(vbytes) if vbytes else 0)
        if self.currentsize > self.limit:
            self.save()

    def add_field(self, fieldname: str, docnum: int, postings: list) -> None:
        """``add`` for every posting ``(btext, frequency, weight, value)`` of one field of one document."""
        groups = self.groups
        size = 0
        for btext, _, weight, vbytes in postings:
            group = groups.get((fieldname, btext))
            if group is None:
                groups[(fieldname, btext)] = [(docnum, weight, vbytes)]
                size += 350 + len(btext) + len(vbytes)
            else:
                group.append((docnum, weight, vbytes))
                size += 150 + len(vbytes)
        if postings:
            self.fieldnames.add(fieldname)
        self.currentsize += size
        if self.currentsize > self.limit:
            self.save()

    def save(self):
        if self.groups:
            path, f = self._new_run()
            for key in sorted(self.groups):
                marshal.dump((key[0], key[1], self.groups[key]), f)
            f.close()
            self.runs.append(path)
            self.groups = {}
        self.currentsize = 0

    def _write_run(self, f, items):
        for (fieldname, btext), group in groupby(items, key=itemgetter(0, 1)):
            marshal.dump((fieldname, btext, [(d, w, v) for _, _, d, w, v in group]), f)
        f.close()

    def _run_groups(self, path):
        f = self._open_run(path)
        try:
            while True:
                try:
                    yield marshal.load(f)
                except EOFError:
                    return
        finally:
            f.close()
            self._remove_run(path)

    def _read_run(self, path):
        for fieldname, btext, postings in self._run_groups(path):
            for docnum, weight, vbytes in postings:
                yield fieldname, btext, docnum, weight, vbytes

    def _merge_runs(self, paths):
        # Runs were written in document order, and merge() keeps equal terms in run order.
        merged = heapq.merge(*(self._run_groups(path) for path in paths), key=itemgetter(0, 1))
        for (fieldname, btext), parts in groupby(merged, key=itemgetter(0, 1)):
            for _, _, postings in parts:
                for docnum, weight, vbytes in postings:
                    yield fieldname, btext, docnum, weight, vbytes

    def items(self, maxfiles=128):
        if not self.runs:
            groups, self.groups = self.groups, {}
            return (
                (fieldname, btext, docnum, weight, vbytes)
                for (fieldname, btext) in sorted(groups)
                for docnum, weight, vbytes in groups[(fieldname, btext)]
            )
        self.save()
        self.reduce_to(maxfiles, maxfiles)
        runs, self.runs = self.runs, []
        return self._merge_runs(runs)

    def reduce_to(self, target, k):
        # Whoosh's version merges the newest runs first; grouped runs must stay in
        # document order, so the oldest ones are merged, in order, into the first run.
        while len(self.runs) > target:
            oldest, rest = self.runs[:k], self.runs[k:]
            path, f = self._new_run()
            self._write_run(f, self._merge_runs(oldest))
            self.runs = [path, *rest]

    def iter_postings(self):
        return self.items()

    def term_groups(self, maxfiles=128):
        """(fieldname, btext, [(docnum, weight, value), ...]) per term in order: ``items()`` grouped."""
        if not self.runs:
            groups, self.groups = self.groups, {}
            return ((fieldname, btext, groups[(fieldname, btext)]) for (fieldname, btext) in sorted(groups))
        self.save()
        self.reduce_to(maxfiles, maxfiles)
        runs, self.runs = self.runs, []
        return self._merged_groups(runs)

    def _merged_groups(self, paths):
        merged = heapq.merge(*(self._run_groups(path) for path in paths), key=itemgetter(0, 1))
        for (fieldname, btext), parts in groupby(merged, key=itemgetter(0, 1)):
            postings = []
            for _, _, part in parts:
                postings.extend(part)
            yield fieldname, btext, postings


_LENGTH_OF_BYTE = [byte_to_length(b) for b in range(256)]
# A block smaller than this (its postings' ids and values, in bytes: a pickle of about 100 bytes) is stored
# uncompressed. zlib's header and checksum make such a block larger, and half of all blocks are that small
# (terms in two or three documents): Whoosh meant to skip them (its "less than 20 bytes" test is overwritten
# on the next line). Each block records its own compression level, so readers decompress only the others.
_COMPRESS_FROM = 48


def _write_term_groups(fieldwriter, schema, lengths, groups) -> None:
    """Whoosh's ``FieldWriter.add_postings`` for postings grouped by term, into a W3 field writer.

    The blocks, term infos and statistics are the ones ``add_posting`` and ``finish_postings``
    make (a test compares the index with stock Whoosh's); the per-posting calls, type checks
    and length lookups are done per block instead.
    """
    lastfn = None
    field_lengths = b""
    for fieldname, btext, postings in groups:
        if fieldname != lastfn:
            if lastfn is not None:
                fieldwriter.finish_field()
            fieldwriter.start_field(fieldname, schema[fieldname])
            lastfn = fieldname
            field_lengths = lengths.field_length_bytes(fieldname) if lengths is not None else b""
            # Each field gets a postings writer of its own, dropped at finish_field: its level is the
            # codec's, and setting it block by block below touches no other writer.
            writer = fieldwriter._postwriter
            level = writer._compression
        fieldwriter.start_term(btext)
        limit = writer._blocklimit
        for start in range(0, len(postings), limit):
            if start:
                writer._write_block()
            block = postings[start : start + limit]
            docnums = [posting[0] for posting in block]
            weights = [posting[1] for posting in block]
            writer._ids = array("I", docnums)
            writer._weights = array("f", weights)
            writer._values = [posting[2] for posting in block if posting[2]]
            size = 8 * len(block) + sum(map(len, writer._values))
            writer._compression = level if size >= _COMPRESS_FROM else 0
            writer._maxweight = max(0, max(weights))
            found = [field_lengths[d] for d in docnums if d < len(field_lengths) and field_lengths[d]]
            if found:
                writer._minlength = _LENGTH_OF_BYTE[min(found)]
                writer._maxlength = _LENGTH_OF_BYTE[max(found)]
        fieldwriter.finish_term()
    if lastfn is not None:
        fieldwriter.finish_field()


def _writes_spelling_or_vectors(schema) -> bool:
    # Spelling words and term vectors are left to Whoosh's own writing (Dossier's schema has none).
    return any(field.separate_spelling() or field.vector for _, field in schema.items())


class _FastWriting:
    """What Dossier's writers change in Whoosh's: the posting pool and the per-document reader."""

    def _use_grouped_pool(self, limitmb: int) -> None:
        self.pool = GroupedPostingPool(self._tempstorage, self.newsegment, limitmb=limitmb)

    def per_document_reader(self):
        if not self.perdocwriter.is_closed:
            raise RuntimeError("Per-doc writer is still open")
        return _WholeLengthsReader(self.storage, self.get_segment())

    def _flush_segment(self):
        # SegmentWriter._flush_segment, with the postings handed over a term at a time.
        if not (isinstance(self.pool, GroupedPostingPool) and type(self.fieldwriter) is whoosh3.W3FieldWriter
                and type(self.codec) is whoosh3.W3Codec and self.codec.length_stats
                and not _writes_spelling_or_vectors(self.schema)):
            return super()._flush_segment()
        self.perdocwriter.close()
        lengths = self.per_document_reader()
        _write_term_groups(self.fieldwriter, self.schema, lengths, self.pool.term_groups())
        self.fieldwriter.close()
        lengths.close()


class FastSegmentWriter(_FastWriting, SegmentWriter):
    def __init__(self, ix, *, limitmb: int = 128, **kwargs):
        super().__init__(ix, limitmb=limitmb, **kwargs)
        self._use_grouped_pool(limitmb)
        self._stock_fields = _writes_spelling_or_vectors(self.schema)

    def add_document(self, **fields):
        """Whoosh's ``SegmentWriter.add_document``; a field that gives its postings as a list
        (``field.postings(value)``, Dossier's text fields) hands them to the pool in one call
        instead of one generator step and one ``pool.add`` per posting."""
        if self._stock_fields:
            return super().add_document(**fields)
        self._check_state()
        perdocwriter = self.perdocwriter
        schema = self.schema
        docnum = self.docnum
        pool = self.pool
        docboost = self._doc_boost(fields)
        fieldnames = sorted(name for name in fields if not name.startswith("_"))
        self._check_fields(schema, fieldnames)
        perdocwriter.start_doc(docnum)
        try:
            for fieldname in fieldnames:
                value = fields.get(fieldname)
                if value is None:
                    continue
                field = schema[fieldname]
                length = 0
                if field.indexed:
                    fieldboost = self._field_boost(fields, fieldname, docboost)
                    listed = getattr(field, "postings", None)
                    postings = listed(value) if listed is not None and fieldboost == 1.0 else None
                    if postings is not None:
                        pool.add_field(fieldname, docnum, postings)
                        if field.scorable:
                            length = sum(posting[1] for posting in postings)
                    else:
                        scorable = field.scorable
                        for tbytes, freq, weight, vbytes in field.index(value):
                            weight *= fieldboost
                            if scorable:
                                length += freq
                            pool.add((fieldname, tbytes, docnum, weight, vbytes))
                customval = fields.get(f"_stored_{fieldname}", value)
                perdocwriter.add_field(fieldname, field, customval if field.stored else None, length)
                column = field.column_type
                if column and customval is not None:
                    perdocwriter.add_column_value(fieldname, column, field.to_column_value(customval))
        except Exception:
            perdocwriter.cancel_doc()
            raise
        perdocwriter.finish_doc()
        self._added = True
        self.docnum += 1


def die_with_parent(parent_pid: int, close_fds: tuple[int, ...] = ()) -> None:
    """In a writer subprocess: end when the process that started it ends, and hold none of its locks.

    A killed import or rebuild must not leave writer processes behind, and a lock is
    the parent's alone: the child closes its inherited copy of the lock file (an flock
    lock lasts while any copy is open).
    """
    for fd in close_fds:
        try:
            os.close(fd)
        except OSError:
            pass
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG: the kernel kills us when the parent dies
    except (OSError, AttributeError):  # not Linux: the parent check below still applies
        logger.debug("PR_SET_PDEATHSIG unavailable", exc_info=True)
    if os.getppid() != parent_pid:  # the parent died before the line above
        os._exit(1)


class _ChildWriterTask(SubWriterTask):
    """Whoosh's writer subprocess, writing with the fast pool and dying with its parent.

    With ``segment_docs`` it closes a segment whenever it holds that many documents
    (or half of what this process has written before, when more: the segments grow,
    so there are never many) and starts the next. Writing a segment's postings, about
    half of indexing, then happens while the parent is still at work rather than all
    at once when it commits. Its result is the list of its segments.
    """

    def __init__(self, *args, parent_pid: int, close_fds: tuple[int, ...], segment_docs: int | None = None,
                 **kwargs):
        super().__init__(*args, **kwargs)
        self.daemon = True
        self.parent_pid = parent_pid
        self.close_fds = close_fds
        self.segment_docs = segment_docs

    def run(self):
        die_with_parent(self.parent_pid, self.close_fds)
        if not self.multisegment:
            raise RuntimeError("Dossier's parallel writer always writes one segment per process")
        # SubWriterTask.run with FastSegmentWriter in place of SegmentWriter, and segments closed as they fill.
        ix = self.storage.open_index(self.indexname)
        writer = self.writer = FastSegmentWriter(ix, _lk=False, **self.kwargs)
        segments, fieldnames, written = [], set(), 0
        while self.running:
            jobinfo = self.jobqueue.get()
            if jobinfo is None:
                break
            if writer is None:
                writer = self.writer = FastSegmentWriter(ix, _lk=False, **self.kwargs)
            self._process_file(*jobinfo)
            if self.segment_docs and writer.docnum >= max(self.segment_docs, written // 2):
                written += writer.docnum
                fieldnames |= writer.pool.fieldnames
                segments.append(writer._finalize_segment())  # not _finish(): the temporary folder is shared
                writer = None
        if not self.running:
            if writer is not None:
                writer.cancel()
            return
        if writer is not None:
            fieldnames |= writer.pool.fieldnames
            segments.append(writer._finalize_segment())
        self.resultqueue.put((None, fieldnames, segments), timeout=5)


class FastMpWriter(_FastWriting, MpWriter):
    """Whoosh's parallel writer (one segment per process) with the fast pool, whose processes end with it."""

    def __init__(self, ix, *, procs: int, limitmb: int = 128, close_fds: tuple[int, ...] = (),
                 segment_docs: int | None = None, **kwargs):
        MpWriter.__init__(self, ix, procs=procs, limitmb=limitmb, multisegment=True, **kwargs)
        self._use_grouped_pool(limitmb)
        lock_fd = getattr(self.writelock, "fd", None)
        self.close_fds = tuple(close_fds) + ((lock_fd,) if lock_fd is not None else ())
        self.segment_docs = segment_docs

    def _new_task(self):
        task = _ChildWriterTask(
            self.storage, self.indexname, self.jobqueue, self.resultqueue, self.subargs, self.multisegment,
            parent_pid=os.getpid(), close_fds=self.close_fds, segment_docs=self.segment_docs,
        )
        self.tasks.append(task)
        task.start()
        return task

    def _commit(self, mergetype, optimize, merge):
        # MpWriter._commit's multisegment branch, for processes that each give a list of
        # segments, and failing (the caller cancels) when one of them gave nothing.
        if self.docbuffer:
            self._enqueue()
        for _ in self.tasks:
            self.jobqueue.put(None)
        finalsegments = self._merge_segments(mergetype, optimize, merge)
        # Read before joining: a process ends only once what it sent has been taken.
        results = []
        while len(results) < len(self.tasks):
            try:
                results.append(self.resultqueue.get(timeout=1.0))
            except queue_module.Empty:
                if not any(task.is_alive() for task in self.tasks):
                    try:  # what a process sent just before it ended
                        results.append(self.resultqueue.get(timeout=1.0))
                    except queue_module.Empty:
                        break
        for task in self.tasks:
            task.join()
        if len(results) != len(self.tasks):
            raise RuntimeError(f"{len(self.tasks) - len(results)} index writer process(es) ended without a result")
        for _, _, segments in results:
            finalsegments += segments
        if self._added:
            finalsegments.append(self._finalize_segment())
        else:
            self._close_segment()
        self._commit_toc(finalsegments)
        self._finish()

    def cancel(self):
        # Whoosh's cancel only flags its own copies of the task objects; the processes
        # would wait on the job queue for ever. They hold nothing worth keeping.
        for task in self.tasks:
            if task.is_alive():
                task.kill()
            task.join(timeout=5)
        super().cancel()


def open_writer(ix, *, procs: int = 1, limitmb: int = 128, close_fds: tuple[int, ...] = (),
                segment_docs: int | None = None, **options):
    """A writer for ``ix``: Dossier's faster ones on a verified Whoosh, else Whoosh's stock writer.

    ``close_fds`` are lock files the writer's subprocesses must not keep open. On an
    unverified Whoosh the parallel writer is not used either (its subprocesses would
    outlive a killed command); one process writes.
    """
    if not private_writes():
        options.pop("multisegment", None)
        return SegmentWriter(ix, limitmb=limitmb, **options)
    if procs > 1:
        options.pop("multisegment", None)
        return FastMpWriter(ix, procs=procs, limitmb=limitmb, close_fds=close_fds, segment_docs=segment_docs,
                            **options)
    return FastSegmentWriter(ix, limitmb=limitmb, **options)

