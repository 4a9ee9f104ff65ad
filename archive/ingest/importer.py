"""The import service: files in, articles with tags and mentions out, and a report.

A batch of articles is written with their tags and mentions in a few statements,
inside one transaction per batch. If the database refuses anything in it, the
batch is written again one article per savepoint, so a failure leaves nothing of
that article behind and the others are kept. A crash loses at most the batch in
progress, which the next run imports again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import DatabaseError, transaction

from archive.ingest.base import ParsedArticle, ParsedEntity, ParseFailure
from archive.ingest.files import find_files, parse_file
from archive.models import Alias, Article, Entity, Mention, MentionOrigin, Source, Tag
from archive.services import discover_names, find_mentions, record_suggestions
from archive.signals import bulk_changes, bulk_operation, notify_articles_changed
from archive.tagging import Gazetteer
from archive.text import body_fingerprint, slug_base, unique_slug

ProgressCallback = Callable[[int, int, Path], None]


@dataclass(frozen=True)
class ImportFailure:
    file: str
    line: int | None
    reason: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.reason}"


@dataclass
class ImportReport:
    created: list[int] = field(default_factory=list)  # article ids
    unchanged: list[str] = field(default_factory=list)  # "file:line (why)"
    failures: list[ImportFailure] = field(default_factory=list)
    files: int = 0

    @property
    def ok(self) -> bool:
        return not self.failures

    def summary(self) -> str:
        return (
            f"{len(self.created)} created, {len(self.unchanged)} unchanged, "
            f"{len(self.failures)} failed, from {self.files} file{'s' if self.files != 1 else ''}"
        )


class _Lookups:
    """Sources, tags and the gazetteer, fetched once per import rather than per article."""

    def __init__(self, default_source: Source | None):
        self.default_source = default_source
        self.sources = {s.name.casefold(): s for s in Source.objects.all()}
        self.tags = {t.name.casefold(): t for t in Tag.objects.all()}
        self._gazetteer: Gazetteer | None = None

    @property
    def gazetteer(self) -> Gazetteer:
        if self._gazetteer is None:
            self._gazetteer = Gazetteer.from_database()
        return self._gazetteer

    def entities_changed(self) -> None:
        self._gazetteer = None

    def source(self, name: str) -> Source | None:
        if not name:
            return self.default_source
        key = name.casefold()
        if key not in self.sources:
            self.sources[key] = Source.objects.create(name=name)
        return self.sources[key]

    def tag(self, name: str) -> Tag:
        key = name.casefold()
        if key not in self.tags:
            self.tags[key] = Tag.objects.create(name=name)
        return self.tags[key]

    def forget_new_rows(self) -> None:
        """After a rolled-back savepoint, rows created inside it no longer exist."""
        self.sources = {k: s for k, s in self.sources.items() if Source.objects.filter(pk=s.pk).exists()}
        self.tags = {k: t for k, t in self.tags.items() if Tag.objects.filter(pk=t.pk).exists()}
        self._gazetteer = None


def _ensure_entity(parsed: ParsedEntity) -> tuple[Entity, bool]:
    """The entity of that name and kind, created if new; aliases added. True when anything changed."""
    entity = Entity.objects.filter(kind=parsed.kind, name__iexact=parsed.name).first()
    changed = False
    if entity is None:
        entity = Entity.objects.create(kind=parsed.kind, name=parsed.name)
        changed = True
    # Compared in Python: SQLite's LOWER() leaves Cyrillic and other scripts alone.
    known = {name.casefold() for name in entity.aliases.values_list("name", flat=True)}
    known.add(entity.name.casefold())
    for alias in parsed.aliases:
        if alias.casefold() not in known:
            Alias.objects.create(entity=entity, name=alias)
            known.add(alias.casefold())
            changed = True
    return entity, changed


class _KnownArticles:
    """Fingerprints and URLs already in the archive, looked up once per batch."""

    def __init__(self, batch: list[ParsedArticle]):
        fingerprints = [body_fingerprint(parsed.body) for parsed in batch]
        self.by_parsed = {id(parsed): fp for parsed, fp in zip(batch, fingerprints, strict=True)}
        self.fingerprints = set(
            Article.objects.filter(fingerprint__in=fingerprints).values_list("fingerprint", flat=True)
        )
        urls = [parsed.url for parsed in batch if parsed.url]
        # exclude(url="") lets SQLite use the partial unique index on url (WHERE url != '').
        self.urls = (
            set(Article.objects.filter(url__in=urls).exclude(url="").order_by().values_list("url", flat=True))
            if urls
            else set()
        )

    def duplicate_of(self, parsed: ParsedArticle) -> str | None:
        if self.by_parsed[id(parsed)] in self.fingerprints:
            return "same text already in the archive"
        if parsed.url and parsed.url in self.urls:
            return "an article with this url is already in the archive"
        return None

    def fingerprint(self, parsed: ParsedArticle) -> str:
        return self.by_parsed[id(parsed)]

    def add(self, parsed: ParsedArticle) -> None:
        self.fingerprints.add(self.by_parsed[id(parsed)])
        if parsed.url:
            self.urls.add(parsed.url)


def _new_article(parsed: ParsedArticle, lookups: _Lookups) -> Article:
    return Article(
        title=parsed.title,
        body=parsed.body,
        lede=parsed.lede,
        published=parsed.published,
        dateline=parsed.dateline,
        language=parsed.language,
        url=parsed.url,
        source=lookups.source(parsed.source),
    )


def _tag_rows(article: Article, parsed: ParsedArticle, lookups: _Lookups) -> list:
    return [Article.tags.through(article=article, tag=lookups.tag(name)) for name in parsed.tags]


def _mentions(article: Article, parsed: ParsedArticle, lookups: _Lookups) -> list[Mention]:
    """The article's mentions: the entities its file lists, and those its text names."""
    listed = set()
    for parsed_entity in parsed.entities:
        entity, changed = _ensure_entity(parsed_entity)
        listed.add(entity.id)
        if changed:
            lookups.entities_changed()
    counts = find_mentions(article, lookups.gazetteer)
    # Entities the file lists are mentions even where the text never names them.
    for entity_id in listed:
        counts[entity_id] = max(counts.get(entity_id, 0), 1)
    return [
        Mention(
            article=article,
            entity_id=entity_id,
            count=count,
            origin=MentionOrigin.IMPORTED if entity_id in listed else MentionOrigin.AUTOMATIC,
        )
        for entity_id, count in counts.items()
    ]


