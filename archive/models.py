"""The archive's data: sources, articles, entities and their aliases, mentions, tags."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from django.core.signals import setting_changed
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Count, F, Q
from django.db.models.functions import Lower
from django.urls import get_script_prefix, reverse
from django.utils import timezone

from archive.text import body_fingerprint, lead_fingerprint, unique_slug, url_key

LANGUAGE_VALIDATOR = RegexValidator(r"^[a-z]{2}$", "Use a two-letter ISO 639-1 code, such as en or ru.")
WIKIDATA_VALIDATOR = RegexValidator(r"^Q[1-9][0-9]*$", "A Wikidata id looks like Q232.")
SUBHEADING_MARK = "## "


def slug_url(view: str, slug: str) -> str:
    """``reverse(view, args=[slug])``, remembered: a page of results links every article and
    source it lists, and reversing costs more than the rest of an item's markup."""
    return _slug_url(view, slug, get_script_prefix())


@lru_cache(maxsize=50_000)
def _slug_url(view: str, slug: str, prefix: str) -> str:  # the prefix is part of the key, not used
    return reverse(view, args=[slug])


def _forget_urls(*, setting: str, **kwargs) -> None:
    if setting == "ROOT_URLCONF":
        _slug_url.cache_clear()


setting_changed.connect(_forget_urls)


class Source(models.Model):
    """A publication articles come from."""

    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=220, unique=True, blank=True)
    homepage = models.URLField(blank=True)
    country = models.CharField(
        max_length=2, blank=True, help_text="ISO 3166-1 alpha-2 code, such as KZ or CN."
    )
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        if not self.slug:
            self.slug = unique_slug(Source, self.name, fallback="source")
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return slug_url("archive:source_detail", self.slug)


class Tag(models.Model):
    """A topic, such as wind power or bilateral relations."""

    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=120, unique=True, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        if not self.slug:
            self.slug = unique_slug(Tag, self.name, fallback="tag")
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return slug_url("archive:tag_detail", self.slug)


class EntityKind(models.TextChoices):
    PERSON = "person", "Person"
    ORGANISATION = "organisation", "Organisation"
    PLACE = "place", "Place"
    PROJECT = "project", "Project or facility"
    EVENT = "event", "Event"
    OTHER = "other", "Other"


KIND_PLURALS = {
    "person": "People",
    "organisation": "Organisations",
    "place": "Places",
    "project": "Projects and facilities",
    "event": "Events",
    "other": "Other",
}


class PlaceType(models.TextChoices):
    """Where a place sits in the hierarchy of places (city -> region -> country -> continent)."""

    CONTINENT = "continent", "Continent"
    BLOC = "bloc", "Group of countries"
    COUNTRY = "country", "Country or territory"
    FORMER_COUNTRY = "former", "Former country"
    NATION = "nation", "Nation within a country"
    REGION = "region", "Region"
    CITY = "city", "City or town"


class EntityQuerySet(models.QuerySet):
    def of_kind(self, kind: str) -> EntityQuerySet:
        return self.filter(kind=kind)

    def with_article_counts(self) -> EntityQuerySet:
        return self.annotate(article_count=Count("mentions", distinct=True))

    def place_ancestors(self, ids) -> dict[int, list[tuple[int, str]]]:
        """For each place id, the places it lies in, nearest first: (id, name) pairs, a query per level."""
        parents = {}
        frontier = set(ids)
        while frontier:
            rows = list(self.filter(id__in=frontier).values_list("id", "parent_id"))
            frontier = set()
            for pk, parent_id in rows:
                parents[pk] = parent_id
                if parent_id is not None and parent_id not in parents:
                    frontier.add(parent_id)
        names = dict(self.filter(id__in=[p for p in parents.values() if p]).values_list("id", "name"))
        result = {}
        for pk in ids:
            chain, seen, current = [], {pk}, parents.get(pk)
            while current is not None and current not in seen:
                chain.append((current, names.get(current, "")))
                seen.add(current)
                current = parents.get(current)
            result[pk] = chain
        return result

    def with_places_inside(self, entity: Entity) -> list[int]:
        """The entity's id and, for a place, the ids of every place inside it (Almaty for Kazakhstan)."""
        found = {entity.pk}
        frontier = {entity.pk}
        while frontier and entity.kind == EntityKind.PLACE:
            frontier = set(self.filter(parent_id__in=frontier).values_list("id", flat=True)) - found
            found |= frontier
        return sorted(found)

    def most_mentioned(self) -> EntityQuerySet:
        return self.with_article_counts().filter(article_count__gt=0).order_by("-article_count", "name")


