"""Writes that touch several models: tagging articles with the entities they mention."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from django.db import transaction

from archive.models import Article, Mention, MentionOrigin
from archive.signals import bulk_changes, notify_articles_changed
from archive.tagging import Gazetteer


def find_mentions(article: Article, gazetteer: Gazetteer) -> Counter[int]:
    """How often the body names each entity; names only in the title or summary count once."""
    counts = gazetteer.find(article.body)
    for entity_id in gazetteer.find(f"{article.title}\n\n{article.lede}"):
        counts.setdefault(entity_id, 1)
    return counts


def apply_mentions(article: Article, counts: Counter[int]) -> bool:
    """Make the article's automatic mentions match ``counts``.

    Mentions an editor added, or that came with the imported file, are never
    removed; their count is updated when the text names the entity. Returns
    whether anything changed. Callers run it inside ``bulk_changes()`` and
    report the changed articles with ``notify_articles_changed``.
    """
    existing = {mention.entity_id: mention for mention in article.mentions.all()}
    stale = [m.id for entity_id, m in existing.items() if entity_id not in counts and not m.is_protected]
    if stale:
        Mention.objects.filter(id__in=stale).delete()
    new, changed = [], []
    for entity_id, count in counts.items():
        mention = existing.get(entity_id)
        if mention is None:
            new.append(Mention(article=article, entity_id=entity_id, count=count, origin=MentionOrigin.AUTOMATIC))
        elif mention.count != count:
            mention.count = count
            changed.append(mention)
    Mention.objects.bulk_create(new)
    Mention.objects.bulk_update(changed, ["count"])
    return bool(stale or new or changed)


def tag_articles(*, articles: Iterable[Article], gazetteer: Gazetteer | None = None) -> int:
    """Re-tag ``articles`` with the known entities; returns how many were tagged."""
    gazetteer = gazetteer or Gazetteer.from_database()
    done = 0
    changed = []
    with transaction.atomic(), bulk_changes():
        for article in articles:
            if apply_mentions(article, find_mentions(article, gazetteer)):
                changed.append(article.id)
            done += 1
        notify_articles_changed(changed)
    return done
