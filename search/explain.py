"""What the search page tells the user about their query: how it was read, in their words,
what they probably meant, and which parts of it the snippets should mark.

Everything here reads a query the parser already made; nothing here changes what runs.
"""

from __future__ import annotations

import re

from whoosh import query as wq

from search.query import DEFAULT_FIELDS, FIELD_ALIASES, dedupe, outside_quotes
from search.schema import KIND_FIELDS

# Field names a reader may type: the schema's query fields and their aliases.
ENTITY_FIELDS = {*KIND_FIELDS.values()}
_FIELD_NAMES = {"title", "body", "entities", "source", "tag", "date", *ENTITY_FIELDS}
_FIELD_NAMES |= {alias for aliases in FIELD_ALIASES.values() for alias in aliases}


def readable(query: wq.Query) -> str:
    """The query as a reader would write it: each word once, with no internal field names.

    The parser spreads every word over the default fields, and a hyphenated word
    becomes "title:kassym AND title:jomart OR body:kassym AND body:jomart OR ...";
    a reader typed "kassym-jomart", so it is shown as "kassym AND jomart".
    """
    text = _readable(query, hide=False)
    return text[1:-1] if text.startswith("(") and text.endswith(")") and _balanced(text[1:-1]) else text


def _readable(query: wq.Query, *, hide: bool) -> str:
    if isinstance(query, wq.Or):
        # Alternatives that differ only in a default field (title:w OR body:w OR entities:w)
        # are the parser spreading one word, not the reader's OR: they are shown once.
        spread: dict[str, set] = {}
        for child in query.subqueries:
            spread.setdefault(_readable(child, hide=True), set()).update(
                getattr(leaf, "fieldname", None) for leaf in child.leaves()
            )
        parts = []
        for child in query.subqueries:
            key = _readable(child, hide=True)
            folded = hide or set(DEFAULT_FIELDS) <= spread[key]
            parts.append((key if folded else _readable(child, hide=False), child))
        unique = list(dict.fromkeys(parts_text for parts_text, _ in parts))
        if len(unique) == 1:
            return unique[0]
        first_child = {text: child for text, child in reversed(parts)}
        return "(" + " OR ".join(_wrap(text, first_child[text]) for text in unique) + ")"
    if isinstance(query, wq.And):
        parts = dedupe(_readable(c, hide=hide) for c in query.subqueries if not isinstance(c, wq.Every))
        return " AND ".join(parts) if parts else "everything"
    if isinstance(query, wq.Not):
        return f"NOT {_readable(query.query, hide=hide)}"
    if isinstance(query, wq.AndNot):
        return f"{_readable(query.a, hide=hide)} AND NOT {_readable(query.b, hide=hide)}"
    if isinstance(query, wq.Every):
        return "everything"
    fieldname = getattr(query, "fieldname", None)
    text = _leaf(query)
    if fieldname == "date" or fieldname is None or (hide and fieldname in DEFAULT_FIELDS):
        return text
    return f"{fieldname}:{text}"


def _wrap(text: str, query: wq.Query) -> str:
    """An AND among alternatives is bracketed, so the reading is unambiguous."""
    return f"({text})" if isinstance(query, wq.And) and " AND " in text else text


def _leaf(query: wq.Query) -> str:
    if isinstance(query, wq.Phrase):
        slop = f"~{query.slop}" if query.slop > 1 else ""
        return f"“{' '.join(query.words)}”{slop}"
    if isinstance(query, wq.FuzzyTerm):
        return f"{query.text}~{query.maxdist}"
    if isinstance(query, wq.DateRange):
        start = query.startdate.date().isoformat() if query.startdate else "…"
        end = query.enddate.date().isoformat() if query.enddate else "…"
        return f"date:[{start} to {end}]"
    if isinstance(query, wq.Prefix):
        return f"{query.text}*"
    if isinstance(query, (wq.Wildcard, wq.Term)):
        return str(query.text)
    return str(query)


def _balanced(text: str) -> bool:
    depth = 0
    for char in text:
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth < 0:
            return False
    return depth == 0


def _words(text: str) -> list[str]:
    return [word for word in re.findall(r"\w+", text.lower()) if word != "and"]


def worth_explaining(typed: str, reading: str) -> bool:
    """Show how the query was read only when it says more than the words typed
    (an OR, a NOT, a phrase slop, a field, a date), never just "AND" between them."""
    return reading != "everything" and _words(typed) != _words(reading)


_LOWER_OR = re.compile(r"(?<=\S)(\s+)or(\s+)(?=\S)")


def operator_suggestion(typed: str) -> str | None:
    """"wind or solar" searches for the word "or": offer "wind OR solar"."""
    if re.search(r"\b(?:OR|AND|NOT)\b", typed):
        return None  # the reader knows the operators; a lower-case "or" is then meant as a word
    fixed = outside_quotes(typed, lambda part: _LOWER_OR.sub(r"\1OR\2", part))
    return fixed if fixed != typed else None


_EMPTY_FIELD = re.compile(r"(?:^|(?<=[\s(]))(\w+):(?=\s|\)|$)")


def query_notes(typed: str) -> list[str]:
    """Notes on parts of the query that were not read as the reader may have meant."""
    notes = []
    for name in dedupe(m.group(1) for m in _EMPTY_FIELD.finditer(outside_quotes(typed, lambda p: p))):
        if name.lower() in _FIELD_NAMES:
            notes.append(
                f"“{name}:” has nothing after it, so it was searched as the word “{name}”. "
                f"Put the word right after the colon, as in {name}:summit."
            )
    return notes


def phrases(query: wq.Query, fieldname: str) -> list[tuple[list[str], int]]:
    """The phrases the query asks for in one field: (index forms of the words, slop)."""
    return [
        (list(leaf.words), max(1, leaf.slop))
        for leaf in query.leaves()
        if isinstance(leaf, wq.Phrase) and leaf.fieldname == fieldname
    ]


def entity_words(query: wq.Query) -> dict[str, list[list[str]]]:
    """The names asked for by kind field (``person:tokayev`` -> {"person": [["tokayev"]]}), as index forms."""
    found: dict[str, list[list[str]]] = {}
    for leaf in query.leaves():
        fieldname = getattr(leaf, "fieldname", None)
        if fieldname not in ENTITY_FIELDS:
            continue
        if isinstance(leaf, wq.Phrase):
            found.setdefault(fieldname, []).append(list(leaf.words))
        elif type(leaf) is wq.Term:
            found.setdefault(fieldname, []).append([str(leaf.text)])
    return found