class RemembersSlug:
    """Keeps the slug a row was loaded with, so a save that changes it records the old one
    as a ``FormerSlug`` and old links keep arriving. Costs no query: ``from_db`` sees the row."""

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._loaded_slug = instance.__dict__.get("slug")
        return instance

    def _remember_former_slug(self) -> None:
        old = getattr(self, "_loaded_slug", None)
        if old and old != self.slug:
            FormerSlug.remember(self, old)
        self._loaded_slug = self.slug


class Entity(RemembersSlug, models.Model):
    """A person, organisation, place, project, event or other thing articles mention."""

    kind = models.CharField(max_length=16, choices=EntityKind.choices, default=EntityKind.OTHER)
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=220, unique=True, blank=True)
    description = models.TextField(blank=True)
    external_id = models.CharField(
        "Wikidata id",
        max_length=20,
        blank=True,
        validators=[WIKIDATA_VALIDATOR],
        help_text="Optional, for example Q232 for Kazakhstan.",
    )
    # Places only: the place this one lies in (Almaty in Kazakhstan, Kazakhstan in Asia).
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="children",
        help_text="For places: the region, country or continent this place lies in.",
    )
    place_type = models.CharField(max_length=10, choices=PlaceType.choices, blank=True)
    needs_context = models.BooleanField(
        "tag only with support", default=False,
        help_text="For places whose name other places share: tag only when the article also names its "
                  "country or a place nearby.",
    )
    # Former countries: the countries that took their place (the Soviet Union -> Russia, Kazakhstan, ...).
    successors = models.ManyToManyField("self", symmetrical=False, blank=True, related_name="predecessors")
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    objects = EntityQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "entities"
        constraints = [
            models.UniqueConstraint(Lower("name"), "kind", name="entity_unique_name_per_kind"),
        ]
        indexes = [models.Index(fields=["kind", "name"])]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        if not self.slug:
            self.slug = unique_slug(Entity, self.name, fallback=self.kind or "entity")
        super().save(*args, **kwargs)
        self._remember_former_slug()

    def get_absolute_url(self) -> str:
        return slug_url("archive:entity_detail", self.slug)

    @property
    def kind_label(self) -> str:
        return EntityKind(self.kind).label

    @property
    def external_url(self) -> str:
        return f"https://www.wikidata.org/wiki/{self.external_id}" if self.external_id else ""

    @property
    def located_label(self) -> str:
        """"Almaty, in Kazakhstan": a place with the country (or region) it lies in."""
        return f"{self.name}, in {self.parent.name}" if self.parent_id else self.name

    def all_names(self) -> list[str]:
        """The name first, then every alias: what the tagger and the index look for."""
        return [self.name, *(alias.name for alias in self.aliases.all())]


class Alias(models.Model):
    """Another name of an entity: a spelling, an acronym, a name in another script."""

    entity = models.ForeignKey(Entity, on_delete=models.CASCADE, related_name="aliases")
    name = models.CharField(max_length=200)
    adjective = models.BooleanField(
        default=False, help_text="An adjective or demonym (Swiss, Kazakh): “Swiss Re” still names Switzerland.",
    )

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "aliases"
        constraints = [
            models.UniqueConstraint("entity", Lower("name"), name="alias_unique_per_entity"),
        ]
        indexes = [models.Index(fields=["name"])]

    def __str__(self) -> str:
        return self.name


