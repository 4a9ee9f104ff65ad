"""What the user typed in, a Whoosh query (or a message saying what is wrong) out.

Running it is ``search.service``; suggestions for a query that finds nothing are
``search.suggest``; articles like an article are ``search.related``.

The query syntax is Whoosh's, with a few additions users expect from a search
box: ``-word`` excludes, ``word~`` is fuzzy, ``"a phrase"~3`` allows words
between, ``date:2024`` and ``date:[2023-01 to 2024-06]`` select periods, and
``person:``/``org:``/``place:``/``project:``/``event:``/``source:``/``tag:``
search one kind of name. Whatever the input, the result is either a query or a
``QueryError`` with a message for the user; never an exception from deep inside.

Every knob a user turns is bounded (``MAX_*`` below, and the expansion limits and the
time budget in ``search.engine``): a query past a limit gets a message saying which,
and a search that runs out of its time budget (``SEARCH_TIME_BUDGET_MS``) stops with
"this query is too expensive" instead of holding the worker.
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools
import logging
import math
import re
from dataclasses import dataclass, field

from whoosh import query as wq
from whoosh.analysis import LowercaseFilter, RegexTokenizer
from whoosh.fields import TEXT, FieldType, Schema
from whoosh.qparser import FieldAliasPlugin, FuzzyTermPlugin, MultifieldPlugin, QueryParser

from search.schema import build_schema

logger = logging.getLogger(__name__)

MAX_QUERY_CHARS = 300
MAX_TERMS = 40  # words, counted once per field they are searched in (the default fields: 3 each)
MAX_SLOP = 50  # "wind farm"~50: at most 50 words apart
MAX_FUZZY_DISTANCE = 2  # tokaev~2: at most two letters different
MIN_FUZZY_PREFIX = 2  # fuzzy words share their first two letters (tokaev~2/0 is read as tokaev~2/2)
MAX_BOOST = 1000.0  # wind^1000
MAX_PAGE = 500  # results pages a search can go to (10,000 results at 20 a page)
YEARS = (1800, 2199)  # the dates a query may name
DEFAULT_TIME_BUDGET_MS = 1500
DEFAULT_FIELDS = ["title", "body", "entities"]
FIELD_ALIASES = {
    "org": ["organisation", "organization", "company", "orgs"],
    "person": ["people", "who"],
    "place": ["location", "where"],
    "project": ["facility"],
    "tag": ["tags", "topic"],
}


class QueryError(ValueError):
    """A query that cannot be run; the message is for the user (``search.engine.QueryTooExpensive`` too)."""


@dataclass
class ParsedQuery:
    text: str
    query: wq.Query  # what runs: words analysed as the index analyses them
    shown: wq.Query  # the same query with the words as typed, to show the user
    notes: list[str] = field(default_factory=list)


@functools.cache
def _schemas() -> tuple[Schema, Schema]:
    schema = build_schema()
    # The display schema has the same fields, but keeps words as typed (lower-cased).
    display = Schema()
    for name, field_type in schema.items():
        if isinstance(field_type, TEXT):
            display.add(name, TEXT(analyzer=RegexTokenizer() | LowercaseFilter()))
        else:
            display.add(name, field_type)
    return schema, display


class _Parser(QueryParser):
    """Whoosh's parser, with its plugins' taggers and filters put in order once.

    Whoosh gathers and sorts them again for every query (and some plugins compile their
    regular expressions anew each time): a fifth of the cost of parsing a short query.
    The lists depend only on the plugins, so they are made again when a plugin changes.
    """

    _ordered: dict[str, list] | None = None

    def _priorized(self, methodname):
        ordered = self._ordered
        if ordered is None:
            ordered = self._ordered = {}
        found = ordered.get(methodname)
        if found is None:
            found = ordered[methodname] = super()._priorized(methodname)
        return found

    def add_plugin(self, pin):
        self._ordered = None
        super().add_plugin(pin)

    def remove_plugin(self, pi):
        self._ordered = None
        super().remove_plugin(pi)

    def remove_plugin_class(self, cls):
        self._ordered = None
        super().remove_plugin_class(cls)


def _make_parser(schema: Schema) -> QueryParser:
    # What whoosh.qparser.MultifieldParser makes, as the subclass above.
    parser = _Parser(None, schema)
    parser.add_plugin(MultifieldPlugin(DEFAULT_FIELDS))
    parser.add_plugin(FuzzyTermPlugin())
    parser.add_plugin(FieldAliasPlugin(FIELD_ALIASES))
    return parser


# Made once: a parser keeps nothing between parses (its plugins only hold their patterns),
# and making one compiles a dozen plugins, a fifth of the cost of parsing a query.
@functools.cache
def _parser() -> QueryParser:
    return _make_parser(_schemas()[0])


@functools.cache
def _display_parser() -> QueryParser:
    return _make_parser(_schemas()[1])


def outside_quotes(text: str, transform) -> str:
    """``text`` with ``transform`` applied to the parts outside double quotes."""
    parts = text.split('"')
    return '"'.join(transform(part) if i % 2 == 0 else part for i, part in enumerate(parts))


def _prepare(text: str) -> tuple[str, list[str]]:
    notes = []
    text = "".join(ch if ch.isprintable() else " " for ch in text)
    text = " ".join(text.split())
    if text.count('"') % 2:
        text = text.replace('"', "")
        notes.append("An unmatched quotation mark was ignored.")
    # "-word" and "-(a OR b)" exclude, as in web search engines.
    text = outside_quotes(text, lambda part: re.sub(r"(^|[\s(])-(?=[\w\"(])", r"\1NOT ", part))
    lowered = outside_quotes(text, lambda part: part)
    if re.search(r"(?:^|\s)(?:or|and)(?:\s|$)", lowered) and not re.search(r"\b(?:OR|AND)\b", lowered):
        notes.append("Lower-case “or” and “and” are ordinary words; write OR or AND in capitals to combine terms.")
    return text, notes


_DATE_CLAUSE = re.compile(
    r"\bdate:(?:\[\s*(?:(?P<start>[^\]\s]+)\s+)?(?:to|TO)\s*(?P<end>[^\]\s]*)\s*\]|(?P<single>[^\s)]+))"
)
_DATE_PLACEHOLDER = "__date{}__"


def _date_bounds(value: str) -> tuple[dt.datetime, dt.datetime]:
    """First and last moment of a year (2024), month (2024-03) or day (2024-03-29)."""
    match = re.fullmatch(r"(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?", value)
    if not match:
        raise QueryError(
            f"“{value[:40]}” is not a date Dossier understands. "
            "Try date:2024, date:2024-03, date:2024-03-29 or date:[2023-01 to 2024-06]."
        )
    year, month, day = (int(g) if g else None for g in match.groups())
    if not YEARS[0] <= year <= YEARS[1]:
        raise QueryError(f"“{value}” is outside the archive's dates; use years from {YEARS[0]} to {YEARS[1]}.")
    try:
        if day:
            start = dt.datetime(year, month, day)
            end = start
        elif month:
            start = dt.datetime(year, month, 1)
            end = dt.datetime(year, month, calendar.monthrange(year, month)[1])
        else:
            start, end = dt.datetime(year, 1, 1), dt.datetime(year, 12, 31)
    except ValueError:
        raise QueryError(f"“{value}” is not a real date.") from None
    return start, end.replace(hour=23, minute=59, second=59, microsecond=999999)


def _date_query(match: re.Match) -> wq.DateRange:
    if match.group("single") is not None:
        start, end = _date_bounds(match.group("single"))
        return wq.DateRange("date", start, end)
    first, last = match.group("start"), match.group("end")
    if not first and not last:
        raise QueryError("A date range needs at least one end, as in date:[2023 to] or date:[to 2024-06].")
    start = _date_bounds(first)[0] if first else None
    end = _date_bounds(last)[1] if last else None
    if start and end and start > end:
        raise QueryError("The date range ends before it starts.")
    return wq.DateRange("date", start, end)


def _extract_dates(text: str) -> tuple[str, list[wq.DateRange]]:
    """Date clauses become placeholders the parser keeps intact; their ranges are built here.

    Whoosh's own date parser reads "[2023-01 to 2024-06]" as ending in December, so
    Dossier reads dates itself.
    """
    ranges: list[wq.DateRange] = []

    def replace(match: re.Match) -> str:
        ranges.append(_date_query(match))
        return f"id:{_DATE_PLACEHOLDER.format(len(ranges) - 1)}"

    return outside_quotes(text, lambda part: _DATE_CLAUSE.sub(replace, part)), ranges


def _put_dates_back(query: wq.Query, ranges: list[wq.DateRange]) -> wq.Query:
    if isinstance(query, wq.Term) and query.fieldname == "id":
        match = re.fullmatch(r"__date(\d+)__", str(query.text))
        if match:
            return ranges[int(match.group(1))]
    return query.apply(lambda child: _put_dates_back(child, ranges))


_PLAIN = re.compile(r"\w+(?: \w+)*")
_OPERATORS = frozenset({"AND", "OR", "NOT", "ANDNOT", "ANDMAYBE", "REQUIRE"})


def _plain(prepared: str) -> bool:
    """Whether the text is words and single spaces only, none of them an operator: no
    syntax for the parser to find."""
    return _PLAIN.fullmatch(prepared) is not None and _OPERATORS.isdisjoint(prepared.split(" "))


def _words_query(parser: QueryParser, prepared: str) -> wq.Query:
    """What ``parser.parse`` makes of plain words (``_plain``), built directly: every word
    in any of the default fields. Most queries are a word or two, and Whoosh's parser
    tries each of its taggers at each character of the text (a test compares the two).

    Each word is analysed once for the default fields that analyse it alike (all of
    them, in both parsers), not once per field as ``parser.term_query`` would.
    """
    shared = _shared_analysis(parser)
    groups = []
    for word in prepared.split(" "):
        analysed: dict[str, list[str]] = {}  # by the first field analysing alike
        terms = []
        for name in DEFAULT_FIELDS:
            first = shared.get(name)
            if first is None:
                terms.append(parser.term_query(name, word, parser.termclass))
                continue
            texts = analysed.get(first)
            if texts is None:
                texts = analysed[first] = list(
                    parser.schema[first].process_text(word, mode="query", tokenize=True, removestops=True)
                )
            terms.append(_analysed_term_query(parser, name, texts))
        groups.append(wq.Or([term for term in terms if term is not None]))
    return (groups[0] if len(groups) == 1 else wq.And(groups)).normalize()


@functools.cache
def _shared_analysis(parser: QueryParser) -> dict[str, str]:
    """For each default field whose query terms come from its analyzer, the first default field
    with an equal analyzer (itself when none comes before): those fields make the same texts
    of a word. Fields that parse queries their own way are left out."""
    plain = {
        name: parser.schema[name] for name in DEFAULT_FIELDS
        if name in parser.schema and not parser.schema[name].self_parsing()
        and type(parser.schema[name]).process_text is FieldType.process_text
        and type(parser.schema[name]).tokenize is FieldType.tokenize
    }
    shared: dict[str, str] = {}
    for name, field_type in plain.items():
        shared[name] = next(first for first, other in plain.items() if other.analyzer == field_type.analyzer)
    return shared


def _analysed_term_query(parser: QueryParser, fieldname: str, texts: list[str]) -> wq.Query | None:
    """``parser.term_query(fieldname, word, parser.termclass)`` given ``texts``, the field's analysis of the word."""
    if len(texts) > 1:
        return parser.multitoken_query(
            parser.schema[fieldname].multitoken_query, texts, fieldname, parser.termclass, 1.0
        )
    return parser.termclass(fieldname, texts[0], boost=1.0) if texts else None


