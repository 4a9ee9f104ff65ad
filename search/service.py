"""A parsed query in, the page of ranked and highlighted articles out, with exact facet counts.

The query is evaluated over whole arrays (``search.engine``): every match is known,
so the total and the facet counts are exact, and only the page is ranked in full.
"""

from __future__ import annotations

import datetime as dt
import functools
import html
import threading
from dataclasses import dataclass

import numpy as np
from django.conf import settings
from django.db import connections
from django.db.backends.sqlite3.base import DatabaseOperations as SQLiteOperations  # base, see below
from django.db.models import Model
from django.db.models.base import ModelState
from django.db.models.fields.related_descriptors import ForeignKeyDeferredAttribute
from django.db.models.query import get_related_populators
from django.db.models.query_utils import DeferredAttribute
from django.db.models.signals import post_init, pre_init
from django.utils.safestring import SafeString
from whoosh import query as wq

from archive.facets import FacetCounts
from archive.models import Article, RemembersSlug
from search import query as parsing
from search.cache import segment_cache
from search.engine import Deadline, Evaluator, QueryError, Snapshot, rank, snapshot
from search.explain import phrases
from search.facets import count_facets
from search.index import index_dir, searcher, searcher_dir
from search.query import ParsedQuery
from search.schema import body_text
from search.snippets import Terms, highlight_all, snippet

SORTS = {"relevance": "Relevance", "newest": "Newest first", "oldest": "Oldest first"}


@dataclass
class Hit:
    article: Article
    score: float
    title_html: SafeString
    snippet_html: SafeString


@dataclass
class SearchResults:
    """One page of hits out of ``total``, and the facet counts of every match.

    For Django's ``Paginator`` it is a sequence of ``total`` hits of which only the
    page searched for can be read: ``Paginator(results, per_page).page(results.page)``
    gives the same page number (both clamp to the last page) and these hits.
    """

    hits: list[Hit]
    total: int
    page: int
    per_page: int
    facets: FacetCounts | None = None

    def count(self) -> int:
        return self.total

    def __len__(self) -> int:
        return self.total

    def __getitem__(self, key: slice) -> list[Hit]:
        start, stop, _ = key.indices(self.total)
        first = (self.page - 1) * self.per_page
        if (start, stop) != (first, min(first + self.per_page, self.total)):
            raise IndexError(f"only hits {first}–{first + self.per_page} were searched for")
        return self.hits


def _hydrate(ids: list[int]) -> dict[int, Article]:
    """The articles with these ids, with their sources, as ``Article.objects`` gives them.

    Unordered: the hits keep the index's order (sorting would cost a compile and a sort).
    """
    ids = list(dict.fromkeys(ids))
    if not ids:
        return {}
    page = _page_query(len(ids))
    if page is None:
        articles = Article.objects.filter(id__in=ids).select_related("source").order_by()
        return {article.id: article for article in articles}
    return {article.id: article for article in page.run(ids)}


@dataclass(frozen=True)
class _PageQuery:
    """``Article.objects.filter(id__in=<n ids>).select_related("source")``, compiled once.

    Compiling the query cost about as much as running it and building the articles:
    a third of the time a small result set spends in the database. The SQL differs
    only in the ids, so it is compiled once per database and number of ids, and each
    search runs it with its own ids; the rows become articles exactly as Django's
    ``ModelIterable`` makes them (converters, ``from_db``, the selected source); the
    converters are looked up once too.
    """

    db: str
    sql: str
    compiler: object  # the SQLCompiler that compiled ``sql``: its select list and converters
    fields: slice  # where the article's columns are in a row
    attnames: list[str]
    related: list  # Django's populators for the selected source
    converters: dict  # the compiler's converters of the selected columns (as results_iter finds them)
    qmark_sql: str | None  # ``sql`` with SQLite's placeholders, as Django's cursor rewrites it (None: not SQLite)

    def run(self, ids: list[int]) -> list[Article]:
        connection = connections[self.db]
        if self.qmark_sql is not None and not connection.queries_logged and not connection.execute_wrappers:
            rows = _fetch_directly(connection, self.qmark_sql, ids)
        else:
            with connection.cursor() as cursor:
                cursor.execute(self.sql, ids)
                rows = cursor.fetchall()
        if self.converters:
            rows = _convert(self.compiler, rows, self.converters)
        make_article = _maker(Article, self.attnames, self.db)
        related = [(populator, _related_maker(populator)) for populator in self.related]
        articles = []
        for row in rows:
            article = make_article(row[self.fields])
            for populator, make in related:
                if make is None:
                    populator.populate(row, article)
                    continue
                # RelatedPopulator.populate, with the object made as from_db makes it.
                data = row[populator.cols_start : populator.cols_end]
                obj = None if data[populator.pk_idx] is None else make(data)
                populator.local_setter(article, obj)
                if obj is not None:
                    populator.remote_setter(obj, article)
            articles.append(article)
        return articles


