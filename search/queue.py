"""Each index's place in the database's change queue.

The queue (``PendingIndexUpdate``) is a log: a change writes a row in its own
transaction, and every index (one per web server or host, each with its own
directory) applies the rows after its recorded position. The position is kept in the
index directory, written after the index commit it describes, so a crash between the
two only means some articles are indexed twice.

Row ids come from a sequence, and on PostgreSQL a transaction can commit a lower id
after a higher one was read: the missing ids below the position are kept as *gaps*
and read again until every transaction that could still write them has ended (known
from PostgreSQL's snapshot of running transactions). On SQLite writers take turns,
so ids commit in order and there are no gaps. Other databases: gaps expire after
``SEARCH_QUEUE_GAP_SECONDS``.
"""

from __future__ import annotations

import socket
import time
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection
from django.db.models import Min, Q
from django.utils import timezone

from search.index import read_queue_position, root_dir, write_queue_position
from search.models import IndexReplica, PendingIndexUpdate


@dataclass
class Gap:
    low: int
    high: int
    waiting_on: list[str] = field(default_factory=list)  # PostgreSQL transactions that may still write it
    since: float = 0.0


@dataclass
class Position:
    position: int = 0
    gaps: list[Gap] = field(default_factory=list)
    registered: bool = False  # this index has been in the replica registry

    @classmethod
    def load(cls) -> Position | None:
        raw = read_queue_position()
        if raw is None:
            return None
        return cls(position=int(raw.get("position", 0)), gaps=[Gap(**gap) for gap in raw.get("gaps", [])],
                   registered=bool(raw.get("registered")))

    def save(self) -> None:
        write_queue_position({"position": self.position, "registered": self.registered,
                              "gaps": [vars(gap) for gap in self.gaps]})

    @property
    def needs_from(self) -> int:
        return min([gap.low for gap in self.gaps] + [self.position + 1])


def replica_name() -> str:
    """This index's name in the registry: the setting, else host and directory."""
    # The index folder, not its live generation: a rebuild does not make it another index.
    return getattr(settings, "SEARCH_INDEX_NAME", "") or f"{socket.gethostname()}:{root_dir().resolve()}"


def _running_transactions() -> set[str] | None:
    """Transactions running now, other than this connection's own (PostgreSQL only)."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_current_xact_id_if_assigned()::text, "
            "ARRAY(SELECT x::text FROM pg_snapshot_xip(pg_current_snapshot()) AS x)"
        )
        own, running = cursor.fetchone()
    return set(running) - {own}


@dataclass
class Batch:
    """The queue rows an index has not applied yet, and the position once they are."""

    rows: list[tuple[int, int]]  # (row id, article id)
    after: Position

    @property
    def article_ids(self) -> list[int]:
        return sorted({article_id for _, article_id in self.rows})

    @property
    def row_ids(self) -> list[int]:
        return [row_id for row_id, _ in self.rows]


def _missing(low: int, high: int, present: list[int]) -> list[tuple[int, int]]:
    """The ranges of ids in [low, high] not in ``present`` (sorted)."""
    ranges, expected = [], low
    for row_id in present:
        if row_id < low or row_id > high:
            continue
        if row_id > expected:
            ranges.append((expected, row_id - 1))
        expected = row_id + 1
    if expected <= high:
        ranges.append((expected, high))
    return ranges


def _unapplied(current: Position):
    """The queue rows after the position and in its gaps: what the index has not applied."""
    condition = Q(id__gt=current.position)
    for gap in current.gaps:
        condition |= Q(id__range=(gap.low, gap.high))
    return PendingIndexUpdate.objects.filter(condition)


def pending(current: Position | None = None, *, limit: int | None = None) -> Batch:
    """What this index has still to apply: rows after its position and rows that filled its gaps.

    With ``limit``, at most that many rows (the oldest); the rest are left for the next call.
    """
    current = current or Position.load() or Position()
    # Which transactions are running is read *before* the rows: a gap whose writers had
    # all ended by then is either in the rows read next or will never be written.
    running = _running_transactions()
    rows = _unapplied(current).order_by("id").values_list("id", "article_id")
    rows = list(rows[:limit] if limit else rows)
    ids = [row_id for row_id, _ in rows]
    now = time.time()
    gaps: list[Gap] = []
    for gap in current.gaps:
        if running is not None:
            waiting = [xid for xid in gap.waiting_on if xid in running]
            if not waiting:
                continue
        elif connection.vendor == "sqlite" or now - gap.since > settings.SEARCH_QUEUE_GAP_SECONDS:
            continue
        else:
            waiting = []
        gaps += [Gap(low, high, waiting, gap.since) for low, high in _missing(gap.low, gap.high, ids)]
    newest = max([current.position, *ids])
    if connection.vendor != "sqlite" and newest > current.position:
        # Ids skipped between the old position and the newest row read may belong to a
        # transaction that has not committed yet. (An index without a recorded position
        # starts at the first row it finds.)
        low = current.position + 1 if (current.position or current.registered) else ids[0]
        waiting_on = sorted(running) if running is not None else []
        if running is None or waiting_on:
            gaps += [Gap(lo, hi, waiting_on, now) for lo, hi in _missing(low, newest, ids)]
    return Batch(rows=rows, after=Position(position=newest, gaps=gaps, registered=current.registered))


def start_position() -> Position:
    """The position of an index built from the database as it is now (taken before reading it)."""
    newest = PendingIndexUpdate.objects.order_by("-id").values_list("id", flat=True).first() or 0
    running = _running_transactions()
    gaps: list[Gap] = []
    if running:
        # Rows below the newest one may still be committed by these transactions.
        present = list(PendingIndexUpdate.objects.values_list("id", flat=True).order_by("id"))
        low = present[0] if present else newest
        gaps = [Gap(lo, hi, sorted(running), time.time()) for lo, hi in _missing(low, newest, present)]
    return Position(position=newest, gaps=gaps)


def commit(position: Position) -> None:
    """Record the position after the index commit, and let the queue forget what every index has applied."""
    position.registered = True
    position.save()
    now = timezone.now()
    IndexReplica.objects.update_or_create(
        name=replica_name(), defaults={"position": position.position, "needs_from": position.needs_from, "seen": now}
    )
    expiry = now - timezone.timedelta(hours=settings.SEARCH_REPLICA_EXPIRY_HOURS)
    IndexReplica.objects.filter(seen__lt=expiry).delete()
    oldest_needed = IndexReplica.objects.aggregate(low=Min("needs_from"))["low"]
    if oldest_needed is not None:
        PendingIndexUpdate.objects.filter(id__lt=oldest_needed).delete()


def was_forgotten(position: Position | None) -> bool:
    """True when this index was registered once but the registry let it go (absent too long).

    The rows it had not applied may have been deleted since: it must be rebuilt.
    """
    return bool(position and position.registered
                and not IndexReplica.objects.filter(name=replica_name()).exists())


def in_step() -> bool:
    """Nothing queued that this index has not applied."""
    return not _unapplied(Position.load() or Position()).exists()