# Undated stories sort as the oldest, on every database (SQLite and PostgreSQL
# disagree on where NULL goes) and in the search index (whose date column is 0 for them).
NEWEST_FIRST = (F("published").desc(nulls_last=True), F("id").desc())
OLDEST_FIRST = (F("published").asc(nulls_first=True), F("id").asc())


class ArticleQuerySet(models.QuerySet):
    def newest_first(self) -> ArticleQuerySet:
        return self.order_by(*NEWEST_FIRST)

    def in_date_order(self, sort: str) -> ArticleQuerySet:
        """Oldest first for sort="oldest", newest first otherwise (undated stories count as oldest)."""
        return self.order_by(*OLDEST_FIRST) if sort == "oldest" else self.newest_first()

    def dated(self) -> ArticleQuerySet:
        return self.filter(published__isnull=False)

    def undated(self) -> ArticleQuerySet:
        return self.filter(published__isnull=True)

    def for_listing(self) -> ArticleQuerySet:
        """What a list of articles shows (the summary falls back to the body, so it stays)."""
        return self.select_related("source")

    def mentioning(self, entity: Entity) -> ArticleQuerySet:
        return self.filter(mentions__entity=entity)

    def in_period(self, start: dt.date | None = None, end: dt.date | None = None) -> ArticleQuerySet:
        qs = self
        if start:
            qs = qs.filter(published__gte=start)
        if end:
            qs = qs.filter(published__lte=end)
        return qs

    def in_month(self, year: int, month: int) -> ArticleQuerySet:
        return self.filter(published__year=year, published__month=month)


@dataclass(frozen=True)
class BodyBlock:
    kind: str  # "heading" or "paragraph"
    text: str


_BLOCK_GAP = re.compile(r"\n\s*\n")


def _block(raw: str):
    """The paragraph or subheading one stretch of the body between blank lines holds (none if blank)."""
    text = " ".join(raw.split())
    if not text:
        return
    if text.startswith(SUBHEADING_MARK.strip()) and text.lstrip("#").startswith(" "):
        yield BodyBlock("heading", text.lstrip("#").strip())
    else:
        yield BodyBlock("paragraph", text)


class Article(RemembersSlug, models.Model):
    title = models.CharField(max_length=300)
    slug = models.SlugField(max_length=120, unique=True, blank=True)
    body = models.TextField(
        help_text="Paragraphs separated by a blank line; a line starting with '## ' is a subheading."
    )
    lede = models.TextField(
        "summary", blank=True, help_text="Shown in lists; the first paragraph when left empty."
    )
    published = models.DateField(
        null=True, blank=True, db_index=True, help_text="Empty for a story that carries no date (shown as undated)."
    )
    author = models.CharField(max_length=200, blank=True)
    dateline = models.CharField(max_length=100, blank=True, help_text="Where the story was filed, e.g. ASTANA.")
    language = models.CharField(max_length=2, default="en", validators=[LANGUAGE_VALIDATOR])
    source = models.ForeignKey(
        Source, on_delete=models.PROTECT, related_name="articles", null=True, blank=True
    )
    url = models.URLField("original URL", max_length=500, blank=True)
    fingerprint = models.CharField(
        max_length=64, unique=True, editable=False, help_text="Hash of the normalised body; stops duplicates."
    )
    url_key = models.CharField(
        max_length=500, blank=True, db_index=True, editable=False,
        help_text="The URL without scheme, www., tracking parameters or fragment: one story, one key.",
    )
    lead_fingerprint = models.CharField(
        max_length=64, blank=True, db_index=True, editable=False,
        help_text="Hash of the opening words: a re-sent copy of a story shares it.",
    )
    duplicate_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="near_duplicates",
        help_text="The article this one repeats with small changes (found on import).",
    )
    tags = models.ManyToManyField(Tag, related_name="articles", blank=True)
    entities = models.ManyToManyField(Entity, through="Mention", related_name="articles", blank=True)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = list(NEWEST_FIRST)
        constraints = [
            models.UniqueConstraint(fields=["url"], condition=~Q(url=""), name="article_unique_url"),
        ]
        indexes = [
            models.Index(fields=["-published", "-id"], name="article_newest"),
            # Saved searches count the articles added since a moment (archive/saved.py).
            models.Index(fields=["created"], name="article_created"),
            models.Index(fields=["source", "-published"], name="article_source_newest"),
            models.Index(fields=["language"]),
            models.Index(fields=["dateline"]),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs) -> None:
        if not self.slug:
            self.slug = unique_slug(Article, self.title, fallback="article", max_length=100)
        self.fingerprint = body_fingerprint(self.body)
        self.lead_fingerprint = lead_fingerprint(self.body)
        self.url_key = url_key(self.url)
        super().save(*args, **kwargs)
        self._remember_former_slug()

    def get_absolute_url(self) -> str:
        return slug_url("archive:article_detail", self.slug)

    def blocks(self) -> list[BodyBlock]:
        """The body as paragraphs and subheadings, in order."""
        return list(self._blocks())

    def _blocks(self):
        # One block at a time: a list page wants only the first paragraph of each body.
        position = 0
        body = self.body
        for gap in _BLOCK_GAP.finditer(body):
            yield from _block(body[position : gap.start()])
            position = gap.end()
        yield from _block(body[position:])

    @property
    def summary(self) -> str:
        if self.lede:
            return self.lede
        return next((block.text for block in self._blocks() if block.kind == "paragraph"), "")


