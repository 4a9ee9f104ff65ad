from django.core.management.base import BaseCommand, CommandError

from archive.ingest.importer import import_articles
from archive.management.progress import Progress
from archive.models import Source


class Command(BaseCommand):
    help = (
        "Import articles from files and folders: plain text (.txt), JSON Lines (.jsonl) "
        "and Markdown with front matter (.md). Files already imported are left unchanged."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", help="files or folders to import")
        parser.add_argument("--source", help="source name for articles that do not name one")
        parser.add_argument("--batch-size", type=int, default=200)

    def handle(self, *args, paths, source, batch_size, verbosity, **options):
        default_source = None
        if source:
            default_source, _ = Source.objects.get_or_create(name=source.strip())
        progress = Progress("Importing", stream=self.stderr._out) if verbosity > 0 else None
        report = import_articles(
            paths=paths, default_source=default_source, batch_size=batch_size, progress=progress
        )
        if verbosity > 1:
            for item in report.unchanged:
                self.stdout.write(f"unchanged: {item}")
        for failure in report.failures:
            self.stderr.write(f"failed: {failure}")
        style = self.style.SUCCESS if report.ok else self.style.WARNING
        self.stdout.write(style(report.summary()))
        if report.files == 0:
            raise CommandError("No importable files found (supported: .txt, .jsonl, .md).")
