"""Exports: the articles of any list or search, as the user sees them, in CSV, JSON Lines or RIS.

The response is streamed: article ids come in chunks (from the database in keyset
order, or from the search index's ranking), each chunk is read with its source,
tags and mentions in a few queries, written out and dropped, so memory stays flat
however many rows go out. At most ``settings.EXPORT_MAX_ROWS`` articles are written.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, StreamingHttpResponse

from archive.filters import ArticleFilter
from archive.models import KIND_PLURALS, Article, EntityKind, Mention

CHUNK = 500
KINDS = list(EntityKind.values)


@dataclass(frozen=True)
class ExportFormat:
    content_type: str
    extension: str
    write: Callable[[Iterable[dict]], Iterator[str]]


# ---- Rows ------------------------------------------------------------------------------------

def rows(id_chunks: Iterable[list[int]], *, base_url: str = "") -> Iterator[dict]:
    """One dict per article, in the order of the ids; ``base_url`` makes the Dossier links absolute."""
    for ids in id_chunks:
        if not ids:
            continue
        articles = Article.objects.select_related("source").prefetch_related("tags").in_bulk(ids)
        entities: dict[int, dict[str, list[str]]] = {}
        mentions = (
            Mention.objects.filter(article_id__in=ids)
            .order_by("entity__kind", "-count", "entity__name")
            .values_list("article_id", "entity__kind", "entity__name")
        )
        for article_id, kind, name in mentions:
            entities.setdefault(article_id, {}).setdefault(kind, []).append(name)
        for article_id in ids:
            article = articles.get(article_id)
            if article is None:  # deleted since the ids were read
                continue
            yield {
                "id": article.id,
                "date": article.published.isoformat(),
                "title": article.title,
                "source": article.source.name if article.source else "",
                "url": article.url,
                "dossier_url": base_url + article.get_absolute_url(),
                "language": article.language,
                "dateline": article.dateline,
                "summary": article.summary,
                "entities": {kind: entities.get(article_id, {}).get(kind, []) for kind in KINDS},
                "tags": sorted(tag.name for tag in article.tags.all()),
            }


def database_id_chunks(queryset: QuerySet[Article], *, sort: str = "newest", limit: int) -> Iterator[list[int]]:
    """The queryset's article ids, newest (or oldest) first as the lists show them, a chunk at a time.

    Keyset pagination on (date, id): each chunk is one indexed query, wherever it is in the list.
    """
    oldest = sort == "oldest"
    ordered = queryset.order_by(*(("published", "id") if oldest else ("-published", "-id")))
    last: tuple[dt.date, int] | None = None
    sent = 0
    while sent < limit:
        page = ordered
        if last is not None:
            day, article_id = last
            if oldest:
                page = page.filter(Q(published__gt=day) | Q(published=day, id__gt=article_id))
            else:
                page = page.filter(Q(published__lt=day) | Q(published=day, id__lt=article_id))
        found = list(page.values_list("published", "id")[: min(CHUNK, limit - sent)])
        if not found:
            return
        yield [article_id for _, article_id in found]
        sent += len(found)
        last = found[-1]


def chunked(ids: Iterable[int], size: int = CHUNK) -> Iterator[list[int]]:
    chunk: list[int] = []
    for article_id in ids:
        chunk.append(int(article_id))
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


# ---- Formats ---------------------------------------------------------------------------------

class _Line:
    """A file-like object whose write returns the line, so csv.writer can feed a generator."""

    def write(self, value: str) -> str:
        return value


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: str) -> str:
    # A title starting with "=" would be run as a formula by a spreadsheet: quote it as text.
    return "'" + value if value.startswith(_FORMULA_START) else value


CSV_COLUMNS = ["id", "date", "title", "source", "url", "dossier_url", "language", "dateline",
               *[KIND_PLURALS[kind].lower().replace(" ", "_") for kind in KINDS], "tags"]


def write_csv(items: Iterable[dict]) -> Iterator[str]:
    writer = csv.writer(_Line())
    yield writer.writerow(CSV_COLUMNS)
    for item in items:
        yield writer.writerow([
            item["id"], item["date"], _cell(item["title"]), _cell(item["source"]), item["url"], item["dossier_url"],
            item["language"], _cell(item["dateline"]),
            *[_cell("; ".join(item["entities"][kind])) for kind in KINDS],
            _cell("; ".join(item["tags"])),
        ])


def write_jsonl(items: Iterable[dict]) -> Iterator[str]:
    for item in items:
        yield json.dumps(item, ensure_ascii=False) + "\n"


def _ris_value(value: str) -> str:
    return " ".join(str(value).split())


def write_ris(items: Iterable[dict]) -> Iterator[str]:
    """RIS, as reference managers (Zotero, EndNote) import it: one NEWS record per article."""
    for item in items:
        published = dt.date.fromisoformat(item["date"])
        lines = [
            ("TY", "NEWS"),
            ("TI", item["title"]),
            ("T2", item["source"]),
            ("PY", str(published.year)),
            ("DA", published.strftime("%Y/%m/%d")),
            ("UR", item["url"] or item["dossier_url"]),
            ("LA", item["language"]),
            ("AB", item["summary"]),
            ("AN", f"dossier:{item['id']}"),
            *(("KW", tag) for tag in item["tags"]),
            *(("KW", name) for kind in KINDS for name in item["entities"][kind]),
        ]
        if item["url"]:
            lines.append(("L2", item["dossier_url"]))
        record = "".join(f"{tag}  - {_ris_value(value)}\r\n" for tag, value in lines if value)
        yield record + "ER  - \r\n\r\n"


FORMATS: dict[str, ExportFormat] = {
    "csv": ExportFormat("text/csv; charset=utf-8", "csv", write_csv),
    "jsonl": ExportFormat("application/x-ndjson; charset=utf-8", "jsonl", write_jsonl),
    "ris": ExportFormat("application/x-research-info-systems; charset=utf-8", "ris", write_ris),
}


def export_response(*, request: HttpRequest, fmt: str, id_chunks: Iterable[list[int]],
                    filename: str) -> StreamingHttpResponse:
    chosen = FORMATS.get(fmt)
    if chosen is None:
        raise Http404("No such export format.")
    base_url = request.build_absolute_uri("/").rstrip("/")
    body = (text.encode("utf-8") for text in chosen.write(rows(id_chunks, base_url=base_url)))
    response = StreamingHttpResponse(body, content_type=chosen.content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}.{chosen.extension}"'
    response["X-Export-Limit"] = str(export_limit())
    return response


def export_limit() -> int:
    return max(0, settings.EXPORT_MAX_ROWS)


# ---- The article list's export ---------------------------------------------------------------

def article_export(request: HttpRequest, fmt: str) -> StreamingHttpResponse:
    """/articles/export.<fmt>?<the list's filters and sort>: the list as the user sees it."""
    from archive.views import BROWSE_SORTS

    if fmt not in FORMATS:
        raise Http404("No such export format.")
    filterset = ArticleFilter(request.GET or None, queryset=Article.objects.all())
    sort = request.GET.get("sort") if request.GET.get("sort") in BROWSE_SORTS else "newest"
    chunks = database_id_chunks(filterset.qs, sort=sort, limit=export_limit())
    return export_response(request=request, fmt=fmt, id_chunks=chunks, filename="dossier-articles")
