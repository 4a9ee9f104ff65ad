"""The import service: files in, articles with tags and mentions out, and a report.

Files are read as streams (see ``archive.ingest.files``): articles are parsed one
at a time and stored in batches, so memory stays flat however large the input.
A batch of articles is written with their tags and mentions in a few statements,
inside one transaction per batch. If the database refuses anything in it, the
batch is written again one article per savepoint, so a failure leaves nothing of
that article behind and the others are kept. A crash loses at most the batch in
progress, which the next run imports again.

One story is stored once: an article whose text, or whose URL (normalised: no
scheme, www., tracking parameters or fragment) is already in the archive is left
unchanged; one that repeats the opening of an article already there under another
headline (a re-sent copy) is stored, linked to the original and reported.
"""

from __future__ import annotations

import gc
import json
from array import array
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from django.conf import settings
from django.db import DatabaseError, connection, transaction

from archive.ingest.base import ParsedArticle, ParsedEntity, ParseFailure, ParseResult, Skipped
from archive.ingest.files import Candidate, FileRejected, find_files, open_file, parse_stream, unsupported_reason
from archive.models import Alias, Article, Entity, Mention, MentionOrigin, Source, Tag
from archive.services import discover_names, find_mentions, record_suggestions
from archive.signals import bulk_changes, bulk_operation, notify_articles_changed
from archive.tagging import Gazetteer
from archive.text import (
    clean_url_for_storage,
    fingerprints,
    slug_base,
    unique_slug,
    url_key,
)

KEEP_EXAMPLES = 1000  # failures and unchanged articles kept in memory for the summary (all go to --report)


@dataclass(frozen=True)
class ImportFailure:
    file: str
    line: int | None
    reason: str
    unit: str = "line"

    def __str__(self) -> str:
        if not self.line:
            return f"{self.file}: {self.reason}"
        where = f"{self.file}:{self.line}" if self.unit == "line" else f"{self.file} ({self.unit} {self.line})"
        return f"{where}: {self.reason}"

    def as_json(self) -> dict:
        record: dict = {"file": self.file}
        if self.line:
            record[self.unit] = self.line
        record["reason"] = self.reason
        return record


@dataclass(frozen=True)
class NearDuplicate:
    label: str
    article_id: int
    original_id: int


@dataclass
class Progress:
    """Where an import stands, for a progress display."""

    articles: int = 0  # articles and failures read so far
    bytes_done: int = 0  # of the files finished, plus the position in the current one
    bytes_total: int = 0
    files_done: int = 0
    files_total: int = 0
    current: str = ""
    finished: bool = False


ProgressCallback = Callable[[Progress], None]


@dataclass
class ImportReport:
    created: array = field(default_factory=lambda: array("q"))  # article ids, 8 bytes each
    unchanged_count: int = 0
    unchanged: list[str] = field(default_factory=list)  # "file:line (why)", the first KEEP_EXAMPLES
    failed: int = 0
    failures: list[ImportFailure] = field(default_factory=list)  # the first KEEP_EXAMPLES
    skipped: Counter[str] = field(default_factory=Counter)  # web-archive records that are not articles, by kind
    undated: int = 0  # created without a date
    near_duplicates: list[NearDuplicate] = field(default_factory=list)
    near_duplicate_count: int = 0
    files: int = 0

    @property
    def ok(self) -> bool:
        return not self.failed

    def add_failure(self, failure: ImportFailure) -> None:
        self.failed += 1
        if len(self.failures) < KEEP_EXAMPLES:
            self.failures.append(failure)

    def add_unchanged(self, label: str) -> None:
        self.unchanged_count += 1
        if len(self.unchanged) < KEEP_EXAMPLES:
            self.unchanged.append(label)

    def summary(self) -> str:
        parts = [
            f"{len(self.created)} created",
            f"{self.unchanged_count} unchanged",
            f"{self.failed} failed",
        ]
        if self.undated:
            parts.append(f"{self.undated} undated")
        if self.near_duplicate_count:
            parts.append(f"{self.near_duplicate_count} near-duplicate{'s' if self.near_duplicate_count != 1 else ''}")
        if self.skipped:
            parts.append(f"{sum(self.skipped.values())} skipped")
        return f"{', '.join(parts)}, from {self.files} file{'s' if self.files != 1 else ''}"

    def skipped_summary(self) -> str:
        return ", ".join(f"{n} {kind}" for kind, n in self.skipped.most_common())


