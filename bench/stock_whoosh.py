"""Baseline (a), the worker: stock Whoosh in a clean interpreter of its own.

``bench.baselines.StockWhoosh`` starts this file as ``python -I bench/stock_whoosh.py``
(isolated mode: no current directory on ``sys.path``, no ``PYTHON*`` variables), so
nothing of Dossier is importable here: not Django, not ``search`` (and so none of the
changes ``search`` makes to Whoosh), not ``archive``. It imports only the standard
library and Whoosh, and says which of Dossier's modules it saw loaded (none, a test checks).

The job comes on stdin as a pickle, read by an unpickler that builds Whoosh and
standard-library objects only:

- the schema the index was written with. Dossier's text field class only changes how
  documents are *written*; each field class from outside Whoosh is replaced by the
  Whoosh class it extends (named in the job), so reading is Whoosh's own;
- for each query type, the query and the filter query the search service runs (built
  by Dossier's parser in the parent process, as Whoosh query objects).

Then, as Whoosh's documentation shows it, with one searcher reused for every query:
``searcher.search(query, filter=..., limit=20, groupedby=...)`` with ``FieldFacet``s
for sources, tags, entities (multi-valued: ``allow_overlap=True``) and days (grouped
into months), highlights re-tokenised from the stored title and body
(``hit.highlights``, ``HtmlFormatter(tagname="mark")``), one SQL query for the page's
articles, and the months of the timeline. Each query runs ``warmup`` untimed times,
then ``repeat`` timed times (stopping once ``budget_s`` of timed runs is spent, after
at least ``min_repeat``): the same rule as the service. The figures go to stdout as JSON.
"""

from __future__ import annotations

import importlib
import io
import json
import pickle
import sqlite3
import sys
import time

from whoosh import highlight, sorting
from whoosh import index as whoosh_index

DOSSIER_PACKAGES = ("django", "archive", "search", "config", "bench")


class _Unpickler(pickle.Unpickler):
    """Whoosh and standard-library classes only; ``substitutes`` maps other classes to Whoosh ones."""

    SAFE_MODULES = ("whoosh", "datetime", "builtins", "collections", "copyreg", "re", "_codecs", "decimal")

    def __init__(self, data: bytes, substitutes: dict | None = None):
        super().__init__(io.BytesIO(data))
        self.substitutes = substitutes or {}

    def find_class(self, module: str, name: str):
        if (module, name) in self.substitutes:
            module, name = self.substitutes[(module, name)]
        if module.split(".")[0] not in self.SAFE_MODULES:
            raise pickle.UnpicklingError(f"stock Whoosh does not know {module}.{name}")
        return super().find_class(module, name)


def _facets() -> dict:
    return {
        "source": sorting.FieldFacet("source_id", maptype=sorting.Count),
        "tag": sorting.FieldFacet("tag_ids", allow_overlap=True, maptype=sorting.Count),
        "entity": sorting.FieldFacet("entity_ids", allow_overlap=True, maptype=sorting.Count),
        "day": sorting.FieldFacet("date", maptype=sorting.Count),
    }


def _timeline_slots(months: dict, max_months: int = 48) -> int:
    """How many bars the timeline draws: months (or years over a long span), gaps included."""
    if not months:
        return 0
    first, last = min(months), max(months)
    span = (last[0] - first[0]) * 12 + last[1] - first[1] + 1
    return last[0] - first[0] + 1 if span > max_months else span


def run_one(searcher, database, query, filter_query, per_page: int) -> dict:
    results = searcher.search(query, filter=filter_query, limit=per_page, groupedby=_facets())
    results.formatter = highlight.HtmlFormatter(tagname="mark")
    total = len(results)
    months: dict[tuple[int, int], int] = {}
    for day, n in results.groups("day").items():
        if day is not None:
            months[(day.year, day.month)] = months.get((day.year, day.month), 0) + n
    facet_values = (
        sum(1 for key in results.groups("source") if key)
        + sum(1 for key in results.groups("tag") if key)
        + sum(1 for key in results.groups("entity") if key)
        + len(months)
    )
    page, marked = [], 0
    for hit in results[:per_page]:
        snippet = hit.highlights("body", top=2)
        title = hit.highlights("title")
        marked += "<mark" in snippet or "<mark" in title  # Whoosh writes <mark class="match term0">
        page.append(int(hit["id"]))
    if database is not None and page:
        database.execute(
            "SELECT a.id, a.title, a.slug, a.published, s.name FROM archive_article a "
            f"LEFT JOIN archive_source s ON s.id = a.source_id WHERE a.id IN ({', '.join('?' * len(page))})",
            page,
        ).fetchall()
    return {"total": total, "ids": page, "highlighted": marked, "facet_values": facet_values,
            "timeline_bars": _timeline_slots(months)}


def run_job(job: dict) -> dict:
    substitutes = {tuple(k): tuple(v) for k, v in job["substitutes"]}
    schema = _Unpickler(job["schema"], substitutes).load()
    queries = _Unpickler(job["queries"]).load()  # [(name, query, filter query or None)]
    ix = whoosh_index.open_dir(job["index_dir"], indexname=job["index_name"], schema=schema)
    database = sqlite3.connect(job["database"]) if job.get("database") else None
    figures = {}
    try:
        with ix.searcher() as searcher:
            for name, query, filter_query in queries:
                outcome, first, times = None, None, []
                for _ in range(job["warmup"]):
                    start = time.perf_counter()
                    outcome = run_one(searcher, database, query, filter_query, job["per_page"])
                    first = time.perf_counter() - start if first is None else first
                for _ in range(job["repeat"]):
                    start = time.perf_counter()
                    outcome = run_one(searcher, database, query, filter_query, job["per_page"])
                    times.append(time.perf_counter() - start)
                    if len(times) >= job["min_repeat"] and sum(times) > job["budget_s"]:
                        break
                figures[name] = {"times": times, "first": first, **outcome}
    finally:
        ix.close()
        if database is not None:
            database.close()
    loaded = sorted(m for m in sys.modules if m.split(".")[0] in DOSSIER_PACKAGES)
    return {"queries": figures, "dossier_modules_loaded": loaded,
            "whoosh_version": getattr(importlib.import_module("whoosh"), "versionstring", lambda: "?")()}


if __name__ == "__main__":
    print(json.dumps(run_job(_Unpickler(sys.stdin.buffer.read()).load())))
