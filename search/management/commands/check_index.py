from django.core.management.base import BaseCommand, CommandError

from search.check import find_drift
from search.index import IndexUnavailable, index_state, verify_index


class Command(BaseCommand):
    help = (
        "Read the whole search index (every segment: stored fields, columns, postings) and compare it with "
        "the database; report damage and articles missing, stale or orphaned; exit 1 if there are any."
    )

    def handle(self, *args, **options):
        state = index_state()
        if state != "ok":
            reason = "missing" if state == "missing" else "built with another schema version"
            raise CommandError(f"The search index is {reason}; run `manage.py rebuild_index`.")
        damage = verify_index()
        if damage:
            for problem in damage:
                self.stdout.write(f"damaged: {problem}")
            raise CommandError("The search index is damaged; run `manage.py rebuild_index` "
                               "(it builds a new index beside the damaged one).")
        try:
            drift = find_drift()
        except IndexUnavailable as error:
            raise CommandError(f"{error} Run `manage.py rebuild_index`.") from error

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
