"""The benchmark measures the real code paths: the importer, the tagger, the index and the search service."""

import re

import pytest

from archive.models import Article, Mention, MentionOrigin
from bench.baselines import Fts5, OrmSearch, StockWhoosh
from bench.build import build_archive, time_rebuild
from bench.generate import generate_corpus
from bench.measure import percentile, summary_ms
from bench.querymix import build_mix
from bench.report import markdown, targets
from bench.service import search_service
from search import service as search_service_module
from search.models import PendingIndexUpdate
from search.query import parse_query
from search.service import run_search

pytestmark = pytest.mark.django_db(transaction=True)  # the importer indexes after each commit


@pytest.fixture
def built(tmp_path):
    generate_corpus(tmp_path, n=200, seed=3)
    return build_archive(tmp_path / "corpus", expected=200, rebuild_procs=(), progress=False)


def ids_with_word(word: str) -> set[int]:
    pattern = re.compile(rf"\b{word}\b", re.IGNORECASE)
    return {a.id for a in Article.objects.all() if pattern.search(a.title) or pattern.search(a.body)}


def test_the_build_stage_imports_tags_and_indexes_through_the_importer(built):
    assert built["import"]["articles"] == 200 == Article.objects.count()
    assert built["import"]["failure_count"] == 0
    assert built["import"]["articles_per_s"] > 0
    # Mentions come from the importer's tagger (the files list no entities).
    assert Mention.objects.count() >= 3 * 200
    assert not Mention.objects.exclude(origin=MentionOrigin.AUTOMATIC).exists()
    # The on-commit drains indexed every batch: nothing is left queued, and search finds the text.
    assert built["import"]["left_queued_after_import"] == 0
    assert PendingIndexUpdate.objects.count() == 0
    expected = ids_with_word("hydrogen")
    results = run_search(parse_query("hydrogen"), per_page=200)
    assert expected and {hit.article.id for hit in results.hits} == expected
    assert results.total == len(expected)


def test_the_rebuild_stage_times_rebuild_index(built):
    figures = time_rebuild(1)
    assert figures["articles"] == 200 and figures["index_segments"] == 1
    assert run_search(parse_query("hydrogen"), per_page=200).total == len(ids_with_word("hydrogen"))


def test_the_query_stage_runs_the_search_service_and_the_baselines_agree(built, monkeypatch, tmp_path, settings):
    calls = []
    real_run_search = search_service_module.run_search

    def spy(*args, **kwargs):
        calls.append(args)
        return real_run_search(*args, **kwargs)

    monkeypatch.setattr(search_service_module, "run_search", spy)
    mix = build_mix()
    assert len(mix) == 12
    ours = {query.name: search_service(query) for query in mix}
    assert len(calls) == len(mix)
    assert ours["common term"].total > 0 and ours["common term"].highlighted > 0
    assert all(outcome.timeline_bars > 0 for outcome in ours.values() if outcome.total)

    # Stock Whoosh runs the same parsed query and filter query, in a process of its own
    # without any of Dossier's code: the same matches, the same facet values, marked words.
    stock = StockWhoosh(settings.SEARCH_INDEX_DIR)
    found = stock.run_all(mix, repeat=2, warmup=1, min_repeat=2)
    assert stock.loaded == []
    for query in mix:
        assert found[query.name]["total"] == ours[query.name].total, query.name
        assert len(found[query.name]["times"]) == 2
        assert found[query.name]["facet_values"] == ours[query.name].facet_values, query.name
        assert found[query.name]["timeline_bars"] == ours[query.name].timeline_bars, query.name
        if ours[query.name].total <= len(ours[query.name].ids):  # the whole answer fits on the page
            assert set(found[query.name]["ids"]) == set(ours[query.name].ids), query.name
    assert found["common term"]["highlighted"] == ours["common term"].highlighted > 0

    # FTS5 and the ORM search the same articles in their own ways; for a plain word they agree.
    assert OrmSearch().run(mix[1]).total == len(ids_with_word("geothermal"))
    fts = Fts5(tmp_path / "fts.sqlite3")
    assert fts.build()["articles"] == 200
    fts.connect()
    try:
        assert fts.run(mix[1]).total == ours["rare term"].total
        assert fts.run(mix[0]).total == ours["common term"].total
    finally:
        fts.close()


def test_percentiles_are_nearest_rank():
    values = [float(v) for v in range(1, 21)]
    assert percentile(values, 0.95) == 19.0
    assert percentile(values, 0.5) == 10.0
    assert summary_ms([0.010, 0.020, 0.030]) == {"p50": 20.0, "p95": 30.0, "min": 10.0, "max": 30.0, "n": 3}


