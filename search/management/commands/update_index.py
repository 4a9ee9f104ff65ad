from django.core.management.base import BaseCommand

from archive.management.progress import Progress
from search.index import index_state
from search.sync import drain_queue, rebuild_index


class Command(BaseCommand):
    help = (
        "Bring the search index up to date: apply queued updates, or rebuild it when it is "
        "missing or was built with another schema version."
    )

    def handle(self, *args, verbosity, **options):
        state = index_state()
        if state != "ok":
            reason = "missing" if state == "missing" else "built with another schema version"
            self.stdout.write(f"The search index is {reason}; rebuilding it.")
            progress = Progress("Indexing", stream=self.stderr._out) if verbosity > 0 else None
            done = rebuild_index(progress=progress)
            self.stdout.write(self.style.SUCCESS(f"Indexed {done} articles."))
            return
        done = drain_queue()
        self.stdout.write(self.style.SUCCESS(f"Search index up to date ({done} queued updates applied)."))
