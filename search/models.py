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
