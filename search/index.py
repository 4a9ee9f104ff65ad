"""The one module that opens the index directory: the index, its writer, and the searcher.

The directory is read from ``settings.SEARCH_INDEX_DIR`` at call time, so tests can
point each test at its own folder. It holds:

- ``gen-…/``: the Whoosh index itself (with a ``SCHEMA_VERSION`` file); a rebuild
  writes a new generation beside the live one;
- ``CURRENT``: the name of the live generation, replaced in one rename when a rebuild
  is complete;
- ``write.lock``: the writer lock (flock: released by the kernel when its holder ends).

Anything else there (an unfinished generation, an older one) is removed by the next
writer. An index that cannot be read is reported as ``IndexDamaged``, never as a
crash: search answers "rebuild the index" and browse pages use the database.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import re
import secrets
import shutil
import threading
import time
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from whoosh.filedb.filestore import FileStorage
from whoosh.index import LockError
from whoosh.searching import Searcher

from search import whoosh_adapter
from search.schema import SCHEMA_VERSION, build_schema

logger = logging.getLogger(__name__)


INDEX_NAME = "articles"
VERSION_FILE = "SCHEMA_VERSION"


LOCK_FILE = "write.lock"  # Dossier's writer lock, beside the generations (see write_lock)
CURRENT_FILE = "CURRENT"  # names the live generation
GENERATION_PREFIX = "gen-"
CHECKSUMS_FILE = "CHECKSUMS"  # in a generation: size and CRC-32 of each segment file, written at each commit


class IndexUnavailable(Exception):
    """The index is missing, damaged or was written with another schema: it must be rebuilt."""


class IndexDamaged(IndexUnavailable):
    """The index cannot be read: files cut short, missing or altered, or classes its schema names are gone."""


def root_dir() -> Path:
    """``SEARCH_INDEX_DIR``: holds the live generation of the index, its pointer and the writer lock."""
    return Path(settings.SEARCH_INDEX_DIR)


def live_index_dir(root: Path) -> Path:
    """The Whoosh index folder that ``root/CURRENT`` names (``root`` itself for an index made before generations).

    A rebuild writes a new generation beside the live one and then replaces CURRENT in
    one rename, so readers see the old index or the new one, never a half-built one.
    """
    try:
        name = (root / CURRENT_FILE).read_text().strip()
    except (FileNotFoundError, NotADirectoryError):
        return root
    return root / name if name.startswith(GENERATION_PREFIX) and "/" not in name else root / "unreadable-CURRENT"


def index_dir() -> Path:
    """The live index folder (read at each call, so a rebuild in another process is seen)."""
    return live_index_dir(root_dir())


def _storage(folder: Path | None = None) -> FileStorage:
    # Without mmap a searcher opens in milliseconds and reads what it needs;
    # with it, every index file is mapped into the process (see PERFORMANCE.md).
    return FileStorage(str(folder or index_dir()), supports_mmap=False)


def stored_version(folder: Path | None = None) -> int | None:
    try:
        return int(((folder or index_dir()) / VERSION_FILE).read_text().strip())
    except (OSError, ValueError):
        return None


def index_state() -> str:
    """'ok', 'missing' (no index yet) or 'outdated' (written with another schema version).

    Cheap (a few file checks per call); damage shows when the index is opened (``IndexDamaged``).
    """
    folder = index_dir()
    # A table of contents is there (not whoosh's exists_in(), which reads it: damage is found on opening).
    if not folder.is_dir() or not any(folder.glob(f"_{INDEX_NAME}_*.toc")):
        return "missing"
    if stored_version(folder) != SCHEMA_VERSION:
        return "outdated"
    return "ok"


# A commit in another process replaces the table of contents and may merge segments away
# between Whoosh listing the folder and reading what it listed: the file is gone because the
# index moved on, not because it is damaged. Opening again reads the new generation.
OPEN_ATTEMPTS = 4


def _moved_on(error: BaseException) -> bool:
    return isinstance(error, FileNotFoundError) and Path(error.filename or "").suffix in {".toc", ".seg", ""}


def open_index():
    state = index_state()
    if state != "ok":
        raise IndexUnavailable(
            "The search index does not exist yet." if state == "missing"
            else "The search index was built with another schema version."
        )
    return _opened(lambda: _storage().open_index(indexname=INDEX_NAME))


def _opened(open_once):
    """``open_once()``, tried again while the index moves on under it; any other failure is damage."""
    attempt = 1
    while True:
        try:
            return open_once()
        except IndexUnavailable:
            raise
        except Exception as error:  # noqa: BLE001 - a damaged table of contents or segment fails in many ways
            if attempt == OPEN_ATTEMPTS or not _moved_on(error):
                raise IndexDamaged(f"The search index is damaged ({describe_error(error)}).") from error
            attempt += 1


def describe_error(error: BaseException) -> str:
    """A short account of what reading the index ran into, for messages and logs."""
    if isinstance(error, FileNotFoundError):
        return f"file missing: {Path(error.filename or '?').name}"
    if isinstance(error, (AttributeError, ModuleNotFoundError, ImportError)):
        return f"its schema names code that no longer exists: {error}"
    return f"{type(error).__name__}: {error}"[:300]


@contextmanager
def write_lock(*, timeout: float) -> Iterator[int]:
    """Dossier's one writer lock for the index folder; yields the lock file's descriptor.

    An flock lock: the kernel releases it when its holder ends, however it ends (a
    killed import leaves no lock behind). Writer subprocesses close their copy at start,
    so only the command that took it holds it. The holder's pid is written in the file
    for people looking. Raises ``LockError`` after ``timeout`` seconds.
    """
    root = root_dir()
    root.mkdir(parents=True, exist_ok=True)
    fd = os.open(root / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise LockError(f"Another process is writing the search index (see {root / LOCK_FILE}).") from None
                time.sleep(0.1)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        yield fd
    finally:
        os.close(fd)  # releases the lock


def lock_holder() -> int | None:
    """The pid of the process holding the writer lock, or None when it is free (a dead holder holds nothing)."""
    path = root_dir() / LOCK_FILE
    try:
        fd = os.open(path, os.O_RDWR)
    except FileNotFoundError:
        return None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            text = os.pread(fd, 32, 0).decode(errors="replace").strip()
            return int(text) if text.isdigit() else -1
        fcntl.flock(fd, fcntl.LOCK_UN)
        return None
    finally:
        os.close(fd)


def _new_generation() -> Path:
    """An empty index with the current schema in a new folder beside the live one (not live yet)."""
    folder = root_dir() / f"{GENERATION_PREFIX}{time.strftime('%Y%m%d%H%M%S')}-{secrets.token_hex(4)}"
    folder.mkdir(parents=True)
    _storage(folder).create_index(build_schema(), indexname=INDEX_NAME)
    (folder / VERSION_FILE).write_text(f"{SCHEMA_VERSION}\n")
    return folder


def _publish(folder: Path) -> None:
    """Make ``folder`` the live index in one rename, then remove what the old one left."""
    root = root_dir()
    pointer = root / f"{CURRENT_FILE}.{os.getpid()}.tmp"
    with open(pointer, "w") as f:
        f.write(f"{folder.name}\n")
        f.flush()
        os.fsync(f.fileno())
    os.replace(pointer, root / CURRENT_FILE)
    reset_searcher()
    remove_strays()


# What an index folder holds: Whoosh's tables of contents, segments, lock and temporary files, and ours.
_WHOOSH_FILE = re.compile(
    rf"^(_{INDEX_NAME}_\d+\.toc|{INDEX_NAME}_.*|{INDEX_NAME}\.tmp|{VERSION_FILE}|{CHECKSUMS_FILE}|QUEUE_POSITION\..*)$"
)


def remove_strays() -> list[str]:
    """Remove what killed writers and replaced generations left; call with the writer lock held.

    Everything in the index folder except the live generation, the pointer and the lock:
    older generations, a half-built one, a pointer being written, the files of an index
    made before generations, and the live generation's temporary folder (the posting
    runs of a writer that did not finish). Returns the names removed.
    """
    root = root_dir()
    live = index_dir()
    removed = []
    if not root.is_dir():
        return removed
    for path in root.iterdir():
        name = path.name
        if name in (CURRENT_FILE, LOCK_FILE) or path == live:
            continue
        legacy = live != root and _WHOOSH_FILE.match(name)
        if name.startswith(GENERATION_PREFIX) or name.startswith(f"{CURRENT_FILE}.") or legacy:
            _remove(path)
            removed.append(name)
    temporary = live / f"{INDEX_NAME}.tmp"
    if temporary.exists():
        _remove(temporary)
        removed.append(f"{live.name}/{temporary.name}")
    return removed


def tidy(*, timeout: float = 10.0) -> list[str]:
    """``remove_strays()`` under the writer lock (``update_index`` runs it even when nothing is queued)."""
    with write_lock(timeout=timeout):
        return remove_strays()


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


# Files whose checksum this process has verified (segment files never change once written).
_verified_files: set[tuple[str, int, int]] = set()


def _segment_files(folder: Path, segment_ids: set[str]) -> list[Path]:
    prefixes = tuple(f"{segment_id}." for segment_id in segment_ids)  # ids are "<index name>_<random>"
    return sorted(path for path in folder.iterdir() if path.name.startswith(prefixes) and path.is_file())


def _crc32(path: Path) -> int:
    crc = 0
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            crc = zlib.crc32(chunk, crc)
    return crc


def _read_checksums(folder: Path) -> dict[str, list[int]]:
    try:
        return json.loads((folder / CHECKSUMS_FILE).read_text())
    except (OSError, ValueError):
        return {}


def record_checksums(folder: Path) -> None:
    """Note the size and CRC-32 of every file of the index's segments (call after a commit, lock held).

    Segment files never change once written, so only new ones are read. Whoosh has no
    checksums of its own: these let a damaged file be named before anything reads it.
    """
    ix = _storage(folder).open_index(indexname=INDEX_NAME)
    with ix.reader() as reader:
        segment_ids = {leaf.segment().segment_id() for leaf, _ in reader.leaf_readers() if leaf.segment() is not None}
    known = _read_checksums(folder)
    sums = {}
    for path in _segment_files(folder, segment_ids):
        size = path.stat().st_size
        old = known.get(path.name)
        if not (old and old[0] == size):
            old = [size, _crc32(path)]
            _verified_files.add((str(path), *old))  # just read whole: this process need not read it again
        sums[path.name] = old
    pending = folder / f"{CHECKSUMS_FILE}.tmp"
    pending.write_text(json.dumps(sums, sort_keys=True))
    os.replace(pending, folder / CHECKSUMS_FILE)


def _check_files(folder: Path, segment_ids: set[str], *, contents: bool) -> list[str]:
    """What is wrong with the recorded files of these segments: missing, another size, or (``contents``) altered."""
    problems = []
    prefixes = tuple(f"{segment_id}." for segment_id in segment_ids)
    for name, (size, crc) in sorted(_read_checksums(folder).items()):
        if not name.startswith(prefixes):
            continue  # a segment merged away since (the table of contents no longer names it)
        path = folder / name
        try:
            actual = path.stat().st_size
        except FileNotFoundError:
            problems.append(f"file {name} is missing")
            continue
        if actual != size:
            problems.append(f"file {name} is {actual} bytes, {size} were written (cut short or replaced)")
        elif contents and (str(path), size, crc) not in _verified_files:
            if _crc32(path) != crc:
                problems.append(f"file {name} has been altered (its checksum differs from the one recorded)")
            else:
                _verified_files.add((str(path), size, crc))
    return problems


def verify_index(*, read: bool = True) -> list[str]:
    """Name any damage of the live index; [] when it is sound.

    Checks every recorded segment file against its size and checksum (about a second
    per gigabyte), then (with ``read``) reads every segment: all stored fields, columns
    and field lengths, and every posting of every term (against the count its term
    entry gives). Raises ``IndexUnavailable`` when the index is missing or of another
    schema version.
    """
    try:
        ix = open_index()
        reader = ix.reader()
    except IndexDamaged as error:
        return [str(error)]
    except IndexUnavailable:
        raise
    except Exception as error:  # noqa: BLE001 - a segment that cannot even be opened
        return [f"The search index cannot be opened ({describe_error(error)})."]
    with reader:
        leaves = [leaf for leaf, _ in reader.leaf_readers() if leaf.segment() is not None]
        segment_ids = {leaf.segment().segment_id() for leaf in leaves}
        _verified_files.clear()  # read every file again
        problems = _check_files(index_dir(), segment_ids, contents=True)
        if read and not problems:
            for leaf in leaves:
                problems += [f"segment {leaf.segment().segment_id()}: {problem}"
                             for problem in whoosh_adapter.read_whole_segment(leaf)]
    return problems


def create_index():
    """A new, empty index with the current schema, made live at once (it replaces any existing one)."""
    with write_lock(timeout=60.0):
        folder = _new_generation()
        record_checksums(folder)
        _publish(folder)
    return _storage(folder).open_index(indexname=INDEX_NAME)


@contextmanager
def index_writer(*, timeout: float = 10.0, **writer_options) -> Iterator:
    """One writer, committed on success and cancelled on error.

    Waits up to ``timeout`` seconds for the write lock (another process may be
    writing); raises ``LockError`` after that, and the caller keeps its queue.
    ``procs=2`` writes with two subprocesses, which end with this process.
    """
    with write_lock(timeout=timeout) as lock_fd:
        remove_strays()
        ix = open_index()
        deadline = time.monotonic() + timeout
        while True:
            try:
                writer = whoosh_adapter.open_writer(ix, close_fds=(lock_fd,), **writer_options)
                break
            except LockError:  # Whoosh's own lock, held by a writer that does not take Dossier's
                if time.monotonic() >= deadline:
                    raise
                time.sleep(0.1)
        try:
            yield writer
        except BaseException:
            writer.cancel()
            raise
        else:
            writer.commit()
            record_checksums(index_dir())


@contextmanager
def new_index_writer(*, timeout: float = 60.0, **writer_options) -> Iterator:
    """A writer into a new, empty index built beside the live one; its commit replaces the live one at once.

    Works whatever state the live index is in (missing, outdated, damaged): it is not
    read. Searches use the old index until the swap. On any failure the new folder is
    removed and the live index is left as it was.
    """
    with write_lock(timeout=timeout) as lock_fd:
        remove_strays()
        folder = _new_generation()
        try:
            ix = _storage(folder).open_index(indexname=INDEX_NAME)
            writer = whoosh_adapter.open_writer(ix, close_fds=(lock_fd,), **writer_options)
            try:
                yield writer
            except BaseException:
                writer.cancel()
                raise
            writer.commit()
            record_checksums(folder)
            _publish(folder)
        except BaseException:
            _remove(folder)
            raise


# Whoosh searchers are not safe to share between threads while searching (they read
# their files with seek and read), so each thread has its own, opened once and reused
# across requests until the index changes on disk: a server worker with one thread
# keeps one searcher. A searcher sees the index as it was when it was opened (an
# immutable snapshot: segments never change, and a commit writes a new table of
# contents), so a search runs without any lock, whatever a writer commits meanwhile.
# The lock guards only the epoch that reset_searcher() moves on.
_local = threading.local()
_epoch_lock = threading.Lock()
_epoch = 0


def reset_searcher() -> None:
    """Make every thread open a fresh searcher on its next search (this thread's closes now)."""
    global _epoch
    with _epoch_lock:
        _epoch += 1
    _close_own()


def _close_own() -> None:
    own = getattr(_local, "searcher", None)
    _local.searcher = None
    if own is not None:
        try:
            own.close()
        except Exception:  # noqa: BLE001 - a half-closed searcher is still gone
            logger.debug("closing the old searcher failed", exc_info=True)


def _current(own: Searcher | None) -> bool:
    """Whether this thread's searcher still shows the live index (a few file checks, no reading)."""
    if own is None or _local.epoch != _epoch:
        return False
    root = os.fspath(settings.SEARCH_INDEX_DIR)
    noted = getattr(_local, "noted", None)  # (root, live folder, their states) when last found up to date
    if noted is not None and noted[0] == root and noted[2] == _states(root, noted[1]):
        return True
    _local.noted = None
    directory = index_dir()
    if _local.directory != directory:
        return False
    try:
        # Not Searcher.refresh(): in whoosh-reloaded 2.7.5 it carries the old
        # segments into the new reader (stale and deleted documents come back).
        current = own.up_to_date()
    except OSError:  # the folder is gone: opening says why
        return False
    if current:
        states = _states(root, str(directory))
        _local.noted = (root, str(directory), states) if None not in states else None
    return current


# A file changed less than this long ago may change again within the same timestamp (file
# systems keep coarse times): its times cannot show the later change, so it is not compared.
_SETTLING_NS = 2_000_000_000


def _states(root: str, folder: str) -> tuple:
    """What stat says of ``root/CURRENT`` and of the live folder (None for one changed too recently).

    A rebuild replaces CURRENT and a commit adds and removes files in the live folder,
    changing the folder's times; so while both stat the same as when a searcher was found
    up to date, it still is: two stat calls instead of reading the pointer and listing the
    folder on every search (about 20 µs).
    """
    now = time.time_ns()
    states = []
    for path in (os.path.join(root, CURRENT_FILE), folder):
        try:
            st = os.stat(path)
        except FileNotFoundError:
            states.append("missing")
            continue
        except OSError:
            states.append(None)
            continue
        changed = max(st.st_mtime_ns, st.st_ctime_ns)
        states.append(None if now - changed < _SETTLING_NS else (st.st_ino, st.st_size, changed))
    return tuple(states)


@contextmanager
def searcher() -> Iterator[Searcher]:
    """This thread's searcher, up to date with the index on disk when the search starts."""
    own = getattr(_local, "searcher", None)
    if not _current(own):
        _close_own()
        with _epoch_lock:
            epoch = _epoch
        # Opening without mmap takes milliseconds.
        own = _open_searcher()
        _local.searcher, _local.epoch, _local.directory, _local.noted = own, epoch, index_dir(), None
    try:
        yield own
    except whoosh_adapter.READ_ERRORS as error:
        # A segment that cannot be read: every later search would fail the same way.
        logger.error("Reading the search index failed; it needs rebuilding.", exc_info=True)
        reset_searcher()
        raise IndexDamaged(f"The search index is damaged ({describe_error(error)}).") from error


def searcher_dir() -> Path:
    """The live index folder as this thread's searcher found it when ``searcher()`` last began
    (the same as ``index_dir()`` then, without reading the pointer file again)."""
    return _local.directory


def _open_searcher() -> Searcher:
    # A merge may remove a segment the table of contents just read still names: open both again.
    opened = _opened(lambda: open_index().searcher())
    # Each segment file is checked once per process against the size and checksum recorded
    # when it was written (about a second per gigabyte, at start-up; later only new segments):
    # damage is named before a search trips on it, or worse, reads wrong postings.
    segment_ids = {leaf.segment().segment_id() for leaf, _ in opened.reader().leaf_readers()
                   if leaf.segment() is not None}
    problems = _check_files(index_dir(), segment_ids, contents=True)
    if problems:
        opened.close()
        raise IndexDamaged(f"The search index is damaged ({problems[0]}).")
    try:
        whoosh_adapter.ensure_conformance(opened)
    except whoosh_adapter.READ_ERRORS as error:
        opened.close()
        raise IndexDamaged(f"The search index is damaged ({describe_error(error)}).") from error
    return opened


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


FOLLOWER_LOCK_FILE = "FOLLOWER.lock"
_follower_fds: dict[Path, int] = {}


def claim_following() -> bool:
    """True in the one process of this host that follows the change queue into this index.

    The server's worker processes share the index folder; one follower among them is
    enough. The claim is an flock held for the life of the process, so when that process
    ends (however it ends) another one's next attempt takes over.
    """
    root = root_dir()
    if root in _follower_fds:
        return True
    root.mkdir(parents=True, exist_ok=True)
    fd = os.open(root / FOLLOWER_LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        return False
    _follower_fds[root] = fd
    return True
