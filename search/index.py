"""The one module that opens the index directory: the index, its writer, and the searcher.

The directory is read from ``settings.SEARCH_INDEX_DIR`` at call time, so tests can
point each test at its own folder.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from whoosh import index as whoosh_index
from whoosh.filedb.filestore import FileStorage
from whoosh.index import LockError
from whoosh.searching import Searcher
from whoosh.writing import CLEAR

from search.schema import SCHEMA_VERSION, build_schema

logger = logging.getLogger(__name__)


def _cache_missing_columns() -> None:
    """Make whoosh-reloaded remember that a segment has no length column for a field.

    Its per-document reader caches the column readers it finds but not the ones it
    does not, so writing postings for every unscored field (ids, keywords, spelling
    words) asked the file system once per posting: a third of indexing time here.
    A segment's files never change, so remembering "none" is safe.
    """
    from whoosh.codec import whoosh3

    original = whoosh3.W3PerDocReader._cached_reader
    if getattr(original, "dossier_patched", False):
        return

    def cached_reader(self, fieldname, column):
        try:
            return self._readers[fieldname]
        except KeyError:
            reader = original(self, fieldname, column)
            self._readers[fieldname] = reader
            return reader

    cached_reader.dossier_patched = True
    whoosh3.W3PerDocReader._cached_reader = cached_reader


def _read_lengths_whole() -> None:
    """Make whoosh-reloaded read a segment's field lengths in one piece.

    Writing a segment's postings asks for the length of the field in the document of
    every posting (for the block statistics), one file read each: a tenth of
    indexing time here. The length column is a byte per document; it is read whole
    on first use and kept by the per-document reader (segments never change). The
    answers are the ones Whoosh's own method gives: None for a zero byte, the
    default when the segment has no length column.
    """
    from whoosh.codec import whoosh3

    original = whoosh3.W3PerDocReader.doc_field_length
    if getattr(original, "dossier_patched", False):
        return
    lengths = [whoosh3.byte_to_length(b) if b else None for b in range(256)]

    def doc_field_length(self, docnum, fieldname, default=0):
        cache = self.__dict__.setdefault("_dossier_lengths", {})
        column = cache.get(fieldname)
        if column is None:
            name = whoosh3._lenfield(fieldname)
            if not self.has_column(name):
                column = cache[fieldname] = b""
            else:
                reader = self.column_reader(name, whoosh3.LENGTHS_COLUMN)
                column = cache[fieldname] = reader._dbfile.get(reader._basepos, reader._count) or b"\0"
        if not column:
            return default
        if docnum > self._doccount:
            raise IndexError(f"Asked for docnum {docnum!r} of {self._doccount}")
        return lengths[column[docnum]] if docnum < len(column) else None

    doc_field_length.dossier_patched = True
    whoosh3.W3PerDocReader.doc_field_length = doc_field_length


def _group_postings_by_term() -> None:
    """Make Whoosh's writers collect postings grouped by term instead of sorting them one by one.

    Whoosh's PostingPool keeps every posting as a (field, term, document, weight,
    positions) tuple, sorts them all at the end, and when its memory limit is reached
    writes sorted runs to disk with one pickle call per posting and merges them back
    posting by posting: at archive scale most of a rebuild's time. Postings arrive
    in document order, so grouping them per term in a dict keeps each list sorted;
    only the terms need sorting. Runs hold one record per term. The stream the
    segment writer reads is the same (a test compares the postings of both ways).
    """
    import heapq
    import marshal
    from itertools import groupby
    from operator import itemgetter

    from whoosh import writing

    if getattr(writing.PostingPool, "dossier_grouped", False):
        return
    standard = writing.PostingPool

    class GroupedPostingPool(standard):
        dossier_grouped = True

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

    writing.PostingPool = GroupedPostingPool


_cache_missing_columns()
_read_lengths_whole()
_group_postings_by_term()

INDEX_NAME = "articles"
VERSION_FILE = "SCHEMA_VERSION"


class IndexUnavailable(Exception):
    """The index is missing or was written with another schema: it must be rebuilt."""


def index_dir() -> Path:
    return Path(settings.SEARCH_INDEX_DIR)


def _storage() -> FileStorage:
    # Without mmap a searcher opens in milliseconds and reads what it needs;
    # with it, every index file is mapped into the process (see PERFORMANCE.md).
    return FileStorage(str(index_dir()), supports_mmap=False)


def stored_version() -> int | None:
    try:
        return int((index_dir() / VERSION_FILE).read_text().strip())
    except (FileNotFoundError, ValueError):
        return None


def index_state() -> str:
    """'ok', 'missing' (no index yet) or 'outdated' (written with another schema version)."""
    if not index_dir().exists() or not whoosh_index.exists_in(str(index_dir()), indexname=INDEX_NAME):
        return "missing"
    if stored_version() != SCHEMA_VERSION:
        return "outdated"
    return "ok"


def create_index():
    """A new, empty index with the current schema (an existing one is cleared)."""
    index_dir().mkdir(parents=True, exist_ok=True)
    ix = _storage().create_index(build_schema(), indexname=INDEX_NAME)
    (index_dir() / VERSION_FILE).write_text(f"{SCHEMA_VERSION}\n")
    reset_searcher()
    return ix


def open_index():
    state = index_state()
    if state != "ok":
        raise IndexUnavailable(
            "The search index does not exist yet." if state == "missing"
            else "The search index was built with an older schema."
        )
    return _storage().open_index(indexname=INDEX_NAME)


@contextmanager
def index_writer(*, timeout: float = 10.0, clear: bool = False, **writer_options) -> Iterator:
    """One writer, committed on success and cancelled on error.

    With ``clear`` the commit replaces every existing document at once: searchers
    see the old index until then.

    Waits up to ``timeout`` seconds for the write lock (another process may be
    writing); raises ``LockError`` after that, and the caller keeps its queue.
    """
    ix = open_index()
    deadline = time.monotonic() + timeout
    while True:
        try:
            writer = ix.writer(**writer_options)
            break
        except LockError:
            if time.monotonic() >= deadline:
                raise
            time.sleep(0.1)
    try:
        yield writer
    except BaseException:
        writer.cancel()
        raise
    else:
        writer.commit(mergetype=CLEAR) if clear else writer.commit()


# One searcher per process, shared by requests and refreshed only when the index
# changed on disk. Whoosh searchers are not safe to share between threads while
# searching, so searches hold the lock.
_searcher_lock = threading.RLock()
_searcher: Searcher | None = None
_searcher_dir: Path | None = None


def reset_searcher() -> None:
    global _searcher, _searcher_dir
    with _searcher_lock:
        if _searcher is not None:
            try:
                _searcher.close()
            except Exception:  # noqa: BLE001 - a half-closed searcher is still gone
                logger.debug("closing the old searcher failed", exc_info=True)
        _searcher = None
        _searcher_dir = None


@contextmanager
def searcher() -> Iterator[Searcher]:
    """The process's searcher, up to date with the index on disk, locked for this caller."""
    global _searcher, _searcher_dir
    with _searcher_lock:
        if _searcher is not None and (_searcher_dir != index_dir() or index_state() != "ok"):
            reset_searcher()
        elif _searcher is not None and not _searcher.up_to_date():
            # Not Searcher.refresh(): in whoosh-reloaded 2.7.5 it carries the old
            # segments into the new reader (stale and deleted documents come back).
            # Opening without mmap takes milliseconds.
            reset_searcher()
        if _searcher is None:
            _searcher = open_index().searcher()
            _searcher_dir = index_dir()
        yield _searcher


def warm_up() -> bool:
    """Open the process's searcher and load what searches read first (facet columns, dates, field lengths).

    Called when a server process starts, so its first visitor does not wait for it
    (about 0.8 s at 100,000 articles). Returns False when there is no usable index yet.
    """
    from search.engine import snapshot
    from search.facets import load_columns
    from search.query import DEFAULT_FIELDS

    try:
        with searcher() as s:
            load_columns(s, storage_key=str(index_dir()))
            snap = snapshot(s, str(index_dir()))
            snap.dates()
            for fieldname in DEFAULT_FIELDS:
                snap.lengths(fieldname)
    except IndexUnavailable:
        return False
    return True


POSITION_FILE = "QUEUE_POSITION.json"


def read_queue_position() -> dict | None:
    """Where this index stands in the database's change queue (None: not recorded yet)."""
    try:
        return json.loads((index_dir() / POSITION_FILE).read_text())
    except (FileNotFoundError, ValueError):
        return None


def write_queue_position(state: dict) -> None:
    """Record the position after the index commit it describes (atomically: write, then rename)."""
    path = index_dir() / POSITION_FILE
    scratch = path.with_suffix(f".{os.getpid()}.tmp")
    scratch.write_text(json.dumps(state))
    os.replace(scratch, path)