def _store_all(batch: list[ParsedArticle], known: _KnownArticles, lookups: _Lookups) -> list[Article]:
    """New articles with their tags and mentions, a few INSERTs for the whole batch.

    What ``Article.save()`` does for one article is done here for all: the slug
    (``unique_slug``'s answer, asking the database only about slugs already taken)
    and the body fingerprint (already computed to find duplicates).
    """
    articles = [_new_article(parsed, lookups) for parsed in batch]
    bases = [slug_base(article.title, fallback="article", max_length=100) for article in articles]
    existing = set(Article.objects.filter(slug__in=bases).values_list("slug", flat=True))
    taken: set[str] = set()
    for article, base, parsed in zip(articles, bases, batch, strict=True):
        if base in existing or base in taken:
            base = unique_slug(Article, article.title, fallback="article", max_length=100, taken=taken)
        article.slug = base
        taken.add(base)
        article.fingerprint = known.fingerprint(parsed)
    Article.objects.bulk_create(articles)
    tag_rows, mention_rows = [], []
    for article, parsed in zip(articles, batch, strict=True):
        tag_rows += _tag_rows(article, parsed, lookups)
        mention_rows += _mentions(article, parsed, lookups)
    Article.tags.through.objects.bulk_create(tag_rows, batch_size=500)
    Mention.objects.bulk_create(mention_rows, batch_size=500)
    return articles