def parse_query(text: str) -> ParsedQuery:
    """Parse what the user typed, or raise ``QueryError`` saying what is wrong."""
    if len(text) > MAX_QUERY_CHARS:
        raise QueryError(f"That query is too long; keep it under {MAX_QUERY_CHARS} characters.")
    prepared, notes = _prepare(text)
    if not prepared:
        raise QueryError("Type something to search for.")
    # Checked on the text too: a phrase of stop words ("a b"~3000) parses to nothing.
    for slop in re.findall(r'"~(\d+)', prepared):
        _check_slop(int(slop))
    prepared, dates = _extract_dates(prepared)
    try:
        if _plain(prepared):
            query, shown = _words_query(_parser(), prepared), _words_query(_display_parser(), prepared)
        else:
            query = _put_dates_back(_parser().parse(prepared), dates)
            shown = _put_dates_back(_display_parser().parse(prepared), dates)
    except Exception:  # noqa: BLE001 - whoosh's parser fails in many small ways on odd input
        logger.info("query parser failed on %r", text, exc_info=True)
        raise QueryError("That query could not be read. Check the brackets, quotes and field names.") from None
    _check(query)
    query = query.normalize()
    _check(query)
    if query is wq.NullQuery:
        raise QueryError("There is nothing to search for in that query (only common words or symbols).")
    if isinstance(query, wq.Not):
        # A query that only excludes matches everything else.
        query = wq.And([wq.Every(), query])
    return ParsedQuery(text=text, query=query, shown=shown, notes=notes)