class MentionOrigin(models.TextChoices):
    AUTOMATIC = "auto", "Found automatically"
    IMPORTED = "import", "Listed in the imported file"
    EDITOR = "editor", "Added by an editor"


class Mention(models.Model):
    """An article mentions an entity, this many times."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="mentions")
    entity = models.ForeignKey(Entity, on_delete=models.CASCADE, related_name="mentions")
    count = models.PositiveIntegerField(default=1, help_text="How often the article names the entity.")
    origin = models.CharField(max_length=8, choices=MentionOrigin.choices, default=MentionOrigin.EDITOR)

    class Meta:
        ordering = ["-count", "entity__name"]
        constraints = [
            models.UniqueConstraint(fields=["article", "entity"], name="mention_unique_article_entity"),
        ]
        indexes = [models.Index(fields=["entity", "article"], name="mention_entity_article")]

    def __str__(self) -> str:
        return f"{self.entity} in {self.article} ({self.count}×)"

    @property
    def is_protected(self) -> bool:
        """Editors' and imported mentions survive automatic re-tagging."""
        return self.origin != MentionOrigin.AUTOMATIC


class SuggestionStatus(models.TextChoices):
    # WATCHING: a name seen in too few articles to be worth an editor's minute yet. It is
    # kept (so later sightings add up) but is not open; it becomes NEW once it is seen in
    # enough articles (archive.discovery.MIN_ARTICLES_FOR_REVIEW).
    WATCHING = "watching", "Watching (seen too little to review)"
    NEW = "new", "To review"
    ACCEPTED = "accepted", "Accepted"
    REJECTED = "rejected", "Rejected"
    MERGED = "merged", "Merged into an entity"


class EntitySuggestionQuerySet(models.QuerySet):
    def open(self) -> EntitySuggestionQuerySet:
        """Waiting for an editor: a name seen in several articles."""
        return self.filter(status=SuggestionStatus.NEW)

    def undecided(self) -> EntitySuggestionQuerySet:
        """Open, or watched: every suggestion an editor has not decided on."""
        return self.filter(status__in=[SuggestionStatus.NEW, SuggestionStatus.WATCHING])


