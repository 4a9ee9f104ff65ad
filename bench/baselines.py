"""The three baselines the search service is compared with, on the same corpus and query mix.

(a) ``StockWhoosh``: Whoosh used plainly, as its documentation shows it, in a clean
    interpreter of its own (``bench/stock_whoosh.py``: no Django, none of Dossier's code
    and so none of its changes to Whoosh): one searcher reused for every query, the
    filters passed as Whoosh's ``filter=`` (unscored, as the service applies them), facet
    counts from ``groupedby`` (sources, tags, entities, days grouped into months),
    highlights re-tokenised from the stored title and body, one SQL query for the page.
    It runs the same parsed query and filter query as the service (sent as Whoosh query
    objects), the same warm-up and repeats, so its totals must agree and its times compare.
(b) ``Fts5``: SQLite FTS5 (porter tokenizer) over title, body and entity names, built from
    the same database; filters as joins, facet counts by GROUP BY, ``snippet()`` and
    ``highlight()`` for the first page, ``bm25`` ranking with the same field boosts.
(c) ``OrmSearch``: a Django ORM ``icontains`` search over title and body, narrowed by the
    same FilterSet, with facet counts and timeline from ``archive.facets`` (the browse
    path), the first page newest first, and a snippet cut around the first match.
"""

from __future__ import annotations

import html
import json
import pickle
import re
import sqlite3
import subprocess
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

from django.db import connection
from django.db.models import QuerySet
from whoosh.lang.porter import stem

from archive import facets as archive_facets
from archive.filters import ArticleFilter, period_bounds
from archive.models import Article
from bench.querymix import BenchQuery, cleaned_filters
from bench.service import Outcome, facet_size
from search import filters as search_filters
from search import query as search_query
from search.index import INDEX_NAME
from search.schema import build_schema
from search.views import PER_PAGE

WORKER = Path(__file__).resolve().parent / "stock_whoosh.py"


def _whoosh_substitutes(schema) -> list[tuple[tuple[str, str], tuple[str, str]]]:
    """For each field class of the schema defined outside Whoosh, the Whoosh class it extends."""
    found = {}
    for _, field_type in schema.items():
        # The field, and the parts of its analyzer (search.schema.RussianStemFilter is a PassFilter to Whoosh).
        parts = [field_type, *getattr(getattr(field_type, "analyzer", None), "items", ())]
        for cls in map(type, parts):
            if cls.__module__.split(".")[0] == "whoosh":
                continue
            base = next(b for b in cls.__mro__ if b.__module__.split(".")[0] == "whoosh")
            found[(cls.__module__, cls.__qualname__)] = (base.__module__, base.__qualname__)
    return sorted(found.items())


class StockWhoosh:
    """Baseline (a): runs the whole mix in one worker process (one searcher), like ``run_engine``."""

    name = "stock Whoosh"

    def __init__(self, index_dir: Path, database: Path | None = None):
        # Dossier's index folder holds generations; CURRENT names the live one (search/index.py).
        current = Path(index_dir) / "CURRENT"
        self.index_dir = str(Path(index_dir) / current.read_text().strip() if current.exists() else index_dir)
        # The worker hydrates the page with plain SQL when the archive is an SQLite file.
        self.database = str(database) if database and Path(database).is_file() else None
        self.loaded: list[str] = []

    def job(self, mix: list[BenchQuery], *, repeat: int, warmup: int, budget_s: float, min_repeat: int) -> bytes:
        queries = []
        for query in mix:
            parsed = search_query.parse_query(query.q)
            queries.append((query.name, parsed.query, search_filters.filter_query(cleaned_filters(query))))
        schema = build_schema()
        return pickle.dumps({
            "index_dir": self.index_dir, "index_name": INDEX_NAME, "database": self.database,
            "schema": pickle.dumps(schema), "substitutes": _whoosh_substitutes(schema),
            "queries": pickle.dumps(queries), "per_page": PER_PAGE,
            "repeat": repeat, "warmup": warmup, "budget_s": budget_s, "min_repeat": min_repeat,
        })

    def run_all(self, mix: list[BenchQuery], *, repeat: int, warmup: int, budget_s: float = 15.0,
                min_repeat: int = 5) -> dict[str, dict]:
        """Per query name: ``times`` (seconds), ``first`` (the first warm-up run) and the outcome's fields."""
        done = subprocess.run(
            [sys.executable, "-I", str(WORKER)],
            input=self.job(mix, repeat=repeat, warmup=warmup, budget_s=budget_s, min_repeat=min_repeat),
            capture_output=True, timeout=3600, env={"PATH": "/usr/bin:/bin"},
        )
        if done.returncode:
            raise RuntimeError(f"the stock Whoosh worker failed:\n{done.stderr.decode()[-3000:]}")
        answer = json.loads(done.stdout)
        self.loaded = answer["dossier_modules_loaded"]
        return answer["queries"]

    def run(self, query: BenchQuery) -> Outcome:
        """One query, once (tests): what the worker found."""
        found = self.run_all([query], repeat=0, warmup=1)[query.name]
        return Outcome(total=found["total"], ids=found["ids"], highlighted=found["highlighted"],
                       facet_values=found["facet_values"], timeline_bars=found["timeline_bars"])


