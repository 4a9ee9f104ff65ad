"""Highlighted snippets: matched words in <mark>, every other character escaped.

Whoosh's highlighter runs each stored body through the full analyzer, token object
by token object (about 1.5 ms an article here). This module splits the text at
whitespace and matches its distinct pieces, as sets, against a vocabulary of the
words and pieces seen so far with their index forms, so a page of snippets costs
about a millisecond. The index form comes from the same analyzer the index uses, so
what is marked is exactly what matched.
"""

from __future__ import annotations

import functools
import html
import re

from search.schema import text_analyzer

_WORD = re.compile(r"\w+", re.UNICODE)
_analyzer = text_analyzer()


class _Vocabulary:
    """What the analyzer made of the text seen so far, kept both ways.

    Words (``\\w+`` runs) and their index forms; and the pieces of text between
    whitespace (``str.split()``), each with its words. No word character is whitespace,
    so a text's words are exactly the words of its pieces: splitting a text (much
    cheaper than running a regular expression over it) and looking its distinct pieces
    up finds every word whose form the query asks for.
    """

    def __init__(self):
        self.forms: dict[str, str] = {}  # word -> its index form ("" for a stop word)
        self.words: dict[str, set[str]] = {}  # index form -> the words that give it
        self.pieces: dict[str, tuple[str, ...]] = {}  # piece -> its words
        self.pieces_by_form: dict[str, set[str]] = {}  # index form -> the pieces holding a word that gives it

    def learn_words(self, words) -> None:
        for word in words:
            tokens = [token.text for token in _analyzer(word)]
            form = tokens[0] if tokens else ""
            # The reverse entry first: a word other threads find in ``forms`` is in ``words`` too.
            self.words.setdefault(form, set()).add(word)
            self.forms[word] = form

    def learn_pieces(self, pieces) -> None:
        for piece in pieces:
            words = tuple(_WORD.findall(piece))
            self.learn_words(word for word in words if word not in self.forms)
            for word in words:
                self.pieces_by_form.setdefault(self.forms[word], set()).add(piece)
            self.pieces[piece] = words  # last: a piece found here has its reverse entries

    def __len__(self) -> int:
        return len(self.forms) + len(self.pieces)


_VOCABULARY_LIMIT = 200_000  # words and pieces remembered (about 270 bytes each); then it starts afresh
_vocabulary = _Vocabulary()


def _knowing(*, words: set[str] = frozenset(), pieces: set[str] = frozenset()) -> _Vocabulary:
    """The vocabulary, holding ``words`` and ``pieces`` (a fresh one when it would grow past its limit)."""
    global _vocabulary
    vocabulary = _vocabulary
    # With a dict: one lookup per element of the set.
    new_words, new_pieces = words.difference(vocabulary.forms), pieces.difference(vocabulary.pieces)
    if new_words or new_pieces:
        if len(vocabulary) + len(new_words) + 2 * len(new_pieces) > _VOCABULARY_LIMIT:
            vocabulary = _vocabulary = _Vocabulary()
            new_words, new_pieces = words, pieces
        vocabulary.learn_words(new_words)
        vocabulary.learn_pieces(new_pieces)
    return vocabulary


def index_form(word: str) -> str | None:
    """The term the index holds for ``word`` (None for a stop word)."""
    form = _vocabulary.forms.get(word)
    if form is None:
        form = _knowing(words={word}).forms[word]
    return form or None


def _marked(text: str, spans: list[tuple[int, int]]) -> str:
    out, position = [], 0
    for start, end in spans:
        out.append(html.escape(text[position:start], quote=False))
        out.append(f"<mark>{html.escape(text[start:end], quote=False)}</mark>")
        position = end
    out.append(html.escape(text[position:], quote=False))
    return "".join(out)


def matches(text: str, terms: set[str], phrases: Phrases = ()) -> list[tuple[int, int]]:
    """Where in ``text`` the words whose index form is one of ``terms`` are, and the
    phrases (each marked whole, from its first word to its last), left to right."""
    if not phrases:
        return word_matches(text, terms) if terms else []
    # One pass over the words serves the phrases and the loose terms.
    tokens = [(form, m.start(), m.end()) for m in _WORD.finditer(text) if (form := index_form(m.group()))]
    spans = _phrase_spans(tokens, phrases)
    if terms:
        words = [(start, end) for form, start, end in tokens if form in terms]
        spans += [(s, e) for s, e in words if not any(ps <= s and e <= pe for ps, pe in spans)]
    return sorted(spans)