class EntitySuggestion(models.Model):
    """A name seen in articles that is not an entity yet, waiting for an editor's decision."""

    MAX_ARTICLE_IDS = 1000
    MAX_EXAMPLES = 3

    name = models.CharField(max_length=200)
    key = models.CharField(max_length=200, unique=True, editable=False, help_text="The name, case-folded.")
    kind = models.CharField(max_length=16, choices=EntityKind.choices, default=EntityKind.OTHER)
    strong = models.BooleanField(
        default=False, help_text="Introduced by a title or an organisation word, not just capitalised."
    )
    article_count = models.PositiveIntegerField(default=0)
    article_ids = models.JSONField(default=list, blank=True, editable=False)
    examples = models.JSONField(default=list, blank=True, help_text="Sentences where the name appears.")
    status = models.CharField(max_length=10, choices=SuggestionStatus.choices, default=SuggestionStatus.NEW)
    target = models.ForeignKey(
        Entity, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        help_text="For merging: the existing entity this name is another name of.",
    )
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    objects = EntitySuggestionQuerySet.as_manager()

    class Meta:
        ordering = ["-strong", "-article_count", "name"]
        indexes = [models.Index(fields=["status", "-article_count"])]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        from archive.text import fold

        self.key = fold(" ".join(self.name.split()))[:200]
        super().save(*args, **kwargs)

    def worth_reviewing(self) -> bool:
        """Seen in several articles (a title or an organisation word decides its kind and rank, not this)."""
        from archive.discovery import MIN_ARTICLES_FOR_REVIEW

        return self.article_count >= MIN_ARTICLES_FOR_REVIEW


class SavedSearchQuerySet(models.QuerySet):
    def of(self, user) -> SavedSearchQuerySet:
        return self.filter(user=user)

    def with_digest(self) -> SavedSearchQuerySet:
        """Saved searches whose owner asked for a daily e-mail and can receive one."""
        return self.filter(digest=True, user__is_active=True).exclude(user__email="")


