"""Suggestions seen too little to review are watched, not open (issue 11: at most one open
suggestion per five articles, and those worth an editor's minute)."""

from django.db import migrations, models
from django.db.models import Q

# As archive.discovery.MIN_ARTICLES_FOR_PLAIN_NAMES when this migration was written.
MIN_ARTICLES_FOR_PLAIN_NAMES = 3


def watch_weak_suggestions(apps, schema_editor):
    EntitySuggestion = apps.get_model("archive", "EntitySuggestion")
    EntitySuggestion.objects.filter(status="new", strong=False,
                                    article_count__lt=MIN_ARTICLES_FOR_PLAIN_NAMES).update(status="watching")


def reopen_them(apps, schema_editor):
    EntitySuggestion = apps.get_model("archive", "EntitySuggestion")
    EntitySuggestion.objects.filter(Q(status="watching")).update(status="new")


class Migration(migrations.Migration):

    dependencies = [
        ("archive", "0009_background_jobs"),
    ]

    operations = [
        migrations.AlterField(
            model_name="entitysuggestion",
            name="status",
            field=models.CharField(
                choices=[("watching", "Watching (seen too little to review)"), ("new", "To review"),
                         ("accepted", "Accepted"), ("rejected", "Rejected"), ("merged", "Merged into an entity")],
                default="new", max_length=10,
            ),
        ),
        migrations.RunPython(watch_weak_suggestions, reopen_them),
    ]
