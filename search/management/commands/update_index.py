from django.core.management.base import BaseCommand, CommandError
from whoosh.index import LockError

from archive.management.progress import Progress
from search.index import IndexDamaged, index_state, tidy, verify_index
from search.sync import drain_queue, rebuild_index


class Command(BaseCommand):
    help = (
        "Bring the search index up to date: apply queued updates, or rebuild it when it is "
        "missing, damaged or was built with another schema version."
    )

    def add_arguments(self, parser):
        parser.add_argument("--wait", type=float, default=10.0,
                            help="seconds to wait for another process's writer lock (default 10)")

    def handle(self, *args, verbosity, wait, **options):
        state = index_state()
        reason = {"missing": "missing", "outdated": "built with another schema version"}.get(state)
        if reason is None:
            # Sizes and checksums of every segment file: a damaged index is rebuilt, not "up to date".
            damage = verify_index(read=False)
            reason = f"damaged ({damage[0]})" if damage else None
        try:
            if reason is None:
                try:
                    done = drain_queue(timeout=wait)
                except IndexDamaged as error:
                    self.stdout.write(str(error))
                    reason = "damaged"
                else:
                    removed = tidy(timeout=wait)  # what a killed writer left: an unfinished generation, temp files
                    if removed:
                        self.stdout.write(f"Removed what an interrupted writer left: {', '.join(removed)}.")
                    self.stdout.write(self.style.SUCCESS(f"Search index up to date ({done} queued updates applied)."))
                    return
            self.stdout.write(f"The search index is {reason}; rebuilding it.")
            progress = Progress("Indexing", stream=self.stderr._out) if verbosity > 0 else None
            done = rebuild_index(progress=progress)
        except LockError as error:
            raise CommandError(f"{error} Nothing was changed; run `manage.py update_index` again later.") from error
        self.stdout.write(self.style.SUCCESS(f"Indexed {done} articles."))