class _Lookups:
    """Sources, tags and the gazetteer, fetched once per import rather than per article."""

    def __init__(self, default_source: Source | None):
        self.default_source = default_source
        self.sources = {s.name.casefold(): s for s in Source.objects.all()}
        self.tags = {t.name.casefold(): t for t in Tag.objects.all()}
        self._gazetteer: Gazetteer | None = None
        # New names found in each stored article, by article id: looked for right after its
        # mentions, while the gazetteer still holds the body's matches (after the whole batch
        # they would be found again, a quarter of tagging's cost).
        self.discovered: dict[int, list] = {}

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
        self.discovered = {}  # their articles were rolled back too


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
    """Fingerprints, URL keys and openings already in the archive, looked up once per batch."""

    def __init__(self, batch: list[ParsedArticle]):
        self.by_parsed = {}
        for parsed in batch:
            body, lead = fingerprints(parsed.body)
            self.by_parsed[id(parsed)] = (body, url_key(parsed.url), lead)
        bodies = [fp for fp, _, _ in self.by_parsed.values()]
        self.fingerprints = set(
            Article.objects.filter(fingerprint__in=bodies).values_list("fingerprint", flat=True)
        )
        keys = [key for _, key, _ in self.by_parsed.values() if key]
        # exclude(url_key="") keeps the lookup on the index of real keys.
        found = Article.objects.filter(url_key__in=keys).exclude(url_key="").order_by()
        self.url_keys = set(found.values_list("url_key", flat=True)) if keys else set()
        leads = [lead for _, _, lead in self.by_parsed.values() if lead]
        self.leads: dict[str, int] = {}
        if leads:
            rows = (
                Article.objects.filter(lead_fingerprint__in=leads, duplicate_of=None)
                .order_by("id")
                .values_list("lead_fingerprint", "id")
            )
            for lead, article_id in rows:
                self.leads.setdefault(lead, article_id)

    def duplicate_of(self, parsed: ParsedArticle) -> str | None:
        fingerprint, key, _ = self.by_parsed[id(parsed)]
        if fingerprint in self.fingerprints:
            return "same text already in the archive"
        if key and key in self.url_keys:
            return "an article with this url is already in the archive"
        return None

    def fingerprint(self, parsed: ParsedArticle) -> str:
        return self.by_parsed[id(parsed)][0]

    def url_key(self, parsed: ParsedArticle) -> str:
        return self.by_parsed[id(parsed)][1]

    def lead(self, parsed: ParsedArticle) -> str:
        return self.by_parsed[id(parsed)][2]

    def original_of(self, parsed: ParsedArticle) -> int | None:
        """The article this one repeats with changes (same opening), if any."""
        lead = self.lead(parsed)
        return self.leads.get(lead) if lead else None

    def add(self, parsed: ParsedArticle) -> None:
        fingerprint, key, _ = self.by_parsed[id(parsed)]
        self.fingerprints.add(fingerprint)
        if key:
            self.url_keys.add(key)

    def stored(self, parsed: ParsedArticle, article: Article) -> None:
        """The article is in the database now: later copies in the batch link to it."""
        lead = self.lead(parsed)
        if lead and article.duplicate_of_id is None:
            self.leads.setdefault(lead, article.id)


def _new_article(parsed: ParsedArticle, lookups: _Lookups, known: _KnownArticles) -> Article:
    return Article(
        title=parsed.title,
        body=parsed.body,
        lede=parsed.lede,
        published=parsed.published,
        dateline=parsed.dateline,
        language=parsed.language,
        author=parsed.author,
        url=clean_url_for_storage(parsed.url),
        source=lookups.source(parsed.source),
        duplicate_of_id=known.original_of(parsed),
    )