# How many of a stem's last letters may differ from the word it comes from. An ASCII
# word's index form is its lower-cased Porter stem (folding accents and the Russian
# stemmer leave it alone), and the stemmer cuts a suffix and appends a few letters that
# differ from the ones they replace in at most two places ("-bility" -> "-ble", "-ency"
# -> "-ence", "-ation" -> "-ate"); one more for safety. A test checks every suffix rule.
STEM_SLACK = 3


class Terms(frozenset):
    """Index forms to mark, with what ``word_matches`` works out from them, worked out once:
    a page of results marks them in twenty titles and twenty bodies."""

    @functools.cached_property
    def plan(self) -> tuple:
        return _plan(self)


def _plan(terms) -> tuple:
    """(the prefixes every ASCII word giving one of ``terms`` begins with, None when some term
    is too short to have one; the same prefixes encoded, None when one is not ASCII)."""
    prefixes = frozenset(term[: len(term) - STEM_SLACK] for term in terms)
    if "" in prefixes:
        return None, None
    encoded = frozenset(prefix.encode("ascii") for prefix in prefixes) if all(map(str.isascii, prefixes)) else None
    return prefixes, encoded


def word_matches(text: str, terms: set[str]) -> list[tuple[int, int]]:
    """Where in ``text`` the words whose index form is one of ``terms`` are."""
    prefixes, encoded_prefixes = terms.plan if type(terms) is Terms else _plan(terms)
    if prefixes is None:  # a short term: any word may give it
        return _piece_matches(text, terms)
    if text.isascii():
        return sorted(_prefixed_words(text, text.lower(), prefixes, terms))
    # Position for position, every character but ASCII ones as "?": finding "?" there finds
    # the other letters at the speed of bytes (searching a text with Cyrillic letters is not).
    encoded = text.encode("ascii", "replace")
    if encoded_prefixes is not None:
        # The ASCII words beginning with a prefix are found there (no term holds a "?"); the
        # others, the Kelvin sign's "K" (lower case "k") among them, are analysed below.
        spans = _prefixed_words(text, encoded.lower(), encoded_prefixes, terms)
    else:
        lowered = text.lower()
        if len(lowered) != len(text):  # offsets would shift
            return _piece_matches(text, terms)
        spans = _prefixed_words(text, lowered, prefixes, terms)
    # Words with other letters (accents fold, Cyrillic stems) are all analysed.
    at = encoded.find(b"?")
    while at != -1:
        if not _is_word_char(text[at]):  # a "?", a dash or a quotation mark
            at = encoded.find(b"?", at + 1)
            continue
        start = at
        while start and _is_word_char(text[start - 1]):
            start -= 1
        end = _WORD.match(text, start).end()
        if index_form(text[start:end]) in terms:
            spans.add((start, end))
        at = encoded.find(b"?", end)
    return sorted(spans)


def _prefixed_words(text: str, lowered, prefixes: set, terms: set[str]) -> set[tuple[int, int]]:
    """The words of ``text`` giving one of ``terms`` among those beginning (in ``lowered``,
    ``text`` lower-cased position for position) with one of ``prefixes``."""
    # A word of ASCII letters giving one of the terms begins (lower-cased) with the term
    # less its last STEM_SLACK letters: only the words beginning so are analysed.
    spans = set()
    for prefix in prefixes:
        at = lowered.find(prefix)
        while at != -1:
            if at and _is_word_char(text[at - 1]):  # inside a word: not where one begins
                at = lowered.find(prefix, at + 1)
                continue
            end = _WORD.match(text, at).end()
            if index_form(text[at:end]) in terms:
                spans.add((at, end))
            at = lowered.find(prefix, end)
    return spans


