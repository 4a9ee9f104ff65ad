"""The benchmark runner: ``python -m bench.run --n 20000`` (``make bench N=20000``).

Stages, each printed as it runs:

1. generate the corpus (cached under ``bench/cache/<key>/corpus``);
2. build the archive through the real import path, then time ``rebuild_index`` with one
   and two processes (cached under ``bench/cache/<key>/data`` with the figures in
   ``build.json``; a re-run reuses both and reports the cached build figures);
3. tagging throughput with 10,000 entities and 30,000 aliases (scratch database);
4. the search service on the query mix, then the three baselines on the same mix;
5. the search, article and entity pages over HTTP, served by gunicorn;
6. sizes on disk; the figures as JSON and Markdown in ``bench/results/``.

``<key>`` is ``N<n>-s<seed>-g<GENERATOR_VERSION>``: a new generator version or seed
never reuses an old archive. ``--fresh`` throws the cache for this key away first.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path

from bench.generate import DEFAULT_SEED, GENERATOR_VERSION, generate_corpus
from bench.measure import REPO, directory_bytes, machine, summary_ms, timed

BENCH_DIR = REPO / "bench"
CACHE_DIR = BENCH_DIR / "cache"
RESULTS_DIR = BENCH_DIR / "results"


def cache_key(n: int, seed: int) -> str:
    return f"N{n}-s{seed}-g{GENERATOR_VERSION}"


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


class Paths:
    def __init__(self, n: int, seed: int, cache_dir: Path = CACHE_DIR):
        self.root = Path(cache_dir) / cache_key(n, seed)
        self.corpus = self.root / "corpus"
        self.data = self.root / "data"
        self.db = self.data / "dossier.sqlite3"
        self.index = self.data / "index"
        self.build_figures = self.root / "build.json"
        self.fts = self.root / "fts5.sqlite3"
        self.fts_figures = self.root / "fts5.json"
        self.tagging = self.root / "tagging"

    def environment(self) -> dict[str, str]:
        """What the app needs to run on the benchmark archive (this process and gunicorn)."""
        return {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DOSSIER_DATA_DIR": str(self.data),
            "DATABASE_URL": f"sqlite:///{self.db}",
            "SEARCH_INDEX_DIR": str(self.index),
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
            "DJANGO_DEBUG": "false",
            "DJANGO_LOG_LEVEL": "WARNING",
        }


def stage_generate(paths: Paths, n: int, seed: int) -> dict:
    manifest_path = paths.corpus / "manifest.json"
    if manifest_path.exists():
        manifest = json.loads(manifest_path.read_text())
        return {**manifest, "from_cache": True}
    say(f"[1/6] generating {n:,} articles …")
    started = time.perf_counter()
    manifest = generate_corpus(paths.root, n=n, seed=seed)
    return {**manifest, "seconds": round(time.perf_counter() - started, 2), "from_cache": False}


def stage_build(paths: Paths, n: int, rebuild_procs: tuple[int, ...]) -> dict:
    from django.core.management import call_command

    from bench.build import build_archive, time_rebuild
    from search.index import index_state

    if paths.build_figures.exists() and paths.db.exists():
        figures = json.loads(paths.build_figures.read_text())
        call_command("migrate", verbosity=0)
        if index_state() != "ok":
            # The schema changed since the cached build: the index alone is rebuilt.
            say(f"[2/6] index is {index_state()}: rebuilding it …")
            figures["rebuild_after_schema_change"] = time_rebuild(max(rebuild_procs))
        return {**figures, "from_cache": True}
    say(f"[2/6] building the archive of {n:,} articles through the import path …")
    code = _code()  # the importer's code is loaded now; a commit during the build does not change it
    shutil.rmtree(paths.data, ignore_errors=True)
    paths.fts.unlink(missing_ok=True)
    paths.fts_figures.unlink(missing_ok=True)
    paths.data.mkdir(parents=True)
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    figures = build_archive(paths.corpus, expected=n, rebuild_procs=rebuild_procs)
    figures["built_at"] = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    figures["built_with_commit"] = code
    figures["build_seconds"] = round(time.perf_counter() - started, 1)
    if figures["import"]["failure_count"]:
        raise SystemExit(f"the import failed for {figures['import']['failure_count']} articles: "
                         f"{figures['import']['failures'][:3]}")
    paths.build_figures.write_text(json.dumps(figures, indent=2) + "\n")
    return {**figures, "from_cache": False}


def stage_tagging(paths: Paths, seed: int, articles: int) -> dict:
    say(f"[3/6] tagging {articles:,} articles with 10,000 entities and 30,000 aliases …")
    command = [sys.executable, "-m", "bench.tagging", "--data-dir", str(paths.tagging), "--corpus",
               str(paths.corpus), "--articles", str(articles), "--seed", str(seed)]
    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=600)
    if done.returncode:
        raise SystemExit(f"the tagging benchmark failed:\n{done.stderr[-3000:]}")
    shutil.rmtree(paths.tagging, ignore_errors=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def stage_jobs(paths: Paths, n: int) -> dict:
    say("[jobs] the admin request that re-tags the most mentioned entity, the jobs it queues, exports …")
    command = [sys.executable, "-m", "bench.jobs", "--source", str(paths.data), "--data-dir", str(paths.root / "jobs"),
               "--export-rows", str(n)]
    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=3600)
    if done.returncode:
        raise SystemExit(f"the jobs benchmark failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def run_engine(engine_run, mix, *, repeat: int, warmup: int, budget_s: float = 15.0) -> dict:
    """Each query of the mix, timed; a query type gets at most ``budget_s`` of timed runs (at least 5)."""
    found = {}
    for query in mix:
        times, outcome, first = timed(lambda q=query: engine_run(q), repeat=repeat, warmup=warmup,
                                      budget_s=budget_s, min_repeat=min(5, repeat))
        found[query.name] = query_figures(times=times, first=first, total=outcome.total, page=len(outcome.ids),
                                          highlighted=outcome.highlighted, facet_values=outcome.facet_values,
                                          timeline_bars=outcome.timeline_bars)
    return found


def run_paired(engines: dict, mix, *, repeat: int, warmup: int, budget_s: float = 15.0) -> dict[str, dict]:
    """Like ``run_engine`` for several engines at once, taking turns run by run.

    On a machine shared with other work the load changes from minute to minute; timing
    the engines alternately, query by query, puts each under the same load, so their
    ratio holds even when their absolute times do not.
    """
    found: dict[str, dict] = {name: {} for name in engines}
    for query in mix:
        firsts: dict[str, float] = {}
        outcomes: dict = {}
        for name, run in engines.items():
            for _ in range(warmup):
                start = time.perf_counter()
                outcomes[name] = run(query)
                firsts.setdefault(name, time.perf_counter() - start)
        times: dict[str, list[float]] = {name: [] for name in engines}
        for done in range(1, repeat + 1):
            for name, run in engines.items():
                start = time.perf_counter()
                outcomes[name] = run(query)
                times[name].append(time.perf_counter() - start)
            if done >= min(5, repeat) and max(map(sum, times.values())) > budget_s:
                break
        for name, outcome in outcomes.items():
            found[name][query.name] = query_figures(
                times=times[name], first=firsts.get(name), total=outcome.total, page=len(outcome.ids),
                highlighted=outcome.highlighted, facet_values=outcome.facet_values,
                timeline_bars=outcome.timeline_bars)
    return found


def query_figures(*, times: list[float], first: float | None, **outcome) -> dict:
    """One query type's figures, as every engine reports them."""
    return {"ms": summary_ms(times), **outcome, "first_run_ms": round(first * 1000, 1) if first is not None else None}