def _tag_rows(article: Article, parsed: ParsedArticle, lookups: _Lookups) -> list[tuple[int, int]]:
    """(article id, tag id) rows of the article's tags (see ``TAG_COLUMNS``)."""
    return [(article.id, lookups.tag(name).id) for name in parsed.tags]


TAG_COLUMNS = ("article", "tag")
MENTION_COLUMNS = ("article", "entity", "count", "origin")


def _insert_rows(model, columns: tuple[str, ...], rows: list[tuple]) -> None:
    """Plain rows inserted in one statement run many times.

    For link rows (an article's tags and mentions) Django has nothing to compute: no
    default, no signal, no id wanted back. ``bulk_create`` would still prepare every
    value of every row through its field, which costs several times the insert itself.
    """
    if not rows:
        return
    quote = connection.ops.quote_name
    names = ", ".join(quote(model._meta.get_field(name).column) for name in columns)
    placeholders = ", ".join(["%s"] * len(columns))
    with connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {quote(model._meta.db_table)} ({names}) VALUES ({placeholders})", rows)


def _mentions(article: Article, parsed: ParsedArticle, lookups: _Lookups) -> list[tuple[int, int, int, str]]:
    """The article's mentions (see ``MENTION_COLUMNS``): the entities its file lists, and those its text names."""
    listed = set()
    for parsed_entity in parsed.entities:
        entity, changed = _ensure_entity(parsed_entity)
        listed.add(entity.id)
        if changed:
            lookups.entities_changed()
    counts = find_mentions(article, lookups.gazetteer)
    lookups.discovered[article.id] = discover_names(article, lookups.gazetteer)
    # Entities the file lists are mentions even where the text never names them.
    for entity_id in listed:
        counts[entity_id] = max(counts.get(entity_id, 0), 1)
    imported, automatic = MentionOrigin.IMPORTED.value, MentionOrigin.AUTOMATIC.value
    return [
        (article.id, entity_id, count, imported if entity_id in listed else automatic)
        for entity_id, count in counts.items()
    ]


def _store_all(batch: list[ParsedArticle], known: _KnownArticles, lookups: _Lookups) -> list[Article]:
    """New articles with their tags and mentions, a few INSERTs for the whole batch.

    What ``Article.save()`` does for one article is done here for all: the slug
    (``unique_slug``'s answer, asking the database only about slugs already taken)
    and the body fingerprint (already computed to find duplicates).
    """
    articles = [_new_article(parsed, lookups, known) for parsed in batch]
    bases = [slug_base(article.title, fallback="article", max_length=100) for article in articles]
    existing = set(Article.objects.filter(slug__in=bases).values_list("slug", flat=True))
    taken: set[str] = set()
    for article, base, parsed in zip(articles, bases, batch, strict=True):
        if base in existing or base in taken:
            base = unique_slug(Article, article.title, fallback="article", max_length=100, taken=taken)
        article.slug = base
        taken.add(base)
        article.fingerprint = known.fingerprint(parsed)
        article.url_key = known.url_key(parsed)
        article.lead_fingerprint = known.lead(parsed)
    Article.objects.bulk_create(articles)
    # A copy of an article earlier in this same batch links to it now that it has an id.
    linked = []
    for article, parsed in zip(articles, batch, strict=True):
        if article.duplicate_of_id is None:
            original = known.original_of(parsed)
            if original is not None:
                article.duplicate_of_id = original
                linked.append(article)
        known.stored(parsed, article)
    if linked:
        Article.objects.bulk_update(linked, ["duplicate_of"])
    tag_rows, mention_rows = [], []
    for article, parsed in zip(articles, batch, strict=True):
        tag_rows += _tag_rows(article, parsed, lookups)
        mention_rows += _mentions(article, parsed, lookups)
    _insert_rows(Article.tags.through, TAG_COLUMNS, tag_rows)
    _insert_rows(Mention, MENTION_COLUMNS, mention_rows)
    return articles


def _store(parsed: ParsedArticle, lookups: _Lookups, known: _KnownArticles) -> Article:
    """One new article with its tags and mentions (the careful path, one savepoint each)."""
    article = _new_article(parsed, lookups, known)
    article.save()
    known.stored(parsed, article)
    # The article is new: its tags and mentions are inserted, with nothing to compare against.
    _insert_rows(Article.tags.through, TAG_COLUMNS, _tag_rows(article, parsed, lookups))
    _insert_rows(Mention, MENTION_COLUMNS, _mentions(article, parsed, lookups))
    return article


