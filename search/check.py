"""Compares the index with the database: what is missing, stale or orphaned."""

from __future__ import annotations

from dataclasses import dataclass, field

from archive.models import Article
from search.index import searcher
from search.models import PendingIndexUpdate
from search.schema import documents


@dataclass
class IndexDrift:
    missing: list[int] = field(default_factory=list)  # in the database, not in the index
    stale: list[int] = field(default_factory=list)  # indexed from an older version of the article
    orphaned: list[int] = field(default_factory=list)  # in the index, gone from the database
    queued: int = 0  # updates waiting in the queue

    @property
    def clean(self) -> bool:
        return not (self.missing or self.stale or self.orphaned)


def find_drift(*, batch_size: int = 1000) -> IndexDrift:
    drift = IndexDrift(queued=PendingIndexUpdate.objects.count())
    with searcher() as s:
        indexed = {int(fields["id"]): fields["stamp"] for fields in s.all_stored_fields()}
    seen = set()
    ids = list(Article.objects.order_by("id").values_list("id", flat=True))
    for start in range(0, len(ids), batch_size):
        for article, document in documents(ids[start : start + batch_size]):
            seen.add(article.id)
            stamp = indexed.get(article.id)
            if stamp is None:
                drift.missing.append(article.id)
            elif stamp != document["stamp"]:
                drift.stale.append(article.id)
    drift.orphaned = sorted(set(indexed) - seen)
    return drift