def _fetch_directly(connection, sql: str, params: list) -> list[tuple]:
    """``cursor.execute(sql, params); cursor.fetchall()`` on the DB-API connection itself, with
    the checks Django's cursor makes first; ``sql`` already has SQLite's placeholders.

    For when nothing wraps or logs Django's cursors (no ``execute_wrappers``, not DEBUG):
    then Django's cursor adds only a placeholder rewrite (a regular expression over the
    whole statement) and layers of calls, about 30 µs for one page of articles.
    """
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    connection.validate_thread_sharing()
    connection.validate_no_broken_transaction()
    with connection.wrap_database_errors:
        return connection.connection.execute(sql, params).fetchall()


# The SQLite backend's converters _convert_column applies itself, by the type they make. They are imported
# from the backend's base module: imported alone first (on a PostgreSQL server nothing has loaded the SQLite
# backend before), its operations module meets itself half-initialised through base.py, and the import fails.
_SQLITE_CONVERTERS = {
    SQLiteOperations.convert_datefield_value: dt.date,
    SQLiteOperations.convert_datetimefield_value: dt.datetime,
}


def _convert(compiler, rows: list[tuple], converters: dict) -> list:
    """``compiler.apply_converters(rows, converters)``, with SQLite's date and datetime converters
    applied column by column.

    The sqlite3 module already makes dates and naive datetimes of those columns (Django
    registers converters for their declared types); Django's converter then makes each
    datetime aware, through three calls a value: a fifth of the time a page of articles
    spends in the database. Values of any other kind go through Django's converters.
    """
    rows = [list(row) for row in rows]
    others = {}
    for position, (functions, expression) in converters.items():
        if len(functions) != 1 or not _convert_column(rows, position, functions[0], compiler.connection):
            others[position] = (functions, expression)
    if others:
        rows = list(compiler.apply_converters(rows, others))
    return rows


def _convert_column(rows: list[list], position: int, function, connection) -> bool:
    """Apply one of SQLite's date or datetime converters to a column; False when it is
    neither, or a value is not what the sqlite3 module makes (nothing is changed then)."""
    kind = _SQLITE_CONVERTERS.get(getattr(function, "__func__", None))
    if kind is None or getattr(function, "__self__", None) is not connection.ops:
        return False
    values = [row[position] for row in rows]
    if kind is dt.date:
        return all(value is None or isinstance(value, dt.date) for value in values)
    if not all(value is None or (type(value) is dt.datetime and value.tzinfo is None) for value in values):
        return False
    if settings.USE_TZ:
        zone = connection.timezone
        for row, value in zip(rows, values, strict=True):
            if value is not None:
                row[position] = value.replace(tzinfo=zone)  # timezone.make_aware, as the converter does
    return True


# Descriptors that leave a fresh instance's value in its __dict__ as setattr() gives it.
_PLAIN_ATTRIBUTES = (DeferredAttribute, ForeignKeyDeferredAttribute)
# What from_db does besides making the instance, for the from_db methods _maker can stand in for.
_FROM_DB_EXTRAS = {Model.from_db.__func__: False, RemembersSlug.from_db.__func__: True}  # True: notes the slug


def _maker(model: type[Model], attnames: list[str], db: str):
    """``lambda values: model.from_db(db, attnames, values)`` for a row of every concrete field.

    Model.__init__ sends two signals and sets each field through ``setattr``: about 3 µs an
    instance, a tenth of a millisecond for a page of articles and their sources. When that
    is all it would do (Django's own ``__init__``, a ``from_db`` listed above, each field a
    plain attribute in the instance's ``__dict__``, nothing connected to ``pre_init`` or
    ``post_init`` for the model), the instance is made directly, with the same fields and
    state; otherwise by ``from_db``.
    """
    extras = _plain_class(model, tuple(attnames))
    if extras is None or pre_init.has_listeners(model) or post_init.has_listeners(model):
        return lambda values: model.from_db(db, attnames, values)
    new = model.__new__

    def make(values):
        instance = new(model)
        state = instance._state = ModelState()
        state.adding, state.db = False, db
        instance.__dict__.update(zip(attnames, values, strict=True))
        if extras:
            instance._loaded_slug = instance.__dict__.get("slug")
        return instance

    return make


