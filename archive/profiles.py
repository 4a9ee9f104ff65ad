"""What an entity's profile page shows beyond its articles: company it keeps, and where it is named."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count
from django.urls import reverse

from archive.models import Entity, Mention
from archive.tagging import Gazetteer
from archive.text import sentence_around


@dataclass(frozen=True)
class CoMention:
    entity: Entity
    count: int  # articles that mention both
    url: str  # the article list narrowed to both


def co_mentioned(entity: Entity, *, limit: int = 12) -> list[CoMention]:
    """The entities most often mentioned in the same articles, with how many articles."""
    rows = (
        Mention.objects.filter(article__mentions__entity=entity)
        .exclude(entity=entity)
        .values("entity_id")
        .annotate(n=Count("article_id", distinct=True))
        .order_by("-n", "entity_id")[:limit]
    )
    rows = list(rows)
    others = Entity.objects.in_bulk([row["entity_id"] for row in rows])
    base = reverse("archive:article_list")
    return [
        CoMention(other, row["n"], f"{base}?entity={entity.slug}&entity={other.slug}")
        for row in rows
        if (other := others.get(row["entity_id"])) is not None
    ]


def mention_sentences(entity: Entity, articles) -> dict[int, str]:
    """For each article, the first sentence that names the entity (by its name or any alias)."""
    gazetteer = Gazetteer([(entity.id, name) for name in entity.all_names()])
    sentences = {}
    for article in articles:
        spans = gazetteer.spans(article.body)
        if spans:
            start, end, _ = spans[0]
            sentences[article.id] = sentence_around(article.body, start, end)
    return sentences
