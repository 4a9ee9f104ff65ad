from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.db import models
from django.db.models import Count
from django.template.response import TemplateResponse
from django.utils.html import format_html, format_html_join
from django.utils.text import Truncator

from archive.admin_jobs import message_job_queued
from archive.jobs import merge_entities_later, poll_feeds_later, retag_articles_later, retag_entity_later
from archive.models import (
    Alias,
    Article,
    Entity,
    EntityKind,
    EntitySuggestion,
    Feed,
    Mention,
    MentionOrigin,
    Source,
    SuggestionStatus,
    Tag,
)
from archive.services import (
    accept_suggestion,
    merge_suggestion,
    reject_suggestion,
)
from archive.text import body_fingerprint


def counted(n: int, noun: str, plural: str | None = None) -> str:
    """ "1 article", "2 articles": messages say what they count in the right number."""
    return f"{n} {noun if n == 1 else plural or noun + 's'}"


class MentionInline(admin.TabularInline):
    model = Mention
    extra = 0
    autocomplete_fields = ["entity"]
    fields = ["entity", "count", "origin"]
    ordering = ["entity__kind", "entity__name"]


def _https_urls(field, **kwargs):
    # Addresses typed without a scheme are taken as https, the web's default today.
    if isinstance(field, models.URLField):
        kwargs.setdefault("assume_scheme", "https")
    return field.formfield(**kwargs)


class ArticleForm(forms.ModelForm):
    class Meta:
        model = Article
        fields = "__all__"
        formfield_callback = _https_urls

    def clean_body(self):
        body = self.cleaned_data["body"]
        duplicate = (
            Article.objects.filter(fingerprint=body_fingerprint(body)).exclude(pk=self.instance.pk).first()
        )
        if duplicate:
            raise forms.ValidationError(
                f"Another article already has this text: “{duplicate.title}” ({duplicate.published})."
            )
        return body


class ArchiveModelAdmin(admin.ModelAdmin):
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