@functools.lru_cache(maxsize=64)
def _plain_class(model: type[Model], attnames: tuple[str, ...]) -> bool | None:
    """What from_db does besides making the instance (``_FROM_DB_EXTRAS``) when the class lets
    ``_maker`` make it directly, None when it does not: the class's part of ``_maker``'s
    check, worked out once per class (receivers of the signals are looked up each time)."""
    extras = _FROM_DB_EXTRAS.get(getattr(model.from_db, "__func__", None))
    plain = (
        extras is not None and model.__init__ is Model.__init__ and not model._meta.abstract
        and list(attnames) == [field.attname for field in model._meta.concrete_fields]
        and all(type(model.__dict__.get(name)) in _PLAIN_ATTRIBUTES for name in attnames)
    )
    return extras if plain else None


def _related_maker(populator):
    """A ``_maker`` for the objects a select_related populator makes; None when its rows need
    reordering or it populates further objects (then it populates them itself)."""
    if populator.reorder_for_init is not None or populator.related_populators:
        return None
    return _maker(populator.model_cls, list(populator.init_list), populator.db)


# Per thread, as Django's connections are: a compiler is tied to the connection it compiled for.
_compiled = threading.local()


def _page_query(count: int) -> _PageQuery | None:
    """The compiled page query for ``count`` distinct ids; None when it cannot be reused
    (its parameters are not exactly the ids: then the ORM runs it as usual)."""
    db = Article.objects.db
    # The cache holds the connection (through its compiler), so its id names it while cached.
    key = (db, id(connections[db]), count)
    queries = _compiled.__dict__.setdefault("page_queries", {})
    if key not in queries:
        placeholders = list(range(-count, 0))  # no article has these ids
        compiler = (
            Article.objects.filter(id__in=placeholders).select_related("source").order_by()
            .query.get_compiler(using=db)
        )
        sql, params = compiler.as_sql()
        page = None
        if list(params) == placeholders and compiler.klass_info["model"] is Article:
            with connections[db].cursor() as cursor:
                rewrite = getattr(cursor.cursor, "convert_query", None) if connections[db].vendor == "sqlite" else None
                qmark_sql = rewrite(sql) if rewrite is not None else None
            columns = compiler.klass_info["select_fields"]
            fields = slice(columns[0], columns[-1] + 1)
            page = _PageQuery(
                db=db, sql=sql, compiler=compiler, fields=fields,
                attnames=[column[0].target.attname for column in compiler.select[fields]],
                related=get_related_populators(compiler.klass_info, compiler.select, db),
                converters=compiler.get_converters([column[0] for column in compiler.select[: compiler.col_count]]),
                qmark_sql=qmark_sql,
            )
        if len(queries) > 256:  # page sizes are bounded; connections in tests are not
            queries.clear()
        queries[key] = page
    return queries[key]


def _index_version(s) -> tuple:
    """Names what this searcher sees: segment ids are random and never reused; the count
    of live documents changes with deletions."""
    segments = tuple(leaf.segment().segment_id() for leaf, _ in s.reader().leaf_readers() if leaf.segment())
    return (str(index_dir()), segments, s.doc_count())


def time_budget() -> float:
    """Seconds a search may spend evaluating its query (``SEARCH_TIME_BUDGET_MS``)."""
    return getattr(settings, "SEARCH_TIME_BUDGET_MS", parsing.DEFAULT_TIME_BUDGET_MS) / 1000


