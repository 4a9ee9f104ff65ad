from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from archive.evaluation import LabelledFileError, Score, evaluate, read_labelled_file


def _row(label: str, score: Score) -> str:
    return (f"{label:<40} {score.precision:9.3f} {score.recall:7.3f} {score.f1:7.3f} "
            f"{score.tp:6d} {score.fp:6d} {score.fn:6d}")


class Command(BaseCommand):
    help = (
        "Tag labelled articles (JSON Lines with the expected entities per kind) with the archive's entities "
        "and print precision, recall and F1, overall, per kind and per entity. Nothing is stored."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--roll-up-countries", action="store_true",
                            help="count every place as its country (Almaty as Kazakhstan)")
        parser.add_argument("--entities", type=int, default=25,
                            help="how many entities to list, those with the most errors first (default 25)")
        parser.add_argument("--show-errors", action="store_true", help="list each article's false and missed tags")

    def handle(self, *args, file, roll_up_countries, entities, show_errors, **options):
        try:
            labelled = read_labelled_file(file)
        except LabelledFileError as error:
            raise CommandError(str(error)) from None
        result = evaluate(articles=labelled, roll_up=roll_up_countries)
        write = self.stdout.write
        mode = "places rolled up to their countries" if roll_up_countries else "every entity as itself"
        write(f"{result.articles} labelled articles ({mode})\n")
        header = f"{'':<40} {'precision':>9} {'recall':>7} {'F1':>7} {'tp':>6} {'fp':>6} {'fn':>6}"
        write(header)
        write(_row("overall", result.overall))
        for kind, score in sorted(result.by_kind.items()):
            write(_row(f"  {kind}", score))
        if entities:
            write(f"\nEntities with the most errors (at most {entities}):")
            write(header)
            worst = sorted(result.by_entity.items(), key=lambda item: (-(item[1].fp + item[1].fn), item[0]))
            for (kind, name), score in worst[:entities]:
                if score.fp + score.fn:
                    write(_row(f"  {name} ({kind})"[:40], score))
        if show_errors:
            write("\nArticles with errors:")
            for error in result.errors:
                write(f"  line {error.line}: {error.title[:70]}")
                for tag in error.false:
                    write(f"      false  {tag}")
                for tag in error.missed:
                    write(f"      missed {tag}")
