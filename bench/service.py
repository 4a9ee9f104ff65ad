"""The search service as the search page runs it, minus the template.

Each query goes through the same calls as ``search.views.search``: the sidebar
filters validated by ``archive.filters.ArticleFilter``, ``search.query.parse_query``,
``search.filters.filter_query``, then ``search.service.run_search`` (exact total, facet
counts for sources, tags, entities and months, highlighted titles and snippets for
the first page, one database query for the page of articles), then the timeline
from ``archive.facets.timeline``.
"""

from __future__ import annotations

import cProfile
import io
import pstats
from dataclasses import dataclass

from archive import facets as archive_facets
from bench.querymix import BenchQuery, cleaned_filters
from search import filters as search_filters
from search import query as search_query
from search import service as search_run
from search.views import PER_PAGE


@dataclass
class Outcome:
    """What one engine returned for one query: enough to check the engines agree."""

    total: int
    ids: list[int]  # the first page, best first
    highlighted: int  # hits on the page whose snippet or title marks a matched word
    facet_values: int  # distinct facet values counted (sources + tags + entities + months)
    timeline_bars: int


def facet_size(counts: archive_facets.FacetCounts) -> int:
    return len(counts.sources) + len(counts.tags) + len(counts.months) + sum(map(len, counts.entities.values()))


def search_service(query: BenchQuery) -> Outcome:
    params = query.querydict()
    cleaned = cleaned_filters(query)
    parsed = search_query.parse_query(query.q)
    results = search_run.run_search(
        parsed, sort="relevance", page=1, per_page=PER_PAGE, filter_query=search_filters.filter_query(cleaned)
    )
    timeline = archive_facets.timeline(results.facets, params)
    marked = sum(1 for hit in results.hits if "<mark>" in hit.snippet_html or "<mark>" in hit.title_html)
    return Outcome(
        total=results.total,
        ids=[hit.article.id for hit in results.hits],
        highlighted=marked,
        facet_values=facet_size(results.facets),
        timeline_bars=len(timeline.bars) if timeline else 0,
    )


def profile(function, *, repeat: int = 5, top: int = 25) -> str:
    """cProfile of ``repeat`` calls, the ``top`` functions by cumulative time, as text."""
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(repeat):
        function()
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).strip_dirs().sort_stats("cumulative")
    stats.print_stats(top)
    out.write("\n--- by own time ---\n")
    stats.sort_stats("tottime").print_stats(15)
    return out.getvalue()
