"""What the API shows of each model: the fields a page shows, plus ids and links."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from archive.models import Article, Entity, EntityKind, Mention, Source, Tag


class SourceBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Source
        fields = ["id", "name", "slug"]


class TagBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Tag
        fields = ["id", "name", "slug"]


class EntityBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Entity
        fields = ["id", "name", "slug", "kind"]


class SourceSerializer(serializers.ModelSerializer):
    article_count = serializers.IntegerField(read_only=True)
    page_url = serializers.CharField(source="get_absolute_url", read_only=True)

    class Meta:
        model = Source
        fields = ["id", "name", "slug", "homepage", "country", "description", "article_count", "page_url"]


class TagSerializer(serializers.ModelSerializer):
    article_count = serializers.IntegerField(read_only=True)
    page_url = serializers.CharField(source="get_absolute_url", read_only=True)

    class Meta:
        model = Tag
        fields = ["id", "name", "slug", "article_count", "page_url"]


class EntitySerializer(serializers.ModelSerializer):
    kind = serializers.ChoiceField(choices=EntityKind.choices)
    aliases = serializers.SerializerMethodField()
    wikidata_id = serializers.CharField(source="external_id", read_only=True)
    article_count = serializers.IntegerField(read_only=True)
    page_url = serializers.CharField(source="get_absolute_url", read_only=True)

    class Meta:
        model = Entity
        fields = ["id", "name", "slug", "kind", "aliases", "description", "wikidata_id", "article_count", "page_url"]

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_aliases(self, entity: Entity) -> list[str]:
        return [alias.name for alias in entity.aliases.all()]


class MentionSerializer(serializers.ModelSerializer):
    entity = EntityBriefSerializer()

    class Meta:
        model = Mention
        fields = ["entity", "count", "origin"]


class ArticleSerializer(serializers.ModelSerializer):
    source = SourceBriefSerializer(allow_null=True)
    tags = TagBriefSerializer(many=True)
    entities = serializers.SerializerMethodField()
    summary = serializers.CharField(read_only=True)
    original_url = serializers.CharField(source="url", read_only=True)
    page_url = serializers.CharField(source="get_absolute_url", read_only=True)

    class Meta:
        model = Article
        fields = [
            "id", "slug", "title", "published", "dateline", "language", "source", "original_url",
            "summary", "tags", "entities", "page_url",
        ]

    @extend_schema_field(EntityBriefSerializer(many=True))
    def get_entities(self, article: Article) -> list[dict]:
        return EntityBriefSerializer([mention.entity for mention in article.mentions.all()], many=True).data


class ArticleDetailSerializer(ArticleSerializer):
    mentions = MentionSerializer(many=True)

    class Meta(ArticleSerializer.Meta):
        fields = [*ArticleSerializer.Meta.fields, "body", "mentions", "created", "updated"]