def run_search(
    parsed: ParsedQuery | None,
    *,
    sort: str = "relevance",
    page: int = 1,
    per_page: int = 20,
    filter_query: wq.Query | None = None,
) -> SearchResults:
    """Run a parsed query; ``filter_query`` (a Whoosh query) restricts the matches without scoring.

    The query is evaluated over whole arrays (``search.engine``): every match is known,
    so the total and the facet counts are exact, and only the page is ranked in full.
    """
    user_query = parsed.query if parsed is not None else wq.Every()
    with searcher() as s:
        storage_key = str(searcher_dir())  # what searcher() found live: not read from the file again
        snap = snapshot(s, storage_key)
        # From here: opening the searcher (or waiting for it) is not the query's cost.
        deadline = Deadline(time_budget())
        allowed = _filter_mask(snap, filter_query, deadline) if filter_query is not None else None
        # The query's words are looked up inside the filters: a common word narrowed to a few
        # articles is evaluated over those few (search.engine, Evaluator._few).
        matches = Evaluator(snap, deadline=deadline).run(user_query, within=allowed)
        if allowed is not None:
            matches.restrict(allowed)
        # Counted from the matching documents: Whoosh's len(results) is wrong for some
        # And/Not queries (see PERFORMANCE.md), and users see this number.
        facets = count_facets(s, matches.documents() if matches.is_few else matches.mask, storage_key=storage_key)
        total = facets.total
        num_pages = max(1, -(-total // per_page))
        page = min(max(page, 1), num_pages)
        if page > parsing.MAX_PAGE:
            # Ranking deep pages costs more the deeper they are (every better match is sorted).
            raise QueryError(
                f"Only the first {parsing.MAX_PAGE} pages of results can be shown; "
                "add words or filters to narrow the search."
            )
        ranked = rank(snap, matches, sort=sort, start=(page - 1) * per_page, stop=page * per_page)
        terms = _query_terms(snap, user_query)
        ids = _article_ids(snap, [docnum for docnum, _ in ranked])
        found = [(article_id, score) for article_id, (_, score) in zip(ids, ranked, strict=True)]
    # Phrases are marked whole, from first word to last; the other words one by one.
    marks = _Marks(Terms(terms.get("title", ())), phrases(user_query, "title"),
                   Terms(terms.get("body", ())), phrases(user_query, "body"))
    return _hits(found, marks, total=total, page=page, per_page=per_page, facets=facets)


def _article_ids(snap: Snapshot, docnums: list[int]) -> list[int]:
    """The article id of each document, from the article-id column (its stored fields in an
    index written before the column existed)."""
    ids = snap.article_ids()[docnums].tolist()
    return [article_id or int(snap.searcher.stored_fields(docnum)["id"])
            for article_id, docnum in zip(ids, docnums, strict=True)]


@dataclass(frozen=True)
class _Marks:
    """What to mark in titles and snippets: the single words (index forms) and the phrases, per field."""

    title_terms: frozenset[str]
    title_phrases: list
    body_terms: frozenset[str]
    body_phrases: list


def _filter_mask(snap: Snapshot, filter_query: wq.Query, deadline: Deadline) -> np.ndarray:
    """The documents the sidebar filters allow (read-only), kept for the next search with the same filters
    (as search engines keep filters' document sets per segment)."""
    key = (snap.storage_key, snap.segment_ids, "filter-mask", snap.live_count, repr(filter_query))

    def evaluate() -> np.ndarray:
        mask = Evaluator(snap, scored=False, deadline=deadline).run(filter_query).mask
        mask.flags.writeable = False
        return mask

    return segment_cache.get(key, evaluate)


def _hits(found, marks: _Marks, *, total: int, page: int, per_page: int, facets: FacetCounts) -> SearchResults:
    """The page's hits: each article as the database has it, its title and snippet marked.

    The text marked is the article's own (``body_text`` is what the index holds as its
    body), read from the row the page loads anyway rather than from the index's stored
    copy.
    """
    articles = _hydrate([article_id for article_id, _ in found])
    hits = []
    for article_id, score in found:
        article = articles.get(article_id)
        if article is None:  # deleted since it was indexed; the queue will remove it
            continue
        title = highlight_all(article.title, marks.title_terms, marks.title_phrases)
        body_snippet = (snippet(body_text(article), marks.body_terms, phrases=marks.body_phrases)
                        if marks.body_terms or marks.body_phrases else "")
        hits.append(
            Hit(
                article=article,
                score=score,
                # SafeString(text) is what mark_safe(text) gives for text that is a plain str.
                title_html=SafeString(title or html.escape(article.title, quote=False)),
                snippet_html=SafeString(body_snippet or html.escape(_shorten(article.summary), quote=False)),
            )
        )
    return SearchResults(hits=hits, total=total, page=page, per_page=per_page, facets=facets)


def _query_terms(snap: Snapshot, query: wq.Query) -> dict[str, set[str]]:
    """The single words a query looks for, by field (wildcards and fuzzy words expanded), outside phrases."""
    # Not Query.existing_terms(): in whoosh-reloaded 2.7.5 its loop variable overwrites
    # its field argument, so it drops the terms of every field after the first.
    terms: dict[str, set[str]] = {}
    reader = snap.searcher.reader()
    for leaf in query.leaves():
        if isinstance(leaf, wq.Phrase):
            continue  # marked whole (_phrases), not word by word
        if isinstance(leaf, (wq.Prefix, wq.Wildcard, wq.FuzzyTerm)):
            pairs = snap.expand(leaf)
        else:
            pairs = leaf.expanded_terms(reader, phrases=True)
        for fieldname, text in pairs:
            terms.setdefault(fieldname, set()).add(text.decode("utf-8") if isinstance(text, bytes) else text)
    return terms


def _shorten(text: str, limit: int = 260) -> str:
    if len(text) <= limit:
        return text
    return text[: text.rfind(" ", 0, limit)] + " …"
