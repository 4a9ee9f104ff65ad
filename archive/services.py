"""Writes that touch several models: tagging, suggestions of new names, merging entities."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable

from django.db import connections, router, transaction
from django.db.models import Q

from archive.discovery import Candidate, find_candidates, vote_kind
from archive.models import (
    Alias,
    Article,
    Entity,
    EntityKind,
    EntitySuggestion,
    FormerSlug,
    Mention,
    MentionOrigin,
    SuggestionStatus,
)
from archive.signals import bulk_changes, bulk_operation, notify_articles_changed
from archive.tagging import Gazetteer
from archive.text import fold


def find_mentions(article: Article, gazetteer: Gazetteer) -> Counter[int]:
    """How often the body names each entity; names only in the title, summary or dateline count once."""
    return gazetteer.mentions(body=article.body, title=article.title, lede=article.lede, dateline=article.dateline)


def apply_mentions(article: Article, counts: Counter[int]) -> bool:
    """Make one article's automatic mentions match ``counts``; see ``apply_mentions_in_bulk``."""
    return bool(apply_mentions_in_bulk({article.id: counts}))


def apply_mentions_in_bulk(counts_by_article: dict[int, Counter[int]]) -> list[int]:
    """Make each article's automatic mentions match its counts; returns the ids of the articles that changed.

    Mentions an editor added, or that came with the imported file, are never
    removed; their count is updated when the text names the entity. A few queries
    for the whole batch, whatever its size. Callers run it inside ``bulk_changes()``
    and report the changed articles with ``notify_articles_changed``.
    """
    if not counts_by_article:
        return []
    existing: dict[int, dict[int, tuple[int, int, str]]] = {}
    rows = Mention.objects.filter(article_id__in=list(counts_by_article)).values_list(
        "id", "article_id", "entity_id", "count", "origin")
    for pk, article_id, entity_id, count, origin in rows:
        existing.setdefault(article_id, {})[entity_id] = (pk, count, origin)
    stale, new, recounted = [], [], []
    changed: set[int] = set()
    for article_id, counts in counts_by_article.items():
        mentions = existing.get(article_id, {})
        for entity_id, (pk, _, origin) in mentions.items():
            if entity_id not in counts and origin == MentionOrigin.AUTOMATIC:
                stale.append(pk)
                changed.add(article_id)
        for entity_id, count in counts.items():
            known = mentions.get(entity_id)
            if known is None:
                new.append((article_id, entity_id, count, MentionOrigin.AUTOMATIC.value))
                changed.add(article_id)
            elif known[1] != count:
                recounted.append(Mention(id=known[0], count=count))
                changed.add(article_id)
    if stale:
        Mention.objects.filter(id__in=stale).delete()
    _insert_mentions(new)
    Mention.objects.bulk_update(recounted, ["count"])
    return sorted(changed)


def _insert_mentions(rows: list[tuple[int, int, int, str]]) -> None:
    """Insert (article id, entity id, count, origin) rows in one statement run many times.

    ``bulk_create`` prepares every field of every object in Python; for the few plain
    columns of a mention that was a fifth of re-tagging's time. Mentions send no signals
    and need no ids back, so nothing is lost.
    """
    if not rows:
        return
    connection = connections[router.db_for_write(Mention)]
    quote = connection.ops.quote_name
    fields = ("article", "entity", "count", "origin")
    columns = ", ".join(quote(Mention._meta.get_field(name).column) for name in fields)
    with connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {quote(Mention._meta.db_table)} ({columns}) VALUES (%s, %s, %s, %s)", rows)


# Articles are matched, then their mentions written, this many at a time.
TAG_BATCH = 500


def tag_articles(*, articles: Iterable[Article], gazetteer: Gazetteer | None = None, discover: bool = True) -> int:
    """Re-tag ``articles`` with the known entities, in one transaction; returns how many were tagged.

    With ``discover``, names that are not entities yet are added to the review list.
    """
    gazetteer = gazetteer or Gazetteer.from_database()
    done = 0
    changed: list[int] = []
    found: dict[int, list[Candidate]] = {}
    pending: dict[int, Counter[int]] = {}
    with transaction.atomic(), bulk_changes():
        for article in articles:
            pending[article.id] = find_mentions(article, gazetteer)
            if discover:
                # Right after matching: the gazetteer still holds this text's matches.
                found[article.id] = discover_names(article, gazetteer)
            if len(pending) >= TAG_BATCH:
                changed += apply_mentions_in_bulk(pending)
                done += len(pending)
                pending = {}
        changed += apply_mentions_in_bulk(pending)
        done += len(pending)
        notify_articles_changed(changed)
        record_suggestions(found, gazetteer)
    return done


