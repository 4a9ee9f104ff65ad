"""The one door to Whoosh's internals: private decoding agrees with Whoosh's public API,
and when it cannot be trusted (another whoosh-reloaded, a failed conformance check)
stock Whoosh answers the same searches.

The corpus (written for this test) has more than 128 postings for its common words, so
posting blocks are crossed, and two segments, the first with deleted documents.
"""

import numpy as np
import pytest
from whoosh.writing import SegmentWriter

from search import whoosh_adapter as adapter
from search.checks import whoosh_version_check
from search.index import index_writer, reset_searcher, searcher
from search.query import parse_query
from search.service import run_search
from search.sync import drain_queue
from tests.factories import make_article

WORDS = ["wind", "solar", "turbine", "farm", "grid", "steppe", "hydrogen", "pipeline", "Astana", "Almaty"]


@pytest.fixture
def corpus(reindex):
    # Each article names a few words of the list, so words recur at different rates.
    for i in range(170):
        picked = [WORDS[(i * k) % len(WORDS)] for k in (1, 3, 7)]
        body = f"Report {i} on the {picked[0]} {picked[1]} project: the {picked[2]} works near the wind farm."
        make_article(title=f"The {picked[0]} {picked[1]} file {i}", body=body, published=f"2024-{1 + i % 12:02d}-10")
    reindex()
    # A second segment: changed articles are written again and deleted from the first.
    from archive.models import Article

    for article in Article.objects.order_by("id")[:15]:
        article.title = article.title + " revised grid note"
        article.save()
    assert drain_queue() == 15
    reset_searcher()
    adapter.reset_conformance()
    yield
    adapter.reset_conformance()
    reset_searcher()


def _answers(q: str) -> tuple:
    results = run_search(parse_query(q), per_page=200)
    return results.total, [hit.article.id for hit in results.hits], [hit.score for hit in results.hits]


QUERIES = ["wind", "solar grid", "turbine OR hydrogen", "wind -solar", "pipe*", "title:steppe", "almaty AND farm"]


def test_private_decoding_gives_what_whoosh_public_postings_give(corpus):
    compared = crossed = 0
    with searcher() as s:
        leaves = s.reader().leaf_readers()
        assert len(leaves) == 2 and leaves[0][0].has_deletions()
        for reader, _ in leaves:
            deleted = np.fromiter(reader.deleted_docs_set, dtype=np.int64)
            for fieldname in ("title", "body"):
                for btext in reader.lexicon(fieldname):
                    ids, weights = adapter._private_postings(reader, fieldname, btext)
                    keys = adapter._private_positions(reader, fieldname, btext)
                    live = ~np.isin(ids, deleted)
                    public_ids, public_weights = adapter._public_postings(reader, fieldname, btext)
                    assert np.array_equal(ids[live], public_ids), btext
                    assert np.allclose(weights[live], public_weights), btext
                    live_keys = keys[~np.isin(keys // adapter.POSITION_SPAN, deleted)]
                    assert np.array_equal(live_keys, adapter._public_positions(reader, fieldname, btext)), btext
                    compared += 1
                    crossed += len(ids) > 128
                size = reader.doc_count_all()
                assert np.array_equal(adapter._private_lengths(reader, fieldname, size),
                                      adapter._public_lengths(reader, fieldname, size))
    assert compared > 100
    assert crossed >= 3  # words whose postings span more than one block


def test_an_empty_index_does_not_fail_the_conformance_check(index):
    adapter.reset_conformance()
    reset_searcher()
    assert run_search(parse_query("wind")).total == 0
    assert adapter.conformance_failure() is None and adapter.private_reads()
    make_article(title="Wind farm", body="A wind farm.")
    reset_searcher()
    from search.sync import rebuild_index

    rebuild_index()
    assert run_search(parse_query("wind")).total == 1
    assert adapter.conformance_failure() is None and adapter.private_reads()
    assert "result" in adapter._conformance  # checked once there were words


def test_the_conformance_check_passes_on_the_verified_version(corpus):
    run_search(parse_query("wind"))
    assert adapter.version_verified()
    assert adapter.conformance_failure() is None
    assert adapter.private_reads()


def test_a_conformance_mismatch_turns_private_reading_off_and_whoosh_answers(corpus, monkeypatch):
    expected = {q: _answers(q) for q in QUERIES}
    real = adapter._private_postings

    def loses_a_posting(reader, fieldname, btext):
        ids, weights = real(reader, fieldname, btext)
        return ids[1:], weights[1:]

    monkeypatch.setattr(adapter, "_private_postings", loses_a_posting)
    adapter.reset_conformance()
    reset_searcher()
    answers = {q: _answers(q) for q in QUERIES}
    assert "postings" in adapter.conformance_failure()
    assert not adapter.private_reads()
    for q in QUERIES:
        assert answers[q][:2] == expected[q][:2], q
        assert np.allclose(answers[q][2], expected[q][2], rtol=1e-4), q


def test_an_unverified_whoosh_version_is_answered_by_stock_whoosh(corpus, monkeypatch):
    expected = {q: _answers(q) for q in QUERIES}
    monkeypatch.setattr(adapter, "installed_version", lambda: "2.7.99")
    calls = []
    real = adapter.whoosh_matches
    monkeypatch.setattr(adapter, "whoosh_matches", lambda *a, **k: calls.append(a) or real(*a, **k))
    reset_searcher()
    for q in QUERIES:
        total, ids, scores = _answers(q)
        assert total > 0, q
        assert (total, ids) == expected[q][:2], q
        assert np.allclose(scores, expected[q][2], rtol=1e-4), q
    assert len(calls) >= len(QUERIES)
    assert not adapter.private_reads() and not adapter.private_writes()
    # Writing uses Whoosh's own writer, in one process.
    with index_writer(procs=2) as writer:
        assert type(writer) is SegmentWriter


def test_system_check_warns_about_an_unverified_whoosh(monkeypatch):
    assert whoosh_version_check() == []
    monkeypatch.setattr(adapter, "installed_version", lambda: "3.0.0")
    warnings = whoosh_version_check()
    assert [w.id for w in warnings] == ["search.W001"]
    assert "3.0.0" in warnings[0].msg and "2.7.5" in warnings[0].msg


def test_the_system_check_is_registered():
    from django.core.checks import registry

    assert whoosh_version_check in registry.registry.get_checks()
