"""Small text helpers shared by the models, the parsers and the tagger.

Pure functions only, except ``unique_slug``, which asks the database which slugs
are taken.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

from django.utils.text import slugify

TITLE_MAX_CHARS = 110
TITLE_IDEAL_CHARS = 90
TITLE_MIN_CHARS = 35
SENTENCE_MAX_CHARS = 300
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"'”’)]*\s+(?=[A-Z0-9\"“‘(])")
# Abbreviations that end with a full stop but do not end a sentence.
_ABBREVIATIONS = ("Mr.", "Mrs.", "Ms.", "Dr.", "St.", "U.S.", "U.K.", "Jan.", "Feb.", "Aug.", "Sept.", "Oct.",
                  "Nov.", "Dec.", "No.", "Co.", "Corp.", "Inc.", "Ltd.", "Gov.", "Gen.", "Prof.", "vs.", "e.g.", "i.e.")


_COMBINING_MARKS = re.compile(r"[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")


def fold(text: str) -> str:
    """Lower-case and strip accents, for comparisons that should not care about either."""
    if text.isascii():
        return text.lower()
    stripped = _COMBINING_MARKS.sub("", unicodedata.normalize("NFKD", text))
    return unicodedata.normalize("NFC", stripped).casefold()


def normalise_whitespace(text: str) -> str:
    return " ".join(text.split())


def body_fingerprint(body: str) -> str:
    """Same words in the same order give the same fingerprint, whatever the spacing or case."""
    canonical = normalise_whitespace(fold(body.replace("#", " ")))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def first_sentence(paragraph: str) -> str:
    text = normalise_whitespace(paragraph)
    start = 0
    for match in _SENTENCE_END.finditer(text):
        candidate = text[: match.start()].rstrip()
        if any(candidate.endswith(abbr) for abbr in _ABBREVIATIONS):
            continue
        if len(candidate) - start < 3:
            continue
        return candidate
    return text


def shorten(text: str, limit: int = TITLE_MAX_CHARS) -> str:
    """Cut at the last word boundary before ``limit`` and mark the cut with an ellipsis."""
    text = normalise_whitespace(text)
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut:
        cut = cut[: cut.rfind(" ")]
    return cut.rstrip(" ,;:–—-") + "…"


def derive_title(first_paragraph: str) -> str:
    """A readable title from the story's first sentence, for files that have none.

    Wire copy often opens with "On March 29, 2024, the ministry said ..."; the date
    clause tells the reader nothing a title needs, so it is dropped.
    """
    sentence = first_sentence(first_paragraph)
    sentence = re.sub(
        r"^(?:On|In|By|Since)\s+(?:\w+\s+)?\d{1,2}(?:st|nd|rd|th)?(?:,?\s+\d{4})?,\s+"
        r"|^(?:On|In)\s+\w+\s+\d{4},\s+",
        "",
        sentence,
    )
    sentence = sentence.rstrip(".!? ")
    if sentence and sentence[0].islower():
        sentence = sentence[0].upper() + sentence[1:]
    if len(sentence) > TITLE_IDEAL_CHARS:
        # A headline reads better ending at a clause than at an ellipsis.
        clauses = [m.start() for m in re.finditer(r"\s*(?:[,;:]|\s[–—-])\s", sentence)]
        fitting = [end for end in clauses if TITLE_MIN_CHARS <= end <= TITLE_IDEAL_CHARS]
        if fitting:
            return sentence[: fitting[-1]]
    return shorten(sentence, TITLE_IDEAL_CHARS)


def slug_base(text: str, *, fallback: str, max_length: int = 200) -> str:
    """The slug ``text`` would get if no other row had it."""
    base = slugify(text)[:max_length].strip("-")
    if not base:
        # Names in other scripts slugify to nothing; keep them readable in Unicode.
        base = slugify(text, allow_unicode=True)[:max_length].strip("-") or fallback
        if not re.fullmatch(r"[-a-zA-Z0-9_]+", base):
            base = fallback
    return base


def unique_slug(model, text: str, *, fallback: str, max_length: int = 200, taken: set[str] = frozenset()) -> str:
    """A slug for ``text`` that no row of ``model`` has yet, nor ``taken`` (``-2``, ``-3`` … when needed)."""
    base = slug_base(text, fallback=fallback, max_length=max_length)
    slug, n = base, 1
    while slug in taken or model._default_manager.filter(slug=slug).exists():
        n += 1
        slug = f"{base[: max_length - len(str(n)) - 1]}-{n}"
    return slug


def is_binary(data: bytes) -> bool:
    """NUL bytes or many control characters mean this is not a text file."""
    sample = data[:8192]
    if b"\x00" in sample:
        return True
    controls = sum(1 for b in sample if b < 32 and b not in (9, 10, 12, 13))
    return bool(sample) and controls / len(sample) > 0.05


def sentence_around(text: str, start: int, end: int) -> str:
    """The sentence holding text[start:end], in one line and at most a few hundred characters."""
    boundaries = [text.rfind(mark, 0, start) for mark in (". ", "! ", "? ", "\n")]
    left = max(boundaries)
    left = left + 2 if left >= 0 and text[left] != "\n" else left + 1
    ends = [i for i in (text.find(mark, end) for mark in (". ", "! ", "? ", "\n")) if i != -1]
    right = min(ends) + 1 if ends else len(text)
    sentence = " ".join(text[left:right].split()).lstrip("# ")
    if len(sentence) > SENTENCE_MAX_CHARS:
        offset = max(0, start - left - SENTENCE_MAX_CHARS // 2)
        sentence = "…" + sentence[offset : offset + SENTENCE_MAX_CHARS - 2].strip() + "…"
    return sentence
