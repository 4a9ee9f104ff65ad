"""Small factories for tests: plain functions with sensible defaults."""

from __future__ import annotations

import datetime as dt
import itertools

from archive.models import Alias, Article, Entity, EntityKind, Mention, MentionOrigin, PlaceType, Source, Tag

_counter = itertools.count(1)


def make_source(name: str | None = None, **fields) -> Source:
    return Source.objects.create(name=name or f"Source {next(_counter)}", **fields)


def make_tag(name: str | None = None) -> Tag:
    return Tag.objects.create(name=name or f"Topic {next(_counter)}")


def make_entity(name: str | None = None, kind: str = EntityKind.ORGANISATION, aliases=(), **fields) -> Entity:
    entity = Entity.objects.create(name=name or f"Entity {next(_counter)}", kind=kind, **fields)
    for alias in aliases:
        Alias.objects.create(entity=entity, name=alias)
    return entity


def make_article(
    title: str | None = None,
    body: str | None = None,
    published: dt.date | str = dt.date(2024, 3, 29),
    source: Source | None = None,
    tags=(),
    mentions=(),
    **fields,
) -> Article:
    n = next(_counter)
    if isinstance(published, str):
        published = dt.date.fromisoformat(published)
    article = Article.objects.create(
        title=title or f"Article number {n}",
        body=body or f"Body of article {n} about wind and solar power.",
        published=published,
        source=source,
        **fields,
    )
    if tags:
        article.tags.set(tags)
    for entity in mentions:
        Mention.objects.create(article=article, entity=entity, count=1, origin=MentionOrigin.EDITOR)
    return article


def make_kazakh_places() -> tuple[Entity, Entity, Entity, Entity, Entity]:
    """Asia > Kazakhstan > (Almaty Region > Kapshagay, Almaty): a place hierarchy for tests."""
    asia = make_entity("Asia", kind=EntityKind.PLACE, place_type=PlaceType.CONTINENT)
    kazakhstan = make_entity("Kazakhstan", kind=EntityKind.PLACE, place_type=PlaceType.COUNTRY, parent=asia)
    region = make_entity("Almaty Region", kind=EntityKind.PLACE, place_type=PlaceType.REGION, parent=kazakhstan)
    almaty = make_entity("Almaty", kind=EntityKind.PLACE, place_type=PlaceType.CITY, parent=kazakhstan)
    kapshagay = make_entity("Kapshagay", kind=EntityKind.PLACE, place_type=PlaceType.CITY, parent=region)
    return asia, kazakhstan, region, almaty, kapshagay