def stage_queries(paths: Paths, args) -> dict:
    from bench.baselines import Fts5, OrmSearch, StockWhoosh
    from bench.querymix import build_mix
    from bench.service import profile, search_service
    from search.index import reset_searcher

    mix = build_mix()
    fts, built = None, None
    if "fts5" in args.baselines:
        fts = Fts5(paths.fts)
        if paths.fts_figures.exists() and paths.fts.exists() and fts.archive_path.exists():
            built = {**json.loads(paths.fts_figures.read_text()), "from_cache": True}
        else:
            say("      baseline (b) building the FTS5 table …")
            built = fts.build()
            paths.fts_figures.write_text(json.dumps(built, indent=2) + "\n")
            built["from_cache"] = False
    say(f"[4/6] search service: {len(mix)} query types × {args.repeat}"
        + (", taking turns with baseline (b) SQLite FTS5 …" if fts else " …"))
    reset_searcher()
    started = time.perf_counter()
    search_service(mix[0])
    cold_ms = round((time.perf_counter() - started) * 1000, 1)
    paired: dict = {}
    if fts is not None:
        # The service and FTS5 take turns, run by run: the ratio the targets ask for is
        # measured under the same load on a shared machine (bench/README.md).
        fts.connect()
        try:
            paired = run_paired({"ours": search_service, "fts5": fts.run}, mix, repeat=args.repeat, warmup=2)
        finally:
            fts.close()
        ours = paired["ours"]
    else:
        ours = run_engine(search_service, mix, repeat=args.repeat, warmup=2)
    from bench.hostile import run_hostile

    hostile = run_hostile()
    result = {
        "mix": [{"name": q.name, "q": q.q, "params": q.params, "url": q.url(), "fts_match": q.fts_match or q.fts_fuzzy,
                 "orm_note": q.orm_note} for q in mix],
        "cold_first_query_ms": cold_ms,
        "ours": ours,
        "hostile": hostile,
    }
    if args.profile:
        slowest = sorted(mix, key=lambda q: ours[q.name]["ms"]["p50"], reverse=True)[: args.profile]
        result["profiles"] = {q.name: profile(lambda q=q: search_service(q), repeat=2) for q in slowest}

    baselines: dict = {}
    if "whoosh" in args.baselines:
        say(f"      baseline (a) stock Whoosh in its own process × {args.repeat} …")
        stock = StockWhoosh(paths.index, paths.db)
        found = stock.run_all(mix, repeat=args.repeat, warmup=2, budget_s=15.0, min_repeat=min(5, args.repeat))
        baselines["stock_whoosh"] = {
            "queries": {name: query_figures(times=f["times"], first=f["first"], total=f["total"],
                                            page=len(f["ids"]), highlighted=f["highlighted"],
                                            facet_values=f["facet_values"], timeline_bars=f["timeline_bars"])
                        for name, f in found.items()},
            "dossier_modules_loaded": stock.loaded,
        }
    if fts is not None:
        baselines["fts5"] = {"build": built, "queries": paired["fts5"], "taking_turns_with_ours": True}
    if "orm" in args.baselines:
        say(f"      baseline (c) Django ORM icontains × {args.orm_repeat} …")
        baselines["orm"] = {"queries": run_engine(OrmSearch().run, mix, repeat=args.orm_repeat,
                                                  warmup=1 if args.n <= 20_000 else 0, budget_s=10.0)}
    result["baselines"] = baselines
    return result