FTS_COLUMNS = ("title", "body", "entities", "person", "org", "place", "project", "event")
# The service's field boosts: title 3, body 1, entities 1.5; the kind columns only answer field queries.
BM25_WEIGHTS = "3.0, 1.0, 1.5, 1.0, 1.0, 1.0, 1.0, 1.0"
KIND_COLUMNS = {"person": "person", "organisation": "org", "place": "place", "project": "project", "event": "event"}


def levenshtein(a: str, b: str, limit: int) -> int:
    """Edit distance, giving up (returning limit + 1) as soon as it must exceed ``limit``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i]
        for j, cb in enumerate(b, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        if min(current) > limit:
            return limit + 1
        previous = current
    return previous[-1]


class Fts5:
    name = "SQLite FTS5"

    # The archive tables the FTS5 queries join, copied beside the FTS file (as a SQLite app
    # would have them), so the baseline is the same whichever database holds the archive.
    ARCHIVE_TABLES = {
        "archive_article": ("id", "title", "slug", "published", "source_id"),
        "archive_source": ("id", "name"),
        "archive_entity": ("id", "kind", "name"),
        "archive_alias": ("entity_id", "name"),
        "archive_mention": ("article_id", "entity_id"),
        "archive_article_tags": ("article_id", "tag_id"),
    }

    def __init__(self, fts_path: Path):
        self.fts_path = Path(fts_path)
        self.archive_path = self.fts_path.with_name(self.fts_path.stem + "-archive.sqlite3")
        self.conn: sqlite3.Connection | None = None

    def build(self) -> dict:
        """Create the FTS5 table from the archive's database; the time it took."""
        self.fts_path.unlink(missing_ok=True)
        self.archive_path.unlink(missing_ok=True)
        started = time.perf_counter()
        self._copy_archive()
        conn = self._open()
        conn.execute(
            f"CREATE VIRTUAL TABLE fts USING fts5({', '.join(FTS_COLUMNS)}, "
            "tokenize='porter unicode61 remove_diacritics 2')"
        )
        conn.execute("CREATE VIRTUAL TABLE fts_vocab USING fts5vocab(fts, 'row')")
        # The archive is read through Django's connection, so the baseline is built the same
        # way whichever database (SQLite or PostgreSQL) holds the archive.
        with connection.cursor() as archive:
            archive.execute("SELECT id, kind, name FROM archive_entity")
            names: dict[int, tuple[str, list[str]]] = {row[0]: (row[1], [row[2]]) for row in archive.fetchall()}
            archive.execute("SELECT entity_id, name FROM archive_alias")
            for entity_id, alias in archive.fetchall():
                names[entity_id][1].append(alias)
            mentioned: dict[int, list[int]] = defaultdict(list)
            archive.execute("SELECT article_id, entity_id FROM archive_mention")
            for article_id, entity_id in archive.fetchall():
                mentioned[article_id].append(entity_id)

        def rows():
            last_id = 0
            while True:  # in chunks, so memory stays flat at any archive size
                with connection.cursor() as archive:
                    archive.execute(
                        "SELECT id, title, lede, body FROM archive_article WHERE id > %s ORDER BY id LIMIT 2000",
                        [last_id],
                    )
                    chunk = archive.fetchall()
                if not chunk:
                    return
                for article_id, title, lede, body in chunk:
                    by_kind: dict[str, list[str]] = defaultdict(list)
                    for entity_id in mentioned.get(article_id, ()):
                        kind, entity_names = names[entity_id]
                        by_kind[KIND_COLUMNS.get(kind, "entities")].extend(entity_names)
                    everything = [name for group in by_kind.values() for name in group]
                    yield (article_id, title, f"{lede}\n\n{body}" if lede else body, "\n".join(everything),
                           *("\n".join(by_kind.get(column, ())) for column in FTS_COLUMNS[3:]))
                last_id = chunk[-1][0]

        placeholders = ", ".join("?" * (len(FTS_COLUMNS) + 1))
        conn.executemany(f"INSERT INTO fts(rowid, {', '.join(FTS_COLUMNS)}) VALUES ({placeholders})", rows())
        conn.execute("INSERT INTO fts(fts) VALUES ('optimize')")
        conn.commit()
        articles = conn.execute("SELECT count(*) FROM fts").fetchone()[0]
        conn.close()
        seconds = time.perf_counter() - started
        return {"articles": articles, "seconds": round(seconds, 2), "articles_per_s": round(articles / seconds, 1),
                "bytes": self.fts_path.stat().st_size}

    def _open(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.fts_path)
        conn.execute("ATTACH DATABASE ? AS d", (str(self.archive_path),))
        return conn

    def _copy_archive(self) -> None:
        copy = sqlite3.connect(self.archive_path)
        for table, columns in self.ARCHIVE_TABLES.items():
            key = "PRIMARY KEY" if columns[0] == "id" else ""
            copy.execute(f"CREATE TABLE {table} ({columns[0]} INTEGER {key}, {', '.join(columns[1:])})")
            with connection.cursor() as archive:
                archive.execute(f"SELECT {', '.join(columns)} FROM {table}")
                while chunk := archive.fetchmany(5000):
                    copy.executemany(f"INSERT INTO {table} VALUES ({', '.join('?' * len(columns))})",
                                     [tuple(v.isoformat() if hasattr(v, "isoformat") else v for v in row)
                                      for row in chunk])
        copy.execute("CREATE INDEX mention_article ON archive_mention (article_id)")
        copy.execute("CREATE INDEX tags_article ON archive_article_tags (article_id)")
        copy.commit()
        copy.close()

    def connect(self) -> None:
        self.conn = self._open()

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def _fuzzy(self, word: str, maxdist: int = 1, prefix: int = 1) -> str:
        """Whoosh's ``word~``: the stem, then every indexed term within ``maxdist`` edits."""
        target = stem(word.lower())
        start = target[:prefix]
        end = start[:-1] + chr(ord(start[-1]) + 1)
        terms = [
            term for (term,) in self.conn.execute("SELECT term FROM fts_vocab WHERE term >= ? AND term < ?",
                                                  (start, end))
            if levenshtein(term, target, maxdist) <= maxdist
        ]
        return " OR ".join(f'"{term}"' for term in terms) or f'"{target}"'

    def _match(self, query: BenchQuery) -> str:
        expression = self._fuzzy(query.fts_fuzzy) if query.fts_fuzzy else query.fts_match
        if re.match(r"^\w+ :", expression):  # a field query names its own column
            return expression
        return f"{{title body entities}} : ({expression})"

    def run(self, query: BenchQuery) -> Outcome:
        conn = self.conn
        params = query.querydict()
        cleaned = cleaned_filters(query)
        match = self._match(query)
        where, args = ["fts MATCH ?"], [match]
        start, end = period_bounds(cleaned)
        if query.fts_period:
            start = max(start, query.fts_period[0]) if start else query.fts_period[0]
            end = min(end, query.fts_period[1]) if end else query.fts_period[1]
        if start:
            where.append("a.published >= ?")
            args.append(start.isoformat())
        if end:
            where.append("a.published <= ?")
            args.append(end.isoformat())
        sources = [source.id for source in cleaned.get("source") or []]
        if sources:
            where.append(f"a.source_id IN ({', '.join('?' * len(sources))})")
            args += sources
        for entity in cleaned.get("entity") or []:
            where.append("EXISTS (SELECT 1 FROM d.archive_mention m WHERE m.article_id = a.id AND m.entity_id = ?)")
            args.append(entity.id)
        for tag in cleaned.get("tag") or []:
            where.append("EXISTS (SELECT 1 FROM d.archive_article_tags t WHERE t.article_id = a.id AND t.tag_id = ?)")
            args.append(tag.id)
        if cleaned.get("kind"):
            where.append("EXISTS (SELECT 1 FROM d.archive_mention m JOIN d.archive_entity e ON e.id = m.entity_id "
                         "WHERE m.article_id = a.id AND e.kind = ?)")
            args.append(cleaned["kind"])
        conn.execute("DROP TABLE IF EXISTS temp.matched")
        conn.execute(
            f"CREATE TEMP TABLE matched AS SELECT a.id AS id, a.source_id AS source_id, a.published AS published, "
            f"bm25(fts, {BM25_WEIGHTS}) AS score FROM fts JOIN d.archive_article a ON a.id = fts.rowid "
            f"WHERE {' AND '.join(where)}",
            args,
        )
        counts = archive_facets.FacetCounts(total=conn.execute("SELECT count(*) FROM matched").fetchone()[0])
        counts.sources = Counter(dict(conn.execute(
            "SELECT source_id, count(*) FROM matched WHERE source_id IS NOT NULL GROUP BY source_id")))
        counts.months = Counter({
            (int(month[:4]), int(month[5:7])): n
            for month, n in conn.execute("SELECT substr(published, 1, 7), count(*) FROM matched GROUP BY 1")
        })
        counts.tags = Counter(dict(conn.execute(
            "SELECT t.tag_id, count(*) FROM matched JOIN d.archive_article_tags t ON t.article_id = matched.id "
            "GROUP BY t.tag_id")))
        for kind, entity_id, n in conn.execute(
            "SELECT e.kind, m.entity_id, count(*) FROM matched JOIN d.archive_mention m ON m.article_id = matched.id "
            "JOIN d.archive_entity e ON e.id = m.entity_id GROUP BY m.entity_id"
        ):
            counts.entities[kind][entity_id] = n
        page = [row[0] for row in conn.execute("SELECT id FROM matched ORDER BY score LIMIT ?", (PER_PAGE,))]
        marked = 0
        if page:
            snippets = conn.execute(
                "SELECT rowid, highlight(fts, 0, '<mark>', '</mark>'), "
                "snippet(fts, 1, '<mark>', '</mark>', ' … ', 32) "
                f"FROM fts WHERE fts MATCH ? AND rowid IN ({', '.join('?' * len(page))})",
                [match, *page],
            ).fetchall()
            marked = sum(1 for _, title, snippet in snippets if "<mark>" in title or "<mark>" in snippet)
            conn.execute(
                "SELECT a.id, a.title, a.slug, a.published, s.name FROM d.archive_article a "
                f"LEFT JOIN d.archive_source s ON s.id = a.source_id WHERE a.id IN ({', '.join('?' * len(page))})",
                page,
            ).fetchall()
        timeline = archive_facets.timeline(counts, params)
        return Outcome(total=counts.total, ids=page, highlighted=marked, facet_values=facet_size(counts),
                       timeline_bars=len(timeline.bars) if timeline else 0)


