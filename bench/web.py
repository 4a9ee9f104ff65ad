"""End to end over HTTP: the app served by gunicorn, driven by concurrent clients on loopback.

``serve(...)`` starts ``gunicorn config.wsgi`` (the production server the README names)
on a free loopback port with the benchmark's environment, and samples the resident
memory of the master and its workers while it runs. ``drive(...)`` sends a fixed list of
requests from several client threads, one connection per request, and records each
latency and each error (any status but 200, or no answer within the timeout).
"""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from bench.measure import REPO

HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def _status_kb(pid: int, key: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def _children(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


@dataclass
class MemorySampler:
    """Peak of the summed resident memory of a process and its children, sampled in a thread."""

    pid: int
    interval: float = 0.05
    peak_kb: int = 0
    hwm_kb: dict[int, int] = field(default_factory=dict)
    _stop: threading.Event = field(default_factory=threading.Event)

    def _sample(self) -> None:
        pids = [self.pid, *_children(self.pid)]
        total = 0
        for pid in pids:
            total += _status_kb(pid, "VmRSS")
            hwm = _status_kb(pid, "VmHWM")
            if hwm:
                self.hwm_kb[pid] = max(self.hwm_kb.get(pid, 0), hwm)
        self.peak_kb = max(self.peak_kb, total)

    def run(self) -> None:
        while not self._stop.is_set():
            self._sample()
            self._stop.wait(self.interval)

    def stop(self) -> None:
        self._sample()
        self._stop.set()


@dataclass
class Server:
    base_url: str
    process: subprocess.Popen
    memory: MemorySampler
    workers: int


@contextmanager
def serve(env: dict[str, str], *, workers: int = 2, threads: int = 1, ready_timeout: float = 60.0) -> Iterator[Server]:
    port = free_port()
    gunicorn = Path(sys.executable).parent / "gunicorn"
    command = [str(gunicorn), "config.wsgi", "-w", str(workers), "--threads", str(threads),
               "-b", f"{HOST}:{port}", "--timeout", "120", "--log-level", "warning"]
    process = subprocess.Popen(command, cwd=REPO, env={**os.environ, **env})
    sampler = MemorySampler(process.pid)
    thread = threading.Thread(target=sampler.run, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + ready_timeout
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {process.returncode}")
            try:
                status, _ = fetch(port, "/static/favicon.svg", timeout=2)
                if status == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("gunicorn did not answer in time")
            time.sleep(0.2)
        yield Server(f"http://{HOST}:{port}", process, sampler, workers)
    finally:
        sampler.stop()
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def fetch(port: int, path: str, *, timeout: float) -> tuple[int, int]:
    """GET ``path``; the status and the size of the body."""
    connection = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        connection.request("GET", path, headers={"Host": HOST, "Connection": "close"})
        response = connection.getresponse()
        body = response.read()
        return response.status, len(body)
    finally:
        connection.close()


@dataclass
class Result:
    kind: str
    path: str
    seconds: float
    status: int  # 0: no answer
    error: str = ""


def drive(server: Server, requests: list[tuple[str, str]], *, clients: int, timeout: float = 60.0,
          deadline_s: float = 600.0) -> tuple[list[Result], float]:
    """Send every request from ``clients`` threads; the results and the wall-clock time taken."""
    port = int(server.base_url.rsplit(":", 1)[1])
    stop_at = time.monotonic() + deadline_s

    def one(item: tuple[str, str]) -> Result:
        kind, path = item
        if time.monotonic() > stop_at:
            return Result(kind, path, 0.0, 0, "not sent: the run's time limit passed")
        started = time.perf_counter()
        try:
            status, _ = fetch(port, path, timeout=timeout)
            error = "" if status == 200 else f"HTTP {status}"
        except OSError as exc:
            status, error = 0, f"{type(exc).__name__}: {exc}"
        return Result(kind, path, time.perf_counter() - started, status, error)

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        results = list(pool.map(one, requests))
    return results, time.perf_counter() - started


# Under load (issue 14): 8, 20 and 50 clients on a mix of search, filtered lists, article
# and entity pages; at 20 and 50 an import runs at the same time. On a scratch copy of the
# archive, so the cached benchmark archive stays exactly as it was built.

LOAD_KINDS = ("search", "list", "article", "entity")


def list_requests(count: int, *, seed: int) -> list[tuple[str, str]]:
    """Filtered article lists as a reader builds them from the facets: an entity, an entity
    and a year, a source and a year, a tag and a kind of entity, a later page, oldest first."""
    import random

    from django.db.models import Count
    from django.db.models.functions import ExtractYear

    from archive.models import Article, Entity, EntityKind, Source, Tag

    rng = random.Random(f"{seed}:lists")
    popular = list(Entity.objects.annotate(n=Count("mentions")).order_by("-n", "id").values_list("slug", "n")[:30])
    entities = [slug for slug, _ in popular]
    # A later page that exists (a page past the end is an honest 404, not a page to measure).
    later_pages = [(slug, min(3, -(-n // 25))) for slug, n in popular if n > 25]
    sources = sorted(Source.objects.values_list("slug", flat=True))
    tags = sorted(Tag.objects.values_list("slug", flat=True))
    years = sorted(Article.objects.annotate(y=ExtractYear("published")).values_list("y", flat=True).distinct())
    shapes = [
        lambda: f"/articles/?entity={rng.choice(entities)}",
        lambda: f"/articles/?entity={rng.choice(entities)}&year={rng.choice(years)}",
        lambda: f"/articles/?source={rng.choice(sources)}&year={rng.choice(years)}",
        lambda: f"/articles/?tag={rng.choice(tags)}&kind={rng.choice(EntityKind.values)}",
        lambda: "/articles/?entity={}&page={}".format(*rng.choice(later_pages or [(entities[0], 1)])),
        lambda: f"/articles/?tag={rng.choice(tags)}&sort=oldest",
    ]
    if not (entities and sources and tags and years):
        return []
    return [("list", shapes[i % len(shapes)]()) for i in range(count)]


def scratch_archive(data: Path, index: Path, scratch: Path) -> dict[str, str]:
    """A copy of the archive (SQLite's online backup, and the index folder) and the environment that uses it."""
    import shutil
    import sqlite3

    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir(parents=True)
    source, target = sqlite3.connect(data / "dossier.sqlite3"), sqlite3.connect(scratch / "dossier.sqlite3")
    try:
        source.backup(target)
    finally:
        source.close()
        target.close()
    shutil.copytree(index, scratch / "index")
    return {
        "DOSSIER_DATA_DIR": str(scratch),
        "DATABASE_URL": f"sqlite:///{scratch / 'dossier.sqlite3'}",
        "SEARCH_INDEX_DIR": str(scratch / "index"),
    }


@dataclass
class ImportLoop:
    """Imports one file after another (``manage.py import_articles``, a process of its own,
    as an editor's upload would run) until stopped; the current file is always finished."""

    env: dict[str, str]
    files: list[Path]
    log: Path
    imported_files: int = 0
    failures: list[str] = field(default_factory=list)
    seconds: float = 0.0
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def _run(self) -> None:
        started = time.perf_counter()
        with self.log.open("a") as log:
            for path in self.files:
                if self._stop.is_set():
                    break
                done = subprocess.run([sys.executable, "manage.py", "import_articles", str(path)], cwd=REPO,
                                      env={**os.environ, **self.env}, stdout=log, stderr=subprocess.STDOUT)
                if done.returncode:
                    self.failures.append(f"{path.name}: exit status {done.returncode}")
                else:
                    self.imported_files += 1
        self.seconds = time.perf_counter() - started

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join()


def write_import_files(folder: Path, *, n: int, seed: int, files: int, per_file: int) -> list[Path]:
    """Articles beyond the archive's N (the same generator, so they are new, never duplicates)."""
    import json

    from bench.generate import articles

    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    stream = articles(n + files * per_file, seed=seed, start=n)
    for number in range(files):
        path = folder / f"extra-{number:02d}.jsonl"
        with path.open("w", encoding="utf-8") as out:
            for _ in range(per_file):
                out.write(json.dumps(next(stream), ensure_ascii=False) + "\n")
        paths.append(path)
    return paths


def _kind_figures(results: list[Result]) -> dict:
    from bench.measure import summary_ms

    figures = {}
    for kind in LOAD_KINDS:
        chosen = [r for r in results if r.kind == kind]
        figures[kind] = {"ms": summary_ms([r.seconds for r in chosen if not r.error]), "requests": len(chosen),
                         "errors": sum(1 for r in chosen if r.error)}
    return figures


def _memory(server: Server) -> dict:
    workers = {pid: kb for pid, kb in server.memory.hwm_kb.items() if pid != server.process.pid}
    return {
        "peak_rss_mb": round(server.memory.peak_kb / 1024, 1),
        "master_mb": round(server.memory.hwm_kb.get(server.process.pid, 0) / 1024, 1),
        "per_worker_peak_mb": sorted(round(kb / 1024, 1) for kb in workers.values()),
    }


def stage_load(*, env: dict[str, str], scratch: Path, data: Path, index: Path, mix, pages: list[tuple[str, str]],
               service_p50: dict[str, float], n: int, seed: int, workers: int = 2,
               clients: tuple[int, ...] = (8, 20, 50), quiet_clients: int = 8, per_level: int = 400,
               import_files: int = 8, import_per_file: int = 250, say=print) -> dict:
    """The load figures: per client count, p50/p95 per page kind and errors; the import
    that ran meanwhile; memory per worker; and, with one client, what the search page costs
    beyond the search service behind it (same query, p50 against the service's p50)."""
    import random

    rng = random.Random(f"{seed}:load")
    lists = list_requests(max(40, per_level // 4), seed=seed)
    searches = [("search", query.url()) for query in mix]
    by_kind = {"search": searches, "list": lists,
               "article": [p for p in pages if p[0] == "article"], "entity": [p for p in pages if p[0] == "entity"]}
    by_kind = {kind: items for kind, items in by_kind.items() if items}

    def mixed(count: int) -> list[tuple[str, str]]:
        # An equal share of each page kind, in random order.
        kinds = list(by_kind)
        return [rng.choice(by_kind[kinds[i % len(kinds)]]) for i in range(count)]

    say(f"      load: copying the archive to {scratch} …")
    scratch_env = {**env, **scratch_archive(data, index, scratch)}
    extra = write_import_files(scratch / "imports", n=n, seed=seed, files=import_files, per_file=import_per_file)
    figures: dict = {"server": f"gunicorn config.wsgi -w {workers} --threads 1", "levels": {}}
    with serve(scratch_env, workers=workers) as server:
        drive(server, mixed(60), clients=4)  # warm every worker on every kind of page
        # One client: the search page against the service it calls.
        alone, _ = drive(server, [item for item in searches for _ in range(10)], clients=1)
        from bench.measure import summary_ms

        overhead = {}
        for query in mix:
            page = summary_ms([r.seconds for r in alone if r.path == query.url() and not r.error])["p50"]
            service = service_p50.get(query.name)
            if page is not None and service is not None:
                overhead[query.name] = {"page_p50_ms": page, "service_p50_ms": service,
                                        "extra_ms": round(page - service, 1)}
        figures["one_client_search"] = overhead
    # The same comparison without HTTP and gunicorn in between, each page paired with a
    # service call right after it: on a busy machine the pairs see the same load.
    say("      load: search page against the search service, paired, in one process …")
    figures["page_overhead"] = page_overhead(mix)
    with serve(scratch_env, workers=workers) as server:
        drive(server, mixed(60), clients=4)  # warm every worker on every kind of page
        for count in clients:
            with_import = count != quiet_clients
            loop = ImportLoop(scratch_env, extra if with_import else [], scratch / "import.log")
            say(f"      load: {count} clients{' with an import running' if with_import else ''} …")
            loop.start()
            results, wall = drive(server, mixed(per_level), clients=count)
            loop.stop()
            extra = extra[loop.imported_files:]
            figures["levels"][str(count)] = {
                "clients": count,
                "import_running": with_import,
                "imported_articles": loop.imported_files * import_per_file,
                "import_failures": loop.failures,
                "requests": len(results),
                "seconds": round(wall, 2),
                "requests_per_s": round(len(results) / wall, 1),
                "errors": sum(1 for r in results if r.error),
                "error_examples": sorted({f"{r.path}: {r.error}" for r in results if r.error})[:10],
                **_kind_figures(results),
            }
        server.memory.stop()
        figures["memory"] = _memory(server)
    return figures


def load_targets(load: dict) -> list[tuple[str, str, str, bool | None]]:
    """(target, wanted, measured, met) for issue 14 point 4."""
    rows = []
    quiet = next((level for level in load["levels"].values() if not level["import_running"]), None)
    if quiet:
        worst = max(LOAD_KINDS, key=lambda kind: quiet[kind]["ms"]["p95"] or 0)
        p95 = quiet[worst]["ms"]["p95"]
        rows.append((f"p95 at {quiet['clients']} clients, every page kind (with filtered lists)", "≤ 150 ms",
                     f"{p95} ms ({worst})", p95 is not None and p95 <= 150))
    busy = [level for level in load["levels"].values() if level["import_running"]]
    if busy:
        errors = sum(level["errors"] for level in busy) + sum(len(level["import_failures"]) for level in busy)
        rows.append((f"errors at {' and '.join(str(level['clients']) for level in busy)} clients with an import "
                     "running", "0", str(errors), errors == 0))
    overhead = load.get("page_overhead") or {}
    if overhead:
        name, worst = max(overhead.items(), key=lambda item: item[1]["extra_ms"])
        rows.append(("search page minus search service, one client (median of paired runs)", "≤ 10 ms",
                     f"{worst['extra_ms']} ms ({name})", worst["extra_ms"] <= 10))
    return rows


def load_markdown(load: dict) -> list[str]:
    lines = ["", f"### Under load ({load['server']}, a mix of search, filtered list, article and entity pages)", "",
             "| clients | import running | requests | errors | " + " | ".join(f"{k} p50 / p95 ms" for k in LOAD_KINDS)
             + " |", "| ---: | --- | ---: | ---: |" + " ---: |" * len(LOAD_KINDS)]
    for level in load["levels"].values():
        imported = f"yes ({level['imported_articles']:,} articles)" if level["import_running"] else "no"
        cells = [f"{level[k]['ms']['p50']} / {level[k]['ms']['p95']}" for k in LOAD_KINDS]
        lines.append(f"| {level['clients']} | {imported} | {level['requests']} | {level['errors']} | "
                     + " | ".join(cells) + " |")
    memory = load["memory"]
    lines += ["", f"Memory: master {memory['master_mb']} MB, each worker's peak "
              + ", ".join(f"{mb} MB" for mb in memory["per_worker_peak_mb"])
              + f" (all together at most {memory['peak_rss_mb']} MB)."]
    for key, title in (("page_overhead", "Search page against the search service, in one process, paired "
                                          "(page p50 / service p50 / median extra, ms)"),
                       ("one_client_search", "The same over HTTP with one client (page p50 − service p50, ms)")):
        overhead = load.get(key) or {}
        if overhead:
            lines += ["", f"{title}: " + ", ".join(
                f"{name} {o['page_p50_ms']} / {o['service_p50_ms']} / {o['extra_ms']}" for name, o in overhead.items())
                + "."]
    return lines


def page_overhead(mix, *, rounds: int = 15) -> dict[str, dict]:
    """What the search page adds to the search service, measured in one process, each page
    request paired with a service call made right after it (so both see the same machine
    load): the median of the differences, with the medians of each side."""
    from django.test import Client

    from bench.service import search_service

    client = Client(HTTP_HOST="127.0.0.1")
    figures = {}
    for query in mix:
        url = query.url()
        for _ in range(2):  # warm: the words' postings are decoded once per process
            client.get(url)
            search_service(query)
        pages, services = [], []
        for _ in range(rounds):
            started = time.perf_counter()
            response = client.get(url)
            middle = time.perf_counter()
            search_service(query)
            ended = time.perf_counter()
            if response.status_code != 200:
                raise RuntimeError(f"{url}: HTTP {response.status_code}")
            pages.append(middle - started)
            services.append(ended - middle)
        differences = sorted(page - service for page, service in zip(pages, services, strict=True))
        figures[query.name] = {
            "page_p50_ms": round(sorted(pages)[rounds // 2] * 1000, 1),
            "service_p50_ms": round(sorted(services)[rounds // 2] * 1000, 1),
            "extra_ms": round(differences[rounds // 2] * 1000, 1),
        }
    return figures