def _piece_matches(text: str, terms: set[str]) -> list[tuple[int, int]]:
    """``word_matches`` for any text."""
    # The distinct pieces of the text (between whitespace) are matched against the pieces
    # known to hold a word giving one of the terms, as sets (a body repeats many of its
    # pieces, and the analyzer runs once per word and process); then each matching word
    # is found with str.find, kept where it is a whole \w+ run (what a regular
    # expression \b(?:word|...)\b finds, at a fraction of the cost).
    pieces = set(text.split())
    vocabulary = _knowing(pieces=pieces)
    found = set()
    for term in terms:
        for piece in pieces.intersection(vocabulary.pieces_by_form.get(term, ())):
            found.update(word for word in vocabulary.pieces[piece] if vocabulary.forms[word] == term)
    spans = []
    for word in found:
        length = len(word)
        at = text.find(word)
        while at != -1:
            end = at + length
            if not (at and _is_word_char(text[at - 1])) and not (end < len(text) and _is_word_char(text[end])):
                spans.append((at, end))
            at = text.find(word, end)  # a later start inside this occurrence is no whole word
    spans.sort()
    return spans


def _is_word_char(char: str) -> bool:
    """Whether ``char`` is a word character of ``_WORD`` (a letter, digit or underscore)."""
    return char.isalnum() or char == "_"


# A phrase as the query holds it: the index forms of its words, and its slop (1: adjacent).
Phrases = tuple[tuple[tuple[str, ...], int], ...] | list


def phrase_matches(text: str, phrases: Phrases) -> list[tuple[int, int]]:
    """Where the phrases occur, counting word positions as the index does (stop words
    take no position), each next word within ``slop`` positions of the one before."""
    tokens = [(form, m.start(), m.end()) for m in _WORD.finditer(text) if (form := index_form(m.group()))]
    return _phrase_spans(tokens, phrases)


def _phrase_spans(tokens: list[tuple[str, int, int]], phrases: Phrases) -> list[tuple[int, int]]:
    spans = []
    for words, slop in phrases:
        if not words:
            continue
        for i, (form, start, _) in enumerate(tokens):
            if form != words[0]:
                continue
            at = i
            for word in words[1:]:
                at = next((k for k in range(at + 1, min(len(tokens), at + 1 + slop)) if tokens[k][0] == word), -1)
                if at == -1:
                    break
            if at != -1:
                spans.append((start, tokens[at][2]))
    # Overlapping occurrences (two phrases sharing words) become one mark.
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def highlight_all(text: str, terms: set[str], phrases: Phrases = ()) -> str:
    """The whole text (a title, say), escaped, with matches marked; '' when nothing matches."""
    spans = matches(text, terms, phrases)
    return _marked(text, spans) if spans else ""


