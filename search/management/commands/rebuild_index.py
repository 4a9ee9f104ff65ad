from django.core.management.base import BaseCommand

from archive.management.progress import Progress
from search.sync import rebuild_index


class Command(BaseCommand):
    help = "Rebuild the search index from the database (searches use the old index until it is done)."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=500)
        parser.add_argument("--procs", type=int, default=1, help="indexing processes (2 on a two-core machine)")

    def handle(self, *args, batch_size, procs, verbosity, **options):
        progress = Progress("Indexing", stream=self.stderr._out) if verbosity > 0 else None
        done = rebuild_index(batch_size=batch_size, progress=progress, procs=procs)
        self.stdout.write(self.style.SUCCESS(f"Indexed {done} articles."))