@admin.register(Article)
class ArticleAdmin(ArchiveModelAdmin):
    form = ArticleForm
    list_display = ["title", "published", "source", "dateline", "language", "mention_count"]
    list_filter = ["source", "published", "language", "tags"]
    date_hierarchy = "published"
    search_fields = ["title", "body", "dateline", "url"]
    autocomplete_fields = ["source", "tags"]
    readonly_fields = ["fingerprint", "duplicate_of", "created", "updated"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [MentionInline]
    actions = ["retag_selected"]
    list_per_page = 50
    fieldsets = [
        (None, {"fields": ["title", "slug", "published", "source", "author", "dateline", "language", "url"]}),
        ("Text", {"fields": ["lede", "body"]}),
        ("Topics", {"fields": ["tags"]}),
        ("Record", {"fields": ["fingerprint", "duplicate_of", "created", "updated"], "classes": ["collapse"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("source").annotate(n_mentions=Count("mentions"))

    @admin.display(description="entities", ordering="n_mentions")
    def mention_count(self, obj):
        return obj.n_mentions

    def save_formset(self, request, form, formset, change):
        # Mentions typed into the admin are the editor's, whatever the origin field said.
        instances = formset.save(commit=False)
        for instance in instances:
            if isinstance(instance, Mention) and instance._state.adding:
                instance.origin = MentionOrigin.EDITOR
        formset.save()

    @admin.action(description="Re-tag selected articles with known entities")
    def retag_selected(self, request, queryset):
        job = retag_articles_later(ids=list(queryset.values_list("id", flat=True)))
        message_job_queued(self, request, job)


class AliasInline(admin.TabularInline):
    model = Alias
    extra = 1


@admin.register(Entity)
class EntityAdmin(ArchiveModelAdmin):
    list_display = ["name", "kind", "alias_list", "article_count", "external_id"]
    list_filter = ["kind"]
    search_fields = ["name", "aliases__name", "external_id"]
    ordering = ["name", "id"]
    readonly_fields = ["created", "updated"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [AliasInline]
    list_per_page = 100
    actions = ["merge_selected"]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        names_changed = "name" in form.changed_data or any(fs.has_changed() for fs in formsets)
        if change and names_changed:
            # A background job: the most mentioned entities are named in tens of thousands of articles.
            job = retag_entity_later(entity=form.instance)
            message_job_queued(self, request, job, prefix="Names changed. ")

    @admin.action(description="Merge selected entities into one")
    def merge_selected(self, request, queryset):
        entities = list(queryset.prefetch_related("aliases").annotate(n_articles=Count("mentions", distinct=True)))
        if len(entities) < 2:
            self.message_user(request, "Choose at least two entities to merge.", messages.WARNING)
            return None
        keep_id = request.POST.get("keep")
        if request.POST.get("confirm") == "yes" and keep_id:
            keep = next((e for e in entities if str(e.pk) == keep_id), None)
            if keep is None:
                self.message_user(request, "Choose which entity to keep.", messages.ERROR)
                return None
            job = merge_entities_later(keep=keep, duplicates=[e for e in entities if e.pk != keep.pk])
            message_job_queued(self, request, job)
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": "Merge entities",
            "entities": sorted(entities, key=lambda e: -e.n_articles),
            "opts": self.model._meta,
            "action_checkbox_name": ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/archive/entity/merge.html", context)

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .prefetch_related("aliases")
            .annotate(n_articles=Count("mentions", distinct=True))
        )

    @admin.display(description="aliases")
    def alias_list(self, obj):
        return ", ".join(alias.name for alias in obj.aliases.all())

    @admin.display(description="articles", ordering="n_articles")
    def article_count(self, obj):
        return obj.n_articles


@admin.register(Source)
class SourceAdmin(ArchiveModelAdmin):
    list_display = ["name", "country", "homepage", "article_count"]
    search_fields = ["name"]
    ordering = ["name", "id"]
    prepopulated_fields = {"slug": ["name"]}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(n_articles=Count("articles"))

    @admin.display(description="articles", ordering="n_articles")
    def article_count(self, obj):
        return obj.n_articles


@admin.register(Tag)
class TagAdmin(ArchiveModelAdmin):
    list_display = ["name", "article_count"]
    search_fields = ["name"]
    ordering = ["name", "id"]
    prepopulated_fields = {"slug": ["name"]}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(n_articles=Count("articles"))

    @admin.display(description="articles", ordering="n_articles")
    def article_count(self, obj):
        return obj.n_articles


class SuggestionQueueFilter(admin.SimpleListFilter):
    """The queue opens on what is still to review; decided suggestions are one click away."""

    title = "status"
    parameter_name = "queue"

    def lookups(self, request, model_admin):
        return [
            ("review", "To review"), (SuggestionStatus.WATCHING, "Watching (seen too little to review)"),
            (SuggestionStatus.ACCEPTED, "Accepted"), (SuggestionStatus.REJECTED, "Rejected"),
            (SuggestionStatus.MERGED, "Merged"), ("all", "All"),
        ]

    def choices(self, changelist):
        for lookup, title in self.lookup_choices:
            selected = (self.value() or "review") == str(lookup)
            yield {"selected": selected, "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                   "display": title}

    def queryset(self, request, queryset):
        value = self.value() or "review"
        if value == "review":
            return queryset.open()
        if value == "all":
            return queryset
        return queryset.filter(status=value)


def _accept_as(kind: str, label: str):
    def action(modeladmin, request, queryset):
        open_items = list(queryset.undecided())
        for suggestion in open_items:
            suggestion.kind = kind
            suggestion.save(update_fields=["kind", "updated"])
            accept_suggestion(suggestion=suggestion)
        modeladmin.message_user(
            request, f"Accepted {counted(len(open_items), 'suggestion')} as {label.lower()}.", messages.SUCCESS
        )

    action.__name__ = f"accept_as_{kind}"
    return admin.action(description=f"Accept as {label.lower()}")(action)


@admin.register(EntitySuggestion)
class EntitySuggestionAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "article_count", "known_entity", "first_example", "status"]
    list_editable = ["kind"]
    list_filter = [SuggestionQueueFilter, "kind", "strong"]
    search_fields = ["name"]
    autocomplete_fields = ["target"]
    readonly_fields = ["article_count", "examples_list", "strong", "created", "updated"]
    fields = ["name", "kind", "status", "target", "article_count", "strong", "examples_list", "created", "updated"]
    actions = ["accept", "merge_into_target", "reject"]  # and "accept as <kind>" for each kind: get_actions
    ordering = ["-strong", "-article_count", "name"]
    list_per_page = 100

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("target")

    def get_actions(self, request):
        actions = super().get_actions(request)
        for kind, label in EntityKind.choices:
            action = _accept_as(kind, label)
            actions[action.__name__] = (action, action.__name__, action.short_description)
        return actions

    @admin.display(description="known entity")
    def known_entity(self, obj):
        """The existing entity this name overlaps: merging makes it an alias of it."""
        if obj.target_id is None:
            return ""
        return format_html('<a href="{}">{}</a> ({})', obj.target.get_absolute_url(), obj.target.name,
                           obj.target.kind_label)

    @admin.display(description="example")
    def first_example(self, obj):
        if not obj.examples:
            return ""
        sentence = Truncator(obj.examples[0].get("sentence", "")).chars(160)
        more = len(obj.examples) - 1
        return format_html("{}{}", sentence, f" (+{more} more)" if more > 0 else "")

    @admin.display(description="examples")
    def examples_list(self, obj):
        return format_html(
            "<ul>{}</ul>", format_html_join("", "<li>{}</li>", ((e["sentence"],) for e in obj.examples))
        )

    @admin.action(description="Accept as the kind shown: make entities and tag their articles")
    def accept(self, request, queryset):
        entities = [accept_suggestion(suggestion=s) for s in queryset.undecided()]
        self.message_user(request, f"Created or reused {counted(len(entities), 'entity', 'entities')}.",
                          messages.SUCCESS)

    @admin.action(description="Reject: not entities, never suggest again")
    def reject(self, request, queryset):
        count = 0
        for suggestion in queryset.undecided():
            reject_suggestion(suggestion=suggestion)
            count += 1
        self.message_user(request, f"Rejected {counted(count, 'suggestion')}.", messages.SUCCESS)

    @admin.action(description="Merge into the known entity (as an alias)")
    def merge_into_target(self, request, queryset):
        merged = skipped = 0
        for suggestion in queryset.undecided().select_related("target"):
            if suggestion.target is None:
                skipped += 1
                continue
            merge_suggestion(suggestion=suggestion, into=suggestion.target)
            merged += 1
        if skipped:
            self.message_user(
                request,
                f"{counted(skipped, 'suggestion')} {'has' if skipped == 1 else 'have'} no entity chosen to merge "
                "into; open each and choose one first.",
                messages.WARNING,
            )
        if merged:
            self.message_user(request, f"Merged {counted(merged, 'name')} as aliases.", messages.SUCCESS)


# Feeds that `manage.py fetch_feeds` polls (archive/ingest/polling.py); a job runs it, never a web request.
@admin.register(Feed)
class FeedAdmin(ArchiveModelAdmin):
    list_display = ["url", "source", "active", "fetch_pages", "last_fetched", "short_error"]
    list_filter = ["active", "source"]
    search_fields = ["url", "last_error"]
    autocomplete_fields = ["source"]
    fields = ["url", "source", "active", "fetch_pages", "last_fetched", "last_error"]
    readonly_fields = ["last_fetched", "last_error"]
    actions = ["poll_now"]

    @admin.action(description="Poll the selected feeds now (in the background)")
    def poll_now(self, request, queryset):
        message_job_queued(self, request, poll_feeds_later(feed_ids=list(queryset.values_list("id", flat=True))))

    @admin.display(description="last error")
    def short_error(self, obj):
        return obj.last_error[:80]