def http_requests(mix, *, per_query: int, articles: int, entities: int, seed: int) -> list[tuple[str, str]]:
    from django.db.models import Count

    from archive.models import Article, Entity

    rng = random.Random(f"{seed}:http")
    requests = [("search", query.url()) for query in mix for _ in range(per_query)]
    article_ids = sorted(Article.objects.values_list("id", flat=True))
    chosen = rng.sample(article_ids, min(articles, len(article_ids)))
    requests += [("article", f"/articles/{slug}/")
                 for slug in Article.objects.filter(id__in=chosen).order_by("id").values_list("slug", flat=True)]
    # Half the entity pages are the most mentioned entities (the longest lists), half any entity.
    popular = list(Entity.objects.annotate(n=Count("mentions")).order_by("-n", "id")
                   .values_list("slug", flat=True)[: entities // 2])
    others = sorted(Entity.objects.exclude(slug__in=popular).values_list("slug", flat=True))
    slugs = popular + rng.sample(others, min(entities - len(popular), len(others)))
    requests += [("entity", f"/entities/{slug}/") for slug in slugs]
    rng.shuffle(requests)
    return requests


def stage_http(paths: Paths, args) -> dict:
    from bench.querymix import build_mix
    from bench.web import drive, serve

    mix = build_mix()
    requests = http_requests(mix, per_query=args.http_per_query, articles=args.http_articles,
                             entities=args.http_entities, seed=args.seed)
    warmup = [("search", q.url()) for q in mix] * 2 + requests[:: max(1, len(requests) // 16)]
    say(f"[5/6] HTTP: gunicorn -w {args.workers}, {args.clients} clients, {len(requests)} requests …")
    # One client at a time first: what a page costs without waiting for a worker.
    alone = [("search", q.url()) for q in mix] * 2
    for kind in ("article", "entity"):
        alone += [item for item in requests if item[0] == kind][:10]
    with serve(paths.environment(), workers=args.workers) as server:
        warm_results, _ = drive(server, warmup, clients=args.clients)
        alone_results, _ = drive(server, alone, clients=1)
        results, wall = drive(server, requests, clients=args.clients)
        server.memory.stop()
        memory = {"peak_rss_mb": round(server.memory.peak_kb / 1024, 1),
                  "sum_of_process_peaks_mb": round(sum(server.memory.hwm_kb.values()) / 1024, 1),
                  "processes": len(server.memory.hwm_kb)}
    figures = {
        "server": f"gunicorn config.wsgi -w {args.workers} --threads 1",
        "clients": args.clients,
        "requests": len(results),
        "seconds": round(wall, 2),
        "requests_per_s": round(len(results) / wall, 1),
        "errors": sum(1 for r in results if r.error),
        "error_examples": sorted({f"{r.path}: {r.error}" for r in results if r.error})[:10],
        "warmup": {"requests": len(warm_results), "errors": sum(1 for r in warm_results if r.error),
                   "max_ms": round(max(r.seconds for r in warm_results) * 1000, 1)},
        "memory": memory,
    }
    for kind in ("search", "article", "entity"):
        chosen = [r for r in results if r.kind == kind]
        figures[kind] = {"ms": summary_ms([r.seconds for r in chosen if not r.error]),
                         "requests": len(chosen), "errors": sum(1 for r in chosen if r.error)}
    figures["one_client"] = {
        kind: {"ms": summary_ms([r.seconds for r in alone_results if r.kind == kind and not r.error]),
               "requests": sum(1 for r in alone_results if r.kind == kind),
               "errors": sum(1 for r in alone_results if r.kind == kind and r.error)}
        for kind in ("search", "article", "entity")
    }
    figures["search_by_query"] = {
        q.name: summary_ms([r.seconds for r in results if r.path == q.url() and not r.error]) for q in mix
    }
    return figures


def stage_load(paths: Paths, args, results: dict) -> dict:
    """8, 20 and 50 clients on search, filtered lists, article and entity pages, an import running (bench/web.py)."""
    from bench.querymix import build_mix
    from bench.web import stage_load as run_load

    mix = build_mix()
    pages = http_requests(mix, per_query=1, articles=args.http_articles, entities=args.http_entities, seed=args.seed)
    service_p50 = {name: fig["ms"]["p50"] for name, fig in results["search"]["ours"].items()}
    say(f"[5/6] load: gunicorn -w {args.workers}, clients {args.load_clients} …")
    return run_load(env=paths.environment(), scratch=paths.root / "load-scratch", data=paths.data, index=paths.index,
                    mix=mix, pages=pages, service_p50=service_p50, n=args.n, seed=args.seed, workers=args.workers,
                    clients=tuple(int(c) for c in args.load_clients.split(",")), per_level=args.load_requests,
                    say=say)


def stage_sizes(paths: Paths) -> dict:
    return {
        "index_mb": round(directory_bytes(paths.index) / 1e6, 1),
        "database_mb": round(sum(p.stat().st_size for p in paths.data.glob("dossier.sqlite3*")) / 1e6, 1),
        "fts5_mb": round(paths.fts.stat().st_size / 1e6, 1) if paths.fts.exists() else None,
        "corpus_mb": round(directory_bytes(paths.corpus) / 1e6, 1),
    }


def _code() -> str:
    code = machine()
    return code["git_commit"] + (" with local changes" if code["git_dirty"] else "")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Dossier benchmark (see bench/README.md).")
    parser.add_argument("--n", type=int, default=20_000, help="articles in the synthetic archive")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--fresh", action="store_true", help="discard the cached corpus and archive for this N")
    parser.add_argument("--repeat", type=int, default=20, help="timed runs per query (service, stock Whoosh and FTS5)")
    parser.add_argument("--orm-repeat", type=int, default=None, help="timed runs per query, ORM icontains")
    parser.add_argument("--baselines", default="whoosh,fts5,orm", help="comma-separated; empty for none")
    parser.add_argument("--rebuild-procs", default="2",
                        help="rebuild_index runs to time, e.g. 1,2 (the index of the last one is measured)")
    parser.add_argument("--tagging-articles", type=int, default=2_000)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--clients", type=int, default=8, help="concurrent HTTP clients")
    parser.add_argument("--http-per-query", type=int, default=20, help="search requests per query type")
    parser.add_argument("--http-articles", type=int, default=60)
    parser.add_argument("--http-entities", type=int, default=40)
    parser.add_argument("--skip-http", action="store_true")
    parser.add_argument("--skip-jobs", action="store_true", help="skip the background jobs and exports stage")
    parser.add_argument("--load-clients", default="8,20,50", help="client counts of the load run (8: no import)")
    parser.add_argument("--load-requests", type=int, default=400, help="requests per client count in the load run")
    parser.add_argument("--skip-load", action="store_true")
    parser.add_argument("--profile", type=int, default=3, help="cProfile the N slowest query types (0: none)")
    parser.add_argument("--cache-dir", type=Path, default=CACHE_DIR)
    parser.add_argument("--results-dir", type=Path, default=RESULTS_DIR)
    args = parser.parse_args(argv)
    args.baselines = {b.strip() for b in args.baselines.split(",") if b.strip()}
    if args.orm_repeat is None:
        args.orm_repeat = 3 if args.n <= 20_000 else 2
    return args


def main(argv: list[str] | None = None) -> dict:
    from bench.report import targets, write_results

    args = parse_args(argv)
    paths = Paths(args.n, args.seed, args.cache_dir)
    if args.fresh:
        shutil.rmtree(paths.root, ignore_errors=True)
    # The benchmark archive, never the developer's own database or index.
    os.environ.update(paths.environment())
    started = time.perf_counter()
    results: dict = {"n": args.n, "seed": args.seed, "generator_version": GENERATOR_VERSION,
                     "started": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), "machine": machine()}
    results["corpus"] = stage_generate(paths, args.n, args.seed)
    paths.data.mkdir(parents=True, exist_ok=True)
    import django

    django.setup()
    # Another engineer may commit while a long run goes on: each stage notes the code it ran.
    results["code_by_stage"] = {}

    def stage(name: str, run):
        results["code_by_stage"][name] = _code()
        results[name] = run()

    stage("build", lambda: stage_build(paths, args.n, tuple(int(p) for p in args.rebuild_procs.split(",") if p)))
    stage("tagging", lambda: stage_tagging(paths, args.seed, args.tagging_articles))
    stage("search", lambda: stage_queries(paths, args))
    if not args.skip_jobs:
        stage("jobs", lambda: stage_jobs(paths, args.n))
    if not args.skip_http:
        stage("http", lambda: stage_http(paths, args))
    if not args.skip_load:
        stage("load", lambda: stage_load(paths, args, results))
    say("[6/6] sizes and results …")
    results["sizes"] = stage_sizes(paths)
    results["seconds"] = round(time.perf_counter() - started, 1)
    results["code_at_end"] = _code()
    results["targets"] = targets(results)
    markdown = write_results(results, args.results_dir)
    print(markdown)
    return results


if __name__ == "__main__":
    main()
