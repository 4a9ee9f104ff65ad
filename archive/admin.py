from django import forms
from django.contrib import admin, messages
from django.db import models
from django.db.models import Count

from archive.models import Alias, Article, Entity, Mention, MentionOrigin, Source, Tag
from archive.services import tag_articles
from archive.text import body_fingerprint


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
    readonly_fields = ["fingerprint", "created", "updated"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [MentionInline]
    actions = ["retag_selected"]
    list_per_page = 50
    fieldsets = [
        (None, {"fields": ["title", "slug", "published", "source", "dateline", "language", "url"]}),
        ("Text", {"fields": ["lede", "body"]}),
        ("Topics", {"fields": ["tags"]}),
        ("Record", {"fields": ["fingerprint", "created", "updated"], "classes": ["collapse"]}),
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
        done = tag_articles(articles=queryset.prefetch_related("mentions"))
        self.message_user(request, f"Re-tagged {done} articles.", messages.SUCCESS)


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