# What the database may refuse about one article: constraint violations and the
# like (DatabaseError), and text a driver will not send (psycopg's ValueError for NUL).
_STORE_ERRORS = (DatabaseError, ValueError)


def import_articles(
    *,
    paths: Iterable[str | Path],
    default_source: Source | None = None,
    batch_size: int = 200,
    progress: ProgressCallback | None = None,
    require_date: bool = False,
    file_format: str | None = None,
    fetch: Callable[[str], bytes] | None = None,
    failure_log: TextIO | None = None,
) -> ImportReport:
    """Import every supported file under ``paths``; see the module docstring for the guarantees.

    ``require_date`` refuses undated stories; ``file_format`` reads every file as that
    format; ``fetch`` (url -> bytes) fetches the page of each feed entry;
    ``failure_log`` receives every failure as a JSON line (file, line or record, reason).
    """
    importer = _Importer(
        default_source=default_source,
        batch_size=batch_size,
        progress=progress,
        require_date=require_date,
        fetch=fetch,
        failure_log=failure_log,
    )
    candidates = list(find_files(paths, force_format=file_format))
    # One bulk operation: each batch commits on its own, and the search index is
    # brought up to date once at the end (every batch's changes are queued with it).
    with bulk_operation(), _long_lived_set_aside(importer.lookups):
        importer.run(candidates)
    return importer.report


@contextmanager
def _long_lived_set_aside(lookups: _Lookups) -> Iterator[None]:
    """Keep Python's cycle collector off what lives as long as the import.

    Each time the collector sweeps its oldest generation it walks every object the
    process holds (Django's registry, the gazetteer, ...): tens of milliseconds a
    sweep, over a tenth of the importer's time. Objects that exist when the import
    starts are set aside (``gc.freeze``) until it ends; reference counting still frees
    whatever they let go, and new objects are collected as usual.
    """
    lookups.gazetteer  # noqa: B018 - built now, so that it is set aside with the rest
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def import_results(
    *,
    results: Iterable[ParseResult],
    name: str,
    default_source: Source | None = None,
    batch_size: int = 200,
) -> ImportReport:
    """Store articles parsed elsewhere (a fetched feed), with the same checks and report as files."""
    importer = _Importer(default_source=default_source, batch_size=batch_size, progress=None)
    importer.report.files = 1
    with bulk_operation():
        for result in _guarded(iter(results)):
            importer.take(name, result)
        importer.flush()
    return importer.report