class OrmSearch:
    name = "Django ORM icontains"

    def run(self, query: BenchQuery) -> Outcome:
        params = query.querydict()
        filters = query.filter_params()
        filterset = ArticleFilter(filters or None, queryset=Article.objects.filter(query.orm))
        articles: QuerySet[Article] = filterset.qs
        counts = archive_facets.count_facets(articles)
        page = list(articles.order_by("-published", "-id").select_related("source")[:PER_PAGE])
        words = [w for w in re.findall(r"\w+", query.fts_fuzzy or query.fts_match) if w not in {"OR", "NOT"}]
        marked = sum(1 for article in page if "<mark>" in _snippet(article.body, words))
        timeline = archive_facets.timeline(counts, params)
        return Outcome(total=counts.total, ids=[a.id for a in page], highlighted=marked,
                       facet_values=facet_size(counts), timeline_bars=len(timeline.bars) if timeline else 0)


def _snippet(body: str, words: list[str], width: int = 110) -> str:
    lowered = body.lower()
    for word in words:
        at = lowered.find(word.lower().rstrip("*"))
        if at >= 0:
            start = max(0, at - width)
            end = at + len(word)
            return (html.escape(body[start:at]) + "<mark>" + html.escape(body[at:end]) + "</mark>"
                    + html.escape(body[end : end + width]))
    return html.escape(body[: 2 * width])
