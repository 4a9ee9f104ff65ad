"""Suggestions for a query that finds nothing: each unknown word replaced by the closest word of the archive."""

from __future__ import annotations

import re

from whoosh.support.levenshtein import distance

from search.index import IndexUnavailable, searcher
from search.query import outside_quotes
from search.snippets import index_form

_OPERATORS = {"AND", "OR", "NOT", "ANDNOT", "ANDMAYBE", "TO", "to"}
_WORD = re.compile(r"(?<![\w:*~\-])([^\W\d_][\w'’-]*)(?![\w:*~(])")

SUGGESTION_FIELDS = ("body", "title", "entities")


def suggest(text: str) -> str | None:
    """The query with unknown words replaced by the closest words of the archive, or None.

    Corrections come from the index's own terms (stemmed), so a suggestion is
    always a word some article contains; it is shown as that article writes it.
    """
    try:
        with searcher() as s:
            reader = s.reader()
            correctors = [s.corrector(field) for field in SUGGESTION_FIELDS]
            changed = False

            def replace(match: re.Match) -> str:
                nonlocal changed
                word = match.group(1)
                term = index_form(word)
                if word in _OPERATORS or len(word) < 3 or term is None:
                    return word
                if any(reader.doc_frequency(field, term) for field in SUGGESTION_FIELDS):
                    return word
                # Several stems may be as close ("turbn" is one letter from "turn" and from
                # "turbin"); the written word closest to what was typed wins.
                options = []
                for field, corrector in zip(SUGGESTION_FIELDS, correctors, strict=True):
                    for option in corrector.suggest(term, limit=5, maxdist=2, prefix=1):
                        surface = _surface_form(s, field, option)
                        if surface:
                            options.append((distance(word.lower(), surface), len(options), surface))
                if not options:
                    return word
                changed = True
                return min(options)[2]

            corrected = outside_quotes(text, lambda part: _WORD.sub(replace, part))
    except IndexUnavailable:
        return None
    return corrected if changed and corrected != text else None


def _surface_form(s, field: str, term: str) -> str | None:
    """How an article writes the word whose index form is ``term`` ("turbines" for "turbin")."""
    for docnum in s.postings(field, term).all_ids():
        stored = s.stored_fields(docnum)
        for source_field in ("title", "body"):
            for match in re.finditer(r"\w+", stored.get(source_field, "")):
                if index_form(match.group()) == term:
                    return match.group().lower()
        break
    return None