class _Importer:
    def __init__(
        self,
        *,
        default_source: Source | None,
        batch_size: int,
        progress: ProgressCallback | None,
        require_date: bool = False,
        fetch: Callable[[str], bytes] | None = None,
        failure_log: TextIO | None = None,
    ):
        self.report = ImportReport()
        self.lookups = _Lookups(default_source)
        self.batch_size = batch_size
        self.progress = progress
        self.require_date = require_date
        self.fetch = fetch
        self.failure_log = failure_log
        self.pending: list[tuple[str, ParsedArticle]] = []
        self.state = Progress()

    def fail(self, failure: ImportFailure) -> None:
        self.report.add_failure(failure)
        if self.failure_log is not None:
            self.failure_log.write(json.dumps(failure.as_json(), ensure_ascii=False) + "\n")

    def run(self, candidates: list[Candidate]) -> None:
        state = self.state
        state.files_total = len(candidates)
        state.bytes_total = sum(candidate.size for candidate in candidates)
        max_bytes = settings.IMPORT_MAX_ARTICLE_BYTES
        try:
            for candidate in candidates:
                self.report.files += 1
                state.current = str(candidate.path)
                self.read_file(candidate, max_bytes=max_bytes)
                state.files_done += 1
                self.tell()
            self.flush()
        finally:
            state.finished = True
            self.tell(force=True)

    def read_file(self, candidate: Candidate, *, max_bytes: int) -> None:
        name = str(candidate.path)
        if candidate.format is None:
            self.fail(ImportFailure(name, None, unsupported_reason(candidate.path)))
            return
        try:
            handle = open_file(candidate.path)
        except FileRejected as error:
            self.fail(ImportFailure(name, None, str(error)))
            return
        start_bytes = self.state.bytes_done
        with handle:
            results = parse_stream(handle, candidate.format, max_article_bytes=max_bytes, fetch=self.fetch)
            for result in _guarded(results):
                self.take(name, result)
                self.state.articles += 1
                if self.state.articles % 50 == 0:
                    try:
                        self.state.bytes_done = start_bytes + handle.tell()
                    except (OSError, ValueError):
                        pass
                    self.tell()
        self.state.bytes_done = start_bytes + candidate.size

    def take(self, name: str, result: ParseResult) -> None:
        if isinstance(result, Skipped):
            self.report.skipped[result.reason] += 1
            return
        if isinstance(result, ParseFailure):
            self.fail(ImportFailure(name, result.line, result.reason, result.unit))
            return
        if result.published is None and self.require_date:
            self.fail(ImportFailure(name, result.line, "the story has no date (--require-date)", result.unit))
            return
        where = f"{name}:{result.line}" if result.unit == "line" else f"{name} ({result.unit} {result.line})"
        self.pending.append((where if result.line else name, result))
        if len(self.pending) >= self.batch_size:
            self.flush()

    def tell(self, *, force: bool = False) -> None:
        if self.progress:
            self.progress(self.state)

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
                    report.add_unchanged(f"{label} ({why})")
                    continue
                known.add(parsed)
                fresh.append((label, parsed))
            try:
                # The whole batch in a few statements; if the database refuses any of
                # it, the batch is stored again article by article to find which.
                with transaction.atomic():
                    stored = _store_all([parsed for _, parsed in fresh], known, lookups)
                labels = [label for label, _ in fresh]
            except _STORE_ERRORS:
                lookups.forget_new_rows()
                stored, labels = self.store_one_by_one(fresh, known)
            created_now = [article.id for article in stored]
            for article in stored:
                discovered = lookups.discovered.pop(article.id, None)
                found[article.id] = discovered if discovered is not None else discover_names(article, lookups.gazetteer)
            notify_articles_changed(created_now)
            record_suggestions(found, lookups.gazetteer)
        report.created.extend(created_now)
        for article, label in zip(stored, labels, strict=True):
            if article.published is None:
                report.undated += 1
            if article.duplicate_of_id:
                report.near_duplicate_count += 1
                if len(report.near_duplicates) < KEEP_EXAMPLES:
                    report.near_duplicates.append(NearDuplicate(label, article.id, article.duplicate_of_id))

    def store_one_by_one(
        self, fresh: list[tuple[str, ParsedArticle]], known: _KnownArticles
    ) -> tuple[list[Article], list[str]]:
        stored, labels = [], []
        for label, parsed in fresh:
            try:
                with transaction.atomic():
                    stored.append(_store(parsed, self.lookups, known))
                    labels.append(label)
            except _STORE_ERRORS as error:
                self.lookups.forget_new_rows()
                file, line, unit = _split_label(label)
                self.fail(ImportFailure(file, line, f"could not be stored ({error})", unit))
        return stored, labels


def _split_label(label: str) -> tuple[str, int | None, str]:
    """(file, position, unit) back from a label "file:12" or "file (record 3)"."""
    if label.endswith(")") and " (" in label:
        file, _, where = label[:-1].rpartition(" (")
        unit, _, number = where.partition(" ")
        if number.isdigit():
            return file, int(number), unit
    file, _, line = label.rpartition(":")
    if file and line.isdigit():
        return file, int(line), "line"
    return label, None, "line"


def _guarded(results: Iterator[ParseResult]) -> Iterator[ParseResult]:
    """The reader's results; if the reader itself breaks down, one failure for the rest of the file."""
    try:
        yield from results
    except Exception as error:  # noqa: BLE001 - a reader's bug on odd input must cost one file, not the import
        yield ParseFailure(f"reading stopped here ({type(error).__name__}: {error})")
