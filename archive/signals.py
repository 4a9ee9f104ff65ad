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
# Sent once a long bulk operation (an import, a re-tagging run) has committed its
# last batch: listeners do then, once, what they would otherwise do after each batch.
bulk_finished = Signal()

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


@contextmanager
def bulk_operation() -> Iterator[None]:
    """Many batches, each its own transaction; follow-up work waits until the last one.

    Whatever happens inside (even an error), ``bulk_finished`` is sent at the end,
    so the batches that did commit are followed up.
    """
    _local.operations = getattr(_local, "operations", 0) + 1
    try:
        yield
    finally:
        _local.operations -= 1
        if _local.operations == 0:
            bulk_finished.send(sender=None)


def in_bulk_operation() -> bool:
    return getattr(_local, "operations", 0) > 0
