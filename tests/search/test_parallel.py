"""Searches run in parallel threads, each on one unchanging view of the index, while a writer commits."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from search.cache import SegmentCache, nbytes
from search.index import index_writer, reset_searcher, searcher
from search.query import parse_query
from search.schema import documents
from search.service import run_search
from tests.factories import make_article


@pytest.mark.django_db(transaction=True)  # the searching threads read the articles through their own connections
def test_many_threads_search_while_a_writer_commits_and_each_answer_is_one_snapshot(index, reindex):
    articles = [make_article(f"Steppe report {n}", f"Wind over the steppe, report {n}.",
                             published=f"20{10 + n % 12}-0{1 + n % 9}-1{n % 10}") for n in range(60)]
    first, rest = articles[:20], articles[20:]
    reindex()
    with index_writer() as writer:
        for article in rest:
            writer.delete_by_term("id", str(article.id))
    reset_searcher()
    later = [doc for _, doc in documents([a.id for a in rest])]
    batches = [later[i: i + 5] for i in range(0, len(later), 5)]
    possible = {len(first) + 5 * n for n in range(len(batches) + 1)}  # what each commit leaves in the index

    errors: list[BaseException] = []
    seen: dict[int, list[int]] = {}
    writing = threading.Event()
    writing.set()

    def search_once(totals: list[int]) -> None:
        results = run_search(parse_query("steppe"), per_page=10)
        # One snapshot: the total, the facets and the timeline all count the same documents.
        assert results.total in possible
        assert results.facets.total == results.total == sum(results.facets.months.values())
        assert sum(results.facets.years.values()) == results.total
        assert all("steppe" in hit.article.body.lower() for hit in results.hits)
        totals.append(results.total)

    def search(number: int) -> None:
        totals = seen.setdefault(number, [])
        try:
            while writing.is_set() or len(totals) < 3:
                search_once(totals)
            search_once(totals)  # started after the last commit: must see all of them
        except BaseException as error:  # noqa: BLE001 - reported by the main thread
            errors.append(error)
        finally:
            connection.close()

    def write() -> None:
        try:
            for batch in batches:
                with index_writer() as writer:
                    for doc in batch:
                        writer.add_document(**doc)
        except BaseException as error:  # noqa: BLE001
            errors.append(error)
        finally:
            writing.clear()
            connection.close()  # a thread's connection is its own to close (PostgreSQL drops the test database after)

    threads = [threading.Thread(target=search, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    writer_thread = threading.Thread(target=write)
    writer_thread.start()
    for thread in [writer_thread, *threads]:
        thread.join(timeout=120)
    assert not errors, errors[:3]
    assert all(not thread.is_alive() for thread in threads)
    for totals in seen.values():
        assert totals == sorted(totals)  # a thread's view only ever moves forward
    # Once the writer is done, every thread sees everything.
    assert {totals[-1] for totals in seen.values()} == {len(articles)}
    assert run_search(parse_query("steppe")).total == len(articles)


def test_threads_do_not_share_a_searcher(reindex):
    make_article("Steppe report", "Wind over the steppe.")
    reindex()
    mine: list = []

    def take() -> None:
        with searcher() as s:
            mine.append(s)

    thread = threading.Thread(target=take)
    thread.start()
    thread.join()
    with searcher() as s:
        assert s is not mine[0]
        with searcher() as again:
            assert again is s  # reused by the same thread


def test_the_cache_keeps_to_its_byte_budget_and_forgets_merged_segments():
    import numpy as np

    cache = SegmentCache(budget=10_000)
    for n in range(10):
        cache.put(("ix", f"seg{n % 3}", "post", n), np.zeros(300, dtype=np.int64))  # 2,512 bytes each
    assert cache.used <= 10_000 and len(cache) == 3
    assert cache.peek(("ix", "seg0", "post", 9)) is not None and cache.peek(("ix", "seg0", "post", 0)) is None
    cache.put(("ix", ("seg1", "seg2"), "facet-codes"), [1, 2, 3])
    cache.forget_segments("ix", {"seg0", "seg1"})
    assert cache.peek(("ix", ("seg1", "seg2"), "facet-codes")) is None  # depends on seg2, merged away
    assert cache.peek(("ix", "seg0", "post", 9)) is not None and cache.peek(("ix", "seg2", "post", 8)) is None
    cache.put(("ix", "seg0", "huge"), np.zeros(5_000, dtype=np.int64))  # more than the budget: not kept
    assert cache.peek(("ix", "seg0", "huge")) is None
    assert cache.used == sum(nbytes(v) for v, _ in cache._items.values())


def test_the_cache_budget_comes_from_the_settings(settings):
    settings.SEARCH_CACHE_BYTES = 1234
    assert SegmentCache().budget == 1234


@pytest.mark.django_db(transaction=True)
def test_a_search_does_not_wait_for_another_thread_in_the_middle_of_one(reindex):
    make_article("Steppe report", "Wind over the steppe.")
    reindex()
    inside, release = threading.Event(), threading.Event()

    def hold() -> None:
        with searcher():
            inside.set()
            release.wait(timeout=30)  # stands for a long evaluation, facets and snippets

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert inside.wait(timeout=30)
        answered = []
        other = threading.Thread(target=lambda: (answered.append(run_search(parse_query("steppe")).total),
                                                 connection.close()))
        other.start()
        other.join(timeout=20)
        assert answered == [1]  # with one lock held through a search, this thread would still be waiting
    finally:
        release.set()
        holder.join()


def test_many_values_are_looked_up_and_computed_in_one_pass():
    cache = SegmentCache(budget=10_000)
    cache.put(("ix", "seg0", "freq", b"wind"), 7)
    asked = []

    def compute(keys):
        asked.append(keys)
        return [len(key[-1]) for key in keys]

    keys = [("ix", "seg0", "freq", word) for word in (b"wind", b"steppe", b"farm")]
    assert cache.get_many(keys, compute) == [7, 6, 4]
    assert asked == [[keys[1], keys[2]]]  # only the missing ones, once
    assert cache.get_many(keys, compute) == [7, 6, 4] and len(asked) == 1  # now all stored


def test_a_table_of_contents_replaced_while_a_search_opens_the_index_is_read_again(reindex, monkeypatch):
    """Another process's commit can remove the table of contents (or a merged segment)
    between Whoosh listing the folder and reading it: that is the index moving on, not
    damage, and the search opens the new generation instead of answering 503."""
    from pathlib import Path

    from whoosh.filedb.filestore import FileStorage

    make_article("Steppe report", "Wind over the steppe.")
    reindex()
    reset_searcher()
    calls = []
    real = FileStorage.open_index

    def replaced_once(self, *args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise FileNotFoundError(2, "No such file or directory", str(Path(self.folder) / "_articles_3.toc"))
        return real(self, *args, **kwargs)

    monkeypatch.setattr(FileStorage, "open_index", replaced_once)
    assert run_search(parse_query("steppe")).total == 1
    assert len(calls) == 2
