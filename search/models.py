from django.db import models


class PendingIndexUpdate(models.Model):
    """An article whose index entry must be refreshed (or removed, if the article is gone).

    Written in the same transaction as the change, so a failed or interrupted index
    update is never lost: the queue is drained after each commit and by
    ``update_index``. Rows are deleted only once the index write has committed.
    """

    article_id = models.BigIntegerField(db_index=True)
    queued = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"article {self.article_id} queued {self.queued:%Y-%m-%d %H:%M:%S}"


class IndexReplica(models.Model):
    """One search index following the change queue (one per web server or host).

    Each index applies the queue from its own recorded position, so several servers on
    one database each keep their own index in step. Queue rows are deleted only once
    every index seen recently has passed them; an index absent for longer than
    ``SEARCH_REPLICA_EXPIRY_HOURS`` is forgotten and rebuilds itself when it returns.
    """

    name = models.CharField(max_length=300, unique=True)
    position = models.BigIntegerField(default=0)  # the last queue row applied
    needs_from = models.BigIntegerField(default=1)  # the lowest queue row it may still need
    seen = models.DateTimeField()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} at {self.position}"
