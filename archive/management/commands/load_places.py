import time

from django.core.management import call_command
from django.core.management.base import BaseCommand

from archive.models import Article
from archive.places import DEFAULT_MIN_CITY_POPULATION, load_places


class Command(BaseCommand):
    help = (
        "Load a starter gazetteer of places (countries, capitals and big cities, regions of Kazakhstan "
        "and China, with aliases in English, Russian and Chinese). Safe to run again: it adds only what is "
        "missing and keeps editors' changes."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--min-city-population",
            type=int,
            default=DEFAULT_MIN_CITY_POPULATION,
            help=f"cities at least this large are loaded besides capitals (default {DEFAULT_MIN_CITY_POPULATION:,})",
        )
        parser.add_argument(
            "--retag", action="store_true",
            help="when places or aliases were added, re-tag every article so they are found at once",
        )

    def handle(self, *args, min_city_population, retag, verbosity, **options):
        started = time.monotonic()
        report = load_places(min_city_population=min_city_population)
        seconds = time.monotonic() - started
        self.stdout.write(self.style.SUCCESS(f"Places: {report.summary()} ({seconds:.1f} s)."))
        if retag and (report.created or report.aliases_added) and Article.objects.exists():
            call_command("tag_entities", verbosity=verbosity)
