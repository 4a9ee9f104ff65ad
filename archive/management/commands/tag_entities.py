from django.core.management.base import BaseCommand

from archive.management.progress import Progress
from archive.models import Article
from archive.services import prune_suggestions, tag_articles
from archive.signals import bulk_operation
from archive.tagging import Gazetteer


class Command(BaseCommand):
    help = "Tag articles with the known entities they mention (all articles, or those given by id)."

    def add_arguments(self, parser):
        parser.add_argument("ids", nargs="*", type=int, help="article ids (default: every article)")
        parser.add_argument("--batch-size", type=int, default=500)

    def handle(self, *args, ids, batch_size, verbosity, **options):
        gazetteer = Gazetteer.from_database()
        articles = Article.objects.order_by("id")
        if ids:
            articles = articles.filter(id__in=ids)
        total = articles.count()
        progress = Progress("Tagging", stream=self.stderr._out) if verbosity > 0 else None
        with bulk_operation():  # the search index is updated once, at the end
            done = self._tag_in_batches(articles, batch_size, gazetteer, total, progress)
        pruned = prune_suggestions(gazetteer)
        if pruned and verbosity > 0:
            self.stdout.write(f"{pruned} suggestions dropped: their names are entities now.")
        noun = "article" if done == 1 else "articles"
        self.stdout.write(self.style.SUCCESS(f"Tagged {done} {noun} with {gazetteer.size} names and aliases."))

    def _tag_in_batches(self, articles, batch_size, gazetteer, total, progress) -> int:
        done = 0
        last_id = 0
        while True:
            batch = list(articles.filter(id__gt=last_id)[:batch_size])
            if not batch:
                break
            done += tag_articles(articles=batch, gazetteer=gazetteer)
            last_id = batch[-1].id
            if progress:
                progress(done, total)
        return done
