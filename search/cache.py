"""The one cache of what is decoded from the index, bounded by one byte budget.

Segments never change once written, so what is read from one (a word's postings and
positions, a column of lengths or dates, the facet values of its documents) is kept
under a key naming the segment: ``(index directory, segment id, what, ...)``. What is
worked out over a whole searcher (facet codes laid end to end, a word's frequency,
an article's related articles) is kept under the tuple of its segment ids instead,
with whatever else it depends on. Entries are dropped least recently used first when
the total passes ``settings.SEARCH_CACHE_BYTES`` (environment variable of the same
name), and at once when their segments are merged away.

Values are never changed after they are stored, so any thread may use one while
another evicts it; the lock is held only to look up, store and evict.
"""

from __future__ import annotations

import dataclasses
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import TypeVar

import numpy as np
from django.conf import settings

T = TypeVar("T")
DEFAULT_BYTES = 128 * 1024 * 1024


def nbytes(value) -> int:
    """About how much memory a cached value holds (arrays counted exactly, the rest roughly)."""
    if isinstance(value, np.ndarray):
        return value.nbytes + 112
    if isinstance(value, (bytes, str)):
        return len(value) + 49
    if isinstance(value, (tuple, list)):
        return 56 + 8 * len(value) + sum(nbytes(item) for item in value)
    if isinstance(value, dict):
        return 232 + sum(nbytes(k) + nbytes(v) for k, v in value.items())
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return 56 + sum(nbytes(getattr(value, f.name)) for f in dataclasses.fields(value))
    return 32


class SegmentCache:
    def __init__(self, budget: int | None = None):
        self._budget = budget
        self.used = 0
        self._items: OrderedDict[tuple, tuple[object, int]] = OrderedDict()
        self._lock = threading.Lock()

    @property
    def budget(self) -> int:
        if self._budget is not None:
            return self._budget
        return int(getattr(settings, "SEARCH_CACHE_BYTES", DEFAULT_BYTES))

    def get(self, key: tuple, compute: Callable[[], T]) -> T:
        """The value stored under ``key``, computed (outside the lock) and stored when missing."""
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
                return found[0]  # type: ignore[return-value]
        value = compute()
        self.put(key, value)
        return value

    def get_many(self, keys: list[tuple], compute: Callable[[list[tuple]], list]) -> list:
        """The values stored under ``keys``, in order; ``compute`` is called once (outside the
        lock) with the keys that are missing and returns their values in the same order."""
        values: list = [None] * len(keys)
        missing: list[int] = []
        with self._lock:
            items = self._items
            for i, key in enumerate(keys):
                found = items.get(key)
                if found is None:
                    missing.append(i)
                else:
                    items.move_to_end(key)
                    values[i] = found[0]
        if missing:
            computed = compute([keys[i] for i in missing])
            for i, value in zip(missing, computed, strict=True):
                values[i] = value
                self.put(keys[i], value)
        return values

    def peek(self, key: tuple):
        """The value stored under ``key``, or None."""
        with self._lock:
            found = self._items.get(key)
            if found is None:
                return None
            self._items.move_to_end(key)
            return found[0]

    def put(self, key: tuple, value) -> None:
        size = nbytes(value)
        budget = self.budget
        with self._lock:
            if key in self._items:
                return  # another thread computed the same value first; keep one
            if size > budget:
                return  # larger than the whole budget: used once, never kept
            self._items[key] = (value, size)
            self.used += size
            while self.used > budget:
                _, (_, old) = self._items.popitem(last=False)
                self.used -= old

    def forget_segments(self, storage_key: str, live: set[str]) -> None:
        """Drop the entries of this index that depend on a segment not in ``live`` (merged away)."""
        with self._lock:
            for key in list(self._items):
                if key[0] != storage_key:
                    continue
                segments = key[1] if isinstance(key[1], tuple) else (key[1],)
                if not live.issuperset(segments):
                    _, size = self._items.pop(key)
                    self.used -= size

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self.used = 0

    def __len__(self) -> int:
        return len(self._items)


segment_cache = SegmentCache()
