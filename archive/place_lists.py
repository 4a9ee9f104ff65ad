"""Which places the archive's pages list, and how a place is named where it is listed.

The gazetteer (``archive.places``) loads thousands of places that no article names.
A user sees a place once an article names it or a place inside it (Kazakhstan is
listed when only Almaty is named, since filtering by Kazakhstan finds that article).
Other kinds of entity come from editors and from imports of the archive's own
stories, so one without articles yet is still listed: an editor may just have added it.
The admin lists everything.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Exists, OuterRef, QuerySet

from archive.models import Article, Entity, EntityKind, Mention, PlaceType

# A place inside one of these is named without it: "Kazakhstan", not "Kazakhstan, in Asia".
_TOO_WIDE_TO_NAME = {PlaceType.CONTINENT, PlaceType.BLOC}


def places_in_use() -> dict[int, int]:
    """Every place an article names, or that holds one that is named: id -> how many named places lie inside it.

    Two queries whatever the size of the archive: the places some mention names (a probe of
    the mention index per place, cheaper than reading every mention), and every place's parent.
    """
    places = Entity.objects.filter(kind=EntityKind.PLACE).order_by()
    named = set(places.filter(Exists(Mention.objects.filter(entity=OuterRef("pk")))).values_list("id", flat=True))
    parents = dict(places.filter(parent__isnull=False).values_list("id", "parent_id"))
    inside: dict[int, int] = dict.fromkeys(named, 0)
    for place in named:
        seen, current = {place}, parents.get(place)
        while current is not None and current not in seen:  # a loop an editor made stops here
            inside[current] = inside.get(current, 0) + 1
            seen.add(current)
            current = parents.get(current)
    return inside


def articles_about(entity: Entity, inside: Iterable[int] | None = None) -> QuerySet[Article]:
    """The articles naming the entity or, for a place, any place inside it (as the entity filter finds them).

    ``inside``: the ids ``Entity.objects.with_places_inside(entity)`` gives, when the caller has them.
    """
    inside = set(Entity.objects.with_places_inside(entity) if inside is None else inside) | {entity.pk}
    if len(inside) == 1:
        return Article.objects.mentioning(entity)
    return Article.objects.filter(mentions__entity__in=inside).distinct()


def listed_entity_count() -> int:
    """How many entities users can find: every entity but the places nothing names."""
    return Entity.objects.exclude(kind=EntityKind.PLACE).count() + len(places_in_use())


def attach_parents(entities: Iterable[Entity]) -> None:
    """Load the parents of the places among ``entities`` in one query, so labels cost nothing more."""
    entities = [e for e in entities if e.kind == EntityKind.PLACE and e.parent_id]
    missing = {e.parent_id for e in entities if not Entity.parent.is_cached(e)}
    if not missing:
        return
    parents = Entity.objects.only("id", "name", "slug", "kind", "place_type").in_bulk(missing)
    for entity in entities:
        if entity.parent_id in parents:
            entity.parent = parents[entity.parent_id]


def shows_parent(entity: Entity) -> bool:
    """Whether the entity is named with the place it lies in: cities, regions and nations, not countries."""
    if entity.kind != EntityKind.PLACE or not entity.parent_id:
        return False
    return entity.parent.place_type not in _TOO_WIDE_TO_NAME


def place_label(entity: Entity) -> str:
    """"Almaty, in Kazakhstan" for a place inside a country or region; the plain name otherwise."""
    return entity.located_label if shows_parent(entity) else entity.name
