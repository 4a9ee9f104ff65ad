from django.core.management.base import BaseCommand, CommandError

from archive.ingest.polling import fetch_feeds
from archive.models import Feed


class Command(BaseCommand):
    help = (
        "Fetch the active feeds listed in the admin (conditional requests: unchanged feeds cost "
        "one short answer) and import their new entries. Exit status 1 when any feed failed."
    )

    def add_arguments(self, parser):
        parser.add_argument("urls", nargs="*", help="only these feeds (their URLs as listed in the admin)")

    def handle(self, *args, urls, verbosity, **options):
        feeds = None
        if urls:
            feeds = list(Feed.objects.filter(url__in=urls).select_related("source"))
            unknown = set(urls) - {feed.url for feed in feeds}
            if unknown:
                raise CommandError(f"not a listed feed: {', '.join(sorted(unknown))}", returncode=2)
        report = fetch_feeds(feeds=feeds)
        for result in report.feeds:
            if verbosity > 0 or result.status == "error":
                self.stderr.write(str(result))
            for failure in result.failures if verbosity > 1 else ():
                self.stderr.write(f"  failed: {failure}")
        self.stderr.write(report.summary())
        if report.errors:
            raise CommandError(f"{len(report.errors)} feed(s) had errors.", returncode=1)
