from django.core.management.base import BaseCommand, CommandError

from search.check import find_drift
from search.index import index_state


class Command(BaseCommand):
    help = "Report articles missing, stale or orphaned in the search index; exit 1 if there are any."

    def handle(self, *args, **options):
        state = index_state()
        if state != "ok":
            raise CommandError(
                f"The search index is {state}; run `manage.py rebuild_index`."
            )
        drift = find_drift()

        def show(ids):
            return ", ".join(map(str, ids[:20])) + (" …" if len(ids) > 20 else "")

        for label, ids in (("missing", drift.missing), ("stale", drift.stale), ("orphaned", drift.orphaned)):
            if ids:
                self.stdout.write(f"{len(ids)} {label}: {show(ids)}")
        if drift.queued:
            self.stdout.write(f"{drift.queued} updates queued (run `manage.py update_index`).")
        if not drift.clean:
            raise CommandError("The search index has drifted from the database; run `manage.py update_index`"
                               " for queued changes or `manage.py rebuild_index`.")
        self.stdout.write(self.style.SUCCESS("The search index matches the database."))