def _check_slop(slop: int) -> None:
    if slop > MAX_SLOP:
        raise QueryError(
            f"A phrase can allow at most {MAX_SLOP} words between its words "
            f"(for example \u201cwind farm\u201d~{MAX_SLOP // 5})."
        )


def _check(query: wq.Query) -> None:
    """Raise ``QueryError`` for a knob past its limit; raise a phrase's slop of 0 to 1 and a
    fuzzy word's prefix to ``MIN_FUZZY_PREFIX`` (both only make the query cheaper or exact)."""
    terms = 0
    for node in _walk(query):
        boost = getattr(node, "boost", 1.0)
        if not math.isfinite(boost) or abs(boost) > MAX_BOOST:
            raise QueryError(f"A boost (word^2) can be at most {MAX_BOOST:g}.")
        if isinstance(node, wq.Phrase):
            _check_slop(node.slop)
            node.slop = max(1, node.slop)  # Whoosh's phrases need each word 1..slop after the last
            terms += len(node.words)
        elif node.is_leaf():
            terms += 1
        if isinstance(node, (wq.Wildcard, wq.Prefix)):
            stem = re.split(r"[*?]", node.text, maxsplit=1)[0]
            if len(stem) < 2:
                raise QueryError("Put at least two letters before a * or ? wildcard (for example turb*).")
        if isinstance(node, wq.FuzzyTerm):
            if node.maxdist > MAX_FUZZY_DISTANCE:
                raise QueryError(
                    f"Fuzzy search finds words at most {MAX_FUZZY_DISTANCE} letters different (tokaev~2)."
                )
            # Expanding a fuzzy word scans every term that shares its first letters;
            # two letters instead of one makes that scan about 20 times shorter.
            node.prefixlength = max(node.prefixlength, MIN_FUZZY_PREFIX)
            if len(node.text) < 3:
                raise QueryError("Fuzzy search (word~) needs a word of at least three letters.")
    if terms > MAX_TERMS * len(DEFAULT_FIELDS):
        raise QueryError(f"That query has too many words; use at most {MAX_TERMS}.")


def _walk(query: wq.Query):
    yield query
    for child in query.children():
        yield from _walk(child)


def dedupe(items) -> list[str]:
    """The items in their first order, each once."""
    return list(dict.fromkeys(items))