def snippet(text: str, terms: set[str], *, phrases: Phrases = (), width: int = 240, fragments: int = 2) -> str:
    """Up to ``fragments`` passages of about ``width`` characters around the densest matches."""
    spans = matches(text, terms, phrases)
    if not spans:
        return ""
    # Score each match by how many matches fall within one window after it.
    lowered = [text[s:e].lower() for s, e in spans]  # once per match, not once per window holding it
    windows = []
    j = 0
    for i, (start, _) in enumerate(spans):
        while j < len(spans) and spans[j][1] <= start + width:
            j += 1
        distinct = len(set(lowered[i:j]))
        windows.append((distinct, j - i, -start, i, j))
    chosen: list[tuple[int, int]] = []
    for _, _, _, i, _ in sorted(windows, reverse=True):
        start = max(0, spans[i][0] - width // 4)
        end = min(len(text), start + width)
        # Whole words only: move the cut to the nearest space outside the first match.
        if start > 0:
            space = text.find(" ", start, spans[i][0])
            start = space + 1 if space != -1 else spans[i][0]
        if end < len(text):
            space = text.rfind(" ", spans[i][1], end)
            end = space if space != -1 else max(end, spans[i][1])
        if any(start < c_end and end > c_start for c_start, c_end in chosen):
            continue
        chosen.append((start, end))
        if len(chosen) == fragments:
            break
    parts = []
    for start, end in sorted(chosen):
        inside = [(s - start, e - start) for s, e in spans if s >= start and e <= end]
        piece = " ".join(_marked(text[start:end], inside).split())
        parts.append(("… " if start > 0 else "") + piece + (" …" if end < len(text) else ""))
    return " ".join(parts).replace("… …", "…")


SENTENCE_MAX_CHARS = 320


def sentence_snippet(text: str, names: list[str], *, gazetteer=None) -> str:
    """The first sentence of ``text`` that names one of ``names`` (any case or accents),
    escaped, with every name in it marked; '' when none is named. ``gazetteer``: the
    names already built into one, when several texts are searched for the same names."""
    from archive.tagging import Gazetteer  # the tagger's own matching, so what it found is what is marked

    gazetteer = gazetteer or Gazetteer([(0, name) for name in names], in_context=False)
    spans = [(start, end) for start, end, _ in gazetteer.first_spans(text)]
    if not spans:
        return ""
    start, end = spans[0]
    stops = (". ", "! ", "? ", "\n")
    left = max(text.rfind(mark, 0, start) for mark in stops)
    left = 0 if left == -1 else left + (1 if text[left] == "\n" else 2)
    ends = [i for i in (text.find(mark, end) for mark in stops) if i != -1]
    right = min(ends) + 1 if ends else len(text)
    prefix = suffix = ""
    if right - left > SENTENCE_MAX_CHARS:
        # A very long sentence: a window around the name, cut at spaces.
        window_left = max(left, start - SENTENCE_MAX_CHARS // 3)
        if window_left > left:
            window_left = text.find(" ", window_left, start) + 1 or start
            prefix = "… "
        window_right = min(right, window_left + SENTENCE_MAX_CHARS)
        if window_right < right:
            window_right = max(text.rfind(" ", end, window_right), end)
            suffix = " …"
        left, right = window_left, window_right
    while left < start and text[left] in "# ":  # a Markdown heading's marks are not words
        left += 1
    inside = [(s - left, e - left) for s, e in spans if s >= left and e <= right]
    return prefix + " ".join(_marked(text[left:right], inside).split()) + suffix


def entity_sentences(articles, asked: dict[str, list[list[str]]]) -> dict[int, str]:
    """For a query by entity (``person:tokayev``): per article, the sentence naming an
    entity of that kind whose names hold the words asked for, with the name marked."""
    from django.db.models import Prefetch

    from archive.models import Alias, Entity, Mention
    from search.schema import KIND_FIELDS

    kinds = {field: kind for kind, field in KIND_FIELDS.items()}
    wanted = {kinds[field]: words for field, words in asked.items() if field in kinds}
    if not wanted or not articles:
        return {}
    ids = [a.id for a in articles]
    # The distinct entities of those kinds named on the page (a few dozen), each read once,
    # then only the (article, entity) pairs of the ones whose names hold the words asked for.
    entities = (
        # A subquery, not a join: SQLite would otherwise probe every entity of the kind.
        Entity.objects.filter(
            kind__in=list(wanted), id__in=Mention.objects.filter(article_id__in=ids).values("entity_id")
        )
        .only("id", "kind", "name")
        .prefetch_related(Prefetch("aliases", queryset=Alias.objects.only("id", "entity_id", "name")))
    )
    matching: dict[int, list[str]] = {}
    for entity in entities:
        entity_names = entity.all_names()
        forms = {index_form(word) for name in entity_names for word in _WORD.findall(name)}
        if any(set(words) <= forms for words in wanted[entity.kind]):
            matching[entity.id] = entity_names
    names: dict[int, list[str]] = {}
    pairs = Mention.objects.filter(article_id__in=ids, entity_id__in=list(matching)).values_list(
        "article_id", "entity_id"
    )
    for article_id, entity_id in pairs if matching else ():
        names.setdefault(article_id, []).extend(matching[entity_id])
    from archive.tagging import Gazetteer

    found = {}
    gazetteers: dict[tuple[str, ...], Gazetteer] = {}  # most hits name the same entity: build it once
    for article in articles:
        if article.id in names:
            key = tuple(sorted(set(names[article.id])))
            if key not in gazetteers:
                gazetteers[key] = Gazetteer([(0, name) for name in key], in_context=False)
            sentence = sentence_snippet(article.body, list(key), gazetteer=gazetteers[key])
            if sentence:
                found[article.id] = sentence
    return found