# ---- New names: suggestions collected while tagging -------------------------------------------

def discover_names(article: Article, gazetteer: Gazetteer | None = None) -> list[Candidate]:
    head = f"{article.title}.\n"
    known = None
    if gazetteer is not None:
        # The body's matches are those tagging just found (the gazetteer keeps them): ask for
        # the title's and the body's apart rather than match the joined text again.
        shift = len(head)
        known = gazetteer.spans(head) + [
            (start + shift, end + shift, entity_id) for start, end, entity_id in gazetteer.spans(article.body)]
    return find_candidates(head + article.body, gazetteer, known=known)


def record_suggestions(found: dict[int, list[Candidate]], gazetteer: Gazetteer) -> int:
    """Add what tagging saw to the review list; returns how many new suggestions were created.

    Names that are already entities or aliases are skipped, and so are names an
    editor rejected, accepted or merged before.
    """
    seen: dict[str, dict] = {}
    for article_id, candidates in found.items():
        for candidate in candidates:
            if gazetteer.known(candidate.name):
                continue
            key = fold(" ".join(candidate.name.split()))[:200]
            entry = seen.setdefault(
                key, {"name": candidate.name, "kind": candidate.kind, "strong": False, "ids": set(), "examples": [],
                      "target": candidate.alias_of, "votes": Counter()}
            )
            entry["target"] = entry["target"] or candidate.alias_of
            entry["ids"].add(article_id)
            entry["strong"] |= candidate.strong
            entry["votes"][candidate.vote] += 1  # evidence and guesses of kind apart (vote_kind)
            if len(entry["examples"]) < EntitySuggestion.MAX_EXAMPLES and candidate.sentence:
                entry["examples"].append({"article": article_id, "sentence": candidate.sentence})
    if not seen:
        return 0
    seen = _join_variants(seen)
    for entry in seen.values():
        entry["kind"] = vote_kind(entry["votes"])  # what most of its articles say it is, not the first
    existing = {s.key: s for s in EntitySuggestion.objects.filter(key__in=list(seen))}
    # A name offered as an alias of a known entity takes that entity's kind.
    targets = Entity.objects.in_bulk({entry["target"] for entry in seen.values() if entry["target"]})
    changed, new = [], []
    for key, entry in seen.items():
        suggestion = existing.get(key)
        if suggestion is None:
            ids = sorted(entry["ids"])[: EntitySuggestion.MAX_ARTICLE_IDS]
            target = targets.get(entry["target"])
            suggestion = EntitySuggestion(
                name=entry["name"], key=key, kind=target.kind if target else entry["kind"], strong=entry["strong"],
                article_ids=ids, article_count=len(entry["ids"]), examples=entry["examples"], target=target,
            )
            suggestion.status = SuggestionStatus.NEW if suggestion.worth_reviewing() else SuggestionStatus.WATCHING
            new.append(suggestion)
            continue
        if suggestion.status not in (SuggestionStatus.NEW, SuggestionStatus.WATCHING):
            continue  # an editor has decided
        before = _suggestion_state(suggestion)
        ids = set(suggestion.article_ids) | entry["ids"]
        suggestion.article_ids = sorted(ids)[: EntitySuggestion.MAX_ARTICLE_IDS]
        suggestion.article_count = max(suggestion.article_count, len(ids))
        suggestion.strong = suggestion.strong or entry["strong"]
        if suggestion.kind == EntityKind.OTHER:
            suggestion.kind = entry["kind"]
        known_sentences = {example["sentence"] for example in suggestion.examples}
        for example in entry["examples"]:
            if len(suggestion.examples) < EntitySuggestion.MAX_EXAMPLES and example["sentence"] not in known_sentences:
                suggestion.examples.append(example)
        if suggestion.worth_reviewing():
            suggestion.status = SuggestionStatus.NEW  # seen enough now: on the review list
        if _suggestion_state(suggestion) != before:
            # Re-tagging articles already counted changes nothing: no write (an UPDATE of thousands of
            # rows by bulk_update costs more than the tagging itself).
            changed.append(suggestion)
    EntitySuggestion.objects.bulk_create(new, ignore_conflicts=True)
    EntitySuggestion.objects.bulk_update(changed, _SUGGESTION_FIELDS, batch_size=500)
    return len(new)


_SUGGESTION_FIELDS = ("article_ids", "article_count", "strong", "kind", "examples", "status")


def _suggestion_state(suggestion: EntitySuggestion) -> str:
    """The fields tagging updates, as one comparable value (examples are a list of dicts)."""
    return json.dumps([getattr(suggestion, field) for field in _SUGGESTION_FIELDS], sort_keys=True, default=str)