def test_the_report_checks_every_target():
    fig = {"ms": {"p50": 10.0, "p95": 20.0, "min": 5.0, "max": 30.0, "n": 20}, "total": 5, "page": 5,
           "highlighted": 5, "facet_values": 9, "timeline_bars": 3}
    slow = {**fig, "ms": {**fig["ms"], "p50": 200.0, "p95": 300.0}}
    fast = {**fig, "ms": {**fig["ms"], "p50": 1.0, "p95": 2.0}}
    results = {
        "n": 100_000, "seconds": 100.0, "started": "2026-01-01T00:00:00+00:00",
        "machine": {"cpus": 2, "cpu_model": "cpu", "memory_gb": 4, "python": "3.11", "django": "5.2",
                    "whoosh": "2.7.5", "sqlite": "3.40", "git_commit": "abc", "git_dirty": False},
        "build": {"import": {"articles_per_s": 300.0, "articles": 10, "seconds": 1.0},
                  "rebuild": [{"procs": 2, "articles_per_s": 400.0, "seconds": 1.0, "index_segments": 2}]},
        "sizes": {"index_mb": 1, "database_mb": 1, "fts5_mb": 1, "corpus_mb": 1},
        "search": {"mix": [{"name": "q", "q": "x", "params": {}}], "cold_first_query_ms": 5, "ours": {"q": fig},
                   "baselines": {"stock_whoosh": {"queries": {"q": slow}}, "fts5": {"queries": {"q": fast},
                                 "build": {"articles_per_s": 1, "seconds": 1}}}},
        "http": {"search": {"ms": {"p50": 50, "p95": 100, "max": 120}, "requests": 10, "errors": 0},
                 "article": {"ms": {"p50": 5, "p95": 6, "max": 7}, "requests": 1, "errors": 0},
                 "entity": {"ms": {"p50": 5, "p95": 6, "max": 7}, "requests": 1, "errors": 0},
                 "errors": 0, "memory": {"peak_rss_mb": 700, "sum_of_process_peaks_mb": 710}, "server": "gunicorn",
                 "clients": 8, "requests": 12, "seconds": 1, "requests_per_s": 12},
    }
    results["targets"] = targets(results)
    met = {item["target"]: item["met"] for item in results["targets"]}
    assert met["search service p95, every query type"] is True
    assert met["faster than stock Whoosh (p50 ratio), every query type"] is True
    assert met["faster than SQLite FTS5 (p50 ratio), every query type"] is False
    assert met["server peak memory (sum of RSS)"] is False
    assert met["index rebuild (rebuild_index)"] is True and met["whole import path"] is True
    table = markdown(results)
    assert "| q `x` | 5 | 10.0 / 20.0 | 200.0 / 300.0 | 20.0× | 1.0 / 2.0 | 0.1× |" in table


def test_the_stock_whoosh_worker_refuses_classes_from_outside_whoosh():
    import pickle

    from bench.stock_whoosh import _Unpickler
    from search.schema import Text

    with pytest.raises(pickle.UnpicklingError, match="stock Whoosh does not know search.schema."):
        _Unpickler(pickle.dumps(Text())).load()
    # Named as substitutes, the project's classes are read as the Whoosh classes they extend.
    substitutes = {("search.schema", "Text"): ("whoosh.fields", "TEXT"),
                   ("search.schema", "RussianStemFilter"): ("whoosh.analysis.filters", "PassFilter")}
    field = _Unpickler(pickle.dumps(Text()), substitutes).load()
    assert type(field).__module__ == "whoosh.fields"


def test_paired_engines_take_turns_run_by_run_under_the_same_load():
    from bench.run import run_paired
    from bench.service import Outcome

    calls = []

    def engine(name):
        def run(query):
            calls.append((name, query.name))
            return Outcome(total=3, ids=[1, 2, 3], highlighted=1, facet_values=4, timeline_bars=2)
        return run

    class Query:
        def __init__(self, name):
            self.name = name

    found = run_paired({"ours": engine("ours"), "fts5": engine("fts5")}, [Query("a"), Query("b")], repeat=3,
                       warmup=1)
    timed_a = [name for name, query in calls if query == "a"][2:]  # after one warm-up run of each
    assert timed_a == ["ours", "fts5"] * 3
    assert found["ours"]["b"]["ms"]["n"] == found["fts5"]["b"]["ms"]["n"] == 3
    assert found["fts5"]["a"]["total"] == 3 and found["ours"]["a"]["first_run_ms"] is not None
