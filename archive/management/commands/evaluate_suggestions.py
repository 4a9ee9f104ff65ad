from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from archive.evaluation import LabelledFileError, read_labelled_file
from archive.evaluation.suggestions import TOP, evaluate_suggestions


class Command(BaseCommand):
    help = (
        "Import a collection whose new names are labelled (JSON Lines with 'names' per kind), collect suggestions "
        "with the archive's entities, and print the open suggestions per article and how many of the first "
        f"{TOP} in the review queue are labelled names of the kind suggested. Nothing is stored."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--top", type=int, default=TOP, help=f"how many suggestions to judge (default {TOP})")
        parser.add_argument("--show", action="store_true", help="list the suggestions judged, wrong ones marked")

    def handle(self, *args, file, top, show, **options):
        if top < 1:
            raise CommandError("--top must be at least 1")
        try:
            labelled = read_labelled_file(file)
        except LabelledFileError as error:
            raise CommandError(str(error)) from None
        result = evaluate_suggestions(articles=labelled, top=top)
        write = self.stdout.write
        write(f"{result.articles} articles: {result.open} open suggestions ({result.open_per_article:.3f} per "
              f"article), {result.watching} watched")
        write(f"right names of the right kind: {result.right} of the first {len(result.top)} "
              f"({result.right_share:.2f})")
        if show:
            for judged in result.top:
                mark = "  " if judged.right else "✗ "
                evidence = "title/organisation word" if judged.strong else "capitals"
                write(f"{mark}{judged.name} ({judged.kind}; {judged.article_count} articles, {evidence})"
                      + (f"  -- {judged.why}" if judged.why else ""))
