"""Facet counts from the index (search/facets.py) against the database's own counts."""

import random

import numpy as np
import pytest

from archive import facets as database_facets
from archive.models import Article, EntityKind
from search import facets
from search.index import index_dir, searcher
from tests.factories import make_article, make_entity, make_source, make_tag

pytestmark = pytest.mark.django_db


@pytest.fixture
def archive(reindex):
    """Forty articles with zero to four entities and tags each, some without a source or a date."""
    chooser = random.Random(7)
    kinds = list(EntityKind.values)
    entities = [make_entity(f"Entity {i}", kind=kinds[i % len(kinds)]) for i in range(12)]
    tags = [make_tag(f"topic {i}") for i in range(6)]
    sources = [make_source(f"Source {i}") for i in range(3)] + [None]
    for i in range(40):
        make_article(
            f"Article {i} on wind",
            f"Body {i} about wind and solar power.",
            published=None if i % 13 == 5 else f"20{10 + i % 9}-{1 + i % 12:02d}-03",
            source=chooser.choice(sources),
            tags=chooser.sample(tags, chooser.randint(0, 3)),
            mentions=chooser.sample(entities, chooser.randint(0, 4)),
        )
    reindex()


def _index_counts(ids: set[int]):
    with searcher() as s:
        mask = np.zeros(s.doc_count_all(), dtype=bool)
        for docnum, stored in s.iter_docs():
            mask[docnum] = int(stored["id"]) in ids
        return facets.count_facets(s, mask, storage_key=str(index_dir()))


def test_index_counts_equal_the_database_counts_for_any_set_of_articles(archive):
    all_ids = sorted(Article.objects.values_list("id", flat=True))
    chooser = random.Random(3)
    # Up to half the articles the matches are counted; past half, the others are subtracted.
    subsets = [set(), {all_ids[0]}, {all_ids[-1]}, set(all_ids), set(all_ids[1:]), set(all_ids[:-1])]
    subsets += [set(chooser.sample(all_ids, size)) for size in (2, 3, 5, 19, 20, 21, 39) for _ in range(3)]
    for ids in subsets:
        found = _index_counts(ids)
        expected = database_facets.count_facets(Article.objects.filter(id__in=ids))
        assert found.total == expected.total == len(ids)
        assert found.sources == expected.sources
        assert found.tags == expected.tags
        assert found.months == expected.months
        assert found.entities == expected.entities
        assert found.undated == expected.undated
