"""Tagging throughput with 10,000 entities and 30,000 aliases, in a scratch database.

Run as its own process (``python -m bench.tagging``) so that it has its own SQLite
file and leaves the benchmark archive alone. It creates the entities, stores
articles from the corpus untagged, then times what users run:

- ``Gazetteer.from_database()``: the automaton of every name and alias;
- ``archive.services.find_mentions`` over every article: matching alone;
- ``archive.services.tag_articles``: the re-tagging service, mentions written to the
  database in one transaction (its index drain finds no index here and keeps the
  queue, so indexing is not part of this figure).

Prints one JSON object on the last line of its output.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", type=Path, required=True, help="scratch folder (emptied first)")
    parser.add_argument("--corpus", type=Path, required=True, help="a generated corpus folder")
    parser.add_argument("--articles", type=int, default=2_000)
    parser.add_argument("--seed", type=int, required=True)
    args = parser.parse_args()

    shutil.rmtree(args.data_dir, ignore_errors=True)
    args.data_dir.mkdir(parents=True)
    os.environ["DOSSIER_DATA_DIR"] = str(args.data_dir)
    os.environ["DATABASE_URL"] = f"sqlite:///{args.data_dir / 'tagging.sqlite3'}"
    os.environ["SEARCH_INDEX_DIR"] = str(args.data_dir / "no-index")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DJANGO_LOG_LEVEL", "WARNING")
    import django

    django.setup()
    print(json.dumps(measure(corpus=args.corpus, articles=args.articles, seed=args.seed)))


def measure(*, corpus: Path, articles: int, seed: int) -> dict:
    from django.core.management import call_command

    from archive.ingest.jsonl import parse_jsonl
    from archive.models import Alias, Article, Entity, Mention
    from archive.services import find_mentions, tag_articles
    from archive.tagging import Gazetteer
    from archive.text import body_fingerprint
    from bench.build import load_entities
    from bench.generate import TAGGING_ALIASES, TAGGING_ENTITIES, generate_entities

    call_command("migrate", verbosity=0)
    load_entities([e.as_json() for e in generate_entities(TAGGING_ENTITIES, aliases=TAGGING_ALIASES, seed=seed)])
    parsed = []
    for path in sorted(Path(corpus).glob("*.jsonl")):
        parsed += [p for p in parse_jsonl(path.read_text("utf-8")) if hasattr(p, "body")]
        if len(parsed) >= articles:
            break
    rows = [
        Article(title=p.title, body=p.body, published=p.published, dateline=p.dateline, language=p.language,
                slug=f"tagging-{i}", fingerprint=body_fingerprint(p.body))
        for i, p in enumerate(parsed[:articles])
    ]
    Article.objects.bulk_create(rows, batch_size=500)

    started = time.perf_counter()
    gazetteer = Gazetteer.from_database()
    build_seconds = time.perf_counter() - started

    stored = list(Article.objects.all())
    started = time.perf_counter()
    found = sum(len(find_mentions(article, gazetteer)) for article in stored)
    match_seconds = time.perf_counter() - started

    started = time.perf_counter()
    tagged = tag_articles(articles=Article.objects.all())
    service_seconds = time.perf_counter() - started
    return {
        "entities": Entity.objects.count(),
        "aliases": Alias.objects.count(),
        "gazetteer_names": gazetteer.size,
        "articles": tagged,
        "gazetteer_build_s": round(build_seconds, 3),
        "match_only_articles_per_s": round(len(stored) / match_seconds, 1),
        "mentions_found": found,
        "tag_articles_s": round(service_seconds, 2),
        "tag_articles_articles_per_s": round(tagged / service_seconds, 1),
        "mentions_stored": Mention.objects.count(),
    }


if __name__ == "__main__":
    main()
