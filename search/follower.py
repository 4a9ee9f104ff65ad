"""Keeps a server process's index following the change queue, in a background thread.

With several web servers on one database, an edit made through one server is queued
in the database; every other server's follower notices it within
``SEARCH_FOLLOW_SECONDS`` and applies it to that server's own index. A server that was
down catches up on its first round. No request waits for any of this.
"""

from __future__ import annotations

import logging
import threading

from django.conf import settings
from django.db import close_old_connections

logger = logging.getLogger(__name__)

_started = threading.Event()
_wake = threading.Event()


# Queue rows applied per round: a follower runs inside a web server process, so it never
# takes on bulk work (an import indexes its own articles; the rest comes a round at a time).
ROWS_PER_ROUND = 500


def follow_once() -> int:
    """One round: apply what this index has not applied yet; returns the articles refreshed."""
    from whoosh.index import LockError

    from search.index import IndexUnavailable, lock_holder
    from search.queue import in_step
    from search.sync import drain_queue

    close_old_connections()
    try:
        if lock_holder() is not None or in_step():
            return 0  # a writer (an import, a rebuild) is at work, or nothing to do
        return drain_queue(timeout=0.2, limit=ROWS_PER_ROUND)
    except (IndexUnavailable, LockError):
        return 0  # no index yet, or a writer got there first: the next round looks again
    except Exception:  # noqa: BLE001 - the queue keeps the changes; the next round retries
        logger.warning("Following the change queue failed; retrying.", exc_info=True)
        return 0
    finally:
        close_old_connections()


def _loop(interval: float) -> None:
    from search.index import claim_following

    while True:
        # One follower per index folder among the server's processes; a full round means
        # more is waiting, so the next starts at once.
        if claim_following() and follow_once() >= ROWS_PER_ROUND:
            continue
        _wake.wait(interval)
        _wake.clear()


def start() -> bool:
    """Start this process's follower (once); False when following is switched off."""
    interval = settings.SEARCH_FOLLOW_SECONDS
    if interval <= 0 or _started.is_set():
        return False
    _started.set()
    threading.Thread(target=_loop, args=(interval,), name="dossier-index-follower", daemon=True).start()
    return True


def wake() -> None:
    """Ask the follower for a round now (after this process committed a change)."""
    _wake.set()
