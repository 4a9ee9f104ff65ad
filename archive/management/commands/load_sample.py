import json
from pathlib import Path

from django.core.management.base import BaseCommand
from django.db import transaction

from archive.ingest.importer import import_articles
from archive.models import Alias, Article, Entity, Source

SAMPLE_DIR = Path(__file__).resolve().parent.parent.parent / "sample"


class Command(BaseCommand):
    help = "Load the demo archive (sources, entities with aliases, articles) once into an empty archive."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force", action="store_true", help="import even if the archive already holds articles"
        )

    def handle(self, *args, force, verbosity, **options):
        existing = Article.objects.count()
        if existing and not force:
            self.stdout.write(
                f"The archive already holds {existing} articles; the sample is not loaded again."
            )
            return
        with transaction.atomic():
            sources = self._load_sources()
            entities, aliases = self._load_entities()
        self.stdout.write(
            f"Sample reference data: {sources} new sources, {entities} new entities, {aliases} new aliases."
        )
        report = import_articles(paths=[SAMPLE_DIR / "articles"])
        for failure in report.failures:
            self.stderr.write(f"failed: {failure}")
        self.stdout.write(self.style.SUCCESS(f"Sample articles: {report.summary()}"))

    def _load_sources(self) -> int:
        created = 0
        for item in json.loads((SAMPLE_DIR / "sources.json").read_text("utf-8")):
            _, new = Source.objects.get_or_create(
                name=item["name"],
                defaults={
                    "homepage": item.get("homepage", ""),
                    "country": item.get("country", ""),
                    "description": item.get("description", ""),
                },
            )
            created += new
        return created

    def _load_entities(self) -> tuple[int, int]:
        created_entities = created_aliases = 0
        for item in json.loads((SAMPLE_DIR / "entities.json").read_text("utf-8")):
            entity = Entity.objects.filter(kind=item["kind"], name__iexact=item["name"]).first()
            if entity is None:
                entity = Entity.objects.create(
                    kind=item["kind"],
                    name=item["name"],
                    description=item.get("description", ""),
                    external_id=item.get("external_id", ""),
                )
                created_entities += 1
            known = {a.casefold() for a in entity.aliases.values_list("name", flat=True)}
            known.add(entity.name.casefold())
            for alias in item.get("aliases", []):
                if alias.casefold() not in known:
                    Alias.objects.create(entity=entity, name=alias)
                    known.add(alias.casefold())
                    created_aliases += 1
        return created_entities, created_aliases