class SavedSearch(models.Model):
    """A search a user keeps under a name: the query and filters of the search page's URL."""

    MAX_PARAMS = 2000

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_searches")
    name = models.CharField(max_length=100)
    params = models.CharField(
        max_length=MAX_PARAMS, blank=True, help_text="The search page's query string: q, sort and filters."
    )
    digest = models.BooleanField("daily e-mail", default=False)
    created = models.DateTimeField(auto_now_add=True)
    last_opened = models.DateTimeField(default=timezone.now, help_text="Articles added after this are new.")
    last_digest = models.DateTimeField(null=True, blank=True, help_text="When the last digest covered it.")

    objects = SavedSearchQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        verbose_name_plural = "saved searches"
        constraints = [
            models.UniqueConstraint("user", Lower("name"), name="saved_search_unique_name_per_user"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("saved_open", args=[self.pk])

    @property
    def search_url(self) -> str:
        return reverse("search:search") + ("?" + self.params if self.params else "")

    def describe(self) -> str:
        """The query and filters in words: “wind farm” · source: steppe-herald."""
        from django.http import QueryDict

        params = QueryDict(self.params)
        parts = [f"“{value}”" for value in params.getlist("q")]
        parts += [f"{key}: {value}" for key in params if key not in ("q", "sort") for value in params.getlist(key)]
        return " · ".join(parts) or "every article"


class FeedKey(models.Model):
    """A user's secret for feed URLs: feed readers cannot sign in, so a private archive's feeds carry it."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="feed_key")
    key = models.CharField(max_length=64, unique=True)
    created = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Feed key of {self.user}"


class FormerSlug(models.Model):
    """An address an article or an entity used to have (its slug was edited, or the entity
    was merged into another): its old links redirect to where it is now."""

    article = models.ForeignKey(Article, null=True, blank=True, on_delete=models.CASCADE, related_name="former_slugs")
    entity = models.ForeignKey(Entity, null=True, blank=True, on_delete=models.CASCADE, related_name="former_slugs")
    slug = models.SlugField(max_length=220)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["slug"], condition=Q(article__isnull=False), name="former_article_slug"),
            models.UniqueConstraint(fields=["slug"], condition=Q(entity__isnull=False), name="former_entity_slug"),
            models.CheckConstraint(
                condition=Q(article__isnull=False, entity__isnull=True) | Q(article__isnull=True, entity__isnull=False),
                name="former_slug_of_one_row",
            ),
        ]

    def __str__(self) -> str:
        return self.slug

    @classmethod
    def remember(cls, owner: Article | Entity, slug: str) -> None:
        """``slug`` now leads to ``owner`` (taking it from whatever it led to before)."""
        field = "article" if isinstance(owner, Article) else "entity"
        cls.objects.filter(**{f"{field}__isnull": False, "slug": slug}).delete()
        # The owner's current slug is its real address again, not a former one.
        cls.objects.filter(**{field: owner, "slug": owner.slug}).delete()
        cls.objects.create(**{field: owner, "slug": slug})


class Feed(models.Model):
    """A news feed (RSS or Atom) that ``fetch_feeds`` polls for new articles."""

    url = models.URLField("feed URL", max_length=500, unique=True)
    source = models.ForeignKey(
        Source, on_delete=models.SET_NULL, null=True, blank=True, related_name="feeds",
        help_text="Articles from this feed get this source (else the feed's own title).",
    )
    active = models.BooleanField(default=True, help_text="Only active feeds are fetched.")
    fetch_pages = models.BooleanField(
        default=False, help_text="Fetch each entry's page for the full text, rather than the feed's summary."
    )
    etag = models.CharField(max_length=500, blank=True, editable=False)
    last_modified = models.CharField(max_length=100, blank=True, editable=False)
    last_fetched = models.DateTimeField(null=True, blank=True, editable=False)
    last_error = models.TextField(blank=True, editable=False)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["url"]

    def __str__(self) -> str:
        return self.url


# ---- Background jobs (archive/jobs.py) ---------------------------------------------------------

class JobStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"


class JobQuerySet(models.QuerySet):
    def active(self) -> JobQuerySet:
        return self.filter(status__in=[JobStatus.QUEUED, JobStatus.RUNNING])


class Job(models.Model):
    """One piece of background work, whatever task backend carries it.

    The task backend (database or Redis) delivers "run job N" to a worker; this row
    is what editors see and what survives a worker's restart: its progress, its
    attempts, its last error and its result.
    """

    name = models.CharField(max_length=64, help_text="The handler that runs it, such as retag_entity.")
    label = models.CharField(max_length=300, blank=True, help_text="What it does, for people.")
    params = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    max_attempts = models.PositiveSmallIntegerField(default=3)
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(null=True, blank=True)
    progress_note = models.CharField(max_length=300, blank=True)
    result = models.JSONField(null=True, blank=True)
    error = models.TextField(blank=True, help_text="The last failure's traceback.")
    task_id = models.CharField(max_length=64, blank=True, help_text="The task backend's id of the last delivery.")
    worker = models.CharField(max_length=200, blank=True, help_text="host:pid of the worker running it.")
    created = models.DateTimeField(auto_now_add=True)
    started = models.DateTimeField(null=True, blank=True)
    finished = models.DateTimeField(null=True, blank=True)
    heartbeat = models.DateTimeField(null=True, blank=True, help_text="Last sign of life from its worker.")
    run_after = models.DateTimeField(null=True, blank=True, help_text="A retry waits until then.")

    objects = JobQuerySet.as_manager()

    class Meta:
        ordering = ["-created", "-id"]
        indexes = [models.Index(fields=["status", "name"])]

    def __str__(self) -> str:
        return self.label or self.name

    @property
    def duration(self) -> dt.timedelta | None:
        if self.started and self.finished:
            return self.finished - self.started
        return None

    @property
    def percent(self) -> int | None:
        if not self.progress_total:
            return None
        return min(100, round(100 * self.progress_done / self.progress_total))


class UploadedFile(models.Model):
    """A file an editor uploaded for import, kept in the database until its import job has run.

    In the database rather than on one machine's disk, so a worker on any host can read it.
    """

    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="files")
    name = models.CharField(max_length=255)
    size = models.PositiveIntegerField()
    content = models.BinaryField()

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name
