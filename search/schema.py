"""The Whoosh schema, and how an article becomes an index document.

Bump ``SCHEMA_VERSION`` whenever the schema or ``article_document`` changes: an
index written with another version is detected and rebuilt, never misread.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from typing import NamedTuple

from whoosh import columns, fields
from whoosh.analysis import CharsetFilter, LowercaseFilter, PassFilter, RegexTokenizer, StemFilter, StopFilter
from whoosh.lang import stemmer_for_language
from whoosh.support.charset import accent_map

from archive.models import SUBHEADING_MARK, Alias, Article, Entity, EntityKind, Mention, Tag
from search import whoosh_adapter
from search.whoosh_adapter import positions_value

SCHEMA_VERSION = 7

# Field names users type in queries, by entity kind.
KIND_FIELDS = {
    EntityKind.PERSON: "person",
    EntityKind.ORGANISATION: "org",
    EntityKind.PLACE: "place",
    EntityKind.PROJECT: "project",
    EntityKind.EVENT: "event",
    EntityKind.OTHER: "other",
}


_CYRILLIC = re.compile("[\u0400-\u04ff]")
_russian_stem = stemmer_for_language("ru")


class RussianStemFilter(PassFilter):  # stock Whoosh, which lacks it, reads it as a PassFilter (bench)
    """Cyrillic words by their Snowball Russian stem: `станция` finds "станции", `Жамбылская
    область` finds "Жамбылской области". Other words pass on unchanged (to the English stemmer,
    which leaves Cyrillic alone)."""

    def __call__(self, tokens):
        for token in tokens:
            if not token.stopped and _CYRILLIC.search(token.text):
                token.text = _russian_stem(token.text)
            yield token


def text_analyzer():
    """Words, lower-cased, accents folded, English stop words dropped, Russian and English stems."""
    return (
        RegexTokenizer()
        | LowercaseFilter()
        | CharsetFilter(accent_map)
        | StopFilter()
        | RussianStemFilter()
        | StemFilter(cachesize=100_000)
    )


_TOKEN = re.compile(RegexTokenizer().expression.pattern.replace("(\\.", "(?:\\."))  # whole matches from findall
_TERMS: dict[str, str] = {}  # a word as written -> its index term ("" for a stop word)
_TERMS_LIMIT = 500_000
_term_analyzer = text_analyzer()


def _term(word: str) -> str:
    """The index term of one word as the analyzer makes it ("" when it drops the word)."""
    term = _TERMS.get(word)
    if term is None:
        if len(_TERMS) >= _TERMS_LIMIT:
            _TERMS.clear()
        # Lower-casing, folding, stop words and stemming look at one token at a time, so
        # one word analysed alone gives the term it gives in running text.
        term = _TERMS[word] = next((token.text for token in _term_analyzer(word)), "")
    return term


_BTERMS: dict[str, bytes] = {}  # the same, encoded as the index stores it


def _bterm(word: str) -> bytes:
    if len(_BTERMS) >= _TERMS_LIMIT:
        _BTERMS.clear()
    term = _BTERMS[word] = _term(word).encode("utf-8")
    return term


class Text(fields.TEXT):
    """A TEXT field with ``text_analyzer()`` whose indexing skips Whoosh's token pipeline.

    Whoosh passes every token of every field through a chain of generators (tokenizer,
    lower-case, fold, stop, stem: about 1.5 microseconds a token); here each distinct
    word is analysed once per process and the positions are counted in one loop. The
    postings are the same as ``fields.TEXT(analyzer=text_analyzer())`` writes: terms,
    frequencies, weights and positions (renumbered over stop words, as StopFilter
    does). A test compares the two on real articles.
    """

    def __init__(self, **kwargs):
        super().__init__(analyzer=text_analyzer(), **kwargs)

    def index(self, value, **kwargs):
        if kwargs or not isinstance(value, str) or not whoosh_adapter.fast_indexing(self, self._index_words):
            yield from super().index(value, **kwargs)
            return
        yield from self._index_words(value)

    def term_counts(self, value: str) -> dict[str, int]:
        """How often each index term occurs in ``value``, in order of first occurrence: the
        frequencies ``index`` gives, without encoding positions (for a document's key terms)."""
        if not isinstance(value, str) or not whoosh_adapter.fast_indexing(self, self._index_words):
            return {self.from_bytes(btext): frequency for btext, frequency, _, _ in super().index(value)}
        counts: dict[str, int] = {}
        for word in _TOKEN.findall(value):
            term = _TERMS.get(word)
            if term is None:
                term = _term(word)
            if term:
                counts[term] = counts.get(term, 0) + 1
        return counts

    def postings(self, value) -> list[tuple[bytes, int, float, bytes]] | None:
        """What ``index`` yields, as a list (None when the stock path must be taken): the
        index writer (search/whoosh_adapter.py) takes a field's postings in one call."""
        if not isinstance(value, str) or not whoosh_adapter.fast_indexing(self, self._index_words):
            return None
        return self._postings(value)

    def _index_words(self, value: str):
        yield from self._postings(value)

    def _postings(self, value: str) -> list[tuple[bytes, int, float, bytes]]:
        positions: dict[bytes, list[int]] = {}
        position = None
        for i, word in enumerate(_TOKEN.findall(value)):
            term = _BTERMS.get(word)
            if term is None:
                term = _bterm(word)
            if not term:
                continue
            # StopFilter(renumber=True): the first kept word keeps its place, the rest follow on.
            position = i if position is None else position + 1
            found = positions.get(term)
            if found is None:
                positions[term] = [position]
            else:
                found.append(position)
        boost = self.format.field_boost
        return [(term, len(places), float(len(places)) * boost, positions_value(places))
                for term, places in positions.items()]


def build_schema() -> fields.Schema:
    # Names go through the same analysis as text, so a name typed in a query matches either.
    return fields.Schema(
        id=fields.ID(stored=True, unique=True),
        title=Text(field_boost=3.0, stored=True),
        body=Text(stored=True),
        entities=Text(field_boost=1.5),
        person=Text(),
        org=Text(),
        place=Text(),
        project=Text(),
        event=Text(),
        other=Text(),
        source=Text(),
        tag=Text(),
        dateline=Text(),
        date=fields.DATETIME(stored=True, sortable=True),
        # Exact values for filters and facets.
        source_id=fields.ID(stored=True),
        entity_ids=fields.KEYWORD(stored=True, commas=True),
        tag_ids=fields.KEYWORD(stored=True, commas=True),
        language=fields.ID(stored=True),
        place_key=fields.ID(stored=True),
        kinds=fields.KEYWORD(commas=True),
        # Per-document values for facet counting, read as a column (see search/facets.py).
        facet_row=fields.COLUMN(columns.VarBytesColumn()),
        # The article's id as a number, read as a column: articles of the same day are listed
        # by id, as the database lists them, whatever order they were indexed in.
        article_id=fields.COLUMN(columns.NumericColumn("I", default=0)),
        # A hash of this document, so check_index can tell a stale entry from a fresh one.
        stamp=fields.ID(stored=True),
    )


QUERY_CHUNK = 500  # ids per IN (...) clause; SQLite refuses very long ones


class Named(NamedTuple):
    """An entity an article mentions, as its document needs it."""

    id: int
    name: str
    kind: str
    parent_id: int | None = None


class TagName(NamedTuple):
    id: int
    name: str


def documents(ids: Iterable[int]) -> Iterator[tuple[Article, dict]]:
    """(article, index document) for the given article ids that exist, in id order.

    A few queries per call whatever the number of articles: the articles with their
    source, their tags, their mentions with the entities, and the entities' aliases.
    Tags and mentions are read as plain rows, in the order their managers give them
    (building a model instance for each, and a related manager per article, cost as
    much as the rest of the document).
    """
    ids = sorted(set(ids))
    for start in range(0, len(ids), QUERY_CHUNK):
        chunk = ids[start : start + QUERY_CHUNK]
        articles = list(Article.objects.filter(id__in=chunk).select_related("source").order_by("id"))
        named: dict[int, list[Named]] = defaultdict(list)
        rows = (
            Mention.objects.filter(article_id__in=chunk)
            .order_by(*Mention._meta.ordering)
            .values_list("article_id", "entity_id", "entity__name", "entity__kind", "entity__parent_id")
        )
        for article_id, *entity in rows:
            named[article_id].append(Named(*entity))
        tags: dict[int, list[TagName]] = defaultdict(list)
        rows = (
            Article.tags.through.objects.filter(article_id__in=chunk)
            .order_by(*(f"tag__{name}" for name in Tag._meta.ordering))
            .values_list("article_id", "tag_id", "tag__name")
        )
        for article_id, *tag in rows:
            tags[article_id].append(TagName(*tag))
        entity_ids = sorted({entity.id for found in named.values() for entity in found})
        aliases: dict[int, list[str]] = defaultdict(list)
        for first in range(0, len(entity_ids), QUERY_CHUNK):
            rows = Alias.objects.filter(entity_id__in=entity_ids[first : first + QUERY_CHUNK])
            for entity_id, name in rows.order_by("entity_id", "name").values_list("entity_id", "name"):
                aliases[entity_id].append(name)
        places = {entity.id for found in named.values() for entity in found
                  if entity.kind == EntityKind.PLACE and entity.parent_id}
        ancestors = Entity.objects.place_ancestors(sorted(places)) if places else {}
        for article in articles:
            yield article, article_document(article, aliases, ancestors=ancestors, entities=named[article.id],
                                            tags=tags[article.id])


def article_document(
    article: Article,
    aliases: dict[int, list[str]],
    *,
    ancestors: dict[int, list[tuple[int, str]]] | None = None,
    entities: list[Named] | None = None,
    tags: list[TagName] | None = None,
) -> dict:
    """The index document of one article; ``aliases`` maps entity ids to their aliases.

    ``ancestors`` maps a mentioned place to the places it lies in: an article about Almaty
    is found by filtering on Kazakhstan (its id joins ``entity_ids``) and by ``place:Kazakhstan``
    (its name joins the place field); facet counts stay with the places the article names.
    ``entities`` (in the order of the article's mentions) and ``tags`` are the article's
    own, read from the database when not given.
    """
    if entities is None:
        entities = [Named(m.entity_id, m.entity.name, m.entity.kind, m.entity.parent_id)
                    for m in article.mentions.select_related("entity")]
    if tags is None:
        tags = [TagName(tag.id, tag.name) for tag in article.tags.all()]
    by_field: dict[str, list[str]] = {name: [] for name in KIND_FIELDS.values()}
    all_names: list[str] = []
    entity_ids: list[str] = []
    kinds: set[str] = set()
    entity_keys: list[str] = []
    for entity in entities:
        names = [entity.name, *aliases.get(entity.id, ())]
        kinds.add(entity.kind)
        entity_keys.append(f"{KIND_CODES[entity.kind]}{entity.id}")
        by_field[KIND_FIELDS[entity.kind]].extend(names)
        all_names.extend(names)
        entity_ids.append(str(entity.id))
    named = set(entity_ids)
    for entity in entities:
        for ancestor_id, ancestor_name in (ancestors or {}).get(entity.id, ()):
            if str(ancestor_id) not in named:
                named.add(str(ancestor_id))
                entity_ids.append(str(ancestor_id))
                by_field[KIND_FIELDS[EntityKind.PLACE]].append(ancestor_name)
    doc = {
        "id": str(article.id),
        "title": article.title,
        "body": body_text(article),
        "entities": "\n".join(all_names),
        "source": article.source.name if article.source else "",
        "tag": "\n".join(tag.name for tag in tags),
        "dateline": article.dateline,
        "source_id": str(article.source_id or ""),
        "entity_ids": ",".join(sorted(entity_ids, key=int)),
        "tag_ids": ",".join(sorted((str(tag.id) for tag in tags), key=int)),
        "language": article.language,
        "place_key": article.dateline.casefold(),
        "kinds": ",".join(sorted(kinds)),
        "facet_row": facet_row(article, entity_keys, tags).encode("utf-8"),
        "article_id": article.id,
    }
    if article.published is not None:  # an undated story has no date: no date filter or facet finds it
        doc["date"] = dt.datetime.combine(article.published, dt.time())
    for field, names in by_field.items():
        doc[field] = "\n".join(names)
    doc["stamp"] = document_stamp(doc)
    return doc


def body_text(article: Article) -> str:
    """The text the index holds as an article's body: the lede, then each paragraph and
    subheading of the body (subheadings are text too; their '## ' marks are not), a blank
    line between each.

    Searches build their snippets from it, so it is made from the row they load anyway
    rather than decompressed from the index (about 25 µs an article). A body already in
    block form (one blank line between paragraphs, single spaces, nothing else between
    words) keeps its paragraphs as they are: checking costs a fraction of splitting it
    into paragraphs and words.
    """
    body, lede = article.body, article.lede
    if not _in_block_form(body):
        return "\n\n".join([lede] * bool(lede) + [block.text for block in article.blocks()])
    if body[0] == "#" or "\n\n#" in body:
        body = "\n\n".join(_without_heading_mark(paragraph) for paragraph in body.split("\n\n"))
    return f"{lede}\n\n{body}" if lede else body


# Every character str.split() splits at (str.isspace()) but " " and "\n"; a test compares the two.
OTHER_SPACES = (
    "\t", "\x0b", "\x0c", "\r", "\x1c", "\x1d", "\x1e", "\x1f", "\x85", "\xa0", "\u1680",
    *map(chr, range(0x2000, 0x200B)), "\u2028", "\u2029", "\u202f", "\u205f", "\u3000",
)
_ASCII_OTHER_SPACES = tuple(space for space in OTHER_SPACES if space.isascii())


def _has_other_space(body: str) -> bool:
    """Whether ``body`` holds one of OTHER_SPACES (only the ASCII ones can be in ASCII text)."""
    for space in _ASCII_OTHER_SPACES if body.isascii() else OTHER_SPACES:
        if space in body:
            return True
    return False


# A line break after or before a space, three in a row, or one alone. Beginning with "\n", the
# expression skips to each line break at the speed of a search for one character.
_STRAY_LINE_BREAK = re.compile("\n(?:(?<= \n)| |\n\n|(?<!\n\n)(?!\n))")


def _in_block_form(body: str) -> bool:
    """Whether every paragraph of ``body`` (split at blank lines) is one block of the body as it is:
    not empty, its words separated by single spaces, no space at either end."""
    # Looked for one character at a time: a search for one character skips through a text
    # (at once when the text holds no character as wide), an expression's character set
    # with letters beyond Latin-1 tests each character of it (slower than str.isprintable()).
    return (
        bool(body) and body[0] not in " \n" and body[-1] not in " \n" and "  " not in body
        and not _has_other_space(body) and not _STRAY_LINE_BREAK.search(body)
    )


_HEADING = SUBHEADING_MARK.strip()


def _without_heading_mark(paragraph: str) -> str:
    """A paragraph in block form as ``Article.blocks()`` gives its text: a subheading without its marks."""
    unmarked = paragraph.lstrip("#")
    return unmarked[1:] if paragraph.startswith(_HEADING) and unmarked.startswith(" ") else paragraph


KIND_CODES = {"person": "p", "organisation": "o", "place": "l", "project": "j", "event": "e", "other": "x"}
CODE_KINDS = {code: kind for kind, code in KIND_CODES.items()}


def facet_row(article: Article, entity_keys: list[str], tags: list) -> str:
    """source|year|month|entities as kind code + id|tag ids: what facet counting needs, in one value."""
    return "|".join(
        [
            str(article.source_id or ""),
            str(article.published.year if article.published else 0),  # 0|0: undated
            str(article.published.month if article.published else 0),
            ",".join(sorted(entity_keys)),
            ",".join(sorted(str(tag.id) for tag in tags)),
        ]
    )


def document_stamp(doc: dict) -> str:
    payload = json.dumps({k: v for k, v in doc.items() if k != "stamp"}, sort_keys=True, default=str)
    return hashlib.sha1(f"{SCHEMA_VERSION}:{payload}".encode()).hexdigest()
