"""Highlighted snippets: matched words in <mark>, every other character escaped.

Whoosh's highlighter runs each stored body through the full analyzer, token object
by token object (about 1.5 ms an article here). This module scans the text with one
regular expression and looks each distinct word's index form up in a cache, so a
page of snippets costs a few milliseconds. The index form comes from the same
analyzer the index uses, so what is marked is exactly what matched.
"""

from __future__ import annotations

import html
import re
from functools import lru_cache

from search.schema import text_analyzer

_WORD = re.compile(r"\w+", re.UNICODE)
_analyzer = text_analyzer()


@lru_cache(maxsize=200_000)
def index_form(word: str) -> str | None:
    """The term the index holds for ``word`` (None for a stop word)."""
    tokens = [token.text for token in _analyzer(word)]
    return tokens[0] if tokens else None


def _marked(text: str, spans: list[tuple[int, int]]) -> str:
    out, position = [], 0
    for start, end in spans:
        out.append(html.escape(text[position:start], quote=False))
        out.append(f"<mark>{html.escape(text[start:end], quote=False)}</mark>")
        position = end
    out.append(html.escape(text[position:], quote=False))
    return "".join(out)


def matches(text: str, terms: set[str]) -> list[tuple[int, int]]:
    """Where in ``text`` the words whose index form is one of ``terms`` are."""
    if not terms:
        return []
    # Each distinct word is looked up once (a body repeats most of its words), then one
    # regular expression finds the matching ones: whole words, exactly the \w+ runs above.
    found = [word for word in set(_WORD.findall(text)) if index_form(word) in terms]
    if not found:
        return []
    alternatives = "|".join(map(re.escape, sorted(found, key=len, reverse=True)))
    return [m.span() for m in re.finditer(rf"\b(?:{alternatives})\b", text)]


def highlight_all(text: str, terms: set[str]) -> str:
    """The whole text (a title, say), escaped, with matches marked; '' when nothing matches."""
    spans = matches(text, terms)
    return _marked(text, spans) if spans else ""


def snippet(text: str, terms: set[str], *, width: int = 240, fragments: int = 2) -> str:
    """Up to ``fragments`` passages of about ``width`` characters around the densest matches."""
    spans = matches(text, terms)
    if not spans:
        return ""
    # Score each match by how many matches fall within one window after it.
    windows = []
    j = 0
    for i, (start, _) in enumerate(spans):
        while j < len(spans) and spans[j][1] <= start + width:
            j += 1
        distinct = len({text[s:e].lower() for s, e in spans[i:j]})
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
