"""The corpus generator is deterministic and its articles look like the archive's real input."""

import datetime as dt
import json
import re

from django.conf import settings

from archive.ingest.base import ParsedArticle
from archive.ingest.jsonl import parse_jsonl
from archive.tagging import Gazetteer
from bench.generate import (
    CORPUS_ENTITIES,
    MAX_WORDS,
    MIN_WORDS,
    articles,
    corpus_entities,
    generate_corpus,
    generate_entities,
)


def corpus_bytes(folder) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted((folder / "corpus").iterdir())}


def test_the_same_seed_and_size_give_identical_bytes_however_many_workers(tmp_path):
    first = generate_corpus(tmp_path / "a", n=900, seed=7, workers=1)
    generate_corpus(tmp_path / "b", n=900, seed=7, workers=2)
    assert first["files"] == ["articles-00000.jsonl", "articles-00001.jsonl", "articles-00002.jsonl"]
    assert corpus_bytes(tmp_path / "a") == corpus_bytes(tmp_path / "b")


def test_a_different_seed_gives_a_different_corpus(tmp_path):
    generate_corpus(tmp_path / "a", n=50, seed=7)
    generate_corpus(tmp_path / "b", n=50, seed=8)
    a, b = corpus_bytes(tmp_path / "a"), corpus_bytes(tmp_path / "b")
    assert a["articles-00000.jsonl"] != b["articles-00000.jsonl"]
    assert a["entities.json"] != b["entities.json"]


def test_a_larger_corpus_starts_with_the_smaller_one():
    # Each chunk of articles has its own seed, so N=100 is the first 100 of N=500.
    assert list(articles(100, seed=3)) == list(articles(500, seed=3))[:100]


def test_articles_have_the_shape_of_a_news_archive():
    sample = list(articles(1_200, seed=11))
    words = [len(a["body"].split()) for a in sample]
    assert MIN_WORDS <= min(words) and max(words) <= MAX_WORDS
    assert all(6 <= len(a["title"].split()) <= 12 for a in sample)
    assert 28 <= len({a["source"] for a in sample}) <= 30
    days = sorted(dt.date.fromisoformat(a["date"]) for a in sample)
    assert (days[-1] - days[0]).days >= 19 * 365
    assert len({tag for a in sample for tag in a["tags"]}) >= 35
    assert len({a["url"] for a in sample}) == len(sample)
    # Real words at realistic frequencies, so the benchmark's queries make sense.
    bodies = [a["body"].lower() for a in sample]
    assert sum("energy" in body for body in bodies) > len(sample) / 3
    assert 0 < sum("solar farm" in body for body in bodies) < len(sample)
    assert sum(bool(re.search(r"\bgeothermal\b", body)) for body in bodies) < len(sample) / 50


def test_every_article_names_several_known_entities():
    entities = corpus_entities(11)
    gazetteer = Gazetteer(
        (number, name) for number, entity in enumerate(entities) for name in (entity.name, *entity.aliases)
    )
    found = [gazetteer.find(a["body"]) for a in articles(300, seed=11)]
    assert all(len(counts) >= 2 for counts in found)
    assert sum(len(counts) >= 3 for counts in found) / len(found) > 0.95
    by_alias = sum(1 for a in articles(300, seed=11) if re.search("[а-яА-Я]", a["body"]))
    assert by_alias > 0  # some mentions are Cyrillic aliases


def test_the_tagging_benchmark_gets_ten_thousand_entities_and_thirty_thousand_aliases():
    entities = generate_entities(10_000, aliases=30_000, seed=11)
    assert len(entities) == 10_000
    assert sum(len(e.aliases) for e in entities) == 30_000
    assert all(1 <= len(e.aliases) <= 5 for e in entities)
    assert len({(e.kind, e.name.casefold()) for e in entities}) == 10_000
    assert corpus_entities(11) == entities[:CORPUS_ENTITIES]
    assert {e.kind for e in entities} == {"person", "organisation", "place", "project", "event"}


def test_the_files_are_valid_import_input(tmp_path):
    manifest = generate_corpus(tmp_path, n=450, seed=5)
    parsed = []
    for name in manifest["files"]:
        path = tmp_path / "corpus" / name
        assert path.stat().st_size < settings.IMPORT_MAX_FILE_BYTES
        parsed += parse_jsonl(path.read_text("utf-8"))
    assert len(parsed) == 450
    assert all(isinstance(p, ParsedArticle) for p in parsed)
    entities = json.loads((tmp_path / "corpus" / "entities.json").read_text("utf-8"))
    assert len(entities) == manifest["entities"] == CORPUS_ENTITIES
