"""What an entity's profile page shows beyond its articles: company it keeps, and where it is named."""

from __future__ import annotations

import heapq
from dataclasses import dataclass

from django.urls import reverse

from archive.facets import LABEL_FIELDS, FacetCounts
from archive.models import Entity
from archive.tagging import Gazetteer
from archive.text import sentence_around

OPENING_CHARS = 1500  # about the first two or three paragraphs of a news story


@dataclass(frozen=True)
class CoMention:
    entity: Entity
    count: int  # articles that mention both
    url: str  # the article list narrowed to both


def co_mentioned(entity: Entity, counts: FacetCounts, *, limit: int = 12) -> list[CoMention]:
    """The entities most often mentioned in the same articles, with how many articles.

    ``counts`` are the facet counts of the articles that mention ``entity``.
    """
    # A much-named entity keeps company with thousands: pick the top without sorting them all.
    together = ((n, other_id) for by_kind in counts.entities.values() for other_id, n in by_kind.items()
                if other_id != entity.id)
    top = heapq.nsmallest(limit, together, key=lambda item: (-item[0], item[1]))
    others = Entity.objects.only(*LABEL_FIELDS).in_bulk([other_id for _, other_id in top])
    base = reverse("archive:article_list")
    return [
        CoMention(other, n, f"{base}?entity={entity.slug}&entity={other.slug}")
        for n, other_id in top
        if (other := others.get(other_id)) is not None
    ]


def mention_sentences(entity: Entity, articles) -> dict[int, str]:
    """For each article, the first sentence that names the entity (by its name or any alias)."""
    gazetteer = Gazetteer([(entity.id, name) for name in entity.all_names()], in_context=False)
    sentences = {}
    for article in articles:
        span = _first_span(gazetteer, article.body)
        if span:
            sentences[article.id] = sentence_around(article.body, span[0], span[1])
    return sentences


def _first_span(gazetteer: Gazetteer, text: str) -> tuple[int, int, int] | None:
    """The first place ``text`` names the entity. Most stories name it early: the opening
    paragraphs are read first, and the rest of a long story only when they do not name it
    (a name never runs across the blank line between paragraphs)."""
    cut = text.find("\n\n", OPENING_CHARS)
    if cut != -1:
        spans = gazetteer.spans(text[:cut])
        if spans:
            return spans[0]
        rest = gazetteer.spans(text[cut:])
        return (rest[0][0] + cut, rest[0][1] + cut, rest[0][2]) if rest else None
    spans = gazetteer.spans(text)
    return spans[0] if spans else None
