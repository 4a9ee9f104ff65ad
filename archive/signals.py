"""Signals the archive sends about its own changes.

Per-row model signals (post_save, m2m_changed, …) tell listeners about edits made
one at a time, in the admin or a shell. Bulk work (import, re-tagging) would send
thousands of them, so it runs inside ``bulk_changes()``, which tells listeners to
ignore per-row signals, and sends one ``articles_changed`` for each batch instead.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from django.dispatch import Signal

# Sent with ``ids``: the articles whose text, tags, source or mentions changed (or
# that were deleted), inside the transaction that changed them.
articles_changed = Signal()

_local = threading.local()


@contextmanager
def bulk_changes() -> Iterator[None]:
    _local.depth = getattr(_local, "depth", 0) + 1
    try:
        yield
    finally:
        _local.depth -= 1


def in_bulk() -> bool:
    return getattr(_local, "depth", 0) > 0


def notify_articles_changed(ids: Iterable[int]) -> None:
    ids = sorted(set(ids))
    if ids:
        articles_changed.send(sender=None, ids=ids)
