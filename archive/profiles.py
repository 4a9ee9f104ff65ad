"""What an entity's profile page shows beyond its articles: company it keeps, and where it is named."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count
from django.urls import reverse

from archive.discovery import MAX_SENTENCE_CHARS
from archive.models import Entity, Mention
from archive.tagging import Gazetteer


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


def sentence_around(text: str, start: int, end: int) -> str:
    """The sentence holding text[start:end], in one line and at most a few hundred characters."""
    boundaries = [text.rfind(mark, 0, start) for mark in (". ", "! ", "? ", "\n")]
    left = max(boundaries)
    left = left + 2 if left >= 0 and text[left] != "\n" else left + 1
    ends = [i for i in (text.find(mark, end) for mark in (". ", "! ", "? ", "\n")) if i != -1]
    right = min(ends) + 1 if ends else len(text)
    sentence = " ".join(text[left:right].split()).lstrip("# ")
    if len(sentence) > MAX_SENTENCE_CHARS:
        offset = max(0, start - left - MAX_SENTENCE_CHARS // 2)
        sentence = "…" + sentence[offset : offset + MAX_SENTENCE_CHARS - 2].strip() + "…"
    return sentence