def _join_variants(seen: dict[str, dict]) -> dict[str, dict]:
    """One suggestion for the short and the long form of one name seen in the same batch.

    "McDonnell Douglas" and "McDonnell Douglas Corp", "Chase Manhattan" and "Chase Manhattan
    Bank": a name that another suggested name starts with is the same name, shortened. So is a
    name with only titles before it ("President Li Wei" and "Li Wei"), and a surname alone ("Mr.
    Gale") when one person suggested has it ("Martin Gale"). The form seen in more articles is
    kept (then the one found by a title or an organisation word, then the longer; never the
    surname alone), with the articles, examples and kind votes of the others.
    """
    from archive.discovery import is_title_word

    words = {key: tuple(key.split()) for key in seen}
    by_words = {value: key for key, value in words.items()}
    parent = {key: key for key in seen}

    def root(key: str) -> str:
        while parent[key] != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key

    for key, long in words.items():
        for cut in range(1, len(long)):
            for piece, extra in ((long[:cut], ()), (long[cut:], long[:cut])):
                other = by_words.get(piece)
                if other is not None and all(is_title_word(word) for word in extra):
                    parent[root(other)] = root(key)
    # "Mr. Gale", "President Reagan": a surname alone is the person named in full in the same batch,
    # when only one person suggested has that surname.
    by_surname: dict[str, list[str]] = {}
    for key, long in words.items():
        if len(long) > 1 and vote_kind(seen[key]["votes"]) == EntityKind.PERSON:
            by_surname.setdefault(long[-1], []).append(key)
    for key, short in words.items():
        full = by_surname.get(short[0], []) if len(short) == 1 else []
        if len(full) == 1:
            parent[root(key)] = root(full[0])
    groups: dict[str, list[str]] = {}
    for key in seen:
        groups.setdefault(root(key), []).append(key)
    joined = {}
    for keys in groups.values():
        # A surname alone is never the form kept when the full name is there.
        keys.sort(key=lambda k: (len(words[k]) > 1, len(seen[k]["ids"]), seen[k]["strong"], len(words[k])),
                  reverse=True)
        entry = seen[keys[0]]
        for other in map(seen.get, keys[1:]):
            entry["ids"] |= other["ids"]
            entry["strong"] |= other["strong"]
            entry["target"] = entry["target"] or other["target"]
            entry["votes"] += other["votes"]
            room = EntitySuggestion.MAX_EXAMPLES - len(entry["examples"])
            entry["examples"] += other["examples"][:max(room, 0)]
        joined[keys[0]] = entry
    return joined


def prune_suggestions(gazetteer: Gazetteer | None = None) -> int:
    """Drop undecided suggestions whose name has become an entity or alias since; returns how many."""
    gazetteer = gazetteer or Gazetteer.from_database()
    known = [s.pk for s in EntitySuggestion.objects.undecided().only("pk", "name") if gazetteer.known(s.name)]
    EntitySuggestion.objects.filter(pk__in=known).delete()
    return len(known)


def accept_suggestion(*, suggestion: EntitySuggestion) -> Entity:
    """The suggestion becomes an entity (or joins one of the same name), and its articles are tagged."""
    with transaction.atomic():
        entity = Entity.objects.filter(kind=suggestion.kind, name__iexact=suggestion.name).first()
        if entity is None:
            entity = Entity.objects.create(name=suggestion.name, kind=suggestion.kind)
        suggestion.status, suggestion.target = SuggestionStatus.ACCEPTED, entity
        suggestion.save(update_fields=["status", "target", "updated"])
        _retag_later(entity, suggestion.article_ids)
    return entity


def reject_suggestion(*, suggestion: EntitySuggestion) -> None:
    """Not an entity: it is kept as rejected, so tagging never suggests it again."""
    suggestion.status = SuggestionStatus.REJECTED
    suggestion.save(update_fields=["status", "updated"])


def merge_suggestion(*, suggestion: EntitySuggestion, into: Entity) -> None:
    """The suggested name is another name of ``into``: it becomes an alias, and the articles are re-tagged."""
    with transaction.atomic():
        if not _has_name(into, suggestion.name):
            Alias.objects.create(entity=into, name=suggestion.name)
        suggestion.status, suggestion.target = SuggestionStatus.MERGED, into
        suggestion.save(update_fields=["status", "target", "updated"])
        _retag_later(into, suggestion.article_ids)


def _retag_later(entity: Entity, also: Iterable[int]) -> None:
    # A background job: the entity may be named in tens of thousands of articles.
    from archive.jobs import retag_entity_later

    retag_entity_later(entity=entity, also=list(also))