def _store(parsed: ParsedArticle, lookups: _Lookups) -> Article:
    """One new article with its tags and mentions (the careful path, one savepoint each)."""
    article = _new_article(parsed, lookups)
    article.save()
    # The article is new: its tags and mentions are inserted, with nothing to compare against.
    if parsed.tags:
        Article.tags.through.objects.bulk_create(_tag_rows(article, parsed, lookups))
    Mention.objects.bulk_create(_mentions(article, parsed, lookups))
    return article


def import_articles(
    *,
    paths: Iterable[str | Path],
    default_source: Source | None = None,
    batch_size: int = 200,
    progress: ProgressCallback | None = None,
) -> ImportReport:
    """Import every supported file under ``paths``; see the module docstring for the guarantees."""
    importer = _Importer(default_source=default_source, batch_size=batch_size, progress=progress)
    # One bulk operation: each batch commits on its own, and the search index is
    # brought up to date once at the end (every batch's changes are queued with it).
    with bulk_operation():
        importer.run(list(find_files(paths)))
    return importer.report


class _Importer:
    def __init__(self, *, default_source: Source | None, batch_size: int, progress: ProgressCallback | None):
        self.report = ImportReport()
        self.lookups = _Lookups(default_source)
        self.batch_size = batch_size
        self.progress = progress
        self.pending: list[tuple[str, ParsedArticle]] = []

    def run(self, candidates: list) -> None:
        max_bytes = settings.IMPORT_MAX_FILE_BYTES
        for done, candidate in enumerate(candidates, start=1):
            self.report.files += 1
            name = str(candidate.path)
            for result in parse_file(candidate.path, max_bytes=max_bytes):
                if isinstance(result, ParseFailure):
                    self.report.failures.append(ImportFailure(name, result.line, result.reason))
                else:
                    self.pending.append((f"{name}:{result.line or 1}", result))
            if len(self.pending) >= self.batch_size:
                self.flush()
            if self.progress:
                self.progress(done, len(candidates), candidate.path)
        self.flush()

    def flush(self) -> None:
        while self.pending:
            self.store_batch(self.pending[: self.batch_size])
            del self.pending[: self.batch_size]

    def store_batch(self, batch: list[tuple[str, ParsedArticle]]) -> None:
        report, lookups = self.report, self.lookups
        found: dict[int, list] = {}
        with transaction.atomic(), bulk_changes():
            known = _KnownArticles([parsed for _, parsed in batch])
            fresh = []
            for label, parsed in batch:
                why = known.duplicate_of(parsed)
                if why:
                    report.unchanged.append(f"{label} ({why})")
                    continue
                known.add(parsed)
                fresh.append((label, parsed))
            try:
                # The whole batch in a few statements; if the database refuses any of
                # it, the batch is stored again article by article to find which.
                with transaction.atomic():
                    stored = _store_all([parsed for _, parsed in fresh], known, lookups)
            except DatabaseError:
                lookups.forget_new_rows()
                stored = self.store_one_by_one(fresh)
            created_now = [article.id for article in stored]
            for article in stored:
                found[article.id] = discover_names(article)
            notify_articles_changed(created_now)
            record_suggestions(found, lookups.gazetteer)
        report.created.extend(created_now)

    def store_one_by_one(self, fresh: list[tuple[str, ParsedArticle]]) -> list[Article]:
        stored = []
        for label, parsed in fresh:
            try:
                with transaction.atomic():
                    stored.append(_store(parsed, self.lookups))
            except DatabaseError as error:
                self.lookups.forget_new_rows()
                file, _, line = label.rpartition(":")
                self.report.failures.append(
                    ImportFailure(file, int(line) if line else None, f"could not be stored ({error})")
                )
        return stored