def _has_name(entity: Entity, name: str) -> bool:
    wanted = name.casefold()
    return entity.name.casefold() == wanted or any(
        alias.casefold() == wanted for alias in entity.aliases.values_list("name", flat=True)
    )


# ---- Editing entities ------------------------------------------------------------------------

Progress = Callable[..., None]

# Re-tagging commits every this many articles, so a long run never holds the database's
# write lock for long and editors' saves go through meanwhile.
RETAG_BATCH = 500


def retag_entity(*, entity: Entity, also: Iterable[int] = (), progress: Progress | None = None) -> int:
    """Re-tag the articles an entity's names may touch, after its name or aliases changed.

    Those are the articles that mention it now (a removed alias may no longer
    match) and those whose text contains any of its names (a new alias may).
    Runs as a background job (``archive.jobs.retag_entity_later``): at archive scale
    it reads tens of thousands of articles.
    """
    if progress:
        progress(0, None, "Finding the articles that may name it")
    candidates = set(Mention.objects.filter(entity=entity).values_list("article_id", flat=True))
    candidates.update(also)
    # Read the names afresh: the caller's entity may hold a prefetched, older list of aliases.
    names = [entity.name, *Alias.objects.filter(entity=entity).values_list("name", flat=True)]
    # SQLite compares case-insensitively only in ASCII: try the usual spellings too. One query
    # for all of them, so the articles' texts are read once, not once per spelling.
    spellings = {variant for name in names for variant in (name, name.lower(), name.upper(), name.title())}
    wanted = Q()
    for spelling in sorted(spellings):
        wanted |= Q(body__contains=spelling) | Q(title__contains=spelling)
    candidates.update(Article.objects.filter(wanted).values_list("id", flat=True))
    # Their texts were searched for new names when they were imported or last re-tagged; a
    # changed alias does not change what they name, and skipping that is half the work.
    return retag_articles(ids=candidates, progress=progress, discover=False)


def retag_articles(*, ids: Iterable[int], progress: Progress | None = None, discover: bool = True) -> int:
    """Re-tag these articles in batches of ``RETAG_BATCH``, each its own transaction; returns how many.

    With ``discover``, names that are not entities yet are added to the review list.
    """
    ids = sorted(set(ids))
    gazetteer = Gazetteer.from_database()
    done = 0
    # One bulk operation: the index follows batch by batch, in one writer, not once per batch.
    with bulk_operation():
        for start in range(0, len(ids), RETAG_BATCH):
            chunk = ids[start : start + RETAG_BATCH]
            articles = Article.objects.filter(id__in=chunk).order_by("id")
            done += tag_articles(articles=articles, gazetteer=gazetteer, discover=discover)
            if progress:
                progress(min(start + RETAG_BATCH, len(ids)), len(ids), f"Re-tagged {done} articles")
    return done


_ORIGIN_RANK = {MentionOrigin.AUTOMATIC: 0, MentionOrigin.IMPORTED: 1, MentionOrigin.EDITOR: 2}


def merge_entities(*, keep: Entity, duplicates: Iterable[Entity]) -> int:
    """Fold duplicates into ``keep``: mentions move, names become aliases, nothing is lost.

    Returns the number of articles whose mentions changed.
    """
    duplicates = [d for d in duplicates if d.pk != keep.pk]
    affected: set[int] = set()
    with transaction.atomic(), bulk_changes():
        kept_mentions = {m.article_id: m for m in Mention.objects.filter(entity=keep)}
        for duplicate in duplicates:
            for mention in Mention.objects.filter(entity=duplicate):
                affected.add(mention.article_id)
                existing = kept_mentions.get(mention.article_id)
                if existing is None:
                    mention.entity = keep
                    mention.save(update_fields=["entity"])
                    kept_mentions[mention.article_id] = mention
                    continue
                existing.count += mention.count
                if _ORIGIN_RANK[mention.origin] > _ORIGIN_RANK[existing.origin]:
                    existing.origin = mention.origin
                existing.save(update_fields=["count", "origin"])
                mention.delete()
            for name in duplicate.all_names():
                if not _has_name(keep, name):
                    Alias.objects.create(entity=keep, name=name)
            if not keep.description and duplicate.description:
                keep.description = duplicate.description
            if not keep.external_id and duplicate.external_id:
                keep.external_id = duplicate.external_id
            EntitySuggestion.objects.filter(target=duplicate).update(target=keep)
            # The duplicate's addresses (and those it had before) now lead to the kept entity.
            FormerSlug.objects.filter(entity=duplicate).update(entity=keep)
            FormerSlug.remember(keep, duplicate.slug)
            duplicate.delete()
        keep.save()
        affected |= set(Mention.objects.filter(entity=keep).values_list("article_id", flat=True))
        notify_articles_changed(affected)
    return len(affected)
